// The confined path resolver, directly on the host file system, in both implementations.
#include "wasi/preview1/sandbox.hpp"

#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/stat.h>

#include <atomic>
#include <thread>

#include "test_util.hpp"

namespace kumo::wasi::preview1 {
namespace {

using test::fs::path;

class SandboxTest : public ::testing::TestWithParam<PathResolver> {
 protected:
  void SetUp() override {
    if (GetParam() == PathResolver::Openat2 && !openat2_supported())
      GTEST_SKIP() << "openat2 is not available on this kernel";
    sandbox_dir_ = test::make_escape_tree(tmp_.path());
    base_ = UniqueFd(::open(sandbox_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(base_);
  }

  // Opens read-only and returns the content, or the errno name.
  std::string open_read(const std::string& p, bool follow = true, int flags = O_RDONLY) {
    Sandbox sb(GetParam());
    auto fd = sb.open(base_.get(), p, flags, 0644, follow);
    if (!fd) return errno_name(fd.error());
    char buf[256];
    ssize_t n = ::read(fd->get(), buf, sizeof buf);
    if (n < 0) return std::string("read:") + errno_name(last_errno());
    return std::string(buf, size_t(n));
  }

  // Resolves the parent and reports "<inode of parent>/<name>" or the errno name.
  std::string parent_of(const std::string& p, bool follow) {
    Sandbox sb(GetParam());
    auto r = sb.parent(base_.get(), p, follow);
    if (!r) return errno_name(r.error());
    struct stat st;
    if (::fstat(r->fd, &st) != 0) return "fstat failed";
    std::string dir = st.st_ino == ino(sandbox_dir_)           ? "BASE"
                      : st.st_ino == ino(sandbox_dir_ / "sub") ? "SUB"
                                                               : "OTHER";
    return dir + "/" + r->name + (r->trailing_slash ? " (dir)" : "");
  }

  static ino_t ino(const path& p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0 ? st.st_ino : 0;
  }

  test::TempDir tmp_;
  path sandbox_dir_;
  UniqueFd base_;
};

TEST_P(SandboxTest, OpensPathsInside) {
  EXPECT_EQ(open_read("inside.txt"), "inside");
  EXPECT_EQ(open_read("sub/x.txt"), "x in sub");
  EXPECT_EQ(open_read("./sub/./x.txt"), "x in sub");
  EXPECT_EQ(open_read("sub//x.txt"), "x in sub");
  EXPECT_EQ(open_read("sub/../inside.txt"), "inside");
  EXPECT_EQ(open_read("inner_link/x.txt"), "x in sub");
  EXPECT_EQ(open_read("inner_link/../inside.txt"), "inside");  // ".." of where the link led
  EXPECT_EQ(open_read("sub/up_link/inside.txt"), "inside");
  EXPECT_EQ(open_read("dotdot_link/../sandbox/inside.txt"), "ENOTCAPABLE");
  EXPECT_EQ(open_read("sub/", true, O_RDONLY | O_DIRECTORY), "read:EISDIR");
  EXPECT_EQ(open_read(".", true, O_RDONLY | O_DIRECTORY), "read:EISDIR");
}

TEST_P(SandboxTest, PathOnlyDescriptors) {
  Sandbox sb(GetParam());
  auto fd = sb.open(base_.get(), "inside.txt", O_PATH | O_NOCTTY | O_APPEND, 0, true);
  ASSERT_TRUE(fd) << errno_name(fd.error());
  struct stat st;
  ASSERT_EQ(::fstat(fd->get(), &st), 0);
  EXPECT_EQ(st.st_size, 6);
  EXPECT_FALSE(sb.open(base_.get(), "rel_link/secret.txt", O_PATH, 0, true));
}

TEST_P(SandboxTest, RefusesEscapes) {
  EXPECT_EQ(open_read("../outside/secret.txt"), "ENOTCAPABLE");
  EXPECT_EQ(open_read(".."), "ENOTCAPABLE");
  EXPECT_EQ(open_read("/etc/passwd"), "ENOTCAPABLE");
  EXPECT_EQ(open_read(sandbox_dir_ / "inside.txt"), "ENOTCAPABLE");  // even inside, absolute
  EXPECT_EQ(open_read("sub/../../outside/secret.txt"), "ENOTCAPABLE");
  EXPECT_EQ(open_read("abs_link/secret.txt"), "ENOTCAPABLE");
  EXPECT_EQ(open_read("abs_file_link"), "ENOTCAPABLE");
  EXPECT_EQ(open_read("rel_link/secret.txt"), "ENOTCAPABLE");
  EXPECT_EQ(open_read("rel_link/inside.txt"), "ENOTCAPABLE");
  EXPECT_EQ(open_read("chain1/secret.txt"), "ENOTCAPABLE");
  EXPECT_EQ(open_read("deep_escape/secret.txt"), "ENOTCAPABLE");
  EXPECT_EQ(open_read("dotdot_link/outside/secret.txt"), "ENOTCAPABLE");
  EXPECT_EQ(open_read("sub/up_link/../outside/secret.txt"), "ENOTCAPABLE");
}

TEST_P(SandboxTest, ErrorsMatchTheHost) {
  EXPECT_EQ(open_read(""), "ENOENT");
  EXPECT_EQ(open_read("missing.txt"), "ENOENT");
  EXPECT_EQ(open_read("missing/x"), "ENOENT");
  EXPECT_EQ(open_read("inside.txt/"), "ENOTDIR");
  EXPECT_EQ(open_read("inside.txt/x"), "ENOTDIR");
  EXPECT_EQ(open_read("loop1"), "ELOOP");
  EXPECT_EQ(open_read("loop1/x"), "ELOOP");
  EXPECT_EQ(open_read("abs_file_link", false), "ELOOP");  // O_NOFOLLOW on a symlink
  EXPECT_EQ(open_read("inner_link", false, O_RDONLY | O_DIRECTORY), "ENOTDIR");
  EXPECT_EQ(open_read(std::string(5000, 'a')), "ENAMETOOLONG");
}

TEST_P(SandboxTest, CreatingThroughAnEscapingLinkCreatesNothing) {
  EXPECT_EQ(open_read("dangling_out", true, O_CREAT | O_WRONLY), "ENOTCAPABLE");
  EXPECT_EQ(open_read("rel_link/new.txt", true, O_CREAT | O_WRONLY), "ENOTCAPABLE");
  EXPECT_EQ(open_read("dangling_out", true, O_CREAT | O_EXCL | O_WRONLY), "EEXIST");
  EXPECT_FALSE(test::fs::exists(tmp_ / "outside/created_by_link.txt"));
  EXPECT_FALSE(test::fs::exists(tmp_ / "outside/new.txt"));
  // Inside, creating through a link works.
  EXPECT_EQ(open_read("inner_link/new.txt", true, O_CREAT | O_RDWR), "");
  EXPECT_TRUE(test::fs::exists(sandbox_dir_ / "sub/new.txt"));
}

TEST_P(SandboxTest, ResolvesParents) {
  EXPECT_EQ(parent_of("inside.txt", false), "BASE/inside.txt");
  EXPECT_EQ(parent_of("sub/x.txt", false), "SUB/x.txt");
  EXPECT_EQ(parent_of("sub/x.txt/", false), "SUB/x.txt (dir)");
  EXPECT_EQ(parent_of("inner_link/x.txt", false), "SUB/x.txt");
  EXPECT_EQ(parent_of("rel_link", false), "BASE/rel_link");  // the link itself is inside
  EXPECT_EQ(parent_of("inner_link", true), "BASE/sub");
  EXPECT_EQ(parent_of("sub/up_link", true), "BASE/.");
  EXPECT_EQ(parent_of("sub/..", false), "BASE/.");
  EXPECT_EQ(parent_of(".", false), "BASE/.");
  EXPECT_EQ(parent_of("rel_link", true), "ENOTCAPABLE");
  EXPECT_EQ(parent_of("abs_file_link", true), "ENOTCAPABLE");
  EXPECT_EQ(parent_of("dangling_out", true), "ENOTCAPABLE");
  EXPECT_EQ(parent_of("..", false), "ENOTCAPABLE");
  EXPECT_EQ(parent_of("../x", false), "ENOTCAPABLE");
  EXPECT_EQ(parent_of("rel_link/secret.txt", false), "ENOTCAPABLE");
  EXPECT_EQ(parent_of("/tmp", false), "ENOTCAPABLE");
  EXPECT_EQ(parent_of("loop1", true), "ELOOP");
  EXPECT_EQ(parent_of("missing/x", false), "ENOENT");
  EXPECT_EQ(parent_of("inside.txt/x", false), "ENOTDIR");
  EXPECT_EQ(parent_of("missing", true), "BASE/missing");  // absent finals are the caller's business
}

// A concurrent attacker swaps a directory for a symlink to the outside (atomically, with
// RENAME_EXCHANGE) while paths through it are being resolved: no resolution may ever land
// outside. A second attacker moves a directory out of the sandbox and back, to catch a resolver
// that trusts the kernel's ".." after checking a prefix.
TEST_P(SandboxTest, ConcurrentRenamesNeverEscape) {
  test::fs::create_directories(sandbox_dir_ / "swap");
  test::write_file(sandbox_dir_ / "swap/secret.txt", "inside-swap");
  test::fs::create_directory_symlink("../outside", sandbox_dir_ / "swap_alt");
  test::fs::create_directories(sandbox_dir_ / "mover/a");

  std::atomic<bool> stop{false};
  std::thread attacker([&] {
    std::string swap = (sandbox_dir_ / "swap").string(), alt = (sandbox_dir_ / "swap_alt").string();
    std::string mover = (sandbox_dir_ / "mover").string(), away = (tmp_ / "outside/mover").string();
    while (!stop.load()) {
      ::renameat2(AT_FDCWD, swap.c_str(), AT_FDCWD, alt.c_str(), RENAME_EXCHANGE);
      ::rename(mover.c_str(), away.c_str());
      ::rename(away.c_str(), mover.c_str());
    }
  });
  int inside = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string r1 = open_read("swap/secret.txt");
    ASSERT_NE(r1, "SECRET") << "escaped through a swapped symlink";
    if (r1 == "inside-swap") ++inside;
    std::string r2 = open_read("mover/a/../../inside.txt");
    ASSERT_NE(r2, "OUTSIDE") << "escaped through a moved directory";
    Sandbox sb(GetParam());
    auto p = sb.parent(base_.get(), "swap/secret.txt", true);
    if (p) {
      char buf[32] = {};
      UniqueFd fd(::openat(p->fd, p->name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
      ssize_t n = fd ? ::read(fd.get(), buf, sizeof buf) : 0;
      ASSERT_NE(std::string(buf, size_t(std::max<ssize_t>(0, n))), "SECRET");
    }
  }
  stop = true;
  attacker.join();
  EXPECT_GT(inside, 0);  // the race did run both ways
}

INSTANTIATE_TEST_SUITE_P(Resolvers, SandboxTest,
                         ::testing::Values(PathResolver::Openat2, PathResolver::Portable),
                         [](const auto& info) {
                           return info.param == PathResolver::Openat2 ? "Openat2" : "Portable";
                         });

}  // namespace
}  // namespace kumo::wasi::preview1
