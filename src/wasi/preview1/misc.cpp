// args, environment, clocks, randomness, scheduling and signals.
#include <sched.h>
#include <sys/random.h>
#include <time.h>

#include <cerrno>
#include <optional>

#include "wasi/preview1/functions.hpp"

namespace kumo::wasi::preview1::fn {
namespace {

// argv/environ layout: an array of `count` u32 pointers and a buffer of NUL-terminated strings.
Errno sizes_get(const std::vector<std::string>& strings, M mem, u32 count_out, u32 size_out) {
  uint64_t size = 0;
  for (auto& s : strings) size += s.size() + 1;
  if (size > UINT32_MAX) return Errno::Overflow;
  if (!mem.in_bounds(count_out, 4) || !mem.in_bounds(size_out, 4)) return Errno::Fault;
  mem.store(count_out, static_cast<u32>(strings.size()));
  mem.store(size_out, static_cast<u32>(size));
  return Errno::Success;
}

Errno strings_get(const std::vector<std::string>& strings, M mem, u32 ptrs, u32 buf) {
  uint64_t size = 0;
  for (auto& s : strings) size += s.size() + 1;
  if (!mem.in_bounds(ptrs, uint64_t(strings.size()) * 4) || !mem.in_bounds(buf, size))
    return Errno::Fault;
  u32 at = buf;
  for (size_t i = 0; i < strings.size(); ++i) {
    mem.store(ptrs + static_cast<u32>(i) * 4, at);
    mem.write(at, strings[i].c_str(), strings[i].size() + 1);
    at += static_cast<u32>(strings[i].size() + 1);
  }
  return Errno::Success;
}

std::optional<clockid_t> host_clock(u32 id) {
  switch (static_cast<ClockId>(id)) {
    case ClockId::Realtime: return CLOCK_REALTIME;
    case ClockId::Monotonic: return CLOCK_MONOTONIC;
    case ClockId::ProcessCputime: return CLOCK_PROCESS_CPUTIME_ID;
    case ClockId::ThreadCputime: return CLOCK_THREAD_CPUTIME_ID;
  }
  return std::nullopt;
}

}  // namespace

Errno args_get(State& s, M mem, u32 argv, u32 argv_buf) {
  return strings_get(s.args, mem, argv, argv_buf);
}
Errno args_sizes_get(State& s, M mem, u32 argc_out, u32 argv_buf_size_out) {
  return sizes_get(s.args, mem, argc_out, argv_buf_size_out);
}
Errno environ_get(State& s, M mem, u32 environ, u32 environ_buf) {
  return strings_get(s.env, mem, environ, environ_buf);
}
Errno environ_sizes_get(State& s, M mem, u32 count_out, u32 buf_size_out) {
  return sizes_get(s.env, mem, count_out, buf_size_out);
}

Errno clock_res_get(State&, M mem, u32 clock_id, u32 res_out) {
  auto clock = host_clock(clock_id);
  if (!clock) return Errno::Inval;
  if (!mem.in_bounds(res_out, 8)) return Errno::Fault;
  struct timespec ts;
  if (::clock_getres(*clock, &ts) != 0) return last_errno();
  mem.store(res_out, to_timestamp(ts));
  return Errno::Success;
}

Errno clock_time_get(State&, M mem, u32 clock_id, u64 /*precision: a hint*/, u32 time_out) {
  auto clock = host_clock(clock_id);
  if (!clock) return Errno::Inval;
  if (!mem.in_bounds(time_out, 8)) return Errno::Fault;
  struct timespec ts;
  if (::clock_gettime(*clock, &ts) != 0) return last_errno();
  mem.store(time_out, to_timestamp(ts));
  return Errno::Success;
}

Errno random_get(State&, M mem, u32 buf, u32 buf_len) {
  auto out = mem.bytes(buf, buf_len);
  if (!out) return Errno::Fault;
  size_t done = 0;
  while (done < out->size()) {
    // getrandom returns at most 32 MiB per call and may be interrupted: loop.
    ssize_t n = ::getrandom(out->data() + done, out->size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_errno();
    }
    done += static_cast<size_t>(n);
  }
  return Errno::Success;
}

Errno sched_yield(State&, M) {
  ::sched_yield();
  return Errno::Success;
}

// Raising a signal in the guest has no meaning for a sandboxed module (and was removed from
// later WASI versions).
Errno proc_raise(State&, M, u32) { return Errno::NoSys; }

Errno to_utimens(u64 atim, u64 mtim, u32 fst_flags, struct timespec out[2]) {
  if (fst_flags & ~u32(fstflags::All)) return Errno::Inval;
  auto one = [](u64 t, bool set, bool now, struct timespec& ts) {
    if (set && now) return false;  // "this time" and "now" at once is contradictory
    if (now) {
      ts = {0, UTIME_NOW};
    } else if (set) {
      ts.tv_sec = static_cast<time_t>(t / 1000000000u);
      ts.tv_nsec = static_cast<long>(t % 1000000000u);
    } else {
      ts = {0, UTIME_OMIT};
    }
    return true;
  };
  if (!one(atim, fst_flags & fstflags::Atim, fst_flags & fstflags::AtimNow, out[0]) ||
      !one(mtim, fst_flags & fstflags::Mtim, fst_flags & fstflags::MtimNow, out[1]))
    return Errno::Inval;
  return Errno::Success;
}

}  // namespace kumo::wasi::preview1::fn
