// Value parsing and matching of the spec-test JSON format (NaN patterns, v128 lanes, references).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <bit>
#include <cstring>

#include "cli/wast_values.hpp"

using kumo::cli::ExpectedValue;
using kumo::cli::HostRefs;
using kumo::wasm::Value;
using kumo::wasm::ValType;
using nlohmann::json;

namespace kc = kumo::cli;

namespace {

ExpectedValue expect(const char* text) {
  auto e = kc::parse_expected(json::parse(text));
  EXPECT_TRUE(e) << text << ": " << (e ? "" : e.error().message);
  return e ? *e : ExpectedValue{};
}

Value v128_of_f32(float a, float b, float c, float d) {
  float lanes[4] = {a, b, c, d};
  kumo::wasm::V128 v;
  std::memcpy(&v, lanes, 16);
  return Value::from_v128(v);
}

}  // namespace

TEST(WastValues, ParseIntBits) {
  EXPECT_EQ(*kc::parse_int_bits("0", 32), 0u);
  EXPECT_EQ(*kc::parse_int_bits("4294967295", 32), 0xffffffffu);
  EXPECT_EQ(*kc::parse_int_bits("-1", 32), 0xffffffffu);
  EXPECT_EQ(*kc::parse_int_bits("-2147483648", 32), 0x80000000u);
  EXPECT_EQ(*kc::parse_int_bits("0x10", 8), 16u);
  EXPECT_EQ(*kc::parse_int_bits("18446744073709551615", 64), ~uint64_t(0));
  EXPECT_EQ(*kc::parse_int_bits("-9223372036854775808", 64), uint64_t(1) << 63);
  EXPECT_FALSE(kc::parse_int_bits("4294967296", 32));
  EXPECT_FALSE(kc::parse_int_bits("-2147483649", 32));
  EXPECT_FALSE(kc::parse_int_bits("256", 8));
  EXPECT_FALSE(kc::parse_int_bits("", 32));
  EXPECT_FALSE(kc::parse_int_bits("12a", 32));
  EXPECT_FALSE(kc::parse_int_bits("nan:canonical", 32));
}

TEST(WastValues, NanClasses) {
  EXPECT_TRUE(kc::is_canonical_nan32(0x7fc00000));
  EXPECT_TRUE(kc::is_canonical_nan32(0xffc00000));
  EXPECT_FALSE(kc::is_canonical_nan32(0x7fc00001));
  EXPECT_FALSE(kc::is_canonical_nan32(0x7f800000));  // infinity
  EXPECT_TRUE(kc::is_arithmetic_nan32(0x7fc00001));
  EXPECT_TRUE(kc::is_arithmetic_nan32(0xffffffff));
  EXPECT_FALSE(kc::is_arithmetic_nan32(0x7fa00000));  // signalling
  EXPECT_FALSE(kc::is_arithmetic_nan32(0x3f800000));
  EXPECT_TRUE(kc::is_canonical_nan64(0x7ff8000000000000));
  EXPECT_TRUE(kc::is_canonical_nan64(0xfff8000000000000));
  EXPECT_FALSE(kc::is_canonical_nan64(0x7ff8000000000001));
  EXPECT_TRUE(kc::is_arithmetic_nan64(0x7ff8000000000001));
  EXPECT_FALSE(kc::is_arithmetic_nan64(0x7ff4000000000000));
  EXPECT_FALSE(kc::is_arithmetic_nan64(0x7ff0000000000000));
}

TEST(WastValues, ScalarExpectations) {
  HostRefs refs;
  EXPECT_TRUE(kc::matches(expect(R"({"type":"i32","value":"4294967295"})"), Value::from_i32(~0u), refs));
  EXPECT_FALSE(kc::matches(expect(R"({"type":"i32","value":"1"})"), Value::from_i32(2), refs));
  // The type matters, not only the bits.
  EXPECT_FALSE(kc::matches(expect(R"({"type":"i32","value":"1"})"), Value::from_i64(1), refs));
  EXPECT_FALSE(kc::matches(expect(R"({"type":"f32","value":"0"})"), Value::from_i32(0), refs));
  // Floats compare bits: -0 differs from +0, and a NaN needs its exact payload.
  EXPECT_TRUE(kc::matches(expect(R"({"type":"f32","value":"2147483648"})"), Value::from_f32(-0.0f), refs));
  EXPECT_FALSE(kc::matches(expect(R"({"type":"f32","value":"0"})"), Value::from_f32(-0.0f), refs));
  EXPECT_TRUE(kc::matches(expect(R"({"type":"f64","value":"9221120237041090561"})"),
                          Value::from_f64_bits(0x7ff8000000000001), refs));
}

