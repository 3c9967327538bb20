// Command components from components/ (see build.sh): the preview1 C programs of
// tests/wasi/programs adapted with the wasi_snapshot_preview1 command adapter, so that everything a
// libc program does goes through wasi:cli, wasi:io and wasi:filesystem (expected outputs are the
// preview1 ones of programs_test.cpp, except where the adapter itself differs, noted), and a few
// hand-written commands (*.wat).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "../test_util.hpp"
#include "p2_util.hpp"

namespace kumo::wasi::p2::test {
namespace {

namespace rt = component::rt;
using preview1::PathResolver;
using wasi::test::TempDir;

struct Ran {
  int exit_code = -1;
  std::string trap;  // empty: no trap
  std::string out, err;
};

Ran run_adapted(const std::string& program, Options o, std::string input = {}) {
  Ran r;
  fs::path p =
      fs::path(KUMO_SOURCE_DIR) / "tests/wasi/p2/components" / (program + ".component.wasm");
  wasm::Engine engine;
  auto comp = rt::Component::from_file(engine, p.string());
  if (!comp) {
    ADD_FAILURE() << p << ": " << comp.error().message;  // missing or invalid: fail loudly
    return r;
  }
  Captured cap;
  Options base = cap.options(std::move(input));
  o.make_stdin = base.make_stdin;
  o.make_stdout = base.make_stdout;
  o.make_stderr = base.make_stderr;
  auto ctx = WasiCtx::create(std::move(o));
  if (!ctx) {
    ADD_FAILURE() << ctx.error().message;
    return r;
  }
  auto res = run_command(engine, *comp, std::move(*ctx));
  if (!res) {
    ADD_FAILURE() << program << ": " << res.error().message;
    return r;
  }
  r.exit_code = res->exit_code;
  if (res->trap) r.trap = res->trap->message;
  r.out = *cap.out;
  r.err = *cap.err;
  return r;
}

Options with_args(std::vector<std::string> args) {
  Options o;
  o.args = std::move(args);
  return o;
}

TEST(P2Adapted, Hello) {
  Ran r = run_adapted("hello", with_args({"hello"}));
  EXPECT_EQ(r.trap, "");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "Hello, world!\n");
  EXPECT_EQ(r.err, "this goes to stderr\n");
}

TEST(P2Adapted, ArgsAndEnvironment) {
  Options o = with_args({"args_env.wasm", "one", "two words", ""});
  o.env = {{"KUMO_TEST", "yes"}, {"EMPTY", ""}, {"X", "a=b"}};
  Ran r = run_adapted("args_env", o);
  EXPECT_EQ(r.out,
            "argc=4\nargv[0]=args_env.wasm\nargv[1]=one\nargv[2]=two words\nargv[3]=\n"
            "env KUMO_TEST=yes\nenv EMPTY=\nenv X=a=b\nKUMO_TEST=yes\n");
  Ran none = run_adapted("args_env", Options{});
  EXPECT_EQ(none.out, "argc=0\nKUMO_TEST=(unset)\n");
}

// The adapter turns proc_exit(n != 0) into wasi:cli/exit(err): status 1 (it does not import
// exit-with-code); a trap is a trap.
TEST(P2Adapted, ExitCodes) {
  Ran r = run_adapted("exit_code", with_args({"x", "exit", "42"}));
  EXPECT_EQ(r.trap, "");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "before exit\n");
  EXPECT_EQ(run_adapted("exit_code", with_args({"x", "return", "7"})).exit_code, 1);
  EXPECT_EQ(run_adapted("exit_code", with_args({"x", "exit", "0"})).exit_code, 0);
  EXPECT_EQ(run_adapted("exit_code", with_args({"x", "return", "0"})).exit_code, 0);
  Ran t = run_adapted("exit_code", with_args({"x", "trap", "0"}));
  EXPECT_NE(t.trap, "");
  EXPECT_EQ(t.out, "before exit\n");
}

// jco's exitcode.wasm fixture: proc_exit(120). Through the adapter a non-zero status becomes
// wasi:cli/exit(err), so the command exits with 1 (the bare core module under preview1: 120).
TEST(P2Adapted, JcoExitcodeFixture) {
  Ran r = run_adapted("exitcode", Options{});
  EXPECT_EQ(r.trap, "");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
}

// Hand-written commands (components/*.wat): exit-with-code passes its status through (imported
// at 0.2.6, older than the host), run's result gives 0 or 1 (environment imported at 0.2.99,
// newer than the host), a trap comes back as the trap with its backtrace.
TEST(P2Commands, ExitWithCode) {
  Ran r = run_adapted("exit_with_code", Options{});
  EXPECT_EQ(r.trap, "");
  EXPECT_EQ(r.exit_code, 42);
}

