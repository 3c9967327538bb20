// Calling component functions (definitions.py Store.lift + canon_lift for sync functions), turning
// them into core functions (canon_lower) and the resource built-ins (canon_resource_new/drop/rep).
#include "component/runtime/func.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "component/runtime/builtins.hpp"
#include "wasm/interp/interp.hpp"

namespace kumo::component::rt {

namespace {

std::vector<ValType> param_types(const FuncType& ft) {
  std::vector<ValType> ts;
  ts.reserve(ft.params.size());
  for (const auto& p : ft.params) ts.push_back(p.type);
  return ts;
}

std::vector<ValType> result_types(const FuncType& ft) {
  if (ft.result) return {*ft.result};
  return {};
}

// Core wasm slots hold i32/f32 in their low half; the canonical ABI's flat values want the upper
// half cleared.
uint64_t flat_value(wasm::ValType t, uint64_t slot) {
  return t == wasm::ValType::I32 || t == wasm::ValType::F32 ? slot & 0xffffffffu : slot;
}

// A wasm exception must not unwind across a component boundary: it becomes a plain trap
// (definitions.py call_and_trap_on_throw), whichever core function threw (callee, realloc,
// post-return).
Trap stop_exception(Trap t) {
  if (t.code == wasm::TrapCode::UncaughtException) {
    t.exception.reset();
    t.message = "uncaught exception propagated out of component";
  }
  return t;
}

// Calls a core function with flat arguments; returns its flat results. Exceptions do not cross
// component boundaries (definitions.py call_and_trap_on_throw).
Trapping<std::vector<uint64_t>> call_core(wasm::Store& store, wasm::FuncInst* f,
                                          std::span<const uint64_t> args) {
  const wasm::FuncType& ft = *f->type;
  std::vector<uint64_t> slots(std::max<size_t>({ft.params.size(), ft.results.size(), 1}));
  std::copy(args.begin(), args.end(), slots.begin());
  auto r = wasm::interp::call(store, f, slots.data());
  if (!r) return Unexpected<Trap>{stop_exception(std::move(r.error()))};
  slots.resize(ft.results.size());
  for (size_t i = 0; i < slots.size(); ++i) slots[i] = flat_value(ft.results[i], slots[i]);
  return slots;
}

// Per-thread pools of vectors for the values of a call, so that a host call allocates no vector
// (each call takes its own, so nested calls are safe).
template <typename T>
class VecPool {
 public:
  std::vector<T> take() {
    if (free_.empty()) return {};
    std::vector<T> v = std::move(free_.back());
    free_.pop_back();
    return v;
  }
  void give(std::vector<T>&& v) {
    v.clear();
    if (free_.size() < 32 && v.capacity() <= 64) free_.push_back(std::move(v));
  }

