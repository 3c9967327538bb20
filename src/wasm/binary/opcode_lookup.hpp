// Maps (prefix, code) pairs from the binary encoding to Op, using the table in opcodes.def.
#pragma once

#include <cstdint>

#include "wasm/instr.hpp"

namespace kumo::wasm::binary {

// Returns Op::Count_ when no instruction has this encoding.
Op lookup_opcode(uint8_t prefix, uint32_t code);

}  // namespace kumo::wasm::binary
