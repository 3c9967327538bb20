// The host side of one incoming HTTP request as wasi:http sees it. The plugin layer knows no
// server: src/host adapts its connection (http::Request + http::ResponseWriter) to this, and
// tests can implement it in memory. All calls come from the thread running the guest; they may
// block (reading the body waits for the peer).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "plugins/http/error_code.hpp"
#include "plugins/http/fields.hpp"
#include "wasm/common/expected.hpp"

namespace kumo::plugins::http {

// Where body bytes come from (a request a handler receives, a response a client receives).
class BodySource {
 public:
  virtual ~BodySource() = default;
  // The next piece of the body (valid until the next call); empty at its end.
  virtual Expected<std::string_view, ErrorCode> read_body() = 0;
  virtual FieldList trailers() = 0;  // after the end of the body
};

// Where body bytes go (a response a handler sends, a request a client sends), after the head.
class BodySink {
 public:
  virtual ~BodySink() = default;
  virtual Expected<void, ErrorCode> write_body(std::span<const uint8_t> bytes) = 0;
  virtual Expected<void, ErrorCode> finish(const FieldList& trailers) = 0;
};

class IncomingExchange : public BodySource, public BodySink {
 public:
  // The request head.
  virtual std::string_view method() = 0;           // "GET", ... as received
  virtual std::string_view path_with_query() = 0;  // "/a?b"
  virtual std::string_view authority() = 0;        // "" when the request had none
  virtual std::string_view scheme() = 0;           // "http"
  virtual FieldList headers() = 0;

  // The response: the head once, then the body (BodySink), then the end (with trailers). The
  // request body is read through BodySource.
  virtual Expected<void, ErrorCode> send_head(uint16_t status, const FieldList& headers) = 0;
};

}  // namespace kumo::plugins::http
