#include "cli/wast_values.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <bit>
#include <charconv>
#include <cstring>

namespace kumo::cli {

using nlohmann::json;
using wasm::Value;
using wasm::ValType;

// ---------------------------------------------------------------------------------------------
// Host references

wasm::Ref HostRefs::get(uint64_t n) {
  if (auto it = by_n_.find(n); it != by_n_.end()) return it->second;
  // A deque never moves its elements, so the cell's address is a stable identity for N.
  wasm::Ref r = &cells_.emplace_back(n);
  by_n_.emplace(n, r);
  by_ref_.emplace(r, n);
  return r;
}

std::optional<uint64_t> HostRefs::find(wasm::Ref r) const {
  auto it = by_ref_.find(r);
  if (it == by_ref_.end()) return std::nullopt;
  return it->second;
}

// ---------------------------------------------------------------------------------------------
// Lanes and numbers

unsigned lane_count(LaneType t) {
  switch (t) {
    case LaneType::I8: return 16;
    case LaneType::I16: return 8;
    case LaneType::I32: case LaneType::F32: return 4;
    case LaneType::I64: case LaneType::F64: return 2;
  }
  return 0;
}

static unsigned lane_bytes(LaneType t) { return 16 / lane_count(t); }

Expected<LaneType> parse_lane_type(std::string_view s) {
  if (s == "i8") return LaneType::I8;
  if (s == "i16") return LaneType::I16;
  if (s == "i32") return LaneType::I32;
  if (s == "i64") return LaneType::I64;
  if (s == "f32") return LaneType::F32;
  if (s == "f64") return LaneType::F64;
  return err("unknown lane type \"{}\"", s);
}

const char* to_string(LaneType t) {
  switch (t) {
    case LaneType::I8: return "i8x16";
    case LaneType::I16: return "i16x8";
    case LaneType::I32: return "i32x4";
    case LaneType::I64: return "i64x2";
    case LaneType::F32: return "f32x4";
    case LaneType::F64: return "f64x2";
  }
  return "?";
}

Expected<uint64_t> parse_int_bits(std::string_view s, unsigned bits) {
  std::string_view digits = s;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  int base = 10;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    base = 16;
    digits.remove_prefix(2);
  }
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size())
    return err("invalid integer \"{}\"", s);
  const uint64_t mask = bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
  if (negative) {
    // Accept down to -2^(bits-1); anything else does not fit.
    if (v > (mask >> 1) + 1) return err("integer \"{}\" does not fit in {} bits", s, bits);
    return (~v + 1) & mask;
  }
  if (v > mask) return err("integer \"{}\" does not fit in {} bits", s, bits);
  return v;
}

static std::array<uint8_t, 16> v128_bytes(const wasm::V128& v) {
  std::array<uint8_t, 16> b;
  std::memcpy(b.data(), &v.lo, 8);
  std::memcpy(b.data() + 8, &v.hi, 8);
  return b;
}

static uint64_t get_lane(const wasm::V128& v, LaneType t, unsigned i) {
  auto b = v128_bytes(v);
  uint64_t x = 0;
  std::memcpy(&x, b.data() + i * lane_bytes(t), lane_bytes(t));  // little-endian host
  return x;
}

static void set_lane(wasm::V128& v, LaneType t, unsigned i, uint64_t x) {
  auto b = v128_bytes(v);
  std::memcpy(b.data() + i * lane_bytes(t), &x, lane_bytes(t));
  std::memcpy(&v.lo, b.data(), 8);
  std::memcpy(&v.hi, b.data() + 8, 8);
}

static unsigned lane_bits(LaneType t) { return lane_bytes(t) * 8; }

// ---------------------------------------------------------------------------------------------
// Reference type names

