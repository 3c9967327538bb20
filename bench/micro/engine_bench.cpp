// Google Benchmark micro-benchmarks of the core engine: interpreter dispatch on small loops,
// calls (host -> wasm, wasm -> wasm, wasm -> host), linear memory access, and the fixed costs
// around execution (compile, instantiate). Run: build/kumo_micro_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "micro/wasm_builder.hpp"
#include "wasi/preview1/wasi.hpp"
#include "wasm/runtime/host_func.hpp"
#include "wasm/runtime/store.hpp"

namespace {

using namespace kumo::bench;
namespace w = kumo::wasm;

// Module with the benchmark functions (indices after the one import):
//   sum(n)     loop adding n + (n-1) + ... (locals, arithmetic, branches)
//   fib(n)     recursive Fibonacci (wasm -> wasm calls)
//   memloop(n) store + load per iteration over one page
//   nop()      empty function (host -> wasm call overhead)
//   hostloop(n) calls the imported env.id n times (wasm -> host call overhead)
Bytes benchmark_module() {
  ModuleBuilder m;
  uint32_t t_i_i = m.type({I32}, {I32});
  uint32_t t_v_v = m.type({}, {});
  uint32_t host_id = m.import_func("env", "id", t_i_i);

  Bytes block{0x02, 0x40}, loop{0x03, 0x40}, end{0x0b}, eqz{0x45}, add{0x6a}, sub{0x6b};
  // while (n) { acc += n; n -= 1; } return acc;   locals: 0 = n, 1 = acc
  uint32_t sum = m.func(t_i_i, code({block, loop, op::local_get(0), eqz, op::br_if(1),
                                     op::local_get(1), op::local_get(0), add, op::local_set(1),
                                     op::local_get(0), op::i32_const(1), sub, op::local_set(0),
                                     op::br(0), end, end, op::local_get(1)}),
                        {{1, I32}});
  uint32_t fib_index = 1 + 1;  // after the import and `sum`
  uint32_t fib = m.func(t_i_i, code({op::local_get(0), op::i32_const(2), {0x49} /* i32.lt_u */,
                                     {0x04, I32} /* if (result i32) */, op::local_get(0), {0x05},
                                     op::local_get(0), op::i32_const(1), sub, op::call(fib_index),
                                     op::local_get(0), op::i32_const(2), sub, op::call(fib_index),
                                     add, end}));
  // while (n) { a = (n << 2) & 0xfffc; mem[a] = n; acc += mem[a ^ 4]; n -= 1; }  2 = a
  uint32_t memloop = m.func(
      t_i_i, code({block, loop, op::local_get(0), eqz, op::br_if(1),
                   op::local_get(0), op::i32_const(2), {0x74} /* shl */, op::i32_const(0xfffc),
                   {0x71} /* and */, op::local_tee(2), op::local_get(0), op::mem(0x36, 2, 0),
                   op::local_get(1), op::local_get(2), op::i32_const(4), {0x73} /* xor */,
                   op::mem(0x28, 2, 0), add, op::local_set(1),
                   op::local_get(0), op::i32_const(1), sub, op::local_set(0), op::br(0), end, end,
                   op::local_get(1)}),
      {{2, I32}});
  uint32_t nop = m.func(t_v_v, {});
  uint32_t hostloop = m.func(t_i_i, code({block, loop, op::local_get(0), eqz, op::br_if(1),
                                          op::local_get(0), op::call(host_id), op::local_get(1), add,
                                          op::local_set(1), op::local_get(0), op::i32_const(1), sub,
                                          op::local_set(0), op::br(0), end, end, op::local_get(1)}),
                             {{1, I32}});
  m.memory(1);
  m.export_func("sum", sum);
  m.export_func("fib", fib);
  m.export_func("memloop", memloop);
  m.export_func("nop", nop);
  m.export_func("hostloop", hostloop);
  return m.build();
}

struct Fixture {
  w::Engine engine;
  w::Store store{engine};
  w::Instance* instance = nullptr;

