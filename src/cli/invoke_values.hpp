// Values written on the command line for `kumo run --invoke NAME ARGS...`, and the printing of
// results. Unlike the spec-test JSON (raw bit patterns), these are what a person types.
#pragma once

#include <string>
#include <string_view>

#include "wasm/common/expected.hpp"
#include "wasm/runtime/objects.hpp"
#include "wasm/types.hpp"

namespace kumo::cli {

// i32/i64: decimal (signed or unsigned range) or 0x hex; f32/f64: decimal, hex float, inf, nan,
// or nan:0xPAYLOAD (optionally signed); v128: 0x followed by 32 hex digits (byte 15 first);
// references: only "null".
Expected<wasm::Value> parse_cli_value(std::string_view text, wasm::ValType type);

// i32/i64 as signed decimal, floats in the shortest form that reads back exactly
// (nan and nan:0x... for NaNs), v128 as 0x + 32 hex digits, references as "null" or "ref".
std::string format_cli_value(const wasm::Value& v);

}  // namespace kumo::cli
