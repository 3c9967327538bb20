// StoreSnapshot (instance recycling): after capture, whatever the instance changes in its
// memories, tables, globals and segments, restore() brings back exactly the captured state,
// including writes made before capture (a start function's); a grown memory or new objects make
// restore() refuse.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <tuple>

#include "hand_built.hpp"
#include "wasm/runtime/snapshot.hpp"
#include "wasm/runtime/store.hpp"

namespace kumo::wasm {
namespace {

using test::expr;
using test::ins;

// Two functions (no code: nothing runs), a memory of `pages` with an active segment of
// `data_bytes` bytes at 16 and a passive one, a mutable global, a 4-entry table with an active and
// a passive element segment. 16 KiB of data or more gives the memory a copy-on-write image.
std::shared_ptr<CompiledModule> module(Engine& engine, size_t data_bytes, uint64_t pages) {
  auto m = std::make_shared<Module>();
  m->types.push_back(FuncType{{}, {}});
  m->functions = {Function{0, {}, 0, 0}, Function{0, {}, 0, 0}};
  Limits mem_limits;
  mem_limits.min = pages;
  m->memories.push_back(MemoryType{mem_limits});
  std::string active(data_bytes, 'd');
  active.replace(0, 5, "hello");
  DataSegment d;
  d.offset = expr({ins(Op::I32Const, 16)});
  d.data_offset = uint32_t(m->bytes.size());
  d.data_size = uint32_t(active.size());
  m->bytes.insert(m->bytes.end(), active.begin(), active.end());
  m->datas.push_back(d);
  DataSegment passive;
  passive.mode = SegmentMode::Passive;
  passive.data_offset = uint32_t(m->bytes.size());
  passive.data_size = 2;
  m->bytes.push_back('p');
  m->bytes.push_back('q');
  m->datas.push_back(passive);
  m->globals.push_back(Global{GlobalType{ValType::I32, true}, expr({ins(Op::I32Const, 7)})});
  Limits four;
  four.min = 4;
  m->tables.push_back(Table{TableType{ValType::funcref(), four}, std::nullopt});
  ElemSegment e;
  e.offset = expr({ins(Op::I32Const, 0)});
  e.items = {expr({ins(Op::RefFunc, 0)}), expr({ins(Op::RefFunc, 1)})};
  m->elems.push_back(e);
  ElemSegment pe;
  pe.mode = SegmentMode::Passive;
  pe.items = {expr({ins(Op::RefFunc, 1)})};
  m->elems.push_back(pe);
  auto c = std::make_shared<CompiledModule>();
  for (const FuncType& t : m->types) c->type_ids.push_back(engine.intern(t));
  c->module = std::move(m);
  return c;
}

// (data bytes, memory pages): 5 bytes are copied at instantiation, 20 KiB make a copy-on-write
// image; 2 pages (128 KiB) are small enough to be rewritten whole on restore, 8 pages are
// restored page by page from a pagemap scan.
class StoreSnapshotTest : public ::testing::TestWithParam<std::tuple<size_t, uint64_t>> {
 protected:
  size_t data_bytes() const { return std::get<0>(GetParam()); }
  uint64_t pages() const { return std::get<1>(GetParam()); }
  Engine engine;
  Store store{engine};
};

TEST_P(StoreSnapshotTest, RestoresEverythingTheInstanceChanged) {
  auto inst = store.instantiate(module(engine, data_bytes(), pages()), {});
  ASSERT_TRUE(inst) << inst.error().message;
  Instance& in = **inst;
  MemoryInst& mem = *in.memories[0];
  TableInst& table = *in.tables[0];
  GlobalInst& global = *in.globals[0];
  ASSERT_EQ(std::memcmp(mem.base + 16, "hello", 5), 0);
  // What a start function might have done before the snapshot: it must survive restore.
  std::memcpy(mem.base + 30000, "start", 5);

  auto snap = StoreSnapshot::capture(store);
  ASSERT_TRUE(snap) << snap.error().message;
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    std::memcpy(mem.base + 16, "XXXXX", 5);     // over the active segment
    std::memcpy(mem.base + 30000, "YYYYY", 5);  // over the start function's write
    std::memset(mem.base + 70000, 0xee, 9000);  // second page, never written before
    mem.base[pages() * 65536 - 1] = 1;          // the last byte
    global.value[0] = 42;
    table.elems[0] = nullptr;
    ASSERT_EQ(table.grow(2, in.funcs[0]), 4);
    in.elems[1].clear();  // elem.drop
    in.datas[1] = {};     // data.drop

    ASSERT_TRUE(snap->restore(store));
    EXPECT_EQ(std::memcmp(mem.base + 16, "hello", 5), 0);
    EXPECT_EQ(std::memcmp(mem.base + 30000, "start", 5), 0);
    if (data_bytes() > 16384) {
      EXPECT_EQ(mem.base[16 + 16384], 'd');
    }
    for (uint64_t i = 65536; i < pages() * 65536; ++i) ASSERT_EQ(mem.base[i], 0) << i;
    EXPECT_EQ(mem.size, pages() * 65536);
    EXPECT_EQ(global.value[0], 7u);
    ASSERT_EQ(table.elems.size(), 4u);
    EXPECT_EQ(table.elems[0], in.funcs[0]);
    EXPECT_EQ(table.elems[1], in.funcs[1]);
    EXPECT_EQ(table.elems[2], nullptr);
    ASSERT_EQ(in.elems[1].size(), 1u);
    EXPECT_EQ(in.elems[1][0], in.funcs[1]);
    EXPECT_EQ(in.datas[1].size(), 2u);
  }
}

TEST_P(StoreSnapshotTest, RefusesAfterMemoryGrowOrNewObjects) {
  auto inst = store.instantiate(module(engine, data_bytes(), pages()), {});
  ASSERT_TRUE(inst) << inst.error().message;
  auto snap = StoreSnapshot::capture(store);
  ASSERT_TRUE(snap) << snap.error().message;
  ASSERT_EQ((*inst)->memories[0]->grow(1), int64_t(pages()));
  EXPECT_FALSE(snap->restore(store));

  Store other{engine};
  ASSERT_TRUE(other.instantiate(module(engine, data_bytes(), pages()), {}));
  auto snap2 = StoreSnapshot::capture(other);
  ASSERT_TRUE(snap2);
  EXPECT_TRUE(snap2->restore(other));
  other.add_global({ValType::I32, true}, Value::from_i32(1));
  EXPECT_FALSE(snap2->restore(other));
}

INSTANTIATE_TEST_SUITE_P(DataAndPages, StoreSnapshotTest,
                         ::testing::Combine(::testing::Values(size_t(5), size_t(20000)),
                                            ::testing::Values(uint64_t(2), uint64_t(8))));

}  // namespace
}  // namespace kumo::wasm
