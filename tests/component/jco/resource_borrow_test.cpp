// Borrowing resources (wit-bindgen tests/runtime/resource_borrow_{simple,import,export} and
// resource_into_inner): a guest lends a host resource for a call and drops it afterwards; the
// host lends a guest resource; a guest resource is created and unwrapped inside the guest.
#include "jco_host.hpp"

namespace kumo::component::jco {
namespace {

struct R {};
struct Thing {
  uint32_t v;
};

// The world imports `resource r { constructor(); }` and `test: func(r: borrow<r>)` at its root.
struct ResourceBorrowSimple : JcoTest, ::testing::WithParamInterface<const char*> {
  HostResource<R> rs{"r"};
  std::vector<bool> lent_alive;  // whether the lent handle's object existed during `test`
};

TEST_P(ResourceBorrowSimple, GuestLendsHostResource) {
  ASSERT_TRUE(load(GetParam()));
  auto& root = linker_.root();
  root.resource("r", rs.type());
  func_wrap(root, "[constructor]r", [this] { return rs.make(R{}); });
  func_wrap(root, "test", [this](Borrow<R> r) { lent_alive.push_back(rs.get(r) != nullptr); });
  ASSERT_TRUE(instantiate());
  get<void()>("", "test-imports")();
  EXPECT_EQ(lent_alive, std::vector<bool>{true});
  EXPECT_EQ(rs.dropped(), 1u) << "the guest's `r` was not dropped after the call";
  EXPECT_EQ(rs.live(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ResourceBorrowSimple,
                         ::testing::Values("resource_borrow_simple", "resource-borrow-simple"),
                         [](const auto& info) {
                           return std::string(info.param) == "resource_borrow_simple" ? "Rust" : "C";
                         });

struct ResourceBorrowImport : JcoTest {};
TEST_F(ResourceBorrowImport, HostReadsLentResource) {
  HostResource<Thing> things("thing");
  ASSERT_TRUE(load("resource_borrow_import"));
  auto& i = imports("test:resource-borrow-import/test");
  i.resource("thing", things.type());
  func_wrap(i, "[constructor]thing", [&](uint32_t v) { return things.make(Thing{v + 2}); });
  func_wrap(i, "foo", [&](Borrow<Thing> t) -> Trapping<uint32_t> {
    if (Thing* p = things.get(t)) return p->v + 3;
    return abi_trap("foo: unknown thing");
  });
  ASSERT_TRUE(instantiate());
  EXPECT_EQ(get<uint32_t(uint32_t)>("", "test")(42), 42u + 1 + 2 + 3 + 4);
  EXPECT_EQ(things.dropped(), 1u);
  EXPECT_EQ(things.live(), 0u);
}

struct ResourceBorrowExport : JcoTest {};
TEST_F(ResourceBorrowExport, HostLendsGuestResource) {
  ASSERT_TRUE(setup("resource_borrow_export"));
  const char* iface = "test:resource-borrow-export/test";
  Own<Thing> t = get<Own<Thing>(uint32_t)>(iface, "[constructor]thing")(42);
  auto foo = get<uint32_t(Borrow<Thing>)>(iface, "foo");
  EXPECT_EQ(foo(t), 42u + 1 + 2);
  EXPECT_EQ(foo(t), 42u + 1 + 2) << "the borrow must leave the handle with the host";
  EXPECT_TRUE(drop(store(), t));
}

struct ResourceIntoInner : JcoTest {};
TEST_F(ResourceIntoInner, GuestUnwrapsItsOwnResource) {
  ASSERT_TRUE(setup("resource_into_inner"));
  get<void()>("test:resource-into-inner/test", "test")();
}

}  // namespace
}  // namespace kumo::component::jco
