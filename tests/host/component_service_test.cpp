// ComponentService behind a real HttpServer on 127.0.0.1, with the hand-written wasi:http
// component tests/host/data/http_echo.wasm (see its .wat for what each path does).
#include "host/serve/component_service.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "host/http/server.hpp"
#include "http_test_client.hpp"

namespace kumo::host {
namespace {

using http::test::TestClient;
using namespace std::chrono_literals;

const std::string kEcho = std::string(KUMO_SOURCE_DIR) + "/tests/host/data/http_echo.wasm";
const std::string kState =
    std::string(KUMO_SOURCE_DIR) + "/tests/components/wasm/http_state.component.wasm";

class ComponentServiceTest : public ::testing::Test {
 protected:
  void start(std::chrono::milliseconds timeout = 0ms, uint64_t max_body = 1 << 20,
             const std::string& path = kEcho, plugins::http::OutgoingPolicy outgoing = {}) {
    ASSERT_TRUE(std::filesystem::exists(path)) << path << " is missing";
    auto comp = component::rt::Component::from_file(engine_, path);
    ASSERT_TRUE(comp) << comp.error().message;
    ServiceOptions so;
    so.workers = 2;
    so.timeout = timeout;
    so.max_body_bytes = max_body;
    so.log = [this](std::string_view l) { add_log(l); };
    so.outgoing = std::move(outgoing);
    so.recycle = recycle_;
    auto service = ComponentService::create(engine_, *comp, std::move(so));
    ASSERT_TRUE(service) << service.error().message;
    service_ = std::move(*service);
    EXPECT_TRUE(service_->handler_interface().starts_with("wasi:http/incoming-handler@0.2."));

    http::ServerConfig cfg;
    cfg.address = "127.0.0.1:0";
    cfg.workers = 2;
    cfg.max_body_bytes = max_body;
    cfg.request_timeout = timeout;
    cfg.log = [this](std::string_view l) { add_log(l); };
    auto server = http::HttpServer::start(cfg, service_->handler());
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
    port_ = server_->address().port();
  }
  void TearDown() override {
    if (server_) server_->shutdown(1s);
  }
  void add_log(std::string_view l) {
    std::lock_guard lock(mu_);
    logs_ += std::string(l) + "\n";
  }
  std::string logs() {
    std::lock_guard lock(mu_);
    return logs_;
  }

