// Which hosts a guest may send HTTP requests to (wasi:http/outgoing-handler). Nothing is allowed
// unless listed: "127.0.0.1:8080" (that port), "localhost" (any port), "*:8080", "*".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "wasm/common/expected.hpp"

namespace kumo::plugins::http {

struct OutgoingPolicy {
  struct Rule {
    std::string host;   // compared case-insensitively; "*": any
    uint16_t port = 0;  // 0: any
  };
  std::vector<Rule> allow;

  static Expected<Rule> parse_rule(std::string_view text);
  bool allows(std::string_view host, uint16_t port) const;
};

}  // namespace kumo::plugins::http
