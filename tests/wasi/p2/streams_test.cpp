// Host-side streams, pollables and the resource table (streams.hpp, table.hpp), and the wasi:io
// host functions on top of them.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "p2_util.hpp"

namespace kumo::wasi::p2::test {
namespace {

using namespace std::chrono_literals;

std::string str(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }
std::span<const uint8_t> span(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(P2Streams, MemoryInputReadsThenCloses) {
  MemoryInputStream in("hello");
  EXPECT_EQ(str(*in.read(2)), "he");
  EXPECT_EQ(*in.skip(1), 1u);
  EXPECT_EQ(str(*in.blocking_read(100)), "lo");
  auto end = in.read(1);
  ASSERT_FALSE(end);
  EXPECT_EQ(end.error().kind, StreamError::Closed);
  EXPECT_TRUE(in.subscribe()->ready());
}

TEST(P2Streams, MemoryOutputHonoursItsLimit) {
  auto sink = std::make_shared<std::string>();
  MemoryOutputStream out(sink, 8);
  EXPECT_EQ(*out.check_write(), 8u);
  ASSERT_TRUE(out.write(span("abc")));
  ASSERT_TRUE(out.blocking_write_and_flush(span("de")));
  ASSERT_TRUE(out.write_zeroes(2));
  EXPECT_EQ(*sink, std::string("abcde\0\0", 7));
  auto r = out.write(span("xyz"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, StreamError::Failed);
}

TEST(P2Streams, SpliceMovesBytesBetweenStreams) {
  MemoryInputStream in("0123456789");
  auto sink = std::make_shared<std::string>();
  MemoryOutputStream out(sink);
  EXPECT_EQ(*out.splice(in, 4), 4u);
  EXPECT_EQ(*out.blocking_splice(in, 100), 6u);
  EXPECT_EQ(*sink, "0123456789");
  EXPECT_FALSE(out.splice(in, 1));  // the source is closed
}

// A pipe fed by another thread: the guest side's blocking read really waits, then sees the data,
// then the end.
TEST(P2Streams, PipeAcrossThreads) {
  auto pipe = Pipe::create(4);
  PipeInputStream in(pipe);
  auto poll = in.subscribe();
  EXPECT_FALSE(poll->ready());
  std::thread writer([pipe] {
    std::this_thread::sleep_for(30ms);
    EXPECT_TRUE(pipe->write_all(span("hello world")));  // more than capacity: waits for reads
    pipe->close();
  });
  std::string got;
  auto start = Clock::now();
  for (;;) {
    auto r = in.blocking_read(100);
    if (!r) {
      EXPECT_EQ(r.error().kind, StreamError::Closed);
      break;
    }
    got += str(*r);
  }
  writer.join();
  EXPECT_EQ(got, "hello world");
  EXPECT_GE(Clock::now() - start, 25ms);
}

// The guest writes a response body the host drains; check-write reflects the capacity and the
// pollable wakes when the host reads.
TEST(P2Streams, PipeOutputBackpressure) {
  auto pipe = Pipe::create(4);
  auto out = std::make_unique<PipeOutputStream>(pipe);
  EXPECT_EQ(*out->check_write(), 4u);
  ASSERT_TRUE(out->write(span("abcd")));
  EXPECT_EQ(*out->check_write(), 0u);
  EXPECT_FALSE(out->write(span("e")));  // beyond check-write
  auto poll = out->subscribe();
  EXPECT_FALSE(poll->ready());
  std::string drained;
  std::thread reader([&] {
    std::this_thread::sleep_for(20ms);
    uint8_t buf[8];
    size_t n = pipe->read(buf, sizeof buf);
    drained.assign(reinterpret_cast<char*>(buf), n);
  });
  EXPECT_TRUE(poll->block(Clock::now() + 5s));
  reader.join();
  EXPECT_EQ(drained, "abcd");
  // A blocking write larger than the pipe waits for the host to drain it, chunk by chunk.
  std::string drained2;
  std::thread reader2([&] {
    while (drained2.size() < 10) {
      pipe->wait_readable();
      uint8_t buf[8];
      size_t n = pipe->read(buf, sizeof buf);
      drained2.append(reinterpret_cast<char*>(buf), n);
    }
  });
  ASSERT_TRUE(out->blocking_write_and_flush(span("0123456789")));
  reader2.join();
  EXPECT_EQ(drained2, "0123456789");
  poll.reset();
  out.reset();  // dropping the stream ends the body
  EXPECT_TRUE(pipe->closed());
}

// Unbounded, for hosts draining on the guest's thread after the call: nothing ever waits.
TEST(P2Streams, UnboundedPipeNeverWaits) {
  auto pipe = Pipe::create(SIZE_MAX);
  PipeOutputStream out(pipe);
  std::string big(3 << 20, 'x');
  ASSERT_TRUE(out.blocking_write_and_flush(span(big)));
  EXPECT_EQ(pipe->available(), big.size());
}

TEST(P2Streams, FdStreamsOverAPipe) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  FdInputStream in(std::make_shared<SharedFd>(fds[0]));
  FdOutputStream out(std::make_shared<SharedFd>(fds[1]), FdOutputStream::Mode::Stream);
  EXPECT_TRUE(in.read(10)->empty());  // nothing yet: non-blocking read returns no bytes
  EXPECT_FALSE(in.subscribe()->ready());
  ASSERT_TRUE(out.blocking_write_and_flush(span("ping")));
  EXPECT_TRUE(in.subscribe()->ready());
  EXPECT_EQ(str(*in.read(10)), "ping");
}

TEST(P2Streams, FdStreamsAtOffsets) {
  char tmpl[] = "/tmp/kumo-p2-XXXXXX";
  int fd = ::mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  ::unlink(tmpl);
  auto shared = std::make_shared<SharedFd>(fd);
  FdOutputStream w(shared, FdOutputStream::Mode::Offset, 2);
  ASSERT_TRUE(w.write(span("abc")));
  FdOutputStream a(shared, FdOutputStream::Mode::Append);
  ASSERT_TRUE(a.write(span("Z")));
  FdInputStream r(shared, 0);
  EXPECT_EQ(str(*r.read(100)), std::string("\0\0abcZ", 6));
  EXPECT_FALSE(r.read(1));  // end of file: closed
}

// Timers really sleep, and poll_many returns only the ready ones.
TEST(P2Poll, TimersWaitAndPollReportsReadyOnes) {
  TimerPollable soon(Clock::now() + 40ms), later(Clock::now() + 10s);
  ReadyPollable now;
  Pollable* both[] = {&later, &soon};
  auto start = Clock::now();
  auto ready = poll_many(both);
  EXPECT_GE(Clock::now() - start, 35ms);
  EXPECT_LT(Clock::now() - start, 5s);
  EXPECT_EQ(ready, std::vector<uint32_t>{1});
  Pollable* all[] = {&later, &now, &soon};
  EXPECT_EQ(poll_many(all), (std::vector<uint32_t>{1, 2}));
  Pollable* never[] = {&later};
  EXPECT_TRUE(poll_many(never, Clock::now() + 20ms).empty());  // deadline
}

TEST(P2Table, ParentOutlivesItsChildren) {
  struct Obj : HostObject {
    int* alive;
    explicit Obj(int* a) : alive(a) { ++*alive; }
    ~Obj() override { --*alive; }
  };
  int alive = 0;
  ResourceTable t;
  uint32_t parent = t.push(std::make_unique<Obj>(&alive));
  uint32_t child = t.push(std::make_unique<Obj>(&alive), parent);
  EXPECT_NE(parent, 0u);
  EXPECT_NE(parent, child);
  EXPECT_TRUE(t.remove(parent));
  EXPECT_EQ(t.get_any(parent), nullptr);  // gone for the guest...
  EXPECT_EQ(alive, 2);                    // ...but kept for the child
  EXPECT_FALSE(t.remove(parent));
  EXPECT_TRUE(t.remove(child));
  EXPECT_EQ(alive, 0);
  EXPECT_EQ(t.live(), 0u);
  EXPECT_EQ(t.get<Obj>(child), nullptr);
  uint32_t a = t.push(std::make_unique<Obj>(&alive));
  EXPECT_NE(t.get<Obj>(a), nullptr);
  EXPECT_EQ(t.get<IoError>(a), nullptr);  // another class
}

// wasi:io through the host functions, as a guest calls them.
TEST(P2Io, StreamsThroughHostFunctions) {
  Captured cap;
  HostHarness h(cap.options("typed input"));
  Val out = h.one("wasi:cli/stdout", "get-stdout", {});
  Val w = h.one("wasi:io/streams", "[method]output-stream.check-write", {h.borrow(out)});
  ASSERT_EQ(w.index, 0u);
  EXPECT_GT(w.payload().u, 0u);
  Val r = h.one("wasi:io/streams", "[method]output-stream.blocking-write-and-flush",
                {h.borrow(out), bytes("hi there\n")});
  EXPECT_EQ(r.index, 0u);
  EXPECT_EQ(*cap.out, "hi there\n");

  Val in = h.one("wasi:cli/stdin", "get-stdin", {});
  Val got =
      h.one("wasi:io/streams", "[method]input-stream.blocking-read", {h.borrow(in), Val::u64(5)});
  ASSERT_EQ(got.index, 0u);
  EXPECT_EQ(val_string(got.payload()), "typed");
  // Splice the rest of stdin to stdout.
  Val n = h.one("wasi:io/streams", "[method]output-stream.blocking-splice",
                {h.borrow(out), h.borrow(in), Val::u64(100)});
  ASSERT_EQ(n.index, 0u);
  EXPECT_EQ(n.payload().u, 6u);
  EXPECT_EQ(*cap.out, "hi there\n input");
  Val end = h.one("wasi:io/streams", "[method]input-stream.read", {h.borrow(in), Val::u64(1)});
  ASSERT_EQ(end.index, 1u);
  EXPECT_EQ(end.payload().index, 1u);  // closed

  // Pollables: a child of the stream; poll returns the ready indices.
  Val p1 = h.one("wasi:io/streams", "[method]output-stream.subscribe", {h.borrow(out)});
  Val p2 = h.one("wasi:clocks/monotonic-clock", "subscribe-duration", {Val::u64(10'000'000'000)});
  Val ready = h.one("wasi:io/poll", "poll", {Val::list({h.borrow(p2), h.borrow(p1)})});
  ASSERT_EQ(ready.items.size(), 1u);
  EXPECT_EQ(ready.items[0].u, 1u);
  EXPECT_FALSE(h.one("wasi:io/poll", "[method]pollable.ready", {h.borrow(p2)}).b);
  EXPECT_THROW(h.call("wasi:io/poll", "poll", {Val::list({})}), std::runtime_error);  // traps
}

// A failed write reports last-operation-failed with an error resource the guest can print.
TEST(P2Io, ErrorsCarryAnErrorResource) {
  Options o;
  auto sink = std::make_shared<std::string>();
  o.make_stdout = [sink] { return std::make_unique<MemoryOutputStream>(sink, 2); };
  HostHarness h(std::move(o));
  Val out = h.one("wasi:cli/stdout", "get-stdout", {});
  Val r =
      h.one("wasi:io/streams", "[method]output-stream.write", {h.borrow(out), bytes("too long")});
  ASSERT_EQ(r.index, 1u);
  ASSERT_EQ(r.payload().index, 0u);  // last-operation-failed(error)
  Val err = r.payload().payload();
  Val msg = h.one("wasi:io/error", "[method]error.to-debug-string", {h.borrow(err)});
  EXPECT_EQ(msg.str, "output limit reached");
}

TEST(P2Clocks, MonotonicAndWallClock) {
  HostHarness h(Options{});
  uint64_t a = h.one("wasi:clocks/monotonic-clock", "now", {}).u;
  Val timer = h.one("wasi:clocks/monotonic-clock", "subscribe-instant", {Val::u64(a + 30'000'000)});
  h.call("wasi:io/poll", "[method]pollable.block", {h.borrow(timer)});
  uint64_t b = h.one("wasi:clocks/monotonic-clock", "now", {}).u;
  EXPECT_GE(b - a, 30'000'000u);
  Val wall = h.one("wasi:clocks/wall-clock", "now", {});
  EXPECT_GT(wall.items[0].u, 1'600'000'000u);  // after 2020
  EXPECT_LT(wall.items[1].u, 1'000'000'000u);
}

TEST(P2Random, BytesAndSeeds) {
  HostHarness h(Options{});
  Val a = h.one("wasi:random/random", "get-random-bytes", {Val::u64(32)});
  Val b = h.one("wasi:random/random", "get-random-bytes", {Val::u64(32)});
  EXPECT_EQ(a.list_size(), 32u);
  EXPECT_NE(val_string(a), val_string(b));
  EXPECT_EQ(h.one("wasi:random/insecure", "get-insecure-random-bytes", {Val::u64(13)}).list_size(),
            13u);
  Val seed = h.one("wasi:random/insecure-seed", "insecure-seed", {});
  EXPECT_EQ(seed.items.size(), 2u);
}

TEST(P2Cli, EnvironmentArgumentsAndExit) {
  Options o;
  o.args = {"prog", "a b"};
  o.env = {{"K", "V=W"}};
  HostHarness h(std::move(o));
  Val args = h.one("wasi:cli/environment", "get-arguments", {});
  ASSERT_EQ(args.items.size(), 2u);
  EXPECT_EQ(args.items[1].str, "a b");
  Val env = h.one("wasi:cli/environment", "get-environment", {});
  ASSERT_EQ(env.items.size(), 1u);
  EXPECT_EQ(env.items[0].items[1].str, "V=W");
  try {
    h.call("wasi:cli/exit", "exit-with-code", {Val::u8(42)});
    FAIL() << "exit must unwind the guest";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("status 42"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kumo::wasi::p2::test
