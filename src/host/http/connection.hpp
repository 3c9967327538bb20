// Connection: one accepted socket of a worker. Owns the read buffer the parser works in (body
// pieces are views into it), the output buffer responses are coalesced in, and the state of
// the request being served. Request and ResponseWriter are thin views of it. Objects are pooled
// by their worker and reused across connections: buffers keep their capacity.
#pragma once

#include <memory>
#include <string>

#include "host/http/handler.hpp"
#include "host/http/listener.hpp"
#include "host/http/request_parser.hpp"
#include "host/http/server_config.hpp"
#include "host/http/socket_io.hpp"

namespace kumo::host::http {

class Connection {
 public:
  Connection(const ServerConfig& config, unsigned worker);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void open(UniqueFd fd, std::string peer);
  void close();
  int fd() const { return fd_.get(); }
  const std::string& peer() const { return peer_; }

  // The socket is readable: reads, serves every complete request with `handler`. False: close
  // the connection. `stopping`: the server is shutting down (responses say Connection: close).
  bool on_readable(const Handler& handler, bool stopping);
  // No request is partly received: the connection may be closed without losing one.
  bool idle() const { return !parser_.message_started() && pos_ == end_; }
  Clock::time_point last_active() const { return last_active_; }

  size_t slot = 0;  // the worker's index of this connection

 private:
  friend class Request;
  friend class ResponseWriter;
  enum class Framing : uint8_t { None, Length, Chunked, UntilClose };

  // Parses and serves what the buffer holds; false: close.
  bool serve_buffered(const Handler& handler);
  bool serve_one(const Handler& handler);
  void reject(int status, std::string_view why);
  void linger_close();
  void reset_response();
  // Body pieces for Request::read (refills the buffer from the socket when it is used up).
  Expected<std::string_view, IoError> read_body();
  bool drain_body();
  Expected<void, IoError> flush();
  void log(std::string_view line) const;

  const ServerConfig& config_;
  unsigned worker_;
  UniqueFd fd_;
  std::string peer_;
  Clock::time_point last_active_{};

  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0, pos_ = 0, end_ = 0;  // [pos_, end_) not yet parsed
  RequestParser parser_;
  bool peer_closed_ = false;

  // The request being served.
  Clock::time_point deadline_{};
  bool stopping_ = false;
  bool continue_sent_ = false;

  // The response being written.
  std::string out_;
  bool head_sent_ = false, finished_ = false, no_body_ = false, close_after_ = false;
  bool broken_ = false;  // a write failed: the connection is unusable
  int status_ = 0;
  Framing framing_ = Framing::None;
  uint64_t remaining_ = 0;  // Framing::Length
};

}  // namespace kumo::host::http
