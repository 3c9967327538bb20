// wasi:sockets through the host functions: denied by default, and a TCP/UDP round trip on
// loopback once the allow-list permits it.
#include <gtest/gtest.h>

#include "p2_util.hpp"

namespace kumo::wasi::p2::test {
namespace {

constexpr uint32_t kAccessDenied = 1, kWouldBlock = 8;
const char* const kTcp = "wasi:sockets/tcp";
const char* const kUdp = "wasi:sockets/udp";

Val v4(uint16_t port, uint8_t a = 127, uint8_t b = 0, uint8_t c = 0, uint8_t d = 1) {
  return Val::variant(
      0,
      Val::record({Val::u16(port), Val::tuple({Val::u8(a), Val::u8(b), Val::u8(c), Val::u8(d)})}));
}

struct Sockets {
  HostHarness h;
  Val net;
  explicit Sockets(Options o) : h(std::move(o)) {
    net = h.one("wasi:sockets/instance-network", "instance-network", {});
  }
  Val tcp() {
    Val r = h.one("wasi:sockets/tcp-create-socket", "create-tcp-socket", {Val::enumeration(0)});
    EXPECT_EQ(r.index, 0u);
    return r.payload();
  }
  Val m(const Val& self, const std::string& name, std::vector<Val> args = {}) {
    args.insert(args.begin(), h.borrow(self));
    return h.one(kTcp, "[method]tcp-socket." + name, std::move(args));
  }
  void wait(const Val& self) {
    Val p = m(self, "subscribe");
    h.call("wasi:io/poll", "[method]pollable.block", {h.borrow(p)});
  }
};

TEST(P2Sockets, DeniedByDefault) {
  Sockets s{Options{}};
  Val sock = s.tcp();
  Val b = s.m(sock, "start-bind", {s.h.borrow(s.net), v4(0)});
  ASSERT_EQ(b.index, 1u);
  EXPECT_EQ(b.payload().index, kAccessDenied);
  Val c = s.m(sock, "start-connect", {s.h.borrow(s.net), v4(80)});
  ASSERT_EQ(c.index, 1u);
  EXPECT_EQ(c.payload().index, kAccessDenied);
  Val l = s.h.one("wasi:sockets/ip-name-lookup", "resolve-addresses",
                  {s.h.borrow(s.net), Val::string("localhost")});
  ASSERT_EQ(l.index, 1u);
  EXPECT_EQ(l.payload().index, kAccessDenied);
  Val u = s.h.one("wasi:sockets/udp-create-socket", "create-udp-socket", {Val::enumeration(0)});
  ASSERT_EQ(u.index, 0u);
  Val ub = s.h.one(kUdp, "[method]udp-socket.start-bind",
                   {s.h.borrow(u.payload()), s.h.borrow(s.net), v4(0)});
  ASSERT_EQ(ub.index, 1u);
  EXPECT_EQ(ub.payload().index, kAccessDenied);
}

// Allowed on 127.0.0.1 only: a server and a client in one store talk over real sockets.
TEST(P2Sockets, TcpRoundTripOnLoopback) {
  Options o;
  o.network.bind.push_back({"127.0.0.1", 0, 65535});
  o.network.connect.push_back({"127.0.0.1", 1, 65535});
  Sockets s{std::move(o)};
  Val server = s.tcp();
  EXPECT_EQ(s.m(server, "start-bind", {s.h.borrow(s.net), v4(0)}).index, 0u);
  EXPECT_EQ(s.m(server, "finish-bind").index, 0u);
  EXPECT_EQ(s.m(server, "start-listen").index, 0u);
  EXPECT_EQ(s.m(server, "finish-listen").index, 0u);
  EXPECT_TRUE(s.m(server, "is-listening").b);
  Val local = s.m(server, "local-address");
  ASSERT_EQ(local.index, 0u);
  uint16_t port = uint16_t(local.payload().payload().items[0].u);
  EXPECT_NE(port, 0u);
  Val nothing = s.m(server, "accept");
  ASSERT_EQ(nothing.index, 1u);
  EXPECT_EQ(nothing.payload().index, kWouldBlock);

  // Not allowed: another address.
  Val denied = s.tcp();
  Val d = s.m(denied, "start-connect", {s.h.borrow(s.net), v4(port, 127, 0, 0, 2)});
  EXPECT_EQ(d.payload().index, kAccessDenied);

  Val client = s.tcp();
  ASSERT_EQ(s.m(client, "start-connect", {s.h.borrow(s.net), v4(port)}).index, 0u);
  s.wait(client);
  Val conn = s.m(client, "finish-connect");
  ASSERT_EQ(conn.index, 0u);
  Val cin = conn.payload().items[0], cout = conn.payload().items[1];

  s.wait(server);
  Val acc = s.m(server, "accept");
  ASSERT_EQ(acc.index, 0u);
  Val sin = acc.payload().items[1], sout = acc.payload().items[2];

  Val w = s.h.one("wasi:io/streams", "[method]output-stream.blocking-write-and-flush",
                  {s.h.borrow(cout), bytes("ping")});
  EXPECT_EQ(w.index, 0u);
  Val r = s.h.one("wasi:io/streams", "[method]input-stream.blocking-read",
                  {s.h.borrow(sin), Val::u64(16)});
  ASSERT_EQ(r.index, 0u);
  EXPECT_EQ(val_string(r.payload()), "ping");
  s.h.one("wasi:io/streams", "[method]output-stream.blocking-write-and-flush",
          {s.h.borrow(sout), bytes("pong")});
  Val r2 = s.h.one("wasi:io/streams", "[method]input-stream.blocking-read",
                   {s.h.borrow(cin), Val::u64(16)});
  EXPECT_EQ(val_string(r2.payload()), "pong");
  Val remote = s.m(client, "remote-address");
  EXPECT_EQ(remote.payload().payload().items[0].u, port);
  // The server closes its side: the client reads the end of the stream.
  EXPECT_EQ(s.m(acc.payload().items[0], "shutdown", {Val::enumeration(2)}).index, 0u);
  Val end = s.h.one("wasi:io/streams", "[method]input-stream.blocking-read",
                    {s.h.borrow(cin), Val::u64(16)});
  ASSERT_EQ(end.index, 1u);
  EXPECT_EQ(end.payload().index, 1u);  // closed
}

TEST(P2Sockets, UdpRoundTripOnLoopback) {
  Options o;
  o.network.bind.push_back({"127.0.0.1", 0, 65535});
  o.network.connect.push_back({"127.0.0.1", 1, 65535});
  Sockets s{std::move(o)};
  auto udp = [&] {
    Val u = s.h.one("wasi:sockets/udp-create-socket", "create-udp-socket", {Val::enumeration(0)});
    Val sock = u.payload();
    EXPECT_EQ(
        s.h.one(kUdp, "[method]udp-socket.start-bind", {s.h.borrow(sock), s.h.borrow(s.net), v4(0)})
            .index,
        0u);
    EXPECT_EQ(s.h.one(kUdp, "[method]udp-socket.finish-bind", {s.h.borrow(sock)}).index, 0u);
    return sock;
  };
  Val a = udp(), b = udp();
  Val addr_b = s.h.one(kUdp, "[method]udp-socket.local-address", {s.h.borrow(b)}).payload();
  Val sa = s.h.one(kUdp, "[method]udp-socket.stream", {s.h.borrow(a), Val::option(std::nullopt)});
  Val sb = s.h.one(kUdp, "[method]udp-socket.stream", {s.h.borrow(b), Val::option(std::nullopt)});
  ASSERT_EQ(sa.index, 0u);
  ASSERT_EQ(sb.index, 0u);
  Val out_a = sa.payload().items[1], in_b = sb.payload().items[0];
  Val permit = s.h.one(kUdp, "[method]outgoing-datagram-stream.check-send", {s.h.borrow(out_a)});
  ASSERT_GT(permit.payload().u, 0u);
  Val dgram = Val::record({bytes("hello udp"), Val::option(addr_b)});
  Val sent = s.h.one(kUdp, "[method]outgoing-datagram-stream.send",
                     {s.h.borrow(out_a), Val::list({dgram})});
  ASSERT_EQ(sent.index, 0u);
  EXPECT_EQ(sent.payload().u, 1u);
  Val p = s.h.one(kUdp, "[method]incoming-datagram-stream.subscribe", {s.h.borrow(in_b)});
  s.h.call("wasi:io/poll", "[method]pollable.block", {s.h.borrow(p)});
  Val got =
      s.h.one(kUdp, "[method]incoming-datagram-stream.receive", {s.h.borrow(in_b), Val::u64(4)});
  ASSERT_EQ(got.index, 0u);
  ASSERT_EQ(got.payload().items.size(), 1u);
  EXPECT_EQ(val_string(got.payload().items[0].items[0]), "hello udp");
}

}  // namespace
}  // namespace kumo::wasi::p2::test
