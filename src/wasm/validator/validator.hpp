// Validator entry points beyond the contract's validate_module(const Module&).
#pragma once

#include <span>

#include "wasm/common/expected.hpp"
#include "wasm/instr.hpp"
#include "wasm/module.hpp"

namespace kumo::wasm {

// Feature switches for rules that later spec versions relaxed. Kumo targets wasm 3.0, so every
// switch is on by default; the older spec suites (which assert that e.g. a second memory is
// invalid) are validated with Features::wasm1() / wasm2(). Proposals that only add instructions
// need no switch: their opcodes are simply valid.
struct Features {
  bool multi_value = true;      // 2.0: more than one result, block parameters
  bool reference_types = true;  // 2.0: more than one table
  bool multi_memory = true;     // 3.0: more than one memory
  bool extended_const = true;   // 3.0: i32/i64 add, sub, mul in constant expressions
  bool gc = true;               // 3.0: global.get of defined immutable globals in constant exprs
  bool bulk_memory = true;      // 2.0: segment initialisation writes until the first failure
                                //      (1.0 checks every segment before writing any)
  // Switches read only by the decoder (decode_module(bytes, features)): with them off, the
  // 1.0/2.0 encodings apply.
  bool memory64 = true;  // 3.0: u64 limits and memarg offsets, limits flag 0x04 (i64 addresses)
  bool threads = true;   // limits flag 0x02 (shared memory). In no spec version yet; Kumo's
                         // default decoder accepts it. The threads suite is wasm2() + threads.

  static constexpr Features wasm3() { return {}; }
  static constexpr Features wasm2() {
    Features f;
    f.multi_memory = f.extended_const = f.gc = f.memory64 = f.threads = false;
    return f;
  }
  static constexpr Features wasm1() {
    Features f = wasm2();
    f.multi_value = f.reference_types = f.bulk_memory = false;
    return f;
  }
};

// Decodes with the binary format of a spec version: decode_module(bytes) (module.hpp) is
// decode_module(bytes, Features::wasm3()). Without multi_memory, memory.size/grow/init/copy/fill
// carry reserved zero bytes and memarg alignments are < 32 (no memory-index flag); without
// reference_types, call_indirect's table index is a zero byte; without memory64, memarg offsets
// and limits are u32; without threads (and memory64) the limits flag is 0 or 1. Modules accepted
// by an older profile decode to the same Module as with wasm3().
Expected<std::shared_ptr<Module>> decode_module(std::span<const uint8_t> bytes,
                                                const Features& features);

// validate_module(m) is validate_module(m, Features::wasm3()).
Expected<void> validate_module(const Module& m, const Features& features);

// Validates `m` with its function bodies already decoded: bodies[i] is the body of the defined
// function m.functions[i]. For callers that decode bodies once and keep them (and for unit tests
// that build instructions by hand). bodies.size() must equal m.functions.size().
Expected<void> validate_module(const Module& m, std::span<const Body> bodies,
                               const Features& features = Features::wasm3());

}  // namespace kumo::wasm
