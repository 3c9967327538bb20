// ComponentService: serves HTTP requests with a wasi:http component. The component is compiled
// and linked once (one rt::InstancePre); each request gets a pristine instance on the worker
// thread that received it (the worker's instance restored to its state right after
// instantiation, or a fresh one: ServiceOptions::recycle), and calls
// wasi:http/incoming-handler@0.2.x#handle. A trap
// becomes 500 (logged with its wasm backtrace), the deadline 504, when the response head has
// not gone out yet; otherwise the connection is cut so the client sees an incomplete response.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "component/runtime/linker.hpp"
#include "host/http/handler.hpp"
#include "host/serve/epoch_ticker.hpp"
#include "plugins/http/wasi_http.hpp"
#include "wasi/p2/wasi.hpp"

namespace kumo::host {

struct ServiceOptions {
  std::vector<wasi::p2::Options::Preopen> dirs;
  std::vector<std::pair<std::string, std::string>> env;
  std::string program_name = "component.wasm";  // argv[0] the guest sees
  unsigned workers = 1;                         // one WASI context per worker
  std::chrono::milliseconds timeout{0};         // per request (epoch deadline); 0: none
  uint64_t max_body_bytes = 64ull << 20;        // reported in HTTP-request-body-size
  plugins::http::OutgoingPolicy outgoing;       // hosts guests may send requests to
  // Recycle each worker's instance: after a request that returned normally, restore it to its
  // exact state right after instantiation (rt::Store::restore) instead of instantiating again.
  // The next request sees what a fresh instance would show it. Off: instantiate per request.
  bool recycle = true;
  std::function<void(std::string_view line)> log;  // default: stderr
};

class ComponentService {
 public:
  static Expected<std::unique_ptr<ComponentService>> create(
      wasm::Engine& engine, std::shared_ptr<const component::rt::Component> component,
      ServiceOptions options);
  ~ComponentService();

  // The http::Handler: thread-safe across workers (each uses its own WASI context).
  void handle(http::Request& req, http::ResponseWriter& resp);
  http::Handler handler() {
    return [this](http::Request& req, http::ResponseWriter& resp) { handle(req, resp); };
  }
  const std::string& handler_interface() const { return interface_; }
  // Instances created so far (with recycling, far fewer than requests served).
  uint64_t instantiations() const { return instantiations_.load(std::memory_order_relaxed); }

 private:
  struct Slot;
  explicit ComponentService(wasm::Engine& engine, ServiceOptions options);
  void log(std::string_view line) const;
  Expected<std::unique_ptr<Slot>, wasm::Trap> new_slot(unsigned worker);

  wasm::Engine& engine_;
  ServiceOptions options_;
  wasi::p2::WasiHost wasi_;  // resource types: outlive the linker and every store
  plugins::http::WasiHttpTypes http_types_;
  component::rt::Linker linker_;
  std::shared_ptr<const component::rt::InstancePre> pre_;
  std::string interface_;  // "wasi:http/incoming-handler@0.2.x" as the component exports it
  std::vector<std::unique_ptr<wasi::p2::WasiCtx>> contexts_;  // per worker
  std::atomic<uint64_t> instantiations_{0};
  std::atomic<bool> recycle_;  // options_.recycle, until capture fails
  struct Recycled;
  std::unique_ptr<Recycled[]> recycled_;  // per worker: its pristine instance, if any
  std::unique_ptr<EpochTicker> ticker_;
};

}  // namespace kumo::host
