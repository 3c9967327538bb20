// wasi:sockets network, instance-network, ip-name-lookup, tcp and tcp-create-socket. Sockets are
// real non-blocking host sockets; every bind and connect address must be allowed by the store's
// NetworkPolicy, which denies everything by default (access-denied), as does name lookup.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "wasi/p2/net.hpp"

namespace kumo::wasi::p2 {

namespace net {

Code code_of_errno(int e) {
  switch (e) {
    case EACCES:
    case EPERM: return kAccessDenied;
    case EOPNOTSUPP:
    case EAFNOSUPPORT:
    case EPROTONOSUPPORT: return kNotSupported;
    case EINVAL:
    case EDESTADDRREQ: return kInvalidArgument;
    case ENOMEM:
    case ENOBUFS: return kOutOfMemory;
    case ETIMEDOUT: return kTimeout;
    case EALREADY: return kConcurrencyConflict;
    case EAGAIN:
    case EINPROGRESS: return kWouldBlock;
    case EISCONN:
    case ENOTCONN: return kInvalidState;
    case EMFILE:
    case ENFILE: return kNewSocketLimit;
    case EADDRNOTAVAIL: return kAddressNotBindable;
    case EADDRINUSE: return kAddressInUse;
    case EHOSTUNREACH:
    case ENETUNREACH:
    case ENETDOWN: return kRemoteUnreachable;
    case ECONNREFUSED: return kConnectionRefused;
    case ECONNRESET:
    case EPIPE: return kConnectionReset;
    case ECONNABORTED: return kConnectionAborted;
    case EMSGSIZE: return kDatagramTooLarge;
    default: return kUnknown;
  }
}

uint16_t SockAddr::port() const {
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(ss).sin6_port);
  return ntohs(reinterpret_cast<const sockaddr_in&>(ss).sin_port);
}

std::string SockAddr::ip() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET6)
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(ss).sin6_addr, buf, sizeof buf);
  else
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(ss).sin_addr, buf, sizeof buf);
  return buf;
}

bool SockAddr::is_unspecified() const {
  if (ss.ss_family == AF_INET6)
    return IN6_IS_ADDR_UNSPECIFIED(&reinterpret_cast<const sockaddr_in6&>(ss).sin6_addr);
  return reinterpret_cast<const sockaddr_in&>(ss).sin_addr.s_addr == INADDR_ANY;
}

SockAddr from_val(const Val& v) {
  SockAddr a;
  const Val& r = part(v, 0);
  if (v.index == 0) {
    auto& in = reinterpret_cast<sockaddr_in&>(a.ss);
    in.sin_family = AF_INET;
    in.sin_port = htons(uint16_t(part(r, 0).u));
    uint8_t b[4];
    for (int i = 0; i < 4; i++) b[i] = uint8_t(part(part(r, 1), size_t(i)).u);
    std::memcpy(&in.sin_addr, b, 4);
    a.len = sizeof(sockaddr_in);
  } else {
    auto& in6 = reinterpret_cast<sockaddr_in6&>(a.ss);
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(uint16_t(part(r, 0).u));
    in6.sin6_flowinfo = htonl(uint32_t(part(r, 1).u));
    for (int i = 0; i < 8; i++) {
      uint16_t w = uint16_t(part(part(r, 2), size_t(i)).u);
      in6.sin6_addr.s6_addr[2 * i] = uint8_t(w >> 8);
      in6.sin6_addr.s6_addr[2 * i + 1] = uint8_t(w);
    }
    in6.sin6_scope_id = uint32_t(part(r, 3).u);
    a.len = sizeof(sockaddr_in6);
  }
  return a;
}

Val ip_val(const SockAddr& a) {
  if (a.ss.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(a.ss);
    std::vector<Val> w;
    for (int i = 0; i < 8; i++)
      w.push_back(
          Val::u16(uint16_t(in6.sin6_addr.s6_addr[2 * i] << 8 | in6.sin6_addr.s6_addr[2 * i + 1])));
    return Val::variant(1, Val::tuple(std::move(w)));
  }
  const auto& in = reinterpret_cast<const sockaddr_in&>(a.ss);
  uint8_t b[4];
  std::memcpy(b, &in.sin_addr, 4);
  return Val::variant(0, Val::tuple({Val::u8(b[0]), Val::u8(b[1]), Val::u8(b[2]), Val::u8(b[3])}));
}

