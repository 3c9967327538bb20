// Helpers shared by the WASI tests: temporary directories, files, and the sandbox-escape tree.
#pragma once

#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace kumo::wasi::test {

namespace fs = std::filesystem;

// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "kumo-wasi-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& rel) const { return path_ / rel; }

 private:
  fs::path path_;
};

inline void write_file(const fs::path& p, const std::string& content) {
  std::ofstream f(p, std::ios::binary);
  f << content;
}

inline std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// An anonymous in-memory file, for capturing a guest's stdout/stderr or feeding its stdin.
class MemFile {
 public:
  explicit MemFile(const std::string& content = {})
      : fd_(::memfd_create("kumo-wasi", MFD_CLOEXEC)) {
    if (fd_ < 0) throw std::runtime_error("memfd_create failed");
    if (!content.empty() && ::write(fd_, content.data(), content.size()) != ssize_t(content.size()))
      throw std::runtime_error("write failed");
    ::lseek(fd_, 0, SEEK_SET);
  }
  ~MemFile() { ::close(fd_); }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  int fd() const { return fd_; }
  std::string contents() const {
    std::string out;
    char buf[4096];
    ssize_t n;
    off_t off = 0;
    while ((n = ::pread(fd_, buf, sizeof buf, off)) > 0) {
      out.append(buf, size_t(n));
      off += n;
    }
    return out;
  }

 private:
  int fd_;
};

// The tree every escape test uses:
//   root/outside/secret.txt        "SECRET"       (must never be reachable)
//   root/outside/inside.txt        "OUTSIDE"      (same name as a sandbox file)
//   root/sandbox/                  the pre-opened directory
//     inside.txt "inside", sub/x.txt "x in sub", sub/up_link -> ..
//     abs_link -> root/outside, abs_file_link -> root/outside/secret.txt
//     rel_link -> ../outside, chain1 -> chain2 -> ../outside, deep_escape -> sub/../../outside
//     dotdot_link -> .., inner_link -> sub, loop1 <-> loop2,
//     dangling_out -> ../outside/created_by_link.txt
inline fs::path make_escape_tree(const fs::path& root) {
  fs::create_directories(root / "outside");
  write_file(root / "outside/secret.txt", "SECRET");
  write_file(root / "outside/inside.txt", "OUTSIDE");
  fs::path sb = root / "sandbox";
  fs::create_directories(sb / "sub");
  write_file(sb / "inside.txt", "inside");
  write_file(sb / "sub/x.txt", "x in sub");
  fs::create_directory_symlink("..", sb / "sub/up_link");
  fs::create_directory_symlink(fs::absolute(root / "outside"), sb / "abs_link");
  fs::create_symlink(fs::absolute(root / "outside/secret.txt"), sb / "abs_file_link");
  fs::create_directory_symlink("../outside", sb / "rel_link");
  fs::create_symlink("chain2", sb / "chain1");
  fs::create_symlink("../outside", sb / "chain2");
  fs::create_symlink("sub/../../outside", sb / "deep_escape");
  fs::create_directory_symlink("..", sb / "dotdot_link");
  fs::create_directory_symlink("sub", sb / "inner_link");
  fs::create_symlink("loop2", sb / "loop1");
  fs::create_symlink("loop1", sb / "loop2");
  fs::create_symlink("../outside/created_by_link.txt", sb / "dangling_out");
  return sb;
}

}  // namespace kumo::wasi::test
