// Handle tables, instance entry flags and resource handles crossing the canonical ABI.
#include "abi_fixture.hpp"

using namespace kumo;
using namespace kumo::component;
using namespace kumo::component::abitest;

TEST(ComponentAbiHandles, TableReusesMostRecentlyFreedFirst) {
  rt::HandleTable t;
  rt::ResourceHandle h;
  EXPECT_EQ(*t.add(h), 1u);  // index 0 is never handed out
  EXPECT_EQ(*t.add(h), 2u);
  EXPECT_EQ(*t.add(h), 3u);
  EXPECT_EQ(t.live(), 3u);
  ASSERT_TRUE(t.remove(2));
  ASSERT_TRUE(t.remove(1));
  EXPECT_EQ(t.live(), 1u);
  EXPECT_EQ(*t.add(h), 1u);
  EXPECT_EQ(*t.add(h), 2u);
  EXPECT_EQ(*t.add(h), 4u);
  EXPECT_EQ(trap_message(t.get(0)), "unknown handle index 0");
  EXPECT_EQ(trap_message(t.get(5)), "unknown handle index 5");
  EXPECT_EQ(trap_message(t.remove(4294967295u)), "unknown handle index 4294967295");
  ASSERT_TRUE(t.remove(3));
  EXPECT_EQ(trap_message(t.remove(3)), "unknown handle index 3");
  EXPECT_EQ(t.get(3).error().code, wasm::TrapCode::HostError);
}

TEST(ComponentAbiHandles, EnteringSetExcludesTheCallersAncestors) {
  rt::InstanceState root, a, b, a1;
  a.parent = &root;
  b.parent = &root;
  a1.parent = &a;
  // From the host: a1, a and root are entered.
  EXPECT_TRUE(a1.may_enter_from(nullptr));
  a1.enter_from(nullptr);
  EXPECT_FALSE(a1.may_enter);
  EXPECT_FALSE(a.may_enter);
  EXPECT_FALSE(root.may_enter);
  EXPECT_FALSE(b.may_enter_from(nullptr));  // root is busy
  a1.leave_to(nullptr);
  EXPECT_TRUE(root.may_enter && a.may_enter && a1.may_enter);
  // From b (a sibling under root): only a1 and a, not the shared root.
  root.may_enter = false;
  b.may_enter = false;
  EXPECT_TRUE(a1.may_enter_from(&b));
  a1.enter_from(&b);
  EXPECT_FALSE(a.may_enter);
  a1.leave_to(&b);
  EXPECT_TRUE(a.may_enter);
  EXPECT_FALSE(root.may_enter);  // untouched
  // A child calling its parent's instance enters nothing new.
  a.may_enter = false;
  EXPECT_TRUE(a.may_enter_from(&a1));
}

namespace {

struct Resources : Bench {
  rt::InstanceState defining;  // the instance that defines R1/R2
  rt::ResourceType r1 = make("r1"), r2 = make("r2");
  TypeId t1 = resource(&r1), t2 = resource(&r2);
  rt::ResourceType make(std::string name) {
    rt::ResourceType r;
    r.name = std::move(name);
    r.impl = &defining;
    return r;
  }
  ValType own1 = handle(t1, true), borrow1 = handle(t1, false), own2 = handle(t2, true);
};

}  // namespace

TEST(ComponentAbiHandles, OwnHandlesMoveBetweenTables) {
  Resources b;
  auto cx = b.cx();
  std::vector<uint64_t> out;
  ASSERT_TRUE(rt::lower_flat(cx, Val::own({&b.r1, 42}), b.own1, out));
  ASSERT_EQ(out, (std::vector<uint64_t>{1}));
  EXPECT_EQ(b.inst.handles.live(), 1u);

  // Lifting an own takes it out of the table.
  rt::FlatReader in{out};
  auto v = rt::lift_flat(cx, in, b.own1);
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, Val::own({&b.r1, 42}));
  EXPECT_EQ(b.inst.handles.live(), 0u);
  rt::FlatReader again{out};
  EXPECT_EQ(trap_message(rt::lift_flat(cx, again, b.own1)), "unknown handle index 1");

  // The wrong resource type.
  out.clear();
  ASSERT_TRUE(rt::lower_flat(cx, Val::own({&b.r1, 7}), b.own1, out));
  rt::FlatReader wrong{out};
  EXPECT_EQ(trap_message(rt::lift_flat(cx, wrong, b.own2)),
            "handle index 1 used with the wrong type, expected guest-defined resource but found a "
            "different guest-defined resource");
  // A host value of another resource type cannot be lowered as this one.
  EXPECT_FALSE(rt::lower_flat(cx, Val::own({&b.r2, 1}), b.own1, out));
  // Through memory as well.
  ASSERT_TRUE(rt::store(cx, Val::own({&b.r1, 9}), b.own1, 8));
  uint32_t idx = b.peek32(8);
  auto loaded = rt::load(cx, 8, b.own1);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->handle.rep, 9u);
  EXPECT_FALSE(b.inst.handles.get(idx));
}

