// The interpreter's interface to the runtime: translate validated function bodies once into the
// internal threaded code, and execute calls.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "wasm/common/expected.hpp"
#include "wasm/interp/code.hpp"
#include "wasm/module.hpp"
#include "wasm/runtime/objects.hpp"

namespace kumo::wasm::interp {

// Translates defined function `defined_index` of a *validated* module. `type_ids` are the
// Engine's canonical ids of module.types (call_indirect compares them).
Expected<std::unique_ptr<Code, CodeDeleter>> translate(const Module& module, uint32_t defined_index,
                                                       std::span<const uint32_t> type_ids);

// Calls `func` (wasm or host) with arguments in `slots` (laid out as for HostCallback) and writes
// its results to `slots` from index 0. `slots` holds max(params, results) slots.
Expected<void, Trap> call(Store& store, FuncInst* func, uint64_t* slots);

// memory.copy [H, dst, src, n, dst_mem, src_mem] and memory.fill [H, dst, val, n, mem] on the
// frame at `fp`: a TrapCode (out of bounds), or a negative value when they completed.
int op_memory_copy(Instance* inst, Slot* fp, const uint32_t* ip);
int op_memory_fill(Instance* inst, Slot* fp, const uint32_t* ip);

// Calls made by the baseline tier's code: the call instruction at `ip` (call, call_indirect,
// call_ref) of the frame at `fp`, which is the ExecState's current frame. They push the callee's
// frame and run it: directly when it is compiled code of the same instance, else in a nested
// activation of the interpreter (host functions through call_host). Return 0 when the callee
// returned, else CompiledBody's kTrapBit | kRecordedBit | result code, the trap (or uncaught
// exception) recorded in the ExecState as the interpreter records its own.
uint64_t jit_call(JitEnv* env, Slot* fp, const uint32_t* ip);
// A trap of compiled code at `ip`, in the frame that is the ExecState's current one: records it
// and returns the kTrapBit | kRecordedBit | code the code returns.
uint64_t jit_trap(JitEnv* env, const uint32_t* ip, uint32_t code);
uint64_t jit_call_indirect(JitEnv* env, Slot* fp, const uint32_t* ip);
uint64_t jit_call_ref(JitEnv* env, Slot* fp, const uint32_t* ip);

}  // namespace kumo::wasm::interp
