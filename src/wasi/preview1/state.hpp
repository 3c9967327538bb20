// Internal state of a WASI context: the guest's file descriptor table and its arguments.
#pragma once

#include <sys/stat.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "wasi/preview1/abi.hpp"
#include "wasi/preview1/guest_memory.hpp"
#include "wasi/preview1/sandbox.hpp"
#include "wasi/preview1/unique_fd.hpp"
#include "wasi/preview1/wasi.hpp"

namespace kumo::wasi::preview1 {

// One directory entry as fd_readdir reports it.
struct DirEntry {
  uint64_t ino = 0;
  Filetype type = Filetype::Unknown;
  std::string name;
};

struct FdEntry {
  UniqueFd host;
  Filetype type = Filetype::Unknown;
  Rights base = 0;
  Rights inheriting = 0;
  std::optional<std::string> preopen;  // guest name of a pre-opened directory
  // fd_readdir snapshot: taken when a listing starts (cookie 0) so that cookies stay stable
  // while the guest pages through it.
  std::optional<std::vector<DirEntry>> listing;
};

class FdTable {
 public:
  FdEntry* get(uint32_t fd) { return fd < slots_.size() ? slots_[fd].get() : nullptr; }
  // Places `e` at the lowest free number.
  uint32_t insert(FdEntry e);
  void insert_at(uint32_t fd, FdEntry e);
  // Removes and returns the entry (empty when fd is not open).
  std::unique_ptr<FdEntry> take(uint32_t fd);
  uint32_t size() const { return static_cast<uint32_t>(slots_.size()); }

 private:
  std::vector<std::unique_ptr<FdEntry>> slots_;
};

struct Context::State {
  std::vector<std::string> args;
  std::vector<std::string> env;
  Sandbox sandbox;
  FdTable fds;

  // The entry for `fd`, if open and holding every right in `required` (else EBADF/ENOTCAPABLE).
  Result<FdEntry*> entry(uint32_t fd, Rights required);
};
using State = Context::State;

// WASI file type of a stat result; `fd` (optional) tells datagram from stream sockets.
Filetype filetype_of(const struct stat& st, int fd = -1);
// Rights a descriptor of this type can use at most.
Rights max_rights(Filetype type);
// Writes a filestat struct at `ptr`; false when out of bounds.
bool store_filestat(const GuestMemory& mem, uint32_t ptr, const struct stat& st, Filetype type);
// Nanoseconds since the epoch as a WASI timestamp (pre-1970 times clamp to 0).
uint64_t to_timestamp(const struct timespec& ts);

}  // namespace kumo::wasi::preview1
