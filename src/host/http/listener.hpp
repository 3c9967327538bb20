// Listening sockets: parsing "127.0.0.1:8000" / "[::1]:8000" / "localhost:8000", and binding one
// non-blocking listener per worker with SO_REUSEPORT so that the kernel spreads connections
// across the workers' accept queues (no shared acceptor, no lock).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "wasi/preview1/unique_fd.hpp"
#include "wasm/common/expected.hpp"

namespace kumo::host::http {

using UniqueFd = wasi::preview1::UniqueFd;

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;

  uint16_t port() const;
  void set_port(uint16_t port);
  std::string to_string() const;  // "127.0.0.1:8000", "[::1]:8000"
};

// A numeric IPv4 or bracketed IPv6 address, or "localhost", then ":PORT" (0: any free port).
Expected<SocketAddress> parse_address(std::string_view text);

// A non-blocking, close-on-exec listening socket bound to `addr`, with SO_REUSEADDR and (when
// `reuse_port`) SO_REUSEPORT.
Expected<UniqueFd> listen_on(const SocketAddress& addr, bool reuse_port, int backlog = 1024);

// The address a socket is bound to (resolves port 0).
Expected<SocketAddress> local_address(int fd);

}  // namespace kumo::host::http
