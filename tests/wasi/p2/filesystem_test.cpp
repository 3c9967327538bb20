// wasi:filesystem through the host functions, as a guest calls them: ordinary use, and every
// escape attempt of the shared escape tree (.., absolute paths, symlinks) with both resolvers.
#include <gtest/gtest.h>

#include "../test_util.hpp"
#include "p2_util.hpp"

namespace kumo::wasi::p2::test {
namespace {

using preview1::PathResolver;
using wasi::test::make_escape_tree;
using wasi::test::read_file;
using wasi::test::TempDir;

constexpr uint32_t kFollow = 1;
constexpr uint32_t kCreate = 1, kDirectory = 2, kExclusive = 4, kTruncate = 8;
constexpr uint32_t kRead = 1, kWrite = 2, kMutate = 32;
// error-code indices used below
constexpr uint32_t kExist = 7, kNoEntry = 20, kNotPermitted = 31, kReadOnly = 33;

const char* const kFs = "wasi:filesystem/types";

class P2Filesystem : public ::testing::TestWithParam<PathResolver> {
 protected:
  void SetUp() override {
    if (GetParam() == PathResolver::Openat2 && !preview1::openat2_supported())
      FAIL() << "this kernel lacks openat2: the Openat2 resolver cannot be tested";
    sandbox_ = make_escape_tree(tmp_.path());
    Options o;
    o.dirs.push_back({sandbox_.string(), "/sandbox"});
    o.resolver = GetParam();
    h_ = std::make_unique<HostHarness>(std::move(o));
    Val dirs = h_->one("wasi:filesystem/preopens", "get-directories", {});
    ASSERT_EQ(dirs.items.size(), 1u);
    EXPECT_EQ(dirs.items[0].items[1].str, "/sandbox");
    root_ = dirs.items[0].items[0];
  }
  Val m(const std::string& method, std::vector<Val> args, const Val* self = nullptr) {
    args.insert(args.begin(), h_->borrow(self ? *self : root_));
    return h_->one(kFs, "[method]descriptor." + method, std::move(args));
  }
  // open-at; returns the result Val.
  Val open(const std::string& path, uint32_t path_flags = kFollow, uint32_t oflags = 0,
           uint32_t dflags = kRead, const Val* dir = nullptr) {
    return m("open-at", {flags(path_flags), Val::string(path), flags(oflags), flags(dflags)}, dir);
  }
  // The whole content of a file through read-via-stream.
  std::string slurp(const Val& desc) {
    Val s = m("read-via-stream", {Val::u64(0)}, &desc);
    EXPECT_EQ(s.index, 0u);
    std::string out;
    for (;;) {
      Val r = h_->one("wasi:io/streams", "[method]input-stream.blocking-read",
                      {h_->borrow(s.payload()), Val::u64(4096)});
      if (r.index != 0) break;
      out += val_string(r.payload());
    }
    return out;
  }

