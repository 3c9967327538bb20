// Turning hardware faults inside wasm linear-memory reservations into traps.
//
// 32-bit memories reserve 8 GiB of PROT_NONE address space, so loads and stores need no bounds
// check: an access past the accessible size faults. The process-wide SIGSEGV/SIGBUS handler
// checks that the faulting address lies in a registered guard region and that this thread is
// running wasm code (tls_trap_jump != nullptr); then it siglongjmps to the interpreter's entry,
// which reports TrapCode::MemoryOutOfBounds. Any other fault is passed to the previous handler.
#pragma once

#include <csetjmp>
#include <cstddef>

namespace kumo::wasm {

// Installs the handler once per process (idempotent, thread-safe).
void install_trap_handler();

// Registers/unregisters [base, base + len) as a region whose faults are wasm traps.
void register_guard_region(const void* base, size_t len);
void unregister_guard_region(const void* base);
bool in_guard_region(const void* addr);

// Set by the interpreter around execution of wasm code on this thread (nullptr otherwise).
// The handler does siglongjmp(*tls_trap_jump, 1).
extern thread_local sigjmp_buf* tls_trap_jump;

}  // namespace kumo::wasm
