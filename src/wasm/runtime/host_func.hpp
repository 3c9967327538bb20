// Host functions for embedders: typed (the wasm signature is derived from a C++ callable) and
// dynamic (Values in, Values out), plus TypedFunc for calling wasm from C++ without boxing.
//
//   func_wrap(linker, store, "env", "add", [](int32_t a, int32_t b) { return a + b; });
//   func_wrap(linker, store, "env", "log", [](Caller& c, uint32_t ptr, uint32_t len) { ... });
//   func_wrap(linker, store, "env", "divmod",
//             [](int64_t a, int64_t b) -> Expected<std::tuple<int64_t, int64_t>, Trap> {
//               if (b == 0) return make_trap(TrapCode::IntegerDivideByZero);
//               return std::tuple{a / b, a % b};
//             });
//   auto add = TypedFunc<int32_t(int32_t, int32_t)>::from(instance->get_func("add"));
//   Expected<int32_t, Trap> r = add->call(store, 1, 2);
//
// C++ <-> wasm types: int32_t/uint32_t <-> i32, int64_t/uint64_t <-> i64, float <-> f32,
// double <-> f64, V128 <-> v128, FuncRef <-> funcref, ExternRef <-> externref. A callable may take
// `Caller&` first; it returns void, one of those types, a std::tuple of them (multi-value), or
// Expected<any of these, Trap> to trap. C++ exceptions escaping a host function become HostError
// traps (the interpreter loop must never be unwound by an exception).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <exception>
#include <functional>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "wasm/interp/interp.hpp"
#include "wasm/runtime/store.hpp"

