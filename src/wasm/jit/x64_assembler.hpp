// An x86-64 machine-code assembler for the baseline compiling tier (docs/compiler-tier.md):
// the instruction forms a template compiler of the interpreter's slot-based code
// needs (moves between registers and [base + disp32] frame slots, wasm-style loads and stores at
// [base + index + disp32], integer ALU operations, shifts by CL, compares with SETcc, division,
// bit counts, branches to labels, calls through a register or to a label). Encodings follow
// the Intel SDM, volume 2.
//
// 32-bit forms write the low half of a register and zero the upper half, which is how an i32
// lives in a 64-bit slot.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "wasm/common/expected.hpp"

namespace kumo::wasm::jit {

enum class Reg : uint8_t {
  rax,
  rcx,
  rdx,
  rbx,
  rsp,
  rbp,
  rsi,
  rdi,
  r8,
  r9,
  r10,
  r11,
  r12,
  r13,
  r14,
  r15
};

// Condition codes, in the encoding's order (the low nibble of Jcc/SETcc).
enum class Cond : uint8_t { O, NO, B, AE, E, NE, BE, A, S, NS, P, NP, L, GE, LE, G };

enum class Width : uint8_t { W32, W64 };

// Two-operand ALU operations "dst op= src" (the /digit of the 0x81 immediate form).
enum class Alu : uint8_t { Add = 0, Or = 1, And = 4, Sub = 5, Xor = 6, Cmp = 7 };

// Shifts and rotates by CL (the /digit of 0xD3).
enum class Shift : uint8_t { Rol = 0, Ror = 1, Shl = 4, Shr = 5, Sar = 7 };

// What a load reads and how it extends into the destination register.
enum class MemLoad : uint8_t { U8, S8To32, S8To64, U16, S16To32, S16To64, U32, S32To64, U64 };
enum class MemStore : uint8_t { B8, B16, B32, B64 };

// A position in the code that branches can target before it is bound.
struct Label {
  uint32_t id = UINT32_MAX;
};

class Assembler {
 public:
  // Registers and immediates.
  void mov(Width w, Reg dst, Reg src);
  void mov_imm(Reg dst, uint64_t imm);  // the shortest form that yields exactly `imm`
  void lea(Reg dst, Reg base, int32_t disp);

  // Frame slots and other fixed offsets: [base + disp].
  void load(Width w, Reg dst, Reg base, int32_t disp);
  void store(Width w, Reg base, int32_t disp, Reg src);
  // A narrower or sign-extending read of [base + disp] (e.g. extend8_s of a frame slot).
  void load(MemLoad kind, Reg dst, Reg base, int32_t disp);
  // Linear-memory accesses: [base + index + disp] (index is not rsp).
  void load(MemLoad kind, Reg dst, Reg base, Reg index, int32_t disp);
  void store(MemStore kind, Reg base, Reg index, int32_t disp, Reg src);

  // Integer arithmetic.
  void alu(Alu op, Width w, Reg dst, Reg src);
  void alu_imm(Alu op, Width w, Reg dst, int32_t imm);
  void imul(Width w, Reg dst, Reg src);
  // Bit counts (LZCNT, TZCNT: BMI1/ABM; POPCNT): callers check has_bit_count_instructions().
  enum class BitCount : uint8_t { Lzcnt = 0xBD, Tzcnt = 0xBC, Popcnt = 0xB8 };
  void bit_count(BitCount op, Width w, Reg dst, Reg src);
  void shift_cl(Shift op, Width w, Reg dst);  // count in CL, masked by the CPU as wasm masks it
  void test(Width w, Reg a, Reg b);
  void setcc(Cond c, Reg dst);                     // dst = c ? 1 : 0 (all 64 bits)
  void sign_extend_ax(Width w);                    // cdq / cqo: rdx:rax for idiv
  void div(Width w, Reg divisor, bool is_signed);  // rdx:rax / divisor

  // Control flow.
  Label new_label();
  void bind(Label l);
  bool bound(Label l) const { return label_pos_.at(l.id) >= 0; }
  void jmp(Label l);
  void jcc(Cond c, Label l);
  void call(Reg target);
  void call(Label l);  // call rel32
  void ret();
  void push(Reg r);
  void pop(Reg r);

  // The code, with every branch patched; an error if a branch targets an unbound label.
  Expected<std::vector<uint8_t>> finish();
  size_t size() const { return code_.size(); }
  size_t offset_of(Label l) const { return size_t(label_pos_.at(l.id)); }  // once bound

 private:
  void byte(uint8_t b) { code_.push_back(b); }
  void u32(uint32_t v);
  void rex(bool w, unsigned reg, unsigned index, unsigned base, bool force = false);
  // ModRM (+SIB) + disp32 for [base + disp] or [base + index + disp]; `reg` is the ModRM.reg field.
  void mem(unsigned reg, Reg base, int32_t disp);
  void mem_indexed(unsigned reg, Reg base, Reg index, int32_t disp);
  void load_opcode(MemLoad kind);
  void modrm_reg(unsigned reg, Reg rm) {
    byte(uint8_t(0xC0 | (reg & 7) << 3 | (unsigned(rm) & 7)));
  }
  void branch_target(Label l);

  std::vector<uint8_t> code_;
  std::vector<int64_t> label_pos_;  // -1: not bound yet
  struct Fixup {
    uint32_t at;  // the rel32 field
    uint32_t label;
  };
  std::vector<Fixup> fixups_;
};

// Whether this CPU has LZCNT, TZCNT and POPCNT (every x86-64 since 2013 does).
bool has_bit_count_instructions();

// Machine code in executable memory: written while the mapping is writable, then made read-only
// and executable (never both writable and executable).
class ExecutableCode {
 public:
  static Expected<ExecutableCode> create(std::span<const uint8_t> code);
  ExecutableCode(ExecutableCode&& o) noexcept : base_(o.base_), size_(o.size_) {
    o.base_ = nullptr;
    o.size_ = 0;
  }
  ExecutableCode& operator=(ExecutableCode&& o) noexcept;
  ExecutableCode(const ExecutableCode&) = delete;
  ExecutableCode& operator=(const ExecutableCode&) = delete;
  ~ExecutableCode();

  const void* entry() const { return base_; }
  template <class Fn>
  Fn* as() const {
    return reinterpret_cast<Fn*>(const_cast<void*>(base_));
  }

 private:
  ExecutableCode(void* base, size_t size) : base_(base), size_(size) {}
  void* base_ = nullptr;
  size_t size_ = 0;  // of the mapping
};

}  // namespace kumo::wasm::jit