TEST(WastValues, NanPatterns) {
  HostRefs refs;
  auto canon32 = expect(R"({"type":"f32","value":"nan:canonical"})");
  auto arith32 = expect(R"({"type":"f32","value":"nan:arithmetic"})");
  EXPECT_TRUE(kc::matches(canon32, Value::from_f32_bits(0x7fc00000), refs));
  EXPECT_TRUE(kc::matches(canon32, Value::from_f32_bits(0xffc00000), refs));
  EXPECT_FALSE(kc::matches(canon32, Value::from_f32_bits(0x7fc00001), refs));
  EXPECT_FALSE(kc::matches(canon32, Value::from_f32(1.0f), refs));
  EXPECT_TRUE(kc::matches(arith32, Value::from_f32_bits(0x7fc00001), refs));
  EXPECT_FALSE(kc::matches(arith32, Value::from_f32_bits(0x7f800001), refs));
  EXPECT_FALSE(kc::matches(arith32, Value::from_f64_bits(0x7ff8000000000000), refs));

  auto canon64 = expect(R"({"type":"f64","value":"nan:canonical"})");
  auto arith64 = expect(R"({"type":"f64","value":"nan:arithmetic"})");
  EXPECT_TRUE(kc::matches(canon64, Value::from_f64_bits(0xfff8000000000000), refs));
  EXPECT_FALSE(kc::matches(canon64, Value::from_f64_bits(0x7ff8000000000001), refs));
  EXPECT_TRUE(kc::matches(arith64, Value::from_f64_bits(0x7fffffffffffffff), refs));
  EXPECT_FALSE(kc::matches(arith64, Value::from_f64_bits(0x7ff0000000000001), refs));

  // NaN patterns are for floats only.
  EXPECT_FALSE(kc::parse_expected(json::parse(R"({"type":"i32","value":"nan:canonical"})")));
  EXPECT_EQ(kc::to_string(canon32), "f32:nan:canonical");
}

TEST(WastValues, V128LanesWithPerLaneNans) {
  HostRefs refs;
  auto e = expect(
      R"({"type":"v128","lane_type":"f32","value":["nan:canonical","nan:arithmetic","1065353216","0"]})");
  ASSERT_EQ(e.kind, ExpectedValue::Kind::Vec);
  float qnan = std::bit_cast<float>(0x7fc00000u);
  float payload_nan = std::bit_cast<float>(0x7fc12345u);
  EXPECT_TRUE(kc::matches(e, v128_of_f32(qnan, payload_nan, 1.0f, 0.0f), refs));
  EXPECT_TRUE(kc::matches(e, v128_of_f32(qnan, qnan, 1.0f, 0.0f), refs));
  EXPECT_FALSE(kc::matches(e, v128_of_f32(payload_nan, qnan, 1.0f, 0.0f), refs));  // lane 0 not canonical
  EXPECT_FALSE(kc::matches(e, v128_of_f32(qnan, qnan, 1.0f, -0.0f), refs));
  EXPECT_FALSE(kc::matches(e, Value::from_i32(0), refs));

  // Integer lanes are little-endian: lane 0 is the lowest byte.
  auto bytes = expect(
      R"({"type":"v128","lane_type":"i8","value":["1","2","3","4","5","6","7","8","9","10","11","12","13","14","15","255"]})");
  EXPECT_TRUE(kc::matches(bytes, Value::from_v128({0x0807060504030201, 0xff0f0e0d0c0b0a09}), refs));
  auto i16 = expect(R"({"type":"v128","lane_type":"i16","value":["65535","0","0","0","0","0","0","1"]})");
  EXPECT_TRUE(kc::matches(i16, Value::from_v128({0xffff, uint64_t(1) << 48}), refs));
  auto i64 = expect(R"({"type":"v128","lane_type":"i64","value":["1","18446744073709551615"]})");
  EXPECT_TRUE(kc::matches(i64, Value::from_v128({1, ~uint64_t(0)}), refs));

  // Wrong lane counts and missing lane types are errors, not silent passes.
  EXPECT_FALSE(kc::parse_expected(json::parse(R"({"type":"v128","lane_type":"i32","value":["1","2"]})")));
  EXPECT_FALSE(kc::parse_expected(json::parse(R"({"type":"v128","value":["1","2","3","4"]})")));
  EXPECT_FALSE(kc::parse_expected(json::parse(R"({"type":"v128","lane_type":"i8","value":["256","0","0","0","0","0","0","0","0","0","0","0","0","0","0","0"]})")));
}

