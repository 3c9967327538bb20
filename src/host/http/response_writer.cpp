#include "host/http/response_writer.hpp"

#include <fmt/format.h>

#include <charconv>
#include <ctime>

#include "host/http/connection.hpp"

namespace kumo::host::http {

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

// "date: Sun, 06 Dec 2026 07:30:20 GMT\r\n", formatted once a second per thread.
static std::string_view date_line() {
  thread_local time_t cached_sec = 0;
  thread_local char line[64];
  thread_local size_t len = 0;
  time_t now = ::time(nullptr);
  if (now != cached_sec) {
    cached_sec = now;
    tm t{};
    gmtime_r(&now, &t);
    len = strftime(line, sizeof line, "date: %a, %d %b %Y %H:%M:%S GMT\r\n", &t);
  }
  return {line, len};
}

// Field names and values must not smuggle in line breaks (response splitting).
static bool safe_field(const HeaderField& f) {
  if (f.name.empty()) return false;
  for (char c : f.name)
    if (c == '\r' || c == '\n' || c == ':' || c == ' ' || c == '\0') return false;
  for (char c : f.value)
    if (c == '\r' || c == '\n' || c == '\0') return false;
  return true;
}

bool ResponseWriter::head_sent() const { return conn_->head_sent_; }
bool ResponseWriter::finished() const { return conn_->finished_; }
int ResponseWriter::status() const { return conn_->status_; }

Expected<void, IoError> ResponseWriter::send_head(int status, HeaderSpan headers) {
  Connection& c = *conn_;
  if (c.head_sent_ || status < 200 || status > 999) return Unexpected{IoError::State};
  c.status_ = status;
  const RequestParser& p = c.parser_;
  c.no_body_ = p.method() == "HEAD" || status == 204 || status == 304;

  std::optional<uint64_t> length;
  bool has_date = false;
  std::string& out = c.out_;
  char code[4];  // 200..999: three digits
  std::to_chars(code, code + sizeof code, status);
  out.append("HTTP/1.1 ").append(code, 3).append(" ").append(reason_phrase(status)).append("\r\n");
  for (const auto& f : headers) {
    if (iequals(f.name, "connection") || iequals(f.name, "transfer-encoding") ||
        iequals(f.name, "keep-alive"))
      continue;
    if (!safe_field(f)) {
      c.log(fmt::format("http: {}: dropped an invalid response field `{}`", c.peer_, f.name));
      continue;
    }
    if (iequals(f.name, "content-length")) {
      uint64_t v = 0;
      auto [end, ec] = std::from_chars(f.value.data(), f.value.data() + f.value.size(), v);
      if (ec != std::errc() || end != f.value.data() + f.value.size() || length) continue;
      length = v;
    }
    has_date |= iequals(f.name, "date");
    out.append(f.name).append(": ").append(f.value).append("\r\n");
  }
  if (!has_date) out.append(date_line());
  if (c.no_body_) {
    c.framing_ = Connection::Framing::None;
  } else if (length) {
    c.framing_ = Connection::Framing::Length;
    c.remaining_ = *length;
  } else if (p.http_major() > 1 || (p.http_major() == 1 && p.http_minor() >= 1)) {
    c.framing_ = Connection::Framing::Chunked;
    out.append("transfer-encoding: chunked\r\n");
  } else {
    c.framing_ = Connection::Framing::UntilClose;  // HTTP/1.0 without a length
    c.close_after_ = true;
  }
  if (c.close_after_)
    out.append("connection: close\r\n");
  else if (p.http_minor() == 0 && p.http_major() == 1)
    out.append("connection: keep-alive\r\n");
  out.append("\r\n");
  c.head_sent_ = true;
  return {};
}

Expected<void, IoError> ResponseWriter::write(std::string_view data) {
  Connection& c = *conn_;
  if (!c.head_sent_ || c.finished_) return Unexpected{IoError::State};
  if (c.broken_) return Unexpected{IoError::Closed};
  if (c.no_body_ || data.empty()) return {};
  if (c.framing_ == Connection::Framing::Length) {
    if (data.size() > c.remaining_) return Unexpected{IoError::State};
    c.remaining_ -= data.size();
  }
  bool chunked = c.framing_ == Connection::Framing::Chunked;
  if (chunked) fmt::format_to(std::back_inserter(c.out_), "{:x}\r\n", data.size());
  // Small pieces are coalesced; a large one goes out with what is buffered in one sendmsg.
  constexpr size_t kCopyLimit = 4096, kFlushAt = 64 * 1024;
  if (data.size() <= kCopyLimit) {
    c.out_.append(data);
    if (chunked) c.out_.append("\r\n");
    if (c.out_.size() >= kFlushAt) return c.flush();
    return {};
  }
  char crlf[] = "\r\n";
  iovec iov[3] = {{c.out_.data(), c.out_.size()},
                  {const_cast<char*>(data.data()), data.size()},
                  {crlf, chunked ? size_t(2) : size_t(0)}};
  auto r = write_all(c.fd(), iov, 3, c.deadline_);
  c.out_.clear();
  if (!r) c.broken_ = true;
  return r;
}

Expected<void, IoError> ResponseWriter::finish(HeaderSpan trailers) {
  Connection& c = *conn_;
  if (!c.head_sent_ || c.finished_) return Unexpected{IoError::State};
  if (c.framing_ == Connection::Framing::Chunked) {
    c.out_.append("0\r\n");
    for (const auto& f : trailers)
      if (safe_field(f)) c.out_.append(f.name).append(": ").append(f.value).append("\r\n");
    c.out_.append("\r\n");
  } else if (c.framing_ == Connection::Framing::Length && c.remaining_ != 0) {
    // The peer would wait for bytes that never come: end the connection instead.
    c.log(fmt::format("http: {}: response ended {} bytes short of its content-length", c.peer_,
                      c.remaining_));
    c.close_after_ = true;
  }
  c.finished_ = true;
  // With pipelined requests already buffered, their responses go out together.
  if (c.close_after_ || c.pos_ == c.end_) return c.flush();
  return {};
}

}  // namespace kumo::host::http
