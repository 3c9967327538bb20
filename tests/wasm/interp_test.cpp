// Interpreter tests on small hand-assembled modules: control flow, the translator's fusions,
// calls, traps and backtraces, recursion limits, re-entrancy, interruption, tail calls,
// exceptions, and both memory-access variants (guard pages / explicit checks).
#include "wasm/interp/interp.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <bit>
#include <chrono>
#include <limits>
#include <thread>

#include "wasm/interp/code.hpp"
#include "wasm/interp/exec_state.hpp"
#include "wasm/runtime/store.hpp"

namespace kumo::wasm {
namespace {

// ---------------------------------------------------------------------------------------------
// A minimal module assembler.

constexpr uint8_t I32 = 0x7F, I64 = 0x7E, F32 = 0x7D, F64 = 0x7C, V128T = 0x7B, FUNCREF = 0x70;

void uleb(std::vector<uint8_t>& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    out.push_back(v ? b | 0x80 : b);
  } while (v);
}
void sleb(std::vector<uint8_t>& out, int64_t v) {
  for (;;) {
    uint8_t b = v & 0x7F;
    v >>= 7;
    bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
    out.push_back(done ? b : b | 0x80);
    if (done) return;
  }
}

// Function body bytes, written with small helpers: B().local_get(0).i32_const(1).op(0x6A)...
struct B {
  std::vector<uint8_t> b;
  B& op(uint8_t o) {
    b.push_back(o);
    return *this;
  }
  B& ops(std::initializer_list<uint8_t> os) {
    b.insert(b.end(), os);
    return *this;
  }
  B& u(uint64_t v) {
    uleb(b, v);
    return *this;
  }
  B& local_get(uint32_t i) { return op(0x20).u(i); }
  B& local_set(uint32_t i) { return op(0x21).u(i); }
  B& local_tee(uint32_t i) { return op(0x22).u(i); }
  B& global_get(uint32_t i) { return op(0x23).u(i); }
  B& global_set(uint32_t i) { return op(0x24).u(i); }
  B& i32_const(int32_t v) {
    op(0x41);
    sleb(b, v);
    return *this;
  }
  B& i64_const(int64_t v) {
    op(0x42);
    sleb(b, v);
    return *this;
  }
  B& call(uint32_t f) { return op(0x10).u(f); }
  B& br(uint32_t d) { return op(0x0C).u(d); }
  B& br_if(uint32_t d) { return op(0x0D).u(d); }
  B& block(uint8_t bt = 0x40) { return op(0x02).op(bt); }
  B& loop(uint8_t bt = 0x40) { return op(0x03).op(bt); }
  B& if_(uint8_t bt = 0x40) { return op(0x04).op(bt); }
  B& else_() { return op(0x05); }
  B& end() { return op(0x0B); }
  B& mem(uint8_t o, uint32_t align, uint64_t offset) { return op(o).u(align).u(offset); }
};

struct Func {
  uint32_t type;
  std::vector<uint8_t> locals;  // one valtype per local
  std::vector<uint8_t> body;    // without the final `end`
  std::string export_name;
};

struct ModuleBuilder {
  std::vector<std::pair<std::vector<uint8_t>, std::vector<uint8_t>>> types;
  struct FuncImport {
    std::string module, name;
    uint32_t type;
  };
  std::vector<FuncImport> imports;
  std::vector<Func> funcs;
  std::optional<std::pair<uint32_t, std::optional<uint32_t>>> memory;
  bool memory64 = false;
  std::optional<uint32_t> table;  // funcref table size
  std::vector<uint32_t> elems;    // active segment at 0
  struct Global {
    uint8_t type;
    bool mut;
    int64_t init;
  };
  std::vector<Global> globals;
  std::vector<uint32_t> tags;                                    // type index of each tag
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> datas;  // active, at offset
  std::vector<std::string> names;  // function names (name section), by function index

  uint32_t type(std::vector<uint8_t> params, std::vector<uint8_t> results) {
    types.push_back({std::move(params), std::move(results)});
    return uint32_t(types.size() - 1);
  }
  uint32_t import_func(std::string m, std::string n, uint32_t t) {
    imports.push_back({std::move(m), std::move(n), t});
    return uint32_t(imports.size() - 1);
  }
  uint32_t func(uint32_t t, std::vector<uint8_t> locals, const B& body, std::string exp = "") {
    funcs.push_back({t, std::move(locals), body.b, std::move(exp)});
    return uint32_t(imports.size() + funcs.size() - 1);
  }

  static void section(std::vector<uint8_t>& out, uint8_t id, const std::vector<uint8_t>& payload) {
    out.push_back(id);
    uleb(out, payload.size());
    out.insert(out.end(), payload.begin(), payload.end());
  }
  static void str(std::vector<uint8_t>& out, const std::string& s) {
    uleb(out, s.size());
    out.insert(out.end(), s.begin(), s.end());
  }

