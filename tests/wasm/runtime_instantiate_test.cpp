// Instantiation with hand-built Modules (no decoder or interpreter needed): import matching,
// constant expressions, segments and partial initialisation, exports, the Linker.
#include <gtest/gtest.h>

#include <cstring>

#include "hand_built.hpp"
#include "wasm/runtime/host_func.hpp"

namespace kumo::wasm {
namespace {

using test::expr;
using test::ins;

Limits lim(uint64_t min, std::optional<uint64_t> max = std::nullopt) {
  Limits l;
  l.min = min;
  l.max = max;
  return l;
}

Limits lim64(uint64_t min, std::optional<uint64_t> max = std::nullopt) {
  Limits l = lim(min, max);
  l.is64 = true;
  return l;
}

FuncType ft(std::vector<ValType> params, std::vector<ValType> results) {
  return FuncType{std::move(params), std::move(results)};
}

ConstExpr i32(int32_t v) { return expr({ins(Op::I32Const, v)}); }

Import import(std::string mod, std::string name, ExternKind kind) {
  Import i;
  i.module = std::move(mod);
  i.name = std::move(name);
  i.kind = kind;
  return i;
}

void finish(Module& m) {
  for (const Import& i : m.imports) {
    switch (i.kind) {
      case ExternKind::Func: ++m.num_imported_funcs; break;
      case ExternKind::Table: ++m.num_imported_tables; break;
      case ExternKind::Memory: ++m.num_imported_memories; break;
      case ExternKind::Global: ++m.num_imported_globals; break;
      case ExternKind::Tag: ++m.num_imported_tags; break;
    }
  }
}

std::shared_ptr<CompiledModule> compiled(Engine& engine, std::shared_ptr<Module> m) {
  finish(*m);
  auto c = std::make_shared<CompiledModule>();
  for (const FuncType& t : m->types) c->type_ids.push_back(engine.intern(t));
  c->module = std::move(m);
  return c;
}

class RuntimeInstantiate : public ::testing::Test {
 protected:
  Engine engine;
  Store store{engine};
};

TEST_F(RuntimeInstantiate, ImportCountAndKind) {
  auto m = std::make_shared<Module>();
  m->types.push_back(ft({ValType::I32}, {}));
  Import f = import("env", "f", ExternKind::Func);
  m->imports.push_back(f);
  auto c = compiled(engine, m);

  auto none = store.instantiate(c, {});
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("expects 1 imports, got 0"), std::string::npos);

  MemoryInst* mem = *store.add_memory(MemoryType{lim(1)});
  Extern wrong_kind = Extern::of(mem);
  auto r = store.instantiate(c, {&wrong_kind, 1});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "import 0 (\"env\" \"f\"): incompatible import type: expected func, got memory");
}

TEST_F(RuntimeInstantiate, FunctionImportTypes) {
  auto m = std::make_shared<Module>();
  m->types.push_back(ft({ValType::I32}, {}));
  m->imports.push_back(import("env", "g", ExternKind::Global));
  m->imports[0].global = {ValType::I32, false};
  m->imports.push_back(import("spectest", "print", ExternKind::Func));
  auto c = compiled(engine, m);
  Extern imports[2] = {Extern::of(store.add_global({ValType::I32, false}, Value::from_i32(1))),
                       Extern::of(add_func(store, []() {}))};
  auto r = store.instantiate(c, imports);
  ASSERT_FALSE(r);
  EXPECT_EQ(
      r.error().message,
      "import 1 (\"spectest\" \"print\"): incompatible import type: expected func [i32] -> [], "
      "got func [] -> []");
  imports[1] = Extern::of(add_func(store, [](int32_t) {}));
  EXPECT_TRUE(store.instantiate(c, imports));
}

