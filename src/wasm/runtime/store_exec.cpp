// The Store members that need the interpreter's ExecState to be a complete type.
//
// The interpreter defines interp::ExecState in wasm/interp/exec_state.hpp. Until that header
// exists these definitions are left out, so a link fails loudly instead of pairing the Store with
// a placeholder ExecState (an ODR violation nobody would notice).
#include "wasm/runtime/store.hpp"

#if __has_include("wasm/interp/exec_state.hpp")

#include "wasm/interp/exec_state.hpp"

namespace kumo::wasm {

// (The constructor too: it must be able to destroy the members if it throws.)
Store::Store(Engine& engine, void* user_data) : engine_(engine), user_data_(user_data) {}

// Members are destroyed in reverse order: the interpreter's stacks first (back to the Engine's
// pool), then instances, then memories (unregistering their guard regions) and the other objects.
Store::~Store() {
  if (exec_) engine_.return_exec_state(std::move(exec_));
}

interp::ExecState& Store::exec() {
  if (!exec_) {
    exec_ = engine_.take_exec_state();
    exec_->store = this;
  }
  return *exec_;
}

void ExecStateDeleter::operator()(interp::ExecState* s) const { delete s; }

namespace {
constexpr size_t kMaxPooledExecStates = 64;
}

ExecStatePtr Engine::take_exec_state() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!exec_pool_.empty()) {
      ExecStatePtr s = std::move(exec_pool_.back());
      exec_pool_.pop_back();
      return s;
    }
  }
  return ExecStatePtr(new interp::ExecState(config_));
}

void Engine::return_exec_state(ExecStatePtr s) {
  // Only an idle state is reusable (a Store destroyed from inside a host call is not).
  if (!s || s->depth != 0 || s->frame_top != s->frames_begin) return;
  s->store = nullptr;
  s->stack_top = s->stack_begin;
  s->cur_frame = nullptr;
  s->trap_ip = nullptr;
  s->trap_message = nullptr;
  s->host_trap = Trap{};
  s->pending_exception.reset();
  s->exceptions.clear();
  s->entry_frame = nullptr;
  s->mem0 = nullptr;
  s->variant = 0;
  s->reset_jit_env();
  std::lock_guard lock(pool_mutex_);
  if (exec_pool_.size() < kMaxPooledExecStates) exec_pool_.push_back(std::move(s));
}

}  // namespace kumo::wasm
#endif
