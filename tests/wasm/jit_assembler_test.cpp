// The baseline tier's x86-64 assembler (src/wasm/jit/x64_assembler.hpp): each test assembles a
// small function with the System V calling convention (arguments in rdi, rsi, rdx; result in
// rax), runs it from executable memory and checks what it computed, so a wrong encoding (a REX
// bit, a ModRM/SIB form, a displacement) shows up as a wrong result or a crash. Functions that
// use callee-saved registers (rbx, rbp, r12-r15) save them, as the ABI requires.
#include <gtest/gtest.h>

#include <cstring>

#include "wasm/jit/x64_assembler.hpp"

namespace kumo::wasm::jit {
namespace {

using R = Reg;

template <class Fn>
struct Built {
  ExecutableCode code;
  Fn* fn;
};

template <class Fn>
Built<Fn> build(Assembler& a) {
  auto bytes = a.finish();
  EXPECT_TRUE(bytes) << bytes.error().message;
  auto code = ExecutableCode::create(*bytes);
  EXPECT_TRUE(code) << code.error().message;
  Fn* fn = code->as<Fn>();
  return {std::move(*code), fn};
}

TEST(JitAssembler, AddsIn64And32Bits) {
  Assembler a;
  a.mov(Width::W64, R::rax, R::rdi);
  a.alu(Alu::Add, Width::W64, R::rax, R::rsi);
  a.ret();
  auto add64 = build<uint64_t(uint64_t, uint64_t)>(a);
  EXPECT_EQ(add64.fn(uint64_t(1) << 40, 5), (uint64_t(1) << 40) + 5);

  Assembler b;
  b.mov(Width::W64, R::rax, R::rdi);
  b.alu(Alu::Add, Width::W32, R::rax, R::rsi);  // wraps at 32 bits, zeroes the upper half
  b.ret();
  auto add32 = build<uint64_t(uint64_t, uint64_t)>(b);
  EXPECT_EQ(add32.fn(0xFFFF'FFFFull | (uint64_t(7) << 32), 2), 1u);
}

TEST(JitAssembler, ExtendedRegistersAndEveryAluOp) {
  struct Case {
    Alu op;
    uint64_t a, b, want;
  };
  const Case cases[] = {{Alu::Add, 40, 2, 42},
                        {Alu::Sub, 40, 2, 38},
                        {Alu::And, 0xF0F, 0xFF, 0xF},
                        {Alu::Or, 0xF00, 0xF, 0xF0F},
                        {Alu::Xor, 0xFF, 0x0F, 0xF0}};
  for (const Case& c : cases) {
    Assembler a;
    a.push(R::r14);  // callee-saved: the test's caller may keep a value in it
    a.mov(Width::W64, R::r9, R::rdi);
    a.mov(Width::W64, R::r14, R::rsi);
    a.alu(c.op, Width::W64, R::r9, R::r14);
    a.mov(Width::W64, R::rax, R::r9);
    a.pop(R::r14);
    a.ret();
    auto f = build<uint64_t(uint64_t, uint64_t)>(a);
    EXPECT_EQ(f.fn(c.a, c.b), c.want) << int(c.op);
  }
  Assembler m;
  m.mov(Width::W64, R::r11, R::rdi);
  m.imul(Width::W64, R::r11, R::rsi);
  m.alu_imm(Alu::Add, Width::W64, R::r11, -3);
  m.mov(Width::W64, R::rax, R::r11);
  m.ret();
  auto mul = build<int64_t(int64_t, int64_t)>(m);
  EXPECT_EQ(mul.fn(-7, 1'000'000'007), -7'000'000'049 - 3);
}

TEST(JitAssembler, FrameSlotsThroughEveryKindOfBase) {
  // rbp/r13 (no disp0 form), rsp/r12 (need a SIB byte) and ordinary bases.
  Assembler a;
  a.push(R::rbp), a.push(R::r12), a.push(R::r13);
  a.mov(Width::W64, R::rbp, R::rdi);
  a.mov(Width::W64, R::r12, R::rdi);
  a.mov(Width::W64, R::r13, R::rdi);
  a.load(Width::W64, R::rax, R::rbp, 8);
  a.load(Width::W64, R::rcx, R::r12, 16);
  a.load(Width::W32, R::rdx, R::r13, 24);  // zero-extends
  a.alu(Alu::Add, Width::W64, R::rax, R::rcx);
  a.alu(Alu::Add, Width::W64, R::rax, R::rdx);
  a.store(Width::W64, R::r12, 0, R::rax);
  a.push(R::rax);
  a.load(Width::W64, R::r10, R::rsp, 0);  // [rsp]: what was just pushed
  a.pop(R::rax);
  a.store(Width::W64, R::r13, -8 + 40, R::r10);  // slot 4
  a.pop(R::r13), a.pop(R::r12), a.pop(R::rbp);
  a.ret();
  auto f = build<void(uint64_t*)>(a);
  uint64_t slots[5] = {0, 100, 20, 0xFFFF'FFFF'0000'0003ull, 0};
  f.fn(slots);
  EXPECT_EQ(slots[0], 123u);
  EXPECT_EQ(slots[4], 123u);
}

TEST(JitAssembler, LinearMemoryLoadsExtendAsWasmDoes) {
  struct Case {
    MemLoad kind;
    uint64_t want;
  };
  // Memory at offset 16: 80 ff 7f 00 fe ff ff ff 01 00 00 80
  const Case cases[] = {{MemLoad::U8, 0x80},
                        {MemLoad::S8To32, 0xFFFF'FF80},
                        {MemLoad::S8To64, 0xFFFF'FFFF'FFFF'FF80},
                        {MemLoad::U16, 0xFF80},
                        {MemLoad::S16To32, 0xFFFF'FF80},
                        {MemLoad::S16To64, 0xFFFF'FFFF'FFFF'FF80},
                        {MemLoad::U32, 0x007F'FF80},
                        {MemLoad::S32To64, 0x007F'FF80},
                        {MemLoad::U64, 0xFFFF'FFFE'007F'FF80}};
  uint8_t memory[32] = {};
  const uint8_t bytes[] = {0x80, 0xff, 0x7f, 0x00, 0xfe, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00, 0x80};
  std::memcpy(memory + 16, bytes, sizeof bytes);
  for (const Case& c : cases) {
    Assembler a;
    a.push(R::r15), a.push(R::r12);     // callee-saved
    a.mov(Width::W64, R::r15, R::rdi);  // memory base in an extended register
    a.mov(Width::W64, R::r12, R::rsi);  // address in r12 (index needs REX.X)
    a.mov_imm(R::rax, 0xDEAD'BEEF'DEAD'BEEFull);
    a.load(c.kind, R::rax, R::r15, R::r12, 6);  // address 10 + offset 6 = 16
    a.pop(R::r12), a.pop(R::r15);
    a.ret();
    auto f = build<uint64_t(uint8_t*, uint64_t)>(a);
    EXPECT_EQ(f.fn(memory, 10), c.want) << int(c.kind);
  }
  // An extended destination register with the 32-bit sign-extending load.
  Assembler a;
  a.load(MemLoad::S32To64, R::r8, R::rdi, R::rsi, 0);
  a.mov(Width::W64, R::rax, R::r8);
  a.ret();
  auto f = build<int64_t(uint8_t*, uint64_t)>(a);
  EXPECT_EQ(f.fn(memory, 20), -2);
}

TEST(JitAssembler, StoresOfEveryWidth) {
  // The byte store from sil needs a REX prefix (without one, encoding 6 is dh).
  Assembler a;
  a.mov_imm(R::rax, 0x1122'3344'5566'7788ull);
  a.store(MemStore::B64, R::rdi, R::rdx, 0, R::rax);
  a.store(MemStore::B32, R::rdi, R::rdx, 8, R::rax);
  a.store(MemStore::B16, R::rdi, R::rdx, 12, R::rax);
  a.store(MemStore::B8, R::rdi, R::rdx, 14, R::rsi);
  a.mov(Width::W64, R::r10, R::rsi);
  a.store(MemStore::B8, R::rdi, R::rdx, 15, R::r10);
  a.ret();
  auto f = build<void(uint8_t*, uint64_t, uint64_t)>(a);
  uint8_t memory[24];
  std::memset(memory, 0xAA, sizeof memory);
  f.fn(memory, 0x1F5, 4);
  const uint8_t want[] = {0xAA, 0xAA, 0xAA, 0xAA, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
                          0x88, 0x77, 0x66, 0x55, 0x88, 0x77, 0xF5, 0xF5, 0xAA, 0xAA, 0xAA, 0xAA};
  EXPECT_EQ(std::memcmp(memory, want, sizeof want), 0);
}

TEST(JitAssembler, ComparesSignedAndUnsigned) {
  for (Cond c : {Cond::L, Cond::B, Cond::E, Cond::GE}) {
    Assembler a;
    a.alu(Alu::Cmp, Width::W32, R::rdi, R::rsi);
    a.setcc(c, R::rsi);  // sil: needs REX
    a.mov(Width::W64, R::rax, R::rsi);
    a.ret();
    auto f = build<uint64_t(uint32_t, uint32_t)>(a);
    const uint32_t minus1 = 0xFFFF'FFFF;
    switch (c) {
      case Cond::L:
        EXPECT_EQ(f.fn(minus1, 1), 1u);
        EXPECT_EQ(f.fn(1, minus1), 0u);
        break;
      case Cond::B:
        EXPECT_EQ(f.fn(minus1, 1), 0u);
        EXPECT_EQ(f.fn(1, minus1), 1u);
        break;
      case Cond::E:
        EXPECT_EQ(f.fn(7, 7), 1u);
        EXPECT_EQ(f.fn(7, 8), 0u);
        break;
      default:
        EXPECT_EQ(f.fn(3, 3), 1u);
        EXPECT_EQ(f.fn(2, 3), 0u);
        break;
    }
  }
}

TEST(JitAssembler, ShiftsMaskTheirCountLikeWasm) {
  Assembler a;
  a.mov(Width::W64, R::rcx, R::rsi);
  a.mov(Width::W64, R::rax, R::rdi);
  a.shift_cl(Shift::Shl, Width::W32, R::rax);
  a.ret();
  auto shl32 = build<uint64_t(uint64_t, uint64_t)>(a);
  EXPECT_EQ(shl32.fn(3, 33), 6u);  // 33 & 31 = 1
  Assembler b;
  b.mov(Width::W64, R::rcx, R::rsi);
  b.mov(Width::W64, R::r9, R::rdi);
  b.shift_cl(Shift::Sar, Width::W64, R::r9);
  b.mov(Width::W64, R::rax, R::r9);
  b.ret();
  auto sar64 = build<int64_t(int64_t, uint64_t)>(b);
  EXPECT_EQ(sar64.fn(-256, 64 + 4), -16);  // 68 & 63 = 4
}

TEST(JitAssembler, DividesSignedAndUnsigned) {
  Assembler a;
  a.mov(Width::W64, R::rax, R::rdi);
  a.sign_extend_ax(Width::W32);
  a.div(Width::W32, R::rsi, true);
  a.ret();
  auto sdiv32 = build<uint32_t(int32_t, int32_t)>(a);
  EXPECT_EQ(int32_t(sdiv32.fn(-7, 2)), -3);
  Assembler b;
  b.mov(Width::W64, R::r8, R::rsi);
  b.mov(Width::W64, R::rax, R::rdi);
  b.alu(Alu::Xor, Width::W32, R::rdx, R::rdx);
  b.div(Width::W64, R::r8, false);
  b.mov(Width::W64, R::rax, R::rdx);  // the remainder
  b.ret();
  auto urem64 = build<uint64_t(uint64_t, uint64_t)>(b);
  EXPECT_EQ(urem64.fn(~uint64_t(0), 10), ~uint64_t(0) % 10);
}

TEST(JitAssembler, LabelsLoopsAndForwardBranches) {
  // sum = 0; while (n != 0) { sum += n; --n; } — a backward and a forward branch.
  Assembler a;
  Label loop = a.new_label(), done = a.new_label();
  a.alu(Alu::Xor, Width::W32, R::rax, R::rax);
  a.test(Width::W64, R::rdi, R::rdi);
  a.jcc(Cond::E, done);
  a.bind(loop);
  a.alu(Alu::Add, Width::W64, R::rax, R::rdi);
  a.alu_imm(Alu::Sub, Width::W64, R::rdi, 1);
  a.jcc(Cond::NE, loop);
  a.bind(done);
  a.ret();
  auto sum = build<uint64_t(uint64_t)>(a);
  EXPECT_EQ(sum.fn(0), 0u);
  EXPECT_EQ(sum.fn(100000), 5000050000u);

  Assembler b;
  Label skip = b.new_label();
  b.mov_imm(R::rax, 1);
  b.jmp(skip);
  b.mov_imm(R::rax, 2);
  b.bind(skip);
  b.ret();
  auto jumped = build<uint64_t()>(b);
  EXPECT_EQ(jumped.fn(), 1u);

  Assembler c;
  c.jmp(c.new_label());
  auto unbound = c.finish();
  ASSERT_FALSE(unbound);
  EXPECT_NE(unbound.error().message.find("unbound label"), std::string::npos);
}

uint64_t helper(uint64_t x) { return x * 3 + 1; }

TEST(JitAssembler, CallsThroughARegisterAndMaterialisesImmediates) {
  Assembler a;
  a.push(R::rbx);  // keeps the stack 16-byte aligned at the call
  a.mov_imm(R::r11, reinterpret_cast<uint64_t>(&helper));
  a.call(R::r11);
  a.pop(R::rbx);
  a.ret();
  auto f = build<uint64_t(uint64_t)>(a);
  EXPECT_EQ(f.fn(14), 43u);

  for (uint64_t imm : {uint64_t(0), uint64_t(0x7FFF'FFFF), uint64_t(0xFFFF'FFFF),
                       uint64_t(0x1'0000'0000), ~uint64_t(0), uint64_t(-5), uint64_t(1) << 63}) {
    Assembler b;
    b.push(R::r13);  // callee-saved
    b.mov_imm(R::r13, imm);
    b.mov(Width::W64, R::rax, R::r13);
    b.pop(R::r13);
    b.ret();
    auto g = build<uint64_t()>(b);
    EXPECT_EQ(g.fn(), imm);
  }
}

TEST(JitAssembler, BitCountsIn32And64BitsWithExtendedRegisters) {
  if (!has_bit_count_instructions()) GTEST_SKIP() << "this CPU lacks LZCNT/TZCNT/POPCNT";
  using BC = Assembler::BitCount;
  struct Case {
    BC op;
    Width w;
    uint64_t x, want;
  };
  const Case cases[] = {
      {BC::Lzcnt, Width::W32, 1, 31},          {BC::Lzcnt, Width::W32, 0, 32},
      {BC::Lzcnt, Width::W64, 1, 63},          {BC::Lzcnt, Width::W64, 0, 64},
      {BC::Tzcnt, Width::W32, 0x80, 7},        {BC::Tzcnt, Width::W32, 0, 32},
      {BC::Tzcnt, Width::W64, 1ull << 40, 40}, {BC::Tzcnt, Width::W64, 0, 64},
      {BC::Popcnt, Width::W32, ~0ull, 32},     {BC::Popcnt, Width::W64, ~0ull, 64}};
  for (const Case& c : cases) {
    Assembler a;
    a.mov(Width::W64, R::r10, R::rdi);
    a.bit_count(c.op, c.w, R::r11, R::r10);
    a.mov(Width::W64, R::rax, R::r11);
    a.ret();
    auto f = build<uint64_t(uint64_t)>(a);
    EXPECT_EQ(f.fn(c.x), c.want) << int(c.op) << " " << int(c.w) << " " << c.x;
  }
}

}  // namespace
}  // namespace kumo::wasm::jit
