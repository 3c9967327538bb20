// Decoded instructions: the form in which function bodies and constant expressions reach the
// validator and the translator. This is an intermediate form; the interpreter never executes it.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "wasm/common/expected.hpp"
#include "wasm/types.hpp"

namespace kumo::wasm {

enum class Op : uint16_t {
#define WASM_OP(name, prefix, code, text, imm, sig) name,
#include "wasm/opcodes.def"
#undef WASM_OP
  Count_
};

enum class ImmKind : uint8_t {
  None, Block, Label, BrTable, Func, CallIndirect, Type, Local, Global, Table, MemArg, Mem,
  I32, I64, F32, F64, SelectT, HeapType, Data, Elem, MemInit, MemCopy, TableInit, TableCopy,
  V128, Shuffle, Lane, MemArgLane, Tag, TryTable,
};

struct OpInfo {
  uint8_t prefix;     // 0, 0xFB, 0xFC or 0xFD
  uint32_t code;      // opcode after the prefix
  const char* text;   // "i32.add"
  ImmKind imm;
  const char* sig;    // "ii:i", or "" when typed by hand (see opcodes.def)
};
const OpInfo& op_info(Op op);

// Block type: empty, a single value type, or a type index (multi-value).
struct BlockType {
  enum Kind : uint8_t { Empty, Value, TypeIndex } kind = Empty;
  ValType type{};          // when kind == Value
  uint32_t type_index = 0; // when kind == TypeIndex
};

struct MemArg {
  uint32_t align = 0;   // log2 of the alignment
  uint32_t memory = 0;  // memory index (multi-memory)
  uint64_t offset = 0;  // u64 for memory64
};

// One catch clause of try_table.
struct CatchClause {
  enum Kind : uint8_t { Catch = 0, CatchRef = 1, CatchAll = 2, CatchAllRef = 3 } kind = Catch;
  uint32_t tag = 0;
  uint32_t label = 0;
};

// A decoded instruction. Which fields are meaningful depends on op_info(op).imm:
//   Block: block;  Label: index (label depth);  BrTable: table_begin/table_size into
//   Body::br_targets (the last entry of that range is the default target);
//   Func/Type/Local/Global/Table/Mem/Data/Elem/Tag: index;
//   CallIndirect: index = type index, index2 = table index;
//   MemInit: index = data index, index2 = memory;  MemCopy: index = dst memory, index2 = src memory;
//   TableInit: index = elem index, index2 = table;  TableCopy: index = dst table, index2 = src table;
//   MemArg: memarg;  MemArgLane: memarg and lane;  Lane: lane;
//   I32/I64: i64 (sign-extended for i32);  F32/F64: bits (raw IEEE bits, NaN payloads kept);
//   V128: v128;  Shuffle: v128 holds the 16 lane indices;
//   SelectT: type (select with one explicit result type; a count other than 1 is invalid and is
//            reported by the decoder/validator);  HeapType: heap;
//   TryTable: block, and table_begin/table_size into Body::catches.
struct Instr {
  Op op = Op::Nop;
  uint8_t lane = 0;
  uint32_t offset = 0;  // byte offset of the opcode in the module binary (for error messages, traps)
  uint32_t index = 0;
  uint32_t index2 = 0;
  uint32_t table_begin = 0;
  uint32_t table_size = 0;
  union {
    int64_t i64;
    uint64_t bits;
  };
  BlockType block;
  MemArg memarg;
  ValType type;
  HeapType heap;
  std::array<uint8_t, 16> v128{};

  Instr() : i64(0) {}
};

// A decoded function body or constant expression. For a function body the final `end` is
// included as the last instruction; for a constant expression it is included too.
struct Body {
  std::vector<Instr> instrs;
  std::vector<uint32_t> br_targets;   // br_table label depths
  std::vector<CatchClause> catches;   // try_table clauses

  // The one instruction of a body that is a single instruction (and its final `end`), else null:
  // the usual shape of a constant expression.
  const Instr* single() const {
    if (instrs.size() == 1 && instrs[0].op != Op::End) return &instrs[0];
    if (instrs.size() == 2 && instrs[1].op == Op::End) return &instrs[0];
    return nullptr;
  }
};

struct Module;

// Decodes the instructions of `code` (the expression bytes of a function body after its locals,
// or a constant expression), which starts at byte `base_offset` of the module binary.
// Errors are decode errors ("malformed"): unknown opcodes, bad LEBs, truncated immediates,
// a missing final `end`. Validation (types, indices) is the validator's job.
Expected<Body> decode_expr(std::span<const uint8_t> code, uint32_t base_offset);

}  // namespace kumo::wasm
