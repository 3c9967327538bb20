// Path resolution confined to a directory: the guest's only way to name host files.
//
// Every guest path is resolved relative to a directory descriptor `base` (a pre-opened directory
// or one opened through it) and may never leave base's tree: not by "..", not by an absolute
// path, not through a symlink (absolute targets are refused, relative ones are followed only
// while they stay beneath base), and not by racing renames against the resolution.
//
// Two implementations with the same results:
//  - openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS): the kernel enforces confinement
//  (Linux 5.6+).
//  - portable: a component-by-component walk that opens each directory with O_NOFOLLOW, reads
//    symlinks through the descriptor it opened (no check-then-use race) and expands them itself,
//    and implements ".." by popping its own stack of opened directories (never the kernel's "..").
// Escapes fail with ENOTCAPABLE.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "wasi/preview1/abi.hpp"
#include "wasi/preview1/unique_fd.hpp"
#include "wasm/common/expected.hpp"

namespace kumo::wasi::preview1 {

template <typename T>
using Result = Expected<T, Errno>;
inline Unexpected<Errno> fail(Errno e) { return Unexpected<Errno>{e}; }

enum class PathResolver : uint8_t {
  Auto,      // openat2 when the kernel supports it, else portable
  Openat2,   // openat2 only (fails with ENOSYS on kernels without it)
  Portable,  // never openat2
};

// True when this kernel implements openat2 with RESOLVE_BENEATH (probed once).
bool openat2_supported();

// The directory holding a path's final component, and that component.
struct ParentDir {
  UniqueFd owned;               // invalid when the parent is `base` itself
  int fd = -1;                  // owned.get() or base
  std::string name;             // one component, never empty, no '/'; "." for paths like "a/.."
  bool trailing_slash = false;  // the path ended in '/': its target must be a directory
};

class Sandbox {
 public:
  explicit Sandbox(PathResolver mode = PathResolver::Auto);

  bool uses_openat2() const { return openat2_; }

  // openat(base, path, flags, mode) confined beneath base. O_CLOEXEC is always added;
  // follow_final=false adds O_NOFOLLOW (a final symlink then fails with ELOOP).
  Result<UniqueFd> open(int base, std::string_view path, int flags, mode_t mode,
                        bool follow_final) const;

  // Resolves every component but the last (and, with follow_final, also a final symlink chain),
  // for the *at() calls that act on a name: mkdirat, unlinkat, renameat, linkat, symlinkat,
  // readlinkat, fstatat/utimensat with AT_SYMLINK_NOFOLLOW.
  Result<ParentDir> parent(int base, std::string_view path, bool follow_final) const;

 private:
  bool openat2_;
};

// readlinkat(dir, name) of any length; EINVAL when name is not a symlink.
Result<std::string> read_link(int dir, const char* name);

}  // namespace kumo::wasi::preview1
