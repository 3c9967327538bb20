// sock_*: preview1 can only use sockets it was handed (e.g. an embedder passing a socket as a
// stdio descriptor); it cannot create or connect any. Non-sockets get ENOTSOCK.
#include <sys/socket.h>

#include <cerrno>

#include "wasi/preview1/functions.hpp"
#include "wasi/preview1/iovecs.hpp"

namespace kumo::wasi::preview1::fn {
namespace {

bool is_socket(const FdEntry& e) {
  return e.type == Filetype::SocketStream || e.type == Filetype::SocketDgram;
}

Result<FdEntry*> socket_entry(State& s, u32 fd, Rights required) {
  auto e = s.entry(fd, 0);
  if (!e) return e;
  if (!is_socket(**e)) return fail(Errno::NotSock);
  if (((*e)->base & required) != required) return fail(Errno::NotCapable);
  return e;
}

}  // namespace

Errno sock_accept(State& s, M mem, u32 fd, u32 flags, u32 fd_out) {
  auto e = socket_entry(s, fd, rights::SockAccept);
  if (!e) return e.error();
  if (flags & ~u32(fdflags::Nonblock)) return Errno::Inval;
  if (!mem.in_bounds(fd_out, 4)) return Errno::Fault;
  int type = SOCK_CLOEXEC | ((flags & fdflags::Nonblock) ? SOCK_NONBLOCK : 0);
  int c;
  do {
    c = ::accept4((*e)->host.get(), nullptr, nullptr, type);
  } while (c < 0 && errno == EINTR);
  if (c < 0) return last_errno();
  FdEntry conn;
  conn.host = UniqueFd(c);
  conn.type = Filetype::SocketStream;
  conn.base = max_rights(conn.type);
  mem.store(fd_out, s.fds.insert(std::move(conn)));
  return Errno::Success;
}

Errno sock_recv(State& s, M mem, u32 fd, u32 ri_data, u32 ri_data_len, u32 ri_flags,
                u32 ro_datalen_out, u32 ro_flags_out) {
  auto e = socket_entry(s, fd, rights::FdRead);
  if (!e) return e.error();
  constexpr u32 kPeek = 1, kWaitAll = 2, kTruncated = 1;
  if (ri_flags & ~(kPeek | kWaitAll)) return Errno::Inval;
  if (!mem.in_bounds(ro_datalen_out, 4) || !mem.in_bounds(ro_flags_out, 2)) return Errno::Fault;
  std::vector<struct iovec> iov;
  if (Errno err = load_iovecs(mem, ri_data, ri_data_len, iov); err != Errno::Success) return err;
  struct msghdr msg {};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = iov.size();
  int flags = ((ri_flags & kPeek) ? MSG_PEEK : 0) | ((ri_flags & kWaitAll) ? MSG_WAITALL : 0);
  ssize_t n;
  do {
    n = ::recvmsg((*e)->host.get(), &msg, flags);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return last_errno();
  mem.store(ro_datalen_out, static_cast<u32>(n));
  mem.store(ro_flags_out, static_cast<uint16_t>((msg.msg_flags & MSG_TRUNC) ? kTruncated : 0));
  return Errno::Success;
}

Errno sock_send(State& s, M mem, u32 fd, u32 si_data, u32 si_data_len, u32 si_flags,
                u32 so_datalen_out) {
  auto e = socket_entry(s, fd, rights::FdWrite);
  if (!e) return e.error();
  if (si_flags != 0) return Errno::Inval;  // preview1 defines no send flags
  if (!mem.in_bounds(so_datalen_out, 4)) return Errno::Fault;
  std::vector<struct iovec> iov;
  if (Errno err = load_iovecs(mem, si_data, si_data_len, iov); err != Errno::Success) return err;
  struct msghdr msg {};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = iov.size();
  ssize_t n;
  do {
    n = ::sendmsg((*e)->host.get(), &msg, MSG_NOSIGNAL);  // EPIPE, not a host SIGPIPE
  } while (n < 0 && errno == EINTR);
  if (n < 0) return last_errno();
  mem.store(so_datalen_out, static_cast<u32>(n));
  return Errno::Success;
}

Errno sock_shutdown(State& s, M, u32 fd, u32 how) {
  auto e = socket_entry(s, fd, rights::SockShutdown);
  if (!e) return e.error();
  constexpr u32 kRd = 1, kWr = 2;
  int h;
  switch (how) {
    case kRd: h = SHUT_RD; break;
    case kWr: h = SHUT_WR; break;
    case kRd | kWr: h = SHUT_RDWR; break;
    default: return Errno::Inval;
  }
  if (::shutdown((*e)->host.get(), h) != 0) return last_errno();
  return Errno::Success;
}

}  // namespace kumo::wasi::preview1::fn
