// The typed C++ host API: component values as ordinary C++ types, on top of the dynamic Val API.
//
//   struct Point { uint32_t x, y; };
//   KUMO_RECORD(Point, x, y)                     // at namespace scope, next to Point
//
//   rt::func_wrap(linker.instance("test:numbers/test"), "roundtrip-u8",
//                 [](uint8_t v) { return v; });
//   auto f = rt::typed_func<uint8_t(uint8_t)>(instance, "test:numbers/test", "roundtrip-u8");
//   rt::Trapping<uint8_t> r = f->call(store, 7);  // f is Expected<TypedFunc<...>>
//
// C++ type                      component type
//   bool, [u]int{8,16,32,64}_t    bool, s8/u8 ... s64/u64
//   float, double, char32_t       f32, f64, char
//   std::string (string_view*)    string
//   std::vector<T> (span<T>*)     list<T>
//   std::optional<T>              option<T>
//   Result<T, E> (void: none)     result<T, E>
//   std::tuple<T...>              tuple<T...>
//   KUMO_RECORD structs           record (fields in order, names checked: `a_b` matches `a-b`)
//   any C++ enum                  enum (the enumerator's value is the case index)
//   Flags<N>                      flags with N labels
//   std::variant<T...>            variant with as many cases; std::monostate for a case without
//                                 payload (duplicate alternatives are fine: cases go by index)
//   Own<T>, Borrow<T>             own<R>, borrow<R> (T is a tag for readability only)
//   Val                           anything (passed through unchecked)
// HostResource<T> defines a host resource type whose handles map to host objects of type T.
// (*) views: arguments only (host-function parameters and exported-function arguments).
//
// Every C++ signature is checked against the component function type: TypedFunc once when it is
// created (an Error naming the parameter and both types), host functions at each call (the
// importer's type is only known then; the check walks the type, not the values) with a trap.
#pragma once

#include <bitset>
#include <map>
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "component/runtime/linker.hpp"

namespace kumo::component::rt {

// ---- value wrappers ----------------------------------------------------------------------------

template <class T>
struct OkValue {
  T value;
};
template <class E>
struct ErrValue {
  E value;
};
template <class T>
OkValue<std::decay_t<T>> Ok(T&& v) { return {std::forward<T>(v)}; }
inline OkValue<std::monostate> Ok() { return {}; }
template <class E>
ErrValue<std::decay_t<E>> Err(E&& v) { return {std::forward<E>(v)}; }
inline ErrValue<std::monostate> Err() { return {}; }

// result<T, E>; `void` for a side without payload. Build with `Ok(x)` / `Err(e)`.
template <class T = void, class E = void>
class Result {
 public:
  using ok_type = std::conditional_t<std::is_void_v<T>, std::monostate, T>;
  using err_type = std::conditional_t<std::is_void_v<E>, std::monostate, E>;

  Result() : v_(std::in_place_index<0>) {}
  template <class U>
  Result(OkValue<U> o) : v_(std::in_place_index<0>, ok_type(std::move(o.value))) {}
  template <class U>
  Result(ErrValue<U> e) : v_(std::in_place_index<1>, err_type(std::move(e.value))) {}

  bool is_ok() const { return v_.index() == 0; }
  bool is_err() const { return v_.index() == 1; }
  const ok_type& value() const { return std::get<0>(v_); }
  const err_type& error() const { return std::get<1>(v_); }
  ok_type& value() { return std::get<0>(v_); }
  err_type& error() { return std::get<1>(v_); }
  friend bool operator==(const Result&, const Result&) = default;

 private:
  std::variant<ok_type, err_type> v_;
};

// flags with N labels; bit i is label i.
template <size_t N>
struct Flags {
  std::bitset<N> bits;
  Flags() = default;
  explicit Flags(unsigned long long v) : bits(v) {}
  template <class... I>
  static Flags of(I... labels) {
    Flags f;
    (f.bits.set(static_cast<size_t>(labels)), ...);
    return f;
  }
  template <class I>
  bool test(I label) const { return bits.test(static_cast<size_t>(label)); }
  template <class I>
  Flags& set(I label, bool v = true) {
    bits.set(static_cast<size_t>(label), v);
    return *this;
  }
  friend Flags operator|(Flags a, Flags b) { return Flags{a.bits | b.bits}; }
  friend Flags operator&(Flags a, Flags b) { return Flags{a.bits & b.bits}; }
  friend bool operator==(const Flags&, const Flags&) = default;

