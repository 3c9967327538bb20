// Canonical ABI value movement (definitions.py load/store, lift_flat/lower_flat, *_flat_values)
// against a real linear memory and a recording realloc.
#include <bit>
#include <cmath>

#include "abi_fixture.hpp"

using namespace kumo;
using namespace kumo::component;
using namespace kumo::component::abitest;

namespace {

// Every kind of value with a type that fits it.
std::vector<std::pair<ValType, Val>> samples(Bench& b) {
  using P = PrimValType;
  std::vector<std::pair<ValType, Val>> s = {
      {prim(P::Bool), Val::boolean(true)},
      {prim(P::Bool), Val::boolean(false)},
      {prim(P::S8), Val::s8(-1)},
      {prim(P::U8), Val::u8(255)},
      {prim(P::S16), Val::s16(-12345)},
      {prim(P::U16), Val::u16(65535)},
      {prim(P::S32), Val::s32(INT32_MIN)},
      {prim(P::U32), Val::u32(UINT32_MAX)},
      {prim(P::S64), Val::s64(-5)},
      {prim(P::U64), Val::u64(UINT64_MAX)},
      {prim(P::F32), Val::float32(1.5f)},
      {prim(P::F64), Val::float64(-2.25)},
      {prim(P::Char), Val::character(U'\U0001F370')},
      {prim(P::String), Val::string("h\xC3\xA9llo \xE2\x98\x83")},
      {prim(P::String), Val::string("")},
      {b.list(prim(P::U16)), Val::list({Val::u16(1), Val::u16(2), Val::u16(3)})},
      {b.list(prim(P::String)), Val::list({Val::string("a"), Val::string("bc")})},
      {b.list(prim(P::U8)), Val::list({})},
      {b.list(prim(P::U8), 3), Val::list({Val::u8(7), Val::u8(8), Val::u8(9)})},
      {b.record({prim(P::U8), prim(P::U32), prim(P::U16)}),
       Val::record({Val::u8(1), Val::u32(2), Val::u16(3)})},
      {b.tuple({prim(P::String), prim(P::U64)}), Val::tuple({Val::string("x"), Val::u64(42)})},
      {b.variant({prim(P::U32), std::nullopt, prim(P::F64)}), Val::variant(0, Val::u32(9))},
      {b.variant({prim(P::U32), std::nullopt, prim(P::F64)}), Val::variant(1)},
      {b.variant({prim(P::U32), std::nullopt, prim(P::F64)}), Val::variant(2, Val::float64(0.5))},
      {b.variant({prim(P::F32), prim(P::U64)}), Val::variant(0, Val::float32(-3.5f))},
      {b.variant({prim(P::F32), prim(P::U32)}), Val::variant(0, Val::float32(2.5f))},
      {b.variant({prim(P::S8), prim(P::S64)}), Val::variant(0, Val::s8(-2))},
      {b.enumeration(3), Val::enumeration(2)},
      {b.option(prim(P::String)), Val::option(Val::string("some"))},
      {b.option(prim(P::String)), Val::option(std::nullopt)},
      {b.result(prim(P::U32), prim(P::String)), Val::ok(Val::u32(5))},
      {b.result(prim(P::U32), prim(P::String)), Val::error(Val::string("bad"))},
      {b.result(std::nullopt, std::nullopt), Val::error()},
      {b.flags(5), Val::flag_set({0b10101})},
      {b.flags(20), Val::flag_set({0x80001})},
      {b.flags(32), Val::flag_set({0xffffffffu})},
      {b.map(prim(P::String), prim(P::U32)),
       Val::list({Val::tuple({Val::string("k"), Val::u32(1)}), Val::tuple({Val::string("l"), Val::u32(2)})})},
  };
  return s;
}

}  // namespace

TEST(ComponentAbi, StoreLoadRoundTripsEveryType) {
  Bench b;
  for (auto& [t, v] : samples(b)) {
    auto cx = b.cx();
    uint64_t ptr = 64;
    ASSERT_TRUE(rt::store(cx, v, t, ptr)) << to_string(v);
    auto back = rt::load(cx, ptr, t);
    ASSERT_TRUE(back) << to_string(v) << ": " << back.error().message;
    EXPECT_EQ(*back, v) << to_string(v) << " came back as " << to_string(*back);
  }
}