  Fixture() {
    auto compiled = w::compile(engine, benchmark_module());
    if (!compiled) throw std::runtime_error("benchmark module: " + compiled.error().message);
    w::Linker linker;
    w::func_wrap(linker, store, "env", "id", [](int32_t x) { return x; });
    auto inst = linker.instantiate(store, *compiled);
    if (!inst) throw std::runtime_error("instantiate: " + inst.error().message);
    instance = *inst;
  }
  w::TypedFunc<int32_t(int32_t)> func_i_i(const char* name) {
    auto f = w::TypedFunc<int32_t(int32_t)>::from(instance->get_func(name));
    if (!f) throw std::runtime_error(f.error().message);
    return *f;
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

// One call running `n` iterations of a loop; items/s = loop iterations per second.
void run_loop(benchmark::State& state, const char* name) {
  auto& fx = fixture();
  auto f = fx.func_i_i(name);
  int32_t n = int32_t(state.range(0));
  for (auto _ : state) {
    auto r = f.call(fx.store, n);
    if (!r) state.SkipWithError(r.error().to_string().c_str());
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * n);
}

void BM_LoopSum(benchmark::State& s) { run_loop(s, "sum"); }
void BM_LoopMemory(benchmark::State& s) { run_loop(s, "memloop"); }
void BM_LoopHostCall(benchmark::State& s) { run_loop(s, "hostloop"); }
BENCHMARK(BM_LoopSum)->Arg(1'000'000);
BENCHMARK(BM_LoopMemory)->Arg(1'000'000);
BENCHMARK(BM_LoopHostCall)->Arg(100'000);

// Recursive calls; items/s = wasm calls per second.
void BM_Fib(benchmark::State& state) {
  auto& fx = fixture();
  auto f = fx.func_i_i("fib");
  int32_t n = int32_t(state.range(0));
  // fib(n) as written makes calls(n) = 1 + calls(n-1) + calls(n-2) calls, calls(0) = calls(1) = 1.
  int64_t c0 = 1, c1 = 1;
  for (int32_t i = 2; i <= n; i++) {
    int64_t c2 = 1 + c1 + c0;
    c0 = c1;
    c1 = c2;
  }
  const int64_t calls = n < 2 ? 1 : c1;
  for (auto _ : state) {
    auto r = f.call(fx.store, n);
    if (!r) state.SkipWithError(r.error().to_string().c_str());
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * calls);
}
BENCHMARK(BM_Fib)->Arg(20);

// Host -> wasm call overhead: the untyped invoke() and the allocation-free TypedFunc.
void BM_CallNopInvoke(benchmark::State& state) {
  auto& fx = fixture();
  w::FuncInst* f = fx.instance->get_func("nop");
  for (auto _ : state) {
    auto r = w::invoke(fx.store, f, {});
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_CallNopInvoke);

void BM_CallNopTyped(benchmark::State& state) {
  auto& fx = fixture();
  auto f = w::TypedFunc<void()>::from(fx.instance->get_func("nop"));
  if (!f) return state.SkipWithError(f.error().message.c_str());
  for (auto _ : state) {
    auto r = f->call(fx.store);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_CallNopTyped);

// Fixed costs on a real program: the bundled example (34 KB, clang + wasi-libc).
std::vector<uint8_t> read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const std::vector<uint8_t>& example_bytes() {
  static std::vector<uint8_t> bytes = read_file(std::filesystem::path(KUMO_SOURCE_DIR) / "examples/hello/hello.wasm");
  return bytes;
}

void BM_CompileExample(benchmark::State& state) {
  w::Engine engine;
  const auto& bytes = example_bytes();
  if (bytes.empty()) return state.SkipWithError("examples/hello/hello.wasm missing");
  for (auto _ : state) {
    auto c = w::compile(engine, bytes);
    if (!c) return state.SkipWithError(c.error().message.c_str());
    benchmark::DoNotOptimize(c);
  }
  state.SetBytesProcessed(state.iterations() * int64_t(bytes.size()));
}
BENCHMARK(BM_CompileExample);

// A fresh Store, WASI context and linker, and an instance of the example (no execution).
void BM_InstantiateExample(benchmark::State& state) {
  w::Engine engine;
  auto compiled = w::compile(engine, example_bytes());
  if (!compiled) return state.SkipWithError(compiled.error().message.c_str());
  std::shared_ptr<const w::CompiledModule> cm = *compiled;
  for (auto _ : state) {
    kumo::wasi::preview1::Options opts;
    opts.args = {"hello.wasm"};
    auto ctx = kumo::wasi::preview1::Context::create(std::move(opts));
    if (!ctx) return state.SkipWithError(ctx.error().message.c_str());
    w::Store store(engine);
    w::Linker linker;
    kumo::wasi::preview1::add_to_linker(linker, store, **ctx);
    auto inst = linker.instantiate(store, cm);
    if (!inst) return state.SkipWithError(inst.error().message.c_str());
    benchmark::DoNotOptimize(inst);
  }
}
BENCHMARK(BM_InstantiateExample);

}  // namespace

BENCHMARK_MAIN();
