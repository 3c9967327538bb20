// Static Canonical ABI properties of component value types (CanonicalABI.md: "Alignment",
// "Element Size", "Flattening"): what the validator checks canon lift/lower against and what the
// runtime's lifting and lowering follow.
#pragma once

#include <cstdint>
#include <vector>

#include "component/types.hpp"

namespace kumo::component::abi {

constexpr size_t kMaxFlatParams = 16;
constexpr size_t kMaxFlatAsyncParams = 4;
constexpr size_t kMaxFlatResults = 1;
// Validation requires elem_size(t, i64) below this for every defined value type.
constexpr uint64_t kMaxValueSize = uint64_t(1) << 28;

enum class PtrType : uint8_t { I32, I64 };
inline wasm::ValType core_type(PtrType p) { return p == PtrType::I32 ? wasm::ValType::I32 : wasm::ValType::I64; }
inline uint32_t ptr_size(PtrType p) { return p == PtrType::I32 ? 4 : 8; }

// Byte alignment of a value of type `t` in linear memory.
uint32_t alignment(const TypeArena& arena, const ValType& t, PtrType ptr);
// Bytes taken by a value of type `t` as a list element. Saturates at UINT64_MAX / 2 rather than
// overflowing, so that huge fixed-size lists can be rejected by the caller.
uint64_t elem_size(const TypeArena& arena, const ValType& t, PtrType ptr);

// The discriminant of a variant with `n` cases: u8, u16 or u32.
PrimValType discriminant_type(size_t n);

// Appends the flat core types of `t` to `out`. Returns false (with `out` in an unspecified state)
// as soon as more than `limit` types would be needed, so that callers can switch to passing
// through memory without ever materialising huge flattenings.
bool flatten(const TypeArena& arena, const ValType& t, PtrType ptr, size_t limit,
             std::vector<wasm::ValType>& out);

// True if `t` transitively contains a string or a list (it needs memory, and realloc when the
// values are lowered into this component's memory).
bool contains_pointer(const TypeArena& arena, const ValType& t);

enum class Context : uint8_t { Lift, Lower };

// The core function type of `canon lift` / `canon lower` (flatten_functype), plus whether
// parameters and results pass through memory. `is_async` selects the async ABI (`callback`: the
// async lift has a callback and so returns an i32 status).
struct FlatSignature {
  wasm::FuncType type;
  bool params_in_memory = false;
  bool results_in_memory = false;
};
FlatSignature flatten_func(const TypeArena& arena, const FuncType& ft, PtrType ptr, Context ctx,
                           bool is_async = false, bool callback = false);

}  // namespace kumo::component::abi
