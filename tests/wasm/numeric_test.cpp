// Hand-picked edge cases for the scalar numeric semantics (numeric.hpp). The bulk of the
// reference values is checked by numeric_spec_test.cpp against the official spec tests; these
// pin down the cases that are easiest to get wrong, with the values taken from the spec's .wast
// files (i32, i64, f32, f64, conversions, float_misc) or derived by hand where noted.
#include "wasm/interp/numeric.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace {

using namespace kumo::wasm;
using namespace kumo::wasm::num;

float F(uint32_t b) { return f32_from_bits(b); }
double D(uint64_t b) { return f64_from_bits(b); }

bool is_quiet_nan32(float f) { return is_nan(f) && (bits(f) & 0x00400000u); }
bool is_quiet_nan64(double d) { return is_nan(d) && (bits(d) & 0x0008000000000000ull); }

constexpr uint32_t kSNaN32 = 0x7fa00000u;            // nan:0x200000 (signalling)
constexpr uint64_t kSNaN64 = 0x7ff4000000000000ull;  // nan:0x4000000000000 (signalling)

template <class T>
void expect_trap(const TrapOr<T>& r, TrapCode code) {
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.trap, code);
}
template <class T, class V>
void expect_ok(const TrapOr<T>& r, V v) {
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.value, T(v));
}

TEST(Numeric, IntegerDivision) {
  expect_trap(i32_div_s(1, 0), TrapCode::IntegerDivideByZero);
  expect_trap(i32_div_s(0x80000000u, 0xffffffffu), TrapCode::IntegerOverflow);
  expect_ok(i32_div_s(0x80000000u, 2), 0xc0000000u);
  expect_ok(i32_div_s(uint32_t(-7), 2), uint32_t(-3));  // truncates toward zero
  expect_trap(i32_div_u(1, 0), TrapCode::IntegerDivideByZero);
  expect_ok(i32_div_u(0x80000000u, 0xffffffffu), 0u);
  expect_trap(i32_rem_s(1, 0), TrapCode::IntegerDivideByZero);
  expect_ok(i32_rem_s(0x80000000u, 0xffffffffu), 0u);   // not a trap
  expect_ok(i32_rem_s(uint32_t(-7), 2), uint32_t(-1));  // sign of the dividend
  expect_ok(i32_rem_s(7, uint32_t(-2)), 1u);
  expect_ok(i32_rem_u(0x80000000u, 0xffffffffu), 0x80000000u);

  expect_trap(i64_div_s(1, 0), TrapCode::IntegerDivideByZero);
  expect_trap(i64_div_s(0x8000000000000000ull, ~0ull), TrapCode::IntegerOverflow);
  expect_ok(i64_rem_s(0x8000000000000000ull, ~0ull), uint64_t(0));
  expect_ok(i64_div_u(~0ull, 2), 0x7fffffffffffffffull);
  expect_trap(i64_rem_u(5, 0), TrapCode::IntegerDivideByZero);
}