std::optional<ValType> ref_type_from_name(std::string_view n) {
  using wasm::HeapType;
  auto nullable = [](HeapType::Abstract h) { return ValType::ref(true, HeapType{h}); };
  if (n == "funcref") return nullable(HeapType::Func);
  if (n == "externref") return nullable(HeapType::Extern);
  if (n == "anyref") return nullable(HeapType::Any);
  if (n == "eqref") return nullable(HeapType::Eq);
  if (n == "i31ref") return nullable(HeapType::I31);
  if (n == "structref") return nullable(HeapType::Struct);
  if (n == "arrayref") return nullable(HeapType::Array);
  if (n == "exnref") return nullable(HeapType::Exn);
  if (n == "nullref") return nullable(HeapType::None);
  if (n == "nullfuncref") return nullable(HeapType::NoFunc);
  if (n == "nullexternref") return nullable(HeapType::NoExtern);
  if (n == "nullexnref") return nullable(HeapType::NoExn);
  // "ref" is wast2json's type for a reference of a concrete or unspecified type.
  if (n == "ref" || n == "hostref") return nullable(HeapType::Any);
  return std::nullopt;
}

// The JSON "value" of an entry as a string ("" when absent; numbers are tolerated).
static std::string value_text(const json& j) {
  auto it = j.find("value");
  if (it == j.end() || it->is_null()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number()) return it->dump();
  return {};
}

static Expected<std::string> type_of(const json& j) {
  if (!j.is_object()) return err("value is not an object: {}", j.dump());
  auto it = j.find("type");
  if (it == j.end() || !it->is_string()) return err("value without a \"type\": {}", j.dump());
  return it->get<std::string>();
}

static Expected<wasm::V128> parse_lanes(const json& j, LaneType lane) {
  auto it = j.find("value");
  if (it == j.end() || !it->is_array()) return err("v128 value without lanes: {}", j.dump());
  if (it->size() != lane_count(lane))
    return err("v128 {} needs {} lanes, got {}", to_string(lane), lane_count(lane), it->size());
  wasm::V128 v;
  for (unsigned i = 0; i < lane_count(lane); ++i) {
    const json& l = (*it)[i];
    if (!l.is_string()) return err("v128 lane is not a string: {}", l.dump());
    KUMO_TRY(uint64_t bits, parse_int_bits(l.get<std::string>(), lane_bits(lane)));
    set_lane(v, lane, i, bits);
  }
  return v;
}

static Expected<LaneType> lane_of(const json& j) {
  auto it = j.find("lane_type");
  if (it == j.end() || !it->is_string()) return err("v128 value without \"lane_type\": {}", j.dump());
  return parse_lane_type(it->get<std::string>());
}

// ---------------------------------------------------------------------------------------------
// Arguments

Expected<Value> parse_arg(const json& j, HostRefs& refs, const ValType* declared) {
  KUMO_TRY(std::string type, type_of(j));
  std::optional<ValType::Kind> num;
  if (type == "i32") num = ValType::I32;
  else if (type == "i64") num = ValType::I64;
  else if (type == "f32") num = ValType::F32;
  else if (type == "f64") num = ValType::F64;
  else if (type == "v128") num = ValType::V128;

  if (num) {
    if (declared && declared->kind() != *num)
      return err("argument of type {} for a parameter of type {}", type, wasm::to_string(*declared));
    std::string text = value_text(j);
    switch (*num) {
      case ValType::I32: case ValType::F32: {
        KUMO_TRY(uint64_t b, parse_int_bits(text, 32));
        return *num == ValType::I32 ? Value::from_i32(uint32_t(b)) : Value::from_f32_bits(uint32_t(b));
      }
      case ValType::I64: case ValType::F64: {
        KUMO_TRY(uint64_t b, parse_int_bits(text, 64));
        return *num == ValType::I64 ? Value::from_i64(b) : Value::from_f64_bits(b);
      }
      default: {
        KUMO_TRY(LaneType lane, lane_of(j));
        KUMO_TRY(wasm::V128 v, parse_lanes(j, lane));
        return Value::from_v128(v);
      }
    }
  }

  auto rt = ref_type_from_name(type);
  if (!rt) return err("unsupported argument type \"{}\"", type);
  if (declared && !declared->is_ref())
    return err("argument of type {} for a parameter of type {}", type, wasm::to_string(*declared));
  ValType t = declared ? *declared : *rt;
  std::string text = value_text(j);
  if (text == "null") return Value::from_ref(t, nullptr);
  if (type == "funcref" || text.empty())
    return err("unsupported {} argument \"{}\" (only null and host references)", type, text);
  KUMO_TRY(uint64_t n, parse_int_bits(text, 64));
  return Value::from_ref(t, refs.get(n));
}

