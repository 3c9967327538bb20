// Worker: one thread with its own epoll loop, its own SO_REUSEPORT listener and its own
// connections, so the hot path shares nothing with other workers (no locks). Handlers run on
// this thread, synchronously.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "host/http/connection.hpp"

namespace kumo::host::http {

class Worker {
 public:
  Worker(unsigned index, const ServerConfig& config, const Handler& handler, UniqueFd listener);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  Expected<void> start();
  // Stop accepting; serve requests already begun until `grace_deadline`, then close everything.
  // Thread-safe.
  void request_stop(Clock::time_point grace_deadline);
  void join();

 private:
  void run();
  void accept_all();
  void close_connection(Connection* c);
  void sweep(Clock::time_point now);

  unsigned index_;
  const ServerConfig& config_;
  const Handler& handler_;
  UniqueFd listener_, epoll_, wake_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> grace_deadline_{0};  // Clock ticks
  std::vector<std::unique_ptr<Connection>> live_;
  std::vector<std::unique_ptr<Connection>> pool_;         // closed connections, reused
  std::optional<Clock::time_point> accept_paused_until_;  // out of descriptors
};

}  // namespace kumo::host::http
