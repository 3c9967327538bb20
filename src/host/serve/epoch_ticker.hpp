// EpochTicker: advances an Engine's epoch at a fixed period from its own thread, so that stores
// with an epoch deadline (one per request) trap with `interrupted` when their time is up.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "wasm/runtime/objects.hpp"

namespace kumo::host {

class EpochTicker {
 public:
  EpochTicker(wasm::Engine& engine, std::chrono::milliseconds period);
  ~EpochTicker();
  EpochTicker(const EpochTicker&) = delete;
  EpochTicker& operator=(const EpochTicker&) = delete;

  std::chrono::milliseconds period() const { return period_; }
  // Ticks that cover `d` (at least one).
  uint64_t ticks_for(std::chrono::milliseconds d) const;

 private:
  wasm::Engine& engine_;
  std::chrono::milliseconds period_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace kumo::host