// ---------------------------------------------------------------------------------------------
// Expected results

static Expected<ExpectedValue::Pattern> parse_pattern(std::string_view text, unsigned bits,
                                                      bool is_float) {
  using P = ExpectedValue::Pattern;
  if (is_float && text == "nan:canonical") return P{P::Kind::CanonicalNan, 0};
  if (is_float && text == "nan:arithmetic") return P{P::Kind::ArithmeticNan, 0};
  KUMO_TRY(uint64_t b, parse_int_bits(text, bits));
  return P{P::Kind::Bits, b};
}

Expected<ExpectedValue> parse_expected(const json& j) {
  KUMO_TRY(std::string type, type_of(j));
  ExpectedValue e;
  e.type = type;
  if (type == "i32" || type == "i64" || type == "f32" || type == "f64") {
    e.kind = ExpectedValue::Kind::Num;
    e.num = type == "i32" ? ValType::I32 : type == "i64" ? ValType::I64
          : type == "f32" ? ValType::F32 : ValType::F64;
    unsigned bits = (type == "i32" || type == "f32") ? 32 : 64;
    if (!j.contains("value")) return err("expected {} without a value", type);
    KUMO_TRY(auto p, parse_pattern(value_text(j), bits, type[0] == 'f'));
    e.lanes.push_back(p);
    return e;
  }
  if (type == "v128") {
    e.kind = ExpectedValue::Kind::Vec;
    KUMO_TRY(e.lane, lane_of(j));
    auto it = j.find("value");
    if (it == j.end() || !it->is_array() || it->size() != lane_count(e.lane))
      return err("expected v128 {} needs {} lanes: {}", to_string(e.lane), lane_count(e.lane), j.dump());
    bool is_float = e.lane == LaneType::F32 || e.lane == LaneType::F64;
    for (const json& l : *it) {
      if (!l.is_string()) return err("v128 lane is not a string: {}", l.dump());
      KUMO_TRY(auto p, parse_pattern(l.get<std::string>(), lane_bits(e.lane), is_float));
      e.lanes.push_back(p);
    }
    return e;
  }
  if (!ref_type_from_name(type)) return err("unsupported result type \"{}\"", type);
  std::string text = value_text(j);
  if (text == "null") {
    e.kind = ExpectedValue::Kind::RefNull;
  } else if (text.empty()) {
    e.kind = ExpectedValue::Kind::RefAny;  // e.g. (ref.func), (ref.array): any non-null reference
  } else {
    e.kind = ExpectedValue::Kind::RefHost;
    KUMO_TRY(e.host, parse_int_bits(text, 64));
  }
  return e;
}

static bool pattern_matches(const ExpectedValue::Pattern& p, uint64_t bits, unsigned width) {
  using K = ExpectedValue::Pattern::Kind;
  switch (p.kind) {
    case K::Bits: return p.bits == bits;
    case K::CanonicalNan:
      return width == 32 ? is_canonical_nan32(uint32_t(bits)) : is_canonical_nan64(bits);
    case K::ArithmeticNan:
      return width == 32 ? is_arithmetic_nan32(uint32_t(bits)) : is_arithmetic_nan64(bits);
  }
  return false;
}

