// records: tuples, flags of 2, 3, 8, 16 and 32 labels, a record holding flags, a 1-tuple
// (wit-bindgen tests/runtime/records).
#include "jco_host.hpp"

namespace kumo::component::jco {
namespace {

using F1 = Flags<2>;  // a, b
using F2 = Flags<3>;  // c, d, e
enum { A, B };
enum { C, D, E };

struct R1 {
  uint8_t a = 0;
  F1 b;
  friend bool operator==(const R1&, const R1&) = default;
};
KUMO_RECORD(R1, a, b)

struct Records : JcoTest {
  int calls = 0;
  void SetUp() override {
    ASSERT_TRUE(load("records"));
    auto& i = imports("test:records/test");
    func_wrap(i, "multiple-results", [this] { return calls++, std::tuple<uint8_t, uint16_t>{4, 5}; });
    func_wrap(i, "swap-tuple", [this](std::tuple<uint8_t, uint32_t> t) {
      return calls++, std::tuple{std::get<1>(t), std::get<0>(t)};
    });
    func_wrap(i, "roundtrip-flags1", [this](F1 f) { return calls++, f; });
    func_wrap(i, "roundtrip-flags2", [this](F2 f) { return calls++, f; });
    func_wrap(i, "roundtrip-flags3", [this](Flags<8> a, Flags<16> b, Flags<32> c) {
      EXPECT_EQ(a, Flags<8>::of(0));
      EXPECT_EQ(b, Flags<16>::of(1));
      EXPECT_EQ(c, Flags<32>::of(2));
      return calls++, std::tuple{a, b, c};
    });
    func_wrap(i, "roundtrip-record1", [this](R1 r) { return calls++, r; });
    func_wrap(i, "tuple1", [this](std::tuple<uint8_t> t) { return calls++, t; });
    ASSERT_TRUE(instantiate());
  }
  template <class Sig>
  Export<Sig> test(const char* name) { return get<Sig>("test:records/test", name); }
};

TEST_F(Records, GuestCallsImports) {
  get<void()>("", "test-imports")();
  EXPECT_EQ(calls, 14);
}

TEST_F(Records, Tuples) {
  EXPECT_EQ((test<std::tuple<uint8_t, uint16_t>()>("multiple-results")()), (std::tuple<uint8_t, uint16_t>{100, 200}));
  EXPECT_EQ((test<std::tuple<uint32_t, uint8_t>(std::tuple<uint8_t, uint32_t>)>("swap-tuple")({1, 2})),
            (std::tuple<uint32_t, uint8_t>{2, 1}));
  EXPECT_EQ((test<std::tuple<uint8_t>(std::tuple<uint8_t>)>("tuple1")({1})), std::tuple<uint8_t>{1});
}

TEST_F(Records, Flags) {
  auto f1 = test<F1(F1)>("roundtrip-flags1");
  for (F1 v : {F1::of(A), F1{}, F1::of(B), F1::of(A, B)}) EXPECT_EQ(f1(v), v);
  auto f2 = test<F2(F2)>("roundtrip-flags2");
  for (F2 v : {F2::of(C), F2{}, F2::of(D), F2::of(C, E)}) EXPECT_EQ(f2(v), v);
  auto f3 = test<std::tuple<Flags<8>, Flags<16>, Flags<32>>(Flags<8>, Flags<16>, Flags<32>)>("roundtrip-flags3");
  EXPECT_EQ(f3(Flags<8>::of(0), Flags<16>::of(1), Flags<32>::of(2)),
            std::tuple(Flags<8>::of(0), Flags<16>::of(1), Flags<32>::of(2)));
  // Every bit, including the top one of each width.
  Flags<8> a(0xA5);
  Flags<16> b(0x8001);
  Flags<32> c(0xFFFFFFFFu);
  EXPECT_EQ(f3(a, b, c), std::tuple(a, b, c));
}

TEST_F(Records, Record) {
  auto r = test<R1(R1)>("roundtrip-record1");
  EXPECT_EQ(r(R1{8, F1{}}), (R1{8, F1{}}));
  EXPECT_EQ(r(R1{0, F1::of(A, B)}), (R1{0, F1::of(A, B)}));
}

}  // namespace
}  // namespace kumo::component::jco
