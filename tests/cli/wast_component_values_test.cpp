// The spec-test JSON form of component values (wast_component_values.hpp): every value form
// converted to a Val with its type, rendered back to JSON, and matched as an expected result.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include <unistd.h>

#include "cli/wast_component.hpp"
#include "cli/wast_component_values.hpp"

namespace {

namespace kc = kumo::cli;
using kumo::component::DefinedKind;
using kumo::component::DefinedType;
using kumo::component::PrimValType;
using kumo::component::TypeArena;
using kumo::component::Val;
using kumo::component::ValKind;
using kumo::component::ValType;
using nlohmann::json;

ValType prim(PrimValType p) { return ValType::primitive(p); }
// A record field as the JSON writes it: [name, value].
json field(const char* name, json v) { return json::array({name, std::move(v)}); }

class ComponentValues : public ::testing::Test {
 protected:
  ValType def(DefinedType d) { return ValType::defined(arena.add(std::move(d), {})); }
  ValType list_of(ValType e) {
    DefinedType d;
    d.kind = DefinedKind::List;
    d.elem = e;
    return def(std::move(d));
  }

  // JSON -> Val, which must succeed.
  Val arg(const json& j, const ValType& t) {
    auto v = kc::component_arg(j, arena, t);
    EXPECT_TRUE(v.has_value()) << j.dump() << ": " << (v ? "" : v.error().message);
    return v ? *v : Val();
  }
  std::string arg_error(const json& j, const ValType& t) {
    auto v = kc::component_arg(j, arena, t);
    EXPECT_FALSE(v.has_value()) << j.dump() << " was accepted";
    return v ? "" : v.error().message;
  }
  // The value survives JSON -> Val -> JSON -> Val and matches its own JSON as an expected result.
  void round_trip(const json& j, const ValType& t) {
    Val v = arg(j, t);
    auto back = kc::component_to_json(v, arena, t);
    ASSERT_TRUE(back.has_value()) << back.error().message;
    Val again = arg(*back, t);
    EXPECT_TRUE(v == again) << j.dump() << " became " << back->dump();
    auto m = kc::match_component(j, v, arena, t);
    EXPECT_TRUE(m.has_value()) << j.dump() << ": " << (m ? "" : m.error().message);
  }
  bool matches(const json& expected, const Val& actual, const ValType& t) {
    return kc::match_component(expected, actual, arena, t).has_value();
  }

