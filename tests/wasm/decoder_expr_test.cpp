// Unit tests of decode_expr: instruction immediates, block structure, malformed encodings.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "wasm/instr.hpp"

using namespace kumo::wasm;

namespace {

using Bytes = std::vector<uint8_t>;

Body decode_ok(const Bytes& b, uint32_t base = 0) {
  auto r = decode_expr(b, base);
  EXPECT_TRUE(r) << r.error().message;
  return r ? std::move(*r) : Body{};
}

std::string error_of(const Bytes& b) {
  auto r = decode_expr(b, 0x100);
  return r ? std::string() : r.error().message;
}

#define EXPECT_MALFORMED(bytes, substr)                              \
  do {                                                               \
    std::string e_ = error_of(bytes);                                \
    EXPECT_NE(e_, "") << "decoded, expected: " << substr;           \
    EXPECT_NE(e_.find(substr), std::string::npos) << e_;             \
  } while (0)

}  // namespace

TEST(DecodeExpr, ConstantsAndOffsets) {
  Body b = decode_ok({0x41, 0x7f, 0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f,
                      0x43, 0x01, 0x00, 0xc0, 0x7f,  // f32 NaN with payload 1
                      0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x0b},
                     0x40);
  ASSERT_EQ(b.instrs.size(), 5u);
  EXPECT_EQ(b.instrs[0].op, Op::I32Const);
  EXPECT_EQ(b.instrs[0].i64, -1);
  EXPECT_EQ(b.instrs[0].offset, 0x40u);
  EXPECT_EQ(b.instrs[1].i64, INT64_MIN);
  EXPECT_EQ(b.instrs[1].offset, 0x42u);
  EXPECT_EQ(b.instrs[2].bits, 0x7fc00001u);
  EXPECT_EQ(b.instrs[3].bits, 0x3ff0000000000000u);
  EXPECT_EQ(b.instrs[4].op, Op::End);
}

TEST(DecodeExpr, IntegerEncodings) {
  // i32.const: 5 bytes max, and the unused bits of the last byte must be sign bits.
  EXPECT_EQ(decode_ok({0x41, 0xff, 0xff, 0xff, 0xff, 0x07, 0x0b}).instrs[0].i64, INT32_MAX);
  EXPECT_EQ(decode_ok({0x41, 0x80, 0x80, 0x80, 0x80, 0x78, 0x0b}).instrs[0].i64, INT32_MIN);
  EXPECT_EQ(decode_ok({0x41, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x0b}).instrs[0].i64, -1);
  EXPECT_EQ(decode_ok({0x41, 0x80, 0x00, 0x0b}).instrs[0].i64, 0);  // padded zero is fine
  EXPECT_MALFORMED(Bytes({0x41, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x0b}), "integer too large");
  EXPECT_MALFORMED(Bytes({0x41, 0x80, 0x80, 0x80, 0x80, 0x70, 0x0b}), "integer too large");
  EXPECT_MALFORMED(Bytes({0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b}),
                   "integer representation too long");
  // i64.const: 10 bytes max; the 10th byte holds only the sign bit.
  EXPECT_EQ(decode_ok({0x42, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x0b})
                .instrs[0].i64, INT64_MAX);
  EXPECT_MALFORMED(Bytes({0x42, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x0b}),
                   "integer too large");
  EXPECT_MALFORMED(Bytes({0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00,
                          0x0b}), "integer representation too long");
  // u32 indices: 5 bytes max, the last byte < 0x10.
  EXPECT_EQ(decode_ok({0x10, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x0b}).instrs[0].index, UINT32_MAX);
  EXPECT_MALFORMED(Bytes({0x10, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x0b}), "integer too large");
  EXPECT_MALFORMED(Bytes({0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b}),
                   "integer representation too long");
  // memarg offset: a u64 (memory64).
  Body b = decode_ok({0x28, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x0b});
  EXPECT_EQ(b.instrs[0].memarg.offset, UINT64_MAX);
  EXPECT_MALFORMED(Bytes({0x28, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x03,
                          0x0b}), "integer too large");
}

TEST(DecodeExpr, BlocksAndNesting) {
  Body b = decode_ok({0x02, 0x40,              // block
                      0x03, 0x7f,              //   loop (result i32)
                      0x04, 0x05,              //     if (type 5)
                      0x05,                    //     else
                      0x0b,                    //     end
                      0x0b,                    //   end
                      0x0b,                    // end
                      0x0b});                  // end of the expression
  ASSERT_EQ(b.instrs.size(), 8u);
  EXPECT_EQ(b.instrs[0].block.kind, BlockType::Empty);
  EXPECT_EQ(b.instrs[1].block.kind, BlockType::Value);
  EXPECT_EQ(b.instrs[1].block.type, ValType(ValType::I32));
  EXPECT_EQ(b.instrs[2].block.kind, BlockType::TypeIndex);
  EXPECT_EQ(b.instrs[2].block.type_index, 5u);
  EXPECT_EQ(b.instrs.back().op, Op::End);

  EXPECT_MALFORMED(Bytes({0x02, 0x40, 0x0b}), "END opcode expected");
  EXPECT_MALFORMED(Bytes({0x0b, 0x01}), "END opcode expected");
  EXPECT_MALFORMED(Bytes({}), "unexpected end");
  EXPECT_MALFORMED(Bytes({0x02, 0x7a, 0x0b, 0x0b}), "malformed block type");  // negative, not a type
  // A typed-reference block type: (ref null func).
  EXPECT_EQ(decode_ok({0x02, 0x63, 0x70, 0x0b, 0x0b}).instrs[0].block.type, ValType::funcref());
}

