// Internal to the component runtime: the canonical built-ins beyond lift/lower/resource.* (async,
// threads, error-context). Kumo's runtime is synchronous: context.get/set and backpressure.inc/dec
// work as in a sync task; every other built-in checks may_leave (so calling it from a
// post-return function traps as definitions.py does) and then traps as not supported.
#pragma once

#include <memory>

#include "component/component.hpp"
#include "component/runtime/func.hpp"
#include "component/runtime/store.hpp"

namespace kumo::component::rt {

// State the built-ins of one component instance share.
struct BuiltinState {
  int32_t backpressure = 0;
};

// The core function for canon definition `c`, of core type `type` (from validation), used by
// instance `inst`.
wasm::FuncInst* builtin(Store& store, const Canon& c, const wasm::FuncType& type, InstanceState* inst,
                        std::shared_ptr<BuiltinState> state);

// An async-lifted call in progress (definitions.py Task, for the subset where every call completes
// synchronously): `canon task.return` lifts the results and hands them to `on_results`.
struct AsyncTask {
  const Func* func = nullptr;
  const ResultsFn* on_results = nullptr;
  BorrowScope* borrow_scope = nullptr;  // borrows lent to the callee must be dropped before returning
  bool resolved = false;
};

// `canon task.return` with options `opts` (memory and string encoding), of core type `type`, used
// by instance `inst`.
wasm::FuncInst* task_return(Store& store, const wasm::FuncType& type, const CanonOptions& opts,
                            InstanceState* inst);

// The context slots (`context.get/set`) and the async task (if any) running on this thread: a
// lifted call opens a fresh set for its duration.
class TaskContextScope {
 public:
  explicit TaskContextScope(AsyncTask* task = nullptr);
  ~TaskContextScope();
  TaskContextScope(const TaskContextScope&) = delete;
  TaskContextScope& operator=(const TaskContextScope&) = delete;
};

}  // namespace kumo::component::rt
