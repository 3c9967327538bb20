#include "component/abi/layout.hpp"

#include <algorithm>
#include <array>

namespace kumo::component::abi {

namespace {

constexpr uint64_t kSaturated = UINT64_MAX / 2;

uint64_t sat_add(uint64_t a, uint64_t b) { return std::min(kSaturated, a + b); }
uint64_t sat_mul(uint64_t a, uint64_t b) {
  if (a != 0 && b > kSaturated / a) return kSaturated;
  return std::min(kSaturated, a * b);
}
uint64_t align_to(uint64_t v, uint64_t a) { return std::min(kSaturated, (v + a - 1) / a * a); }

uint32_t prim_alignment(PrimValType p, PtrType ptr) {
  switch (p) {
    case PrimValType::Bool:
    case PrimValType::S8:
    case PrimValType::U8: return 1;
    case PrimValType::S16:
    case PrimValType::U16: return 2;
    case PrimValType::S32:
    case PrimValType::U32:
    case PrimValType::F32:
    case PrimValType::Char:
    case PrimValType::ErrorContext: return 4;
    case PrimValType::S64:
    case PrimValType::U64:
    case PrimValType::F64: return 8;
    case PrimValType::String: return ptr_size(ptr);
  }
  return 1;
}

uint64_t prim_size(PrimValType p, PtrType ptr) {
  return p == PrimValType::String ? 2 * ptr_size(ptr) : prim_alignment(p, ptr);
}

uint32_t flags_size(size_t n) { return n <= 8 ? 1 : n <= 16 ? 2 : 4; }

// The payload types of a variant-like type (variant, option, result, enum) in case order.
std::vector<std::optional<ValType>> case_types(const DefinedType& d) {
  std::vector<std::optional<ValType>> v;
  switch (d.kind) {
    case DefinedKind::Variant:
      for (const auto& c : d.cases) v.push_back(c.type);
      break;
    case DefinedKind::Enum: v.resize(d.labels.size()); break;
    case DefinedKind::Option: v = {std::nullopt, d.elem}; break;
    case DefinedKind::Result: v = {d.ok, d.err}; break;
    default: break;
  }
  return v;
}

// The field types of a record-like type (record, tuple, fixed-size list unrolled lazily).
std::vector<ValType> field_types(const DefinedType& d) {
  std::vector<ValType> v;
  if (d.kind == DefinedKind::Record) {
    for (const auto& f : d.fields) v.push_back(f.type);
  } else if (d.kind == DefinedKind::Tuple) {
    v = d.types;
  }
  return v;
}

uint32_t max_case_alignment(const TypeArena& a, const std::vector<std::optional<ValType>>& cases,
                            PtrType ptr) {
  uint32_t al = 1;
  for (const auto& c : cases) {
    if (c) al = std::max(al, alignment(a, *c, ptr));
  }
  return al;
}

wasm::ValType join(wasm::ValType a, wasm::ValType b) {
  if (a == b) return a;
  if ((a == wasm::ValType::I32 && b == wasm::ValType::F32) ||
      (a == wasm::ValType::F32 && b == wasm::ValType::I32)) {
    return wasm::ValType::I32;
  }
  return wasm::ValType::I64;
}

}  // namespace

PrimValType discriminant_type(size_t n) {
  if (n <= 256) return PrimValType::U8;
  if (n <= 65536) return PrimValType::U16;
  return PrimValType::U32;
}

namespace {
uint32_t alignment_uncached(const TypeArena& a, const ValType& t, PtrType ptr) {
  const DefinedType& d = a.defined(t.type());
  switch (d.kind) {
    case DefinedKind::Primitive: return prim_alignment(d.prim, ptr);
    case DefinedKind::List:
    case DefinedKind::Map: return ptr_size(ptr);
    case DefinedKind::FixedList: return alignment(a, *d.elem, ptr);
    case DefinedKind::Record:
    case DefinedKind::Tuple: {
      uint32_t al = 1;
      for (const auto& f : field_types(d)) al = std::max(al, alignment(a, f, ptr));
      return al;
    }
    case DefinedKind::Variant:
    case DefinedKind::Enum:
    case DefinedKind::Option:
    case DefinedKind::Result: {
      auto cases = case_types(d);
      return std::max(prim_alignment(discriminant_type(cases.size()), ptr),
                      max_case_alignment(a, cases, ptr));
    }
    case DefinedKind::Flags: return flags_size(d.labels.size());
    case DefinedKind::Own:
    case DefinedKind::Borrow:
    case DefinedKind::Stream:
    case DefinedKind::Future: return 4;
  }
  return 1;
}

uint64_t elem_size_uncached(const TypeArena& a, const ValType& t, PtrType ptr) {
  const DefinedType& d = a.defined(t.type());
  switch (d.kind) {
    case DefinedKind::Primitive: return prim_size(d.prim, ptr);
    case DefinedKind::List:
    case DefinedKind::Map: return 2 * ptr_size(ptr);
    case DefinedKind::FixedList: return sat_mul(d.length, elem_size(a, *d.elem, ptr));
    case DefinedKind::Record:
    case DefinedKind::Tuple: {
      uint64_t s = 0;
      for (const auto& f : field_types(d)) {
        s = align_to(s, alignment(a, f, ptr));
        s = sat_add(s, elem_size(a, f, ptr));
      }
      return align_to(s, alignment(a, t, ptr));
    }
    case DefinedKind::Variant:
    case DefinedKind::Enum:
    case DefinedKind::Option:
    case DefinedKind::Result: {
      auto cases = case_types(d);
      uint64_t s = prim_size(discriminant_type(cases.size()), ptr);
      s = align_to(s, max_case_alignment(a, cases, ptr));
      uint64_t cs = 0;
      for (const auto& c : cases) {
        if (c) cs = std::max(cs, elem_size(a, *c, ptr));
      }
      return align_to(sat_add(s, cs), alignment(a, t, ptr));
    }
    case DefinedKind::Flags: return flags_size(d.labels.size());
    case DefinedKind::Own:
    case DefinedKind::Borrow:
    case DefinedKind::Stream:
    case DefinedKind::Future: return 4;
  }
  return 0;
}

bool flatten_uncached(const TypeArena& a, const ValType& t, PtrType ptr, size_t limit,
                      std::vector<wasm::ValType>& out) {
  auto push = [&](wasm::ValType v) {
    if (out.size() >= limit) return false;
    out.push_back(v);
    return true;
  };
  auto prim = [&](PrimValType p) {
    switch (p) {
      case PrimValType::S64:
      case PrimValType::U64: return push(wasm::ValType::I64);
      case PrimValType::F32: return push(wasm::ValType::F32);
      case PrimValType::F64: return push(wasm::ValType::F64);
      case PrimValType::String: return push(core_type(ptr)) && push(core_type(ptr));
      default: return push(wasm::ValType::I32);
    }
  };
  if (t.is_primitive()) return prim(t.prim());
  const DefinedType& d = a.defined(t.type());
  switch (d.kind) {
    case DefinedKind::Primitive: return prim(d.prim);
    case DefinedKind::List:
    case DefinedKind::Map: return push(core_type(ptr)) && push(core_type(ptr));
    case DefinedKind::FixedList:
      for (uint32_t i = 0; i < d.length; ++i) {
        if (!flatten(a, *d.elem, ptr, limit, out)) return false;
      }
      return true;
    case DefinedKind::Record:
    case DefinedKind::Tuple:
      for (const auto& f : field_types(d)) {
        if (!flatten(a, f, ptr, limit, out)) return false;
      }
      return true;
    case DefinedKind::Variant:
    case DefinedKind::Enum:
    case DefinedKind::Option:
    case DefinedKind::Result: {
      if (!push(wasm::ValType::I32)) return false;  // the discriminant
      size_t start = out.size();
      for (const auto& c : case_types(d)) {
        if (!c) continue;
        std::vector<wasm::ValType> payload;
        if (!flatten(a, *c, ptr, limit, payload)) return false;
        for (size_t i = 0; i < payload.size(); ++i) {
          if (start + i < out.size()) {
            out[start + i] = join(out[start + i], payload[i]);
          } else if (!push(payload[i])) {
            return false;
          }
        }
      }
      return true;
    }
    case DefinedKind::Flags:
    case DefinedKind::Own:
    case DefinedKind::Borrow:
    case DefinedKind::Stream:
    case DefinedKind::Future: return push(wasm::ValType::I32);
  }
  return true;
}

// Layouts are asked for on every call that crosses the canonical ABI (and recursively, for every
// nested type), so they are computed once per (arena, type, pointer size) and thread. The cache
// is direct-mapped by arena (a call touches one or two) and indexed by type: no hashing.
constexpr size_t kMaxMemoFlat = 64;  // longer flattenings are remembered as "too long"
struct LayoutMemo {
  uint32_t align = 0;  // 0: not computed yet
  bool has_size = false, has_flat = false, flat_too_long = false;
  uint64_t size = 0;
  std::vector<wasm::ValType> flat;
};
LayoutMemo& memo(const TypeArena& a, const ValType& t, PtrType ptr) {
  struct ArenaMemos {
    uint64_t uid = 0;                    // TypeArena::uid(): never reused
    std::vector<LayoutMemo> by_type[2];  // [PtrType]
  };
  thread_local std::array<ArenaMemos, 8> cache;
  ArenaMemos& e = cache[a.uid() % cache.size()];
  if (e.uid != a.uid()) {
    e.uid = a.uid();
    e.by_type[0].clear();
    e.by_type[1].clear();
  }
  std::vector<LayoutMemo>& v = e.by_type[ptr == PtrType::I64 ? 1 : 0];
  const uint32_t i = t.type().index;
  if (i >= v.size()) v.resize(size_t(i) + 1);
  return v[i];
}

}  // namespace

uint32_t alignment(const TypeArena& a, const ValType& t, PtrType ptr) {
  if (t.is_primitive()) return prim_alignment(t.prim(), ptr);
  if (uint32_t al = memo(a, t, ptr).align) return al;
  uint32_t al = alignment_uncached(a, t, ptr);
  memo(a, t, ptr).align = al;  // (a recursive call may have rehashed the cache)
  return al;
}

uint64_t elem_size(const TypeArena& a, const ValType& t, PtrType ptr) {
  if (t.is_primitive()) return prim_size(t.prim(), ptr);
  {
    const LayoutMemo& m = memo(a, t, ptr);
    if (m.has_size) return m.size;
  }
  uint64_t s = elem_size_uncached(a, t, ptr);
  LayoutMemo& m = memo(a, t, ptr);
  m.size = s;
  m.has_size = true;
  return s;
}

bool flatten(const TypeArena& a, const ValType& t, PtrType ptr, size_t limit,
             std::vector<wasm::ValType>& out) {
  if (t.is_primitive()) return flatten_uncached(a, t, ptr, limit, out);
  {
    const LayoutMemo& m = memo(a, t, ptr);
    if (m.has_flat) {
      if (m.flat_too_long && limit > kMaxMemoFlat) return flatten_uncached(a, t, ptr, limit, out);
      if (m.flat_too_long || out.size() + m.flat.size() > limit) return false;
      out.insert(out.end(), m.flat.begin(), m.flat.end());
      return true;
    }
  }
  std::vector<wasm::ValType> flat;
  const bool fits = flatten_uncached(a, t, ptr, kMaxMemoFlat, flat);
  LayoutMemo& m = memo(a, t, ptr);
  m.has_flat = true;
  m.flat_too_long = !fits;
  m.flat = std::move(flat);
  if (m.flat_too_long && limit > kMaxMemoFlat) return flatten_uncached(a, t, ptr, limit, out);
  if (m.flat_too_long || out.size() + m.flat.size() > limit) return false;
  out.insert(out.end(), m.flat.begin(), m.flat.end());
  return true;
}

bool contains_pointer(const TypeArena& a, const ValType& t) {
  if (t.is_primitive()) return t.prim() == PrimValType::String;
  const DefinedType& d = a.defined(t.type());
  switch (d.kind) {
    case DefinedKind::Primitive: return d.prim == PrimValType::String;
    case DefinedKind::List:
    case DefinedKind::Map: return true;
    case DefinedKind::FixedList:
    case DefinedKind::Option: return contains_pointer(a, *d.elem);
    case DefinedKind::Record:
    case DefinedKind::Tuple:
      for (const auto& f : field_types(d)) {
        if (contains_pointer(a, f)) return true;
      }
      return false;
    case DefinedKind::Variant:
    case DefinedKind::Result:
      for (const auto& c : case_types(d)) {
        if (c && contains_pointer(a, *c)) return true;
      }
      return false;
    default: return false;
  }
}

FlatSignature flatten_func(const TypeArena& a, const FuncType& ft, PtrType ptr, Context ctx,
                           bool is_async, bool callback) {
  FlatSignature sig;
  size_t max_params = is_async && ctx == Context::Lower ? kMaxFlatAsyncParams : kMaxFlatParams;
  for (const auto& p : ft.params) {
    if (!flatten(a, p.type, ptr, max_params, sig.type.params)) {
      sig.params_in_memory = true;
      sig.type.params = {core_type(ptr)};
      break;
    }
  }
  if (is_async) {
    if (ctx == Context::Lift) {
      // The result is passed to task.return, through memory past MAX_FLAT_PARAMS.
      std::vector<wasm::ValType> flat;
      sig.results_in_memory = ft.result && !flatten(a, *ft.result, ptr, kMaxFlatParams, flat);
      if (callback) sig.type.results = {wasm::ValType::I32};
    } else {
      if (ft.result) {
        sig.results_in_memory = true;
        sig.type.params.push_back(core_type(ptr));
      }
      sig.type.results = {wasm::ValType::I32};
    }
    return sig;
  }
  if (ft.result && !flatten(a, *ft.result, ptr, kMaxFlatResults, sig.type.results)) {
    sig.results_in_memory = true;
    sig.type.results.clear();
    if (ctx == Context::Lift) {
      sig.type.results = {core_type(ptr)};
    } else {
      sig.type.params.push_back(core_type(ptr));
    }
  }
  return sig;
}

}  // namespace kumo::component::abi
