// A small blocking HTTP/1.1 client for wasi:http/outgoing-handler: one OutgoingCall per request,
// over a connection taken from a per-thread pool of idle keep-alive connections (the server's
// workers each reuse their own). The request body streams as the guest writes it (chunked, or
// with the guest's content-length); the response body streams as the guest reads it.
#pragma once

#include <http_parser.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "plugins/http/exchange.hpp"

namespace kumo::plugins::http {

using Clock = std::chrono::steady_clock;

// One TCP connection to `key` ("host:port").
struct ClientConnection {
  int fd = -1;
  std::string key;
  ~ClientConnection();
};

struct RequestHead {
  std::string method, path, authority;  // authority: "host[:port]"
  std::string host;
  uint16_t port = 80;
  FieldList headers;
  std::optional<uint64_t> content_length;  // else chunked (or none when `no_body`)
  bool no_body = false;
};

struct Timeouts {
  std::chrono::nanoseconds connect{std::chrono::seconds(10)};
  std::chrono::nanoseconds first_byte{std::chrono::seconds(60)};
  std::chrono::nanoseconds between_bytes{std::chrono::seconds(60)};
};

class OutgoingCall final : public BodySink, public BodySource {
 public:
  ~OutgoingCall() override;
  // Connects (or reuses a pooled connection) and sends the head.
  static Expected<std::shared_ptr<OutgoingCall>, ErrorCode> start(RequestHead head, Timeouts t);

  // The request body (after the head).
  Expected<void, ErrorCode> write_body(std::span<const uint8_t> bytes) override;
  Expected<void, ErrorCode> finish(const FieldList& trailers) override;
  bool request_done() const { return request_done_; }

  // The response: the head (blocks until it came), then the body.
  Expected<void, ErrorCode> read_head();
  uint16_t status() const { return status_; }
  const FieldList& headers() const { return headers_; }
  Expected<std::string_view, ErrorCode> read_body() override;
  FieldList trailers() override { return trailers_; }

 private:
  OutgoingCall() = default;
  Expected<void, ErrorCode> send(std::string_view a, std::string_view b = {},
                                 std::string_view c = {});
  Expected<void, ErrorCode> fill(Clock::duration wait);  // reads more and parses it
  void done_with_connection();

  static const http_parser_settings& settings();
  static int on_header_field(http_parser* p, const char* at, size_t len);
  static int on_header_value(http_parser* p, const char* at, size_t len);
  static int on_headers_complete(http_parser* p);
  static int on_body(http_parser* p, const char* at, size_t len);
  static int on_message_complete(http_parser* p);

  std::unique_ptr<ClientConnection> conn_;
  RequestHead head_;
  Timeouts timeouts_;
  bool chunked_ = false, request_done_ = false;
  bool reused_ = false;  // the connection came from the pool (it may have been closed meanwhile)

  http_parser parser_{};
  std::string buf_;
  size_t pos_ = 0;
  bool head_done_ = false, message_done_ = false, in_value_ = false, eof_ = false;
  uint16_t status_ = 0;
  FieldList headers_, trailers_;
  std::vector<std::string_view> pieces_;
  size_t next_piece_ = 0;
};

}  // namespace kumo::plugins::http
