// The baseline tier against the official spec tests: for every assert_return whose function the
// tier compiles without calls (see src/wasm/jit/baseline.hpp), the compiled function runs on a
// frame holding the arguments, with the instance's memory, and must leave the expected results
// in the first slots. Functions that call, or exit to the interpreter, are counted, not run (the
// spec suites cover them through the interpreter's entry); the test requires a minimum of
// compiled assertions so that a regression in coverage fails loudly. Further tests cover calls,
// exceptions through compiled frames, stack limits and deadlines.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "wasm/interp/exec_state.hpp"
#include "wasm/jit/baseline.hpp"
#include "wasm/runtime/store.hpp"

#ifndef KUMO_SHARED_DIR
#define KUMO_SHARED_DIR "/work/shared"
#endif

namespace kumo::wasm::jit {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

struct Tally {
  int checked = 0, not_compiled = 0, skipped = 0, traps = 0;  // traps: of `checked`
};

std::vector<uint8_t> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Bits of a scalar spec value ("i32"/"i64"/"f32"/"f64" with a decimal bit pattern); false for
// anything else (NaN patterns, vectors, references).
bool scalar_bits(const json& v, uint64_t& bits, bool& is32) {
  const std::string type = v.at("type");
  if (type != "i32" && type != "i64" && type != "f32" && type != "f64") return false;
  const std::string value = v.at("value");
  if (value.empty() || !std::isdigit(static_cast<unsigned char>(value[0]))) return false;
  bits = std::stoull(value);
  is32 = type == "i32" || type == "f32";
  return true;
}

Tally run_file(const std::string& name) {
  Tally t;
  const fs::path dir = fs::path(KUMO_SHARED_DIR) / "spectest" / "wasm-2.0" / name;
  std::ifstream in(dir / (name + ".json"));
  EXPECT_TRUE(in) << "missing spec test " << (dir / (name + ".json"));
  if (!in) return t;
  json doc = json::parse(in);
  Engine engine;
  std::unique_ptr<Store> store;
  Instance* inst = nullptr;
  std::shared_ptr<const CompiledModule> mod;
  std::map<uint32_t, std::optional<CompiledBody>> compiled;  // by defined-function index
  for (const json& cmd : doc.at("commands")) {
    const std::string type = cmd.at("type");
    if (type == "module") {
      inst = nullptr;
      compiled.clear();
      auto c = compile(engine, read_file(dir / std::string(cmd.at("filename"))));
      if (!c) continue;
      store = std::make_unique<Store>(engine);
      auto i = store->instantiate(*c, {});
      if (!i) continue;  // needs imports: its assertions are skipped below
      mod = *c;
      inst = *i;
      continue;
    }
    if (type == "action") {  // state changes between assertions: run by the interpreter
      const json& action = cmd.at("action");
      if (!inst || action.at("type") != "invoke" || action.contains("module")) continue;
      std::vector<Value> args;
      for (const json& arg : action.at("args")) {
        uint64_t bits;
        bool is32;
        if (!scalar_bits(arg, bits, is32)) break;
        const std::string at = arg.at("type");
        args.push_back(at == "i32"   ? Value::from_i32(int32_t(bits))
                       : at == "i64" ? Value::from_i64(int64_t(bits))
                       : at == "f32" ? Value::from_f32_bits(uint32_t(bits))
                                     : Value::from_f64_bits(bits));
      }
      if (FuncInst* f = inst->get_func(std::string(action.at("field"))))
        (void)invoke(*store, f, args);
      continue;
    }
    // Traps the tier raises itself (memory faults need the signal handler's context: skipped).
    std::optional<TrapCode> want_trap;
    if (type == "assert_trap") {
      const std::string text = cmd.at("text");
      if (text.find("divide by zero") != std::string::npos)
        want_trap = TrapCode::IntegerDivideByZero;
      else if (text.find("integer overflow") != std::string::npos)
        want_trap = TrapCode::IntegerOverflow;
      else if (text == "unreachable" || text == "unreachable executed")
        want_trap = TrapCode::Unreachable;
      else
        continue;
    } else if (type != "assert_return") {
      continue;
    }
    const json& action = cmd.at("action");
    if (!inst || action.at("type") != "invoke" || action.contains("module")) {
      ++t.skipped;
      continue;
    }
    const Export* ex = nullptr;
    for (const Export& e : mod->module->exports)
      if (e.kind == ExternKind::Func && e.name == std::string(action.at("field"))) ex = &e;
    if (!ex || ex->index < mod->module->num_imported_funcs) {
      ++t.skipped;
      continue;
    }
    const uint32_t defined = ex->index - mod->module->num_imported_funcs;
    auto it = compiled.find(defined);
    if (it == compiled.end()) {
      auto body = compile_body(*mod->code[defined]);
      it =
          compiled
              .emplace(defined, body ? std::optional<CompiledBody>(std::move(*body)) : std::nullopt)
              .first;
    }
    if (!it->second || it->second->calls) {  // calls need the interpreter's ExecState
      ++t.not_compiled;
      continue;
    }
    std::vector<interp::Slot> frame(mod->code[defined]->max_slots + 16);
    bool ok = true;
    size_t i = 0;
    for (const json& arg : action.at("args")) {
      uint64_t bits;
      bool is32;
      ok = ok && scalar_bits(arg, bits, is32);
      if (ok) frame[i++].u64 = bits;
    }
    std::vector<std::pair<uint64_t, bool>> want;
    for (const json& r : want_trap ? json::array() : cmd.at("expected")) {
      uint64_t bits;
      bool is32;
      ok = ok && scalar_bits(r, bits, is32);
      if (ok) want.push_back({bits, is32});
    }
    if (!ok) {
      ++t.skipped;
      continue;
    }
    uint8_t* mem0 = inst->memories.empty() ? nullptr : inst->memories[0]->base;
    const std::atomic<uint64_t> epoch{0};
    interp::ExecState es{Config{}};  // where a trap is recorded
    es.cur_frame = es.frames_begin;
    es.jit.epoch = &epoch;
    es.jit.inst = inst;
    es.jit.stack_end = frame.data() + frame.size();  // the frame lives outside es's stack
    const uint64_t r = it->second->fn(frame.data(), mem0, inst->globals.data(), &es.jit);
    if (CompiledBody::is_exit(r)) {  // a call or an uncompiled instruction: the interpreter's part
      ++t.not_compiled;
      continue;
    }
    if (want_trap) {
      ++t.traps;
      EXPECT_TRUE(CompiledBody::is_trap(r) && CompiledBody::is_recorded(r))
          << name << ".json line " << cmd.at("line");
      EXPECT_EQ(int(CompiledBody::trap_code(r)), int(*want_trap))
          << name << ".json line " << cmd.at("line");
      const auto& stream = mod->code[defined]->code;  // the trap's pc lies in the function
      EXPECT_TRUE(es.trap_ip >= stream.data() && es.trap_ip < stream.data() + stream.size());
    } else {
      EXPECT_EQ(r, 0u) << name << ".json line " << cmd.at("line") << ": trapped";
    }
    for (size_t k = 0; k < want.size(); ++k) {
      const uint64_t got = want[k].second ? frame[k].u64 & 0xFFFF'FFFF : frame[k].u64;
      EXPECT_EQ(got, want[k].first) << name << ".json line " << cmd.at("line") << ": "
                                    << action.at("field") << " result " << k;
    }
    ++t.checked;
  }
  return t;
}

TEST(JitBaseline, SpecAssertionsOfCompiledFunctions) {
  // name, how many assertions run directly on compiled code; fewer is a regression
  const std::pair<const char*, int> files[] = {{"i32", 352},
                                               {"i64", 362},
                                               {"int_exprs", 89},
                                               {"int_literals", 30},
                                               {"br_if", 51},
                                               {"br", 70},
                                               {"block", 33},
                                               {"if", 51},
                                               {"select", 96},
                                               {"local_tee", 37},
                                               {"local_get", 17},
                                               {"local_set", 18},
                                               {"address", 206},
                                               {"store", 9},
                                               {"load", 28},
                                               {"loop", 45},
                                               {"labels", 25},
                                               {"switch", 26},
                                               {"nop", 52},
                                               {"return", 55},
                                               {"unreachable", 53},
                                               {"stack", 3},
                                               {"memory_redundancy", 3},
                                               {"fac", 3}};
  int total = 0, not_compiled = 0;
  for (const auto& [name, minimum] : files) {
    Tally t = run_file(name);
    EXPECT_GE(t.checked, minimum) << name << ": " << t.not_compiled << " not compiled, "
                                  << t.skipped << " skipped";
    std::printf("  %-12s %4d run compiled (%3d traps), %4d not compiled, %4d skipped\n", name,
                t.checked, t.traps, t.not_compiled, t.skipped);
    total += t.checked;
    not_compiled += t.not_compiled;
  }
  std::printf("baseline tier: %d spec assertions run compiled, %d in functions not compiled yet\n",
              total, not_compiled);
}

// (module (func (export "spin") (loop (br 0)))): compiled, it stops at the deadline like the
// interpreter does: at its entry when the deadline has passed, else at the backward branch.
TEST(JitBaseline, LoopsStopAtTheEpochDeadline) {
  Engine engine;
  const uint8_t bytes[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04,
                           0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x07, 0x08,
                           0x01, 0x04, 's',  'p',  'i',  'n',  0x00, 0x00, 0x0a, 0x09,
                           0x01, 0x07, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b};
  auto c = compile(engine, bytes);
  ASSERT_TRUE(c) << c.error().message;
  const interp::Code& code = *(*c)->code[0];
  auto body = compile_body(code);
  ASSERT_TRUE(body) << body.error().message;
  std::vector<interp::Slot> frame(code.max_slots + 4);
  std::atomic<uint64_t> epoch{5};
  interp::ExecState es{Config{}};
  es.cur_frame = es.frames_begin;
  es.jit.epoch = &epoch;
  es.jit.deadline = 5;
  es.jit.stack_end = frame.data() + frame.size();
  uint64_t r = body->fn(frame.data(), nullptr, nullptr, &es.jit);
  ASSERT_TRUE(CompiledBody::is_trap(r) && CompiledBody::is_recorded(r));
  EXPECT_EQ(CompiledBody::trap_code(r), TrapCode::Interrupted);
  EXPECT_EQ(es.trap_ip, code.code.data());  // at the entry
  epoch = 0;
  std::thread ticker([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    epoch = 5;
  });
  r = body->fn(frame.data(), nullptr, nullptr, &es.jit);  // spins until the ticker moves on
  ticker.join();
  ASSERT_TRUE(CompiledBody::is_trap(r) && CompiledBody::is_recorded(r));
  EXPECT_EQ(CompiledBody::trap_code(r), TrapCode::Interrupted);
  EXPECT_EQ(es.trap_ip, code.code.data());  // the loop's br (the body's first instruction)
}

// With Config::tier = Baseline, compile() attaches machine code to the functions it can compile
// and the interpreter runs it: results, traps with their backtrace, and the deadline.
TEST(JitBaseline, TheInterpreterRunsCompiledFunctions) {
  Config config;
  config.tier = Tier::Baseline;
  Engine engine(config);
  // (module (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0)
  //   (local.get 1))) (func (export "spin") (loop (br 0))))
  const uint8_t bytes[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0a, 0x02, 0x60,
                           0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x00, 0x03, 0x03, 0x02, 0x00,
                           0x01, 0x07, 0x0e, 0x02, 0x03, 'd',  'i',  'v',  0x00, 0x00, 0x04, 's',
                           'p',  'i',  'n',  0x00, 0x01, 0x0a, 0x11, 0x02, 0x07, 0x00, 0x20, 0x00,
                           0x20, 0x01, 0x6d, 0x0b, 0x07, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b};
  auto c = compile(engine, bytes);
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_NE((*c)->code[0]->jit_fn, nullptr);
  ASSERT_NE((*c)->code[1]->jit_fn, nullptr);
  Store store(engine);
  auto inst = store.instantiate(*c, {});
  ASSERT_TRUE(inst) << inst.error().message;
  FuncInst* div = (*inst)->get_func("div");
  const Value args[] = {Value::from_i32(-7), Value::from_i32(2)};
  auto r = invoke(store, div, args);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ((*r)[0].i32, -3);
  const Value zero[] = {Value::from_i32(1), Value::from_i32(0)};
  auto t = invoke(store, div, zero);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, TrapCode::IntegerDivideByZero);
  ASSERT_EQ(t.error().backtrace.size(), 1u);
  EXPECT_EQ(t.error().backtrace[0].func_index, 0u);
  EXPECT_GT(t.error().backtrace[0].offset, 0u);  // the i32.div_s in the module binary
  store.set_epoch_deadline(0);
  auto spin = invoke(store, (*inst)->get_func("spin"), {});
  ASSERT_FALSE(spin);
  EXPECT_EQ(spin.error().code, TrapCode::Interrupted);
}