TEST(WastValues, References) {
  HostRefs refs;
  kumo::wasm::Ref r1 = refs.get(1);
  kumo::wasm::Ref r0 = refs.get(0);
  EXPECT_NE(r0, nullptr);  // ref.extern 0 is not null
  EXPECT_NE(r0, r1);
  EXPECT_EQ(refs.get(1), r1);  // stable
  EXPECT_EQ(refs.find(r1), 1u);
  EXPECT_FALSE(refs.find(&refs));

  const Value ext1 = Value::from_ref(ValType::externref(), r1);
  const Value null_ext = Value::from_ref(ValType::externref(), nullptr);
  int some_function = 0;  // stands in for a FuncInst
  const Value func = Value::from_ref(ValType::funcref(), &some_function);

  EXPECT_TRUE(kc::matches(expect(R"({"type":"externref","value":"1"})"), ext1, refs));
  EXPECT_FALSE(kc::matches(expect(R"({"type":"externref","value":"0"})"), ext1, refs));
  EXPECT_FALSE(kc::matches(expect(R"({"type":"externref","value":"1"})"), null_ext, refs));
  EXPECT_TRUE(kc::matches(expect(R"({"type":"externref","value":"null"})"), null_ext, refs));
  EXPECT_FALSE(kc::matches(expect(R"({"type":"externref","value":"null"})"), ext1, refs));
  EXPECT_TRUE(kc::matches(expect(R"({"type":"ref","value":"null"})"), null_ext, refs));
  EXPECT_TRUE(kc::matches(expect(R"({"type":"funcref"})"), func, refs));       // (ref.func)
  EXPECT_FALSE(kc::matches(expect(R"({"type":"funcref"})"), ext1, refs));      // a host ref is no function
  EXPECT_FALSE(kc::matches(expect(R"({"type":"funcref"})"), Value::from_ref(ValType::funcref(), nullptr), refs));
  EXPECT_TRUE(kc::matches(expect(R"({"type":"anyref","value":"1"})"), Value::from_ref(ValType::externref(), r1), refs));
  EXPECT_FALSE(kc::matches(expect(R"({"type":"externref","value":"1"})"), Value::from_i64(0), refs));
  EXPECT_EQ(kc::format_value(ext1, refs), "ref.extern 1");
  EXPECT_EQ(kc::format_value(null_ext, refs), "ref.null");
}

TEST(WastValues, Arguments) {
  HostRefs refs;
  auto a = kc::parse_arg(json::parse(R"({"type":"i32","value":"4294967295"})"), refs);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->type, ValType::I32);
  EXPECT_EQ(a->i32, 0xffffffffu);

  auto f = kc::parse_arg(json::parse(R"({"type":"f32","value":"2143289344"})"), refs);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->f32, 0x7fc00000u);  // NaN bits survive

  auto v = kc::parse_arg(json::parse(R"({"type":"v128","lane_type":"i32","value":["1","2","3","4"]})"), refs);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->v128, (kumo::wasm::V128{0x0000000200000001, 0x0000000400000003}));

  auto e = kc::parse_arg(json::parse(R"({"type":"externref","value":"7"})"), refs);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->ref, refs.get(7));
  EXPECT_EQ(e->type, ValType::externref());

  // A reference argument takes the declared parameter type.
  const ValType concrete = ValType::ref(true, kumo::wasm::HeapType::concrete(0));
  auto n = kc::parse_arg(json::parse(R"({"type":"ref","value":"null"})"), refs, &concrete);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->type, concrete);
  EXPECT_EQ(n->ref, nullptr);

  // Numeric arguments must agree with the parameter.
  const ValType i64 = ValType::I64;
  EXPECT_FALSE(kc::parse_arg(json::parse(R"({"type":"i32","value":"1"})"), refs, &i64));
  EXPECT_FALSE(kc::parse_arg(json::parse(R"({"type":"externref","value":"1"})"), refs, &i64));
  EXPECT_FALSE(kc::parse_arg(json::parse(R"({"type":"i32","value":"x"})"), refs));
  EXPECT_FALSE(kc::parse_arg(json::parse(R"({"value":"1"})"), refs));
  EXPECT_FALSE(kc::parse_arg(json::parse(R"([1])"), refs));
}

TEST(WastValues, Rendering) {
  HostRefs refs;
  EXPECT_EQ(kc::format_value(Value::from_i32(42), refs), "i32:42");
  EXPECT_EQ(kc::format_value(Value::from_i32(0xffffffff), refs), "i32:4294967295 (-1)");
  EXPECT_EQ(kc::format_value(Value::from_f32(1.5f), refs), "f32:1.5 (0x3fc00000)");
  EXPECT_EQ(kc::format_value(Value::from_f32_bits(0x7fc00000), refs), "f32:nan:0x7fc00000");
  EXPECT_EQ(kc::format_value(Value::from_v128({0x0000000200000001, 0x0000000400000003}), refs),
            "v128 i32x4:1 2 3 4");
  EXPECT_EQ(kc::to_string(expect(R"({"type":"i64","value":"18446744073709551615"})")),
            "i64:18446744073709551615 (-1)");
  EXPECT_EQ(kc::to_string(expect(R"({"type":"v128","lane_type":"f64","value":["nan:arithmetic","4607182418800017408"]})")),
            "v128 f64x2:nan:arithmetic 1 (0x3ff0000000000000)");
  EXPECT_EQ(kc::to_string(expect(R"({"type":"externref","value":"3"})")), "ref.extern 3");
}
