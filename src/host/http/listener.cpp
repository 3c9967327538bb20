#include "host/http/listener.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace kumo::host::http {

uint16_t SocketAddress::port() const {
  if (storage.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6&>(storage).sin6_port);
  return ntohs(reinterpret_cast<const sockaddr_in&>(storage).sin_port);
}

void SocketAddress::set_port(uint16_t port) {
  if (storage.ss_family == AF_INET6)
    reinterpret_cast<sockaddr_in6&>(storage).sin6_port = htons(port);
  else
    reinterpret_cast<sockaddr_in&>(storage).sin_port = htons(port);
}

std::string SocketAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (storage.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(storage).sin6_addr, buf, sizeof buf);
    return fmt::format("[{}]:{}", buf, port());
  }
  inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(storage).sin_addr, buf, sizeof buf);
  return fmt::format("{}:{}", buf, port());
}

Expected<SocketAddress> parse_address(std::string_view text) {
  std::string_view host, port_text;
  if (text.starts_with('[')) {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return err("address `{}`: expected [IPV6]:PORT", text);
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return err("address `{}`: expected HOST:PORT", text);
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535)
    return err("address `{}`: bad port `{}`", text, port_text);

  SocketAddress a;
  std::string h(host == "localhost" ? "127.0.0.1" : host.empty() ? "0.0.0.0" : host);
  auto& v4 = reinterpret_cast<sockaddr_in&>(a.storage);
  auto& v6 = reinterpret_cast<sockaddr_in6&>(a.storage);
  if (inet_pton(AF_INET, h.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    a.length = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, h.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    a.length = sizeof(sockaddr_in6);
  } else {
    return err("address `{}`: `{}` is not a numeric IPv4/IPv6 address", text, host);
  }
  a.set_port(uint16_t(port));
  return a;
}

Expected<UniqueFd> listen_on(const SocketAddress& addr, bool reuse_port, int backlog) {
  UniqueFd fd(::socket(addr.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return err("socket: {}", std::strerror(errno));
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (reuse_port && ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
    return err("SO_REUSEPORT: {}", std::strerror(errno));
  if (addr.storage.ss_family == AF_INET6)
    ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr.storage), addr.length) != 0)
    return err("bind {}: {}", addr.to_string(), std::strerror(errno));
  if (::listen(fd.get(), backlog) != 0)
    return err("listen {}: {}", addr.to_string(), std::strerror(errno));
  return fd;
}

Expected<SocketAddress> local_address(int fd) {
  SocketAddress a;
  a.length = sizeof a.storage;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a.storage), &a.length) != 0)
    return err("getsockname: {}", std::strerror(errno));
  return a;
}

}  // namespace kumo::host::http
