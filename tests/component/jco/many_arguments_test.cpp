// many-arguments / many_arguments (the C and the Rust guest): an export taking 16 u64, which
// asserts they are 1..16 and passes them on to an import with the same signature (wit-bindgen
// tests/runtime/many_arguments). 16 i64 are exactly MAX_FLAT_PARAMS: the last flat call shape.
#include <array>

#include "jco_host.hpp"

namespace kumo::component::jco {
namespace {

using u64 = uint64_t;
using Sig = void(u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64);

struct ManyArguments : JcoTest, ::testing::WithParamInterface<const char*> {
  std::vector<std::array<u64, 16>> received;
  void SetUp() override {
    ASSERT_TRUE(load(GetParam()));
    func_wrap(imports("imports"), "many-arguments",
              [this](u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6, u64 a7, u64 a8, u64 a9, u64 a10,
                     u64 a11, u64 a12, u64 a13, u64 a14, u64 a15, u64 a16) {
                received.push_back({a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16});
              });
    ASSERT_TRUE(instantiate());
  }
};

TEST_P(ManyArguments, PassedThroughInOrder) {
  auto f = get<Sig>("", "many-arguments");
  f(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
  ASSERT_EQ(received.size(), 1u);
  for (u64 i = 0; i < 16; i++) EXPECT_EQ(received[0][i], i + 1) << "argument " << i + 1;
}

TEST_P(ManyArguments, GuestRejectsWrongValues) {
  auto f = get<Sig>("", "many-arguments");
  // The guest asserts every argument: a wrong last one must reach it as such (and trap).
  auto r = f.try_call(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, u64(16) | (u64(1) << 63));
  EXPECT_FALSE(r);
  EXPECT_TRUE(received.empty());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ManyArguments, ::testing::Values("many-arguments", "many_arguments"),
                         [](const auto& info) {
                           return std::string(info.param) == "many-arguments" ? "C" : "Rust";
                         });

}  // namespace
}  // namespace kumo::component::jco