 private:
  explicit Flags(std::bitset<N> b) : bits(b) {}
};

// Resource handles. T is a tag naming the resource for the reader; the run-time type is in `ref`.
template <class T = void>
struct Own {
  ResourceRef ref;
  friend bool operator==(const Own&, const Own&) = default;
};
template <class T = void>
struct Borrow {
  ResourceRef ref;
  Borrow() = default;
  explicit Borrow(ResourceRef r) : ref(r) {}
  Borrow(const Own<T>& o) : ref(o.ref) {}  // lending an own handle
  friend bool operator==(const Borrow&, const Borrow&) = default;
};

// Drops an own handle held by the host (runs the resource's destructor).
template <class T>
Trapping<void> drop(Store& store, Own<T> h) { return drop_resource(store, h.ref); }

// A host-defined resource type whose representations index host objects of type T. Register
// it with `linker.instance(...).resource(name, r.type())`. Guests dropping their last handle run
// the destructor (the object is erased); an own handle passed to the host is the host's to end
// (`take`). Neither copyable nor movable: its address is the resource type's identity.
template <class T>
class HostResource {
 public:
  explicit HostResource(std::string name) {
    type_.name = std::move(name);
    type_.host_dtor = [this](uint32_t rep) {
      objects_.erase(rep);
      dropped_++;
    };
  }
  HostResource(const HostResource&) = delete;
  HostResource& operator=(const HostResource&) = delete;

  ResourceType* type() { return &type_; }
  Own<T> make(T value) {
    uint32_t rep = next_rep_++;
    objects_.emplace(rep, std::move(value));
    return Own<T>{ResourceRef{&type_, rep}};
  }
  // The object behind a handle; nullptr if it is gone or the handle is of another type.
  T* get(ResourceRef r) {
    auto it = objects_.find(r.rep);
    return r.type == &type_ && it != objects_.end() ? &it->second : nullptr;
  }
  T* get(const Borrow<T>& b) { return get(b.ref); }
  T* get(const Own<T>& o) { return get(o.ref); }
  // Ends an own handle the host received: returns the object (nullopt if unknown).
  std::optional<T> take(const Own<T>& o) {
    auto it = o.ref.type == &type_ ? objects_.find(o.ref.rep) : objects_.end();
    if (it == objects_.end()) return std::nullopt;
    std::optional<T> v(std::move(it->second));
    objects_.erase(it);
    return v;
  }
  size_t live() const { return objects_.size(); }
  uint32_t dropped() const { return dropped_; }  // by guests, through the destructor