  std::vector<uint8_t> build() const {
    std::vector<uint8_t> out = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
    std::vector<uint8_t> s;
    uleb(s, types.size());
    for (auto& [p, r] : types) {
      s.push_back(0x60);
      uleb(s, p.size());
      s.insert(s.end(), p.begin(), p.end());
      uleb(s, r.size());
      s.insert(s.end(), r.begin(), r.end());
    }
    section(out, 1, s);
    if (!imports.empty()) {
      s.clear();
      uleb(s, imports.size());
      for (auto& i : imports) {
        str(s, i.module);
        str(s, i.name);
        s.push_back(0x00);
        uleb(s, i.type);
      }
      section(out, 2, s);
    }
    s.clear();
    uleb(s, funcs.size());
    for (auto& f : funcs) uleb(s, f.type);
    section(out, 3, s);
    if (table) {
      s = {0x01, FUNCREF, 0x00};
      uleb(s, *table);
      section(out, 4, s);
    }
    if (memory) {
      s = {0x01};
      uint8_t flags = (memory->second ? 1 : 0) | (memory64 ? 4 : 0);
      s.push_back(flags);
      uleb(s, memory->first);
      if (memory->second) uleb(s, *memory->second);
      section(out, 5, s);
    }
    if (!tags.empty()) {
      s.clear();
      uleb(s, tags.size());
      for (uint32_t t : tags) {
        s.push_back(0x00);
        uleb(s, t);
      }
      section(out, 13, s);
    }
    if (!globals.empty()) {
      s.clear();
      uleb(s, globals.size());
      for (auto& g : globals) {
        s.push_back(g.type);
        s.push_back(g.mut ? 1 : 0);
        s.push_back(g.type == I64 ? 0x42 : 0x41);
        sleb(s, g.init);
        s.push_back(0x0B);
      }
      section(out, 6, s);
    }
    s.clear();
    uint32_t nexp = 0;
    std::vector<uint8_t> e;
    for (size_t i = 0; i < funcs.size(); ++i) {
      if (funcs[i].export_name.empty()) continue;
      ++nexp;
      str(e, funcs[i].export_name);
      e.push_back(0x00);
      uleb(e, imports.size() + i);
    }
    uleb(s, nexp);
    s.insert(s.end(), e.begin(), e.end());
    section(out, 7, s);
    if (!elems.empty()) {
      s = {0x01, 0x00, 0x41, 0x00, 0x0B};
      uleb(s, elems.size());
      for (uint32_t f : elems) uleb(s, f);
      section(out, 9, s);
    }
    s.clear();
    uleb(s, funcs.size());
    for (auto& f : funcs) {
      std::vector<uint8_t> body;
      uleb(body, f.locals.size());
      for (uint8_t t : f.locals) {
        body.push_back(1);
        body.push_back(t);
      }
      body.insert(body.end(), f.body.begin(), f.body.end());
      body.push_back(0x0B);
      uleb(s, body.size());
      s.insert(s.end(), body.begin(), body.end());
    }
    section(out, 10, s);
    if (!datas.empty()) {
      s.clear();
      uleb(s, datas.size());
      for (auto& [off, bytes] : datas) {
        s.push_back(0x00);
        s.push_back(0x41);
        sleb(s, off);
        s.push_back(0x0B);
        uleb(s, bytes.size());
        s.insert(s.end(), bytes.begin(), bytes.end());
      }
      section(out, 11, s);
    }
    if (!names.empty()) {
      s.clear();
      str(s, "name");
      std::vector<uint8_t> sub;
      uleb(sub, names.size());
      for (size_t i = 0; i < names.size(); ++i) {
        uleb(sub, i);
        str(sub, names[i]);
      }
      s.push_back(1);
      uleb(s, sub.size());
      s.insert(s.end(), sub.begin(), sub.end());
      section(out, 0, s);
    }
    return out;
  }
};

// An instantiated module plus helpers to call its exports.
struct Env {
  explicit Env(Config config = {}) : engine(config), store(engine) {}
  Engine engine;
  Store store;
  Instance* inst = nullptr;

