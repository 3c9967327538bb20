// Component values of the spec-test JSON format (/work/shared/spectest/README.md, "Component
// values in args and expected"): building argument Vals from JSON with the callee's parameter
// types, matching expected JSON against result Vals (floats by NaN class or bits), and rendering
// Vals back into the same JSON form for messages.
//
// The JSON names record fields, variant and enum cases and flags; a Val is positional, so every
// conversion takes the component value type (in the TypeArena of the function being called).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "component/runtime/val.hpp"
#include "component/types.hpp"
#include "wasm/common/expected.hpp"

namespace kumo::cli {

// The JSON "type" name of a value of type `t`: "u32", "string", "list", "record", ... (a
// fixed-length list is a "list"; resources are "own"/"borrow", which the JSON cannot express).
std::string component_type_name(const component::TypeArena& arena, const component::ValType& t);

// Integer text as the README describes it: decimal or 0x hex, optionally negative, `_` allowed.
// Signed kinds sign-extend; a value that does not fit the kind's width is an error.
Expected<component::Val> parse_component_int(std::string_view text, component::PrimValType kind);

// A float as written: decimal, hex float, `inf`, `nan`, `nan:0x<payload>`, with an optional sign.
// Also the NaN classes `nan:canonical` and `nan:arithmetic` (expected values only).
struct FloatPattern {
  enum class Kind : uint8_t { Bits, CanonicalNan, ArithmeticNan } kind = Kind::Bits;
  uint64_t bits = 0;  // Bits: the exact bit pattern (f32 in the low 32 bits)
};
Expected<FloatPattern> parse_component_float(std::string_view text, unsigned bits);
bool float_matches(const FloatPattern& p, uint64_t actual_bits, unsigned bits);

// JSON -> Val for an argument of type `t`. Errors name the path ("field `n`: ...") and say what
// was expected.
Expected<component::Val> component_arg(const nlohmann::json& j, const component::TypeArena& arena,
                                       const component::ValType& t);

// Val -> JSON in the same format (round-trips through component_arg; floats print exactly).
Expected<nlohmann::json> component_to_json(const component::Val& v, const component::TypeArena& arena,
                                           const component::ValType& t);

// Checks a result against the expected JSON; the error says where and how they differ.
// Plain `nan` (any sign) and `nan:canonical` accept a canonical NaN, `nan:arithmetic` any quiet
// NaN, `nan:0x...` and numbers exactly those bits.
Expected<void> match_component(const nlohmann::json& expected, const component::Val& actual,
                               const component::TypeArena& arena, const component::ValType& t);

// A result rendered for a message: its JSON, or to_string(v) when it has no JSON form.
std::string format_component(const component::Val& v, const component::TypeArena& arena,
                             const component::ValType& t);

}  // namespace kumo::cli
