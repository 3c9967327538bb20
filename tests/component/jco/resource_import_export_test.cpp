// A guest resource wrapping a host resource of the same interface (wit-bindgen
// tests/runtime/resource_import_and_export, resource_with_lists, resource_aggregates): every call
// on the exported `thing` goes through the imported `thing`; own handles move both ways; handles
// travel inside records, tuples, variants, lists, options and results.
#include <numeric>

#include "jco_host.hpp"

namespace kumo::component::jco {
namespace {

struct Thing {
  uint32_t v;
};
struct ListThing {
  std::vector<uint8_t> l;
};
struct GuestThing;  // the exported resource

std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }
std::vector<uint8_t> cat(std::vector<uint8_t> a, std::string_view b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// ---- resource_import_and_export (Rust) / resource-import-and-export (C) -------------------------

struct ResourceImportAndExport : JcoTest, ::testing::WithParamInterface<const char*> {
  HostResource<Thing> things{"thing"};
  static constexpr const char* kIface = "test:resource-import-and-export/test";

  void SetUp() override {
    ASSERT_TRUE(load(GetParam()));
    auto& i = imports(kIface);
    i.resource("thing", things.type());
    func_wrap(i, "[constructor]thing", [this](uint32_t v) { return things.make(Thing{v + 1}); });
    auto foo = [this](Borrow<Thing> t) -> Trapping<uint32_t> {
      if (Thing* p = things.get(t)) return p->v + 2;
      return abi_trap("foo: unknown thing");
    };
    func_wrap(i, "[method]thing.foo", foo);
    func_wrap(i, "[method]thing.bar", [this](Borrow<Thing> t, uint32_t v) -> Trapping<void> {
      Thing* p = things.get(t);
      if (!p) return abi_trap("bar: unknown thing");
      p->v = v + 3;
      return {};
    });
    func_wrap(i, "[static]thing.baz", [this](Own<Thing> a, Own<Thing> b) -> Trapping<Own<Thing>> {
      auto x = things.take(a), y = things.take(b);
      if (!x || !y) return abi_trap("baz: unknown thing");
      return things.make(Thing{(x->v + 2) + (y->v + 2) + 4 + 1});
    });
    func_wrap(linker_.root(), "toplevel-import", [](Own<Thing> t) { return t; });
    ASSERT_TRUE(instantiate());
  }
  template <class Sig>
  Export<Sig> ex(const char* name) { return get<Sig>(kIface, name); }
};

TEST_P(ResourceImportAndExport, ExportedThingWrapsImportedThing) {
  auto make = ex<Own<GuestThing>(uint32_t)>("[constructor]thing");
  auto foo = ex<uint32_t(Borrow<GuestThing>)>("[method]thing.foo");
  auto bar = ex<void(Borrow<GuestThing>, uint32_t)>("[method]thing.bar");
  auto baz = ex<Own<GuestThing>(Own<GuestThing>, Own<GuestThing>)>("[static]thing.baz");
  Own<GuestThing> t1 = make(42);
  EXPECT_EQ(things.live(), 1u);
  EXPECT_EQ(foo(t1), 42u + 1 + 1 + 2 + 2);
  bar(t1, 33);
  EXPECT_EQ(foo(t1), 33u + 3 + 3 + 2 + 2);
  Own<GuestThing> t2 = make(81);
  Own<GuestThing> t3 = baz(t1, t2);
  EXPECT_EQ(foo(t3), 33u + 3 + 3 + 81 + 1 + 1 + 2 + 2 + 4 + 1 + 2 + 4 + 1 + 1 + 2 + 2);
  ASSERT_TRUE(drop(store(), t3));
  // The guest ended t1, t2 (consumed by baz) and t3 (dropped): their host things are gone too,
  // except that the C guest's destructor frees t3 without dropping the host thing inside it.
  bool c_guest = std::string(GetParam()) == "resource-import-and-export";
  EXPECT_EQ(things.live(), c_guest ? 1u : 0u) << "host things leaked";
}

TEST_P(ResourceImportAndExport, ToplevelExportPassesHostThingThrough) {
  Own<Thing> t = things.make(Thing{7});
  Own<Thing> back = get<Own<Thing>(Own<Thing>)>("", "toplevel-export")(t);
  EXPECT_EQ(back.ref, t.ref) << "the same host resource must come back";
  ASSERT_NE(things.get(back), nullptr);
  EXPECT_EQ(things.get(back)->v, 7u);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ResourceImportAndExport,
                         ::testing::Values("resource_import_and_export", "resource-import-and-export"),
                         [](const auto& info) {
                           return std::string(info.param) == "resource_import_and_export" ? "Rust" : "C";
                         });

// ---- resource_with_lists -----------------------------------------------------------------------

struct ResourceWithLists : JcoTest {};
TEST_F(ResourceWithLists, ListsThroughBothLayers) {
  HostResource<ListThing> things("thing");
  ASSERT_TRUE(load("resource_with_lists"));
  const char* iface = "test:resource-with-lists/test";
  auto& i = imports(iface);
  i.resource("thing", things.type());
  func_wrap(i, "[constructor]thing", [&](std::vector<uint8_t> l) { return things.make({cat(l, " HostThing")}); });
  func_wrap(i, "[method]thing.foo", [&](Borrow<ListThing> t) { return cat(things.get(t)->l, " HostThing.foo"); });
  func_wrap(i, "[method]thing.bar", [&](Borrow<ListThing> t, std::vector<uint8_t> l) {
    things.get(t)->l = cat(l, " HostThing.bar");
  });
  func_wrap(i, "[static]thing.baz", [](std::vector<uint8_t> l) { return cat(l, " HostThing.baz"); });
  ASSERT_TRUE(instantiate());

  using Bytes = std::vector<uint8_t>;
  auto t = get<Own<GuestThing>(Bytes)>(iface, "[constructor]thing")(bytes("Hi"));
  auto foo = get<Bytes(Borrow<GuestThing>)>(iface, "[method]thing.foo");
  EXPECT_EQ(foo(t), bytes("Hi Thing HostThing HostThing.foo Thing.foo"));
  get<void(Borrow<GuestThing>, Bytes)>(iface, "[method]thing.bar")(t, bytes("Hola"));
  EXPECT_EQ(foo(t), bytes("Hola Thing.bar HostThing.bar HostThing.foo Thing.foo"));
  EXPECT_EQ(get<Bytes(Bytes)>(iface, "[static]thing.baz")(bytes("Ohayo Gozaimas")),
            bytes("Ohayo Gozaimas Thing.baz HostThing.baz Thing.baz again"));
  ASSERT_TRUE(drop(store(), t));
  EXPECT_EQ(things.live(), 0u);
  EXPECT_EQ(things.dropped(), 1u);
}

// ---- resource_aggregates -----------------------------------------------------------------------

template <class Handle>
struct R1T {
  Own<Handle> thing;
};
template <class Handle>
struct R2T {
  Borrow<Handle> thing;
};
template <class Handle>
struct R3T {
  Borrow<Handle> thing1;
  Own<Handle> thing2;
};
using R1 = R1T<Thing>;
using R2 = R2T<Thing>;
using R3 = R3T<Thing>;
using GR1 = R1T<GuestThing>;
using GR2 = R2T<GuestThing>;
using GR3 = R3T<GuestThing>;
KUMO_RECORD(R1, thing)
KUMO_RECORD(R2, thing)
KUMO_RECORD(R3, thing1, thing2)
KUMO_RECORD(GR1, thing)
KUMO_RECORD(GR2, thing)
KUMO_RECORD(GR3, thing1, thing2)

template <class H>
using FooSig = uint32_t(R1T<H>, R2T<H>, R3T<H>, std::tuple<Own<H>, R1T<H>>, std::tuple<Borrow<H>>,
                        std::variant<Own<H>>, std::variant<Borrow<H>>, std::vector<Own<H>>,
                        std::vector<Borrow<H>>, std::optional<Own<H>>, std::optional<Borrow<H>>,
                        Result<Own<H>>, Result<Borrow<H>>);

struct ResourceAggregates : JcoTest {};
TEST_F(ResourceAggregates, HandlesInsideEveryAggregate) {
  HostResource<Thing> things("thing");
  ASSERT_TRUE(load("resource_aggregates"));
  const char* iface = "test:resource-aggregates/test";
  auto& i = imports(iface);
  i.resource("thing", things.type());
  func_wrap(i, "[constructor]thing", [&](uint32_t v) { return things.make(Thing{v + 2}); });
  func_wrap(i, "foo",
            [&](R1 r1, R2 r2, R3 r3, std::tuple<Own<Thing>, R1> t1, std::tuple<Borrow<Thing>> t2,
                std::variant<Own<Thing>> v1, std::variant<Borrow<Thing>> v2, std::vector<Own<Thing>> l1,
                std::vector<Borrow<Thing>> l2, std::optional<Own<Thing>> o1, std::optional<Borrow<Thing>> o2,
                Result<Own<Thing>> res1, Result<Borrow<Thing>> res2) -> Trapping<uint32_t> {
              std::vector<ResourceRef> refs{r1.thing.ref, r2.thing.ref, r3.thing1.ref, r3.thing2.ref,
                                            std::get<0>(t1).ref, std::get<1>(t1).thing.ref,
                                            std::get<0>(t2).ref, std::get<0>(v1).ref, std::get<0>(v2).ref};
              for (auto& h : l1) refs.push_back(h.ref);
              for (auto& h : l2) refs.push_back(h.ref);
              if (o1) refs.push_back(o1->ref);
              if (o2) refs.push_back(o2->ref);
              if (res1.is_ok()) refs.push_back(res1.value().ref);
              if (res2.is_ok()) refs.push_back(res2.value().ref);
              uint32_t sum = 3;
              for (ResourceRef r : refs) {
                Thing* t = things.get(r);
                if (!t) return abi_trap("foo: unknown thing");
                sum += t->v;
              }
              return sum;
            });
  ASSERT_TRUE(instantiate());

  auto make = get<Own<GuestThing>(uint32_t)>(iface, "[constructor]thing");
  std::vector<Own<GuestThing>> t;
  uint32_t expected = 3 + 4;
  for (uint32_t v = 1; v < 18; v++) {
    t.push_back(make(v));
    expected += v + 1 + 2;
  }
  ASSERT_EQ(t.size(), 17u);
  using G = GuestThing;
  auto foo = get<FooSig<G>>(iface, "foo");
  uint32_t r = foo(GR1{t[0]}, GR2{Borrow<G>(t[1])}, GR3{Borrow<G>(t[2]), t[3]}, std::tuple{t[4], GR1{t[5]}},
                   std::tuple{Borrow<G>(t[6])}, std::variant<Own<G>>(t[7]), std::variant<Borrow<G>>(Borrow<G>(t[8])),
                   std::vector<Own<G>>{t[9], t[10]}, std::vector<Borrow<G>>{t[11], t[12]},
                   std::optional<Own<G>>(t[13]), std::optional<Borrow<G>>(t[14]), Result<Own<G>>(Ok(t[15])),
                   Result<Borrow<G>>(Ok(Borrow<G>(t[16]))));
  EXPECT_EQ(r, expected);
  // Handles passed as own were consumed by the guest; the borrowed ones are still the host's.
  for (size_t k : {1, 2, 6, 8, 11, 12, 14, 16}) EXPECT_TRUE(drop(store(), t[k])) << "thing " << k;
}

}  // namespace
}  // namespace kumo::component::jco
