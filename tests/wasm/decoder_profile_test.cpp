// Unit tests of decode_module(bytes, features): the wasm 1.0 / 2.0 encodings that differ from
// 3.0 (reserved zero bytes, memop flags, u32 memarg offsets and limits, limits flags), and that
// the default decoder (3.0) is unchanged.
#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "wasm/module.hpp"
#include "wasm/validator/validator.hpp"

using namespace kumo::wasm;

namespace {

using Bytes = std::vector<uint8_t>;

Bytes uleb(uint64_t v) {
  Bytes out;
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    if (v) b |= 0x80;
    out.push_back(b);
  } while (v);
  return out;
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes section(uint8_t id, const Bytes& payload) { return cat({{id}, uleb(payload.size()), payload}); }

Bytes vec(std::initializer_list<Bytes> items) {
  Bytes out = uleb(items.size());
  for (const auto& i : items) out.insert(out.end(), i.begin(), i.end());
  return out;
}

Bytes module(std::initializer_list<Bytes> sections) {
  Bytes out = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
  for (const auto& s : sections) out.insert(out.end(), s.begin(), s.end());
  return out;
}

const Bytes kTypeVoid = section(1, vec({{0x60, 0x00, 0x00}}));
const Bytes kOneFunc = section(3, vec({{0x00}}));
const Bytes kMemory = section(5, vec({{0x00, 0x01}}));
const Bytes kTable = section(4, vec({{0x70, 0x00, 0x00}}));
const Bytes kDataCount = section(12, {0x00});

// A module with one memory, one table and one function whose body is `expr` (no locals).
Bytes with_body(const Bytes& expr) {
  Bytes body = cat({{0x00}, expr});
  return module({kTypeVoid, kOneFunc, kTable, kMemory, kDataCount,
                 section(10, vec({cat({uleb(body.size()), body})}))});
}

std::string error_of(const Bytes& b, const Features& f) {
  auto m = decode_module(b, f);
  return m ? std::string() : m.error().message;
}
std::string error_of(const Bytes& b) {
  auto m = decode_module(b);
  return m ? std::string() : m.error().message;
}

#define EXPECT_MALFORMED_WITH(bytes, features, substr)                   \
  do {                                                                   \
    std::string e_ = error_of(bytes, features);                          \
    EXPECT_NE(e_, "") << "decoded, expected an error with: " << substr; \
    EXPECT_NE(e_.find(substr), std::string::npos) << e_;                 \
  } while (0)

#define EXPECT_DECODES_WITH(bytes, features) EXPECT_EQ(error_of(bytes, features), "")
#define EXPECT_DECODES(bytes) EXPECT_EQ(error_of(bytes), "")

const Features kV1 = Features::wasm1();
const Features kV2 = Features::wasm2();
const Features kV3 = Features::wasm3();

}  // namespace

TEST(DecoderProfile, MemorySizeAndGrowZeroByte) {
  for (uint8_t op : {0x3F, 0x40}) {  // memory.size, memory.grow
    Bytes pre = op == 0x40 ? Bytes{0x41, 0x00} : Bytes{};
    Bytes ok = with_body(cat({pre, {op, 0x00, 0x1A, 0x0B}}));
    Bytes one = with_body(cat({pre, {op, 0x01, 0x1A, 0x0B}}));
    Bytes long_zero = with_body(cat({pre, {op, 0x80, 0x00, 0x1A, 0x0B}}));
    for (const Features& f : {kV1, kV2}) {
      EXPECT_DECODES_WITH(ok, f);
      EXPECT_MALFORMED_WITH(one, f, "zero byte expected");
      EXPECT_MALFORMED_WITH(long_zero, f, "zero byte expected");
    }
    // 3.0: a memory index (an unknown one is the validator's business).
    EXPECT_DECODES(ok);
    EXPECT_DECODES(one);
    EXPECT_DECODES(long_zero);
    EXPECT_DECODES_WITH(long_zero, kV3);
  }
}

