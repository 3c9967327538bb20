#include "host/serve/connection_exchange.hpp"

namespace kumo::host {

namespace ph = plugins::http;

static ph::FieldList to_field_list(http::HeaderSpan fields) {
  ph::FieldList out;
  out.reserve(fields.size());
  for (const auto& f : fields) out.emplace_back(ph::lower_ascii(f.name), std::string(f.value));
  return out;
}

ph::FieldList ConnectionExchange::headers() { return to_field_list(req_.headers()); }
ph::FieldList ConnectionExchange::trailers() { return to_field_list(req_.trailers()); }

ph::ErrorCode ConnectionExchange::error_of(http::IoError e) const {
  switch (e) {
    case http::IoError::Closed: return {ph::ErrorTag::ConnectionTerminated, {}, {}};
    case http::IoError::Malformed: return {ph::ErrorTag::HttpProtocolError, {}, {}};
    case http::IoError::TooLarge: return {ph::ErrorTag::HttpRequestBodySize, max_body_, {}};
    case http::IoError::Timeout: return {ph::ErrorTag::ConnectionReadTimeout, {}, {}};
    case http::IoError::State: break;
  }
  return ph::ErrorCode::internal(std::string(http::to_string(e)));
}

Expected<std::string_view, ph::ErrorCode> ConnectionExchange::read_body() {
  auto piece = req_.read();
  if (!piece) return Unexpected{error_of(piece.error())};
  return *piece;
}

Expected<void, ph::ErrorCode> ConnectionExchange::send_head(uint16_t status,
                                                            const ph::FieldList& headers) {
  scratch_.clear();
  for (const auto& [n, v] : headers) scratch_.push_back({n, v});
  auto r = resp_.send_head(status, scratch_);
  if (!r) return Unexpected{error_of(r.error())};
  return {};
}

Expected<void, ph::ErrorCode> ConnectionExchange::write_body(std::span<const uint8_t> bytes) {
  auto r = resp_.write({reinterpret_cast<const char*>(bytes.data()), bytes.size()});
  if (!r) return Unexpected{error_of(r.error())};
  return {};
}

Expected<void, ph::ErrorCode> ConnectionExchange::finish(const ph::FieldList& trailers) {
  scratch_.clear();
  for (const auto& [n, v] : trailers) scratch_.push_back({n, v});
  auto r = resp_.finish(scratch_);
  if (!r) return Unexpected{error_of(r.error())};
  return {};
}

}  // namespace kumo::host