  TempDir tmp_;
  fs::path sandbox_;
  std::unique_ptr<HostHarness> h_;
  Val root_;
};

TEST_P(P2Filesystem, ReadsAndWritesInsideThePreopen) {
  Val f = open("inside.txt");
  ASSERT_EQ(f.index, 0u);
  EXPECT_EQ(slurp(f.payload()), "inside");
  Val sub = open("inner_link/x.txt");  // a symlink that stays inside is followed
  ASSERT_EQ(sub.index, 0u);
  EXPECT_EQ(slurp(sub.payload()), "x in sub");

  Val w = open("new.txt", kFollow, kCreate | kExclusive, kRead | kWrite);
  ASSERT_EQ(w.index, 0u);
  Val desc = w.payload();
  Val os = m("write-via-stream", {Val::u64(0)}, &desc);
  ASSERT_EQ(os.index, 0u);
  Val r = h_->one("wasi:io/streams", "[method]output-stream.blocking-write-and-flush",
                  {h_->borrow(os.payload()), bytes("hello")});
  EXPECT_EQ(r.index, 0u);
  Val as = m("append-via-stream", {}, &desc);
  h_->one("wasi:io/streams", "[method]output-stream.blocking-write-and-flush",
          {h_->borrow(as.payload()), bytes(" world")});
  EXPECT_EQ(read_file(sandbox_ / "new.txt"), "hello world");
  Val rd = m("read", {Val::u64(5), Val::u64(6)}, &desc);
  ASSERT_EQ(rd.index, 0u);
  EXPECT_EQ(val_string(rd.payload().items[0]), "world");
  Val wr = m("write", {bytes("J"), Val::u64(6)}, &desc);
  EXPECT_EQ(wr.payload().u, 1u);
  Val st = m("stat", {}, &desc);
  ASSERT_EQ(st.index, 0u);
  EXPECT_EQ(st.payload().items[0].index, 6u);  // regular-file
  EXPECT_EQ(st.payload().items[2].u, 11u);
  EXPECT_EQ(m("set-size", {Val::u64(5)}, &desc).index, 0u);
  EXPECT_EQ(read_file(sandbox_ / "new.txt"), "hello");
  EXPECT_EQ(open("new.txt", kFollow, kCreate | kExclusive, kWrite).payload().index, kExist);

  EXPECT_EQ(m("create-directory-at", {Val::string("d")}).index, 0u);
  EXPECT_TRUE(fs::is_directory(sandbox_ / "d"));
  EXPECT_EQ(
      m("rename-at", {Val::string("new.txt"), h_->borrow(root_), Val::string("d/moved.txt")}).index,
      0u);
  EXPECT_TRUE(fs::exists(sandbox_ / "d/moved.txt"));
  EXPECT_EQ(m("symlink-at", {Val::string("moved.txt"), Val::string("d/ln")}).index, 0u);
  Val target = m("readlink-at", {Val::string("d/ln")});
  EXPECT_EQ(target.payload().str, "moved.txt");
  EXPECT_EQ(m("unlink-file-at", {Val::string("d/ln")}).index, 0u);
  EXPECT_EQ(m("unlink-file-at", {Val::string("d/moved.txt")}).index, 0u);
  EXPECT_EQ(m("remove-directory-at", {Val::string("d")}).index, 0u);
  EXPECT_FALSE(fs::exists(sandbox_ / "d"));

  Val st_at = m("stat-at", {flags(0), Val::string("abs_link")});
  ASSERT_EQ(st_at.index, 0u);
  EXPECT_EQ(st_at.payload().items[0].index, 5u);  // symbolic-link (not followed)
  EXPECT_TRUE(m("is-same-object", {h_->borrow(root_)}).b);
}

TEST_P(P2Filesystem, ReadDirectoryListsEntries) {
  Val s = m("read-directory", {});
  ASSERT_EQ(s.index, 0u);
  std::set<std::string> names;
  for (;;) {
    Val e = h_->one(kFs, "[method]directory-entry-stream.read-directory-entry",
                    {h_->borrow(s.payload())});
    ASSERT_EQ(e.index, 0u);
    if (e.payload().index == 0) break;
    names.insert(e.payload().payload().items[1].str);
  }
  EXPECT_TRUE(names.count("inside.txt"));
  EXPECT_TRUE(names.count("sub"));
  EXPECT_FALSE(names.count("."));
  EXPECT_FALSE(names.count(".."));
}

// Every way out of the sandbox fails, whether symlinks are followed or not, and nothing outside
// is read, created or changed.
TEST_P(P2Filesystem, EscapesAreRefused) {
  const char* paths[] = {
      "../outside/secret.txt",
      "/etc/passwd",
      "abs_link/secret.txt",
      "abs_file_link",
      "rel_link/secret.txt",
      "chain1/secret.txt",
      "deep_escape/secret.txt",
      "dotdot_link/outside/secret.txt",
      "sub/up_link/../outside/secret.txt",
      "sub/../../outside/secret.txt",
      "sub/up_link/up_link/secret.txt",
      "loop1",
  };
  for (const char* p : paths) {
    for (uint32_t pf : {0u, kFollow}) {
      Val r = open(p, pf);
      EXPECT_EQ(r.index, 1u) << p << " opened (path flags " << pf << ")";
      if (r.index == 0) {
        EXPECT_NE(slurp(r.payload()), "SECRET") << p;
      }
      // Without symlink-follow, a final symlink inside the sandbox is itself the subject.
      bool link_itself =
          pf == 0 && (std::string_view(p) == "abs_file_link" || std::string_view(p) == "loop1");
      Val st = m("stat-at", {flags(pf), Val::string(p)});
      if (!link_itself) {
        EXPECT_EQ(st.index, 1u) << "stat-at " << p << " (path flags " << pf << ")";
      }
    }
  }
  // Creating through an escaping name never creates anything outside.
  EXPECT_EQ(open("dangling_out", kFollow, kCreate, kWrite).index, 1u);
  EXPECT_EQ(open("../outside/new.txt", kFollow, kCreate, kWrite).index, 1u);
  EXPECT_EQ(m("create-directory-at", {Val::string("../outside/newdir")}).index, 1u);
  EXPECT_EQ(m("create-directory-at", {Val::string("rel_link/newdir")}).index, 1u);
  EXPECT_EQ(m("rename-at",
              {Val::string("inside.txt"), h_->borrow(root_), Val::string("../outside/stolen")})
                .index,
            1u);
  EXPECT_EQ(m("link-at",
              {flags(0), Val::string("inside.txt"), h_->borrow(root_), Val::string("rel_link/l")})
                .index,
            1u);
  EXPECT_EQ(m("unlink-file-at", {Val::string("../outside/secret.txt")}).index, 1u);
  EXPECT_EQ(m("unlink-file-at", {Val::string("rel_link/secret.txt")}).index, 1u);
  Val abs = m("symlink-at", {Val::string("/etc/passwd"), Val::string("evil")});
  ASSERT_EQ(abs.index, 1u);
  EXPECT_EQ(abs.payload().index, kNotPermitted);
  // A relative link pointing out may be created (it is just a name) but never followed out.
  EXPECT_EQ(m("symlink-at", {Val::string("../outside"), Val::string("evil2")}).index, 0u);
  EXPECT_EQ(open("evil2/secret.txt").index, 1u);
  EXPECT_EQ(m("readlink-at", {Val::string("../outside/inside.txt")}).index, 1u);

  EXPECT_FALSE(fs::exists(tmp_.path() / "outside/created_by_link.txt"));
  EXPECT_FALSE(fs::exists(tmp_.path() / "outside/new.txt"));
  EXPECT_FALSE(fs::exists(tmp_.path() / "outside/newdir"));
  EXPECT_FALSE(fs::exists(tmp_.path() / "outside/stolen"));
  EXPECT_FALSE(fs::exists(tmp_.path() / "outside/l"));
  EXPECT_EQ(read_file(tmp_.path() / "outside/secret.txt"), "SECRET");
  EXPECT_TRUE(fs::exists(sandbox_ / "inside.txt"));
}

// A read-only preopen grants no changes beneath it, nor do directories opened through it.
TEST_P(P2Filesystem, ReadOnlyDirectoryDescriptors) {
  Options o;
  o.dirs.push_back({(sandbox_ / "sub").string(), "/ro", false});
  o.resolver = GetParam();
  h_ = std::make_unique<HostHarness>(std::move(o));
  Val dirs = h_->one("wasi:filesystem/preopens", "get-directories", {});
  ASSERT_EQ(dirs.items.size(), 1u);
  Val d = dirs.items[0].items[0];
  EXPECT_EQ(m("get-flags", {}, &d).payload().flags[0], kRead);
  EXPECT_EQ(open(".", kFollow, kDirectory, kRead | kMutate, &d).payload().index, kReadOnly);
  Val self = open(".", kFollow, kDirectory, kRead, &d);
  ASSERT_EQ(self.index, 0u);
  Val again = self.payload();
  EXPECT_EQ(m("create-directory-at", {Val::string("nd")}, &again).payload().index, kReadOnly);
  EXPECT_EQ(m("unlink-file-at", {Val::string("x.txt")}, &d).payload().index, kReadOnly);
  Val r = m("create-directory-at", {Val::string("nd")}, &d);
  ASSERT_EQ(r.index, 1u);
  EXPECT_EQ(r.payload().index, kReadOnly);
  EXPECT_EQ(open("x.txt", kFollow, 0, kRead | kWrite, &d).payload().index, kReadOnly);
  Val x = open("x.txt", kFollow, 0, kRead, &d);
  ASSERT_EQ(x.index, 0u);
  EXPECT_EQ(slurp(x.payload()), "x in sub");
  EXPECT_EQ(open("missing", kFollow, 0, kRead, &d).payload().index, kNoEntry);
  // Escapes from the nested descriptor are refused too.
  EXPECT_EQ(open("../../outside/secret.txt", kFollow, 0, kRead, &d).index, 1u);
  EXPECT_EQ(open("up_link/inside.txt", kFollow, 0, kRead, &d).index, 1u);  // above the preopen
  EXPECT_TRUE(fs::exists(sandbox_ / "sub/x.txt"));
}

// Directories opened through a writable preopen may be changed beneath.
TEST_P(P2Filesystem, SubdirectoriesInheritMutation) {
  Val sub = open("sub", kFollow, kDirectory, kRead);
  ASSERT_EQ(sub.index, 0u);
  Val d = sub.payload();
  EXPECT_EQ(m("create-directory-at", {Val::string("nd")}, &d).index, 0u);
  EXPECT_TRUE(fs::is_directory(sandbox_ / "sub/nd"));
}

INSTANTIATE_TEST_SUITE_P(Resolvers, P2Filesystem,
                         ::testing::Values(PathResolver::Openat2, PathResolver::Portable),
                         [](const auto& info) {
                           return info.param == PathResolver::Openat2 ? "Openat2" : "Portable";
                         });

}  // namespace
}  // namespace kumo::wasi::p2::test
