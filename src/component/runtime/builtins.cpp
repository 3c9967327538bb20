// The canonical built-ins a synchronous runtime can give meaning to, and traps for the rest.
#include "component/runtime/builtins.hpp"

#include <vector>

#include <fmt/format.h>

#include "component/abi/layout.hpp"

namespace kumo::component::rt {

namespace {

constexpr size_t kContextSlots = 2;  // definitions.py Thread.CONTEXT_LENGTH

struct TaskContext {
  uint64_t slots[kContextSlots] = {0, 0};
  AsyncTask* task = nullptr;  // null: a sync task (or no task)
};

// One entry per lifted call in progress on this thread; the bottom entry serves code running
// outside any call (core start functions).
thread_local std::vector<TaskContext> tls_contexts(1);

}  // namespace

TaskContextScope::TaskContextScope(AsyncTask* task) { tls_contexts.emplace_back().task = task; }
TaskContextScope::~TaskContextScope() { tls_contexts.pop_back(); }

wasm::FuncInst* builtin(Store& store, const Canon& c, const wasm::FuncType& type, InstanceState* inst,
                        std::shared_ptr<BuiltinState> state) {
  wasm::HostCallback cb;
  switch (c.kind) {
    case CanonKind::ContextGet: {
      uint32_t slot = c.slot;
      cb = [slot](wasm::Caller&, uint64_t* slots) -> Expected<void, Trap> {
        if (slot >= kContextSlots) return abi_trap(fmt::format("context slot {} out of range", slot));
        slots[0] = tls_contexts.back().slots[slot];
        return {};
      };
      break;
    }
    case CanonKind::ContextSet: {
      uint32_t slot = c.slot;
      bool i32 = c.core_type == wasm::ValType::I32;
      cb = [slot, i32](wasm::Caller&, uint64_t* slots) -> Expected<void, Trap> {
        if (slot >= kContextSlots) return abi_trap(fmt::format("context slot {} out of range", slot));
        tls_contexts.back().slots[slot] = i32 ? slots[0] & 0xffffffffu : slots[0];
        return {};
      };
      break;
    }
    case CanonKind::BackpressureInc:
      cb = [state](wasm::Caller&, uint64_t*) -> Expected<void, Trap> {
        if (++state->backpressure == (1 << 16)) return abi_trap("backpressure counter overflow");
        return {};
      };
      break;
    case CanonKind::BackpressureDec:
      cb = [state](wasm::Caller&, uint64_t*) -> Expected<void, Trap> {
        if (--state->backpressure < 0) return abi_trap("backpressure counter underflow");
        return {};
      };
      break;
    default: {
      const char* name = to_string(c.kind);
      cb = [inst, name](wasm::Caller&, uint64_t*) -> Expected<void, Trap> {
        if (!inst->may_leave) return abi_trap("cannot leave component instance");
        return abi_trap(fmt::format("canon {} is not supported yet (async, threads and error-context are "
                                    "not implemented)", name));
      };
      break;
    }
  }
  return store.core().add_host_func(type, std::move(cb));
}

}  // namespace kumo::component::rt

namespace kumo::component::rt {

// definitions.py canon_task_return. The result type is the task's own: the task.return's declared
// result must flatten to the same core types (its core signature), and its options must equal the
// lift's (LiftOptions.equal: encoding and memory).
wasm::FuncInst* task_return(Store& store, const wasm::FuncType& type, const CanonOptions& opts,
                            InstanceState* inst) {
  std::vector<wasm::ValType> params = type.params;
  Store* st = &store;
  wasm::HostCallback cb = [st, params, opts, inst](wasm::Caller&, uint64_t* slots) -> Expected<void, Trap> {
    if (!inst->may_leave) return abi_trap("cannot leave component instance");
    AsyncTask* task = tls_contexts.back().task;
    if (!task) return abi_trap("task.return called from a task that was not lifted with `async`");
    const Func& f = *task->func;
    const FuncType& ft = f.func_type();
    FuncType as_params;  // task.return's own signature: the result as its one parameter
    if (ft.result) as_params.params.push_back(Param{"v", *ft.result});
    abi::FlatSignature want = abi::flatten_func(*f.arena, as_params, opts.ptr, abi::Context::Lower);
    if (f.inst != inst || want.type.params != params || opts.encoding != f.opts.encoding ||
        opts.memory != f.opts.memory) {
      return abi_trap("invalid `task.return` signature and/or options for the current task");
    }
    if (task->resolved) return abi_trap("task.return called more than once for the current task");
    std::vector<uint64_t> flat(params.size());
    for (size_t i = 0; i < flat.size(); ++i) {
      bool narrow = params[i] == wasm::ValType::I32 || params[i] == wasm::ValType::F32;
      flat[i] = narrow ? slots[i] & 0xffffffffu : slots[i];
    }
    LiftLowerContext cx{st->core(), opts, inst, *f.env, nullptr, {}};
    FlatReader in{flat};
    std::vector<ValType> types;
    if (ft.result) types.push_back(*ft.result);
    KUMO_TRY(std::vector<Val> results, lift_flat_values(cx, abi::kMaxFlatParams, in, types));
    if (task->borrow_scope && task->borrow_scope->num_borrows > 0) {
      return abi_trap("borrow handles still remain at the end of the call");
    }
    task->resolved = true;
    return (*task->on_results)(results);
  };
  return store.core().add_host_func(type, std::move(cb));
}

}  // namespace kumo::component::rt