TEST(ComponentAbi, LowerLiftFlatRoundTripsEveryType) {
  Bench b;
  for (auto& [t, v] : samples(b)) {
    auto cx = b.cx();
    std::vector<uint64_t> flat;
    ASSERT_TRUE(rt::lower_flat(cx, v, t, flat)) << to_string(v);
    std::vector<VT> types;
    component::abi::flatten(*b.arena, t, component::abi::PtrType::I32, 1000, types);
    EXPECT_EQ(flat.size(), types.size()) << to_string(v);
    rt::FlatReader in{flat};
    auto back = rt::lift_flat(cx, in, t);
    ASSERT_TRUE(back) << to_string(v) << ": " << back.error().message;
    EXPECT_EQ(*back, v) << to_string(v) << " came back as " << to_string(*back);
    EXPECT_EQ(in.pos, flat.size());
  }
}

TEST(ComponentAbi, MemoryLayoutMatchesTheSpec) {
  Bench b;
  auto cx = b.cx();
  ValType rec = b.record({prim(PrimValType::U8), prim(PrimValType::U32), prim(PrimValType::U16)});
  ASSERT_TRUE(rt::store(cx, Val::record({Val::u8(0xAA), Val::u32(0x11223344), Val::u16(0xBBCC)}), rec, 16));
  EXPECT_EQ(b.peek(16, 12), std::string("\xAA\0\0\0\x44\x33\x22\x11\xCC\xBB\0\0", 12));
  // option<u64>: discriminant byte, payload at offset 8.
  ValType opt = b.option(prim(PrimValType::U64));
  ASSERT_TRUE(rt::store(cx, Val::option(Val::u64(7)), opt, 32));
  EXPECT_EQ(b.peek(32, 1), "\x01");
  EXPECT_EQ(b.peek32(40), 7u);
  // A list is (ptr, len) with the elements where realloc put them.
  ValType l = b.list(prim(PrimValType::U32));
  ASSERT_TRUE(rt::store(cx, Val::list({Val::u32(5), Val::u32(6)}), l, 48));
  ASSERT_EQ(b.calls.size(), 1u);
  EXPECT_EQ(b.calls[0], (ReallocCall{0, 0, 4, 8}));
  uint32_t p = b.peek32(48);
  EXPECT_EQ(b.peek32(52), 2u);
  EXPECT_EQ(b.peek32(p), 5u);
  EXPECT_EQ(b.peek32(p + 4), 6u);
  EXPECT_FALSE(b.may_leave_during_realloc);  // realloc runs with may_leave cleared
  EXPECT_TRUE(b.inst.may_leave);
}

TEST(ComponentAbi, EmptyListStillCallsRealloc) {
  Bench b;
  auto cx = b.cx();
  std::vector<uint64_t> flat;
  ASSERT_TRUE(rt::lower_flat(cx, Val::list({}), b.list(prim(PrimValType::U8)), flat));
  ASSERT_EQ(b.calls.size(), 1u);
  EXPECT_EQ(b.calls[0], (ReallocCall{0, 0, 1, 0}));
  EXPECT_EQ(flat[1], 0u);
}

TEST(ComponentAbi, FlatIntegersAndFloats) {
  Bench b;
  auto cx = b.cx();
  std::vector<uint64_t> flat;
  ASSERT_TRUE(rt::lower_flat(cx, Val::s8(-1), prim(PrimValType::S8), flat));
  ASSERT_TRUE(rt::lower_flat(cx, Val::s64(-1), prim(PrimValType::S64), flat));
  ASSERT_TRUE(rt::lower_flat(cx, Val::float32(1.0f), prim(PrimValType::F32), flat));
  EXPECT_EQ(flat, (std::vector<uint64_t>{0xffffffffu, UINT64_MAX, 0x3f800000u}));

  // Lifting takes the low bits of an i32 and sign-extends per type.
  std::vector<uint64_t> in_vals{0x1ff, 0x1ff, 0xffff8000u, 5};
  rt::FlatReader in{in_vals};
  EXPECT_EQ(*rt::lift_flat(cx, in, prim(PrimValType::U8)), Val::u8(0xff));
  EXPECT_EQ(*rt::lift_flat(cx, in, prim(PrimValType::S8)), Val::s8(-1));
  EXPECT_EQ(*rt::lift_flat(cx, in, prim(PrimValType::S16)), Val::s16(-32768));
  EXPECT_EQ(*rt::lift_flat(cx, in, prim(PrimValType::Bool)), Val::boolean(true));
}

