// The typed host API (component/runtime/typed.hpp): C++ <-> Val conversions, signature checks
// against component types, and wrapped host functions, without running any component.
#include "component/runtime/typed.hpp"

#include <gtest/gtest.h>

namespace kumo::component::rt {
namespace typed_test {

struct Point {
  uint32_t x_coord = 0;
  std::string label;
  friend bool operator==(const Point&, const Point&) = default;
};
KUMO_RECORD(Point, x_coord, label)

enum class Color : uint32_t { Red, Green, Blue };

struct Types {
  TypeArena a;
  ValType prim(PrimValType p) { return ValType::primitive(p); }
  ValType def(DefinedType d) { return ValType::defined(a.add(std::move(d), TypeInfo{})); }
  ValType list(ValType e) {
    DefinedType d;
    d.kind = DefinedKind::List;
    d.elem = e;
    return def(d);
  }
  ValType option(ValType e) {
    DefinedType d;
    d.kind = DefinedKind::Option;
    d.elem = e;
    return def(d);
  }
  ValType result(std::optional<ValType> ok, std::optional<ValType> err) {
    DefinedType d;
    d.kind = DefinedKind::Result;
    d.ok = ok, d.err = err;
    return def(d);
  }
  ValType record(std::vector<Field> f) {
    DefinedType d;
    d.kind = DefinedKind::Record;
    d.fields = std::move(f);
    return def(d);
  }
  ValType tuple(std::vector<ValType> t) {
    DefinedType d;
    d.kind = DefinedKind::Tuple;
    d.types = std::move(t);
    return def(d);
  }
  ValType labels(DefinedKind k, size_t n) {
    DefinedType d;
    d.kind = k;
    for (size_t i = 0; i < n; i++) d.labels.push_back("l" + std::to_string(i));
    return def(d);
  }
  ValType variant(std::vector<Case> c) {
    DefinedType d;
    d.kind = DefinedKind::Variant;
    d.cases = std::move(c);
    return def(d);
  }
  TypeId func(std::vector<ValType> params, std::optional<ValType> result) {
    FuncType f;
    for (size_t i = 0; i < params.size(); i++) f.params.push_back({"p" + std::to_string(i), params[i]});
    f.result = result;
    return a.add(std::move(f), TypeInfo{});
  }
};

template <class T>
T round(const T& v) {
  return ValTraits<T>::lift(ValTraits<T>::lower(v));
}

TEST(Typed, ScalarsCheckTheirPrimitive) {
  Types t;
  EXPECT_EQ(ValTraits<uint8_t>::check(t.a, t.prim(PrimValType::U8)), "");
  std::string e = ValTraits<uint8_t>::check(t.a, t.prim(PrimValType::S8));
  EXPECT_NE(e.find("s8"), std::string::npos) << e;
  EXPECT_NE(e.find("uint8_t"), std::string::npos) << e;
  EXPECT_NE(ValTraits<int64_t>::check(t.a, t.prim(PrimValType::U64)), "");
  EXPECT_NE(ValTraits<float>::check(t.a, t.prim(PrimValType::F64)), "");
  EXPECT_EQ(ValTraits<std::string_view>::check(t.a, t.prim(PrimValType::String)), "");
  EXPECT_EQ(round(int8_t(-128)), -128);
  EXPECT_EQ(round(uint64_t(UINT64_MAX)), UINT64_MAX);
  EXPECT_EQ(round(int64_t(INT64_MIN)), INT64_MIN);
  EXPECT_EQ(round(char32_t(0x1F6A9)), char32_t(0x1F6A9));
  EXPECT_EQ(ValTraits<int16_t>::lower(-2).s, -2);
  EXPECT_EQ(ValTraits<int16_t>::lower(-2).kind, ValKind::S16);
}

TEST(Typed, Compounds) {
  Types t;
  auto s = t.prim(PrimValType::String);
  auto u32 = t.prim(PrimValType::U32);
  EXPECT_EQ(ValTraits<std::vector<std::string>>::check(t.a, t.list(s)), "");
  std::string e = ValTraits<std::vector<uint32_t>>::check(t.a, t.list(s));
  EXPECT_EQ(e.rfind("list element: ", 0), 0u) << e;
  EXPECT_EQ(ValTraits<std::optional<uint32_t>>::check(t.a, t.option(u32)), "");
  EXPECT_NE(ValTraits<std::optional<uint32_t>>::check(t.a, t.list(u32)), "");
  EXPECT_EQ((ValTraits<Result<uint32_t, std::string>>::check(t.a, t.result(u32, s))), "");
  EXPECT_EQ((ValTraits<Result<void, std::string>>::check(t.a, t.result(std::nullopt, s))), "");
  EXPECT_NE((ValTraits<Result<uint32_t, std::string>>::check(t.a, t.result(std::nullopt, s))), "");
  EXPECT_EQ((ValTraits<std::tuple<uint32_t, std::string>>::check(t.a, t.tuple({u32, s}))), "");
  EXPECT_NE((ValTraits<std::tuple<uint32_t>>::check(t.a, t.tuple({u32, s}))), "");

  EXPECT_EQ(round(std::vector<std::string>{"a", "", "ccc"}), (std::vector<std::string>{"a", "", "ccc"}));
  EXPECT_EQ(round(std::optional<uint32_t>{}), std::nullopt);
  EXPECT_EQ(round(std::optional<uint32_t>{7}), 7u);
  Result<uint32_t, std::string> ok = Ok(3u), bad = Err(std::string("no"));
  EXPECT_TRUE(round(ok).is_ok());
  EXPECT_EQ(round(ok).value(), 3u);
  EXPECT_EQ(round(bad).error(), "no");
  Result<std::string, std::string> same = Err(std::string("e"));  // same type on both sides
  EXPECT_TRUE(round(same).is_err());
  EXPECT_EQ(round(std::tuple<uint8_t, std::string>{1, "x"}), (std::tuple<uint8_t, std::string>{1, "x"}));
  EXPECT_EQ(ValTraits<std::span<const uint8_t>>::lower(std::vector<uint8_t>{1, 2}).items.size(), 2u);
}

TEST(Typed, RecordsCheckFieldNamesAndTypes) {
  Types t;
  auto s = t.prim(PrimValType::String);
  auto u32 = t.prim(PrimValType::U32);
  EXPECT_EQ(ValTraits<Point>::check(t.a, t.record({{"x-coord", u32}, {"label", s}})), "");
  std::string e = ValTraits<Point>::check(t.a, t.record({{"label", s}, {"x-coord", u32}}));
  EXPECT_NE(e.find("`label`"), std::string::npos) << e;
  e = ValTraits<Point>::check(t.a, t.record({{"x-coord", s}, {"label", s}}));
  EXPECT_NE(e.find("record field `x-coord`"), std::string::npos) << e;
  EXPECT_NE(ValTraits<Point>::check(t.a, t.record({{"x-coord", u32}})), "");
  Point p{5, "five"};
  Val v = ValTraits<Point>::lower(p);
  EXPECT_EQ(v.kind, ValKind::Record);
  ASSERT_EQ(v.items.size(), 2u);
  EXPECT_EQ(v.items[1].str, "five");
  EXPECT_EQ(round(p), p);
}

TEST(Typed, EnumsFlagsVariants) {
  Types t;
  auto u32 = t.prim(PrimValType::U32);
  EXPECT_EQ(ValTraits<Color>::check(t.a, t.labels(DefinedKind::Enum, 3)), "");
  EXPECT_EQ(round(Color::Blue), Color::Blue);
  EXPECT_EQ(ValTraits<Color>::lower(Color::Green).index, 1u);

  EXPECT_EQ(ValTraits<Flags<40>>::check(t.a, t.labels(DefinedKind::Flags, 40)), "");
  EXPECT_NE(ValTraits<Flags<8>>::check(t.a, t.labels(DefinedKind::Flags, 9)), "");
  auto f = Flags<40>::of(0, 33, 39);
  Val fv = ValTraits<Flags<40>>::lower(f);
  ASSERT_EQ(fv.flags.size(), 2u);
  EXPECT_EQ(fv.flags[0], 1u);
  EXPECT_EQ(fv.flags[1], (1u << 1) | (1u << 7));
  EXPECT_EQ(round(f), f);
  EXPECT_TRUE(round(f).test(33));
  EXPECT_FALSE(round(f).test(32));

  using V = std::variant<std::monostate, uint32_t, uint32_t>;
  auto vt = t.variant({{"a", std::nullopt}, {"b", u32}, {"c", u32}});
  EXPECT_EQ(ValTraits<V>::check(t.a, vt), "");
  std::string e = ValTraits<std::variant<uint32_t, uint32_t, uint32_t>>::check(t.a, vt);
  EXPECT_NE(e.find("variant case `a`"), std::string::npos) << e;
  V c(std::in_place_index<2>, 9u);
  Val cv = ValTraits<V>::lower(c);
  EXPECT_EQ(cv.index, 2u);
  EXPECT_EQ(round(c).index(), 2u);
  EXPECT_EQ(std::get<2>(round(c)), 9u);
  EXPECT_EQ(round(V{}).index(), 0u);
}

TEST(Typed, SignatureCheckNamesTheParameter) {
  Types t;
  auto u8 = t.prim(PrimValType::U8);
  auto s = t.prim(PrimValType::String);
  const FuncType& ft = t.a.func(t.func({u8, s}, u8));
  EXPECT_EQ((check_signature<uint8_t, uint8_t, std::string_view>(t.a, ft)), "");
  std::string e = check_signature<uint8_t, uint8_t, uint8_t>(t.a, ft);
  EXPECT_EQ(e.rfind("parameter 1 `p1`", 0), 0u) << e;
  e = check_signature<void, uint8_t, std::string>(t.a, ft);
  EXPECT_EQ(e.rfind("result", 0), 0u) << e;
  e = check_signature<uint8_t, uint8_t>(t.a, ft);
  EXPECT_NE(e.find("2 parameters"), std::string::npos) << e;
}

TEST(Typed, WrappedHostFunctions) {
  Types t;
  auto u32 = t.prim(PrimValType::U32);
  auto s = t.prim(PrimValType::String);
  TypeId ft = t.func({s, u32}, t.result(u32, s));
  wasm::Engine engine;
  Store store(engine);
  HostCall call{store, t.a, ft};

  HostFunc f = wrap_func("f", [](std::string_view str, uint32_t n) -> Result<uint32_t, std::string> {
    if (n == 0) return Err(std::string(str));
    return Ok(uint32_t(str.size() * n));
  });
  std::vector<Val> args{Val::string("abc"), Val::u32(2)}, results;
  ASSERT_TRUE(f(call, args, results));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0], Val::ok(Val::u32(6)));
  results.clear();
  args[1] = Val::u32(0);
  ASSERT_TRUE(f(call, args, results));
  EXPECT_EQ(results[0], Val::error(Val::string("abc")));

  // HostCall& first, and a Trapping result that traps.
  bool saw_store = false;
  HostFunc g = wrap_func("g", [&](HostCall& c, std::string, uint32_t) -> Trapping<Result<uint32_t, std::string>> {
    saw_store = &c.store == &store;
    return abi_trap("boom");
  });
  results.clear();
  auto r = g(call, args, results);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "boom");
  EXPECT_TRUE(saw_store);

  // A C++ signature that does not match the importer's type traps, naming the function.
  HostFunc h = wrap_func("h", [](uint32_t, uint32_t) { return Result<uint32_t, std::string>{}; });
  r = h(call, args, results);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("host function `h`"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("parameter 0"), std::string::npos) << r.error().message;
}

}  // namespace typed_test
}  // namespace kumo::component::rt
