#include "cli/invoke_values.hpp"

#include <fmt/format.h>

#include <bit>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <string>

#include "cli/wast_values.hpp"

namespace kumo::cli {

using wasm::Value;
using wasm::ValType;

namespace {

// Integers: the union of the signed and unsigned ranges, so both -1 and 4294967295 are i32.
Expected<uint64_t> parse_cli_int(std::string_view text, unsigned bits) {
  auto v = parse_int_bits(text, bits);
  if (!v) return err("\"{}\" is not a valid i{}", text, bits);
  return *v;
}

// "nan:0x..." with an optional sign: a NaN with exactly that payload.
template <typename Bits>
Expected<Bits> parse_nan_payload(std::string_view text, unsigned mantissa_bits, Bits exponent_mask) {
  bool negative = text.starts_with('-');
  if (negative || text.starts_with('+')) text.remove_prefix(1);
  if (!text.starts_with("nan:0x")) return err("invalid NaN \"{}\"", text);
  text.remove_prefix(6);
  uint64_t payload = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), payload, 16);
  const uint64_t max = (uint64_t(1) << mantissa_bits) - 1;
  if (ec != std::errc() || end != text.data() + text.size() || payload == 0 || payload > max)
    return err("invalid NaN payload 0x{} (must be 1..0x{:x})", text, max);
  Bits b = exponent_mask | Bits(payload);
  if (negative) b |= Bits(1) << (sizeof(Bits) * 8 - 1);
  return b;
}

template <typename F>
Expected<F> parse_float(std::string_view text) {
  std::string s(text);  // strtod needs a terminated string
  char* end = nullptr;
  errno = 0;
  F v;
  if constexpr (sizeof(F) == 4) v = std::strtof(s.c_str(), &end);
  else v = std::strtod(s.c_str(), &end);
  // Overflow to infinity is an error; underflow to a subnormal or zero is the nearest value.
  if (s.empty() || end != s.c_str() + s.size() || (errno == ERANGE && (v > 1 || v < -1)))
    return err("\"{}\" is not a valid f{}", text, sizeof(F) * 8);
  return v;
}

}  // namespace

Expected<Value> parse_cli_value(std::string_view text, ValType type) {
  switch (type.kind()) {
    case ValType::I32: {
      KUMO_TRY(uint64_t v, parse_cli_int(text, 32));
      return Value::from_i32(uint32_t(v));
    }
    case ValType::I64: {
      KUMO_TRY(uint64_t v, parse_cli_int(text, 64));
      return Value::from_i64(v);
    }
    case ValType::F32: {
      if (text.find("nan:") != std::string_view::npos) {
        KUMO_TRY(uint32_t b, parse_nan_payload<uint32_t>(text, 23, 0x7f800000u));
        return Value::from_f32_bits(b);
      }
      KUMO_TRY(float f, parse_float<float>(text));
      return Value::from_f32(f);
    }
    case ValType::F64: {
      if (text.find("nan:") != std::string_view::npos) {
        KUMO_TRY(uint64_t b, parse_nan_payload<uint64_t>(text, 52, 0x7ff0000000000000ull));
        return Value::from_f64_bits(b);
      }
      KUMO_TRY(double d, parse_float<double>(text));
      return Value::from_f64(d);
    }
    case ValType::V128: {
      std::string_view hex = text;
      if (hex.starts_with("0x") || hex.starts_with("0X")) hex.remove_prefix(2);
      uint64_t hi = 0, lo = 0;
      bool ok = hex.size() == 32;
      if (ok) {
        auto r1 = std::from_chars(hex.data(), hex.data() + 16, hi, 16);
        auto r2 = std::from_chars(hex.data() + 16, hex.data() + 32, lo, 16);
        ok = r1.ec == std::errc() && r1.ptr == hex.data() + 16 && r2.ec == std::errc() &&
             r2.ptr == hex.data() + 32;
      }
      if (!ok) return err("\"{}\" is not a valid v128 (0x followed by 32 hex digits)", text);
      return Value::from_v128(wasm::V128{lo, hi});
    }
    case ValType::Ref:
      if (text == "null") return Value::from_ref(type, nullptr);
      return err("a {} argument can only be null", wasm::to_string(type));
    case ValType::Bottom: break;
  }
  return err("unsupported parameter type {}", wasm::to_string(type));
}

std::string format_cli_value(const Value& v) {
  switch (v.type.kind()) {
    case ValType::I32: return fmt::format("{}", int32_t(v.i32));
    case ValType::I64: return fmt::format("{}", int64_t(v.i64));
    case ValType::F32: {
      float f = v.as_f32();
      if (f != f) {
        uint32_t payload = v.f32 & 0x7fffffu;
        const char* sign = (v.f32 >> 31) ? "-" : "";
        return payload == 0x400000u ? fmt::format("{}nan", sign) : fmt::format("{}nan:{:#x}", sign, payload);
      }
      return fmt::format("{}", f);
    }
    case ValType::F64: {
      double d = v.as_f64();
      if (d != d) {
        uint64_t payload = v.f64 & 0xfffffffffffffull;
        const char* sign = (v.f64 >> 63) ? "-" : "";
        return payload == 0x8000000000000ull ? fmt::format("{}nan", sign)
                                             : fmt::format("{}nan:{:#x}", sign, payload);
      }
      return fmt::format("{}", d);
    }
    case ValType::V128: return fmt::format("0x{:016x}{:016x}", v.v128.hi, v.v128.lo);
    case ValType::Ref: return v.ref ? "ref" : "null";
    case ValType::Bottom: break;
  }
  return "?";
}

}  // namespace kumo::cli
