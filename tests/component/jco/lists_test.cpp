// lists: lists of every element type, empty lists and strings, nested lists, large lists, and
// min/max values of every integer and float type, in both directions (wit-bindgen
// tests/runtime/lists). The guest's allocator must be back where it started afterwards.
#include <limits>

#include "jco_host.hpp"

namespace kumo::component::jco {
namespace {

template <class T>
using L = std::numeric_limits<T>;
using Strs = std::vector<std::string>;

template <class A, class B>
std::pair<std::vector<A>, std::vector<B>> minmax() {
  return {{L<A>::lowest(), L<A>::max()}, {L<B>::lowest(), L<B>::max()}};
}

struct Lists : JcoTest {
  int calls = 0;

  template <class A, class B>
  void minmax_import(const char* name) {
    func_wrap(imports("test:lists/test"), name, [this](std::vector<A> a, std::vector<B> b) {
      calls++;
      auto [ea, eb] = minmax<A, B>();
      if constexpr (std::is_floating_point_v<A>) {
        ea.push_back(-L<A>::infinity()), ea.push_back(L<A>::infinity());
        eb.push_back(-L<B>::infinity()), eb.push_back(L<B>::infinity());
      }
      EXPECT_EQ(a, ea);
      EXPECT_EQ(b, eb);
      return std::tuple{a, b};
    });
  }
  void SetUp() override {
    ASSERT_TRUE(load("lists"));
    auto& i = imports("test:lists/test");
    auto count = [this] { calls++; };
    func_wrap(i, "empty-list-param", [=](std::vector<uint8_t> a) { count(); EXPECT_TRUE(a.empty()); });
    func_wrap(i, "empty-string-param", [=](std::string a) { count(); EXPECT_EQ(a, ""); });
    func_wrap(i, "empty-list-result", [=] { return count(), std::vector<uint8_t>{}; });
    func_wrap(i, "empty-string-result", [=] { return count(), std::string(); });
    func_wrap(i, "list-param", [=](std::vector<uint8_t> a) {
      count(); EXPECT_EQ(a, (std::vector<uint8_t>{1, 2, 3, 4}));
    });
    func_wrap(i, "list-param2", [=](std::string a) { count(); EXPECT_EQ(a, "foo"); });
    func_wrap(i, "list-param3", [=](Strs a) { count(); EXPECT_EQ(a, (Strs{"foo", "bar", "baz"})); });
    func_wrap(i, "list-param4", [=](std::vector<Strs> a) {
      count(); EXPECT_EQ(a, (std::vector<Strs>{{"foo", "bar"}, {"baz"}}));
    });
    func_wrap(i, "list-param5", [=](std::vector<std::tuple<uint8_t, uint32_t, uint8_t>> a) {
      count(); EXPECT_EQ(a, (std::vector<std::tuple<uint8_t, uint32_t, uint8_t>>{{1, 2, 3}, {4, 5, 6}}));
    });
    func_wrap(i, "list-param-large", [=](Strs a) {
      count(); EXPECT_EQ(a, Strs(1000, "string"));
    });
    func_wrap(i, "list-result", [=] { return count(), std::vector<uint8_t>{1, 2, 3, 4, 5}; });
    func_wrap(i, "list-result2", [=] { return count(), std::string("hello!"); });
    func_wrap(i, "list-result3", [=] { return count(), Strs{"hello,", "world!"}; });
    func_wrap(i, "list-roundtrip", [=](std::vector<uint8_t> a) { return count(), a; });
    func_wrap(i, "string-roundtrip", [=](std::string a) { return count(), a; });
    minmax_import<uint8_t, int8_t>("list-minmax8");
    minmax_import<uint16_t, int16_t>("list-minmax16");
    minmax_import<uint32_t, int32_t>("list-minmax32");
    minmax_import<uint64_t, int64_t>("list-minmax64");
    minmax_import<float, double>("list-minmax-float");
    ASSERT_TRUE(instantiate());
  }
  template <class Sig>
  Export<Sig> test(const char* name) { return get<Sig>("test:lists/test", name); }
};

TEST_F(Lists, GuestCallsImports) {
  // The fixture's guest is wit-bindgen's C one (tests/runtime/lists/wasm.c): it makes every call
  // but list-param-large (24), including the min/max lists, which the host checks above.
  get<void()>("", "test-imports")();
  EXPECT_EQ(calls, 24);
}

TEST_F(Lists, Exports) {
  auto allocated = get<uint32_t()>("", "allocated-bytes");
  uint32_t before = allocated();
  test<void(std::span<const uint8_t>)>("empty-list-param")(std::vector<uint8_t>{});
  test<void(std::string)>("empty-string-param")("");
  EXPECT_TRUE(test<std::vector<uint8_t>()>("empty-list-result")().empty());
  EXPECT_EQ(test<std::string()>("empty-string-result")(), "");
  test<void(std::span<const uint8_t>)>("list-param")(std::vector<uint8_t>{1, 2, 3, 4});
  test<void(std::string)>("list-param2")("foo");
  test<void(Strs)>("list-param3")(Strs{"foo", "bar", "baz"});
  test<void(std::vector<Strs>)>("list-param4")(std::vector<Strs>{{"foo", "bar"}, {"baz"}});
  test<void(std::vector<std::tuple<uint8_t, uint32_t, uint8_t>>)>("list-param5")({{1, 2, 3}, {4, 5, 6}});
  test<void(Strs)>("list-param-large")(Strs(1000, "string"));
  EXPECT_EQ(test<std::vector<uint8_t>()>("list-result")(), (std::vector<uint8_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(test<std::string()>("list-result2")(), "hello!");
  EXPECT_EQ(test<Strs()>("list-result3")(), (Strs{"hello,", "world!"}));
  auto sr = test<std::string(std::string)>("string-roundtrip");
  for (const char* s : {"x", "", "hello ⚑ world"}) EXPECT_EQ(sr(s), s);
  auto lr = test<std::vector<uint8_t>(std::vector<uint8_t>)>("list-roundtrip");
  for (std::vector<uint8_t> v : {std::vector<uint8_t>{}, {'x'}, {'h', 'e', 'l', 'l', 'o'}}) EXPECT_EQ(lr(v), v);
  std::vector<uint8_t> big(100000);
  for (size_t k = 0; k < big.size(); k++) big[k] = uint8_t(k * 31);
  EXPECT_EQ(lr(big), big);
  EXPECT_EQ(allocated(), before) << "the guest leaked memory (a missing free / post-return)";
}

// The C guest's list-minmax* exports are `assert(0)` stubs, so the extremes are only checked in
// the guest-to-host direction (Lists.GuestCallsImports). Calling one must trap cleanly.
TEST_F(Lists, MinMaxExportsAreStubsInTheCGuest) {
  auto f = test<std::tuple<std::vector<uint8_t>, std::vector<int8_t>>(std::vector<uint8_t>, std::vector<int8_t>)>("list-minmax8");
  auto [a, b] = minmax<uint8_t, int8_t>();
  auto r = f.try_call(a, b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, wasm::TrapCode::Unreachable) << r.error().to_string();
}

}  // namespace
}  // namespace kumo::component::jco
