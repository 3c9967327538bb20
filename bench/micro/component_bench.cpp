// Google Benchmark micro-benchmarks of the component runtime (bench/components/*.wat):
//   - a host call through the canonical ABI (u32, u32) -> u32, and one passing a string and a
//     list of three records;
//   - a component-to-component call passing the same string and list (lift in the caller,
//     lower into the callee's memory through its realloc);
//   - instantiating a small component from its pre-linked form (InstancePre), each time in a
//     fresh Store, as a server does per request.
// items/s = calls (or instances) per second.
#include <benchmark/benchmark.h>

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "component/runtime/linker.hpp"

namespace {

namespace rt = kumo::component::rt;
using kumo::component::Val;

std::string component_path(const char* name) {
  return std::string(KUMO_SOURCE_DIR) + "/bench/components/" + name;
}

struct Calls {
  kumo::wasm::Engine engine;
  std::shared_ptr<const rt::InstancePre> pre;
  std::unique_ptr<rt::Store> store;
  rt::Instance instance;
  std::string error;

  Calls() {
    auto comp = rt::Component::from_file(engine, component_path("calls.wasm"));
    if (!comp) {
      error = comp.error().message;
      return;
    }
    rt::Linker linker;
    linker.instance("kumo:bench/host")
        .func("add",
              [](rt::HostCall&, std::span<const Val> p, std::vector<Val>& r) -> rt::Trapping<void> {
                r.push_back(Val::u32(uint32_t(p[0].u + p[1].u)));
                return {};
              })
        .func("take",
              [](rt::HostCall&, std::span<const Val> p, std::vector<Val>& r) -> rt::Trapping<void> {
                uint64_t n = p[0].str.size();
                for (const Val& rec : p[1].items) n += rec.items[1].str.size();
                r.push_back(Val::u32(uint32_t(n)));
                return {};
              });
    auto pre_or = linker.instantiate_pre(*comp);
    if (!pre_or) {
      error = pre_or.error().message;
      return;
    }
    pre = *pre_or;
    store = std::make_unique<rt::Store>(engine);
    auto inst = pre->instantiate(*store);
    if (!inst) {
      error = inst.error().to_string();
      return;
    }
    instance = *inst;
  }
};

Calls& calls() {
  static Calls c;
  return c;
}

void run_loop(benchmark::State& state, const char* export_name, uint32_t expected_per_call) {
  auto& c = calls();
  if (!c.error.empty()) {
    state.SkipWithError(c.error.c_str());
    return;
  }
  auto f = c.instance.get_func(export_name);
  if (!f) {
    state.SkipWithError("export missing");
    return;
  }
  const uint32_t n = uint32_t(state.range(0));
  std::vector<Val> args{Val::u32(n)};
  for (auto _ : state) {
    auto r = rt::call(*c.store, *f, args);
    if (!r) {
      state.SkipWithError(r.error().to_string().c_str());
      return;
    }
    if (expected_per_call && (*r)[0].u != uint64_t(expected_per_call) * n) {
      state.SkipWithError("wrong result");
      return;
    }
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * n);
}

// 22 bytes of string + 5 + 5 + 7 bytes of names.
constexpr uint32_t kTakeResult = 22 + 5 + 5 + 7;

void BM_ComponentHostCall(benchmark::State& state) { run_loop(state, "run-add", 0); }
void BM_ComponentHostCallStringRecords(benchmark::State& state) {
  run_loop(state, "run-take", kTakeResult);
}
void BM_ComponentToComponentStringRecords(benchmark::State& state) {
  run_loop(state, "run-process", kTakeResult);
}
BENCHMARK(BM_ComponentHostCall)->Arg(10'000);
BENCHMARK(BM_ComponentHostCallStringRecords)->Arg(10'000);
BENCHMARK(BM_ComponentToComponentStringRecords)->Arg(10'000);

void instantiate_bench(benchmark::State& state, const char* file) {
  kumo::wasm::Engine engine;
  auto comp = rt::Component::from_file(engine, component_path(file));
  if (!comp) {
    state.SkipWithError(comp.error().message.c_str());
    return;
  }
  rt::Linker linker;
  linker.instance("kumo:bench/host")
      .func("add",
            [](rt::HostCall&, std::span<const Val>, std::vector<Val>& r) -> rt::Trapping<void> {
              r.push_back(Val::u32(0));
              return {};
            })
      .func("take",
            [](rt::HostCall&, std::span<const Val>, std::vector<Val>& r) -> rt::Trapping<void> {
              r.push_back(Val::u32(0));
              return {};
            });
  auto pre = linker.instantiate_pre(*comp);
  if (!pre) {
    state.SkipWithError(pre.error().message.c_str());
    return;
  }
  for (auto _ : state) {
    rt::Store store(engine);
    auto inst = (*pre)->instantiate(store);
    if (!inst) {
      state.SkipWithError(inst.error().to_string().c_str());
      return;
    }
    benchmark::DoNotOptimize(inst);
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
}
void BM_InstantiatePreSmall(benchmark::State& state) { instantiate_bench(state, "small.wasm"); }
void BM_InstantiatePreCalls(benchmark::State& state) { instantiate_bench(state, "calls.wasm"); }
BENCHMARK(BM_InstantiatePreSmall);
BENCHMARK(BM_InstantiatePreCalls);

}  // namespace

// A real component made by other toolchains (Rust std + the preview1 adapter, ~50 KB) from
// ../shared/components/jco: every import satisfied by trivial host items, instantiated in a
// fresh Store each time, as a server does per request.
namespace real {

std::optional<Val> zero_result(const kumo::component::TypeArena& a,
                               const kumo::component::ValType& t) {
  using namespace kumo::component;
  if (t.is_primitive()) return t.prim() == PrimValType::String ? Val::string("") : Val::u32(0);
  const DefinedType& d = a.defined(t.type());
  if (d.kind == DefinedKind::Result) return Val::ok(std::nullopt);
  if (d.kind == DefinedKind::Option) return Val::option(std::nullopt);
  if (d.kind == DefinedKind::List) return Val::list({});
  return std::nullopt;
}

void BM_InstantiatePreJco(benchmark::State& state, const char* rel) {
  using namespace kumo::component;
  kumo::wasm::Engine engine;
  // Paths under tests/ are the project's own test components; others are in ../shared.
  const std::string path =
      std::string(KUMO_SOURCE_DIR) +
      (std::string_view(rel).starts_with("tests/") ? "/" : "/../shared/components/jco/") + rel;
  auto comp = rt::Component::from_file(engine, path);
  if (!comp) {
    state.SkipWithError(comp.error().message.c_str());
    return;
  }
  std::deque<rt::ResourceType> types;
  std::map<uint32_t, rt::ResourceType*> by_id;  // an (eq ...) re-export shares the type
  rt::Linker linker;
  const TypeArena& a = *(*comp)->arena();
  for (const NamedEntity& imp : (*comp)->type().imports) {
    if (imp.type.sort != ExternSort::Instance) continue;
    rt::LinkerInstance& li = linker.instance(imp.name.name);
    for (const NamedEntity& e : a.instance(imp.type.type).exports) {
      if (e.type.sort == ExternSort::Type && a.kind(e.type.type) == TypeKind::Resource) {
        rt::ResourceType*& r = by_id[a.resource(e.type.type).value];
        if (!r) {
          r = &types.emplace_back();
          r->name = e.name.name;
        }
        li.resource(e.name.name, r);
      } else if (e.type.sort == ExternSort::Func) {
        li.func(
            e.name.name,
            [](rt::HostCall& c, std::span<const Val>, std::vector<Val>& r) -> rt::Trapping<void> {
              if (c.func_type().result) {
                auto z = zero_result(c.arena, *c.func_type().result);
                if (!z) return rt::abi_trap("bench host: unsupported result");
                r.push_back(*z);
              }
              return {};
            });
      }
    }
  }
  auto pre = linker.instantiate_pre(*comp);
  if (!pre) {
    state.SkipWithError(pre.error().message.c_str());
    return;
  }
  for (auto _ : state) {
    rt::Store store(engine);
    auto inst = (*pre)->instantiate(store);
    if (!inst) {
      state.SkipWithError(inst.error().to_string().c_str());
      return;
    }
    benchmark::DoNotOptimize(inst);
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
}
BENCHMARK_CAPTURE(BM_InstantiatePreJco, hello_stdout, "misc/hello_stdout.component.wasm");
BENCHMARK_CAPTURE(BM_InstantiatePreJco, strings, "runtime/strings.component.wasm");
// The C wasi:http hello handler of issue 4 (clang + jco new --wasi-reactor).
BENCHMARK_CAPTURE(BM_InstantiatePreJco, c_http_hello,
                  "tests/components/wasm/http_hello.component.wasm");
// The JS hello handler (componentize-js: a whole JS engine, ~12 MB, ~5 MB of data segments).
BENCHMARK_CAPTURE(BM_InstantiatePreJco, js_hello, "tests/components/wasm/js_hello.component.wasm");

}  // namespace real
