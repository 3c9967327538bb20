// HttpServer over real sockets on 127.0.0.1: framing both ways, keep-alive, pipelining, limits,
// malformed input, concurrency and shutdown.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "host/http/server.hpp"
#include "http_test_client.hpp"

namespace kumo::host::http {
namespace {

using test::ClientResponse;
using test::TestClient;
using namespace std::chrono_literals;

class HttpServerTest : public ::testing::Test {
 protected:
  void start(Handler h, ServerConfig cfg = {}) {
    cfg.address = "127.0.0.1:0";
    if (cfg.workers == 0) cfg.workers = 2;
    cfg.log = [this](std::string_view line) {
      std::lock_guard lock(log_mu_);
      logs_.emplace_back(line);
    };
    auto s = HttpServer::start(std::move(cfg), std::move(h));
    ASSERT_TRUE(s) << s.error().message;
    server_ = std::move(*s);
    port_ = server_->address().port();
    ASSERT_NE(port_, 0);
  }
  void TearDown() override {
    if (server_) server_->shutdown(1s);
  }
  std::string logs() {
    std::lock_guard lock(log_mu_);
    std::string all;
    for (auto& l : logs_) all += l + "\n";
    return all;
  }

  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
  std::mutex log_mu_;
  std::vector<std::string> logs_;
};

// Reads the whole request body through Request::read.
std::string read_all(Request& req) {
  std::string body;
  for (;;) {
    auto piece = req.read();
    if (!piece) return "<error: " + std::string(to_string(piece.error())) + ">";
    if (piece->empty()) return body;
    body.append(*piece);
  }
}

// Answers with "METHOD PATH AUTHORITY BODY" and a content-length.
void echo(Request& req, ResponseWriter& resp) {
  std::string body = std::string(req.method()) + " " + std::string(req.path()) + " " +
                     std::string(req.authority()) + " " + read_all(req);
  std::string len = std::to_string(body.size());
  HeaderField h[] = {{"content-type", "text/plain"}, {"content-length", len}};
  ASSERT_TRUE(resp.send_head(200, h));
  ASSERT_TRUE(resp.write(body));
  ASSERT_TRUE(resp.finish());
}

TEST_F(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  start(echo);
  TestClient c(port_);
  for (int i = 0; i < 5; i++) {
    std::string path = "/item/" + std::to_string(i) + "?q=" + std::to_string(i);
    c.send("GET " + path + " HTTP/1.1\r\nHost: example.test\r\n\r\n");
    auto r = c.read_response();
    ASSERT_TRUE(r) << "response " << i << " missing";
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "GET " + path + " example.test ");
    EXPECT_EQ(r->header("content-length"), std::to_string(r->body.size()));
    EXPECT_FALSE(r->has_header("transfer-encoding"));
    EXPECT_TRUE(r->has_header("date"));
    EXPECT_TRUE(r->keep_alive);
  }
  // Connection: close from the client ends it after the response.
  c.send("GET /last HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(HttpServerTest, PipelinedRequestsAnsweredInOrder) {
  start(echo);
  TestClient c(port_);
  std::string batch;
  for (int i = 0; i < 20; i++)
    batch += "POST /p" + std::to_string(i) +
             " HTTP/1.1\r\nHost: h\r\nContent-Length: " + std::to_string(std::to_string(i).size()) +
             "\r\n\r\n" + std::to_string(i);
  c.send(batch);
  for (int i = 0; i < 20; i++) {
    auto r = c.read_response();
    ASSERT_TRUE(r) << "response " << i;
    EXPECT_EQ(r->body, "POST /p" + std::to_string(i) + " h " + std::to_string(i));
  }
}

TEST_F(HttpServerTest, ChunkedRequestBodyIsStreamedToTheHandler) {
  std::promise<std::string> first_piece;
  std::promise<void> rest_sent;
  auto rest_sent_f = rest_sent.get_future().share();
  start([&](Request& req, ResponseWriter& resp) {
    EXPECT_FALSE(req.content_length().has_value());
    auto p = req.read();
    ASSERT_TRUE(p);
    first_piece.set_value(std::string(*p));  // before the client has sent the rest
    std::string body = std::string(*p) + read_all(req);
    HeaderField h[] = {{"x-trailer-seen", req.trailers().empty() ? "" : req.trailers()[0].value}};
    ASSERT_TRUE(resp.send_head(200, h));
    ASSERT_TRUE(resp.write(body));
    ASSERT_TRUE(resp.finish());
  });
  TestClient c(port_);
  c.send("PUT /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
  auto f = first_piece.get_future();
  ASSERT_EQ(f.wait_for(20s), std::future_status::ready) << "the handler never saw the first chunk";
  EXPECT_EQ(f.get(), "hello");
  c.send("6\r\n world\r\n0\r\nX-Checksum: abc123\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello world");
  EXPECT_EQ(r->header("x-trailer-seen"), "abc123");
  // No content-length from the handler: chunked, with an empty trailer section.
  EXPECT_EQ(r->header("transfer-encoding"), "chunked");
}

TEST_F(HttpServerTest, ChunkedResponseWithTrailers) {
  start([](Request& req, ResponseWriter& resp) {
    (void)read_all(req);
    ASSERT_TRUE(resp.send_head(201, {}));
    ASSERT_TRUE(resp.write("one,"));
    ASSERT_TRUE(resp.write(""));                       // no empty chunk (it would end the body)
    ASSERT_TRUE(resp.write(std::string(10000, 'x')));  // large: written directly
    ASSERT_TRUE(resp.write(",three"));
    HeaderField t[] = {{"x-sum", "42"}, {"x-other", "y"}};
    ASSERT_TRUE(resp.finish(t));
    EXPECT_FALSE(resp.write("late"));
  });
  TestClient c(port_);
  c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->header("transfer-encoding"), "chunked");
  EXPECT_EQ(r->body, "one," + std::string(10000, 'x') + ",three");
  EXPECT_EQ(r->trailer("x-sum"), "42");
  EXPECT_EQ(r->trailer("x-other"), "y");
  // The connection is still usable.
  c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_TRUE(c.read_response());
}

TEST_F(HttpServerTest, LargeBodiesBothWays) {
  start(echo);
  TestClient c(port_);
  std::string big(3 << 20, 'a');
  for (size_t i = 0; i < big.size(); i += 997) big[i] = char('a' + i % 26);
  c.send("POST /big HTTP/1.1\r\nHost: h\r\nContent-Length: " + std::to_string(big.size()) +
         "\r\n\r\n");
  std::thread sender([&] { c.send(big); });
  auto r = c.read_response();
  sender.join();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body.size(), std::string("POST /big h ").size() + big.size());
  EXPECT_TRUE(r->body == "POST /big h " + big);
}

TEST_F(HttpServerTest, HeadAndNoContentHaveNoBody) {
  start([](Request& req, ResponseWriter& resp) {
    int status = req.path() == "/204" ? 204 : 200;
    HeaderField h[] = {{"content-length", "5"}};
    ASSERT_TRUE(resp.send_head(status, status == 204 ? HeaderSpan{} : HeaderSpan(h)));
    ASSERT_TRUE(resp.write("hello"));  // discarded for HEAD and 204
    ASSERT_TRUE(resp.finish());
  });
  TestClient c(port_);
  c.send("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n");
  auto r = c.read_response(/*head_request=*/true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("content-length"), "5");
  EXPECT_EQ(r->body, "");
  c.send("GET /204 HTTP/1.1\r\nHost: h\r\n\r\n");
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(c.unread(), "");  // nothing after the head
  c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hello");
}

TEST_F(HttpServerTest, Http10WithoutLengthIsCloseDelimited) {
  start([](Request&, ResponseWriter& resp) {
    ASSERT_TRUE(resp.send_head(200, {}));
    ASSERT_TRUE(resp.write("old "));
    ASSERT_TRUE(resp.write("client"));
    ASSERT_TRUE(resp.finish());
  });
  TestClient c(port_);
  c.send("GET / HTTP/1.0\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "old client");
  EXPECT_FALSE(r->has_header("transfer-encoding"));
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(HttpServerTest, GarbageGets400AndALogLine) {
  std::atomic<int> calls{0};
  start([&](Request& req, ResponseWriter& resp) { calls++, echo(req, resp); });
  for (std::string garbage :
       {"\x01\x02\x03 nonsense\r\n\r\n", "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
        "GET / HTTP/9.9.9\r\n\r\n", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 12x\r\n\r\n"}) {
    TestClient c(port_);
    c.send(garbage);
    auto r = c.read_response();
    ASSERT_TRUE(r) << "no response to " << garbage << " unread: " << c.unread()
                   << " logs: " << logs();
    EXPECT_EQ(r->status, 400) << garbage;
    EXPECT_EQ(r->header("connection"), "close");
    EXPECT_TRUE(c.closed_by_server());
  }
  // A bad chunk size in a body the handler is reading.
  {
    TestClient c(port_);
    // Bad framing seen together with the head: refused at once.
    c.send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_EQ(calls.load(), 0);
  }
  {  // Bad framing arriving while the handler reads: the read fails.
    TestClient c(port_);
    c.send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 2000 && calls.load() == 0; i++) std::this_thread::sleep_for(10ms);
    ASSERT_EQ(calls.load(), 1) << "the handler never started";
    c.send("zz\r\n");
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);  // echo's head goes out after the failed read...
    EXPECT_NE(r->body.find("<error: malformed request body>"), std::string::npos);
  }
  EXPECT_EQ(calls.load(), 1);
  std::string l = logs();
  EXPECT_NE(l.find("400 Bad Request"), std::string::npos) << l;
  EXPECT_NE(l.find("HPE_INVALID"), std::string::npos) << l;
  // The server still works.
  TestClient c(port_);
  c.send("GET /ok HTTP/1.1\r\nHost: h\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpServerTest, BodyLimitGives413) {
  std::atomic<int> calls{0};
  ServerConfig cfg;
  cfg.max_body_bytes = 1000;
  start(
      [&](Request& req, ResponseWriter& resp) {
        calls++;
        auto body = req.read();
        while (body && !body->empty()) body = req.read();
        if (!body) {
          EXPECT_EQ(body.error(), IoError::TooLarge);
          return;  // no response: the server answers for the failed body
        }
        echo(req, resp);
      },
      cfg);
  {  // declared too large: refused before the handler runs
    TestClient c(port_);
    c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1001\r\n\r\n");
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_EQ(calls.load(), 0);
  }
  {  // chunked, discovered while reading
    TestClient c(port_);
    std::string chunk = "258\r\n" + std::string(600, 'z') + "\r\n";
    c.send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk);
    for (int i = 0; i < 2000 && calls.load() == 0; i++) std::this_thread::sleep_for(10ms);
    ASSERT_EQ(calls.load(), 1) << "the handler never started";
    c.send(chunk);
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_EQ(calls.load(), 1);
    EXPECT_TRUE(c.closed_by_server());
  }
  {  // exactly at the limit is fine
    TestClient c(port_);
    c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'k'));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
}

TEST_F(HttpServerTest, HeaderLimitGives431) {
  ServerConfig cfg;
  cfg.max_header_bytes = 2048;
  start(echo, cfg);
  TestClient c(port_);
  c.send("GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(4000, 'v') + "\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(HttpServerTest, AllMethodsAndRepeatedHeadersReachTheHandler) {
  std::mutex mu;
  std::vector<std::string> seen;
  start([&](Request& req, ResponseWriter& resp) {
    std::string s = std::string(req.method());
    for (const auto& h : req.headers())
      if (iequals(h.name, "x-multi")) s += "|" + std::string(h.value);
    {
      std::lock_guard lock(mu);
      seen.push_back(s);
    }
    (void)read_all(req);
    HeaderField h[] = {{"content-length", "0"}, {"set-cookie", "a=1"}, {"set-cookie", "b=2"}};
    ASSERT_TRUE(resp.send_head(200, h));
    ASSERT_TRUE(resp.finish());
  });
  TestClient c(port_);
  for (std::string m : {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND"}) {
    c.send(m + " / HTTP/1.1\r\nHost: h\r\nX-Multi: 1\r\nx-multi: 2  \r\nContent-Length: 0\r\n\r\n");
    auto r = c.read_response();
    ASSERT_TRUE(r) << m;
    int cookies = 0;
    for (auto& [n, v] : r->headers) cookies += n == "set-cookie";
    EXPECT_EQ(cookies, 2);
  }
  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), 8u);
  EXPECT_EQ(seen[0], "GET|1|2");
  EXPECT_EQ(seen[7], "PROPFIND|1|2");
}

TEST_F(HttpServerTest, ExpectContinue) {
  start(echo);
  TestClient c(port_);
  c.send("POST /c HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
  auto interim = c.read_response();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  c.send("data");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "POST /c h data");
}

TEST_F(HttpServerTest, HandlerFailuresBecome500OrAClosedConnection) {
  start([](Request& req, ResponseWriter& resp) {
    if (req.path() == "/throw") throw std::runtime_error("boom");
    if (req.path() == "/partial") {
      ASSERT_TRUE(resp.send_head(200, {}));
      ASSERT_TRUE(resp.write("half"));
      return;  // never finished: the client must not take it for a whole response
    }
    // "/silent": returns without answering
  });
  for (std::string path : {"/throw", "/silent"}) {
    TestClient c(port_);
    c.send("GET " + path + " HTTP/1.1\r\nHost: h\r\n\r\n");
    auto r = c.read_response();
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 500) << path;
  }
  TestClient c(port_);
  c.send("GET /partial HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_FALSE(c.read_response());  // chunked body cut off: incomplete
  std::string l = logs();
  EXPECT_NE(l.find("handler threw: boom"), std::string::npos) << l;
  EXPECT_NE(l.find("did not finish"), std::string::npos) << l;
}

TEST_F(HttpServerTest, RequestDeadlineEndsABodyReadThatWaits) {
  ServerConfig cfg;
  cfg.request_timeout = 200ms;
  std::promise<IoError> result;
  start(
      [&](Request& req, ResponseWriter& resp) {
        EXPECT_NE(req.deadline(), Clock::time_point::max());
        auto body = req.read();  // the first 2 bytes
        while (body && !body->empty()) body = req.read();
        result.set_value(body ? IoError::State : body.error());
        HeaderField h[] = {{"content-length", "0"}};
        ASSERT_TRUE(resp.send_head(408, h));
        ASSERT_TRUE(resp.finish());
      },
      cfg);
  TestClient c(port_);
  c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nab");  // 8 bytes never come
  auto f = result.get_future();
  ASSERT_EQ(f.wait_for(20s), std::future_status::ready);
  EXPECT_EQ(f.get(), IoError::Timeout);
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_TRUE(c.closed_by_server());  // the rest of the body cannot be skipped: closed
}

TEST_F(HttpServerTest, StalledAndIdleConnectionsAreClosed) {
  ServerConfig cfg;
  cfg.idle_timeout = 300ms;  // the sweep runs about once a second
  start(echo, cfg);
  TestClient idle(port_);
  TestClient stalled(port_);
  stalled.send("GET / HTTP/1.1\r\nHost: h\r\nX-Partial: ");  // never completed
  TestClient busy(port_);
  busy.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(busy.read_response());
  EXPECT_TRUE(idle.closed_by_server(10s));
  EXPECT_TRUE(stalled.closed_by_server(10s));
  EXPECT_TRUE(busy.closed_by_server(10s));  // idle after its response
}

TEST_F(HttpServerTest, ConcurrentClients) {
  ServerConfig cfg;
  cfg.workers = 2;
  start(echo, cfg);
  constexpr int kClients = 8, kRequests = 40;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kClients; t++)
    threads.emplace_back([&, t] {
      TestClient c(port_);
      for (int i = 0; i < kRequests; i++) {
        std::string body = std::to_string(t) + ":" + std::to_string(i);
        c.send("POST /c HTTP/1.1\r\nHost: h\r\nContent-Length: " + std::to_string(body.size()) +
               "\r\n\r\n" + body);
        auto r = c.read_response();
        if (r && r->body == "POST /c h " + body) ok++;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kClients * kRequests);
}

TEST_F(HttpServerTest, ShutdownFinishesInFlightRequestsAndStopsAccepting) {
  std::promise<void> entered, release;
  auto release_f = release.get_future().share();
  ServerConfig cfg;
  cfg.workers = 1;
  start(
      [&](Request& req, ResponseWriter& resp) {
        if (req.path() == "/slow") {
          entered.set_value();
          release_f.wait();
        }
        echo(req, resp);
      },
      cfg);
  TestClient idle(port_);  // connected, no request: closed at shutdown
  TestClient busy(port_);
  busy.send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_EQ(entered.get_future().wait_for(20s), std::future_status::ready);
  std::thread stopper([&] { server_->shutdown(20s); });
  std::this_thread::sleep_for(100ms);  // let shutdown begin (no assertion depends on timing)
  release.set_value();
  auto r = busy.read_response();
  ASSERT_TRUE(r) << "the in-flight request was not finished";
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "GET /slow h ");
  stopper.join();
  EXPECT_TRUE(busy.closed_by_server());
  EXPECT_TRUE(idle.closed_by_server());
  EXPECT_THROW(TestClient late(port_), std::runtime_error);  // nobody listens any more
  server_.reset();
}

TEST(ListenerTest, ParsesAddresses) {
  auto a = parse_address("127.0.0.1:8000");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->to_string(), "127.0.0.1:8000");
  auto b = parse_address("[::1]:9");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->to_string(), "[::1]:9");
  auto c = parse_address("localhost:80");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->to_string(), "127.0.0.1:80");
  EXPECT_FALSE(parse_address("127.0.0.1"));
  EXPECT_FALSE(parse_address("127.0.0.1:99999"));
  EXPECT_FALSE(parse_address("example.com:80"));
}

}  // namespace
}  // namespace kumo::host::http