 private:
  ResourceType type_;
  std::map<uint32_t, T> objects_;
  uint32_t next_rep_ = 1;
  uint32_t dropped_ = 0;
};

// Printing (test failure messages).
template <class T, class E>
std::ostream& operator<<(std::ostream& os, const Result<T, E>& r) {
  auto side = [&os](const auto& v) {
    if constexpr (requires { os << v; }) os << "(" << v << ")";
  };
  if (r.is_ok()) os << "ok", side(r.value());
  else os << "err", side(r.error());
  return os;
}
template <size_t N>
std::ostream& operator<<(std::ostream& os, const Flags<N>& f) { return os << "flags " << f.bits; }
template <class T>
std::ostream& operator<<(std::ostream& os, const Own<T>& h) { return os << "own(rep " << h.ref.rep << ")"; }
template <class T>
std::ostream& operator<<(std::ostream& os, const Borrow<T>& h) { return os << "borrow(rep " << h.ref.rep << ")"; }

// ---- records -----------------------------------------------------------------------------------

template <class S, class M>
struct FieldRef {
  const char* name;
  M S::*member;
};

// KUMO_RECORD(Type, field, ...): makes `Type` (a struct) a record of those fields, in order.
// Use it at namespace scope in Type's namespace (found by argument-dependent lookup).
#define KUMO_RECORD(Type, ...)                                                     \
  [[maybe_unused]] inline auto kumo_record_fields(const Type*) {                   \
    return std::make_tuple(KUMO_RF_FOR_EACH(KUMO_RF_FIELD, Type, __VA_ARGS__));    \
  }
#define KUMO_RF_FIELD(Type, f) ::kumo::component::rt::FieldRef{#f, &Type::f}
#define KUMO_RF_PARENS ()
#define KUMO_RF_EXPAND(...) KUMO_RF_EXPAND3(KUMO_RF_EXPAND3(KUMO_RF_EXPAND3(__VA_ARGS__)))
#define KUMO_RF_EXPAND3(...) KUMO_RF_EXPAND2(KUMO_RF_EXPAND2(KUMO_RF_EXPAND2(__VA_ARGS__)))
#define KUMO_RF_EXPAND2(...) KUMO_RF_EXPAND1(KUMO_RF_EXPAND1(KUMO_RF_EXPAND1(__VA_ARGS__)))
#define KUMO_RF_EXPAND1(...) __VA_ARGS__
#define KUMO_RF_FOR_EACH(m, T, ...) __VA_OPT__(KUMO_RF_EXPAND(KUMO_RF_HELPER(m, T, __VA_ARGS__)))
#define KUMO_RF_HELPER(m, T, a, ...) m(T, a) __VA_OPT__(, KUMO_RF_AGAIN KUMO_RF_PARENS(m, T, __VA_ARGS__))
#define KUMO_RF_AGAIN() KUMO_RF_HELPER

template <class T>
concept RecordType = requires(const T* p) { kumo_record_fields(p); };

// ---- the mapping -------------------------------------------------------------------------------

namespace typed_detail {

// A value type with defined-type aliases of primitives resolved.
struct Resolved {
  bool prim = false;
  PrimValType p = PrimValType::Bool;
  const DefinedType* def = nullptr;
};
inline Resolved resolve(const TypeArena& a, const ValType& t) {
  if (t.is_primitive()) return {true, t.prim(), nullptr};
  const DefinedType& d = a.defined(t.type());
  if (d.kind == DefinedKind::Primitive) return {true, d.prim, nullptr};
  return {false, PrimValType::Bool, &d};
}
inline bool is_prim(const TypeArena& a, const ValType& t, PrimValType p) {
  Resolved r = resolve(a, t);
  return r.prim && r.p == p;
}
inline const DefinedType* is_kind(const TypeArena& a, const ValType& t, DefinedKind k) {
  Resolved r = resolve(a, t);
  return r.def && r.def->kind == k ? r.def : nullptr;
}
// `a_b` (C++) matches `a-b` (WIT); a trailing `_` (for C++ keywords) is ignored.
inline bool same_name(std::string_view cpp, std::string_view wit) {
  if (!cpp.empty() && cpp.back() == '_') cpp.remove_suffix(1);
  if (cpp.size() != wit.size()) return false;
  for (size_t i = 0; i < cpp.size(); i++)
    if (cpp[i] != wit[i] && !(cpp[i] == '_' && wit[i] == '-')) return false;
  return true;
}

}  // namespace typed_detail

// ValTraits<T>: name() for messages; check(arena, type) -> "" or why it does not match;
// lower(T) -> Val; lift(Val) -> T (the Val must have passed check's type).
template <class T, class = void>
struct ValTraits;

// A mismatch message; the path of nested positions is prepended by the callers.
inline std::string type_mismatch(const TypeArena& a, const ValType& t, const std::string& cpp) {
  return "expected " + to_string(a, t) + ", the C++ type is " + cpp;
}

#define KUMO_TYPED_PRIM(CppT, Prim, Make, Field, Name)                                \
  template <>                                                                        \
  struct ValTraits<CppT> {                                                           \
    static std::string name() { return Name; }                                       \
    static std::string check(const TypeArena& a, const ValType& t) {                 \
      return typed_detail::is_prim(a, t, PrimValType::Prim) ? "" : type_mismatch(a, t, name()); \
    }                                                                                \
    static Val lower(CppT v) { return Val::Make(v); }                                \
    static CppT lift(const Val& v) { return static_cast<CppT>(v.Field); }            \
  };
KUMO_TYPED_PRIM(bool, Bool, boolean, b, "bool")
KUMO_TYPED_PRIM(int8_t, S8, s8, s, "int8_t")
KUMO_TYPED_PRIM(uint8_t, U8, u8, u, "uint8_t")
KUMO_TYPED_PRIM(int16_t, S16, s16, s, "int16_t")
KUMO_TYPED_PRIM(uint16_t, U16, u16, u, "uint16_t")
KUMO_TYPED_PRIM(int32_t, S32, s32, s, "int32_t")
KUMO_TYPED_PRIM(uint32_t, U32, u32, u, "uint32_t")
KUMO_TYPED_PRIM(int64_t, S64, s64, s, "int64_t")
KUMO_TYPED_PRIM(uint64_t, U64, u64, u, "uint64_t")
KUMO_TYPED_PRIM(float, F32, float32, f32, "float")
KUMO_TYPED_PRIM(double, F64, float64, f64, "double")
KUMO_TYPED_PRIM(char32_t, Char, character, c, "char32_t")
#undef KUMO_TYPED_PRIM

template <>
struct ValTraits<std::string> {
  static std::string name() { return "std::string"; }
  static std::string check(const TypeArena& a, const ValType& t) {
    return typed_detail::is_prim(a, t, PrimValType::String) ? "" : type_mismatch(a, t, name());
  }
  static Val lower(const std::string& v) { return Val::string(v); }
  static std::string lift(const Val& v) { return v.str; }
};
template <>
struct ValTraits<std::string_view> : ValTraits<std::string> {
  static std::string name() { return "std::string_view"; }
  static Val lower(std::string_view v) { return Val::string(std::string(v)); }
  static std::string_view lift(const Val& v) { return v.str; }  // views the Val
};

template <>
struct ValTraits<Val> {
  static std::string name() { return "Val"; }
  static std::string check(const TypeArena&, const ValType&) { return ""; }
  static Val lower(const Val& v) { return v; }
  static Val lift(const Val& v) { return v; }
};

template <class T>
struct ValTraits<std::vector<T>> {
  static std::string name() { return "std::vector<" + ValTraits<T>::name() + ">"; }
  static std::string check(const TypeArena& a, const ValType& t) {
    const DefinedType* d = typed_detail::is_kind(a, t, DefinedKind::List);
    if (!d) return type_mismatch(a, t, name());
    std::string e = ValTraits<T>::check(a, *d->elem);
    return e.empty() ? e : "list element: " + e;
  }
  static Val lower(const std::vector<T>& v) { return lower_range(v); }
  template <class Range>  // a vector or a span (std::vector<bool> is no contiguous range)
  static Val lower_range(const Range& v) {
    std::vector<Val> items;
    items.reserve(v.size());
    for (const T& x : v) items.push_back(ValTraits<T>::lower(x));
    return Val::list(std::move(items));
  }
  static std::vector<T> lift(const Val& v) {
    std::vector<T> out;
    out.reserve(v.list_size());
    if (v.byte_list) {  // a compact list<u8>
      for (unsigned char c : v.str) out.push_back(ValTraits<T>::lift(Val::u8(c)));
      return out;
    }
    for (const Val& x : v.items) out.push_back(ValTraits<T>::lift(x));
    return out;
  }
};
template <class T>
struct ValTraits<std::span<const T>> {
  static std::string name() { return "std::span<const " + ValTraits<T>::name() + ">"; }
  static std::string check(const TypeArena& a, const ValType& t) {
    return ValTraits<std::vector<T>>::check(a, t);
  }
  static Val lower(std::span<const T> v) { return ValTraits<std::vector<T>>::lower_range(v); }
};

template <class T>
struct ValTraits<std::optional<T>> {
  static std::string name() { return "std::optional<" + ValTraits<T>::name() + ">"; }
  static std::string check(const TypeArena& a, const ValType& t) {
    const DefinedType* d = typed_detail::is_kind(a, t, DefinedKind::Option);
    if (!d) return type_mismatch(a, t, name());
    std::string e = ValTraits<T>::check(a, *d->elem);
    return e.empty() ? e : "option payload: " + e;
  }
  static Val lower(const std::optional<T>& v) {
    return v ? Val::option(ValTraits<T>::lower(*v)) : Val::option(std::nullopt);
  }
  static std::optional<T> lift(const Val& v) {
    if (v.index == 0 || !v.has_payload()) return std::nullopt;
    return ValTraits<T>::lift(v.payload());
  }
};

namespace typed_detail {
// One side of a result, a variant case: `std::monostate` means "no payload".
template <class T>
std::string check_payload(const TypeArena& a, const std::optional<ValType>& t, const char* what) {
  if constexpr (std::is_same_v<T, std::monostate>) {
    return t ? std::string(what) + ": expected " + to_string(a, *t) + ", the C++ type has no payload"
             : "";
  } else {
    if (!t) return std::string(what) + ": expected no payload, the C++ type is " + ValTraits<T>::name();
    std::string e = ValTraits<T>::check(a, *t);
    return e.empty() ? e : std::string(what) + ": " + e;
  }
}
template <class T>
std::optional<Val> lower_payload(const T& v) {
  if constexpr (std::is_same_v<T, std::monostate>) return std::nullopt;
  else return ValTraits<T>::lower(v);
}
template <class T>
T lift_payload(const Val& v) {
  if constexpr (std::is_same_v<T, std::monostate>) return {};
  else return ValTraits<T>::lift(v.payload());
}
}  // namespace typed_detail

template <class T, class E>
struct ValTraits<Result<T, E>> {
  using R = Result<T, E>;
  using OkT = typename R::ok_type;
  using ErrT = typename R::err_type;
  template <class P>
  static std::string side() {
    if constexpr (std::is_same_v<P, std::monostate>) return "void";
    else return ValTraits<P>::name();
  }
  static std::string name() { return "Result<" + side<OkT>() + ", " + side<ErrT>() + ">"; }
  static std::string check(const TypeArena& a, const ValType& t) {
    const DefinedType* d = typed_detail::is_kind(a, t, DefinedKind::Result);
    if (!d) return type_mismatch(a, t, name());
    std::string e = typed_detail::check_payload<OkT>(a, d->ok, "result ok");
    return e.empty() ? typed_detail::check_payload<ErrT>(a, d->err, "result error") : e;
  }
  static Val lower(const R& v) {
    return v.is_ok() ? Val::ok(typed_detail::lower_payload(v.value()))
                     : Val::error(typed_detail::lower_payload(v.error()));
  }
  static R lift(const Val& v) {
    if (v.index == 0) return Ok(typed_detail::lift_payload<OkT>(v));
    return Err(typed_detail::lift_payload<ErrT>(v));
  }
};

template <class... Ts>
struct ValTraits<std::tuple<Ts...>> {
  using Tup = std::tuple<Ts...>;
  static std::string name() {
    std::string s = "std::tuple<";
    ((s += ValTraits<Ts>::name() + ","), ...);
    if (s.back() == ',') s.pop_back();
    return s + ">";
  }
  static std::string check(const TypeArena& a, const ValType& t) {
    const DefinedType* d = typed_detail::is_kind(a, t, DefinedKind::Tuple);
    if (!d || d->types.size() != sizeof...(Ts)) return type_mismatch(a, t, name());
    return check_at(a, *d, std::index_sequence_for<Ts...>{});
  }
  template <size_t... I>
  static std::string check_at(const TypeArena& a, const DefinedType& d, std::index_sequence<I...>) {
    std::string e;
    ((e.empty() ? void(e = prefix(I, ValTraits<Ts>::check(a, d.types[I]))) : void()), ...);
    return e;
  }
  static std::string prefix(size_t i, std::string e) {
    return e.empty() ? e : "tuple element " + std::to_string(i) + ": " + e;
  }
  static Val lower(const Tup& v) {
    return std::apply([](const Ts&... x) { return Val::tuple({ValTraits<Ts>::lower(x)...}); }, v);
  }
  static Tup lift(const Val& v) { return lift_at(v, std::index_sequence_for<Ts...>{}); }
  template <size_t... I>
  static Tup lift_at(const Val& v, std::index_sequence<I...>) {
    return Tup{ValTraits<Ts>::lift(v.items[I])...};
  }
};

template <RecordType T>
struct ValTraits<T> {
  static auto fields() { return kumo_record_fields(static_cast<const T*>(nullptr)); }
  static constexpr size_t kCount = std::tuple_size_v<decltype(fields())>;
  static std::string name() { return "record struct"; }
  static std::string check(const TypeArena& a, const ValType& t) {
    const DefinedType* d = typed_detail::is_kind(a, t, DefinedKind::Record);
    if (!d) return type_mismatch(a, t, name());
    if (d->fields.size() != kCount)
      return "expected " + to_string(a, t) + ", the C++ struct has " + std::to_string(kCount) +
             " fields";
    std::string e;
    size_t i = 0;
    std::apply([&](auto... f) { (check_field(a, d->fields[i++], f, e), ...); }, fields());
    return e;
  }
  template <class M>
  static void check_field(const TypeArena& a, const Field& wit, FieldRef<T, M> f, std::string& e) {
    if (!e.empty()) return;
    if (!typed_detail::same_name(f.name, wit.name))
      e = std::string("record field `") + wit.name + "`: the C++ field is `" + f.name + "`";
    else if (std::string fe = ValTraits<M>::check(a, wit.type); !fe.empty())
      e = "record field `" + wit.name + "`: " + fe;
  }
  static Val lower(const T& v) {
    return std::apply([&](auto... f) { return Val::record({ValTraits<decltype(fm(f))>::lower(v.*(f.member))...}); },
                      fields());
  }
  static T lift(const Val& v) {
    T out{};
    size_t i = 0;
    std::apply([&](auto... f) { ((out.*(f.member) = ValTraits<decltype(fm(f))>::lift(v.items[i++])), ...); },
               fields());
    return out;
  }
  template <class M>
  static M fm(FieldRef<T, M>);  // the member type of a FieldRef (unevaluated)
};

template <class T>
struct ValTraits<T, std::enable_if_t<std::is_enum_v<T>>> {
  static std::string name() { return "enum"; }
  static std::string check(const TypeArena& a, const ValType& t) {
    return typed_detail::is_kind(a, t, DefinedKind::Enum) ? "" : type_mismatch(a, t, name());
  }
  static Val lower(T v) { return Val::enumeration(static_cast<uint32_t>(v)); }
  static T lift(const Val& v) { return static_cast<T>(v.index); }
};

template <size_t N>
struct ValTraits<Flags<N>> {
  static std::string name() { return "Flags<" + std::to_string(N) + ">"; }
  static std::string check(const TypeArena& a, const ValType& t) {
    const DefinedType* d = typed_detail::is_kind(a, t, DefinedKind::Flags);
    return d && d->labels.size() == N ? "" : type_mismatch(a, t, name());
  }
  static Val lower(const Flags<N>& v) {
    std::vector<uint32_t> words((N + 31) / 32, 0);
    for (size_t i = 0; i < N; i++)
      if (v.bits.test(i)) words[i / 32] |= 1u << (i % 32);
    return Val::flag_set(std::move(words));
  }
  static Flags<N> lift(const Val& v) {
    Flags<N> f;
    for (size_t i = 0; i < N; i++) f.bits.set(i, v.flag(uint32_t(i)));
    return f;
  }
};

template <class... Ts>
struct ValTraits<std::variant<Ts...>> {
  using V = std::variant<Ts...>;
  static std::string name() { return "std::variant<" + std::to_string(sizeof...(Ts)) + " cases>"; }
  static std::string check(const TypeArena& a, const ValType& t) {
    const DefinedType* d = typed_detail::is_kind(a, t, DefinedKind::Variant);
    if (!d || d->cases.size() != sizeof...(Ts)) return type_mismatch(a, t, name());
    return check_at(a, *d, std::index_sequence_for<Ts...>{});
  }
  template <size_t... I>
  static std::string check_at(const TypeArena& a, const DefinedType& d, std::index_sequence<I...>) {
    std::string e;
    ((e.empty() ? void(e = typed_detail::check_payload<Ts>(
                           a, d.cases[I].type, ("variant case `" + d.cases[I].name + "`").c_str()))
                : void()),
     ...);
    return e;
  }
  static Val lower(const V& v) { return lower_at(v, std::index_sequence_for<Ts...>{}); }
  template <size_t... I>
  static Val lower_at(const V& v, std::index_sequence<I...>) {
    Val out;
    ((v.index() == I ? void(out = Val::variant(uint32_t(I), typed_detail::lower_payload(std::get<I>(v))))
                     : void()),
     ...);
    return out;
  }
  static V lift(const Val& v) { return lift_at(v, std::index_sequence_for<Ts...>{}); }
  template <size_t... I>
  static V lift_at(const Val& v, std::index_sequence<I...>) {
    std::optional<V> out;
    ((v.index == I ? void(out.emplace(std::in_place_index<I>, typed_detail::lift_payload<Ts>(v)))
                   : void()),
     ...);
    return std::move(*out);  // check() made the case index valid
  }
};

template <class T>
struct ValTraits<Own<T>> {
  static std::string name() { return "Own"; }
  static std::string check(const TypeArena& a, const ValType& t) {
    return typed_detail::is_kind(a, t, DefinedKind::Own) ? "" : type_mismatch(a, t, name());
  }
  static Val lower(const Own<T>& v) { return Val::own(v.ref); }
  static Own<T> lift(const Val& v) { return Own<T>{v.handle}; }
};
template <class T>
struct ValTraits<Borrow<T>> {
  static std::string name() { return "Borrow"; }
  static std::string check(const TypeArena& a, const ValType& t) {
    return typed_detail::is_kind(a, t, DefinedKind::Borrow) ? "" : type_mismatch(a, t, name());
  }
  static Val lower(const Borrow<T>& v) { return Val::borrow(v.ref); }
  static Borrow<T> lift(const Val& v) { return Borrow<T>{v.handle}; }
};

// ---- function signatures -----------------------------------------------------------------------

template <class T>
using Plain = std::remove_cvref_t<T>;

// Checks a C++ signature (parameter types, result type; R = void: no result) against `ft`.
template <class R, class... Args>
std::string check_signature(const TypeArena& a, const FuncType& ft) {
  if (ft.params.size() != sizeof...(Args))
    return "expected " + std::to_string(ft.params.size()) + " parameters, the C++ signature has " +
           std::to_string(sizeof...(Args));
  std::string e;
  size_t i = 0;
  [[maybe_unused]] auto one = [&](std::string pe) {
    if (e.empty() && !pe.empty())
      e = "parameter " + std::to_string(i) + " `" + ft.params[i].name + "`: " + pe;
    i++;
  };
  (one(ValTraits<Plain<Args>>::check(a, ft.params[i].type)), ...);
  if (!e.empty()) return e;
  if constexpr (std::is_void_v<R>) {
    if (ft.result) return "result: expected " + to_string(a, *ft.result) + ", the C++ signature returns void";
  } else {
    if (!ft.result) return "result: expected none, the C++ signature returns " + ValTraits<R>::name();
    if (std::string re = ValTraits<R>::check(a, *ft.result); !re.empty()) return "result: " + re;
  }
  return "";
}

// ---- calling exports: TypedFunc -----------------------------------------------------------------

template <class Sig>
class TypedFunc;

template <class R, class... Args>
class TypedFunc<R(Args...)> {
  static_assert(!std::is_same_v<R, std::string_view>, "a result cannot be a view: use std::string");

