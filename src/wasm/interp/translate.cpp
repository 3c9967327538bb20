// Translation of a validated function body into the interpreter's register code (code.hpp).
//
// The translator walks the decoded instructions once, keeping a *virtual* operand stack. An entry
// is either materialized in its home slot (L + height), or deferred: a reference to a local's
// slot (local.get) or a constant. Instructions read deferred entries straight from the local /
// use an immediate form, so local.get and most constants cost nothing. Deferred local references
// are materialized when the local is about to be overwritten and at block boundaries (where
// control-flow paths merge); constants never change, so they stay deferred across blocks.
//
// Fusions: compare/eqz + br_if/if into one compare-and-branch; i32/i64 arithmetic and compares with
// a constant operand into immediate forms; a producer followed by local.set/tee writes straight
// into the local; memory offsets are immediates; reinterpretations vanish.
//
// Code after an unconditional branch is skipped (it is unreachable and was validated), so
// polymorphic stacks never need to be typed here.
#include <algorithm>
#include <cassert>
#include <cstdlib>

#include "wasm/interp/code.hpp"
#include "wasm/interp/interp.hpp"

namespace kumo::wasm::interp {

namespace {

constexpr uint32_t kNone = UINT32_MAX;

// ---- what the generated instruction list tells the translator ----

enum class Shape : uint8_t {
  None,
  Un,
  Bin,
  BinImm,
  Cmp,
  TrapUn,
  TrapBin,
  Load,
  Store,
  VLoad,
  VStore,
  VLoadLane,
  VStoreLane,
  VUn,
  VBin,
  VTern,
  VTest,
  VShift,
  VSplat,
  VExtract,
  VReplace,
};

struct SimpleOp {
  IOp op = IOp::Count_;
  Shape shape = Shape::None;
  IOp imm = IOp::Count_;  // immediate-operand form (BinImm, Cmp, TrapBin)
  bool commutative = false;
  IOp rr = IOp::Count_;  // scalar loads/stores: the form with a fused i32.add address
  IOp ri = IOp::Count_;  // ... and with a fused add-immediate address
};

struct CmpInfo {
  Op negated = Op::Nop;  // !(a op b)  ==  a negated b   (integers only)
  Op swapped = Op::Nop;  // b op a     ==  a swapped b
  IOp set = IOp::Count_, set_imm = IOp::Count_, br = IOp::Count_, br_imm = IOp::Count_;
  IOp br_not = IOp::Count_;  // floats: branch if !(a op b)
  bool is_float = false;
  bool wide = false;  // i64: immediates take two units
};

struct OpTables {
  SimpleOp simple[size_t(Op::Count_)];
  CmpInfo cmp[size_t(Op::Count_)];
  bool is_cmp[size_t(Op::Count_)] = {};

