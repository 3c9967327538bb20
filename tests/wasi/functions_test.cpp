// The preview1 functions called directly on a fake guest memory (no wasm engine involved):
// struct layouts, errno values, bounds checks, descriptor bookkeeping.
#include "wasi/preview1/functions.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>

#include <cstring>
#include <set>

#include "test_util.hpp"
#include "wasi/preview1/wasi.hpp"

namespace kumo::wasi::preview1 {
namespace {

constexpr uint32_t kMemSize = 65536;

class FunctionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::fs::create_directories(tmp_ / "sandbox/dir");
    test::write_file(tmp_ / "sandbox/hello.txt", "hello, world");
    Options o;
    o.args = {"prog", "a b", ""};
    o.env = {"A=1", "LONGER=value"};
    o.dirs.push_back({(tmp_ / "sandbox").string(), "/sandbox"});
    o.stdin_fd = in_.fd();
    o.stdout_fd = out_.fd();
    o.stderr_fd = -1;  // leave fd 2 closed
    auto ctx = Context::create(std::move(o));
    ASSERT_TRUE(ctx) << ctx.error().message;
    ctx_ = std::move(*ctx);
  }

  State& s() { return ctx_->state(); }
  uint32_t u32_at(uint32_t p) {
    uint32_t v;
    std::memcpy(&v, &mem_[p], 4);
    return v;
  }
  uint64_t u64_at(uint32_t p) {
    uint64_t v;
    std::memcpy(&v, &mem_[p], 8);
    return v;
  }
  uint16_t u16_at(uint32_t p) {
    uint16_t v;
    std::memcpy(&v, &mem_[p], 2);
    return v;
  }
  void put_u32(uint32_t p, uint32_t v) { std::memcpy(&mem_[p], &v, 4); }
  // Places a string at p and returns its length.
  uint32_t put(uint32_t p, std::string_view str) {
    std::memcpy(&mem_[p], str.data(), str.size());
    return static_cast<uint32_t>(str.size());
  }
  std::string str_at(uint32_t p, uint32_t n) {
    return std::string(reinterpret_cast<char*>(&mem_[p]), n);
  }

  // Opens `path` under the pre-open with every right; returns the guest fd or -errno.
  int open(const std::string& path, uint32_t oflags = 0, uint32_t fdflags = 0) {
    uint32_t n = put(1000, path);
    Errno e = fn::path_open(s(), m_, 3, lookupflags::SymlinkFollow, 1000, n, oflags, rights::All,
                            rights::All, fdflags, 2000);
    return e == Errno::Success ? int(u32_at(2000)) : -int(e);
  }
  Errno write_str(uint32_t fd, std::string_view data) {
    uint32_t n = put(3000, data);
    put_u32(100, 3000);
    put_u32(104, n);
    return fn::fd_write(s(), m_, fd, 100, 1, 108);
  }

  test::TempDir tmp_;
  test::MemFile in_{"input data"};
  test::MemFile out_;
  std::unique_ptr<Context> ctx_;
  std::vector<uint8_t> mem_ = std::vector<uint8_t>(kMemSize);
  GuestMemory m_{mem_.data(), kMemSize};
};

TEST_F(FunctionsTest, ArgsAndEnvironLayout) {
  ASSERT_EQ(fn::args_sizes_get(s(), m_, 0, 4), Errno::Success);
  EXPECT_EQ(u32_at(0), 3u);
  EXPECT_EQ(u32_at(4), 5u + 4u + 1u);
  ASSERT_EQ(fn::args_get(s(), m_, 100, 200), Errno::Success);
  EXPECT_EQ(u32_at(100), 200u);
  EXPECT_EQ(u32_at(104), 205u);
  EXPECT_EQ(u32_at(108), 209u);
  EXPECT_EQ(std::memcmp(&mem_[200], "prog\0a b\0\0", 10), 0);

  ASSERT_EQ(fn::environ_sizes_get(s(), m_, 0, 4), Errno::Success);
  EXPECT_EQ(u32_at(0), 2u);
  EXPECT_EQ(u32_at(4), 4u + 13u);
  ASSERT_EQ(fn::environ_get(s(), m_, 100, 200), Errno::Success);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(&mem_[u32_at(104)])), "LONGER=value");

  // Output arrays that do not fit: EFAULT, and nothing partially written before the check.
  EXPECT_EQ(fn::args_get(s(), m_, kMemSize - 8, 200), Errno::Fault);
  EXPECT_EQ(fn::args_get(s(), m_, 100, kMemSize - 9), Errno::Fault);
  EXPECT_EQ(fn::args_get(s(), m_, 100, kMemSize - 10), Errno::Success);  // exactly fits
  EXPECT_EQ(fn::args_sizes_get(s(), m_, kMemSize - 3, 0), Errno::Fault);
  EXPECT_EQ(fn::environ_sizes_get(s(), m_, 0, 0xFFFFFFFF), Errno::Fault);
}

