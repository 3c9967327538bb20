// Canonical ABI layout (CanonicalABI.md "Alignment", "Element Size", "Flattening") on types built
// directly in an arena.
#include <gtest/gtest.h>

#include "component/abi/layout.hpp"

using namespace kumo::component;
using namespace kumo::component::abi;
using VT = kumo::wasm::ValType;

namespace {

ValType prim(PrimValType p) { return ValType::primitive(p); }

struct Types {
  TypeArena arena;
  ValType add(DefinedType d) { return ValType::defined(arena.add(std::move(d), TypeInfo{})); }
  ValType record(std::vector<ValType> fields) {
    DefinedType d;
    d.kind = DefinedKind::Record;
    for (size_t i = 0; i < fields.size(); ++i) d.fields.push_back(Field{"f" + std::to_string(i), fields[i]});
    return add(std::move(d));
  }
  ValType variant(std::vector<std::optional<ValType>> cases) {
    DefinedType d;
    d.kind = DefinedKind::Variant;
    for (size_t i = 0; i < cases.size(); ++i) d.cases.push_back(Case{"c" + std::to_string(i), cases[i]});
    return add(std::move(d));
  }
  ValType list(ValType elem, uint32_t fixed = 0) {
    DefinedType d;
    d.kind = fixed ? DefinedKind::FixedList : DefinedKind::List;
    d.elem = elem;
    d.length = fixed;
    return add(std::move(d));
  }
  ValType flags(size_t n) {
    DefinedType d;
    d.kind = DefinedKind::Flags;
    for (size_t i = 0; i < n; ++i) d.labels.push_back("f" + std::to_string(i));
    return add(std::move(d));
  }
};

}  // namespace

TEST(ComponentAbiLayout, SizesAndAlignments) {
  Types t;
  ValType rec = t.record({prim(PrimValType::U8), prim(PrimValType::U32), prim(PrimValType::U16)});
  EXPECT_EQ(alignment(t.arena, rec, PtrType::I32), 4u);
  EXPECT_EQ(elem_size(t.arena, rec, PtrType::I32), 12u);
  EXPECT_EQ(elem_size(t.arena, prim(PrimValType::String), PtrType::I32), 8u);
  EXPECT_EQ(elem_size(t.arena, prim(PrimValType::String), PtrType::I64), 16u);
  // option<u64>: u8 discriminant padded to the payload's alignment.
  ValType opt = t.variant({std::nullopt, prim(PrimValType::U64)});
  EXPECT_EQ(alignment(t.arena, opt, PtrType::I32), 8u);
  EXPECT_EQ(elem_size(t.arena, opt, PtrType::I32), 16u);
  // Discriminants: u8 up to 256 cases, then u16.
  EXPECT_EQ(discriminant_type(256), PrimValType::U8);
  EXPECT_EQ(discriminant_type(257), PrimValType::U16);
  EXPECT_EQ(elem_size(t.arena, t.flags(8), PtrType::I32), 1u);
  EXPECT_EQ(elem_size(t.arena, t.flags(9), PtrType::I32), 2u);
  EXPECT_EQ(elem_size(t.arena, t.flags(17), PtrType::I32), 4u);
  EXPECT_EQ(elem_size(t.arena, t.list(prim(PrimValType::U16), 3), PtrType::I32), 6u);
  // Saturation instead of overflow for absurd fixed-size lists.
  ValType big = t.list(t.list(prim(PrimValType::U64), 0xffffffffu), 0xffffffffu);
  EXPECT_GE(elem_size(t.arena, big, PtrType::I64), kMaxValueSize);
}

TEST(ComponentAbiLayout, FlatteningJoinsVariantPayloads) {
  Types t;
  // variant { a(f32), b(u64), c(u32) }: i32 discriminant, then join(f32, i64, i32) = i64.
  ValType v = t.variant({prim(PrimValType::F32), prim(PrimValType::U64), prim(PrimValType::U32)});
  std::vector<VT> out;
  ASSERT_TRUE(flatten(t.arena, v, PtrType::I32, 100, out));
  EXPECT_EQ(out, (std::vector<VT>{VT::I32, VT::I64}));
  // variant { a(f32), b(u32) } joins to i32; { a(f32) } keeps f32.
  out.clear();
  ASSERT_TRUE(flatten(t.arena, t.variant({prim(PrimValType::F32), prim(PrimValType::U32)}), PtrType::I32, 100, out));
  EXPECT_EQ(out, (std::vector<VT>{VT::I32, VT::I32}));
  out.clear();
  ASSERT_TRUE(flatten(t.arena, t.variant({prim(PrimValType::F32)}), PtrType::I32, 100, out));
  EXPECT_EQ(out, (std::vector<VT>{VT::I32, VT::F32}));
  // Limits stop the flattening early.
  out.clear();
  EXPECT_FALSE(flatten(t.arena, t.list(prim(PrimValType::U8), 1000000), PtrType::I32, 16, out));
}

TEST(ComponentAbiLayout, FuncSignatures) {
  Types t;
  FuncType many;
  for (int i = 0; i < 17; ++i) many.params.push_back(Param{"p" + std::to_string(i), prim(PrimValType::U32)});
  FlatSignature lift = flatten_func(t.arena, many, PtrType::I32, Context::Lift);
  EXPECT_TRUE(lift.params_in_memory);
  EXPECT_EQ(lift.type.params, (std::vector<VT>{VT::I32}));

  FuncType str_result;
  str_result.result = prim(PrimValType::String);
  FlatSignature l = flatten_func(t.arena, str_result, PtrType::I32, Context::Lift);
  EXPECT_EQ(l.type.results, (std::vector<VT>{VT::I32}));  // a pointer to (ptr, len)
  FlatSignature lo = flatten_func(t.arena, str_result, PtrType::I32, Context::Lower);
  EXPECT_EQ(lo.type.params, (std::vector<VT>{VT::I32}));  // the caller's return area
  EXPECT_TRUE(lo.type.results.empty());
  FlatSignature lo64 = flatten_func(t.arena, str_result, PtrType::I64, Context::Lower);
  EXPECT_EQ(lo64.type.params, (std::vector<VT>{VT::I64}));

  // Async lower: at most 4 flat params, results through memory, an i32 status.
  FuncType five;
  for (int i = 0; i < 5; ++i) five.params.push_back(Param{"p" + std::to_string(i), prim(PrimValType::U8)});
  five.result = prim(PrimValType::U8);
  FlatSignature al = flatten_func(t.arena, five, PtrType::I32, Context::Lower, /*is_async=*/true);
  EXPECT_EQ(al.type.params, (std::vector<VT>{VT::I32, VT::I32}));
  EXPECT_EQ(al.type.results, (std::vector<VT>{VT::I32}));
}
