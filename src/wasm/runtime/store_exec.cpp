// The Store members that need the interpreter's ExecState to be a complete type.
//
// The interpreter defines interp::ExecState in wasm/interp/exec_state.hpp. Until that header
// exists these definitions are left out, so a link fails loudly instead of pairing the Store with
// a placeholder ExecState (an ODR violation nobody would notice).
#include "wasm/runtime/store.hpp"

#if __has_include("wasm/interp/exec_state.hpp")
#include <type_traits>

#include "wasm/interp/exec_state.hpp"

namespace kumo::wasm {

// (The constructor too: it must be able to destroy the members if it throws.)
Store::Store(Engine& engine, void* user_data) : engine_(engine), user_data_(user_data) {}

// Members are destroyed in reverse order: the interpreter's stacks first, then instances, then
// memories (unregistering their guard regions) and the other objects.
Store::~Store() = default;

interp::ExecState& Store::exec() {
  if (!exec_) {
    if constexpr (std::is_constructible_v<interp::ExecState, Store&>) {
      exec_ = std::make_unique<interp::ExecState>(*this);
    } else {
      exec_ = std::make_unique<interp::ExecState>();
    }
  }
  return *exec_;
}

}  // namespace kumo::wasm
#endif
