// Internal interface of the expression decoder, for the module decoder: decodes from a Reader
// positioned inside a section, so that constant expressions (which carry no length) and function
// bodies share one implementation and errors carry the section's context.
#pragma once

#include "wasm/binary/reader.hpp"
#include "wasm/instr.hpp"

namespace kumo::wasm::binary {

// Facts the module decoder needs for checks that span sections.
struct ExprFacts {
  bool uses_data_index = false;  // memory.init or data.drop: requires a data count section
};

// Appends the instructions of one expression to `out` (which should be empty), stopping right
// after the `end` that closes it. The reader is left just past that `end`.
Expected<void> decode_expr_into(Reader& r, Body& out, ExprFacts& facts);

}  // namespace kumo::wasm::binary
