// Value, reference, heap and block types in the binary format (wasm 2.0 plus the wasm 3.0
// typed-reference encodings 0x63/0x64 and the abstract heap-type shorthands).
#include "wasm/binary/type_reader.hpp"

namespace kumo::wasm::binary {

namespace {

bool is_abstract_heap_code(uint32_t b) { return b >= HeapType::Exn && b <= HeapType::NoExn; }

}  // namespace

bool is_val_type_start(uint8_t b) {
  return (b >= 0x7B && b <= 0x7F) || b == 0x63 || b == 0x64 || is_abstract_heap_code(b);
}

Expected<HeapType> read_heap_type(Reader& r) {
  uint32_t start = r.offset();
  KUMO_TRY(int64_t v, r.s33());
  if (v >= 0) {
    // Concrete type indices share the u32 with the kConcrete tag bit.
    if (v >= int64_t(HeapType::kConcrete)) return r.fail_at(start, "type index too large in heap type");
    return HeapType::concrete(uint32_t(v));
  }
  // Abstract heap types are one-byte negative s33 values: 0x69..0x74 encode -23..-12.
  int64_t code = v + 0x80;
  if (code < 0 || !is_abstract_heap_code(uint32_t(code))) {
    return r.fail_at(start, fmt::format("malformed heap type {}", v));
  }
  return HeapType{uint32_t(code)};
}

Expected<ValType> read_val_type(Reader& r) {
  uint32_t start = r.offset();
  KUMO_TRY(uint8_t b, r.u8());
  switch (b) {
    case 0x7F: return ValType(ValType::I32);
    case 0x7E: return ValType(ValType::I64);
    case 0x7D: return ValType(ValType::F32);
    case 0x7C: return ValType(ValType::F64);
    case 0x7B: return ValType(ValType::V128);
    case 0x63: {
      KUMO_TRY(HeapType h, read_heap_type(r));
      return ValType::ref(true, h);
    }
    case 0x64: {
      KUMO_TRY(HeapType h, read_heap_type(r));
      return ValType::ref(false, h);
    }
    default:
      if (is_abstract_heap_code(b)) return ValType::ref(true, HeapType{b});
      return r.fail_at(start, fmt::format("malformed value type 0x{:02x}", b));
  }
}

Expected<ValType> read_ref_type(Reader& r) {
  uint32_t start = r.offset();
  KUMO_TRY(uint8_t b, r.peek());
  if (b != 0x63 && b != 0x64 && !is_abstract_heap_code(b)) {
    return r.fail_at(start, fmt::format("malformed reference type 0x{:02x}", b));
  }
  return read_val_type(r);
}

Expected<BlockType> read_block_type(Reader& r) {
  KUMO_TRY(uint8_t b, r.peek());
  BlockType bt;
  if (b == 0x40) {
    (void)r.u8();
    return bt;
  }
  if (is_val_type_start(b)) {
    KUMO_TRY(bt.type, read_val_type(r));
    bt.kind = BlockType::Value;
    return bt;
  }
  // Otherwise a type index, encoded as a non-negative s33.
  uint32_t start = r.offset();
  KUMO_TRY(int64_t idx, r.s33());
  if (idx < 0) return r.fail_at(start, fmt::format("malformed block type {}", idx));
  if (idx > int64_t(UINT32_MAX)) return r.fail_at(start, "block type index too large");
  bt.kind = BlockType::TypeIndex;
  bt.type_index = uint32_t(idx);
  return bt;
}

}  // namespace kumo::wasm::binary