TEST_F(RuntimeInstantiate, GlobalImportTypes) {
  auto m = std::make_shared<Module>();
  m->imports.push_back(import("env", "g", ExternKind::Global));
  m->imports[0].global = {ValType::I64, true};
  auto c = compiled(engine, m);
  Extern immutable = Extern::of(store.add_global({ValType::I64, false}, Value::from_i64(1)));
  auto r = store.instantiate(c, {&immutable, 1});
  ASSERT_FALSE(r);
  EXPECT_NE(
      r.error().message.find("incompatible import type: expected global (mut i64), got global i64"),
      std::string::npos)
      << r.error().message;
  Extern wrong_type = Extern::of(store.add_global({ValType::I32, true}, Value::from_i32(1)));
  EXPECT_FALSE(store.instantiate(c, {&wrong_type, 1}));
  Extern good = Extern::of(store.add_global({ValType::I64, true}, Value::from_i64(1)));
  EXPECT_TRUE(store.instantiate(c, {&good, 1}));
}

TEST_F(RuntimeInstantiate, ImmutableGlobalsAreCovariant) {
  const ValType ref_func = ValType::ref(false, HeapType{HeapType::Func});
  const ValType ref_null_nofunc = ValType::ref(true, HeapType{HeapType::NoFunc});
  auto importing = [&](GlobalType want) {
    auto m = std::make_shared<Module>();
    m->imports.push_back(import("env", "g", ExternKind::Global));
    m->imports[0].global = want;
    return compiled(engine, m);
  };
  auto link = [&](std::shared_ptr<CompiledModule> c, GlobalType have) {
    Extern e = Extern::of(store.add_global(have, Value::from_ref(have.type, nullptr)));
    return bool(store.instantiate(c, {&e, 1}));
  };
  auto wants_funcref = importing({ValType::funcref(), false});
  EXPECT_TRUE(link(wants_funcref, {ref_func, false}));
  EXPECT_TRUE(link(wants_funcref, {ref_null_nofunc, false}));
  EXPECT_FALSE(link(wants_funcref, {ValType::externref(), false}));
  EXPECT_FALSE(link(importing({ref_func, false}), {ValType::funcref(), false}));
  EXPECT_FALSE(
      link(importing({ValType::funcref(), true}), {ref_func, true}));  // mutable: invariant
  EXPECT_TRUE(link(importing({ValType::funcref(), true}), {ValType::funcref(), true}));
}

TEST_F(RuntimeInstantiate, TableAndMemoryLimitsSubtyping) {
  auto m = std::make_shared<Module>();
  m->imports.push_back(import("env", "t", ExternKind::Table));
  m->imports[0].table.limits = lim(2, 10);
  m->imports.push_back(import("env", "m", ExternKind::Memory));
  m->imports[1].memory.limits = lim(1, 4);
  auto c = compiled(engine, m);

  auto try_with = [&](TableType tt, MemoryType mt) {
    Extern imports[2] = {Extern::of(*store.add_table(tt)), Extern::of(*store.add_memory(mt))};
    return store.instantiate(c, imports);
  };
  EXPECT_TRUE(try_with(TableType{ValType::funcref(), lim(2, 10)}, MemoryType{lim(1, 4)}));
  EXPECT_TRUE(try_with(TableType{ValType::funcref(), lim(5, 6)}, MemoryType{lim(3, 3)}));

  auto small = try_with(TableType{ValType::funcref(), lim(1, 10)}, MemoryType{lim(1, 4)});
  ASSERT_FALSE(small);
  EXPECT_EQ(
      small.error().message,
      "import 0 (\"env\" \"t\"): incompatible import type: expected table {min 2, max 10} funcref, "
      "got table {min 1, max 10} funcref");
  EXPECT_FALSE(try_with(TableType{ValType::funcref(), lim(2)}, MemoryType{lim(1, 4)}));
  EXPECT_FALSE(try_with(TableType{ValType::funcref(), lim(2, 11)}, MemoryType{lim(1, 4)}));
  EXPECT_FALSE(try_with(TableType{ValType::externref(), lim(2, 10)}, MemoryType{lim(1, 4)}));
  auto mem_max = try_with(TableType{ValType::funcref(), lim(2, 10)}, MemoryType{lim(1, 5)});
  ASSERT_FALSE(mem_max);
  EXPECT_NE(
      mem_max.error().message.find("expected memory {min 1, max 4}, got memory {min 1, max 5}"),
      std::string::npos);
  EXPECT_FALSE(try_with(TableType{ValType::funcref(), lim(2, 10)}, MemoryType{lim(0, 4)}));
  EXPECT_FALSE(try_with(TableType{ValType::funcref(), lim(2, 10)}, MemoryType{lim64(1, 4)}));

  // The current size counts, not the declared minimum: a grown memory satisfies min 1.
  MemoryInst* grown = *store.add_memory(MemoryType{lim(0, 4)});
  grown->grow(1);
  Extern imports[2] = {Extern::of(*store.add_table(TableType{ValType::funcref(), lim(2, 2)})),
                       Extern::of(grown)};
  EXPECT_TRUE(store.instantiate(c, imports));
}