  void load(const ModuleBuilder& mb, std::vector<Extern> imports = {}) {
    auto cm = compile(engine, mb.build());
    ASSERT_TRUE(cm) << cm.error().message;
    auto i = store.instantiate(*cm, imports);
    ASSERT_TRUE(i) << i.error().message;
    inst = *i;
  }
  Expected<std::vector<Value>, Trap> call(const std::string& name, std::vector<Value> args = {}) {
    FuncInst* f = inst->get_func(name);
    EXPECT_NE(f, nullptr) << name;
    return invoke(store, f, args);
  }
  uint32_t i32(const std::string& name, std::vector<Value> args = {}) {
    auto r = call(name, std::move(args));
    EXPECT_TRUE(r) << (r ? "" : r.error().to_string());
    if (!r || r->empty()) return 0xDEADBEEF;
    return (*r)[0].i32;
  }
  uint64_t i64(const std::string& name, std::vector<Value> args = {}) {
    auto r = call(name, std::move(args));
    EXPECT_TRUE(r) << (r ? "" : r.error().to_string());
    if (!r || r->empty()) return 0xDEADBEEF;
    return (*r)[0].i64;
  }
  Trap trap(const std::string& name, std::vector<Value> args = {}) {
    auto r = call(name, std::move(args));
    EXPECT_FALSE(r) << name << " did not trap";
    return r ? Trap{} : r.error();
  }
};

Value I(uint32_t v) { return Value::from_i32(v); }
Value L(uint64_t v) { return Value::from_i64(v); }

// ---------------------------------------------------------------------------------------------
// Control flow

TEST(Interp, AddAndConstants) {
  ModuleBuilder mb;
  uint32_t t = mb.type({I32, I32}, {I32});
  mb.func(t, {}, B().local_get(0).local_get(1).op(0x6A), "add");
  mb.func(t, {}, B().local_get(0).i32_const(-5).op(0x6B), "sub5");   // x - 5 -> add imm
  mb.func(t, {}, B().i32_const(100).local_get(0).op(0x6B), "rsub");  // 100 - x
  mb.func(t, {}, B().i32_const(7).local_get(1).op(0x6C), "mul7");    // commuted imm
  mb.func(t, {}, B().i32_const(3).i32_const(4).op(0x6A), "consts");  // both constant
  Env env;
  env.load(mb);
  EXPECT_EQ(env.i32("add", {I(2), I(40)}), 42u);
  EXPECT_EQ(env.i32("add", {I(0xFFFFFFFF), I(1)}), 0u);
  EXPECT_EQ(env.i32("sub5", {I(1), I(0)}), 6u);
  EXPECT_EQ(env.i32("rsub", {I(1), I(0)}), 99u);
  EXPECT_EQ(env.i32("mul7", {I(0), I(6)}), 42u);
  EXPECT_EQ(env.i32("consts", {I(0), I(0)}), 7u);
}

TEST(Interp, LoopSumWithFusedCompareBranch) {
  // sum = 0; i = 0; loop { sum += i; i += 1; br_if (i < n) } ; sum
  ModuleBuilder mb;
  uint32_t t = mb.type({I32}, {I32});
  B b;
  b.loop()
      .local_get(2)
      .local_get(1)
      .op(0x6A)
      .local_set(2)
      .local_get(1)
      .i32_const(1)
      .op(0x6A)
      .local_tee(1)
      .local_get(0)
      .op(0x48)
      .br_if(0)
      .end()
      .local_get(2);
  mb.func(t, {I32, I32}, b, "sum");
  // Counting down with eqz + br_if.
  B c;
  c.block()
      .loop()
      .local_get(0)
      .op(0x45)
      .br_if(1)
      .local_get(1)
      .local_get(0)
      .op(0x6A)
      .local_set(1)
      .local_get(0)
      .i32_const(1)
      .op(0x6B)
      .local_set(0)
      .br(0)
      .end()
      .end()
      .local_get(1);
  mb.func(t, {I32}, c, "down");
  Env env;
  env.load(mb);
  EXPECT_EQ(env.i32("sum", {I(10)}), 45u);
  EXPECT_EQ(env.i32("sum", {I(1)}), 0u);
  EXPECT_EQ(env.i32("down", {I(100)}), 5050u);
  EXPECT_EQ(env.i32("down", {I(0)}), 0u);
}

TEST(Interp, IfElseAndBlockResults) {
  ModuleBuilder mb;
  uint32_t t = mb.type({I32}, {I32});
  // if (x > 10) 1 else (if x == 5 then 2 else 3)
  B b;
  b.local_get(0)
      .i32_const(10)
      .op(0x4A)
      .if_(I32)
      .i32_const(1)
      .else_()
      .local_get(0)
      .i32_const(5)
      .op(0x46)
      .if_(I32)
      .i32_const(2)
      .else_()
      .i32_const(3)
      .end()
      .end();
  mb.func(t, {}, b, "classify");
  // block result through br_if: (block (result i32) (br_if 0 (i32.const 7) (local.get 0)) drop 9)
  B c;
  c.block(I32).i32_const(7).local_get(0).br_if(0).op(0x1A).i32_const(9).end();
  mb.func(t, {}, c, "brif_value");
  // The block result is a local read before the local changes: (local.get 0) then set it.
  B d;
  d.block(I32).local_get(0).i32_const(100).local_set(0).end().local_get(0).op(0x6A);
  mb.func(t, {}, d, "deferred_local");
  Env env;
  env.load(mb);
  EXPECT_EQ(env.i32("classify", {I(11)}), 1u);
  EXPECT_EQ(env.i32("classify", {I(5)}), 2u);
  EXPECT_EQ(env.i32("classify", {I(0)}), 3u);
  EXPECT_EQ(env.i32("brif_value", {I(1)}), 7u);
  EXPECT_EQ(env.i32("brif_value", {I(0)}), 9u);
  EXPECT_EQ(env.i32("deferred_local", {I(5)}), 105u);
}

TEST(Interp, LocalSwapAndTee) {
  // Deferred local.get entries must be read before the local is overwritten.
  ModuleBuilder mb;
  uint32_t t = mb.type({I32, I32}, {I32});
  // a, b = b, a; return a * 10 + b
  B b;
  b.local_get(0)
      .local_get(1)
      .local_set(0)
      .local_set(1)
      .local_get(0)
      .i32_const(10)
      .op(0x6C)
      .local_get(1)
      .op(0x6A);
  mb.func(t, {}, b, "swap");
  // x = x + 1 via producer fusion, with a stale copy of x below: (x_old) + (x = x + 1) * 100
  B c;
  c.local_get(0).local_get(0).i32_const(1).op(0x6A).local_tee(0).i32_const(100).op(0x6C).op(0x6A);
  mb.func(t, {}, c, "tee");
  Env env;
  env.load(mb);
  EXPECT_EQ(env.i32("swap", {I(1), I(2)}), 21u);
  EXPECT_EQ(env.i32("tee", {I(4), I(0)}), 4u + 500u);
}

TEST(Interp, BrTable) {
  ModuleBuilder mb;
  uint32_t t = mb.type({I32}, {I32});
  // block block block (br_table 0 1 2 idx) ... returns 10/20/30, default 30
  B b;
  b.block()
      .block()
      .block()
      .local_get(0)
      .op(0x0E)
      .u(2)
      .u(0)
      .u(1)
      .u(2)
      .end()
      .i32_const(10)
      .op(0x0F)
      .end()
      .i32_const(20)
      .op(0x0F)
      .end()
      .i32_const(30);
  mb.func(t, {}, b, "sw");
  // br_table carrying a value to blocks of different depth.
  B c;
  c.block(I32)
      .block(I32)
      .i32_const(5)
      .local_get(0)
      .op(0x0E)
      .u(1)
      .u(0)
      .u(1)
      .end()
      .i32_const(100)
      .op(0x6A)
      .end();
  mb.func(t, {}, c, "val");
  Env env;
  env.load(mb);
  EXPECT_EQ(env.i32("sw", {I(0)}), 10u);
  EXPECT_EQ(env.i32("sw", {I(1)}), 20u);
  EXPECT_EQ(env.i32("sw", {I(2)}), 30u);
  EXPECT_EQ(env.i32("sw", {I(1000)}), 30u);
  EXPECT_EQ(env.i32("val", {I(0)}), 105u);
  EXPECT_EQ(env.i32("val", {I(1)}), 5u);
  EXPECT_EQ(env.i32("val", {I(7)}), 5u);
}

TEST(Interp, MultiValueBlocksAndReturns) {
  ModuleBuilder mb;
  uint32_t pair = mb.type({I32, I32}, {I32, I32});
  uint32_t t = mb.type({I32, I32}, {I32});
  // swap via return of two locals in reverse order (a return-move conflict)
  mb.func(pair, {}, B().local_get(1).local_get(0), "swap2");
  // loop with two params, counting: (a, b) -> loop [i32 i32] -> [i32]
  uint32_t lt = mb.type({I32, I32}, {I32});
  B b;
  b.local_get(0)
      .local_get(1)
      .loop(uint8_t(lt))
      .local_set(1)
      .local_set(0)
      .local_get(0)
      .i32_const(1)
      .op(0x6A)
      .local_get(1)
      .i32_const(1)
      .op(0x6B)
      .local_get(1)
      .i32_const(1)
      .op(0x4A)
      .br_if(0)
      .op(0x1A)
      .end();
  mb.func(t, {}, b, "loopparams");
  Env env;
  env.load(mb);
  auto r = env.call("swap2", {I(1), I(2)});
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].i32, 2u);
  EXPECT_EQ((*r)[1].i32, 1u);
  EXPECT_EQ(env.i32("loopparams", {I(0), I(5)}), 5u);
}

// ---------------------------------------------------------------------------------------------
// Calls

TEST(Interp, RecursiveFib) {
  ModuleBuilder mb;
  uint32_t t = mb.type({I32}, {I32});
  B b;
  b.local_get(0)
      .i32_const(2)
      .op(0x48)
      .if_(I32)
      .local_get(0)
      .else_()
      .local_get(0)
      .i32_const(1)
      .op(0x6B)
      .call(0)
      .local_get(0)
      .i32_const(2)
      .op(0x6B)
      .call(0)
      .op(0x6A)
      .end();
  mb.func(t, {}, b, "fib");
  Env env;
  env.load(mb);
  EXPECT_EQ(env.i32("fib", {I(20)}), 6765u);
}

TEST(Interp, CallsKeepCallerStack) {
  // Values below the arguments survive the call; results land where the arguments were.
  ModuleBuilder mb;
  uint32_t t2 = mb.type({I32, I32}, {I32});
  uint32_t t1 = mb.type({I32}, {I32});
  mb.func(t2, {I32, I32, I32}, B().local_get(0).local_get(1).op(0x6B), "sub");
  B b;
  b.i32_const(1000).local_get(0).i32_const(1).call(0).i32_const(3).call(0).op(0x6A);
  mb.func(t1, {}, b, "f");
  Env env;
  env.load(mb);
  EXPECT_EQ(env.i32("f", {I(10)}), 1006u);
}

