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
#include <vector>

#include "wasm/common/expected.hpp"
#include "wasm/interp/code.hpp"
#include "wasm/jit/x64_assembler.hpp"

namespace kumo::wasm::jit {

struct CompiledBody {
  // Runs the body on the frame at `fp` (parameters in the first slots, as the interpreter lays
  // them out; results left from slot 0) with memory 0 at `mem0` and the instance's globals.
  // `env` is the running activation's (its ExecState's current frame is this function's).
  // Returns:
  // - 0: the function returned.
  // - kTrapBit | kRecordedBit | code: a trap (TrapCode) or an uncaught exception (the
  //   interpreter's code), recorded in the ExecState where it happened (interp::jit_trap,
  //   interp::jit_call): trap_ip, and cur_frame left at the frame it happened in.
  // - kExitBit | pc << 8: an instruction this tier does not compile; the interpreter runs the
  //   rest of the activation from `pc` (code-unit index).
  // Function entries and backward branches check the epoch: at `*epoch >= deadline` the function
  // traps (Interrupted).
  using Fn = interp::Code::JitFn;
  static constexpr uint64_t kTrapBit = uint64_t(1) << 63;
  static constexpr uint64_t kExitBit = uint64_t(1) << 62;
  static constexpr uint64_t kRecordedBit = uint64_t(1) << 61;  // the low 32 bits: the code
  static bool is_recorded(uint64_t r) { return (r & kRecordedBit) != 0; }
  static bool is_trap(uint64_t r) { return (r & kTrapBit) != 0; }
  static bool is_exit(uint64_t r) { return (r & kExitBit) != 0; }
  static TrapCode trap_code(uint64_t r) { return TrapCode(r & 0xFF); }
  static uint32_t pc(uint64_t r) { return uint32_t((r & ~kExitBit) >> 8); }
  ExecutableCode code;
  Fn* fn = nullptr;
  // The internal entry: the body without the entry's register setup, called by compiled code
  // with the registers already set (baseline.cpp) and the callee's frame pushed.
  const void* body = nullptr;
  bool complete = false;  // no instruction exits to the interpreter
  bool calls = false;     // calls through interp::jit_call: runs only inside the interpreter
};

// Where compiled calls to the module's own functions go: `bodies[i]` is defined function i's
// internal entry once compile() linked it (null: through interp::jit_call). Without a table
// every call goes through jit_call.
struct Link {
  const void* const* bodies = nullptr;
  uint32_t num_imported_funcs = 0;
};

// A function's machine code before it is placed: position-independent, so compile() packs a
// module's functions into one executable mapping.
struct AssembledBody {
  std::vector<uint8_t> bytes;  // the entry (Code::JitFn) is at offset 0
  size_t body_offset = 0;      // CompiledBody::body
  bool complete = false;
  bool calls = false;
};

// An error says why the function is left to the interpreter.
Expected<AssembledBody> assemble_body(const interp::Code& code, const Link& link = {});
// assemble_body() in an executable mapping of its own (tests, benchmarks).
Expected<CompiledBody> compile_body(const interp::Code& code, const Link& link = {});

}  // namespace kumo::wasm::jit