 public:
  // Checks `f`'s type against the C++ signature; `what` names the function in the error.
  static Expected<TypedFunc> from(std::shared_ptr<const Func> f, std::string_view what = "function") {
    if (!f) return err("{}: no such function", what);
    std::string e = check_signature<R, Args...>(*f->arena, f->func_type());
    if (!e.empty())
      return err("{} {}: {} (component type {})", what, "does not match the C++ signature", e,
                 to_string(*f->arena, f->type));
    return TypedFunc(std::move(f));
  }

  Trapping<R> call(Store& store, const Args&... args) const {
    std::vector<Val> vals{ValTraits<Plain<Args>>::lower(args)...};
    if constexpr (std::is_void_v<R>) {
      return rt::call(store, *func_, vals, nullptr, [](std::vector<Val>&) -> Trapping<void> { return {}; });
    } else {
      std::optional<R> out;
      auto r = rt::call(store, *func_, vals, nullptr, [&](std::vector<Val>& results) -> Trapping<void> {
        if (results.size() != 1) return abi_trap("expected 1 result, got " + std::to_string(results.size()));
        out = ValTraits<R>::lift(results[0]);  // copied before post-return runs
        return {};
      });
      if (!r) return Unexpected{std::move(r.error())};
      return std::move(*out);
    }
  }
  const Func& func() const { return *func_; }