TEST(Numeric, ShiftsRotatesBits) {
  EXPECT_EQ(i32_shl(1, 32), 1u);  // count mod 32
  EXPECT_EQ(i32_shl(1, 33), 2u);
  EXPECT_EQ(i32_shr_s(0x80000000u, 31), 0xffffffffu);
  EXPECT_EQ(i32_shr_s(0x80000000u, 63), 0xffffffffu);
  EXPECT_EQ(i32_shr_u(0x80000000u, 0xffffffffu), 1u);
  EXPECT_EQ(i32_rotl(0xabcd9876u, 1), 0x579b30edu);
  EXPECT_EQ(i32_rotr(0xb0c1d2e3u, 0x0005u), 0x1d860e97u);
  EXPECT_EQ(i32_rotl(0x12345678u, 0), 0x12345678u);
  EXPECT_EQ(i32_rotl(0x12345678u, 32), 0x12345678u);
  EXPECT_EQ(i64_shl(1, 64), 1u);
  EXPECT_EQ(i64_shr_s(0x8000000000000000ull, 0x7fff), ~0ull);
  EXPECT_EQ(i64_rotr(0xabcd1234ef567809ull, 0x35), 0x6891a77ab3c04d5eull);
  EXPECT_EQ(i64_rotl(1, 63), 0x8000000000000000ull);

  EXPECT_EQ(i32_clz(0), 32u);
  EXPECT_EQ(i32_ctz(0), 32u);
  EXPECT_EQ(i64_clz(0), 64u);
  EXPECT_EQ(i64_ctz(0), 64u);
  EXPECT_EQ(i32_clz(1), 31u);
  EXPECT_EQ(i64_ctz(0x8000000000000000ull), 63u);
  EXPECT_EQ(i32_popcnt(0xffffffffu), 32u);
  EXPECT_EQ(i64_popcnt(0xaaaaaaaa55555555ull), 32u);

  EXPECT_EQ(i32_extend8_s(0x80), 0xffffff80u);
  EXPECT_EQ(i32_extend8_s(0x1234567f), 0x7fu);
  EXPECT_EQ(i32_extend16_s(0x8000), 0xffff8000u);
  EXPECT_EQ(i64_extend32_s(0x80000000ull), 0xffffffff80000000ull);
  EXPECT_EQ(i64_extend32_s(0x123456787fffffffull), 0x7fffffffull);
  EXPECT_EQ(i64_extend8_s(0xff), ~0ull);
  EXPECT_EQ(i64_extend_i32_s(0x80000000u), 0xffffffff80000000ull);
  EXPECT_EQ(i64_extend_i32_u(0x80000000u), 0x80000000ull);
  EXPECT_EQ(i32_wrap_i64(0x123456789abcdef0ull), 0x9abcdef0u);
}

TEST(Numeric, Comparisons) {
  EXPECT_EQ(i32_lt_s(0x80000000u, 0), 1u);
  EXPECT_EQ(i32_lt_u(0x80000000u, 0), 0u);
  EXPECT_EQ(i64_ge_s(0, 0x8000000000000000ull), 1u);
  float nan = F(0x7fc00000u);
  EXPECT_EQ(f32_eq(nan, nan), 0u);
  EXPECT_EQ(f32_ne(nan, nan), 1u);
  EXPECT_EQ(f32_eq(-0.0f, 0.0f), 1u);
  EXPECT_EQ(f32_lt(-0.0f, 0.0f), 0u);
  EXPECT_EQ(f64_le(D(0x7ff8000000000000ull), 1.0), 0u);
  EXPECT_EQ(f64_ge(INFINITY, INFINITY), 1u);
}

TEST(Numeric, SignOpsPreservePayload) {
  EXPECT_EQ(bits(f32_neg(F(kSNaN32))), kSNaN32 | 0x80000000u);
  EXPECT_EQ(bits(f32_abs(F(kSNaN32 | 0x80000000u))), kSNaN32);
  EXPECT_EQ(bits(f32_copysign(F(kSNaN32), -1.0f)), kSNaN32 | 0x80000000u);
  EXPECT_EQ(bits(f32_copysign(2.0f, F(0xffc00000u))), bits(-2.0f));
  EXPECT_EQ(bits(f64_neg(D(kSNaN64))), kSNaN64 | kF64SignBit);
  EXPECT_EQ(bits(f64_abs(-0.0)), 0u);
  EXPECT_EQ(bits(f64_copysign(0.0, -0.0)), kF64SignBit);
  EXPECT_EQ(bits(f32_neg(0.0f)), 0x80000000u);
  // reinterpret is a bit copy
  EXPECT_EQ(i32_reinterpret_f32(F(kSNaN32)), kSNaN32);
  EXPECT_EQ(bits(f64_reinterpret_i64(kSNaN64)), kSNaN64);
}

