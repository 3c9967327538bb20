// libFuzzer target: arbitrary bytes through the whole pipeline a hostile module can reach —
// decode, validate, translate (compile()), instantiate against dummy imports (running the start
// function), then call every exported function with zero arguments. Anything but a clean error
// or a trap (a crash, a sanitizer report, a hang past the epoch deadline) is a bug.
//
// Differential: where the default tier compiles (the baseline tier on x86-64), the module also
// runs in an interpreter-only engine, and every call must give the same results or the same trap
// (an Interrupted trap, which depends on timing, ends the comparison).
//
// Built as a libFuzzer binary with -DKUMO_FUZZ=ON (clang), and also linked with replay_main.cpp
// into kumo_fuzz_replay, which CTest runs over tests/wasm/fuzz-regressions/.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <thread>
#include <vector>

#include "wasm/runtime/host_func.hpp"
#include "wasm/runtime/objects.hpp"
#include "wasm/runtime/store.hpp"

namespace {

using namespace kumo::wasm;
using kumo::Expected;

Engine& fuzz_engine(Tier tier = kDefaultTier) {
  static Engine* engines[2] = {nullptr, nullptr};
  Engine*& engine = engines[tier == Tier::Interpreter ? 0 : 1];
  if (engine == nullptr)
    engine = [tier] {
      Config config;
      config.tier = tier;
      // Small caps keep one input from committing gigabytes; guard pages stay on because they are
      // the production configuration (and the trap handler is part of what is being tested).
      config.max_memory_bytes = uint64_t(256) << 20;
      config.max_call_depth = 2000;
      config.value_stack_bytes = size_t(1) << 20;
      auto* e = new Engine(config);
      // Epoch ticker: infinite loops in start functions or exports end as Interrupted traps.
      std::thread([e] {
        for (;;) {
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
          e->increment_epoch();
        }
      }).detach();
      return e;
    }();
  return *engine;
}

// What one call gave: its trap code, or its results' bits.
struct Outcome {
  bool trapped = false;
  TrapCode code{};
  std::vector<uint64_t> bits;
  bool operator==(const Outcome&) const = default;
};

// Runs the module in `engine` (instantiate, then every exported function with zero arguments).
// Returns false when it could not be instantiated the same way (no comparison possible).
bool run_module(Engine& engine, std::shared_ptr<const CompiledModule> cm,
                std::vector<Outcome>* outcomes);

Value zero_value(ValType t);

// Argument k of call variant `variant`: zeros first, then bit patterns that make arithmetic
// differ (a wrong operation rarely maps them to the right result).
Value arg_value(ValType t, unsigned variant, unsigned k) {
  if (variant == 0) return zero_value(t);
  const uint64_t x = (variant == 1 ? 0x9E3779B97F4A7C15ull : 0xFFFFFFFFFFFFFFF3ull) * (k + 1);
  switch (t.kind()) {
    case ValType::I32: return Value::from_i32(uint32_t(x >> 7));
    case ValType::I64: return Value::from_i64(x);
    case ValType::F32: return Value::from_f32_bits(uint32_t(x >> 11) & 0x4FFFFFFFu);
    case ValType::F64: return Value::from_f64_bits(x & 0x40FFFFFFFFFFFFFFull);
    case ValType::V128: return Value::from_v128({x, ~x});
    default: return zero_value(t);
  }
}

Value zero_value(ValType t) {
  switch (t.kind()) {
    case ValType::I32: return Value::from_i32(0);
    case ValType::I64: return Value::from_i64(0);
    case ValType::F32: return Value::from_f32_bits(0);
    case ValType::F64: return Value::from_f64_bits(0);
    case ValType::V128: return Value::from_v128({});
    default: return Value::from_ref(t, nullptr);
  }
}

// One import satisfied by a freshly made object of the declared type; nullopt when impossible.
std::optional<Extern> dummy_import(Store& store, const Module& m, const Import& imp) {
  switch (imp.kind) {
    case ExternKind::Func: {
      if (imp.type_index >= m.types.size()) return std::nullopt;
      const FuncType& type = m.types[imp.type_index];
      unsigned n = slot_count(std::span<const ValType>(type.results));
      return Extern::of(
          store.add_host_func(type, [n](Caller&, uint64_t* slots) -> Expected<void, Trap> {
            for (unsigned i = 0; i < n; i++) slots[i] = 0;  // null refs are 0 as well
            return {};
          }));
    }
    case ExternKind::Table: {
      auto t = store.add_table(imp.table);
      if (!t) return std::nullopt;
      return Extern::of(*t);
    }
    case ExternKind::Memory: {
      auto mem = store.add_memory(imp.memory);
      if (!mem) return std::nullopt;
      return Extern::of(*mem);
    }
    case ExternKind::Global:
      return Extern::of(store.add_global(imp.global, zero_value(imp.global.type)));
    case ExternKind::Tag:
      if (imp.type_index >= m.types.size()) return std::nullopt;
      return Extern::of(store.add_tag(m.types[imp.type_index]));
  }
  return std::nullopt;
}

}  // namespace

