// What `kumo serve` does per request before the guest runs: a fresh Store with the request's
// WASI view, and a fresh instance of the pre-linked HTTP handler (the real WASI 0.2 and wasi:http
// host definitions, as src/host/serve/component_service.cpp links them). The issue-4 target for
// the C hello handler is under 20 microseconds.
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

void BM_ServeFreshInstance(benchmark::State& state, const char* rel) {
  kumo::wasm::Engine engine;
  auto comp = rt::Component::from_file(engine, std::string(KUMO_SOURCE_DIR) + "/" + rel);
  if (!comp) return state.SkipWithError(comp.error().message.c_str());
  p2::WasiHost wasi;
  ph::WasiHttpTypes http;
  rt::Linker linker;
  wasi.add_to_linker(linker);
  ph::add_to_linker(linker, wasi.types(), http, nullptr);
  auto pre = linker.instantiate_pre(*comp);
  if (!pre) return state.SkipWithError(pre.error().message.c_str());
  p2::Options o;
  o.stdin_fd = -1;
  auto ctx = p2::WasiCtx::create(std::move(o));
  if (!ctx) return state.SkipWithError(ctx.error().message.c_str());
  for (auto _ : state) {
    RequestView view(**ctx);
    rt::Store store(engine, static_cast<p2::WasiView*>(&view));
    auto inst = (*pre)->instantiate(store);
    if (!inst) return state.SkipWithError(inst.error().to_string().c_str());
    benchmark::DoNotOptimize(inst);
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
}
BENCHMARK_CAPTURE(BM_ServeFreshInstance, c_http_hello,
                  "tests/components/wasm/http_hello.component.wasm");
BENCHMARK_CAPTURE(BM_ServeFreshInstance, js_hello,
                  "tests/components/wasm/js_hello_wasi.component.wasm");

}  // namespace