TEST(DecoderProfile, BulkMemoryZeroBytes) {
  // memory.fill 0; memory.copy 0 0; memory.init 0 0 (with three i32 operands each).
  const Bytes args = {0x41, 0x00, 0x41, 0x00, 0x41, 0x00};
  EXPECT_DECODES_WITH(with_body(cat({args, {0xFC, 0x0B, 0x00, 0x0B}})), kV2);
  EXPECT_MALFORMED_WITH(with_body(cat({args, {0xFC, 0x0B, 0x01, 0x0B}})), kV2, "zero byte expected");
  EXPECT_DECODES_WITH(with_body(cat({args, {0xFC, 0x0A, 0x00, 0x00, 0x0B}})), kV2);
  EXPECT_MALFORMED_WITH(with_body(cat({args, {0xFC, 0x0A, 0x00, 0x01, 0x0B}})), kV2,
                        "zero byte expected");
  EXPECT_MALFORMED_WITH(with_body(cat({args, {0xFC, 0x0A, 0x80, 0x00, 0x00, 0x0B}})), kV2,
                        "zero byte expected");
  EXPECT_MALFORMED_WITH(with_body(cat({args, {0xFC, 0x08, 0x00, 0x01, 0x0B}})), kV2,
                        "zero byte expected");
  EXPECT_DECODES(with_body(cat({args, {0xFC, 0x0A, 0x00, 0x01, 0x0B}})));
  EXPECT_DECODES(with_body(cat({args, {0xFC, 0x08, 0x00, 0x01, 0x0B}})));
}

TEST(DecoderProfile, CallIndirectTableIndex) {
  Bytes zero = with_body({0x41, 0x00, 0x11, 0x00, 0x00, 0x0B});
  Bytes one = with_body({0x41, 0x00, 0x11, 0x00, 0x01, 0x0B});
  Bytes long_zero = with_body({0x41, 0x00, 0x11, 0x00, 0x80, 0x00, 0x0B});
  EXPECT_DECODES_WITH(zero, kV1);
  EXPECT_MALFORMED_WITH(one, kV1, "zero byte expected");
  EXPECT_MALFORMED_WITH(long_zero, kV1, "zero byte expected");
  // 2.0 (reference types): a table index.
  EXPECT_DECODES_WITH(one, kV2);
  EXPECT_DECODES_WITH(long_zero, kV2);
  EXPECT_DECODES(one);
}

TEST(DecoderProfile, MemargFlagsAndOffset) {
  auto load = [](const Bytes& memarg) { return with_body(cat({{0x41, 0x00, 0x28}, memarg, {0x1A, 0x0B}})); };
  for (const Features& f : {kV1, kV2}) {
    EXPECT_DECODES_WITH(load({0x02, 0x00}), f);
    EXPECT_DECODES_WITH(load({0x1F, 0x00}), f);  // invalid (too aligned), not malformed
    for (uint8_t a : {0x20, 0x21, 0x3F, 0x40, 0x41}) {
      EXPECT_MALFORMED_WITH(load({a, 0x00}), f, "malformed memop flags");
    }
    EXPECT_DECODES_WITH(load({0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F}), f);  // offset 2^32-1
    EXPECT_MALFORMED_WITH(load({0x02, 0x82, 0x80, 0x80, 0x80, 0x10}), f, "integer too large");
    EXPECT_MALFORMED_WITH(load({0x02, 0x82, 0x80, 0x80, 0x80, 0x80, 0x00}), f,
                          "integer representation too long");
    EXPECT_MALFORMED_WITH(load({0x82, 0x80, 0x80, 0x80, 0x10, 0x00}), f, "integer too large");
  }
  // 3.0: bit 6 is a memory index flag; offsets are u64.
  EXPECT_DECODES(load({0x40, 0x00, 0x00}));
  EXPECT_DECODES(load({0x3F, 0x00}));
  EXPECT_DECODES(load({0x02, 0x82, 0x80, 0x80, 0x80, 0x10}));
  EXPECT_DECODES(load({0x02, 0x82, 0x80, 0x80, 0x80, 0x80, 0x00}));
  // SIMD load lane (2.0) uses the same memarg.
  EXPECT_MALFORMED_WITH(with_body({0x41, 0x00, 0xFD, 0x0C, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFD, 0x54,
                                   0x40, 0x00, 0x00, 0x1A, 0x0B}),
                        kV2, "malformed memop flags");
}

