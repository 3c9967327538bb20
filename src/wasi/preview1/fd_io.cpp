// Descriptor I/O and lifetime: read/write (plain and positioned), seek, close, renumber, sync,
// advise, allocate.
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "wasi/preview1/functions.hpp"
#include "wasi/preview1/iovecs.hpp"

namespace kumo::wasi::preview1::fn {
namespace {

// Writing to a pipe or socket whose reader has gone raises SIGPIPE, which would kill the whole
// host process. While a write to such a descriptor is in progress, SIGPIPE is blocked for this
// thread; one the write raised is consumed (unless it was already pending before), so the guest
// just sees EPIPE.
class SigpipeGuard {
 public:
  explicit SigpipeGuard(bool active) : active_(active) {
    if (!active_) return;
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old_);
  }
  ~SigpipeGuard() {
    if (!active_) return;
    if (!was_pending_) {
      sigset_t pipe_only;
      sigemptyset(&pipe_only);
      sigaddset(&pipe_only, SIGPIPE);
      struct timespec zero = {0, 0};
      while (sigtimedwait(&pipe_only, nullptr, &zero) < 0 && errno == EINTR) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  bool active_;
  bool was_pending_ = false;
  sigset_t old_{};
};

bool may_raise_sigpipe(const FdEntry& e) {
  // FIFOs are reported as Unknown.
  return e.type == Filetype::Unknown || e.type == Filetype::SocketStream ||
         e.type == Filetype::SocketDgram;
}

constexpr u64 kMaxOff = INT64_MAX;

template <typename Op>
Errno transfer(State& s, M mem, u32 fd, Rights needed, u32 iovs, u32 iovs_len, u32 count_out,
               bool writing, Op op) {
  auto e = s.entry(fd, needed);
  if (!e) return e.error();
  if (!mem.in_bounds(count_out, 4)) return Errno::Fault;  // checked before any side effect
  std::vector<struct iovec> iov;
  if (Errno err = load_iovecs(mem, iovs, iovs_len, iov); err != Errno::Success) return err;
  SigpipeGuard guard(writing && may_raise_sigpipe(**e));
  ssize_t n;
  do {
    n = op((*e)->host.get(), iov.data(), static_cast<int>(iov.size()));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return last_errno();
  mem.store(count_out, static_cast<u32>(n));
  return Errno::Success;
}

}  // namespace

Errno fd_read(State& s, M mem, u32 fd, u32 iovs, u32 iovs_len, u32 nread_out) {
  return transfer(s, mem, fd, rights::FdRead, iovs, iovs_len, nread_out, false, ::readv);
}

Errno fd_write(State& s, M mem, u32 fd, u32 iovs, u32 iovs_len, u32 nwritten_out) {
  return transfer(s, mem, fd, rights::FdWrite, iovs, iovs_len, nwritten_out, true, ::writev);
}

Errno fd_pread(State& s, M mem, u32 fd, u32 iovs, u32 iovs_len, u64 offset, u32 nread_out) {
  if (offset > kMaxOff) return Errno::Inval;
  return transfer(s, mem, fd, rights::FdRead | rights::FdSeek, iovs, iovs_len, nread_out, false,
                  [offset](int h, const struct iovec* v, int n) {
                    return ::preadv(h, v, n, static_cast<off_t>(offset));
                  });
}

Errno fd_pwrite(State& s, M mem, u32 fd, u32 iovs, u32 iovs_len, u64 offset, u32 nwritten_out) {
  if (offset > kMaxOff) return Errno::Inval;
  return transfer(s, mem, fd, rights::FdWrite | rights::FdSeek, iovs, iovs_len, nwritten_out, true,
                  [offset](int h, const struct iovec* v, int n) {
                    return ::pwritev(h, v, n, static_cast<off_t>(offset));
                  });
}

Errno fd_seek(State& s, M mem, u32 fd, u64 offset, u32 whence, u32 newoffset_out) {
  if (whence > 2) return Errno::Inval;
  int how;
  switch (static_cast<Whence>(whence)) {
    case Whence::Set: how = SEEK_SET; break;
    case Whence::Cur: how = SEEK_CUR; break;
    case Whence::End: how = SEEK_END; break;
    default: return Errno::Inval;
  }
  // Asking for the current position is a "tell" and needs only that right.
  bool tell = offset == 0 && how == SEEK_CUR;
  auto e = s.entry(fd, tell ? rights::FdTell : rights::FdSeek);
  if (!e) return e.error();
  if (!mem.in_bounds(newoffset_out, 8)) return Errno::Fault;
  off_t r = ::lseek((*e)->host.get(), static_cast<off_t>(static_cast<int64_t>(offset)), how);
  if (r < 0) return last_errno();
  mem.store(newoffset_out, static_cast<u64>(r));
  return Errno::Success;
}

Errno fd_tell(State& s, M mem, u32 fd, u32 offset_out) {
  auto e = s.entry(fd, rights::FdTell);
  if (!e) return e.error();
  if (!mem.in_bounds(offset_out, 8)) return Errno::Fault;
  off_t r = ::lseek((*e)->host.get(), 0, SEEK_CUR);
  if (r < 0) return last_errno();
  mem.store(offset_out, static_cast<u64>(r));
  return Errno::Success;
}

Errno fd_close(State& s, M, u32 fd) {
  auto e = s.fds.take(fd);
  if (!e) return Errno::Badf;
  // The descriptor is gone whatever close says; only a real I/O error is worth reporting.
  if (e->host.reset() != 0 && errno == EIO) return Errno::Io;
  return Errno::Success;
}

Errno fd_renumber(State& s, M, u32 fd, u32 to) {
  if (!s.fds.get(fd) || !s.fds.get(to)) return Errno::Badf;
  if (fd == to) return Errno::Success;
  auto moved = s.fds.take(fd);
  s.fds.take(to);  // closes the descriptor being replaced
  s.fds.insert_at(to, std::move(*moved));
  return Errno::Success;
}

Errno fd_sync(State& s, M, u32 fd) {
  auto e = s.entry(fd, rights::FdSync);
  if (!e) return e.error();
  if (::fsync((*e)->host.get()) != 0) return last_errno();
  return Errno::Success;
}

Errno fd_datasync(State& s, M, u32 fd) {
  auto e = s.entry(fd, rights::FdDatasync);
  if (!e) return e.error();
  if (::fdatasync((*e)->host.get()) != 0) return last_errno();
  return Errno::Success;
}

Errno fd_advise(State& s, M, u32 fd, u64 offset, u64 len, u32 advice) {
  auto e = s.entry(fd, rights::FdAdvise);
  if (!e) return e.error();
  if (advice > 5 || offset > kMaxOff || len > kMaxOff) return Errno::Inval;
  int adv;
  switch (static_cast<Advice>(advice)) {
    case Advice::Normal: adv = POSIX_FADV_NORMAL; break;
    case Advice::Sequential: adv = POSIX_FADV_SEQUENTIAL; break;
    case Advice::Random: adv = POSIX_FADV_RANDOM; break;
    case Advice::WillNeed: adv = POSIX_FADV_WILLNEED; break;
    case Advice::DontNeed: adv = POSIX_FADV_DONTNEED; break;
    case Advice::NoReuse: adv = POSIX_FADV_NOREUSE; break;
    default: return Errno::Inval;
  }
  // posix_fadvise returns the error number instead of setting errno.
  int r =
      ::posix_fadvise((*e)->host.get(), static_cast<off_t>(offset), static_cast<off_t>(len), adv);
  return errno_from_host(r);
}

Errno fd_allocate(State& s, M, u32 fd, u64 offset, u64 len) {
  auto e = s.entry(fd, rights::FdAllocate);
  if (!e) return e.error();
  if (offset > kMaxOff || len > kMaxOff) return Errno::Inval;
  if (offset + len > kMaxOff) return Errno::Fbig;
  int r = ::posix_fallocate((*e)->host.get(), static_cast<off_t>(offset), static_cast<off_t>(len));
  return errno_from_host(r);
}

}  // namespace kumo::wasi::preview1::fn