TEST(Numeric, MinMax) {
  EXPECT_EQ(bits(f32_min(0.0f, -0.0f)), 0x80000000u);
  EXPECT_EQ(bits(f32_min(-0.0f, 0.0f)), 0x80000000u);
  EXPECT_EQ(bits(f32_max(-0.0f, 0.0f)), 0u);
  EXPECT_EQ(bits(f32_max(0.0f, -0.0f)), 0u);
  EXPECT_EQ(bits(f64_min(-0.0, 0.0)), kF64SignBit);
  EXPECT_EQ(bits(f64_max(0.0, -0.0)), 0u);
  EXPECT_TRUE(is_quiet_nan32(f32_min(F(kSNaN32), 1.0f)));
  EXPECT_TRUE(is_quiet_nan32(f32_max(1.0f, F(kSNaN32))));
  EXPECT_TRUE(is_quiet_nan32(f32_min(-INFINITY, F(0x7fc00000u))));
  EXPECT_TRUE(is_quiet_nan64(f64_max(INFINITY, D(kSNaN64))));
  EXPECT_TRUE(is_quiet_nan64(f64_min(D(0x7ff8000000000000ull), 0.0)));
  EXPECT_EQ(f32_min(-INFINITY, 1.0f), -INFINITY);
  EXPECT_EQ(f64_max(-1.0, -2.0), -1.0);
}

TEST(Numeric, ArithmeticNaNsAreQuiet) {
  EXPECT_TRUE(is_quiet_nan32(f32_add(F(kSNaN32), 1.0f)));
  EXPECT_TRUE(is_quiet_nan32(f32_sqrt(-1.0f)));
  EXPECT_TRUE(is_quiet_nan64(f64_mul(D(kSNaN64), 0.0)));
  EXPECT_TRUE(is_quiet_nan64(f64_sqrt(D(kSNaN64))));
  EXPECT_TRUE(is_quiet_nan32(f32_div(0.0f, 0.0f)));
  EXPECT_EQ(bits(f32_sqrt(-0.0f)), 0x80000000u);
}

TEST(Numeric, Rounding) {
  // nearest: ties to even, sign of zero kept
  EXPECT_EQ(f32_nearest(0.5f), 0.0f);
  EXPECT_EQ(f32_nearest(1.5f), 2.0f);
  EXPECT_EQ(f32_nearest(2.5f), 2.0f);
  EXPECT_EQ(f32_nearest(-3.5f), -4.0f);
  EXPECT_EQ(bits(f32_nearest(-0.5f)), 0x80000000u);
  EXPECT_EQ(bits(f32_nearest(-0.0f)), 0x80000000u);
  EXPECT_EQ(f32_nearest(8388607.5f), 8388608.0f);  // 2^23 - 0.5: tie, rounds to even
  EXPECT_EQ(f32_nearest(8388609.0f), 8388609.0f);  // already integral, above 2^23
  EXPECT_EQ(f64_nearest(4503599627370495.5), 4503599627370496.0);
  EXPECT_EQ(f64_nearest(-4503599627370495.5), -4503599627370496.0);
  EXPECT_EQ(bits(f64_nearest(-0.49999999999999994)), kF64SignBit);
  EXPECT_EQ(f64_nearest(0.49999999999999994), 0.0);
  // ceil / floor / trunc keep the sign of zero results
  EXPECT_EQ(bits(f32_ceil(-0.5f)), 0x80000000u);
  EXPECT_EQ(f32_ceil(0.5f), 1.0f);
  EXPECT_EQ(f32_ceil(-1.5f), -1.0f);
  EXPECT_EQ(f32_floor(-0.5f), -1.0f);
  EXPECT_EQ(bits(f32_floor(-0.0f)), 0x80000000u);
  EXPECT_EQ(bits(f32_trunc(-0.9f)), 0x80000000u);
  EXPECT_EQ(f32_trunc(-8388607.5f), -8388607.0f);
  EXPECT_EQ(f32_ceil(8388607.5f), 8388608.0f);
  EXPECT_EQ(f32_floor(-8388607.5f), -8388608.0f);
  EXPECT_EQ(f64_ceil(4503599627370495.5), 4503599627370496.0);
  EXPECT_EQ(f64_floor(-4503599627370495.5), -4503599627370496.0);
  EXPECT_EQ(bits(f64_trunc(-0.5)), kF64SignBit);
  EXPECT_EQ(f64_floor(1e300), 1e300);
  EXPECT_EQ(f32_ceil(INFINITY), INFINITY);
  EXPECT_EQ(f64_trunc(-INFINITY), -INFINITY);
  EXPECT_EQ(f32_floor(F(0x00000001u)), 0.0f);  // smallest subnormal
  EXPECT_EQ(f32_ceil(F(0x00000001u)), 1.0f);
  EXPECT_EQ(f64_floor(D(0x8000000000000001ull)), -1.0);
  // NaN in -> quiet NaN out
  EXPECT_TRUE(is_quiet_nan32(f32_nearest(F(kSNaN32))));
  EXPECT_TRUE(is_quiet_nan32(f32_ceil(F(kSNaN32))));
  EXPECT_TRUE(is_quiet_nan64(f64_floor(D(kSNaN64))));
  EXPECT_TRUE(is_quiet_nan64(f64_trunc(D(kSNaN64))));
}

