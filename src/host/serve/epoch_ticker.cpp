#include "host/serve/epoch_ticker.hpp"

namespace kumo::host {

EpochTicker::EpochTicker(wasm::Engine& engine, std::chrono::milliseconds period)
    : engine_(engine), period_(period.count() > 0 ? period : std::chrono::milliseconds(1)) {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, period_, [this] { return stop_; })) engine_.increment_epoch();
  });
}

EpochTicker::~EpochTicker() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

uint64_t EpochTicker::ticks_for(std::chrono::milliseconds d) const {
  // +1: the first tick may come at once, so n ticks only guarantee (n-1) periods.
  return uint64_t(d.count() + period_.count() - 1) / uint64_t(period_.count()) + 1;
}

}  // namespace kumo::host