TEST_F(RuntimeInstantiate, GlobalsAndExports) {
  auto m = std::make_shared<Module>();
  m->imports.push_back(import("env", "base", ExternKind::Global));
  m->imports[0].global = {ValType::I32, false};
  // (global i32 (i32.add (global.get 0) (i32.const 10)))  extended-const
  m->globals.push_back({{ValType::I32, false},
                        expr({ins(Op::GlobalGet, 0), ins(Op::I32Const, 10), ins(Op::I32Add)})});
  // (global (mut i64) (i64.mul (i64.const -3) (i64.const 5)))
  m->globals.push_back(
      {{ValType::I64, true}, expr({ins(Op::I64Const, -3), ins(Op::I64Const, 5), ins(Op::I64Mul)})});
  Instr f32;
  f32.op = Op::F32Const;
  f32.bits = 0x7fc00001;  // NaN payload preserved
  m->globals.push_back({{ValType::F32, false}, expr({f32})});
  Instr v128;
  v128.op = Op::V128Const;
  for (int i = 0; i < 16; ++i) v128.v128[i] = uint8_t(i);
  m->globals.push_back({{ValType::V128, false}, expr({v128})});
  m->globals.push_back({{ValType::funcref(), false}, expr({ins(Op::RefNull)})});
  m->globals.push_back({{ValType::I32, false},
                        expr({ins(Op::I32Const, -1), ins(Op::I32Const, 2), ins(Op::I32Mul)})});
  m->exports.push_back({"sum", ExternKind::Global, 1});
  m->exports.push_back({"product", ExternKind::Global, 2});
  m->memories.push_back(MemoryType{lim(1)});
  m->exports.push_back({"memory", ExternKind::Memory, 0});
  auto c = compiled(engine, m);

  Extern base = Extern::of(store.add_global({ValType::I32, false}, Value::from_i32(32)));
  auto inst = store.instantiate(c, {&base, 1});
  ASSERT_TRUE(inst) << inst.error().message;
  Instance& in = **inst;
  ASSERT_EQ(in.globals.size(), 7u);
  EXPECT_EQ(in.globals[1]->value[0], 42u);
  EXPECT_EQ(in.globals[2]->value[0], uint64_t(-15));
  EXPECT_TRUE(in.globals[2]->type.mut);
  EXPECT_EQ(in.globals[3]->value[0], 0x7fc00001u);
  EXPECT_EQ(in.globals[4]->value[0], 0x0706050403020100u);
  EXPECT_EQ(in.globals[4]->value[1], 0x0f0e0d0c0b0a0908u);
  EXPECT_EQ(in.globals[5]->value[0], 0u);
  EXPECT_EQ(in.globals[6]->value[0], 0xFFFFFFFEu);  // i32 results are zero-extended
  auto sum = in.get_export("sum");
  ASSERT_TRUE(sum);
  EXPECT_EQ(sum->kind, ExternKind::Global);
  EXPECT_EQ(sum->global, in.globals[1]);
  EXPECT_FALSE(in.get_export("nope"));
  EXPECT_EQ(in.get_func("sum"), nullptr);
  ASSERT_NE(in.get_memory("memory"), nullptr);
  EXPECT_EQ(in.get_memory("memory")->size, 65536u);
  Caller caller{store, &in};
  EXPECT_EQ(caller.memory(0), in.memories[0]);
  EXPECT_EQ(caller.memory(1), nullptr);
  EXPECT_EQ(caller.exported_memory(), in.memories[0]);
  EXPECT_EQ((Caller{store, nullptr}.memory()), nullptr);
}

