// The parameter shapes of every WASI 0.2 host function (signatures.cpp, generated from the WIT by
// signatures.py). Host functions receive their parameters as the importer declares them, so a
// component declaring an import with another signature would hand them unexpected values: the
// host checks the arity and each parameter's kind before running a function (cheap: a few byte
// compares), and the lowering of results already checks them against the importer's type.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "component/runtime/val.hpp"

namespace kumo::wasi::p2 {

struct Signature {
  std::string_view interface;  // unversioned: "wasi:io/streams"
  std::string_view function;   // "[method]output-stream.write"
  // One letter per parameter: b bool, 8/6/3/4 u8/u16/u32/u64, s string, l list,
  // r record/tuple, v variant/enum/option/result, f flags, o own, w borrow.
  std::string_view kinds;
};

const std::vector<Signature>& wasi_signatures();

// Whether `params` have the shape `kinds` describes.
bool params_match(std::string_view kinds, std::span<const component::Val> params);

}  // namespace kumo::wasi::p2
