// Component functions at run time: lifted core functions (`canon lift`) and host functions, how
// they are called (definitions.py canon_lift for sync functions), how a component function becomes
// a core function (`canon lower`), and the resource built-ins (`canon resource.new/drop/rep`).
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "component/runtime/canon_abi.hpp"
#include "component/runtime/store.hpp"
#include "wasm/common/function_ref.hpp"

namespace kumo::component::rt {

// What a host function learns about the call: its type as the importing component declared it.
struct HostCall {
  Store& store;
  const TypeArena& arena;
  TypeId type;  // a FuncType in `arena`
  const FuncType& func_type() const { return arena.func(type); }
};
// A host function: reads `params` (already lifted from the caller), appends its results.
// Returning a Trap unwinds the calling component.
using HostFunc =
    std::function<Trapping<void>(HostCall& call, std::span<const Val> params, std::vector<Val>& results)>;

struct Func {
  enum Kind : uint8_t { Lifted, Host } kind = Lifted;
  // The function's type: Lifted: as the lifting component sees it; Host: as the importing
  // component declared it.
  std::shared_ptr<const TypeArena> arena;
  TypeId type;
  // Lifted
  const TypeEnv* env = nullptr;  // the lifting instance's env (resolves resource types)
  wasm::FuncInst* core = nullptr;
  CanonOptions opts;
  InstanceState* inst = nullptr;
  // Host
  HostFunc host;

  const FuncType& func_type() const { return arena->func(type); }
};

// Called with the results before post-return runs (the lowering caller copies them into its
// memory there, as definitions.py does in on_resolve).
// Runs only during the call: a non-owning reference.
using ResultsFn = FunctionRef<Trapping<void>(std::vector<Val>& results)>;

// Calls `f` with `args`. `caller` is the instance the call comes from (nullptr: the host), for the
// may_enter checks ("cannot enter component instance").
Trapping<void> call(Store& store, const Func& f, std::span<const Val> args,
                    const InstanceState* caller, const ResultsFn& on_results);
Trapping<std::vector<Val>> call(Store& store, const Func& f, std::span<const Val> args,
                                const InstanceState* caller = nullptr);

// `canon lower`: a core function, created in store.core(), that lifts its arguments from `inst`
// with `opts`, calls `callee`, and lowers the results back. `type` is the FuncType as the lowering
// component sees it (in env.arena).
wasm::FuncInst* lower(Store& store, std::shared_ptr<const Func> callee, const TypeEnv& env, TypeId type,
                      const CanonOptions& opts, InstanceState* inst);

// `canon resource.new/drop/rep` for resource type `rt` (rep type `rep`), used by instance `inst`.
wasm::FuncInst* resource_new(Store& store, ResourceType* rt, InstanceState* inst, wasm::ValType rep);
wasm::FuncInst* resource_drop(Store& store, ResourceType* rt, InstanceState* inst);
wasm::FuncInst* resource_rep(Store& store, ResourceType* rt, InstanceState* inst, wasm::ValType rep);

// Drops an own handle held by the host: runs the resource's destructor (guest dtor, entering its
// instance, or the host's).
Trapping<void> drop_resource(Store& store, ResourceRef own);

}  // namespace kumo::component::rt
