// invoke(): calls a function from the host with typed Values (the dynamic API; TypedFunc in
// host_func.hpp is the allocation-free typed one).
#include <vector>

#include "wasm/interp/interp.hpp"
#include "wasm/runtime/host_func.hpp"
#include "wasm/runtime/store.hpp"

namespace kumo::wasm {

namespace {

// The root of a heap type's hierarchy (func, extern, exn, any), or 0 when it cannot be told
// without the defining module (a concrete type index).
uint32_t heap_top(HeapType h) {
  if (h.is_concrete()) return 0;
  switch (h.value) {
    case HeapType::Func: case HeapType::NoFunc: return HeapType::Func;
    case HeapType::Extern: case HeapType::NoExtern: return HeapType::Extern;
    case HeapType::Exn: case HeapType::NoExn: return HeapType::Exn;
    default: return HeapType::Any;
  }
}

// Numbers must match exactly; a reference must be in the parameter's hierarchy, and non-null
// when the parameter is non-nullable.
bool value_matches(const Value& v, ValType param) {
  if (!param.is_ref()) return v.type == param;
  if (!v.type.is_ref()) return false;
  if (v.ref == nullptr && !param.nullable()) return false;
  uint32_t a = heap_top(v.type.heap()), b = heap_top(param.heap());
  return a == 0 || b == 0 || a == b;
}

}  // namespace

Expected<std::vector<Value>, Trap> invoke(Store& store, FuncInst* func, std::span<const Value> args) {
  if (func == nullptr) return make_trap(TrapCode::HostError, "invoke: null function");
  const FuncType& type = *func->type;
  if (args.size() != type.params.size()) {
    return make_trap(TrapCode::HostError, fmt::format("invoke: expected {} arguments, got {}",
                                                      type.params.size(), args.size()));
  }
  for (size_t i = 0; i < args.size(); ++i) {
    if (!value_matches(args[i], type.params[i])) {
      return make_trap(TrapCode::HostError,
                       fmt::format("invoke: argument {} has type {}, expected {}", i,
                                   to_string(args[i].type), to_string(type.params[i])));
    }
  }

  std::vector<uint64_t> slots(std::max(call_slot_count(type), 1u));
  unsigned at = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    Value v = args[i];
    v.type = type.params[i];
    value_to_slots(v, slots.data() + at);
    at += slot_count(type.params[i]);
  }

  Expected<void, Trap> r = interp::call(store, func, slots.data());
  if (!r) return Unexpected<Trap>{std::move(r.error())};

  std::vector<Value> results;
  results.reserve(type.results.size());
  at = 0;
  for (ValType t : type.results) {
    results.push_back(value_from_slots(t, slots.data() + at));
    at += slot_count(t);
  }
  return results;
}

}  // namespace kumo::wasm