// Calls from compiled code (interp::jit_call): direct and indirect calls, traps after a call
// returned, and traps in a callee below a compiled caller, with a backtrace frame for each.
TEST(JitBaseline, CompiledCodeCallsAndTrapsThroughCalls) {
  Config config;
  config.tier = Tier::Baseline;
  Engine engine(config);
  // (module (type $t (func (param i32) (result i32))) (table 1 funcref) (elem (i32.const 0) $inc)
  //   (func $inc (type $t) local.get 0 i32.const 1 i32.add)
  //   (func $div (type $t) i32.const 100 local.get 0 i32.div_u)
  //   (func (export "f") (type $t) local.get 0 call $inc i32.const 10 i32.mul
  //     i32.const 0 call_indirect (type $t) local.get 0 i32.add)
  //   (func (export "g") (type $t) local.get 0 call $inc drop i32.const 1 local.get 0 i32.div_u)
  //   (func (export "h") (type $t) local.get 0 call $inc drop local.get 0 call $div))
  const uint8_t bytes[] = {
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01,
      0x7f, 0x03, 0x06, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x04, 0x01, 0x70, 0x00, 0x01,
      0x07, 0x0d, 0x03, 0x01, 0x66, 0x00, 0x02, 0x01, 0x67, 0x00, 0x03, 0x01, 0x68, 0x00, 0x04,
      0x09, 0x07, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x00, 0x0a, 0x3d, 0x05, 0x07, 0x00, 0x20,
      0x00, 0x41, 0x01, 0x6a, 0x0b, 0x08, 0x00, 0x41, 0xe4, 0x00, 0x20, 0x00, 0x6e, 0x0b, 0x11,
      0x00, 0x20, 0x00, 0x10, 0x00, 0x41, 0x0a, 0x6c, 0x41, 0x00, 0x11, 0x00, 0x00, 0x20, 0x00,
      0x6a, 0x0b, 0x0c, 0x00, 0x20, 0x00, 0x10, 0x00, 0x1a, 0x41, 0x01, 0x20, 0x00, 0x6e, 0x0b,
      0x0b, 0x00, 0x20, 0x00, 0x10, 0x00, 0x1a, 0x20, 0x00, 0x10, 0x01, 0x0b};
  auto c = compile(engine, bytes);
  ASSERT_TRUE(c) << c.error().message;
  for (size_t i = 0; i < 5; ++i) ASSERT_NE((*c)->code[i]->jit_fn, nullptr) << i;
  Store store(engine);
  auto inst = store.instantiate(*c, {});
  ASSERT_TRUE(inst) << inst.error().message;
  auto call = [&](const char* name, int32_t x) {
    const Value args[] = {Value::from_i32(x)};
    return invoke(store, (*inst)->get_func(name), args);
  };
  for (int32_t x : {0, 5, -3}) {
    auto r = call("f", x);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ((*r)[0].i32, ((x + 1) * 10 + 1) + x);
  }
  auto g = call("g", 4);
  ASSERT_TRUE(g) << g.error().to_string();
  EXPECT_EQ((*g)[0].i32, 0);
  auto g0 = call("g", 0);  // traps after the call returned
  ASSERT_FALSE(g0);
  EXPECT_EQ(g0.error().code, TrapCode::IntegerDivideByZero);
  ASSERT_EQ(g0.error().backtrace.size(), 1u);
  EXPECT_EQ(g0.error().backtrace[0].func_index, 3u);
  auto h = call("h", 7);
  ASSERT_TRUE(h) << h.error().to_string();
  EXPECT_EQ((*h)[0].i32, 14);
  auto h0 = call("h", 0);  // traps in $div, called from compiled $h
  ASSERT_FALSE(h0);
  EXPECT_EQ(h0.error().code, TrapCode::IntegerDivideByZero);
  ASSERT_EQ(h0.error().backtrace.size(), 2u);
  EXPECT_EQ(h0.error().backtrace[0].func_index, 1u);
  EXPECT_EQ(h0.error().backtrace[1].func_index, 4u);
  EXPECT_GT(h0.error().backtrace[1].offset, 0u);
  // The store stays usable after the traps.
  auto again = call("f", 2);
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ((*again)[0].i32, 33);
}

