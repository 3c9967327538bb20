// poll_oneoff: waits for the first of a set of clock deadlines and descriptor readiness events.
//
// Descriptor subscriptions are polled for real with ppoll (regular files are always ready, as
// POSIX has it); clock subscriptions become the ppoll timeout. A relative timeout on a CPU-time
// clock is waited as wall time: the host cannot sleep "until this process used N ns of CPU".
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include "wasi/preview1/functions.hpp"

namespace kumo::wasi::preview1::fn {
namespace {

struct Event {
  u64 userdata = 0;
  Errno error = Errno::Success;
  EventType type = EventType::Clock;
  u64 nbytes = 0;
  uint16_t flags = 0;
};

struct ClockWait {
  u64 userdata;
  u64 remaining_ns;  // from the start of the call
};

struct FdWait {
  u64 userdata;
  EventType type;
  size_t pollfd_index;
  const FdEntry* entry;
};

std::optional<clockid_t> host_clock(u32 id) {
  switch (id) {
    case 0: return CLOCK_REALTIME;
    case 1: return CLOCK_MONOTONIC;
    case 2: return CLOCK_PROCESS_CPUTIME_ID;
    case 3: return CLOCK_THREAD_CPUTIME_ID;
    default: return std::nullopt;
  }
}

u64 now_ns(clockid_t c) {
  struct timespec ts;
  ::clock_gettime(c, &ts);
  return to_timestamp(ts);
}

struct timespec to_timespec(u64 ns) {
  return {static_cast<time_t>(ns / 1000000000u), static_cast<long>(ns % 1000000000u)};
}

// Bytes available to read: the rest of a regular file, or what a pipe/socket/tty holds.
u64 readable_bytes(const FdEntry& e) {
  int fd = e.host.get();
  if (e.type == Filetype::RegularFile) {
    struct stat st;
    off_t pos = ::lseek(fd, 0, SEEK_CUR);
    if (::fstat(fd, &st) == 0 && pos >= 0 && st.st_size > pos) return u64(st.st_size - pos);
    return 0;
  }
  int n = 0;
  if (::ioctl(fd, FIONREAD, &n) == 0 && n > 0) return u64(n);
  return 0;
}

void store_event(M mem, u32 at, const Event& ev) {
  uint8_t buf[layout::kEventSize] = {};
  std::memcpy(buf + 0, &ev.userdata, 8);
  auto err = static_cast<uint16_t>(ev.error);
  std::memcpy(buf + 8, &err, 2);
  buf[10] = static_cast<uint8_t>(ev.type);
  std::memcpy(buf + 16, &ev.nbytes, 8);
  std::memcpy(buf + 24, &ev.flags, 2);
  mem.write(at, buf, sizeof buf);
}

}  // namespace

Errno poll_oneoff(State& s, M mem, u32 in, u32 out, u32 nsubscriptions, u32 nevents_out) {
  if (nsubscriptions == 0) return Errno::Inval;  // would block forever
  if (!mem.in_bounds(in, u64(nsubscriptions) * layout::kSubscriptionSize) ||
      !mem.in_bounds(out, u64(nsubscriptions) * layout::kEventSize) ||
      !mem.in_bounds(nevents_out, 4))
    return Errno::Fault;

  std::vector<Event> events;  // ready (or failed) subscriptions
  std::vector<ClockWait> clocks;
  std::vector<FdWait> fds;
  std::vector<struct pollfd> pollfds;
  std::optional<u64> timeout_ns;

  for (u32 i = 0; i < nsubscriptions; ++i) {
    u32 sub = in + i * layout::kSubscriptionSize;
    u64 userdata = 0;
    uint8_t tag = 0;
    mem.load(sub, userdata);
    mem.load(sub + 8, tag);
    if (tag == static_cast<uint8_t>(EventType::Clock)) {
      u32 id = 0;
      u64 timeout = 0;
      uint16_t flags = 0;
      mem.load(sub + 16, id);
      mem.load(sub + 24, timeout);
      mem.load(sub + 40, flags);
      auto clock = host_clock(id);
      if (!clock) {
        events.push_back({userdata, Errno::Inval, EventType::Clock, 0, 0});
        continue;
      }
      u64 remaining = timeout;
      if (flags & subclockflags::Abstime) {
        u64 now = now_ns(*clock);
        remaining = timeout > now ? timeout - now : 0;
      }
      clocks.push_back({userdata, remaining});
      if (!timeout_ns || remaining < *timeout_ns) timeout_ns = remaining;
    } else if (tag == static_cast<uint8_t>(EventType::FdRead) ||
               tag == static_cast<uint8_t>(EventType::FdWrite)) {
      u32 fd = 0;
      mem.load(sub + 16, fd);
      auto type = static_cast<EventType>(tag);
      auto e = s.entry(fd, rights::PollFdReadwrite);
      if (!e) {
        events.push_back({userdata, e.error(), type, 0, 0});
        continue;
      }
      short what = type == EventType::FdRead ? POLLIN : POLLOUT;
      fds.push_back({userdata, type, pollfds.size(), *e});
      pollfds.push_back({(*e)->host.get(), what, 0});
    } else {
      return Errno::Inval;
    }
  }
  // Something already happened (a failed subscription): report it without waiting.
  if (!events.empty()) timeout_ns = 0;

  u64 start = now_ns(CLOCK_MONOTONIC);
  bool timed_out = false;
  for (;;) {
    u64 elapsed = now_ns(CLOCK_MONOTONIC) - start;
    std::optional<struct timespec> wait;
    if (timeout_ns) wait = to_timespec(*timeout_ns > elapsed ? *timeout_ns - elapsed : 0);
    int r;
    if (!pollfds.empty()) {
      r = ::ppoll(pollfds.data(), pollfds.size(), wait ? &*wait : nullptr, nullptr);
    } else {
      r = wait ? ::clock_nanosleep(CLOCK_MONOTONIC, 0, &*wait, nullptr) : 0;
      if (r != 0) errno = r;  // clock_nanosleep returns the error number
      r = r == 0 ? 0 : -1;
    }
    if (r < 0) {
      if (errno == EINTR) continue;
      return last_errno();
    }
    timed_out = r == 0;
    break;
  }

  for (const FdWait& w : fds) {
    short rev = pollfds[w.pollfd_index].revents;
    if (!rev) continue;
    Event ev{w.userdata, Errno::Success, w.type, 0, 0};
    if (rev & POLLNVAL) {
      ev.error = Errno::Badf;
    } else if ((rev & POLLERR) && !(rev & (POLLIN | POLLOUT))) {
      ev.error = w.type == EventType::FdWrite ? Errno::Pipe : Errno::Io;
    } else {
      if (w.type == EventType::FdRead) ev.nbytes = readable_bytes(*w.entry);
      if (rev & POLLHUP) ev.flags |= eventrwflags::Hangup;
    }
    events.push_back(ev);
  }
  u64 elapsed = now_ns(CLOCK_MONOTONIC) - start;
  for (const ClockWait& c : clocks) {
    // After a timeout the earliest deadline has passed even if our clock read rounds below it.
    if (c.remaining_ns <= elapsed || (timed_out && c.remaining_ns <= *timeout_ns))
      events.push_back({c.userdata, Errno::Success, EventType::Clock, 0, 0});
  }

  for (size_t i = 0; i < events.size(); ++i)
    store_event(mem, out + static_cast<u32>(i) * layout::kEventSize, events[i]);
  mem.store(nevents_out, static_cast<u32>(events.size()));
  return Errno::Success;
}

}  // namespace kumo::wasi::preview1::fn