Val to_val(const SockAddr& a) {
  Val ip = ip_val(a);
  if (a.ss.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(a.ss);
    return Val::variant(1, Val::record({Val::u16(a.port()), Val::u32(ntohl(in6.sin6_flowinfo)),
                                        ip.payload(), Val::u32(in6.sin6_scope_id)}));
  }
  return Val::variant(0, Val::record({Val::u16(a.port()), ip.payload()}));
}

}  // namespace net

namespace {

using namespace net;

struct TcpSocket : HostObject {
  enum State : uint8_t {
    Unbound,
    BindStarted,
    Bound,
    ListenStarted,
    Listening,
    Connecting,
    ConnectReady,
    Connected,
    Closed,
  };
  std::shared_ptr<SharedFd> fd;
  Family family = kIpv4;
  State state = Unbound;
  uint64_t backlog = 128;
  int connect_error = 0;  // result of a finished connect attempt
};

// Ready when the socket's pending operation can make progress (connect finished, a connection
// waits in accept(), or always in other states).
class TcpPollable final : public Pollable {
 public:
  explicit TcpPollable(TcpSocket* s) : s_(s) {}
  bool ready() override {
    FdWait w = fd_wait();
    if (w.fd < 0) return true;
    struct pollfd p {
      w.fd, w.events, 0
    };
    return ::poll(&p, 1, 0) > 0;
  }
  FdWait fd_wait() override {
    if (s_->state == TcpSocket::Connecting) return {s_->fd->fd, POLLOUT};
    if (s_->state == TcpSocket::Listening) return {s_->fd->fd, POLLIN};
    return {};
  }

 private:
  TcpSocket* s_;
};

int new_socket(Family f, int type) {
  int fd = ::socket(f == kIpv6 ? AF_INET6 : AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd >= 0 && f == kIpv6) {
    int one = 1;  // WASI sockets are never dual-stack
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  }
  return fd;
}

struct ResolveStream : HostObject {
  std::vector<SockAddr> addrs;
  size_t next = 0;
  std::optional<Code> error;
};

Val ok_unit(int r) { return r == 0 ? Val::ok() : last_err(); }

template <class T>
Val get_opt(int fd, int level, int name, auto convert) {
  T v{};
  socklen_t len = sizeof v;
  if (::getsockopt(fd, level, name, &v, &len) != 0) return last_err();
  return Val::ok(convert(v));
}
Val set_int(int fd, int level, int name, int v) {
  return ok_unit(::setsockopt(fd, level, name, &v, sizeof v));
}

}  // namespace

