// Confined path resolution; see sandbox.hpp for the guarantees.
#include "wasi/preview1/sandbox.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <deque>
#include <vector>

#ifndef __NR_openat2
#define __NR_openat2 437
#endif

namespace kumo::wasi::preview1 {
namespace {

// Linux's own limits: a path longer than PATH_MAX is refused by every syscall, and more than 40
// symlinks in one resolution is a loop.
constexpr size_t kMaxPath = PATH_MAX;
constexpr int kMaxSymlinks = 40;
constexpr int kOpenat2Retries = 16;  // EAGAIN: a concurrent rename raced a ".." check

bool is_dot(std::string_view c) { return c == "." || c == ".."; }

int raw_openat2(int dir, const char* path, uint64_t flags, uint64_t mode) {
  open_how how{};
  how.flags = flags | O_CLOEXEC;
  // openat2 rejects a mode unless the call creates a file (O_TMPFILE includes O_DIRECTORY).
  bool creates = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
  how.mode = creates ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(syscall(__NR_openat2, dir, path, &how, sizeof how));
}

// openat2 beneath `dir`; EXDEV (an escape attempt) becomes ENOTCAPABLE. Sets `again` when the
// kernel kept reporting EAGAIN, so the caller can fall back to the portable walk.
Result<UniqueFd> openat2_beneath(int dir, const std::string& path, int flags, mode_t mode,
                                 bool& again) {
  again = false;
  for (int attempt = 0; attempt < kOpenat2Retries; ++attempt) {
    int fd = raw_openat2(dir, path.c_str(), static_cast<uint64_t>(flags), mode);
    if (fd >= 0) return UniqueFd(fd);
    if (errno == EINTR || errno == EAGAIN) continue;
    if (errno == EXDEV) return fail(Errno::NotCapable);
    return fail(last_errno());
  }
  again = true;
  return fail(Errno::Again);
}

int openat_retry(int dir, const char* name, int flags, mode_t mode) {
  int fd;
  do {
    fd = ::openat(dir, name, flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

// Common argument checks: Linux refuses over-long paths, and a guest may never name an absolute
// host path.
Errno check_path(std::string_view path) {
  if (path.empty()) return Errno::NoEnt;
  if (path.size() > kMaxPath) return Errno::NameTooLong;
  if (path.front() == '/') return Errno::NotCapable;
  return Errno::Success;
}

// The portable resolver: a stack of directories opened so far (base excluded) and the
// components still to resolve.
class Walker {
 public:
  explicit Walker(int base) : base_(base) {}

  int top() const { return stack_.empty() ? base_ : stack_.back().get(); }
  bool trailing_slash() const { return trailing_; }

  // Queues `path` (the guest path, or a symlink target) in front of what is left.
  Errno push(std::string_view path) {
    if (Errno e = check_path(path); e != Errno::Success) return e;
    bool final = pending_.empty();
    std::vector<std::string> parts;
    size_t i = 0;
    while (i < path.size()) {
      size_t j = path.find('/', i);
      if (j == std::string_view::npos) j = path.size();
      if (j > i) parts.emplace_back(path.substr(i, j - i));
      i = j + 1;
    }
    if (final && path.back() == '/') trailing_ = true;
    pending_.insert(pending_.begin(), parts.begin(), parts.end());
    return Errno::Success;
  }

  // Opens directories until only the final component is left (or none: "a/.." names the
  // directory reached). Symlinks met on the way are expanded.
  Errno descend() {
    while (!pending_.empty()) {
      if (pending_.size() == 1 && !is_dot(pending_.front())) return Errno::Success;
      std::string c = std::move(pending_.front());
      pending_.pop_front();
      if (c == ".") continue;
      if (c == "..") {
        if (stack_.empty()) return Errno::NotCapable;  // would climb out of base
        stack_.pop_back();
        continue;
      }
      // O_PATH|O_NOFOLLOW opens the entry itself, whatever it is, so what we inspect below is
      // exactly what we then use.
      UniqueFd fd(openat_retry(top(), c.c_str(), O_PATH | O_NOFOLLOW, 0));
      if (!fd) return last_errno();
      struct stat st;
      if (::fstat(fd.get(), &st) != 0) return last_errno();
      if (S_ISLNK(st.st_mode)) {
        auto target = read_link(fd.get(), "");
        if (!target) return target.error();
        if (Errno e = expand(*target); e != Errno::Success) return e;
        continue;
      }
      if (!S_ISDIR(st.st_mode)) return Errno::NotDir;
      stack_.push_back(std::move(fd));
    }
    return Errno::Success;
  }

  bool has_final() const { return !pending_.empty(); }
  const std::string& final_name() const { return pending_.front(); }

  // If the final component is a symlink, replaces it with the link's target and returns true.
  Result<bool> expand_final() {
    auto target = read_link(top(), final_name().c_str());
    if (!target) {
      // Not a link (EINVAL), or absent (ENOENT: the caller's operation reports that itself).
      if (target.error() == Errno::Inval || target.error() == Errno::NoEnt) return false;
      return fail(target.error());
    }
    pending_.pop_front();
    if (Errno e = expand(*target); e != Errno::Success) return fail(e);
    return true;
  }

  // Hands the current directory to the caller.
  ParentDir take_parent(std::string name) {
    ParentDir p;
    if (!stack_.empty()) {
      p.owned = std::move(stack_.back());
      stack_.pop_back();
    }
    p.fd = p.owned ? p.owned.get() : base_;
    p.name = std::move(name);
    p.trailing_slash = trailing_;
    return p;
  }

 private:
  Errno expand(const std::string& target) {
    if (++links_ > kMaxSymlinks) return Errno::Loop;
    if (target.empty()) return Errno::NoEnt;
    return push(target);
  }

  int base_;
  std::vector<UniqueFd> stack_;
  std::deque<std::string> pending_;
  int links_ = 0;
  bool trailing_ = false;
};

Result<ParentDir> portable_parent(int base, std::string_view path, bool follow_final) {
  Walker w(base);
  if (Errno e = w.push(path); e != Errno::Success) return fail(e);
  for (;;) {
    if (Errno e = w.descend(); e != Errno::Success) return fail(e);
    if (!w.has_final()) return w.take_parent(".");
    if (follow_final) {
      auto expanded = w.expand_final();
      if (!expanded) return fail(expanded.error());
      if (*expanded) continue;
    }
    return w.take_parent(w.final_name());
  }
}

Result<UniqueFd> portable_open(int base, std::string_view path, int flags, mode_t mode,
                               bool follow_final) {
  Walker w(base);
  if (Errno e = w.push(path); e != Errno::Success) return fail(e);
  for (;;) {
    if (Errno e = w.descend(); e != Errno::Success) return fail(e);
    const char* name = w.has_final() ? w.final_name().c_str() : ".";
    int f = flags | O_NOFOLLOW;
    if (w.trailing_slash()) {
      if (flags & O_CREAT) return fail(Errno::IsDir);  // what Linux says for "new/" + O_CREAT
      f |= O_DIRECTORY;
    }
    int fd = openat_retry(w.top(), name, f, mode);
    if (fd >= 0) return UniqueFd(fd);
    int saved = errno;
    // A final symlink makes O_NOFOLLOW fail with ELOOP (ENOTDIR with O_DIRECTORY); follow it
    // ourselves so that its target is resolved by the same confined walk.
    if (follow_final && w.has_final() && (saved == ELOOP || saved == ENOTDIR || saved == EMLINK)) {
      auto expanded = w.expand_final();
      if (!expanded) return fail(expanded.error());
      if (*expanded) continue;
    }
    return fail(errno_from_host(saved));
  }
}

// Splits "a/b/c" into "a/b" and "c" (trailing slashes already removed).
void split_last(const std::string& path, std::string& dir, std::string& last) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) {
    dir.clear();
    last = path;
  } else {
    dir = path.substr(0, slash);
    last = path.substr(slash + 1);
  }
}

}  // namespace

bool openat2_supported() {
  static const bool supported = [] {
    int fd = raw_openat2(AT_FDCWD, ".", O_PATH | O_DIRECTORY, 0);
    if (fd >= 0) {
      ::close(fd);
      return true;
    }
    return errno != ENOSYS && errno != EPERM;  // EPERM: a seccomp filter refusing it
  }();
  return supported;
}

Result<std::string> read_link(int dir, const char* name) {
  std::string buf(256, '\0');
  for (;;) {
    ssize_t n = ::readlinkat(dir, name, buf.data(), buf.size());
    if (n < 0) return fail(last_errno());
    if (static_cast<size_t>(n) < buf.size()) {
      buf.resize(static_cast<size_t>(n));
      return buf;
    }
    if (buf.size() > kMaxPath * 4) return fail(Errno::NameTooLong);
    buf.resize(buf.size() * 2);  // possibly truncated: retry with more room
  }
}

Sandbox::Sandbox(PathResolver mode)
    : openat2_(mode == PathResolver::Openat2 ||
               (mode == PathResolver::Auto && openat2_supported())) {}

Result<UniqueFd> Sandbox::open(int base, std::string_view path, int flags, mode_t mode,
                               bool follow_final) const {
  if (Errno e = check_path(path); e != Errno::Success) return fail(e);
  // open() ignores flags that mean nothing with O_PATH; openat2 refuses them (EINVAL).
  if (flags & O_PATH) flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  if (openat2_) {
    bool again = false;
    auto fd = openat2_beneath(base, std::string(path), follow_final ? flags : flags | O_NOFOLLOW,
                              mode, again);
    if (!again) return fd;
  }
  return portable_open(base, path, flags, mode, follow_final);
}

Result<ParentDir> Sandbox::parent(int base, std::string_view guest_path, bool follow_final) const {
  if (Errno e = check_path(guest_path); e != Errno::Success) return fail(e);
  if (!openat2_) return portable_parent(base, guest_path, follow_final);

  std::string path(guest_path), dir, last;
  bool trailing = false;
  for (int links = 0;;) {
    while (path.size() > 1 && path.back() == '/') {
      path.pop_back();
      trailing = true;
    }
    if (Errno e = check_path(path); e != Errno::Success) return fail(e);
    split_last(path, dir, last);
    ParentDir p;
    p.trailing_slash = trailing;
    bool again = false;
    if (is_dot(last)) {
      // "a/.." or ".": the directory itself is the subject; its "name" is ".".
      auto fd = openat2_beneath(base, path, O_PATH | O_DIRECTORY, 0, again);
      if (again) return portable_parent(base, guest_path, follow_final);
      if (!fd) return fail(fd.error());
      p.owned = std::move(*fd);
      p.fd = p.owned.get();
      p.name = ".";
      return p;
    }
    if (!dir.empty()) {
      auto fd = openat2_beneath(base, dir, O_PATH | O_DIRECTORY, 0, again);
      if (again) return portable_parent(base, guest_path, follow_final);
      if (!fd) return fail(fd.error());
      p.owned = std::move(*fd);
    }
    p.fd = p.owned ? p.owned.get() : base;
    if (follow_final) {
      auto target = read_link(p.fd, last.c_str());
      if (target) {
        // Re-resolve "dir/target" from base: the kernel then checks the whole way again.
        if (++links > kMaxSymlinks) return fail(Errno::Loop);
        if (target->empty()) return fail(Errno::NoEnt);
        if (target->front() == '/') return fail(Errno::NotCapable);
        if (!dir.empty()) target->insert(0, dir + '/');
        path = std::move(*target);
        continue;
      }
      if (target.error() != Errno::Inval && target.error() != Errno::NoEnt)
        return fail(target.error());
    }
    p.name = std::move(last);
    return p;
  }
}

}  // namespace kumo::wasi::preview1