TEST_F(FunctionsTest, ReadWriteStdio) {
  // fd_read with two iovecs split the input.
  put_u32(100, 500);
  put_u32(104, 5);
  put_u32(108, 600);
  put_u32(112, 100);
  ASSERT_EQ(fn::fd_read(s(), m_, 0, 100, 2, 116), Errno::Success);
  EXPECT_EQ(u32_at(116), 10u);
  EXPECT_EQ(str_at(500, 5), "input");
  EXPECT_EQ(str_at(600, 5), " data");

  ASSERT_EQ(write_str(1, "out!"), Errno::Success);
  EXPECT_EQ(u32_at(108), 4u);
  EXPECT_EQ(out_.contents(), "out!");
  EXPECT_EQ(write_str(2, "x"), Errno::Badf);  // stderr was left closed

  // Bounds: iovec array, buffers, result pointer.
  EXPECT_EQ(fn::fd_write(s(), m_, 1, kMemSize - 4, 1, 108), Errno::Fault);
  put_u32(100, kMemSize - 2);
  put_u32(104, 3);
  EXPECT_EQ(fn::fd_write(s(), m_, 1, 100, 1, 108), Errno::Fault);
  put_u32(100, kMemSize);
  put_u32(104, 0);
  EXPECT_EQ(fn::fd_write(s(), m_, 1, 100, 1, 108), Errno::Success);
  EXPECT_EQ(fn::fd_write(s(), m_, 1, 100, 1, kMemSize - 3), Errno::Fault);
  put_u32(100, 0xFFFFFFFF);
  put_u32(104, 2);  // would wrap around in 32 bits
  EXPECT_EQ(fn::fd_read(s(), m_, 0, 100, 1, 108), Errno::Fault);
  EXPECT_EQ(out_.contents(), "out!");
}

TEST_F(FunctionsTest, EmptyMemoryMakesEveryPointerAFault) {
  GuestMemory none;
  EXPECT_EQ(fn::args_sizes_get(s(), none, 0, 4), Errno::Fault);
  EXPECT_EQ(fn::fd_write(s(), none, 1, 0, 0, 0), Errno::Fault);
  EXPECT_EQ(fn::random_get(s(), none, 0, 0), Errno::Success);  // zero bytes at 0 is in bounds
  EXPECT_EQ(fn::sched_yield(s(), none), Errno::Success);
}

TEST_F(FunctionsTest, PrestatAndFdstat) {
  ASSERT_EQ(fn::fd_prestat_get(s(), m_, 3, 0), Errno::Success);
  EXPECT_EQ(mem_[0], kPreopenTypeDir);
  EXPECT_EQ(u32_at(4), 8u);
  EXPECT_EQ(fn::fd_prestat_dir_name(s(), m_, 3, 100, 7), Errno::NameTooLong);
  ASSERT_EQ(fn::fd_prestat_dir_name(s(), m_, 3, 100, 8), Errno::Success);
  EXPECT_EQ(str_at(100, 8), "/sandbox");
  EXPECT_EQ(fn::fd_prestat_get(s(), m_, 4, 0), Errno::Badf);
  EXPECT_EQ(fn::fd_prestat_get(s(), m_, 1, 0), Errno::Badf);  // open, but not a pre-open

  ASSERT_EQ(fn::fd_fdstat_get(s(), m_, 3, 0), Errno::Success);
  EXPECT_EQ(mem_[0], uint8_t(Filetype::Directory));
  EXPECT_EQ(u64_at(8), max_rights(Filetype::Directory));
  EXPECT_EQ(u64_at(16), rights::All);
  ASSERT_EQ(fn::fd_fdstat_get(s(), m_, 1, 0), Errno::Success);
  EXPECT_EQ(mem_[0], uint8_t(Filetype::RegularFile));  // a memfd
  EXPECT_EQ(u64_at(8) & rights::PathOpen, 0u);
  EXPECT_EQ(fn::fd_fdstat_get(s(), m_, 2, 0), Errno::Badf);
  EXPECT_EQ(fn::fd_fdstat_get(s(), m_, 3, kMemSize - 23), Errno::Fault);
}

