// ComponentService behind a real HttpServer on 127.0.0.1, with the hand-written wasi:http
// component tests/host/data/http_echo.wasm (see its .wat for what each path does).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "host/http/server.hpp"
#include "host/serve/component_service.hpp"
#include "http_test_client.hpp"

namespace kumo::host {
namespace {

using http::test::TestClient;
using namespace std::chrono_literals;

const std::string kEcho = std::string(KUMO_SOURCE_DIR) + "/tests/host/data/http_echo.wasm";

class ComponentServiceTest : public ::testing::Test {
 protected:
  void start(std::chrono::milliseconds timeout = 0ms, uint64_t max_body = 1 << 20) {
    ASSERT_TRUE(std::filesystem::exists(kEcho)) << kEcho << " is missing (tests/host/data/build.sh)";
    auto comp = component::rt::Component::from_file(engine_, kEcho);
    ASSERT_TRUE(comp) << comp.error().message;
    ServiceOptions so;
    so.workers = 2;
    so.timeout = timeout;
    so.max_body_bytes = max_body;
    so.log = [this](std::string_view l) { add_log(l); };
    auto service = ComponentService::create(engine_, *comp, std::move(so));
    ASSERT_TRUE(service) << service.error().message;
    service_ = std::move(*service);
    EXPECT_EQ(service_->handler_interface(), "wasi:http/incoming-handler@0.2.0");

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
  ASSERT_TRUE(c.wait_for_bytes("abcd")) << "the first piece did not come back on its own: " << logs();
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
  c.send("POST /big HTTP/1.1\r\nHost: h\r\nContent-Length: " + std::to_string(big.size()) + "\r\n\r\n");
  std::thread sender([&] { c.send(big); });
  auto r = c.read_response();
  sender.join();
  ASSERT_TRUE(r) << logs();
  EXPECT_EQ(r->body.size(), big.size());
  EXPECT_TRUE(r->body == big);
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

}  // namespace
}  // namespace kumo::host