bool matches(const ExpectedValue& e, const Value& v, const HostRefs& refs) {
  using K = ExpectedValue::Kind;
  switch (e.kind) {
    case K::Num: {
      if (v.type.kind() != e.num || e.lanes.size() != 1) return false;
      switch (e.num) {
        case ValType::I32: case ValType::F32: return pattern_matches(e.lanes[0], v.i32, 32);
        default: return pattern_matches(e.lanes[0], v.i64, 64);
      }
    }
    case K::Vec: {
      if (v.type.kind() != ValType::V128 || e.lanes.size() != lane_count(e.lane)) return false;
      for (unsigned i = 0; i < e.lanes.size(); ++i)
        if (!pattern_matches(e.lanes[i], get_lane(v.v128, e.lane, i), lane_bits(e.lane))) return false;
      return true;
    }
    case K::RefNull: return v.type.is_ref() && v.ref == nullptr;
    case K::RefHost: {
      if (!v.type.is_ref() || v.ref == nullptr) return false;
      auto n = refs.find(v.ref);
      return n && *n == e.host;
    }
    case K::RefAny:
      if (!v.type.is_ref() || v.ref == nullptr) return false;
      // A host reference is never a function reference.
      return e.type != "funcref" || !refs.find(v.ref);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Rendering

static std::string format_int(uint64_t bits, unsigned width) {
  uint64_t sign = uint64_t(1) << (width - 1);
  if (bits & sign) {
    int64_t s = width == 64 ? int64_t(bits) : int64_t(bits | ~((sign << 1) - 1));
    return fmt::format("{} ({})", bits, s);
  }
  return fmt::format("{}", bits);
}

static std::string format_float(uint64_t bits, unsigned width) {
  if (width == 32) {
    float f = std::bit_cast<float>(uint32_t(bits));
    if (f != f) return fmt::format("nan:0x{:08x}", bits);
    return fmt::format("{} (0x{:08x})", f, bits);
  }
  double d = std::bit_cast<double>(bits);
  if (d != d) return fmt::format("nan:0x{:016x}", bits);
  return fmt::format("{} (0x{:016x})", d, bits);
}

static std::string format_lane(uint64_t bits, LaneType t) {
  switch (t) {
    case LaneType::F32: return format_float(bits, 32);
    case LaneType::F64: return format_float(bits, 64);
    default: return fmt::format("{}", bits);
  }
}

std::string format_value(const Value& v, const HostRefs& refs, LaneType lane) {
  switch (v.type.kind()) {
    case ValType::I32: return "i32:" + format_int(v.i32, 32);
    case ValType::I64: return "i64:" + format_int(v.i64, 64);
    case ValType::F32: return "f32:" + format_float(v.f32, 32);
    case ValType::F64: return "f64:" + format_float(v.f64, 64);
    case ValType::V128: {
      std::string s = fmt::format("v128 {}:", to_string(lane));
      for (unsigned i = 0; i < lane_count(lane); ++i)
        s += (i ? " " : "") + format_lane(get_lane(v.v128, lane, i), lane);
      return s;
    }
    case ValType::Ref: {
      if (v.ref == nullptr) return "ref.null";
      if (auto n = refs.find(v.ref)) return fmt::format("ref.extern {}", *n);
      return fmt::format("ref {}", wasm::to_string(v.type));
    }
    default: return "?";
  }
}

std::string format_values(const std::vector<Value>& vs, const HostRefs& refs) {
  std::string s = "(";
  for (size_t i = 0; i < vs.size(); ++i) s += (i ? ", " : "") + format_value(vs[i], refs);
  return s + ")";
}

static std::string format_pattern(const ExpectedValue::Pattern& p, unsigned width, bool is_float) {
  using K = ExpectedValue::Pattern::Kind;
  if (p.kind == K::CanonicalNan) return "nan:canonical";
  if (p.kind == K::ArithmeticNan) return "nan:arithmetic";
  return is_float ? format_float(p.bits, width) : format_int(p.bits, width);
}

std::string to_string(const ExpectedValue& e) {
  using K = ExpectedValue::Kind;
  switch (e.kind) {
    case K::Num: {
      unsigned w = (e.num == ValType::I32 || e.num == ValType::F32) ? 32 : 64;
      bool f = e.num == ValType::F32 || e.num == ValType::F64;
      return e.type + ":" + (e.lanes.empty() ? "?" : format_pattern(e.lanes[0], w, f));
    }
    case K::Vec: {
      std::string s = fmt::format("v128 {}:", to_string(e.lane));
      bool f = e.lane == LaneType::F32 || e.lane == LaneType::F64;
      for (size_t i = 0; i < e.lanes.size(); ++i) {
        s += i ? " " : "";
        s += e.lanes[i].kind == ExpectedValue::Pattern::Kind::Bits
                 ? format_lane(e.lanes[i].bits, e.lane)
                 : format_pattern(e.lanes[i], lane_bits(e.lane), f);
      }
      return s;
    }
    case K::RefNull: return "ref.null";
    case K::RefHost: return fmt::format("ref.extern {}", e.host);
    case K::RefAny: return fmt::format("non-null {}", e.type);
  }
  return "?";
}

}  // namespace kumo::cli