// A module with functions whose code is absent (no interpreter needed: nothing is called).
std::shared_ptr<Module> module_with_funcs(uint32_t n) {
  auto m = std::make_shared<Module>();
  m->types.push_back(ft({}, {}));
  for (uint32_t i = 0; i < n; ++i) m->functions.push_back(Function{0, {}, 0, 0});
  return m;
}

TEST_F(RuntimeInstantiate, ElementSegments) {
  auto m = module_with_funcs(3);
  m->tables.push_back(Table{TableType{ValType::funcref(), lim(5)}, std::nullopt});
  ElemSegment active;
  active.offset = i32(1);
  active.items = {expr({ins(Op::RefFunc, 2)}), expr({ins(Op::RefNull)}),
                  expr({ins(Op::RefFunc, 0)})};
  m->elems.push_back(active);
  ElemSegment passive;
  passive.mode = SegmentMode::Passive;
  passive.items = {expr({ins(Op::RefFunc, 1)})};
  m->elems.push_back(passive);
  ElemSegment declarative;
  declarative.mode = SegmentMode::Declarative;
  declarative.items = {expr({ins(Op::RefFunc, 1)})};
  m->elems.push_back(declarative);
  m->exports.push_back({"f1", ExternKind::Func, 1});
  auto c = compiled(engine, m);

  auto inst = store.instantiate(c, {});
  ASSERT_TRUE(inst) << inst.error().message;
  Instance& in = **inst;
  ASSERT_EQ(in.funcs.size(), 3u);
  EXPECT_EQ(in.funcs[2]->func_index, 2u);
  EXPECT_EQ(in.funcs[2]->instance, &in);
  EXPECT_EQ(in.funcs[2]->type, &engine.type_of(c->type_ids[0]));
  EXPECT_EQ(in.get_func("f1"), in.funcs[1]);
  const std::vector<Ref>& t = in.tables[0]->elems;
  EXPECT_EQ(t[0], nullptr);
  EXPECT_EQ(t[1], in.funcs[2]);
  EXPECT_EQ(t[2], nullptr);
  EXPECT_EQ(t[3], in.funcs[0]);
  EXPECT_EQ(t[4], nullptr);
  ASSERT_EQ(in.elems.size(), 3u);
  EXPECT_TRUE(in.elems[0].empty());   // active: dropped after use
  ASSERT_EQ(in.elems[1].size(), 1u);  // passive: kept for table.init
  EXPECT_EQ(in.elems[1][0], in.funcs[1]);
  EXPECT_TRUE(in.elems[2].empty());  // declarative: dropped
}

TEST_F(RuntimeInstantiate, TableInitialiserExpression) {
  auto m = module_with_funcs(1);
  m->tables.push_back(Table{TableType{ValType::funcref(), lim(3)}, expr({ins(Op::RefFunc, 0)})});
  auto inst = store.instantiate(compiled(engine, m), {});
  ASSERT_TRUE(inst) << inst.error().message;
  for (Ref r : (*inst)->tables[0]->elems) EXPECT_EQ(r, (*inst)->funcs[0]);
}