TEST(P2Commands, RunResult) {
  EXPECT_EQ(run_adapted("run_result", with_args({"prog"})).exit_code, 0);
  EXPECT_EQ(run_adapted("run_result", with_args({"prog", "extra"})).exit_code, 1);
}

TEST(P2Commands, TrapIsReported) {
  Ran r = run_adapted("trap", Options{});
  EXPECT_NE(r.trap.find("unreachable"), std::string::npos) << r.trap;
}

TEST(P2Adapted, StdinToStdout) {
  std::string input;
  for (int i = 0; i < 1000; ++i) input += char('a' + i % 26);
  input += "\nend\n";
  Ran r = run_adapted("stdin_upper", Options{}, input);
  std::string upper = input;
  for (char& c : upper) c = char(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, upper);
  EXPECT_EQ(r.err, fmt::format("{} bytes\n", input.size()));
}

// The adapter has no CPU-time clocks: "cpu time positive: 0" (preview1 host: 1).
TEST(P2Adapted, ClocksAndRandom) {
  Ran r = run_adapted("clock_random", Options{});
  EXPECT_EQ(r.out,
            "monotonic res ok: 1\nrealtime after 2020: 1\nnanosleep: 0\nslept >= 20ms: 1\n"
            "monotonic increases: 1\ncpu time positive: 0\ngetentropy: 1\nrandom differs: 1\n"
            "large random: 1\n");
}

// poll_oneoff through the adapter: a monotonic timer really waits; stdin and stdout readiness
// come from their pollables (the adapter reports 1 readable byte, and reports a bad fd as the
// call's errno).
TEST(P2Adapted, Poll) {
  Ran r = run_adapted("poll", Options{}, "12345");
  EXPECT_EQ(r.out,
            "timer: errno=0 n=1 userdata=42 type=0 waited=1\n"
            "past deadline: errno=0 n=1 type=0\n"
            "fds: errno=0 n=2\n"
            "  userdata=7 error=0 type=1 nbytes=1\n"
            "  userdata=8 error=0 type=2 nbytes=0\n"
            "bad fd: errno=8 n=0 userdata=4 error=0\n");
}

class P2AdaptedSandbox : public ::testing::TestWithParam<PathResolver> {
 protected:
  void SetUp() override {
    if (GetParam() == PathResolver::Openat2 && !preview1::openat2_supported())
      FAIL() << "this kernel lacks openat2: the Openat2 resolver cannot be tested";
  }
  Options options(const fs::path& dir, std::vector<std::string> args) {
    Options o = with_args(std::move(args));
    o.dirs.push_back({dir.string(), "/sandbox"});
    o.resolver = GetParam();
    return o;
  }
};

TEST_P(P2AdaptedSandbox, FileOperations) {
  TempDir tmp;
  Ran r = run_adapted("files", options(tmp.path(), {"files", "/sandbox"}));
  EXPECT_EQ(r.trap, "");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out,
            "read: [hello file\n]\n"
            "appended: [hello file\nmore\n]\n"
            "size=16 regular=1\n"
            "pread: [file]\n"
            "tail: [more\n]\n"
            "truncated size=5\n"
            "after truncate: [HELLO]\n"
            "old name: ENOENT\n"
            "renamed: [HELLO]\n"
            "listing 301 entries (+2 dots)\n"
            "readlink: [b.txt]\n"
            "via link: [HELLO]\n"
            "lstat link: symlink=1\n"
            "stat link: regular=1\n"
            "nlink=2\n"
            "mtime=1234567890.000000500 atime=1000000000\n"
            "listing 3 entries (+2 dots)\n  b.txt\n  hard.txt\n  link\n"
            "mkdir existing: EEXIST\n"
            "open missing: ENOENT\n"
            "open dir for writing: EISDIR\n"
            "rmdir non-empty: ENOTEMPTY\n"
            "unlink dir: EISDIR\n"
            "file as dir: ENOTDIR\n"
            "create existing exclusive: EEXIST\n"
            "listing 0 entries (+2 dots)\n"
            "done\n");
  EXPECT_EQ(wasi::test::read_file(tmp / "result.txt"), "written by wasm\n");
  EXPECT_FALSE(fs::exists(tmp / "sub"));
}

