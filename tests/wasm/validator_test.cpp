// Unit tests of the validator on small modules built by hand (bodies as decoded instructions, so
// these tests do not depend on the binary decoder).
#include <gtest/gtest.h>

#include "wasm/module.hpp"
#include "wasm/validator/validator.hpp"

namespace kumo::wasm {
namespace {

constexpr ValType kI32 = ValType::I32, kI64 = ValType::I64, kF32 = ValType::F32,
                  kV128 = ValType::V128;
const ValType kFuncref = ValType::funcref();
const ValType kExternref = ValType::externref();

// Builds a body instruction by instruction; offsets increase by one per instruction.
struct Code {
  Body body;
  Instr& add(Op op) {
    Instr in;
    in.op = op;
    in.offset = 0x10 + uint32_t(body.instrs.size());
    body.instrs.push_back(in);
    return body.instrs.back();
  }
  Code& op(Op o) { add(o); return *this; }
  Code& i32(int32_t v) { add(Op::I32Const).i64 = v; return *this; }
  Code& i64(int64_t v) { add(Op::I64Const).i64 = v; return *this; }
  Code& f32() { add(Op::F32Const); return *this; }
  Code& idx(Op o, uint32_t x, uint32_t y = 0) {
    Instr& in = add(o);
    in.index = x;
    in.index2 = y;
    return *this;
  }
  Code& block(Op o, BlockType bt = {}) { add(o).block = bt; return *this; }
  Code& block_t(Op o, ValType t) { return block(o, BlockType{BlockType::Value, t, 0}); }
  Code& block_x(Op o, uint32_t x) { return block(o, BlockType{BlockType::TypeIndex, {}, x}); }
  Code& mem(Op o, uint32_t align, uint32_t memory = 0, uint64_t offset = 0) {
    add(o).memarg = MemArg{align, memory, offset};
    return *this;
  }
  Code& lane(Op o, uint8_t l) { add(o).lane = l; return *this; }
  Code& br_table(std::vector<uint32_t> targets) {
    Instr& in = add(Op::BrTable);
    in.table_begin = uint32_t(body.br_targets.size());
    in.table_size = uint32_t(targets.size());
    body.br_targets.insert(body.br_targets.end(), targets.begin(), targets.end());
    return *this;
  }
  Code& try_table(BlockType bt, std::vector<CatchClause> cs) {
    Instr& in = add(Op::TryTable);
    in.block = bt;
    in.table_begin = uint32_t(body.catches.size());
    in.table_size = uint32_t(cs.size());
    body.catches.insert(body.catches.end(), cs.begin(), cs.end());
    return *this;
  }
  Code& ref_null(HeapType h) { add(Op::RefNull).heap = h; return *this; }
  Code& select_t(ValType t) { add(Op::SelectT).type = t; return *this; }
  Code& end() { return op(Op::End); }
};

ConstExpr const_i32(int32_t v) { return Code().i32(v).end().body; }

// A module under construction plus the bodies of its defined functions.
struct TestModule {
  Module m;
  std::vector<Body> bodies;

