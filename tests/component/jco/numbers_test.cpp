// numbers: every scalar type round-trips through its extremes in both directions (wit-bindgen
// tests/runtime/numbers).
#include <cmath>
#include <limits>

#include "jco_host.hpp"

namespace kumo::component::jco {
namespace {

template <class T>
using L = std::numeric_limits<T>;

struct Numbers : JcoTest {
  uint32_t scalar = 0;
  int imported_calls = 0;

  void define_imports() {
    auto& i = imports("test:numbers/test");
    auto id = [this](auto v) { imported_calls++; return v; };
    func_wrap(i, "roundtrip-u8", [id](uint8_t v) { return id(v); });
    func_wrap(i, "roundtrip-s8", [id](int8_t v) { return id(v); });
    func_wrap(i, "roundtrip-u16", [id](uint16_t v) { return id(v); });
    func_wrap(i, "roundtrip-s16", [id](int16_t v) { return id(v); });
    func_wrap(i, "roundtrip-u32", [id](uint32_t v) { return id(v); });
    func_wrap(i, "roundtrip-s32", [id](int32_t v) { return id(v); });
    func_wrap(i, "roundtrip-u64", [id](uint64_t v) { return id(v); });
    func_wrap(i, "roundtrip-s64", [id](int64_t v) { return id(v); });
    func_wrap(i, "roundtrip-f32", [id](float v) { return id(v); });
    func_wrap(i, "roundtrip-f64", [id](double v) { return id(v); });
    func_wrap(i, "roundtrip-char", [id](char32_t v) { return id(v); });
    func_wrap(i, "set-scalar", [this](uint32_t v) { scalar = v; });
    func_wrap(i, "get-scalar", [this] { return scalar; });
  }
  void SetUp() override {
    ASSERT_TRUE(load("numbers"));
    define_imports();
    ASSERT_TRUE(instantiate());
  }
  template <class T>
  Export<T(T)> roundtrip(const char* name) { return get<T(T)>("test:numbers/test", name); }
};

TEST_F(Numbers, GuestCallsImports) {
  get<void()>("", "test-imports")();
  // 3 calls per integer type, 4 per float type, 3 chars (the guest asserts every value).
  EXPECT_EQ(imported_calls, 8 * 3 + 2 * 4 + 3);
  EXPECT_EQ(scalar, 4u);
}

TEST_F(Numbers, Integers) {
  auto u8 = roundtrip<uint8_t>("roundtrip-u8");
  for (uint8_t v : {uint8_t(1), L<uint8_t>::min(), L<uint8_t>::max()}) EXPECT_EQ(u8(v), v);
  auto s8 = roundtrip<int8_t>("roundtrip-s8");
  for (int8_t v : {int8_t(1), L<int8_t>::min(), L<int8_t>::max()}) EXPECT_EQ(s8(v), v);
  auto u16 = roundtrip<uint16_t>("roundtrip-u16");
  for (uint16_t v : {uint16_t(1), L<uint16_t>::min(), L<uint16_t>::max()}) EXPECT_EQ(u16(v), v);
  auto s16 = roundtrip<int16_t>("roundtrip-s16");
  for (int16_t v : {int16_t(1), L<int16_t>::min(), L<int16_t>::max()}) EXPECT_EQ(s16(v), v);
  auto u32 = roundtrip<uint32_t>("roundtrip-u32");
  for (uint32_t v : {1u, L<uint32_t>::min(), L<uint32_t>::max()}) EXPECT_EQ(u32(v), v);
  auto s32 = roundtrip<int32_t>("roundtrip-s32");
  for (int32_t v : {1, L<int32_t>::min(), L<int32_t>::max()}) EXPECT_EQ(s32(v), v);
  auto u64 = roundtrip<uint64_t>("roundtrip-u64");
  for (uint64_t v : {uint64_t(1), L<uint64_t>::min(), L<uint64_t>::max()}) EXPECT_EQ(u64(v), v);
  auto s64 = roundtrip<int64_t>("roundtrip-s64");
  for (int64_t v : {int64_t(1), L<int64_t>::min(), L<int64_t>::max()}) EXPECT_EQ(s64(v), v);
}

TEST_F(Numbers, Floats) {
  auto f32 = roundtrip<float>("roundtrip-f32");
  for (float v : {1.0f, L<float>::infinity(), -L<float>::infinity(), -0.0f, L<float>::denorm_min()})
    EXPECT_EQ(f32(v), v);
  EXPECT_TRUE(std::isnan(f32(L<float>::quiet_NaN())));
  EXPECT_TRUE(std::signbit(f32(-0.0f)));
  auto f64 = roundtrip<double>("roundtrip-f64");
  for (double v : {1.0, L<double>::infinity(), -L<double>::infinity(), L<double>::max()})
    EXPECT_EQ(f64(v), v);
  EXPECT_TRUE(std::isnan(f64(L<double>::quiet_NaN())));
}

TEST_F(Numbers, Chars) {
  auto c = roundtrip<char32_t>("roundtrip-char");
  for (char32_t v : {U'a', U' ', U'\U0001F6A9', U'\0', U'\uD7FF', U'\U0010FFFF'}) EXPECT_EQ(c(v), v);
}

TEST_F(Numbers, Scalar) {
  auto set = get<void(uint32_t)>("test:numbers/test", "set-scalar");
  auto get_ = get<uint32_t()>("test:numbers/test", "get-scalar");
  set(2);
  EXPECT_EQ(get_(), 2u);
  set(4);
  EXPECT_EQ(get_(), 4u);
}

TEST_F(Numbers, SignatureMismatchIsAnError) {
  auto f = typed_func<uint16_t(uint8_t)>(instance_, "test:numbers/test", "roundtrip-u8");
  ASSERT_FALSE(f);
  EXPECT_NE(f.error().message.find("result"), std::string::npos) << f.error().message;
  auto g = typed_func<void()>(instance_, "test:numbers/test", "no-such-function");
  ASSERT_FALSE(g);
  EXPECT_NE(g.error().message.find("no such function"), std::string::npos) << g.error().message;
}

}  // namespace
}  // namespace kumo::component::jco
