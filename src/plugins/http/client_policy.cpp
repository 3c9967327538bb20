#include "plugins/http/client_policy.hpp"

#include <charconv>

#include "plugins/http/fields.hpp"

namespace kumo::plugins::http {

Expected<OutgoingPolicy::Rule> OutgoingPolicy::parse_rule(std::string_view text) {
  Rule r;
  std::string_view host = text, port;
  if (text.starts_with('[')) {  // [::1]:8080
    size_t close = text.find(']');
    if (close == std::string_view::npos) return err("`{}`: expected [IPV6][:PORT]", text);
    host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return err("`{}`: expected [IPV6][:PORT]", text);
      port = text.substr(close + 2);
    }
  } else if (size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) return err("`{}`: no host", text);
  r.host = lower_ascii(host);
  if (!port.empty()) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (ec != std::errc() || end != port.data() + port.size() || v == 0 || v > 65535)
      return err("`{}`: bad port `{}`", text, port);
    r.port = uint16_t(v);
  }
  return r;
}

bool OutgoingPolicy::allows(std::string_view host, uint16_t port) const {
  std::string h = lower_ascii(host);
  for (const Rule& r : allow)
    if ((r.host == "*" || r.host == h) && (r.port == 0 || r.port == port)) return true;
  return false;
}

}  // namespace kumo::plugins::http
