// HttpServer: an HTTP/1.1 server on one address with a fixed pool of workers (worker.hpp).
//
//   http::ServerConfig cfg;  cfg.address = "127.0.0.1:8000";
//   auto server = http::HttpServer::start(cfg, [](http::Request& req, http::ResponseWriter& resp) {
//     http::HeaderField h[] = {{"content-type", "text/plain"}};
//     (void)resp.send_head(200, h);
//     (void)resp.write("hello\n");
//     (void)resp.finish();
//   });
//   ...
//   (*server)->shutdown(std::chrono::seconds(5));  // stop accepting, finish in-flight requests
#pragma once

#include <memory>
#include <vector>

#include "host/http/handler.hpp"
#include "host/http/listener.hpp"
#include "host/http/server_config.hpp"

namespace kumo::host::http {

class Worker;

class HttpServer {
 public:
  static Expected<std::unique_ptr<HttpServer>> start(ServerConfig config, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound address (port 0 in the configuration resolved).
  const SocketAddress& address() const { return bound_; }
  unsigned workers() const { return unsigned(workers_.size()); }
  // Stops accepting at once; requests already begun may finish within `grace`; then every
  // connection is closed and the workers joined. Idempotent; thread-safe with respect to the
  // workers (call it from one controlling thread).
  void shutdown(std::chrono::milliseconds grace);

 private:
  HttpServer(ServerConfig config, Handler handler);
  ServerConfig config_;
  Handler handler_;
  SocketAddress bound_;
  std::vector<std::unique_ptr<Worker>> workers_;
  bool stopped_ = false;
};

}  // namespace kumo::host::http