TEST(Interp, CallIndirectAndTraps) {
  ModuleBuilder mb;
  uint32_t t = mb.type({I32}, {I32});
  uint32_t t2 = mb.type({}, {I64});
  mb.func(t, {}, B().local_get(0).i32_const(1).op(0x6A), "inc");
  mb.func(t2, {}, B().i64_const(1), "other");
  B b;
  b.i32_const(41).local_get(0).op(0x11).u(t).u(0);
  mb.func(t, {}, b, "dispatch");
  mb.table = 4;
  mb.elems = {0, 1};
  Env env;
  env.load(mb);
  EXPECT_EQ(env.i32("dispatch", {I(0)}), 42u);
  EXPECT_EQ(env.trap("dispatch", {I(1)}).code, TrapCode::IndirectCallTypeMismatch);
  EXPECT_EQ(env.trap("dispatch", {I(2)}).code, TrapCode::UninitializedElement);
  EXPECT_EQ(env.trap("dispatch", {I(4)}).code, TrapCode::TableOutOfBounds);
}

TEST(Interp, HostCallsAndReentrancy) {
  // wasm f(n) calls host h(n), which calls wasm f(n - 1) until 0: nested activations.
  ModuleBuilder mb;
  uint32_t t = mb.type({I32}, {I32});
  mb.import_func("env", "h", t);
  B b;
  b.local_get(0)
      .op(0x45)
      .if_(I32)
      .i32_const(0)
      .else_()
      .local_get(0)
      .call(0)
      .local_get(0)
      .op(0x6A)
      .end();
  mb.func(t, {}, b, "f");
  Env env;
  FuncInst* f = nullptr;
  FuncType ft{{ValType::I32}, {ValType::I32}};
  int depth = 0;
  FuncInst* h =
      env.store.add_host_func(ft, [&](Caller& caller, uint64_t* slots) -> Expected<void, Trap> {
        EXPECT_NE(caller.instance, nullptr);
        ++depth;
        uint64_t s[1] = {uint32_t(slots[0]) - 1};
        auto r = interp::call(caller.store, f, s);
        if (!r) return r;
        slots[0] = s[0];
        return {};
      });
  env.load(mb, {Extern::of(h)});
  f = env.inst->get_func("f");
  EXPECT_EQ(env.i32("f", {I(100)}), 5050u);
  EXPECT_EQ(depth, 100);
}

TEST(Interp, DeepHostReentrancyIsBounded) {
  // wasm -> host -> wasm -> ... without end: a trap, not a native stack overflow.
  ModuleBuilder mb;
  uint32_t t = mb.type({}, {});
  mb.import_func("env", "h", t);
  mb.func(t, {}, B().call(0), "f");
  Env env;
  FuncInst* f = nullptr;
  FuncInst* h = env.store.add_host_func(FuncType{}, [&](Caller& caller, uint64_t*) {
    uint64_t s[1] = {0};
    return interp::call(caller.store, f, s);
  });
  env.load(mb, {Extern::of(h)});
  f = env.inst->get_func("f");
  Trap tr = env.trap("f");
  EXPECT_EQ(tr.code, TrapCode::CallStackExhausted);
  // Everything unwound: the store still runs code.
  EXPECT_EQ(env.trap("f").code, TrapCode::CallStackExhausted);
}

TEST(Interp, HostTrapUnwindsWithBacktrace) {
  ModuleBuilder mb;
  uint32_t t = mb.type({}, {});
  mb.import_func("env", "fail", t);
  mb.func(t, {}, B().call(0), "inner");
  mb.func(t, {}, B().call(1), "outer");
  mb.names = {"fail", "inner", "outer"};
  Env env;
  FuncInst* h = env.store.add_host_func(FuncType{}, [](Caller&, uint64_t*) -> Expected<void, Trap> {
    return make_trap(TrapCode::HostError, "boom");
  });
  env.load(mb, {Extern::of(h)});
  Trap tr = env.trap("outer");
  EXPECT_EQ(tr.code, TrapCode::HostError);
  EXPECT_EQ(tr.message, "boom");
  ASSERT_EQ(tr.backtrace.size(), 2u);
  EXPECT_EQ(tr.backtrace[0].func_index, 1u);
  EXPECT_EQ(tr.backtrace[0].func_name, "inner");
  EXPECT_EQ(tr.backtrace[1].func_index, 2u);
  EXPECT_EQ(tr.backtrace[1].func_name, "outer");
}

// ---------------------------------------------------------------------------------------------
// Traps

TEST(Interp, ArithmeticTrapsWithOffsets) {
  ModuleBuilder mb;
  uint32_t t = mb.type({I32, I32}, {I32});
  mb.func(t, {}, B().local_get(0).local_get(1).op(0x6D), "div_s");
  mb.func(mb.type({}, {}), {}, B().op(0x01).op(0x00), "unreachable");
  Env env;
  env.load(mb);
  EXPECT_EQ(env.i32("div_s", {I(7), I(2)}), 3u);
  Trap z = env.trap("div_s", {I(7), I(0)});
  EXPECT_EQ(z.code, TrapCode::IntegerDivideByZero);
  EXPECT_EQ(z.message, "integer divide by zero");
  Trap o = env.trap("div_s", {I(0x80000000), I(0xFFFFFFFF)});
  EXPECT_EQ(o.code, TrapCode::IntegerOverflow);
  Trap u = env.trap("unreachable");
  EXPECT_EQ(u.code, TrapCode::Unreachable);
  ASSERT_EQ(u.backtrace.size(), 1u);
  EXPECT_EQ(u.backtrace[0].func_index, 1u);
  // The offset is that of the `unreachable` opcode, after `nop` in the module binary.
  std::vector<uint8_t> bytes = mb.build();
  EXPECT_EQ(bytes[u.backtrace[0].offset], 0x00);
  EXPECT_EQ(bytes[u.backtrace[0].offset - 1], 0x01);
}

ModuleBuilder memory_module() {
  ModuleBuilder mb;
  mb.memory = {{1, 2}};
  uint32_t ld = mb.type({I32}, {I32});
  uint32_t st = mb.type({I32, I32}, {});
  uint32_t gr = mb.type({I32}, {I32});
  mb.func(ld, {}, B().local_get(0).mem(0x28, 2, 0), "load");
  mb.func(ld, {}, B().local_get(0).mem(0x28, 2, 0xFFFFFFF0), "load_far");
  mb.func(st, {}, B().local_get(0).local_get(1).mem(0x36, 2, 4), "store4");
  mb.func(gr, {}, B().local_get(0).op(0x40).op(0x00), "grow");
  mb.func(mb.type({}, {I32}), {}, B().op(0x3F).op(0x00), "size");
  mb.func(ld, {}, B().local_get(0).mem(0x2C, 0, 0), "load8_s");
  mb.datas = {{16, {0x80, 0x7F}}};
  return mb;
}

