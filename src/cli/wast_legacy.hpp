// Rules of older spec versions that the wasm 1.0 suite still asserts but Kumo (a wasm 3.0
// engine) deliberately does not follow, emulated by the test runner only.
#pragma once

#include <optional>
#include <string>

#include "wasm/module.hpp"
#include "wasm/runtime/store.hpp"

namespace kumo::cli {

// wasm 1.0 instantiation checked every active segment against its table or memory before
// changing anything, so a module with one out-of-bounds segment left no trace. Since 2.0,
// segments are applied in order and the ones before the failing segment stay applied. The
// wasm-1.0 suite (linking.wast) observes the difference, so for that suite the runner checks the
// bounds the 1.0 way first and does not instantiate a module that fails them.
//
// Returns the 1.0 error ("elements segment does not fit", "data segment does not fit") or
// nullopt when every segment fits or the check cannot tell (missing import, unusual offset
// expression: the engine's own instantiation then decides).
std::optional<std::string> wasm1_segments_do_not_fit(const wasm::Module& m, const wasm::Linker& linker);

}  // namespace kumo::cli
