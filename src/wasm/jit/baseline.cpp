#include "wasm/jit/baseline.hpp"

#include <cstddef>
#include <limits>
#include <type_traits>
#include <vector>

#include "wasm/interp/exec_state.hpp"
#include "wasm/interp/interp.hpp"
#include "wasm/jit/helpers.hpp"

namespace kumo::wasm::jit {

namespace {

using interp::IOp;

// Registers: the state lives in callee-saved registers, so helpers (helpers.hpp) are plain C++
// calls: rbx = the frame, rbp = memory 0's base, r12 = the globals table, r13 = the JitEnv,
// r14 = the deadline, r15 = the epoch counter's address. rax, rcx, rdx are scratch (division
// needs rdx, shifts rcx). A result leaves through one epilogue, in rax.
constexpr Reg kFp = Reg::rbx;
constexpr Reg kMem = Reg::rbp;
constexpr Reg kGlobals = Reg::r12;
constexpr Reg kEnv = Reg::r13;
constexpr Reg kDeadline = Reg::r14;
constexpr Reg kEpoch = Reg::r15;
constexpr Reg kSaved[] = {Reg::rbx, Reg::rbp, Reg::r12, Reg::r13, Reg::r14, Reg::r15};

// The machine code reads and writes these at offsetof() offsets.
static_assert(std::is_standard_layout_v<interp::JitEnv> &&
              std::is_standard_layout_v<interp::Frame>);

struct BinAlu {
  Alu op;
  bool is_shift = false;
  Shift shift{};
  bool is_mul = false;
};

class Compiler {
 public:
  Compiler(const interp::Code& c, const Link& link)
      : code_(c), link_(link), labels_(c.code.size(), UINT32_MAX) {}
  Expected<AssembledBody> run();

 private:
  int32_t slot(const uint32_t* ip, int i) const { return int32_t(ip[i] * 8); }
  Label label_at(size_t pc) {
    if (pc >= labels_.size()) {  // never for translated code; refuse rather than write past
      bad_target_ = true;
      return a_.new_label();  // left unbound: finish() fails
    }
    if (labels_[pc] == UINT32_MAX) labels_[pc] = a_.new_label().id;
    return Label{labels_[pc]};
  }
  Label target(size_t pc, const uint32_t* ip, int k) {
    return label_at(pc + size_t(int32_t(ip[k])));
  }
  // Before a branch that may go backward (a loop): trap once the epoch reached the deadline, as
  // the interpreter does on its backward branches.
  void epoch_check(size_t pc, const uint32_t* ip, int k) {
    if (int32_t(ip[k]) > 0) return;
    a_.load(Width::W64, Reg::rdx, kEpoch, 0);
    a_.alu(Alu::Cmp, Width::W64, Reg::rdx, kDeadline);
    trap_if(Cond::AE, TrapCode::Interrupted, pc);
  }
  void load_imm(Reg r, const uint32_t* p, bool is64) {
    a_.mov_imm(r, is64 ? uint64_t(p[0]) | uint64_t(p[1]) << 32 : uint64_t(p[0]));
  }
  void binop(const BinAlu& b, Width w, const uint32_t* ip, bool imm);
  void compare(Cond c, Width w, const uint32_t* ip, bool imm, bool branch, size_t pc);
  // [mem + u32(slot a) + off] addressing: rax holds the index on return, the result the disp.
  int32_t address(const uint32_t* ip, int addr_operand, uint32_t off);
  // The fused forms: address = u32(a + (b << k)) or u32(a + imm), then + off.
  int32_t address_rr(const uint32_t* ip, int a, uint32_t off);
  int32_t address_ri(const uint32_t* ip, int a, uint32_t off);
  int32_t offset(uint32_t off);
  void add_shl(const uint32_t* ip, int a);
  void divide(IOp op, Width w, const uint32_t* ip, bool imm, size_t pc);
  // Jumps to a stub that records the trap of `code` at `pc` and leaves.
  void trap_if(Cond c, TrapCode code, size_t pc);
  void trap(TrapCode code, size_t pc);
  void return_normally() {
    a_.alu(Alu::Xor, Width::W32, Reg::rax, Reg::rax);
    a_.jmp(exit_);
  }
  // The entry interp::Code::JitFn describes: sets the registers up and calls the body.
  void entry(Label body);
  // The body's own entry: the limits every call checks.
  void body_entry(Label body);
  // A call through `fn` (interp::jit_call and its kinds); a trap in it leaves with what it
  // returned.
  void call(const uint32_t* ip, uint64_t (*fn)(interp::JitEnv*, interp::Slot*, const uint32_t*));
  // call $k to a function of this module: straight into its body when it is linked.
  void call_direct(const uint32_t* ip);
  // Calls the helper of the instruction at `ip` (pc); branches or traps as its kind says.
  void call_helper(const Helper& h, const uint32_t* ip, size_t pc);
  Label exit_;  // leaves the body with rax
  // Returns an exit to the interpreter at `pc`.
  void exit_to_interpreter(size_t pc) {
    a_.mov_imm(Reg::rax, CompiledBody::kExitBit | uint64_t(pc) << 8);
    a_.jmp(exit_);
  }
  size_t uncompiled_ = 0;
  bool calls_ = false;
  struct TrapStub {
    Label label;
    size_t pc;
    TrapCode code;
    bool code_in_rax = false;  // a helper's trap: its TrapCode is rax's low byte
  };
  std::vector<TrapStub> stubs_;

