// The host side of the component-model spec tests: the items wasmtime's wast runner defines for
// its component tests (`link_component_spectest` in wasmtime's crates/wast), so that scripts
// importing `host` (return-three, resources resource1 / resource2 / resource1-again, ...) or
// `host-return-two` link the same way under `kumo wast`.
#pragma once

#include <memory>

#include "component/runtime/linker.hpp"
#include "wasm/common/expected.hpp"

namespace kumo::cli {

// Host state observable by the tests (resource1's destructor calls).
struct ComponentSpectestState {
  uint32_t drops = 0;
  uint32_t last_drop = uint32_t(-1);
};

// Defines the host items in `linker`. Host resource types are created in `store`, which must
// outlive every instance linked with `linker` (it is the script's host store).
Expected<std::shared_ptr<ComponentSpectestState>> define_component_spectest(
    component::rt::Linker& linker, component::rt::Store& store);

}  // namespace kumo::cli
