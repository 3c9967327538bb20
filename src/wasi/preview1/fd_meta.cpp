// Descriptor metadata: fdstat (type, flags, rights), filestat (stat, size, times), prestat.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi/preview1/functions.hpp"

namespace kumo::wasi::preview1::fn {
namespace {

// Sync flags are fixed when a file is opened: Linux's F_SETFL ignores them.
constexpr uint16_t kSyncFlags = fdflags::Dsync | fdflags::Rsync | fdflags::Sync;

uint16_t fdflags_of(int host_flags) {
  uint16_t f = 0;
  if (host_flags & O_APPEND) f |= fdflags::Append;
  if (host_flags & O_NONBLOCK) f |= fdflags::Nonblock;
  if (host_flags & O_DSYNC) f |= fdflags::Dsync;
  // O_SYNC is O_DSYNC plus a bit of its own; O_RSYNC equals O_SYNC on Linux.
  if ((host_flags & O_SYNC) == O_SYNC) f |= fdflags::Sync | fdflags::Rsync;
  return f;
}

}  // namespace

Errno fd_fdstat_get(State& s, M mem, u32 fd, u32 fdstat_out) {
  auto e = s.entry(fd, 0);
  if (!e) return e.error();
  auto out = mem.bytes(fdstat_out, layout::kFdstatSize);
  if (!out) return Errno::Fault;
  int fl = ::fcntl((*e)->host.get(), F_GETFL);
  if (fl < 0) return last_errno();
  uint8_t buf[layout::kFdstatSize] = {};
  buf[0] = static_cast<uint8_t>((*e)->type);
  uint16_t flags = fdflags_of(fl);
  std::memcpy(buf + 2, &flags, 2);
  std::memcpy(buf + 8, &(*e)->base, 8);
  std::memcpy(buf + 16, &(*e)->inheriting, 8);
  std::memcpy(out->data(), buf, sizeof buf);
  return Errno::Success;
}

Errno fd_fdstat_set_flags(State& s, M, u32 fd, u32 flags) {
  auto e = s.entry(fd, rights::FdFdstatSetFlags);
  if (!e) return e.error();
  if (flags & ~u32(fdflags::All)) return Errno::Inval;
  int h = (*e)->host.get();
  int fl = ::fcntl(h, F_GETFL);
  if (fl < 0) return last_errno();
  if ((flags & kSyncFlags) != (fdflags_of(fl) & kSyncFlags)) return Errno::NotSup;
  int want = fl & ~(O_APPEND | O_NONBLOCK);
  if (flags & fdflags::Append) want |= O_APPEND;
  if (flags & fdflags::Nonblock) want |= O_NONBLOCK;
  if (::fcntl(h, F_SETFL, want) != 0) return last_errno();
  return Errno::Success;
}

Errno fd_fdstat_set_rights(State& s, M, u32 fd, u64 base, u64 inheriting) {
  auto e = s.entry(fd, 0);
  if (!e) return e.error();
  // Rights can only be dropped, never regained.
  if ((base & ~(*e)->base) || (inheriting & ~(*e)->inheriting)) return Errno::NotCapable;
  (*e)->base = base;
  (*e)->inheriting = inheriting;
  return Errno::Success;
}

Errno fd_filestat_get(State& s, M mem, u32 fd, u32 filestat_out) {
  auto e = s.entry(fd, rights::FdFilestatGet);
  if (!e) return e.error();
  if (!mem.in_bounds(filestat_out, layout::kFilestatSize)) return Errno::Fault;
  struct stat st;
  if (::fstat((*e)->host.get(), &st) != 0) return last_errno();
  store_filestat(mem, filestat_out, st, (*e)->type);
  return Errno::Success;
}

Errno fd_filestat_set_size(State& s, M, u32 fd, u64 size) {
  auto e = s.entry(fd, rights::FdFilestatSetSize);
  if (!e) return e.error();
  if (size > u64(INT64_MAX)) return Errno::Inval;
  int r;
  do {
    r = ::ftruncate((*e)->host.get(), static_cast<off_t>(size));
  } while (r != 0 && errno == EINTR);
  if (r != 0) return last_errno();
  return Errno::Success;
}

Errno fd_filestat_set_times(State& s, M, u32 fd, u64 atim, u64 mtim, u32 fst_flags) {
  auto e = s.entry(fd, rights::FdFilestatSetTimes);
  if (!e) return e.error();
  struct timespec ts[2];
  if (Errno err = to_utimens(atim, mtim, fst_flags, ts); err != Errno::Success) return err;
  if (::futimens((*e)->host.get(), ts) != 0) return last_errno();
  return Errno::Success;
}

Errno fd_prestat_get(State& s, M mem, u32 fd, u32 prestat_out) {
  auto e = s.entry(fd, 0);
  if (!e) return e.error();
  if (!(*e)->preopen) return Errno::Badf;  // wasi-libc scans fds from 3 until EBADF
  if (!mem.in_bounds(prestat_out, layout::kPrestatSize)) return Errno::Fault;
  mem.store(prestat_out, uint32_t(kPreopenTypeDir));  // tag u8 + 3 bytes of padding
  mem.store(prestat_out + 4, static_cast<u32>((*e)->preopen->size()));
  return Errno::Success;
}

Errno fd_prestat_dir_name(State& s, M mem, u32 fd, u32 path, u32 path_len) {
  auto e = s.entry(fd, 0);
  if (!e) return e.error();
  if (!(*e)->preopen) return Errno::Badf;
  const std::string& name = *(*e)->preopen;
  if (path_len < name.size()) return Errno::NameTooLong;
  if (!mem.write(path, name.data(), name.size())) return Errno::Fault;
  return Errno::Success;
}

}  // namespace kumo::wasi::preview1::fn
