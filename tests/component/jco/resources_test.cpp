// resources: a host-defined resource `y` used by the guest (constructor, methods, a static
// function taking and returning own handles, drops), and guest-defined resources `x`, `z`,
// `kebab-case` used by the host: own handles moved in and out, borrows lent for a call, and
// destructors running when the last handle is dropped (wit-bindgen tests/runtime/resources; the
// fixture's guest is the C one, wasm.c).
#include "jco_host.hpp"

namespace kumo::component::jco {
namespace {

struct Y {
  int32_t a;
};
struct X;  // guest-defined: tags only
struct Z;
struct KebabCase;

struct Resources : JcoTest {
  HostResource<Y> ys{"y"};
  int constructed = 0;

  void SetUp() override {
    ASSERT_TRUE(load("resources"));
    auto& i = imports("imports");
    i.resource("y", ys.type());
    func_wrap(i, "[constructor]y", [this](int32_t a) { return constructed++, ys.make(Y{a}); });
    func_wrap(i, "[method]y.get-a", [this](Borrow<Y> self) -> Trapping<int32_t> {
      if (Y* y = ys.get(self)) return y->a;
      return abi_trap("get-a: unknown y");
    });
    func_wrap(i, "[method]y.set-a", [this](Borrow<Y> self, int32_t a) -> Trapping<void> {
      Y* y = ys.get(self);
      if (!y) return abi_trap("set-a: unknown y");
      y->a = a;
      return {};
    });
    // The guest gives up `y`: the host ends it and makes a new one.
    func_wrap(i, "[static]y.add", [this](Own<Y> y, int32_t a) -> Trapping<Own<Y>> {
      auto v = ys.take(y);
      if (!v) return abi_trap("add: unknown y");
      return ys.make(Y{v->a + a});
    });
    ASSERT_TRUE(instantiate());
  }
  template <class Sig>
  Export<Sig> ex(const char* name) { return get<Sig>("exports", name); }
};

TEST_F(Resources, GuestUsesHostResource) {
  auto r = ex<Result<void, std::string>()>("test-imports")();
  EXPECT_TRUE(r.is_ok());
  EXPECT_EQ(constructed, 3);
  // y, y1, y2 went to the host through `add`; y2 (=add(y)), y3, y4 were dropped by the guest.
  EXPECT_EQ(ys.dropped(), 3u);
  EXPECT_EQ(ys.live(), 0u) << "a host resource leaked";
}

TEST_F(Resources, HostUsesGuestResources) {
  auto x_new = ex<Own<X>(int32_t)>("[constructor]x");
  auto x_get = ex<int32_t(Borrow<X>)>("[method]x.get-a");
  auto x_set = ex<void(Borrow<X>, int32_t)>("[method]x.set-a");
  auto x_add = ex<Own<X>(Own<X>, int32_t)>("[static]x.add");
  auto z_new = ex<Own<Z>(int32_t)>("[constructor]z");
  auto z_get = ex<int32_t(Borrow<Z>)>("[method]z.get-a");
  auto z_dropped = ex<uint32_t()>("[static]z.num-dropped");
  auto add = ex<Own<Z>(Borrow<Z>, Borrow<Z>)>("add");
  auto consume = ex<void(Own<X>)>("consume");

  Own<X> x = x_new(5);
  EXPECT_NE(x.ref.type, nullptr);
  EXPECT_EQ(x_get(x), 5);
  x_set(x, 10);
  EXPECT_EQ(x_get(x), 10);
  Own<Z> z1 = z_new(10), z2 = z_new(20);
  EXPECT_EQ(z_get(z1), 10);
  EXPECT_EQ(z_get(z2), 20);
  EXPECT_NE(z1.ref, z2.ref);
  Own<X> x2 = x_add(x, 5);  // `x` moves into the guest and comes back
  EXPECT_EQ(x_get(x2), 15);
  Own<Z> z3 = add(z1, z2);
  EXPECT_EQ(z_get(z3), 30);

  // The C guest's num-dropped is its drop count plus one.
  uint32_t start = z_dropped();
  EXPECT_EQ(start, 1u);
  ASSERT_TRUE(drop(store(), z1));
  EXPECT_EQ(z_dropped(), start + 1);
  ASSERT_TRUE(drop(store(), z2));
  EXPECT_EQ(z_dropped(), start + 2);
  consume(x2);
  ASSERT_TRUE(drop(store(), z3));
  EXPECT_EQ(z_dropped(), start + 3);
}

TEST_F(Resources, KebabCase) {
  auto k_new = ex<Own<KebabCase>(uint32_t)>("[constructor]kebab-case");
  auto k_get = ex<uint32_t(Borrow<KebabCase>)>("[method]kebab-case.get-a");
  auto take = ex<uint32_t(Own<KebabCase>)>("[static]kebab-case.take-owned");
  Own<KebabCase> k = k_new(7);
  EXPECT_EQ(k_get(k), 7u);
  EXPECT_EQ(take(k), 7u);
}

}  // namespace
}  // namespace kumo::component::jco
