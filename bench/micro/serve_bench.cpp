// What `kumo serve` does per request before the guest runs, both ways: with --no-recycle, a
// fresh Store with the request's WASI view and a fresh instance of the pre-linked HTTP handler
// (the real WASI 0.2 and wasi:http host definitions, as src/host/serve/component_service.cpp
// links them); by default, restoring the worker's instance to its state right after
// instantiation. The issue-4 target for a fresh C hello instance is under 20 microseconds.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "component/runtime/linker.hpp"
#include "plugins/http/wasi_http.hpp"
#include "wasi/p2/wasi.hpp"

namespace {

namespace rt = kumo::component::rt;
namespace p2 = kumo::wasi::p2;
namespace ph = kumo::plugins::http;

// Per request, as in the server: a shared WasiCtx, a fresh resource table.
struct RequestView : p2::WasiView {
  explicit RequestView(p2::WasiCtx& c) : ctx(c) {}
  p2::ResourceTable& table() override { return tab; }
  p2::WasiCtx& wasi() override { return ctx; }
  p2::WasiCtx& ctx;
  p2::ResourceTable tab;
};

// The server's set-up: the component pre-linked against the real WASI and wasi:http host, and a
// worker's WASI context. `error` is set when something failed.
struct Served {
  explicit Served(const char* rel) {
    auto comp = rt::Component::from_file(engine, std::string(KUMO_SOURCE_DIR) + "/" + rel);
    if (!comp) {
      error = comp.error().message;
      return;
    }
    wasi.add_to_linker(linker);
    ph::add_to_linker(linker, wasi.types(), http, nullptr);
    auto p = linker.instantiate_pre(*comp);
    if (!p) {
      error = p.error().message;
      return;
    }
    pre = *p;
    p2::Options o;
    o.stdin_fd = -1;
    auto c = p2::WasiCtx::create(std::move(o));
    if (!c) {
      error = c.error().message;
      return;
    }
    ctx = std::move(*c);
  }
  kumo::wasm::Engine engine;
  p2::WasiHost wasi;
  ph::WasiHttpTypes http;
  rt::Linker linker;
  std::shared_ptr<const rt::InstancePre> pre;
  std::unique_ptr<p2::WasiCtx> ctx;
  std::string error;
};

void BM_ServeFreshInstance(benchmark::State& state, const char* rel) {
  Served s(rel);
  if (!s.error.empty()) return state.SkipWithError(s.error.c_str());
  for (auto _ : state) {
    RequestView view(*s.ctx);
    rt::Store store(s.engine, static_cast<p2::WasiView*>(&view));
    auto inst = s.pre->instantiate(store);
    if (!inst) return state.SkipWithError(inst.error().to_string().c_str());
    benchmark::DoNotOptimize(inst);
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
}

// What kumo serve does instead by default: restore the worker's instance to its state right
// after instantiation (rt::Store::restore). The guest wrote nothing here, so this is the fixed
// cost: the pagemap read, globals, tables, handle tables.
void BM_ServeRecycledInstance(benchmark::State& state, const char* rel) {
  Served s(rel);
  if (!s.error.empty()) return state.SkipWithError(s.error.c_str());
  RequestView view(*s.ctx);
  rt::Store store(s.engine, static_cast<p2::WasiView*>(&view));
  auto inst = s.pre->instantiate(store);
  if (!inst) return state.SkipWithError(inst.error().to_string().c_str());
  if (auto c = store.capture(); !c) return state.SkipWithError(c.error().message.c_str());
  for (auto _ : state) {
    view.tab.clear();
    if (!store.restore()) return state.SkipWithError("restore refused");
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
}
BENCHMARK_CAPTURE(BM_ServeRecycledInstance, c_http_hello,
                  "tests/components/wasm/http_hello.component.wasm");
BENCHMARK_CAPTURE(BM_ServeRecycledInstance, js_hello,
                  "tests/components/wasm/js_hello_wasi.component.wasm");

BENCHMARK_CAPTURE(BM_ServeFreshInstance, c_http_hello,
                  "tests/components/wasm/http_hello.component.wasm");
BENCHMARK_CAPTURE(BM_ServeFreshInstance, js_hello,
                  "tests/components/wasm/js_hello_wasi.component.wasm");

}  // namespace
