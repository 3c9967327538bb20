// End-to-end runs of the WASI 0.2 components in ../shared/components/jco/misc, with what jco's own
// test suite (or the component's embedded strings, for dir.virt) says they print.
#include <gtest/gtest.h>

#include <set>

#include "component/runtime/typed.hpp"
#include "p2_util.hpp"
#include "wasi/p2/signatures.hpp"

namespace kumo::wasi::p2::test {
namespace {

namespace rt = component::rt;

struct RunResult {
  int exit_code = -1;
  std::optional<wasm::Trap> trap;
  std::string out, err;
};

std::shared_ptr<const rt::Component> load(wasm::Engine& engine, const std::string& name) {
  fs::path p = jco_misc(name);
  if (!fs::exists(p)) {
    ADD_FAILURE() << "missing test component " << p;
    return nullptr;
  }
  auto c = rt::Component::from_file(engine, p.string());
  if (!c) {
    ADD_FAILURE() << p << ": " << c.error().message;
    return nullptr;
  }
  return *c;
}

RunResult run(const std::string& name, std::vector<std::string> args = {},
              std::vector<std::pair<std::string, std::string>> env = {}) {
  wasm::Engine engine;
  RunResult r;
  auto comp = load(engine, name);
  if (!comp) return r;
  Captured cap;
  Options o = cap.options();
  o.args = {name};
  o.args.insert(o.args.end(), args.begin(), args.end());
  o.env = std::move(env);
  auto ctx = WasiCtx::create(std::move(o));
  if (!ctx) {
    ADD_FAILURE() << ctx.error().message;
    return r;
  }
  auto res = run_command(engine, comp, std::move(*ctx));
  if (!res) {
    ADD_FAILURE() << name << ": " << res.error().message;
    return r;
  }
  r.exit_code = res->exit_code;
  r.trap = res->trap;
  r.out = *cap.out;
  r.err = *cap.err;
  return r;
}

TEST(P2Command, HelloStdout) {
  RunResult r = run("hello_stdout.component.wasm");
  EXPECT_FALSE(r.trap) << r.trap->message;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "writing to stdout: hello, world\n");
  EXPECT_EQ(r.err, "writing to stderr: hello, world\n");
}

// jco issue 550: subscribing to stdout and blocking on the pollable must not hang.
TEST(P2Command, StdoutPollableDoesNotHang) {
  auto start = std::chrono::steady_clock::now();
  RunResult r = run("stdout-pollable-hang.component.wasm");
  EXPECT_FALSE(r.trap) << r.trap->message;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

// jco's "Transcoding UTF8 <-> UTF16": a UTF-8 component and a UTF-16 one composed; the argument
// goes through both.
TEST(P2Command, Utf8Utf16Transcoding) {
  RunResult r = run("utf8-utf16.composed.wasm", {"asdf中文🀄️⏰"});
  EXPECT_FALSE(r.trap) << r.trap->message;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "ret: asdf中文🀄️⏰asdf中文🀄️⏰\n");
  EXPECT_EQ(r.err, "");
}

// A wasi-virt virtualized filesystem (no wasi:filesystem import): /foo holds one entry `foo`.
TEST(P2Command, DirVirtListsItsVirtualDirectory) {
  RunResult r = run("dir.virt.wasm", {"/foo"});
  EXPECT_FALSE(r.trap) << r.trap->message;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "Listing directory: /foo\n - .\n - ..\n - foo\n");
}

// Without its argument the program prints its usage and exits with status 1 through
// wasi:cli/exit (err): the status passes through.
TEST(P2Command, DirVirtUsageExitsWithOne) {
  RunResult r = run("dir.virt.wasm");
  EXPECT_FALSE(r.trap) << r.trap->message;
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("Usage: dir.virt.wasm <directory>"), std::string::npos) << r.out;
}

// A directory the virtual filesystem does not have: exits 1 after its message.
TEST(P2Command, DirVirtMissingDirectory) {
  RunResult r = run("dir.virt.wasm", {"/nope"});
  EXPECT_FALSE(r.trap) << r.trap->message;
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("Could not open directory"), std::string::npos) << r.err;
}

// Non-command components: instantiate them with the WASI host and call their exports.
class P2Exports : public ::testing::Test {
 protected:
  void instantiate(const std::string& name, Options o) {
    comp_ = load(engine_, name);
    ASSERT_TRUE(comp_);
    host_.add_to_linker(linker_);
    auto pre = linker_.instantiate_pre(comp_);
    ASSERT_TRUE(pre) << pre.error().message;
    auto ctx = WasiCtx::create(std::move(o));
    ASSERT_TRUE(ctx) << ctx.error().message;
    state_ = std::make_unique<WasiState>(std::move(*ctx));
    store_ = std::make_unique<rt::Store>(engine_, static_cast<WasiView*>(state_.get()));
    auto inst = (*pre)->instantiate(*store_);
    ASSERT_TRUE(inst) << inst.error().message;
    inst_ = *inst;
  }
  wasm::Engine engine_;
  std::shared_ptr<const rt::Component> comp_;
  WasiHost host_;
  rt::Linker linker_;
  std::unique_ptr<WasiState> state_;
  std::unique_ptr<rt::Store> store_;
  rt::Instance inst_;
  Captured cap_;
};

// jco's "Transcoding" test: wasi-virt lets only CUSTOM through from the host environment.
TEST_F(P2Exports, EnvAllowSeesOnlyTheAllowedVariable) {
  Options o = cap_.options();
  o.env = {{"CUSTOM", "VAL"}, {"OTHER", "hidden"}, {"PATH", "/bin"}};
  instantiate("env-allow.composed.wasm", std::move(o));
  using Env = std::vector<std::tuple<std::string, std::string>>;
  auto f = rt::typed_func<Env()>(inst_, "test-get-env");
  ASSERT_TRUE(f) << f.error().message;
  auto env = f->call(*store_);
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ(*env, (Env{{"CUSTOM", "VAL"}}));
}

