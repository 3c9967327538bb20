#include "cli/spectest_host.hpp"

#include <utility>
#include <vector>

namespace kumo::cli {

using wasm::ValType;

Expected<void> define_spectest(wasm::Linker& linker, wasm::Store& store) {
  const char* m = "spectest";
  // The reference interpreter prints the arguments; a test runner's output is about failures,
  // so these only consume them.
  const std::pair<const char*, std::vector<ValType>> prints[] = {
      {"print", {}},
      {"print_i32", {ValType::I32}},
      {"print_i64", {ValType::I64}},
      {"print_f32", {ValType::F32}},
      {"print_f64", {ValType::F64}},
      {"print_i32_f32", {ValType::I32, ValType::F32}},
      {"print_f64_f64", {ValType::F64, ValType::F64}},
  };
  for (const auto& [name, params] : prints) {
    linker.define_func(store, m, name, wasm::FuncType{params, {}},
                       [](wasm::Caller&, uint64_t*) -> Expected<void, wasm::Trap> { return {}; });
  }

  auto global = [&](const char* name, ValType t, wasm::Value v) {
    linker.define(m, name, wasm::Extern::of(store.add_global(wasm::GlobalType{t, false}, v)));
  };
  global("global_i32", ValType::I32, wasm::Value::from_i32(666));
  global("global_i64", ValType::I64, wasm::Value::from_i64(666));
  global("global_f32", ValType::F32, wasm::Value::from_f32(666.6f));
  global("global_f64", ValType::F64, wasm::Value::from_f64(666.6));

  wasm::TableType table{ValType::funcref(), wasm::Limits{10, 20, false, false}};
  KUMO_TRY(wasm::TableInst * t, store.add_table(table));
  linker.define(m, "table", wasm::Extern::of(t));
  table.limits.is64 = true;
  KUMO_TRY(wasm::TableInst * t64, store.add_table(table));
  linker.define(m, "table64", wasm::Extern::of(t64));

  KUMO_TRY(wasm::MemoryInst * mem, store.add_memory(wasm::MemoryType{wasm::Limits{1, 2, false, false}}));
  linker.define(m, "memory", wasm::Extern::of(mem));
  KUMO_TRY(wasm::MemoryInst * shared,
           store.add_memory(wasm::MemoryType{wasm::Limits{1, 2, true, false}}));
  linker.define(m, "shared_memory", wasm::Extern::of(shared));
  return {};
}

}  // namespace kumo::cli