 private:
  std::vector<std::vector<T>> free_;
};
template <typename T>
VecPool<T>& vec_pool() {
  thread_local VecPool<T> pool;
  return pool;
}
template <typename T>
struct PooledVec {
  std::vector<T> v = vec_pool<T>().take();
  PooledVec() = default;
  PooledVec(const PooledVec&) = delete;
  PooledVec& operator=(const PooledVec&) = delete;
  ~PooledVec() { vec_pool<T>().give(std::move(v)); }
};

constexpr uint64_t kSubtaskReturned = 2;  // definitions.py Subtask.State.RETURNED

// Leaves the instance again however the call ends.
struct EnterGuard {
  InstanceState* inst;
  const InstanceState* caller;
  ~EnterGuard() { inst->leave_to(caller); }
};

// definitions.py canon_lift, async, once the core function returned: Kumo runs an async export only
// when it completes without blocking, i.e. it called task.return and (with a callback) returned
// CallbackCode.EXIT; waiting or yielding would need a scheduler Kumo does not have.
Trapping<void> finish_async(const Func& f, const AsyncTask& task,
                            std::span<const uint64_t> flat_results) {
  if (f.opts.callback) {
    uint32_t packed = flat_results.empty() ? 0 : uint32_t(flat_results[0]);
    uint32_t code = packed & 0xf;  // unpack_callback_result
    if (code > 2) return abi_trap(fmt::format("unsupported callback code: {}", code));
    if (code != 0) {
      return abi_trap(
          fmt::format("async callback asked to {}: not supported (Kumo runs async functions only "
                      "when they complete without blocking)",
                      code == 1 ? "yield" : "wait"));
    }
  }
  if (!task.resolved) return abi_trap("async-lifted function exited without calling task.return");
  return {};
}

// definitions.py canon_lift, sync: lower the arguments into the callee, call, lift the results.
Trapping<void> call_lifted(Store& store, const Func& f, std::span<const Val> args,
                           const ResultsFn& on_results) {
  const FuncType& ft = f.func_type();
  std::vector<ValType> params = param_types(ft);
  if (args.size() != params.size()) {
    return abi_trap(
        fmt::format("wrong number of arguments: expected {}, got {}", params.size(), args.size()));
  }
  BorrowScope scope;
  AsyncTask task{&f, &on_results, &scope, false};
  TaskContextScope task_context(f.opts.is_async ? &task : nullptr);
  LiftLowerContext cx{store.core(), f.opts, f.inst, *f.env, &scope, {}};
  std::vector<uint64_t> flat_args;
  KUMO_CHECK(lower_flat_values(cx, abi::kMaxFlatParams, args, params, flat_args, nullptr));

  KUMO_TRY(std::vector<uint64_t> flat_results, call_core(store.core(), f.core, flat_args));
  if (f.opts.is_async) return finish_async(f, task, flat_results);

  std::vector<ValType> results_t = result_types(ft);
  FlatReader rd{flat_results};
  cx.borrow_scope = nullptr;
  KUMO_TRY(std::vector<Val> results, lift_flat_values(cx, abi::kMaxFlatResults, rd, results_t));
  // Task.return_: every borrow lent to the callee must have been dropped.
  if (scope.num_borrows > 0) return abi_trap("borrow handles still remain at the end of the call");
  KUMO_CHECK(on_results(results));

  if (f.opts.post_return) {
    f.inst->may_leave = false;
    auto r = call_core(store.core(), f.opts.post_return, flat_results);
    f.inst->may_leave = true;
    if (!r) return Unexpected<Trap>{std::move(r.error())};
  }
  return {};
}

std::string resource_name(const ResourceType* rt) {
  if (!rt->name.empty()) return rt->name;
  return rt->impl ? "guest-defined resource" : "host-defined resource";
}

Unexpected<Trap> wrong_type(uint32_t index, const ResourceType* expected,
                            const ResourceType* found) {
  return abi_trap(
      fmt::format("handle index {} used with the wrong type, expected {} but found a different {}",
                  index, resource_name(expected), resource_name(found)));
}

// Runs the destructor of a resource whose own handle was dropped by `caller` (nullptr: the host):
// the dtor is lifted into the defining instance, so entering it follows the usual rules.
Trapping<void> run_dtor(Store& store, ResourceType* rt, uint32_t rep, const InstanceState* caller) {
  if (!rt->impl) {
    if (rt->host_store_dtor)
      rt->host_store_dtor(store, rep);
    else if (rt->host_dtor)
      rt->host_dtor(rep);
    return {};
  }
  if (!rt->impl->may_enter_from(caller)) return abi_trap("cannot enter component instance");
  rt->impl->enter_from(caller);
  EnterGuard guard{rt->impl, caller};
  if (rt->dtor) {
    uint64_t arg = rep;
    KUMO_CHECK(call_core(store.core(), rt->dtor, std::span<const uint64_t>(&arg, 1)));
  }
  return {};
}

}  // namespace

Trapping<void> call(Store& store, const Func& f, std::span<const Val> args,
                    const InstanceState* caller, const ResultsFn& on_results) {
  if (f.kind == Func::Host) {
    HostCall hc{store, *f.arena, f.type};
    PooledVec<Val> results;
    KUMO_CHECK(f.host(hc, args, results.v));
    size_t want = f.func_type().result ? 1 : 0;
    if (results.v.size() != want) {
      return abi_trap(
          fmt::format("host function returned {} results, expected {}", results.v.size(), want));
    }
    return on_results(results.v);
  }
  // definitions.py Store.lift: the callee's instance (and its ancestors the caller is not in)
  // must not already be on the stack.
  // An instance calling its own lifted function (lowered back into itself) is also reentrance:
  // entering_set() would be empty, but wasmtime, which runs the spec suites, traps (e.g. a core
  // start function calling such a function during instantiation).
  if (caller == f.inst || !f.inst->may_enter_from(caller))
    return abi_trap("cannot enter component instance");
  f.inst->enter_from(caller);
  EnterGuard guard{f.inst, caller};
  auto r = call_lifted(store, f, args, on_results);
  if (!r) return Unexpected<Trap>{stop_exception(std::move(r.error()))};
  return r;
}

Trapping<std::vector<Val>> call(Store& store, const Func& f, std::span<const Val> args,
                                const InstanceState* caller) {
  std::vector<Val> out;
  KUMO_CHECK(call(store, f, args, caller, [&](std::vector<Val>& results) -> Trapping<void> {
    out = std::move(results);
    return {};
  }));
  return out;
}

namespace {

// What `canon lower` derives from the function type alone, computed once per (type, options) and
// shared by every instance: instantiating a component lowers each import anew.
struct LowerSig {
  std::vector<wasm::ValType> core_params;
  std::vector<ValType> params, results;
  ValuesPlan params_plan, results_plan;
  uint32_t core_type_id = 0;
  const wasm::FuncType* core_type = nullptr;
};

std::shared_ptr<const LowerSig> lower_sig(wasm::Engine& engine,
                                          const std::shared_ptr<const TypeArena>& arena,
                                          TypeId type, const CanonOptions& opts) {
  struct Key {
    uint64_t arena;   // TypeArena::uid(): never reused, unlike the arena's address
    uint64_t engine;  // Engine::uid(), likewise
    uint32_t type;
    uint8_t ptr;
    bool async;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return std::hash<uint64_t>()(
          k.arena * 0x9E3779B97F4A7C15ULL ^ (k.engine << 32) ^
          (uint64_t(k.type) << 2 | uint64_t(k.ptr) << 1 | uint64_t(k.async)));
    }
  };
  // Per thread: no locking, and a server's workers each warm their own after the first request.
  thread_local std::unordered_map<Key, std::shared_ptr<const LowerSig>, KeyHash> cache;
  const Key key{arena->uid(), engine.uid(), type.index, uint8_t(opts.ptr), opts.is_async};
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  const FuncType& ft = arena->func(type);
  abi::FlatSignature flat =
      abi::flatten_func(*arena, ft, opts.ptr, abi::Context::Lower, opts.is_async);
  auto sig = std::make_shared<LowerSig>();
  sig->core_params = flat.type.params;
  sig->params = param_types(ft);
  sig->results = result_types(ft);
  sig->params_plan =
      plan_values(*arena, opts.ptr, opts.is_async ? abi::kMaxFlatAsyncParams : abi::kMaxFlatParams,
                  sig->params);
  sig->results_plan =
      plan_values(*arena, opts.ptr, opts.is_async ? 0 : abi::kMaxFlatResults, sig->results);
  sig->core_type_id = engine.intern(flat.type);
  sig->core_type = &engine.type_of(sig->core_type_id);
  if (cache.size() >= 4096) cache.clear();  // bounded: arenas come and go
  cache.emplace(key, sig);
  return sig;
}

// What a lowered function needs at each call; lives in the store's arena so that the core
// function's callback captures one pointer (no allocation per lowered import).
struct LowerState {
  Store* st;
  std::shared_ptr<const Func> callee;
  const TypeEnv* env;
  CanonOptions opts;
  InstanceState* inst;
  std::shared_ptr<const LowerSig> sig;
};

Expected<void, Trap> call_lowered(const LowerState& ls, uint64_t* slots) {
  // definitions.py canon_lower. With `async`, the callee always completes before returning
  // here (Kumo has no scheduler), so the subtask is RETURNED: results went through the out
  // pointer.
  const CanonOptions& opts = ls.opts;
  const LowerSig* sig = ls.sig.get();
  InstanceState* inst = ls.inst;
  if (!inst->may_leave) return abi_trap("cannot leave component instance");
  PooledVec<uint64_t> flat;
  flat.v.resize(sig->core_params.size());
  for (size_t i = 0; i < flat.v.size(); ++i) flat.v[i] = flat_value(sig->core_params[i], slots[i]);
  // Borrows lent to the callee are recorded in a pooled vector: no allocation per call.
  PooledVec<uint32_t> lent;
  LiftLowerContext cx{ls.st->core(), opts, inst, *ls.env, nullptr, std::move(lent.v)};
  // Strings for a lifted callee are read by its lowering, after its realloc; hosts take
  // list<u8> in one piece.
  cx.defer_strings = ls.callee->kind == Func::Lifted;
  cx.compact_bytes = ls.callee->kind == Func::Host;
  FlatReader in{flat.v};
  PooledVec<Val> args;
  KUMO_CHECK(lift_flat_values_into(cx, sig->params_plan, in, sig->params, args.v));
  PooledVec<uint64_t> out;
  auto r = call(*ls.st, *ls.callee, args.v, inst, [&](std::vector<Val>& vals) -> Trapping<void> {
    return lower_flat_values(cx, sig->results_plan, vals, sig->results, out.v, &in);
  });
  release_lends(cx);
  lent.v = std::move(cx.lent);  // emptied by release_lends; back to the pool with its capacity
  if (!r) return Unexpected<Trap>{std::move(r.error())};
  if (opts.is_async) out.v.assign(1, kSubtaskReturned);
  std::copy(out.v.begin(), out.v.end(), slots);
  return {};
}
}  // namespace

