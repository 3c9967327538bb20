// End to end through compile() -> instantiate -> invoke, with small hand-assembled binaries:
// exports and typed calls, host imports with Caller, guarded and unguarded out-of-bounds traps,
// data/elem segments, call_indirect, memory.grow, start-function traps during instantiation.
#include <gtest/gtest.h>

#include <initializer_list>

#include "wasm/runtime/host_func.hpp"

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

void name(Bytes& out, std::string_view s) {
  leb(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

// A vector of already-encoded items.
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

constexpr uint8_t I32 = 0x7f, I64 = 0x7e, FUNCREF = 0x70;

Bytes functype(Bytes params, Bytes results) {
  Bytes out{0x60};
  leb(out, params.size());
  out.insert(out.end(), params.begin(), params.end());
  leb(out, results.size());
  out.insert(out.end(), results.begin(), results.end());
  return out;
}

Bytes import_func(std::string_view mod, std::string_view nm, uint32_t type) {
  Bytes out;
  name(out, mod);
  name(out, nm);
  out.push_back(0x00);
  leb(out, type);
  return out;
}

Bytes import_memory(std::string_view mod, std::string_view nm, uint32_t min) {
  Bytes out;
  name(out, mod);
  name(out, nm);
  out.push_back(0x02);
  out.push_back(0x00);
  leb(out, min);
  return out;
}

Bytes export_(std::string_view nm, uint8_t kind, uint32_t index) {
  Bytes out;
  name(out, nm);
  out.push_back(kind);
  leb(out, index);
  return out;
}

Bytes u32(uint32_t v) {
  Bytes out;
  leb(out, v);
  return out;
}

// A function body: no locals, then the instructions and `end`.
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

Bytes memory_section(uint32_t min, std::optional<uint32_t> max = std::nullopt) {
  Bytes mem{uint8_t(max ? 0x01 : 0x00)};
  leb(mem, min);
  if (max) leb(mem, *max);
  return section(5, vec({mem}));
}

std::shared_ptr<CompiledModule> must_compile(Engine& engine, const Bytes& bytes) {
  auto c = compile(engine, bytes);
  EXPECT_TRUE(c) << (c ? "" : c.error().message);
  return c ? *c : nullptr;
}

TEST(RuntimeE2E, AddAndTypedCall) {
  Engine engine;
  Store store(engine);
  // (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  Bytes wasm = module({section(1, vec({functype({I32, I32}, {I32})})), section(3, vec({u32(0)})),
                       section(7, vec({export_("add", 0, 0)})),
                       section(10, vec({body({0x20, 0x00, 0x20, 0x01, 0x6a})}))});
  auto c = must_compile(engine, wasm);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->code.size(), 1u);
  auto inst = Linker().instantiate(store, c);
  ASSERT_TRUE(inst) << inst.error().message;
  FuncInst* add = (*inst)->get_func("add");
  ASSERT_NE(add, nullptr);
  EXPECT_FALSE(add->is_host());
  Value args[2] = {Value::from_i32(40), Value::from_i32(2)};
  auto r = invoke(store, add, args);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].i32, 42u);
  auto typed = TypedFunc<int32_t(int32_t, int32_t)>::from(add);
  ASSERT_TRUE(typed);
  EXPECT_EQ(*typed->call(store, -5, 3), -2);
}

TEST(RuntimeE2E, CanonicalTypeIdsForConcreteReferences) {
  Engine engine;
  constexpr uint8_t REF = 0x64;  // (ref $t), non-null
  // A: 0 = [] -> [], 1 = [(ref 0)] -> [], 2 = [(ref 2)] -> [] (refers to itself)
  // B: 0 = [i32] -> [], 1 = [] -> [], 2 = [(ref 1)] -> [], 3 = [(ref 0)] -> [], 4 = [(ref 4)] -> []
  auto takes_ref = [](uint8_t index) { return Bytes{0x60, 0x01, REF, index, 0x00}; };
  auto a = must_compile(engine, module({section(1, vec({functype({}, {}), takes_ref(0), takes_ref(2)}))}));
  auto b = must_compile(engine, module({section(1, vec({functype({I32}, {}), functype({}, {}), takes_ref(1),
                                                          takes_ref(0), takes_ref(4)}))}));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->type_ids[0], b->type_ids[1]);
  EXPECT_EQ(a->type_ids[1], b->type_ids[2]);  // same structure under different indices
  EXPECT_NE(a->type_ids[1], b->type_ids[3]);  // same index, different types
  EXPECT_EQ(a->type_ids[2], b->type_ids[4]);  // self references
}

