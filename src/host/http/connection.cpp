#include "host/http/connection.hpp"

#include <fmt/format.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>

namespace kumo::host::http {

Connection::Connection(const ServerConfig& config, unsigned worker)
    : config_(config),
      worker_(worker),
      buf_(new char[config.read_buffer_bytes]),
      cap_(config.read_buffer_bytes),
      parser_(ParserLimits{config.max_header_bytes, config.max_body_bytes}) {}

void Connection::open(UniqueFd fd, std::string peer) {
  fd_ = std::move(fd);
  peer_ = std::move(peer);
  pos_ = end_ = 0;
  peer_closed_ = broken_ = false;
  parser_.reset();
  out_.clear();
  reset_response();
  last_active_ = Clock::now();
}

void Connection::reset_response() {
  head_sent_ = finished_ = no_body_ = continue_sent_ = close_after_ = false;
  status_ = 0;
  framing_ = Framing::None;
  remaining_ = 0;
}

void Connection::close() { fd_.reset(); }

void Connection::log(std::string_view line) const {
  if (config_.log)
    config_.log(line);
  else
    fmt::print(stderr, "{}\n", line);
}

bool Connection::on_readable(const Handler& handler, bool stopping) {
  stopping_ = stopping;
  last_active_ = Clock::now();
  if (pos_ > 0 && pos_ == end_) pos_ = end_ = 0;
  if (end_ == cap_ && pos_ > 0) {  // a pipelined request's beginning: move it to the front
    std::memmove(buf_.get(), buf_.get() + pos_, end_ - pos_);
    end_ -= pos_, pos_ = 0;
  }
  ssize_t n;
  do n = ::read(fd_.get(), buf_.get() + end_, cap_ - end_);
  while (n < 0 && errno == EINTR);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
  if (n == 0) {
    parser_.feed_eof();
    if (parser_.message_started() && !parser_.message_complete())
      log(fmt::format("http: {}: connection closed in the middle of a request", peer_));
    return false;
  }
  end_ += size_t(n);
  bool keep = serve_buffered(handler);
  last_active_ = Clock::now();  // a long request is not idleness
  return keep;
}

bool Connection::serve_buffered(const Handler& handler) {
  while (pos_ < end_ || parser_.message_complete()) {
    if (!parser_.head_complete()) pos_ += parser_.feed(buf_.get() + pos_, end_ - pos_);
    if (parser_.failed()) {
      reject(parser_.error_status(), parser_.error_text());
      return false;
    }
    if (!parser_.head_complete()) break;  // wait for the rest of the head
    if (!serve_one(handler)) return false;
    reset_response();
    parser_.next_message();
  }
  if (pos_ == end_) pos_ = end_ = 0;
  if (out_.empty()) return true;
  deadline_ = Clock::now() + std::chrono::seconds(10);
  return flush().has_value();  // responses deferred while pipelined requests were waiting
}

bool Connection::serve_one(const Handler& handler) {
  deadline_ = config_.request_timeout.count() > 0 ? Clock::now() + config_.request_timeout
                                                  : Clock::time_point::max();
  reset_response();
  close_after_ = stopping_ || !parser_.keep_alive() || parser_.upgrade();

  Request req(*this);
  ResponseWriter resp(*this);
  try {
    handler(req, resp);
  } catch (const std::exception& e) {
    log(fmt::format("http: {} {} {}: handler threw: {}", peer_, req.method(), req.target(),
                    e.what()));
  } catch (...) {
    log(fmt::format("http: {} {} {}: handler threw", peer_, req.method(), req.target()));
  }
  if (broken_) return false;
  if (!head_sent_) {
    // A body that could not be read explains itself (413, 400); anything else is the handler's.
    int status = parser_.failed() ? parser_.error_status() : 500;
    if (!parser_.failed())
      log(fmt::format("http: {} {} {}: handler returned without a response: 500", peer_,
                      req.method(), req.target()));
    reject(status, parser_.failed() ? parser_.error_text() : "internal server error");
    return false;
  }
  if (!finished_) {
    log(fmt::format("http: {} {} {}: handler did not finish its response; closing", peer_,
                    req.method(), req.target()));
    (void)flush();
    return false;
  }
  if (close_after_ || !drain_body()) {
    (void)flush();
    return false;
  }
  return true;
}

void Connection::reject(int status, std::string_view why) {
  if (status != 500)
    log(fmt::format("http: {}: {} {}: {}", peer_, status, reason_phrase(status), why));
  if (head_sent_) {  // too late for a status: the peer sees the connection end
    (void)flush();
    return;
  }
  std::string body = fmt::format("{}\n", why);
  out_ += fmt::format(
      "HTTP/1.1 {} {}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\n"
      "connection: close\r\n\r\n{}",
      status, reason_phrase(status), body.size(), body);
  head_sent_ = finished_ = true;
  // The worker must not hang on a peer that does not read: one second at most.
  auto deadline = Clock::now() + std::chrono::seconds(1);
  iovec iov{out_.data(), out_.size()};
  (void)write_all(fd_.get(), &iov, 1, deadline);
  out_.clear();
  linger_close();
}

// Closing a socket with unread input makes the kernel send a reset, which may destroy the error
// response before the peer reads it. So: end our side, then read and discard (briefly) until
// the peer closes too.
void Connection::linger_close() {
  ::shutdown(fd_.get(), SHUT_WR);
  auto deadline = Clock::now() + std::chrono::milliseconds(500);
  char sink[4096];
  for (;;) {
    auto n = read_some(fd_.get(), sink, sizeof sink, deadline);
    if (!n || *n == 0) break;
  }
}

Expected<std::string_view, IoError> Connection::read_body() {
  for (;;) {
    std::string_view piece;
    if (parser_.next_body(piece)) return piece;
    if (parser_.message_complete()) return std::string_view{};
    if (parser_.failed())
      return Unexpected{parser_.error_status() == 413 ? IoError::TooLarge : IoError::Malformed};
    if (peer_closed_) return Unexpected{IoError::Closed};
    // Everything buffered is parsed and taken (the parser only stops early at a message's end):
    // the buffer is free for the next bytes.
    pos_ = end_ = 0;
    if (!continue_sent_ && !head_sent_) {
      continue_sent_ = true;
      if (auto* e = find_header(parser_.headers(), "expect");
          e && iequals(e->value, "100-continue"))
        out_ += "HTTP/1.1 100 Continue\r\n\r\n";
    }
    if (auto f = flush(); !f) return Unexpected{f.error()};
    auto n = read_some(fd_.get(), buf_.get(), cap_, deadline_);
    if (!n) return Unexpected{n.error()};
    if (*n == 0) {
      peer_closed_ = true;
      parser_.feed_eof();
      continue;
    }
    end_ = *n;
    pos_ = parser_.feed(buf_.get(), end_);
  }
}

bool Connection::drain_body() {
  while (!parser_.message_complete()) {
    auto piece = read_body();
    if (!piece) return false;
  }
  std::string_view rest;
  while (parser_.next_body(rest)) {
  }
  return true;
}

Expected<void, IoError> Connection::flush() {
  if (out_.empty()) return {};
  if (broken_) return Unexpected{IoError::Closed};
  iovec iov{out_.data(), out_.size()};
  auto r = write_all(fd_.get(), &iov, 1, deadline_);
  out_.clear();
  if (!r) broken_ = true;
  return r;
}

}  // namespace kumo::host::http
