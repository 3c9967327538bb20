// Internals shared by the canonical ABI implementation files (abi_*.cpp); not an API.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "component/runtime/canon_abi.hpp"

namespace kumo::component::rt::detail {

// definitions.py limits, except for strings: definitions.py allows 2^28-1 bytes, wasmtime (whose
// big-strings.wast the suites run) 2^31-1 bytes in the source encoding, and also traps before any
// realloc asked for more (e.g. UTF-8 to UTF-16 of more than 2^30-1 bytes). The reference suite has
// no test of the 2^28-1 limit, so Kumo follows wasmtime.
constexpr uint64_t kMaxStringByteLength = (uint64_t(1) << 31) - 1;
constexpr uint64_t kMaxListByteLength = (uint64_t(1) << 28) - 1;

// ---------------------------------------------------------------------------------------------
// Types, despecialized (definitions.py `despecialize`): tuples are records, enums/options/results
// are variants, maps are lists of (key, value) tuples.

enum class Shape : uint8_t {
  Prim,
  List,
  FixedList,
  Map,
  Record,
  Variant,
  Flags,
  Own,
  Borrow,
  Unsupported,
};

struct View {
  Shape shape = Shape::Prim;
  PrimValType prim = PrimValType::Bool;  // Prim
  const DefinedType* d = nullptr;        // everything else
};

View view(const TypeArena& arena, const ValType& t);

// Record-like types (record, tuple).
size_t num_fields(const DefinedType& d);
const ValType& field_type(const DefinedType& d, size_t i);
// Variant-like types (variant, enum, option, result).
size_t num_cases(const DefinedType& d);
std::optional<ValType> case_type(const DefinedType& d, size_t i);
uint32_t max_case_alignment(const TypeArena& arena, const DefinedType& d, abi::PtrType ptr);
// The Val kind a lifted value of this record/variant-like type has.
ValKind record_kind(const DefinedType& d);
ValKind variant_kind(const DefinedType& d);
ValKind prim_kind(PrimValType p);

inline uint64_t align_to(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }
inline uint32_t disc_size(size_t cases) { return cases <= 256 ? 1 : cases <= 65536 ? 2 : 4; }
inline uint32_t flags_size(size_t labels) { return labels <= 8 ? 1 : labels <= 16 ? 2 : 4; }

// Layout of a tuple of `types` that is not in the arena (a map entry; spilled parameters).
TupleLayout tuple_layout(const TypeArena& arena, std::span<const ValType> types, abi::PtrType ptr);

// ---------------------------------------------------------------------------------------------
// Linear memory: every access is checked against the memory's current size (realloc may grow or
// move it, so `base` is re-read each time).

inline uint32_t ptr_size(const LiftLowerContext& cx) { return abi::ptr_size(cx.opts.ptr); }
inline bool in_bounds(const LiftLowerContext& cx, uint64_t ptr, uint64_t len) {
  uint64_t size = cx.opts.memory ? cx.opts.memory->size : 0;
  return ptr <= size && len <= size - ptr;
}
inline uint8_t* at(LiftLowerContext& cx, uint64_t ptr) { return cx.opts.memory->base + ptr; }

Trapping<void> require_memory(const LiftLowerContext& cx);
Trapping<uint64_t> load_uint(LiftLowerContext& cx, uint64_t ptr, uint32_t nbytes);
Trapping<void> store_uint(LiftLowerContext& cx, uint64_t v, uint64_t ptr, uint32_t nbytes);

// reallocate with the checks of its call sites: alignment ("unaligned pointer") and that
// [result, result + new_size) lies in memory (`what` names the content for the message).
Trapping<uint64_t> reallocate_checked(LiftLowerContext& cx, uint64_t old_ptr, uint64_t old_size,
                                      uint32_t alignment, uint64_t new_size, const char* what);

// ---------------------------------------------------------------------------------------------
// Pieces implemented in separate files.

// abi_strings.cpp
Trapping<Val> load_string_from_range(LiftLowerContext& cx, uint64_t ptr,
                                     uint64_t tagged_code_units);
Trapping<std::pair<uint64_t, uint64_t>> store_string_into_range(LiftLowerContext& cx, const Val& v);

// abi_memory.cpp
// The list Val at (ptr, length): compact bytes for list<u8> when cx.compact_bytes, else elements.
Trapping<Val> load_list_val(LiftLowerContext& cx, uint64_t ptr, uint64_t length, const View& list);
Trapping<std::vector<Val>> load_list_from_range(LiftLowerContext& cx, uint64_t ptr, uint64_t length,
                                                const View& list);
Trapping<std::pair<uint64_t, uint64_t>> store_list_into_range(LiftLowerContext& cx, const Val& v,
                                                              const View& list);
Val unpack_flags(uint64_t bits, size_t labels);
uint64_t pack_flags(const Val& v, size_t labels);
Trapping<void> check_kind(const LiftLowerContext& cx, const Val& v, ValKind want, const ValType& t);
// Checks a variant-like Val against its type `t` (view `w`) before lowering: kind, case index in
// range, payload present exactly when the case has one. Returns the case's payload type.
Trapping<std::optional<ValType>> check_variant_case(const LiftLowerContext& cx, const Val& v,
                                                    const View& w, const ValType& t);
Trapping<char32_t> convert_i32_to_char(uint64_t i);
Trapping<uint32_t> char_to_i32(const Val& v);
uint32_t canonical_f32_bits(float f);
uint64_t canonical_f64_bits(double f);
Val make_variant(const DefinedType& d, uint32_t index, std::optional<Val> payload);

// abi_handles.cpp
Trapping<Val> lift_own(LiftLowerContext& cx, uint32_t i, const DefinedType& t);
Trapping<Val> lift_borrow(LiftLowerContext& cx, uint32_t i, const DefinedType& t);
Trapping<uint32_t> lower_own(LiftLowerContext& cx, const Val& v, const DefinedType& t);
Trapping<uint32_t> lower_borrow(LiftLowerContext& cx, const Val& v, const DefinedType& t);

}  // namespace kumo::component::rt::detail
