// Per-thread caches of engine-specific ids (lowered signatures, resource built-in types) must not
// hand one Engine's ids to the next Engine that happens to live at the same address: that made
// instantiation fail with "incompatible import type" for the second engine.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "component/runtime/linker.hpp"
#include "plugins/http/wasi_http.hpp"
#include "wasi/p2/wasi.hpp"

namespace {

namespace rt = kumo::component::rt;
namespace p2 = kumo::wasi::p2;
namespace ph = kumo::plugins::http;

struct View : p2::WasiView {
  explicit View(p2::WasiCtx& c) : ctx(c) {}
  p2::ResourceTable& table() override { return tab; }
  p2::WasiCtx& wasi() override { return ctx; }
  p2::WasiCtx& ctx;
  p2::ResourceTable tab;
};

TEST(EngineReuse, SecondEngineAtTheSameAddressInstantiates) {
  const std::string path =
      std::string(KUMO_SOURCE_DIR) + "/tests/components/wasm/http_hello.component.wasm";
  std::optional<kumo::wasm::Engine> engine;  // same storage, so the same address, each round
  for (int round = 0; round < 3; ++round) {
    engine.emplace();
    // Different types interned first each round, so the engines' ids differ.
    for (int i = 0; i < round * 3; ++i) {
      kumo::wasm::FuncType t;
      for (int j = 0; j <= i; ++j) t.params.push_back(kumo::wasm::ValType::F64);
      engine->intern(t);
    }
    auto comp = rt::Component::from_file(*engine, path);
    ASSERT_TRUE(comp) << comp.error().message;
    p2::WasiHost wasi;
    ph::WasiHttpTypes http;
    rt::Linker linker;
    wasi.add_to_linker(linker);
    ph::add_to_linker(linker, wasi.types(), http, nullptr);
    auto pre = linker.instantiate_pre(*comp);
    ASSERT_TRUE(pre) << pre.error().message;
    p2::Options o;
    o.stdin_fd = -1;
    auto ctx = p2::WasiCtx::create(std::move(o));
    ASSERT_TRUE(ctx) << ctx.error().message;
    View view(**ctx);
    rt::Store store(*engine, static_cast<p2::WasiView*>(&view));
    auto inst = (*pre)->instantiate(store);
    ASSERT_TRUE(inst) << "round " << round << ": " << inst.error().to_string();
  }
}

}  // namespace
