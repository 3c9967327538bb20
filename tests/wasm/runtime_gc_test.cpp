// The GC subset Kumo implements, end to end through compile() -> instantiate -> invoke with
// hand-assembled binaries: i31 references (ref.i31, i31.get_s/u, tables and globals of i31ref,
// constant initialisers), ref.eq on i31 values, ref.test / ref.cast to abstract heap types, and
// the decoder/validator rules around them.
#include <gtest/gtest.h>

#include <initializer_list>

#include "wasm/module.hpp"
#include "wasm/runtime/store.hpp"
#include "wasm/validator/validator.hpp"

namespace kumo::wasm {
namespace {

using Bytes = std::vector<uint8_t>;

void leb(Bytes& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out.push_back(v ? (b | 0x80) : b);
  } while (v);
}

void sleb(Bytes& out, int64_t v) {
  bool more = true;
  while (more) {
    uint8_t b = v & 0x7f;
    v >>= 7;
    more = !((v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40)));
    out.push_back(more ? (b | 0x80) : b);
  }
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes vec(std::initializer_list<Bytes> items) {
  Bytes out;
  leb(out, items.size());
  for (const Bytes& i : items) out.insert(out.end(), i.begin(), i.end());
  return out;
}

Bytes section(uint8_t id, const Bytes& content) {
  Bytes out{id};
  leb(out, content.size());
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

Bytes module(std::initializer_list<Bytes> sections) {
  Bytes out{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  for (const Bytes& s : sections) out.insert(out.end(), s.begin(), s.end());
  return out;
}

Bytes functype(Bytes params, Bytes results) {
  Bytes out{0x60};
  leb(out, params.size());
  out.insert(out.end(), params.begin(), params.end());
  leb(out, results.size());
  out.insert(out.end(), results.begin(), results.end());
  return out;
}

Bytes export_func(std::string_view nm, uint32_t index) {
  Bytes out;
  leb(out, nm.size());
  out.insert(out.end(), nm.begin(), nm.end());
  out.push_back(0x00);
  leb(out, index);
  return out;
}

Bytes u32(uint32_t v) {
  Bytes out;
  leb(out, v);
  return out;
}

Bytes body(Bytes code) {
  Bytes inner{0x00};
  inner.insert(inner.end(), code.begin(), code.end());
  inner.push_back(0x0b);
  Bytes out;
  leb(out, inner.size());
  out.insert(out.end(), inner.begin(), inner.end());
  return out;
}

Bytes i32_const(int32_t v) {
  Bytes out{0x41};
  sleb(out, v);
  return out;
}

constexpr uint8_t I32 = 0x7f, I31REF = 0x6c, ANYREF = 0x6e, EQREF = 0x6d;
const Bytes kRefI31{0xfb, 0x1c}, kGetS{0xfb, 0x1d}, kGetU{0xfb, 0x1e};
const Bytes kLocal0{0x20, 0x00}, kLocal1{0x20, 0x01};
const Bytes kNullI31{0xd0, 0x6c}, kNullAny{0xd0, 0x6e};
Bytes ref_test(bool nullable, uint8_t heap) { return {0xfb, uint8_t(nullable ? 0x15 : 0x14), heap}; }
Bytes ref_cast(bool nullable, uint8_t heap) { return {0xfb, uint8_t(nullable ? 0x17 : 0x16), heap}; }

// A module whose functions all have type `type` and the given bodies, exported as f0, f1, ...;
// `extra` sections (table 4, global 6) go between the function and export sections.
Bytes funcs_module(const Bytes& type, std::vector<Bytes> bodies, std::vector<Bytes> extra = {}) {
  Bytes funcs, exports, code;
  leb(funcs, bodies.size());
  leb(exports, bodies.size());
  leb(code, bodies.size());
  for (uint32_t i = 0; i < bodies.size(); ++i) {
    funcs.push_back(0x00);
    Bytes e = export_func("f" + std::to_string(i), i);
    exports.insert(exports.end(), e.begin(), e.end());
    Bytes b = body(bodies[i]);
    code.insert(code.end(), b.begin(), b.end());
  }
  Bytes out = module({section(1, vec({type})), section(3, funcs)});
  for (const Bytes& s : extra) out.insert(out.end(), s.begin(), s.end());
  Bytes tail = cat({section(7, exports), section(10, code)});
  out.insert(out.end(), tail.begin(), tail.end());
  return out;
}

struct Harness {
  Engine engine;
  Store store{engine};
  Instance* inst = nullptr;

  explicit Harness(const Bytes& wasm) {
    auto c = compile(engine, wasm);
    EXPECT_TRUE(c) << (c ? "" : c.error().message);
    if (!c) return;
    auto i = Linker().instantiate(store, *c);
    EXPECT_TRUE(i) << (i ? "" : i.error().message);
    if (i) inst = *i;
  }
  Expected<std::vector<Value>, Trap> call(const std::string& name, std::vector<Value> args) {
    return invoke(store, inst->get_func(name), args);
  }
  uint32_t call_i32(const std::string& name, std::vector<Value> args) {
    auto r = call(name, std::move(args));
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r && r->size() == 1 ? (*r)[0].i32 : 0xdeadbeef;
  }
};

TEST(RuntimeGc, I31RefEncoding) {
  // Tagged, odd, canonical: the high bit of the i32 is dropped.
  EXPECT_TRUE(is_i31_ref(make_i31_ref(0)));
  EXPECT_NE(make_i31_ref(0), nullptr);
  EXPECT_EQ(make_i31_ref(0x80000005u), make_i31_ref(5));
  EXPECT_EQ(i31_get_u(make_i31_ref(0xffffffffu)), 0x7fffffffu);
  EXPECT_EQ(i31_get_s(make_i31_ref(0xffffffffu)), 0xffffffffu);
  EXPECT_EQ(i31_get_s(make_i31_ref(0x40000000u)), 0xc0000000u);
  EXPECT_EQ(i31_get_s(make_i31_ref(0x3fffffffu)), 0x3fffffffu);
  int object = 0;
  EXPECT_FALSE(is_i31_ref(&object));
}

TEST(RuntimeGc, RefI31AndGets) {
  Harness h(funcs_module(functype({I32}, {I32}), {cat({kLocal0, kRefI31, kGetU}),
                                                  cat({kLocal0, kRefI31, kGetS})}));
  ASSERT_TRUE(h.inst);
  struct Case { uint32_t in, u, s; };
  for (Case c : {Case{0, 0, 0}, Case{100, 100, 100}, Case{0xffffffff, 0x7fffffff, 0xffffffff},
                 Case{0x40000000, 0x40000000, 0xc0000000}, Case{0xaaaaaaaa, 0x2aaaaaaa, 0x2aaaaaaa},
                 Case{0xcaaaaaaa, 0x4aaaaaaa, 0xcaaaaaaa}}) {
    EXPECT_EQ(h.call_i32("f0", {Value::from_i32(c.in)}), c.u) << c.in;
    EXPECT_EQ(h.call_i32("f1", {Value::from_i32(c.in)}), c.s) << c.in;
  }
}

TEST(RuntimeGc, NullI31Traps) {
  Harness h(funcs_module(functype({}, {I32}), {cat({kNullI31, kGetU}), cat({kNullI31, kGetS})}));
  ASSERT_TRUE(h.inst);
  for (const char* f : {"f0", "f1"}) {
    auto r = h.call(f, {});
    ASSERT_FALSE(r) << f;
    EXPECT_EQ(r.error().code, TrapCode::NullReference);
    EXPECT_EQ(r.error().message, "null i31 reference");
  }
}

TEST(RuntimeGc, RefEqComparesI31Values) {
  // (i32, i32) -> i32: ref.eq (ref.i31 a) (ref.i31 b); and ref.eq with null.
  Harness h(funcs_module(functype({I32, I32}, {I32}),
                         {cat({kLocal0, kRefI31, kLocal1, kRefI31, {0xd3}}),
                          cat({kLocal0, kRefI31, kNullI31, {0xd3}}),
                          cat({kNullI31, {0xd0, EQREF}, {0xd3}})}));
  ASSERT_TRUE(h.inst);
  auto eq = [&](uint32_t a, uint32_t b) {
    return h.call_i32("f0", {Value::from_i32(a), Value::from_i32(b)});
  };
  EXPECT_EQ(eq(5, 5), 1u);
  EXPECT_EQ(eq(5, 6), 0u);
  EXPECT_EQ(eq(0x80000005, 5), 1u);  // same i31 value
  EXPECT_EQ(h.call_i32("f1", {Value::from_i32(0), Value::from_i32(0)}), 0u);
  EXPECT_EQ(h.call_i32("f2", {Value::from_i32(0), Value::from_i32(0)}), 1u);
}

TEST(RuntimeGc, TableAndGlobalOfI31) {
  // (table 2 (ref i31) (ref.i31 (i32.const 7))), (global (mut i31ref) (ref.i31 (i32.const -1))).
  Bytes init_expr = cat({i32_const(7), kRefI31, {0x0b}});
  Bytes table = cat({{0x40, 0x00, 0x64, I31REF, 0x00}, u32(2), init_expr});
  Bytes global = cat({{I31REF, 0x01}, i32_const(-1), kRefI31, {0x0b}});
  Bytes get_tab = cat({kLocal0, {0x25, 0x00}, kGetU});                       // table.get 0 (local 0)
  Bytes set_tab = cat({kLocal0, kLocal1, kRefI31, {0x26, 0x00}, i32_const(0)});  // table.set
  Bytes get_glob = cat({{0x23, 0x00}, kGetS});
  Bytes set_glob = cat({kLocal1, kRefI31, {0x24, 0x00}, i32_const(0)});
  Harness h(funcs_module(functype({I32, I32}, {I32}), {get_tab, set_tab, get_glob, set_glob},
                         {section(4, vec({table})), section(6, vec({global}))}));
  ASSERT_TRUE(h.inst);
  auto call = [&](const char* f, uint32_t a, uint32_t b) {
    return h.call_i32(f, {Value::from_i32(a), Value::from_i32(b)});
  };
  EXPECT_EQ(call("f0", 0, 0), 7u);
  EXPECT_EQ(call("f0", 1, 0), 7u);
  call("f1", 1, 0x1234);
  EXPECT_EQ(call("f0", 0, 0), 7u);
  EXPECT_EQ(call("f0", 1, 0), 0x1234u);
  EXPECT_EQ(call("f2", 0, 0), 0xffffffffu);
  call("f3", 0, 42);
  EXPECT_EQ(call("f2", 0, 0), 42u);
  auto oob = h.call("f0", {Value::from_i32(2), Value::from_i32(0)});
  ASSERT_FALSE(oob);
  EXPECT_EQ(oob.error().code, TrapCode::TableOutOfBounds);
}

TEST(RuntimeGc, RefTestAndCast) {
  // (param i32 i32) (result i32): local 1 = 0 -> null anyref, else ref.i31 (local 0).
  Bytes operand = cat({kLocal1, {0x04, ANYREF}, kLocal0, kRefI31, {0x05}, kNullAny, {0x0b}});
  Harness h(funcs_module(functype({I32, I32}, {I32}),
                         {cat({operand, ref_test(false, I31REF)}),
                          cat({operand, ref_test(true, I31REF)}),
                          cat({operand, ref_test(false, 0x6b /* struct */)}),
                          cat({operand, ref_test(false, EQREF)}),
                          cat({operand, ref_cast(false, I31REF), kGetU}),
                          cat({operand, ref_cast(true, I31REF), {0xd1}}),
                          cat({operand, ref_cast(false, 0x6a /* array */), {0xd1}})}));
  ASSERT_TRUE(h.inst);
  auto call = [&](const char* f, uint32_t v, bool non_null) {
    return h.call(f, {Value::from_i32(v), Value::from_i32(non_null)});
  };
  auto i32_of = [](const Expected<std::vector<Value>, Trap>& r) {
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r && r->size() == 1 ? (*r)[0].i32 : 0xdeadbeef;
  };
  EXPECT_EQ(i32_of(call("f0", 9, true)), 1u);
  EXPECT_EQ(i32_of(call("f0", 9, false)), 0u);
  EXPECT_EQ(i32_of(call("f1", 9, false)), 1u);
  EXPECT_EQ(i32_of(call("f2", 9, true)), 0u);
  EXPECT_EQ(i32_of(call("f3", 9, true)), 1u);
  EXPECT_EQ(i32_of(call("f4", 9, true)), 9u);
  EXPECT_EQ(i32_of(call("f5", 9, false)), 1u);  // a null passes ref.cast (ref null i31)
  for (auto [f, non_null] : {std::pair{"f4", false}, std::pair{"f6", true}}) {
    auto r = call(f, 9, non_null);
    ASSERT_FALSE(r) << f;
    EXPECT_EQ(r.error().code, TrapCode::CastFailure);
    EXPECT_EQ(r.error().message, "cast failure");
  }
}

TEST(RuntimeGc, DecoderAndValidatorRules) {
  Bytes get_u = funcs_module(functype({I32}, {I32}), {cat({kLocal0, kRefI31, kGetU})});
  // GC instructions are wasm 3.0: malformed (unknown opcode) in the 2.0 binary format.
  auto v2 = decode_module(get_u, Features::wasm2());
  ASSERT_FALSE(v2);
  EXPECT_NE(v2.error().message.find("illegal opcode 0xfb"), std::string::npos) << v2.error().message;
  ASSERT_TRUE(decode_module(get_u, Features::wasm3()));
  // i31.get_u of an i32, ref.i31 of an i64, ref.cast across hierarchies: invalid.
  for (const Bytes& code : {cat({kLocal0, kGetU}),
                            cat({{0x42, 0x00}, kRefI31, kGetU}),
                            cat({{0xd0, 0x70}, ref_cast(true, I31REF), kGetU})}) {
    auto m = decode_module(funcs_module(functype({I32}, {I32}), {code}), Features::wasm3());
    ASSERT_TRUE(m) << m.error().message;
    auto v = validate_module(**m, Features::wasm3());
    ASSERT_FALSE(v);
    EXPECT_NE(v.error().message.find("type mismatch"), std::string::npos) << v.error().message;
  }
  // i31ref <: eqref <: anyref: a function returning anyref may return ref.i31.
  auto sub = decode_module(funcs_module(functype({I32}, {ANYREF}), {cat({kLocal0, kRefI31})}));
  ASSERT_TRUE(sub);
  EXPECT_TRUE(validate_module(**sub, Features::wasm3()));
}

}  // namespace
}  // namespace kumo::wasm
