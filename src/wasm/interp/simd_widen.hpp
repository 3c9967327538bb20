// SIMD instructions that change lane width: extend, extmul, extadd_pairwise, narrow, dot
// products and q15mulr. Included by simd.hpp (see there for conventions).
#pragma once

#include "wasm/interp/simd.hpp"

namespace kumo::wasm::num {

// ---------------------------------------------------------------------------------------------
// extend_{low,high}: widen one half of the lanes. __builtin_convertvector sign- or zero-extends
// according to the source lane type.

#define KUMO_SIMD_EXTEND(name, Half, Wide, which)                                  \
  KUMO_NUM_INLINE V128 name(V128 a) {                                              \
    return to_v128(__builtin_convertvector(half<vec::Half>(a, which), vec::Wide)); \
  }
KUMO_SIMD_EXTEND(i16x8_extend_low_i8x16_s, i8x8, i16x8, 0)
KUMO_SIMD_EXTEND(i16x8_extend_high_i8x16_s, i8x8, i16x8, 1)
KUMO_SIMD_EXTEND(i16x8_extend_low_i8x16_u, u8x8, u16x8, 0)
KUMO_SIMD_EXTEND(i16x8_extend_high_i8x16_u, u8x8, u16x8, 1)
KUMO_SIMD_EXTEND(i32x4_extend_low_i16x8_s, i16x4, i32x4, 0)
KUMO_SIMD_EXTEND(i32x4_extend_high_i16x8_s, i16x4, i32x4, 1)
KUMO_SIMD_EXTEND(i32x4_extend_low_i16x8_u, u16x4, u32x4, 0)
KUMO_SIMD_EXTEND(i32x4_extend_high_i16x8_u, u16x4, u32x4, 1)
KUMO_SIMD_EXTEND(i64x2_extend_low_i32x4_s, i32x2, i64x2, 0)
KUMO_SIMD_EXTEND(i64x2_extend_high_i32x4_s, i32x2, i64x2, 1)
KUMO_SIMD_EXTEND(i64x2_extend_low_i32x4_u, u32x2, u64x2, 0)
KUMO_SIMD_EXTEND(i64x2_extend_high_i32x4_u, u32x2, u64x2, 1)
#undef KUMO_SIMD_EXTEND

// extmul: widen both operands' halves, then multiply in the wide type. The products always fit
// (|-128 * -128| < 2^15, |-32768 * -32768| < 2^31, ...), so signed multiplication cannot overflow.
#define KUMO_SIMD_EXTMUL(name, Half, Wide, which)                                  \
  KUMO_NUM_INLINE V128 name(V128 a, V128 b) {                                      \
    return to_v128(__builtin_convertvector(half<vec::Half>(a, which), vec::Wide) * \
                   __builtin_convertvector(half<vec::Half>(b, which), vec::Wide)); \
  }
KUMO_SIMD_EXTMUL(i16x8_extmul_low_i8x16_s, i8x8, i16x8, 0)
KUMO_SIMD_EXTMUL(i16x8_extmul_high_i8x16_s, i8x8, i16x8, 1)
KUMO_SIMD_EXTMUL(i16x8_extmul_low_i8x16_u, u8x8, u16x8, 0)
KUMO_SIMD_EXTMUL(i16x8_extmul_high_i8x16_u, u8x8, u16x8, 1)
KUMO_SIMD_EXTMUL(i32x4_extmul_low_i16x8_s, i16x4, i32x4, 0)
KUMO_SIMD_EXTMUL(i32x4_extmul_high_i16x8_s, i16x4, i32x4, 1)
KUMO_SIMD_EXTMUL(i32x4_extmul_low_i16x8_u, u16x4, u32x4, 0)
KUMO_SIMD_EXTMUL(i32x4_extmul_high_i16x8_u, u16x4, u32x4, 1)
KUMO_SIMD_EXTMUL(i64x2_extmul_low_i32x4_s, i32x2, i64x2, 0)
KUMO_SIMD_EXTMUL(i64x2_extmul_high_i32x4_s, i32x2, i64x2, 1)
KUMO_SIMD_EXTMUL(i64x2_extmul_low_i32x4_u, u32x2, u64x2, 0)
KUMO_SIMD_EXTMUL(i64x2_extmul_high_i32x4_u, u32x2, u64x2, 1)
#undef KUMO_SIMD_EXTMUL

// extadd_pairwise: viewing the vector with double-width lanes, the even narrow lane is the low
// half of each wide lane and the odd one the high half; shifts extract them without shuffles.
KUMO_NUM_INLINE V128 i16x8_extadd_pairwise_i8x16_s(V128 a) {
  auto w = as<vec::i16x8>(a);
  return to_v128(((w << 8) >> 8) + (w >> 8));
}
KUMO_NUM_INLINE V128 i16x8_extadd_pairwise_i8x16_u(V128 a) {
  auto w = as<vec::u16x8>(a);
  return to_v128((w & 0xff) + (w >> 8));
}
KUMO_NUM_INLINE V128 i32x4_extadd_pairwise_i16x8_s(V128 a) {
  auto w = as<vec::i32x4>(a);
  return to_v128(((w << 16) >> 16) + (w >> 16));
}
KUMO_NUM_INLINE V128 i32x4_extadd_pairwise_i16x8_u(V128 a) {
  auto w = as<vec::u32x4>(a);
  return to_v128((w & 0xffff) + (w >> 16));
}

// ---------------------------------------------------------------------------------------------
// narrow: saturate each (signed) lane of a then b to the narrow range, then truncate.

template <class Wide, class Half, class L>
KUMO_NUM_INLINE V128 narrow(V128 a, V128 b, L lo, L hi) {
  auto clamp = [&](Wide x) {
    x = x < lo ? Wide{} + lo : x;
    x = x > hi ? Wide{} + hi : x;
    return __builtin_convertvector(x, Half);
  };
  Wide wa = as<Wide>(a), wb = as<Wide>(b);
  return join(clamp(wa), clamp(wb));
}
KUMO_NUM_INLINE V128 i8x16_narrow_i16x8_s(V128 a, V128 b) {
  return narrow<vec::i16x8, vec::i8x8>(a, b, int16_t(-128), int16_t(127));
}
KUMO_NUM_INLINE V128 i8x16_narrow_i16x8_u(V128 a, V128 b) {
  return narrow<vec::i16x8, vec::u8x8>(a, b, int16_t(0), int16_t(255));
}
KUMO_NUM_INLINE V128 i16x8_narrow_i32x4_s(V128 a, V128 b) {
  return narrow<vec::i32x4, vec::i16x4>(a, b, int32_t(-32768), int32_t(32767));
}
KUMO_NUM_INLINE V128 i16x8_narrow_i32x4_u(V128 a, V128 b) {
  return narrow<vec::i32x4, vec::u16x4>(a, b, int32_t(0), int32_t(65535));
}

// ---------------------------------------------------------------------------------------------
// Multiplies with pairwise sums / rounding, using the same even/odd split as extadd_pairwise.

// i32x4.dot_i16x8_s: a0*b0 + a1*b1 per 32-bit lane; only -32768^2 * 2 overflows, and wraps.
KUMO_NUM_INLINE V128 i32x4_dot_i16x8_s(V128 a, V128 b) {
  auto wa = as<vec::i32x4>(a), wb = as<vec::i32x4>(b);
  vec::u32x4 even = (vec::u32x4)(((wa << 16) >> 16) * ((wb << 16) >> 16));
  vec::u32x4 odd = (vec::u32x4)((wa >> 16) * (wb >> 16));
  return to_v128(even + odd);
}

// q15mulr_sat_s: (a*b + 2^14) >> 15 saturated; only -32768 * -32768 exceeds the range.
KUMO_NUM_INLINE V128 i16x8_q15mulr_sat_s(V128 a, V128 b) {
  auto wa = as<vec::i32x4>(a), wb = as<vec::i32x4>(b);
  vec::i32x4 even = (((wa << 16) >> 16) * ((wb << 16) >> 16) + 0x4000) >> 15;
  vec::i32x4 odd = ((wa >> 16) * (wb >> 16) + 0x4000) >> 15;
  even = even > 32767 ? vec::i32x4{} + 32767 : even;
  odd = odd > 32767 ? vec::i32x4{} + 32767 : odd;
  return to_v128(((vec::u32x4)even & 0xffff) | ((vec::u32x4)odd << 16));
}

// Relaxed SIMD: deterministic choices.
KUMO_NUM_INLINE V128 i16x8_relaxed_q15mulr_s(V128 a, V128 b) { return i16x8_q15mulr_sat_s(a, b); }

// relaxed_dot_i8x16_i7x16_s: both operands treated as signed (the result the spec lists as
// "signed * signed"); the pair sum wraps to 16 bits (only reachable with b = -128, outside i7).
KUMO_NUM_INLINE V128 i16x8_relaxed_dot_i8x16_i7x16_s(V128 a, V128 b) {
  auto wa = as<vec::i16x8>(a), wb = as<vec::i16x8>(b);
  vec::u16x8 even = (vec::u16x8)(((wa << 8) >> 8) * ((wb << 8) >> 8));
  vec::u16x8 odd = (vec::u16x8)((wa >> 8) * (wb >> 8));
  return to_v128(even + odd);
}
// Sum of four signed byte products per 32-bit lane (exact in 32 bits), plus c (wrapping).
KUMO_NUM_INLINE V128 i32x4_relaxed_dot_i8x16_i7x16_add_s(V128 a, V128 b, V128 c) {
  auto wa = as<vec::i32x4>(a), wb = as<vec::i32x4>(b);
  vec::i32x4 sum = ((wa << 24) >> 24) * ((wb << 24) >> 24) +
                   ((wa << 16) >> 24) * ((wb << 16) >> 24) + ((wa << 8) >> 24) * ((wb << 8) >> 24) +
                   (wa >> 24) * (wb >> 24);
  return to_v128((vec::u32x4)sum + as<vec::u32x4>(c));
}

}  // namespace kumo::wasm::num
