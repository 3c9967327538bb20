// The validation context C of the spec: the module's index spaces flattened (imports first), the
// declared function references (C.refs), and the type relations (subtyping, type equivalence).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "wasm/module.hpp"
#include "wasm/types.hpp"
#include "wasm/validator/validator.hpp"

namespace kumo::wasm::validator {

struct Context {
  const Module* m = nullptr;
  Features features;

  // Index spaces. Type indices stored here have been checked to be in range.
  std::vector<uint32_t> func_types;  // function index -> type index
  std::vector<TableType> tables;
  std::vector<MemoryType> memories;
  std::vector<GlobalType> globals;
  std::vector<uint32_t> tag_types;   // tag index -> type index
  std::vector<ValType> elem_types;   // element segment index -> reference type
  uint32_t num_datas = 0;            // from the data count section when present
  bool has_data_count = false;
  std::vector<uint8_t> declared;     // C.refs: function index -> referenced outside bodies

  // Canonical id per type index: equal ids <=> equivalent types.
  std::vector<uint32_t> canon;

  const FuncType& type(uint32_t type_index) const { return m->types[type_index]; }
  const FuncType& func_type(uint32_t func_index) const { return m->types[func_types[func_index]]; }

  bool heap_valid(HeapType h) const;
  bool valtype_valid(ValType t) const;
  // Subtyping: a <: b. ValType::Bottom (the unknown type of unreachable code) is below all.
  bool heap_sub(HeapType a, HeapType b) const;
  // The top of h's hierarchy: any, func, extern or exn.
  HeapType top_heap(HeapType h) const;
  bool sub(ValType a, ValType b) const;

  // Fills `canon` from m->types (call once the types' heap types are known to be valid).
  void canonicalize_types();
};

// "i32", "(ref null 3)", or "unknown" for the bottom type; never throws on odd input.
std::string type_name(ValType t);
std::string types_name(std::span<const ValType> ts);  // "[i32 i64]"

inline bool defaultable(ValType t) { return !t.is_ref() || t.nullable(); }

}  // namespace kumo::wasm::validator