TEST(ComponentAbi, NaNsAreCanonicalisedOnLift) {
  Bench b;
  auto cx = b.cx();
  std::vector<uint64_t> vals{0x7fc00001u, 0xfff0000000000001ull};
  rt::FlatReader in{vals};
  auto f = rt::lift_flat(cx, in, prim(PrimValType::F32));
  auto d = rt::lift_flat(cx, in, prim(PrimValType::F64));
  ASSERT_TRUE(f && d);
  EXPECT_EQ(std::bit_cast<uint32_t>(f->f32), 0x7fc00000u);
  EXPECT_EQ(std::bit_cast<uint64_t>(d->f64), 0x7ff8000000000000ull);
  b.poke32(8, 0xffc12345u);
  auto m = rt::load(cx, 8, prim(PrimValType::F32));
  ASSERT_TRUE(m);
  EXPECT_EQ(std::bit_cast<uint32_t>(m->f32), 0x7fc00000u);
}

TEST(ComponentAbi, VariantPayloadsShareJoinedSlots) {
  Bench b;
  auto cx = b.cx();
  // { a(f32), b(u64) }: the f32 travels as its bits in an i64 slot.
  ValType v = b.variant({prim(PrimValType::F32), prim(PrimValType::U64)});
  std::vector<uint64_t> flat;
  ASSERT_TRUE(rt::lower_flat(cx, Val::variant(0, Val::float32(1.0f)), v, flat));
  EXPECT_EQ(flat, (std::vector<uint64_t>{0, 0x3f800000u}));
  // Only the low 32 bits survive for the f32 case when lifting.
  std::vector<uint64_t> in_vals{0, 0xdead00003f800000ull};
  rt::FlatReader in{in_vals};
  EXPECT_EQ(*rt::lift_flat(cx, in, v), Val::variant(0, Val::float32(1.0f)));
  // { a(u32), b(string) } with the u32 case: the second slot is padded with zero.
  ValType w = b.variant({prim(PrimValType::U32), prim(PrimValType::String)});
  flat.clear();
  ASSERT_TRUE(rt::lower_flat(cx, Val::variant(0, Val::u32(3)), w, flat));
  EXPECT_EQ(flat, (std::vector<uint64_t>{0, 3, 0}));
}

TEST(ComponentAbi, FlagsMaskUndefinedBits) {
  Bench b;
  auto cx = b.cx();
  std::vector<uint64_t> vals{0xffffffffu};
  rt::FlatReader in{vals};
  EXPECT_EQ(*rt::lift_flat(cx, in, b.flags(3)), Val::flag_set({0b111}));
  b.poke(0, "\xff\xff");
  EXPECT_EQ(*rt::load(cx, 0, b.flags(10)), Val::flag_set({0x3ff}));
}

TEST(ComponentAbi, SpillsPastMaxFlat) {
  Bench b;
  std::vector<ValType> types(17, prim(PrimValType::U32));
  std::vector<Val> vals;
  for (uint32_t i = 0; i < 17; ++i) vals.push_back(Val::u32(i * 10));
  auto cx = b.cx();
  std::vector<uint64_t> out;
  ASSERT_TRUE(rt::lower_flat_values(cx, 16, vals, types, out, nullptr));
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(b.calls.size(), 1u);
  EXPECT_EQ(b.calls[0], (ReallocCall{0, 0, 4, 68}));
  EXPECT_EQ(b.peek32(out[0] + 16 * 4), 160u);
  rt::FlatReader in{out};
  auto back = rt::lift_flat_values(cx, 16, in, types);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, vals);

  // Not spilled: the values themselves.
  out.clear();
  std::span<const ValType> first16(types.data(), 16);
  ASSERT_TRUE(rt::lower_flat_values(cx, 16, std::span<const Val>(vals.data(), 16), first16, out, nullptr));
  EXPECT_EQ(out.size(), 16u);

  // Results through the caller's out-param: stored where it points, nothing appended.
  std::vector<ValType> str{prim(PrimValType::String)};
  std::vector<Val> s{Val::string("hey")};
  std::vector<uint64_t> retptr{200};
  rt::FlatReader outp{retptr};
  out.clear();
  ASSERT_TRUE(rt::lower_flat_values(cx, 1, s, str, out, &outp));
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(b.peek32(204), 3u);
  EXPECT_EQ(b.peek(b.peek32(200), 3), "hey");

  // A misaligned or out-of-bounds out-param traps.
  std::vector<uint64_t> bad{201};
  rt::FlatReader badp{bad};
  EXPECT_NE(trap_message(rt::lower_flat_values(cx, 1, s, str, out, &badp)).find("unaligned pointer"),
            std::string::npos);
  std::vector<uint64_t> oob{65532};
  rt::FlatReader oobp{oob};
  EXPECT_FALSE(rt::lower_flat_values(cx, 1, s, str, out, &oobp));
  // Likewise a spilled argument pointer.
  std::vector<uint64_t> mis{2};
  rt::FlatReader misr{mis};
  EXPECT_NE(trap_message(rt::lift_flat_values(cx, 16, misr, types)).find("unaligned pointer"),
            std::string::npos);
}

