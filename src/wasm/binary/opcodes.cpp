// op_info() and the reverse (encoding -> Op) lookup tables, both generated from opcodes.def.
#include <array>

#include "wasm/binary/opcode_lookup.hpp"
#include "wasm/instr.hpp"

namespace kumo::wasm {

namespace {

constexpr OpInfo kOpInfos[] = {
#define WASM_OP(name, prefix, code, text, imm, sig) OpInfo{prefix, code, text, ImmKind::imm, sig},
#include "wasm/opcodes.def"
#undef WASM_OP
};
static_assert(std::size(kOpInfos) == size_t(Op::Count_));

// Dense tables indexed by the code after each prefix; sized to cover every code in opcodes.def.
constexpr uint32_t kFcSize = 32;
constexpr uint32_t kFdSize = 0x120;
constexpr uint32_t kFbSize = 64;

struct Tables {
  std::array<Op, 256> single;
  std::array<Op, kFcSize> fc;
  std::array<Op, kFdSize> fd;
  std::array<Op, kFbSize> fb;
};

constexpr Tables make_tables() {
  Tables t{};
  t.single.fill(Op::Count_);
  t.fc.fill(Op::Count_);
  t.fd.fill(Op::Count_);
  t.fb.fill(Op::Count_);
  for (size_t i = 0; i < size_t(Op::Count_); ++i) {
    const OpInfo& info = kOpInfos[i];
    Op op = Op(i);
    // A code outside a table's range is a bug in opcodes.def: fail constant evaluation.
    switch (info.prefix) {
      case 0: t.single.at(info.code) = op; break;
      case 0xFC: t.fc.at(info.code) = op; break;
      case 0xFD: t.fd.at(info.code) = op; break;
      case 0xFB: t.fb.at(info.code) = op; break;
      default: throw "unknown prefix in opcodes.def";
    }
  }
  return t;
}

constexpr Tables kTables = make_tables();

}  // namespace

const OpInfo& op_info(Op op) { return kOpInfos[size_t(op) < size_t(Op::Count_) ? size_t(op) : 0]; }

namespace binary {

Op lookup_opcode(uint8_t prefix, uint32_t code) {
  switch (prefix) {
    case 0: return code < 256 ? kTables.single[code] : Op::Count_;
    case 0xFC: return code < kFcSize ? kTables.fc[code] : Op::Count_;
    case 0xFD: return code < kFdSize ? kTables.fd[code] : Op::Count_;
    case 0xFB: return code < kFbSize ? kTables.fb[code] : Op::Count_;
    default: return Op::Count_;
  }
}

}  // namespace binary
}  // namespace kumo::wasm
