// Internal interface of the expression decoder, for the module decoder: decodes from a Reader
// positioned inside a section, so that constant expressions (which carry no length) and function
// bodies share one implementation and errors carry the section's context.
#pragma once

#include "wasm/binary/reader.hpp"
#include "wasm/instr.hpp"

namespace kumo::wasm::binary {

// Which spec version's encodings to decode (from Features; see decode_module(bytes, features)).
// The defaults are wasm 3.0. Every older encoding is a subset of the 3.0 one, decoding to the
// same result, so bodies accepted with an older profile may be decoded again with the default.
struct Profile {
  bool memory_index = true;  // multi-memory: memory indices (not zero bytes), memarg bit 6
  bool table_index = true;   // reference types: call_indirect's table index (not a zero byte)
  bool memory64 = true;      // u64 memarg offsets and limits, limits flag 0x04
  bool shared = true;        // threads: memory limits flag 0x02
  bool gc = true;            // GC: 0xFB-prefixed instructions
};

// Facts the module decoder needs for checks that span sections.
struct ExprFacts {
  bool uses_data_index = false;  // memory.init or data.drop: requires a data count section
};

// Appends the instructions of one expression to `out` (which should be empty), stopping right
// after the `end` that closes it. The reader is left just past that `end`.
Expected<void> decode_expr_into(Reader& r, Body& out, ExprFacts& facts,
                                const Profile& profile = {});

}  // namespace kumo::wasm::binary
