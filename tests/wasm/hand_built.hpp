// Helpers for tests that build wasm::Module values by hand (no decoder): instructions and
// constant expressions.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "wasm/module.hpp"

namespace kumo::wasm::test {

// An instruction with one immediate: an index for ref.func and global.get, a value otherwise.
inline Instr ins(Op op, int64_t imm = 0) {
  Instr i;
  i.op = op;
  i.i64 = op == Op::RefFunc || op == Op::GlobalGet ? 0 : imm;
  if (op == Op::RefFunc || op == Op::GlobalGet) i.index = uint32_t(imm);
  return i;
}

// A constant expression: `instrs` and the closing `end`.
inline ConstExpr expr(std::vector<Instr> instrs) {
  ConstExpr e;
  e.instrs = std::move(instrs);
  e.instrs.push_back(ins(Op::End));
  return e;
}

}  // namespace kumo::wasm::test
