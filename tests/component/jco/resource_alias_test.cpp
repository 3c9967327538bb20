// Resources named through `use` aliases and records around them (wit-bindgen
// tests/runtime/resource_alias, resource_alias_redux, resource_borrow_in_record): the aliased
// names are the same resource type, so handles go through unchanged.
#include "jco_host.hpp"

namespace kumo::component::jco {
namespace {

struct X;  // guest-defined
struct Text {
  std::string s;
};

template <class H>
struct FooT {
  Own<H> x;
};
using FooX = FooT<X>;
KUMO_RECORD(FooX, x)

struct ResourceAlias : JcoTest {};
TEST_F(ResourceAlias, AliasedHandlesComeBackUnchanged) {
  ASSERT_TRUE(setup("resource_alias"));
  const char* e1 = "test:resource-alias/e1";
  auto make = get<Own<X>(uint32_t)>(e1, "[constructor]x");
  Own<X> x42 = make(42);
  auto r1 = get<std::vector<Own<X>>(FooX)>(e1, "a")(FooX{x42});
  ASSERT_EQ(r1.size(), 1u);
  EXPECT_EQ(r1[0].ref, x42.ref);
  Own<X> x7 = make(7), x8 = make(8), y = make(8);
  auto r2 = get<std::vector<Own<X>>(FooX, FooX, Borrow<X>)>("test:resource-alias/e2", "a")(FooX{x7}, FooX{x8}, y);
  ASSERT_EQ(r2.size(), 2u);
  EXPECT_EQ(r2[0].ref, x7.ref);
  EXPECT_EQ(r2[1].ref, x8.ref);
  for (Own<X> h : {r1[0], r2[0], r2[1], y}) EXPECT_TRUE(drop(store(), h));
}

// ---- resource_alias_redux: thing is imported (host) and exported (guest, wrapping the host's) ---

struct GThing;
// Records whose field is `thing`.
struct HFoo {
  Own<Text> thing;
};
struct GFoo {
  Own<GThing> thing;
};
KUMO_RECORD(HFoo, thing)
KUMO_RECORD(GFoo, thing)

struct ResourceAliasRedux : JcoTest {
  HostResource<Text> things{"thing"};
  void SetUp() override {
    ASSERT_TRUE(load("resource_alias_redux"));
    auto& a1 = imports("test:resource-alias-redux/resource-alias1");
    auto& a2 = imports("test:resource-alias-redux/resource-alias2");
    a1.resource("thing", things.type());
    a2.resource("thing", things.type());  // `use resource-alias1.{thing}`: the same type
    func_wrap(a1, "[constructor]thing", [this](std::string s) { return things.make({s + " HostThing"}); });
    func_wrap(a1, "[method]thing.get", [this](Borrow<Text> t) -> Trapping<std::string> {
      if (Text* p = things.get(t)) return p->s + " HostThing.get";
      return abi_trap("get: unknown thing");
    });
    func_wrap(a1, "a", [](HFoo f) { return std::vector<Own<Text>>{f.thing}; });
    func_wrap(a2, "b", [](HFoo f, HFoo g) { return std::vector<Own<Text>>{f.thing, g.thing}; });
    ASSERT_TRUE(instantiate());
  }
};

TEST_F(ResourceAliasRedux, HostThingsThroughTheWorldExport) {
  Own<Text> t = things.make({"Ni Hao HostThing"});
  auto back = get<std::vector<Own<Text>>(std::vector<Own<Text>>)>("", "test")(std::vector<Own<Text>>{t});
  ASSERT_EQ(back.size(), 1u);
  ASSERT_NE(things.get(back[0]), nullptr);
  EXPECT_EQ(things.get(back[0])->s, "Ni Hao HostThing");
}

TEST_F(ResourceAliasRedux, GuestThingsThroughAliases) {
  const char* a1 = "test:resource-alias-redux/resource-alias1";
  auto make = get<Own<GThing>(std::string)>(a1, "[constructor]thing");
  auto getter = get<std::string(Borrow<GThing>)>(a1, "[method]thing.get");
  auto r = get<std::vector<Own<GThing>>(GFoo)>(a1, "a")(GFoo{make("Ciao")});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(getter(r[0]), "Ciao Thing HostThing HostThing.get Thing.get");
  auto r2 = get<std::vector<Own<GThing>>(GFoo, GFoo)>("test:resource-alias-redux/resource-alias2", "b")(
      GFoo{make("Ciao")}, GFoo{make("Aloha")});
  ASSERT_EQ(r2.size(), 2u);
  EXPECT_EQ(getter(r2[0]), "Ciao Thing HostThing HostThing.get Thing.get");
  EXPECT_EQ(getter(r2[1]), "Aloha Thing HostThing HostThing.get Thing.get");
  for (auto& h : {r[0], r2[0], r2[1]}) EXPECT_TRUE(drop(store(), h));
  EXPECT_EQ(things.live(), 0u) << "dropping the guest things must drop the host things inside";
}

// ---- resource_borrow_in_record ------------------------------------------------------------------

struct HBorrowFoo {
  Borrow<Text> thing;
};
struct GBorrowFoo {
  Borrow<GThing> thing;
};
KUMO_RECORD(HBorrowFoo, thing)
KUMO_RECORD(GBorrowFoo, thing)

struct ResourceBorrowInRecord : JcoTest {};
TEST_F(ResourceBorrowInRecord, BorrowsInsideListOfRecords) {
  HostResource<Text> things("thing");
  ASSERT_TRUE(load("resource_borrow_in_record"));
  const char* iface = "test:resource-borrow-in-record/test";
  auto& i = imports(iface);
  i.resource("thing", things.type());
  func_wrap(i, "[constructor]thing", [&](std::string s) { return things.make({s + " HostThing"}); });
  func_wrap(i, "[method]thing.get", [&](Borrow<Text> t) { return things.get(t)->s + " HostThing.get"; });
  func_wrap(i, "test", [&](std::vector<HBorrowFoo> a) -> Trapping<std::vector<Own<Text>>> {
    std::vector<Own<Text>> out;
    for (auto& f : a) {
      Text* p = things.get(f.thing);
      if (!p) return abi_trap("test: unknown thing");
      out.push_back(things.make({p->s + " test HostThing"}));
    }
    return out;
  });
  ASSERT_TRUE(instantiate());

  auto make = get<Own<GThing>(std::string)>(iface, "[constructor]thing");
  Own<GThing> t1 = make("Bonjour"), t2 = make("mon cher");
  auto res = get<std::vector<Own<GThing>>(std::vector<GBorrowFoo>)>(iface, "test")(
      std::vector<GBorrowFoo>{{Borrow<GThing>(t1)}, {Borrow<GThing>(t2)}});
  ASSERT_EQ(res.size(), 2u);
  auto getter = get<std::string(Borrow<GThing>)>(iface, "[method]thing.get");
  EXPECT_EQ(getter(res[0]), "Bonjour Thing HostThing test HostThing HostThing.get Thing.get");
  EXPECT_EQ(getter(res[1]), "mon cher Thing HostThing test HostThing HostThing.get Thing.get");
  for (auto& h : {t1, t2, res[0], res[1]}) EXPECT_TRUE(drop(store(), h));
  EXPECT_EQ(things.live(), 0u);
}

}  // namespace
}  // namespace kumo::component::jco
