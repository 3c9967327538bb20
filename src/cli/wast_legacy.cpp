#include "cli/wast_legacy.hpp"

#include <cstdint>

namespace kumo::cli {

namespace {

using wasm::ExternKind;

// The import of kind `kind` with index `index` in that kind's index space.
const wasm::Import* nth_import(const wasm::Module& m, ExternKind kind, uint32_t index) {
  for (const wasm::Import& imp : m.imports)
    if (imp.kind == kind && index-- == 0) return &imp;
  return nullptr;
}

const wasm::Extern* resolve(const wasm::Module& m, const wasm::Linker& linker, ExternKind kind,
                            uint32_t index) {
  const wasm::Import* imp = nth_import(m, kind, index);
  if (!imp) return nullptr;
  const wasm::Extern* e = linker.find(imp->module, imp->name);
  return e && e->kind == kind ? e : nullptr;
}

// Offsets in 1.0 are `i32.const N` or `global.get` of an imported i32 global.
std::optional<uint64_t> offset_of(const wasm::ConstExpr& e, const wasm::Module& m,
                                  const wasm::Linker& linker) {
  if (e.instrs.empty()) return std::nullopt;
  const wasm::Instr& i = e.instrs[0];
  if (i.op == wasm::Op::I32Const) return uint64_t(uint32_t(i.i64));
  if (i.op == wasm::Op::GlobalGet && i.index < m.num_imported_globals) {
    const wasm::Extern* g = resolve(m, linker, ExternKind::Global, i.index);
    if (g) return uint64_t(uint32_t(g->global->value[0]));
  }
  return std::nullopt;
}

std::optional<uint64_t> table_size(const wasm::Module& m, const wasm::Linker& linker, uint32_t t) {
  if (t < m.num_imported_tables) {
    const wasm::Extern* e = resolve(m, linker, ExternKind::Table, t);
    if (!e) return std::nullopt;
    return e->table->elems.size();
  }
  t -= m.num_imported_tables;
  if (t >= m.tables.size()) return std::nullopt;
  return m.tables[t].type.limits.min;
}

std::optional<uint64_t> memory_bytes(const wasm::Module& m, const wasm::Linker& linker, uint32_t i) {
  if (i < m.num_imported_memories) {
    const wasm::Extern* e = resolve(m, linker, ExternKind::Memory, i);
    if (!e) return std::nullopt;
    return e->memory->size;
  }
  i -= m.num_imported_memories;
  if (i >= m.memories.size()) return std::nullopt;
  return m.memories[i].limits.min << m.memories[i].page_size_log2;
}

}  // namespace

std::optional<std::string> wasm1_segments_do_not_fit(const wasm::Module& m, const wasm::Linker& linker) {
  for (const wasm::ElemSegment& s : m.elems) {
    if (s.mode != wasm::SegmentMode::Active) continue;
    auto offset = offset_of(s.offset, m, linker);
    auto size = table_size(m, linker, s.table);
    if (offset && size && *offset + s.items.size() > *size) return "elements segment does not fit";
  }
  for (const wasm::DataSegment& d : m.datas) {
    if (d.mode != wasm::SegmentMode::Active) continue;
    auto offset = offset_of(d.offset, m, linker);
    auto size = memory_bytes(m, linker, d.memory);
    if (offset && size && *offset + d.data_size > *size) return "data segment does not fit";
  }
  return std::nullopt;
}

}  // namespace kumo::cli
