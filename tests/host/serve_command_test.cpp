// `kumo serve` end to end: the binary serves tests/host/data/http_echo.wasm on a free port,
// answers, and exits with status 0 on SIGTERM (graceful shutdown).
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <string>

#include "http_test_client.hpp"

extern char** environ;

namespace kumo::host {
namespace {

using http::test::TestClient;

// Reads `fd` until `pattern` matches what came so far (or 20 s pass); returns the text.
std::string read_until(int fd, const std::regex& pattern) {
  std::string text;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (std::regex_search(text, pattern)) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    char buf[1024];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, size_t(n));
  }
  return text;
}

TEST(ServeCommandTest, ServesAndShutsDownOnSigterm) {
  std::string wasm = std::string(KUMO_SOURCE_DIR) + "/tests/host/data/http_echo.wasm";
  int err_pipe[2];
  ASSERT_EQ(::pipe(err_pipe), 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
  posix_spawn_file_actions_addclose(&fa, err_pipe[0]);
  std::vector<std::string> args = {KUMO_CLI_PATH, "serve", wasm,           "--addr", "127.0.0.1:0",
                                   "--workers",   "2",     "--timeout-ms", "5000"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, KUMO_CLI_PATH, &fa, nullptr, argv.data(), environ), 0)
      << "cannot run " << KUMO_CLI_PATH;
  posix_spawn_file_actions_destroy(&fa);
  ::close(err_pipe[1]);

  std::regex listening(R"(listening on http://127\.0\.0\.1:(\d+))");
  std::string out = read_until(err_pipe[0], listening);
  std::smatch m;
  std::regex_search(out, m, listening);
  if (m.empty()) ::kill(pid, SIGKILL), ::waitpid(pid, nullptr, 0);
  ASSERT_FALSE(m.empty()) << "kumo serve did not report its address: " << out;
  uint16_t port = uint16_t(std::stoi(m[1].str()));
  {
    TestClient c(port);
    c.send("POST /cli?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc");
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->header("x-kumo-path"), "/cli?x=1");
    EXPECT_EQ(r->body, "abc");
    c.send("GET /trap HTTP/1.1\r\nHost: h\r\n\r\n");
    r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 500);
  }
  out = read_until(err_pipe[0], std::regex("wasm backtrace"));
  EXPECT_NE(out.find("GET /trap: unreachable"), std::string::npos) << "no trap report: " << out;

  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ::close(err_pipe[0]);
  ASSERT_TRUE(WIFEXITED(status)) << "kumo serve did not exit normally";
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_THROW(TestClient late(port), std::runtime_error);  // the port is closed
}

TEST(ServeCommandTest, RefusesWhatIsNotAWasiHttpComponent) {
  // A core module (a WASI preview 1 program): load error, exit status 1.
  std::string wasm = std::string(KUMO_SOURCE_DIR) + "/examples/hello/hello.wasm";
  std::string cmd =
      std::string(KUMO_CLI_PATH) + " serve " + wasm + " --addr 127.0.0.1:0 2>/dev/null";
  int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
}

}  // namespace
}  // namespace kumo::host
