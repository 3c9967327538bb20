// Hand-picked edge cases for the SIMD semantics (simd.hpp): memory forms (which the spec-test
// runner in numeric_spec_test.cpp cannot evaluate without an interpreter), lane order,
// saturation, NaN / signed-zero rules, and the relaxed-SIMD choices.
#include "wasm/interp/simd.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstring>

namespace {

using namespace kumo::wasm;
using namespace kumo::wasm::num;

template <class T, class... Ts>
V128 L(Ts... xs) {
  static_assert(sizeof(T) * sizeof...(Ts) == 16);
  T a[] = {T(xs)...};
  V128 r;
  std::memcpy(static_cast<void*>(&r), a, 16);
  return r;
}
template <class T>
T lane(V128 v, int i) {
  T x;
  std::memcpy(&x, reinterpret_cast<const uint8_t*>(&v) + i * sizeof(T), sizeof(T));
  return x;
}
template <class T>
uint64_t lane_bits(V128 v, int i) {
  uint64_t x = 0;
  std::memcpy(&x, reinterpret_cast<const uint8_t*>(&v) + i * sizeof(T), sizeof(T));
  return x;
}

constexpr uint32_t kSNaN32 = 0x7fa00000u;
constexpr uint64_t kSNaN64 = 0x7ff4000000000000ull;
float F(uint32_t b) { return f32_from_bits(b); }
double D(uint64_t b) { return f64_from_bits(b); }
bool quiet32(uint64_t b) { return (b & 0x7f800000u) == 0x7f800000u && (b & 0x400000u); }
bool quiet64(uint64_t b) {
  return (b & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (b & 0x8000000000000ull);
}

TEST(Simd, LaneOrderIsLittleEndian) {
  V128 v = L<uint8_t>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  EXPECT_EQ(v.lo, 0x0706050403020100ull);
  EXPECT_EQ(i8x16_extract_lane_u(v, 0), 0u);
  EXPECT_EQ(i16x8_extract_lane_u(v, 1), 0x0302u);
  EXPECT_EQ(i32x4_extract_lane(v, 3), 0x0f0e0d0cu);
  EXPECT_EQ(i64x2_extract_lane(v, 1), 0x0f0e0d0c0b0a0908ull);
  EXPECT_EQ(i8x16_extract_lane_s(L<int8_t>(0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 1),
            0xffffffffu);
  EXPECT_EQ(i16x8_extract_lane_s(L<int16_t>(0, 0, 0, 0, 0, 0, 0, -32768), 7), 0xffff8000u);
  V128 r = i16x8_replace_lane(v, 7, 0x12345678u);
  EXPECT_EQ(r.hi, 0x56780d0c0b0a0908ull);
  EXPECT_EQ(f64x2_extract_lane(f64x2_replace_lane(v, 0, -0.0), 0), -0.0);
  // a signalling NaN survives splat / extract / replace bit-exactly
  EXPECT_EQ(bits(f32x4_extract_lane(f32x4_splat(F(kSNaN32)), 2)), kSNaN32);
  EXPECT_EQ(i32x4_extract_lane(f32x4_replace_lane(v, 1, F(kSNaN32)), 1), kSNaN32);
}

TEST(Simd, Loads) {
  alignas(16) uint8_t mem[32];
  for (int i = 0; i < 32; ++i) mem[i] = uint8_t(0xf0 + i);  // f0 f1 ... 0f
  const uint8_t* p = mem + 1;                               // unaligned on purpose
  EXPECT_EQ(v128_load(p), L<uint8_t>(0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
                                     0xfb, 0xfc, 0xfd, 0xfe, 0xff, 0x00));
  EXPECT_EQ(v128_load8x8_s(p), L<int16_t>(-15, -14, -13, -12, -11, -10, -9, -8));
  EXPECT_EQ(v128_load8x8_u(p), L<uint16_t>(0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8));
  EXPECT_EQ(v128_load16x4_s(p),
            L<int32_t>(int16_t(0xf2f1), int16_t(0xf4f3), int16_t(0xf6f5), int16_t(0xf8f7)));
  EXPECT_EQ(v128_load16x4_u(p), L<uint32_t>(0xf2f1, 0xf4f3, 0xf6f5, 0xf8f7));
  EXPECT_EQ(v128_load32x2_s(p), L<int64_t>(int32_t(0xf4f3f2f1), int32_t(0xf8f7f6f5)));
  EXPECT_EQ(v128_load32x2_u(p), L<uint64_t>(0xf4f3f2f1ull, 0xf8f7f6f5ull));
  EXPECT_EQ(v128_load8_splat(p), i8x16_splat(0xf1));
  EXPECT_EQ(v128_load16_splat(p), i16x8_splat(0xf2f1));
  EXPECT_EQ(v128_load32_splat(p), i32x4_splat(0xf4f3f2f1u));
  EXPECT_EQ(v128_load64_splat(p), i64x2_splat(0xf8f7f6f5f4f3f2f1ull));
  EXPECT_EQ(v128_load32_zero(p), L<uint32_t>(0xf4f3f2f1u, 0, 0, 0));
  EXPECT_EQ(v128_load64_zero(p), L<uint64_t>(0xf8f7f6f5f4f3f2f1ull, 0));
  V128 base = i8x16_splat(0xaa);
  EXPECT_EQ(v128_load8_lane(p, base, 15).hi, 0xf1aaaaaaaaaaaaaaull);
  EXPECT_EQ(v128_load16_lane(p, base, 0).lo, 0xaaaaaaaaaaaaf2f1ull);
  EXPECT_EQ(v128_load32_lane(p, base, 3).hi, 0xf4f3f2f1aaaaaaaaull);
  EXPECT_EQ(v128_load64_lane(p, base, 1),
            L<uint64_t>(0xaaaaaaaaaaaaaaaaull, 0xf8f7f6f5f4f3f2f1ull));
}

TEST(Simd, Stores) {
  uint8_t mem[24] = {};
  V128 v = L<uint8_t>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  v128_store(mem + 3, v);
  EXPECT_EQ(mem[3], 0);
  EXPECT_EQ(mem[18], 15);
  std::memset(mem, 0xee, sizeof mem);
  v128_store8_lane(mem, v, 9);
  EXPECT_EQ(mem[0], 9);
  EXPECT_EQ(mem[1], 0xee);
  v128_store16_lane(mem + 1, v, 7);
  EXPECT_EQ(mem[1], 14);
  EXPECT_EQ(mem[2], 15);
  EXPECT_EQ(mem[3], 0xee);
  v128_store32_lane(mem + 5, v, 1);
  EXPECT_EQ(mem[5], 4);
  EXPECT_EQ(mem[8], 7);
  v128_store64_lane(mem + 9, v, 1);
  EXPECT_EQ(mem[9], 8);
  EXPECT_EQ(mem[16], 15);
  EXPECT_EQ(mem[17], 0xee);
}

TEST(Simd, ShuffleSwizzle) {
  V128 a = L<uint8_t>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  V128 b = L<uint8_t>(16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
  uint8_t idx[16] = {31, 0, 16, 15, 1, 17, 30, 14, 2, 18, 29, 13, 3, 19, 28, 12};
  EXPECT_EQ(i8x16_shuffle(a, b, idx),
            L<uint8_t>(31, 0, 16, 15, 1, 17, 30, 14, 2, 18, 29, 13, 3, 19, 28, 12));
  // swizzle: out-of-range indices (>= 16, including "negative" bytes) give 0
  V128 s = L<uint8_t>(15, 16, 0, 255, 128, 17, 1, 32, 14, 100, 2, 31, 3, 240, 4, 5);
  V128 data =
      L<uint8_t>(100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115);
  V128 want = L<uint8_t>(115, 0, 100, 0, 0, 0, 101, 0, 114, 0, 102, 0, 103, 0, 104, 105);
  EXPECT_EQ(i8x16_swizzle(data, s), want);
  EXPECT_EQ(i8x16_relaxed_swizzle(data, s), want);
}

TEST(Simd, BooleanReductions) {
  EXPECT_EQ(v128_any_true(V128{0, 0}), 0u);
  EXPECT_EQ(v128_any_true(V128{0, 1ull << 63}), 1u);
  EXPECT_EQ(i8x16_all_true(i8x16_splat(1)), 1u);
  EXPECT_EQ(i8x16_all_true(i8x16_replace_lane(i8x16_splat(1), 13, 0)), 0u);
  EXPECT_EQ(i16x8_all_true(i8x16_splat(1)), 1u);  // 0x0101 lanes
  EXPECT_EQ(i16x8_all_true(L<uint16_t>(1, 1, 1, 1, 0, 1, 1, 1)), 0u);
  EXPECT_EQ(i32x4_all_true(L<uint32_t>(1, 0x10000, 0x80000000u, 1)), 1u);
  EXPECT_EQ(i32x4_all_true(L<uint32_t>(1, 1, 1, 0)), 0u);
  EXPECT_EQ(i64x2_all_true(L<uint64_t>(1, 0)), 0u);
  EXPECT_EQ(i64x2_all_true(L<uint64_t>(1ull << 40, 1)), 1u);

  EXPECT_EQ(i8x16_bitmask(L<int8_t>(-1, 0, -128, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -5)),
            0x8005u);
  EXPECT_EQ(i16x8_bitmask(L<int16_t>(-1, 0, 0x7fff, -32768, 0, 0, 0, -2)), 0x89u);
  EXPECT_EQ(i32x4_bitmask(L<int32_t>(0, -1, 0x7fffffff, int32_t(0x80000000))), 0xau);
  EXPECT_EQ(i64x2_bitmask(L<int64_t>(-1, 1)), 1u);
  EXPECT_EQ(i64x2_bitmask(L<int64_t>(0, INT64_MIN)), 2u);
}

TEST(Simd, IntegerArithmetic) {
  EXPECT_EQ(i8x16_abs(i8x16_splat(0x80)), i8x16_splat(0x80));  // abs(-128) wraps
  EXPECT_EQ(i16x8_abs(i16x8_splat(uint32_t(-5))), i16x8_splat(5));
  EXPECT_EQ(i64x2_abs(L<int64_t>(INT64_MIN, -3)), L<int64_t>(INT64_MIN, 3));
  EXPECT_EQ(i32x4_neg(L<int32_t>(0, 1, INT32_MIN, -7)), L<int32_t>(0, -1, INT32_MIN, 7));
  EXPECT_EQ(
      i8x16_popcnt(L<uint8_t>(0, 1, 3, 7, 15, 31, 63, 127, 255, 0x80, 0xaa, 0x55, 0x11, 0, 0, 0)),
      L<uint8_t>(0, 1, 2, 3, 4, 5, 6, 7, 8, 1, 4, 4, 2, 0, 0, 0));
  EXPECT_EQ(i8x16_avgr_u(i8x16_splat(255), i8x16_splat(254)), i8x16_splat(255));  // (255+254+1)/2
  EXPECT_EQ(i8x16_avgr_u(i8x16_splat(0), i8x16_splat(1)), i8x16_splat(1));
  EXPECT_EQ(i16x8_avgr_u(i16x8_splat(65535), i16x8_splat(65535)), i16x8_splat(65535));
  EXPECT_EQ(i8x16_min_s(i8x16_splat(0x80), i8x16_splat(0x7f)), i8x16_splat(0x80));
  EXPECT_EQ(i8x16_min_u(i8x16_splat(0x80), i8x16_splat(0x7f)), i8x16_splat(0x7f));
  EXPECT_EQ(i32x4_max_u(i32x4_splat(0x80000000u), i32x4_splat(1)), i32x4_splat(0x80000000u));
  EXPECT_EQ(i64x2_mul(L<uint64_t>(0x100000001ull, ~0ull), L<uint64_t>(0x100000001ull, ~0ull)),
            L<uint64_t>(0x200000001ull, 1));
  EXPECT_EQ(i16x8_mul(i16x8_splat(0x8000), i16x8_splat(2)), i16x8_splat(0));
}

TEST(Simd, Saturation) {
  EXPECT_EQ(i8x16_add_sat_s(i8x16_splat(0x7f), i8x16_splat(1)), i8x16_splat(0x7f));
  EXPECT_EQ(i8x16_add_sat_s(i8x16_splat(0x80), i8x16_splat(0xff)), i8x16_splat(0x80));
  EXPECT_EQ(i8x16_add_sat_u(i8x16_splat(0xff), i8x16_splat(1)), i8x16_splat(0xff));
  EXPECT_EQ(i8x16_sub_sat_s(i8x16_splat(0x80), i8x16_splat(1)), i8x16_splat(0x80));
  EXPECT_EQ(i8x16_sub_sat_s(i8x16_splat(0x7f), i8x16_splat(0xff)), i8x16_splat(0x7f));
  EXPECT_EQ(i8x16_sub_sat_u(i8x16_splat(1), i8x16_splat(2)), i8x16_splat(0));
  EXPECT_EQ(i16x8_add_sat_s(i16x8_splat(0x7fff), i16x8_splat(0x7fff)), i16x8_splat(0x7fff));
  EXPECT_EQ(i16x8_sub_sat_s(i16x8_splat(0x8000), i16x8_splat(0x7fff)), i16x8_splat(0x8000));
  EXPECT_EQ(i16x8_add_sat_u(i16x8_splat(0xfffe), i16x8_splat(3)), i16x8_splat(0xffff));
  EXPECT_EQ(i16x8_sub_sat_u(i16x8_splat(3), i16x8_splat(0xfffe)), i16x8_splat(0));

  // narrow: the inputs are signed; _u clamps negatives to 0
  V128 a = L<int16_t>(-129, -128, 127, 128, 255, 256, -1, 0);
  V128 b = L<int16_t>(32767, -32768, 1, 2, 3, 4, 5, 6);
  EXPECT_EQ(i8x16_narrow_i16x8_s(a, b),
            L<int8_t>(-128, -128, 127, 127, 127, 127, -1, 0, 127, -128, 1, 2, 3, 4, 5, 6));
  EXPECT_EQ(i8x16_narrow_i16x8_u(a, b),
            L<uint8_t>(0, 0, 127, 128, 255, 255, 0, 0, 255, 0, 1, 2, 3, 4, 5, 6));
  V128 c = L<int32_t>(-32769, 32768, 65535, 65536);
  V128 d = L<int32_t>(-1, 0, 1, INT32_MIN);
  EXPECT_EQ(i16x8_narrow_i32x4_s(c, d), L<int16_t>(-32768, 32767, 32767, 32767, -1, 0, 1, -32768));
  EXPECT_EQ(i16x8_narrow_i32x4_u(c, d), L<uint16_t>(0, 32768, 65535, 65535, 0, 0, 1, 0));

  // q15mulr: round half up, saturate only -1 * -1
  V128 q = i16x8_q15mulr_sat_s(L<int16_t>(-32768, -32768, 16384, -16384, 1, -1, 0x4000, 3),
                               L<int16_t>(-32768, 32767, 16384, 16384, 16384, 16384, 1, -1));
  EXPECT_EQ(q, L<int16_t>(32767, -32767, 8192, -8192, 1, 0, 1, 0));
  EXPECT_EQ(i16x8_relaxed_q15mulr_s(L<int16_t>(-32768, 0, 0, 0, 0, 0, 0, 0),
                                    L<int16_t>(-32768, 0, 0, 0, 0, 0, 0, 0)),
            L<int16_t>(32767, 0, 0, 0, 0, 0, 0, 0));
}

TEST(Simd, Shifts) {
  V128 v = i8x16_splat(0x81);
  EXPECT_EQ(i8x16_shl(v, 9), i8x16_splat(0x02));  // 9 mod 8 = 1
  EXPECT_EQ(i8x16_shr_s(v, 7), i8x16_splat(0xff));
  EXPECT_EQ(i8x16_shr_u(v, 15), i8x16_splat(0x01));
  EXPECT_EQ(i16x8_shr_s(i16x8_splat(0x8000), 0xffffffffu), i16x8_splat(0xffff));
  EXPECT_EQ(i16x8_shl(i16x8_splat(1), 16), i16x8_splat(1));
  EXPECT_EQ(i32x4_shr_u(i32x4_splat(0x80000000u), 63), i32x4_splat(1));
  EXPECT_EQ(i32x4_shr_s(i32x4_splat(0x80000000u), 32), i32x4_splat(0x80000000u));
  EXPECT_EQ(i64x2_shl(i64x2_splat(1), 64 + 63), i64x2_splat(1ull << 63));
  EXPECT_EQ(i64x2_shr_s(i64x2_splat(1ull << 63), 63), i64x2_splat(~0ull));
}

TEST(Simd, WideningOps) {
  V128 a = L<int8_t>(-128, 127, -1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, -13, -14);
  EXPECT_EQ(i16x8_extend_low_i8x16_s(a), L<int16_t>(-128, 127, -1, 2, 3, 4, 5, 6));
  EXPECT_EQ(i16x8_extend_high_i8x16_u(a), L<uint16_t>(7, 8, 9, 10, 11, 12, 243, 242));
  EXPECT_EQ(i64x2_extend_high_i32x4_s(L<int32_t>(0, 0, -1, INT32_MIN)), L<int64_t>(-1, INT32_MIN));
  EXPECT_EQ(i64x2_extend_low_i32x4_u(L<int32_t>(-1, -2, 0, 0)),
            L<uint64_t>(0xffffffffull, 0xfffffffeull));
  EXPECT_EQ(i16x8_extadd_pairwise_i8x16_s(a), L<int16_t>(-1, 1, 7, 11, 15, 19, 23, -27));
  EXPECT_EQ(i16x8_extadd_pairwise_i8x16_u(i8x16_splat(255)), i16x8_splat(510));
  EXPECT_EQ(i32x4_extadd_pairwise_i16x8_s(i16x8_splat(0x8000)), i32x4_splat(uint32_t(-65536)));
  EXPECT_EQ(i32x4_extadd_pairwise_i16x8_u(i16x8_splat(0xffff)), i32x4_splat(131070));
  EXPECT_EQ(i16x8_extmul_low_i8x16_s(i8x16_splat(0x80), i8x16_splat(0x80)), i16x8_splat(16384));
  EXPECT_EQ(i16x8_extmul_high_i8x16_u(i8x16_splat(0xff), i8x16_splat(0xff)), i16x8_splat(65025));
  EXPECT_EQ(i32x4_extmul_low_i16x8_s(i16x8_splat(0x8000), i16x8_splat(0x8000)),
            i32x4_splat(0x40000000u));
  EXPECT_EQ(i32x4_extmul_high_i16x8_u(i16x8_splat(0xffff), i16x8_splat(0xffff)),
            i32x4_splat(0xfffe0001u));
  EXPECT_EQ(i64x2_extmul_low_i32x4_s(i32x4_splat(0x80000000u), i32x4_splat(0x7fffffffu)),
            i64x2_splat(uint64_t(int64_t(INT32_MIN) * INT32_MAX)));
  EXPECT_EQ(i64x2_extmul_high_i32x4_u(i32x4_splat(~0u), i32x4_splat(~0u)),
            i64x2_splat(0xfffffffe00000001ull));
  // dot: -32768*-32768*2 = 2^31 wraps to INT32_MIN
  EXPECT_EQ(i32x4_dot_i16x8_s(i16x8_splat(0x8000), i16x8_splat(0x8000)), i32x4_splat(0x80000000u));
  EXPECT_EQ(i32x4_dot_i16x8_s(L<int16_t>(1, 2, 3, 4, -5, 6, 7, 8),
                              L<int16_t>(9, 10, 11, 12, 13, 14, -15, 16)),
            L<int32_t>(29, 81, 19, 23));
}

TEST(Simd, FloatMinMax) {
  V128 a = L<float>(0.0f, -0.0f, 1.0f, F(kSNaN32));
  V128 b = L<float>(-0.0f, 0.0f, F(0x7fc00000u), 2.0f);
  V128 mn = f32x4_min(a, b), mx = f32x4_max(a, b);
  EXPECT_EQ(lane_bits<float>(mn, 0), 0x80000000u);
  EXPECT_EQ(lane_bits<float>(mn, 1), 0x80000000u);
  EXPECT_TRUE(quiet32(lane_bits<float>(mn, 2)));
  EXPECT_TRUE(quiet32(lane_bits<float>(mn, 3)));
  EXPECT_EQ(lane_bits<float>(mx, 0), 0u);
  EXPECT_EQ(lane_bits<float>(mx, 1), 0u);
  EXPECT_TRUE(quiet32(lane_bits<float>(mx, 3)));
  // pmin/pmax are selects: b < a ? b : a — with NaN or equal zeros, a is returned unchanged
  V128 pmn = f32x4_pmin(a, b), pmx = f32x4_pmax(a, b);
  EXPECT_EQ(lane_bits<float>(pmn, 0), 0u);           // a = +0
  EXPECT_EQ(lane_bits<float>(pmn, 1), 0x80000000u);  // a = -0
  EXPECT_EQ(lane_bits<float>(pmn, 2), bits(1.0f));   // b is NaN -> a
  EXPECT_EQ(lane_bits<float>(pmn, 3), kSNaN32);      // a is NaN -> a, bits untouched
  EXPECT_EQ(lane_bits<float>(pmx, 2), bits(1.0f));
  V128 da = L<double>(-0.0, D(kSNaN64)), db = L<double>(0.0, 1.0);
  EXPECT_EQ(lane_bits<double>(f64x2_min(da, db), 0), kF64SignBit);
  EXPECT_EQ(lane_bits<double>(f64x2_max(da, db), 0), 0u);
  EXPECT_TRUE(quiet64(lane_bits<double>(f64x2_max(da, db), 1)));
  EXPECT_EQ(lane_bits<double>(f64x2_pmax(da, db), 0), kF64SignBit);
  EXPECT_EQ(lane_bits<double>(f64x2_pmax(da, db), 1), kSNaN64);
  EXPECT_EQ(f64x2_relaxed_min(da, db), f64x2_min(da, db));
}

TEST(Simd, FloatSignAndArith) {
  V128 v = L<float>(F(kSNaN32), -0.0f, 1.0f, -INFINITY);
  EXPECT_EQ(f32x4_neg(v), L<uint32_t>(kSNaN32 | 0x80000000u, 0, 0xbf800000u, 0x7f800000u));
  EXPECT_EQ(f32x4_abs(v), L<uint32_t>(kSNaN32, 0, 0x3f800000u, 0x7f800000u));
  EXPECT_EQ(f64x2_neg(L<double>(D(kSNaN64), 0.0)), L<uint64_t>(kSNaN64 | kF64SignBit, kF64SignBit));
  V128 s = f32x4_sqrt(L<float>(4.0f, -1.0f, -0.0f, F(kSNaN32)));
  EXPECT_EQ(lane<float>(s, 0), 2.0f);
  EXPECT_TRUE(quiet32(lane_bits<float>(s, 1)));
  EXPECT_EQ(lane_bits<float>(s, 2), 0x80000000u);
  EXPECT_TRUE(quiet32(lane_bits<float>(s, 3)));
  V128 sum = f64x2_add(L<double>(D(kSNaN64), 1.0), L<double>(1.0, 2.0));
  EXPECT_TRUE(quiet64(sum.lo));
  EXPECT_EQ(lane<double>(sum, 1), 3.0);
}

TEST(Simd, FloatRounding) {
  V128 v = L<float>(-0.5f, 2.5f, 8388607.5f, F(kSNaN32));
  V128 n = f32x4_nearest(v);
  EXPECT_EQ(lane_bits<float>(n, 0), 0x80000000u);
  EXPECT_EQ(lane<float>(n, 1), 2.0f);
  EXPECT_EQ(lane<float>(n, 2), 8388608.0f);
  EXPECT_TRUE(quiet32(lane_bits<float>(n, 3)));
  V128 c = f32x4_ceil(L<float>(-0.5f, 0.5f, 1e30f, -INFINITY));
  EXPECT_EQ(c, L<float>(-0.0f, 1.0f, 1e30f, -INFINITY));
  EXPECT_EQ(lane_bits<float>(c, 0), 0x80000000u);
  EXPECT_EQ(f32x4_floor(L<float>(-0.5f, 0.5f, -8388607.5f, F(1))),
            L<float>(-1.0f, 0.0f, -8388608.0f, 0.0f));
  V128 t = f32x4_trunc(L<float>(-0.9f, 3.99f, -8388607.5f, 16777215.0f));
  EXPECT_EQ(t, L<float>(-0.0f, 3.0f, -8388607.0f, 16777215.0f));
  EXPECT_EQ(lane_bits<float>(t, 0), 0x80000000u);
  EXPECT_EQ(f64x2_nearest(L<double>(4503599627370495.5, -2.5)),
            L<double>(4503599627370496.0, -2.0));
  EXPECT_EQ(f64x2_floor(L<double>(-4503599627370495.5, 1e300)),
            L<double>(-4503599627370496.0, 1e300));
  EXPECT_EQ(f64x2_ceil(L<double>(-0.25, 4503599627370495.5)).lo, kF64SignBit);
  EXPECT_TRUE(quiet64(f64x2_trunc(L<double>(D(kSNaN64), 0.0)).lo));
}

TEST(Simd, Conversions) {
  V128 f = L<float>(F(0x7fc00000u), 2147483648.0f, -2147483904.0f, -2147483648.0f);
  EXPECT_EQ(i32x4_trunc_sat_f32x4_s(f), L<uint32_t>(0, 0x7fffffffu, 0x80000000u, 0x80000000u));
  EXPECT_EQ(i32x4_trunc_sat_f32x4_s(L<float>(2147483520.0f, -1.9f, INFINITY, -INFINITY)),
            L<int32_t>(2147483520, -1, INT32_MAX, INT32_MIN));
  EXPECT_EQ(i32x4_trunc_sat_f32x4_u(L<float>(-1.0f, 4294967296.0f, 4294967040.0f, F(kSNaN32))),
            L<uint32_t>(0, 0xffffffffu, 4294967040u, 0));
  EXPECT_EQ(i32x4_trunc_sat_f64x2_s_zero(L<double>(-2147483649.0, 2147483647.9)),
            L<int32_t>(INT32_MIN, INT32_MAX, 0, 0));
  EXPECT_EQ(i32x4_trunc_sat_f64x2_u_zero(L<double>(D(kSNaN64), 4294967295.9)),
            L<uint32_t>(0, ~0u, 0, 0));
  EXPECT_EQ(f32x4_convert_i32x4_s(L<int32_t>(INT32_MIN, 16777217, -16777219, 1)),
            L<float>(-2147483648.0f, 16777216.0f, -16777220.0f, 1.0f));
  // u32 -> f32 with a single rounding
  EXPECT_EQ(f32x4_convert_i32x4_u(L<uint32_t>(0xffffffffu, 0x80000081u, 0x80000080u, 16777217u)),
            L<uint32_t>(0x4f800000u, 0x4f000001u, 0x4f000000u, 0x4b800000u));
  EXPECT_EQ(f32x4_convert_i32x4_u(L<uint32_t>(0xffffff7fu, 0xffffff80u, 0x01000003u, 0)),
            L<uint32_t>(0x4f7fffffu, 0x4f800000u, 0x4b800002u, 0));
  EXPECT_EQ(f64x2_convert_low_i32x4_s(L<int32_t>(INT32_MIN, -1, 5, 6)),
            L<double>(-2147483648.0, -1.0));
  EXPECT_EQ(f64x2_convert_low_i32x4_u(L<int32_t>(-1, 0, 5, 6)), L<double>(4294967295.0, 0.0));
  V128 dm = f32x4_demote_f64x2_zero(L<double>(1e300, D(kSNaN64)));
  EXPECT_EQ(lane<float>(dm, 0), INFINITY);
  EXPECT_TRUE(quiet32(lane_bits<float>(dm, 1)));
  EXPECT_EQ(dm.hi, 0u);
  V128 pr = f64x2_promote_low_f32x4(L<float>(F(1), F(kSNaN32), 7.0f, 8.0f));
  EXPECT_EQ(lane<double>(pr, 0), 0x1p-149);
  EXPECT_TRUE(quiet64(pr.hi));
}

TEST(Simd, RelaxedChoices) {
  // madd is unfused: (1 + 2^-23) * (1 - 2^-23) = 1 - 2^-46 rounds to 1.0f, so adding -1 gives 0
  // (a fused multiply-add would give -2^-46).
  V128 a = f32x4_splat(1.0f + 0x1p-23f), b = f32x4_splat(1.0f - 0x1p-23f), c = f32x4_splat(-1.0f);
  EXPECT_EQ(f32x4_relaxed_madd(a, b, c), f32x4_splat(0.0f));
  EXPECT_EQ(f32x4_relaxed_nmadd(a, b, f32x4_splat(1.0f)), f32x4_splat(0.0f));
  V128 da = f64x2_splat(1.0 + 0x1p-52), db = f64x2_splat(1.0 - 0x1p-52);
  EXPECT_EQ(f64x2_relaxed_madd(da, db, f64x2_splat(-1.0)), f64x2_splat(0.0));
  EXPECT_EQ(f64x2_relaxed_nmadd(f64x2_splat(2.0), f64x2_splat(3.0), f64x2_splat(1.0)),
            f64x2_splat(-5.0));
  // laneselect = bitselect
  V128 m = L<uint64_t>(0xff00ff00ff00ff00ull, 0x0123456789abcdefull);
  EXPECT_EQ(i32x4_relaxed_laneselect(i8x16_splat(0xaa), i8x16_splat(0x55), m),
            v128_bitselect(i8x16_splat(0xaa), i8x16_splat(0x55), m));
  // relaxed trunc = trunc_sat
  EXPECT_EQ(i32x4_relaxed_trunc_f32x4_s(L<float>(F(0x7fc00000u), 3e9f, -3e9f, -1.5f)),
            L<int32_t>(0, INT32_MAX, INT32_MIN, -1));
  EXPECT_EQ(i32x4_relaxed_trunc_f64x2_u_zero(L<double>(-5.0, 5e9)), L<uint32_t>(0, ~0u, 0, 0));
  // dot products: signed * signed
  EXPECT_EQ(i16x8_relaxed_dot_i8x16_i7x16_s(
                L<int8_t>(-128, -128, 127, 127, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0),
                L<int8_t>(-127, -127, 127, 127, 5, 6, -7, 8, 0, 0, 0, 0, 0, 0, 0, 0)),
            L<int16_t>(32512, 32258, 17, 11, 0, 0, 0, 0));
  EXPECT_EQ(i32x4_relaxed_dot_i8x16_i7x16_add_s(
                L<int8_t>(-128, -128, -128, -128, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0),
                L<int8_t>(-127, -127, -127, -127, 1, 1, 1, -1, 0, 0, 0, 0, 0, 0, 0, 0),
                L<int32_t>(1, 2, 3, -4)),
            L<int32_t>(65025, 4, 3, -4));
}

}  // namespace