TEST(DecoderProfile, Limits) {
  auto mem = [](const Bytes& limits) { return module({section(5, cat({{0x01}, limits}))}); };
  auto table = [](const Bytes& limits) {
    return module({section(4, cat({{0x01, 0x70}, limits}))});
  };
  for (const Features& f : {kV1, kV2}) {
    EXPECT_DECODES_WITH(mem({0x00, 0x01}), f);
    EXPECT_DECODES_WITH(mem({0x01, 0x01, 0x02}), f);
    EXPECT_DECODES_WITH(mem({0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F}), f);  // invalid, not malformed
    EXPECT_MALFORMED_WITH(mem({0x00, 0x82, 0x80, 0x80, 0x80, 0x80, 0x00}), f,
                          "integer representation too long");
    EXPECT_MALFORMED_WITH(mem({0x01, 0x02, 0x82, 0x80, 0x80, 0x80, 0x80, 0x00}), f,
                          "integer representation too long");
    EXPECT_MALFORMED_WITH(mem({0x00, 0x82, 0x80, 0x80, 0x80, 0x70}), f, "integer too large");
    EXPECT_MALFORMED_WITH(table({0x01, 0x02, 0x82, 0x80, 0x80, 0x80, 0x10}), f, "integer too large");
    EXPECT_MALFORMED_WITH(mem({0x02, 0x00}), f, "integer too large");  // shared
    EXPECT_MALFORMED_WITH(mem({0x03, 0x00, 0x01}), f, "integer too large");
    EXPECT_MALFORMED_WITH(mem({0x04, 0x00}), f, "integer too large");  // i64
    EXPECT_MALFORMED_WITH(table({0x04, 0x00}), f, "integer too large");
    EXPECT_MALFORMED_WITH(mem({0x81, 0x00, 0x00, 0x00}), f, "integer representation too long");
    EXPECT_MALFORMED_WITH(table({0x81, 0x00, 0x00, 0x00}), f, "integer representation too long");
  }
  // The threads suite: wasm 2.0 plus shared memories (tables still cannot be shared).
  Features threads = kV2;
  threads.threads = true;
  EXPECT_DECODES_WITH(mem({0x03, 0x00, 0x01}), threads);
  EXPECT_DECODES_WITH(mem({0x02, 0x00}), threads);  // invalid (no max), not malformed
  EXPECT_MALFORMED_WITH(table({0x02, 0x00}), threads, "integer too large");
  EXPECT_MALFORMED_WITH(mem({0x04, 0x00}), threads, "integer too large");
  // 3.0: u64 bounds, shared and i64 flags.
  EXPECT_DECODES(mem({0x00, 0x82, 0x80, 0x80, 0x80, 0x80, 0x00}));
  EXPECT_DECODES(mem({0x00, 0x82, 0x80, 0x80, 0x80, 0x70}));
  EXPECT_DECODES(mem({0x03, 0x00, 0x01}));
  EXPECT_DECODES(mem({0x04, 0x00}));
  EXPECT_DECODES(table({0x04, 0x00}));
  auto m = decode_module(mem({0x05, 0x00, 0x82, 0x80, 0x80, 0x80, 0x70}));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_TRUE((*m)->memories[0].limits.is64);
  EXPECT_EQ(*(*m)->memories[0].limits.max, 0x700000002ull);
}

// Constant expressions (global initialisers, segment offsets) use the profile too.
TEST(DecoderProfile, ConstExprAndSameResult) {
  Bytes global = module({section(6, vec({{0x7F, 0x00, 0x3F, 0x01, 0x0B}}))});  // memory.size 1
  EXPECT_MALFORMED_WITH(global, kV2, "zero byte expected");
  EXPECT_DECODES(global);  // malformed only in 2.0 (invalid in 3.0)

  // A module accepted by an older profile decodes to the same instructions as with 3.0.
  Bytes b = with_body({0x41, 0x00, 0x28, 0x02, 0x8F, 0x80, 0x00, 0x1A, 0x3F, 0x00, 0x1A, 0x41, 0x00,
                       0x11, 0x00, 0x00, 0x0B});
  auto m1 = decode_module(b, kV1);
  auto m3 = decode_module(b);
  ASSERT_TRUE(m1) << m1.error().message;
  ASSERT_TRUE(m3) << m3.error().message;
  const Function& f1 = (*m1)->functions[0];
  auto body1 = decode_expr({b.data() + f1.code_offset, f1.code_size}, f1.code_offset);
  ASSERT_TRUE(body1) << body1.error().message;
  ASSERT_EQ(body1->instrs.size(), 8u);
  EXPECT_EQ(body1->instrs[1].memarg.offset, 15u);
  EXPECT_EQ(body1->instrs[1].memarg.align, 2u);
  EXPECT_EQ(body1->instrs[3].op, Op::MemorySize);
  EXPECT_EQ(body1->instrs[3].index, 0u);
  EXPECT_EQ(body1->instrs[6].op, Op::CallIndirect);
  EXPECT_EQ(body1->instrs[6].index2, 0u);
  EXPECT_EQ(f1.code_offset, (*m3)->functions[0].code_offset);
}
