// The interpreter's internal code: what translate() produces from a validated function body and
// what the dispatch loop (interp.cpp) executes.
//
// Format: a stream of 32-bit units. Each instruction starts with the address of its handler
// (8 bytes = 2 units, direct threading: dispatch is one load and one indirect jump), followed by
// 32-bit operands. Operands are frame slot indices (relative to the frame pointer), immediates,
// or branch offsets (in units, relative to the start of the branching instruction, so that a
// stream can be copied without relocation).
//
// Frame layout: slots [0, L) hold the locals (parameters first); the wasm operand stack at height
// h (in slots) lives at slot L + h. A v128 takes two consecutive slots, low half first. Calls are
// zero-copy: the callee's frame starts at the caller's first argument slot, and results come back
// at the same place.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "wasm/runtime/objects.hpp"

namespace kumo::wasm::interp {

// One 64-bit frame slot. GCC defines reading a union member other than the last one written
// (type punning through unions), which the handlers rely on: an i32 is the low half of a slot
// (the high half is unspecified), f32 likewise.
union Slot {
  uint32_t u32;
  int32_t i32;
  uint64_t u64;
  int64_t i64;
  float f32;
  double f64;
  void* ref;
};
static_assert(sizeof(Slot) == 8);

// Internal opcodes. The enum only names handlers; the code stream holds handler addresses.
enum class IOp : uint16_t {
#define OP(name) name,
#include "wasm/interp/ops_list.inc"
#undef OP
  Count_
};

// Address of the handler of `op` (from the dispatch loop's label table).
const void* handler_address(IOp op);
// Reverse lookup for debugging and the checked-memory variant; IOp::Count_ if unknown.
IOp handler_op(const void* handler);

struct PcOffset {
  uint32_t pc;      // unit index in the code stream
  uint32_t offset;  // byte offset in the module binary
};

// Exception handling (try_table, and the legacy try/catch/delegate). A handler covers pcs
// [begin_pc, end_pc); handlers are listed in the order their block starts, so the last one
// covering a pc is the innermost. When none of its clauses matches, the search continues with
// `parent`: the enclosing handler, or for `delegate` the handler of the target label (-1: the
// caller's frame).
struct HandlerEntry {
  uint32_t begin_pc = 0, end_pc = 0;
  uint32_t first_catch = 0, num_catches = 0;
  int32_t parent = -1;
};
// One catch clause: when it matches, the payload (then the exnref for the _ref kinds) is written
// to slots from `dst_slot` and execution continues at `pad_pc`, a landing pad that branches to the
// clause's label like `br` would.
struct CatchEntry {
  static constexpr uint32_t kNoSlot = UINT32_MAX;
  uint8_t kind = 0;  // CatchClause::Kind
  uint32_t tag = 0;  // tag index in the module
  uint32_t pad_pc = 0;
  uint32_t dst_slot = 0;
  uint32_t exn_slot = kNoSlot;  // legacy catch: the caught exception is kept here for rethrow
};

// What the running activation shares with compiled code and its helpers (standard layout: the
// machine code reads it at fixed offsets): the interruption check (trap once *epoch >=
// deadline), the instance the code runs in, and the ExecState's stacks, so that compiled code
// pushes the frames of the calls it makes between compiled functions itself.
struct ExecState;
struct Frame;
struct JitEnv {
  const std::atomic<uint64_t>* epoch = nullptr;
  uint64_t deadline = UINT64_MAX;
  Instance* inst = nullptr;
  FuncInst* const* funcs = nullptr;  // inst's function index space
  ExecState* es = nullptr;
  const char* stack_limit = nullptr;  // the native stack's lowest usable address
  Frame** cur_frame = nullptr;        // &es->cur_frame
  Frame* frames_end = nullptr;
  Slot* stack_end = nullptr;

  void set_instance(Instance* i) {
    inst = i;
    funcs = i != nullptr ? i->funcs.data() : nullptr;
  }
};

// Translated code of one defined function. Immutable after translation except for the lazily
// built bounds-checked variant (see entry_checked()).
struct Code {
  std::vector<uint32_t> code;     // the threaded code (32-bit memory 0 accesses unchecked)
  std::vector<PcOffset> offsets;  // sorted by pc: the wasm instruction each pc range came from
  // Positions of memory-0 accesses that rely on guard pages; the checked variant replaces their
  // handlers by explicitly bounds-checking ones (same operand layout).
  std::vector<uint32_t> guarded_sites;
  uint32_t func_index = 0;  // in the module's function index space
  uint32_t num_param_slots = 0;
  uint32_t num_local_slots = 0;  // L: parameters + declared locals
  uint32_t num_result_slots = 0;
  uint32_t max_slots = 0;  // frame size: L + maximal operand stack height (+ call results)
  std::vector<HandlerEntry> handlers;
  std::vector<CatchEntry> catches;

  // The baseline tier's machine code for this function (Config::tier, src/wasm/jit/baseline.hpp),
  // run instead of `code` when memory 0 is guarded; null when not compiled. Arguments: the frame,
  // memory 0's base, the instance's globals and the running activation's JitEnv. Returns what
  // jit::CompiledBody describes: a return, a trap, or an exit to the interpreter at a pc.
  using JitFn = uint64_t(Slot* fp, uint8_t* mem0, GlobalInst* const* globals, JitEnv* env);
  JitFn* jit_fn = nullptr;
  bool jit_complete = false;  // the machine code never exits to the interpreter mid-function
  std::shared_ptr<const void> jit_owner;  // keeps the machine code mapped

  // Entry points: [0] unchecked memory-0 accesses (memory 0 guarded, or no memory), [1] checked.
  mutable std::atomic<const uint32_t*> entry[2] = {nullptr, nullptr};
  const uint32_t* entry_checked() const;  // builds the checked variant on first use

  // Index of `p` in the code stream (p points into either variant).
  uint32_t pc_index(const uint32_t* p) const;
  // Byte offset in the module of the instruction at `p` (which must lie in one of the streams).
  uint32_t wasm_offset(const uint32_t* p) const;

 private:
  mutable std::once_flag checked_once_;
  mutable std::vector<uint32_t> checked_code_;
};

// ref.test / ref.cast: what a non-null reference must be to have the target type. Kumo has no
// structs or arrays, so the non-null values of the `any` hierarchy are exactly the i31 references.
enum class CastKind : uint32_t {
  All,       // any, eq, func, extern, exn: every non-null value of the hierarchy
  Nothing,   // none, nofunc, noextern, noexn, struct, array
  I31,       // i31
  FuncType,  // a concrete function type: FuncInst::type_id must equal the operand type_id
};

inline bool ref_test(void* r, uint32_t kind, uint32_t nullable, uint32_t type_id) {
  if (r == nullptr) return nullable != 0;
  switch (CastKind(kind)) {
    case CastKind::All: return true;
    case CastKind::Nothing: return false;
    case CastKind::I31: return is_i31_ref(r);
    case CastKind::FuncType: return static_cast<const FuncInst*>(r)->type_id == type_id;
  }
  return false;
}

// Reads the handler address stored at `p`.
inline const void* load_handler(const uint32_t* p) {
  const void* h;
  std::memcpy(&h, p, sizeof h);
  return h;
}

}  // namespace kumo::wasm::interp