void add_sockets(rt::Linker& linker, const WasiTypes& t) {
  rt::ResourceType* network_t = t.network.get();
  rt::ResourceType* error_t = t.error.get();
  rt::ResourceType* tcp_t = t.tcp_socket.get();
  rt::ResourceType* input_t = t.input_stream.get();
  rt::ResourceType* output_t = t.output_stream.get();
  rt::ResourceType* pollable_t = t.pollable.get();
  rt::ResourceType* resolve_t = t.resolve_address_stream.get();
  (void)error_t;

  rt::LinkerInstance& nw = linker.instance(versioned("wasi:sockets/network"));
  nw.resource("network", network_t);
  nw.func(
      "network-error-code", KUMO_P2_FN {
        IoError* e = table_of(call).get<IoError>(p[0].handle.rep);
        if (!e || e->errno_value == 0)
          out.push_back(Val::option(std::nullopt));
        else
          out.push_back(Val::option(Val::enumeration(code_of_errno(e->errno_value))));
        return {};
      });
  linker.instance(versioned("wasi:sockets/instance-network"))
      .func(
          "instance-network", KUMO_P2_FN {
            out.push_back(own_val(network_t, table_of(call).push(std::make_unique<Network>())));
            return {};
          });

  // ---- ip-name-lookup ----
  rt::LinkerInstance& lookup = linker.instance(versioned("wasi:sockets/ip-name-lookup"));
  lookup.resource("resolve-address-stream", resolve_t);
  lookup.func(
      "resolve-addresses", KUMO_P2_FN {
        const std::string& name = p[1].str;
        if (name.empty() || name.find('\0') != std::string::npos) {
          out.push_back(err(kInvalidArgument));
          return {};
        }
        if (!policy(call).allow_name_lookup) {
          out.push_back(err(kAccessDenied));
          return {};
        }
        // Resolved eagerly (getaddrinfo blocks); the stream then hands the results out.
        auto s = std::make_unique<ResolveStream>();
        struct addrinfo hints {};
        hints.ai_socktype = SOCK_STREAM;
        struct addrinfo* res = nullptr;
        int r = ::getaddrinfo(name.c_str(), nullptr, &hints, &res);
        if (r == EAI_NONAME || r == EAI_NODATA)
          s->error = kNameUnresolvable;
        else if (r == EAI_AGAIN)
          s->error = kTemporaryResolverFailure;
        else if (r != 0)
          s->error = kPermanentResolverFailure;
        for (auto* ai = res; ai; ai = ai->ai_next) {
          SockAddr a;
          std::memcpy(&a.ss, ai->ai_addr, ai->ai_addrlen);
          a.len = ai->ai_addrlen;
          s->addrs.push_back(a);
        }
        if (res) ::freeaddrinfo(res);
        out.push_back(Val::ok(own_val(resolve_t, table_of(call).push(std::move(s)))));
        return {};
      });
  lookup.func(
      "[method]resolve-address-stream.resolve-next-address", KUMO_P2_FN {
        KUMO_TRY(ResolveStream * s, self<ResolveStream>(call, p[0], "resolve-address-stream"));
        if (s->error) {
          out.push_back(err(*s->error));
          s->error.reset();
        } else if (s->next < s->addrs.size()) {
          out.push_back(Val::ok(Val::option(ip_val(s->addrs[s->next++]))));
        } else {
          out.push_back(Val::ok(Val::option(std::nullopt)));
        }
        return {};
      });
  lookup.func(
      "[method]resolve-address-stream.subscribe", KUMO_P2_FN {
        out.push_back(own_val(
            pollable_t, table_of(call).push(std::make_unique<ReadyPollable>(), p[0].handle.rep)));
        return {};
      });

  // ---- tcp ----
  linker.instance(versioned("wasi:sockets/tcp-create-socket"))
      .func(
          "create-tcp-socket", KUMO_P2_FN {
            auto s = std::make_unique<TcpSocket>();
            if (p[0].index > kIpv6) {
              out.push_back(err(kNotSupported));
              return {};
            }
            s->family = Family(p[0].index);
            int fd = new_socket(s->family, SOCK_STREAM);
            if (fd < 0) {
              out.push_back(last_err());
              return {};
            }
            s->fd = std::make_shared<SharedFd>(fd);
            out.push_back(Val::ok(own_val(tcp_t, table_of(call).push(std::move(s)))));
            return {};
          });

  rt::LinkerInstance& tcp = linker.instance(versioned("wasi:sockets/tcp"));
  tcp.resource("tcp-socket", tcp_t);
  auto method = [&tcp](const std::string& name, auto body) {
    tcp.func("[method]tcp-socket." + name,
             [body](rt::HostCall& call, std::span<const Val> p,
                    std::vector<Val>& out) -> rt::Trapping<void> {
               KUMO_TRY(TcpSocket * s, self<TcpSocket>(call, p[0], "tcp-socket"));
               out.push_back(body(call, *s, p));
               return {};
             });
  };
  using S = TcpSocket;
  auto streams = [input_t, output_t](rt::HostCall& call, const std::shared_ptr<SharedFd>& fd) {
    ResourceTable& tab = table_of(call);
    uint32_t in = tab.push(std::make_unique<FdInputStream>(fd));
    uint32_t out = tab.push(std::make_unique<FdOutputStream>(fd, FdOutputStream::Mode::Stream));
    return std::pair{own_val(input_t, in), own_val(output_t, out)};
  };

  method("start-bind", [](rt::HostCall& call, S& s, std::span<const Val> p) {
    if (s.state != S::Unbound) return err(kInvalidState);
    SockAddr a = from_val(p[2]);
    if (a.family() != s.family) return err(kInvalidArgument);
    if (!policy(call).allows_bind(a.ip(), a.port())) return err(kAccessDenied);
    int one = 1;  // a restarted server can bind its port again at once
    ::setsockopt(s.fd->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(s.fd->fd, reinterpret_cast<sockaddr*>(&a.ss), a.len) != 0) return last_err();
    s.state = S::BindStarted;
    return Val::ok();
  });
  method("finish-bind", [](rt::HostCall&, S& s, std::span<const Val>) {
    if (s.state != S::BindStarted) return err(kNotInProgress);
    s.state = S::Bound;
    return Val::ok();
  });
  method("start-connect", [](rt::HostCall& call, S& s, std::span<const Val> p) {
    if (s.state != S::Unbound && s.state != S::Bound) return err(kInvalidState);
    SockAddr a = from_val(p[2]);
    if (a.family() != s.family || a.port() == 0 || a.is_unspecified()) return err(kInvalidArgument);
    if (!policy(call).allows_connect(a.ip(), a.port())) return err(kAccessDenied);
    int r = ::connect(s.fd->fd, reinterpret_cast<sockaddr*>(&a.ss), a.len);
    if (r != 0 && errno != EINPROGRESS) return last_err();
    s.state = S::Connecting;
    return Val::ok();
  });
  method("finish-connect", [streams](rt::HostCall& call, S& s, std::span<const Val>) {
    if (s.state != S::Connecting) return err(kNotInProgress);
    struct pollfd pfd {
      s.fd->fd, POLLOUT, 0
    };
    if (::poll(&pfd, 1, 0) <= 0) return err(kWouldBlock);
    int e = 0;
    socklen_t len = sizeof e;
    ::getsockopt(s.fd->fd, SOL_SOCKET, SO_ERROR, &e, &len);
    if (e != 0) {
      s.state = S::Closed;
      return err(code_of_errno(e));
    }
    s.state = S::Connected;
    auto [in, out] = streams(call, s.fd);
    return Val::ok(Val::tuple({in, out}));
  });
  method("start-listen", [](rt::HostCall&, S& s, std::span<const Val>) {
    if (s.state != S::Bound) return err(kInvalidState);
    if (::listen(s.fd->fd, int(std::min<uint64_t>(s.backlog, 4096))) != 0) return last_err();
    s.state = S::ListenStarted;
    return Val::ok();
  });
  method("finish-listen", [](rt::HostCall&, S& s, std::span<const Val>) {
    if (s.state != S::ListenStarted) return err(kNotInProgress);
    s.state = S::Listening;
    return Val::ok();
  });
  method("accept", [streams, tcp_t](rt::HostCall& call, S& s, std::span<const Val>) {
    if (s.state != S::Listening) return err(kInvalidState);
    int fd;
    do fd = ::accept4(s.fd->fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) return last_err();
    auto c = std::make_unique<TcpSocket>();
    c->fd = std::make_shared<SharedFd>(fd);
    c->family = s.family;
    c->state = S::Connected;
    auto [in, out] = streams(call, c->fd);
    Val sock = own_val(tcp_t, table_of(call).push(std::move(c)));
    return Val::ok(Val::tuple({sock, in, out}));
  });
  method("local-address", [](rt::HostCall&, S& s, std::span<const Val>) {
    if (s.state == S::Unbound || s.state == S::BindStarted) return err(kInvalidState);
    SockAddr a;
    a.len = sizeof a.ss;
    if (::getsockname(s.fd->fd, reinterpret_cast<sockaddr*>(&a.ss), &a.len) != 0) return last_err();
    return Val::ok(to_val(a));
  });
  method("remote-address", [](rt::HostCall&, S& s, std::span<const Val>) {
    if (s.state != S::Connected) return err(kInvalidState);
    SockAddr a;
    a.len = sizeof a.ss;
    if (::getpeername(s.fd->fd, reinterpret_cast<sockaddr*>(&a.ss), &a.len) != 0) return last_err();
    return Val::ok(to_val(a));
  });
  method("is-listening", [](rt::HostCall&, S& s, std::span<const Val>) {
    return Val::boolean(s.state == S::Listening);
  });
  method("address-family",
         [](rt::HostCall&, S& s, std::span<const Val>) { return Val::enumeration(s.family); });
  method("set-listen-backlog-size", [](rt::HostCall&, S& s, std::span<const Val> p) {
    if (p[1].u == 0) return err(kInvalidArgument);
    s.backlog = p[1].u;
    if (s.state == S::Listening || s.state == S::ListenStarted)
      return ok_unit(::listen(s.fd->fd, int(std::min<uint64_t>(s.backlog, 4096))));
    if (s.state == S::Connected || s.state == S::Connecting) return err(kInvalidState);
    return Val::ok();
  });
  method("keep-alive-enabled", [](rt::HostCall&, S& s, std::span<const Val>) {
    return get_opt<int>(s.fd->fd, SOL_SOCKET, SO_KEEPALIVE,
                        [](int v) { return Val::boolean(v != 0); });
  });
  method("set-keep-alive-enabled", [](rt::HostCall&, S& s, std::span<const Val> p) {
    return set_int(s.fd->fd, SOL_SOCKET, SO_KEEPALIVE, p[1].b ? 1 : 0);
  });
  // Durations are nanoseconds in WASI, seconds for the kernel.
  auto secs = [](int v) { return Val::u64(uint64_t(v) * 1000000000u); };
  auto to_secs = [](uint64_t ns) {
    return int(std::clamp<uint64_t>((ns + 999999999u) / 1000000000u, 1, 32767));
  };
  method("keep-alive-idle-time", [secs](rt::HostCall&, S& s, std::span<const Val>) {
    return get_opt<int>(s.fd->fd, IPPROTO_TCP, TCP_KEEPIDLE, secs);
  });
  method("set-keep-alive-idle-time", [to_secs](rt::HostCall&, S& s, std::span<const Val> p) {
    if (p[1].u == 0) return err(kInvalidArgument);
    return set_int(s.fd->fd, IPPROTO_TCP, TCP_KEEPIDLE, to_secs(p[1].u));
  });
  method("keep-alive-interval", [secs](rt::HostCall&, S& s, std::span<const Val>) {
    return get_opt<int>(s.fd->fd, IPPROTO_TCP, TCP_KEEPINTVL, secs);
  });
  method("set-keep-alive-interval", [to_secs](rt::HostCall&, S& s, std::span<const Val> p) {
    if (p[1].u == 0) return err(kInvalidArgument);
    return set_int(s.fd->fd, IPPROTO_TCP, TCP_KEEPINTVL, to_secs(p[1].u));
  });
  method("keep-alive-count", [](rt::HostCall&, S& s, std::span<const Val>) {
    return get_opt<int>(s.fd->fd, IPPROTO_TCP, TCP_KEEPCNT,
                        [](int v) { return Val::u32(uint32_t(v)); });
  });
  method("set-keep-alive-count", [](rt::HostCall&, S& s, std::span<const Val> p) {
    if (p[1].u == 0) return err(kInvalidArgument);
    return set_int(s.fd->fd, IPPROTO_TCP, TCP_KEEPCNT, int(std::min<uint64_t>(p[1].u, 127)));
  });
  method("hop-limit", [](rt::HostCall&, S& s, std::span<const Val>) {
    auto u8 = [](int v) { return Val::u8(uint8_t(v)); };
    return s.family == kIpv6 ? get_opt<int>(s.fd->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, u8)
                             : get_opt<int>(s.fd->fd, IPPROTO_IP, IP_TTL, u8);
  });
  method("set-hop-limit", [](rt::HostCall&, S& s, std::span<const Val> p) {
    if (p[1].u == 0) return err(kInvalidArgument);
    return s.family == kIpv6 ? set_int(s.fd->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, int(p[1].u))
                             : set_int(s.fd->fd, IPPROTO_IP, IP_TTL, int(p[1].u));
  });
  auto u64v = [](int v) { return Val::u64(uint64_t(v)); };
  auto clamp_buf = [](uint64_t v) { return int(std::min<uint64_t>(v, INT32_MAX / 2)); };
  method("receive-buffer-size", [u64v](rt::HostCall&, S& s, std::span<const Val>) {
    return get_opt<int>(s.fd->fd, SOL_SOCKET, SO_RCVBUF, u64v);
  });
  method("set-receive-buffer-size", [clamp_buf](rt::HostCall&, S& s, std::span<const Val> p) {
    if (p[1].u == 0) return err(kInvalidArgument);
    return set_int(s.fd->fd, SOL_SOCKET, SO_RCVBUF, clamp_buf(p[1].u));
  });
  method("send-buffer-size", [u64v](rt::HostCall&, S& s, std::span<const Val>) {
    return get_opt<int>(s.fd->fd, SOL_SOCKET, SO_SNDBUF, u64v);
  });
  method("set-send-buffer-size", [clamp_buf](rt::HostCall&, S& s, std::span<const Val> p) {
    if (p[1].u == 0) return err(kInvalidArgument);
    return set_int(s.fd->fd, SOL_SOCKET, SO_SNDBUF, clamp_buf(p[1].u));
  });
  method("subscribe", [pollable_t](rt::HostCall& call, S& s, std::span<const Val> p) {
    return own_val(pollable_t,
                   table_of(call).push(std::make_unique<TcpPollable>(&s), p[0].handle.rep));
  });
  method("shutdown", [](rt::HostCall&, S& s, std::span<const Val> p) {
    if (s.state != S::Connected) return err(kInvalidState);
    int how = p[1].index == 0 ? SHUT_RD : p[1].index == 1 ? SHUT_WR : SHUT_RDWR;
    return ok_unit(::shutdown(s.fd->fd, how));
  });

  add_udp(linker, t);
}

}  // namespace kumo::wasi::p2
