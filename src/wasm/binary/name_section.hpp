// The "name" custom section (module and function names, used in backtraces and messages).
#pragma once

#include <cstdint>
#include <span>

#include "wasm/module.hpp"

namespace kumo::wasm::binary {

// Fills m.module_name and m.func_names from the payload of a "name" custom section. A malformed
// name section is ignored as a whole (custom sections must not make a module fail to decode).
void parse_name_section(std::span<const uint8_t> payload, uint32_t base_offset, Module& m);

}  // namespace kumo::wasm::binary