TEST_F(RuntimeInstantiate, DataSegmentsAndPartialInitialisation) {
  // Imported memory of 1 page; segment 0 fits, segment 1 is out of bounds, segment 2 never runs.
  auto m = std::make_shared<Module>();
  m->bytes = {'a', 'b', 'c', 'x', 'y', 'z'};
  m->imports.push_back(import("env", "mem", ExternKind::Memory));
  m->imports[0].memory.limits = lim(1);
  DataSegment d0;
  d0.offset = i32(100);
  d0.data_offset = 0;
  d0.data_size = 3;
  DataSegment d1;
  d1.offset = i32(65535);
  d1.data_offset = 3;
  d1.data_size = 2;
  DataSegment d2;
  d2.offset = i32(0);
  d2.data_offset = 3;
  d2.data_size = 3;
  m->datas = {d0, d1, d2};
  auto c = compiled(engine, m);
  MemoryInst* mem = *store.add_memory(MemoryType{lim(1)});
  Extern imp = Extern::of(mem);
  auto r = store.instantiate(c, {&imp, 1});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.rfind("out of bounds memory access", 0), 0u) << r.error().message;
  EXPECT_EQ(std::string(reinterpret_cast<char*>(mem->base + 100), 3), "abc");
  EXPECT_EQ(mem->base[0], 0);
  EXPECT_EQ(mem->base[65535], 0);

  // The same segments all fit once the memory is large enough; passive ones stay available.
  m = std::make_shared<Module>(*c->module);
  m->num_imported_memories = 0;
  m->datas[1].offset = i32(65534);
  m->datas.push_back(DataSegment{SegmentMode::Passive, 0, {}, 1, 2});
  auto c2 = compiled(engine, m);
  auto ok = store.instantiate(c2, {&imp, 1});
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(mem->base[65534], 'x');
  EXPECT_EQ(mem->base[0], 'x');
  ASSERT_EQ((*ok)->datas.size(), 4u);
  EXPECT_TRUE((*ok)->datas[0].empty());
  EXPECT_EQ((*ok)->datas[3].size(), 2u);
  EXPECT_EQ((*ok)->datas[3][0], 'b');
}

TEST_F(RuntimeInstantiate, ElementSegmentOutOfBoundsKeepsEarlierWrites) {
  auto m = module_with_funcs(1);
  m->imports.push_back(import("env", "table", ExternKind::Table));
  m->imports[0].table.limits = lim(4);
  ElemSegment ok;
  ok.offset = i32(0);
  ok.items = {expr({ins(Op::RefFunc, 0)})};
  ElemSegment bad = ok;
  bad.offset = i32(4);  // zero room left: even this one item is out of bounds
  ElemSegment empty_at_end;
  empty_at_end.offset = i32(4);  // an empty segment exactly at the end is fine
  m->elems = {ok, empty_at_end, bad};
  auto c = compiled(engine, m);
  TableInst* table = *store.add_table(TableType{ValType::funcref(), lim(4)});
  Extern imp = Extern::of(table);
  auto r = store.instantiate(c, {&imp, 1});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.rfind("out of bounds table access", 0), 0u) << r.error().message;
  EXPECT_NE(table->elems[0], nullptr);  // written by segment 0 before segment 2 failed
  EXPECT_EQ(static_cast<FuncInst*>(table->elems[0])->func_index, 0u);
}

TEST_F(RuntimeInstantiate, MemoryTooLargeForConfig) {
  Config cfg;
  cfg.max_memory_bytes = 1 << 20;
  Engine small(cfg);
  Store s(small);
  auto m = std::make_shared<Module>();
  m->memories.push_back(MemoryType{lim(17)});
  auto r = s.instantiate(compiled(small, m), {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("exceeds the limit"), std::string::npos);
}

TEST_F(RuntimeInstantiate, LinkerResolvesByName) {
  auto m = std::make_shared<Module>();
  m->types.push_back(ft({ValType::I32, ValType::I32}, {ValType::I32}));
  m->imports.push_back(import("env", "add", ExternKind::Func));
  m->imports.push_back(import("env", "memory", ExternKind::Memory));
  m->imports[1].memory.limits = lim(1);
  m->exports.push_back({"add_again", ExternKind::Func, 0});
  auto c = compiled(engine, m);

  Linker linker;
  func_wrap(linker, store, "env", "add", [](int32_t a, int32_t b) { return a + b; });
  auto missing = linker.instantiate(store, c);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "unknown import: \"env\" \"memory\"");

  linker.define("env", "memory", Extern::of(*store.add_memory(MemoryType{lim(1)})));
  EXPECT_NE(linker.find("env", "memory"), nullptr);
  EXPECT_EQ(linker.find("env", "nothing"), nullptr);
  auto inst = linker.instantiate(store, c);
  ASSERT_TRUE(inst) << inst.error().message;

  // Re-export through define_instance: the same FuncInst, callable from the host.
  linker.define_instance("first", **inst);
  const Extern* again = linker.find("first", "add_again");
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->func, linker.find("env", "add")->func);
  Value args[2] = {Value::from_i32(2), Value::from_i32(40)};
  auto r = invoke(store, again->func, args);
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].i32, 42u);

  // Wrong type through the linker names the import.
  Linker wrong;
  func_wrap(wrong, store, "env", "add", [](int64_t a) { return a; });
  wrong.define("env", "memory", *linker.find("env", "memory"));
  auto bad = wrong.instantiate(store, c);
  ASSERT_FALSE(bad);
  EXPECT_EQ(
      bad.error().message,
      "import 0 (\"env\" \"add\"): incompatible import type: expected func [i32 i32] -> [i32], "
      "got func [i64] -> [i64]");
}

}  // namespace
}  // namespace kumo::wasm

