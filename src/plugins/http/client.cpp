#include "plugins/http/client.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

namespace kumo::plugins::http {

namespace {

ErrorCode code(ErrorTag t) { return ErrorCode{t, {}, {}}; }

// Idle keep-alive connections of this thread, by "host:port".
struct Pool {
  std::multimap<std::string, std::unique_ptr<ClientConnection>> idle;
  static constexpr size_t kMaxIdle = 32;
};
thread_local Pool pool;

// Waits for `events` on fd until `deadline`: false on timeout.
bool wait_fd(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, int(std::min<long long>(left.count() + 1, 1 << 30)));
    if (r > 0 || (r < 0 && errno != EINTR)) return true;
  }
}

Expected<std::unique_ptr<ClientConnection>, ErrorCode> connect_to(const std::string& host,
                                                                  uint16_t port,
                                                                  Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string port_text = std::to_string(port);
  if (::getaddrinfo(host.c_str(), port_text.c_str(), &hints, &res) != 0 || !res)
    return Unexpected{code(ErrorTag::DestinationNotFound)};
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(res, &freeaddrinfo);
  ErrorCode last = code(ErrorTag::ConnectionRefused);
  for (addrinfo* a = res; a; a = a->ai_next) {
    auto c = std::make_unique<ClientConnection>();
    c->key = host + ":" + port_text;
    c->fd = ::socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) continue;
    int one = 1;
    ::setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(c->fd, a->ai_addr, a->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) continue;
      if (!wait_fd(c->fd, POLLOUT, deadline)) {
        last = code(ErrorTag::ConnectionTimeout);
        continue;
      }
      int e = 0;
      socklen_t len = sizeof e;
      ::getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &len);
      if (e != 0) continue;
    }
    return c;
  }
  return Unexpected{last};
}

}  // namespace

ClientConnection::~ClientConnection() {
  if (fd >= 0) ::close(fd);
}

OutgoingCall::~OutgoingCall() = default;

Expected<std::shared_ptr<OutgoingCall>, ErrorCode> OutgoingCall::start(RequestHead head,
                                                                       Timeouts t) {
  std::shared_ptr<OutgoingCall> call(new OutgoingCall());
  call->timeouts_ = t;
  std::string key = head.host + ":" + std::to_string(head.port);
  for (;;) {
    auto it = pool.idle.find(key);
    if (it == pool.idle.end()) break;
    std::unique_ptr<ClientConnection> c = std::move(it->second);
    pool.idle.erase(it);
    // An idle connection must have nothing to read: EOF (the server closed it) or stray bytes
    // make it useless.
    pollfd p{c->fd, POLLIN, 0};
    if (::poll(&p, 1, 0) != 0) continue;
    call->conn_ = std::move(c);
    call->reused_ = true;
    break;
  }
  if (!call->conn_) {
    auto c = connect_to(head.host, head.port, Clock::now() + t.connect);
    if (!c) return Unexpected{c.error()};
    call->conn_ = std::move(*c);
  }
  http_parser_init(&call->parser_, HTTP_RESPONSE);
  call->parser_.data = call.get();

  std::string h = head.method + " " + (head.path.empty() ? "/" : head.path) + " HTTP/1.1\r\n";
  bool has_host = false;
  for (const auto& [n, v] : head.headers) {
    if (n == "content-length" || n == "transfer-encoding" || n == "connection") continue;
    has_host |= n == "host";
    h.append(n).append(": ").append(v).append("\r\n");
  }
  if (!has_host) h.append("host: ").append(head.authority).append("\r\n");
  if (head.no_body) {
    call->request_done_ = true;
  } else if (head.content_length) {
    h.append("content-length: ").append(std::to_string(*head.content_length)).append("\r\n");
  } else {
    h.append("transfer-encoding: chunked\r\n");
    call->chunked_ = true;
  }
  h.append("\r\n");
  call->head_ = std::move(head);
  KUMO_CHECK(call->send(h));
  return call;
}

