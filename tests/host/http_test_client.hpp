// A small blocking HTTP/1.1 test client over a real socket: sends raw bytes, parses responses
// (http-parser in response mode, pausing after each so pipelined responses come one by one).
#pragma once

#include <arpa/inet.h>
#include <http_parser.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kumo::host::http::test {

struct ClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers, trailers;
  std::string body;
  bool keep_alive = false;
  std::string header(std::string_view name) const {
    for (const auto& [n, v] : headers)
      if (strcasecmp(n.c_str(), std::string(name).c_str()) == 0) return v;
    return "";
  }
  bool has_header(std::string_view name) const {
    for (const auto& [n, v] : headers)
      if (strcasecmp(n.c_str(), std::string(name).c_str()) == 0) return true;
    return false;
  }
  std::string trailer(std::string_view name) const {
    for (const auto& [n, v] : trailers)
      if (strcasecmp(n.c_str(), std::string(name).c_str()) == 0) return v;
    return "";
  }
};

class TestClient {
 public:
  explicit TestClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
      throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + " failed");
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    http_parser_init(&parser_, HTTP_RESPONSE);
    parser_.data = this;
  }
  ~TestClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  void send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("send failed");
      bytes.remove_prefix(size_t(n));
    }
  }
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }

  // The next response; nullopt if the connection ended (or `timeout` passed) before one came.
  // `head_request`: the response has no body whatever its headers say.
  std::optional<ClientResponse> read_response(
      bool head_request = false, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    head_request_ = head_request;
    cur_ = ClientResponse{};
    done_ = false;
    in_value_ = false;
    headers_done_ = false;
    if (http_errno_of() == HPE_PAUSED) http_parser_pause(&parser_, 0);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (pos_ < buf_.size()) {
        size_t n =
            http_parser_execute(&parser_, &settings(), buf_.data() + pos_, buf_.size() - pos_);
        pos_ += n;
        if (done_) return cur_;
        auto e = http_errno_of();
        if (e != HPE_OK && e != HPE_PAUSED) return std::nullopt;
      }
      if (pos_ == buf_.size()) buf_.clear(), pos_ = 0;
      if (eof_) return std::nullopt;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, int(left.count())) <= 0) return std::nullopt;
      char tmp[65536];
      ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) {
        eof_ = true;
        http_parser_execute(&parser_, &settings(), nullptr, 0);  // close-delimited bodies end here
        if (done_) return cur_;
        return std::nullopt;
      }
      buf_.append(tmp, size_t(n));
    }
  }

  // True if the server closed the connection (reads EOF within `timeout`, nothing else pending).
  bool closed_by_server(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    if (eof_) return true;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, int(timeout.count())) <= 0) return false;
    char tmp[4096];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0)
      eof_ = true;
    else
      buf_.append(tmp, size_t(n));
    return n <= 0;
  }
  std::string_view unread() const { return std::string_view(buf_).substr(pos_); }

  // Receives (without parsing) until the unparsed bytes contain `needle`; false on timeout/EOF.
  // read_response() parses them afterwards.
  bool wait_for_bytes(std::string_view needle,
                      std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (unread().find(needle) == std::string_view::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (eof_ || left.count() <= 0 || ::poll(&p, 1, int(left.count())) <= 0) return false;
      char tmp[65536];
      ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) return eof_ = true, false;
      buf_.append(tmp, size_t(n));
    }
    return true;
  }

 private:
  http_errno http_errno_of() const { return HTTP_PARSER_ERRNO(&parser_); }
  static TestClient& self(http_parser* p) { return *static_cast<TestClient*>(p->data); }
  static const http_parser_settings& settings() {
    static const http_parser_settings s = [] {
      http_parser_settings s{};
      s.on_header_field = [](http_parser* p, const char* at, size_t len) {
        auto& c = self(p);
        auto& list = c.headers_done_ ? c.cur_.trailers : c.cur_.headers;
        if (c.in_value_ || list.empty()) list.emplace_back(), c.in_value_ = false;
        list.back().first.append(at, len);
        return 0;
      };
      s.on_header_value = [](http_parser* p, const char* at, size_t len) {
        auto& c = self(p);
        auto& list = c.headers_done_ ? c.cur_.trailers : c.cur_.headers;
        c.in_value_ = true;
        list.back().second.append(at, len);
        return 0;
      };
      s.on_headers_complete = [](http_parser* p) {
        auto& c = self(p);
        c.headers_done_ = true;
        c.in_value_ = false;
        c.cur_.status = int(p->status_code);
        c.cur_.keep_alive = http_should_keep_alive(p) != 0;
        return c.head_request_ ? 1 : 0;
      };
      s.on_body = [](http_parser* p, const char* at, size_t len) {
        self(p).cur_.body.append(at, len);
        return 0;
      };
      s.on_message_complete = [](http_parser* p) {
        self(p).done_ = true;
        http_parser_pause(p, 1);
        return 0;
      };
      return s;
    }();
    return s;
  }

  int fd_ = -1;
  http_parser parser_{};
  std::string buf_;
  size_t pos_ = 0;
  bool eof_ = false, done_ = false, in_value_ = false, headers_done_ = false, head_request_ = false;
  ClientResponse cur_;
};

}  // namespace kumo::host::http::test