TEST(ComponentAbi, SpillReallocMisalignedTraps) {
  Bench b;
  b.realloc_impl = [](const ReallocCall&) { return uint64_t(1); };
  std::vector<ValType> types(17, prim(PrimValType::U32));
  std::vector<Val> vals(17, Val::u32(1));
  auto cx = b.cx();
  std::vector<uint64_t> out;
  EXPECT_NE(trap_message(rt::lower_flat_values(cx, 16, vals, types, out, nullptr)).find("unaligned pointer"),
            std::string::npos);
}

TEST(ComponentAbi, InvalidCharTraps) {
  Bench b;
  auto cx = b.cx();
  for (uint64_t bad : {0xD800ull, 0xDFFFull, 0x110000ull}) {
    std::vector<uint64_t> vals{bad};
    rt::FlatReader in{vals};
    EXPECT_NE(trap_message(rt::lift_flat(cx, in, prim(PrimValType::Char))).find("invalid `char` bit pattern"),
              std::string::npos);
  }
  b.poke32(0, 0xD800);
  EXPECT_FALSE(rt::load(cx, 0, prim(PrimValType::Char)));
  std::vector<uint64_t> out;
  EXPECT_FALSE(rt::lower_flat(cx, Val::character(char32_t(0xD800)), prim(PrimValType::Char), out));
}

TEST(ComponentAbi, InvalidDiscriminantTraps) {
  Bench b;
  auto cx = b.cx();
  ValType v = b.variant({prim(PrimValType::U32), std::nullopt});
  std::vector<uint64_t> vals{2, 0};
  rt::FlatReader in{vals};
  std::string m = trap_message(rt::lift_flat(cx, in, v));
  EXPECT_NE(m.find("invalid variant discriminant"), std::string::npos) << m;
  EXPECT_NE(m.find("discriminant 2 out of range [0..2)"), std::string::npos) << m;
  b.poke(0, "\x03");
  EXPECT_NE(trap_message(rt::load(cx, 0, b.enumeration(3))).find("invalid variant discriminant"),
            std::string::npos);
  EXPECT_NE(trap_message(rt::load(cx, 0, b.option(prim(PrimValType::U8)))).find("invalid variant discriminant"),
            std::string::npos);
}

TEST(ComponentAbi, ListBoundsAndAlignment) {
  Bench b;
  auto cx = b.cx();
  ValType l = b.list(prim(PrimValType::U32));
  std::vector<uint64_t> oob{65532, 2};
  rt::FlatReader in{oob};
  EXPECT_NE(trap_message(rt::lift_flat(cx, in, l)).find("list content out-of-bounds"), std::string::npos);
  std::vector<uint64_t> mis{2, 1};
  rt::FlatReader in2{mis};
  EXPECT_NE(trap_message(rt::lift_flat(cx, in2, l)).find("unaligned pointer"), std::string::npos);
  std::vector<uint64_t> huge{0, 1u << 27};
  rt::FlatReader in3{huge};
  EXPECT_FALSE(rt::lift_flat(cx, in3, l));  // 2^29 bytes: past the maximum list size
  std::vector<uint64_t> ok{65528, 2};
  rt::FlatReader in4{ok};
  EXPECT_TRUE(rt::lift_flat(cx, in4, l));
}