TEST_F(FunctionsTest, OpenReadSeekStat) {
  int fd = open("hello.txt");
  ASSERT_EQ(fd, 2);  // the lowest free number: stderr was left closed
  put_u32(100, 500);
  put_u32(104, 5);
  ASSERT_EQ(fn::fd_read(s(), m_, fd, 100, 1, 108), Errno::Success);
  EXPECT_EQ(str_at(500, 5), "hello");
  ASSERT_EQ(fn::fd_tell(s(), m_, fd, 200), Errno::Success);
  EXPECT_EQ(u64_at(200), 5u);
  ASSERT_EQ(fn::fd_seek(s(), m_, fd, uint64_t(-3), uint32_t(Whence::End), 200), Errno::Success);
  EXPECT_EQ(u64_at(200), 9u);
  EXPECT_EQ(fn::fd_seek(s(), m_, fd, 0, 3, 200), Errno::Inval);
  EXPECT_EQ(fn::fd_seek(s(), m_, fd, 0, 256, 200), Errno::Inval);  // not truncated to 0
  EXPECT_EQ(fn::fd_seek(s(), m_, fd, uint64_t(-100), uint32_t(Whence::Set), 200), Errno::Inval);
  ASSERT_EQ(fn::fd_pread(s(), m_, fd, 100, 1, 7, 108), Errno::Success);
  EXPECT_EQ(str_at(500, 5), "world");
  EXPECT_EQ(fn::fd_pread(s(), m_, fd, 100, 1, uint64_t(1) << 63, 108), Errno::Inval);

  ASSERT_EQ(fn::fd_filestat_get(s(), m_, fd, 0), Errno::Success);
  EXPECT_EQ(mem_[16], uint8_t(Filetype::RegularFile));
  EXPECT_EQ(u64_at(24), 1u);   // nlink
  EXPECT_EQ(u64_at(32), 12u);  // size
  EXPECT_GT(u64_at(48), 0u);   // mtim

  // path_filestat_get agrees, with and without following.
  uint32_t n = put(1000, "hello.txt");
  ASSERT_EQ(fn::path_filestat_get(s(), m_, 3, 0, 1000, n, 100), Errno::Success);
  EXPECT_EQ(u64_at(108), u64_at(8));  // same inode
  EXPECT_EQ(fn::path_filestat_get(s(), m_, 3, 0, 1000, n, kMemSize - 1), Errno::Fault);

  // Opening a regular file drops directory-only rights.
  ASSERT_EQ(fn::fd_fdstat_get(s(), m_, fd, 0), Errno::Success);
  EXPECT_EQ(u64_at(8) & rights::DirectoryOnly, 0u);
  EXPECT_NE(u64_at(8) & rights::FdRead, 0u);

  ASSERT_EQ(fn::fd_close(s(), m_, fd), Errno::Success);
  EXPECT_EQ(fn::fd_close(s(), m_, fd), Errno::Badf);
  EXPECT_EQ(open("missing.txt"), -int(Errno::NoEnt));
  EXPECT_EQ(open("hello.txt/"), -int(Errno::NotDir));
  EXPECT_EQ(open("../x"), -int(Errno::NotCapable));
}

