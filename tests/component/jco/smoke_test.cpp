// smoke: the export calls the import, then printf()s through wasi-libc, the preview1 adapter and
// wasi:cli/stdout (wit-bindgen tests/runtime/smoke, C guest).
#include "jco_host.hpp"

namespace kumo::component::jco {
namespace {

struct Smoke : JcoTest {
  int hits = 0;
  void SetUp() override {
    ASSERT_TRUE(load("smoke"));
    func_wrap(imports("test:smoke/imports"), "thunk", [this] { hits++; });
    ASSERT_TRUE(instantiate());
  }
};

TEST_F(Smoke, ThunkCallsTheHostAndPrints) {
  auto thunk = get<void()>("", "thunk");
  thunk();
  EXPECT_EQ(hits, 1);
  EXPECT_EQ(wasi_.stdout_text(), "howdy\n");
  // A C command-model guest runs its destructors (closing stdout) after each export call, so a
  // second call reaches the host again but prints nothing: that is wasi-libc, not the host.
  thunk();
  EXPECT_EQ(hits, 2);
}

// A host function that traps unwinds the calling guest: the export returns the host's trap and
// the guest's printf never runs.
struct SmokeTrap : JcoTest {};
TEST_F(SmokeTrap, HostTrapUnwindsTheGuest) {
  ASSERT_TRUE(load("smoke"));
  func_wrap(imports("test:smoke/imports"), "thunk", []() -> Trapping<void> { return abi_trap("host says no"); });
  ASSERT_TRUE(instantiate());
  auto r = get<void()>("", "thunk").try_call();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("host says no"), std::string::npos) << r.error().to_string();
  EXPECT_EQ(wasi_.stdout_text(), "");
}

// A host function whose C++ signature does not match the import traps with a message naming it.
TEST_F(SmokeTrap, MismatchedHostSignatureTraps) {
  ASSERT_TRUE(load("smoke"));
  func_wrap(imports("test:smoke/imports"), "thunk", [](uint32_t) {});
  ASSERT_TRUE(instantiate());
  auto r = get<void()>("", "thunk").try_call();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("host function `thunk`"), std::string::npos) << r.error().to_string();
}

}  // namespace
}  // namespace kumo::component::jco
