// variants: option/result with payloads of different types, enums, bools, variants whose cases
// join different flat types (the casts between i32/i64/f32/f64 slots), cases without payload,
// typedefs (wit-bindgen tests/runtime/variants).
#include "jco_host.hpp"

namespace kumo::component::jco {
namespace {

enum class E1 : uint32_t { A, B };
enum class MyErrno : uint32_t { Success, A, B };
using C1 = std::variant<int32_t, int64_t>;
using C2 = std::variant<int32_t, float>;
using C3 = std::variant<int32_t, double>;
using C4 = std::variant<int64_t, float>;
using C5 = std::variant<int64_t, double>;
using C6 = std::variant<float, double>;
using Casts = std::tuple<C1, C2, C3, C4, C5, C6>;
using Z1 = std::variant<int32_t, std::monostate>;
using Z2 = std::variant<int64_t, std::monostate>;
using Z3 = std::variant<float, std::monostate>;
using Z4 = std::variant<double, std::monostate>;
using Zeros = std::tuple<Z1, Z2, Z3, Z4>;
using Enums = std::tuple<bool, Result<>, MyErrno>;

template <size_t I, class V, class T>
V make(T v) { return V(std::in_place_index<I>, v); }

const Casts kCastsA{make<0, C1>(1), make<0, C2>(2), make<0, C3>(3), make<0, C4>(int64_t(4)),
                    make<0, C5>(int64_t(5)), make<0, C6>(6.0f)};
const Casts kCastsB{make<1, C1>(int64_t(1)), make<1, C2>(2.0f), make<1, C3>(3.0), make<1, C4>(4.0f),
                    make<1, C5>(5.0), make<1, C6>(6.0)};
const Zeros kZerosA{make<0, Z1>(1), make<0, Z2>(int64_t(2)), make<0, Z3>(3.0f), make<0, Z4>(4.0)};
const Zeros kZerosB{make<1, Z1>(std::monostate{}), make<1, Z2>(std::monostate{}),
                    make<1, Z3>(std::monostate{}), make<1, Z4>(std::monostate{})};

struct Variants : JcoTest {
  int calls = 0;
  void SetUp() override {
    ASSERT_TRUE(load("variants"));
    auto& i = imports("test:variants/test");
    func_wrap(i, "roundtrip-option", [this](std::optional<float> a) -> std::optional<uint8_t> {
      calls++;
      if (!a) return std::nullopt;
      return uint8_t(*a);
    });
    func_wrap(i, "roundtrip-result", [this](Result<uint32_t, float> a) -> Result<double, uint8_t> {
      calls++;
      if (a.is_ok()) return Ok(double(a.value()));
      return Err(uint8_t(a.error()));
    });
    func_wrap(i, "roundtrip-enum", [this](E1 e) { return calls++, e; });
    func_wrap(i, "invert-bool", [this](bool b) { return calls++, !b; });
    func_wrap(i, "variant-casts", [this](Casts c) { return calls++, c; });
    func_wrap(i, "variant-zeros", [this](Zeros z) { return calls++, z; });
    func_wrap(i, "variant-typedefs", [this](std::optional<uint32_t> a, bool b, Result<uint32_t> c) {
      calls++;
      EXPECT_EQ(a, std::nullopt);
      EXPECT_FALSE(b);
      EXPECT_TRUE(c.is_err());
    });
    func_wrap(i, "variant-enums", [this](bool a, Result<> b, MyErrno c) -> Enums {
      calls++;
      EXPECT_TRUE(a);
      EXPECT_TRUE(b.is_ok());
      EXPECT_EQ(c, MyErrno::Success);
      return {false, Err(), MyErrno::A};
    });
    ASSERT_TRUE(instantiate());
  }
  template <class Sig>
  Export<Sig> test(const char* name) { return get<Sig>("test:variants/test", name); }
};

TEST_F(Variants, GuestCallsImports) {
  get<void()>("", "test-imports")();
  EXPECT_EQ(calls, 16);
}

TEST_F(Variants, OptionsAndResults) {
  auto opt = test<std::optional<uint8_t>(std::optional<float>)>("roundtrip-option");
  EXPECT_EQ(opt(1.0f), 1);
  EXPECT_EQ(opt(std::nullopt), std::nullopt);
  EXPECT_EQ(opt(2.0f), 2);
  auto res = test<Result<double, uint8_t>(Result<uint32_t, float>)>("roundtrip-result");
  EXPECT_EQ(res(Ok(2u)), (Result<double, uint8_t>(Ok(2.0))));
  EXPECT_EQ(res(Ok(4u)), (Result<double, uint8_t>(Ok(4.0))));
  EXPECT_EQ(res(Err(5.3f)), (Result<double, uint8_t>(Err(uint8_t(5)))));
}

TEST_F(Variants, EnumsAndBools) {
  auto e = test<E1(E1)>("roundtrip-enum");
  EXPECT_EQ(e(E1::A), E1::A);
  EXPECT_EQ(e(E1::B), E1::B);
  auto inv = test<bool(bool)>("invert-bool");
  EXPECT_FALSE(inv(true));
  EXPECT_TRUE(inv(false));
  // The fixture's C guest (tests/runtime/variants/wasm.c) implements variant-enums as
  // `assert(0)`; the guest-to-host direction is checked in GuestCallsImports.
}

TEST_F(Variants, CastsAndZeros) {
  auto casts = test<Casts(Casts)>("variant-casts");
  EXPECT_EQ(casts(kCastsA), kCastsA);
  EXPECT_EQ(casts(kCastsB), kCastsB);
  // Bit patterns that only survive if the joined slots are reinterpreted, not converted.
  Casts odd{make<1, C1>(INT64_MIN), make<1, C2>(-0.0f), make<1, C3>(1e300), make<1, C4>(3.5f),
            make<1, C5>(-2.25), make<0, C6>(1e-40f)};
  EXPECT_EQ(casts(odd), odd);
  auto zeros = test<Zeros(Zeros)>("variant-zeros");
  EXPECT_EQ(zeros(kZerosA), kZerosA);
  EXPECT_EQ(zeros(kZerosB), kZerosB);
  test<void(std::optional<uint32_t>, bool, Result<uint32_t>)>("variant-typedefs")(std::nullopt, false, Err());
}

}  // namespace
}  // namespace kumo::component::jco