 private:
  explicit TypedFunc(std::shared_ptr<const Func> f) : func_(std::move(f)) {}
  std::shared_ptr<const Func> func_;
};

// An exported function: `instance` may be empty for a top-level export.
template <class Sig>
Expected<TypedFunc<Sig>> typed_func(const Instance& inst, std::string_view instance, std::string_view name) {
  std::string what = instance.empty() ? fmt::format("export `{}`", name)
                                      : fmt::format("export `{}` of `{}`", name, instance);
  return TypedFunc<Sig>::from(instance.empty() ? inst.get_func(name) : inst.get_func(instance, name), what);
}
template <class Sig>
Expected<TypedFunc<Sig>> typed_func(const Instance& inst, std::string_view name) {
  return typed_func<Sig>(inst, {}, name);
}

// ---- defining imports: func_wrap ---------------------------------------------------------------

namespace typed_detail {
template <class T>
struct Unwrap {  // a callable's result: R or Trapping<R>
  using type = T;
  static constexpr bool trapping = false;
};
template <class T>
struct Unwrap<Expected<T, Trap>> {
  using type = T;
  static constexpr bool trapping = true;
};

template <class F>
struct Callable : Callable<decltype(&F::operator())> {};
template <class R, class... A>
struct Callable<R (*)(A...)> {
  using result = R;
  using args = std::tuple<A...>;
};
template <class C, class R, class... A>
struct Callable<R (C::*)(A...) const> : Callable<R (*)(A...)> {};
template <class C, class R, class... A>
struct Callable<R (C::*)(A...)> : Callable<R (*)(A...)> {};

template <class Tuple>
struct TakesCall : std::false_type {};
template <class A0, class... A>
struct TakesCall<std::tuple<A0, A...>> : std::is_same<A0, HostCall&> {};

template <class F, class R, class... Args, size_t... I>
Trapping<void> invoke_with(F& f, std::span<const Val> params, std::vector<Val>& results,
                           std::index_sequence<I...>, auto&&... pre) {
  using U = Unwrap<R>;
  if constexpr (std::is_void_v<typename U::type>) {
    if constexpr (U::trapping) return f(pre..., ValTraits<Plain<Args>>::lift(params[I])...);
    else return f(pre..., ValTraits<Plain<Args>>::lift(params[I])...), Trapping<void>{};
  } else {
    if constexpr (U::trapping) {
      auto r = f(pre..., ValTraits<Plain<Args>>::lift(params[I])...);
      if (!r) return Unexpected{std::move(r.error())};
      results.push_back(ValTraits<typename U::type>::lower(*r));
    } else {
      results.push_back(ValTraits<R>::lower(f(pre..., ValTraits<Plain<Args>>::lift(params[I])...)));
    }
    return {};
  }
}
}  // namespace typed_detail

// Wraps a C++ callable as a host function. Its parameters may begin with `HostCall&`; it returns
// a value, void, or Trapping<...> to trap.
template <class F>
HostFunc wrap_func(std::string name, F&& f) {
  using C = typed_detail::Callable<std::decay_t<F>>;
  using R = typename C::result;
  using A = typename C::args;
  if constexpr (typed_detail::TakesCall<A>::value) {
    return []<class... Rest>(std::string n, std::decay_t<F> fn, std::tuple<HostCall&, Rest...>*) -> HostFunc {
      return [n = std::move(n), fn = std::move(fn)](HostCall& call, std::span<const Val> params,
                                                     std::vector<Val>& results) mutable -> Trapping<void> {
        using Res = typename typed_detail::Unwrap<R>::type;
        std::string e = check_signature<Res, Rest...>(call.arena, call.func_type());
        if (!e.empty()) return abi_trap("host function `" + n + "` does not match the importer's type: " + e);
        return typed_detail::invoke_with<std::decay_t<F>, R, Rest...>(fn, params, results,
                                                                      std::index_sequence_for<Rest...>{}, call);
      };
    }(std::move(name), std::forward<F>(f), static_cast<A*>(nullptr));
  } else {
    return []<class... Args>(std::string n, std::decay_t<F> fn, std::tuple<Args...>*) -> HostFunc {
      return [n = std::move(n), fn = std::move(fn)](HostCall& call, std::span<const Val> params,
                                                     std::vector<Val>& results) mutable -> Trapping<void> {
        using Res = typename typed_detail::Unwrap<R>::type;
        std::string e = check_signature<Res, Args...>(call.arena, call.func_type());
        if (!e.empty()) return abi_trap("host function `" + n + "` does not match the importer's type: " + e);
        return typed_detail::invoke_with<std::decay_t<F>, R, Args...>(fn, params, results,
                                                                      std::index_sequence_for<Args...>{});
      };
    }(std::move(name), std::forward<F>(f), static_cast<A*>(nullptr));
  }
}

template <class F>
LinkerInstance& func_wrap(LinkerInstance& li, std::string name, F&& f) {
  HostFunc h = wrap_func(name, std::forward<F>(f));
  return li.func(std::move(name), std::move(h));
}

}  // namespace kumo::component::rt
