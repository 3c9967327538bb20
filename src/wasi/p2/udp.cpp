// wasi:sockets udp and udp-create-socket: non-blocking host datagram sockets. Binding, and every
// remote address (stream's connect address, each unconnected send), must pass the NetworkPolicy.
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>

#include "wasi/p2/net.hpp"

namespace kumo::wasi::p2::net {

namespace {

constexpr size_t kMaxDatagram = 65535;

struct UdpSocket : HostObject {
  enum State : uint8_t { Unbound, BindStarted, Bound };
  std::shared_ptr<SharedFd> fd;
  Family family = kIpv4;
  State state = Unbound;
  std::optional<SockAddr> remote;  // set by stream(some(addr))
  uint32_t generation = 0;         // stream() calls: older datagram streams stop working
};

// Datagram streams refer to their socket through the table's parent link.
struct IncomingDatagrams : HostObject {
  UdpSocket* socket;
  uint32_t generation;
  IncomingDatagrams(UdpSocket* s) : socket(s), generation(s->generation) {}
};
struct OutgoingDatagrams : HostObject {
  UdpSocket* socket;
  uint32_t generation;
  uint64_t permitted = 0;  // what check-send granted
  OutgoingDatagrams(UdpSocket* s) : socket(s), generation(s->generation) {}
};

}  // namespace

void add_udp(rt::Linker& linker, const WasiTypes& t) {
  rt::ResourceType* udp_t = t.udp_socket.get();
  rt::ResourceType* in_t = t.incoming_datagram_stream.get();
  rt::ResourceType* out_t = t.outgoing_datagram_stream.get();
  rt::ResourceType* pollable_t = t.pollable.get();

  linker.instance(versioned("wasi:sockets/udp-create-socket"))
      .func(
          "create-udp-socket", KUMO_P2_FN {
            auto s = std::make_unique<UdpSocket>();
            if (p[0].index > kIpv6) {
              out.push_back(err(kNotSupported));
              return {};
            }
            s->family = Family(p[0].index);
            int fd = ::socket(s->family == kIpv6 ? AF_INET6 : AF_INET,
                              SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (fd < 0) {
              out.push_back(last_err());
              return {};
            }
            if (s->family == kIpv6) {
              int one = 1;
              ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
            }
            s->fd = std::make_shared<SharedFd>(fd);
            out.push_back(Val::ok(own_val(udp_t, table_of(call).push(std::move(s)))));
            return {};
          });

  rt::LinkerInstance& udp = linker.instance(versioned("wasi:sockets/udp"));
  udp.resource("udp-socket", udp_t);
  udp.resource("incoming-datagram-stream", in_t);
  udp.resource("outgoing-datagram-stream", out_t);
  auto method = [&udp](const std::string& name, auto body) {
    udp.func("[method]udp-socket." + name,
             [body](rt::HostCall& call, std::span<const Val> p,
                    std::vector<Val>& out) -> rt::Trapping<void> {
               KUMO_TRY(UdpSocket * s, self<UdpSocket>(call, p[0], "udp-socket"));
               out.push_back(body(call, *s, p));
               return {};
             });
  };
  using S = UdpSocket;

  method("start-bind", [](rt::HostCall& call, S& s, std::span<const Val> p) {
    if (s.state != S::Unbound) return err(kInvalidState);
    SockAddr a = from_val(p[2]);
    if (a.family() != s.family) return err(kInvalidArgument);
    if (!policy(call).allows_bind(a.ip(), a.port())) return err(kAccessDenied);
    if (::bind(s.fd->fd, reinterpret_cast<sockaddr*>(&a.ss), a.len) != 0) return last_err();
    s.state = S::BindStarted;
    return Val::ok();
  });
  method("finish-bind", [](rt::HostCall&, S& s, std::span<const Val>) {
    if (s.state != S::BindStarted) return err(kNotInProgress);
    s.state = S::Bound;
    return Val::ok();
  });
  method("stream", [in_t, out_t](rt::HostCall& call, S& s, std::span<const Val> p) {
    if (s.state != S::Bound) return err(kInvalidState);
    if (p[1].index == 1) {
      SockAddr a = from_val(part(p[1], 0));
      if (a.family() != s.family || a.port() == 0 || a.is_unspecified())
        return err(kInvalidArgument);
      if (!policy(call).allows_connect(a.ip(), a.port())) return err(kAccessDenied);
      if (::connect(s.fd->fd, reinterpret_cast<sockaddr*>(&a.ss), a.len) != 0) return last_err();
      s.remote = a;
    } else if (s.remote) {
      sockaddr unspec{};
      unspec.sa_family = AF_UNSPEC;  // disconnect
      ::connect(s.fd->fd, &unspec, sizeof unspec);
      s.remote.reset();
    }
    s.generation++;
    ResourceTable& tab = table_of(call);
    uint32_t self_rep = p[0].handle.rep;
    uint32_t in = tab.push(std::make_unique<IncomingDatagrams>(&s), self_rep);
    uint32_t out = tab.push(std::make_unique<OutgoingDatagrams>(&s), self_rep);
    return Val::ok(Val::tuple({own_val(in_t, in), own_val(out_t, out)}));
  });
  method("local-address", [](rt::HostCall&, S& s, std::span<const Val>) {
    if (s.state != S::Bound) return err(kInvalidState);
    SockAddr a;
    a.len = sizeof a.ss;
    if (::getsockname(s.fd->fd, reinterpret_cast<sockaddr*>(&a.ss), &a.len) != 0) return last_err();
    return Val::ok(to_val(a));
  });
  method("remote-address", [](rt::HostCall&, S& s, std::span<const Val>) {
    if (!s.remote) return err(kInvalidState);
    return Val::ok(to_val(*s.remote));
  });
  method("address-family",
         [](rt::HostCall&, S& s, std::span<const Val>) { return Val::enumeration(s.family); });
  auto get_int = [](int fd, int level, int name, auto conv) {
    int v = 0;
    socklen_t len = sizeof v;
    if (::getsockopt(fd, level, name, &v, &len) != 0) return last_err();
    return Val::ok(conv(v));
  };
  auto set_int = [](int fd, int level, int name, int v) {
    return ::setsockopt(fd, level, name, &v, sizeof v) == 0 ? Val::ok() : last_err();
  };
  method("unicast-hop-limit", [get_int](rt::HostCall&, S& s, std::span<const Val>) {
    auto u8 = [](int v) { return Val::u8(uint8_t(v)); };
    return s.family == kIpv6 ? get_int(s.fd->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, u8)
                             : get_int(s.fd->fd, IPPROTO_IP, IP_TTL, u8);
  });
  method("set-unicast-hop-limit", [set_int](rt::HostCall&, S& s, std::span<const Val> p) {
    if (p[1].u == 0) return err(kInvalidArgument);
    return s.family == kIpv6 ? set_int(s.fd->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, int(p[1].u))
                             : set_int(s.fd->fd, IPPROTO_IP, IP_TTL, int(p[1].u));
  });
  auto u64v = [](int v) { return Val::u64(uint64_t(v)); };
  method("receive-buffer-size", [get_int, u64v](rt::HostCall&, S& s, std::span<const Val>) {
    return get_int(s.fd->fd, SOL_SOCKET, SO_RCVBUF, u64v);
  });
  method("set-receive-buffer-size", [set_int](rt::HostCall&, S& s, std::span<const Val> p) {
    if (p[1].u == 0) return err(kInvalidArgument);
    return set_int(s.fd->fd, SOL_SOCKET, SO_RCVBUF, int(std::min<uint64_t>(p[1].u, INT32_MAX / 2)));
  });
  method("send-buffer-size", [get_int, u64v](rt::HostCall&, S& s, std::span<const Val>) {
    return get_int(s.fd->fd, SOL_SOCKET, SO_SNDBUF, u64v);
  });
  method("set-send-buffer-size", [set_int](rt::HostCall&, S& s, std::span<const Val> p) {
    if (p[1].u == 0) return err(kInvalidArgument);
    return set_int(s.fd->fd, SOL_SOCKET, SO_SNDBUF, int(std::min<uint64_t>(p[1].u, INT32_MAX / 2)));
  });
  method("subscribe", [pollable_t](rt::HostCall& call, S&, std::span<const Val> p) {
    return own_val(pollable_t,
                   table_of(call).push(std::make_unique<ReadyPollable>(), p[0].handle.rep));
  });

  udp.func(
      "[method]incoming-datagram-stream.receive", KUMO_P2_FN {
        KUMO_TRY(IncomingDatagrams * in,
                 self<IncomingDatagrams>(call, p[0], "incoming-datagram-stream"));
        UdpSocket& s = *in->socket;
        if (in->generation != s.generation) {
          out.push_back(err(kInvalidState));
          return {};
        }
        std::vector<Val> items;
        std::vector<uint8_t> buf(kMaxDatagram);
        for (uint64_t i = 0; i < p[1].u && i < 1024; i++) {
          SockAddr from;
          from.len = sizeof from.ss;
          ssize_t n = ::recvfrom(s.fd->fd, buf.data(), buf.size(), 0,
                                 reinterpret_cast<sockaddr*>(&from.ss), &from.len);
          if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
            if (items.empty()) {
              out.push_back(last_err());
              return {};
            }
            break;
          }
          items.push_back(Val::record(
              {bytes_val(std::span<const uint8_t>(buf.data(), size_t(n))), to_val(from)}));
        }
        out.push_back(Val::ok(Val::list(std::move(items))));
        return {};
      });
  udp.func(
      "[method]incoming-datagram-stream.subscribe", KUMO_P2_FN {
        KUMO_TRY(IncomingDatagrams * in,
                 self<IncomingDatagrams>(call, p[0], "incoming-datagram-stream"));
        auto pl = std::make_unique<FdPollable>(in->socket->fd->fd, POLLIN);
        out.push_back(own_val(pollable_t, table_of(call).push(std::move(pl), p[0].handle.rep)));
        return {};
      });
  udp.func(
      "[method]outgoing-datagram-stream.check-send", KUMO_P2_FN {
        KUMO_TRY(OutgoingDatagrams * o,
                 self<OutgoingDatagrams>(call, p[0], "outgoing-datagram-stream"));
        if (o->generation != o->socket->generation) {
          out.push_back(err(kInvalidState));
          return {};
        }
        struct pollfd pfd {
          o->socket->fd->fd, POLLOUT, 0
        };
        o->permitted = ::poll(&pfd, 1, 0) > 0 ? 64 : 0;
        out.push_back(Val::ok(Val::u64(o->permitted)));
        return {};
      });
  udp.func(
      "[method]outgoing-datagram-stream.send", KUMO_P2_FN {
        KUMO_TRY(OutgoingDatagrams * o,
                 self<OutgoingDatagrams>(call, p[0], "outgoing-datagram-stream"));
        UdpSocket& s = *o->socket;
        const std::vector<Val>& ds = p[1].items;
        if (o->generation != s.generation) {
          out.push_back(err(kInvalidState));
          return {};
        }
        if (ds.size() > o->permitted)
          return rt::abi_trap("wasi:sockets/udp: send exceeds check-send");
        uint64_t sent = 0;
        for (const Val& d : ds) {
          std::vector<uint8_t> data = val_bytes(part(d, 0));
          const Val& remote = part(d, 1);
          ssize_t n;
          if (remote.index == 1) {
            SockAddr a = from_val(part(remote, 0));
            if (s.remote && (a.ip() != s.remote->ip() || a.port() != s.remote->port())) {
              if (sent == 0) out.push_back(err(kInvalidArgument));
              break;
            }
            if (a.family() != s.family || a.port() == 0 || a.is_unspecified()) {
              if (sent == 0) out.push_back(err(kInvalidArgument));
              break;
            }
            if (!policy(call).allows_connect(a.ip(), a.port())) {
              if (sent == 0) out.push_back(err(kAccessDenied));
              break;
            }
            n = s.remote ? ::send(s.fd->fd, data.data(), data.size(), 0)
                         : ::sendto(s.fd->fd, data.data(), data.size(), 0,
                                    reinterpret_cast<sockaddr*>(&a.ss), a.len);
          } else {
            if (!s.remote) {
              if (sent == 0) out.push_back(err(kInvalidArgument));
              break;
            }
            n = ::send(s.fd->fd, data.data(), data.size(), 0);
          }
          if (n < 0) {
            if (sent == 0 && errno != EAGAIN) out.push_back(last_err());
            break;
          }
          sent++;
        }
        o->permitted -= std::min<uint64_t>(o->permitted, ds.size());
        if (out.empty()) out.push_back(Val::ok(Val::u64(sent)));
        return {};
      });
  udp.func(
      "[method]outgoing-datagram-stream.subscribe", KUMO_P2_FN {
        KUMO_TRY(OutgoingDatagrams * o,
                 self<OutgoingDatagrams>(call, p[0], "outgoing-datagram-stream"));
        auto pl = std::make_unique<FdPollable>(o->socket->fd->fd, POLLOUT);
        out.push_back(own_val(pollable_t, table_of(call).push(std::move(pl), p[0].handle.rep)));
        return {};
      });
}

}  // namespace kumo::wasi::p2::net