// An exception thrown below a compiled frame unwinds through it to the interpreted handler.
TEST(JitBaseline, ExceptionsUnwindThroughCompiledFrames) {
  Config config;
  config.tier = Tier::Baseline;
  Engine engine(config);
  // (module (tag $e (param i32))
  //   (func $thrower (param i32) (result i32) local.get 0 throw $e)
  //   (func $mid (param i32) (result i32) local.get 0 i32.const 1 i32.add call $thrower)
  //   (func (export "f") (param i32) (result i32)
  //     try (result i32) local.get 0 call $mid catch $e i32.const 100 i32.add end))
  const uint8_t bytes[] = {
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0a, 0x02, 0x60, 0x01, 0x7f, 0x00,
      0x60, 0x01, 0x7f, 0x01, 0x7f, 0x03, 0x04, 0x03, 0x01, 0x01, 0x01, 0x0d, 0x03, 0x01, 0x00,
      0x00, 0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x02, 0x0a, 0x22, 0x03, 0x06, 0x00, 0x20, 0x00,
      0x08, 0x00, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x41, 0x01, 0x6a, 0x10, 0x00, 0x0b, 0x0f, 0x00,
      0x06, 0x7f, 0x20, 0x00, 0x10, 0x01, 0x07, 0x00, 0x41, 0xe4, 0x00, 0x6a, 0x0b, 0x0b};
  auto c = compile(engine, bytes);
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_TRUE((*c)->code[1]->jit_complete);   // $mid: compiled, calls through jit_call
  ASSERT_EQ((*c)->code[2]->jit_fn, nullptr);  // f has a handler: interpreted
  Store store(engine);
  auto inst = store.instantiate(*c, {});
  ASSERT_TRUE(inst) << inst.error().message;
  for (int32_t x : {0, 41}) {
    const Value args[] = {Value::from_i32(x)};
    auto r = invoke(store, (*inst)->get_func("f"), args);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ((*r)[0].i32, x + 1 + 100);
  }
}