TEST(DecodeExpr, BranchTables) {
  Body b = decode_ok({0x0e, 0x02, 0x00, 0x01, 0x02, 0x0e, 0x00, 0x07, 0x0b});
  ASSERT_EQ(b.instrs.size(), 3u);
  EXPECT_EQ(b.instrs[0].table_begin, 0u);
  EXPECT_EQ(b.instrs[0].table_size, 3u);
  EXPECT_EQ(b.instrs[1].table_begin, 3u);
  EXPECT_EQ(b.instrs[1].table_size, 1u);
  EXPECT_EQ(b.br_targets, (std::vector<uint32_t>{0, 1, 2, 7}));
}

TEST(DecodeExpr, MemoryInstructions) {
  Body b = decode_ok({0x28, 0x02, 0x10,               // i32.load align=4 offset=16
                      0x36, 0x42, 0x03, 0x08,         // i32.store memory 3 align=4 offset=8
                      0x3f, 0x00, 0x40, 0x02,         // memory.size 0, memory.grow 2
                      0xfc, 0x08, 0x01, 0x00,         // memory.init data 1 mem 0
                      0xfc, 0x0a, 0x01, 0x02,         // memory.copy 1 2
                      0xfc, 0x0b, 0x00,               // memory.fill 0
                      0x0b});
  ASSERT_EQ(b.instrs.size(), 8u);
  EXPECT_EQ(b.instrs[0].memarg.align, 2u);
  EXPECT_EQ(b.instrs[0].memarg.offset, 16u);
  EXPECT_EQ(b.instrs[0].memarg.memory, 0u);
  EXPECT_EQ(b.instrs[1].memarg.memory, 3u);
  EXPECT_EQ(b.instrs[1].memarg.align, 2u);
  EXPECT_EQ(b.instrs[1].memarg.offset, 8u);
  EXPECT_EQ(b.instrs[3].index, 2u);
  EXPECT_EQ(b.instrs[4].op, Op::MemoryInit);
  EXPECT_EQ(b.instrs[4].index, 1u);
  EXPECT_EQ(b.instrs[5].index, 1u);
  EXPECT_EQ(b.instrs[5].index2, 2u);
  EXPECT_MALFORMED(Bytes({0x28, 0x80, 0x01, 0x00, 0x0b}), "malformed memop flags");
}

TEST(DecodeExpr, CallsAndReferences) {
  Body b = decode_ok({0x11, 0x02, 0x80, 0x00,   // call_indirect type 2 table 0 (long LEB)
                      0x13, 0x01, 0x03,         // return_call_indirect type 1 table 3
                      0x12, 0x04,               // return_call 4
                      0x14, 0x05,               // call_ref type 5
                      0xd0, 0x6f,               // ref.null extern
                      0xd0, 0x07,               // ref.null 7
                      0xd2, 0x09,               // ref.func 9
                      0x1c, 0x01, 0x7e,         // select (result i64)
                      0x0b});
  ASSERT_EQ(b.instrs.size(), 9u);
  EXPECT_EQ(b.instrs[0].index, 2u);
  EXPECT_EQ(b.instrs[0].index2, 0u);
  EXPECT_EQ(b.instrs[1].op, Op::ReturnCallIndirect);
  EXPECT_EQ(b.instrs[1].index2, 3u);
  EXPECT_EQ(b.instrs[4].heap, HeapType{HeapType::Extern});
  EXPECT_EQ(b.instrs[5].heap, HeapType::concrete(7));
  EXPECT_EQ(b.instrs[7].type, ValType(ValType::I64));
  EXPECT_MALFORMED(Bytes({0x1c, 0x02, 0x7f, 0x7f, 0x0b}), "invalid result arity");
  EXPECT_MALFORMED(Bytes({0xd0, 0x7f, 0x0b}), "malformed heap type");
}