TEST(Numeric, TruncTrapping) {
  // f32 -> i32 signed: [-2^31, 2^31)
  expect_ok(i32_trunc_f32_s(-2147483648.0f), 0x80000000u);
  expect_ok(i32_trunc_f32_s(2147483520.0f), 2147483520u);  // largest float below 2^31
  expect_trap(i32_trunc_f32_s(2147483648.0f), TrapCode::IntegerOverflow);
  expect_trap(i32_trunc_f32_s(-2147483904.0f), TrapCode::IntegerOverflow);  // next float below
  expect_trap(i32_trunc_f32_s(F(0x7fc00000u)), TrapCode::InvalidConversionToInteger);
  expect_trap(i32_trunc_f32_s(F(0xffc00000u)), TrapCode::InvalidConversionToInteger);
  expect_trap(i32_trunc_f32_s(INFINITY), TrapCode::IntegerOverflow);
  expect_ok(i32_trunc_f32_s(-0.9f), 0u);
  // f32 -> i32 unsigned: (-1, 2^32)
  expect_ok(i32_trunc_f32_u(-0.99999994f), 0u);
  expect_ok(i32_trunc_f32_u(4294967040.0f), 4294967040u);
  expect_trap(i32_trunc_f32_u(4294967296.0f), TrapCode::IntegerOverflow);
  expect_trap(i32_trunc_f32_u(-1.0f), TrapCode::IntegerOverflow);
  expect_trap(i32_trunc_f32_u(F(kSNaN32)), TrapCode::InvalidConversionToInteger);
  // f64 -> i32: the lower bound is exclusive -2^31 - 1
  expect_ok(i32_trunc_f64_s(-2147483648.9), 0x80000000u);
  expect_ok(i32_trunc_f64_s(2147483647.9), 0x7fffffffu);
  expect_trap(i32_trunc_f64_s(-2147483649.0), TrapCode::IntegerOverflow);
  expect_trap(i32_trunc_f64_s(2147483648.0), TrapCode::IntegerOverflow);
  expect_ok(i32_trunc_f64_u(4294967295.9), 0xffffffffu);
  expect_ok(i32_trunc_f64_u(-0.9), 0u);
  expect_trap(i32_trunc_f64_u(4294967296.0), TrapCode::IntegerOverflow);
  expect_trap(i32_trunc_f64_u(-1.0), TrapCode::IntegerOverflow);
  expect_trap(i32_trunc_f64_u(D(kSNaN64)), TrapCode::InvalidConversionToInteger);
  // 64-bit
  expect_ok(i64_trunc_f32_s(-9223372036854775808.0f), 0x8000000000000000ull);
  expect_ok(i64_trunc_f32_s(9223371487098961920.0f), 9223371487098961920ull);
  expect_trap(i64_trunc_f32_s(9223372036854775808.0f), TrapCode::IntegerOverflow);
  expect_trap(i64_trunc_f32_s(-9223373136366403584.0f), TrapCode::IntegerOverflow);
  expect_ok(i64_trunc_f32_u(18446742974197923840.0f), 18446742974197923840ull);
  expect_trap(i64_trunc_f32_u(18446744073709551616.0f), TrapCode::IntegerOverflow);
  expect_ok(i64_trunc_f64_s(-9223372036854775808.0), 0x8000000000000000ull);
  expect_ok(i64_trunc_f64_s(9223372036854774784.0), 9223372036854774784ull);
  expect_trap(i64_trunc_f64_s(9223372036854775808.0), TrapCode::IntegerOverflow);
  expect_trap(i64_trunc_f64_s(-9223372036854777856.0), TrapCode::IntegerOverflow);
  expect_ok(i64_trunc_f64_u(18446744073709549568.0), 18446744073709549568ull);
  expect_ok(i64_trunc_f64_u(-0.9999999999999999), uint64_t(0));
  expect_trap(i64_trunc_f64_u(18446744073709551616.0), TrapCode::IntegerOverflow);
  expect_trap(i64_trunc_f64_u(-1.0), TrapCode::IntegerOverflow);
  expect_trap(i64_trunc_f64_s(D(0xfff8000000000000ull)), TrapCode::InvalidConversionToInteger);
}

