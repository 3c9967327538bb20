// results: result<T, E> with string, enum, record and variant errors, an empty error, and a
// result nested in a result. The Rust guest forwards each export to the same-named import, so
// every value crosses the ABI four times (wit-bindgen tests/runtime/results).
#include "jco_host.hpp"

namespace kumo::component::jco {
namespace {

enum class E : uint32_t { A, B, C };
struct E2 {
  uint32_t line = 0, column = 0;
  friend bool operator==(const E2&, const E2&) = default;
};
KUMO_RECORD(E2, line, column)
using E3 = std::variant<E, E2>;
using Double = Result<Result<void, std::string>, std::string>;

template <size_t I, class V, class T>
V make(T v) { return V(std::in_place_index<I>, v); }

struct Results : JcoTest {
  int calls = 0;
  void SetUp() override {
    ASSERT_TRUE(load("results"));
    auto& i = imports("test:results/test");
    func_wrap(i, "string-error", [this](float a) -> Result<float, std::string> {
      calls++;
      if (a == 0) return Err(std::string("zero"));
      return Ok(a);
    });
    func_wrap(i, "enum-error", [this](float a) -> Result<float, E> {
      calls++;
      if (a == 0) return Err(E::A);
      return Ok(a);
    });
    func_wrap(i, "record-error", [this](float a) -> Result<float, E2> {
      calls++;
      if (a == 0) return Err(E2{420, 0});
      if (a == 1) return Err(E2{77, 2});
      return Ok(a);
    });
    func_wrap(i, "variant-error", [this](float a) -> Result<float, E3> {
      calls++;
      if (a == 0) return Err(make<1, E3>(E2{420, 0}));
      if (a == 1) return Err(make<0, E3>(E::B));
      if (a == 2) return Err(make<0, E3>(E::C));
      return Ok(a);
    });
    func_wrap(i, "empty-error", [this](uint32_t a) -> Result<uint32_t> {
      calls++;
      if (a == 0) return Err();
      return Ok(a == 1 ? 42u : a);
    });
    func_wrap(i, "double-error", [this](uint32_t a) -> Double {
      calls++;
      if (a == 0) return Ok(Result<void, std::string>(Ok()));
      if (a == 1) return Ok(Result<void, std::string>(Err(std::string("one"))));
      return Err(std::string("two"));
    });
    ASSERT_TRUE(instantiate());
  }
  template <class Sig>
  Export<Sig> test(const char* name) { return get<Sig>("test:results/test", name); }
};

TEST_F(Results, StringAndEnumErrors) {
  auto s = test<Result<float, std::string>(float)>("string-error");
  EXPECT_EQ(s(0), (Result<float, std::string>(Err(std::string("zero")))));
  EXPECT_EQ(s(1), (Result<float, std::string>(Ok(1.0f))));
  auto e = test<Result<float, E>(float)>("enum-error");
  EXPECT_EQ(e(0), (Result<float, E>(Err(E::A))));
  EXPECT_EQ(e(5.5f), (Result<float, E>(Ok(5.5f))));
  EXPECT_EQ(calls, 4);
}

TEST_F(Results, RecordAndVariantErrors) {
  auto r = test<Result<float, E2>(float)>("record-error");
  EXPECT_EQ(r(0), (Result<float, E2>(Err(E2{420, 0}))));
  EXPECT_EQ(r(1), (Result<float, E2>(Err(E2{77, 2}))));
  EXPECT_EQ(r(2), (Result<float, E2>(Ok(2.0f))));
  auto v = test<Result<float, E3>(float)>("variant-error");
  EXPECT_EQ(v(0), (Result<float, E3>(Err(make<1, E3>(E2{420, 0})))));
  EXPECT_EQ(v(1), (Result<float, E3>(Err(make<0, E3>(E::B)))));
  EXPECT_EQ(v(2), (Result<float, E3>(Err(make<0, E3>(E::C)))));
  EXPECT_EQ(v(3), (Result<float, E3>(Ok(3.0f))));
}

TEST_F(Results, EmptyAndNestedErrors) {
  auto e = test<Result<uint32_t>(uint32_t)>("empty-error");
  EXPECT_TRUE(e(0).is_err());
  EXPECT_EQ(e(1), Result<uint32_t>(Ok(42u)));
  EXPECT_EQ(e(2), Result<uint32_t>(Ok(2u)));
  auto d = test<Double(uint32_t)>("double-error");
  EXPECT_EQ(d(0), Double(Ok(Result<void, std::string>(Ok()))));
  EXPECT_EQ(d(1), Double(Ok(Result<void, std::string>(Err(std::string("one"))))));
  EXPECT_EQ(d(2), Double(Err(std::string("two"))));
}

}  // namespace
}  // namespace kumo::component::jco
