// fd_readdir: directory listings as packed dirent records with resumable cookies.
//
// A listing is captured once when the guest starts at cookie 0, and entry i's d_next is i + 1,
// so cookies stay valid while the guest pages through with small buffers, and a rewind
// (cookie 0) picks up changes. When the buffer cannot hold the next record, the part that fits is
// written and bufused == buf_len tells the guest to retry with a larger buffer (what the spec
// asks and what wasi-libc does).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <memory>

#include "wasi/preview1/functions.hpp"

namespace kumo::wasi::preview1::fn {
namespace {

Filetype filetype_of_dtype(unsigned char t) {
  switch (t) {
    case DT_BLK: return Filetype::BlockDevice;
    case DT_CHR: return Filetype::CharacterDevice;
    case DT_DIR: return Filetype::Directory;
    case DT_REG: return Filetype::RegularFile;
    case DT_LNK: return Filetype::SymbolicLink;
    case DT_SOCK: return Filetype::SocketStream;
    default: return Filetype::Unknown;
  }
}

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

Result<std::vector<DirEntry>> list_directory(int dir_fd) {
  // A fresh open file description, so the listing has its own position and the guest's
  // descriptor (and its offset) is untouched.
  UniqueFd fd(::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return fail(last_errno());
  std::unique_ptr<DIR, DirCloser> dir(::fdopendir(fd.get()));
  if (!dir) return fail(last_errno());
  fd.release();  // now owned by the DIR
  std::vector<DirEntry> entries;
  for (;;) {
    errno = 0;
    struct dirent* d = ::readdir(dir.get());
    if (!d) break;
    DirEntry e;
    e.ino = d->d_ino;
    e.name = d->d_name;
    e.type = filetype_of_dtype(d->d_type);
    if (d->d_type == DT_UNKNOWN) {  // some file systems do not fill d_type
      struct stat st;
      if (::fstatat(::dirfd(dir.get()), d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
        e.type = filetype_of(st);
    }
    entries.push_back(std::move(e));
  }
  if (errno != 0) return fail(last_errno());
  return entries;
}

}  // namespace

Errno fd_readdir(State& s, M mem, u32 fd, u32 buf, u32 buf_len, u64 cookie, u32 bufused_out) {
  auto e = s.entry(fd, rights::FdReaddir);
  if (!e) return e.error();
  FdEntry& entry = **e;
  if (entry.type != Filetype::Directory) return Errno::NotDir;
  auto out = mem.bytes(buf, buf_len);
  if (!out || !mem.in_bounds(bufused_out, 4)) return Errno::Fault;
  if (cookie == 0 || !entry.listing) {
    auto listing = list_directory(entry.host.get());
    if (!listing) return listing.error();
    entry.listing = std::move(*listing);
  }
  const auto& list = *entry.listing;
  size_t used = 0;
  for (u64 i = cookie; i < list.size() && used < out->size(); ++i) {
    const DirEntry& d = list[i];
    uint8_t header[layout::kDirentSize] = {};
    u64 next = i + 1;
    u32 namlen = static_cast<u32>(d.name.size());
    std::memcpy(header + 0, &next, 8);
    std::memcpy(header + 8, &d.ino, 8);
    std::memcpy(header + 16, &namlen, 4);
    header[20] = static_cast<uint8_t>(d.type);
    size_t n = std::min(sizeof header, out->size() - used);
    std::memcpy(out->data() + used, header, n);
    used += n;
    n = std::min(d.name.size(), out->size() - used);
    std::memcpy(out->data() + used, d.name.data(), n);
    used += n;
  }
  mem.store(bufused_out, static_cast<u32>(used));
  return Errno::Success;
}

}  // namespace kumo::wasi::preview1::fn