wasm::FuncInst* lower(Store& store, std::shared_ptr<const Func> callee, const TypeEnv& env,
                      TypeId type, const CanonOptions& opts, InstanceState* inst) {
  std::shared_ptr<const LowerSig> sig = lower_sig(store.engine(), env.arena, type, opts);
  uint32_t type_id = sig->core_type_id;
  const wasm::FuncType* core_type = sig->core_type;
  const LowerState* ls = store.make<LowerState>(
      LowerState{&store, std::move(callee), &env, opts, inst, std::move(sig)});
  return store.core().add_host_func(type_id, core_type,
                                    [ls](wasm::Caller&, uint64_t* slots) -> Expected<void, Trap> {
                                      return call_lowered(*ls, slots);
                                    });
}

namespace {
// The engine's id of a resource built-in's core type (built once per thread and shape: fresh
// instances create these functions on every instantiation).
enum class BuiltinShape { New, Drop, Rep };
uint32_t builtin_type_id(wasm::Engine& engine, BuiltinShape shape, wasm::ValType rep) {
  struct Key {
    uint64_t engine;  // Engine::uid(): an engine's address may be reused by the next one
    int shape;
    bool rep64;
    bool operator==(const Key&) const = default;
  };
  thread_local std::vector<std::pair<Key, uint32_t>> cache;
  const Key key{engine.uid(), int(shape), rep == wasm::ValType::I64};
  for (const auto& [k, id] : cache)
    if (k == key) return id;
  wasm::FuncType t;
  switch (shape) {
    case BuiltinShape::New: t = {{rep}, {wasm::ValType::I32}}; break;
    case BuiltinShape::Drop: t = {{wasm::ValType::I32}, {}}; break;
    case BuiltinShape::Rep: t = {{wasm::ValType::I32}, {rep}}; break;
  }
  uint32_t id = engine.intern(t);
  if (cache.size() >= 64) cache.clear();  // bounded: engines come and go
  cache.emplace_back(key, id);
  return id;
}

wasm::FuncInst* add_builtin(Store& store, BuiltinShape shape, wasm::ValType rep,
                            wasm::HostCallback cb) {
  uint32_t id = builtin_type_id(store.engine(), shape, rep);
  return store.core().add_host_func(id, &store.engine().type_of(id), std::move(cb));
}
}  // namespace

