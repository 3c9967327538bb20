// Typed host functions (signature derivation, slot layout, traps), the dynamic form, invoke()
// and TypedFunc. Host functions are called through interp::call.
#include <gtest/gtest.h>

#include <stdexcept>

#include "wasm/runtime/host_func.hpp"

namespace kumo::wasm {
namespace {

FuncType ft(std::vector<ValType> params, std::vector<ValType> results) {
  return FuncType{std::move(params), std::move(results)};
}

int64_t free_function(int64_t a, double b) { return a + int64_t(b); }

TEST(RuntimeHostFunc, SignatureDerivation) {
  EXPECT_EQ(wrap_func([](int32_t a, int32_t b) { return a + b; }).type,
            ft({ValType::I32, ValType::I32}, {ValType::I32}));
  EXPECT_EQ(wrap_func([](uint32_t, uint64_t, float, double) {}).type,
            ft({ValType::I32, ValType::I64, ValType::F32, ValType::F64}, {}));
  EXPECT_EQ(wrap_func([](Caller&, V128 v) { return v; }).type, ft({ValType::V128}, {ValType::V128}));
  EXPECT_EQ(wrap_func([]() { return std::tuple<int32_t, int64_t, float>{1, 2, 3.0f}; }).type,
            ft({}, {ValType::I32, ValType::I64, ValType::F32}));
  EXPECT_EQ(wrap_func([](int32_t) -> Expected<void, Trap> { return {}; }).type, ft({ValType::I32}, {}));
  EXPECT_EQ(wrap_func([](int32_t x) -> Expected<double, Trap> { return double(x); }).type,
            ft({ValType::I32}, {ValType::F64}));
  EXPECT_EQ(wrap_func(&free_function).type, ft({ValType::I64, ValType::F64}, {ValType::I64}));
  EXPECT_EQ(wrap_func(free_function).type, ft({ValType::I64, ValType::F64}, {ValType::I64}));
  EXPECT_EQ(wrap_func([](FuncRef, ExternRef) { return ExternRef{}; }).type,
            ft({ValType::funcref(), ValType::externref()}, {ValType::externref()}));
  EXPECT_EQ(wrap_func([](const Caller&, const V128&) {}).type, ft({ValType::V128}, {}));
  std::function<float(float)> fn = [](float x) { return x; };
  EXPECT_EQ(wrap_func(fn).type, ft({ValType::F32}, {ValType::F32}));
}

TEST(RuntimeHostFunc, SlotLayout) {
  Engine engine;
  Store store(engine);
  Caller caller{store, nullptr};
  // v128 takes two slots, low half first; arguments are read before results overwrite them.
  HostFunc h = wrap_func([](int32_t a, V128 v, float f) {
    return std::tuple<V128, int32_t, double>{V128{v.hi, v.lo}, a * 2, double(f)};
  });
  uint64_t slots[4] = {uint64_t(uint32_t(-3)), 0x1111, 0x2222, std::bit_cast<uint32_t>(1.5f)};
  ASSERT_TRUE(h.callback(caller, slots));
  EXPECT_EQ(slots[0], 0x2222u);
  EXPECT_EQ(slots[1], 0x1111u);
  EXPECT_EQ(slots[2], uint64_t(uint32_t(-6)));  // i32 results are zero-extended
  EXPECT_EQ(std::bit_cast<double>(slots[3]), 1.5);
}

TEST(RuntimeHostFunc, CallerAndStatefulCallables) {
  Engine engine;
  int counter = 0;
  Store store(engine, &counter);
  Linker linker;
  func_wrap(linker, store, "env", "bump", [calls = 0](Caller& c, int32_t by) mutable {
    ++calls;
    *static_cast<int*>(c.store.user_data()) += by;
    return calls;
  });
  const Extern* e = linker.find("env", "bump");
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->kind, ExternKind::Func);
  Value arg = Value::from_i32(5);
  auto r1 = invoke(store, e->func, {&arg, 1});
  ASSERT_TRUE(r1) << r1.error().message;
  auto r2 = invoke(store, e->func, {&arg, 1});
  ASSERT_TRUE(r2);
  EXPECT_EQ((*r2)[0].i32, 2u);
  EXPECT_EQ(counter, 10);
}

TEST(RuntimeHostFunc, TrapsAndExceptions) {
  Engine engine;
  Store store(engine);
  FuncInst* div = add_func(store, [](int32_t a, int32_t b) -> Expected<int32_t, Trap> {
    if (b == 0) return make_trap(TrapCode::IntegerDivideByZero);
    return a / b;
  });
  Value args[2] = {Value::from_i32(7), Value::from_i32(2)};
  auto ok = invoke(store, div, args);
  ASSERT_TRUE(ok);
  EXPECT_EQ((*ok)[0].i32, 3u);
  args[1] = Value::from_i32(0);
  auto bad = invoke(store, div, args);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, TrapCode::IntegerDivideByZero);
  EXPECT_EQ(bad.error().message, "integer divide by zero");