TEST(RuntimeE2E, CompileErrors) {
  Engine engine;
  auto bad_magic = compile(engine, Bytes{0x00, 0x61, 0x73, 0x00, 0x01, 0, 0, 0});
  EXPECT_FALSE(bad_magic);
  // i32.add with an i64 operand: decodes, fails validation.
  Bytes wasm = module({section(1, vec({functype({I64}, {I32})})), section(3, vec({u32(0)})),
                       section(10, vec({body({0x20, 0x00, 0x41, 0x01, 0x6a})}))});
  auto invalid = compile(engine, wasm);
  ASSERT_FALSE(invalid);
  EXPECT_NE(invalid.error().message.find("type mismatch"), std::string::npos) << invalid.error().message;
}

// (memory 1 2) (func (export "load") (param i32) (result i32) local.get 0 i32.load)
// (func (export "grow") (param i32) (result i32) local.get 0 memory.grow) (data (i32.const 8) "\2a")
Bytes memory_module() {
  Bytes data;
  data.push_back(0x00);
  Bytes off = i32_const(8);
  data.insert(data.end(), off.begin(), off.end());
  data.push_back(0x0b);
  leb(data, 1);
  data.push_back(0x2a);
  return module({section(1, vec({functype({I32}, {I32})})), section(3, vec({u32(0), u32(0)})),
                 memory_section(1, 2),
                 section(7, vec({export_("load", 0, 0), export_("grow", 0, 1), export_("mem", 2, 0)})),
                 section(10, vec({body({0x20, 0x00, 0x28, 0x02, 0x00}), body({0x20, 0x00, 0x40, 0x00})})),
                 section(11, vec({data}))});
}

void check_memory_module(bool guard_pages) {
  Config cfg;
  cfg.guard_pages = guard_pages;
  Engine engine(cfg);
  Store store(engine);
  auto c = must_compile(engine, memory_module());
  ASSERT_TRUE(c);
  auto inst = Linker().instantiate(store, c);
  ASSERT_TRUE(inst) << inst.error().message;
  MemoryInst* mem = (*inst)->get_memory("mem");
  ASSERT_NE(mem, nullptr);
  EXPECT_EQ(mem->guarded, guard_pages);
  auto load = *TypedFunc<int32_t(uint32_t)>::from((*inst)->get_func("load"));
  auto grow = *TypedFunc<int32_t(uint32_t)>::from((*inst)->get_func("grow"));
  EXPECT_EQ(*load.call(store, 8), 0x2a);
  EXPECT_EQ(*load.call(store, 65532), 0);
  for (uint32_t addr : {65533u, 65536u, 0xFFFFFFFFu}) {
    auto r = load.call(store, addr);
    ASSERT_FALSE(r) << addr;
    EXPECT_EQ(r.error().code, TrapCode::MemoryOutOfBounds);
    EXPECT_EQ(r.error().message, "out of bounds memory access");
  }
  EXPECT_EQ(*grow.call(store, 1), 1);
  EXPECT_EQ(*load.call(store, 65536), 0);
  EXPECT_EQ(*grow.call(store, 1), -1);  // max 2
  EXPECT_FALSE(load.call(store, 2 * 65536 - 3));
  EXPECT_EQ(*load.call(store, 8), 0x2a);  // the store still works after traps
}

TEST(RuntimeE2E, GuardedMemoryOutOfBounds) { check_memory_module(true); }
TEST(RuntimeE2E, UncheckedMemoryOutOfBounds) { check_memory_module(false); }

TEST(RuntimeE2E, HostImportWithCaller) {
  Engine engine;
  Store store(engine);
  // (import "env" "mem" (memory 1)) (import "env" "sum" (func (param i32 i32) (result i32)))
  // (func (export "run") (result i32) i32.const 0 i32.const 4 call 0)
  Bytes wasm = module({section(1, vec({functype({I32, I32}, {I32}), functype({}, {I32})})),
                       section(2, vec({import_memory("env", "mem", 1), import_func("env", "sum", 0)})),
                       section(3, vec({u32(1)})), section(7, vec({export_("run", 0, 1)})),
                       section(10, vec({body({0x41, 0x00, 0x41, 0x04, 0x10, 0x00})}))});
  auto c = must_compile(engine, wasm);
  ASSERT_TRUE(c);
  MemoryInst* mem = *store.add_memory(MemoryType{Limits{1, std::nullopt, false, false}});
  for (int i = 0; i < 4; ++i) mem->base[i] = uint8_t(i + 1);
  Linker linker;
  linker.define("env", "mem", Extern::of(mem));
  bool saw_instance = false;
  func_wrap(linker, store, "env", "sum", [&](Caller& caller, uint32_t ptr, uint32_t len) -> Expected<int32_t, Trap> {
    MemoryInst* m = caller.memory();
    saw_instance = caller.instance != nullptr;
    if (m == nullptr || uint64_t(ptr) + len > m->size) return make_trap(TrapCode::MemoryOutOfBounds);
    int32_t s = 0;
    for (uint32_t i = 0; i < len; ++i) s += m->base[ptr + i];
    return s;
  });
  auto inst = linker.instantiate(store, c);
  ASSERT_TRUE(inst) << inst.error().message;
  auto r = invoke(store, (*inst)->get_func("run"), {});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ((*r)[0].i32, 10u);
  EXPECT_TRUE(saw_instance);
}