  TypeArena arena;
};

TEST_F(ComponentValues, Integers) {
  EXPECT_EQ(arg({{"type", "u8"}, {"value", "255"}}, prim(PrimValType::U8)).u, 255u);
  EXPECT_EQ(arg({{"type", "s8"}, {"value", "-8"}}, prim(PrimValType::S8)).s, -8);
  EXPECT_EQ(arg({{"type", "s16"}, {"value", "0xffff"}}, prim(PrimValType::S16)).s, -1);
  EXPECT_EQ(arg({{"type", "u16"}, {"value", "0xffff"}}, prim(PrimValType::U16)).u, 0xffffu);
  EXPECT_EQ(arg({{"type", "s32"}, {"value", "-2147483648"}}, prim(PrimValType::S32)).s, -2147483648ll);
  EXPECT_EQ(arg({{"type", "u32"}, {"value", "4_294_967_295"}}, prim(PrimValType::U32)).u, 4294967295u);
  EXPECT_EQ(arg({{"type", "u64"}, {"value", "18446744073709551615"}}, prim(PrimValType::U64)).u,
            std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(arg({{"type", "s64"}, {"value", "-14"}}, prim(PrimValType::S64)).s, -14);
  Val v = arg({{"type", "u32"}, {"value", "7"}}, prim(PrimValType::U32));
  EXPECT_EQ(v.kind, ValKind::U32);

  arg_error({{"type", "u8"}, {"value", "256"}}, prim(PrimValType::U8));
  arg_error({{"type", "s8"}, {"value", "-129"}}, prim(PrimValType::S8));
  arg_error({{"type", "u32"}, {"value", "-1"}}, prim(PrimValType::U32));
  arg_error({{"type", "u32"}, {"value", "x"}}, prim(PrimValType::U32));
  // The JSON type must be the parameter's.
  EXPECT_NE(arg_error({{"type", "u32"}, {"value", "1"}}, prim(PrimValType::U8)).find("u8"), std::string::npos);

  for (auto [t, p, text] : {std::tuple{"s8", PrimValType::S8, "-128"}, {"u16", PrimValType::U16, "65535"},
                            {"s32", PrimValType::S32, "-1"}, {"s64", PrimValType::S64, "-9223372036854775808"},
                            {"u64", PrimValType::U64, "1"}})
    round_trip({{"type", t}, {"value", text}}, prim(p));
  EXPECT_FALSE(matches({{"type", "u32"}, {"value", "8"}}, Val::u32(7), prim(PrimValType::U32)));
}

TEST_F(ComponentValues, BoolCharString) {
  EXPECT_TRUE(arg({{"type", "bool"}, {"value", true}}, prim(PrimValType::Bool)).b);
  EXPECT_FALSE(arg({{"type", "bool"}, {"value", false}}, prim(PrimValType::Bool)).b);
  EXPECT_EQ(arg({{"type", "char"}, {"value", "\u26f3"}}, prim(PrimValType::Char)).c, U'\u26f3');
  EXPECT_EQ(arg({{"type", "char"}, {"value", "\U0001F600"}}, prim(PrimValType::Char)).c, U'\U0001F600');
  arg_error({{"type", "char"}, {"value", "ab"}}, prim(PrimValType::Char));
  arg_error({{"type", "char"}, {"value", ""}}, prim(PrimValType::Char));
  EXPECT_EQ(arg({{"type", "string"}, {"value", "\u2603x"}}, prim(PrimValType::String)).str, "\u2603x");
  round_trip({{"type", "bool"}, {"value", true}}, prim(PrimValType::Bool));
  round_trip({{"type", "char"}, {"value", "Z"}}, prim(PrimValType::Char));
  round_trip({{"type", "char"}, {"value", "\u00f6"}}, prim(PrimValType::Char));
  round_trip({{"type", "string"}, {"value", ""}}, prim(PrimValType::String));
  round_trip({{"type", "string"}, {"value", "\u2603\u263a\ufe0f\u00f6\u30c4"}}, prim(PrimValType::String));
  EXPECT_FALSE(matches({{"type", "string"}, {"value", "a"}}, Val::string("b"), prim(PrimValType::String)));
  EXPECT_FALSE(matches({{"type", "bool"}, {"value", true}}, Val::boolean(false), prim(PrimValType::Bool)));
}

TEST_F(ComponentValues, Floats) {
  const ValType f32 = prim(PrimValType::F32), f64 = prim(PrimValType::F64);
  EXPECT_EQ(arg({{"type", "f32"}, {"value", "1.5"}}, f32).f32, 1.5f);
  EXPECT_EQ(arg({{"type", "f32"}, {"value", "0x1.8p1"}}, f32).f32, 3.0f);
  EXPECT_EQ(arg({{"type", "f64"}, {"value", "-inf"}}, f64).f64, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(std::bit_cast<uint32_t>(arg({{"type", "f32"}, {"value", "nan:0x200000"}}, f32).f32), 0x7fa00000u);
  EXPECT_EQ(std::bit_cast<uint64_t>(arg({{"type", "f64"}, {"value", "-nan:0x1"}}, f64).f64),
            0xfff0000000000001ull);
  EXPECT_EQ(std::bit_cast<uint32_t>(arg({{"type", "f32"}, {"value", "-0"}}, f32).f32), 0x80000000u);
  arg_error({{"type", "f32"}, {"value", "nan:arithmetic"}}, f32);
  arg_error({{"type", "f32"}, {"value", "nan:0x800000"}}, f32);  // payload wider than f32's
  arg_error({{"type", "f32"}, {"value", "1.5x"}}, f32);

  for (const char* text : {"5", "-0.25", "inf", "-inf", "nan:0x1", "1e-45", "3.4028235e38"})
    round_trip({{"type", "f32"}, {"value", text}}, f32);
  for (const char* text : {"9", "0.1", "-nan:0x8000000000001", "2.2250738585072014e-308"})
    round_trip({{"type", "f64"}, {"value", text}}, f64);

  // NaN forms: `nan` and `nan:canonical` accept a canonical NaN of either sign.
  const Val canon = Val::float32(std::bit_cast<float>(0xffc00000u));
  const Val other = Val::float32(std::bit_cast<float>(0x7fc00001u));
  EXPECT_TRUE(matches({{"type", "f32"}, {"value", "nan"}}, canon, f32));
  EXPECT_TRUE(matches({{"type", "f32"}, {"value", "nan:canonical"}}, canon, f32));
  EXPECT_FALSE(matches({{"type", "f32"}, {"value", "nan"}}, other, f32));
  EXPECT_TRUE(matches({{"type", "f32"}, {"value", "nan:arithmetic"}}, other, f32));
  EXPECT_TRUE(matches({{"type", "f32"}, {"value", "nan:0x400001"}}, other, f32));
  EXPECT_FALSE(matches({{"type", "f32"}, {"value", "nan:0x400002"}}, other, f32));
  EXPECT_FALSE(matches({{"type", "f32"}, {"value", "nan"}}, Val::float32(1), f32));
  // Numbers compare by bits: -0 is not 0.
  EXPECT_FALSE(matches({{"type", "f64"}, {"value", "0"}}, Val::float64(-0.0), f64));
  EXPECT_TRUE(matches({{"type", "f64"}, {"value", "-0"}}, Val::float64(-0.0), f64));
}

TEST_F(ComponentValues, ListsAndTuples) {
  const ValType strings = list_of(prim(PrimValType::String));
  Val v = arg({{"type", "list"}, {"value", {{{"type", "string"}, {"value", "a"}}, {{"type", "string"}, {"value", "b"}}}}},
              strings);
  ASSERT_EQ(v.kind, ValKind::List);
  ASSERT_EQ(v.items.size(), 2u);
  EXPECT_EQ(v.items[1].str, "b");
  round_trip({{"type", "list"}, {"value", json::array()}}, strings);
  round_trip({{"type", "list"},
              {"value", {{{"type", "list"}, {"value", {{{"type", "string"}, {"value", "x"}}}}}}}},
             list_of(strings));
  // An element of the wrong type names its position.
  EXPECT_NE(arg_error({{"type", "list"}, {"value", {{{"type", "u32"}, {"value", "1"}}}}}, strings).find("list element 0"),
            std::string::npos);

  DefinedType fixed;
  fixed.kind = DefinedKind::FixedList;
  fixed.elem = prim(PrimValType::U8);
  fixed.length = 2;
  const ValType two = def(fixed);
  round_trip({{"type", "list"}, {"value", {{{"type", "u8"}, {"value", "1"}}, {{"type", "u8"}, {"value", "2"}}}}}, two);
  arg_error({{"type", "list"}, {"value", {{{"type", "u8"}, {"value", "1"}}}}}, two);

  DefinedType tup;
  tup.kind = DefinedKind::Tuple;
  tup.types = {prim(PrimValType::String), prim(PrimValType::U32)};
  const ValType t = def(tup);
  const json j = {{"type", "tuple"}, {"value", {{{"type", "string"}, {"value", "n="}}, {{"type", "u32"}, {"value", "7"}}}}};
  Val tv = arg(j, t);
  EXPECT_EQ(tv.kind, ValKind::Tuple);
  round_trip(j, t);
  arg_error({{"type", "tuple"}, {"value", {{{"type", "string"}, {"value", "n="}}}}}, t);
  Val wrong = tv;
  wrong.items[1] = Val::u32(8);
  EXPECT_FALSE(matches(j, wrong, t));
  wrong.items.pop_back();
  EXPECT_FALSE(matches(j, wrong, t));
}

TEST_F(ComponentValues, Records) {
  DefinedType rec;
  rec.kind = DefinedKind::Record;
  rec.fields = {{"s", prim(PrimValType::String)}, {"n", prim(PrimValType::U32)}};
  const ValType r = def(rec);
  const json j = {{"type", "record"}, {"fields", json::array({field("s", {{"type", "string"}, {"value", "v="}}),
                                                             field("n", {{"type", "u32"}, {"value", "7"}})})}};
  Val v = arg(j, r);
  ASSERT_EQ(v.kind, ValKind::Record);
  EXPECT_EQ(v.items[0].str, "v=");
  EXPECT_EQ(v.items[1].u, 7u);
  round_trip(j, r);
  // Fields are matched by name, in any order.
  const json swapped = {{"type", "record"}, {"fields", json::array({field("n", {{"type", "u32"}, {"value", "7"}}),
                                                                   field("s", {{"type", "string"}, {"value", "v="}})})}};
  EXPECT_TRUE(arg(swapped, r) == v);
  EXPECT_NE(arg_error({{"type", "record"}, {"fields", json::array({field("s", {{"type", "string"}, {"value", ""}}),
                                                                   field("m", {{"type", "u32"}, {"value", "1"}})})}},
                      r)
                .find("`m`"),
            std::string::npos);
  arg_error({{"type", "record"}, {"fields", json::array({field("s", {{"type", "string"}, {"value", ""}})})}}, r);
  Val wrong = v;
  wrong.items[1] = Val::u32(8);
  auto m = kc::match_component(j, wrong, arena, r);
  ASSERT_FALSE(m.has_value());
  EXPECT_NE(m.error().message.find("field `n`"), std::string::npos) << m.error().message;
}

TEST_F(ComponentValues, VariantsAndEnums) {
  DefinedType var;
  var.kind = DefinedKind::Variant;
  var.cases = {{"a", prim(PrimValType::U32)}, {"b", prim(PrimValType::F32)}, {"none", std::nullopt}};
  const ValType t = def(var);
  Val v = arg({{"type", "variant"}, {"case", "b"}, {"value", {{"type", "f32"}, {"value", "5"}}}}, t);
  EXPECT_EQ(v.kind, ValKind::Variant);
  EXPECT_EQ(v.index, 1u);
  ASSERT_TRUE(v.has_payload());
  EXPECT_EQ(v.payload().f32, 5.0f);
  Val n = arg({{"type", "variant"}, {"case", "none"}, {"value", nullptr}}, t);
  EXPECT_EQ(n.index, 2u);
  EXPECT_FALSE(n.has_payload());
  round_trip({{"type", "variant"}, {"case", "a"}, {"value", {{"type", "u32"}, {"value", "42"}}}}, t);
  round_trip({{"type", "variant"}, {"case", "none"}, {"value", nullptr}}, t);
  arg_error({{"type", "variant"}, {"case", "c"}, {"value", nullptr}}, t);
  arg_error({{"type", "variant"}, {"case", "a"}, {"value", nullptr}}, t);  // payload missing
  arg_error({{"type", "variant"}, {"case", "none"}, {"value", {{"type", "u32"}, {"value", "1"}}}}, t);
  EXPECT_FALSE(matches({{"type", "variant"}, {"case", "a"}, {"value", {{"type", "u32"}, {"value", "42"}}}},
                       Val::variant(0, Val::u32(41)), t));
  EXPECT_FALSE(matches({{"type", "variant"}, {"case", "a"}, {"value", {{"type", "u32"}, {"value", "42"}}}},
                       Val::variant(2), t));

  DefinedType en;
  en.kind = DefinedKind::Enum;
  en.labels = {"red", "green", "blue"};
  const ValType e = def(en);
  Val g = arg({{"type", "enum"}, {"value", "green"}}, e);
  EXPECT_EQ(g.kind, ValKind::Enum);
  EXPECT_EQ(g.index, 1u);
  round_trip({{"type", "enum"}, {"value", "blue"}}, e);
  arg_error({{"type", "enum"}, {"value", "pink"}}, e);
  EXPECT_FALSE(matches({{"type", "enum"}, {"value", "red"}}, Val::enumeration(2), e));
}

TEST_F(ComponentValues, Flags) {
  DefinedType fl;
  fl.kind = DefinedKind::Flags;
  for (int i = 0; i < 40; ++i) fl.labels.push_back("f" + std::to_string(i));
  const ValType t = def(fl);
  Val v = arg({{"type", "flags"}, {"value", {"f1", "f33"}}}, t);
  EXPECT_EQ(v.kind, ValKind::Flags);
  EXPECT_TRUE(v.flag(1));
  EXPECT_TRUE(v.flag(33));
  EXPECT_FALSE(v.flag(0));
  round_trip({{"type", "flags"}, {"value", json::array()}}, t);
  round_trip({{"type", "flags"}, {"value", {"f0", "f5", "f39"}}}, t);
  arg_error({{"type", "flags"}, {"value", {"g"}}}, t);
  // Order does not matter; membership does.
  EXPECT_TRUE(matches({{"type", "flags"}, {"value", {"f33", "f1"}}}, v, t));
  EXPECT_FALSE(matches({{"type", "flags"}, {"value", {"f1"}}}, v, t));
}

TEST_F(ComponentValues, OptionsAndResults) {
  DefinedType opt;
  opt.kind = DefinedKind::Option;
  opt.elem = prim(PrimValType::U32);
  const ValType o = def(opt);
  Val some = arg({{"type", "option"}, {"value", {{"type", "u32"}, {"value", "5"}}}}, o);
  EXPECT_EQ(some.kind, ValKind::Option);
  EXPECT_EQ(some.index, 1u);
  EXPECT_EQ(some.payload().u, 5u);
  Val none = arg({{"type", "option"}, {"value", nullptr}}, o);
  EXPECT_EQ(none.index, 0u);
  round_trip({{"type", "option"}, {"value", {{"type", "u32"}, {"value", "5"}}}}, o);
  round_trip({{"type", "option"}, {"value", nullptr}}, o);
  EXPECT_FALSE(matches({{"type", "option"}, {"value", nullptr}}, some, o));
  EXPECT_FALSE(matches({{"type", "option"}, {"value", {{"type", "u32"}, {"value", "5"}}}}, none, o));

  DefinedType res;
  res.kind = DefinedKind::Result;
  res.ok = prim(PrimValType::String);
  res.err = prim(PrimValType::U32);
  const ValType r = def(res);
  Val ok = arg({{"type", "result"}, {"ok", {{"type", "string"}, {"value", "yo"}}}}, r);
  EXPECT_EQ(ok.kind, ValKind::Result);
  EXPECT_EQ(ok.index, 0u);
  EXPECT_EQ(ok.payload().str, "yo");
  Val e = arg({{"type", "result"}, {"err", {{"type", "u32"}, {"value", "404"}}}}, r);
  EXPECT_EQ(e.index, 1u);
  round_trip({{"type", "result"}, {"ok", {{"type", "string"}, {"value", "yo"}}}}, r);
  round_trip({{"type", "result"}, {"err", {{"type", "u32"}, {"value", "404"}}}}, r);
  arg_error({{"type", "result"}, {"ok", nullptr}}, r);  // the ok case has a payload
  arg_error({{"type", "result"}}, r);
  EXPECT_FALSE(matches({{"type", "result"}, {"err", {{"type", "u32"}, {"value", "404"}}}}, ok, r));

  DefinedType bare;  // (result) without payloads
  bare.kind = DefinedKind::Result;
  const ValType b = def(bare);
  round_trip({{"type", "result"}, {"ok", nullptr}}, b);
  round_trip({{"type", "result"}, {"err", nullptr}}, b);
  arg_error({{"type", "result"}, {"err", {{"type", "u32"}, {"value", "1"}}}}, b);
}

TEST_F(ComponentValues, TypeAliasesResolve) {
  DefinedType alias;  // (type $t u32)
  alias.kind = DefinedKind::Primitive;
  alias.prim = PrimValType::U32;
  const ValType t = def(alias);
  EXPECT_EQ(kc::component_type_name(arena, t), "u32");
  round_trip({{"type", "u32"}, {"value", "9"}}, t);
}

TEST_F(ComponentValues, ResourcesHaveNoJsonForm) {
  DefinedType own;
  own.kind = DefinedKind::Own;
  const ValType t = def(own);
  arg_error({{"type", "own"}, {"value", "1"}}, t);
}

TEST(ComponentWast, TrapMessages) {
  EXPECT_TRUE(kc::component_trap_matches("wasm trap: unreachable executed", "unreachable"));
  EXPECT_FALSE(kc::component_trap_matches("unknown handle index 3", "unreachable"));
  EXPECT_TRUE(kc::component_trap_matches("cannot write to memory at offset 4", "cannot write"));
}

TEST(ComponentWast, SuitesAndFeatures) {
  namespace fs = std::filesystem;
  EXPECT_EQ(kc::component_suite_for("/x/component-model-ref/abi/abi.json"), kc::ComponentSuite::Ref);
  EXPECT_EQ(kc::component_suite_for("/x/component-model-ref-async/a/a.json"), kc::ComponentSuite::RefAsync);
  EXPECT_EQ(kc::component_suite_for("/x/component-model-wasmtime/a/a.json"), kc::ComponentSuite::Wasmtime);
  EXPECT_EQ(kc::component_suite_for("/x/component-model/a/a.json"), kc::ComponentSuite::Wasmedge);
  EXPECT_EQ(kc::component_suite_for("/x/wasm-2.0/a/a.json"), kc::ComponentSuite::None);

  auto ref = kc::component_features_for(kc::ComponentSuite::Ref, "/nonexistent.wast");
  EXPECT_TRUE(ref.async && ref.error_context && ref.threads);

  fs::path wast = fs::temp_directory_path() / fs::path("kumo_features_" + std::to_string(::getpid()) + ".wast");
  {
    std::ofstream out(wast);
    out << ";;! component_model_async = true\n;;! component_model_map = false\n;;! gc = true\n(component)\n";
  }
  auto w = kc::component_features_for(kc::ComponentSuite::Wasmtime, wast);
  fs::remove(wast);
  EXPECT_TRUE(w.async);
  EXPECT_FALSE(w.map);
  EXPECT_FALSE(w.error_context);
  EXPECT_FALSE(kc::component_features_for(kc::ComponentSuite::Wasmtime, "/nonexistent.wast").async);
}

}  // namespace