Expected<void, ErrorCode> OutgoingCall::send(std::string_view a, std::string_view b,
                                             std::string_view c) {
  std::string_view parts[] = {a, b, c};
  auto deadline = Clock::now() + timeouts_.between_bytes;
  for (std::string_view part : parts) {
    while (!part.empty()) {
      ssize_t n = ::send(conn_->fd, part.data(), part.size(), MSG_NOSIGNAL);
      if (n > 0) {
        part.remove_prefix(size_t(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!wait_fd(conn_->fd, POLLOUT, deadline))
          return Unexpected{code(ErrorTag::ConnectionWriteTimeout)};
        continue;
      }
      return Unexpected{code(ErrorTag::ConnectionTerminated)};
    }
  }
  return {};
}

Expected<void, ErrorCode> OutgoingCall::write_body(std::span<const uint8_t> bytes) {
  if (request_done_) return Unexpected{ErrorCode::internal("request body already finished")};
  if (bytes.empty()) return {};
  std::string_view data(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (!chunked_) return send(data);
  char size_line[32];
  int n = snprintf(size_line, sizeof size_line, "%zx\r\n", data.size());
  return send({size_line, size_t(n)}, data, "\r\n");
}

Expected<void, ErrorCode> OutgoingCall::finish(const FieldList& trailers) {
  if (request_done_) return Unexpected{ErrorCode::internal("request body already finished")};
  request_done_ = true;
  if (!chunked_) return {};
  std::string end = "0\r\n";
  for (const auto& [n, v] : trailers) end.append(n).append(": ").append(v).append("\r\n");
  end.append("\r\n");
  return send(end);
}

Expected<void, ErrorCode> OutgoingCall::fill(Clock::duration wait) {
  if (eof_) return Unexpected{code(ErrorTag::HttpResponseIncomplete)};
  if (next_piece_ == pieces_.size()) {  // every view into buf_ is used up: the buffer is free
    pieces_.clear();
    next_piece_ = 0;
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  auto deadline = Clock::now() + wait;
  char tmp[16384];
  for (;;) {
    ssize_t n = ::recv(conn_->fd, tmp, sizeof tmp, 0);
    if (n > 0) {
      size_t before = buf_.size();
      if (buf_.capacity() < before + size_t(n) && !pieces_.empty())
        return Unexpected{ErrorCode::internal("client buffer would move under unread pieces")};
      buf_.append(tmp, size_t(n));
      pos_ += http_parser_execute(&parser_, &settings(), buf_.data() + pos_, buf_.size() - pos_);
      break;
    }
    if (n == 0) {
      eof_ = true;
      http_parser_execute(&parser_, &settings(), nullptr, 0);  // close-delimited bodies end here
      break;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return Unexpected{code(ErrorTag::ConnectionTerminated)};
    if (!wait_fd(conn_->fd, POLLIN, deadline))
      return Unexpected{code(ErrorTag::ConnectionReadTimeout)};
  }
  auto e = HTTP_PARSER_ERRNO(&parser_);
  if (e != HPE_OK && e != HPE_PAUSED) return Unexpected{code(ErrorTag::HttpProtocolError)};
  return {};
}

const http_parser_settings& OutgoingCall::settings() {
  static const http_parser_settings s = [] {
    http_parser_settings s{};
    s.on_header_field = &OutgoingCall::on_header_field;
    s.on_header_value = &OutgoingCall::on_header_value;
    s.on_headers_complete = &OutgoingCall::on_headers_complete;
    s.on_body = &OutgoingCall::on_body;
    s.on_message_complete = &OutgoingCall::on_message_complete;
    return s;
  }();
  return s;
}

int OutgoingCall::on_header_field(http_parser* p, const char* at, size_t len) {
  auto& c = *static_cast<OutgoingCall*>(p->data);
  auto& list = c.head_done_ ? c.trailers_ : c.headers_;
  if (c.in_value_ || list.empty()) list.emplace_back(), c.in_value_ = false;
  for (size_t i = 0; i < len; i++)
    list.back().first.push_back(at[i] >= 'A' && at[i] <= 'Z' ? char(at[i] + 32) : at[i]);
  return 0;
}

int OutgoingCall::on_header_value(http_parser* p, const char* at, size_t len) {
  auto& c = *static_cast<OutgoingCall*>(p->data);
  auto& list = c.head_done_ ? c.trailers_ : c.headers_;
  if (list.empty()) return -1;
  c.in_value_ = true;
  list.back().second.append(at, len);
  return 0;
}

int OutgoingCall::on_headers_complete(http_parser* p) {
  auto& c = *static_cast<OutgoingCall*>(p->data);
  c.in_value_ = false;
  if (p->status_code < 200) {  // an interim response (100 Continue): the real one follows
    c.headers_.clear();
    return 0;
  }
  c.head_done_ = true;
  c.status_ = uint16_t(p->status_code);
  return c.head_.method == "HEAD" ? 1 : 0;  // a response to HEAD has no body
}

int OutgoingCall::on_body(http_parser* p, const char* at, size_t len) {
  static_cast<OutgoingCall*>(p->data)->pieces_.emplace_back(at, len);
  return 0;
}

int OutgoingCall::on_message_complete(http_parser* p) {
  auto& c = *static_cast<OutgoingCall*>(p->data);
  if (!c.head_done_) return 0;  // the end of an interim response
  c.message_done_ = true;
  http_parser_pause(p, 1);
  return 0;
}

Expected<void, ErrorCode> OutgoingCall::read_head() {
  bool first = true;
  while (!head_done_) {
    auto r = fill(first ? timeouts_.first_byte : timeouts_.between_bytes);
    if (!r) {
      // A pooled connection the server closed meanwhile fails before any byte: not the peer's
      // answer. (Retrying would resend a body the guest may have streamed: it is reported.)
      return r;
    }
    first = false;
  }
  return {};
}

Expected<std::string_view, ErrorCode> OutgoingCall::read_body() {
  for (;;) {
    if (next_piece_ < pieces_.size()) return pieces_[next_piece_++];
    if (message_done_) {
      done_with_connection();
      return std::string_view{};
    }
    KUMO_CHECK(fill(timeouts_.between_bytes));
  }
}

void OutgoingCall::done_with_connection() {
  if (!conn_) return;
  // Reusable if both messages ended cleanly and nothing else is pending on it.
  bool reusable = request_done_ && message_done_ && !eof_ && http_should_keep_alive(&parser_) &&
                  pos_ == buf_.size() && pool.idle.size() < Pool::kMaxIdle;
  if (reusable) pool.idle.emplace(conn_->key, std::move(conn_));
  conn_.reset();
}

}  // namespace kumo::plugins::http