namespace {

bool run_module(Engine& engine, std::shared_ptr<const CompiledModule> cm,
                std::vector<Outcome>* outcomes) {
  const Module& m = *cm->module;
  Store store(engine);
  store.set_epoch_deadline(20);  // ~100 ms per input, start function included
  std::vector<Extern> imports;
  for (const Import& imp : m.imports) {
    auto e = dummy_import(store, m, imp);
    if (!e) return false;
    imports.push_back(*e);
  }
  auto inst = store.instantiate(cm, imports);
  if (!inst) return false;  // a start function's trap may be an Interrupted one
  for (const Export& ex : m.exports) {
    if (ex.kind != ExternKind::Func) continue;
    FuncInst* f = (*inst)->get_func(ex.name);
    if (!f || !f->type) continue;
    for (unsigned variant = 0; variant < (outcomes ? 3u : 1u); ++variant) {
      std::vector<Value> args;
      for (unsigned k = 0; k < f->type->params.size(); ++k)
        args.push_back(arg_value(f->type->params[k], variant, k));
      store.set_epoch_deadline(20);
      auto r = invoke(store, f, args);  // traps are fine
      if (!outcomes) continue;
      Outcome o;
      if (!r) {
        o.trapped = true;
        o.code = r.error().code;
        if (o.code == TrapCode::Interrupted) return false;  // timing: stop comparing here
      } else {
        for (const Value& v : *r) {
          switch (v.type.kind()) {
            case ValType::I32:
            case ValType::F32: o.bits.push_back(v.i32); break;
            case ValType::I64:
            case ValType::F64: o.bits.push_back(v.i64); break;
            case ValType::V128:
              o.bits.push_back(v.v128.lo);
              o.bits.push_back(v.v128.hi);
              break;
            default: o.bits.push_back(v.ref != nullptr ? 1 : 0);  // addresses differ per store
          }
        }
      }
      outcomes->push_back(std::move(o));
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Engine& engine = fuzz_engine();
  auto compiled = compile(engine, std::span<const uint8_t>(data, size));
  if (!compiled) return 0;  // a clean rejection: exactly what malformed input should get
  std::shared_ptr<const CompiledModule> cm = *compiled;
  if (kDefaultTier == Tier::Interpreter) {
    run_module(engine, cm, nullptr);
    return 0;
  }
  std::vector<Outcome> compiled_run, interpreted_run;
  const bool a = run_module(engine, cm, &compiled_run);
  auto reference = compile(fuzz_engine(Tier::Interpreter), std::span<const uint8_t>(data, size));
  if (!reference) std::abort();  // the same bytes must compile the same way
  const bool b = run_module(fuzz_engine(Tier::Interpreter), *reference, &interpreted_run);
  if (a && b && compiled_run != interpreted_run) {
    std::fprintf(stderr, "fuzz: the baseline tier and the interpreter disagree\n");
    std::abort();
  }
  return 0;
}