namespace kumo::wasm {

// ---------------------------------------------------------------------------------------------
// Values <-> interpreter slots (one u64 per value, v128 = two, low half first; i32/f32 are
// zero-extended; references are their pointer bits).

inline void value_to_slots(const Value& v, uint64_t* slots) {
  switch (v.type.kind()) {
    case ValType::I32: case ValType::F32: slots[0] = v.i32; break;
    case ValType::V128: slots[0] = v.v128.lo; slots[1] = v.v128.hi; break;
    case ValType::Ref: slots[0] = reinterpret_cast<uintptr_t>(v.ref); break;
    default: slots[0] = v.i64; break;
  }
}

inline Value value_from_slots(ValType t, const uint64_t* slots) {
  switch (t.kind()) {
    case ValType::I32: return Value::from_i32(uint32_t(slots[0]));
    case ValType::F32: return Value::from_f32_bits(uint32_t(slots[0]));
    case ValType::I64: return Value::from_i64(slots[0]);
    case ValType::F64: return Value::from_f64_bits(slots[0]);
    case ValType::V128: return Value::from_v128(V128{slots[0], slots[1]});
    default: return Value::from_ref(t, reinterpret_cast<Ref>(uintptr_t(slots[0])));
  }
}

inline unsigned slot_count(std::span<const ValType> types) {
  unsigned n = 0;
  for (ValType t : types) n += slot_count(t);
  return n;
}

// Slots needed to call a function of this type (arguments and results share the array).
inline unsigned call_slot_count(const FuncType& t) {
  return std::max(slot_count(t.params), slot_count(t.results));
}

// ---------------------------------------------------------------------------------------------
// C++ types that map to wasm value types.

struct FuncRef {
  FuncInst* func = nullptr;
};
struct ExternRef {
  void* ptr = nullptr;
};

template <typename T>
struct WasmValue;  // undefined: a host signature with an unsupported C++ type does not compile

template <typename T, ValType::Kind K>
struct WasmScalar {
  static constexpr ValType type = K;
  static constexpr unsigned slots = 1;
  static T load(const uint64_t* s) {
    if constexpr (sizeof(T) == 4) return std::bit_cast<T>(uint32_t(s[0]));
    else return std::bit_cast<T>(s[0]);
  }
  static void store(uint64_t* s, T v) {
    if constexpr (sizeof(T) == 4) s[0] = std::bit_cast<uint32_t>(v);
    else s[0] = std::bit_cast<uint64_t>(v);
  }
};
template <> struct WasmValue<int32_t> : WasmScalar<int32_t, ValType::I32> {};
template <> struct WasmValue<uint32_t> : WasmScalar<uint32_t, ValType::I32> {};
template <> struct WasmValue<int64_t> : WasmScalar<int64_t, ValType::I64> {};
template <> struct WasmValue<uint64_t> : WasmScalar<uint64_t, ValType::I64> {};
template <> struct WasmValue<float> : WasmScalar<float, ValType::F32> {};
template <> struct WasmValue<double> : WasmScalar<double, ValType::F64> {};
template <> struct WasmValue<V128> {
  static constexpr ValType type = ValType::V128;
  static constexpr unsigned slots = 2;
  static V128 load(const uint64_t* s) { return V128{s[0], s[1]}; }
  static void store(uint64_t* s, V128 v) { s[0] = v.lo; s[1] = v.hi; }
};
template <> struct WasmValue<FuncRef> {
  static constexpr ValType type = ValType::funcref();
  static constexpr unsigned slots = 1;
  static FuncRef load(const uint64_t* s) { return {reinterpret_cast<FuncInst*>(uintptr_t(s[0]))}; }
  static void store(uint64_t* s, FuncRef v) { s[0] = reinterpret_cast<uintptr_t>(v.func); }
};
template <> struct WasmValue<ExternRef> {
  static constexpr ValType type = ValType::externref();
  static constexpr unsigned slots = 1;
  static ExternRef load(const uint64_t* s) { return {reinterpret_cast<void*>(uintptr_t(s[0]))}; }
  static void store(uint64_t* s, ExternRef v) { s[0] = reinterpret_cast<uintptr_t>(v.ptr); }
};

namespace host_detail {

// A list of C++ value types laid out in consecutive slots.
template <typename... T>
struct ValueList {
  static constexpr size_t count = sizeof...(T);
  static constexpr unsigned slots = (0u + ... + WasmValue<T>::slots);
  static std::vector<ValType> types() { return {WasmValue<T>::type...}; }
  static constexpr std::array<unsigned, count + 1> offsets() {
    std::array<unsigned, count + 1> o{};
    size_t i = 0;
    ((o[i + 1] = o[i] + WasmValue<T>::slots, ++i), ...);
    return o;
  }
  static std::tuple<T...> load(const uint64_t* s) {
    return load_impl(s, std::index_sequence_for<T...>{});
  }
  static void store(uint64_t* s, const std::tuple<T...>& values) {
    store_impl(s, values, std::index_sequence_for<T...>{});
  }

