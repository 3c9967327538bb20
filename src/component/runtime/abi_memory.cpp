// Loading and storing values in linear memory (definitions.py "Loading", "Storing"), and the
// type and memory helpers the other abi_*.cpp files share.
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "component/runtime/abi_detail.hpp"
#include "wasm/interp/interp.hpp"

namespace kumo::component::rt {

using namespace detail;

namespace detail {

// ---------------------------------------------------------------------------------------------
// Types

View view(const TypeArena& arena, const ValType& t) {
  View v;
  if (t.is_primitive()) {
    v.prim = t.prim();
    v.shape = v.prim == PrimValType::ErrorContext ? Shape::Unsupported : Shape::Prim;
    return v;
  }
  const DefinedType& d = arena.defined(t.type());
  v.d = &d;
  switch (d.kind) {
    case DefinedKind::Primitive:
      v.prim = d.prim;
      v.shape = v.prim == PrimValType::ErrorContext ? Shape::Unsupported : Shape::Prim;
      break;
    case DefinedKind::Record: case DefinedKind::Tuple: v.shape = Shape::Record; break;
    case DefinedKind::Variant: case DefinedKind::Enum: case DefinedKind::Option:
    case DefinedKind::Result:
      v.shape = Shape::Variant;
      break;
    case DefinedKind::List: v.shape = Shape::List; break;
    case DefinedKind::FixedList: v.shape = Shape::FixedList; break;
    case DefinedKind::Map: v.shape = Shape::Map; break;
    case DefinedKind::Flags: v.shape = Shape::Flags; break;
    case DefinedKind::Own: v.shape = Shape::Own; break;
    case DefinedKind::Borrow: v.shape = Shape::Borrow; break;
    case DefinedKind::Stream: case DefinedKind::Future: v.shape = Shape::Unsupported; break;
  }
  return v;
}

size_t num_fields(const DefinedType& d) {
  return d.kind == DefinedKind::Record ? d.fields.size() : d.types.size();
}
const ValType& field_type(const DefinedType& d, size_t i) {
  return d.kind == DefinedKind::Record ? d.fields[i].type : d.types[i];
}

size_t num_cases(const DefinedType& d) {
  switch (d.kind) {
    case DefinedKind::Variant: return d.cases.size();
    case DefinedKind::Enum: return d.labels.size();
    default: return 2;  // option, result
  }
}
std::optional<ValType> case_type(const DefinedType& d, size_t i) {
  switch (d.kind) {
    case DefinedKind::Variant: return d.cases[i].type;
    case DefinedKind::Enum: return std::nullopt;
    case DefinedKind::Option: return i == 0 ? std::nullopt : d.elem;
    default: return i == 0 ? d.ok : d.err;
  }
}
uint32_t max_case_alignment(const TypeArena& arena, const DefinedType& d, abi::PtrType ptr) {
  uint32_t a = 1;
  for (size_t i = 0, n = num_cases(d); i < n; ++i) {
    if (auto c = case_type(d, i)) a = std::max(a, abi::alignment(arena, *c, ptr));
  }
  return a;
}

ValKind record_kind(const DefinedType& d) {
  return d.kind == DefinedKind::Record ? ValKind::Record : ValKind::Tuple;
}
ValKind variant_kind(const DefinedType& d) {
  switch (d.kind) {
    case DefinedKind::Enum: return ValKind::Enum;
    case DefinedKind::Option: return ValKind::Option;
    case DefinedKind::Result: return ValKind::Result;
    default: return ValKind::Variant;
  }
}
ValKind prim_kind(PrimValType p) {
  switch (p) {
    case PrimValType::Bool: return ValKind::Bool;
    case PrimValType::S8: return ValKind::S8;
    case PrimValType::U8: return ValKind::U8;
    case PrimValType::S16: return ValKind::S16;
    case PrimValType::U16: return ValKind::U16;
    case PrimValType::S32: return ValKind::S32;
    case PrimValType::U32: return ValKind::U32;
    case PrimValType::S64: return ValKind::S64;
    case PrimValType::U64: return ValKind::U64;
    case PrimValType::F32: return ValKind::F32;
    case PrimValType::F64: return ValKind::F64;
    case PrimValType::Char: return ValKind::Char;
    default: return ValKind::String;
  }
}

Val make_variant(const DefinedType& d, uint32_t index, std::optional<Val> payload) {
  Val v;
  v.kind = variant_kind(d);
  v.index = index;
  if (payload) v.items.push_back(std::move(*payload));
  return v;
}

TupleLayout tuple_layout(const TypeArena& arena, std::span<const ValType> types, abi::PtrType ptr) {
  TupleLayout l;
  uint64_t s = 0;
  for (const ValType& t : types) {
    uint32_t a = abi::alignment(arena, t, ptr);
    l.alignment = std::max(l.alignment, a);
    s = align_to(s, a);
    l.offsets.push_back(s);
    s += abi::elem_size(arena, t, ptr);
  }
  l.size = align_to(s, l.alignment);
  return l;
}

// ---------------------------------------------------------------------------------------------
// Scalars

Trapping<char32_t> convert_i32_to_char(uint64_t i) {
  if (i >= 0x110000 || (i >= 0xD800 && i <= 0xDFFF)) {
    return abi_trap(fmt::format("invalid `char` bit pattern: {:#x}", i));
  }
  return char32_t(i);
}

Trapping<uint32_t> char_to_i32(const Val& v) {
  uint32_t c = uint32_t(v.c);
  if (c >= 0x110000 || (c >= 0xD800 && c <= 0xDFFF)) {
    return abi_trap(fmt::format("invalid `char` bit pattern: {:#x}", c));
  }
  return c;
}

// Lowering is allowed to pick any NaN (definitions.py maybe_scramble_nan); Kumo is deterministic
// and always writes the canonical one.
uint32_t canonical_f32_bits(float f) {
  return std::isnan(f) ? 0x7fc00000u : std::bit_cast<uint32_t>(f);
}
uint64_t canonical_f64_bits(double f) {
  return std::isnan(f) ? 0x7ff8000000000000ull : std::bit_cast<uint64_t>(f);
}

Val unpack_flags(uint64_t bits, size_t labels) {
  std::vector<uint32_t> words((labels + 31) / 32, 0);
  for (size_t i = 0; i < labels && i < 64; ++i) {
    if ((bits >> i) & 1) words[i / 32] |= 1u << (i % 32);
  }
  return Val::flag_set(std::move(words));
}

uint64_t pack_flags(const Val& v, size_t labels) {
  uint64_t bits = 0;
  for (size_t i = 0; i < labels && i < 64; ++i) {
    if (v.flag(uint32_t(i))) bits |= uint64_t(1) << i;
  }
  return bits;
}

Trapping<std::optional<ValType>> check_variant_case(const LiftLowerContext& cx, const Val& v, const View& w,
                                                    const ValType& t) {
  KUMO_CHECK(check_kind(cx, v, variant_kind(*w.d), t));
  const TypeArena& arena = *cx.env.arena;
  size_t n = num_cases(*w.d);
  if (v.index >= n) {
    return abi_trap(fmt::format("invalid variant discriminant: case {} out of range [0..{}) for {}", v.index,
                                n, to_string(arena, t)));
  }
  auto ct = case_type(*w.d, v.index);
  if (ct.has_value() != v.has_payload()) {
    return abi_trap(
        fmt::format("case {} of {} {} a payload", v.index, to_string(arena, t), ct ? "needs" : "has no"));
  }
  return ct;
}

Trapping<void> check_kind(const LiftLowerContext& cx, const Val& v, ValKind want, const ValType& t) {
  if (v.kind == want) return {};
  // Record and tuple values are both positional, as are the variant-like kinds (case index plus
  // optional payload): accept either spelling from the host.
  auto record_like = [](ValKind k) { return k == ValKind::Record || k == ValKind::Tuple; };
  auto variant_like = [](ValKind k) {
    return k == ValKind::Variant || k == ValKind::Enum || k == ValKind::Option || k == ValKind::Result;
  };
  if ((record_like(v.kind) && record_like(want)) || (variant_like(v.kind) && variant_like(want))) return {};
  return abi_trap(fmt::format("cannot lower a {} value as type {}", to_string(v.kind),
                              cx.env.arena ? to_string(*cx.env.arena, t) : to_string(want)));
}

// ---------------------------------------------------------------------------------------------
// Memory

Trapping<void> require_memory(const LiftLowerContext& cx) {
  if (!cx.opts.memory) return abi_trap("canonical option `memory` is required");
  return {};
}

Trapping<uint64_t> load_uint(LiftLowerContext& cx, uint64_t ptr, uint32_t nbytes) {
  KUMO_CHECK(require_memory(cx));
  if (!in_bounds(cx, ptr, nbytes)) return wasm::make_trap(wasm::TrapCode::MemoryOutOfBounds);
  uint64_t v = 0;
  std::memcpy(&v, at(cx, ptr), nbytes);  // little-endian host
  return v;
}

Trapping<void> store_uint(LiftLowerContext& cx, uint64_t v, uint64_t ptr, uint32_t nbytes) {
  KUMO_CHECK(require_memory(cx));
  if (!in_bounds(cx, ptr, nbytes)) return wasm::make_trap(wasm::TrapCode::MemoryOutOfBounds);
  std::memcpy(at(cx, ptr), &v, nbytes);
  return {};
}

Trapping<uint64_t> reallocate_checked(LiftLowerContext& cx, uint64_t old_ptr, uint64_t old_size,
                                      uint32_t alignment, uint64_t new_size, const char* what) {
  KUMO_CHECK(require_memory(cx));
  wasm::FuncInst* f = cx.opts.realloc;
  if (!f) return abi_trap("canonical option `realloc` is required");
  if (!f->type || f->type->params.size() != 4 || f->type->results.size() != 1) {
    return abi_trap("realloc has the wrong type");
  }
  uint64_t slots[4] = {old_ptr, old_size, alignment, new_size};
  // definitions.py reallocate: the callee may not call imports while allocating.
  bool saved = cx.inst ? cx.inst->may_leave : true;
  if (cx.inst) cx.inst->may_leave = false;
  auto r = wasm::interp::call(cx.store, f, slots);
  if (cx.inst) cx.inst->may_leave = saved;
  if (!r) return Unexpected{std::move(r.error())};
  uint64_t ptr = cx.opts.ptr == abi::PtrType::I32 ? (slots[0] & 0xffffffffu) : slots[0];
  if (ptr % alignment != 0) {
    return abi_trap(fmt::format("unaligned pointer: realloc return: result not aligned "
                                "(pointer {:#x}, alignment {})", ptr, alignment));
  }
  if (!in_bounds(cx, ptr, new_size)) {
    return abi_trap(fmt::format("{}realloc return: beyond end of memory (pointer {:#x}, size {}, "
                                "memory size {})", what, ptr, new_size, cx.opts.memory->size));
  }
  return ptr;
}

}  // namespace detail

Trapping<uint64_t> reallocate(LiftLowerContext& cx, uint64_t old_ptr, uint64_t old_size,
                              uint32_t alignment, uint64_t new_size) {
  return reallocate_checked(cx, old_ptr, old_size, alignment, new_size, "");
}

// ---------------------------------------------------------------------------------------------
// Loading

namespace {

Trapping<Val> load_value(LiftLowerContext& cx, uint64_t ptr, const ValType& t);

Trapping<Val> load_prim(LiftLowerContext& cx, uint64_t ptr, PrimValType p) {
  switch (p) {
    case PrimValType::Bool: { KUMO_TRY(uint64_t i, load_uint(cx, ptr, 1)); return Val::boolean(i != 0); }
    case PrimValType::U8: { KUMO_TRY(uint64_t i, load_uint(cx, ptr, 1)); return Val::u8(uint8_t(i)); }
    case PrimValType::S8: { KUMO_TRY(uint64_t i, load_uint(cx, ptr, 1)); return Val::s8(int8_t(i)); }
    case PrimValType::U16: { KUMO_TRY(uint64_t i, load_uint(cx, ptr, 2)); return Val::u16(uint16_t(i)); }
    case PrimValType::S16: { KUMO_TRY(uint64_t i, load_uint(cx, ptr, 2)); return Val::s16(int16_t(i)); }
    case PrimValType::U32: { KUMO_TRY(uint64_t i, load_uint(cx, ptr, 4)); return Val::u32(uint32_t(i)); }
    case PrimValType::S32: { KUMO_TRY(uint64_t i, load_uint(cx, ptr, 4)); return Val::s32(int32_t(i)); }
    case PrimValType::U64: { KUMO_TRY(uint64_t i, load_uint(cx, ptr, 8)); return Val::u64(i); }
    case PrimValType::S64: { KUMO_TRY(uint64_t i, load_uint(cx, ptr, 8)); return Val::s64(int64_t(i)); }
    case PrimValType::F32: {
      KUMO_TRY(uint64_t i, load_uint(cx, ptr, 4));
      return Val::float32(std::bit_cast<float>(canonical_f32_bits(std::bit_cast<float>(uint32_t(i)))));
    }
    case PrimValType::F64: {
      KUMO_TRY(uint64_t i, load_uint(cx, ptr, 8));
      return Val::float64(std::bit_cast<double>(canonical_f64_bits(std::bit_cast<double>(i))));
    }
    case PrimValType::Char: {
      KUMO_TRY(uint64_t i, load_uint(cx, ptr, 4));
      KUMO_TRY(char32_t c, convert_i32_to_char(i));
      return Val::character(c);
    }
    case PrimValType::String: {
      KUMO_TRY(uint64_t begin, load_uint(cx, ptr, ptr_size(cx)));
      KUMO_TRY(uint64_t units, load_uint(cx, ptr + ptr_size(cx), ptr_size(cx)));
      return load_string_from_range(cx, begin, units);
    }
    case PrimValType::ErrorContext: break;
  }
  return abi_trap("error-context values are not supported");
}

// A map entry: a (key, value) tuple.
Trapping<Val> load_map_entry(LiftLowerContext& cx, uint64_t ptr, const DefinedType& map) {
  const TypeArena& arena = *cx.env.arena;
  ValType kv[2] = {*map.key, *map.elem};
  TupleLayout l = tuple_layout(arena, kv, cx.opts.ptr);
  KUMO_TRY(Val k, load_value(cx, ptr + l.offsets[0], kv[0]));
  KUMO_TRY(Val v, load_value(cx, ptr + l.offsets[1], kv[1]));
  return Val::tuple({std::move(k), std::move(v)});
}

Trapping<Val> load_value(LiftLowerContext& cx, uint64_t ptr, const ValType& t) {
  const TypeArena& arena = *cx.env.arena;
  View w = view(arena, t);
  switch (w.shape) {
    case Shape::Prim: return load_prim(cx, ptr, w.prim);
    case Shape::List: case Shape::Map: {
      KUMO_TRY(uint64_t begin, load_uint(cx, ptr, ptr_size(cx)));
      KUMO_TRY(uint64_t length, load_uint(cx, ptr + ptr_size(cx), ptr_size(cx)));
      return load_list_val(cx, begin, length, w);
    }
    case Shape::FixedList: {
      uint64_t es = abi::elem_size(arena, *w.d->elem, cx.opts.ptr);
      std::vector<Val> items;
      items.reserve(w.d->length);
      for (uint32_t i = 0; i < w.d->length; ++i) {
        KUMO_TRY(Val e, load_value(cx, ptr + i * es, *w.d->elem));
        items.push_back(std::move(e));
      }
      return Val::list(std::move(items));
    }
    case Shape::Record: {
      Val r;
      r.kind = record_kind(*w.d);
      for (size_t i = 0, n = num_fields(*w.d); i < n; ++i) {
        const ValType& ft = field_type(*w.d, i);
        ptr = align_to(ptr, abi::alignment(arena, ft, cx.opts.ptr));
        KUMO_TRY(Val f, load_value(cx, ptr, ft));
        r.items.push_back(std::move(f));
        ptr += abi::elem_size(arena, ft, cx.opts.ptr);
      }
      return r;
    }
    case Shape::Variant: {
      size_t n = num_cases(*w.d);
      uint32_t ds = disc_size(n);
      KUMO_TRY(uint64_t index, load_uint(cx, ptr, ds));
      if (index >= n) {
        return abi_trap(fmt::format("invalid variant discriminant: discriminant {} out of range [0..{})",
                                    index, n));
      }
      ptr = align_to(ptr + ds, max_case_alignment(arena, *w.d, cx.opts.ptr));
      std::optional<Val> payload;
      if (auto ct = case_type(*w.d, index)) {
        KUMO_TRY(Val p, load_value(cx, ptr, *ct));
        payload = std::move(p);
      }
      return make_variant(*w.d, uint32_t(index), std::move(payload));
    }
    case Shape::Flags: {
      KUMO_TRY(uint64_t bits, load_uint(cx, ptr, flags_size(w.d->labels.size())));
      return unpack_flags(bits, w.d->labels.size());
    }
    case Shape::Own: {
      KUMO_TRY(uint64_t i, load_uint(cx, ptr, 4));
      return lift_own(cx, uint32_t(i), *w.d);
    }
    case Shape::Borrow: {
      KUMO_TRY(uint64_t i, load_uint(cx, ptr, 4));
      return lift_borrow(cx, uint32_t(i), *w.d);
    }
    case Shape::Unsupported: break;
  }
  return abi_trap(fmt::format("values of type {} are not supported", to_string(arena, t)));
}

}  // namespace

namespace detail {

Trapping<Val> load_list_val(LiftLowerContext& cx, uint64_t ptr, uint64_t length, const View& list) {
  if (cx.compact_bytes && list.shape == Shape::List) {
    const TypeArena& arena = *cx.env.arena;
    const ValType& et = *list.d->elem;
    PrimValType p = PrimValType::Bool;
    if (et.is_primitive()) p = et.prim();
    else if (arena.defined(et.type()).kind == DefinedKind::Primitive) p = arena.defined(et.type()).prim;
    if (p == PrimValType::U8 && (et.is_primitive() || arena.defined(et.type()).kind == DefinedKind::Primitive)) {
      KUMO_CHECK(require_memory(cx));
      if (length > kMaxListByteLength || !in_bounds(cx, ptr, length)) {
        return abi_trap(fmt::format("list content out-of-bounds: list pointer/length out of bounds of "
                                    "memory (pointer {:#x}, {} bytes)", ptr, length));
      }
      return Val::bytes(std::string_view(reinterpret_cast<const char*>(at(cx, ptr)), length));
    }
  }
  KUMO_TRY(auto items, load_list_from_range(cx, ptr, length, list));
  return Val::list(std::move(items));
}

Trapping<std::vector<Val>> load_list_from_range(LiftLowerContext& cx, uint64_t ptr, uint64_t length,
                                                const View& list) {
  const TypeArena& arena = *cx.env.arena;
  uint32_t align;
  uint64_t es;
  if (list.shape == Shape::Map) {
    ValType kv[2] = {*list.d->key, *list.d->elem};
    TupleLayout l = tuple_layout(arena, kv, cx.opts.ptr);
    align = l.alignment;
    es = l.size;
  } else {
    align = abi::alignment(arena, *list.d->elem, cx.opts.ptr);
    es = abi::elem_size(arena, *list.d->elem, cx.opts.ptr);
  }
  if (es != 0 && length > kMaxListByteLength / es) {
    return abi_trap(fmt::format("list content out-of-bounds: {} elements of {} bytes exceed the "
                                "maximum list size", length, es));
  }
  if (ptr % align != 0) {
    return abi_trap(fmt::format("unaligned pointer: list pointer {:#x} not aligned to {}", ptr, align));
  }
  KUMO_CHECK(require_memory(cx));
  if (!in_bounds(cx, ptr, length * es)) {
    return abi_trap(fmt::format("list content out-of-bounds: list pointer/length out of bounds of "
                                "memory (pointer {:#x}, {} bytes)", ptr, length * es));
  }
  std::vector<Val> items;
  items.reserve(length);
  for (uint64_t i = 0; i < length; ++i) {
    auto e = list.shape == Shape::Map ? load_map_entry(cx, ptr + i * es, *list.d)
                                      : load_value(cx, ptr + i * es, *list.d->elem);
    if (!e) return Unexpected{std::move(e.error())};
    items.push_back(std::move(*e));
  }
  return items;
}

}  // namespace detail

Trapping<Val> load(LiftLowerContext& cx, uint64_t ptr, const ValType& t) {
  KUMO_CHECK(require_memory(cx));
  const TypeArena& arena = *cx.env.arena;
  if (ptr % abi::alignment(arena, t, cx.opts.ptr) != 0) {
    return abi_trap(fmt::format("unaligned pointer: {:#x}", ptr));
  }
  if (!in_bounds(cx, ptr, abi::elem_size(arena, t, cx.opts.ptr))) {
    return abi_trap(fmt::format("pointer {:#x} out of bounds of memory", ptr));
  }
  return load_value(cx, ptr, t);
}

// ---------------------------------------------------------------------------------------------
// Storing

namespace {

Trapping<void> store_value(LiftLowerContext& cx, const Val& v, const ValType& t, uint64_t ptr);

Trapping<void> store_prim(LiftLowerContext& cx, const Val& v, const ValType& t, PrimValType p,
                          uint64_t ptr) {
  if (p == PrimValType::ErrorContext) return abi_trap("error-context values are not supported");
  KUMO_CHECK(check_kind(cx, v, prim_kind(p), t));
  switch (p) {
    case PrimValType::Bool: return store_uint(cx, v.b ? 1 : 0, ptr, 1);
    case PrimValType::U8: case PrimValType::S8: return store_uint(cx, v.u, ptr, 1);
    case PrimValType::U16: case PrimValType::S16: return store_uint(cx, v.u, ptr, 2);
    case PrimValType::U32: case PrimValType::S32: return store_uint(cx, v.u, ptr, 4);
    case PrimValType::U64: case PrimValType::S64: return store_uint(cx, v.u, ptr, 8);
    case PrimValType::F32: return store_uint(cx, canonical_f32_bits(v.f32), ptr, 4);
    case PrimValType::F64: return store_uint(cx, canonical_f64_bits(v.f64), ptr, 8);
    case PrimValType::Char: {
      KUMO_TRY(uint32_t c, char_to_i32(v));
      return store_uint(cx, c, ptr, 4);
    }
    case PrimValType::String: {
      KUMO_TRY(auto range, store_string_into_range(cx, v));
      KUMO_CHECK(store_uint(cx, range.first, ptr, ptr_size(cx)));
      return store_uint(cx, range.second, ptr + ptr_size(cx), ptr_size(cx));
    }
    case PrimValType::ErrorContext: break;
  }
  return {};
}

Trapping<void> store_map_entry(LiftLowerContext& cx, const Val& e, const DefinedType& map,
                               uint64_t ptr) {
  if (e.kind != ValKind::Tuple || e.items.size() != 2) {
    return abi_trap(fmt::format("cannot lower {} as a map entry (a tuple of key and value)",
                                to_string(e)));
  }
  ValType kv[2] = {*map.key, *map.elem};
  TupleLayout l = tuple_layout(*cx.env.arena, kv, cx.opts.ptr);
  KUMO_CHECK(store_value(cx, e.items[0], kv[0], ptr + l.offsets[0]));
  return store_value(cx, e.items[1], kv[1], ptr + l.offsets[1]);
}

Trapping<void> store_value(LiftLowerContext& cx, const Val& v, const ValType& t, uint64_t ptr) {
  const TypeArena& arena = *cx.env.arena;
  View w = view(arena, t);
  switch (w.shape) {
    case Shape::Prim: return store_prim(cx, v, t, w.prim, ptr);
    case Shape::List: case Shape::Map: {
      KUMO_CHECK(check_kind(cx, v, ValKind::List, t));
      KUMO_TRY(auto range, store_list_into_range(cx, v, w));
      KUMO_CHECK(store_uint(cx, range.first, ptr, ptr_size(cx)));
      return store_uint(cx, range.second, ptr + ptr_size(cx), ptr_size(cx));
    }
    case Shape::FixedList: {
      KUMO_CHECK(check_kind(cx, v, ValKind::List, t));
      if (v.items.size() != w.d->length) {
        return abi_trap(fmt::format("cannot lower a list of {} elements as {}", v.items.size(),
                                    to_string(arena, t)));
      }
      uint64_t es = abi::elem_size(arena, *w.d->elem, cx.opts.ptr);
      for (size_t i = 0; i < v.items.size(); ++i) {
        KUMO_CHECK(store_value(cx, v.items[i], *w.d->elem, ptr + i * es));
      }
      return {};
    }
    case Shape::Record: {
      KUMO_CHECK(check_kind(cx, v, record_kind(*w.d), t));
      size_t n = num_fields(*w.d);
      if (v.items.size() != n) {
        return abi_trap(fmt::format("cannot lower {} fields as {}", v.items.size(), to_string(arena, t)));
      }
      for (size_t i = 0; i < n; ++i) {
        const ValType& ft = field_type(*w.d, i);
        ptr = align_to(ptr, abi::alignment(arena, ft, cx.opts.ptr));
        KUMO_CHECK(store_value(cx, v.items[i], ft, ptr));
        ptr += abi::elem_size(arena, ft, cx.opts.ptr);
      }
      return {};
    }
    case Shape::Variant: {
      KUMO_TRY(auto ct, check_variant_case(cx, v, w, t));
      size_t n = num_cases(*w.d);
      uint32_t ds = disc_size(n);
      KUMO_CHECK(store_uint(cx, v.index, ptr, ds));
      ptr = align_to(ptr + ds, max_case_alignment(arena, *w.d, cx.opts.ptr));
      if (ct) return store_value(cx, v.payload(), *ct, ptr);
      return {};
    }
    case Shape::Flags: {
      KUMO_CHECK(check_kind(cx, v, ValKind::Flags, t));
      size_t n = w.d->labels.size();
      return store_uint(cx, pack_flags(v, n), ptr, flags_size(n));
    }
    case Shape::Own: {
      KUMO_TRY(uint32_t h, lower_own(cx, v, *w.d));
      return store_uint(cx, h, ptr, 4);
    }
    case Shape::Borrow: {
      KUMO_TRY(uint32_t h, lower_borrow(cx, v, *w.d));
      return store_uint(cx, h, ptr, 4);
    }
    case Shape::Unsupported: break;
  }
  return abi_trap(fmt::format("values of type {} are not supported", to_string(arena, t)));
}

}  // namespace

namespace detail {

Trapping<std::pair<uint64_t, uint64_t>> store_list_into_range(LiftLowerContext& cx, const Val& v,
                                                              const View& list) {
  const TypeArena& arena = *cx.env.arena;
  uint32_t align;
  uint64_t es;
  if (list.shape == Shape::Map) {
    ValType kv[2] = {*list.d->key, *list.d->elem};
    TupleLayout l = tuple_layout(arena, kv, cx.opts.ptr);
    align = l.alignment;
    es = l.size;
  } else {
    align = abi::alignment(arena, *list.d->elem, cx.opts.ptr);
    es = abi::elem_size(arena, *list.d->elem, cx.opts.ptr);
  }
  uint64_t n = v.list_size();
  uint64_t limit = cx.opts.ptr == abi::PtrType::I32 ? UINT32_MAX : UINT64_MAX / 2;
  if (es != 0 && n > limit / es) {
    return abi_trap(fmt::format("list content out-of-bounds: {} elements are too many", n));
  }
  uint64_t byte_length = n * es;
  KUMO_TRY(uint64_t ptr, reallocate_checked(cx, 0, 0, align, byte_length, "list content out-of-bounds: "));
  if (v.byte_list) {
    // A compact list<u8> (or <s8>): one copy instead of a Val per byte.
    const ValType& et = *list.d->elem;
    const bool one_byte =
        list.shape == Shape::List && es == 1 &&
        ((et.is_primitive() && (et.prim() == PrimValType::U8 || et.prim() == PrimValType::S8)) ||
         (!et.is_primitive() && arena.defined(et.type()).kind == DefinedKind::Primitive &&
          (arena.defined(et.type()).prim == PrimValType::U8 || arena.defined(et.type()).prim == PrimValType::S8)));
    if (!one_byte) return abi_trap("a byte list where the list's element type is not u8");
    if (n > 0) {
      KUMO_CHECK(require_memory(cx));
      if (!in_bounds(cx, ptr, n))
        return abi_trap(fmt::format("list content out-of-bounds: pointer {:#x}, {} bytes", ptr, n));
      std::memcpy(at(cx, ptr), v.str.data(), n);
    }
    return std::pair{ptr, n};
  }
  for (uint64_t i = 0; i < n; ++i) {
    const Val& e = v.items[i];
    auto r = list.shape == Shape::Map ? store_map_entry(cx, e, *list.d, ptr + i * es)
                                      : store_value(cx, e, *list.d->elem, ptr + i * es);
    if (!r) return Unexpected{std::move(r.error())};
  }
  return std::pair{ptr, n};
}

}  // namespace detail

Trapping<void> store(LiftLowerContext& cx, const Val& v, const ValType& t, uint64_t ptr) {
  KUMO_CHECK(require_memory(cx));
  const TypeArena& arena = *cx.env.arena;
  if (ptr % abi::alignment(arena, t, cx.opts.ptr) != 0) {
    return abi_trap(fmt::format("unaligned pointer: {:#x}", ptr));
  }
  if (!in_bounds(cx, ptr, abi::elem_size(arena, t, cx.opts.ptr))) {
    return abi_trap(fmt::format("pointer {:#x} out of bounds of memory", ptr));
  }
  return store_value(cx, v, t, ptr);
}

}  // namespace kumo::component::rt