TEST(Numeric, TruncSaturating) {
  EXPECT_EQ(i32_trunc_sat_f32_s(F(0x7fc00000u)), 0u);
  EXPECT_EQ(i32_trunc_sat_f32_s(2147483648.0f), 0x7fffffffu);
  EXPECT_EQ(i32_trunc_sat_f32_s(-2147483904.0f), 0x80000000u);
  EXPECT_EQ(i32_trunc_sat_f32_s(-INFINITY), 0x80000000u);
  EXPECT_EQ(i32_trunc_sat_f32_u(-1.0f), 0u);
  EXPECT_EQ(i32_trunc_sat_f32_u(INFINITY), 0xffffffffu);
  EXPECT_EQ(i32_trunc_sat_f32_u(-0.9f), 0u);
  EXPECT_EQ(i32_trunc_sat_f64_s(-2147483649.0), 0x80000000u);
  EXPECT_EQ(i32_trunc_sat_f64_s(-2147483648.9), 0x80000000u);
  EXPECT_EQ(i32_trunc_sat_f64_s(1e10), 0x7fffffffu);
  EXPECT_EQ(i32_trunc_sat_f64_u(4294967296.0), 0xffffffffu);
  EXPECT_EQ(i32_trunc_sat_f64_u(D(kSNaN64)), 0u);
  EXPECT_EQ(i64_trunc_sat_f32_s(9223372036854775808.0f), 0x7fffffffffffffffull);
  EXPECT_EQ(i64_trunc_sat_f32_s(-INFINITY), 0x8000000000000000ull);
  EXPECT_EQ(i64_trunc_sat_f32_u(18446744073709551616.0f), ~0ull);
  EXPECT_EQ(i64_trunc_sat_f64_s(D(0x7ff8000000000000ull)), 0u);
  EXPECT_EQ(i64_trunc_sat_f64_s(-9223372036854777856.0), 0x8000000000000000ull);
  EXPECT_EQ(i64_trunc_sat_f64_u(-1.0), 0u);
  EXPECT_EQ(i64_trunc_sat_f64_u(18446744073709549568.0), 18446744073709549568ull);
  EXPECT_EQ(i64_trunc_sat_f64_u(1e30), ~0ull);
}