void memory_checks(Env& env) {
  EXPECT_EQ(env.i32("load8_s", {I(16)}), 0xFFFFFF80u);
  EXPECT_EQ(env.i32("load8_s", {I(17)}), 0x7Fu);
  auto r = env.call("store4", {I(100), I(0x12345678)});
  ASSERT_TRUE(r);
  EXPECT_EQ(env.i32("load", {I(104)}), 0x12345678u);
  EXPECT_EQ(env.i32("load", {I(65532)}), 0u);
  Trap t = env.trap("load", {I(65533)});
  EXPECT_EQ(t.code, TrapCode::MemoryOutOfBounds);
  ASSERT_EQ(t.backtrace.size(), 1u);
  EXPECT_EQ(t.backtrace[0].func_index, 0u);
  EXPECT_EQ(env.trap("load", {I(0xFFFFFFFF)}).code, TrapCode::MemoryOutOfBounds);
  EXPECT_EQ(env.trap("load_far", {I(0xFFFFFFF0)}).code, TrapCode::MemoryOutOfBounds);
  EXPECT_EQ(env.trap("store4", {I(65530), I(1)}).code, TrapCode::MemoryOutOfBounds);
  EXPECT_EQ(env.i32("size"), 1u);
  EXPECT_EQ(env.i32("grow", {I(1)}), 1u);
  EXPECT_EQ(env.i32("grow", {I(1)}), 0xFFFFFFFFu);  // max is 2 pages
  EXPECT_EQ(env.i32("size"), 2u);
  EXPECT_EQ(env.i32("load", {I(65533)}), 0u);
  EXPECT_EQ(env.trap("load", {I(131069)}).code, TrapCode::MemoryOutOfBounds);
  // The module still works after traps.
  EXPECT_EQ(env.i32("load", {I(104)}), 0x12345678u);
}

TEST(Interp, MemoryWithGuardPages) {
  Env env;
  env.load(memory_module());
  ASSERT_TRUE(env.inst->memories[0]->guarded);
  memory_checks(env);
}

TEST(Interp, MemoryWithExplicitChecks) {
  Config c;
  c.guard_pages = false;
  Env env(c);
  env.load(memory_module());
  ASSERT_FALSE(env.inst->memories[0]->guarded);
  memory_checks(env);
}

TEST(Interp, Memory64) {
  ModuleBuilder mb = memory_module();
  mb.memory64 = true;
  mb.datas.clear();
  mb.funcs.clear();
  mb.types.clear();
  uint32_t ld = mb.type({I64}, {I32});
  uint32_t st = mb.type({I64, I32}, {});
  mb.func(ld, {}, B().local_get(0).mem(0x28, 2, 0), "load");
  mb.func(st, {}, B().local_get(0).local_get(1).mem(0x36, 2, 4), "store4");
  mb.func(mb.type({}, {I64}), {}, B().op(0x3F).op(0x00), "size");
  Env env;
  env.load(mb);
  ASSERT_TRUE(env.call("store4", {L(100), I(0xABCD)}));
  EXPECT_EQ(env.i32("load", {L(104)}), 0xABCDu);
  EXPECT_EQ(env.trap("load", {L(65533)}).code, TrapCode::MemoryOutOfBounds);
  EXPECT_EQ(env.trap("load", {L(uint64_t(1) << 40)}).code, TrapCode::MemoryOutOfBounds);
  EXPECT_EQ(env.trap("load", {L(~uint64_t(0))}).code, TrapCode::MemoryOutOfBounds);
  EXPECT_EQ(env.i64("size"), 1u);
}

// ---------------------------------------------------------------------------------------------
// Limits and interruption

TEST(Interp, InfiniteRecursionExhaustsCallStack) {
  ModuleBuilder mb;
  uint32_t t = mb.type({I32}, {I32});
  mb.func(t, {}, B().local_get(0).i32_const(1).op(0x6A).call(0), "rec");
  Env env;
  env.load(mb);
  Trap tr = env.trap("rec", {I(0)});
  EXPECT_EQ(tr.code, TrapCode::CallStackExhausted);
  EXPECT_GT(tr.backtrace.size(), 1000u);
  // The store is usable afterwards.
  EXPECT_EQ(env.trap("rec", {I(0)}).code, TrapCode::CallStackExhausted);
}

TEST(Interp, SmallValueStackExhausts) {
  Config c;
  c.value_stack_bytes = 64 * 1024;
  c.max_call_depth = 1000000;
  ModuleBuilder mb;
  uint32_t t = mb.type({I32}, {I32});
  // Many locals make big frames: the value stack runs out before the frame limit.
  std::vector<uint8_t> locals(100, I64);
  mb.func(t, locals, B().local_get(0).i32_const(1).op(0x6A).call(0), "rec");
  Env env(c);
  env.load(mb);
  EXPECT_EQ(env.trap("rec", {I(0)}).code, TrapCode::CallStackExhausted);
}

