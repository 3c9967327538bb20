// Shared pieces of wasi:sockets (sockets.cpp: network, ip-name-lookup, tcp; udp.cpp): the
// error-code mapping, socket addresses as Vals, and the allow-list check.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <optional>
#include <string>

#include "wasi/p2/vals.hpp"
#include "wasi/p2/wasi.hpp"

namespace kumo::wasi::p2::net {

// wasi:sockets/network error-code cases, by index.
// clang-format off
enum Code : uint32_t {
  kUnknown, kAccessDenied, kNotSupported, kInvalidArgument, kOutOfMemory, kTimeout,
  kConcurrencyConflict, kNotInProgress, kWouldBlock, kInvalidState, kNewSocketLimit,
  kAddressNotBindable, kAddressInUse, kRemoteUnreachable, kConnectionRefused, kConnectionReset,
  kConnectionAborted, kDatagramTooLarge, kNameUnresolvable, kTemporaryResolverFailure,
  kPermanentResolverFailure,
};
// clang-format on
Code code_of_errno(int e);
inline Val err(Code c) { return Val::error(Val::enumeration(c)); }
inline Val last_err() { return err(code_of_errno(errno)); }

enum Family : uint32_t { kIpv4 = 0, kIpv6 = 1 };

struct SockAddr {
  sockaddr_storage ss{};
  socklen_t len = 0;
  Family family() const { return ss.ss_family == AF_INET6 ? kIpv6 : kIpv4; }
  uint16_t port() const;
  std::string ip() const;  // "127.0.0.1", "::1"
  bool is_unspecified() const;
};
// ip-socket-address <-> sockaddr
SockAddr from_val(const Val& v);
Val to_val(const SockAddr& a);
// ip-address (no port)
Val ip_val(const SockAddr& a);

// The socket's fd, shared with the streams made from it.
struct Network : HostObject {};

// The policy of the store calling.
inline const NetworkPolicy& policy(rt::HostCall& call) {
  return wasi_view(call.store).wasi().options.network;
}

void add_udp(rt::Linker& linker, const WasiTypes& t);

}  // namespace kumo::wasi::p2::net
