// Flat lifting and lowering (definitions.py "Flat Lifting", "Flat Lowering", "Lifting and Lowering
// Values"): values as sequences of core values, with variant payloads joined into shared slots and
// spilling to memory past MAX_FLAT.
#include <fmt/format.h>

#include <bit>

#include "component/runtime/abi_detail.hpp"

namespace kumo::component::rt {

using namespace detail;

namespace {

Trapping<uint64_t> take(FlatReader& in) {
  if (in.pos >= in.values.size()) return abi_trap("too few core values to lift");
  return in.next();
}

Trapping<uint64_t> take_ptr(LiftLowerContext& cx, FlatReader& in) {
  KUMO_TRY(uint64_t v, take(in));
  return cx.opts.ptr == abi::PtrType::I32 ? (v & 0xffffffffu) : v;
}

std::vector<wasm::ValType> flat_types(const LiftLowerContext& cx, const ValType& t) {
  std::vector<wasm::ValType> out;
  abi::flatten(*cx.env.arena, t, cx.opts.ptr, SIZE_MAX, out);
  return out;
}

bool is_32(wasm::ValType t) { return t == wasm::ValType::I32 || t == wasm::ValType::F32; }

Trapping<Val> lift_prim(LiftLowerContext& cx, FlatReader& in, PrimValType p) {
  if (p == PrimValType::String) {
    KUMO_TRY(uint64_t ptr, take_ptr(cx, in));
    KUMO_TRY(uint64_t units, take_ptr(cx, in));
    return load_string_from_range(cx, ptr, units);
  }
  if (p == PrimValType::ErrorContext) return abi_trap("error-context values are not supported");
  KUMO_TRY(uint64_t x, take(in));
  switch (p) {
    case PrimValType::Bool: return Val::boolean(uint32_t(x) != 0);
    case PrimValType::U8: return Val::u8(uint8_t(x));
    case PrimValType::S8: return Val::s8(int8_t(x));
    case PrimValType::U16: return Val::u16(uint16_t(x));
    case PrimValType::S16: return Val::s16(int16_t(x));
    case PrimValType::U32: return Val::u32(uint32_t(x));
    case PrimValType::S32: return Val::s32(int32_t(uint32_t(x)));
    case PrimValType::U64: return Val::u64(x);
    case PrimValType::S64: return Val::s64(int64_t(x));
    case PrimValType::F32:
      return Val::float32(
          std::bit_cast<float>(canonical_f32_bits(std::bit_cast<float>(uint32_t(x)))));
    case PrimValType::F64:
      return Val::float64(std::bit_cast<double>(canonical_f64_bits(std::bit_cast<double>(x))));
    case PrimValType::Char: {
      KUMO_TRY(char32_t c, convert_i32_to_char(uint32_t(x)));
      return Val::character(c);
    }
    default: break;
  }
  return abi_trap("unexpected primitive type");
}

Trapping<void> lower_prim(LiftLowerContext& cx, const Val& v, const ValType& t, PrimValType p,
                          std::vector<uint64_t>& out) {
  if (p == PrimValType::ErrorContext) return abi_trap("error-context values are not supported");
  KUMO_CHECK(check_kind(cx, v, prim_kind(p), t));
  switch (p) {
    case PrimValType::Bool: out.push_back(v.b ? 1 : 0); return {};
    case PrimValType::U8: out.push_back(uint8_t(v.u)); return {};
    case PrimValType::U16: out.push_back(uint16_t(v.u)); return {};
    case PrimValType::U32: out.push_back(uint32_t(v.u)); return {};
    case PrimValType::U64:
    case PrimValType::S64: out.push_back(v.u); return {};
    // Signed values narrower than 32 bits travel sign-extended to 32 bits (lower_flat_signed).
    case PrimValType::S8: out.push_back(uint32_t(int32_t(int8_t(v.s)))); return {};
    case PrimValType::S16: out.push_back(uint32_t(int32_t(int16_t(v.s)))); return {};
    case PrimValType::S32: out.push_back(uint32_t(int32_t(v.s))); return {};
    case PrimValType::F32: out.push_back(canonical_f32_bits(v.f32)); return {};
    case PrimValType::F64: out.push_back(canonical_f64_bits(v.f64)); return {};
    case PrimValType::Char: {
      KUMO_TRY(uint32_t c, char_to_i32(v));
      out.push_back(c);
      return {};
    }
    case PrimValType::String: {
      KUMO_TRY(auto range, store_string_into_range(cx, v));
      out.push_back(range.first);
      out.push_back(range.second);
      return {};
    }
    default: break;
  }
  return abi_trap("unexpected primitive type");
}

}  // namespace

Trapping<Val> lift_flat(LiftLowerContext& cx, FlatReader& in, const ValType& t) {
  const TypeArena& arena = *cx.env.arena;
  View w = view(arena, t);
  switch (w.shape) {
    case Shape::Prim: return lift_prim(cx, in, w.prim);
    case Shape::List:
    case Shape::Map: {
      KUMO_TRY(uint64_t ptr, take_ptr(cx, in));
      KUMO_TRY(uint64_t length, take_ptr(cx, in));
      return load_list_val(cx, ptr, length, w);
    }
    case Shape::FixedList: {
      std::vector<Val> items;
      items.reserve(w.d->length);
      for (uint32_t i = 0; i < w.d->length; ++i) {
        KUMO_TRY(Val e, lift_flat(cx, in, *w.d->elem));
        items.push_back(std::move(e));
      }
      return Val::list(std::move(items));
    }
    case Shape::Record: {
      Val r;
      r.kind = record_kind(*w.d);
      for (size_t i = 0, n = num_fields(*w.d); i < n; ++i) {
        KUMO_TRY(Val f, lift_flat(cx, in, field_type(*w.d, i)));
        r.items.push_back(std::move(f));
      }
      return r;
    }
    case Shape::Variant: {
      std::vector<wasm::ValType> joined =
          flat_types(cx, t);  // [i32 discriminant, payload slots...]
      size_t n = num_cases(*w.d);
      KUMO_TRY(uint64_t index, take(in));
      index &= 0xffffffffu;
      if (index >= n) {
        return abi_trap(fmt::format(
            "invalid variant discriminant: discriminant {} out of range [0..{})", index, n));
      }
      // Read every payload slot, then give the case its own flat types back (CoerceValueIter):
      // with raw bits in 64-bit slots, narrowing to an i32/f32 keeps the low 32 bits.
      std::vector<uint64_t> slots;
      for (size_t i = 1; i < joined.size(); ++i) {
        KUMO_TRY(uint64_t x, take(in));
        slots.push_back(x);
      }
      std::optional<Val> payload;
      if (auto ct = case_type(*w.d, index)) {
        std::vector<wasm::ValType> want = flat_types(cx, *ct);
        for (size_t i = 0; i < want.size() && i < slots.size(); ++i) {
          if (is_32(want[i])) slots[i] &= 0xffffffffu;
        }
        FlatReader sub{std::span<const uint64_t>(slots.data(), want.size())};
        KUMO_TRY(Val p, lift_flat(cx, sub, *ct));
        payload = std::move(p);
      }
      return make_variant(*w.d, uint32_t(index), std::move(payload));
    }
    case Shape::Flags: {
      KUMO_TRY(uint64_t bits, take(in));
      return unpack_flags(bits & 0xffffffffu, w.d->labels.size());
    }
    case Shape::Own: {
      KUMO_TRY(uint64_t i, take(in));
      return lift_own(cx, uint32_t(i), *w.d);
    }
    case Shape::Borrow: {
      KUMO_TRY(uint64_t i, take(in));
      return lift_borrow(cx, uint32_t(i), *w.d);
    }
    case Shape::Unsupported: break;
  }
  return abi_trap(fmt::format("values of type {} are not supported", to_string(arena, t)));
}

Trapping<void> lower_flat(LiftLowerContext& cx, const Val& v, const ValType& t,
                          std::vector<uint64_t>& out) {
  const TypeArena& arena = *cx.env.arena;
  View w = view(arena, t);
  switch (w.shape) {
    case Shape::Prim: return lower_prim(cx, v, t, w.prim, out);
    case Shape::List:
    case Shape::Map: {
      KUMO_CHECK(check_kind(cx, v, ValKind::List, t));
      KUMO_TRY(auto range, store_list_into_range(cx, v, w));
      out.push_back(range.first);
      out.push_back(range.second);
      return {};
    }
    case Shape::FixedList: {
      KUMO_CHECK(check_kind(cx, v, ValKind::List, t));
      if (v.items.size() != w.d->length) {
        return abi_trap(fmt::format("cannot lower a list of {} elements as {}", v.items.size(),
                                    to_string(arena, t)));
      }
      for (const Val& e : v.items) KUMO_CHECK(lower_flat(cx, e, *w.d->elem, out));
      return {};
    }
    case Shape::Record: {
      KUMO_CHECK(check_kind(cx, v, record_kind(*w.d), t));
      size_t n = num_fields(*w.d);
      if (v.items.size() != n) {
        return abi_trap(
            fmt::format("cannot lower {} fields as {}", v.items.size(), to_string(arena, t)));
      }
      for (size_t i = 0; i < n; ++i)
        KUMO_CHECK(lower_flat(cx, v.items[i], field_type(*w.d, i), out));
      return {};
    }
    case Shape::Variant: {
      KUMO_TRY(auto ct, check_variant_case(cx, v, w, t));
      size_t slots = flat_types(cx, t).size() - 1;
      out.push_back(v.index);
      size_t start = out.size();
      // The payload's i32/f32 bits are already zero-extended, which is what widening into a joined
      // i64 slot or reinterpreting an f32 as i32 produces (lower_flat_variant).
      if (ct) KUMO_CHECK(lower_flat(cx, v.payload(), *ct, out));
      while (out.size() < start + slots) out.push_back(0);
      return {};
    }
    case Shape::Flags: {
      KUMO_CHECK(check_kind(cx, v, ValKind::Flags, t));
      out.push_back(pack_flags(v, w.d->labels.size()));
      return {};
    }
    case Shape::Own: {
      KUMO_TRY(uint32_t h, lower_own(cx, v, *w.d));
      out.push_back(h);
      return {};
    }
    case Shape::Borrow: {
      KUMO_TRY(uint32_t h, lower_borrow(cx, v, *w.d));
      out.push_back(h);
      return {};
    }
    case Shape::Unsupported: break;
  }
  return abi_trap(fmt::format("values of type {} are not supported", to_string(arena, t)));
}

namespace {

Trapping<void> check_tuple_ptr(const LiftLowerContext& cx, uint64_t ptr, const TupleLayout& l) {
  KUMO_CHECK(require_memory(cx));
  if (ptr % l.alignment != 0) {
    return abi_trap(fmt::format("unaligned pointer: {:#x} is not aligned to {}", ptr, l.alignment));
  }
  if (!in_bounds(cx, ptr, l.size)) {
    return abi_trap(fmt::format("pointer out of bounds of memory: {:#x} + {} bytes", ptr, l.size));
  }
  return {};
}

}  // namespace

ValuesPlan plan_values(const TypeArena& arena, abi::PtrType ptr, size_t max_flat,
                       std::span<const ValType> types) {
  ValuesPlan plan;
  thread_local std::vector<wasm::ValType> flat;  // scratch: no allocation per call
  flat.clear();
  for (const ValType& t : types) {
    if (!abi::flatten(arena, t, ptr, max_flat, flat)) {
      plan.flat = false;
      break;
    }
  }
  if (!plan.flat) plan.layout = tuple_layout(arena, types, ptr);
  return plan;
}

Trapping<void> lift_flat_values_into(LiftLowerContext& cx, size_t max_flat, FlatReader& in,
                                     std::span<const ValType> types, std::vector<Val>& vals) {
  return lift_flat_values_into(cx, plan_values(*cx.env.arena, cx.opts.ptr, max_flat, types), in,
                               types, vals);
}

Trapping<void> lift_flat_values_into(LiftLowerContext& cx, const ValuesPlan& plan, FlatReader& in,
                                     std::span<const ValType> types, std::vector<Val>& vals) {
  vals.reserve(vals.size() + types.size());
  if (plan.flat) {
    for (const ValType& t : types) {
      KUMO_TRY(Val v, lift_flat(cx, in, t));
      vals.push_back(std::move(v));
    }
    return {};
  }
  KUMO_TRY(uint64_t ptr, take_ptr(cx, in));
  const TupleLayout& l = plan.layout;
  KUMO_CHECK(check_tuple_ptr(cx, ptr, l));
  for (size_t i = 0; i < types.size(); ++i) {
    KUMO_TRY(Val v, load(cx, ptr + l.offsets[i], types[i]));
    vals.push_back(std::move(v));
  }
  return {};
}

Trapping<std::vector<Val>> lift_flat_values(LiftLowerContext& cx, size_t max_flat, FlatReader& in,
                                            std::span<const ValType> types) {
  std::vector<Val> vals;
  KUMO_CHECK(lift_flat_values_into(cx, max_flat, in, types, vals));
  return vals;
}

Trapping<void> lower_flat_values(LiftLowerContext& cx, size_t max_flat, std::span<const Val> vals,
                                 std::span<const ValType> types, std::vector<uint64_t>& out,
                                 FlatReader* out_param) {
  return lower_flat_values(cx, plan_values(*cx.env.arena, cx.opts.ptr, max_flat, types), vals,
                           types, out, out_param);
}

Trapping<void> lower_flat_values(LiftLowerContext& cx, const ValuesPlan& plan,
                                 std::span<const Val> vals, std::span<const ValType> types,
                                 std::vector<uint64_t>& out, FlatReader* out_param) {
  if (vals.size() != types.size()) {
    return abi_trap(fmt::format("expected {} values, got {}", types.size(), vals.size()));
  }
  if (plan.flat) {
    for (size_t i = 0; i < vals.size(); ++i) KUMO_CHECK(lower_flat(cx, vals[i], types[i], out));
    return {};
  }
  const TupleLayout& l = plan.layout;
  uint64_t ptr;
  if (!out_param) {
    KUMO_TRY(ptr, reallocate_checked(cx, 0, 0, l.alignment, l.size, ""));
    out.push_back(ptr);
  } else {
    KUMO_TRY(ptr, take_ptr(cx, *out_param));
  }
  KUMO_CHECK(check_tuple_ptr(cx, ptr, l));
  for (size_t i = 0; i < vals.size(); ++i)
    KUMO_CHECK(store(cx, vals[i], types[i], ptr + l.offsets[i]));
  return {};
}

}  // namespace kumo::component::rt
