// Lifting and lowering (CanonicalABI.md "Lifting and Lowering Values", definitions.py `load`,
// `store`, `lift_flat`, `lower_flat`, `lift_flat_values`, `lower_flat_values`): moving values
// between a component's linear memory / core values and Vals, with every check the canonical ABI
// makes (alignment, bounds, char and discriminant validity, string validity and transcoding,
// handle ownership), reported as traps worded as in the reference tests.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "component/abi/layout.hpp"
#include "component/runtime/resources.hpp"
#include "component/runtime/val.hpp"

namespace kumo::wasm {
class Store;
}

namespace kumo::component::rt {

// The canonical options of one `canon lift` / `canon lower`, resolved to run-time objects.
struct CanonOptions {
  StringEncoding encoding = StringEncoding::Utf8;
  wasm::MemoryInst* memory = nullptr;
  wasm::FuncInst* realloc = nullptr;      // (old_ptr, old_size, align, new_size) -> ptr
  wasm::FuncInst* post_return = nullptr;  // lift only
  abi::PtrType ptr = abi::PtrType::I32;   // the memory's address type
  bool is_async = false;                  // the `async` option
  wasm::FuncInst* callback = nullptr;     // async lift only: (event, p1, p2) -> packed code
};

// definitions.py LiftLowerContext, for one side of one call.
struct LiftLowerContext {
  wasm::Store& store;
  const CanonOptions& opts;
  InstanceState* inst;  // the instance whose memory and handle table are used
  const TypeEnv& env;   // resolves the resource types named by the ValTypes being moved
  // Callee side: lowered borrow handles are counted here (nullptr: lowering results, where
  // borrows cannot occur).
  BorrowScope* borrow_scope = nullptr;
  // Caller side: own handles lent by lift_borrow (indices into inst->handles); the caller's
  // num_lends are decremented once the call returns (release_lends).
  std::vector<uint32_t> lent;
  // Lifting only: strings are not read, just checked for alignment and bounds, and become
  // deferred Vals (Val::src_memory). Set only when the lifted values go straight to a lifted
  // callee's lowering (func.cpp `lower`), which reads them after its realloc like wasmtime.
  bool defer_strings = false;
  // Lifting only: list<u8> becomes a compact Val::bytes instead of a Val per byte. Set when the
  // values go to a host function (func.cpp `lower`); hosts read bytes through list_size()/
  // byte_list or the typed API.
  bool compact_bytes = false;
};

// Calls the realloc option: definitions.py `reallocate` (clears may_leave around the call, traps
// "realloc return: result not aligned" / "realloc return: beyond end of memory").
Trapping<uint64_t> reallocate(LiftLowerContext& cx, uint64_t old_ptr, uint64_t old_size,
                              uint32_t alignment, uint64_t new_size);

// Flat core values are one uint64_t each: i32 zero-extended, i64 as is, f32/f64 as raw bits.
// A reader over flat values (definitions.py CoreValueIter).
struct FlatReader {
  std::span<const uint64_t> values;
  size_t pos = 0;
  uint64_t next() { return values[pos++]; }
};

Trapping<Val> load(LiftLowerContext& cx, uint64_t ptr, const ValType& t);
Trapping<void> store(LiftLowerContext& cx, const Val& v, const ValType& t, uint64_t ptr);
Trapping<Val> lift_flat(LiftLowerContext& cx, FlatReader& in, const ValType& t);
Trapping<void> lower_flat(LiftLowerContext& cx, const Val& v, const ValType& t,
                          std::vector<uint64_t>& out);

// What lifting or lowering a list of values needs to know about their types: whether they
// travel flat (at most max_flat core values), else where each lies in memory. Lowered functions
// compute it once per signature instead of on every call.
struct TupleLayout {
  uint32_t alignment = 1;
  uint64_t size = 0;
  std::vector<uint64_t> offsets;
};
struct ValuesPlan {
  bool flat = true;
  TupleLayout layout;  // only when !flat
};
ValuesPlan plan_values(const TypeArena& arena, abi::PtrType ptr, size_t max_flat,
                       std::span<const ValType> types);

// definitions.py lift_flat_values: with more than `max_flat` flat values the values are read
// from memory at the pointer found in `in`.
Trapping<std::vector<Val>> lift_flat_values(LiftLowerContext& cx, size_t max_flat, FlatReader& in,
                                            std::span<const ValType> types);
// The same, appending to `vals` (which a caller may reuse).
Trapping<void> lift_flat_values_into(LiftLowerContext& cx, size_t max_flat, FlatReader& in,
                                     std::span<const ValType> types, std::vector<Val>& vals);
// With the plan of `types` (plan_values with the same max_flat and cx's arena and options).
Trapping<void> lift_flat_values_into(LiftLowerContext& cx, const ValuesPlan& plan, FlatReader& in,
                                     std::span<const ValType> types, std::vector<Val>& vals);
// definitions.py lower_flat_values: with more than `max_flat` flat values the values go to
// memory: at a fresh realloc'd tuple when `out_param` is null (parameters of a lifted call),
// otherwise at the pointer read from `out_param` (results of a lowered call), and then nothing is
// appended to `out`.
Trapping<void> lower_flat_values(LiftLowerContext& cx, size_t max_flat, std::span<const Val> vals,
                                 std::span<const ValType> types, std::vector<uint64_t>& out,
                                 FlatReader* out_param);
Trapping<void> lower_flat_values(LiftLowerContext& cx, const ValuesPlan& plan,
                                 std::span<const Val> vals, std::span<const ValType> types,
                                 std::vector<uint64_t>& out, FlatReader* out_param);

// Reads every deferred string in `v` (recursively) into Val::str, validating it with the traps
// of an eager lift. Anything handing lifted Vals to the host must call it first.
Trapping<void> materialize(Val& v);

// Decrements the num_lends of every handle lent through cx (after the callee returned).
void release_lends(LiftLowerContext& cx);

}  // namespace kumo::component::rt