TEST_F(FunctionsTest, RightsAreRespected) {
  // Ask only for read rights.
  uint32_t n = put(1000, "hello.txt");
  ASSERT_EQ(fn::path_open(s(), m_, 3, 0, 1000, n, 0, rights::FdRead | rights::FdSeek, 0, 0, 2000),
            Errno::Success);
  uint32_t fd = u32_at(2000);
  EXPECT_EQ(write_str(fd, "x"), Errno::NotCapable);
  EXPECT_EQ(fn::fd_tell(s(), m_, fd, 200), Errno::NotCapable);
  EXPECT_EQ(fn::fd_seek(s(), m_, fd, 0, 1, 200), Errno::NotCapable);  // a "tell" needs FdTell
  EXPECT_EQ(fn::fd_seek(s(), m_, fd, 1, 0, 200), Errno::Success);
  // Rights may be dropped, never regained.
  EXPECT_EQ(fn::fd_fdstat_set_rights(s(), m_, fd, rights::FdRead, 0), Errno::Success);
  EXPECT_EQ(fn::fd_seek(s(), m_, fd, 1, 0, 200), Errno::NotCapable);
  EXPECT_EQ(fn::fd_fdstat_set_rights(s(), m_, fd, rights::FdRead | rights::FdSeek, 0),
            Errno::NotCapable);
  // A file is not a directory to open paths under.
  EXPECT_EQ(fn::path_open(s(), m_, fd, 0, 1000, n, 0, 0, 0, 0, 2000), Errno::NotDir);
  EXPECT_EQ(fn::path_open(s(), m_, 1, 0, 1000, n, 0, 0, 0, 0, 2000), Errno::NotDir);
  // A directory's own rights limit what can be done in it, its inheriting rights what the
  // descriptors opened through it may get.
  uint32_t dn = put(1100, "dir");
  ASSERT_EQ(fn::path_open(s(), m_, 3, 0, 1100, dn, oflags::Directory,
                          rights::PathOpen | rights::FdReaddir, rights::FdRead, 0, 2000),
            Errno::Success);
  uint32_t dir = u32_at(2000);
  uint32_t fn_len = put(1200, "new.txt");
  EXPECT_EQ(fn::path_open(s(), m_, dir, 0, 1200, fn_len, oflags::Creat, rights::All, rights::All, 0,
                          2000),
            Errno::NotCapable);  // no PathCreateFile
  test::write_file(tmp_ / "sandbox/dir/f.txt", "f");
  uint32_t fl = put(1200, "f.txt");
  ASSERT_EQ(fn::path_open(s(), m_, dir, 0, 1200, fl, 0, rights::All, rights::All, 0, 2000),
            Errno::Success);
  uint32_t f = u32_at(2000);
  ASSERT_EQ(fn::fd_fdstat_get(s(), m_, f, 0), Errno::Success);
  EXPECT_EQ(u64_at(8), rights::FdRead);
  EXPECT_EQ(write_str(f, "x"), Errno::NotCapable);
  uint32_t hn = put(1200, "../hello.txt");
  EXPECT_EQ(fn::path_open(s(), m_, dir, 0, 1200, hn, 0, rights::All, 0, 0, 2000),
            Errno::NotCapable);  // and ".." may not leave it
}

TEST_F(FunctionsTest, ReaddirPagesWithCookies) {
  for (int i = 0; i < 20; ++i)
    test::write_file(tmp_ / ("sandbox/dir/file" + std::to_string(i)), "");
  int fd = open("dir", oflags::Directory);
  ASSERT_GT(fd, 0);
  // Read everything with a small buffer, resuming at the last complete entry's d_next.
  std::set<std::string> names;
  uint64_t cookie = 0;
  for (int rounds = 0; rounds < 100; ++rounds) {
    ASSERT_EQ(fn::fd_readdir(s(), m_, uint32_t(fd), 4096, 100, cookie, 200), Errno::Success);
    uint32_t used = u32_at(200), at = 4096, end = 4096 + used;
    while (at + layout::kDirentSize <= end) {
      uint32_t namlen = u32_at(at + 16);
      if (at + layout::kDirentSize + namlen > end) break;  // truncated record
      names.insert(str_at(at + layout::kDirentSize, namlen));
      cookie = u64_at(at);
      at += layout::kDirentSize + namlen;
    }
    if (used < 100) break;  // the buffer was not filled: end of directory
  }
  EXPECT_EQ(names.size(), 22u);
  EXPECT_TRUE(names.count(".") && names.count("..") && names.count("file19"));

  // A record that does not fit is written partially, filling the buffer.
  ASSERT_EQ(fn::fd_readdir(s(), m_, uint32_t(fd), 4096, 10, 0, 200), Errno::Success);
  EXPECT_EQ(u32_at(200), 10u);
  // Past the end: nothing.
  ASSERT_EQ(fn::fd_readdir(s(), m_, uint32_t(fd), 4096, 100, 1000, 200), Errno::Success);
  EXPECT_EQ(u32_at(200), 0u);
  // The d_type of a file entry.
  ASSERT_EQ(fn::fd_readdir(s(), m_, 3, 4096, 4096, 0, 200), Errno::Success);
  bool saw_file = false;
  for (uint32_t at = 4096; at < 4096 + u32_at(200);) {
    uint32_t namlen = u32_at(at + 16);
    if (str_at(at + 24, namlen) == "hello.txt") {
      saw_file = true;
      EXPECT_EQ(mem_[at + 20], uint8_t(Filetype::RegularFile));
    }
    at += 24 + namlen;
  }
  EXPECT_TRUE(saw_file);
  EXPECT_EQ(fn::fd_readdir(s(), m_, 1, 4096, 100, 0, 200), Errno::NotCapable);
  EXPECT_EQ(fn::fd_readdir(s(), m_, uint32_t(fd), kMemSize - 10, 100, 0, 200), Errno::Fault);
}