TEST(DecodeExpr, Exceptions) {
  // try_table (result i32) with catch 1 -> 0, catch_ref 2 -> 1, catch_all -> 2, catch_all_ref -> 3.
  Body b = decode_ok({0x1f, 0x7f, 0x04, 0x00, 0x01, 0x00, 0x01, 0x02, 0x01, 0x02, 0x02, 0x03, 0x03,
                      0x08, 0x01,   // throw 1
                      0x0b,         // end try_table
                      0x0a,         // throw_ref
                      0x0b});
  ASSERT_EQ(b.instrs.size(), 5u);
  EXPECT_EQ(b.instrs[0].op, Op::TryTable);
  EXPECT_EQ(b.instrs[0].table_size, 4u);
  ASSERT_EQ(b.catches.size(), 4u);
  EXPECT_EQ(b.catches[0].kind, CatchClause::Catch);
  EXPECT_EQ(b.catches[0].tag, 1u);
  EXPECT_EQ(b.catches[1].kind, CatchClause::CatchRef);
  EXPECT_EQ(b.catches[1].label, 1u);
  EXPECT_EQ(b.catches[2].kind, CatchClause::CatchAll);
  EXPECT_EQ(b.catches[2].label, 2u);
  EXPECT_EQ(b.catches[3].label, 3u);
  EXPECT_MALFORMED(Bytes({0x1f, 0x40, 0x01, 0x04, 0x00, 0x0b, 0x0b}), "malformed catch clause");

  // Legacy: try / catch / catch_all / rethrow / delegate.
  b = decode_ok({0x06, 0x40, 0x07, 0x00, 0x09, 0x00, 0x19, 0x0b,   // try catch 0 rethrow 0 catch_all end
                 0x06, 0x40, 0x18, 0x00,                           // try delegate 0
                 0x0b});
  EXPECT_EQ(b.instrs.size(), 8u);
  EXPECT_MALFORMED(Bytes({0x18, 0x00, 0x0b}), "delegate outside");
}

TEST(DecodeExpr, Simd) {
  Bytes v = {0xfd, 0x0c};
  for (int i = 0; i < 16; ++i) v.push_back(uint8_t(i));
  Bytes rest = {0xfd, 0x15, 0x03,               // i8x16.extract_lane_s 3
                0xfd, 0x54, 0x00, 0x00, 0x07,   // v128.load8_lane align 0 offset 0 lane 7
                0xfd, 0x80, 0x01,               // i16x8.extadd_pairwise? code 128 (two-byte LEB)
                0x0b};
  v.insert(v.end(), rest.begin(), rest.end());
  Body b = decode_ok(v);
  ASSERT_EQ(b.instrs.size(), 5u);
  EXPECT_EQ(b.instrs[0].op, Op::V128Const);
  EXPECT_EQ(b.instrs[0].v128[15], 15);
  EXPECT_EQ(b.instrs[1].lane, 3);
  EXPECT_EQ(b.instrs[2].op, Op::V128Load8Lane);
  EXPECT_EQ(b.instrs[2].lane, 7);
  EXPECT_EQ(op_info(b.instrs[3].op).code, 128u);
  EXPECT_MALFORMED(Bytes({0xfd, 0x0c, 0x00, 0x0b}), "unexpected end");
}

TEST(DecodeExpr, IllegalOpcodes) {
  EXPECT_MALFORMED(Bytes({0xff, 0x0b}), "illegal opcode 0xff");
  EXPECT_MALFORMED(Bytes({0x27, 0x0b}), "illegal opcode 0x27");
  EXPECT_MALFORMED(Bytes({0xfc, 0x7f, 0x0b}), "illegal opcode 0xfc 127");
  EXPECT_MALFORMED(Bytes({0xfd, 0xff, 0xff, 0x03, 0x0b}), "illegal opcode 0xfd");
  EXPECT_MALFORMED(Bytes({0xfb, 0x00, 0x0b}), "GC instructions are not supported yet");
  // The error names the offset of the opcode (base 0x100 in error_of).
  EXPECT_EQ(error_of({0x01, 0x01, 0xf3, 0x0b}), "expression at offset 0x102: illegal opcode 0xf3");
}

TEST(DecodeExpr, OpInfoMatchesEncoding) {
  EXPECT_STREQ(op_info(Op::I32Add).text, "i32.add");
  EXPECT_EQ(op_info(Op::I32Add).code, 0x6Au);
  EXPECT_EQ(op_info(Op::I32Add).imm, ImmKind::None);
  EXPECT_STREQ(op_info(Op::I32Add).sig, "ii:i");
  EXPECT_EQ(op_info(Op::MemoryCopy).prefix, 0xFC);
  EXPECT_EQ(op_info(Op::V128Const).imm, ImmKind::V128);
  // Every instruction with no immediate decodes back to itself from its encoding.
  for (size_t i = 0; i < size_t(Op::Count_); ++i) {
    Op op = Op(i);
    const OpInfo& info = op_info(op);
    if (info.imm != ImmKind::None || op == Op::End || op == Op::Else || op == Op::CatchAll) continue;
    Bytes enc;
    if (info.prefix) {
      enc.push_back(info.prefix);
      uint32_t c = info.code;
      do {
        uint8_t byte = c & 0x7f;
        c >>= 7;
        if (c) byte |= 0x80;
        enc.push_back(byte);
      } while (c);
    } else {
      enc.push_back(uint8_t(info.code));
    }
    enc.push_back(0x0b);
    auto r = decode_expr(enc, 0);
    ASSERT_TRUE(r) << info.text << ": " << r.error().message;
    EXPECT_EQ(r->instrs[0].op, op) << info.text;
  }
}
