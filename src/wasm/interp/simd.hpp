// Exact WebAssembly semantics of the 128-bit SIMD instructions (0xFD prefix, including relaxed
// SIMD), header-only, on kumo::wasm::V128. Same namespace and conventions as numeric.hpp.
//
// Conventions
//   - Naming: the wasm text name with '.' -> '_', e.g. i8x16_add_sat_s, f32x4_demote_f64x2_zero,
//     i16x8_extmul_low_i8x16_u, v128_load8x8_s, v128_load32_lane.
//   - V128 is little-endian: lane 0 is the lowest-addressed byte(s), i.e. the low bits of `lo`.
//   - Lane immediates are `unsigned lane` arguments (the validator guarantees they are in range).
//     Shift counts are the raw i32 operand (taken modulo the lane width here).
//   - Loads take `const uint8_t* p` (already bounds-checked effective address, any alignment);
//     stores take `uint8_t* p`.
//   - Relaxed SIMD picks one fixed behaviour: the non-relaxed counterpart where one exists
//     (swizzle, trunc_sat, min/max, q15mulr_sat, bitselect for laneselect), unfused multiply-add
//     for madd/nmadd, and signed*signed products for the relaxed dot products.
//
// Implementation: portable GCC vector extensions (which lower to SSE2 on x86-64); a handful of
// operations use SSE2 intrinsics (baseline on x86-64), or SSSE3 when the build enables it, each
// with a portable fallback (forced with -DKUMO_SIMD_NO_INTRINSICS, which the tests also build).
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

#include "wasm/interp/numeric.hpp"
#include "wasm/runtime/objects.hpp"

#if defined(__SSE2__) && !defined(KUMO_SIMD_NO_INTRINSICS)
#include <emmintrin.h>
#endif
#if defined(__SSSE3__) && !defined(KUMO_SIMD_NO_INTRINSICS)
#include <tmmintrin.h>
#endif

