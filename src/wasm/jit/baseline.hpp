// The baseline compiling tier (docs/compiler-tier.md): one function's interpreter code
// (interp::Code: slot operands, resolved branch offsets) becomes x86-64 machine code, one
// template per instruction, on the same frame layout as the interpreter's, so that the two tiers
// hand a frame over at any call or uncompiled instruction. Compiled: integer arithmetic
// (division with its traps), bit counts, extensions, the interpreter's fused arithmetic, compares
// and their fused branches, constants, copies, select, zeroing locals, globals, memory-0 loads
// and stores in all their fused address forms (guarded memories: no bounds checks), branches
// with epoch checks on the backward ones, br_table, unreachable and returns; floats, conversions
// and bulk memory through helpers (helpers.hpp). Calls go through interp::jit_call, straight
// into compiled callees. At the first instruction the tier does not compile, the code exits and
// the interpreter runs the rest of that activation. Functions with exception handlers stay
// interpreted.
#pragma once

#include <cstdint>

#include "wasm/common/expected.hpp"
#include "wasm/interp/code.hpp"
#include "wasm/jit/x64_assembler.hpp"

namespace kumo::wasm::jit {

struct CompiledBody {
  // Runs the body on the frame at `fp` (parameters in the first slots, as the interpreter lays
  // them out; results left from slot 0) with memory 0 at `mem0` and the instance's globals.
  // Returns:
  // - 0: the function returned.
  // - kTrapBit | pc << 8 | TrapCode: a trap at the code-unit index `pc` (for backtraces, as the
  //   interpreter's Code::wasm_offset maps it).
  // - kTrapBit | kRecordedBit | code: a callee's trap or exception (see interp::jit_call).
  // - kExitBit | pc << 8: an instruction this tier does not compile; the interpreter runs the
  //   rest of the activation from `pc`.
  // Backward branches check the epoch: at `*epoch >= deadline` the function traps (Interrupted).
  using Fn = interp::Code::JitFn;
  static constexpr uint64_t kTrapBit = uint64_t(1) << 63;
  static constexpr uint64_t kExitBit = uint64_t(1) << 62;
  // With kTrapBit: a callee's trap or exception, already recorded in the ExecState by
  // interp::jit_call; the low 32 bits are the interpreter's result code.
  static constexpr uint64_t kRecordedBit = uint64_t(1) << 61;
  static bool is_recorded(uint64_t r) { return (r & kRecordedBit) != 0; }
  static bool is_trap(uint64_t r) { return (r & kTrapBit) != 0; }
  static bool is_exit(uint64_t r) { return (r & kExitBit) != 0; }
  static TrapCode trap_code(uint64_t r) { return TrapCode(r & 0xFF); }
  static uint32_t pc(uint64_t r) { return uint32_t((r & ~(kTrapBit | kExitBit)) >> 8); }
  static uint32_t trap_pc(uint64_t r) { return pc(r); }
  ExecutableCode code;
  Fn* fn = nullptr;
  bool complete = false;  // no instruction exits to the interpreter
  bool calls = false;     // calls through interp::jit_call: runs only inside the interpreter
};

// An error names the first instruction the tier cannot compile yet.
Expected<CompiledBody> compile_body(const interp::Code& code);

}  // namespace kumo::wasm::jit
