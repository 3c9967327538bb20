// The baseline compiling tier, milestone 1 (docs/compiler-tier.md): one function's interpreter
// code (interp::Code: slot operands, resolved branch offsets) becomes x86-64 machine code, one
// template per instruction, on the same frame layout, so the two tiers can later call each other
// without moving arguments. A function compiles only when every instruction in it is one this
// milestone handles: integer arithmetic (division with its traps), extensions, the
// interpreter's fused arithmetic, compares and their fused branches, constants, copies, select,
// zeroing locals, globals, memory-0 loads and stores in all their fused address forms (guarded
// memories: no bounds checks), branches with epoch checks on the backward ones, br_table,
// unreachable and returns. With Config::tier = Baseline, compile() compiles every function it
// can and the interpreter calls their machine code; calls, floats, tables and SIMD are the next
// milestones (a function using them stays interpreted).
#pragma once

#include <cstdint>

#include "wasm/common/expected.hpp"
#include "wasm/interp/code.hpp"
#include "wasm/jit/x64_assembler.hpp"

namespace kumo::wasm::jit {

struct CompiledBody {
  // Runs the body on the frame at `fp` (parameters in the first slots, as the interpreter lays
  // them out; results left from slot 0) with memory 0 at `mem0` and the instance's globals.
  // Returns 0, or for a trap (kTrapBit | pc << 8 | TrapCode): the code-unit index of the
  // trapping instruction, for backtraces as the interpreter's Code::wasm_offset maps it.
  // Backward branches check the epoch: at `*epoch >= deadline` the function traps (Interrupted).
  using Fn = interp::Code::JitFn;
  static constexpr uint64_t kTrapBit = uint64_t(1) << 63;
  static TrapCode trap_code(uint64_t r) { return TrapCode(r & 0xFF); }
  static uint32_t trap_pc(uint64_t r) { return uint32_t(r >> 8); }
  ExecutableCode code;
  Fn* fn = nullptr;
};

// An error names the first instruction the tier cannot compile yet.
Expected<CompiledBody> compile_body(const interp::Code& code);

}  // namespace kumo::wasm::jit
