// The guest's descriptor table and the stat/rights helpers shared by the fd_* and path_* calls.
#include <sys/socket.h>

#include "wasi/preview1/state.hpp"

namespace kumo::wasi::preview1 {

uint32_t FdTable::insert(FdEntry e) {
  uint32_t fd = 0;
  while (fd < slots_.size() && slots_[fd]) ++fd;  // lowest free number, like POSIX
  insert_at(fd, std::move(e));
  return fd;
}

void FdTable::insert_at(uint32_t fd, FdEntry e) {
  if (fd >= slots_.size()) slots_.resize(fd + 1);
  slots_[fd] = std::make_unique<FdEntry>(std::move(e));
}

std::unique_ptr<FdEntry> FdTable::take(uint32_t fd) {
  if (fd >= slots_.size()) return nullptr;
  auto e = std::move(slots_[fd]);
  while (!slots_.empty() && !slots_.back()) slots_.pop_back();
  return e;
}

Result<FdEntry*> State::entry(uint32_t fd, Rights required) {
  FdEntry* e = fds.get(fd);
  if (!e) return fail(Errno::Badf);
  if ((e->base & required) != required) return fail(Errno::NotCapable);
  return e;
}

Filetype filetype_of(const struct stat& st, int fd) {
  switch (st.st_mode & S_IFMT) {
    case S_IFBLK: return Filetype::BlockDevice;
    case S_IFCHR: return Filetype::CharacterDevice;
    case S_IFDIR: return Filetype::Directory;
    case S_IFREG: return Filetype::RegularFile;
    case S_IFLNK: return Filetype::SymbolicLink;
    case S_IFSOCK: {
      int type = 0;
      socklen_t len = sizeof type;
      if (fd >= 0 && ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_DGRAM)
        return Filetype::SocketDgram;
      return Filetype::SocketStream;
    }
    default: return Filetype::Unknown;  // FIFOs have no WASI file type
  }
}

Rights max_rights(Filetype type) {
  // Data can neither be written to a directory nor sized: those rights are file-only.
  constexpr Rights kFileOnly = rights::FdWrite | rights::FdAllocate | rights::FdFilestatSetSize;
  if (type == Filetype::Directory) return rights::All & ~kFileOnly;
  return rights::All & ~rights::DirectoryOnly;
}

uint64_t to_timestamp(const struct timespec& ts) {
  if (ts.tv_sec < 0) return 0;
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

bool store_filestat(const GuestMemory& mem, uint32_t ptr, const struct stat& st, Filetype type) {
  auto out = mem.bytes(ptr, layout::kFilestatSize);
  if (!out) return false;
  uint8_t buf[layout::kFilestatSize] = {};
  auto put64 = [&](size_t off, uint64_t v) { std::memcpy(buf + off, &v, 8); };
  put64(0, uint64_t(st.st_dev));
  put64(8, uint64_t(st.st_ino));
  buf[16] = static_cast<uint8_t>(type);
  put64(24, uint64_t(st.st_nlink));
  put64(32, uint64_t(st.st_size));
  put64(40, to_timestamp(st.st_atim));
  put64(48, to_timestamp(st.st_mtim));
  put64(56, to_timestamp(st.st_ctim));
  std::memcpy(out->data(), buf, sizeof buf);
  return true;
}

}  // namespace kumo::wasi::preview1
