// Type relations of the validation context: heap-type validity, subtyping, type equivalence.
#include "wasm/validator/context.hpp"

#include <unordered_map>

namespace kumo::wasm::validator {

namespace {

bool is_abstract(uint32_t v) { return v >= HeapType::Exn && v <= HeapType::NoExn; }

const char* abstract_name(uint32_t v) {
  switch (v) {
    case HeapType::Exn: return "exn";
    case HeapType::Array: return "array";
    case HeapType::Struct: return "struct";
    case HeapType::I31: return "i31";
    case HeapType::Eq: return "eq";
    case HeapType::Any: return "any";
    case HeapType::Extern: return "extern";
    case HeapType::Func: return "func";
    case HeapType::None: return "none";
    case HeapType::NoExtern: return "noextern";
    case HeapType::NoFunc: return "nofunc";
    case HeapType::NoExn: return "noexn";
    default: return nullptr;
  }
}

}  // namespace

std::string type_name(ValType t) {
  switch (t.kind()) {
    case ValType::I32: return "i32";
    case ValType::I64: return "i64";
    case ValType::F32: return "f32";
    case ValType::F64: return "f64";
    case ValType::V128: return "v128";
    case ValType::Bottom: return "unknown";
    case ValType::Ref: break;
  }
  HeapType h = t.heap();
  std::string heap;
  if (h.is_concrete()) {
    heap = std::to_string(h.type_index());
  } else if (const char* n = abstract_name(h.value)) {
    if (t.nullable()) return std::string(n) + "ref";  // funcref, externref, ...
    heap = n;
  } else {
    heap = fmt::format("0x{:x}", h.value);
  }
  return fmt::format("(ref {}{})", t.nullable() ? "null " : "", heap);
}

std::string types_name(std::span<const ValType> ts) {
  std::string s = "[";
  for (size_t i = 0; i < ts.size(); i++) {
    if (i) s += ' ';
    s += type_name(ts[i]);
  }
  return s + "]";
}

bool Context::heap_valid(HeapType h) const {
  if (h.is_concrete()) return h.type_index() < m->types.size();
  return is_abstract(h.value);
}

bool Context::valtype_valid(ValType t) const {
  if (t.kind() == ValType::Bottom) return false;
  return !t.is_ref() || heap_valid(t.heap());
}

bool Context::heap_sub(HeapType a, HeapType b) const {
  if (a == b) return true;
  if (a.is_concrete()) {
    // Every defined type is a function type (Module::types holds FuncTypes only).
    if (!b.is_concrete()) return b.value == HeapType::Func;
    uint32_t x = a.type_index(), y = b.type_index();
    return x < canon.size() && y < canon.size() && canon[x] == canon[y];
  }
  if (b.is_concrete()) return a.value == HeapType::NoFunc;
  switch (a.value) {
    case HeapType::NoFunc: return b.value == HeapType::Func;
    case HeapType::NoExtern: return b.value == HeapType::Extern;
    case HeapType::NoExn: return b.value == HeapType::Exn;
    case HeapType::None:
      return b.value == HeapType::Any || b.value == HeapType::Eq || b.value == HeapType::I31 ||
             b.value == HeapType::Struct || b.value == HeapType::Array;
    case HeapType::I31: case HeapType::Struct: case HeapType::Array:
      return b.value == HeapType::Eq || b.value == HeapType::Any;
    case HeapType::Eq: return b.value == HeapType::Any;
    default: return false;
  }
}

HeapType Context::top_heap(HeapType h) const {
  // Every defined type is a function type (Module::types holds FuncTypes only).
  if (h.is_concrete()) return HeapType{HeapType::Func};
  switch (h.value) {
    case HeapType::Func: case HeapType::NoFunc: return HeapType{HeapType::Func};
    case HeapType::Extern: case HeapType::NoExtern: return HeapType{HeapType::Extern};
    case HeapType::Exn: case HeapType::NoExn: return HeapType{HeapType::Exn};
    default: return HeapType{HeapType::Any};
  }
}

bool Context::sub(ValType a, ValType b) const {
  if (a.kind() == ValType::Bottom) return true;
  if (a.kind() != b.kind()) return false;
  if (!a.is_ref()) return true;
  if (a.nullable() && !b.nullable()) return false;
  return heap_sub(a.heap(), b.heap());
}

// Module has no recursion groups: every type is its own (singleton) rec group, which may refer to
// itself and to earlier types only (module validation checks that). Two such types are
// equivalent when they have the same shape, their references to earlier types point at
// equivalent types, and their self-references are in the same places.
void Context::canonicalize_types() {
  const auto& types = m->types;
  canon.assign(types.size(), 0);
  std::unordered_map<std::string, uint32_t> ids;
  std::string key;
  auto add = [&](uint32_t i, ValType t) {
    uint32_t heap = 0;
    uint8_t tag = uint8_t(t.kind());
    if (t.is_ref()) {
      HeapType h = t.heap();
      heap = h.value;
      if (h.is_concrete()) {
        uint32_t x = h.type_index();
        if (x < i) {
          heap = canon[x] | HeapType::kConcrete;
        } else {
          tag |= 0x40;  // self-reference (x == i); later types are rejected before this
          heap = x - i;
        }
      }
      if (t.nullable()) tag |= 0x80;
    }
    key.push_back(char(tag));
    key.append(reinterpret_cast<const char*>(&heap), sizeof heap);
  };
  for (uint32_t i = 0; i < types.size(); i++) {
    key.clear();
    for (ValType t : types[i].params) add(i, t);
    key.push_back('>');
    for (ValType t : types[i].results) add(i, t);
    auto [it, inserted] = ids.emplace(key, i);
    canon[i] = it->second;
  }
}

}  // namespace kumo::wasm::validator
