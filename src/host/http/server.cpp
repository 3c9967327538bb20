#include "host/http/server.hpp"

#include <algorithm>
#include <thread>

#include "host/http/worker.hpp"

namespace kumo::host::http {

HttpServer::HttpServer(ServerConfig config, Handler handler)
    : config_(std::move(config)), handler_(std::move(handler)) {}

HttpServer::~HttpServer() { shutdown(std::chrono::milliseconds(0)); }

Expected<std::unique_ptr<HttpServer>> HttpServer::start(ServerConfig config, Handler handler) {
  KUMO_TRY(SocketAddress addr, parse_address(config.address));
  if (config.workers == 0) config.workers = std::max(1u, std::thread::hardware_concurrency());
  if (config.read_buffer_bytes < 1024) config.read_buffer_bytes = 1024;
  std::unique_ptr<HttpServer> s(new HttpServer(std::move(config), std::move(handler)));

  // Every worker binds its own listener to the same address; the first resolves port 0 so
  // that the others join it.
  std::vector<UniqueFd> listeners;
  for (unsigned i = 0; i < s->config_.workers; i++) {
    KUMO_TRY(UniqueFd fd, listen_on(addr, /*reuse_port=*/true));
    if (i == 0) {
      KUMO_TRY(SocketAddress bound, local_address(fd.get()));
      addr.set_port(bound.port());
      s->bound_ = bound;
    }
    listeners.push_back(std::move(fd));
  }
  for (unsigned i = 0; i < s->config_.workers; i++)
    s->workers_.push_back(
        std::make_unique<Worker>(i, s->config_, s->handler_, std::move(listeners[i])));
  for (auto& w : s->workers_) KUMO_CHECK(w->start());
  return s;
}

void HttpServer::shutdown(std::chrono::milliseconds grace) {
  if (stopped_) return;
  stopped_ = true;
  auto deadline = Clock::now() + grace;
  for (auto& w : workers_) w->request_stop(deadline);
  for (auto& w : workers_) w->join();
}

}  // namespace kumo::host::http