  uint32_t type(std::vector<ValType> params, std::vector<ValType> results) {
    m.types.push_back(FuncType{std::move(params), std::move(results)});
    return uint32_t(m.types.size() - 1);
  }
  uint32_t func(uint32_t type_index, Code code, std::vector<ValType> locals = {}) {
    Function f;
    f.type_index = type_index;
    f.locals = std::move(locals);
    m.functions.push_back(f);
    bodies.push_back(std::move(code.body));
    return m.num_imported_funcs + uint32_t(m.functions.size() - 1);
  }
  void memory(uint64_t min, bool is64 = false) {
    MemoryType mt;
    mt.limits.min = min;
    mt.limits.is64 = is64;
    m.memories.push_back(mt);
  }
  void table(ValType elem, uint64_t min = 1) {
    Table t;
    t.type.elem = elem;
    t.type.limits.min = min;
    m.tables.push_back(t);
  }
  uint32_t tag(std::vector<ValType> params) {
    m.tags.push_back(TagType{type(std::move(params), {})});
    return uint32_t(m.tags.size() - 1);
  }
  Expected<void> validate(const Features& f = Features::wasm3()) const {
    return validate_module(m, bodies, f);
  }
};

// Validates a single function of type `params -> results` with the given body.
Expected<void> check_func(std::vector<ValType> params, std::vector<ValType> results, Code code,
                          std::vector<ValType> locals = {}) {
  TestModule t;
  t.memory(1);
  t.func(t.type(std::move(params), std::move(results)), std::move(code), std::move(locals));
  return t.validate();
}

#define EXPECT_VALID(expr)                                          \
  do {                                                              \
    auto r_ = (expr);                                               \
    EXPECT_TRUE(r_.has_value()) << (r_ ? "" : r_.error().message);  \
  } while (0)

// Expects failure with a message containing `text`.
#define EXPECT_INVALID(expr, text)                                              \
  do {                                                                          \
    auto r_ = (expr);                                                           \
    ASSERT_FALSE(r_.has_value()) << "expected failure: " << text;               \
    EXPECT_NE(r_.error().message.find(text), std::string::npos) << r_.error().message; \
  } while (0)

TEST(Validator, EmptyModuleAndFunction) {
  EXPECT_VALID(TestModule().validate());
  EXPECT_VALID(check_func({}, {}, Code().end()));
}

TEST(Validator, ErrorMessageNamesFunctionOffsetAndInstruction) {
  TestModule t;
  uint32_t ty = t.type({}, {kI32});
  t.func(ty, Code().i32(1).end());
  t.func(ty, Code().i32(1).i64(2).op(Op::I32Add).end());
  t.m.func_names[1] = "foo";
  auto r = t.validate();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "func 1 ($foo) at offset 0x12 (i32.add): type mismatch: expected i32, got i64");
}

TEST(Validator, NumericSignaturesFromOpcodeTable) {
  EXPECT_VALID(check_func({kI64}, {kI32}, Code().idx(Op::LocalGet, 0).op(Op::I64Eqz).end()));
  EXPECT_VALID(check_func({}, {kI64}, Code().f32().op(Op::I64TruncSatF32S).end()));
  EXPECT_INVALID(check_func({}, {kI32}, Code().f32().op(Op::I32Eqz).end()), "type mismatch");
  EXPECT_INVALID(check_func({}, {}, Code().op(Op::I32Add).end()), "type mismatch");
  EXPECT_INVALID(check_func({}, {}, Code().i32(1).end()), "type mismatch");
  EXPECT_INVALID(check_func({}, {kI32}, Code().end()), "type mismatch");
}

TEST(Validator, UnreachableMakesTheStackPolymorphic) {
  EXPECT_VALID(check_func({}, {kI32}, Code().op(Op::Unreachable).op(Op::I32Add).end()));
  EXPECT_VALID(check_func({}, {kI64}, Code().op(Op::Unreachable).end()));
  // Values pushed after unreachable are still typed.
  EXPECT_INVALID(check_func({}, {kI32}, Code().op(Op::Unreachable).i64(0).end()),
                 "type mismatch");
  EXPECT_INVALID(check_func({}, {}, Code().op(Op::Unreachable).i64(0).op(Op::I32Eqz).op(Op::Drop).end()),
                 "type mismatch");
}

TEST(Validator, Blocks) {
  TestModule t;
  uint32_t ii_i = t.type({kI32, kI32}, {kI32});
  t.func(t.type({}, {kI32}),
         Code().i32(1).i32(2).block_x(Op::Block, ii_i).op(Op::I32Add).end().end());
  EXPECT_VALID(t.validate());
  // Multi-value block types are not MVP.
  EXPECT_INVALID(t.validate(Features::wasm1()), "invalid result arity");

  EXPECT_VALID(check_func({}, {kI32}, Code().block_t(Op::Block, kI32).i32(1).end().end()));
  EXPECT_INVALID(check_func({}, {kI32}, Code().block_t(Op::Block, kI32).end().end()),
                 "type mismatch");
  EXPECT_INVALID(check_func({}, {}, Code().block(Op::Block).i32(1).end().end()),
                 "type mismatch");
  // A block cannot see the values outside it.
  EXPECT_INVALID(check_func({}, {}, Code().i32(1).block(Op::Block).op(Op::Drop).end().end()),
                 "type mismatch");
  // Loop labels take the parameters.
  EXPECT_VALID(check_func({}, {kI32}, Code().block_t(Op::Loop, kI32).idx(Op::Br, 0).end().end()));
  EXPECT_INVALID(check_func({}, {kI32}, Code().block_t(Op::Loop, kI32).end().end()),
                 "type mismatch");
}

TEST(Validator, FeatureProfiles) {
  TestModule t;
  t.func(t.type({}, {kI32, kI32}), Code().i32(1).i32(2).end());
  EXPECT_VALID(t.validate());
  EXPECT_VALID(t.validate(Features::wasm2()));
  EXPECT_INVALID(t.validate(Features::wasm1()), "type 0: invalid result arity");
  TestModule mm;
  mm.memory(1);
  mm.memory(1);
  EXPECT_VALID(mm.validate());
  EXPECT_INVALID(mm.validate(Features::wasm2()), "multiple memories");
}

TEST(Validator, IfElse) {
  EXPECT_VALID(check_func({kI32}, {kI32}, Code().idx(Op::LocalGet, 0).block_t(Op::If, kI32)
                                              .i32(1).op(Op::Else).i32(2).end().end()));
  // if with a result needs an else.
  EXPECT_INVALID(check_func({kI32}, {kI32},
                            Code().idx(Op::LocalGet, 0).block_t(Op::If, kI32).i32(1).end().end()),
                 "type mismatch");
  // ... unless the parameters pass through as results.
  TestModule t;
  uint32_t i_i = t.type({kI32}, {kI32});
  t.func(t.type({}, {kI32}), Code().i32(5).i32(1).block_x(Op::If, i_i).end().end());
  EXPECT_VALID(t.validate());
  EXPECT_INVALID(check_func({}, {}, Code().i32(1).op(Op::Else).end()), "else");
  EXPECT_INVALID(check_func({}, {}, Code().block(Op::If).end().end()), "type mismatch");
}

TEST(Validator, Branches) {
  EXPECT_INVALID(check_func({}, {}, Code().idx(Op::Br, 1).end()), "unknown label 1");
  EXPECT_INVALID(check_func({}, {}, Code().idx(Op::Br, 0xFFFFFFFF).end()), "unknown label");
  EXPECT_VALID(check_func({}, {}, Code().idx(Op::Br, 0).end()));
  EXPECT_VALID(check_func({}, {kI32}, Code().i32(1).idx(Op::Br, 0).end()));
  EXPECT_VALID(check_func({}, {kI32}, Code().i32(1).i32(0).idx(Op::BrIf, 0).end()));
  EXPECT_INVALID(check_func({}, {kI32}, Code().i64(1).i32(0).idx(Op::BrIf, 0).end()),
                 "type mismatch");
  EXPECT_VALID(check_func({}, {kI32}, Code().i32(7).op(Op::Return).op(Op::I32Add).end()));
}

TEST(Validator, BrTable) {
  EXPECT_VALID(check_func({}, {kI32}, Code().block_t(Op::Block, kI32).i32(1).i32(0)
                                          .br_table({0, 1}).end().end()));
  // Targets of different arity.
  EXPECT_INVALID(check_func({}, {kI32}, Code().block(Op::Block).i32(1).i32(0)
                                            .br_table({0, 1}).end().i32(0).end()),
                 "type mismatch");
  EXPECT_INVALID(check_func({}, {}, Code().i32(0).br_table({0, 5}).end()), "unknown label 5");
  // After unreachable, br_table to labels of different types but same arity is fine.
  EXPECT_VALID(check_func({}, {kI32}, Code().block_t(Op::Block, kF32).op(Op::Unreachable)
                                          .br_table({0, 1}).end().op(Op::Drop).i32(0).end()));
  // ... but a known operand must match every target.
  EXPECT_INVALID(check_func({}, {kI32}, Code().block_t(Op::Block, kF32).op(Op::Unreachable)
                                            .i32(1).i32(0).br_table({0, 1}).end()
                                            .op(Op::Drop).i32(0).end()),
                 "type mismatch");
}

TEST(Validator, Select) {
  EXPECT_VALID(check_func({}, {kI64}, Code().i64(1).i64(2).i32(0).op(Op::Select).end()));
  EXPECT_INVALID(check_func({}, {kI64}, Code().i64(1).i32(2).i32(0).op(Op::Select).end()),
                 "type mismatch");
  EXPECT_INVALID(check_func({}, {}, Code().ref_null(HeapType{HeapType::Func})
                                        .ref_null(HeapType{HeapType::Func}).i32(0)
                                        .op(Op::Select).op(Op::Drop).end()),
                 "type mismatch");
  EXPECT_VALID(check_func({}, {kFuncref}, Code().ref_null(HeapType{HeapType::Func})
                                              .ref_null(HeapType{HeapType::Func}).i32(0)
                                              .select_t(kFuncref).end()));
  EXPECT_VALID(check_func({}, {kI32}, Code().op(Op::Unreachable).op(Op::Select).end()));
  EXPECT_VALID(check_func({}, {kI32}, Code().op(Op::Unreachable).i32(0).op(Op::Select).end()));
}

TEST(Validator, LocalsAndGlobals) {
  EXPECT_VALID(check_func({kI32}, {kI64}, Code().idx(Op::LocalGet, 1).end(), {kI64}));
  EXPECT_INVALID(check_func({kI32}, {}, Code().idx(Op::LocalGet, 2).op(Op::Drop).end(), {kI64}),
                 "unknown local 2");
  EXPECT_VALID(check_func({}, {kI32}, Code().i32(1).idx(Op::LocalTee, 0).end(), {kI32}));
  TestModule t;
  t.m.globals.push_back(Global{GlobalType{kI32, false}, const_i32(1)});
  t.m.globals.push_back(Global{GlobalType{kI32, true}, const_i32(1)});
  uint32_t v = t.type({}, {});
  t.func(v, Code().i32(0).idx(Op::GlobalSet, 1).end());
  EXPECT_VALID(t.validate());
  t.func(v, Code().i32(0).idx(Op::GlobalSet, 0).end());
  EXPECT_INVALID(t.validate(), "immutable global 0");
  t.bodies.back() = Code().idx(Op::GlobalGet, 2).op(Op::Drop).end().body;
  EXPECT_INVALID(t.validate(), "unknown global 2");
}

TEST(Validator, NonNullableLocalsNeedInitialisation) {
  TestModule t;
  uint32_t ft = t.type({}, {});
  ValType ref = ValType::ref(false, HeapType::concrete(ft));
  t.m.elems.push_back(ElemSegment{SegmentMode::Declarative, 0, {}, kFuncref,
                                  {Code().idx(Op::RefFunc, 0).end().body}});
  t.func(ft, Code().idx(Op::LocalGet, 0).op(Op::Drop).end(), {ref});
  EXPECT_INVALID(t.validate(), "uninitialized local 0");
  t.bodies[0] = Code().idx(Op::RefFunc, 0).idx(Op::LocalSet, 0).idx(Op::LocalGet, 0)
                    .op(Op::Drop).end().body;
  EXPECT_VALID(t.validate());
  // Initialisation inside a block does not survive the block's end.
  t.bodies[0] = Code().block(Op::Block).idx(Op::RefFunc, 0).idx(Op::LocalSet, 0).end()
                    .idx(Op::LocalGet, 0).op(Op::Drop).end().body;
  EXPECT_INVALID(t.validate(), "uninitialized local");
  // Nor into the else branch.
  t.bodies[0] = Code().i32(1).block(Op::If).idx(Op::RefFunc, 0).idx(Op::LocalSet, 0)
                    .op(Op::Else).idx(Op::LocalGet, 0).op(Op::Drop).end().end().body;
  EXPECT_INVALID(t.validate(), "uninitialized local");
  // Nullable reference locals are defaultable.
  EXPECT_VALID(check_func({}, {kFuncref}, Code().idx(Op::LocalGet, 0).end(), {kFuncref}));
}

TEST(Validator, Calls) {
  TestModule t;
  uint32_t i_i = t.type({kI32}, {kI32});
  uint32_t v_l = t.type({}, {kI64});
  t.func(i_i, Code().i32(1).idx(Op::Call, 0).end());
  EXPECT_VALID(t.validate());
  t.func(i_i, Code().i64(1).idx(Op::Call, 0).end());
  EXPECT_INVALID(t.validate(), "type mismatch");
  t.bodies[1] = Code().i32(1).idx(Op::Call, 9).end().body;
  EXPECT_INVALID(t.validate(), "unknown function 9");
  // Tail calls: the callee's results must be the caller's.
  t.bodies[1] = Code().i32(1).idx(Op::ReturnCall, 0).end().body;
  EXPECT_VALID(t.validate());
  t.func(v_l, Code().i32(1).idx(Op::ReturnCall, 0).end());
  EXPECT_INVALID(t.validate(), "type mismatch");
}

TEST(Validator, CallIndirect) {
  TestModule t;
  uint32_t v_v = t.type({}, {});
  t.func(v_v, Code().i32(0).idx(Op::CallIndirect, v_v, 0).end());
  EXPECT_INVALID(t.validate(), "unknown table 0");
  t.table(kFuncref);
  EXPECT_VALID(t.validate());
  t.bodies[0] = Code().i32(0).idx(Op::CallIndirect, 7, 0).end().body;
  EXPECT_INVALID(t.validate(), "unknown type 7");
  t.table(kExternref);
  t.bodies[0] = Code().i32(0).idx(Op::CallIndirect, v_v, 1).end().body;
  EXPECT_INVALID(t.validate(), "type mismatch");
  EXPECT_INVALID(t.validate(Features::wasm1()), "multiple tables");
}

TEST(Validator, FunctionReferences) {
  TestModule t;
  uint32_t v_v = t.type({}, {});
  t.func(v_v, Code().idx(Op::RefFunc, 0).op(Op::Drop).end());
  EXPECT_INVALID(t.validate(), "undeclared function reference");
  t.m.exports.push_back(Export{"f", ExternKind::Func, 0});
  EXPECT_VALID(t.validate());
  // call_ref takes a typed reference; ref.func yields (ref $t).
  t.bodies[0] = Code().idx(Op::RefFunc, 0).idx(Op::CallRef, v_v).end().body;
  EXPECT_VALID(t.validate());
  t.bodies[0] = Code().ref_null(HeapType{HeapType::Func}).idx(Op::CallRef, v_v).end().body;
  EXPECT_INVALID(t.validate(), "type mismatch");
  uint32_t v_r = t.type({}, {ValType::ref(false, HeapType::concrete(v_v))});
  t.func(v_r, Code().ref_null(HeapType::concrete(v_v)).op(Op::RefAsNonNull).end());
  t.bodies[0] = Code().end().body;
  EXPECT_VALID(t.validate());
  t.bodies[1] = Code().ref_null(HeapType::concrete(v_v)).end().body;
  EXPECT_INVALID(t.validate(), "type mismatch");
  // br_on_null: falls through with a non-null reference.
  t.bodies[1] = Code().block(Op::Block).ref_null(HeapType::concrete(v_v)).idx(Op::BrOnNull, 0)
                    .op(Op::Drop).end().op(Op::Unreachable).end().body;
  EXPECT_VALID(t.validate());
  t.bodies[1] = Code().block_t(Op::Block, ValType::ref(false, HeapType::concrete(v_v)))
                    .ref_null(HeapType::concrete(v_v)).idx(Op::BrOnNonNull, 0)
                    .op(Op::Unreachable).end().end().body;
  EXPECT_VALID(t.validate());
  t.bodies[1] = Code().block_t(Op::Block, kI32).ref_null(HeapType::concrete(v_v))
                    .idx(Op::BrOnNonNull, 0).op(Op::Unreachable).end().op(Op::Unreachable)
                    .end().body;
  EXPECT_INVALID(t.validate(), "type mismatch");
}

TEST(Validator, ReferenceSubtyping) {
  TestModule t;
  uint32_t v_v = t.type({}, {});
  uint32_t v_v2 = t.type({}, {});  // equivalent to v_v
  ValType ref_v = ValType::ref(true, HeapType::concrete(v_v));
  ValType ref_v2 = ValType::ref(true, HeapType::concrete(v_v2));
  t.func(t.type({ref_v}, {ref_v2}), Code().idx(Op::LocalGet, 0).end());
  t.func(t.type({ref_v}, {kFuncref}), Code().idx(Op::LocalGet, 0).end());
  t.func(t.type({}, {ref_v}), Code().ref_null(HeapType{HeapType::NoFunc}).end());
  EXPECT_VALID(t.validate());
  t.func(t.type({kFuncref}, {ref_v}), Code().idx(Op::LocalGet, 0).end());
  EXPECT_INVALID(t.validate(), "type mismatch");
  t.bodies.back() = Code().ref_null(HeapType{HeapType::Extern}).end().body;
  EXPECT_INVALID(t.validate(), "type mismatch");
}

TEST(Validator, MemoryInstructions) {
  EXPECT_VALID(check_func({}, {kI32}, Code().i32(0).mem(Op::I32Load, 2).end()));
  EXPECT_INVALID(check_func({}, {kI32}, Code().i32(0).mem(Op::I32Load, 3).end()),
                 "alignment must not be larger than natural");
  EXPECT_INVALID(check_func({}, {kI32}, Code().i32(0).mem(Op::I32Load8U, 1).end()),
                 "alignment must not be larger than natural");
  EXPECT_VALID(check_func({}, {kV128}, Code().i32(0).mem(Op::V128Load, 4).end()));
  EXPECT_INVALID(check_func({}, {kV128}, Code().i32(0).mem(Op::V128Load64Zero, 4).end()),
                 "alignment");
  EXPECT_INVALID(check_func({}, {kI32}, Code().i32(0).mem(Op::I32Load, 2, 1).end()),
                 "unknown memory 1");
  EXPECT_INVALID(check_func({}, {kI32}, Code().i32(0).mem(Op::I32Load, 0, 0, 1ull << 32).end()),
                 "offset out of range");
  EXPECT_INVALID(check_func({}, {kI32}, Code().i64(0).mem(Op::I32Load, 2).end()),
                 "type mismatch");
  EXPECT_VALID(check_func({}, {kI32}, Code().idx(Op::MemorySize, 0).i32(1).op(Op::I32Add).end()));
  EXPECT_INVALID(check_func({}, {}, Code().i32(0).i32(0).i32(0).idx(Op::MemoryInit, 0, 0).end()),
                 "data count section required");
}

TEST(Validator, Memory64AndMultiMemory) {
  TestModule t;
  t.memory(1);
  t.memory(1, /*is64=*/true);
  uint32_t v_v = t.type({}, {});
  t.func(v_v, Code().i64(0).mem(Op::I64Load, 3, 1).op(Op::Drop).i32(0).mem(Op::I64Load, 3, 0)
                  .op(Op::Drop).idx(Op::MemorySize, 1).op(Op::I64Eqz).op(Op::Drop)
                  // memory.copy 1 <- 0: dst i64, src i32, length i32
                  .i64(0).i32(0).i32(0).idx(Op::MemoryCopy, 1, 0).end());
  EXPECT_VALID(t.validate());
  EXPECT_INVALID(t.validate(Features::wasm2()), "multiple memories");
  t.bodies[0] = Code().i32(0).mem(Op::I64Load, 3, 1).op(Op::Drop).end().body;
  EXPECT_INVALID(t.validate(), "type mismatch: expected i64, got i32");
}

TEST(Validator, MemoryLimits) {
  TestModule t;
  t.memory(65537);
  EXPECT_INVALID(t.validate(), "memory size must be at most 65536 pages (4GiB)");
  t.m.memories[0].limits.min = 2;
  t.m.memories[0].limits.max = 1;
  EXPECT_INVALID(t.validate(), "size minimum must not be greater than maximum");
  t.m.memories[0].limits = Limits{1ull << 40, std::nullopt, false, true};
  EXPECT_VALID(t.validate());
  t.m.memories[0].limits = Limits{1, std::nullopt, true, false};
  EXPECT_INVALID(t.validate(), "shared memory must have maximum");
}

TEST(Validator, Simd) {
  Code c;
  c.add(Op::V128Const);
  EXPECT_VALID(check_func({}, {kI32}, Code(c).lane(Op::I8x16ExtractLaneU, 15).end()));
  EXPECT_INVALID(check_func({}, {kI32}, Code(c).lane(Op::I8x16ExtractLaneU, 16).end()),
                 "invalid lane index");
  EXPECT_INVALID(check_func({}, {kI64}, Code(c).lane(Op::I64x2ExtractLane, 2).end()),
                 "invalid lane index");
  Code shuf = c;
  shuf.add(Op::V128Const);
  Instr& s = shuf.add(Op::I8x16Shuffle);
  s.v128.fill(31);
  EXPECT_VALID(check_func({}, {kV128}, Code(shuf).end()));
  shuf.body.instrs.back().v128[3] = 32;
  EXPECT_INVALID(check_func({}, {kV128}, Code(shuf).end()), "invalid lane index");
  Code ll;
  ll.i32(0).add(Op::V128Const);
  Instr& l = ll.add(Op::V128Load32Lane);
  l.lane = 4;
  l.memarg.align = 2;
  EXPECT_INVALID(check_func({}, {kV128}, Code(ll).end()), "invalid lane index");
  ll.body.instrs.back().lane = 3;
  EXPECT_VALID(check_func({}, {kV128}, Code(ll).end()));
  ll.body.instrs.back().memarg.align = 3;
  EXPECT_INVALID(check_func({}, {kV128}, Code(ll).end()), "alignment");
}

TEST(Validator, Tables) {
  TestModule t;
  t.table(kFuncref);
  t.table(kExternref);
  t.m.elems.push_back(ElemSegment{SegmentMode::Passive, 0, {}, kFuncref, {}});
  uint32_t v_v = t.type({}, {});
  t.func(v_v, Code().i32(0).idx(Op::TableGet, 0).op(Op::Drop)
                  .ref_null(HeapType{HeapType::Extern}).i32(1).idx(Op::TableGrow, 1).op(Op::Drop)
                  .i32(0).i32(0).i32(0).idx(Op::TableInit, 0, 0).idx(Op::ElemDrop, 0).end());
  EXPECT_VALID(t.validate());
  t.bodies[0] = Code().i32(0).i32(0).i32(0).idx(Op::TableCopy, 0, 1).end().body;
  EXPECT_INVALID(t.validate(), "type mismatch");
  t.bodies[0] = Code().i32(0).i32(0).i32(0).idx(Op::TableInit, 1, 0).end().body;
  EXPECT_INVALID(t.validate(), "unknown elem segment 1");
  t.bodies[0] = Code().i32(0).i32(0).i32(0).idx(Op::TableInit, 0, 1).end().body;
  EXPECT_INVALID(t.validate(), "type mismatch");
  // A table of non-nullable references needs an initialiser.
  t.bodies[0] = Code().end().body;
  t.table(ValType::ref(false, HeapType{HeapType::Func}));
  EXPECT_INVALID(t.validate(), "type mismatch");
}

TEST(Validator, ConstantExpressions) {
  TestModule t;
  Import imp;
  imp.kind = ExternKind::Global;
  imp.global = GlobalType{kI32, false};
  t.m.imports.push_back(imp);
  t.m.num_imported_globals = 1;
  t.m.globals.push_back(Global{GlobalType{kI32, false}, Code().idx(Op::GlobalGet, 0).end().body});
  EXPECT_VALID(t.validate(Features::wasm2()));
  // A defined global in a constant expression: 3.0 (GC) only.
  t.m.globals.push_back(Global{GlobalType{kI32, false}, Code().idx(Op::GlobalGet, 1).end().body});
  EXPECT_VALID(t.validate());
  EXPECT_INVALID(t.validate(Features::wasm2()), "unknown global 1");
  // Only preceding globals.
  t.m.globals[1].init = Code().idx(Op::GlobalGet, 2).end().body;
  EXPECT_INVALID(t.validate(), "unknown global 2");
  // Extended constant expressions.
  t.m.globals[1].init = Code().i32(1).idx(Op::GlobalGet, 0).op(Op::I32Add).end().body;
  EXPECT_VALID(t.validate());
  EXPECT_INVALID(t.validate(Features::wasm2()), "constant expression required");
  t.m.globals[1].init = Code().i32(1).op(Op::I32Eqz).end().body;
  EXPECT_INVALID(t.validate(), "global 2 init at offset 0x11 (i32.eqz): constant expression required");
  t.m.globals[1].init = Code().i64(1).end().body;
  EXPECT_INVALID(t.validate(), "type mismatch");
  t.m.globals[1].init = Code().end().body;
  EXPECT_INVALID(t.validate(), "type mismatch");
  t.m.globals[1].init = Code().i32(1).i32(1).end().body;
  EXPECT_INVALID(t.validate(), "type mismatch");
  // Mutable globals are not constant.
  t.m.imports[0].global.mut = true;
  t.m.globals[1].init = const_i32(0);
  EXPECT_INVALID(t.validate(), "constant expression required");
  // ref.func in a global initialiser needs no declaration and declares the function.
  t.m.imports[0].global.mut = false;
  uint32_t v_v = t.type({}, {});
  t.func(v_v, Code().idx(Op::RefFunc, 0).op(Op::Drop).end());
  t.m.globals.push_back(Global{GlobalType{kFuncref, false}, Code().idx(Op::RefFunc, 0).end().body});
  EXPECT_VALID(t.validate());
}

TEST(Validator, Segments) {
  TestModule t;
  t.table(kFuncref);
  t.memory(1);
  t.m.elems.push_back(ElemSegment{SegmentMode::Active, 0, const_i32(0), kFuncref,
                                  {Code().ref_null(HeapType{HeapType::Func}).end().body}});
  t.m.datas.push_back(DataSegment{SegmentMode::Active, 0, const_i32(0), 0, 0});
  EXPECT_VALID(t.validate());
  t.m.datas[0].memory = 1;
  EXPECT_INVALID(t.validate(), "data 0: unknown memory 1");
  t.m.datas[0].memory = 0;
  t.m.elems[0].table = 3;
  EXPECT_INVALID(t.validate(), "elem 0: unknown table 3");
  t.m.elems[0].table = 0;
  t.m.elems[0].type = kExternref;
  EXPECT_INVALID(t.validate(), "type mismatch");
  t.m.elems[0].type = kFuncref;
  t.m.elems[0].offset = Code().i64(0).end().body;
  EXPECT_INVALID(t.validate(), "type mismatch");
  // memory.init with a data count.
  t.m.elems[0].offset = const_i32(0);
  t.m.data_count = 1;
  t.func(t.type({}, {}), Code().i32(0).i32(0).i32(0).idx(Op::MemoryInit, 0, 0)
                             .idx(Op::DataDrop, 0).end());
  EXPECT_VALID(t.validate());
  t.bodies[0] = Code().idx(Op::DataDrop, 1).end().body;
  EXPECT_INVALID(t.validate(), "unknown data segment 1");
}

TEST(Validator, ExportsAndStart) {
  TestModule t;
  t.func(t.type({}, {}), Code().end());
  t.func(t.type({kI32}, {}), Code().end());
  t.m.exports.push_back(Export{"a", ExternKind::Func, 0});
  t.m.exports.push_back(Export{"b", ExternKind::Func, 1});
  t.m.start = 0;
  EXPECT_VALID(t.validate());
  t.m.exports.push_back(Export{"a", ExternKind::Func, 1});
  EXPECT_INVALID(t.validate(), "duplicate export name");
  t.m.exports.back() = Export{"c", ExternKind::Memory, 0};
  EXPECT_INVALID(t.validate(), "unknown memory 0");
  t.m.exports.pop_back();
  t.m.start = 1;
  EXPECT_INVALID(t.validate(), "start function");
  t.m.start = 2;
  EXPECT_INVALID(t.validate(), "unknown function 2");
}

TEST(Validator, ExceptionHandling) {
  TestModule t;
  uint32_t tag = t.tag({kI32});
  uint32_t v_v = t.type({}, {});
  // block (result i32) try_table (catch $tag 0) throw $tag end end
  t.func(t.type({}, {kI32}),
         Code().block_t(Op::Block, kI32)
             .try_table({}, {CatchClause{CatchClause::Catch, tag, 0}})
             .i32(1).idx(Op::Throw, tag).end().i32(0).end().end());
  EXPECT_VALID(t.validate());
  t.bodies[0] = Code().block_t(Op::Block, kI64)
                    .try_table({}, {CatchClause{CatchClause::Catch, tag, 0}}).end()
                    .op(Op::Unreachable).end().end().body;
  EXPECT_INVALID(t.validate(), "type mismatch");
  t.bodies[0] = Code().block_t(Op::Block, kExternref)
                    .try_table({}, {CatchClause{CatchClause::CatchAllRef, 0, 0}}).end()
                    .op(Op::Unreachable).end().op(Op::Unreachable).end().body;
  EXPECT_INVALID(t.validate(), "type mismatch");
  t.bodies[0] = Code().block_t(Op::Block, ValType::exnref())
                    .try_table({}, {CatchClause{CatchClause::CatchAllRef, 0, 0}}).end()
                    .op(Op::Unreachable).end().op(Op::ThrowRef).end().body;
  EXPECT_VALID(t.validate());
  t.bodies[0] = Code().i32(0).idx(Op::Throw, 5).end().body;
  EXPECT_INVALID(t.validate(), "unknown tag 5");
  // A tag type with results is invalid.
  t.m.tags.push_back(TagType{t.type({}, {kI32})});
  EXPECT_INVALID(t.validate(), "non-empty tag result type");
  t.m.tags.pop_back();
  // Legacy: try / catch / catch_all / rethrow / delegate.
  t.func(v_v, Code().block(Op::Try).op(Op::Nop).idx(Op::Catch, tag).op(Op::Drop)
                  .idx(Op::Rethrow, 0).op(Op::CatchAll).idx(Op::Rethrow, 0).end()
                  .block(Op::Try).idx(Op::Delegate, 0).end());
  t.bodies[0] = Code().i32(0).end().body;
  EXPECT_VALID(t.validate());
  t.bodies[1] = Code().block(Op::Try).idx(Op::Rethrow, 0).end().end().body;
  EXPECT_INVALID(t.validate(), "invalid rethrow label");
  t.bodies[1] = Code().block(Op::Block).idx(Op::Catch, tag).end().end().body;
  EXPECT_INVALID(t.validate(), "catch without a matching try");
  t.bodies[1] = Code().block(Op::Try).idx(Op::Delegate, 1).end().body;
  EXPECT_INVALID(t.validate(), "unknown label 1");
}

TEST(Validator, MalformedStructureNeverCrashes) {
  // Missing final end, code after the final end, huge indices, empty bodies.
  EXPECT_INVALID(check_func({}, {}, Code().block(Op::Block).end()), "missing end");
  EXPECT_INVALID(check_func({}, {}, Code().end().op(Op::Nop)), "operators remaining");
  EXPECT_INVALID(check_func({}, {}, Code()), "missing end");
  EXPECT_INVALID(check_func({}, {}, Code().block_x(Op::Block, 0xFFFFFFFF).end().end()),
                 "unknown type");
  EXPECT_INVALID(check_func({}, {}, Code().idx(Op::LocalGet, 0xFFFFFFFF).end()), "unknown local");
  Code bad_table;
  Instr& in = bad_table.i32(0).add(Op::BrTable);
  in.table_begin = 5;
  in.table_size = 0xFFFFFFFF;
  EXPECT_INVALID(check_func({}, {}, bad_table.end()), "br_table");
  TestModule t;
  t.func(7, Code().end());
  EXPECT_INVALID(t.validate(), "unknown type 7");
}

}  // namespace
}  // namespace kumo::wasm
