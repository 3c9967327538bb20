// The `spectest` host module that the spec test scripts import from.
#pragma once

#include "wasm/common/expected.hpp"
#include "wasm/runtime/store.hpp"

namespace kumo::cli {

// Defines spectest's items in `linker`, creating them in `store`. The values follow the reference
// interpreter (interpreter/host/spectest.ml): print functions that do nothing visible,
// global_i32/global_i64 = 666, global_f32/global_f64 = 666.6, table = 10..20 funcref,
// table64 = the same with i64 addresses, memory = 1..2 pages, shared_memory = 1..2 shared pages.
Expected<void> define_spectest(wasm::Linker& linker, wasm::Store& store);

}  // namespace kumo::cli