  bool recycle_ = true;
  wasm::Engine engine_;
  std::unique_ptr<ComponentService> service_;
  std::unique_ptr<http::HttpServer> server_;
  uint16_t port_ = 0;
  std::mutex mu_;
  std::string logs_;
};

TEST_F(ComponentServiceTest, EchoesTheBodyAndThePath) {
  start();
  TestClient c(port_);
  for (int i = 0; i < 3; i++) {  // keep-alive: a fresh instance per request, same connection
    std::string body = "hello " + std::to_string(i);
    c.send("POST /echo?n=" + std::to_string(i) + " HTTP/1.1\r\nHost: h\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body);
    auto r = c.read_response();
    ASSERT_TRUE(r) << logs();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->header("x-kumo-path"), "/echo?n=" + std::to_string(i));
    EXPECT_EQ(r->header("transfer-encoding"), "chunked");
    EXPECT_EQ(r->body, body);
  }
}

TEST_F(ComponentServiceTest, StreamsAChunkedBodyThroughTheGuest) {
  start();
  TestClient c(port_);
  c.send("PUT /stream HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n");
  // The guest echoes each piece as it reads it: the first comes back before the body ends.
  ASSERT_TRUE(c.wait_for_bytes("abcd"))
      << "the first piece did not come back on its own: " << logs();
  c.send("3\r\nefg\r\n0\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r) << logs();
  EXPECT_EQ(r->body, "abcdefg");
}

TEST_F(ComponentServiceTest, LargeBody) {
  start(0ms, 8 << 20);
  TestClient c(port_);
  std::string big(1 << 20, 'q');
  for (size_t i = 0; i < big.size(); i += 4099) big[i] = char('a' + i % 26);
  c.send("POST /big HTTP/1.1\r\nHost: h\r\nContent-Length: " + std::to_string(big.size()) +
         "\r\n\r\n");
  std::thread sender([&] { c.send(big); });
  auto r = c.read_response();
  sender.join();
  ASSERT_TRUE(r) << logs();
  EXPECT_EQ(r->body.size(), big.size());
  EXPECT_TRUE(r->body == big);
}

// Each worker's instance is recycled (restored to its state right after instantiation) and the
// guest must not be able to tell: tests/components/c/http_state.c reports its call count, the
// previous path, a fresh heap block's address and a fresh handle's index, which must read as a
// fresh instance's on every request, also after requests that trapped, grew the memory (the
// instance is dropped) or left a handle in the instance's table.
TEST_F(ComponentServiceTest, EveryRequestSeesAPristineInstance) {
  for (bool recycle : {true, false}) {
    SCOPED_TRACE(recycle ? "recycled" : "instantiated per request");
    recycle_ = recycle;
    start(0ms, 1 << 20, kState);
    const uint64_t before = service_->instantiations();
    TestClient c(port_);
    std::string pristine;
    int requests = 0;
    for (int round = 0; round < 5; ++round) {
      for (std::string path : {"/a", "/b", "/leak", "/c", "/grow", "/d", "/trap", "/e"}) {
        c.send("GET " + path + " HTTP/1.1\r\nHost: h\r\n\r\n");
        auto r = c.read_response();
        ASSERT_TRUE(r) << path;
        ++requests;
        if (path == "/trap") {
          EXPECT_EQ(r->status, 500);
          continue;
        }
        ASSERT_EQ(r->status, 200) << path;
        EXPECT_TRUE(r->body.starts_with("calls=1 last=- heap=")) << path << ": " << r->body;
        if (pristine.empty()) pristine = r->body;
        EXPECT_EQ(r->body, pristine) << path;
      }
    }
    const uint64_t made = service_->instantiations() - before;
    if (recycle) {
      // One per worker to start with, and one after each /grow and /trap (never restored).
      EXPECT_LE(made, 2u + 2u * 5u);
    } else {
      EXPECT_EQ(made, uint64_t(requests));
    }
    server_->shutdown(1s);
    server_.reset();
  }
}

// The same with concurrent clients on both workers, each request on its own path: no response
// may show another request's path or count.
TEST_F(ComponentServiceTest, ConcurrentRequestsSeePristineInstances) {
  start(0ms, 1 << 20, kState);
  constexpr int kClients = 6, kRequests = 40;
  std::atomic<int> pristine{0};
  std::mutex mu;
  std::string wrong;
  std::vector<std::thread> threads;
  for (int t = 0; t < kClients; t++)
    threads.emplace_back([&, t] {
      TestClient c(port_);
      for (int i = 0; i < kRequests; i++) {
        c.send("GET /t" + std::to_string(t) + "-" + std::to_string(i) +
               " HTTP/1.1\r\nHost: h\r\n\r\n");
        auto r = c.read_response();
        if (r && r->status == 200 && r->body.starts_with("calls=1 last=- heap=")) {
          pristine++;
        } else {
          std::lock_guard lock(mu);
          wrong = r ? r->body : "no response";
        }
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(pristine.load(), kClients * kRequests) << wrong << logs();
  EXPECT_LT(service_->instantiations(), uint64_t(kClients * kRequests) / 4);  // recycled
}

// A restored SpiderMonkey (componentize-js, 12.8 MB) answers like a fresh one, request after
// request, and is indeed recycled (it neither traps nor grows its memory per request).
TEST_F(ComponentServiceTest, JsHandlerIsRecycledAndKeepsAnswering) {
  start(0ms, 1 << 20,
        std::string(KUMO_SOURCE_DIR) + "/tests/components/wasm/js_hello_wasi.component.wasm");
  const uint64_t before = service_->instantiations();
  TestClient c(port_);
  for (int i = 0; i < 12; i++) {
    c.send("GET /js" + std::to_string(i) + " HTTP/1.1\r\nHost: h\r\n\r\n");
    auto r = c.read_response();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 200) << i;
    EXPECT_EQ(r->body, "hello from JS\n") << i;
  }
  EXPECT_LE(service_->instantiations() - before, 1u) << logs();
}

TEST_F(ComponentServiceTest, TrapIs500WithABacktraceInTheLog) {
  start();
  TestClient c(port_);
  c.send("GET /trap HTTP/1.1\r\nHost: h\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  std::string l = logs();
  EXPECT_NE(l.find("GET /trap: unreachable"), std::string::npos) << l;
  EXPECT_NE(l.find("wasm backtrace"), std::string::npos) << l;
  // The connection and the server go on.
  c.send("GET /after HTTP/1.1\r\nHost: h\r\n\r\n");
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ComponentServiceTest, DeadlineIs504) {
  start(300ms);
  TestClient c(port_);
  c.send("GET /loop HTTP/1.1\r\nHost: h\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 504);
  std::string l = logs();
  EXPECT_NE(l.find("deadline exceeded"), std::string::npos) << l;
  EXPECT_NE(l.find("spin"), std::string::npos) << l;  // the backtrace names the looping function
}

TEST_F(ComponentServiceTest, NoResponseIs500AndStatusIsTheGuests) {
  start();
  TestClient c(port_);
  c.send("GET /noresponse HTTP/1.1\r\nHost: h\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_NE(logs().find("without setting a response"), std::string::npos);
  c.send("GET /status418 HTTP/1.1\r\nHost: h\r\n\r\n");
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 418);
}

TEST_F(ComponentServiceTest, BodyOverTheLimitIs413) {
  start(0ms, 100);
  TestClient c(port_);
  c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 101\r\n\r\n" + std::string(101, 'x'));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
}

TEST_F(ComponentServiceTest, ConcurrentClients) {
  start();
  constexpr int kClients = 6, kRequests = 25;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kClients; t++)
    threads.emplace_back([&, t] {
      TestClient c(port_);
      for (int i = 0; i < kRequests; i++) {
        std::string body = std::to_string(t) + "/" + std::to_string(i);
        c.send("POST /c HTTP/1.1\r\nHost: h\r\nContent-Length: " + std::to_string(body.size()) +
               "\r\n\r\n" + body);
        auto r = c.read_response();
        if (r && r->status == 200 && r->body == body) ok++;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kClients * kRequests) << logs();
}

// tests/components' JS handler that fetch()es the URL in x-fetch-url (wasi:http/outgoing-handler),
// against an upstream HttpServer in this process.
TEST_F(ComponentServiceTest, OutgoingRequestsFollowTheAllowListAndReuseConnections) {
  const std::string fetch =
      std::string(KUMO_SOURCE_DIR) + "/tests/components/wasm/js_fetch.component.wasm";
  std::mutex mu;
  std::set<std::string> peers;
  http::ServerConfig ucfg;
  ucfg.address = "127.0.0.1:0";
  ucfg.workers = 1;
  auto upstream =
      http::HttpServer::start(ucfg, [&](http::Request& req, http::ResponseWriter& resp) {
        {
          std::lock_guard lock(mu);
          peers.insert(std::string(req.peer()));
        }
        std::string body =
            "upstream saw " + std::string(req.method()) + " " + std::string(req.path());
        for (auto piece = req.read(); piece && !piece->empty(); piece = req.read())
          body += " " + std::string(*piece);
        std::string len = std::to_string(body.size());
        http::HeaderField h[] = {{"content-length", len}};
        ASSERT_TRUE(resp.send_head(201, h));
        ASSERT_TRUE(resp.write(body));
        ASSERT_TRUE(resp.finish());
      });
  ASSERT_TRUE(upstream) << upstream.error().message;
  uint16_t up = (*upstream)->address().port();
  plugins::http::OutgoingPolicy policy;
  policy.allow.push_back({"127.0.0.1", up});
  start(20s, 1 << 20, fetch, policy);

  TestClient c(port_);
  for (int i = 0; i < 3; i++) {
    std::string url = "http://127.0.0.1:" + std::to_string(up) + "/item/" + std::to_string(i);
    c.send("POST / HTTP/1.1\r\nHost: h\r\nX-Fetch-Url: " + url +
           "\r\nContent-Length: 4\r\n\r\nbody");
    auto r = c.read_response();
    ASSERT_TRUE(r) << logs();
    EXPECT_EQ(r->status, 200) << r->body << logs();
    EXPECT_EQ(r->header("x-upstream-status"), "201");
    EXPECT_EQ(r->body,
              "fetched " + url + ": 201\nupstream saw POST /item/" + std::to_string(i) + " body");
  }
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(peers.size(), 1u) << "the worker's client did not reuse its connection";
  }
  // Not on the allow-list: refused by the host (the guest answers 502 with the error).
  c.send("GET / HTTP/1.1\r\nHost: h\r\nX-Fetch-Url: http://127.0.0.1:" + std::to_string(up + 1) +
         "/\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502);
  EXPECT_NE(r->body.find("fetch failed"), std::string::npos) << r->body;
  (*upstream)->shutdown(1s);
}

}  // namespace
}  // namespace kumo::host
