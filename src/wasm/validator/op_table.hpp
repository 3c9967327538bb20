// Per-opcode facts the validator needs, derived at compile time from opcodes.def: the parsed
// "params:results" signature, the instruction text, natural alignments and lane counts.
// A constexpr table keeps the per-instruction cost to an array lookup (no string parsing at run
// time, no allocation).
#pragma once

#include <array>
#include <cstdint>

#include "wasm/instr.hpp"
#include "wasm/types.hpp"

namespace kumo::wasm::validator {

// A fixed signature from opcodes.def. `typed` is false when the sig string is "" (typed by hand).
struct OpSig {
  bool typed = false;
  uint8_t nparams = 0;
  uint8_t nresults = 0;
  std::array<ValType::Kind, 3> params{};
  ValType::Kind result = ValType::I32;
};

constexpr ValType::Kind sig_kind(char c) {
  switch (c) {
    case 'i': return ValType::I32;
    case 'l': return ValType::I64;
    case 'f': return ValType::F32;
    case 'd': return ValType::F64;
    case 'v': return ValType::V128;
    default: throw "opcodes.def: bad signature letter";  // compile-time error in a constexpr context
  }
}

constexpr OpSig parse_sig(const char* s) {
  OpSig r;
  if (s[0] == '\0') return r;
  r.typed = true;
  int i = 0;
  for (; s[i] != ':'; i++) {
    if (s[i] == '\0' || r.nparams == 3) throw "opcodes.def: bad signature";
    r.params[r.nparams++] = sig_kind(s[i]);
  }
  for (i++; s[i] != '\0'; i++) {
    if (r.nresults == 1) throw "opcodes.def: more than one result";
    r.result = sig_kind(s[i]);
    r.nresults = 1;
  }
  return r;
}

struct OpFacts {
  OpSig sig;
  ImmKind imm;
  const char* text;
};

inline constexpr std::array<OpFacts, size_t(Op::Count_)> kOpFacts = {{
#define WASM_OP(name, prefix, code, text, imm, sig) {parse_sig(sig), ImmKind::imm, text},
#include "wasm/opcodes.def"
#undef WASM_OP
}};

inline const OpFacts& facts(Op op) { return kOpFacts[size_t(op)]; }

// log2 of the natural alignment (the access width in bytes) of a memory instruction.
constexpr uint32_t natural_align_log2(Op op) {
  switch (op) {
    case Op::I32Load8S: case Op::I32Load8U: case Op::I64Load8S: case Op::I64Load8U:
    case Op::I32Store8: case Op::I64Store8: case Op::V128Load8Splat: case Op::V128Load8Lane:
    case Op::V128Store8Lane:
      return 0;
    case Op::I32Load16S: case Op::I32Load16U: case Op::I64Load16S: case Op::I64Load16U:
    case Op::I32Store16: case Op::I64Store16: case Op::V128Load16Splat: case Op::V128Load16Lane:
    case Op::V128Store16Lane:
      return 1;
    case Op::I32Load: case Op::F32Load: case Op::I64Load32S: case Op::I64Load32U:
    case Op::I32Store: case Op::F32Store: case Op::I64Store32: case Op::V128Load32Splat:
    case Op::V128Load32Lane: case Op::V128Store32Lane: case Op::V128Load32Zero:
      return 2;
    case Op::I64Load: case Op::F64Load: case Op::I64Store: case Op::F64Store:
    case Op::V128Load8x8S: case Op::V128Load8x8U: case Op::V128Load16x4S: case Op::V128Load16x4U:
    case Op::V128Load32x2S: case Op::V128Load32x2U: case Op::V128Load64Splat:
    case Op::V128Load64Lane: case Op::V128Store64Lane: case Op::V128Load64Zero:
      return 3;
    case Op::V128Load: case Op::V128Store:
      return 4;
    default:
      return 0;
  }
}

// Number of lanes addressed by the lane immediate of a Lane / MemArgLane instruction.
constexpr uint32_t lane_count(Op op) {
  switch (op) {
    case Op::I8x16ExtractLaneS: case Op::I8x16ExtractLaneU: case Op::I8x16ReplaceLane:
      return 16;
    case Op::I16x8ExtractLaneS: case Op::I16x8ExtractLaneU: case Op::I16x8ReplaceLane:
      return 8;
    case Op::I32x4ExtractLane: case Op::I32x4ReplaceLane: case Op::F32x4ExtractLane:
    case Op::F32x4ReplaceLane:
      return 4;
    case Op::I64x2ExtractLane: case Op::I64x2ReplaceLane: case Op::F64x2ExtractLane:
    case Op::F64x2ReplaceLane:
      return 2;
    default:
      // Lane loads/stores: one lane of the access width.
      return 16u >> natural_align_log2(op);
  }
}

}  // namespace kumo::wasm::validator
