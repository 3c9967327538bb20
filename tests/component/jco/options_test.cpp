// options: option<string> none/some in both directions, and nested options whose `some(none)`
// must stay distinct from `none` (wit-bindgen tests/runtime/options, Rust guest).
#include "jco_host.hpp"

namespace kumo::component::jco {
namespace {

using OptStr = std::optional<std::string>;
using DoubleOpt = std::optional<std::optional<uint32_t>>;

struct Options : JcoTest {
  int calls = 0;
  void SetUp() override {
    ASSERT_TRUE(load("options"));
    auto& i = imports("test:options/test");
    func_wrap(i, "option-none-param", [this](OptStr a) {
      calls++;
      EXPECT_EQ(a, std::nullopt);
    });
    func_wrap(i, "option-some-param", [this](OptStr a) {
      calls++;
      EXPECT_EQ(a, "foo");
    });
    func_wrap(i, "option-none-result", [this] { return calls++, OptStr{}; });
    func_wrap(i, "option-some-result", [this] { return calls++, OptStr{"foo"}; });
    func_wrap(i, "option-roundtrip", [this](OptStr a) { return calls++, a; });
    func_wrap(i, "double-option-roundtrip", [this](DoubleOpt a) { return calls++, a; });
    ASSERT_TRUE(instantiate());
  }
  template <class Sig>
  Export<Sig> test(const char* name) { return get<Sig>("test:options/test", name); }
};

TEST_F(Options, GuestCallsImports) {
  get<void()>("", "test-imports")();
  EXPECT_EQ(calls, 8);
}

TEST_F(Options, Exports) {
  EXPECT_EQ(test<OptStr()>("option-none-result")(), std::nullopt);
  EXPECT_EQ(test<OptStr()>("option-some-result")(), "foo");
  test<void(OptStr)>("option-none-param")(std::nullopt);
  test<void(OptStr)>("option-some-param")(std::string("foo"));
  auto rt = test<OptStr(OptStr)>("option-roundtrip");
  EXPECT_EQ(rt(std::string("foo")), "foo");
  EXPECT_EQ(rt(std::nullopt), std::nullopt);
  EXPECT_EQ(rt(std::string("")), "");
  auto d = test<DoubleOpt(DoubleOpt)>("double-option-roundtrip");
  EXPECT_EQ(d(DoubleOpt(std::optional<uint32_t>(42))), DoubleOpt(std::optional<uint32_t>(42)));
  DoubleOpt some_none = d(DoubleOpt(std::optional<uint32_t>()));
  ASSERT_TRUE(some_none.has_value()) << "some(none) came back as none";
  EXPECT_FALSE(some_none->has_value());
  EXPECT_EQ(d(DoubleOpt()), DoubleOpt());
}

}  // namespace
}  // namespace kumo::component::jco