namespace kumo::wasm {
namespace {

// A module whose memory 0 has 40 KiB of data at offset 100: enough for a memory image.
std::shared_ptr<Module> imaged_module(uint8_t fill) {
  auto m = std::make_shared<Module>();
  MemoryType mt;
  mt.limits = lim(1);
  m->memories.push_back(mt);
  m->bytes.assign(40 << 10, fill);
  DataSegment d;
  d.offset = i32(100);
  d.data_offset = 0;
  d.data_size = uint32_t(m->bytes.size());
  m->datas.push_back(d);
  return m;
}

// Fresh instances of an imaged module see the pristine image whatever earlier instances wrote
// (their pages are private copies), and memories that reuse a slot of another module see zeros.
TEST(RuntimeMemoryImage, FreshInstancesSeeThePristineImage) {
  Engine engine;
  auto c = compiled(engine, imaged_module(0xAB));
  ASSERT_NE(c->memory_image(), nullptr);
  for (int round = 0; round < 3; ++round) {
    Store store{engine};
    auto inst = store.instantiate(c, {});
    ASSERT_TRUE(inst) << inst.error().message;
    MemoryInst* mem = (*inst)->memories[0];
    EXPECT_TRUE(mem->has_image(*c->memory_image()));
    EXPECT_EQ(mem->base[99], 0) << round;
    EXPECT_EQ(mem->base[100], 0xAB) << round;
    EXPECT_EQ(mem->base[100 + (40 << 10) - 1], 0xAB) << round;
    EXPECT_EQ(mem->base[100 + (40 << 10)], 0) << round;
    EXPECT_EQ(mem->base[60000], 0) << round;
    // Scribble everywhere; the next round must not see it.
    std::memset(mem->base, 0x5A, 65536);
  }
  // Another module (no image) in a released slot: all zero.
  auto plain = std::make_shared<Module>();
  MemoryType mt;
  mt.limits = lim(1);
  plain->memories.push_back(mt);
  auto p = compiled(engine, plain);
  EXPECT_EQ(p->memory_image(), nullptr);
  for (int round = 0; round < 3; ++round) {
    Store store{engine};
    auto inst = store.instantiate(p, {});
    ASSERT_TRUE(inst) << inst.error().message;
    const uint8_t* b = (*inst)->memories[0]->base;
    EXPECT_EQ(b[100], 0);
    EXPECT_EQ(b[30000], 0);
  }
  // And a module with a different image sees its own contents.
  auto other = compiled(engine, imaged_module(0x11));
  Store store{engine};
  auto inst = store.instantiate(other, {});
  ASSERT_TRUE(inst);
  EXPECT_EQ((*inst)->memories[0]->base[100], 0x11);
  EXPECT_EQ((*inst)->memories[0]->base[50], 0);
}

// Too little data, or a segment past the initial size: no image (the copy path decides).
TEST(RuntimeMemoryImage, NotBuiltWhenItCannotApply) {
  auto small = imaged_module(1);
  small->bytes.resize(100);
  small->datas[0].data_size = 100;
  finish(*small);
  EXPECT_EQ(MemoryImage::build(*small), nullptr);
  auto past = imaged_module(1);
  past->datas[0].offset = i32(65000);
  EXPECT_EQ(MemoryImage::build(*past), nullptr);
}

}  // namespace
}  // namespace kumo::wasm
