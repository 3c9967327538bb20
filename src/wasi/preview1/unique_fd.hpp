// UniqueFd: owns one host file descriptor and closes it exactly once.
#pragma once

#include <unistd.h>

#include <utility>

namespace kumo::wasi::preview1 {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) reset(std::exchange(o.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }
  int release() { return std::exchange(fd_, -1); }
  // Closing may report an error (e.g. a deferred NFS write failure); the caller can see it.
  int reset(int fd = -1) {
    int r = 0;
    if (fd_ >= 0) r = ::close(fd_);
    fd_ = fd;
    return r;
  }

 private:
  int fd_ = -1;
};

}  // namespace kumo::wasi::preview1