TEST(Interp, EpochInterruptsLoopFromAnotherThread) {
  ModuleBuilder mb;
  uint32_t t = mb.type({}, {});
  mb.func(t, {}, B().loop().br(0).end(), "spin");
  Env env;
  env.load(mb);
  env.store.set_epoch_deadline(1);
  std::atomic<bool> done{false};
  std::thread ticker([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    while (!done.load()) {
      env.engine.increment_epoch();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  Trap tr = env.trap("spin");
  done = true;
  ticker.join();
  EXPECT_EQ(tr.code, TrapCode::Interrupted);
  ASSERT_EQ(tr.backtrace.size(), 1u);
}

TEST(Interp, EpochInterruptsAtFunctionEntry) {
  ModuleBuilder mb;
  uint32_t t = mb.type({}, {I32});
  mb.func(t, {}, B().i32_const(1), "one");
  Env env;
  env.load(mb);
  EXPECT_EQ(env.i32("one"), 1u);
  env.store.set_epoch_deadline(0);
  EXPECT_EQ(env.trap("one").code, TrapCode::Interrupted);
  env.store.set_epoch_deadline(10);
  EXPECT_EQ(env.i32("one"), 1u);
}

// ---------------------------------------------------------------------------------------------
// wasm 3.0

TEST(Interp, TailCallsRunInConstantStack) {
  ModuleBuilder mb;
  uint32_t t = mb.type({I64, I64}, {I64});
  // count(n, acc) = n == 0 ? acc : return_call count(n - 1, acc + n)
  B b;
  b.local_get(0)
      .op(0x50)
      .if_(I64)
      .local_get(1)
      .else_()
      .local_get(0)
      .i64_const(1)
      .op(0x7D)
      .local_get(1)
      .local_get(0)
      .op(0x7C)
      .op(0x12)
      .u(0)
      .end();
  mb.func(t, {}, b, "count");
  Env env;
  env.load(mb);
  EXPECT_EQ(env.i64("count", {L(1000000), L(0)}), 500000500000ull);
}

TEST(Interp, ExceptionsAcrossFrames) {
  ModuleBuilder mb;
  uint32_t tt = mb.type({I32}, {});
  uint32_t t = mb.type({I32}, {I32});
  mb.tags = {tt};
  // thrower(x): if x > 0 throw tag0(x * 2); return x
  B th;
  th.local_get(0)
      .i32_const(0)
      .op(0x4A)
      .if_()
      .local_get(0)
      .i32_const(2)
      .op(0x6C)
      .op(0x08)
      .u(0)
      .end()
      .local_get(0);
  mb.func(t, {}, th, "thrower");
  // catcher(x): block (result i32) try_table (catch 0 0) (call thrower x) + 1000; return; end
  B c;
  c.block(I32)
      .op(0x1F)
      .op(0x40)
      .u(1)
      .op(0x00)
      .u(0)
      .u(0)
      .local_get(0)
      .call(0)
      .i32_const(1000)
      .op(0x6A)
      .op(0x0F)
      .end()
      .i32_const(0)
      .op(0x0F)
      .end();
  mb.func(t, {}, c, "catcher");
  Env env;
  env.load(mb);
  EXPECT_EQ(env.i32("catcher", {I(0)}), 1000u);
  EXPECT_EQ(env.i32("catcher", {I(21)}), 42u);
  Trap tr = env.trap("thrower", {I(1)});
  EXPECT_EQ(tr.code, TrapCode::UncaughtException);
  EXPECT_NE(tr.exception, nullptr);
}

TEST(Interp, LegacyExceptionsRethrowAndDelegate) {
  ModuleBuilder mb;
  uint32_t tt = mb.type({I32}, {});
  uint32_t t = mb.type({I32}, {I32});
  mb.tags = {tt};
  // rethrower(x): try (result i32) (throw 0 x) catch 0 drop rethrow 0 end
  mb.func(
      t, {},
      B().op(0x06).op(I32).local_get(0).op(0x08).u(0).op(0x07).u(0).op(0x1A).op(0x09).u(0).end(),
      "rethrower");
  // outer(x): try (result i32) (call rethrower x) catch 0 (payload + 1000) end
  mb.func(t, {},
          B().op(0x06).op(I32).local_get(0).call(0).op(0x07).u(0).i32_const(1000).op(0x6A).end(),
          "outer");
  // delegate 0: the inner try forwards to the outer try, which catches.
  mb.func(t, {},
          B().op(0x06)
              .op(I32)
              .op(0x06)
              .op(I32)
              .local_get(0)
              .op(0x08)
              .u(0)
              .op(0x18)
              .u(0)
              .op(0x07)
              .u(0)
              .i32_const(2000)
              .op(0x6A)
              .end(),
          "delegate0");
  // delegate 1: forwarded past the outer try to the caller: uncaught.
  mb.func(t, {},
          B().op(0x06)
              .op(I32)
              .op(0x06)
              .op(I32)
              .local_get(0)
              .op(0x08)
              .u(0)
              .op(0x18)
              .u(1)
              .op(0x07)
              .u(0)
              .i32_const(2000)
              .op(0x6A)
              .end(),
          "delegate1");
  // catch_all around a throw from inside another catch clause.
  mb.func(t, {},
          B().op(0x06)
              .op(I32)
              .op(0x06)
              .op(I32)
              .local_get(0)
              .op(0x08)
              .u(0)
              .op(0x07)
              .u(0)
              .op(0x08)
              .u(0)
              .end()
              .op(0x19)
              .i32_const(7)
              .end(),
          "nested");
  Env env;
  env.load(mb);
  EXPECT_EQ(env.i32("outer", {I(5)}), 1005u);
  EXPECT_EQ(env.i32("delegate0", {I(3)}), 2003u);
  EXPECT_EQ(env.trap("delegate1", {I(3)}).code, TrapCode::UncaughtException);
  EXPECT_EQ(env.trap("rethrower", {I(3)}).code, TrapCode::UncaughtException);
  EXPECT_EQ(env.i32("nested", {I(1)}), 7u);
}

// ---------------------------------------------------------------------------------------------
// Fusions

ModuleBuilder addressing_module() {
  ModuleBuilder mb;
  mb.memory = {{1, 1}};
  uint32_t t2 = mb.type({I32, I32}, {I32});
  uint32_t t3 = mb.type({I32, I32, I32}, {});
  uint32_t t1 = mb.type({I32}, {I32});
  // load32(base, i) = mem[base + (i << 2)]                      (add-shift fused into the load)
  mb.func(t2, {}, B().local_get(0).local_get(1).i32_const(2).op(0x74).op(0x6A).mem(0x28, 2, 0),
          "load_idx");
  // load8(a, b) = mem8[a + b + 1]                               (add fused into the load)
  mb.func(t2, {}, B().local_get(0).local_get(1).op(0x6A).mem(0x2D, 0, 1), "load8_sum");
  // store(a, b, v): mem[a + b + 4] = v
  mb.func(t3, {}, B().local_get(0).local_get(1).op(0x6A).local_get(2).mem(0x36, 2, 4), "store_sum");
  // clear(a, b): mem[a + b] = 0                                 (zero slot as the value)
  mb.func(mb.type({I32, I32}, {}), {},
          B().local_get(0).local_get(1).op(0x6A).i32_const(0).mem(0x36, 2, 0), "clear_sum");
  // Constant addresses fold into the offset: mem[100 + 8] = x; return mem[96 + 12]
  mb.func(t1, {}, B().i32_const(100).local_get(0).mem(0x36, 2, 8).i32_const(96).mem(0x28, 2, 12),
          "const_addr");
  // mem[(a + 8) + 2] and mem[(a - 4) + 0] = v   (add-immediate fused into the access)
  mb.func(t1, {}, B().local_get(0).i32_const(8).op(0x6A).mem(0x2F, 1, 2), "load16_ri");
  mb.func(mb.type({I32, I32}, {}), {},
          B().local_get(0).i32_const(4).op(0x6B).local_get(1).mem(0x36, 2, 0), "store_ri");
  // x + (y << 3) as a value
  mb.func(t2, {}, B().local_get(1).i32_const(3).op(0x74).local_get(0).op(0x6A), "add_shl");
  return mb;
}

void addressing_checks(Env& env) {
  ASSERT_TRUE(env.call("store_sum", {I(100), I(20), I(0x11223344)}));
  EXPECT_EQ(env.i32("load_idx", {I(4), I(30)}), 0x11223344u);  // 4 + 120 = 124
  EXPECT_EQ(env.i32("load8_sum", {I(120), I(6)}), 0x11u);      // byte 127 (little-endian)
  // The add wraps at 32 bits before the offset applies.
  EXPECT_EQ(env.i32("load8_sum", {I(0xFFFFFFFF), I(127)}), 0x11u);
  EXPECT_EQ(env.i32("load_idx", {I(0), I(0x40000000 + 31)}), 0x11223344u);
  ASSERT_TRUE(env.call("clear_sum", {I(120), I(4)}));
  EXPECT_EQ(env.i32("load_idx", {I(124), I(0)}), 0u);
  EXPECT_EQ(env.i32("const_addr", {I(77)}), 77u);
  EXPECT_EQ(env.i32("add_shl", {I(1), I(5)}), 41u);
  ASSERT_TRUE(env.call("store_ri", {I(204), I(0xA1B2C3D4)}));  // at 200
  EXPECT_EQ(env.i32("load16_ri", {I(192)}), 0xA1B2u);          // at 202
  ASSERT_TRUE(env.call("store_ri", {I(10), I(0x5566)}));       // at 6
  EXPECT_EQ(env.i32("load16_ri", {I(0xFFFFFFFC)}), 0x5566u);   // a + 8 wraps to 4, + 2
  EXPECT_EQ(env.trap("load16_ri", {I(65526)}).code, TrapCode::MemoryOutOfBounds);
  EXPECT_EQ(env.trap("store_ri", {I(2), I(0)}).code, TrapCode::MemoryOutOfBounds);  // 2 - 4 wraps
  EXPECT_EQ(env.trap("load_idx", {I(65533), I(0)}).code, TrapCode::MemoryOutOfBounds);
  EXPECT_EQ(env.trap("load8_sum", {I(65535), I(0)}).code, TrapCode::MemoryOutOfBounds);
  EXPECT_EQ(env.trap("store_sum", {I(65530), I(0), I(1)}).code, TrapCode::MemoryOutOfBounds);
}

TEST(Interp, FusedAddressingGuarded) {
  Env env;
  env.load(addressing_module());
  addressing_checks(env);
}

TEST(Interp, FusedAddressingChecked) {
  Config c;
  c.guard_pages = false;
  Env env(c);
  env.load(addressing_module());
  addressing_checks(env);
}

TEST(Interp, ImmediateForms) {
  ModuleBuilder mb;
  uint32_t t = mb.type({I32}, {I32});
  uint32_t tl = mb.type({I64}, {I64});
  mb.func(t, {}, B().local_get(0).i32_const(7).op(0x6D), "div7");      // i32.div_s by 7
  mb.func(t, {}, B().local_get(0).i32_const(-3).op(0x6F), "rem_m3");   // i32.rem_s by -3
  mb.func(t, {}, B().local_get(0).i32_const(-1).op(0x6D), "div_m1");   // may trap: not imm
  mb.func(t, {}, B().local_get(0).i32_const(0).op(0x6E), "div0");      // always traps
  mb.func(tl, {}, B().local_get(0).i64_const(10).op(0x80), "divu10");  // i64.div_u by 10
  mb.func(t, {}, B().i32_const(10).local_get(0).op(0x6B), "rsub");     // 10 - x
  mb.func(t, {}, B().local_get(0).i32_const(8).op(0x77), "rotl8");
  mb.func(t, {}, B().local_get(0).i32_const(35).op(0x76), "shr35");   // count mod 32
  mb.func(t, {}, B().i32_const(5).local_get(0).op(0x48), "five_lt");  // 5 < x  ->  x > 5
  uint32_t t3 = mb.type({I32, I32, I32}, {I32});
  mb.func(t3, {}, B().local_get(0).local_get(1).op(0x73).i32_const(12).op(0x78), "xor_rotr12");
  mb.func(t3, {}, B().local_get(0).local_get(1).op(0x6A).local_get(2).op(0x6A), "add3");
  mb.func(t3, {}, B().local_get(2).local_get(0).local_get(1).op(0x73).op(0x73), "xor3");
  mb.func(tl, {}, B().local_get(0).i64_const(0x0F0F).op(0x85).i64_const(40).op(0x89), "xor_rotl40");
  // 64-bit immediates that do not fit 32 bits
  mb.func(tl, {}, B().local_get(0).i64_const(0xFFFFFFFF).op(0x83), "and_low32");
  mb.func(tl, {}, B().local_get(0).i64_const(0x123456789).op(0x7C), "add_big");
  mb.func(mb.type({I64}, {I32}), {}, B().local_get(0).i64_const(0x100000000).op(0x54), "lt_big");
  mb.func(mb.type({I64}, {I32}), {},
          B().block(I32)
              .i32_const(1)
              .local_get(0)
              .i64_const(-0x100000000)
              .op(0x51)
              .br_if(0)
              .op(0x1A)
              .i32_const(2)
              .end(),
          "br_eq_big");
  mb.func(tl, {}, B().i64_const(0x7000000000).local_get(0).op(0x7D), "rsub_big");
  mb.func(tl, {}, B().local_get(0).i64_const(0x100000001).op(0x80), "divu_big");
  uint32_t tl3 = mb.type({I64, I64, I64}, {I64});
  mb.func(tl3, {}, B().local_get(0).local_get(1).op(0x7E).local_get(2).op(0x7C), "muladd64");
  mb.func(t3, {}, B().local_get(2).local_get(0).local_get(1).op(0x6C).op(0x6A), "muladd32");
  Env env;
  env.load(mb);
  EXPECT_EQ(env.i32("div7", {I(uint32_t(-50))}), uint32_t(-7));
  EXPECT_EQ(env.i32("rem_m3", {I(uint32_t(-7))}), uint32_t(-1));
  EXPECT_EQ(env.i32("div_m1", {I(5)}), uint32_t(-5));
  EXPECT_EQ(env.trap("div_m1", {I(0x80000000)}).code, TrapCode::IntegerOverflow);
  EXPECT_EQ(env.trap("div0", {I(1)}).code, TrapCode::IntegerDivideByZero);
  EXPECT_EQ(env.i64("divu10", {L(~uint64_t(0))}), ~uint64_t(0) / 10);
  EXPECT_EQ(env.i32("rsub", {I(3)}), 7u);
  EXPECT_EQ(env.i32("rotl8", {I(0x12345678)}), 0x34567812u);
  EXPECT_EQ(env.i32("shr35", {I(0x80)}), 0x10u);
  EXPECT_EQ(env.i32("five_lt", {I(6)}), 1u);
  EXPECT_EQ(env.i32("five_lt", {I(5)}), 0u);
  EXPECT_EQ(env.i32("xor_rotr12", {I(0x12345678), I(0xFF), I(0)}),
            std::rotr(0x12345678u ^ 0xFFu, 12));
  EXPECT_EQ(env.i32("add3", {I(1), I(20), I(300)}), 321u);
  EXPECT_EQ(env.i32("xor3", {I(1), I(2), I(4)}), 7u);
  EXPECT_EQ(env.i64("xor_rotl40", {L(0x123456789ABCDEFull)}),
            std::rotl(0x123456789ABCDEFull ^ 0x0F0Full, 40));
  EXPECT_EQ(env.i64("and_low32", {L(0x1234567887654321ull)}), 0x87654321ull);
  EXPECT_EQ(env.i64("add_big", {L(1)}), 0x12345678Aull);
  EXPECT_EQ(env.i32("lt_big", {L(0xFFFFFFFF)}), 1u);
  EXPECT_EQ(env.i32("lt_big", {L(0x100000000)}), 0u);
  EXPECT_EQ(env.i32("br_eq_big", {L(uint64_t(-0x100000000))}), 1u);
  EXPECT_EQ(env.i32("br_eq_big", {L(0x100000000)}), 2u);
  EXPECT_EQ(env.i64("rsub_big", {L(1)}), 0x6FFFFFFFFFull);
  EXPECT_EQ(env.i64("divu_big", {L(0x300000003)}), 3u);
  EXPECT_EQ(env.i64("muladd64", {L(0x100000000), L(3), L(7)}), 0x300000007ull);
  EXPECT_EQ(env.i32("muladd32", {I(6), I(7), I(100)}), 142u);
}

TEST(Interp, FloatCompareBranchesWithNaN) {
  ModuleBuilder mb;
  uint32_t t = mb.type({F64, F64}, {I32});
  // block: br_if (a < b) -> 1; else 2
  mb.func(t, {},
          B().block(I32)
              .i32_const(1)
              .local_get(0)
              .local_get(1)
              .op(0x63)
              .br_if(0)
              .op(0x1A)
              .i32_const(2)
              .end(),
          "lt_br");
  // if (a >= b) 1 else 2: the branch to else is taken when !(a >= b), including NaN
  mb.func(t, {},
          B().local_get(0).local_get(1).op(0x66).if_(I32).i32_const(1).else_().i32_const(2).end(),
          "ge_if");
  Env env;
  env.load(mb);
  auto D = [](double d) { return Value::from_f64(d); };
  double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(env.i32("lt_br", {D(1), D(2)}), 1u);
  EXPECT_EQ(env.i32("lt_br", {D(2), D(1)}), 2u);
  EXPECT_EQ(env.i32("lt_br", {D(nan), D(1)}), 2u);
  EXPECT_EQ(env.i32("ge_if", {D(2), D(1)}), 1u);
  EXPECT_EQ(env.i32("ge_if", {D(1), D(2)}), 2u);
  EXPECT_EQ(env.i32("ge_if", {D(1), D(nan)}), 2u);
}

TEST(Interp, LocalsStartAtZeroInReusedFrames) {
  // dirty() fills its frame with nonzero values; clean() then runs in the same stack area and
  // must still see zero-initialized locals (read before assignment, in and after the prefix).
  ModuleBuilder mb;
  uint32_t tv = mb.type({}, {});
  uint32_t ti = mb.type({}, {I32});
  B d;
  for (uint32_t i = 0; i < 6; ++i) d.i32_const(-1).local_set(i);
  mb.func(tv, {I32, I32, I32, I32, I32, I32}, d, "dirty");
  // local 0 read directly; local 1 assigned first; local 2 read inside a loop before assignment.
  B c;
  c.i32_const(5)
      .local_set(1)
      .loop()
      .local_get(2)
      .local_get(1)
      .op(0x6A)
      .local_set(1)
      .end()
      .local_get(0)
      .local_get(1)
      .op(0x6A)
      .local_get(3)
      .op(0x6A);
  mb.func(ti, {I32, I32, I32, I32}, c, "clean");
  Env env;
  env.load(mb);
  ASSERT_TRUE(env.call("dirty"));
  EXPECT_EQ(env.i32("clean"), 5u);
  ASSERT_TRUE(env.call("dirty"));
  EXPECT_EQ(env.i32("clean"), 5u);
}

// ---------------------------------------------------------------------------------------------
// The translator's output

TEST(Interp, TranslationIsCompact) {
  // local.get/local.set vanish; add-with-constant, compare+br_if and tee fusion leave a loop body
  // of 3 instructions: add, add-imm (into the local), compare-imm-and-branch.
  ModuleBuilder mb;
  uint32_t t = mb.type({I32}, {I32});
  B b;
  b.loop()
      .local_get(2)
      .local_get(1)
      .op(0x6A)
      .local_set(2)
      .local_get(1)
      .i32_const(1)
      .op(0x6A)
      .local_tee(1)
      .i32_const(1000)
      .op(0x48)
      .br_if(0)
      .end()
      .local_get(2);
  mb.func(t, {I32, I32}, b, "sum");
  Engine engine;
  auto cm = compile(engine, mb.build());
  ASSERT_TRUE(cm) << cm.error().message;
  const interp::Code& code = *(*cm)->code[0];
  std::vector<interp::IOp> ops;
  for (size_t pc = 0; pc < code.code.size();) {
    interp::IOp op = interp::handler_op(interp::load_handler(code.code.data() + pc));
    ASSERT_NE(op, interp::IOp::Count_);
    ops.push_back(op);
    // Sizes of the instructions that may appear here.
    switch (op) {
      case interp::IOp::ZeroLocals: pc += 4; break;
      case interp::IOp::I32Add:
      case interp::IOp::I32Add_I:
      case interp::IOp::BrI32LtS_I: pc += 5; break;
      case interp::IOp::Return1: pc += 3; break;
      default: FAIL() << "unexpected instruction " << int(op);
    }
  }
  std::vector<interp::IOp> expect = {interp::IOp::ZeroLocals, interp::IOp::I32Add,
                                     interp::IOp::I32Add_I, interp::IOp::BrI32LtS_I,
                                     interp::IOp::Return1};
  EXPECT_EQ(ops, expect);
}

}  // namespace
}  // namespace kumo::wasm