TEST(ComponentAbiHandles, LentHandlesCannotBeMoved) {
  Resources b;
  auto cx = b.cx();
  std::vector<uint64_t> h;
  ASSERT_TRUE(rt::lower_flat(cx, Val::own({&b.r1, 5}), b.own1, h));
  // borrow-and-take(h, h): the borrow lends h, so taking it traps.
  std::vector<uint64_t> args{h[0], h[0]};
  rt::FlatReader in{args};
  auto borrowed = rt::lift_flat(cx, in, b.borrow1);
  ASSERT_TRUE(borrowed);
  EXPECT_EQ(*borrowed, Val::borrow({&b.r1, 5}));
  EXPECT_EQ((*b.inst.handles.get(1))->num_lends, 1u);
  EXPECT_EQ(cx.lent, (std::vector<uint32_t>{1}));
  EXPECT_EQ(trap_message(rt::lift_flat(cx, in, b.own1)), "cannot remove owned resource while borrowed");
  // After the call the lend is released and the handle can move again.
  rt::release_lends(cx);
  EXPECT_TRUE(cx.lent.empty());
  EXPECT_EQ((*b.inst.handles.get(1))->num_lends, 0u);
  rt::FlatReader take{h};
  EXPECT_TRUE(rt::lift_flat(cx, take, b.own1));
}

TEST(ComponentAbiHandles, LoweredBorrowsAreCounted) {
  Resources b;
  rt::BorrowScope scope;
  auto cx = b.cx();
  cx.borrow_scope = &scope;
  std::vector<uint64_t> out;
  ASSERT_TRUE(rt::lower_flat(cx, Val::borrow({&b.r1, 77}), b.borrow1, out));
  ASSERT_EQ(out, (std::vector<uint64_t>{1}));
  EXPECT_EQ(scope.num_borrows, 1u);
  rt::ResourceHandle* h = *b.inst.handles.get(1);
  EXPECT_FALSE(h->own);
  EXPECT_EQ(h->rep, 77u);
  EXPECT_EQ(h->borrow_scope, &scope);

  // Lowering a borrow into the resource's own defining instance passes the rep itself.
  rt::CanonOptions opts;
  LiftLowerContext into_impl{b.store, opts, &b.defining, b.env, &scope, {}};
  out.clear();
  ASSERT_TRUE(rt::lower_flat(into_impl, Val::borrow({&b.r1, 77}), b.borrow1, out));
  EXPECT_EQ(out, (std::vector<uint64_t>{77}));
  EXPECT_EQ(scope.num_borrows, 1u);
  EXPECT_EQ(b.defining.handles.live(), 0u);
}

TEST(ComponentAbiHandles, TypeEnvResolvesResourceTypes) {
  Resources b;
  EXPECT_EQ(b.env.resource(b.t1), &b.r1);
  EXPECT_EQ(b.env.resource(b.t2), &b.r2);
  EXPECT_EQ(b.env.resource(TypeId{}), nullptr);
  EXPECT_EQ(b.env.resource(b.own1.type()), nullptr);  // not a resource type
  // An alias of a resource type names the same resource.
  EXPECT_EQ(b.env.resource(b.arena->alias(b.t1)), &b.r1);
}

TEST(ComponentAbiVal, EqualityAndPrinting) {
  EXPECT_EQ(Val::float32(std::nanf("")), Val::float32(-std::nanf("1")));
  EXPECT_NE(Val::u32(1), Val::s32(1));
  EXPECT_NE(Val::ok(Val::u8(1)), Val::error(Val::u8(1)));
  EXPECT_EQ(Val::flag_set({1}), Val::flag_set({1, 0}));
  EXPECT_EQ(Val::option(std::nullopt).index, 0u);
  EXPECT_EQ(Val::option(Val::u8(1)).index, 1u);
  EXPECT_EQ(to_string(Val::record({Val::u32(1), Val::string("x")})), "record{u32(1), string(\"x\")}");
  EXPECT_EQ(to_string(Val::option(Val::s8(-1))), "option#1(s8(-1))");
  EXPECT_EQ(to_string(ValKind::Borrow), std::string("borrow"));
  EXPECT_EQ(Val::string("abc").src_code_units, 3u);
}
