// Command-line values of `kumo run --invoke`, and binary classification of input files.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "cli/invoke_values.hpp"
#include "cli/wasm_file.hpp"

using kumo::wasm::Value;
using kumo::wasm::ValType;
namespace kc = kumo::cli;

TEST(InvokeValues, Integers) {
  EXPECT_EQ(kc::parse_cli_value("-1", ValType::I32)->i32, 0xffffffffu);
  EXPECT_EQ(kc::parse_cli_value("4294967295", ValType::I32)->i32, 0xffffffffu);
  EXPECT_EQ(kc::parse_cli_value("0x10", ValType::I32)->i32, 16u);
  EXPECT_EQ(kc::parse_cli_value("-9223372036854775808", ValType::I64)->i64, uint64_t(1) << 63);
  EXPECT_FALSE(kc::parse_cli_value("4294967296", ValType::I32));
  EXPECT_FALSE(kc::parse_cli_value("1.5", ValType::I32));
  EXPECT_FALSE(kc::parse_cli_value("", ValType::I64));
}

TEST(InvokeValues, Floats) {
  EXPECT_EQ(kc::parse_cli_value("1.5", ValType::F32)->f32, 0x3fc00000u);
  EXPECT_EQ(kc::parse_cli_value("0.1", ValType::F32)->f32, 0x3dcccccdu);  // rounded once, as f32
  EXPECT_EQ(kc::parse_cli_value("0.1", ValType::F64)->f64, 0x3fb999999999999aull);
  EXPECT_EQ(kc::parse_cli_value("-0", ValType::F64)->f64, uint64_t(1) << 63);
  EXPECT_EQ(kc::parse_cli_value("inf", ValType::F32)->f32, 0x7f800000u);
  EXPECT_EQ(kc::parse_cli_value("0x1p-1", ValType::F64)->as_f64(), 0.5);
  EXPECT_EQ(kc::parse_cli_value("nan:0x1", ValType::F32)->f32, 0x7f800001u);
  EXPECT_EQ(kc::parse_cli_value("-nan:0x8000000000000", ValType::F64)->f64, 0xfff8000000000000ull);
  EXPECT_FALSE(kc::parse_cli_value("nan:0x0", ValType::F32));
  EXPECT_FALSE(kc::parse_cli_value("nan:0x800000", ValType::F32));
  EXPECT_FALSE(kc::parse_cli_value("1e999", ValType::F64));
  EXPECT_FALSE(kc::parse_cli_value("1.5x", ValType::F64));
}

TEST(InvokeValues, V128AndReferences) {
  auto v = kc::parse_cli_value("0x000000000000000100000000000000ff", ValType::V128);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->v128.hi, 1u);
  EXPECT_EQ(v->v128.lo, 0xffu);
  EXPECT_FALSE(kc::parse_cli_value("0x12", ValType::V128));
  auto r = kc::parse_cli_value("null", ValType::externref());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->ref, nullptr);
  EXPECT_FALSE(kc::parse_cli_value("1", ValType::funcref()));
}

TEST(InvokeValues, Printing) {
  EXPECT_EQ(kc::format_cli_value(Value::from_i32(0xffffffff)), "-1");
  EXPECT_EQ(kc::format_cli_value(Value::from_i64(42)), "42");
  EXPECT_EQ(kc::format_cli_value(Value::from_f32(0.1f)), "0.1");
  EXPECT_EQ(kc::format_cli_value(Value::from_f64(-2.5)), "-2.5");
  EXPECT_EQ(kc::format_cli_value(Value::from_f32_bits(0x7fc00000)), "nan");
  EXPECT_EQ(kc::format_cli_value(Value::from_f32_bits(0xff800001)), "-nan:0x1");
  EXPECT_EQ(kc::format_cli_value(Value::from_v128({0xff, 1})), "0x000000000000000100000000000000ff");
  EXPECT_EQ(kc::format_cli_value(Value::from_ref(ValType::funcref(), nullptr)), "null");
}

TEST(WasmFile, Classify) {
  using kc::BinaryKind;
  const std::vector<uint8_t> core = {0, 'a', 's', 'm', 1, 0, 0, 0};
  const std::vector<uint8_t> component = {0, 'a', 's', 'm', 0x0d, 0, 1, 0};
  const std::vector<uint8_t> text = {' ', '\n', '(', 'm'};
  const std::vector<uint8_t> comment = {';', ';', ' ', 'x'};
  const std::vector<uint8_t> junk = {0x7f, 'E', 'L', 'F'};
  const std::vector<uint8_t> truncated = {0, 'a', 's', 'm', 1};
  EXPECT_EQ(kc::classify_binary(core), BinaryKind::CoreModule);
  EXPECT_EQ(kc::classify_binary(component), BinaryKind::Component);
  EXPECT_EQ(kc::classify_binary(text), BinaryKind::Text);
  EXPECT_EQ(kc::classify_binary(comment), BinaryKind::Text);
  EXPECT_EQ(kc::classify_binary(junk), BinaryKind::Unknown);
  EXPECT_EQ(kc::classify_binary(truncated), BinaryKind::CoreModule);  // the decoder explains
  EXPECT_EQ(kc::classify_binary({}), BinaryKind::Unknown);
}