// As preview1's EscapeAttemptsFail; the adapter reports wasi:filesystem's not-permitted as EPERM
// where the preview1 host says ENOTCAPABLE.
TEST_P(P2AdaptedSandbox, EscapeAttemptsFail) {
  TempDir tmp;
  fs::path sandbox = wasi::test::make_escape_tree(tmp.path());
  Ran r = run_adapted("escape", options(sandbox, {"escape"}));
  EXPECT_EQ(r.trap, "");
  EXPECT_EQ(r.exit_code, 0);
  std::string want;
  auto open = [&](const char* path, const char* result, const char* content = nullptr) {
    want += fmt::format("open {:<32} {}", path, result);
    if (content) want += fmt::format(" [{}]", content);
    want += "\n";
  };
  auto report = [&](const char* what, const char* result) {
    want += fmt::format("{:<37} {}\n", what, result);
  };
  open("inside.txt", "ESUCCESS", "inside");
  open("../outside/secret.txt", "EPERM");
  open("/etc/passwd", "EPERM");
  open("sub/../../outside/secret.txt", "EPERM");
  open("sub/../inside.txt", "ESUCCESS", "inside");
  open("./sub/./x.txt", "ESUCCESS", "x in sub");
  open("..", "EPERM");
  open("abs_link/secret.txt", "EPERM");
  open("abs_file_link", "EPERM");
  open("abs_file_link", "ELOOP");
  open("rel_link/secret.txt", "EPERM");
  open("chain1/secret.txt", "EPERM");
  open("deep_escape/secret.txt", "EPERM");
  open("dotdot_link/outside/secret.txt", "EPERM");
  open("inner_link/x.txt", "ESUCCESS", "x in sub");
  open("inner_link/../inside.txt", "ESUCCESS", "inside");
  open("loop1", "ELOOP");
  open("sub/up_link/inside.txt", "ESUCCESS", "inside");
  report("open sub (dir)", "ESUCCESS");
  open("x.txt", "ESUCCESS", "x in sub");
  open("../inside.txt", "EPERM");
  open("up_link/inside.txt", "EPERM");
  report("create rel_link/created.txt", "EPERM");
  report("create ../created.txt", "EPERM");
  report("create dangling_out (link)", "EPERM");
  report("filestat rel_link (follow)", "EPERM");
  report("filestat rel_link (nofollow)", "ESUCCESS");
  report("filestat ../outside", "EPERM");
  report("mkdir ../newdir", "EPERM");
  report("mkdir rel_link/newdir", "EPERM");
  report("rmdir ../outside", "EPERM");
  report("unlink ../outside/secret.txt", "EPERM");
  report("unlink rel_link/secret.txt", "EPERM");
  report("rename inside.txt -> ../stolen.txt", "EPERM");
  report("rename ../outside/secret.txt -> got", "EPERM");
  report("rename via rel_link -> got", "EPERM");
  report("link rel_link/secret.txt -> got", "EPERM");
  report("link abs_file_link (follow) -> got", "EPERM");
  report("symlink /etc/passwd -> mylink", "EPERM");
  report("symlink ../outside -> mylink2", "ESUCCESS");
  open("mylink2/secret.txt", "EPERM");
  report("symlink x -> ../outside/evil", "EPERM");
  want += fmt::format("{:<37} {} [{}]\n", "readlink rel_link", "ESUCCESS", "../outside");
  report("readlink ../outside", "EPERM");
  want += "fopen /etc/passwd: refused\n";
  EXPECT_EQ(r.out, want);
  std::vector<std::string> outside;
  for (auto& e : fs::directory_iterator(tmp / "outside"))
    outside.push_back(e.path().filename().string());
  std::sort(outside.begin(), outside.end());
  EXPECT_EQ(outside, (std::vector<std::string>{"inside.txt", "secret.txt"}));
  EXPECT_EQ(wasi::test::read_file(tmp / "outside/secret.txt"), "SECRET");
  EXPECT_FALSE(fs::exists(tmp / "newdir"));
  EXPECT_FALSE(fs::exists(tmp / "stolen.txt"));
  EXPECT_FALSE(fs::exists(tmp / "created.txt"));
  EXPECT_FALSE(fs::exists(sandbox / "got.txt"));
  EXPECT_FALSE(fs::exists(sandbox / "mylink"));
}

INSTANTIATE_TEST_SUITE_P(Resolvers, P2AdaptedSandbox,
                         ::testing::Values(PathResolver::Openat2, PathResolver::Portable),
                         [](const auto& info) {
                           return info.param == PathResolver::Openat2 ? "Openat2" : "Portable";
                         });

}  // namespace
}  // namespace kumo::wasi::p2::test
