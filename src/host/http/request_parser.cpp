#include "host/http/request_parser.hpp"

#include <fmt/format.h>

#include <climits>

namespace kumo::host::http {

const http_parser_settings RequestParser::settings_ = [] {
  http_parser_settings s{};
  s.on_message_begin = &RequestParser::on_message_begin;
  s.on_url = &RequestParser::on_url;
  s.on_header_field = &RequestParser::on_header_field;
  s.on_header_value = &RequestParser::on_header_value;
  s.on_headers_complete = &RequestParser::on_headers_complete;
  s.on_body = &RequestParser::on_body;
  s.on_message_complete = &RequestParser::on_message_complete;
  return s;
}();

RequestParser::RequestParser(ParserLimits limits) : limits_(limits) { reset(); }

void RequestParser::reset() {
  http_parser_init(&parser_, HTTP_REQUEST);
  parser_.data = this;
  failed_ = false;
  error_status_ = 0;
  error_text_.clear();
  next_message();
}

void RequestParser::next_message() {
  if (HTTP_PARSER_ERRNO(&parser_) == HPE_PAUSED) http_parser_pause(&parser_, 0);
  started_ = head_complete_ = message_complete_ = in_value_ = false;
  keep_alive_ = false;
  head_text_.clear();
  field_ranges_.clear();
  fields_.clear();
  trailer_text_.clear();
  trailer_ranges_.clear();
  trailer_fields_.clear();
  method_ = target_ = {};
  target_range_ = {};
  content_length_.reset();
  body_.clear();
  body_next_ = 0;
  body_total_ = 0;
}

size_t RequestParser::feed(const char* data, size_t len) {
  if (failed_ || message_complete_) return 0;
  if (body_next_ == body_.size()) body_.clear(), body_next_ = 0;
  size_t n = http_parser_execute(&parser_, &settings_, data, len);
  auto e = HTTP_PARSER_ERRNO(&parser_);
  if (e != HPE_OK && e != HPE_PAUSED && !failed_) {
    // http-parser's own header limit (80 KiB) surfaces as an overflow: the same 431.
    fail(e == HPE_HEADER_OVERFLOW ? 431 : 400,
         fmt::format("{}: {}", http_errno_name(e), http_errno_description(e)));
  }
  return n;
}

void RequestParser::feed_eof() {
  if (failed_ || message_complete_) return;
  http_parser_execute(&parser_, &settings_, nullptr, 0);
  auto e = HTTP_PARSER_ERRNO(&parser_);
  if (e != HPE_OK && e != HPE_PAUSED && !failed_ && started_) fail(400, "request truncated by EOF");
}

bool RequestParser::next_body(std::string_view& out) {
  if (body_next_ >= body_.size()) return false;
  out = body_[body_next_++];
  return true;
}

int RequestParser::fail(int status, std::string text) {
  if (!failed_) {
    failed_ = true;
    error_status_ = status;
    error_text_ = std::move(text);
  }
  return -1;
}

bool RequestParser::append(std::string& text, Range& r, const char* at, size_t len) {
  if (text.size() + len > limits_.max_header_bytes) return false;
  if (r.len == 0) r.off = uint32_t(text.size());
  text.append(at, len);
  r.len += uint32_t(len);
  return true;
}

void RequestParser::build_views(const std::string& text, const std::vector<FieldRanges>& ranges,
                                std::vector<HeaderField>& out) {
  out.clear();
  for (const auto& f : ranges) {
    std::string_view name(text.data() + f.name.off, f.name.len);
    std::string_view value(text.data() + f.value.off, f.value.len);
    // Optional whitespace after the value is not part of it (RFC 9110 5.5).
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    out.push_back({name, value});
  }
}

int RequestParser::on_message_begin(http_parser* p) {
  self(p).started_ = true;
  return 0;
}

int RequestParser::on_url(http_parser* p, const char* at, size_t len) {
  auto& s = self(p);
  if (!s.append(s.head_text_, s.target_range_, at, len))
    return s.fail(431, "request line and header fields exceed the limit");
  return 0;
}

int RequestParser::on_header_field(http_parser* p, const char* at, size_t len) {
  auto& s = self(p);
  auto& text = s.head_complete_ ? s.trailer_text_ : s.head_text_;
  auto& ranges = s.head_complete_ ? s.trailer_ranges_ : s.field_ranges_;
  if (s.in_value_ || ranges.empty()) ranges.emplace_back(), s.in_value_ = false;
  if (!s.append(text, ranges.back().name, at, len))
    return s.fail(431, s.head_complete_ ? "trailer fields exceed the limit"
                                        : "request line and header fields exceed the limit");
  return 0;
}

int RequestParser::on_header_value(http_parser* p, const char* at, size_t len) {
  auto& s = self(p);
  auto& text = s.head_complete_ ? s.trailer_text_ : s.head_text_;
  auto& ranges = s.head_complete_ ? s.trailer_ranges_ : s.field_ranges_;
  if (ranges.empty()) return s.fail(400, "header value without a name");
  s.in_value_ = true;
  if (!s.append(text, ranges.back().value, at, len))
    return s.fail(431, s.head_complete_ ? "trailer fields exceed the limit"
                                        : "request line and header fields exceed the limit");
  return 0;
}

int RequestParser::on_headers_complete(http_parser* p) {
  auto& s = self(p);
  s.head_complete_ = true;
  s.in_value_ = false;
  s.method_ = http_method_str(static_cast<http_method>(p->method));
  s.target_ = std::string_view(s.head_text_.data() + s.target_range_.off, s.target_range_.len);
  build_views(s.head_text_, s.field_ranges_, s.fields_);
  s.keep_alive_ = http_should_keep_alive(p) != 0;
  if (!(p->flags & F_CHUNKED) && p->content_length != ULLONG_MAX) {
    s.content_length_ = p->content_length;
    if (p->content_length > s.limits_.max_body_bytes)
      return s.fail(413, fmt::format("content-length {} exceeds the limit of {} bytes",
                                     p->content_length, s.limits_.max_body_bytes));
  }
  return 0;
}

int RequestParser::on_body(http_parser* p, const char* at, size_t len) {
  auto& s = self(p);
  s.body_total_ += len;
  if (s.body_total_ > s.limits_.max_body_bytes)
    return s.fail(
        413, fmt::format("request body exceeds the limit of {} bytes", s.limits_.max_body_bytes));
  s.body_.emplace_back(at, len);
  return 0;
}

int RequestParser::on_message_complete(http_parser* p) {
  auto& s = self(p);
  s.message_complete_ = true;
  build_views(s.trailer_text_, s.trailer_ranges_, s.trailer_fields_);
  http_parser_pause(p, 1);  // one request at a time: the next waits in the buffer
  return 0;
}

}  // namespace kumo::host::http
