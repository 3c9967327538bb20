// Instructions the baseline tier runs by calling a C++ helper instead of emitting their machine
// code: floating point, conversions and bulk memory. A helper computes exactly what the
// interpreter's handler computes (the same num:: functions on the same frame slots), so the two
// tiers agree bit for bit; the compiled code saves the dispatch and operand decoding around it.
#pragma once

#include <cstdint>

#include "wasm/interp/code.hpp"

namespace kumo::wasm::jit {

// Reads the operands of the instruction at `ip` (the interpreter's layout) from the frame and
// writes its result there. Returns 0, or for Trapping helpers kHelperTrap | TrapCode; Branch
// helpers return the branch condition.
using HelperFn = uint64_t(interp::Slot* fp, const uint32_t* ip, interp::JitEnv* env);
constexpr uint64_t kHelperTrap = uint64_t(1) << 32;

struct Helper {
  enum class Kind : uint8_t { Value, Trapping, Branch };
  HelperFn* fn = nullptr;
  uint8_t len = 0;  // code units of the instruction
  Kind kind = Kind::Value;
  uint8_t target = 0;  // Branch: the operand that holds the branch offset
};

// The helper for `op`, or null when there is none.
const Helper* helper_for(interp::IOp op);

}  // namespace kumo::wasm::jit