TEST(Numeric, IntToFloat) {
  EXPECT_EQ(bits(f32_convert_i32_s(0x80000000u)), bits(-2147483648.0f));
  EXPECT_EQ(f32_convert_i32_u(0xffffffffu), 4294967296.0f);
  EXPECT_EQ(bits(f32_convert_i32_u(0x80000081u)), 0x4f000001u);     // above the tie: rounds up
  EXPECT_EQ(bits(f32_convert_i32_s(16777217)), bits(16777216.0f));  // tie to even
  EXPECT_EQ(bits(f32_convert_i32_s(16777219)), bits(16777220.0f));
  // i64 -> f32 needs one rounding: 2^53 + 2^29 + 1 is just above a tie.
  EXPECT_EQ(bits(f32_convert_i64_s(0x0020000020000001ull)), 0x5a000001u);
  EXPECT_EQ(bits(f32_convert_i64_s(0xffdfffffdfffffffull)), 0xda000001u);
  // u64 -> f32: 2^63 + 2^39 + 1 rounds up; via double it would round to 2^63 (double rounding).
  EXPECT_EQ(bits(f32_convert_i64_u(0x8000008000000001ull)), 0x5f000001u);
  EXPECT_EQ(bits(f32_convert_i64_u(0x8000008000000000ull)), 0x5f000000u);  // exact tie -> even
  EXPECT_EQ(bits(f32_convert_i64_u(~0ull)), 0x5f800000u);                  // 2^64
  EXPECT_EQ(bits(f32_convert_i64_u(0x7fffff4000000001ull)), 0x5effffffu);
  EXPECT_EQ(f64_convert_i32_u(0xffffffffu), 4294967295.0);
  EXPECT_EQ(f64_convert_i32_s(0x80000000u), -2147483648.0);
  EXPECT_EQ(bits(f64_convert_i64_s(0x0020000000000001ull)),
            0x4340000000000000ull);  // 2^53+1 -> 2^53
  EXPECT_EQ(bits(f64_convert_i64_u(0x8000000000000401ull)), 0x43e0000000000001ull);
  EXPECT_EQ(bits(f64_convert_i64_u(0x8000000000000400ull)), 0x43e0000000000000ull);
  EXPECT_EQ(bits(f64_convert_i64_u(~0ull)), 0x43f0000000000000ull);
}

TEST(Numeric, PromoteDemote) {
  EXPECT_EQ(f32_demote_f64(1e300), INFINITY);
  EXPECT_EQ(bits(f32_demote_f64(-0.0)), 0x80000000u);
  EXPECT_EQ(bits(f32_demote_f64(D(0x3ff0000010000000ull))), 0x3f800000u);  // tie -> even
  EXPECT_EQ(bits(f32_demote_f64(D(0x3ff0000030000000ull))), 0x3f800002u);  // tie -> even (up)
  EXPECT_EQ(bits(f32_demote_f64(D(0x380fffffe0000000ull))), 0x00800000u);  // rounds up to normal
  EXPECT_EQ(bits(f32_demote_f64(D(kF64CanonicalNaN))), kF32CanonicalNaN);
  EXPECT_TRUE(is_quiet_nan32(f32_demote_f64(D(kSNaN64))));
  EXPECT_EQ(f64_promote_f32(F(0x00000001u)), 0x1p-149);
  EXPECT_EQ(bits(f64_promote_f32(F(kF32CanonicalNaN))), kF64CanonicalNaN);
  EXPECT_TRUE(is_quiet_nan64(f64_promote_f32(F(kSNaN32))));
}

// Compile-time use of the integer helpers (they are constexpr).
static_assert(i32_rotl(0x80000001u, 1) == 3u);
static_assert(i32_div_s(0x80000000u, 0xffffffffu).trap == TrapCode::IntegerOverflow);
static_assert(i64_rem_s(0x8000000000000000ull, ~0ull).value == 0);

}  // namespace