// Unbounded recursion of compiled code (which recurses on the native stack through jit_call)
// stops with CallStackExhausted, by the frame limit or, with a limit too high for the native
// stack, by the native stack check.
TEST(JitBaseline, CompiledRecursionStopsAtTheStackLimits) {
  // (module (func $r (export "r") (param i32) (result i32)
  //   local.get 0 i32.const 1 i32.add call $r))
  const uint8_t bytes[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06,
                           0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00,
                           0x07, 0x05, 0x01, 0x01, 0x72, 0x00, 0x00, 0x0a, 0x0b, 0x01,
                           0x09, 0x00, 0x20, 0x00, 0x41, 0x01, 0x6a, 0x10, 0x00, 0x0b};
  for (uint32_t depth : {20000u, 5'000'000u}) {
    Config config;
    config.tier = Tier::Baseline;
    config.max_call_depth = depth;
    config.value_stack_bytes = size_t(depth) * 64;
    Engine engine(config);
    auto c = compile(engine, bytes);
    ASSERT_TRUE(c) << c.error().message;
    ASSERT_TRUE((*c)->code[0]->jit_complete);
    Store store(engine);
    auto inst = store.instantiate(*c, {});
    ASSERT_TRUE(inst) << inst.error().message;
    const Value args[] = {Value::from_i32(0)};
    auto r = invoke(store, (*inst)->get_func("r"), args);
    ASSERT_FALSE(r) << depth;
    EXPECT_EQ(r.error().code, TrapCode::CallStackExhausted) << depth;
    EXPECT_GT(r.error().backtrace.size(), 1000u) << depth;
  }
}

}  // namespace
}  // namespace kumo::wasm::jit
