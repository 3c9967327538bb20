// Decoding of value types, reference types, heap types and block types; shared by the module
// decoder and the expression decoder.
#pragma once

#include "wasm/binary/reader.hpp"
#include "wasm/instr.hpp"
#include "wasm/types.hpp"

namespace kumo::wasm::binary {

// True for the one-byte codes that start a value type (numeric, vector, reference shorthands,
// and the 0x63/0x64 prefixes of `ref null ht` / `ref ht`).
bool is_val_type_start(uint8_t b);

Expected<HeapType> read_heap_type(Reader& r);  // s33: abstract code or type index
Expected<ValType> read_val_type(Reader& r);
Expected<ValType> read_ref_type(Reader& r);    // a value type that must be a reference type
Expected<BlockType> read_block_type(Reader& r);

}  // namespace kumo::wasm::binary
