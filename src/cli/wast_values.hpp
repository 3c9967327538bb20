// Values of the spec-test JSON format (wabt's wast2json): arguments to build, expected results
// to match (NaN patterns, v128 lanes, references) and readable renderings for failure messages.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "wasm/common/expected.hpp"
#include "wasm/runtime/objects.hpp"
#include "wasm/types.hpp"

namespace kumo::cli {

// Host references (`ref.extern N`, `ref.host N`). Each N maps to its own heap cell, so the Ref is
// a distinct, stable, non-null and 8-byte aligned pointer: it can never be mistaken for null,
// and a tagged-pointer encoding (i31ref) cannot collide with it.
class HostRefs {
 public:
  wasm::Ref get(uint64_t n);
  std::optional<uint64_t> find(wasm::Ref r) const;

 private:
  std::deque<uint64_t> cells_;
  std::unordered_map<uint64_t, wasm::Ref> by_n_;
  std::unordered_map<wasm::Ref, uint64_t> by_ref_;
};

// NaN classes of the spec: canonical = only the quiet bit set in the payload (either sign);
// arithmetic = the quiet bit set, any other payload.
constexpr bool is_canonical_nan32(uint32_t b) { return (b & 0x7fffffffu) == 0x7fc00000u; }
constexpr bool is_arithmetic_nan32(uint32_t b) { return (b & 0x7fc00000u) == 0x7fc00000u; }
constexpr bool is_canonical_nan64(uint64_t b) {
  return (b & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
}
constexpr bool is_arithmetic_nan64(uint64_t b) {
  return (b & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
}

// Shape of a v128 when written as lanes.
enum class LaneType : uint8_t { I8, I16, I32, I64, F32, F64 };
unsigned lane_count(LaneType t);
Expected<LaneType> parse_lane_type(std::string_view s);
const char* to_string(LaneType t);

// Integer text as written by wast2json: unsigned decimal, but also accepts a leading '-' (two's
// complement) and 0x hex. Fails when the number does not fit in `bits` bits.
Expected<uint64_t> parse_int_bits(std::string_view s, unsigned bits);

// The reference type named by a JSON type ("externref", "funcref", "anyref", "nullref", ...).
std::optional<wasm::ValType> ref_type_from_name(std::string_view name);

// Builds an argument value. `declared` is the parameter type of the function being called: a
// reference argument takes it (so (ref null $t) parameters accept `null`), and a numeric
// argument whose JSON type disagrees with it is an error.
Expected<wasm::Value> parse_arg(const nlohmann::json& j, HostRefs& refs,
                                const wasm::ValType* declared = nullptr);

// One expected result.
struct ExpectedValue {
  enum class Kind : uint8_t {
    Num,       // i32/i64/f32/f64: `lanes` holds one pattern
    Vec,       // v128: `lanes` holds lane_count(lane) patterns
    RefNull,   // a null reference (of any type)
    RefHost,   // ref.extern N / ref.host N: the host reference `host`
    RefAny,    // any non-null reference (ref.func, (ref.array), (ref.struct), ... without a value)
  };
  struct Pattern {
    enum class Kind : uint8_t { Bits, CanonicalNan, ArithmeticNan } kind = Kind::Bits;
    uint64_t bits = 0;
  };
  Kind kind = Kind::Num;
  std::string type;  // the JSON type name: "i32", "v128", "externref", "funcref", "ref", ...
  wasm::ValType::Kind num = wasm::ValType::I32;  // Num: the value type
  LaneType lane = LaneType::I32;                 // Vec: the lane shape
  std::vector<Pattern> lanes;
  uint64_t host = 0;
};

Expected<ExpectedValue> parse_expected(const nlohmann::json& j);
bool matches(const ExpectedValue& e, const wasm::Value& v, const HostRefs& refs);
std::string to_string(const ExpectedValue& e);

// A result rendered for humans: "i32:42", "f32:nan:0x7fc00000", "v128 i32x4:1 2 3 4",
// "ref.extern 3", "ref.null", "ref.func". v128 values use `lane` as their shape.
std::string format_value(const wasm::Value& v, const HostRefs& refs, LaneType lane = LaneType::I32);
std::string format_values(const std::vector<wasm::Value>& vs, const HostRefs& refs);

}  // namespace kumo::cli
