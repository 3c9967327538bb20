// f32x4 / f64x2 SIMD instructions and the float <-> int lane conversions, with the same NaN,
// signed-zero and rounding rules as the scalar ones in numeric.hpp. Included by simd.hpp.
#pragma once

#include "wasm/interp/simd.hpp"

namespace kumo::wasm::num {

namespace vec {
// Per-float-vector companions: same-width integer lanes and constants.
template <class F>
struct FloatTraits;
template <>
struct FloatTraits<f32x4> {
  using I = i32x4;
  using U = u32x4;
  using S = float;
  static constexpr uint32_t kSign = 0x80000000u;
  static constexpr float kBig = 0x1p23f;  // from here on every float is an integer
};
template <>
struct FloatTraits<f64x2> {
  using I = i64x2;
  using U = u64x2;
  using S = double;
  static constexpr uint64_t kSign = 0x8000000000000000ull;
  static constexpr double kBig = 0x1p52;
};

template <class F>
KUMO_NUM_INLINE F fabs(F a) {
  using T = FloatTraits<F>;
  return (F)((typename T::U)a & ~T::kSign);
}
// Magnitude of m, sign of s.
template <class F>
KUMO_NUM_INLINE F fcopysign(F m, F s) {
  using T = FloatTraits<F>;
  return (F)(((typename T::U)m & ~T::kSign) | ((typename T::U)s & T::kSign));
}
// Keeps the compiler from contracting a following add into an FMA (it may under -ffp-contract
// when FMA is enabled), so relaxed_madd is deterministic across builds.
template <class F>
KUMO_NUM_INLINE F rounded(F x) {
#if defined(__x86_64__) || defined(__i386__)
  asm("" : "+x"(x));
#else
  volatile F v = x;
  x = v;
#endif
  return x;
}

// min/max per lane: NaN if either is NaN (a + b quiets it); for equal operands OR (min) / AND
// (max) the bits so that -0 < +0. Branch-free selects.
template <class F>
KUMO_NUM_INLINE F fmin(F a, F b) {
  using U = typename FloatTraits<F>::U;
  F r = a < b ? a : b;
  r = a == b ? (F)((U)a | (U)b) : r;
  return (a != a) | (b != b) ? a + b : r;
}
template <class F>
KUMO_NUM_INLINE F fmax(F a, F b) {
  using U = typename FloatTraits<F>::U;
  F r = a > b ? a : b;
  r = a == b ? (F)((U)a & (U)b) : r;
  return (a != a) | (b != b) ? a + b : r;
}

// Rounding to integral values, lane-wise and branch-free. r = (|a| + 2^k) - 2^k is |a| rounded
// to nearest-even (exact for |a| < 2^k); one +-1 correction turns it into floor/ceil of |a|.
// Lanes with |a| >= 2^k (integral, inf) are returned as is, NaN lanes quieted (a + a). The
// sign is copied back, so -0.5 rounds to -0 where the spec says so.
enum class Round { Nearest, Trunc, Floor, Ceil };
template <Round mode, class F>
KUMO_NUM_INLINE F fround(F a) {
  using T = FloatTraits<F>;
  const F big = F{} + T::kBig;
  F m = fabs(a);
  F r = (m + big) - big;  // GCC never reassociates this without -ffast-math
  F res;
  if constexpr (mode == Round::Nearest) {
    res = r;
  } else {
    F floor_m = r > m ? r - 1 : r;
    F ceil_m = r < m ? r + 1 : r;
    if constexpr (mode == Round::Trunc) res = floor_m;
    if constexpr (mode == Round::Floor) res = a < 0 ? ceil_m : floor_m;
    if constexpr (mode == Round::Ceil) res = a < 0 ? floor_m : ceil_m;
  }
  return m < big ? fcopysign(res, a) : (a != a ? a + a : a);
}
}  // namespace vec

#define KUMO_SIMD_FBIN(name, F, expr)           \
  KUMO_NUM_INLINE V128 name(V128 a_, V128 b_) { \
    auto a = as<vec::F>(a_);                    \
    auto b = as<vec::F>(b_);                    \
    return to_v128(expr);                       \
  }
#define KUMO_SIMD_FUN(name, F, expr)   \
  KUMO_NUM_INLINE V128 name(V128 a_) { \
    auto a = as<vec::F>(a_);           \
    return to_v128(expr);              \
  }

KUMO_SIMD_FUN(f32x4_abs, f32x4, vec::fabs(a))
KUMO_SIMD_FUN(f32x4_neg, f32x4, (vec::u32x4)a ^ 0x80000000u)
KUMO_SIMD_FUN(f64x2_abs, f64x2, vec::fabs(a))
KUMO_SIMD_FUN(f64x2_neg, f64x2, (vec::u64x2)a ^ 0x8000000000000000ull)

KUMO_SIMD_FBIN(f32x4_add, f32x4, a + b)
KUMO_SIMD_FBIN(f32x4_sub, f32x4, a - b)
KUMO_SIMD_FBIN(f32x4_mul, f32x4, a* b)
KUMO_SIMD_FBIN(f32x4_div, f32x4, a / b)
KUMO_SIMD_FBIN(f64x2_add, f64x2, a + b)
KUMO_SIMD_FBIN(f64x2_sub, f64x2, a - b)
KUMO_SIMD_FBIN(f64x2_mul, f64x2, a* b)
KUMO_SIMD_FBIN(f64x2_div, f64x2, a / b)
KUMO_SIMD_FBIN(f32x4_min, f32x4, vec::fmin(a, b))
KUMO_SIMD_FBIN(f32x4_max, f32x4, vec::fmax(a, b))
KUMO_SIMD_FBIN(f64x2_min, f64x2, vec::fmin(a, b))
KUMO_SIMD_FBIN(f64x2_max, f64x2, vec::fmax(a, b))
// Pseudo-min/max are defined as plain selects (NaN and zero handling fall out of the compare).
KUMO_SIMD_FBIN(f32x4_pmin, f32x4, b < a ? b : a)
KUMO_SIMD_FBIN(f32x4_pmax, f32x4, a < b ? b : a)
KUMO_SIMD_FBIN(f64x2_pmin, f64x2, b < a ? b : a)
KUMO_SIMD_FBIN(f64x2_pmax, f64x2, a < b ? b : a)

KUMO_SIMD_FUN(f32x4_ceil, f32x4, vec::fround<vec::Round::Ceil>(a))
KUMO_SIMD_FUN(f32x4_floor, f32x4, vec::fround<vec::Round::Floor>(a))
KUMO_SIMD_FUN(f32x4_trunc, f32x4, vec::fround<vec::Round::Trunc>(a))
KUMO_SIMD_FUN(f32x4_nearest, f32x4, vec::fround<vec::Round::Nearest>(a))
KUMO_SIMD_FUN(f64x2_ceil, f64x2, vec::fround<vec::Round::Ceil>(a))
KUMO_SIMD_FUN(f64x2_floor, f64x2, vec::fround<vec::Round::Floor>(a))
KUMO_SIMD_FUN(f64x2_trunc, f64x2, vec::fround<vec::Round::Trunc>(a))
KUMO_SIMD_FUN(f64x2_nearest, f64x2, vec::fround<vec::Round::Nearest>(a))

#if defined(__SSE2__) && !defined(KUMO_SIMD_NO_INTRINSICS)
KUMO_NUM_INLINE V128 f32x4_sqrt(V128 a) { return to_v128(_mm_sqrt_ps(as<__m128>(a))); }
KUMO_NUM_INLINE V128 f64x2_sqrt(V128 a) { return to_v128(_mm_sqrt_pd(as<__m128d>(a))); }
#else
KUMO_NUM_INLINE V128 f32x4_sqrt(V128 a) {
  auto v = as<vec::f32x4>(a);
  for (int i = 0; i < 4; ++i) v[i] = f32_sqrt(v[i]);
  return to_v128(v);
}
KUMO_NUM_INLINE V128 f64x2_sqrt(V128 a) {
  auto v = as<vec::f64x2>(a);
  for (int i = 0; i < 2; ++i) v[i] = f64_sqrt(v[i]);
  return to_v128(v);
}
#endif

// ---------------------------------------------------------------------------------------------
// Conversions

// Saturating truncation, vectorised for the common signed f32 case: clamp into the convertible
// range first (so the hardware conversion is well defined), then patch the lanes >= 2^31 (the
// largest float below 2^31 is 2^31 - 128) and NaN lanes.
KUMO_NUM_INLINE V128 i32x4_trunc_sat_f32x4_s(V128 a_) {
  auto a = as<vec::f32x4>(a_);
  vec::f32x4 c = a < -0x1p31f ? vec::f32x4{} - 0x1p31f : a;
  c = c > 0x1.fffffep30f ? vec::f32x4{} + 0x1.fffffep30f : c;
  c = c != c ? vec::f32x4{} : c;
  vec::i32x4 r = __builtin_convertvector(c, vec::i32x4);
  r = a >= 0x1p31f ? vec::i32x4{} + 0x7fffffff : r;
  return to_v128(r);
}
KUMO_NUM_INLINE V128 i32x4_trunc_sat_f32x4_u(V128 a_) {
  auto a = as<vec::f32x4>(a_);
  vec::u32x4 r;
  for (int i = 0; i < 4; ++i) r[i] = i32_trunc_sat_f32_u(a[i]);
  return to_v128(r);
}
KUMO_NUM_INLINE V128 i32x4_trunc_sat_f64x2_s_zero(V128 a) {
  return V128{uint64_t(i32_trunc_sat_f64_s(f64_from_bits(a.lo))) |
                  uint64_t(i32_trunc_sat_f64_s(f64_from_bits(a.hi))) << 32,
              0};
}
KUMO_NUM_INLINE V128 i32x4_trunc_sat_f64x2_u_zero(V128 a) {
  return V128{uint64_t(i32_trunc_sat_f64_u(f64_from_bits(a.lo))) |
                  uint64_t(i32_trunc_sat_f64_u(f64_from_bits(a.hi))) << 32,
              0};
}

KUMO_NUM_INLINE V128 f32x4_convert_i32x4_s(V128 a) {
  return to_v128(__builtin_convertvector(as<vec::i32x4>(a), vec::f32x4));
}
// u32 -> f32 with a single rounding: the high and low 16-bit halves convert exactly, hi * 2^16
// is exact, and the final add rounds once.
KUMO_NUM_INLINE V128 f32x4_convert_i32x4_u(V128 a) {
  auto u = as<vec::u32x4>(a);
  vec::f32x4 hi = __builtin_convertvector((vec::i32x4)(u >> 16), vec::f32x4) * 65536.0f;
  vec::f32x4 lo = __builtin_convertvector((vec::i32x4)(u & 0xffff), vec::f32x4);
  return to_v128(hi + lo);
}
KUMO_NUM_INLINE V128 f64x2_convert_low_i32x4_s(V128 a) {
  return to_v128(__builtin_convertvector(half<vec::i32x2>(a, 0), vec::f64x2));
}
KUMO_NUM_INLINE V128 f64x2_convert_low_i32x4_u(V128 a) {
  return to_v128(__builtin_convertvector(half<vec::u32x2>(a, 0), vec::f64x2));
}
// cvtpd2ps / cvtps2pd: correctly rounded, NaNs come out quiet.
KUMO_NUM_INLINE V128 f32x4_demote_f64x2_zero(V128 a) {
  vec::f32x2 r = __builtin_convertvector(as<vec::f64x2>(a), vec::f32x2);
  return V128{std::bit_cast<uint64_t>(r), 0};
}
KUMO_NUM_INLINE V128 f64x2_promote_low_f32x4(V128 a) {
  return to_v128(__builtin_convertvector(half<vec::f32x2>(a, 0), vec::f64x2));
}

// ---------------------------------------------------------------------------------------------
// Relaxed SIMD (deterministic choices, see simd.hpp)

KUMO_NUM_INLINE V128 i8x16_relaxed_swizzle(V128 a, V128 s) { return i8x16_swizzle(a, s); }
KUMO_NUM_INLINE V128 i32x4_relaxed_trunc_f32x4_s(V128 a) { return i32x4_trunc_sat_f32x4_s(a); }
KUMO_NUM_INLINE V128 i32x4_relaxed_trunc_f32x4_u(V128 a) { return i32x4_trunc_sat_f32x4_u(a); }
KUMO_NUM_INLINE V128 i32x4_relaxed_trunc_f64x2_s_zero(V128 a) {
  return i32x4_trunc_sat_f64x2_s_zero(a);
}
KUMO_NUM_INLINE V128 i32x4_relaxed_trunc_f64x2_u_zero(V128 a) {
  return i32x4_trunc_sat_f64x2_u_zero(a);
}
// madd = a * b + c, nmadd = -(a * b) + c, both with the product rounded (unfused).
KUMO_NUM_INLINE V128 f32x4_relaxed_madd(V128 a, V128 b, V128 c) {
  return to_v128(vec::rounded(as<vec::f32x4>(a) * as<vec::f32x4>(b)) + as<vec::f32x4>(c));
}
KUMO_NUM_INLINE V128 f32x4_relaxed_nmadd(V128 a, V128 b, V128 c) {
  return to_v128(as<vec::f32x4>(c) - vec::rounded(as<vec::f32x4>(a) * as<vec::f32x4>(b)));
}
KUMO_NUM_INLINE V128 f64x2_relaxed_madd(V128 a, V128 b, V128 c) {
  return to_v128(vec::rounded(as<vec::f64x2>(a) * as<vec::f64x2>(b)) + as<vec::f64x2>(c));
}
KUMO_NUM_INLINE V128 f64x2_relaxed_nmadd(V128 a, V128 b, V128 c) {
  return to_v128(as<vec::f64x2>(c) - vec::rounded(as<vec::f64x2>(a) * as<vec::f64x2>(b)));
}
// laneselect with a non-uniform mask lane: bitwise select (what x86 blendv is not, but ARM is).
KUMO_NUM_INLINE V128 i8x16_relaxed_laneselect(V128 a, V128 b, V128 m) {
  return v128_bitselect(a, b, m);
}
KUMO_NUM_INLINE V128 i16x8_relaxed_laneselect(V128 a, V128 b, V128 m) {
  return v128_bitselect(a, b, m);
}
KUMO_NUM_INLINE V128 i32x4_relaxed_laneselect(V128 a, V128 b, V128 m) {
  return v128_bitselect(a, b, m);
}
KUMO_NUM_INLINE V128 i64x2_relaxed_laneselect(V128 a, V128 b, V128 m) {
  return v128_bitselect(a, b, m);
}
KUMO_NUM_INLINE V128 f32x4_relaxed_min(V128 a, V128 b) { return f32x4_min(a, b); }
KUMO_NUM_INLINE V128 f32x4_relaxed_max(V128 a, V128 b) { return f32x4_max(a, b); }
KUMO_NUM_INLINE V128 f64x2_relaxed_min(V128 a, V128 b) { return f64x2_min(a, b); }
KUMO_NUM_INLINE V128 f64x2_relaxed_max(V128 a, V128 b) { return f64x2_max(a, b); }

#undef KUMO_SIMD_FUN
#undef KUMO_SIMD_FBIN
}  // namespace kumo::wasm::num
