// Store object creation, tables, and the small accessors of Caller and Instance.
// (Store::instantiate is in instantiate.cpp; the constructor, destructor and exec() are in
// store_exec.cpp.)
#include "wasm/runtime/store.hpp"

#include <algorithm>
#include <new>

#include "wasm/runtime/host_func.hpp"

namespace kumo::wasm {

namespace {
// Resource cap on table elements (8 bytes each): a table without a maximum could otherwise be
// grown to 2^32 entries and exhaust the host. grow past it returns -1, like any failed grow.
constexpr uint64_t kMaxTableElements = 10'000'000;
}  // namespace

// ---------------------------------------------------------------------------------------------
// Tables

int64_t TableInst::grow(uint64_t delta, Ref init) {
  const uint64_t old = elems.size();
  if (delta > max - old) return -1;
  try {
    elems.resize(old + delta, init);
  } catch (const std::bad_alloc&) {
    return -1;
  }
  return int64_t(old);
}

// ---------------------------------------------------------------------------------------------
// Store

FuncInst* Store::new_func() { return &funcs_.emplace_back(); }
FuncInst* Store::new_funcs(size_t n) {
  if (n == 0) return nullptr;
  return func_blocks_.emplace_back(std::make_unique<FuncInst[]>(n)).get();
}
TableInst* Store::new_table() { return &tables_.emplace_back(); }
GlobalInst* Store::new_global() { return &globals_.emplace_back(); }
TagInst* Store::new_tag() { return &tags_.emplace_back(); }
MemoryInst* Store::adopt_memory(std::unique_ptr<MemoryInst> m) {
  return memories_.emplace_back(std::move(m)).get();
}

FuncInst* Store::add_host_func(uint32_t type_id, const FuncType* type, HostCallback callback) {
  FuncInst* f = new_func();
  f->type_id = type_id;
  f->type = type;
  f->host = std::move(callback);
  return f;
}

FuncInst* Store::add_host_func(const FuncType& type, HostCallback callback) {
  FuncInst* f = new_func();
  f->type_id = engine_.intern(type);
  f->type = &engine_.type_of(f->type_id);
  f->host = std::move(callback);
  return f;
}

Expected<MemoryInst*> Store::add_memory(const MemoryType& type, const MemoryImage* image) {
  KUMO_TRY(auto mem, MemoryInst::create(type, engine_.config(), image));
  return adopt_memory(std::move(mem));
}

Expected<TableInst*> Store::add_table(const TableType& type, Ref init) {
  const uint64_t spec_max = type.limits.is64 ? UINT64_MAX : UINT32_MAX;
  const uint64_t max = std::min({type.limits.max.value_or(spec_max), spec_max, kMaxTableElements});
  if (type.limits.min > max) {
    return err("table of {} elements exceeds the limit of {} elements", type.limits.min, max);
  }
  TableInst* t = new_table();
  t->type = type;
  t->max = max;
  t->elems.assign(type.limits.min, init);
  return t;
}

GlobalInst* Store::add_global(const GlobalType& type, const Value& init) {
  GlobalInst* g = new_global();
  g->type = type;
  Value v = init;
  v.type = type.type;  // the global's type decides the slot layout
  value_to_slots(v, g->value);
  return g;
}

TagInst* Store::add_tag(const FuncType& type) {
  TagInst* t = new_tag();
  t->type_id = engine_.intern(type);
  t->type = &engine_.type_of(t->type_id);
  return t;
}

// ---------------------------------------------------------------------------------------------
// Caller and Instance

MemoryInst* Caller::memory(uint32_t index) const {
  if (instance == nullptr || index >= instance->memories.size()) return nullptr;
  return instance->memories[index];
}

MemoryInst* Caller::exported_memory(std::string_view name) const {
  return instance == nullptr ? nullptr : instance->get_memory(name);
}

std::optional<Extern> Instance::get_export(std::string_view name) const {
  auto i = compiled->find_export(name);
  if (!i) return std::nullopt;
  return exports[*i];
}

FuncInst* Instance::get_func(std::string_view name) const {
  auto e = get_export(name);
  return e && e->kind == ExternKind::Func ? e->func : nullptr;
}

MemoryInst* Instance::get_memory(std::string_view name) const {
  auto e = get_export(name);
  return e && e->kind == ExternKind::Memory ? e->memory : nullptr;
}

}  // namespace kumo::wasm
