// Exact WebAssembly semantics of the scalar numeric instructions (i32/i64/f32/f64), as
// header-only, force-inlined functions on raw C++ types that the interpreter's dispatch loop calls.
//
// Conventions
//   - Integers are uint32_t / uint64_t (wasm integers are sign-agnostic); signed views are taken
//     inside the functions. Floats are float / double; on x86-64 they live in SSE registers, which
//     never alter a NaN's bits on moves, so payloads survive exactly where the spec requires it
//     (abs/neg/copysign/reinterpret are pure bit operations).
//   - Naming: <type>_<instruction> with the wasm text name's dots and the "_i32"-style suffixes
//     turned into underscores, e.g. i32_div_s, f64_nearest, i32_trunc_f32_s, f32_convert_i64_u,
//     i64_trunc_sat_f64_u, f32_demote_f64.
//   - Comparisons return uint32_t 0/1 (the wasm i32 result).
//   - Only the trapping instructions (integer div/rem, trapping float->int truncations) return
//     TrapOr<T>: `ok` false means the instruction traps with `trap`.
//   - Arithmetic on NaN inputs returns a quiet NaN (canonical when the inputs are canonical,
//     otherwise the quieted payload of an input, i.e. an "arithmetic" NaN), which is what the
//     spec's nondeterministic NaN rules allow.
#pragma once

#include <bit>
#include <cstdint>
#include <limits>

#include "wasm/runtime/objects.hpp"

#define KUMO_NUM_INLINE [[gnu::always_inline]] inline