namespace kumo::wasm::num {

// ---------------------------------------------------------------------------------------------
// Lane-typed views of a V128

namespace vec {
typedef int8_t i8x16 __attribute__((vector_size(16)));
typedef uint8_t u8x16 __attribute__((vector_size(16)));
typedef int16_t i16x8 __attribute__((vector_size(16)));
typedef uint16_t u16x8 __attribute__((vector_size(16)));
typedef int32_t i32x4 __attribute__((vector_size(16)));
typedef uint32_t u32x4 __attribute__((vector_size(16)));
typedef int64_t i64x2 __attribute__((vector_size(16)));
typedef uint64_t u64x2 __attribute__((vector_size(16)));
typedef float f32x4 __attribute__((vector_size(16)));
typedef double f64x2 __attribute__((vector_size(16)));
// Half vectors, for widening/narrowing one 64-bit half of a V128.
typedef int8_t i8x8 __attribute__((vector_size(8)));
typedef uint8_t u8x8 __attribute__((vector_size(8)));
typedef int16_t i16x4 __attribute__((vector_size(8)));
typedef uint16_t u16x4 __attribute__((vector_size(8)));
typedef int32_t i32x2 __attribute__((vector_size(8)));
typedef uint32_t u32x2 __attribute__((vector_size(8)));
typedef float f32x2 __attribute__((vector_size(8)));
}  // namespace vec

template <class T>
KUMO_NUM_INLINE T as(V128 v) {
  return std::bit_cast<T>(v);
}
template <class T>
KUMO_NUM_INLINE V128 to_v128(T t) {
  return std::bit_cast<V128>(t);
}
// Half of a V128 (0 = low lanes, 1 = high lanes) as an 8-byte vector.
template <class H>
KUMO_NUM_INLINE H half(V128 v, int which) {
  return std::bit_cast<H>(which ? v.hi : v.lo);
}
template <class H>
KUMO_NUM_INLINE V128 join(H lo, H hi) {
  return V128{std::bit_cast<uint64_t>(lo), std::bit_cast<uint64_t>(hi)};
}

// ---------------------------------------------------------------------------------------------
// Loads and stores (p is the effective address; memory is little-endian like V128)

KUMO_NUM_INLINE V128 v128_load(const uint8_t* p) {
  V128 r;
  std::memcpy(static_cast<void*>(&r), p, 16);
  return r;
}
KUMO_NUM_INLINE void v128_store(uint8_t* p, V128 v) {
  std::memcpy(p, static_cast<const void*>(&v), 16);
}

KUMO_NUM_INLINE uint64_t load_u64(const uint8_t* p) {
  uint64_t x;
  std::memcpy(&x, p, 8);
  return x;
}
KUMO_NUM_INLINE V128 v128_load8x8_s(const uint8_t* p) {
  return to_v128(__builtin_convertvector(std::bit_cast<vec::i8x8>(load_u64(p)), vec::i16x8));
}
KUMO_NUM_INLINE V128 v128_load8x8_u(const uint8_t* p) {
  return to_v128(__builtin_convertvector(std::bit_cast<vec::u8x8>(load_u64(p)), vec::u16x8));
}
KUMO_NUM_INLINE V128 v128_load16x4_s(const uint8_t* p) {
  return to_v128(__builtin_convertvector(std::bit_cast<vec::i16x4>(load_u64(p)), vec::i32x4));
}
KUMO_NUM_INLINE V128 v128_load16x4_u(const uint8_t* p) {
  return to_v128(__builtin_convertvector(std::bit_cast<vec::u16x4>(load_u64(p)), vec::u32x4));
}
KUMO_NUM_INLINE V128 v128_load32x2_s(const uint8_t* p) {
  return to_v128(__builtin_convertvector(std::bit_cast<vec::i32x2>(load_u64(p)), vec::i64x2));
}
KUMO_NUM_INLINE V128 v128_load32x2_u(const uint8_t* p) {
  return to_v128(__builtin_convertvector(std::bit_cast<vec::u32x2>(load_u64(p)), vec::u64x2));
}
KUMO_NUM_INLINE V128 v128_load8_splat(const uint8_t* p) {
  return V128{0x0101010101010101ull * p[0], 0x0101010101010101ull * p[0]};
}
KUMO_NUM_INLINE V128 v128_load16_splat(const uint8_t* p) {
  uint16_t x;
  std::memcpy(&x, p, 2);
  return V128{0x0001000100010001ull * x, 0x0001000100010001ull * x};
}
KUMO_NUM_INLINE V128 v128_load32_splat(const uint8_t* p) {
  uint32_t x;
  std::memcpy(&x, p, 4);
  return V128{0x0000000100000001ull * x, 0x0000000100000001ull * x};
}
KUMO_NUM_INLINE V128 v128_load64_splat(const uint8_t* p) {
  uint64_t x = load_u64(p);
  return V128{x, x};
}
KUMO_NUM_INLINE V128 v128_load32_zero(const uint8_t* p) {
  uint32_t x;
  std::memcpy(&x, p, 4);
  return V128{x, 0};
}
KUMO_NUM_INLINE V128 v128_load64_zero(const uint8_t* p) { return V128{load_u64(p), 0}; }

// Lane loads replace lane `lane` of v with the value at p; lane stores write one lane to p.
KUMO_NUM_INLINE V128 v128_load8_lane(const uint8_t* p, V128 v, unsigned lane) {
  std::memcpy(reinterpret_cast<uint8_t*>(&v) + lane, p, 1);
  return v;
}
KUMO_NUM_INLINE V128 v128_load16_lane(const uint8_t* p, V128 v, unsigned lane) {
  std::memcpy(reinterpret_cast<uint8_t*>(&v) + 2 * lane, p, 2);
  return v;
}
KUMO_NUM_INLINE V128 v128_load32_lane(const uint8_t* p, V128 v, unsigned lane) {
  std::memcpy(reinterpret_cast<uint8_t*>(&v) + 4 * lane, p, 4);
  return v;
}
KUMO_NUM_INLINE V128 v128_load64_lane(const uint8_t* p, V128 v, unsigned lane) {
  std::memcpy(reinterpret_cast<uint8_t*>(&v) + 8 * lane, p, 8);
  return v;
}
KUMO_NUM_INLINE void v128_store8_lane(uint8_t* p, V128 v, unsigned lane) {
  std::memcpy(p, reinterpret_cast<const uint8_t*>(&v) + lane, 1);
}
KUMO_NUM_INLINE void v128_store16_lane(uint8_t* p, V128 v, unsigned lane) {
  std::memcpy(p, reinterpret_cast<const uint8_t*>(&v) + 2 * lane, 2);
}
KUMO_NUM_INLINE void v128_store32_lane(uint8_t* p, V128 v, unsigned lane) {
  std::memcpy(p, reinterpret_cast<const uint8_t*>(&v) + 4 * lane, 4);
}
KUMO_NUM_INLINE void v128_store64_lane(uint8_t* p, V128 v, unsigned lane) {
  std::memcpy(p, reinterpret_cast<const uint8_t*>(&v) + 8 * lane, 8);
}

// ---------------------------------------------------------------------------------------------
// Shuffles, splats, lanes

// Lane indices are < 32 (validated): 0-15 pick from a, 16-31 from b. With SSSE3, pshufb does
// it in two steps (an index byte with the top bit set yields 0); without it, GCC's generic
// variable shuffle is ~200 instructions on SSE2, so a byte loop is used instead.
KUMO_NUM_INLINE V128 i8x16_shuffle(V128 a, V128 b, V128 indices) {
#if defined(__SSSE3__) && !defined(KUMO_SIMD_NO_INTRINSICS)
  __m128i i = as<__m128i>(indices);
  __m128i from_a = _mm_shuffle_epi8(as<__m128i>(a), _mm_adds_epu8(i, _mm_set1_epi8(0x70)));
  __m128i from_b = _mm_shuffle_epi8(as<__m128i>(b), _mm_sub_epi8(i, _mm_set1_epi8(16)));
  return to_v128(_mm_or_si128(from_a, from_b));
#else
  uint8_t src[32], idx[16], out[16];
  std::memcpy(src, static_cast<const void*>(&a), 16);
  std::memcpy(src + 16, static_cast<const void*>(&b), 16);
  std::memcpy(idx, static_cast<const void*>(&indices), 16);
  for (int k = 0; k < 16; ++k) out[k] = src[idx[k] & 31];
  return v128_load(out);
#endif
}
KUMO_NUM_INLINE V128 i8x16_shuffle(V128 a, V128 b, const uint8_t* indices) {
  return i8x16_shuffle(a, b, v128_load(indices));
}
// Indices >= 16 select 0.
KUMO_NUM_INLINE V128 i8x16_swizzle(V128 a, V128 s) {
#if defined(__SSSE3__) && !defined(KUMO_SIMD_NO_INTRINSICS)
  // Saturating +0x70 sets the top bit of every index >= 16 (pshufb then yields 0).
  return to_v128(
      _mm_shuffle_epi8(as<__m128i>(a), _mm_adds_epu8(as<__m128i>(s), _mm_set1_epi8(0x70))));
#else
  uint8_t src[32] = {}, idx[16], out[16];  // src[16..31] = 0 covers indices 16..31
  std::memcpy(src, static_cast<const void*>(&a), 16);
  std::memcpy(idx, static_cast<const void*>(&s), 16);
  for (int k = 0; k < 16; ++k) out[k] = idx[k] < 32 ? src[idx[k]] : 0;
  return v128_load(out);
#endif
}

KUMO_NUM_INLINE V128 i8x16_splat(uint32_t x) {
  uint64_t r = 0x0101010101010101ull * uint8_t(x);
  return V128{r, r};
}
KUMO_NUM_INLINE V128 i16x8_splat(uint32_t x) {
  uint64_t r = 0x0001000100010001ull * uint16_t(x);
  return V128{r, r};
}
KUMO_NUM_INLINE V128 i32x4_splat(uint32_t x) {
  uint64_t r = 0x0000000100000001ull * x;
  return V128{r, r};
}
KUMO_NUM_INLINE V128 i64x2_splat(uint64_t x) { return V128{x, x}; }
KUMO_NUM_INLINE V128 f32x4_splat(float x) { return i32x4_splat(bits(x)); }
KUMO_NUM_INLINE V128 f64x2_splat(double x) { return i64x2_splat(bits(x)); }

KUMO_NUM_INLINE uint32_t i8x16_extract_lane_s(V128 v, unsigned lane) {
  return uint32_t(int32_t(as<vec::i8x16>(v)[lane]));
}
KUMO_NUM_INLINE uint32_t i8x16_extract_lane_u(V128 v, unsigned lane) {
  return as<vec::u8x16>(v)[lane];
}
KUMO_NUM_INLINE uint32_t i16x8_extract_lane_s(V128 v, unsigned lane) {
  return uint32_t(int32_t(as<vec::i16x8>(v)[lane]));
}
KUMO_NUM_INLINE uint32_t i16x8_extract_lane_u(V128 v, unsigned lane) {
  return as<vec::u16x8>(v)[lane];
}
KUMO_NUM_INLINE uint32_t i32x4_extract_lane(V128 v, unsigned lane) {
  return as<vec::u32x4>(v)[lane];
}
KUMO_NUM_INLINE uint64_t i64x2_extract_lane(V128 v, unsigned lane) { return lane ? v.hi : v.lo; }
KUMO_NUM_INLINE float f32x4_extract_lane(V128 v, unsigned lane) {
  return f32_from_bits(i32x4_extract_lane(v, lane));
}
KUMO_NUM_INLINE double f64x2_extract_lane(V128 v, unsigned lane) {
  return f64_from_bits(i64x2_extract_lane(v, lane));
}
KUMO_NUM_INLINE V128 i8x16_replace_lane(V128 v, unsigned lane, uint32_t x) {
  auto t = as<vec::u8x16>(v);
  t[lane] = uint8_t(x);
  return to_v128(t);
}
KUMO_NUM_INLINE V128 i16x8_replace_lane(V128 v, unsigned lane, uint32_t x) {
  auto t = as<vec::u16x8>(v);
  t[lane] = uint16_t(x);
  return to_v128(t);
}
KUMO_NUM_INLINE V128 i32x4_replace_lane(V128 v, unsigned lane, uint32_t x) {
  auto t = as<vec::u32x4>(v);
  t[lane] = x;
  return to_v128(t);
}
KUMO_NUM_INLINE V128 i64x2_replace_lane(V128 v, unsigned lane, uint64_t x) {
  (lane ? v.hi : v.lo) = x;
  return v;
}
KUMO_NUM_INLINE V128 f32x4_replace_lane(V128 v, unsigned lane, float x) {
  return i32x4_replace_lane(v, lane, bits(x));
}
KUMO_NUM_INLINE V128 f64x2_replace_lane(V128 v, unsigned lane, double x) {
  return i64x2_replace_lane(v, lane, bits(x));
}

// ---------------------------------------------------------------------------------------------
// Comparisons: GCC vector comparisons already yield all-ones / all-zeros lanes.

#define KUMO_SIMD_CMP(name, T, op) \
  KUMO_NUM_INLINE V128 name(V128 a, V128 b) { return to_v128(as<vec::T>(a) op as<vec::T>(b)); }
KUMO_SIMD_CMP(i8x16_eq, i8x16, ==)
KUMO_SIMD_CMP(i8x16_ne, i8x16, !=)
KUMO_SIMD_CMP(i8x16_lt_s, i8x16, <)
KUMO_SIMD_CMP(i8x16_lt_u, u8x16, <)
KUMO_SIMD_CMP(i8x16_gt_s, i8x16, >)
KUMO_SIMD_CMP(i8x16_gt_u, u8x16, >)
KUMO_SIMD_CMP(i8x16_le_s, i8x16, <=)
KUMO_SIMD_CMP(i8x16_le_u, u8x16, <=)
KUMO_SIMD_CMP(i8x16_ge_s, i8x16, >=)
KUMO_SIMD_CMP(i8x16_ge_u, u8x16, >=)
KUMO_SIMD_CMP(i16x8_eq, i16x8, ==)
KUMO_SIMD_CMP(i16x8_ne, i16x8, !=)
KUMO_SIMD_CMP(i16x8_lt_s, i16x8, <)
KUMO_SIMD_CMP(i16x8_lt_u, u16x8, <)
KUMO_SIMD_CMP(i16x8_gt_s, i16x8, >)
KUMO_SIMD_CMP(i16x8_gt_u, u16x8, >)
KUMO_SIMD_CMP(i16x8_le_s, i16x8, <=)
KUMO_SIMD_CMP(i16x8_le_u, u16x8, <=)
KUMO_SIMD_CMP(i16x8_ge_s, i16x8, >=)
KUMO_SIMD_CMP(i16x8_ge_u, u16x8, >=)
KUMO_SIMD_CMP(i32x4_eq, i32x4, ==)
KUMO_SIMD_CMP(i32x4_ne, i32x4, !=)
KUMO_SIMD_CMP(i32x4_lt_s, i32x4, <)
KUMO_SIMD_CMP(i32x4_lt_u, u32x4, <)
KUMO_SIMD_CMP(i32x4_gt_s, i32x4, >)
KUMO_SIMD_CMP(i32x4_gt_u, u32x4, >)
KUMO_SIMD_CMP(i32x4_le_s, i32x4, <=)
KUMO_SIMD_CMP(i32x4_le_u, u32x4, <=)
KUMO_SIMD_CMP(i32x4_ge_s, i32x4, >=)
KUMO_SIMD_CMP(i32x4_ge_u, u32x4, >=)
KUMO_SIMD_CMP(i64x2_eq, i64x2, ==)
KUMO_SIMD_CMP(i64x2_ne, i64x2, !=)
KUMO_SIMD_CMP(i64x2_lt_s, i64x2, <)
KUMO_SIMD_CMP(i64x2_gt_s, i64x2, >)
KUMO_SIMD_CMP(i64x2_le_s, i64x2, <=)
KUMO_SIMD_CMP(i64x2_ge_s, i64x2, >=)
// Float comparisons are IEEE (false on NaN except ne), like the scalar ones.
KUMO_SIMD_CMP(f32x4_eq, f32x4, ==)
KUMO_SIMD_CMP(f32x4_ne, f32x4, !=)
KUMO_SIMD_CMP(f32x4_lt, f32x4, <)
KUMO_SIMD_CMP(f32x4_gt, f32x4, >)
KUMO_SIMD_CMP(f32x4_le, f32x4, <=)
KUMO_SIMD_CMP(f32x4_ge, f32x4, >=)
KUMO_SIMD_CMP(f64x2_eq, f64x2, ==)
KUMO_SIMD_CMP(f64x2_ne, f64x2, !=)
KUMO_SIMD_CMP(f64x2_lt, f64x2, <)
KUMO_SIMD_CMP(f64x2_gt, f64x2, >)
KUMO_SIMD_CMP(f64x2_le, f64x2, <=)
KUMO_SIMD_CMP(f64x2_ge, f64x2, >=)
#undef KUMO_SIMD_CMP

// ---------------------------------------------------------------------------------------------
// Bitwise

KUMO_NUM_INLINE V128 v128_not(V128 a) { return V128{~a.lo, ~a.hi}; }
KUMO_NUM_INLINE V128 v128_and(V128 a, V128 b) { return V128{a.lo & b.lo, a.hi & b.hi}; }
KUMO_NUM_INLINE V128 v128_andnot(V128 a, V128 b) { return V128{a.lo & ~b.lo, a.hi & ~b.hi}; }
KUMO_NUM_INLINE V128 v128_or(V128 a, V128 b) { return V128{a.lo | b.lo, a.hi | b.hi}; }
KUMO_NUM_INLINE V128 v128_xor(V128 a, V128 b) { return V128{a.lo ^ b.lo, a.hi ^ b.hi}; }
// Bits of a where c is 1, bits of b where c is 0.
KUMO_NUM_INLINE V128 v128_bitselect(V128 a, V128 b, V128 c) {
  return V128{(a.lo & c.lo) | (b.lo & ~c.lo), (a.hi & c.hi) | (b.hi & ~c.hi)};
}
KUMO_NUM_INLINE uint32_t v128_any_true(V128 a) { return (a.lo | a.hi) != 0; }

// all_true: no lane is zero. (x == 0) marks zero lanes with all-ones.
KUMO_NUM_INLINE uint32_t i8x16_all_true(V128 a) {
  return !v128_any_true(to_v128(as<vec::u8x16>(a) == 0));
}
KUMO_NUM_INLINE uint32_t i16x8_all_true(V128 a) {
  return !v128_any_true(to_v128(as<vec::u16x8>(a) == 0));
}
KUMO_NUM_INLINE uint32_t i32x4_all_true(V128 a) {
  return !v128_any_true(to_v128(as<vec::u32x4>(a) == 0));
}
KUMO_NUM_INLINE uint32_t i64x2_all_true(V128 a) { return a.lo != 0 && a.hi != 0; }

// bitmask: bit i of the result is the sign bit of lane i.
KUMO_NUM_INLINE uint32_t i8x16_bitmask(V128 a) {
#if defined(__SSE2__) && !defined(KUMO_SIMD_NO_INTRINSICS)
  return uint32_t(_mm_movemask_epi8(as<__m128i>(a)));
#else
  // Gather the 8 sign bits of each half with a multiply (no carries: each bit lands uniquely).
  auto gather = [](uint64_t x) {
    return uint32_t((((x >> 7) & 0x0101010101010101ull) * 0x0102040810204080ull) >> 56);
  };
  return gather(a.lo) | (gather(a.hi) << 8);
#endif
}
KUMO_NUM_INLINE uint32_t i16x8_bitmask(V128 a) {
  // Each lane becomes 0 or -1, narrowed to a byte; then gather one bit per byte.
  auto s = as<vec::i16x8>(a) >> 15;
  auto n = __builtin_convertvector(s, vec::i8x8);
  uint64_t x = std::bit_cast<uint64_t>(n);
  return uint32_t(((x & 0x0101010101010101ull) * 0x0102040810204080ull) >> 56);
}
KUMO_NUM_INLINE uint32_t i32x4_bitmask(V128 a) {
  return uint32_t((a.lo >> 31) & 1) | uint32_t((a.lo >> 62) & 2) | uint32_t((a.hi >> 29) & 4) |
         uint32_t((a.hi >> 60) & 8);
}
KUMO_NUM_INLINE uint32_t i64x2_bitmask(V128 a) {
  return uint32_t(a.lo >> 63) | uint32_t(a.hi >> 63) << 1;
}

// ---------------------------------------------------------------------------------------------
// Integer lane arithmetic (on unsigned lanes, so wrap-around is well defined)

#define KUMO_SIMD_BIN(name, T, expr)            \
  KUMO_NUM_INLINE V128 name(V128 a_, V128 b_) { \
    auto a = as<vec::T>(a_);                    \
    auto b = as<vec::T>(b_);                    \
    return to_v128(expr);                       \
  }
#define KUMO_SIMD_UN(name, T, expr)    \
  KUMO_NUM_INLINE V128 name(V128 a_) { \
    auto a = as<vec::T>(a_);           \
    return to_v128(expr);              \
  }

KUMO_SIMD_BIN(i8x16_add, u8x16, a + b)
KUMO_SIMD_BIN(i8x16_sub, u8x16, a - b)
KUMO_SIMD_BIN(i16x8_add, u16x8, a + b)
KUMO_SIMD_BIN(i16x8_sub, u16x8, a - b)
KUMO_SIMD_BIN(i16x8_mul, u16x8, a* b)
KUMO_SIMD_BIN(i32x4_add, u32x4, a + b)
KUMO_SIMD_BIN(i32x4_sub, u32x4, a - b)
KUMO_SIMD_BIN(i32x4_mul, u32x4, a* b)
KUMO_SIMD_BIN(i64x2_add, u64x2, a + b)
KUMO_SIMD_BIN(i64x2_sub, u64x2, a - b)
KUMO_SIMD_BIN(i64x2_mul, u64x2, a* b)

KUMO_SIMD_UN(i8x16_neg, u8x16, 0 - a)
KUMO_SIMD_UN(i16x8_neg, u16x8, 0 - a)
KUMO_SIMD_UN(i32x4_neg, u32x4, 0 - a)
KUMO_SIMD_UN(i64x2_neg, u64x2, 0 - a)
// abs of the minimum value wraps to itself (0x80 -> 0x80).
KUMO_SIMD_UN(i8x16_abs, i8x16, (vec::u8x16)(a < 0 ? (vec::i8x16)(0 - (vec::u8x16)a) : a))
KUMO_SIMD_UN(i16x8_abs, i16x8, (vec::u16x8)(a < 0 ? (vec::i16x8)(0 - (vec::u16x8)a) : a))
KUMO_SIMD_UN(i32x4_abs, i32x4, (vec::u32x4)(a < 0 ? (vec::i32x4)(0 - (vec::u32x4)a) : a))
KUMO_SIMD_UN(i64x2_abs, i64x2, (vec::u64x2)(a < 0 ? (vec::i64x2)(0 - (vec::u64x2)a) : a))

KUMO_SIMD_BIN(i8x16_min_s, i8x16, a < b ? a : b)
KUMO_SIMD_BIN(i8x16_min_u, u8x16, a < b ? a : b)
KUMO_SIMD_BIN(i8x16_max_s, i8x16, a > b ? a : b)
KUMO_SIMD_BIN(i8x16_max_u, u8x16, a > b ? a : b)
KUMO_SIMD_BIN(i16x8_min_s, i16x8, a < b ? a : b)
KUMO_SIMD_BIN(i16x8_min_u, u16x8, a < b ? a : b)
KUMO_SIMD_BIN(i16x8_max_s, i16x8, a > b ? a : b)
KUMO_SIMD_BIN(i16x8_max_u, u16x8, a > b ? a : b)
KUMO_SIMD_BIN(i32x4_min_s, i32x4, a < b ? a : b)
KUMO_SIMD_BIN(i32x4_min_u, u32x4, a < b ? a : b)
KUMO_SIMD_BIN(i32x4_max_s, i32x4, a > b ? a : b)
KUMO_SIMD_BIN(i32x4_max_u, u32x4, a > b ? a : b)

// Rounding average (a + b + 1) >> 1 without widening: ceil((a+b)/2) = (a|b) - ((a^b) >> 1).
KUMO_SIMD_BIN(i8x16_avgr_u, u8x16, (a | b) - ((a ^ b) >> 1))
KUMO_SIMD_BIN(i16x8_avgr_u, u16x8, (a | b) - ((a ^ b) >> 1))

// Byte popcount with the classic SWAR steps, lane-wise.
KUMO_SIMD_UN(i8x16_popcnt, u8x16, ([](vec::u8x16 x) {
               x = x - ((x >> 1) & 0x55);
               x = (x & 0x33) + ((x >> 2) & 0x33);
               return (x + (x >> 4)) & 0x0f;
             })(a))

// Saturating add/sub: SSE2 has exactly these (padds/paddus/psubs/psubus).
#if defined(__SSE2__) && !defined(KUMO_SIMD_NO_INTRINSICS)
KUMO_NUM_INLINE V128 i8x16_add_sat_s(V128 a, V128 b) {
  return to_v128(_mm_adds_epi8(as<__m128i>(a), as<__m128i>(b)));
}
KUMO_NUM_INLINE V128 i8x16_add_sat_u(V128 a, V128 b) {
  return to_v128(_mm_adds_epu8(as<__m128i>(a), as<__m128i>(b)));
}
KUMO_NUM_INLINE V128 i8x16_sub_sat_s(V128 a, V128 b) {
  return to_v128(_mm_subs_epi8(as<__m128i>(a), as<__m128i>(b)));
}
KUMO_NUM_INLINE V128 i8x16_sub_sat_u(V128 a, V128 b) {
  return to_v128(_mm_subs_epu8(as<__m128i>(a), as<__m128i>(b)));
}
KUMO_NUM_INLINE V128 i16x8_add_sat_s(V128 a, V128 b) {
  return to_v128(_mm_adds_epi16(as<__m128i>(a), as<__m128i>(b)));
}
KUMO_NUM_INLINE V128 i16x8_add_sat_u(V128 a, V128 b) {
  return to_v128(_mm_adds_epu16(as<__m128i>(a), as<__m128i>(b)));
}
KUMO_NUM_INLINE V128 i16x8_sub_sat_s(V128 a, V128 b) {
  return to_v128(_mm_subs_epi16(as<__m128i>(a), as<__m128i>(b)));
}
KUMO_NUM_INLINE V128 i16x8_sub_sat_u(V128 a, V128 b) {
  return to_v128(_mm_subs_epu16(as<__m128i>(a), as<__m128i>(b)));
}
#else
// Unsigned: a wrapped sum is smaller than an operand exactly on overflow. Signed: overflow iff
// the operands' signs agree (add) / differ (sub) and the result's sign differs from a's.
KUMO_SIMD_BIN(i8x16_add_sat_u, u8x16,
              ([](vec::u8x16 s, vec::u8x16 x) { return s < x ? s | 0xff : s; })(a + b, a))
KUMO_SIMD_BIN(i8x16_sub_sat_u, u8x16, a > b ? a - b : a ^ a)
KUMO_SIMD_BIN(i16x8_add_sat_u, u16x8,
              ([](vec::u16x8 s, vec::u16x8 x) { return s < x ? s | 0xffff : s; })(a + b, a))
KUMO_SIMD_BIN(i16x8_sub_sat_u, u16x8, a > b ? a - b : a ^ a)
KUMO_SIMD_BIN(i8x16_add_sat_s, i8x16, ([](vec::i8x16 x, vec::i8x16 y) {
                vec::i8x16 s = (vec::i8x16)((vec::u8x16)x + (vec::u8x16)y);
                vec::i8x16 sat = (x >> 7) ^ 0x7f;  // 127 for x >= 0, -128 for x < 0
                return ((~(x ^ y) & (x ^ s)) < 0) ? sat : s;
              })(a, b))
KUMO_SIMD_BIN(i8x16_sub_sat_s, i8x16, ([](vec::i8x16 x, vec::i8x16 y) {
                vec::i8x16 s = (vec::i8x16)((vec::u8x16)x - (vec::u8x16)y);
                vec::i8x16 sat = (x >> 7) ^ 0x7f;
                return (((x ^ y) & (x ^ s)) < 0) ? sat : s;
              })(a, b))
KUMO_SIMD_BIN(i16x8_add_sat_s, i16x8, ([](vec::i16x8 x, vec::i16x8 y) {
                vec::i16x8 s = (vec::i16x8)((vec::u16x8)x + (vec::u16x8)y);
                vec::i16x8 sat = (x >> 15) ^ 0x7fff;
                return ((~(x ^ y) & (x ^ s)) < 0) ? sat : s;
              })(a, b))
KUMO_SIMD_BIN(i16x8_sub_sat_s, i16x8, ([](vec::i16x8 x, vec::i16x8 y) {
                vec::i16x8 s = (vec::i16x8)((vec::u16x8)x - (vec::u16x8)y);
                vec::i16x8 sat = (x >> 15) ^ 0x7fff;
                return (((x ^ y) & (x ^ s)) < 0) ? sat : s;
              })(a, b))
#endif

// Shifts: the count is taken modulo the lane width.
KUMO_NUM_INLINE V128 i8x16_shl(V128 a, uint32_t n) { return to_v128(as<vec::u8x16>(a) << (n & 7)); }
KUMO_NUM_INLINE V128 i8x16_shr_s(V128 a, uint32_t n) {
  return to_v128(as<vec::i8x16>(a) >> (n & 7));
}
KUMO_NUM_INLINE V128 i8x16_shr_u(V128 a, uint32_t n) {
  return to_v128(as<vec::u8x16>(a) >> (n & 7));
}
KUMO_NUM_INLINE V128 i16x8_shl(V128 a, uint32_t n) {
  return to_v128(as<vec::u16x8>(a) << (n & 15));
}
KUMO_NUM_INLINE V128 i16x8_shr_s(V128 a, uint32_t n) {
  return to_v128(as<vec::i16x8>(a) >> (n & 15));
}
KUMO_NUM_INLINE V128 i16x8_shr_u(V128 a, uint32_t n) {
  return to_v128(as<vec::u16x8>(a) >> (n & 15));
}
KUMO_NUM_INLINE V128 i32x4_shl(V128 a, uint32_t n) {
  return to_v128(as<vec::u32x4>(a) << (n & 31));
}
KUMO_NUM_INLINE V128 i32x4_shr_s(V128 a, uint32_t n) {
  return to_v128(as<vec::i32x4>(a) >> int(n & 31));
}
KUMO_NUM_INLINE V128 i32x4_shr_u(V128 a, uint32_t n) {
  return to_v128(as<vec::u32x4>(a) >> (n & 31));
}
KUMO_NUM_INLINE V128 i64x2_shl(V128 a, uint32_t n) {
  return V128{a.lo << (n & 63), a.hi << (n & 63)};
}
KUMO_NUM_INLINE V128 i64x2_shr_s(V128 a, uint32_t n) {
  return V128{uint64_t(int64_t(a.lo) >> (n & 63)), uint64_t(int64_t(a.hi) >> (n & 63))};
}
KUMO_NUM_INLINE V128 i64x2_shr_u(V128 a, uint32_t n) {
  return V128{a.lo >> (n & 63), a.hi >> (n & 63)};
}

#undef KUMO_SIMD_UN
#undef KUMO_SIMD_BIN
}  // namespace kumo::wasm::num

#include "wasm/interp/simd_float.hpp"
#include "wasm/interp/simd_widen.hpp"