TEST(ComponentAbi, ReallocResultIsChecked) {
  Bench b;
  auto cx = b.cx();
  ValType l = b.list(prim(PrimValType::U32));
  Val two = Val::list({Val::u32(1), Val::u32(2)});
  std::vector<uint64_t> out;

  b.realloc_impl = [](const ReallocCall&) { return uint64_t(0xfffffffc); };
  std::string m = trap_message(rt::lower_flat(cx, two, l, out));
  EXPECT_NE(m.find("realloc return: beyond end of memory"), std::string::npos) << m;
  EXPECT_NE(m.find("list content out-of-bounds"), std::string::npos) << m;
  // Even a zero-size allocation must lie within memory.
  EXPECT_NE(trap_message(rt::lower_flat(cx, Val::list({}), l, out)).find("beyond end of memory"),
            std::string::npos);

  b.realloc_impl = [](const ReallocCall&) { return uint64_t(0xffffffff); };
  m = trap_message(rt::lower_flat(cx, two, l, out));
  EXPECT_NE(m.find("realloc return: result not aligned"), std::string::npos) << m;
  EXPECT_NE(m.find("unaligned pointer"), std::string::npos) << m;

  // A realloc that traps propagates its trap, and may_leave is restored.
  b.realloc_impl = nullptr;
  b.opts.realloc = b.store.add_host_func(wasm::FuncType{{VT::I32, VT::I32, VT::I32, VT::I32}, {VT::I32}},
                                         [](wasm::Caller&, uint64_t*) -> Expected<void, wasm::Trap> {
                                           return wasm::make_trap(wasm::TrapCode::Unreachable);
                                         });
  EXPECT_EQ(trap_message(rt::lower_flat(cx, two, l, out)), "unreachable");
  EXPECT_TRUE(b.inst.may_leave);
}

TEST(ComponentAbi, LoweringChecksValueKinds) {
  Bench b;
  auto cx = b.cx();
  std::vector<uint64_t> out;
  EXPECT_FALSE(rt::lower_flat(cx, Val::string("x"), prim(PrimValType::U32), out));
  EXPECT_FALSE(rt::lower_flat(cx, Val::variant(5), b.variant({std::nullopt}), out));
  EXPECT_FALSE(rt::lower_flat(cx, Val::variant(0), b.variant({prim(PrimValType::U8)}), out));
  EXPECT_FALSE(rt::lower_flat(cx, Val::list({Val::u8(1)}), b.list(prim(PrimValType::U8), 2), out));
  EXPECT_FALSE(rt::lower_flat(cx, Val::record({Val::u8(1)}), b.record({prim(PrimValType::U8), prim(PrimValType::U8)}), out));
}

namespace kumo::component {
namespace {

// A compact byte list (Val::bytes, made by hosts for list<u8>) lowers like the element form: one
// realloc of the same size and alignment, the bytes copied; it lifts back as equal elements. It
// is refused for a list whose elements are not bytes.
TEST(ComponentAbi, CompactByteListsLowerLikeElementLists) {
  Bench b;
  auto cx = b.cx();
  ValType l = b.list(prim(PrimValType::U8));
  ASSERT_TRUE(rt::store(cx, Val::bytes(std::string_view("k\0mo", 4)), l, 48));
  ASSERT_EQ(b.calls.size(), 1u);
  EXPECT_EQ(b.calls[0], (ReallocCall{0, 0, 1, 4}));
  uint32_t p = b.peek32(48);
  EXPECT_EQ(b.peek32(52), 4u);
  EXPECT_EQ(b.peek(p, 4), std::string("k\0mo", 4));
  auto back = rt::load(cx, 48, l);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, Val::bytes(std::string_view("k\0mo", 4)));
  EXPECT_EQ(*back, Val::list({Val::u8('k'), Val::u8(0), Val::u8('m'), Val::u8('o')}));
  EXPECT_EQ(to_string(Val::bytes("a")), to_string(Val::list({Val::u8('a')})));
  EXPECT_FALSE(rt::store(cx, Val::bytes("ab"), b.list(prim(PrimValType::U32)), 64));
  // Lifted for a host (compact_bytes): one compact Val; out of bounds still traps.
  cx.compact_bytes = true;
  auto compact = rt::load(cx, 48, l);
  ASSERT_TRUE(compact);
  EXPECT_TRUE(compact->byte_list);
  EXPECT_EQ(compact->str, std::string("k\0mo", 4));
  b.poke32(52, 0x7fffffff);
  EXPECT_FALSE(rt::load(cx, 48, l));
}

}  // namespace
}  // namespace kumo::component
