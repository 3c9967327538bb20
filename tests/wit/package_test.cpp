// Directory loading (wasm-tools layout: dir/*.wit + dir/deps/): a realistic multi-file package
// with several dependency packages, errors located in the right file, and an optional corpus of
// real WIT trees.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "wit_test_util.hpp"

namespace kumo::wit {
namespace {

const std::filesystem::path kData = std::filesystem::path(KUMO_SOURCE_DIR) / "tests/wit/data";

std::vector<std::string> names(const Resolve& r, const std::vector<WorldItem>& items) {
  std::vector<std::string> out;
  for (const WorldItem& i : items) out.push_back(r.item_name(i));
  return out;
}

TEST(WitPackage, KvAppDirectoryWithDeps) {
  Resolve r;
  auto root = push_dir(r, kData / "kv-app");
  ASSERT_TRUE(root.has_value()) << root.error().message;
  EXPECT_EQ(r.packages[*root].name.to_string(), "kumo:kv-app@0.1.0");
  EXPECT_EQ(r.packages.size(), 6u);  // kv-app, io, clocks, keyvalue, logging and the nested config
  auto w = select_world(r, *root);
  ASSERT_TRUE(w.has_value()) << w.error().message;
  const World& app = r.worlds[*w];
  EXPECT_EQ(app.docs, "A request handler with two key-value caches, a logger and clocks.");
  EXPECT_EQ(names(r, app.imports),
            (std::vector<std::string>{"kumo:logging/logger@0.1.0", "cache", "sessions", "kumo:config/runtime@0.2.0",
                                      "kumo:io/poll@0.2.0", "kumo:clocks/monotonic-clock@0.2.0",
                                      "kumo:clocks/wall-clock@0.2.0", "kumo:io/error@0.2.0", "kumo:io/streams@0.2.0",
                                      "kumo:kv-app/types@0.1.0"}));
  EXPECT_EQ(names(r, app.exports), (std::vector<std::string>{"kumo:kv-app/handler@0.1.0"}));
  EXPECT_EQ(app.imports[1].docs, "Short-lived entries.");
  EXPECT_EQ(r.implements(app.imports[1]), "kumo:keyvalue/store@0.2.0-draft");
  EXPECT_EQ(r.implements(app.imports[2]), "kumo:keyvalue/store@0.2.0-draft");

  // The exported handler's function, with types from its own package and from kumo:io.
  const Interface& handler = r.interfaces[app.exports[0].iface];
  const Function& handle = *handler.functions.find("handle");
  EXPECT_EQ(handle.docs, "Handles `req`, reading the body from `body` and streaming the reply into `out`.");
  ASSERT_EQ(handle.params.size(), 3u);
  EXPECT_EQ(print_type(r, handle.params[1].type), "input-stream");
  TypeId input = r.types[handle.params[1].type.id].as<Handle>()->resource;
  EXPECT_EQ(r.types[r.unalias(input)].owner.id, *r.find_interface("kumo:io/streams@0.2.0"));
  EXPECT_EQ(print_type(r, *handle.result), "result<response, error-code>");

  // Resources declared after their first use, and gated items of dependencies.
  const Interface& store = r.interfaces[*r.find_interface("kumo:keyvalue/store@0.2.0-draft")];
  EXPECT_EQ(print_type(r, *store.functions.find("open")->result), "result<bucket, error>");
  EXPECT_EQ(store.functions.size(), 6u);
  EXPECT_FALSE(r.find_interface("kumo:clocks/timezone@0.2.0").has_value());
  const Interface& streams = r.interfaces[*r.find_interface("kumo:io/streams@0.2.0")];
  EXPECT_EQ(streams.stability.since.to_string(), "0.2.0");
  EXPECT_TRUE(streams.functions.contains("[method]output-stream.splice"));

  testing::expect_round_trip(r, *root);
}

TEST(WitPackage, KvAppWithAllFeatures) {
  Resolve r;
  ResolveOptions opts;
  opts.all_features = true;
  auto root = push_dir(r, kData / "kv-app", opts);
  ASSERT_TRUE(root.has_value()) << root.error().message;
  ASSERT_TRUE(r.find_interface("kumo:clocks/timezone@0.2.0").has_value());
  const World& app = r.worlds[*select_world(r, *root, "app")];
  EXPECT_NE(r.find_item(*select_world(r, *root, "app"), false, "kumo:clocks/timezone@0.2.0"), nullptr);
  EXPECT_EQ(app.imports.size(), 11u);
  testing::expect_round_trip(r, *root, opts);
}

// Writes files under a fresh temporary directory.
class TempTree {
 public:
  TempTree() {
    root_ = std::filesystem::temp_directory_path() /
            ("kumo-wit-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
  }
  ~TempTree() { std::filesystem::remove_all(root_); }
  void write(const std::string& rel, const std::string& text) {
    std::filesystem::path p = root_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

TEST(WitPackage, ErrorsPointIntoTheRightFile) {
  TempTree t;
  t.write("app.wit", "package my:app;\n\nworld w {\n  import dep:lib/api@1.0.0;\n}\n");
  t.write("deps/lib/api.wit", "package dep:lib@1.1.0;\ninterface api {}\n");
  Resolve r;
  auto res = push_dir(r, t.root());
  ASSERT_FALSE(res.has_value());
  std::string expected_path = (t.root() / "app.wit").string();
  EXPECT_EQ(testing::first_line(res.error().message),
            expected_path + ":4:10: package `dep:lib@1.0.0` not found: version mismatch, available: `dep:lib@1.1.0`");
  EXPECT_TRUE(r.packages.empty());

  TempTree t2;
  t2.write("app.wit", "package my:app;\nworld w { import dep:lib/api@1.1.0; }\n");
  t2.write("deps/lib.wit", "package dep:lib@1.1.0;\ninterface api {\n  f: func(x: u33);\n}\n");
  auto res2 = push_dir(r, t2.root());
  ASSERT_FALSE(res2.has_value());
  EXPECT_EQ(testing::first_line(res2.error().message),
            (t2.root() / "deps/lib.wit").string() + ":3:14: type `u33` is not defined");
}

TEST(WitPackage, MissingDirectoryAndEmptyDirectory) {
  Resolve r;
  auto missing = push_dir(r, kData / "does-not-exist");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("cannot list directory"), std::string::npos);
  TempTree t;
  t.write("notes.txt", "no wit here");
  auto empty = push_dir(r, t.root());
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().message, "no .wit files in " + t.root().string());
}

TEST(WitPackage, PushPathAcceptsAFile) {
  Resolve r;
  auto id = push_path(r, kData / "kv-app/deps/logging.wit");
  ASSERT_TRUE(id.has_value()) << id.error().message;
  EXPECT_EQ(r.packages[*id].name.to_string(), "kumo:logging@0.1.0");
  EXPECT_TRUE(r.find_interface("kumo:config/runtime@0.2.0").has_value());
}

// Real WIT trees (e.g. WASI's) are not vendored; point KUMO_WIT_CORPUS at a ':'-separated list of
// wit directories (each with its deps/) to resolve and round-trip them all.
TEST(WitPackage, CorpusFromEnvironment) {
  const char* env = std::getenv("KUMO_WIT_CORPUS");
  if (!env || !*env) GTEST_SKIP() << "KUMO_WIT_CORPUS not set";
  std::string list = env;
  size_t start = 0;
  while (start <= list.size()) {
    size_t colon = list.find(':', start);
    std::string dir = list.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    start = colon == std::string::npos ? list.size() + 1 : colon + 1;
    if (dir.empty()) continue;
    for (bool all : {false, true}) {
      SCOPED_TRACE(dir + (all ? " (all features)" : ""));
      Resolve r;
      ResolveOptions opts;
      opts.all_features = all;
      auto id = push_dir(r, dir, opts);
      ASSERT_TRUE(id.has_value()) << id.error().message;
      testing::expect_round_trip(r, *id, opts);
    }
  }
}

// The real WASI 0.2.12 WIT (cli, clocks, filesystem, http, io, random, sockets), vendored with the
// test components, resolves as a package with its deps/ and prints back to an equivalent package.
TEST(WitPackage, WasiWitOfTheTestComponents) {
  namespace fs = std::filesystem;
  const fs::path wit = fs::path(KUMO_SOURCE_DIR) / "tests" / "components" / "wit";
  ASSERT_TRUE(fs::is_directory(wit / "deps" / "http")) << wit << " is missing";
  // One package per folder: the C handler's world beside the deps.
  const fs::path dir = fs::temp_directory_path() / ("kumo_wit_wasi_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy_file(wit / "c-handler.wit", dir / "c-handler.wit");
  fs::create_directory_symlink(wit / "deps", dir / "deps");
  for (bool all : {false, true}) {
    Resolve r;
    ResolveOptions opts;
    opts.all_features = all;
    auto id = push_dir(r, dir.string(), opts);
    ASSERT_TRUE(id.has_value()) << id.error().message;
    testing::expect_round_trip(r, *id, opts);
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kumo::wit