  FuncInst* thrower = add_func(store, []() -> int32_t { throw std::runtime_error("nope"); });
  auto thrown = invoke(store, thrower, {});
  ASSERT_FALSE(thrown);
  EXPECT_EQ(thrown.error().code, TrapCode::HostError);
  EXPECT_NE(thrown.error().message.find("nope"), std::string::npos);
}

TEST(RuntimeHostFunc, InvokeChecksArguments) {
  Engine engine;
  Store store(engine);
  FuncInst* f = add_func(store, [](int64_t x, ExternRef r) { return x + (r.ptr ? 1 : 0); });
  auto wrong_count = invoke(store, f, {});
  ASSERT_FALSE(wrong_count);
  EXPECT_NE(wrong_count.error().message.find("expected 2 arguments"), std::string::npos);
  Value wrong_type[2] = {Value::from_i32(1), Value::from_ref(ValType::externref(), nullptr)};
  EXPECT_FALSE(invoke(store, f, wrong_type));
  Value funcref_for_extern[2] = {Value::from_i64(1), Value::from_ref(ValType::funcref(), nullptr)};
  EXPECT_FALSE(invoke(store, f, funcref_for_extern));
  int host_object = 0;
  Value good[2] = {Value::from_i64(41), Value::from_ref(ValType::externref(), &host_object)};
  auto r = invoke(store, f, good);
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].type, ValType::I64);
  EXPECT_EQ((*r)[0].i64, 42u);
}

TEST(RuntimeHostFunc, DynamicHostFunction) {
  Engine engine;
  Store store(engine);
  Linker linker;
  func_new(linker, store, "env", "swap", ft({ValType::I32, ValType::V128}, {ValType::V128, ValType::I32}),
           [](Caller&, std::span<const Value> args, std::span<Value> results) -> Expected<void, Trap> {
             results[0].v128 = args[1].v128;
             results[1].i32 = args[0].i32 + 1;
             return {};
           });
  FuncInst* f = linker.find("env", "swap")->func;
  Value args[2] = {Value::from_i32(9), Value::from_v128({5, 6})};
  auto r = invoke(store, f, args);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].type, ValType::V128);
  EXPECT_EQ((*r)[0].v128, (V128{5, 6}));
  EXPECT_EQ((*r)[1].i32, 10u);
}

TEST(RuntimeHostFunc, TypedFunc) {
  Engine engine;
  Store store(engine);
  FuncInst* f = add_func(store, [](int32_t a, double b) { return std::tuple<double, int32_t>{b * 2, a + 1}; });
  auto bad = TypedFunc<int32_t(int32_t)>::from(f);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("expected [i32] -> [i32], got [i32 f64] -> [f64 i32]"), std::string::npos)
      << bad.error().message;
  auto typed = TypedFunc<std::tuple<double, int32_t>(int32_t, double)>::from(f);
  ASSERT_TRUE(typed);
  auto r = typed->call(store, 4, 1.25);
  ASSERT_TRUE(r);
  EXPECT_EQ(std::get<0>(*r), 2.5);
  EXPECT_EQ(std::get<1>(*r), 5);

  FuncInst* scalar = add_func(store, [](uint64_t x) { return x * 3; });
  auto typed_scalar = TypedFunc<uint64_t(uint64_t)>::from(scalar);
  ASSERT_TRUE(typed_scalar);
  EXPECT_EQ(*typed_scalar->call(store, 5), 15u);

  FuncInst* nothing = add_func(store, []() {});
  auto typed_void = TypedFunc<void()>::from(nothing);
  ASSERT_TRUE(typed_void);
  EXPECT_TRUE(typed_void->call(store));
  EXPECT_FALSE(TypedFunc<void()>::from(nullptr));
}

}  // namespace
}  // namespace kumo::wasm
