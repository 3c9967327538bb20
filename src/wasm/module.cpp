// Module's index-space helpers: an index covers the imports of a kind first, then the definitions.
#include "wasm/module.hpp"

#include <cassert>

namespace kumo::wasm {

namespace {

// The n-th import of the given kind. Callers guarantee that it exists.
const Import& nth_import(const Module& m, ExternKind kind, uint32_t n) {
  for (const Import& imp : m.imports) {
    if (imp.kind == kind) {
      if (n == 0) return imp;
      --n;
    }
  }
  assert(false && "import index out of range");
  return m.imports.front();
}

}  // namespace

uint32_t Module::func_type_index(uint32_t func_index) const {
  if (func_index < num_imported_funcs) return nth_import(*this, ExternKind::Func, func_index).type_index;
  return functions[func_index - num_imported_funcs].type_index;
}

TableType Module::table_type(uint32_t table_index) const {
  if (table_index < num_imported_tables) return nth_import(*this, ExternKind::Table, table_index).table;
  return tables[table_index - num_imported_tables].type;
}

MemoryType Module::memory_type(uint32_t memory_index) const {
  if (memory_index < num_imported_memories) {
    return nth_import(*this, ExternKind::Memory, memory_index).memory;
  }
  return memories[memory_index - num_imported_memories];
}

GlobalType Module::global_type(uint32_t global_index) const {
  if (global_index < num_imported_globals) {
    return nth_import(*this, ExternKind::Global, global_index).global;
  }
  return globals[global_index - num_imported_globals].type;
}

uint32_t Module::tag_type_index(uint32_t tag_index) const {
  if (tag_index < num_imported_tags) return nth_import(*this, ExternKind::Tag, tag_index).type_index;
  return tags[tag_index - num_imported_tags].type_index;
}

}  // namespace kumo::wasm
