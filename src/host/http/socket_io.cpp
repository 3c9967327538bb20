#include "host/http/socket_io.hpp"

#include <limits.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace kumo::host::http {

// Waits until `fd` is ready for `events`; false if the deadline passed first.
static bool wait_ready(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    int timeout = int(std::min<long long>(left.count() + 1, 1000 * 1000));
    int r = ::poll(&p, 1, timeout);
    if (r > 0) return true;  // ready, or an error the next read/write will report
    if (r < 0 && errno != EINTR) return true;
  }
}

Expected<size_t, IoError> read_some(int fd, char* buf, size_t len, Clock::time_point deadline) {
  for (;;) {
    ssize_t n = ::read(fd, buf, len);
    if (n >= 0) return size_t(n);
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return Unexpected{IoError::Closed};
    if (!wait_ready(fd, POLLIN, deadline)) return Unexpected{IoError::Timeout};
  }
}

Expected<void, IoError> write_all(int fd, iovec* iov, int iovcnt, Clock::time_point deadline) {
  while (iovcnt > 0) {
    if (iov->iov_len == 0) {
      iov++, iovcnt--;
      continue;
    }
    // sendmsg rather than writev: MSG_NOSIGNAL, a peer that went away is an error, not SIGPIPE.
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = size_t(std::min(iovcnt, IOV_MAX));
    ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return Unexpected{IoError::Closed};
      if (!wait_ready(fd, POLLOUT, deadline)) return Unexpected{IoError::Timeout};
      continue;
    }
    size_t done = size_t(n);
    while (iovcnt > 0 && done >= iov->iov_len) done -= iov->iov_len, iov++, iovcnt--;
    if (iovcnt > 0) {
      iov->iov_base = static_cast<char*>(iov->iov_base) + done;
      iov->iov_len -= done;
    }
  }
  return {};
}

}  // namespace kumo::host::http