TEST_F(FunctionsTest, RenumberAndClose) {
  int a = open("hello.txt"), b = open("hello.txt");
  ASSERT_EQ(a, 2);
  ASSERT_GT(b, a);
  EXPECT_EQ(fn::fd_renumber(s(), m_, uint32_t(a), 77), Errno::Badf);  // target must be open
  ASSERT_EQ(fn::fd_renumber(s(), m_, uint32_t(a), uint32_t(b)), Errno::Success);
  EXPECT_EQ(fn::fd_close(s(), m_, uint32_t(a)), Errno::Badf);
  put_u32(100, 500);
  put_u32(104, 5);
  EXPECT_EQ(fn::fd_read(s(), m_, uint32_t(b), 100, 1, 108), Errno::Success);
  EXPECT_EQ(fn::fd_renumber(s(), m_, uint32_t(b), uint32_t(b)), Errno::Success);
  // Freed numbers are reused, lowest first.
  EXPECT_EQ(open("hello.txt"), a);
  // Closing guest stdout does not close the host's descriptor.
  ASSERT_EQ(fn::fd_close(s(), m_, 1), Errno::Success);
  EXPECT_EQ(::fcntl(out_.fd(), F_GETFD), FD_CLOEXEC);
}

TEST_F(FunctionsTest, PathOperations) {
  auto call = [&](auto f, std::string_view p) {
    uint32_t n = put(1000, p);
    return f(s(), m_, 3, 1000, n);
  };
  EXPECT_EQ(call(fn::path_create_directory, "newdir"), Errno::Success);
  EXPECT_EQ(call(fn::path_create_directory, "newdir"), Errno::Exist);
  EXPECT_EQ(call(fn::path_create_directory, "../newdir"), Errno::NotCapable);
  EXPECT_TRUE(test::fs::is_directory(tmp_ / "sandbox/newdir"));
  EXPECT_EQ(call(fn::path_unlink_file, "newdir"), Errno::IsDir);
  EXPECT_EQ(call(fn::path_unlink_file, "hello.txt/"), Errno::NotDir);
  EXPECT_EQ(call(fn::path_remove_directory, "newdir"), Errno::Success);
  EXPECT_EQ(call(fn::path_remove_directory, "dir/.."), Errno::Inval);  // "." itself
  EXPECT_EQ(call(fn::path_remove_directory, "hello.txt"), Errno::NotDir);

  uint32_t t = put(1100, "hello.txt");
  uint32_t l = put(1200, "link");
  ASSERT_EQ(fn::path_symlink(s(), m_, 1100, t, 3, 1200, l), Errno::Success);
  ASSERT_EQ(fn::path_readlink(s(), m_, 3, 1200, l, 1300, 64, 1400), Errno::Success);
  EXPECT_EQ(str_at(1300, u32_at(1400)), "hello.txt");
  ASSERT_EQ(fn::path_readlink(s(), m_, 3, 1200, l, 1300, 3, 1400), Errno::Success);
  EXPECT_EQ(u32_at(1400), 3u);  // truncated, like readlink(2)
  EXPECT_EQ(fn::path_readlink(s(), m_, 3, 1100, t, 1300, 64, 1400), Errno::Inval);
  // Following the link for stat gives the file; not following gives the link.
  ASSERT_EQ(fn::path_filestat_get(s(), m_, 3, 1, 1200, l, 0), Errno::Success);
  EXPECT_EQ(mem_[16], uint8_t(Filetype::RegularFile));
  ASSERT_EQ(fn::path_filestat_get(s(), m_, 3, 0, 1200, l, 0), Errno::Success);
  EXPECT_EQ(mem_[16], uint8_t(Filetype::SymbolicLink));
  uint32_t abs = put(1100, "/etc/passwd");
  EXPECT_EQ(fn::path_symlink(s(), m_, 1100, abs, 3, 1200, l), Errno::Perm);

  uint32_t h = put(1500, "hard");
  ASSERT_EQ(fn::path_link(s(), m_, 3, 1, 1200, l, 3, 1500, h), Errno::Success);  // follows link
  ASSERT_EQ(fn::path_filestat_get(s(), m_, 3, 0, 1500, h, 0), Errno::Success);
  EXPECT_EQ(mem_[16], uint8_t(Filetype::RegularFile));
  EXPECT_EQ(u64_at(24), 2u);

  uint32_t r = put(1600, "dir/renamed");
  ASSERT_EQ(fn::path_rename(s(), m_, 3, 1500, h, 3, 1600, r), Errno::Success);
  EXPECT_TRUE(test::fs::exists(tmp_ / "sandbox/dir/renamed"));
  uint32_t out = put(1700, "../out");
  EXPECT_EQ(fn::path_rename(s(), m_, 3, 1600, r, 3, 1700, out), Errno::NotCapable);

  // Times: explicit, now, and the contradictory combination.
  ASSERT_EQ(fn::path_filestat_set_times(s(), m_, 3, 0, 1600, r, 5'000'000'123, 7'000'000'000,
                                        fstflags::Atim | fstflags::Mtim),
            Errno::Success);
  ASSERT_EQ(fn::path_filestat_get(s(), m_, 3, 0, 1600, r, 0), Errno::Success);
  EXPECT_EQ(u64_at(40), 5'000'000'123u);
  EXPECT_EQ(u64_at(48), 7'000'000'000u);
  EXPECT_EQ(
      fn::path_filestat_set_times(s(), m_, 3, 0, 1600, r, 1, 1, fstflags::Atim | fstflags::AtimNow),
      Errno::Inval);
  EXPECT_EQ(fn::path_filestat_set_times(s(), m_, 3, 0, 1600, r, 0, 0, 0x10), Errno::Inval);

  // Guest strings must be UTF-8 without NUL bytes.
  EXPECT_EQ(call(fn::path_create_directory, "bad\xff"), Errno::Ilseq);
  EXPECT_EQ(call(fn::path_create_directory, "\xC0\xAF"), Errno::Ilseq);  // overlong '/'
  EXPECT_EQ(call(fn::path_create_directory, std::string_view("a\0b", 3)), Errno::Inval);
  EXPECT_EQ(call(fn::path_create_directory, "d\xC3\xA9j\xC3\xA0"), Errno::Success);  // "déjà"
  EXPECT_EQ(fn::path_create_directory(s(), m_, 3, kMemSize - 1, 2), Errno::Fault);
  EXPECT_EQ(fn::path_create_directory(s(), m_, 1, 1000, 1), Errno::NotDir);
}

TEST_F(FunctionsTest, FileSizeFlagsAndSync) {
  int fd = open("grow.txt", oflags::Creat | oflags::Excl, fdflags::Append);
  ASSERT_GT(fd, 0);
  ASSERT_EQ(fn::fd_fdstat_get(s(), m_, uint32_t(fd), 0), Errno::Success);
  EXPECT_EQ(u16_at(2), fdflags::Append);
  ASSERT_EQ(write_str(uint32_t(fd), "abc"), Errno::Success);
  ASSERT_EQ(fn::fd_filestat_set_size(s(), m_, uint32_t(fd), 100), Errno::Success);
  ASSERT_EQ(fn::fd_allocate(s(), m_, uint32_t(fd), 0, 200), Errno::Success);
  ASSERT_EQ(fn::fd_filestat_get(s(), m_, uint32_t(fd), 0), Errno::Success);
  EXPECT_EQ(u64_at(32), 200u);
  EXPECT_EQ(fn::fd_fdstat_set_flags(s(), m_, uint32_t(fd), fdflags::Nonblock), Errno::Success);
  ASSERT_EQ(fn::fd_fdstat_get(s(), m_, uint32_t(fd), 0), Errno::Success);
  EXPECT_EQ(u16_at(2), fdflags::Nonblock);
  EXPECT_EQ(fn::fd_fdstat_set_flags(s(), m_, uint32_t(fd), fdflags::Sync), Errno::NotSup);
  EXPECT_EQ(fn::fd_fdstat_set_flags(s(), m_, uint32_t(fd), 0x20), Errno::Inval);
  EXPECT_EQ(fn::fd_sync(s(), m_, uint32_t(fd)), Errno::Success);
  EXPECT_EQ(fn::fd_datasync(s(), m_, uint32_t(fd)), Errno::Success);
  EXPECT_EQ(fn::fd_advise(s(), m_, uint32_t(fd), 0, 0, uint32_t(Advice::WillNeed)), Errno::Success);
  EXPECT_EQ(fn::fd_advise(s(), m_, uint32_t(fd), 0, 0, 6), Errno::Inval);
  EXPECT_EQ(fn::fd_filestat_set_times(s(), m_, uint32_t(fd), 0, 0, fstflags::MtimNow),
            Errno::Success);
  EXPECT_EQ(open("grow.txt", oflags::Creat | oflags::Excl), -int(Errno::Exist));
  EXPECT_EQ(open("grow.txt", oflags::Directory), -int(Errno::NotDir));
  EXPECT_EQ(open("grow.txt", 0x10), -int(Errno::Inval));
  EXPECT_EQ(open("grow.txt", 0, 0x20), -int(Errno::Inval));
  EXPECT_GT(open("grow.txt", oflags::Trunc), fd);
  EXPECT_EQ(test::fs::file_size(tmp_ / "sandbox/grow.txt"), 0u);
}

TEST_F(FunctionsTest, ClocksAndRandom) {
  ASSERT_EQ(fn::clock_time_get(s(), m_, uint32_t(ClockId::Realtime), 0, 0), Errno::Success);
  EXPECT_GT(u64_at(0), 1'600'000'000ull * 1'000'000'000ull);
  for (uint32_t id = 0; id < 4; ++id) {
    EXPECT_EQ(fn::clock_res_get(s(), m_, id, 8), Errno::Success);
    EXPECT_GT(u64_at(8), 0u);
    EXPECT_EQ(fn::clock_time_get(s(), m_, id, 1, 8), Errno::Success);
  }
  EXPECT_EQ(fn::clock_time_get(s(), m_, 4, 0, 0), Errno::Inval);
  EXPECT_EQ(fn::clock_res_get(s(), m_, 0, kMemSize - 7), Errno::Fault);
  ASSERT_EQ(fn::random_get(s(), m_, 0, kMemSize), Errno::Success);
  EXPECT_NE(u64_at(0) | u64_at(8), 0u);
  EXPECT_EQ(fn::random_get(s(), m_, 1, kMemSize), Errno::Fault);
  EXPECT_EQ(fn::proc_raise(s(), m_, 9), Errno::NoSys);
}

TEST_F(FunctionsTest, PollClockAndDescriptors) {
  auto clock_sub = [&](uint32_t at, uint64_t userdata, uint64_t timeout, uint16_t flags) {
    std::memset(&mem_[at], 0, 48);
    std::memcpy(&mem_[at], &userdata, 8);
    mem_[at + 8] = uint8_t(EventType::Clock);
    uint32_t id = uint32_t(ClockId::Monotonic);
    std::memcpy(&mem_[at + 16], &id, 4);
    std::memcpy(&mem_[at + 24], &timeout, 8);
    std::memcpy(&mem_[at + 40], &flags, 2);
  };
  auto fd_sub = [&](uint32_t at, uint64_t userdata, EventType type, uint32_t fd) {
    std::memset(&mem_[at], 0, 48);
    std::memcpy(&mem_[at], &userdata, 8);
    mem_[at + 8] = uint8_t(type);
    std::memcpy(&mem_[at + 16], &fd, 4);
  };
  clock_sub(0, 11, 5'000'000, 0);
  ASSERT_EQ(fn::poll_oneoff(s(), m_, 0, 1000, 1, 2000), Errno::Success);
  EXPECT_EQ(u32_at(2000), 1u);
  EXPECT_EQ(u64_at(1000), 11u);
  EXPECT_EQ(u16_at(1008), 0u);
  EXPECT_EQ(mem_[1010], uint8_t(EventType::Clock));

  // stdin (a memfd holding 10 bytes) is readable now, long before the 10 s timer.
  clock_sub(0, 11, 10'000'000'000, 0);
  fd_sub(48, 22, EventType::FdRead, 0);
  fd_sub(96, 33, EventType::FdRead, 99);
  ASSERT_EQ(fn::poll_oneoff(s(), m_, 0, 1000, 3, 2000), Errno::Success);
  ASSERT_EQ(u32_at(2000), 2u);
  EXPECT_EQ(u64_at(1000), 33u);  // the bad fd is reported at once
  EXPECT_EQ(u16_at(1008), uint16_t(Errno::Badf));
  EXPECT_EQ(u64_at(1032), 22u);
  EXPECT_EQ(u64_at(1048), 10u);  // nbytes
  EXPECT_EQ(mem_[1042], uint8_t(EventType::FdRead));

  EXPECT_EQ(fn::poll_oneoff(s(), m_, 0, 1000, 0, 2000), Errno::Inval);
  EXPECT_EQ(fn::poll_oneoff(s(), m_, kMemSize - 47, 1000, 1, 2000), Errno::Fault);
  EXPECT_EQ(fn::poll_oneoff(s(), m_, 0, kMemSize - 31, 1, 2000), Errno::Fault);
  mem_[8] = 7;  // unknown subscription type
  EXPECT_EQ(fn::poll_oneoff(s(), m_, 0, 1000, 1, 2000), Errno::Inval);
}

TEST_F(FunctionsTest, SocketsHandedToTheGuest) {
  EXPECT_EQ(fn::sock_shutdown(s(), m_, 1, 3), Errno::NotSock);
  EXPECT_EQ(fn::sock_accept(s(), m_, 42, 0, 0), Errno::Badf);
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  Options o;
  o.stdin_fd = sv[0];
  auto ctx = Context::create(std::move(o));
  ASSERT_TRUE(ctx);
  State& st = (*ctx)->state();
  ::close(sv[0]);
  ASSERT_EQ(::write(sv[1], "ping", 4), 4);
  put_u32(100, 500);
  put_u32(104, 16);
  ASSERT_EQ(fn::sock_recv(st, m_, 0, 100, 1, 0, 200, 204), Errno::Success);
  EXPECT_EQ(u32_at(200), 4u);
  EXPECT_EQ(str_at(500, 4), "ping");
  put(500, "pong");
  put_u32(104, 4);
  ASSERT_EQ(fn::sock_send(st, m_, 0, 100, 1, 0, 200), Errno::Success);
  char buf[8] = {};
  EXPECT_EQ(::read(sv[1], buf, sizeof buf), 4);
  EXPECT_EQ(fn::sock_send(st, m_, 0, 100, 1, 1, 200), Errno::Inval);
  EXPECT_EQ(fn::sock_shutdown(st, m_, 0, 0), Errno::Inval);
  EXPECT_EQ(fn::sock_shutdown(st, m_, 0, 3), Errno::Success);
  EXPECT_EQ(fn::sock_accept(st, m_, 0, 0, 0), Errno::Inval);  // not listening
  ::close(sv[1]);
}

TEST_F(FunctionsTest, WritingToABrokenPipeIsEpipeNotSigpipe) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  Options o;
  o.stdout_fd = p[1];
  auto ctx = Context::create(std::move(o));
  ASSERT_TRUE(ctx);
  ::close(p[0]);
  ::close(p[1]);
  uint32_t n = put(3000, "x");
  put_u32(100, 3000);
  put_u32(104, n);
  EXPECT_EQ(fn::fd_write((*ctx)->state(), m_, 1, 100, 1, 108), Errno::Pipe);
  sigset_t pending;
  sigpending(&pending);
  EXPECT_FALSE(sigismember(&pending, SIGPIPE));  // consumed, not left for later
}

TEST(WasiErrno, HostMapping) {
  EXPECT_EQ(errno_from_host(0), Errno::Success);
  EXPECT_EQ(errno_from_host(ENOENT), Errno::NoEnt);
  EXPECT_EQ(errno_from_host(EWOULDBLOCK), Errno::Again);
  EXPECT_EQ(errno_from_host(EOPNOTSUPP), Errno::NotSup);
  EXPECT_EQ(errno_from_host(EXDEV), Errno::Xdev);
  EXPECT_EQ(errno_from_host(ENOTEMPTY), Errno::NotEmpty);
  EXPECT_EQ(errno_from_host(EDQUOT), Errno::Dquot);
  EXPECT_EQ(errno_from_host(ENOMEDIUM), Errno::NoEnt);
  EXPECT_EQ(errno_from_host(12345), Errno::Io);
  EXPECT_STREQ(errno_name(Errno::NotCapable), "ENOTCAPABLE");
  EXPECT_STREQ(errno_name(Errno::TooBig), "E2BIG");
  EXPECT_EQ(uint16_t(Errno::NotCapable), 76);
  EXPECT_EQ(uint16_t(Errno::Spipe), 70);
}

TEST(WasiContext, OptionsAndErrors) {
  auto p = parse_preopen("a/b::/data");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->host_path, "a/b");
  EXPECT_EQ(p->guest_path, "/data");
  p = parse_preopen("here");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->guest_path, "here");
  EXPECT_FALSE(parse_preopen("::/x"));
  EXPECT_FALSE(parse_preopen("x::"));

  Options o;
  o.dirs.push_back({"/nonexistent/kumo/dir", "/x"});
  auto ctx = Context::create(std::move(o));
  ASSERT_FALSE(ctx);
  EXPECT_NE(ctx.error().message.find("/nonexistent/kumo/dir"), std::string::npos);
}

}  // namespace
}  // namespace kumo::wasi::preview1
