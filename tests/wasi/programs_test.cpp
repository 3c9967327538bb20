// End to end: the C programs in programs/ (compiled with wasi-libc) run through the engine
// with the WASI host, their output and exit status checked.
#include <gtest/gtest.h>

#include "run_util.hpp"

namespace kumo::wasi {
namespace {

using preview1::Options;
using preview1::PathResolver;
using test::run_program;

Options with_args(std::vector<std::string> args) {
  Options o;
  o.args = std::move(args);
  return o;
}

TEST(WasiPrograms, Hello) {
  auto r = run_program("hello", with_args({"hello"}));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "Hello, world!\n");
  EXPECT_EQ(r.err, "this goes to stderr\n");
}

TEST(WasiPrograms, ArgsAndEnvironment) {
  Options o = with_args({"args_env.wasm", "one", "two words", ""});
  o.env = {"KUMO_TEST=yes", "EMPTY=", "X=a=b"};
  auto r = run_program("args_env", o);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.out,
            "argc=4\nargv[0]=args_env.wasm\nargv[1]=one\nargv[2]=two words\nargv[3]=\n"
            "env KUMO_TEST=yes\nenv EMPTY=\nenv X=a=b\nKUMO_TEST=yes\n");
  auto none = run_program("args_env", Options{});
  ASSERT_TRUE(none.ok) << none.error;
  EXPECT_EQ(none.out, "argc=0\nKUMO_TEST=(unset)\n");
}

TEST(WasiPrograms, ExitCodes) {
  auto r = run_program("exit_code", with_args({"x", "exit", "42"}));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.exit_code, 42);
  EXPECT_EQ(r.out, "before exit\n");
  r = run_program("exit_code", with_args({"x", "return", "7"}));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.exit_code, 7);
  r = run_program("exit_code", with_args({"x", "exit", "0"}));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.exit_code, 0);
  r = run_program("exit_code", with_args({"x", "return", "0"}));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.exit_code, 0);
  r = run_program("exit_code", with_args({"x", "trap", "0"}));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.trap_code, wasm::TrapCode::Unreachable) << r.error;
  EXPECT_EQ(r.out, "before exit\n");
}

TEST(WasiPrograms, StdinToStdout) {
  std::string input;
  for (int i = 0; i < 1000; ++i) input += char('a' + i % 26);
  input += "\nend\n";
  auto r = run_program("stdin_upper", Options{}, input);
  ASSERT_TRUE(r.ok) << r.error;
  std::string upper = input;
  for (char& c : upper) c = char(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(r.out, upper);
  EXPECT_EQ(r.err, fmt::format("{} bytes\n", input.size()));
}

TEST(WasiPrograms, ClocksAndRandom) {
  auto r = run_program("clock_random", Options{});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.out,
            "monotonic res ok: 1\nrealtime after 2020: 1\nnanosleep: 0\nslept >= 20ms: 1\n"
            "monotonic increases: 1\ncpu time positive: 1\ngetentropy: 1\nrandom differs: 1\n"
            "large random: 1\n");
}

TEST(WasiPrograms, Poll) {
  auto r = run_program("poll", Options{}, "12345");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.out,
            "timer: errno=0 n=1 userdata=42 type=0 waited=1\n"
            "past deadline: errno=0 n=1 type=0\n"
            "fds: errno=0 n=2\n"
            "  userdata=7 error=0 type=1 nbytes=5\n"
            "  userdata=8 error=0 type=2 nbytes=0\n"
            "bad fd: errno=0 n=1 userdata=7 error=8\n");
}

TEST(WasiPrograms, BadPointersAreFaultsNotCrashes) {
  test::TempDir tmp;
  Options o = with_args({"badptr"});  // args_get then has an array to write
  o.dirs.push_back({tmp.path().string(), "/sandbox"});
  auto r = run_program("badptr", o);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.exit_code, 0);
  const char* expected[][2] = {
      {"fd_write iovs array out of range", "EFAULT"},
      {"fd_write buffer crosses the end", "EFAULT"},
      {"fd_write nwritten out of range", "EFAULT"},
      {"fd_write empty buffer at the end", "ESUCCESS"},
      {"fd_write empty buffer past the end", "EFAULT"},
      {"fd_read buffer wraps around", "EFAULT"},
      {"args_sizes_get out of range", "EFAULT"},
      {"args_get out of range", "EFAULT"},
      {"environ_sizes_get at the end", "EFAULT"},
      {"clock_time_get half out", "EFAULT"},
      {"clock_time_get last 8 bytes", "ESUCCESS"},
      {"random_get crossing the end", "EFAULT"},
      {"random_get last 10 bytes", "ESUCCESS"},
      {"fd_fdstat_get out of range", "EFAULT"},
      {"fd_prestat_dir_name out of range", "EFAULT"},
      {"fd_readdir buffer crosses the end", "EFAULT"},
      {"path_open path crosses the end", "EFAULT"},
      {"path_open fd_out out of range", "EFAULT"},
      {"path_filestat_get out of range", "EFAULT"},
      {"poll_oneoff subscriptions out", "EFAULT"},
      {"poll_oneoff no subscriptions", "EINVAL"},
      {"path_open invalid UTF-8", "EILSEQ"},
      {"path_open embedded NUL", "EINVAL"},
      {"fd_write to a closed fd", "EBADF"},
      {"clock_time_get unknown clock", "EINVAL"},
      {"proc_raise", "ENOSYS"},
      {"sock_accept on stdout", "ENOTSOCK"},
      {"sock_recv on a closed fd", "EBADF"},
  };
  std::string want;
  for (auto& e : expected) want += fmt::format("{:<34} {}\n", e[0], e[1]);
  want += "still alive\n";
  EXPECT_EQ(r.out, want);
}

