// String forms of the core types, used in error messages and the disassembler.
#include "wasm/types.hpp"

#include <fmt/format.h>

namespace kumo::wasm {

namespace {

const char* abstract_heap_name(uint32_t code) {
  switch (code) {
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

std::string heap_string(HeapType h) {
  if (h.is_concrete()) return std::to_string(h.type_index());
  if (const char* n = abstract_heap_name(h.value)) return n;
  return fmt::format("<heap 0x{:x}>", h.value);
}

}  // namespace

std::string to_string(ValType t) {
  switch (t.kind()) {
    case ValType::I32: return "i32";
    case ValType::I64: return "i64";
    case ValType::F32: return "f32";
    case ValType::F64: return "f64";
    case ValType::V128: return "v128";
    case ValType::Bottom: return "<unknown>";
    case ValType::Ref: break;
  }
  HeapType h = t.heap();
  // Nullable abstract references have the short names of the text format: funcref, externref...
  if (t.nullable() && !h.is_concrete() && abstract_heap_name(h.value)) {
    return std::string(abstract_heap_name(h.value)) + "ref";
  }
  return fmt::format("(ref {}{})", t.nullable() ? "null " : "", heap_string(h));
}

std::string to_string(const FuncType& t) {
  std::string s = "[";
  for (size_t i = 0; i < t.params.size(); ++i) {
    if (i) s += ' ';
    s += to_string(t.params[i]);
  }
  s += "] -> [";
  for (size_t i = 0; i < t.results.size(); ++i) {
    if (i) s += ' ';
    s += to_string(t.results[i]);
  }
  s += ']';
  return s;
}

const char* to_string(ExternKind k) {
  switch (k) {
    case ExternKind::Func: return "func";
    case ExternKind::Table: return "table";
    case ExternKind::Memory: return "memory";
    case ExternKind::Global: return "global";
    case ExternKind::Tag: return "tag";
  }
  return "<unknown extern kind>";
}

}  // namespace kumo::wasm