wasm::FuncInst* resource_new(Store& store, ResourceType* rt, InstanceState* inst,
                             wasm::ValType rep) {
  return add_builtin(store, BuiltinShape::New, rep,
                     [rt, inst, rep](wasm::Caller&, uint64_t* slots) -> Expected<void, Trap> {
                       if (!inst->may_leave) return abi_trap("cannot leave component instance");
                       ResourceHandle h;
                       h.rt = rt;
                       h.rep = uint32_t(flat_value(rep, slots[0]));
                       h.own = true;
                       KUMO_TRY(uint32_t index, inst->handles.add(h));
                       slots[0] = index;
                       return {};
                     });
}

wasm::FuncInst* resource_drop(Store& store, ResourceType* rt, InstanceState* inst) {
  struct State {
    Store* st;
    ResourceType* rt;
    InstanceState* inst;
  };
  const State* state = store.make<State>(State{&store, rt, inst});
  return add_builtin(store, BuiltinShape::Drop, wasm::ValType::I32,
                     [state](wasm::Caller&, uint64_t* slots) -> Expected<void, Trap> {
                       auto [st, rt, inst] = *state;
                       if (!inst->may_leave) return abi_trap("cannot leave component instance");
                       uint32_t index = uint32_t(slots[0]);
                       KUMO_TRY(ResourceHandle h, inst->handles.remove(index));
                       if (h.rt != rt) return wrong_type(index, rt, h.rt);
                       if (h.num_lends != 0)
                         return abi_trap("cannot remove owned resource while borrowed");
                       if (h.own) return run_dtor(*st, rt, h.rep, inst);
                       if (h.borrow_scope) h.borrow_scope->num_borrows -= 1;
                       return {};
                     });
}

wasm::FuncInst* resource_rep(Store& store, ResourceType* rt, InstanceState* inst,
                             wasm::ValType rep) {
  return add_builtin(store, BuiltinShape::Rep, rep,
                     [rt, inst](wasm::Caller&, uint64_t* slots) -> Expected<void, Trap> {
                       uint32_t index = uint32_t(slots[0]);
                       KUMO_TRY(ResourceHandle * h, inst->handles.get(index));
                       if (h->rt != rt) return wrong_type(index, rt, h->rt);
                       slots[0] = h->rep;
                       return {};
                     });
}

Trapping<void> drop_resource(Store& store, ResourceRef own) {
  if (!own.type) return abi_trap("cannot drop a null resource");
  return run_dtor(store, own.type, own.rep, nullptr);
}

}  // namespace kumo::component::rt
