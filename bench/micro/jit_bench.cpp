// The baseline tier's first measurement (session 5): the same integer loop run by the
// interpreter (the peer) and compiled by src/wasm/jit/baseline.hpp.
//
//   (func (export "sum") (param i32) (result i32) (local i32)
//     (block (loop (br_if 1 (i32.eqz (local.get 0)))
//                  (local.set 1 (i32.add (local.get 1) (local.get 0)))
//                  (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
//                  (br 0)))
//     (local.get 1))
#include <benchmark/benchmark.h>

#include <atomic>
#include <vector>

#include "wasm/interp/exec_state.hpp"
#include "wasm/jit/baseline.hpp"
#include "wasm/runtime/store.hpp"

namespace {

using namespace kumo::wasm;

const uint8_t kSum[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,        // header
                        0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f,        // type (i32)->(i32)
                        0x03, 0x02, 0x01, 0x00,                                // func
                        0x07, 0x07, 0x01, 0x03, 's',  'u',  'm',  0x00, 0x00,  // export "sum"
                        0x0a, 0x23, 0x01, 0x21, 0x01, 0x01, 0x7f,              // code, 1 local i32
                        0x02, 0x40, 0x03, 0x40, 0x20, 0x00, 0x45, 0x0d, 0x01,  // block loop br_if 1
                        0x20, 0x01, 0x20, 0x00, 0x6a, 0x21, 0x01,              // l1 = l1 + l0
                        0x20, 0x00, 0x41, 0x01, 0x6b, 0x21, 0x00,              // l0 = l0 - 1
                        0x0c, 0x00, 0x0b, 0x0b, 0x20, 0x01, 0x0b};             // br 0, end, l1
constexpr int32_t kN = 100000;

void BM_SumLoopInterpreter(benchmark::State& state) {
  Engine engine;
  Store store(engine);
  auto c = compile(engine, kSum);
  if (!c) return state.SkipWithError(c.error().message.c_str());
  auto inst = store.instantiate(*c, {});
  if (!inst) return state.SkipWithError(inst.error().message.c_str());
  FuncInst* f = (*inst)->get_func("sum");
  const Value arg = Value::from_i32(kN);
  for (auto _ : state) {
    auto r = invoke(store, f, {&arg, 1});
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * kN);  // loop iterations
}
BENCHMARK(BM_SumLoopInterpreter);

void BM_SumLoopBaseline(benchmark::State& state) {
  Engine engine;
  auto c = compile(engine, kSum);
  if (!c) return state.SkipWithError(c.error().message.c_str());
  auto body = jit::compile_body(*(*c)->code[0]);
  if (!body) return state.SkipWithError(body.error().message.c_str());
  std::vector<interp::Slot> frame((*c)->code[0]->max_slots + 8);
  const std::atomic<uint64_t> epoch{0};
  interp::ExecState es{Config{}};
  es.cur_frame = es.frames_begin;
  es.jit.epoch = &epoch;
  es.jit.stack_end = frame.data() + frame.size();
  for (auto _ : state) {
    frame[0].u64 = kN;
    frame[1].u64 = 0;
    benchmark::DoNotOptimize(body->fn(frame.data(), nullptr, nullptr, &es.jit));
    benchmark::DoNotOptimize(frame[0].u64);
  }
  if (uint32_t(frame[0].u64) != uint32_t(int64_t(kN) * (kN + 1) / 2))
    state.SkipWithError("wrong sum");
  state.SetItemsProcessed(state.iterations() * kN);
}
BENCHMARK(BM_SumLoopBaseline);

}  // namespace