TEST(RuntimeE2E, HostTrapUnwindsWasm) {
  Engine engine;
  Store store(engine);
  // (import "env" "fail" (func)) (func (export "run") call 0 unreachable)
  Bytes wasm = module({section(1, vec({functype({}, {})})), section(2, vec({import_func("env", "fail", 0)})),
                       section(3, vec({u32(0)})), section(7, vec({export_("run", 0, 1)})),
                       section(10, vec({body({0x10, 0x00, 0x00})}))});
  auto c = must_compile(engine, wasm);
  ASSERT_TRUE(c);
  Linker linker;
  func_wrap(linker, store, "env", "fail",
            []() -> Expected<void, Trap> { return make_trap(TrapCode::HostError, "host says no"); });
  auto inst = linker.instantiate(store, c);
  ASSERT_TRUE(inst);
  auto r = invoke(store, (*inst)->get_func("run"), {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, TrapCode::HostError);
  EXPECT_EQ(r.error().message, "host says no");
}

TEST(RuntimeE2E, StartTrapLeavesEarlierWrites) {
  Engine engine;
  Store store(engine);
  // (import "env" "mem" (memory 1)) (data (i32.const 0) "hi")
  // (func $start i32.const 2 i32.const 33 i32.store8 unreachable) (start $start)
  Bytes data{0x00};
  Bytes off = i32_const(0);
  data.insert(data.end(), off.begin(), off.end());
  data.insert(data.end(), {0x0b, 0x02, 'h', 'i'});
  Bytes wasm = module({section(1, vec({functype({}, {})})), section(2, vec({import_memory("env", "mem", 1)})),
                       section(3, vec({u32(0)})), section(8, u32(0)),
                       section(10, vec({body({0x41, 0x02, 0x41, 0x21, 0x3a, 0x00, 0x00, 0x00})})),
                       section(11, vec({data}))});
  auto c = must_compile(engine, wasm);
  ASSERT_TRUE(c);
  MemoryInst* mem = *store.add_memory(MemoryType{Limits{1, std::nullopt, false, false}});
  Extern imp = Extern::of(mem);
  auto inst = store.instantiate(c, {&imp, 1});
  ASSERT_FALSE(inst);
  EXPECT_NE(inst.error().message.find("unreachable"), std::string::npos) << inst.error().message;
  EXPECT_EQ(std::string(reinterpret_cast<char*>(mem->base), 3), "hi!");
}

TEST(RuntimeE2E, ElemSegmentsAndCallIndirect) {
  Engine engine;
  Store store(engine);
  // (table 3 funcref) (elem (i32.const 1) $seven $eight)
  // (func $seven (result i32) i32.const 7) (func $eight (result i32) i32.const 8)
  // (func (export "call") (param i32) (result i32) local.get 0 call_indirect (type 0))
  Bytes elem{0x00};
  Bytes off = i32_const(1);
  elem.insert(elem.end(), off.begin(), off.end());
  elem.insert(elem.end(), {0x0b, 0x02, 0x00, 0x01});
  auto c = compile(engine, module({section(1, vec({functype({}, {I32}), functype({I32}, {I32})})),
                                   section(3, vec({u32(0), u32(0), u32(1)})),
                                   section(4, vec({Bytes{FUNCREF, 0x00, 0x03}})),
                                   section(7, vec({export_("call", 0, 2), export_("table", 1, 0)})),
                                   section(9, vec({elem})),
                                   section(10, vec({body(i32_const(7)), body(i32_const(8)),
                                                    body({0x20, 0x00, 0x11, 0x00, 0x00})}))}));
  ASSERT_TRUE(c) << c.error().message;
  auto inst = Linker().instantiate(store, *c);
  ASSERT_TRUE(inst) << inst.error().message;
  auto call = *TypedFunc<int32_t(int32_t)>::from((*inst)->get_func("call"));
  EXPECT_EQ(*call.call(store, 1), 7);
  EXPECT_EQ(*call.call(store, 2), 8);
  auto null_entry = call.call(store, 0);
  ASSERT_FALSE(null_entry);
  EXPECT_EQ(null_entry.error().message, "uninitialized element");
  auto oob = call.call(store, 3);
  ASSERT_FALSE(oob);  // spec 1.0/2.0 say "undefined element"; the wording is the interpreter's
  EXPECT_EQ(oob.error().code, TrapCode::TableOutOfBounds) << oob.error().message;
  // Put a function of the wrong type in the table from the host.
  TableInst* table = (*inst)->get_export("table")->table;
  table->elems[0] = (*inst)->funcs[2];
  auto mismatch = call.call(store, 0);
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().message, "indirect call type mismatch");
}

}  // namespace
}  // namespace kumo::wasm
