#include "wasm/interp/profiler.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <vector>

#include "wasm/interp/exec_state.hpp"
#include "wasm/runtime/trap_handler.hpp"

namespace kumo::wasm::interp {

namespace {

// One thread's samples: an open-addressing table written only by that thread's signal handler.
struct Bucket {
  const Module* module = nullptr;
  uint32_t func_index = 0;
  uint32_t in_host = 0;  // 1: a host function called by this wasm function was running
  uint64_t count = 0;
  uint64_t stamp = 0;
};
constexpr size_t kBuckets = size_t(1) << 16;
struct ThreadSamples {
  std::unique_ptr<Bucket[]> table{new Bucket[kBuckets]};
  std::unique_ptr<Bucket[]> inclusive{new Bucket[kBuckets]};  // in_host = 2: on the stack
  std::atomic<uint64_t> outside{0};                           // ticks outside any wasm activation
  std::atomic<uint64_t> dropped{0};                           // table full
};

std::mutex g_mutex;
std::vector<std::unique_ptr<ThreadSamples>>& all_threads() {
  static std::vector<std::unique_ptr<ThreadSamples>> v;
  return v;
}

thread_local ExecState* tls_es = nullptr;
thread_local ThreadSamples* tls_samples = nullptr;

bool add(Bucket* table, const Module* m, uint32_t idx, uint32_t in_host, bool once_per_sample,
         uint64_t stamp) {
  size_t h = (reinterpret_cast<uintptr_t>(m) >> 4) * 31 + idx * 2 + in_host;
  for (size_t probe = 0; probe < 64; ++probe) {
    Bucket& b = table[(h + probe) & (kBuckets - 1)];
    if (b.count == 0) {
      b.module = m;
      b.func_index = idx;
      b.in_host = in_host;
    } else if (b.module != m || b.func_index != idx || b.in_host != in_host) {
      continue;
    }
    // Recursion: count a function once per sample (`stamp` marks the sample that last counted).
    if (once_per_sample) {
      if (b.stamp == stamp) return true;
      b.stamp = stamp;
    }
    ++b.count;
    return true;
  }
  return false;
}

thread_local uint64_t tls_stamp = 0;

void on_tick(int, siginfo_t*, void*) {
  ThreadSamples* ts = tls_samples;
  if (ts == nullptr) return;
  ExecState* es = tls_es;
  if (es == nullptr || es->depth == 0 || es->cur_frame == nullptr ||
      es->cur_frame->func == nullptr || es->cur_frame->inst == nullptr) {
    ts->outside.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const FuncInst* f = es->cur_frame->func;
  const Instance* inst = es->cur_frame->inst;
  const Module* m = inst->compiled ? inst->compiled->module.get() : nullptr;
  uint32_t idx = f->func_index;
  // Host functions run with the trap jump cleared (interp.cpp call_host).
  uint32_t in_host = tls_trap_jump == nullptr ? 1 : 0;
  if (!add(ts->table.get(), m, idx, in_host, false, 0)) {
    ts->dropped.fetch_add(1, std::memory_order_relaxed);
  }
  uint64_t stamp = ++tls_stamp;
  for (const Frame* fr = es->frames_begin; fr <= es->cur_frame; ++fr) {
    if (fr->func == nullptr || fr->inst == nullptr) continue;
    const Module* fm = fr->inst->compiled ? fr->inst->compiled->module.get() : nullptr;
    add(ts->inclusive.get(), fm, fr->func->func_index, 2, true, stamp);
  }
}

}  // namespace

bool profiler_enabled() {
  static const bool on = [] {
    const char* v = std::getenv("KUMO_WASM_PROFILE");
    return v != nullptr && *v != '\0' && *v != '0';
  }();
  return on;
}

void profiler_attach(ExecState* es) {
  tls_es = es;
  if (tls_samples != nullptr) return;
  {
    std::lock_guard lock(g_mutex);
    static bool installed = false;
    if (!installed) {
      struct sigaction sa = {};
      sa.sa_sigaction = on_tick;
      sa.sa_flags = SA_SIGINFO | SA_RESTART;
      sigemptyset(&sa.sa_mask);
      sigaction(SIGPROF, &sa, nullptr);
      installed = true;
    }
    all_threads().push_back(std::make_unique<ThreadSamples>());
    tls_samples = all_threads().back().get();
  }
  // A per-thread CPU-time timer, delivered to this thread.
  sigevent sev = {};
  sev.sigev_notify = SIGEV_THREAD_ID;
  sev.sigev_signo = SIGPROF;
  sev._sigev_un._tid = pid_t(syscall(SYS_gettid));
  timer_t timer;
  if (timer_create(CLOCK_THREAD_CPUTIME_ID, &sev, &timer) != 0) return;
  itimerspec its = {};
  its.it_interval.tv_nsec = 1000 * 1000;
  its.it_value.tv_nsec = 1000 * 1000;
  timer_settime(timer, 0, &its, nullptr);
}

void profiler_report(std::FILE* out) {
  if (!profiler_enabled()) return;
  std::lock_guard lock(g_mutex);
  std::map<std::tuple<const Module*, uint32_t, uint32_t>, uint64_t> merged;
  uint64_t total = 0, outside = 0, dropped = 0;
  for (const auto& ts : all_threads()) {
    outside += ts->outside.load();
    dropped += ts->dropped.load();
    for (size_t i = 0; i < kBuckets; ++i) {
      const Bucket& b = ts->table[i];
      if (b.count != 0) {
        merged[{b.module, b.func_index, b.in_host}] += b.count;
        total += b.count;
      }
      const Bucket& c = ts->inclusive[i];
      if (c.count != 0) merged[{c.module, c.func_index, c.in_host}] += c.count;
    }
  }
  std::vector<std::pair<uint64_t, std::tuple<const Module*, uint32_t, uint32_t>>> rows, incl;
  for (const auto& [k, n] : merged) (std::get<2>(k) == 2 ? incl : rows).emplace_back(n, k);
  auto by_count = [](const auto& a, const auto& b) { return a.first > b.first; };
  std::sort(rows.begin(), rows.end(), by_count);
  std::sort(incl.begin(), incl.end(), by_count);
  uint64_t all = total + outside + dropped;
  fmt::print(
      out, "# wasm profile: {} samples (1 ms CPU each): {} in wasm, {} outside wasm, {} dropped\n",
      all, total, outside, dropped);
  for (int pass = 0; pass < 2; ++pass) {
    fmt::print(out, "#  {}%   samples  func  name\n", pass == 0 ? "self" : "incl");
    size_t shown = 0;
    for (const auto& [n, k] : pass == 0 ? rows : incl) {
      if (++shown > 60) break;
      const auto& [m, idx, host] = k;
      std::string name;
      if (m != nullptr) {
        auto it = m->func_names.find(idx);
        if (it != m->func_names.end()) name = it->second;
      }
      fmt::print(out, "{:7.2f} {:9} {:5}  {}{}\n", all ? 100.0 * double(n) / double(all) : 0.0, n,
                 idx, host == 1 ? "[host, called from] " : "", name.empty() ? "?" : name);
    }
  }
  std::fflush(out);
}

}  // namespace kumo::wasm::interp
