// Per-Store execution state of the interpreter: the value stack (frames of 64-bit slots) and the
// control stack (one Frame per active wasm call). Store::exec() creates it on first use.
//
// Re-entrancy: a host function called from wasm may call back into wasm (interp::call); the
// nested activation continues on the same stacks above the caller's frame (stack_top/frame_top
// are moved up while the host function runs).
#pragma once

#include <memory>
#include <vector>

#include "wasm/interp/code.hpp"
#include "wasm/runtime/objects.hpp"

namespace kumo::wasm::interp {

// One active wasm call. `ip` is the return address while this frame is calling out (for the top
// frame it is only meaningful after a trap).
struct Frame {  // standard layout: compiled code pushes frames too
  const uint32_t* ip = nullptr;
  Slot* fp = nullptr;
  FuncInst* func = nullptr;
  Instance* inst = nullptr;
};

// A wasm exception (exception handling): the tag and the payload slots. exnref values point here.
struct Exception : std::enable_shared_from_this<Exception> {
  TagInst* tag = nullptr;
  std::vector<uint64_t> payload;
  bool retained = false;  // in ExecState::exceptions (an exnref to it may exist)
};

struct ExecState {
  explicit ExecState(const Config& config);
  explicit ExecState(Store& store);  // sizes the stacks from the store's engine Config
  ~ExecState();
  ExecState(const ExecState&) = delete;
  ExecState& operator=(const ExecState&) = delete;

  Store* store = nullptr;  // set on each entry

  // Value stack.
  Slot* stack_begin = nullptr;
  Slot* stack_end = nullptr;
  Slot* stack_top = nullptr;  // where the next activation's frame starts

  // Control stack.
  Frame* frames_begin = nullptr;
  Frame* frames_end = nullptr;
  Frame* frame_top = nullptr;  // first free frame

  // State of the running activation, written where a trap or unwinding needs it.
  Frame* cur_frame = nullptr;          // top frame (the dispatch loop keeps it in a register too)
  const uint32_t* trap_ip = nullptr;   // instruction that trapped
  const char* trap_message = nullptr;  // overrides the trap code's default message
  Trap host_trap;                      // trap returned by a host function, or built by a helper
  std::shared_ptr<Exception> pending_exception;  // exception being thrown

  // Exceptions that may be referenced from slots (exnref, or a legacy catch's rethrow slot) stay
  // alive as long as the Store: raw references have no other owner in an interpreter without GC.
  // An exception caught by a plain catch is freed at once.
  std::vector<std::shared_ptr<Exception>> exceptions;

  uint32_t depth = 0;  // nested activations (host -> wasm re-entries; bounded by native stack)

  // Dispatch-loop state used too rarely to deserve a register (execute() keeps only ip, fp,
  // memory 0's base, the instance and the frame pointer in locals). Per activation: saved and
  // restored around host calls.
  Frame* entry_frame = nullptr;  // the activation's first frame
  MemoryInst* mem0 = nullptr;    // memory 0 of the running instance
  int variant = 0;               // Code::entry index: 1 = bounds-checked memory-0 accesses
  JitEnv jit;  // what compiled code reads: the epoch check, the running instance, the stacks
  void reset_jit_env();

  // What a nested activation (a host function calling back into wasm, or a call from compiled
  // code that the interpreter runs) overwrites of the running one: saved before, restored after.
  struct ActivationState {
    Frame* entry_frame;
    MemoryInst* mem0;
    int variant;
    Instance* inst;
  };
  ActivationState save_activation() const { return {entry_frame, mem0, variant, jit.inst}; }
  void restore_activation(const ActivationState& s) {
    entry_frame = s.entry_frame;
    mem0 = s.mem0;
    variant = s.variant;
    jit.set_instance(s.inst);
  }

 private:
  std::unique_ptr<Slot[]> stack_mem_;
  std::unique_ptr<Frame[]> frame_mem_;
};

}  // namespace kumo::wasm::interp
