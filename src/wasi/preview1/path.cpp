// path_*: every operation resolves its guest path through the Sandbox (confined beneath the
// directory descriptor it is relative to) and then acts with the *at() call on the resolved
// parent directory and a single-component name, never re-resolving a path on the host.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "wasi/preview1/functions.hpp"

namespace kumo::wasi::preview1::fn {
namespace {

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else
      return false;
    if (i + n >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

// A guest path argument: in bounds (EFAULT), UTF-8 as WASI strings are (EILSEQ), and free of
// NUL bytes, which would silently cut the path short at the host boundary (EINVAL).
Result<std::string> guest_path(M mem, u32 ptr, u32 len) {
  auto bytes = mem.bytes(ptr, len);
  if (!bytes) return fail(Errno::Fault);
  std::string_view sv(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  if (sv.find('\0') != std::string_view::npos) return fail(Errno::Inval);
  if (!valid_utf8(sv)) return fail(Errno::Ilseq);
  return std::string(sv);
}

// The directory descriptor a path is relative to; it must hold `required`.
Result<FdEntry*> dir_entry(State& s, u32 fd, Rights required) {
  auto e = s.entry(fd, 0);
  if (!e) return e;
  if ((*e)->type != Filetype::Directory) return fail(Errno::NotDir);
  if (((*e)->base & required) != required) return fail(Errno::NotCapable);
  return e;
}

bool ends_with_slash(const std::string& p) { return !p.empty() && p.back() == '/'; }

constexpr Rights kWriteRights = rights::FdWrite | rights::FdAllocate | rights::FdFilestatSetSize;
constexpr Rights kReadRights = rights::FdRead | rights::FdReaddir;

}  // namespace

Errno path_open(State& s, M mem, u32 fd, u32 dirflags, u32 path, u32 path_len, u32 oflags,
                u64 rights_base, u64 rights_inheriting, u32 fdflags_in, u32 fd_out) {
  if (oflags & ~u32(oflags::All)) return Errno::Inval;
  if (fdflags_in & ~u32(fdflags::All)) return Errno::Inval;
  Rights needed = rights::PathOpen;
  if (oflags & oflags::Creat) needed |= rights::PathCreateFile;
  if (oflags & oflags::Trunc) needed |= rights::PathFilestatSetSize;
  auto dir = dir_entry(s, fd, needed);
  if (!dir) return dir.error();
  auto p = guest_path(mem, path, path_len);
  if (!p) return p.error();
  if (!mem.in_bounds(fd_out, 4)) return Errno::Fault;

  // Rights are granted as asked, limited to what the directory may hand down.
  Rights base = rights_base & (*dir)->inheriting;
  Rights inheriting = rights_inheriting & (*dir)->inheriting;
  // A directory is never opened for writing (the host would refuse with EISDIR): with
  // O_DIRECTORY, write rights asked for are simply not granted.
  if (oflags & oflags::Directory) base &= ~kWriteRights;
  bool read = base & kReadRights, write = base & kWriteRights;
  int flags = (read && write) ? O_RDWR : write ? O_WRONLY : O_RDONLY;
  flags |= O_NOCTTY;
  if (oflags & oflags::Creat) flags |= O_CREAT;
  if (oflags & oflags::Directory) flags |= O_DIRECTORY;
  if (oflags & oflags::Excl) flags |= O_EXCL;
  if (oflags & oflags::Trunc) flags |= O_TRUNC;
  if (fdflags_in & fdflags::Append) flags |= O_APPEND;
  if (fdflags_in & fdflags::Dsync) flags |= O_DSYNC;
  if (fdflags_in & fdflags::Nonblock) flags |= O_NONBLOCK;
  if (fdflags_in & fdflags::Rsync) flags |= O_RSYNC;
  if (fdflags_in & fdflags::Sync) flags |= O_SYNC;
  bool follow = dirflags & lookupflags::SymlinkFollow;

  auto opened = s.sandbox.open((*dir)->host.get(), *p, flags, 0666, follow);
  // Neither reading nor writing asked for (e.g. opened only to stat it): a file we may not read
  // can still be opened as a bare reference.
  if (!opened && opened.error() == Errno::Acces && !read && !write &&
      !(oflags & (oflags::Creat | oflags::Trunc))) {
    opened = s.sandbox.open((*dir)->host.get(), *p, (flags & ~O_ACCMODE) | O_PATH, 0, follow);
  }
  if (!opened) return opened.error();

  struct stat st;
  if (::fstat(opened->get(), &st) != 0) return last_errno();
  FdEntry e;
  e.type = filetype_of(st, opened->get());
  e.base = base & max_rights(e.type);
  e.inheriting = inheriting;
  e.host = std::move(*opened);
  mem.store(fd_out, s.fds.insert(std::move(e)));
  return Errno::Success;
}

Errno path_create_directory(State& s, M mem, u32 fd, u32 path, u32 path_len) {
  auto dir = dir_entry(s, fd, rights::PathCreateDirectory);
  if (!dir) return dir.error();
  auto p = guest_path(mem, path, path_len);
  if (!p) return p.error();
  auto parent = s.sandbox.parent((*dir)->host.get(), *p, false);
  if (!parent) return parent.error();
  if (::mkdirat(parent->fd, parent->name.c_str(), 0777) != 0) return last_errno();
  return Errno::Success;
}

Errno path_remove_directory(State& s, M mem, u32 fd, u32 path, u32 path_len) {
  auto dir = dir_entry(s, fd, rights::PathRemoveDirectory);
  if (!dir) return dir.error();
  auto p = guest_path(mem, path, path_len);
  if (!p) return p.error();
  auto parent = s.sandbox.parent((*dir)->host.get(), *p, false);
  if (!parent) return parent.error();
  if (::unlinkat(parent->fd, parent->name.c_str(), AT_REMOVEDIR) != 0) return last_errno();
  return Errno::Success;
}

Errno path_unlink_file(State& s, M mem, u32 fd, u32 path, u32 path_len) {
  auto dir = dir_entry(s, fd, rights::PathUnlinkFile);
  if (!dir) return dir.error();
  auto p = guest_path(mem, path, path_len);
  if (!p) return p.error();
  auto parent = s.sandbox.parent((*dir)->host.get(), *p, false);
  if (!parent) return parent.error();
  if (parent->trailing_slash) {
    // "name/" can only mean a directory, which unlink_file never removes.
    struct stat st;
    if (::fstatat(parent->fd, parent->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      return last_errno();
    return S_ISDIR(st.st_mode) ? Errno::IsDir : Errno::NotDir;
  }
  if (::unlinkat(parent->fd, parent->name.c_str(), 0) != 0) return last_errno();
  return Errno::Success;
}

Errno path_rename(State& s, M mem, u32 fd, u32 old_path, u32 old_len, u32 new_fd, u32 new_path,
                  u32 new_len) {
  auto from_dir = dir_entry(s, fd, rights::PathRenameSource);
  if (!from_dir) return from_dir.error();
  auto to_dir = dir_entry(s, new_fd, rights::PathRenameTarget);
  if (!to_dir) return to_dir.error();
  auto from = guest_path(mem, old_path, old_len);
  if (!from) return from.error();
  auto to = guest_path(mem, new_path, new_len);
  if (!to) return to.error();
  auto src = s.sandbox.parent((*from_dir)->host.get(), *from, false);
  if (!src) return src.error();
  auto dst = s.sandbox.parent((*to_dir)->host.get(), *to, false);
  if (!dst) return dst.error();
  if (src->trailing_slash || dst->trailing_slash) {
    struct stat st;
    if (::fstatat(src->fd, src->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return last_errno();
    if (!S_ISDIR(st.st_mode)) return Errno::NotDir;
  }
  if (::renameat(src->fd, src->name.c_str(), dst->fd, dst->name.c_str()) != 0) return last_errno();
  return Errno::Success;
}

Errno path_filestat_get(State& s, M mem, u32 fd, u32 flags, u32 path, u32 path_len,
                        u32 filestat_out) {
  auto dir = dir_entry(s, fd, rights::PathFilestatGet);
  if (!dir) return dir.error();
  auto p = guest_path(mem, path, path_len);
  if (!p) return p.error();
  if (!mem.in_bounds(filestat_out, layout::kFilestatSize)) return Errno::Fault;
  // A trailing slash resolves through a final symlink, as it does for stat(2).
  bool follow = (flags & lookupflags::SymlinkFollow) || ends_with_slash(*p);
  auto parent = s.sandbox.parent((*dir)->host.get(), *p, follow);
  if (!parent) return parent.error();
  struct stat st;
  if (::fstatat(parent->fd, parent->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return last_errno();
  if (parent->trailing_slash && !S_ISDIR(st.st_mode)) return Errno::NotDir;
  store_filestat(mem, filestat_out, st, filetype_of(st));
  return Errno::Success;
}

Errno path_filestat_set_times(State& s, M mem, u32 fd, u32 flags, u32 path, u32 path_len, u64 atim,
                              u64 mtim, u32 fst_flags) {
  auto dir = dir_entry(s, fd, rights::PathFilestatSetTimes);
  if (!dir) return dir.error();
  auto p = guest_path(mem, path, path_len);
  if (!p) return p.error();
  struct timespec ts[2];
  if (Errno err = to_utimens(atim, mtim, fst_flags, ts); err != Errno::Success) return err;
  bool follow = (flags & lookupflags::SymlinkFollow) || ends_with_slash(*p);
  auto parent = s.sandbox.parent((*dir)->host.get(), *p, follow);
  if (!parent) return parent.error();
  if (::utimensat(parent->fd, parent->name.c_str(), ts, AT_SYMLINK_NOFOLLOW) != 0)
    return last_errno();
  return Errno::Success;
}

Errno path_readlink(State& s, M mem, u32 fd, u32 path, u32 path_len, u32 buf, u32 buf_len,
                    u32 bufused_out) {
  auto dir = dir_entry(s, fd, rights::PathReadlink);
  if (!dir) return dir.error();
  auto p = guest_path(mem, path, path_len);
  if (!p) return p.error();
  auto out = mem.bytes(buf, buf_len);
  if (!out || !mem.in_bounds(bufused_out, 4)) return Errno::Fault;
  auto parent = s.sandbox.parent((*dir)->host.get(), *p, false);
  if (!parent) return parent.error();
  auto target = read_link(parent->fd, parent->name.c_str());
  if (!target) return target.error();
  // Like readlink(2): a short buffer gets the start of the target.
  size_t n = std::min(target->size(), out->size());
  std::memcpy(out->data(), target->data(), n);
  mem.store(bufused_out, static_cast<u32>(n));
  return Errno::Success;
}

Errno path_symlink(State& s, M mem, u32 old_path, u32 old_len, u32 fd, u32 new_path, u32 new_len) {
  auto dir = dir_entry(s, fd, rights::PathSymlink);
  if (!dir) return dir.error();
  auto target = guest_path(mem, old_path, old_len);
  if (!target) return target.error();
  auto p = guest_path(mem, new_path, new_len);
  if (!p) return p.error();
  // An absolute target could never be followed inside the sandbox, and would point host tools
  // that later follow it anywhere.
  if (!target->empty() && target->front() == '/') return Errno::Perm;
  auto parent = s.sandbox.parent((*dir)->host.get(), *p, false);
  if (!parent) return parent.error();
  if (parent->trailing_slash) {
    // "link/" names a directory that a new symlink can never be.
    struct stat st;
    bool exists = ::fstatat(parent->fd, parent->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
    return exists ? Errno::Exist : Errno::NoEnt;
  }
  if (::symlinkat(target->c_str(), parent->fd, parent->name.c_str()) != 0) return last_errno();
  return Errno::Success;
}

Errno path_link(State& s, M mem, u32 old_fd, u32 old_flags, u32 old_path, u32 old_len, u32 new_fd,
                u32 new_path, u32 new_len) {
  auto from_dir = dir_entry(s, old_fd, rights::PathLinkSource);
  if (!from_dir) return from_dir.error();
  auto to_dir = dir_entry(s, new_fd, rights::PathLinkTarget);
  if (!to_dir) return to_dir.error();
  auto from = guest_path(mem, old_path, old_len);
  if (!from) return from.error();
  auto to = guest_path(mem, new_path, new_len);
  if (!to) return to.error();
  auto src =
      s.sandbox.parent((*from_dir)->host.get(), *from, old_flags & lookupflags::SymlinkFollow);
  if (!src) return src.error();
  auto dst = s.sandbox.parent((*to_dir)->host.get(), *to, false);
  if (!dst) return dst.error();
  if (src->trailing_slash || dst->trailing_slash) return Errno::NotDir;  // hard links to files only
  // Flags 0: never let the kernel follow anything; symlinks were already resolved above.
  if (::linkat(src->fd, src->name.c_str(), dst->fd, dst->name.c_str(), 0) != 0) return last_errno();
  return Errno::Success;
}

}  // namespace kumo::wasi::preview1::fn
