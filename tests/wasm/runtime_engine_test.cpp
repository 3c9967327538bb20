// Engine type interning, trap wording and formatting, tables and Store object creation.
#include <gtest/gtest.h>

#include <thread>

#include "wasm/runtime/host_func.hpp"
#include "wasm/runtime/store.hpp"

namespace kumo::wasm {
namespace {

Limits lim(uint64_t min, std::optional<uint64_t> max = std::nullopt) {
  Limits l;
  l.min = min;
  l.max = max;
  return l;
}

FuncType ft(std::vector<ValType> params, std::vector<ValType> results) {
  return FuncType{std::move(params), std::move(results)};
}

TEST(RuntimeEngine, InterningIsStructural) {
  Engine engine;
  uint32_t a = engine.intern(ft({ValType::I32}, {}));
  uint32_t b = engine.intern(ft({ValType::I64}, {}));
  uint32_t c = engine.intern(ft({ValType::I32}, {}));
  uint32_t d = engine.intern(ft({}, {ValType::I32}));
  uint32_t e = engine.intern(ft({ValType::funcref()}, {}));
  uint32_t f = engine.intern(ft({ValType::externref()}, {}));
  EXPECT_EQ(a, c);
  EXPECT_NE(a, b);
  EXPECT_NE(a, d);
  EXPECT_NE(e, f);
  EXPECT_EQ(engine.type_of(a), ft({ValType::I32}, {}));
  EXPECT_EQ(&engine.type_of(a), &engine.type_of(c));
}

TEST(RuntimeEngine, InterningIsThreadSafeAndAddressesAreStable) {
  Engine engine;
  const FuncType* first = &engine.type_of(engine.intern(ft({}, {})));
  auto work = [&engine](std::vector<uint32_t>* ids) {
    for (uint32_t n = 0; n < 2000; ++n) {
      std::vector<ValType> params(n % 40, ValType::I32);
      params.push_back(n & 1 ? ValType::F64 : ValType::I64);
      ids->push_back(engine.intern(ft(params, {ValType::I32})));
    }
  };
  std::vector<uint32_t> ids1, ids2;
  std::thread t1(work, &ids1), t2(work, &ids2);
  t1.join();
  t2.join();
  EXPECT_EQ(ids1, ids2);
  EXPECT_EQ(first, &engine.type_of(engine.intern(ft({}, {}))));
}

TEST(RuntimeTrap, SpecWording) {
  EXPECT_STREQ(trap_message(TrapCode::Unreachable), "unreachable");
  EXPECT_STREQ(trap_message(TrapCode::MemoryOutOfBounds), "out of bounds memory access");
  EXPECT_STREQ(trap_message(TrapCode::TableOutOfBounds), "out of bounds table access");
  EXPECT_STREQ(trap_message(TrapCode::UninitializedElement), "uninitialized element");
  EXPECT_STREQ(trap_message(TrapCode::IndirectCallTypeMismatch), "indirect call type mismatch");
  EXPECT_STREQ(trap_message(TrapCode::IntegerOverflow), "integer overflow");
  EXPECT_STREQ(trap_message(TrapCode::IntegerDivideByZero), "integer divide by zero");
  EXPECT_STREQ(trap_message(TrapCode::InvalidConversionToInteger), "invalid conversion to integer");
  EXPECT_STREQ(trap_message(TrapCode::CallStackExhausted), "call stack exhausted");
  EXPECT_STREQ(trap_message(TrapCode::NullReference), "null reference");
  EXPECT_STREQ(trap_message(TrapCode::UnalignedAtomic), "unaligned atomic");
}

TEST(RuntimeTrap, ToStringListsFrames) {
  Trap t = make_trap(TrapCode::IntegerDivideByZero).error;
  EXPECT_EQ(t.message, "integer divide by zero");
  EXPECT_EQ(t.to_string(), "integer divide by zero");
  t.backtrace.push_back({3, "div", "calc", 0x4a});
  t.backtrace.push_back({7, "", "", 0x90});
  std::string s = t.to_string();
  EXPECT_EQ(s.rfind("integer divide by zero\nwasm backtrace:", 0), 0u) << s;
  EXPECT_NE(s.find("0x4a - calc!div (func 3)"), std::string::npos) << s;
  EXPECT_NE(s.find("0x90 - <func 7>"), std::string::npos) << s;
  EXPECT_EQ(make_trap(TrapCode::HostError, "boom").error.message, "boom");
}

TEST(RuntimeValue, ToString) {
  EXPECT_EQ(to_string(Value::from_i32(uint32_t(-5))), "i32.const -5");
  EXPECT_EQ(to_string(Value::from_i64(42)), "i64.const 42");
  EXPECT_EQ(to_string(Value::from_f32(1.5f)), "f32.const 1.5");
  EXPECT_EQ(to_string(Value::from_f64(-0.25)), "f64.const -0.25");
  EXPECT_EQ(to_string(Value::from_f32_bits(0x7fc00001)), "f32.const nan:0x400001");
  EXPECT_EQ(to_string(Value::from_f64_bits(0xfff8000000000000ull)), "f64.const -nan:0x8000000000000");
  EXPECT_EQ(to_string(Value::from_ref(ValType::externref(), nullptr)), "ref.null extern");
  EXPECT_EQ(to_string(Value::from_v128(V128{0x0000000200000001ull, 0x0000000400000003ull})),
            "v128.const i32x4 0x00000001 0x00000002 0x00000003 0x00000004");
}

TEST(RuntimeTable, GrowAndLimits) {
  Engine engine;
  Store store(engine);
  TableType type;
  type.limits.min = 2;
  type.limits.max = 5;
  int marker = 0;
  auto t = store.add_table(type, &marker);
  ASSERT_TRUE(t);
  TableInst* table = *t;
  EXPECT_EQ(table->elems.size(), 2u);
  EXPECT_EQ(table->elems[1], &marker);
  EXPECT_EQ(table->grow(2, nullptr), 2);
  EXPECT_EQ(table->elems.size(), 4u);
  EXPECT_EQ(table->elems[3], nullptr);
  EXPECT_EQ(table->grow(2, nullptr), -1);
  EXPECT_EQ(table->grow(0, nullptr), 4);
  EXPECT_EQ(table->grow(1, &marker), 4);
  EXPECT_EQ(table->elems[4], &marker);
  EXPECT_EQ(table->grow(1, nullptr), -1);
}

TEST(RuntimeTable, GrowWithoutMaxIsCapped) {
  Engine engine;
  Store store(engine);
  TableType type;
  TableInst* table = *store.add_table(type);
  EXPECT_EQ(table->grow(0xFFFFFFF0u, nullptr), -1);  // not a 32 GiB allocation
  EXPECT_EQ(table->grow(UINT64_MAX, nullptr), -1);
  EXPECT_EQ(table->grow(10, nullptr), 0);
  type.limits.min = uint64_t(1) << 40;
  EXPECT_FALSE(store.add_table(type));
}

TEST(RuntimeStore, GlobalsTagsAndHostFuncs) {
  Engine engine;
  int data = 0;
  Store store(engine, &data);
  EXPECT_EQ(store.user_data(), &data);
  GlobalInst* g = store.add_global({ValType::F32, true}, Value::from_f32(2.5f));
  EXPECT_EQ(g->value[0], 0x40200000u);
  EXPECT_TRUE(g->type.mut);
  GlobalInst* v = store.add_global({ValType::V128, false}, Value::from_v128({1, 2}));
  EXPECT_EQ(v->value[0], 1u);
  EXPECT_EQ(v->value[1], 2u);
  TagInst* tag = store.add_tag(ft({ValType::I32}, {}));
  EXPECT_EQ(tag->type_id, engine.intern(ft({ValType::I32}, {})));
  FuncInst* f = store.add_host_func(ft({ValType::I32}, {}), [](Caller&, uint64_t*) -> Expected<void, Trap> {
    return {};
  });
  EXPECT_TRUE(f->is_host());
  EXPECT_EQ(f->type_id, tag->type_id);
  EXPECT_EQ(f->type, tag->type);

  auto mem = store.add_memory(MemoryType{lim(1, 1)});
  ASSERT_TRUE(mem);
  EXPECT_EQ((*mem)->size, 65536u);
  Config small;
  small.max_memory_bytes = 65536;
  Engine small_engine(small);
  Store small_store(small_engine);
  EXPECT_FALSE(small_store.add_memory(MemoryType{lim(2)}));
}

TEST(RuntimeStore, EpochDeadline) {
  Engine engine;
  Store store(engine);
  EXPECT_EQ(store.epoch_deadline(), UINT64_MAX);
  engine.increment_epoch();
  store.set_epoch_deadline(3);
  EXPECT_EQ(store.epoch_deadline(), 4u);
}

}  // namespace
}  // namespace kumo::wasm