class WasiSandboxPrograms : public ::testing::TestWithParam<PathResolver> {
 protected:
  void SetUp() override {
    if (GetParam() == PathResolver::Openat2 && !preview1::openat2_supported())
      GTEST_SKIP() << "openat2 is not available on this kernel";
  }
  Options options(const test::fs::path& dir, std::vector<std::string> args) {
    Options o = with_args(std::move(args));
    o.dirs.push_back({dir.string(), "/sandbox"});
    o.resolver = GetParam();
    return o;
  }
};

TEST_P(WasiSandboxPrograms, FileOperations) {
  test::TempDir tmp;
  auto r = run_program("files", options(tmp.path(), {"files", "/sandbox"}));
  ASSERT_TRUE(r.ok) << r.error;
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
  EXPECT_EQ(test::read_file(tmp / "result.txt"), "written by wasm\n");
  EXPECT_FALSE(test::fs::exists(tmp / "sub"));
}

TEST_P(WasiSandboxPrograms, EscapeAttemptsFail) {
  test::TempDir tmp;
  test::fs::path sandbox = test::make_escape_tree(tmp.path());
  auto r = run_program("escape", options(sandbox, {"escape"}));
  ASSERT_TRUE(r.ok) << r.error;
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
  open("../outside/secret.txt", "ENOTCAPABLE");
  open("/etc/passwd", "ENOTCAPABLE");
  open("sub/../../outside/secret.txt", "ENOTCAPABLE");
  open("sub/../inside.txt", "ESUCCESS", "inside");
  open("./sub/./x.txt", "ESUCCESS", "x in sub");
  open("..", "ENOTCAPABLE");
  open("abs_link/secret.txt", "ENOTCAPABLE");
  open("abs_file_link", "ENOTCAPABLE");
  open("abs_file_link", "ELOOP");
  open("rel_link/secret.txt", "ENOTCAPABLE");
  open("chain1/secret.txt", "ENOTCAPABLE");
  open("deep_escape/secret.txt", "ENOTCAPABLE");
  open("dotdot_link/outside/secret.txt", "ENOTCAPABLE");
  open("inner_link/x.txt", "ESUCCESS", "x in sub");
  open("inner_link/../inside.txt", "ESUCCESS", "inside");
  open("loop1", "ELOOP");
  open("sub/up_link/inside.txt", "ESUCCESS", "inside");
  report("open sub (dir)", "ESUCCESS");
  open("x.txt", "ESUCCESS", "x in sub");
  open("../inside.txt", "ENOTCAPABLE");
  open("up_link/inside.txt", "ENOTCAPABLE");
  report("create rel_link/created.txt", "ENOTCAPABLE");
  report("create ../created.txt", "ENOTCAPABLE");
  report("create dangling_out (link)", "ENOTCAPABLE");
  report("filestat rel_link (follow)", "ENOTCAPABLE");
  report("filestat rel_link (nofollow)", "ESUCCESS");
  report("filestat ../outside", "ENOTCAPABLE");
  report("mkdir ../newdir", "ENOTCAPABLE");
  report("mkdir rel_link/newdir", "ENOTCAPABLE");
  report("rmdir ../outside", "ENOTCAPABLE");
  report("unlink ../outside/secret.txt", "ENOTCAPABLE");
  report("unlink rel_link/secret.txt", "ENOTCAPABLE");
  report("rename inside.txt -> ../stolen.txt", "ENOTCAPABLE");
  report("rename ../outside/secret.txt -> got", "ENOTCAPABLE");
  report("rename via rel_link -> got", "ENOTCAPABLE");
  report("link rel_link/secret.txt -> got", "ENOTCAPABLE");
  report("link abs_file_link (follow) -> got", "ENOTCAPABLE");
  report("symlink /etc/passwd -> mylink", "EPERM");
  report("symlink ../outside -> mylink2", "ESUCCESS");
  open("mylink2/secret.txt", "ENOTCAPABLE");
  report("symlink x -> ../outside/evil", "ENOTCAPABLE");
  want += fmt::format("{:<37} {} [{}]\n", "readlink rel_link", "ESUCCESS", "../outside");
  report("readlink ../outside", "ENOTCAPABLE");
  want += "fopen /etc/passwd: refused\n";
  EXPECT_EQ(r.out, want);

  // Nothing outside the sandbox changed, and nothing leaked into it.
  std::vector<std::string> outside;
  for (auto& e : test::fs::directory_iterator(tmp / "outside"))
    outside.push_back(e.path().filename().string());
  std::sort(outside.begin(), outside.end());
  EXPECT_EQ(outside, (std::vector<std::string>{"inside.txt", "secret.txt"}));
  EXPECT_EQ(test::read_file(tmp / "outside/secret.txt"), "SECRET");
  EXPECT_FALSE(test::fs::exists(tmp / "newdir"));
  EXPECT_FALSE(test::fs::exists(tmp / "stolen.txt"));
  EXPECT_FALSE(test::fs::exists(tmp / "created.txt"));
  EXPECT_FALSE(test::fs::exists(sandbox / "got.txt"));
  EXPECT_FALSE(test::fs::exists(sandbox / "mylink"));
}

INSTANTIATE_TEST_SUITE_P(Resolvers, WasiSandboxPrograms,
                         ::testing::Values(PathResolver::Openat2, PathResolver::Portable),
                         [](const auto& info) {
                           return info.param == PathResolver::Openat2 ? "Openat2" : "Portable";
                         });

}  // namespace
}  // namespace kumo::wasi