namespace kumo::wasm::num {

// Result of an instruction that may trap. Fits in two registers when returned.
template <class T>
struct TrapOr {
  T value;
  TrapCode trap;  // meaningful only when !ok
  bool ok;
  explicit constexpr operator bool() const { return ok; }
};
template <class T>
KUMO_NUM_INLINE constexpr TrapOr<T> trap_ok(T v) {
  return {v, TrapCode::Unreachable, true};
}
template <class T>
KUMO_NUM_INLINE constexpr TrapOr<T> trap_err(TrapCode c) {
  return {T{}, c, false};
}

// ---------------------------------------------------------------------------------------------
// Bit views

KUMO_NUM_INLINE constexpr uint32_t bits(float f) { return std::bit_cast<uint32_t>(f); }
KUMO_NUM_INLINE constexpr uint64_t bits(double d) { return std::bit_cast<uint64_t>(d); }
KUMO_NUM_INLINE constexpr float f32_from_bits(uint32_t b) { return std::bit_cast<float>(b); }
KUMO_NUM_INLINE constexpr double f64_from_bits(uint64_t b) { return std::bit_cast<double>(b); }

inline constexpr uint32_t kF32SignBit = 0x80000000u;
inline constexpr uint64_t kF64SignBit = 0x8000000000000000ull;
inline constexpr uint32_t kF32CanonicalNaN = 0x7fc00000u;
inline constexpr uint64_t kF64CanonicalNaN = 0x7ff8000000000000ull;

KUMO_NUM_INLINE constexpr bool is_nan(float f) { return f != f; }
KUMO_NUM_INLINE constexpr bool is_nan(double d) { return d != d; }

// ---------------------------------------------------------------------------------------------
// Integer comparisons and tests

KUMO_NUM_INLINE constexpr uint32_t i32_eqz(uint32_t a) { return a == 0; }
KUMO_NUM_INLINE constexpr uint32_t i32_eq(uint32_t a, uint32_t b) { return a == b; }
KUMO_NUM_INLINE constexpr uint32_t i32_ne(uint32_t a, uint32_t b) { return a != b; }
KUMO_NUM_INLINE constexpr uint32_t i32_lt_s(uint32_t a, uint32_t b) {
  return int32_t(a) < int32_t(b);
}
KUMO_NUM_INLINE constexpr uint32_t i32_lt_u(uint32_t a, uint32_t b) { return a < b; }
KUMO_NUM_INLINE constexpr uint32_t i32_gt_s(uint32_t a, uint32_t b) {
  return int32_t(a) > int32_t(b);
}
KUMO_NUM_INLINE constexpr uint32_t i32_gt_u(uint32_t a, uint32_t b) { return a > b; }
KUMO_NUM_INLINE constexpr uint32_t i32_le_s(uint32_t a, uint32_t b) {
  return int32_t(a) <= int32_t(b);
}
KUMO_NUM_INLINE constexpr uint32_t i32_le_u(uint32_t a, uint32_t b) { return a <= b; }
KUMO_NUM_INLINE constexpr uint32_t i32_ge_s(uint32_t a, uint32_t b) {
  return int32_t(a) >= int32_t(b);
}
KUMO_NUM_INLINE constexpr uint32_t i32_ge_u(uint32_t a, uint32_t b) { return a >= b; }

KUMO_NUM_INLINE constexpr uint32_t i64_eqz(uint64_t a) { return a == 0; }
KUMO_NUM_INLINE constexpr uint32_t i64_eq(uint64_t a, uint64_t b) { return a == b; }
KUMO_NUM_INLINE constexpr uint32_t i64_ne(uint64_t a, uint64_t b) { return a != b; }
KUMO_NUM_INLINE constexpr uint32_t i64_lt_s(uint64_t a, uint64_t b) {
  return int64_t(a) < int64_t(b);
}
KUMO_NUM_INLINE constexpr uint32_t i64_lt_u(uint64_t a, uint64_t b) { return a < b; }
KUMO_NUM_INLINE constexpr uint32_t i64_gt_s(uint64_t a, uint64_t b) {
  return int64_t(a) > int64_t(b);
}
KUMO_NUM_INLINE constexpr uint32_t i64_gt_u(uint64_t a, uint64_t b) { return a > b; }
KUMO_NUM_INLINE constexpr uint32_t i64_le_s(uint64_t a, uint64_t b) {
  return int64_t(a) <= int64_t(b);
}
KUMO_NUM_INLINE constexpr uint32_t i64_le_u(uint64_t a, uint64_t b) { return a <= b; }
KUMO_NUM_INLINE constexpr uint32_t i64_ge_s(uint64_t a, uint64_t b) {
  return int64_t(a) >= int64_t(b);
}
KUMO_NUM_INLINE constexpr uint32_t i64_ge_u(uint64_t a, uint64_t b) { return a >= b; }

// ---------------------------------------------------------------------------------------------
// Integer arithmetic (unsigned types make wrap-around well defined)

KUMO_NUM_INLINE constexpr uint32_t i32_clz(uint32_t a) { return uint32_t(std::countl_zero(a)); }
KUMO_NUM_INLINE constexpr uint32_t i32_ctz(uint32_t a) { return uint32_t(std::countr_zero(a)); }
KUMO_NUM_INLINE constexpr uint32_t i32_popcnt(uint32_t a) { return uint32_t(std::popcount(a)); }
KUMO_NUM_INLINE constexpr uint32_t i32_add(uint32_t a, uint32_t b) { return a + b; }
KUMO_NUM_INLINE constexpr uint32_t i32_sub(uint32_t a, uint32_t b) { return a - b; }
KUMO_NUM_INLINE constexpr uint32_t i32_mul(uint32_t a, uint32_t b) { return a * b; }
KUMO_NUM_INLINE constexpr uint32_t i32_and(uint32_t a, uint32_t b) { return a & b; }
KUMO_NUM_INLINE constexpr uint32_t i32_or(uint32_t a, uint32_t b) { return a | b; }
KUMO_NUM_INLINE constexpr uint32_t i32_xor(uint32_t a, uint32_t b) { return a ^ b; }
// Shift counts are taken modulo the width (x86 does the same, so the mask compiles away).
KUMO_NUM_INLINE constexpr uint32_t i32_shl(uint32_t a, uint32_t b) { return a << (b & 31); }
KUMO_NUM_INLINE constexpr uint32_t i32_shr_s(uint32_t a, uint32_t b) {
  return uint32_t(int32_t(a) >> (b & 31));  // arithmetic shift (C++20 defines it)
}
KUMO_NUM_INLINE constexpr uint32_t i32_shr_u(uint32_t a, uint32_t b) { return a >> (b & 31); }
KUMO_NUM_INLINE constexpr uint32_t i32_rotl(uint32_t a, uint32_t b) {
  return std::rotl(a, int(b & 31));
}
KUMO_NUM_INLINE constexpr uint32_t i32_rotr(uint32_t a, uint32_t b) {
  return std::rotr(a, int(b & 31));
}

KUMO_NUM_INLINE constexpr TrapOr<uint32_t> i32_div_s(uint32_t a, uint32_t b) {
  if (__builtin_expect(b == 0, 0)) return trap_err<uint32_t>(TrapCode::IntegerDivideByZero);
  if (__builtin_expect(a == 0x80000000u && b == 0xffffffffu, 0))
    return trap_err<uint32_t>(TrapCode::IntegerOverflow);
  return trap_ok(uint32_t(int32_t(a) / int32_t(b)));
}
KUMO_NUM_INLINE constexpr TrapOr<uint32_t> i32_div_u(uint32_t a, uint32_t b) {
  if (__builtin_expect(b == 0, 0)) return trap_err<uint32_t>(TrapCode::IntegerDivideByZero);
  return trap_ok(a / b);
}
KUMO_NUM_INLINE constexpr TrapOr<uint32_t> i32_rem_s(uint32_t a, uint32_t b) {
  if (__builtin_expect(b == 0, 0)) return trap_err<uint32_t>(TrapCode::IntegerDivideByZero);
  // INT_MIN % -1 is 0 in wasm but faults in x86 idiv: any x % -1 is 0, so skip the division.
  if (__builtin_expect(b == 0xffffffffu, 0)) return trap_ok(uint32_t(0));
  return trap_ok(uint32_t(int32_t(a) % int32_t(b)));
}
KUMO_NUM_INLINE constexpr TrapOr<uint32_t> i32_rem_u(uint32_t a, uint32_t b) {
  if (__builtin_expect(b == 0, 0)) return trap_err<uint32_t>(TrapCode::IntegerDivideByZero);
  return trap_ok(a % b);
}

KUMO_NUM_INLINE constexpr uint64_t i64_clz(uint64_t a) { return uint64_t(std::countl_zero(a)); }
KUMO_NUM_INLINE constexpr uint64_t i64_ctz(uint64_t a) { return uint64_t(std::countr_zero(a)); }
KUMO_NUM_INLINE constexpr uint64_t i64_popcnt(uint64_t a) { return uint64_t(std::popcount(a)); }
KUMO_NUM_INLINE constexpr uint64_t i64_add(uint64_t a, uint64_t b) { return a + b; }
KUMO_NUM_INLINE constexpr uint64_t i64_sub(uint64_t a, uint64_t b) { return a - b; }
KUMO_NUM_INLINE constexpr uint64_t i64_mul(uint64_t a, uint64_t b) { return a * b; }
KUMO_NUM_INLINE constexpr uint64_t i64_and(uint64_t a, uint64_t b) { return a & b; }
KUMO_NUM_INLINE constexpr uint64_t i64_or(uint64_t a, uint64_t b) { return a | b; }
KUMO_NUM_INLINE constexpr uint64_t i64_xor(uint64_t a, uint64_t b) { return a ^ b; }
KUMO_NUM_INLINE constexpr uint64_t i64_shl(uint64_t a, uint64_t b) { return a << (b & 63); }
KUMO_NUM_INLINE constexpr uint64_t i64_shr_s(uint64_t a, uint64_t b) {
  return uint64_t(int64_t(a) >> (b & 63));
}
KUMO_NUM_INLINE constexpr uint64_t i64_shr_u(uint64_t a, uint64_t b) { return a >> (b & 63); }
KUMO_NUM_INLINE constexpr uint64_t i64_rotl(uint64_t a, uint64_t b) {
  return std::rotl(a, int(b & 63));
}
KUMO_NUM_INLINE constexpr uint64_t i64_rotr(uint64_t a, uint64_t b) {
  return std::rotr(a, int(b & 63));
}

KUMO_NUM_INLINE constexpr TrapOr<uint64_t> i64_div_s(uint64_t a, uint64_t b) {
  if (__builtin_expect(b == 0, 0)) return trap_err<uint64_t>(TrapCode::IntegerDivideByZero);
  if (__builtin_expect(a == 0x8000000000000000ull && b == ~0ull, 0))
    return trap_err<uint64_t>(TrapCode::IntegerOverflow);
  return trap_ok(uint64_t(int64_t(a) / int64_t(b)));
}
KUMO_NUM_INLINE constexpr TrapOr<uint64_t> i64_div_u(uint64_t a, uint64_t b) {
  if (__builtin_expect(b == 0, 0)) return trap_err<uint64_t>(TrapCode::IntegerDivideByZero);
  return trap_ok(a / b);
}
KUMO_NUM_INLINE constexpr TrapOr<uint64_t> i64_rem_s(uint64_t a, uint64_t b) {
  if (__builtin_expect(b == 0, 0)) return trap_err<uint64_t>(TrapCode::IntegerDivideByZero);
  if (__builtin_expect(b == ~0ull, 0)) return trap_ok(uint64_t(0));  // see i32_rem_s
  return trap_ok(uint64_t(int64_t(a) % int64_t(b)));
}
KUMO_NUM_INLINE constexpr TrapOr<uint64_t> i64_rem_u(uint64_t a, uint64_t b) {
  if (__builtin_expect(b == 0, 0)) return trap_err<uint64_t>(TrapCode::IntegerDivideByZero);
  return trap_ok(a % b);
}

// Sign extension (0xC0..0xC4) and i32 <-> i64 conversions.
KUMO_NUM_INLINE constexpr uint32_t i32_extend8_s(uint32_t a) {
  return uint32_t(int32_t(int8_t(a)));
}
KUMO_NUM_INLINE constexpr uint32_t i32_extend16_s(uint32_t a) {
  return uint32_t(int32_t(int16_t(a)));
}
KUMO_NUM_INLINE constexpr uint64_t i64_extend8_s(uint64_t a) {
  return uint64_t(int64_t(int8_t(a)));
}
KUMO_NUM_INLINE constexpr uint64_t i64_extend16_s(uint64_t a) {
  return uint64_t(int64_t(int16_t(a)));
}
KUMO_NUM_INLINE constexpr uint64_t i64_extend32_s(uint64_t a) {
  return uint64_t(int64_t(int32_t(a)));
}
KUMO_NUM_INLINE constexpr uint32_t i32_wrap_i64(uint64_t a) { return uint32_t(a); }
KUMO_NUM_INLINE constexpr uint64_t i64_extend_i32_s(uint32_t a) {
  return uint64_t(int64_t(int32_t(a)));
}
KUMO_NUM_INLINE constexpr uint64_t i64_extend_i32_u(uint32_t a) { return a; }

// ---------------------------------------------------------------------------------------------
// Float comparisons (IEEE: every comparison with NaN is false except ne)

KUMO_NUM_INLINE constexpr uint32_t f32_eq(float a, float b) { return a == b; }
KUMO_NUM_INLINE constexpr uint32_t f32_ne(float a, float b) { return a != b; }
KUMO_NUM_INLINE constexpr uint32_t f32_lt(float a, float b) { return a < b; }
KUMO_NUM_INLINE constexpr uint32_t f32_gt(float a, float b) { return a > b; }
KUMO_NUM_INLINE constexpr uint32_t f32_le(float a, float b) { return a <= b; }
KUMO_NUM_INLINE constexpr uint32_t f32_ge(float a, float b) { return a >= b; }
KUMO_NUM_INLINE constexpr uint32_t f64_eq(double a, double b) { return a == b; }
KUMO_NUM_INLINE constexpr uint32_t f64_ne(double a, double b) { return a != b; }
KUMO_NUM_INLINE constexpr uint32_t f64_lt(double a, double b) { return a < b; }
KUMO_NUM_INLINE constexpr uint32_t f64_gt(double a, double b) { return a > b; }
KUMO_NUM_INLINE constexpr uint32_t f64_le(double a, double b) { return a <= b; }
KUMO_NUM_INLINE constexpr uint32_t f64_ge(double a, double b) { return a >= b; }

// ---------------------------------------------------------------------------------------------
// Float sign operations: pure bit manipulation, NaN payloads (even signalling ones) preserved.

KUMO_NUM_INLINE constexpr float f32_abs(float a) { return f32_from_bits(bits(a) & ~kF32SignBit); }
KUMO_NUM_INLINE constexpr float f32_neg(float a) { return f32_from_bits(bits(a) ^ kF32SignBit); }
KUMO_NUM_INLINE constexpr float f32_copysign(float a, float b) {
  return f32_from_bits((bits(a) & ~kF32SignBit) | (bits(b) & kF32SignBit));
}
KUMO_NUM_INLINE constexpr double f64_abs(double a) { return f64_from_bits(bits(a) & ~kF64SignBit); }
KUMO_NUM_INLINE constexpr double f64_neg(double a) { return f64_from_bits(bits(a) ^ kF64SignBit); }
KUMO_NUM_INLINE constexpr double f64_copysign(double a, double b) {
  return f64_from_bits((bits(a) & ~kF64SignBit) | (bits(b) & kF64SignBit));
}

// ---------------------------------------------------------------------------------------------
// Float arithmetic. SSE add/sub/mul/div/sqrt are exactly IEEE-754 round-to-nearest-even and
// quiet NaN inputs, which is all wasm asks for.

KUMO_NUM_INLINE float f32_add(float a, float b) { return a + b; }
KUMO_NUM_INLINE float f32_sub(float a, float b) { return a - b; }
KUMO_NUM_INLINE float f32_mul(float a, float b) { return a * b; }
KUMO_NUM_INLINE float f32_div(float a, float b) { return a / b; }
KUMO_NUM_INLINE double f64_add(double a, double b) { return a + b; }
KUMO_NUM_INLINE double f64_sub(double a, double b) { return a - b; }
KUMO_NUM_INLINE double f64_mul(double a, double b) { return a * b; }
KUMO_NUM_INLINE double f64_div(double a, double b) { return a / b; }
// __builtin_sqrt compiles to sqrtss/sqrtsd; only a NaN result takes glibc's errno path, which
// returns the same quiet NaN.
KUMO_NUM_INLINE float f32_sqrt(float a) { return __builtin_sqrtf(a); }
KUMO_NUM_INLINE double f64_sqrt(double a) { return __builtin_sqrt(a); }

// min/max: NaN if either operand is NaN (a + b quiets it); -0 < +0. For equal operands the only
// possible difference is the sign of zero, so OR-ing the bits picks -0 for min, AND-ing picks +0
// for max.
KUMO_NUM_INLINE float f32_min(float a, float b) {
  if (__builtin_expect(is_nan(a) || is_nan(b), 0)) return a + b;
  if (a == b) return f32_from_bits(bits(a) | bits(b));
  return a < b ? a : b;
}
KUMO_NUM_INLINE float f32_max(float a, float b) {
  if (__builtin_expect(is_nan(a) || is_nan(b), 0)) return a + b;
  if (a == b) return f32_from_bits(bits(a) & bits(b));
  return a > b ? a : b;
}
KUMO_NUM_INLINE double f64_min(double a, double b) {
  if (__builtin_expect(is_nan(a) || is_nan(b), 0)) return a + b;
  if (a == b) return f64_from_bits(bits(a) | bits(b));
  return a < b ? a : b;
}
KUMO_NUM_INLINE double f64_max(double a, double b) {
  if (__builtin_expect(is_nan(a) || is_nan(b), 0)) return a + b;
  if (a == b) return f64_from_bits(bits(a) & bits(b));
  return a > b ? a : b;
}

// Rounding to integral values. Without SSE4.1 (roundss) GCC would call libm, so these are done
// inline: values with |x| >= 2^23 (2^52 for f64) are already integral (or inf) and returned
// as is, NaN is quieted by x + x, and everything else fits in an int32/int64 whose hardware
// truncation is exact. The sign is copied back so that e.g. trunc(-0.5) and ceil(-0.5) give -0.
template <class F>
KUMO_NUM_INLINE F not_small(F a) {
  return is_nan(a) ? a + a : a;
}
KUMO_NUM_INLINE float f32_trunc(float a) {
  if (__builtin_expect(!(f32_abs(a) < 8388608.0f), 0)) return not_small(a);
  return f32_copysign(float(int32_t(a)), a);
}
KUMO_NUM_INLINE float f32_ceil(float a) {
  if (__builtin_expect(!(f32_abs(a) < 8388608.0f), 0)) return not_small(a);
  float t = f32_copysign(float(int32_t(a)), a);
  return t < a ? t + 1.0f : t;  // t + 1 only happens for a > 0, so no sign fix-up is needed
}
KUMO_NUM_INLINE float f32_floor(float a) {
  if (__builtin_expect(!(f32_abs(a) < 8388608.0f), 0)) return not_small(a);
  float t = f32_copysign(float(int32_t(a)), a);
  return t > a ? t - 1.0f : t;
}
// Round half to even: adding and subtracting 2^23 rounds away the fraction in the current
// (nearest-even) rounding mode. Done on |a| then the sign is restored, so nearest(-0.4) = -0.
KUMO_NUM_INLINE float f32_nearest(float a) {
  float m = f32_abs(a);
  if (__builtin_expect(!(m < 8388608.0f), 0)) return not_small(a);
  // Safe because GCC does not reassociate float math without -ffast-math.
  float r = (m + 8388608.0f) - 8388608.0f;
  return f32_copysign(r, a);
}
KUMO_NUM_INLINE double f64_trunc(double a) {
  if (__builtin_expect(!(f64_abs(a) < 4503599627370496.0), 0)) return not_small(a);
  return f64_copysign(double(int64_t(a)), a);
}
KUMO_NUM_INLINE double f64_ceil(double a) {
  if (__builtin_expect(!(f64_abs(a) < 4503599627370496.0), 0)) return not_small(a);
  double t = f64_copysign(double(int64_t(a)), a);
  return t < a ? t + 1.0 : t;
}
KUMO_NUM_INLINE double f64_floor(double a) {
  if (__builtin_expect(!(f64_abs(a) < 4503599627370496.0), 0)) return not_small(a);
  double t = f64_copysign(double(int64_t(a)), a);
  return t > a ? t - 1.0 : t;
}
KUMO_NUM_INLINE double f64_nearest(double a) {
  double m = f64_abs(a);
  if (__builtin_expect(!(m < 4503599627370496.0), 0)) return not_small(a);
  double r = (m + 4503599627370496.0) - 4503599627370496.0;
  return f64_copysign(r, a);
}

// ---------------------------------------------------------------------------------------------
// Float -> integer truncation (trapping). The bounds are exact powers of two, representable in
// both float and double, so each check is one or two comparisons. NaN fails every comparison and
// is sorted out only on the failure path.
//   signed N-bit:   -2^(N-1) <= x < 2^(N-1)  (for f64 -> i32 the lower bound is x > -2^31 - 1,
//                   since e.g. -2147483648.9 truncates to INT32_MIN)
//   unsigned N-bit: -1 < x < 2^N             (-0.9 truncates to 0)

// C is the C++ type the value is truncated to (signed for _s), R the wasm result type.
template <class R, class C, class F>
KUMO_NUM_INLINE TrapOr<R> trunc_checked(F x, bool in_range) {
  if (__builtin_expect(in_range, 1)) return trap_ok(R(C(x)));
  return trap_err<R>(is_nan(x) ? TrapCode::InvalidConversionToInteger : TrapCode::IntegerOverflow);
}

KUMO_NUM_INLINE TrapOr<uint32_t> i32_trunc_f32_s(float x) {
  return trunc_checked<uint32_t, int32_t>(x, x >= -0x1p31f && x < 0x1p31f);
}
KUMO_NUM_INLINE TrapOr<uint32_t> i32_trunc_f32_u(float x) {
  return trunc_checked<uint32_t, uint32_t>(x, x > -1.0f && x < 0x1p32f);
}
KUMO_NUM_INLINE TrapOr<uint32_t> i32_trunc_f64_s(double x) {
  return trunc_checked<uint32_t, int32_t>(x, x > -0x1p31 - 1.0 && x < 0x1p31);
}
KUMO_NUM_INLINE TrapOr<uint32_t> i32_trunc_f64_u(double x) {
  return trunc_checked<uint32_t, uint32_t>(x, x > -1.0 && x < 0x1p32);
}
KUMO_NUM_INLINE TrapOr<uint64_t> i64_trunc_f32_s(float x) {
  return trunc_checked<uint64_t, int64_t>(x, x >= -0x1p63f && x < 0x1p63f);
}
KUMO_NUM_INLINE TrapOr<uint64_t> i64_trunc_f32_u(float x) {
  return trunc_checked<uint64_t, uint64_t>(x, x > -1.0f && x < 0x1p64f);
}
KUMO_NUM_INLINE TrapOr<uint64_t> i64_trunc_f64_s(double x) {
  return trunc_checked<uint64_t, int64_t>(x, x >= -0x1p63 && x < 0x1p63);
}
KUMO_NUM_INLINE TrapOr<uint64_t> i64_trunc_f64_u(double x) {
  return trunc_checked<uint64_t, uint64_t>(x, x > -1.0 && x < 0x1p64);
}

// Saturating truncation (0xFC 0..7): NaN -> 0, out of range -> the nearest bound.
template <class R, class C, class F>
KUMO_NUM_INLINE R trunc_sat(F x, F lo_excl, F hi_excl) {
  // lo_excl / hi_excl are the first values outside the range (exact powers of two or -2^k-1).
  if (__builtin_expect(x > lo_excl && x < hi_excl, 1)) return R(C(x));
  if (is_nan(x)) return 0;
  return x < 0 ? R(std::numeric_limits<C>::min()) : R(std::numeric_limits<C>::max());
}
KUMO_NUM_INLINE uint32_t i32_trunc_sat_f32_s(float x) {
  // -2^31 itself is in range (the lower bound is inclusive for float sources).
  if (__builtin_expect(x >= -0x1p31f && x < 0x1p31f, 1)) return uint32_t(int32_t(x));
  if (is_nan(x)) return 0;
  return x < 0 ? 0x80000000u : 0x7fffffffu;
}
KUMO_NUM_INLINE uint32_t i32_trunc_sat_f32_u(float x) {
  return trunc_sat<uint32_t, uint32_t, float>(x, -1.0f, 0x1p32f);
}
KUMO_NUM_INLINE uint32_t i32_trunc_sat_f64_s(double x) {
  return trunc_sat<uint32_t, int32_t, double>(x, -0x1p31 - 1.0, 0x1p31);
}
KUMO_NUM_INLINE uint32_t i32_trunc_sat_f64_u(double x) {
  return trunc_sat<uint32_t, uint32_t, double>(x, -1.0, 0x1p32);
}
KUMO_NUM_INLINE uint64_t i64_trunc_sat_f32_s(float x) {
  if (__builtin_expect(x >= -0x1p63f && x < 0x1p63f, 1)) return uint64_t(int64_t(x));
  if (is_nan(x)) return 0;
  return x < 0 ? 0x8000000000000000ull : 0x7fffffffffffffffull;
}
KUMO_NUM_INLINE uint64_t i64_trunc_sat_f32_u(float x) {
  return trunc_sat<uint64_t, uint64_t, float>(x, -1.0f, 0x1p64f);
}
KUMO_NUM_INLINE uint64_t i64_trunc_sat_f64_s(double x) {
  if (__builtin_expect(x >= -0x1p63 && x < 0x1p63, 1)) return uint64_t(int64_t(x));
  if (is_nan(x)) return 0;
  return x < 0 ? 0x8000000000000000ull : 0x7fffffffffffffffull;
}
KUMO_NUM_INLINE uint64_t i64_trunc_sat_f64_u(double x) {
  return trunc_sat<uint64_t, uint64_t, double>(x, -1.0, 0x1p64);
}

// ---------------------------------------------------------------------------------------------
// Integer -> float conversion. Each C++ conversion below is a single correctly rounded
// (nearest-even) operation: cvtsi2ss/sd for signed 64-bit sources, and for u64 sources GCC emits
// the halve-with-sticky-bit sequence ((x >> 1) | (x & 1), convert, double), which is exact
// because the sticky bit keeps ties from being mis-rounded. Never go through double for
// u64/i64 -> f32: that rounds twice.

KUMO_NUM_INLINE float f32_convert_i32_s(uint32_t a) { return float(int32_t(a)); }
KUMO_NUM_INLINE float f32_convert_i32_u(uint32_t a) { return float(int64_t(a)); }
KUMO_NUM_INLINE float f32_convert_i64_s(uint64_t a) { return float(int64_t(a)); }
KUMO_NUM_INLINE float f32_convert_i64_u(uint64_t a) { return float(a); }
KUMO_NUM_INLINE double f64_convert_i32_s(uint32_t a) { return double(int32_t(a)); }
KUMO_NUM_INLINE double f64_convert_i32_u(uint32_t a) { return double(a); }  // exact
KUMO_NUM_INLINE double f64_convert_i64_s(uint64_t a) { return double(int64_t(a)); }
KUMO_NUM_INLINE double f64_convert_i64_u(uint64_t a) { return double(a); }

// cvtsd2ss / cvtss2sd: correctly rounded, and NaNs come out quiet with the payload's top bits
// kept (a canonical NaN stays canonical).
KUMO_NUM_INLINE float f32_demote_f64(double a) { return float(a); }
KUMO_NUM_INLINE double f64_promote_f32(float a) { return double(a); }

KUMO_NUM_INLINE constexpr uint32_t i32_reinterpret_f32(float a) { return bits(a); }
KUMO_NUM_INLINE constexpr uint64_t i64_reinterpret_f64(double a) { return bits(a); }
KUMO_NUM_INLINE constexpr float f32_reinterpret_i32(uint32_t a) { return f32_from_bits(a); }
KUMO_NUM_INLINE constexpr double f64_reinterpret_i64(uint64_t a) { return f64_from_bits(a); }

}  // namespace kumo::wasm::num
