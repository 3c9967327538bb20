// The decoded form of a core WebAssembly module (what the binary decoder produces).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "wasm/common/expected.hpp"
#include "wasm/instr.hpp"
#include "wasm/types.hpp"

namespace kumo::wasm {

// A constant expression, decoded (its final `end` included).
using ConstExpr = Body;

struct Import {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t type_index = 0;  // Func and Tag: index into Module::types
  TableType table;          // Table
  MemoryType memory;        // Memory
  GlobalType global;        // Global
};

struct Export {
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;
};

// A function defined in this module.
struct Function {
  uint32_t type_index = 0;
  std::vector<ValType> locals;  // declared locals only (parameters excluded), expanded
  uint32_t code_offset = 0;     // offset in Module::bytes of the expression (after the locals)
  uint32_t code_size = 0;       // size of the expression in bytes (through the final `end`)
};

struct Table {
  TableType type;
  std::optional<ConstExpr> init;  // wasm 3.0: table with an explicit initialiser
};

struct Global {
  GlobalType type;
  ConstExpr init;
};

enum class SegmentMode : uint8_t { Active, Passive, Declarative };

struct ElemSegment {
  SegmentMode mode = SegmentMode::Active;
  uint32_t table = 0;
  ConstExpr offset;             // Active only
  ValType type = ValType::funcref();
  std::vector<ConstExpr> items; // each evaluates to a reference (func indices become ref.func)
};

struct DataSegment {
  SegmentMode mode = SegmentMode::Active;  // never Declarative
  uint32_t memory = 0;
  ConstExpr offset;             // Active only
  uint32_t data_offset = 0;     // the bytes are Module::bytes[data_offset, data_offset + data_size)
  uint32_t data_size = 0;
};

struct CustomSection {
  std::string name;
  uint32_t offset = 0;  // payload in Module::bytes
  uint32_t size = 0;
};

struct Module {
  std::vector<uint8_t> bytes;  // the whole binary; offsets above point into it

  std::vector<FuncType> types;
  std::vector<Import> imports;
  std::vector<Function> functions;   // defined functions (after the imported ones)
  std::vector<Table> tables;         // defined tables
  std::vector<MemoryType> memories;  // defined memories
  std::vector<Global> globals;       // defined globals
  std::vector<TagType> tags;         // defined tags (exception handling)
  std::vector<Export> exports;
  std::optional<uint32_t> start;
  std::vector<ElemSegment> elems;
  std::vector<DataSegment> datas;
  std::optional<uint32_t> data_count;  // the data count section, when present
  std::vector<CustomSection> customs;

  // From the "name" custom section when present (function index -> name); used for backtraces.
  std::unordered_map<uint32_t, std::string> func_names;
  std::string module_name;

  // Counts of imports per kind, so that index spaces are [imports..., defined...].
  uint32_t num_imported_funcs = 0;
  uint32_t num_imported_tables = 0;
  uint32_t num_imported_memories = 0;
  uint32_t num_imported_globals = 0;
  uint32_t num_imported_tags = 0;

  uint32_t num_funcs() const { return num_imported_funcs + uint32_t(functions.size()); }
  uint32_t num_tables() const { return num_imported_tables + uint32_t(tables.size()); }
  uint32_t num_memories() const { return num_imported_memories + uint32_t(memories.size()); }
  uint32_t num_globals() const { return num_imported_globals + uint32_t(globals.size()); }
  uint32_t num_tags() const { return num_imported_tags + uint32_t(tags.size()); }

  // Types across the whole index space (imports first). Indices must be in range.
  uint32_t func_type_index(uint32_t func_index) const;
  const FuncType& func_type(uint32_t func_index) const { return types[func_type_index(func_index)]; }
  TableType table_type(uint32_t table_index) const;
  MemoryType memory_type(uint32_t memory_index) const;
  GlobalType global_type(uint32_t global_index) const;
  uint32_t tag_type_index(uint32_t tag_index) const;

  std::span<const uint8_t> code(const Function& f) const {
    return {bytes.data() + f.code_offset, f.code_size};
  }
  std::span<const uint8_t> data(const DataSegment& d) const {
    return {bytes.data() + d.data_offset, d.data_size};
  }
};

// Decodes a binary module. Errors name the section, the byte offset and what was expected, e.g.
// "section 10 (code) at offset 0x1f3: unexpected end of section". The result is not validated.
Expected<std::shared_ptr<Module>> decode_module(std::span<const uint8_t> bytes);

// Validates a decoded module against the spec's typing rules. Errors name the function index
// (and name when known) and the instruction offset, e.g.
// "func 3 ($foo) at offset 0x4a (i32.add): type mismatch: expected i32, got i64".
Expected<void> validate_module(const Module& m);

}  // namespace kumo::wasm
