// libFuzzer target: arbitrary bytes through the whole pipeline a hostile module can reach —
// decode, validate, translate (compile()), instantiate against dummy imports (running the start
// function), then call every exported function with zero arguments. Anything but a clean error
// or a trap (a crash, a sanitizer report, a hang past the epoch deadline) is a bug.
//
// Built as a libFuzzer binary with -DKUMO_FUZZ=ON (clang), and also linked with replay_main.cpp
// into kumo_fuzz_replay, which CTest runs over tests/wasm/fuzz-regressions/.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <thread>
#include <vector>

#include "wasm/runtime/host_func.hpp"
#include "wasm/runtime/objects.hpp"
#include "wasm/runtime/store.hpp"

namespace {

using namespace kumo::wasm;
using kumo::Expected;

Engine& fuzz_engine() {
  static Engine* engine = [] {
    Config config;
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
      return Extern::of(store.add_host_func(type, [n](Caller&, uint64_t* slots) -> Expected<void, Trap> {
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

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Engine& engine = fuzz_engine();
  auto compiled = compile(engine, std::span<const uint8_t>(data, size));
  if (!compiled) return 0;  // a clean rejection: exactly what malformed input should get
  std::shared_ptr<const CompiledModule> cm = *compiled;
  const Module& m = *cm->module;

  Store store(engine);
  store.set_epoch_deadline(20);  // ~100 ms per input, start function included
  std::vector<Extern> imports;
  for (const Import& imp : m.imports) {
    auto e = dummy_import(store, m, imp);
    if (!e) return 0;
    imports.push_back(*e);
  }
  auto inst = store.instantiate(cm, imports);
  if (!inst) return 0;

  for (const Export& ex : m.exports) {
    if (ex.kind != ExternKind::Func) continue;
    FuncInst* f = (*inst)->get_func(ex.name);
    if (!f || !f->type) continue;
    std::vector<Value> args;
    for (ValType t : f->type->params) args.push_back(zero_value(t));
    store.set_epoch_deadline(20);
    (void)invoke(store, f, args);  // traps are fine
  }
  return 0;
}