// jco's "Resource transfer": stdio streams cross the composed components' boundary.
TEST_F(P2Exports, StdioResourceTransfer) {
  instantiate("stdio.composed.wasm", cap_.options("input text"));
  auto f = rt::typed_func<void()>(inst_, "test-stdio");
  ASSERT_TRUE(f) << f.error().message;
  auto r = f->call(*store_);
  ASSERT_TRUE(r) << r.error().message;
  // Rust's println! in the inner component, through wasi-virt's stdio passthrough.
  EXPECT_EQ(*cap_.out, "Hello world\n");
  EXPECT_EQ(*cap_.err, "");
}

// Version matching: a component importing 0.2.0 / 0.2.1 / 0.2.3 links against the host's 0.2.12.
TEST(P2Linking, OlderMinorVersionsResolveToTheHost) {
  wasm::Engine engine;
  WasiHost host;
  rt::Linker linker;
  host.add_to_linker(linker);
  for (const char* name : {"hello_stdout.component.wasm", "stdio.composed.wasm",
                           "utf8-utf16.composed.wasm", "flavorful.component.wasm"}) {
    auto comp = load(engine, name);
    ASSERT_TRUE(comp);
    auto pre = linker.instantiate_pre(comp);
    if (std::string(name) == "flavorful.component.wasm") {
      // It also imports test:flavorful/test, which no WASI host provides: the error names it.
      ASSERT_FALSE(pre);
      EXPECT_NE(pre.error().message.find("test:flavorful/test"), std::string::npos)
          << pre.error().message;
    } else {
      EXPECT_TRUE(pre) << name << ": " << pre.error().message;
    }
  }
}

}  // namespace
}  // namespace kumo::wasi::p2::test

namespace kumo::wasi::p2::test {
namespace {

// The linker serves any 0.2.x import from the host's 0.2.12 definitions, older or newer, but not
// another minor version.
TEST(P2Linking, AnyPatchVersionInBothDirections) {
  component::rt::Linker linker;
  WasiHost host;
  host.add_to_linker(linker);
  const auto& root = linker.root();
  EXPECT_NE(root.find("wasi:io/streams@0.2.0"), nullptr);
  EXPECT_NE(root.find("wasi:io/streams@0.2.12"), nullptr);
  EXPECT_NE(root.find("wasi:io/streams@0.2.99"), nullptr);  // newer than the host
  EXPECT_EQ(root.find("wasi:io/streams@0.3.0"), nullptr);
  EXPECT_EQ(root.find("wasi:io/streams@0.1.0"), nullptr);
  EXPECT_EQ(root.find("wasi:io/streams@0.2.0-rc-2023-11-10"), nullptr);
  EXPECT_EQ(root.find("wasi:io/streams@0.2.0"), root.find("wasi:io/streams@0.2.3"));
}

}  // namespace
}  // namespace kumo::wasi::p2::test

namespace kumo::wasi::p2::test {
namespace {

// Every function of every WASI 0.2.12 interface the host serves is defined (the list is generated
// from the WIT), and every function the host defines is guarded by its signature.
TEST(P2Linking, EveryWasiFunctionIsDefinedAndGuarded) {
  component::rt::Linker linker;
  WasiHost host;
  host.add_to_linker(linker);
  std::set<std::string> expected;
  for (const Signature& s : wasi_signatures()) {
    std::string key = std::string(s.interface) + "#" + std::string(s.function);
    expected.insert(key);
    const auto* inst = linker.root().find(versioned(s.interface));
    ASSERT_NE(inst, nullptr) << s.interface;
    const auto* f = inst->instance->find(s.function);
    EXPECT_TRUE(f && f->host) << "not defined: " << key;
  }
  EXPECT_GT(expected.size(), 120u);
  for (const auto& [iname, idef] : linker.root().defs()) {
    ASSERT_TRUE(idef.instance) << iname;
    std::string iface = iname.substr(0, iname.find('@'));
    for (const auto& [fname, fdef] : idef.instance->defs()) {
      if (fdef.kind == component::rt::LinkerInstance::Def::HostFunction) {
        EXPECT_TRUE(expected.count(iface + "#" + fname))
            << "no signature: " << iface << "#" << fname;
      }
    }
  }
}

// A component declaring an import with another shape gets a trap, not a host reading past its
// parameters.
TEST(P2Linking, MisdeclaredImportsTrap) {
  HostHarness h(Options{});
  EXPECT_THROW(
      h.call("wasi:filesystem/types", "[method]descriptor.open-at", {Val::borrow({}), Val::u32(1)}),
      std::runtime_error);
  EXPECT_THROW(h.call("wasi:io/streams", "[method]output-stream.write",
                      {Val::borrow({}), Val::string("not bytes")}),
               std::runtime_error);
  EXPECT_TRUE(params_match("w4", std::vector<Val>{Val::borrow({}), Val::u64(1)}));
  EXPECT_FALSE(params_match("w4", std::vector<Val>{Val::borrow({}), Val::u32(1)}));
}

}  // namespace
}  // namespace kumo::wasi::p2::test

namespace kumo::wasi::p2::test {
namespace {

TEST(P2Command, NonCommandsAreRefused) {
  wasm::Engine engine;
  auto comp =
      component::rt::Component::from_file(engine, jco_misc("env-allow.composed.wasm").string());
  ASSERT_TRUE(comp) << comp.error().message;
  auto ctx = WasiCtx::create(Options{});
  ASSERT_TRUE(ctx);
  auto r = run_command(engine, *comp, std::move(*ctx));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not a command"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace kumo::wasi::p2::test
