// The process-wide SIGSEGV/SIGBUS handler that turns faults in guarded linear memories into traps.
//
// The handler may run at any moment on any thread, so it touches only async-signal-safe state:
// a fixed array of atomics (the guard-region registry) and a thread_local pointer. No malloc,
// no locks.
#include "wasm/runtime/trap_handler.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace kumo::wasm {

thread_local sigjmp_buf* tls_trap_jump = nullptr;

namespace {

// ---------------------------------------------------------------------------------------------
// Guard-region registry. Each 32-bit memory reserves ~8 GiB, and x86-64 user space is 128 TiB,
// so at most ~16K reservations can exist at once: a fixed array of that size cannot overflow
// before mmap itself fails.
constexpr size_t kMaxRegions = 16384;

struct Region {
  std::atomic<uintptr_t> base{0};  // 0: free slot
  std::atomic<size_t> len{0};
};
Region g_regions[kMaxRegions];
std::atomic<size_t> g_high_water{0};  // slots [0, g_high_water) may be in use

// ---------------------------------------------------------------------------------------------
// The handler

struct sigaction g_prev_segv;
struct sigaction g_prev_bus;

void chain(int sig, siginfo_t* info, void* context) {
  const struct sigaction& prev = sig == SIGSEGV ? g_prev_segv : g_prev_bus;
  if (prev.sa_flags & SA_SIGINFO) {
    if (prev.sa_sigaction != nullptr) {
      prev.sa_sigaction(sig, info, context);
      return;
    }
  } else if (prev.sa_handler != SIG_DFL && prev.sa_handler != SIG_IGN) {
    prev.sa_handler(sig);
    return;
  }
  // Default action (an ignored SIGSEGV would only refault forever): restore it and re-raise.
  // Returning re-executes a faulting instruction; raise() covers signals sent with kill().
  struct sigaction dfl = {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, nullptr);
  raise(sig);
}

void handle_fault(int sig, siginfo_t* info, void* context) {
  sigjmp_buf* jump = tls_trap_jump;
  if (jump != nullptr && in_guard_region(info->si_addr)) {
    // Installed with SA_NODEFER and an empty sa_mask, so the signal mask is unchanged here and the
    // interpreter may use sigsetjmp(buf, 0) (no sigprocmask system call per entry).
    siglongjmp(*jump, 1);
  }
  chain(sig, info, context);
}

void install_once() {
  struct sigaction sa = {};
  sa.sa_sigaction = handle_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGSEGV, &sa, &g_prev_segv) != 0 || sigaction(SIGBUS, &sa, &g_prev_bus) != 0) {
    std::perror("kumo: sigaction");
    std::abort();
  }
}

// ---------------------------------------------------------------------------------------------
// Per-thread alternate signal stack, so that the handler can still run (and chain to a crash
// reporter) when the fault is a native stack overflow. Freed when the thread exits.
class SignalStack {
 public:
  SignalStack() {
    stack_t current = {};
    if (sigaltstack(nullptr, &current) == 0 && !(current.ss_flags & SS_DISABLE)) return;  // theirs
    size_t page = size_t(sysconf(_SC_PAGESIZE));
    size_ = kStackBytes + page;
    void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return;
    mprotect(p, page, PROT_NONE);  // guard page below the stack
    stack_t ss = {};
    ss.ss_sp = static_cast<uint8_t*>(p) + page;
    ss.ss_size = kStackBytes;
    if (sigaltstack(&ss, nullptr) != 0) {
      munmap(p, size_);
      return;
    }
    mem_ = p;
  }
  ~SignalStack() {
    if (mem_ == nullptr) return;
    stack_t current = {};
    // Only disable the alternate stack if it is still ours (someone may have replaced it).
    if (sigaltstack(nullptr, &current) == 0 &&
        current.ss_sp == static_cast<uint8_t*>(mem_) + (size_ - kStackBytes)) {
      stack_t off = {};
      off.ss_flags = SS_DISABLE;
      sigaltstack(&off, nullptr);
    }
    munmap(mem_, size_);
  }
  SignalStack(const SignalStack&) = delete;
  SignalStack& operator=(const SignalStack&) = delete;

 private:
  static constexpr size_t kStackBytes = 64 * 1024;
  void* mem_ = nullptr;
  size_t size_ = 0;
};

void ensure_signal_stack() { thread_local SignalStack stack; }

}  // namespace

// Idempotent: installs the process-wide handler once, and gives the calling thread an alternate
// signal stack once. Cheap enough to call on every entry into wasm from a host thread.
void install_trap_handler() {
  static std::once_flag once;
  std::call_once(once, install_once);
  ensure_signal_stack();
}

void register_guard_region(const void* base, size_t len) {
  uintptr_t b = reinterpret_cast<uintptr_t>(base);
  for (size_t i = 0; i < kMaxRegions; ++i) {
    Region& r = g_regions[i];
    uintptr_t expected = 0;
    if (r.base.load(std::memory_order_relaxed) != 0) continue;
    // Claim the slot with a placeholder so `len` can be written before the real base is visible.
    if (!r.base.compare_exchange_strong(expected, uintptr_t(1), std::memory_order_acquire)) continue;
    r.len.store(len, std::memory_order_relaxed);
    r.base.store(b, std::memory_order_release);
    size_t hw = g_high_water.load(std::memory_order_relaxed);
    while (hw < i + 1 && !g_high_water.compare_exchange_weak(hw, i + 1, std::memory_order_release)) {
    }
    return;
  }
  std::fputs("kumo: too many guarded memories\n", stderr);
  std::abort();
}

void unregister_guard_region(const void* base) {
  uintptr_t b = reinterpret_cast<uintptr_t>(base);
  size_t hw = g_high_water.load(std::memory_order_acquire);
  for (size_t i = 0; i < hw; ++i) {
    if (g_regions[i].base.load(std::memory_order_relaxed) == b) {
      g_regions[i].base.store(0, std::memory_order_release);
      return;
    }
  }
}

bool in_guard_region(const void* addr) {
  uintptr_t a = reinterpret_cast<uintptr_t>(addr);
  size_t hw = g_high_water.load(std::memory_order_acquire);
  for (size_t i = 0; i < hw; ++i) {
    uintptr_t b = g_regions[i].base.load(std::memory_order_acquire);
    if (b <= 1 || a < b) continue;  // free, or being claimed
    if (a - b < g_regions[i].len.load(std::memory_order_relaxed)) return true;
  }
  return false;
}

}  // namespace kumo::wasm
