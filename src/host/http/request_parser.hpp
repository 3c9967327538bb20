// RequestParser: nodejs/http-parser driven incrementally over a connection's read buffer. It
// collects the request head (method, target, fields) into reusable storage, hands out body bytes
// as views into the buffer it was fed (no copies), collects trailers, and pauses after each
// complete message so that pipelined requests are served one at a time.
#pragma once

#include <http_parser.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "host/http/types.hpp"

namespace kumo::host::http {

struct ParserLimits {
  size_t max_header_bytes = 64 * 1024;  // request line + fields (and, separately, trailers)
  uint64_t max_body_bytes = 64ull << 20;
};

class RequestParser {
 public:
  explicit RequestParser(ParserLimits limits = {});
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Forgets everything (a new connection).
  void reset();
  // Parses what it can of `data`; returns the bytes consumed. Stops after a complete message
  // (message_complete() is then true; call next_message() before feeding the next one) or at an
  // error. Body bytes of `data` are queued as views: `data` must stay valid until they are taken.
  size_t feed(const char* data, size_t len);
  // The peer closed the connection: completes a message whose end is the end of the stream.
  void feed_eof();
  // After a complete message: prepares for the next one on the same connection.
  void next_message();

  bool failed() const { return failed_; }
  // The status that explains the failure: 400, 413 or 431.
  int error_status() const { return error_status_; }
  std::string_view error_text() const { return error_text_; }

  bool head_complete() const { return head_complete_; }
  bool message_complete() const { return message_complete_; }
  // Whether the message started at all (some byte of a request line was seen).
  bool message_started() const { return started_; }

  // Valid once head_complete().
  std::string_view method() const { return method_; }
  std::string_view target() const { return target_; }
  HeaderSpan headers() const { return fields_; }
  unsigned http_major() const { return parser_.http_major; }
  unsigned http_minor() const { return parser_.http_minor; }
  bool keep_alive() const { return keep_alive_; }
  bool chunked() const { return (parser_.flags & F_CHUNKED) != 0; }
  std::optional<uint64_t> content_length() const { return content_length_; }
  bool upgrade() const { return parser_.upgrade != 0; }
  // Valid once message_complete() (chunked requests only; empty otherwise).
  HeaderSpan trailers() const { return trailer_fields_; }

  // The next queued body piece, if any (a view into what was fed).
  bool next_body(std::string_view& out);
  bool body_pending() const { return body_next_ < body_.size(); }
  uint64_t body_bytes() const { return body_total_; }

 private:
  struct Range {
    uint32_t off = 0, len = 0;
  };
  struct FieldRanges {
    Range name, value;
  };

  static int on_message_begin(http_parser* p);
  static int on_url(http_parser* p, const char* at, size_t len);
  static int on_header_field(http_parser* p, const char* at, size_t len);
  static int on_header_value(http_parser* p, const char* at, size_t len);
  static int on_headers_complete(http_parser* p);
  static int on_body(http_parser* p, const char* at, size_t len);
  static int on_message_complete(http_parser* p);
  static RequestParser& self(http_parser* p) { return *static_cast<RequestParser*>(p->data); }

  int fail(int status, std::string text);
  bool append(std::string& text, Range& r, const char* at, size_t len);
  static void build_views(const std::string& text, const std::vector<FieldRanges>& ranges,
                          std::vector<HeaderField>& out);

  ParserLimits limits_;
  http_parser parser_{};
  static const http_parser_settings settings_;

  bool started_ = false, head_complete_ = false, message_complete_ = false, failed_ = false;
  bool keep_alive_ = false;
  bool in_value_ = false;  // the last header callback was a value: a field callback starts anew
  int error_status_ = 0;
  std::string error_text_;

  // Head storage, reused from request to request (clear() keeps the capacity).
  std::string head_text_;
  Range target_range_;
  std::vector<FieldRanges> field_ranges_;
  std::vector<HeaderField> fields_;
  std::string_view method_, target_;
  std::optional<uint64_t> content_length_;
  std::string trailer_text_;
  std::vector<FieldRanges> trailer_ranges_;
  std::vector<HeaderField> trailer_fields_;

  std::vector<std::string_view> body_;
  size_t body_next_ = 0;
  uint64_t body_total_ = 0;
};

}  // namespace kumo::host::http