  const interp::Code& code_;
  const Link& link_;
  Assembler a_;
  std::vector<uint32_t> labels_;  // per pc: label id, or UINT32_MAX
  bool bad_target_ = false;
};

void Compiler::binop(const BinAlu& b, Width w, const uint32_t* ip, bool imm) {
  a_.load(w, Reg::rax, kFp, slot(ip, 3));
  if (imm)
    load_imm(Reg::rcx, ip + 4, w == Width::W64);
  else
    a_.load(w, Reg::rcx, kFp, slot(ip, 4));
  if (b.is_shift)
    a_.shift_cl(b.shift, w, Reg::rax);
  else if (b.is_mul)
    a_.imul(w, Reg::rax, Reg::rcx);
  else
    a_.alu(b.op, w, Reg::rax, Reg::rcx);
  a_.store(Width::W64, kFp, slot(ip, 2), Reg::rax);  // an i32 result zero-extended
}

// Value form: [H, d, a, b] / [H, d, a, imm]; branch form: [H, a, b, off] / [H, a, imm, off].
void Compiler::compare(Cond c, Width w, const uint32_t* ip, bool imm, bool branch, size_t pc) {
  const int first = branch ? 2 : 3;
  a_.load(w, Reg::rax, kFp, slot(ip, first));
  if (imm)
    load_imm(Reg::rcx, ip + first + 1, w == Width::W64);
  else
    a_.load(w, Reg::rcx, kFp, slot(ip, first + 1));
  a_.alu(Alu::Cmp, w, Reg::rax, Reg::rcx);
  if (branch) {
    const int off = first + 1 + (imm && w == Width::W64 ? 2 : 1);
    if (int32_t(ip[off]) <= 0) {
      epoch_check(pc, ip, off);
      a_.alu(Alu::Cmp, w, Reg::rax, Reg::rcx);  // the check clobbered the flags
    }
    a_.jcc(c, target(pc, ip, off));
  } else {
    a_.setcc(c, Reg::rax);
    a_.store(Width::W64, kFp, slot(ip, 2), Reg::rax);
  }
}

void Compiler::trap_if(Cond c, TrapCode code, size_t pc) {
  Label l = a_.new_label();
  stubs_.push_back({l, pc, code});
  a_.jcc(c, l);
}

void Compiler::trap(TrapCode code, size_t pc) {
  Label l = a_.new_label();
  stubs_.push_back({l, pc, code});
  a_.jmp(l);
}

// Saves the callee-saved registers the code keeps its state in, plus 8 bytes so that the call
// to the body leaves the stack as the ABI has it at a function's entry (the return address and
// six pushes leave it 8 bytes off 16).
void Compiler::entry(Label body) {
  for (Reg r : kSaved) a_.push(r);
  a_.alu_imm(Alu::Sub, Width::W64, Reg::rsp, 8);
  a_.mov(Width::W64, kFp, Reg::rdi);
  a_.mov(Width::W64, kMem, Reg::rsi);
  a_.mov(Width::W64, kGlobals, Reg::rdx);
  a_.mov(Width::W64, kEnv, Reg::rcx);
  a_.load(Width::W64, kEpoch, kEnv, int32_t(offsetof(interp::JitEnv, epoch)));
  a_.load(Width::W64, kDeadline, kEnv, int32_t(offsetof(interp::JitEnv, deadline)));
  a_.call(body);
  a_.alu_imm(Alu::Add, Width::W64, Reg::rsp, 8);
  for (size_t i = std::size(kSaved); i-- > 0;) a_.pop(kSaved[i]);
  a_.ret();
}

// The body keeps the stack 16-byte aligned for the calls it makes, and checks what the
// interpreter checks on a call: the native stack (compiled calls recurse on it), the frame's
// slots, the deadline.
void Compiler::body_entry(Label body) {
  a_.bind(body);
  a_.alu_imm(Alu::Sub, Width::W64, Reg::rsp, 8);
  a_.load(Width::W64, Reg::rax, kEnv, int32_t(offsetof(interp::JitEnv, stack_limit)));
  a_.alu(Alu::Cmp, Width::W64, Reg::rsp, Reg::rax);
  trap_if(Cond::B, TrapCode::CallStackExhausted, 0);
  a_.lea(Reg::rax, kFp, int32_t(code_.max_slots * 8));
  a_.load(Width::W64, Reg::rcx, kEnv, int32_t(offsetof(interp::JitEnv, stack_end)));
  a_.alu(Alu::Cmp, Width::W64, Reg::rax, Reg::rcx);
  trap_if(Cond::A, TrapCode::CallStackExhausted, 0);
  a_.load(Width::W64, Reg::rdx, kEpoch, 0);
  a_.alu(Alu::Cmp, Width::W64, Reg::rdx, kDeadline);
  trap_if(Cond::AE, TrapCode::Interrupted, 0);
}

// Pushes the callee's frame as the interpreter's do_call does (the caller's return pc, the
// callee's fp, function and instance; cur_frame moves up), calls the callee's body with rbx on
// the callee's frame, then pops the frame again. A callee's trap leaves its frame current, for
// the backtrace.
void Compiler::call_direct(const uint32_t* ip) {
  const uint32_t func = ip[2];
  if (link_.bodies == nullptr || func < link_.num_imported_funcs) {
    call(ip, &interp::jit_call);
    return;
  }
  calls_ = true;
  using interp::Frame;
  using interp::JitEnv;
  constexpr int32_t kFrame = int32_t(sizeof(Frame));
  const int32_t frame = int32_t(ip[3] * 8);
  Label slow = a_.new_label(), done = a_.new_label();
  a_.mov_imm(Reg::rax, reinterpret_cast<uintptr_t>(&link_.bodies[func - link_.num_imported_funcs]));
  a_.load(Width::W64, Reg::rax, Reg::rax, 0);
  a_.test(Width::W64, Reg::rax, Reg::rax);
  a_.jcc(Cond::E, slow);
  a_.load(Width::W64, Reg::rcx, kEnv, int32_t(offsetof(JitEnv, cur_frame)));
  a_.load(Width::W64, Reg::rdx, Reg::rcx, 0);  // csp
  a_.lea(Reg::rdi, Reg::rdx, 2 * kFrame);
  a_.load(Width::W64, Reg::rsi, kEnv, int32_t(offsetof(JitEnv, frames_end)));
  a_.alu(Alu::Cmp, Width::W64, Reg::rdi, Reg::rsi);
  a_.jcc(Cond::A, slow);  // no frame left: jit_call traps
  a_.mov_imm(Reg::rsi, reinterpret_cast<uintptr_t>(ip + 4));
  a_.store(Width::W64, Reg::rdx, int32_t(offsetof(Frame, ip)), Reg::rsi);
  a_.lea(Reg::rdi, kFp, frame);
  a_.store(Width::W64, Reg::rdx, kFrame + int32_t(offsetof(Frame, fp)), Reg::rdi);
  a_.load(Width::W64, Reg::rsi, kEnv, int32_t(offsetof(JitEnv, funcs)));
  a_.load(Width::W64, Reg::rsi, Reg::rsi, int32_t(func * 8));
  a_.store(Width::W64, Reg::rdx, kFrame + int32_t(offsetof(Frame, func)), Reg::rsi);
  a_.load(Width::W64, Reg::rsi, kEnv, int32_t(offsetof(JitEnv, inst)));
  a_.store(Width::W64, Reg::rdx, kFrame + int32_t(offsetof(Frame, inst)), Reg::rsi);
  a_.lea(Reg::rdx, Reg::rdx, kFrame);
  a_.store(Width::W64, Reg::rcx, 0, Reg::rdx);
  a_.mov(Width::W64, kFp, Reg::rdi);
  a_.call(Reg::rax);
  a_.lea(kFp, kFp, -frame);
  a_.test(Width::W64, Reg::rax, Reg::rax);
  a_.jcc(Cond::NE, exit_);
  a_.load(Width::W64, Reg::rcx, kEnv, int32_t(offsetof(JitEnv, cur_frame)));
  a_.load(Width::W64, Reg::rdx, Reg::rcx, 0);
  a_.lea(Reg::rdx, Reg::rdx, -kFrame);
  a_.store(Width::W64, Reg::rcx, 0, Reg::rdx);
  a_.load(Width::W64, kDeadline, kEnv, int32_t(offsetof(JitEnv, deadline)));
  a_.jmp(done);
  a_.bind(slow);
  call(ip, &interp::jit_call);
  a_.bind(done);
}

void Compiler::call(const uint32_t* ip,
                    uint64_t (*fn)(interp::JitEnv*, interp::Slot*, const uint32_t*)) {
  calls_ = true;
  a_.mov(Width::W64, Reg::rdi, kEnv);
  a_.mov(Width::W64, Reg::rsi, kFp);
  a_.mov_imm(Reg::rdx, reinterpret_cast<uintptr_t>(ip));
  a_.mov_imm(Reg::rax, reinterpret_cast<uintptr_t>(fn));
  a_.call(Reg::rax);
  a_.test(Width::W64, Reg::rax, Reg::rax);
  a_.jcc(Cond::NE, exit_);
  // A host function may have moved the deadline.
  a_.load(Width::W64, kDeadline, kEnv, int32_t(offsetof(interp::JitEnv, deadline)));
}

void Compiler::call_helper(const Helper& h, const uint32_t* ip, size_t pc) {
  a_.mov(Width::W64, Reg::rdi, kFp);
  a_.mov_imm(Reg::rsi, reinterpret_cast<uintptr_t>(ip));
  a_.mov(Width::W64, Reg::rdx, kEnv);
  a_.mov_imm(Reg::rax, reinterpret_cast<uintptr_t>(h.fn));
  a_.call(Reg::rax);
  switch (h.kind) {
    case Helper::Kind::Value: break;
    case Helper::Kind::Trapping: {
      Label trapped = a_.new_label();
      stubs_.push_back({trapped, pc, TrapCode(0), true});
      a_.test(Width::W64, Reg::rax, Reg::rax);
      a_.jcc(Cond::NE, trapped);
      break;
    }
    case Helper::Kind::Branch:
      if (int32_t(ip[h.target]) <= 0) epoch_check(pc, ip, h.target);
      a_.test(Width::W32, Reg::rax, Reg::rax);
      a_.jcc(Cond::NE, target(pc, ip, h.target));
      break;
  }
}

// [H, d, a, b] / [H, d, a, imm]. x86 division faults where wasm traps (zero) and also on
// INT_MIN / -1, which wasm's div_s traps on but rem_s defines as 0. The immediate forms are only
// used with divisors that cannot trap.
void Compiler::divide(IOp op, Width w, const uint32_t* ip, bool imm, size_t pc) {
  const bool is_signed = op == IOp::I32DivS || op == IOp::I32RemS || op == IOp::I64DivS ||
                         op == IOp::I64RemS || op == IOp::I32DivS_I || op == IOp::I32RemS_I ||
                         op == IOp::I64DivS_I || op == IOp::I64RemS_I;
  const bool is_rem = op == IOp::I32RemS || op == IOp::I32RemU || op == IOp::I64RemS ||
                      op == IOp::I64RemU || op == IOp::I32RemS_I || op == IOp::I32RemU_I ||
                      op == IOp::I64RemS_I || op == IOp::I64RemU_I;
  a_.load(w, Reg::rax, kFp, slot(ip, 3));
  if (imm)
    load_imm(Reg::rcx, ip + 4, w == Width::W64);
  else
    a_.load(w, Reg::rcx, kFp, slot(ip, 4));
  Label done = a_.new_label(), divide = a_.new_label();
  if (!imm) {
    a_.test(w, Reg::rcx, Reg::rcx);
    trap_if(Cond::E, TrapCode::IntegerDivideByZero, pc);
    if (is_signed) {
      a_.alu_imm(Alu::Cmp, w, Reg::rcx, -1);
      a_.jcc(Cond::NE, divide);
      if (is_rem) {
        a_.alu(Alu::Xor, Width::W32, Reg::rax, Reg::rax);  // x rem_s -1 = 0
        a_.jmp(done);
      } else {
        a_.mov_imm(Reg::rdx, w == Width::W64 ? uint64_t(1) << 63 : uint64_t(1) << 31);
        a_.alu(Alu::Cmp, w, Reg::rax, Reg::rdx);
        trap_if(Cond::E, TrapCode::IntegerOverflow, pc);
      }
    }
  }
  a_.bind(divide);
  if (is_signed)
    a_.sign_extend_ax(w);
  else
    a_.alu(Alu::Xor, Width::W32, Reg::rdx, Reg::rdx);
  a_.div(w, Reg::rcx, is_signed);
  if (is_rem) a_.mov(Width::W64, Reg::rax, Reg::rdx);
  if (is_rem && w == Width::W32) a_.mov(Width::W32, Reg::rax, Reg::rax);  // zero-extend
  a_.bind(done);
  a_.store(Width::W64, kFp, slot(ip, 2), Reg::rax);
}

// The static offset as the displacement of [mem + rax + disp], or added to rax when it does not
// fit a signed 32-bit displacement (wasm offsets are unsigned).
int32_t Compiler::offset(uint32_t off) {
  if (off <= uint32_t(std::numeric_limits<int32_t>::max())) return int32_t(off);
  a_.mov_imm(Reg::rcx, off);
  a_.alu(Alu::Add, Width::W64, Reg::rax, Reg::rcx);
  return 0;
}

// eax = slot a + (slot a+1 << k), k the immediate after them: the fused i32.add of a shifted
// index (I32AddShl, and the RR address forms).
void Compiler::add_shl(const uint32_t* ip, int a) {
  a_.load(Width::W32, Reg::rax, kFp, slot(ip, a));
  a_.load(Width::W32, Reg::rdx, kFp, slot(ip, a + 1));
  a_.mov_imm(Reg::rcx, ip[a + 2] & 31);
  a_.shift_cl(Shift::Shl, Width::W32, Reg::rdx);
  a_.alu(Alu::Add, Width::W32, Reg::rax, Reg::rdx);  // wraps like i32.add
}

int32_t Compiler::address_rr(const uint32_t* ip, int a, uint32_t off) {
  add_shl(ip, a);
  return offset(off);
}

int32_t Compiler::address_ri(const uint32_t* ip, int a, uint32_t off) {
  a_.load(Width::W32, Reg::rax, kFp, slot(ip, a));
  a_.alu_imm(Alu::Add, Width::W32, Reg::rax, int32_t(ip[a + 1]));  // wraps like i32.add
  return offset(off);
}

int32_t Compiler::address(const uint32_t* ip, int addr_operand, uint32_t off) {
  a_.load(Width::W32, Reg::rax, kFp, slot(ip, addr_operand));  // zero-extended
  return offset(off);
}

Expected<AssembledBody> Compiler::run() {
  const uint32_t* base = code_.code.data();
  const size_t n = code_.code.size();
  if (!code_.handlers.empty()) return err("baseline tier: exception handlers are not compiled");
  exit_ = a_.new_label();
  const Label body_label = a_.new_label();
  entry(body_label);
  body_entry(body_label);
  size_t pc = 0;
  bool stopped = false;
  while (pc < n && !stopped) {
    a_.bind(label_at(pc));
    const uint32_t* ip = base + pc;
    if (n - pc < 2) return err("baseline tier: truncated code at pc {}", pc);
    const IOp op = interp::handler_op(interp::load_handler(ip));
    size_t len = 0;
    switch (op) {
#define KUMO_BIN(NAME, W, ...)          \
  case IOp::NAME:                       \
    binop({__VA_ARGS__}, W, ip, false); \
    len = 5;                            \
    break;
#define KUMO_BIN_I(NAME, W, ...)       \
  KUMO_BIN(NAME, W, __VA_ARGS__)       \
  case IOp::NAME##_I:                  \
    binop({__VA_ARGS__}, W, ip, true); \
    len = W == Width::W64 ? 6 : 5;     \
    break;
// Both widths of one operation.
#define KUMO_BIN_I_BOTH(NAME, ...)               \
  KUMO_BIN_I(I32##NAME, Width::W32, __VA_ARGS__) \
  KUMO_BIN_I(I64##NAME, Width::W64, __VA_ARGS__)
      KUMO_BIN_I_BOTH(Add, Alu::Add)
      KUMO_BIN_I_BOTH(And, Alu::And)
      KUMO_BIN_I_BOTH(Or, Alu::Or)
      KUMO_BIN_I_BOTH(Xor, Alu::Xor)
      KUMO_BIN_I_BOTH(Mul, Alu::Add, false, {}, true)
      KUMO_BIN_I_BOTH(Shl, Alu::Add, true, Shift::Shl)
      KUMO_BIN_I_BOTH(ShrS, Alu::Add, true, Shift::Sar)
      KUMO_BIN_I_BOTH(ShrU, Alu::Add, true, Shift::Shr)
      KUMO_BIN_I_BOTH(Rotl, Alu::Add, true, Shift::Rol)
      KUMO_BIN_I_BOTH(Rotr, Alu::Add, true, Shift::Ror)
      KUMO_BIN(I32Sub, Width::W32, Alu::Sub)
      KUMO_BIN(I64Sub, Width::W64, Alu::Sub)
#undef KUMO_BIN_I_BOTH
#undef KUMO_BIN_I
#undef KUMO_BIN

#define KUMO_CMP(NAME, W, C)             \
  case IOp::NAME:                        \
    compare(C, W, ip, false, false, pc); \
    len = 5;                             \
    break;                               \
  case IOp::NAME##_I:                    \
    compare(C, W, ip, true, false, pc);  \
    len = W == Width::W64 ? 6 : 5;       \
    break;                               \
  case IOp::Br##NAME:                    \
    compare(C, W, ip, false, true, pc);  \
    len = 5;                             \
    break;                               \
  case IOp::Br##NAME##_I:                \
    compare(C, W, ip, true, true, pc);   \
    len = W == Width::W64 ? 6 : 5;       \
    break;
#define KUMO_CMPS(T, W)         \
  KUMO_CMP(T##Eq, W, Cond::E)   \
  KUMO_CMP(T##Ne, W, Cond::NE)  \
  KUMO_CMP(T##LtS, W, Cond::L)  \
  KUMO_CMP(T##LtU, W, Cond::B)  \
  KUMO_CMP(T##GtS, W, Cond::G)  \
  KUMO_CMP(T##GtU, W, Cond::A)  \
  KUMO_CMP(T##LeS, W, Cond::LE) \
  KUMO_CMP(T##LeU, W, Cond::BE) \
  KUMO_CMP(T##GeS, W, Cond::GE) \
  KUMO_CMP(T##GeU, W, Cond::AE)
      KUMO_CMPS(I32, Width::W32)
      KUMO_CMPS(I64, Width::W64)
#undef KUMO_CMPS
#undef KUMO_CMP

#define KUMO_BITS(NAME, OP, W)                                    \
  case IOp::NAME: /* [H, d, s] */                                 \
    if (!has_bit_count_instructions()) goto uncompiled;           \
    a_.load(W, Reg::rcx, kFp, slot(ip, 3));                       \
    a_.bit_count(Assembler::BitCount::OP, W, Reg::rax, Reg::rcx); \
    a_.store(Width::W64, kFp, slot(ip, 2), Reg::rax);             \
    len = 4;                                                      \
    break;
      KUMO_BITS(I32Clz, Lzcnt, Width::W32)
      KUMO_BITS(I32Ctz, Tzcnt, Width::W32)
      KUMO_BITS(I32Popcnt, Popcnt, Width::W32)
      KUMO_BITS(I64Clz, Lzcnt, Width::W64)
      KUMO_BITS(I64Ctz, Tzcnt, Width::W64)
      KUMO_BITS(I64Popcnt, Popcnt, Width::W64)
#undef KUMO_BITS

      case IOp::I32Eqz:
      case IOp::I64Eqz: {  // [H, d, s]
        const Width w = op == IOp::I64Eqz ? Width::W64 : Width::W32;
        a_.load(w, Reg::rax, kFp, slot(ip, 3));
        a_.test(w, Reg::rax, Reg::rax);
        a_.setcc(Cond::E, Reg::rax);
        a_.store(Width::W64, kFp, slot(ip, 2), Reg::rax);
        len = 4;
        break;
      }

      case IOp::Br:  // [H, off]
        epoch_check(pc, ip, 2);
        a_.jmp(target(pc, ip, 2));
        len = 3;
        break;
      case IOp::BrIfNez:
      case IOp::BrIfEqz:
      case IOp::BrIfNez64:
      case IOp::BrIfEqz64: {  // [H, c, off]
        const Width w = op == IOp::BrIfNez64 || op == IOp::BrIfEqz64 ? Width::W64 : Width::W32;
        epoch_check(pc, ip, 3);
        a_.load(w, Reg::rax, kFp, slot(ip, 2));
        a_.test(w, Reg::rax, Reg::rax);
        a_.jcc(op == IOp::BrIfNez || op == IOp::BrIfNez64 ? Cond::NE : Cond::E, target(pc, ip, 3));
        len = 4;
        break;
      }
      case IOp::Return:  // [H]
        return_normally();
        len = 2;
        break;
      case IOp::Return1:  // [H, src]
        a_.load(Width::W64, Reg::rax, kFp, slot(ip, 2));
        a_.store(Width::W64, kFp, 0, Reg::rax);
        return_normally();
        len = 3;
        break;
      case IOp::Unreachable:  // [H]
        trap(TrapCode::Unreachable, pc);
        len = 2;
        break;
      case IOp::BrTable: {  // [H, idx, n, off_0 .. off_n]: off_n is the default
        const uint32_t count = ip[3];
        if (count > 1024) return err("baseline tier: br_table of {} targets at pc {}", count, pc);
        for (uint32_t i = 0; i <= count; ++i) epoch_check(pc, ip, int(4 + i));
        a_.load(Width::W32, Reg::rax, kFp, slot(ip, 2));
        for (uint32_t i = 0; i < count; ++i) {
          a_.alu_imm(Alu::Cmp, Width::W32, Reg::rax, int32_t(i));
          a_.jcc(Cond::E, target(pc, ip, int(4 + i)));
        }
        a_.jmp(target(pc, ip, int(4 + count)));
        len = 5 + count;
        break;
      }

#define KUMO_DIV(NAME, W)          \
  case IOp::NAME:                  \
    divide(op, W, ip, false, pc);  \
    len = 5;                       \
    break;                         \
  case IOp::NAME##_I:              \
    divide(op, W, ip, true, pc);   \
    len = W == Width::W64 ? 6 : 5; \
    break;
        KUMO_DIV(I32DivS, Width::W32)
        KUMO_DIV(I32DivU, Width::W32)
        KUMO_DIV(I32RemS, Width::W32)
        KUMO_DIV(I32RemU, Width::W32)
        KUMO_DIV(I64DivS, Width::W64)
        KUMO_DIV(I64DivU, Width::W64)
        KUMO_DIV(I64RemS, Width::W64)
        KUMO_DIV(I64RemU, Width::W64)
#undef KUMO_DIV

#define KUMO_EXT(NAME, KIND)                          \
  case IOp::NAME: /* [H, d, s] */                     \
    a_.load(KIND, Reg::rax, kFp, slot(ip, 3));        \
    a_.store(Width::W64, kFp, slot(ip, 2), Reg::rax); \
    len = 4;                                          \
    break;
        KUMO_EXT(I32WrapI64, MemLoad::U32)
        KUMO_EXT(I64ExtendI32S, MemLoad::S32To64)
        KUMO_EXT(I64ExtendI32U, MemLoad::U32)
        KUMO_EXT(I32Extend8S, MemLoad::S8To32)
        KUMO_EXT(I32Extend16S, MemLoad::S16To32)
        KUMO_EXT(I64Extend8S, MemLoad::S8To64)
        KUMO_EXT(I64Extend16S, MemLoad::S16To64)
        KUMO_EXT(I64Extend32S, MemLoad::S32To64)
#undef KUMO_EXT

      case IOp::I32RSub_I:
      case IOp::I64RSub_I: {  // [H, d, a, imm]: d = imm - a
        const Width w = op == IOp::I64RSub_I ? Width::W64 : Width::W32;
        load_imm(Reg::rax, ip + 4, w == Width::W64);
        a_.load(w, Reg::rcx, kFp, slot(ip, 3));
        a_.alu(Alu::Sub, w, Reg::rax, Reg::rcx);
        a_.store(Width::W64, kFp, slot(ip, 2), Reg::rax);
        len = w == Width::W64 ? 6 : 5;
        break;
      }
      case IOp::I32Add3:
      case IOp::I64Add3:
      case IOp::I32Xor3:
      case IOp::I64Xor3:
      case IOp::I32MulAdd:
      case IOp::I64MulAdd: {  // [H, d, a, b, c]
        const bool w64 = op == IOp::I64Add3 || op == IOp::I64Xor3 || op == IOp::I64MulAdd;
        const Width w = w64 ? Width::W64 : Width::W32;
        a_.load(w, Reg::rax, kFp, slot(ip, 3));
        a_.load(w, Reg::rcx, kFp, slot(ip, 4));
        if (op == IOp::I32Xor3 || op == IOp::I64Xor3)
          a_.alu(Alu::Xor, w, Reg::rax, Reg::rcx);
        else if (op == IOp::I32MulAdd || op == IOp::I64MulAdd)
          a_.imul(w, Reg::rax, Reg::rcx);
        else
          a_.alu(Alu::Add, w, Reg::rax, Reg::rcx);
        a_.load(w, Reg::rcx, kFp, slot(ip, 5));
        a_.alu(op == IOp::I32Xor3 || op == IOp::I64Xor3 ? Alu::Xor : Alu::Add, w, Reg::rax,
               Reg::rcx);
        a_.store(Width::W64, kFp, slot(ip, 2), Reg::rax);
        len = 6;
        break;
      }
      case IOp::I32AddShl: {  // [H, d, a, b, k]: d = a + (b << k)
        add_shl(ip, 3);
        a_.store(Width::W64, kFp, slot(ip, 2), Reg::rax);
        len = 6;
        break;
      }
      case IOp::I32XorRotl:
      case IOp::I64XorRotl: {  // [H, d, a, b, k]: d = rotl(a ^ b, k)
        const Width w = op == IOp::I64XorRotl ? Width::W64 : Width::W32;
        a_.load(w, Reg::rax, kFp, slot(ip, 3));
        a_.load(w, Reg::rcx, kFp, slot(ip, 4));
        a_.alu(Alu::Xor, w, Reg::rax, Reg::rcx);
        a_.mov_imm(Reg::rcx, ip[5]);
        a_.shift_cl(Shift::Rol, w, Reg::rax);
        a_.store(Width::W64, kFp, slot(ip, 2), Reg::rax);
        len = 6;
        break;
      }
      case IOp::GlobalGet:  // [H, d, global]
        a_.load(Width::W64, Reg::rax, kGlobals, int32_t(ip[3] * 8));
        a_.load(Width::W64, Reg::rax, Reg::rax, int32_t(offsetof(GlobalInst, value)));
        a_.store(Width::W64, kFp, slot(ip, 2), Reg::rax);
        len = 4;
        break;
      case IOp::GlobalSet:  // [H, global, s]
        a_.load(Width::W64, Reg::rax, kGlobals, int32_t(ip[2] * 8));
        a_.load(Width::W64, Reg::rcx, kFp, slot(ip, 3));
        a_.store(Width::W64, Reg::rax, int32_t(offsetof(GlobalInst, value)), Reg::rcx);
        len = 4;
        break;

      case IOp::Copy:  // [H, d, s]
        a_.load(Width::W64, Reg::rax, kFp, slot(ip, 3));
        a_.store(Width::W64, kFp, slot(ip, 2), Reg::rax);
        len = 4;
        break;
      case IOp::Const32:  // [H, d, imm]
        a_.mov_imm(Reg::rax, ip[3]);
        a_.store(Width::W64, kFp, slot(ip, 2), Reg::rax);
        len = 4;
        break;
      case IOp::Const64:  // [H, d, lo, hi]
        load_imm(Reg::rax, ip + 3, true);
        a_.store(Width::W64, kFp, slot(ip, 2), Reg::rax);
        len = 5;
        break;
      case IOp::Select: {  // [H, d, a, b, c]: d <- c ? a : b
        Label keep = a_.new_label();
        a_.load(Width::W32, Reg::rcx, kFp, slot(ip, 5));
        a_.load(Width::W64, Reg::rax, kFp, slot(ip, 3));
        a_.test(Width::W32, Reg::rcx, Reg::rcx);
        a_.jcc(Cond::NE, keep);
        a_.load(Width::W64, Reg::rax, kFp, slot(ip, 4));
        a_.bind(keep);
        a_.store(Width::W64, kFp, slot(ip, 2), Reg::rax);
        len = 6;
        break;
      }
      case IOp::ZeroLocals: {  // [H, first, count]
        if (ip[3] > 256) return err("baseline tier: ZeroLocals of {} slots at pc {}", ip[3], pc);
        a_.alu(Alu::Xor, Width::W32, Reg::rax, Reg::rax);
        for (uint32_t i = 0; i < ip[3]; ++i)
          a_.store(Width::W64, kFp, int32_t((ip[2] + i) * 8), Reg::rax);
        len = 4;
        break;
      }

#define KUMO_LOAD(NAME, KIND)                         \
  case IOp::NAME: { /* [H, d, addr, off] */           \
    const int32_t disp = address(ip, 3, ip[4]);       \
    a_.load(KIND, Reg::rcx, kMem, Reg::rax, disp);    \
    a_.store(Width::W64, kFp, slot(ip, 2), Reg::rcx); \
    len = 5;                                          \
    break;                                            \
  }                                                   \
  case IOp::NAME##_RR: { /* [H, d, a, b, k, off] */   \
    const int32_t disp = address_rr(ip, 3, ip[6]);    \
    a_.load(KIND, Reg::rcx, kMem, Reg::rax, disp);    \
    a_.store(Width::W64, kFp, slot(ip, 2), Reg::rcx); \
    len = 7;                                          \
    break;                                            \
  }                                                   \
  case IOp::NAME##_RI: { /* [H, d, a, imm, off] */    \
    const int32_t disp = address_ri(ip, 3, ip[5]);    \
    a_.load(KIND, Reg::rcx, kMem, Reg::rax, disp);    \
    a_.store(Width::W64, kFp, slot(ip, 2), Reg::rcx); \
    len = 6;                                          \
    break;                                            \
  }
        KUMO_LOAD(I32Load, MemLoad::U32)
        KUMO_LOAD(I64Load, MemLoad::U64)
        KUMO_LOAD(F32Load, MemLoad::U32)
        KUMO_LOAD(F64Load, MemLoad::U64)
        KUMO_LOAD(I32Load8S, MemLoad::S8To32)
        KUMO_LOAD(I32Load8U, MemLoad::U8)
        KUMO_LOAD(I32Load16S, MemLoad::S16To32)
        KUMO_LOAD(I32Load16U, MemLoad::U16)
        KUMO_LOAD(I64Load8S, MemLoad::S8To64)
        KUMO_LOAD(I64Load8U, MemLoad::U8)
        KUMO_LOAD(I64Load16S, MemLoad::S16To64)
        KUMO_LOAD(I64Load16U, MemLoad::U16)
        KUMO_LOAD(I64Load32S, MemLoad::S32To64)
        KUMO_LOAD(I64Load32U, MemLoad::U32)
#undef KUMO_LOAD
#define KUMO_STORE(NAME, KIND)                          \
  case IOp::NAME: { /* [H, addr, value, off] */         \
    const int32_t disp = address(ip, 2, ip[4]);         \
    a_.load(Width::W64, Reg::rcx, kFp, slot(ip, 3));    \
    a_.store(KIND, kMem, Reg::rax, disp, Reg::rcx);     \
    len = 5;                                            \
    break;                                              \
  }                                                     \
  case IOp::NAME##_RR: { /* [H, a, b, k, off, value] */ \
    const int32_t disp = address_rr(ip, 2, ip[5]);      \
    a_.load(Width::W64, Reg::rcx, kFp, slot(ip, 6));    \
    a_.store(KIND, kMem, Reg::rax, disp, Reg::rcx);     \
    len = 7;                                            \
    break;                                              \
  }                                                     \
  case IOp::NAME##_RI: { /* [H, a, imm, off, value] */  \
    const int32_t disp = address_ri(ip, 2, ip[4]);      \
    a_.load(Width::W64, Reg::rcx, kFp, slot(ip, 5));    \
    a_.store(KIND, kMem, Reg::rax, disp, Reg::rcx);     \
    len = 6;                                            \
    break;                                              \
  }
        KUMO_STORE(I32Store, MemStore::B32)
        KUMO_STORE(I64Store, MemStore::B64)
        KUMO_STORE(F32Store, MemStore::B32)
        KUMO_STORE(F64Store, MemStore::B64)
        KUMO_STORE(I32Store8, MemStore::B8)
        KUMO_STORE(I32Store16, MemStore::B16)
        KUMO_STORE(I64Store8, MemStore::B8)
        KUMO_STORE(I64Store16, MemStore::B16)
        KUMO_STORE(I64Store32, MemStore::B32)
#undef KUMO_STORE

      // Calls: frames, host functions and type checks are interp::jit_call's.
      case IOp::Call:  // [H, func, frame]
        call_direct(ip);
        len = 4;
        break;
      case IOp::CallRef:  // [H, ref, frame]
        call(ip, &interp::jit_call_ref);
        len = 4;
        break;
      case IOp::CallIndirect:  // [H, type_id, table, idx, frame, is64]
        call(ip, &interp::jit_call_indirect);
        len = 7;
        break;

      default:
        if (const Helper* h = helper_for(op)) {
          call_helper(*h, ip, pc);
          len = h->len;
          break;
        }
      uncompiled:
        // Without this instruction's length the code after it cannot be found: the interpreter
        // runs the rest of the activation (tail calls included, which replace the frame).
        exit_to_interpreter(pc);
        stopped = true;
        ++uncompiled_;
        break;
    }
    pc += len;
  }
  if (!stopped) return_normally();  // the code ends with a return; never fall off the end
  // Branch targets past where compilation stopped continue in the interpreter.
  for (size_t target = 0; target < labels_.size(); ++target) {
    if (labels_[target] == UINT32_MAX || a_.bound(Label{labels_[target]})) continue;
    a_.bind(Label{labels_[target]});
    exit_to_interpreter(target);
  }
  for (const TrapStub& t : stubs_) {
    a_.bind(t.label);
    if (t.code_in_rax) {
      a_.mov(Width::W32, Reg::rdx, Reg::rax);
      a_.alu_imm(Alu::And, Width::W32, Reg::rdx, 0xFF);
    } else {
      a_.mov_imm(Reg::rdx, uint64_t(t.code));
    }
    a_.mov(Width::W64, Reg::rdi, kEnv);
    a_.mov_imm(Reg::rsi, reinterpret_cast<uintptr_t>(code_.code.data() + t.pc));
    a_.mov_imm(Reg::rax, reinterpret_cast<uintptr_t>(&interp::jit_trap));
    a_.call(Reg::rax);
    a_.jmp(exit_);
  }
  a_.bind(exit_);
  a_.alu_imm(Alu::Add, Width::W64, Reg::rsp, 8);
  a_.ret();
  if (bad_target_) return err("baseline tier: a branch leaves the function's code");
  AssembledBody out;
  out.body_offset = a_.offset_of(body_label);
  KUMO_TRY(out.bytes, a_.finish());
  out.complete = uncompiled_ == 0;
  out.calls = calls_;
  return out;
}

}  // namespace

Expected<AssembledBody> assemble_body(const interp::Code& code, const Link& link) {
  return Compiler(code, link).run();
}

Expected<CompiledBody> compile_body(const interp::Code& code, const Link& link) {
  KUMO_TRY(AssembledBody a, assemble_body(code, link));
  KUMO_TRY(auto exec, ExecutableCode::create(a.bytes));
  CompiledBody body{std::move(exec), nullptr};
  body.fn = body.code.as<CompiledBody::Fn>();
  body.body = static_cast<const uint8_t*>(body.code.entry()) + a.body_offset;
  body.complete = a.complete;
  body.calls = a.calls;
  return body;
}

}  // namespace kumo::wasm::jit