  OpTables() {
#define S(n, shape_) simple[size_t(Op::n)] = SimpleOp{IOp::n, Shape::shape_, IOp::Count_, false};
#define UNOP(n, f, a, b) S(n, Un)
#define BINOP(n, f, a, b) S(n, Bin)
#define BINOP_IMM(n, f, a) \
  simple[size_t(Op::n)] = SimpleOp{IOp::n, Shape::BinImm, IOp::n##_I, false};
#define CMPOP(n, f, a)                                                     \
  simple[size_t(Op::n)] = SimpleOp{IOp::n, Shape::Cmp, IOp::n##_I, false}; \
  cmp[size_t(Op::n)].set = IOp::n;                                         \
  cmp[size_t(Op::n)].set_imm = IOp::n##_I;                                 \
  cmp[size_t(Op::n)].br = IOp::Br##n;                                      \
  cmp[size_t(Op::n)].br_imm = IOp::Br##n##_I;                              \
  cmp[size_t(Op::n)].wide = Op::n >= Op::I64Eqz;                           \
  is_cmp[size_t(Op::n)] = true;
#define FCMPOP(n, f, a)                      \
  S(n, Bin)                                  \
  cmp[size_t(Op::n)].set = IOp::n;           \
  cmp[size_t(Op::n)].br = IOp::Br##n;        \
  cmp[size_t(Op::n)].br_not = IOp::BrNot##n; \
  cmp[size_t(Op::n)].is_float = true;        \
  is_cmp[size_t(Op::n)] = true;
#define TRAPUN(n, f, a, b) S(n, TrapUn)
#define TRAPBIN_IMM(n, f, a, b) \
  simple[size_t(Op::n)] = SimpleOp{IOp::n, Shape::TrapBin, IOp::n##_I, false};
#define LOAD(n, mt, field, rt)                       \
  S(n, Load) simple[size_t(Op::n)].rr = IOp::n##_RR; \
  simple[size_t(Op::n)].ri = IOp::n##_RI;
#define STORE(n, mt, field)                           \
  S(n, Store) simple[size_t(Op::n)].rr = IOp::n##_RR; \
  simple[size_t(Op::n)].ri = IOp::n##_RI;
#define VLOAD(n, f, size) S(n, VLoad)
#define VSTORE(n, f, size) S(n, VStore)
#define VLOADLANE(n, f, size) S(n, VLoadLane)
#define VSTORELANE(n, f, size) S(n, VStoreLane)
#define VUN(n, f) S(n, VUn)
#define VBIN(n, f) S(n, VBin)
#define VTERN(n, f) S(n, VTern)
#define VTEST(n, f) S(n, VTest)
#define VSHIFT(n, f) S(n, VShift)
#define VSPLAT(n, f, a) S(n, VSplat)
#define VEXTRACT(n, f, a) S(n, VExtract)
#define VREPLACE(n, f, a) S(n, VReplace)
#include "wasm/interp/ops_gen.def"
#include "wasm/interp/ops_undef.inc"
#undef S
    for (Op o : {Op::I32Add, Op::I32Mul, Op::I32And, Op::I32Or, Op::I32Xor, Op::I64Add, Op::I64Mul,
                 Op::I64And, Op::I64Or, Op::I64Xor}) {
      simple[size_t(o)].commutative = true;
    }
    auto rel = [&](Op a, Op b, Op sa, Op sb) {
      cmp[size_t(a)].negated = b;
      cmp[size_t(b)].negated = a;
      cmp[size_t(a)].swapped = sa;
      cmp[size_t(b)].swapped = sb;
    };
    rel(Op::I32Eq, Op::I32Ne, Op::I32Eq, Op::I32Ne);
    rel(Op::I32LtS, Op::I32GeS, Op::I32GtS, Op::I32LeS);
    rel(Op::I32LtU, Op::I32GeU, Op::I32GtU, Op::I32LeU);
    rel(Op::I32GtS, Op::I32LeS, Op::I32LtS, Op::I32GeS);
    rel(Op::I32GtU, Op::I32LeU, Op::I32LtU, Op::I32GeU);
    rel(Op::I64Eq, Op::I64Ne, Op::I64Eq, Op::I64Ne);
    rel(Op::I64LtS, Op::I64GeS, Op::I64GtS, Op::I64LeS);
    rel(Op::I64LtU, Op::I64GeU, Op::I64GtU, Op::I64LeU);
    rel(Op::I64GtS, Op::I64LeS, Op::I64LtS, Op::I64GeS);
    rel(Op::I64GtU, Op::I64LeU, Op::I64LtU, Op::I64GeU);
  }
};

const OpTables& tables() {
  static const OpTables t;
  return t;
}
const SimpleOp* simple_op(Op op) {
  const SimpleOp& s = tables().simple[size_t(op)];
  return s.shape == Shape::None ? nullptr : &s;
}
const CmpInfo* cmp_info(Op op) {
  return tables().is_cmp[size_t(op)] ? &tables().cmp[size_t(op)] : nullptr;
}

struct Entry {
  enum Kind : uint8_t { Stack, Local, Const };
  Kind kind = Stack;
  ValType::Kind type = ValType::I32;
  uint32_t home = 0;   // slot of the value when materialized
  uint32_t local = 0;  // Local: the local's slot
  uint64_t value = 0;  // Const: the bits (i32/f32 zero-extended; null references are 0)
  uint32_t nslots() const { return type == ValType::V128 ? 2 : 1; }
};

// A branch offset to patch: the operand at `operand` gets `target - instr`.
struct Fixup {
  uint32_t instr;
  uint32_t operand;
};

struct Ctl {
  // LegacyTry: the body of a legacy `try`; LegacyCatch: one of its catch clauses.
  enum Kind : uint8_t { Func, Block, Loop, If, Else, TryTable, LegacyTry, LegacyCatch };
  Kind kind = Block;
  uint32_t height = 0;     // stack entries below the block's parameters
  uint32_t base_slot = 0;  // home slot of the first parameter / result
  std::vector<ValType> params, results;
  uint32_t loop_pc = 0;  // Loop: the branch target
  std::vector<Fixup> fixups;
  Fixup else_fixup{kNone, kNone};
  bool unreachable = false;
  uint32_t try_handler = 0;  // TryTable, LegacyTry/Catch: index in Code::handlers
  uint32_t exn_slot = 0;     // LegacyTry/Catch: where a catch keeps the exception (rethrow)

  // Types carried by a branch to this label.
  const std::vector<ValType>& label_types() const { return kind == Loop ? params : results; }
};

uint32_t slots_of(const std::vector<ValType>& ts) {
  uint32_t n = 0;
  for (ValType t : ts) n += slot_count(t);
  return n;
}

// Last emitted instruction that produced the top stack entry, for fusions.
struct Producer {
  bool valid = false;
  uint32_t entry = 0;     // index of the produced stack entry
  uint32_t start = 0;     // pc of the instruction
  uint32_t dst_pos = 0;   // position of its destination operand
  Op op = Op::Nop;        // the wasm op (compares and eqz: for branch fusion)
  bool imm = false;       // compare with an immediate second operand
  uint32_t a = 0, b = 0;  // operand slots (b: immediate when imm)
  uint32_t k = 0;         // I32Add from an add-shift: a + (b << k)
  uint64_t imm64 = 0;     // the immediate of an i64 immediate form
};

class Translator {
 public:
  Translator(const Module& m, uint32_t defined_index, std::span<const uint32_t> type_ids)
      : m_(m), fn_(m.functions[defined_index]), type_ids_(type_ids) {}

  Expected<std::unique_ptr<Code, CodeDeleter>> run(uint32_t func_index);

 private:
  // ---- emission ----
  uint32_t pc() const { return uint32_t(out_.size()); }
  uint32_t begin(IOp op) {
    producer_.valid = false;
    uint32_t at = pc();
    if (code_->offsets.empty() || code_->offsets.back().offset != cur_offset_) {
      if (!code_->offsets.empty() && code_->offsets.back().pc == at) {
        code_->offsets.back().offset = cur_offset_;
      } else {
        code_->offsets.push_back({at, cur_offset_});
      }
    }
    if (dump_) starts_.push_back({at, op});
    const void* h = handler_address(op);
    uint32_t w[2];
    std::memcpy(w, &h, sizeof h);
    out_.push_back(w[0]);
    out_.push_back(w[1]);
    return at;
  }
  void put(uint32_t v) { out_.push_back(v); }
  void put64(uint64_t v) {
    put(uint32_t(v));
    put(uint32_t(v >> 32));
  }
  // Branch offset operand targeting label `c` (backward for loops, patched later otherwise).
  void put_target(uint32_t instr, Ctl& c) {
    if (c.kind == Ctl::Loop) {
      put(uint32_t(int32_t(c.loop_pc) - int32_t(instr)));
    } else {
      c.fixups.push_back({instr, pc()});
      put(0);
    }
  }
  void patch(const Fixup& f, uint32_t target) {
    out_[f.operand] = uint32_t(int32_t(target) - int32_t(f.instr));
  }
  // Removes the last instruction (a compare being fused into a branch).
  void rewind(uint32_t to) {
    out_.resize(to);
    while (!code_->offsets.empty() && code_->offsets.back().pc > to) code_->offsets.pop_back();
    while (!code_->guarded_sites.empty() && code_->guarded_sites.back() >= to) {
      code_->guarded_sites.pop_back();
    }
    producer_.valid = false;
  }
  void set_producer(uint32_t start, Op op = Op::Nop) {
    producer_ = Producer{};
    producer_.valid = true;
    producer_.entry = uint32_t(stack_.size() - 1);
    producer_.start = start;
    producer_.dst_pos = start + 2;
    producer_.op = op;
  }

  // ---- virtual stack ----
  uint32_t next_home() const {
    return stack_.empty() ? stack_base_ : stack_.back().home + stack_.back().nslots();
  }
  void note_height(uint32_t end_slot) { max_slots_ = std::max(max_slots_, end_slot); }
  Entry& push_stack(ValType::Kind t) {
    Entry e;
    e.kind = Entry::Stack;
    e.type = t;
    e.home = next_home();
    stack_.push_back(e);
    note_height(e.home + e.nslots());
    return stack_.back();
  }
  void push_local(uint32_t index) {
    // A read before any assignment in the straight-line prefix sees the initial zero.
    if (prefix_ && !assigned_[index]) need_zero_[index] = true;
    Entry e;
    e.kind = Entry::Local;
    e.type = local_types_[index];
    e.home = next_home();
    e.local = local_slots_[index];
    stack_.push_back(e);
    ++local_refs_[e.local];
    ++num_local_entries_;
    note_height(e.home + e.nslots());
  }
  void push_const(ValType::Kind t, uint64_t v) {
    Entry e;
    e.kind = Entry::Const;
    e.type = t;
    e.home = next_home();
    e.value = v;
    stack_.push_back(e);
    note_height(e.home + e.nslots());
  }
  Entry pop() {
    Entry e = stack_.back();
    stack_.pop_back();
    if (e.kind == Entry::Local) {
      --local_refs_[e.local];
      --num_local_entries_;
    }
    return e;
  }
  void pop_to(uint32_t height) {
    while (stack_.size() > height) pop();
  }

  // Emits the instruction that puts a deferred entry's value into slot `dst`.
  void emit_move(const Entry& e, uint32_t dst) {
    if (e.kind == Entry::Const) {
      if (e.value >> 32) {
        uint32_t at = begin(IOp::Const64);
        (void)at;
        put(dst);
        put64(e.value);
      } else {
        begin(IOp::Const32);
        put(dst);
        put(uint32_t(e.value));
      }
      return;
    }
    uint32_t src = e.kind == Entry::Local ? e.local : e.home;
    if (src == dst) return;
    begin(e.type == ValType::V128 ? IOp::Copy2 : IOp::Copy);
    put(dst);
    put(src);
  }
  void materialize(Entry& e) {
    if (e.kind == Entry::Stack) return;
    emit_move(e, e.home);
    if (e.kind == Entry::Local) {
      --local_refs_[e.local];
      --num_local_entries_;
    }
    e.kind = Entry::Stack;
  }
  void materialize_const(Entry& e) {
    if (e.kind == Entry::Const) materialize(e);
  }
  void materialize_locals() {
    if (num_local_entries_ == 0) return;
    for (Entry& e : stack_) {
      if (e.kind == Entry::Local) materialize(e);
    }
  }
  void materialize_refs_to(uint32_t local_slot) {
    if (local_refs_[local_slot] == 0) return;
    for (Entry& e : stack_) {
      if (e.kind == Entry::Local && e.local == local_slot) materialize(e);
    }
  }
  // Slot L is zeroed on entry (when used), so constant zero operands and constant addresses
  // (folded into the offset) need no instruction.
  uint32_t zero_slot() {
    zero_used_ = true;
    return L_;
  }
  // Slot holding a popped entry's value, to be read (constants are materialized into their home
  // slot, which is free once the entry is popped).
  uint32_t slot_of(const Entry& e) {
    switch (e.kind) {
      case Entry::Local: return e.local;
      case Entry::Stack: return e.home;
      case Entry::Const:
        if (e.value == 0) return zero_slot();
        emit_move(e, e.home);
        return e.home;
    }
    return e.home;
  }

  // ---- control ----
  Ctl& label(uint32_t depth) { return ctls_[ctls_.size() - 1 - depth]; }
  void block_sig(const BlockType& bt, std::vector<ValType>& params, std::vector<ValType>& results) {
    params.clear();
    results.clear();
    if (bt.kind == BlockType::Value) {
      results.push_back(bt.type);
    } else if (bt.kind == BlockType::TypeIndex) {
      params = m_.types[bt.type_index].params;
      results = m_.types[bt.type_index].results;
    }
  }
  void set_unreachable() {
    ctls_.back().unreachable = true;
    producer_.valid = false;
  }
  bool values_in_place(uint32_t n, uint32_t base_slot) const;
  void emit_moves_to(uint32_t n, uint32_t base_slot);
  void emit_return();
  void emit_branch(uint32_t depth);
  void begin_block(Ctl::Kind kind, const BlockType& bt);
  void end_block();
  void do_else();
  void do_br_if(uint32_t depth);
  void do_br_table(const Instr& in);
  // Pops an i32 condition and emits a branch taken when (cond != 0) == when_true. Returns the
  // instruction start; the offset operand is the last unit.
  uint32_t emit_cond_branch(bool when_true);
  void emit_call_like(IOp op, const FuncType& type, std::initializer_list<uint32_t> pre,
                      std::initializer_list<uint32_t> post, bool tail);

  // ---- instructions ----
  Expected<void> instr(const Instr& in);
  void simple(const Instr& in, const SimpleOp& s);
  void mem_access(const Instr& in, const SimpleOp& s);
  void local_set(uint32_t index, bool tee);
  ValType::Kind result_kind(Op op) const;
  bool mem_is64(uint32_t mem) {
    if (mem >= mem64_.size()) mem64_.resize(mem + 1, -1);
    if (mem64_[mem] < 0) mem64_[mem] = m_.memory_type(mem).limits.is64 ? 1 : 0;
    return mem64_[mem] == 1;
  }
  bool table_is64(uint32_t t) { return m_.table_type(t).limits.is64; }
  Expected<void> try_table(const Instr& in);
  void gc_op(const Instr& in);
  void legacy_try(const Instr& in);
  void legacy_catch(const Instr& in);
  void legacy_delegate(const Instr& in);
  // Index of the innermost handler active at ctls_[from] or below (-1: none).
  int32_t active_handler(size_t from) const {
    for (size_t i = from + 1; i-- > 0;) {
      if (ctls_[i].kind == Ctl::TryTable || ctls_[i].kind == Ctl::LegacyTry) {
        return int32_t(ctls_[i].try_handler);
      }
    }
    return -1;
  }
  uint32_t new_handler(int32_t parent) {
    handlers_.push_back({0, 0, 0, 0, parent});
    handler_catches_.emplace_back();
    return uint32_t(handlers_.size() - 1);
  }
  void zero_prologue();

  const Module& m_;
  const Function& fn_;
  std::span<const uint32_t> type_ids_;
  Code* code_ = nullptr;
  std::vector<uint32_t> out_;
  std::vector<Entry> stack_;
  std::vector<Ctl> ctls_;
  std::vector<uint32_t> local_slots_;
  std::vector<ValType::Kind> local_types_;
  std::vector<uint32_t> local_refs_;
  uint32_t num_local_entries_ = 0;
  uint32_t L_ = 0;  // locals are slots [0, L); slot L always holds zero (see zero_slot())
  bool zero_used_ = false;
  // Slots L+1 .. hold the exceptions caught by legacy catch clauses (one per `try`, below the
  // operand stack so that calls cannot overwrite them); the operand stack starts above.
  uint32_t stack_base_ = 0;
  uint32_t legacy_tries_ = 0;
  // Declared locals need zeroing on entry unless the straight-line prefix of the body (which
  // dominates everything after it) assigns them before reading them.
  bool prefix_ = true;
  std::vector<bool> assigned_, need_zero_;
  uint32_t max_slots_ = 0;
  uint32_t cur_offset_ = 0;
  Producer producer_;
  std::vector<int8_t> mem64_;
  const Body* body_ = nullptr;
  std::vector<HandlerEntry> handlers_;
  std::vector<std::vector<CatchEntry>> handler_catches_;  // per handler (flattened at the end)
  // Debugging: KUMO_INTERP_DUMP=1 prints every translated function to stderr.
  bool dump_ = std::getenv("KUMO_INTERP_DUMP") != nullptr;
  std::vector<std::pair<uint32_t, IOp>> starts_;
  void dump() const;
};

bool Translator::values_in_place(uint32_t n, uint32_t base_slot) const {
  uint32_t slot = base_slot;
  for (size_t i = stack_.size() - n; i < stack_.size(); ++i) {
    const Entry& e = stack_[i];
    if (e.kind != Entry::Stack || e.home != slot) return false;
    slot += e.nslots();
  }
  return true;
}

// Copies the top n entries to consecutive slots from base_slot, without changing the virtual
// stack (so that it can be used on a conditional path). Safe in ascending order: sources are
// locals (below L <= base_slot) or home slots at or above their destination.
void Translator::emit_moves_to(uint32_t n, uint32_t base_slot) {
  uint32_t slot = base_slot;
  for (size_t i = stack_.size() - n; i < stack_.size(); ++i) {
    emit_move(stack_[i], slot);
    slot += stack_[i].nslots();
  }
}

// Moves the function's results to slots [0, n) and returns. Does not change the virtual stack.
void Translator::emit_return() {
  const auto& results = ctls_[0].results;
  uint32_t n = uint32_t(results.size());
  if (n == 0) {
    begin(IOp::Return);
    return;
  }
  if (n == 1) {
    const Entry& e = stack_.back();
    if (e.kind == Entry::Const) {
      emit_move(e, 0);
      begin(IOp::Return);
      return;
    }
    uint32_t src = e.kind == Entry::Local ? e.local : e.home;
    begin(e.type == ValType::V128 ? IOp::Return2 : IOp::Return1);
    put(src);
    return;
  }
  // Several results: a local below the result area's end may be overwritten by an earlier copy;
  // copy such locals to their (free) home slots first.
  uint32_t total = slots_of(results);
  std::vector<Entry> srcs(stack_.end() - n, stack_.end());
  for (Entry& e : srcs) {
    if (e.kind == Entry::Local && e.local < total) {
      emit_move(e, e.home);
      e.kind = Entry::Stack;
    }
  }
  uint32_t slot = 0;
  for (const Entry& e : srcs) {
    emit_move(e, slot);
    slot += e.nslots();
  }
  begin(IOp::Return);
}

// Unconditional branch to label `depth` with its values.
void Translator::emit_branch(uint32_t depth) {
  Ctl& c = label(depth);
  if (c.kind == Ctl::Func) {
    emit_return();
    return;
  }
  uint32_t n = uint32_t(c.label_types().size());
  emit_moves_to(n, c.base_slot);
  uint32_t at = begin(IOp::Br);
  put_target(at, c);
}

void Translator::begin_block(Ctl::Kind kind, const BlockType& bt) {
  Ctl c;
  c.kind = kind;
  block_sig(bt, c.params, c.results);
  uint32_t np = uint32_t(c.params.size());
  // Paths merge at labels: every deferred local reference must be in its slot, and the
  // parameters must be in their home slots (a loop's back-edge delivers them there).
  materialize_locals();
  for (size_t i = stack_.size() - np; i < stack_.size(); ++i) materialize(stack_[i]);
  c.height = uint32_t(stack_.size() - np);
  c.base_slot = np ? stack_[c.height].home : next_home();
  note_height(c.base_slot + slots_of(c.results));
  producer_.valid = false;
  if (kind == Ctl::Loop) c.loop_pc = pc();
  ctls_.push_back(std::move(c));
}

uint32_t Translator::emit_cond_branch(bool when_true) {
  Entry cond = pop();
  const Producer p = producer_;
  if (p.valid && p.entry == stack_.size() && cond.kind == Entry::Stack) {
    // Fuse the compare that produced the condition.
    const CmpInfo* ci = cmp_info(p.op);
    if (ci != nullptr && ci->is_float) {
      rewind(p.start);
      uint32_t at = begin(when_true ? ci->br : ci->br_not);
      put(p.a);
      put(p.b);
      put(0);
      return at;
    }
    if (ci != nullptr) {
      rewind(p.start);
      Op op = when_true ? p.op : ci->negated;
      const CmpInfo* ni = cmp_info(op);
      uint32_t at = begin(p.imm ? ni->br_imm : ni->br);
      put(p.a);
      if (p.imm && ni->wide) {
        put64(p.imm64);
      } else {
        put(p.b);
      }
      put(0);
      return at;
    }
    if (p.op == Op::I32Eqz || p.op == Op::I64Eqz || p.op == Op::RefIsNull) {
      rewind(p.start);
      bool wide = p.op != Op::I32Eqz;
      // eqz(x) != 0  <=>  x == 0
      IOp op = when_true ? (wide ? IOp::BrIfEqz64 : IOp::BrIfEqz)
                         : (wide ? IOp::BrIfNez64 : IOp::BrIfNez);
      uint32_t at = begin(op);
      put(p.a);
      put(0);
      return at;
    }
  }
  uint32_t c = slot_of(cond);
  uint32_t at = begin(when_true ? IOp::BrIfNez : IOp::BrIfEqz);
  put(c);
  put(0);
  return at;
}

void Translator::do_br_if(uint32_t depth) {
  Ctl& c = label(depth);
  bool simple =
      c.kind != Ctl::Func && values_in_place(uint32_t(c.label_types().size()), c.base_slot);
  if (simple) {
    uint32_t at = emit_cond_branch(true);
    out_.pop_back();
    put_target(at, c);
    return;
  }
  // Values must move (or it is a return): skip over the moves and the branch when false.
  uint32_t at = emit_cond_branch(false);
  Fixup skip{at, pc() - 1};
  emit_branch(depth);
  patch(skip, pc());
  producer_.valid = false;
}

void Translator::do_br_table(const Instr& in) {
  Entry idx = pop();
  uint32_t n = in.table_size;  // including the default
  const uint32_t* labels = body_->br_targets.data() + in.table_begin;
  if (idx.kind == Entry::Const) {
    uint32_t i = std::min<uint64_t>(uint32_t(idx.value), n - 1);
    emit_branch(labels[i]);
    set_unreachable();
    return;
  }
  uint32_t is = slot_of(idx);
  uint32_t at = begin(IOp::BrTable);
  put(is);
  put(n - 1);
  uint32_t table = pc();
  for (uint32_t i = 0; i < n; ++i) put(0);
  // Targets whose values are in place jump directly; the others go through a stub.
  std::vector<std::pair<uint32_t, uint32_t>> stubs;  // (depth, first table index using it)
  for (uint32_t i = 0; i < n; ++i) {
    Ctl& c = label(labels[i]);
    if (c.kind != Ctl::Func && values_in_place(uint32_t(c.label_types().size()), c.base_slot)) {
      if (c.kind == Ctl::Loop) {
        out_[table + i] = uint32_t(int32_t(c.loop_pc) - int32_t(at));
      } else {
        c.fixups.push_back({at, table + i});
      }
      continue;
    }
    // Share stubs between entries with the same target.
    bool found = false;
    for (auto& s : stubs) {
      if (s.first == labels[i]) {
        out_[table + i] = out_[table + s.second];
        found = true;
        break;
      }
    }
    if (found) continue;
    stubs.push_back({labels[i], i});
    out_[table + i] = pc() - at;
    emit_branch(labels[i]);
  }
  set_unreachable();
}

void Translator::do_else() {
  Ctl& c = ctls_.back();
  if (!c.unreachable) {
    uint32_t nr = uint32_t(c.results.size());
    for (size_t i = stack_.size() - nr; i < stack_.size(); ++i) materialize(stack_[i]);
    uint32_t at = begin(IOp::Br);
    c.fixups.push_back({at, pc()});
    put(0);
  }
  patch(c.else_fixup, pc());
  c.else_fixup = {kNone, kNone};
  pop_to(c.height);
  for (ValType t : c.params) push_stack(t.kind());
  c.kind = Ctl::Else;
  c.unreachable = false;
  producer_.valid = false;
}

void Translator::end_block() {
  Ctl& c = ctls_.back();
  uint32_t nr = uint32_t(c.results.size());
  if (!c.unreachable) {
    if (c.kind == Ctl::Func) {
      emit_return();
    } else {
      for (size_t i = stack_.size() - nr; i < stack_.size(); ++i) materialize(stack_[i]);
    }
  }
  bool reachable = !c.unreachable || !c.fixups.empty();
  if (c.kind == Ctl::If) {  // no else: the false path falls through with params == results
    patch(c.else_fixup, pc());
    reachable = true;
  }
  for (const Fixup& f : c.fixups) patch(f, pc());
  if (c.kind == Ctl::TryTable || c.kind == Ctl::LegacyTry) {
    // The handler covers the block body (a legacy try's ends at its first catch).
    handlers_[c.try_handler].end_pc = pc();
  }
  uint32_t height = c.height;
  std::vector<ValType> results = std::move(c.results);
  Ctl::Kind kind = c.kind;
  ctls_.pop_back();
  producer_.valid = false;
  if (kind == Ctl::Func) return;
  pop_to(height);
  for (ValType t : results) push_stack(t.kind());
  if (!reachable) set_unreachable();
}

// Calls: arguments are materialized in their home slots, which become the callee's parameter
// slots; results come back at the same place.
void Translator::emit_call_like(IOp op, const FuncType& type, std::initializer_list<uint32_t> pre,
                                std::initializer_list<uint32_t> post, bool tail) {
  uint32_t np = uint32_t(type.params.size());
  for (size_t i = stack_.size() - np; i < stack_.size(); ++i) materialize(stack_[i]);
  uint32_t frame = np ? stack_[stack_.size() - np].home : next_home();
  uint32_t nargs = slots_of(type.params);
  uint32_t nres = slots_of(type.results);
  note_height(frame + std::max(nargs, nres));
  pop_to(uint32_t(stack_.size() - np));
  begin(op);
  for (uint32_t v : pre) put(v);
  put(frame);
  for (uint32_t v : post) put(v);
  if (tail) {
    put(nargs);
    set_unreachable();
    return;
  }
  for (ValType t : type.results) push_stack(t.kind());
}

void Translator::local_set(uint32_t index, bool tee) {
  if (prefix_) assigned_[index] = true;
  uint32_t slot = local_slots_[index];
  Entry& top = stack_.back();
  if (top.kind == Entry::Local && top.local == slot) {
    if (!tee) pop();
    return;
  }
  const Producer p = producer_;
  if (p.valid && p.entry == stack_.size() - 1 && top.kind == Entry::Stack &&
      local_refs_[slot] == 0) {
    // The producer writes straight into the local.
    out_[p.dst_pos] = slot;
    pop();
  } else {
    Entry v = pop();
    // Deferred reads of the old value must see it before it is overwritten.
    materialize_refs_to(slot);
    emit_move(v, slot);
  }
  producer_.valid = false;
  if (tee) push_local(index);
}

ValType::Kind Translator::result_kind(Op op) const {
  const char* sig = op_info(op).sig;
  const char* colon = std::strchr(sig, ':');
  char c = colon && colon[1] ? colon[1] : 'i';
  switch (c) {
    case 'l': return ValType::I64;
    case 'f': return ValType::F32;
    case 'd': return ValType::F64;
    case 'v': return ValType::V128;
    default: return ValType::I32;
  }
}

void Translator::simple(const Instr& in, const SimpleOp& s) {
  ValType::Kind rk = result_kind(in.op);
  switch (s.shape) {
    case Shape::Un:
    case Shape::TrapUn:
    case Shape::VUn:
    case Shape::VTest:
    case Shape::VSplat: {
      Entry a = pop();
      uint32_t sa = slot_of(a);
      uint32_t at = begin(s.op);
      put(a.home);
      put(sa);
      push_stack(rk);
      set_producer(at, in.op);
      producer_.a = sa;
      return;
    }
    case Shape::VExtract: {
      Entry a = pop();
      uint32_t sa = slot_of(a);
      uint32_t at = begin(s.op);
      put(a.home);
      put(sa);
      put(in.lane);
      push_stack(rk);
      set_producer(at);
      return;
    }
    case Shape::VReplace: {
      Entry x = pop();
      Entry a = pop();
      uint32_t sx = slot_of(x);
      uint32_t sa = slot_of(a);
      uint32_t at = begin(s.op);
      put(a.home);
      put(sa);
      put(sx);
      put(in.lane);
      push_stack(rk);
      set_producer(at);
      return;
    }
    case Shape::VTern: {
      Entry c = pop();
      Entry b = pop();
      Entry a = pop();
      uint32_t sc = slot_of(c), sb = slot_of(b), sa = slot_of(a);
      uint32_t at = begin(s.op);
      put(a.home);
      put(sa);
      put(sb);
      put(sc);
      push_stack(rk);
      set_producer(at);
      return;
    }
    case Shape::Bin:
    case Shape::BinImm:
    case Shape::Cmp:
    case Shape::TrapBin:
    case Shape::VBin:
    case Shape::VShift: {
      Entry b = pop();
      Entry a = pop();
      uint32_t home = a.home;
      const bool wide = a.type == ValType::I64;
      // i64 immediates take two units, so every constant fits.
      auto fits = [](uint64_t) { return true; };
      const Producer p = producer_;  // before anything below emits
      auto emit_imm = [&](IOp iop, Op op, const Entry& x, uint64_t imm) {
        uint32_t sx = slot_of(x);
        uint32_t at = begin(iop);
        put(home);
        put(sx);
        if (wide) {
          put64(imm);
        } else {
          put(uint32_t(imm));
        }
        push_stack(rk);
        set_producer(at, op);
        producer_.a = sx;
        producer_.b = uint32_t(imm);
        producer_.imm64 = imm;
        producer_.imm = true;
      };
      if (b.kind == Entry::Const && a.kind == Entry::Stack && p.valid && !p.imm &&
          p.entry == stack_.size() &&
          (((in.op == Op::I32Rotl || in.op == Op::I32Rotr) && p.op == Op::I32Xor) ||
           ((in.op == Op::I64Rotl || in.op == Op::I64Rotr) && p.op == Op::I64Xor))) {
        // rotl(x ^ y, k): the xor just emitted produced `a`.
        rewind(p.start);
        uint32_t bits = wide ? 64 : 32;
        uint32_t k = uint32_t(b.value) & (bits - 1);
        if (in.op == Op::I32Rotr || in.op == Op::I64Rotr) k = (bits - k) & (bits - 1);
        uint32_t at = begin(wide ? IOp::I64XorRotl : IOp::I32XorRotl);
        put(home);
        put(p.a);
        put(p.b);
        put(k);
        push_stack(rk);
        set_producer(at);
        return;
      }
      if ((in.op == Op::I32Add || in.op == Op::I64Add) && p.valid && !p.imm &&
          p.op == (in.op == Op::I32Add ? Op::I32Mul : Op::I64Mul) && a.kind != Entry::Const &&
          b.kind != Entry::Const) {
        // x * y + z with the multiplication just emitted.
        const Entry* other = nullptr;
        if (p.entry == stack_.size() + 1 && b.kind == Entry::Stack) other = &a;
        if (p.entry == stack_.size() && a.kind == Entry::Stack) other = &b;
        if (other != nullptr) {
          rewind(p.start);
          uint32_t so = slot_of(*other);
          uint32_t at = begin(in.op == Op::I32Add ? IOp::I32MulAdd : IOp::I64MulAdd);
          put(home);
          put(p.a);
          put(p.b);
          put(so);
          push_stack(rk);
          set_producer(at);
          return;
        }
      }
      if ((in.op == Op::I32Add || in.op == Op::I64Add || in.op == Op::I32Xor ||
           in.op == Op::I64Xor) &&
          p.valid && p.op == in.op && !p.imm && p.k == 0 && a.kind != Entry::Const &&
          b.kind != Entry::Const) {
        // (x op y) op z with the inner op just emitted: one three-operand instruction.
        const Entry* other = nullptr;
        if (p.entry == stack_.size() + 1 && b.kind == Entry::Stack) other = &a;
        if (p.entry == stack_.size() && a.kind == Entry::Stack) other = &b;
        if (other != nullptr) {
          rewind(p.start);
          uint32_t so = slot_of(*other);
          IOp op3 = in.op == Op::I32Add   ? IOp::I32Add3
                    : in.op == Op::I64Add ? IOp::I64Add3
                    : in.op == Op::I32Xor ? IOp::I32Xor3
                                          : IOp::I64Xor3;
          uint32_t at = begin(op3);
          put(home);
          put(so);
          put(p.a);
          put(p.b);
          push_stack(rk);
          set_producer(at);
          return;
        }
      }
      if (s.shape == Shape::BinImm || s.shape == Shape::Cmp) {
        Op op = in.op;
        IOp iop = s.imm;
        if (a.kind == Entry::Const && b.kind != Entry::Const && fits(a.value)) {
          if (s.shape == Shape::Cmp) {
            op = cmp_info(op)->swapped;  // c < x  <=>  x > c
            iop = cmp_info(op)->set_imm;
            std::swap(a, b);
          } else if (s.commutative) {
            std::swap(a, b);
          }
        }
        if (b.kind == Entry::Const && a.kind != Entry::Const && fits(b.value)) {
          emit_imm(iop, op, a, b.value);
          return;
        }
      }
      if (s.shape == Shape::TrapBin && b.kind == Entry::Const && a.kind != Entry::Const &&
          fits(b.value)) {
        // Division by a constant that cannot trap needs no checks.
        uint64_t all_ones = wide ? ~uint64_t(0) : 0xFFFFFFFFull;
        bool is_signed = in.op == Op::I32DivS || in.op == Op::I32RemS || in.op == Op::I64DivS ||
                         in.op == Op::I64RemS;
        if (b.value != 0 && !(is_signed && b.value == all_ones)) {
          emit_imm(s.imm, in.op, a, b.value);
          return;
        }
      }
      if ((in.op == Op::I32Sub || in.op == Op::I64Sub) && a.kind != Entry::Const &&
          b.kind == Entry::Const) {
        // x - c  ->  x + (-c)
        uint64_t neg = wide ? uint64_t(0) - b.value : uint32_t(0u - uint32_t(b.value));
        if (fits(neg)) {
          emit_imm(wide ? IOp::I64Add_I : IOp::I32Add_I, wide ? Op::I64Add : Op::I32Add, a, neg);
          return;
        }
      }
      if ((in.op == Op::I32Sub || in.op == Op::I64Sub) && a.kind == Entry::Const &&
          b.kind != Entry::Const && fits(a.value)) {
        emit_imm(wide ? IOp::I64RSub_I : IOp::I32RSub_I, Op::Nop, b, a.value);
        return;
      }
      if (in.op == Op::I32Add && p.valid && p.op == Op::I32Shl && p.imm && a.kind != Entry::Const &&
          b.kind != Entry::Const) {
        // a + (x << k), the shift produced just before: one instruction.
        const Entry* other = nullptr;
        if (p.entry == stack_.size() + 1 && b.kind == Entry::Stack) other = &a;
        if (p.entry == stack_.size() && a.kind == Entry::Stack) other = &b;
        if (other != nullptr) {
          rewind(p.start);
          uint32_t so = slot_of(*other);
          uint32_t at = begin(IOp::I32AddShl);
          put(home);
          put(so);
          put(p.a);
          put(p.b);
          push_stack(rk);
          set_producer(at, Op::I32Add);
          producer_.a = so;
          producer_.b = p.a;
          producer_.k = p.b & 31;
          return;
        }
      }
      uint32_t sa = slot_of(a);
      uint32_t sb = slot_of(b);
      uint32_t at = begin(s.op);
      put(home);
      put(sa);
      put(sb);
      push_stack(rk);
      set_producer(at, in.op);
      producer_.a = sa;
      producer_.b = sb;
      return;
    }
    default: mem_access(in, s); return;
  }
}

// Memory accesses: memory 0 with 32-bit addresses takes the unchecked form (checked variant
// built on demand); other memories go through the instance.
void Translator::mem_access(const Instr& in, const SimpleOp& s) {
  uint32_t mem = in.memarg.memory;
  bool is64 = mem_is64(mem);
  uint64_t off = in.memarg.offset;
  IOp op = s.op;
  int variant = is64 ? 3 : (mem == 0 ? 0 : 2);
  op = IOp(uint16_t(op) + variant);
  auto put_tail = [&](bool with_lane) {
    if (is64) {
      put64(off);
    } else {
      put(uint32_t(off));
    }
    if (with_lane) put(in.lane);
    if (variant != 0) put(mem);
  };
  ValType::Kind rk = result_kind(in.op);
  // The address operand; a constant address folds into the offset (read from the zero slot).
  auto addr_slot = [&](const Entry& a) {
    if (!is64 && a.kind == Entry::Const && uint64_t(uint32_t(a.value)) + off <= 0xFFFFFFFFull) {
      off += uint32_t(a.value);
      return zero_slot();
    }
    return slot_of(a);
  };
  // The address was computed by an i32.add (or add-shift) just emitted, used only here: fold it
  // into the access (memory 0 only).
  const Producer p = producer_;
  auto fuse_add = [&](const Entry& a) {
    return variant == 0 && s.rr != IOp::Count_ && a.kind == Entry::Stack && p.valid &&
           p.op == Op::I32Add && p.entry == stack_.size();
  };
  switch (s.shape) {
    case Shape::Load:
    case Shape::VLoad: {
      Entry a = pop();
      if (fuse_add(a)) {
        rewind(p.start);
        uint32_t at = begin(p.imm ? s.ri : s.rr);
        code_->guarded_sites.push_back(at);
        put(a.home);
        put(p.a);
        put(p.b);
        if (!p.imm) put(p.k);
        put(uint32_t(off));
        push_stack(rk);
        set_producer(at);
        return;
      }
      uint32_t sa = addr_slot(a);
      uint32_t at = begin(op);
      if (variant == 0) code_->guarded_sites.push_back(at);
      put(a.home);
      put(sa);
      put_tail(false);
      push_stack(rk);
      set_producer(at);
      return;
    }
    case Shape::Store:
    case Shape::VStore: {
      Entry v = pop();
      Entry a = pop();
      // (A nonzero constant value would be materialized over the add's second operand.)
      if ((v.kind != Entry::Const || v.value == 0) && fuse_add(a)) {
        rewind(p.start);
        uint32_t sv = slot_of(v);
        uint32_t at = begin(p.imm ? s.ri : s.rr);
        code_->guarded_sites.push_back(at);
        put(p.a);
        put(p.b);
        if (!p.imm) put(p.k);
        put(uint32_t(off));
        put(sv);
        return;
      }
      uint32_t sv = slot_of(v);
      uint32_t sa = addr_slot(a);
      uint32_t at = begin(op);
      if (variant == 0) code_->guarded_sites.push_back(at);
      put(sa);
      put(sv);
      put_tail(false);
      return;
    }
    case Shape::VLoadLane: {
      Entry v = pop();
      Entry a = pop();
      uint32_t sv = slot_of(v);
      uint32_t sa = slot_of(a);
      uint32_t at = begin(op);
      if (variant == 0) code_->guarded_sites.push_back(at);
      put(a.home);
      put(sa);
      put(sv);
      put_tail(true);
      push_stack(ValType::V128);
      set_producer(at);
      return;
    }
    case Shape::VStoreLane: {
      Entry v = pop();
      Entry a = pop();
      uint32_t sv = slot_of(v);
      uint32_t sa = slot_of(a);
      uint32_t at = begin(op);
      if (variant == 0) code_->guarded_sites.push_back(at);
      put(sa);
      put(sv);
      put_tail(true);
      return;
    }
    default: assert(false);
  }
}

Expected<void> Translator::instr(const Instr& in) {
  switch (in.op) {
    case Op::Nop: return {};
    case Op::Unreachable:
      begin(IOp::Unreachable);
      set_unreachable();
      return {};
    case Op::Block: begin_block(Ctl::Block, in.block); return {};
    case Op::Loop: begin_block(Ctl::Loop, in.block); return {};
    case Op::If: {
      // The condition is consumed before the block's parameters are set up.
      Entry cond = stack_.back();
      (void)cond;
      uint32_t at = emit_cond_branch(false);
      Fixup f{at, pc() - 1};
      // Parameters / deferred locals: copies emitted after the branch would run only on the true
      // path; emit them before it instead by re-doing the branch after materialization.
      bool needs_moves = num_local_entries_ > 0;
      if (!needs_moves && in.block.kind == BlockType::TypeIndex) {
        size_t np = m_.types[in.block.type_index].params.size();
        for (size_t i = stack_.size() - np; i < stack_.size(); ++i) {
          if (stack_[i].kind != Entry::Stack) needs_moves = true;
        }
      }
      if (needs_moves) {
        // Move the branch after the copies: take it out, materialize, put it back.
        std::vector<uint32_t> br(out_.begin() + at, out_.end());
        rewind(at);
        begin_block(Ctl::If, in.block);
        uint32_t nat = pc();
        out_.insert(out_.end(), br.begin(), br.end());
        ctls_.back().else_fixup = {nat, pc() - 1};
      } else {
        begin_block(Ctl::If, in.block);
        ctls_.back().else_fixup = f;
      }
      return {};
    }
    case Op::Else: do_else(); return {};
    case Op::End: end_block(); return {};
    case Op::Br:
      emit_branch(in.index);
      set_unreachable();
      return {};
    case Op::BrIf: do_br_if(in.index); return {};
    case Op::BrTable: do_br_table(in); return {};
    case Op::Return:
      emit_return();
      set_unreachable();
      return {};
    case Op::Call:
    case Op::ReturnCall: {
      const FuncType& t = m_.func_type(in.index);
      bool tail = in.op == Op::ReturnCall;
      emit_call_like(tail ? IOp::ReturnCall : IOp::Call, t, {in.index}, {}, tail);
      return {};
    }
    case Op::CallIndirect:
    case Op::ReturnCallIndirect: {
      const FuncType& t = m_.types[in.index];
      bool tail = in.op == Op::ReturnCallIndirect;
      Entry idx = pop();
      uint32_t si = slot_of(idx);
      emit_call_like(tail ? IOp::ReturnCallIndirect : IOp::CallIndirect, t,
                     {type_ids_[in.index], in.index2, si}, {table_is64(in.index2) ? 1u : 0u}, tail);
      return {};
    }
    case Op::CallRef:
    case Op::ReturnCallRef: {
      const FuncType& t = m_.types[in.index];
      bool tail = in.op == Op::ReturnCallRef;
      Entry r = pop();
      uint32_t sr = slot_of(r);
      emit_call_like(tail ? IOp::ReturnCallRef : IOp::CallRef, t, {sr}, {}, tail);
      return {};
    }
    case Op::Drop: pop(); return {};
    case Op::Select:
    case Op::SelectT: {
      Entry c = pop();
      Entry b = pop();
      Entry a = pop();
      uint32_t sc = slot_of(c), sb = slot_of(b), sa = slot_of(a);
      uint32_t at = begin(a.type == ValType::V128 ? IOp::Select2 : IOp::Select);
      put(a.home);
      put(sa);
      put(sb);
      put(sc);
      push_stack(a.type);
      set_producer(at);
      return {};
    }
    case Op::LocalGet: push_local(in.index); return {};
    case Op::LocalSet: local_set(in.index, false); return {};
    case Op::LocalTee: local_set(in.index, true); return {};
    case Op::GlobalGet: {
      ValType::Kind t = m_.global_type(in.index).type.kind();
      Entry& e = push_stack(t);
      uint32_t at = begin(t == ValType::V128 ? IOp::GlobalGet2 : IOp::GlobalGet);
      put(e.home);
      put(in.index);
      set_producer(at);
      return {};
    }
    case Op::GlobalSet: {
      Entry v = pop();
      uint32_t sv = slot_of(v);
      begin(v.type == ValType::V128 ? IOp::GlobalSet2 : IOp::GlobalSet);
      put(in.index);
      put(sv);
      return {};
    }
    case Op::TableGet: {
      Entry i = pop();
      uint32_t si = slot_of(i);
      Entry& e = push_stack(ValType::Ref);
      uint32_t at = begin(IOp::TableGet);
      put(e.home);
      put(si);
      put(in.index);
      set_producer(at);
      return {};
    }
    case Op::TableSet: {
      Entry v = pop();
      Entry i = pop();
      uint32_t sv = slot_of(v), si = slot_of(i);
      begin(IOp::TableSet);
      put(si);
      put(sv);
      put(in.index);
      return {};
    }
    case Op::TableSize: {
      Entry& e = push_stack(table_is64(in.index) ? ValType::I64 : ValType::I32);
      uint32_t at = begin(IOp::TableSize);
      put(e.home);
      put(in.index);
      set_producer(at);
      return {};
    }
    case Op::TableGrow: {
      Entry n = pop();
      Entry v = pop();
      uint32_t sn = slot_of(n), sv = slot_of(v);
      Entry& e = push_stack(table_is64(in.index) ? ValType::I64 : ValType::I32);
      uint32_t at = begin(IOp::TableGrow);
      put(e.home);
      put(sv);
      put(sn);
      put(in.index);
      set_producer(at);
      return {};
    }
    case Op::TableFill: {
      Entry n = pop();
      Entry v = pop();
      Entry i = pop();
      uint32_t sn = slot_of(n), sv = slot_of(v), si = slot_of(i);
      begin(IOp::TableFill);
      put(si);
      put(sv);
      put(sn);
      put(in.index);
      return {};
    }
    case Op::TableCopy:
    case Op::TableInit:
    case Op::MemoryInit:
    case Op::MemoryCopy:
    case Op::MemoryFill: {
      Entry n = pop();
      Entry s = pop();
      Entry d = pop();
      uint32_t sn = slot_of(n), ss = slot_of(s), sd = slot_of(d);
      IOp op = in.op == Op::TableCopy    ? IOp::TableCopy
               : in.op == Op::TableInit  ? IOp::TableInit
               : in.op == Op::MemoryInit ? IOp::MemoryInit
               : in.op == Op::MemoryCopy ? IOp::MemoryCopy
                                         : IOp::MemoryFill;
      begin(op);
      put(sd);
      put(ss);
      put(sn);
      switch (in.op) {
        case Op::TableCopy:
          put(in.index);
          put(in.index2);
          break;  // dst table, src table
        case Op::TableInit:
          put(in.index2);
          put(in.index);
          break;  // table, elem
        case Op::MemoryInit:
          put(in.index2);
          put(in.index);
          break;  // memory, data
        case Op::MemoryCopy:
          put(in.index);
          put(in.index2);
          break;                        // dst mem, src mem
        default: put(in.index); break;  // memory
      }
      return {};
    }
    case Op::DataDrop:
    case Op::ElemDrop:
      begin(in.op == Op::DataDrop ? IOp::DataDrop : IOp::ElemDrop);
      put(in.index);
      return {};
    case Op::MemorySize: {
      Entry& e = push_stack(mem_is64(in.index) ? ValType::I64 : ValType::I32);
      uint32_t at = begin(IOp::MemorySize);
      put(e.home);
      put(in.index);
      set_producer(at);
      return {};
    }
    case Op::MemoryGrow: {
      Entry d = pop();
      uint32_t sd = slot_of(d);
      Entry& e = push_stack(d.type);
      uint32_t at = begin(IOp::MemoryGrow);
      put(e.home);
      put(sd);
      put(in.index);
      set_producer(at);
      return {};
    }
    case Op::I32Const: push_const(ValType::I32, uint32_t(in.i64)); return {};
    case Op::I64Const: push_const(ValType::I64, uint64_t(in.i64)); return {};
    case Op::F32Const: push_const(ValType::F32, uint32_t(in.bits)); return {};
    case Op::F64Const: push_const(ValType::F64, in.bits); return {};
    case Op::V128Const: {
      Entry& e = push_stack(ValType::V128);
      uint32_t at = begin(IOp::ConstV128);
      put(e.home);
      uint32_t w[4];
      std::memcpy(w, in.v128.data(), 16);
      for (uint32_t x : w) put(x);
      set_producer(at);
      return {};
    }
    case Op::I8x16Shuffle: {
      Entry b = pop();
      Entry a = pop();
      uint32_t sb = slot_of(b), sa = slot_of(a);
      uint32_t at = begin(IOp::I8x16Shuffle);
      put(a.home);
      put(sa);
      put(sb);
      uint32_t w[4];
      std::memcpy(w, in.v128.data(), 16);
      for (uint32_t x : w) put(x);
      push_stack(ValType::V128);
      set_producer(at);
      return {};
    }
    case Op::I32ReinterpretF32:
    case Op::F32ReinterpretI32:
    case Op::I64ReinterpretF64:
    case Op::F64ReinterpretI64: {
      // Same bits in the same slot: only the static type changes.
      stack_.back().type = result_kind(in.op);
      return {};
    }
    case Op::RefNull: push_const(ValType::Ref, 0); return {};
    case Op::RefIsNull: {
      Entry a = pop();
      if (a.kind == Entry::Const) {
        push_const(ValType::I32, a.value == 0);
        return {};
      }
      uint32_t sa = slot_of(a);
      uint32_t at = begin(IOp::RefIsNull);
      put(a.home);
      put(sa);
      push_stack(ValType::I32);
      set_producer(at, Op::RefIsNull);
      producer_.a = sa;
      return {};
    }
    case Op::RefFunc: {
      Entry& e = push_stack(ValType::Ref);
      uint32_t at = begin(IOp::RefFunc);
      put(e.home);
      put(in.index);
      set_producer(at);
      return {};
    }
    case Op::RefAsNonNull: {
      Entry& a = stack_.back();
      materialize_const(a);
      begin(IOp::RefAsNonNull);
      put(a.kind == Entry::Local ? a.local : a.home);
      return {};
    }
    case Op::BrOnNull:
    case Op::BrOnNonNull: {
      // br_on_null: branch (without the operand) if null, else keep the non-null reference.
      // br_on_non_null: branch with the reference if non-null, else drop it.
      Ctl& c = label(in.index);
      Entry r = pop();
      uint32_t sr = slot_of(r);
      bool on_null = in.op == Op::BrOnNull;
      if (!on_null) {
        // The reference is the last branch value: it must be in place too.
        Entry& e = push_stack(ValType::Ref);
        e.kind = r.kind;
        e.local = r.local;
        e.value = r.value;
        if (r.kind == Entry::Local) {
          ++local_refs_[r.local];
          ++num_local_entries_;
        }
      }
      uint32_t n = uint32_t(c.label_types().size());
      bool in_place = c.kind != Ctl::Func && values_in_place(n, c.base_slot);
      // Skip-branch when the condition fails, then the branch with its moves.
      if (in_place) {
        uint32_t at = begin(on_null ? IOp::BrOnNull : IOp::BrOnNonNull);
        put(sr);
        put_target(at, c);
      } else {
        uint32_t at = begin(on_null ? IOp::BrOnNonNull : IOp::BrOnNull);
        put(sr);
        put(0);
        Fixup skip{at, pc() - 1};
        emit_branch(in.index);
        patch(skip, pc());
      }
      if (!on_null) {
        pop();
      } else {
        Entry& e = push_stack(ValType::Ref);
        e.kind = r.kind;
        e.local = r.local;
        e.value = r.value;
        if (r.kind == Entry::Local) {
          ++local_refs_[r.local];
          ++num_local_entries_;
        }
      }
      producer_.valid = false;
      return {};
    }
    case Op::RefEq: case Op::RefI31: case Op::I31GetS: case Op::I31GetU: case Op::RefTest:
    case Op::RefTestNull: case Op::RefCast: case Op::RefCastNull:
      gc_op(in);
      return {};
    case Op::TryTable: return try_table(in);
    case Op::Try: legacy_try(in); return {};
    case Op::Catch:
    case Op::CatchAll: legacy_catch(in); return {};
    case Op::Delegate: legacy_delegate(in); return {};
    case Op::Rethrow: {
      begin(IOp::ThrowRef);
      put(label(in.index).exn_slot);
      set_unreachable();
      return {};
    }
    case Op::Throw: {
      uint32_t ti = m_.tag_type_index(in.index);
      const FuncType& t = m_.types[ti];
      uint32_t np = uint32_t(t.params.size());
      for (size_t i = stack_.size() - np; i < stack_.size(); ++i) materialize(stack_[i]);
      uint32_t base = np ? stack_[stack_.size() - np].home : next_home();
      begin(IOp::Throw);
      put(in.index);
      put(base);
      set_unreachable();
      return {};
    }
    case Op::ThrowRef: {
      Entry r = pop();
      uint32_t sr = slot_of(r);
      begin(IOp::ThrowRef);
      put(sr);
      set_unreachable();
      return {};
    }
    default: break;
  }
  if (const SimpleOp* s = simple_op(in.op)) {
    simple(in, *s);
    return {};
  }
  return err("interpreter: instruction {} at offset 0x{:x} is not supported", op_info(in.op).text,
             in.offset);
}

// ref.eq, i31 references and casts: the GC subset Kumo implements.
void Translator::gc_op(const Instr& in) {
  if (in.op == Op::RefCast || in.op == Op::RefCastNull || in.op == Op::RefTest ||
      in.op == Op::RefTestNull) {
    CastKind kind = CastKind::All;
    uint32_t type_id = 0;
    HeapType h = in.heap;
    if (h.is_concrete()) {
      kind = CastKind::FuncType;  // every defined type is a function type
      type_id = type_ids_[h.type_index()];
    } else if (h.value == HeapType::I31) {
      kind = CastKind::I31;
    } else if (h.value == HeapType::None || h.value == HeapType::NoFunc ||
               h.value == HeapType::NoExtern || h.value == HeapType::NoExn ||
               h.value == HeapType::Struct || h.value == HeapType::Array) {
      kind = CastKind::Nothing;
    }
    const uint32_t nullable = in.op == Op::RefCastNull || in.op == Op::RefTestNull;
    if (in.op == Op::RefCast || in.op == Op::RefCastNull) {
      // Checks in place, like ref.as_non_null: the value itself does not change.
      Entry& a = stack_.back();
      materialize_const(a);
      begin(IOp::RefCast);
      put(a.kind == Entry::Local ? a.local : a.home);
    } else {
      Entry a = pop();
      uint32_t sa = slot_of(a);
      begin(IOp::RefTest);
      put(a.home);
      put(sa);
      push_stack(ValType::I32);
    }
    put(uint32_t(kind));
    put(nullable);
    put(type_id);
    return;
  }
  if (in.op == Op::RefEq) {
    Entry b = pop();
    Entry a = pop();
    uint32_t sb = slot_of(b), sa = slot_of(a);
    uint32_t at = begin(IOp::RefEq);
    put(a.home);
    put(sa);
    put(sb);
    push_stack(ValType::I32);
    set_producer(at);
    return;
  }
  Entry a = pop();
  uint32_t sa = slot_of(a);
  uint32_t at = begin(in.op == Op::RefI31 ? IOp::RefI31 : in.op == Op::I31GetS ? IOp::I31GetS
                                                                                : IOp::I31GetU);
  put(a.home);
  put(sa);
  push_stack(in.op == Op::RefI31 ? ValType::Ref : ValType::I32);
  set_producer(at);
}

// try_table: landing pads for the catch clauses come first (jumped over on entry); each pad
// receives the payload at the block's base slot and branches to its label like `br` would.
Expected<void> Translator::try_table(const Instr& in) {
  std::vector<ValType> params, results;
  block_sig(in.block, params, results);
  uint32_t np = uint32_t(params.size());
  materialize_locals();
  for (size_t i = stack_.size() - np; i < stack_.size(); ++i) materialize(stack_[i]);
  uint32_t height = uint32_t(stack_.size() - np);
  uint32_t base_slot = np ? stack_[height].home : next_home();
  uint32_t hidx = new_handler(active_handler(ctls_.size() - 1));
  if (in.table_size > 0) {
    uint32_t over = begin(IOp::Br);
    Fixup fo{over, pc()};
    put(0);
    std::vector<Entry> saved(stack_.begin() + height, stack_.end());  // materialized params
    stack_.resize(height);
    for (uint32_t i = 0; i < in.table_size; ++i) {
      const CatchClause& cc = body_->catches[in.table_begin + i];
      CatchEntry ce;
      ce.kind = uint8_t(cc.kind);
      ce.tag = cc.tag;
      ce.pad_pc = pc();
      ce.dst_slot = base_slot;
      if (cc.kind == CatchClause::Catch || cc.kind == CatchClause::CatchRef) {
        for (ValType t : m_.types[m_.tag_type_index(cc.tag)].params) push_stack(t.kind());
      }
      if (cc.kind == CatchClause::CatchRef || cc.kind == CatchClause::CatchAllRef) {
        push_stack(ValType::Ref);
      }
      emit_branch(cc.label);
      pop_to(height);
      handler_catches_[hidx].push_back(ce);
    }
    stack_.insert(stack_.end(), saved.begin(), saved.end());
    patch(fo, pc());
  }
  begin_block(Ctl::TryTable, in.block);
  ctls_.back().try_handler = hidx;
  handlers_[hidx].begin_pc = pc();
  return {};
}

// Emits the prologue that zeroes the locals that need it and the zero slot L, as one
// ZeroLocals over the covering range, inserted at pc 0 (branch offsets are relative, so only
// absolute pcs move).
void Translator::zero_prologue() {
  uint32_t lo = UINT32_MAX, hi = 0;
  for (uint32_t i = 0; i < local_slots_.size(); ++i) {
    if (local_slots_[i] < code_->num_param_slots) continue;
    if (!need_zero_[i] && assigned_[i]) continue;
    uint32_t n = local_types_[i] == ValType::V128 ? 2 : 1;
    lo = std::min(lo, local_slots_[i]);
    hi = std::max(hi, local_slots_[i] + n);
  }
  if (zero_used_) {
    lo = std::min(lo, L_);
    hi = std::max(hi, L_ + 1);
  }
  if (lo >= hi) return;
  const void* h = handler_address(IOp::ZeroLocals);
  uint32_t w[2];
  std::memcpy(w, &h, sizeof h);
  constexpr uint32_t n = 4;
  out_.insert(out_.begin(), {w[0], w[1], lo, hi - lo});
  for (PcOffset& o : code_->offsets) o.pc += n;
  if (!code_->offsets.empty()) code_->offsets.front().pc = 0;
  for (uint32_t& site : code_->guarded_sites) site += n;
  for (HandlerEntry& he : handlers_) {
    he.begin_pc += n;
    he.end_pc += n;
  }
  for (auto& cs : handler_catches_) {
    for (CatchEntry& ce : cs) ce.pad_pc += n;
  }
  for (auto& st : starts_) st.first += n;
  if (dump_) starts_.insert(starts_.begin(), {0, IOp::ZeroLocals});
}

const char* const kIOpNames[] = {
#define OP(name) #name,
#include "wasm/interp/ops_list.inc"
#undef OP
};

void Translator::dump() const {
  std::string s = fmt::format("func {} (L={} max_slots={}):\n", code_->func_index, L_, max_slots_);
  for (size_t i = 0; i < starts_.size(); ++i) {
    uint32_t at = starts_[i].first;
    // Instructions removed by a fusion were rewound: skip starts that were overwritten.
    if (i + 1 < starts_.size() && starts_[i + 1].first <= at) continue;
    uint32_t end = i + 1 < starts_.size() ? starts_[i + 1].first : uint32_t(out_.size());
    s += fmt::format("  {:5}: {}", at, kIOpNames[size_t(starts_[i].second)]);
    for (uint32_t p = at + 2; p < end; ++p) s += fmt::format(" {}", int32_t(out_[p]));
    s += "\n";
  }
  fmt::print(stderr, "{}", s);
}

// Instructions after which (or at which) paths merge or leave: the end of the straight-line
// prefix.
bool ends_prefix(Op op) {
  switch (op) {
    case Op::Block:
    case Op::Loop:
    case Op::If:
    case Op::Else:
    case Op::End:
    case Op::Br:
    case Op::BrIf:
    case Op::BrTable:
    case Op::Return:
    case Op::TryTable:
    case Op::Try:
    case Op::BrOnNull:
    case Op::BrOnNonNull:
    case Op::Throw:
    case Op::ThrowRef:
    case Op::Unreachable:
    case Op::ReturnCall:
    case Op::ReturnCallIndirect:
    case Op::ReturnCallRef:
    case Op::Catch:
    case Op::CatchAll:
    case Op::Delegate:
    case Op::Rethrow: return true;
    default: return false;
  }
}

// Legacy exception handling. `try` is a block whose handler covers the body up to the first
// catch; each catch clause starts with the payload at the block's base slot (its pad is the
// clause's code itself) and keeps the exception in the try's slot for `rethrow`.
void Translator::legacy_try(const Instr& in) {
  int32_t parent = active_handler(ctls_.size() - 1);
  begin_block(Ctl::LegacyTry, in.block);
  Ctl& c = ctls_.back();
  c.try_handler = new_handler(parent);
  c.exn_slot = L_ + 1 + legacy_tries_++;
  handlers_[c.try_handler].begin_pc = pc();
}

void Translator::legacy_catch(const Instr& in) {
  Ctl& c = ctls_.back();
  if (!c.unreachable) {
    uint32_t nr = uint32_t(c.results.size());
    for (size_t i = stack_.size() - nr; i < stack_.size(); ++i) materialize(stack_[i]);
    uint32_t at = begin(IOp::Br);
    c.fixups.push_back({at, pc()});
    put(0);
  }
  if (c.kind == Ctl::LegacyTry) {
    handlers_[c.try_handler].end_pc = pc();
    c.kind = Ctl::LegacyCatch;
  }
  CatchEntry ce;
  ce.kind = uint8_t(in.op == Op::Catch ? CatchClause::Catch : CatchClause::CatchAll);
  ce.tag = in.index;
  ce.pad_pc = pc();
  ce.dst_slot = c.base_slot;
  ce.exn_slot = c.exn_slot;
  handler_catches_[c.try_handler].push_back(ce);
  pop_to(c.height);
  if (in.op == Op::Catch) {
    for (ValType t : m_.types[m_.tag_type_index(in.index)].params) push_stack(t.kind());
  }
  c.unreachable = false;
  producer_.valid = false;
}

// `delegate L` ends a try: exceptions from its body go to the handler of label L (counted from
// the blocks around the try).
void Translator::legacy_delegate(const Instr& in) {
  Ctl& c = ctls_.back();
  uint32_t h = c.try_handler;
  size_t target = ctls_.size() - 2 - in.index;
  handlers_[h].parent = active_handler(target);
  end_block();
}

Expected<std::unique_ptr<Code, CodeDeleter>> Translator::run(uint32_t func_index) {
  std::unique_ptr<Code, CodeDeleter> code(new Code);
  code_ = code.get();
  code_->func_index = func_index;
  const FuncType& type = m_.types[fn_.type_index];

  // Locals: parameters first, v128 taking two slots.
  uint32_t slot = 0;
  for (ValType t : type.params) {
    local_slots_.push_back(slot);
    local_types_.push_back(t.kind());
    slot += slot_count(t);
  }
  code_->num_param_slots = slot;
  for (ValType t : fn_.locals) {
    local_slots_.push_back(slot);
    local_types_.push_back(t.kind());
    slot += slot_count(t);
  }
  L_ = slot;
  code_->num_local_slots = L_;
  code_->num_result_slots = slots_of(type.results);
  local_refs_.assign(L_, 0);
  max_slots_ = std::max(L_ + 1, std::max(code_->num_param_slots, code_->num_result_slots));

  KUMO_TRY(Body body, decode_expr(m_.code(fn_), fn_.code_offset));
  body_ = &body;
  uint32_t ntries = 0;
  for (const Instr& in : body.instrs) ntries += in.op == Op::Try;
  stack_base_ = L_ + 1 + ntries;
  max_slots_ = std::max(max_slots_, stack_base_);
  cur_offset_ = fn_.code_offset;

  assigned_.assign(local_slots_.size(), false);
  need_zero_.assign(local_slots_.size(), false);

  Ctl f;
  f.kind = Ctl::Func;
  f.base_slot = stack_base_;
  f.results = type.results;
  ctls_.push_back(std::move(f));

  // Nesting depth of blocks being skipped as unreachable.
  uint32_t skip = 0;
  for (const Instr& in : body.instrs) {
    cur_offset_ = in.offset;
    if (ctls_.empty()) break;
    if (ctls_.back().unreachable) {
      switch (in.op) {
        case Op::Block:
        case Op::Loop:
        case Op::If:
        case Op::TryTable:
        case Op::Try: ++skip; continue;
        case Op::Else:
        case Op::Catch:
        case Op::CatchAll:
          if (skip == 0) break;
          continue;
        case Op::End:
        case Op::Delegate:  // delegate closes its try like end
          if (skip == 0) break;
          --skip;
          continue;
        default: continue;
      }
    }
    if (prefix_ && ends_prefix(in.op)) prefix_ = false;
    KUMO_CHECK(instr(in));
  }
  zero_prologue();
  code_->max_slots = max_slots_ + 2;
  if (dump_) dump();
  code_->code = std::move(out_);
  code_->entry[0].store(code_->code.data(), std::memory_order_release);
  for (size_t h = 0; h < handlers_.size(); ++h) {
    handlers_[h].first_catch = uint32_t(code_->catches.size());
    handlers_[h].num_catches = uint32_t(handler_catches_[h].size());
    code_->catches.insert(code_->catches.end(), handler_catches_[h].begin(),
                          handler_catches_[h].end());
  }
  code_->handlers = std::move(handlers_);
  return code;
}

}  // namespace

Expected<std::unique_ptr<Code, CodeDeleter>> translate(const Module& module, uint32_t defined_index,
                                                       std::span<const uint32_t> type_ids) {
  if (defined_index >= module.functions.size()) {
    return err("interpreter: function {} out of range", defined_index);
  }
  Translator t(module, defined_index, type_ids);
  return t.run(module.num_imported_funcs + defined_index);
}

void destroy_code(Code* code) { delete code; }

}  // namespace kumo::wasm::interp