 private:
  template <size_t... I>
  static std::tuple<T...> load_impl(const uint64_t* s, std::index_sequence<I...>) {
    [[maybe_unused]] constexpr auto off = offsets();
    (void)s;
    return std::tuple<T...>{WasmValue<T>::load(s + off[I])...};
  }
  template <size_t... I>
  static void store_impl(uint64_t* s, const std::tuple<T...>& values, std::index_sequence<I...>) {
    [[maybe_unused]] constexpr auto off = offsets();
    (void)s;
    (void)values;
    (WasmValue<T>::store(s + off[I], std::get<I>(values)), ...);
  }
};

// Results: void, a value, or a tuple of values; `Expected<..., Trap>` marks a fallible function.
template <typename R>
struct Results {
  using List = ValueList<R>;
  static constexpr bool fallible = false;
  static void store(uint64_t* s, const R& r) { WasmValue<R>::store(s, r); }
};
template <>
struct Results<void> {
  using List = ValueList<>;
  static constexpr bool fallible = false;
};
template <typename... T>
struct Results<std::tuple<T...>> {
  using List = ValueList<T...>;
  static constexpr bool fallible = false;
  static void store(uint64_t* s, const std::tuple<T...>& r) { List::store(s, r); }
};
template <typename R>
struct Results<Expected<R, Trap>> : Results<R> {
  using Inner = R;
  static constexpr bool fallible = true;
};

// Signature of a callable: lambdas and functors (non-generic), function pointers.
template <typename F>
struct Signature : Signature<decltype(&F::operator())> {};
template <typename R, typename... A>
struct Signature<R (*)(A...)> {
  using Result = R;
  using Args = std::tuple<A...>;
};
template <typename R, typename... A>
struct Signature<R (*)(A...) noexcept> : Signature<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct Signature<R (C::*)(A...)> : Signature<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct Signature<R (C::*)(A...) const> : Signature<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct Signature<R (C::*)(A...) noexcept> : Signature<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct Signature<R (C::*)(A...) const noexcept> : Signature<R (*)(A...)> {};

// Splits the argument list into (takes Caller&?, wasm parameters).
template <typename Args>
struct Params;
template <>
struct Params<std::tuple<>> {
  static constexpr bool with_caller = false;
  using List = ValueList<>;
};
template <typename A0, typename... A>
struct Params<std::tuple<A0, A...>> {
  static constexpr bool with_caller =
      std::is_same_v<A0, Caller&> || std::is_same_v<A0, const Caller&>;
  using List = std::conditional_t<with_caller, ValueList<std::remove_cvref_t<A>...>,
                                  ValueList<std::remove_cvref_t<A0>, std::remove_cvref_t<A>...>>;
};

template <typename List>
struct Invoker;
template <typename... P>
struct Invoker<ValueList<P...>> {
  // Reads every argument before the callable runs: results overwrite the same slots.
  template <bool WithCaller, typename F>
  static decltype(auto) call(F& f, Caller& caller, const uint64_t* slots) {
    auto args = ValueList<P...>::load(slots);
    if constexpr (WithCaller) {
      return std::apply([&](auto&&... a) -> decltype(auto) { return f(caller, a...); }, args);
    } else {
      (void)caller;
      return std::apply([&](auto&&... a) -> decltype(auto) { return f(a...); }, args);
    }
  }
};

template <typename R>
Expected<void, Trap> store_results(uint64_t* slots, R&& r) {
  using Res = Results<std::remove_cvref_t<R>>;
  if constexpr (Res::fallible) {
    if (!r) return Unexpected<Trap>{std::move(r.error())};
    if constexpr (!std::is_void_v<typename Res::Inner>) Res::store(slots, *r);
  } else {
    Res::store(slots, r);
  }
  return {};
}

template <typename T>
struct IsTuple : std::false_type {};
template <typename... T>
struct IsTuple<std::tuple<T...>> : std::true_type {};

inline Unexpected<Trap> exception_trap(const char* what) {
  return make_trap(TrapCode::HostError, std::string("host function threw: ") + what);
}

}  // namespace host_detail

// ---------------------------------------------------------------------------------------------
// Typed and dynamic host functions

struct HostFunc {
  FuncType type;
  HostCallback callback;
};

// Wraps a C++ callable into a host function whose wasm type is derived from its signature.
template <typename F>
HostFunc wrap_func(F&& f) {
  using Fn = std::decay_t<F>;
  using Sig = host_detail::Signature<Fn>;
  using Ps = host_detail::Params<typename Sig::Args>;
  using Res = host_detail::Results<typename Sig::Result>;
  using Call = host_detail::Invoker<typename Ps::List>;

  HostFunc h;
  h.type.params = Ps::List::types();
  h.type.results = Res::List::types();
  h.callback = [fn = Fn(std::forward<F>(f))](Caller& caller,
                                              uint64_t* slots) mutable -> Expected<void, Trap> {
    try {
      if constexpr (std::is_void_v<typename Sig::Result>) {
        Call::template call<Ps::with_caller>(fn, caller, slots);
        return {};
      } else {
        return host_detail::store_results(slots, Call::template call<Ps::with_caller>(fn, caller, slots));
      }
    } catch (const std::exception& e) {
      return host_detail::exception_trap(e.what());
    } catch (...) {
      return host_detail::exception_trap("unknown exception");
    }
  };
  return h;
}

// Untyped host function: `args` match type.params, `results` arrive typed per type.results (zero).
using DynamicHostFn =
    std::function<Expected<void, Trap>(Caller&, std::span<const Value> args, std::span<Value> results)>;

inline HostFunc wrap_dynamic(FuncType type, DynamicHostFn fn) {
  HostFunc h;
  h.type = type;
  h.callback = [type = std::move(type), fn = std::move(fn)](Caller& caller,
                                                            uint64_t* slots) -> Expected<void, Trap> {
    const size_t n = type.params.size() + type.results.size();
    Value inline_buf[16];  // no allocation for ordinary signatures
    std::vector<Value> heap_buf;
    Value* buf = inline_buf;
    if (n > std::size(inline_buf)) {
      heap_buf.resize(n);
      buf = heap_buf.data();
    }
    std::span<Value> args(buf, type.params.size());
    std::span<Value> results(buf + args.size(), type.results.size());
    unsigned at = 0;
    for (size_t i = 0; i < args.size(); ++i) {
      args[i] = value_from_slots(type.params[i], slots + at);
      at += slot_count(type.params[i]);
    }
    for (size_t i = 0; i < results.size(); ++i) {
      results[i] = Value{};
      results[i].type = type.results[i];
    }
    try {
      Expected<void, Trap> r = fn(caller, args, results);
      if (!r) return r;
    } catch (const std::exception& e) {
      return host_detail::exception_trap(e.what());
    } catch (...) {
      return host_detail::exception_trap("unknown exception");
    }
    at = 0;
    for (size_t i = 0; i < results.size(); ++i) {
      Value v = results[i];
      v.type = type.results[i];  // the declared type decides the slot layout
      value_to_slots(v, slots + at);
      at += slot_count(type.results[i]);
    }
    return {};
  };
  return h;
}

// Adds a typed host function to `store`.
template <typename F>
FuncInst* add_func(Store& store, F&& f) {
  HostFunc h = wrap_func(std::forward<F>(f));
  return store.add_host_func(h.type, std::move(h.callback));
}

// Defines a typed host function under (module, name).
template <typename F>
void func_wrap(Linker& linker, Store& store, std::string module, std::string name, F&& f) {
  HostFunc h = wrap_func(std::forward<F>(f));
  linker.define_func(store, std::move(module), std::move(name), h.type, std::move(h.callback));
}

// Defines an untyped host function under (module, name).
inline void func_new(Linker& linker, Store& store, std::string module, std::string name,
                     FuncType type, DynamicHostFn fn) {
  HostFunc h = wrap_dynamic(std::move(type), std::move(fn));
  linker.define_func(store, std::move(module), std::move(name), h.type, std::move(h.callback));
}

// ---------------------------------------------------------------------------------------------
// Calling wasm (or host) functions with C++ types, without Value boxing or allocation.

template <typename Sig>
class TypedFunc;

template <typename R, typename... A>
class TypedFunc<R(A...)> {
  using Ps = host_detail::ValueList<A...>;
  using Res = host_detail::Results<R>;
  static constexpr unsigned kSlots = std::max({1u, Ps::slots, Res::List::slots});

 public:
  static FuncType type() { return FuncType{Ps::types(), Res::List::types()}; }

  // Checks that `func` has exactly the type this signature maps to.
  static Expected<TypedFunc> from(FuncInst* func) {
    if (func == nullptr) return err("function not found");
    FuncType want = type();
    if (*func->type != want) {
      return err("function type mismatch: expected {}, got {}", to_string(want), to_string(*func->type));
    }
    return TypedFunc(func);
  }

  Expected<R, Trap> call(Store& store, A... args) const {
    std::array<uint64_t, kSlots> slots{};
    Ps::store(slots.data(), std::tuple<A...>{args...});
    Expected<void, Trap> r = interp::call(store, func_, slots.data());
    if (!r) return Unexpected<Trap>{std::move(r.error())};
    if constexpr (std::is_void_v<R>) {
      return {};
    } else if constexpr (!host_detail::IsTuple<R>::value) {
      return WasmValue<R>::load(slots.data());
    } else {
      return Res::List::load(slots.data());
    }
  }

  FuncInst* func() const { return func_; }

 private:
  explicit TypedFunc(FuncInst* f) : func_(f) {}
  FuncInst* func_;
};

}  // namespace kumo::wasm
