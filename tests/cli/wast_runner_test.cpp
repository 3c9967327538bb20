// End to end: a small wast2json script with hand-assembled modules, run by the spec-test runner
// (in process and through `kumo wast` with forked children), and `kumo run --invoke`.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "cli/wast_runner.hpp"
#include "wasm/runtime/objects.hpp"

namespace fs = std::filesystem;
namespace kc = kumo::cli;

namespace {

using Bytes = std::vector<uint8_t>;

Bytes leb(uint64_t v) {
  Bytes out;
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out.push_back(v ? (b | 0x80) : b);
  } while (v);
  return out;
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes name(std::string_view s) { return cat({leb(s.size()), Bytes(s.begin(), s.end())}); }

// A section: id, byte size, then a vector of `items`.
Bytes section(uint8_t id, std::initializer_list<Bytes> items) {
  Bytes body = cat({leb(items.size())});
  for (const Bytes& i : items) body.insert(body.end(), i.begin(), i.end());
  return cat({Bytes{id}, leb(body.size()), body});
}

Bytes module(std::initializer_list<Bytes> sections) {
  return cat({Bytes{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}, cat(sections)});
}

Bytes body(Bytes code) { return cat({leb(code.size() + 1), Bytes{0x00}, code}); }  // no locals

constexpr uint8_t I32 = 0x7f, EXTERNREF = 0x6f;

// Module A: imports spectest.print_i32 and spectest.global_i32; exports add, div (i32.div_s),
// g666 (returns the imported global), id (externref identity), spin (loops forever) and the
// global "answer" = 42.
Bytes module_a() {
  return module({
      section(1, {Bytes{0x60, 2, I32, I32, 1, I32}, Bytes{0x60, 1, I32, 0}, Bytes{0x60, 0, 1, I32},
                  Bytes{0x60, 1, EXTERNREF, 1, EXTERNREF}, Bytes{0x60, 0, 0}}),
      section(2, {cat({name("spectest"), name("print_i32"), Bytes{0x00, 1}}),
                  cat({name("spectest"), name("global_i32"), Bytes{0x03, I32, 0}})}),
      section(3, {Bytes{0}, Bytes{0}, Bytes{2}, Bytes{3}, Bytes{4}}),
      section(6, {Bytes{I32, 0, 0x41, 42, 0x0b}}),
      section(7, {cat({name("add"), Bytes{0, 1}}), cat({name("div"), Bytes{0, 2}}),
                  cat({name("g666"), Bytes{0, 3}}), cat({name("id"), Bytes{0, 4}}),
                  cat({name("spin"), Bytes{0, 5}}), cat({name("answer"), Bytes{3, 1}})}),
      section(10, {body({0x20, 0, 0x20, 1, 0x6a, 0x0b}),     // local.get 0, local.get 1, i32.add
                   body({0x20, 0, 0x20, 1, 0x6d, 0x0b}),     // i32.div_s
                   body({0x23, 0, 0x0b}),                    // global.get 0
                   body({0x20, 0, 0x0b}),                    // local.get 0
                   body({0x03, 0x40, 0x0c, 0, 0x0b, 0x0b})}),  // loop br 0 end
  });
}

// Module B: re-exports M.add (M = module A, registered).
Bytes module_b() {
  return module({section(1, {Bytes{0x60, 2, I32, I32, 1, I32}}),
                 section(2, {cat({name("M"), name("add"), Bytes{0x00, 0}})}),
                 section(7, {cat({name("add"), Bytes{0, 0}})})});
}

// () -> i32 whose body returns nothing: a type error.
Bytes module_invalid() {
  return module({section(1, {Bytes{0x60, 0, 1, I32}}), section(3, {Bytes{0}}), section(10, {body({0x0b})})});
}

Bytes module_unlinkable() {
  return module({section(1, {Bytes{0x60, 0, 0}}), section(2, {cat({name("nowhere"), name("f"), Bytes{0x00, 0}})})});
}

// A WASI command whose _start calls proc_exit(7).
Bytes module_exit7() {
  return module({section(1, {Bytes{0x60, 1, I32, 0}, Bytes{0x60, 0, 0}}),
                 section(2, {cat({name("wasi_snapshot_preview1"), name("proc_exit"), Bytes{0x00, 0}})}),
                 section(3, {Bytes{1}}), section(7, {cat({name("_start"), Bytes{0, 1}})}),
                 section(10, {body({0x41, 7, 0x10, 0, 0x0b})})});
}

const char* kScript = R"({"source_filename": "e2e.wast", "commands": [
 {"type": "module", "line": 1, "name": "$A", "filename": "a.wasm"},
 {"type": "assert_return", "line": 2, "action": {"type": "invoke", "field": "add", "args": [{"type": "i32", "value": "1"}, {"type": "i32", "value": "2"}]}, "expected": [{"type": "i32", "value": "3"}]},
 {"type": "assert_return", "line": 3, "action": {"type": "invoke", "field": "add", "args": [{"type": "i32", "value": "1"}, {"type": "i32", "value": "2"}]}, "expected": [{"type": "i32", "value": "4"}]},
 {"type": "assert_trap", "line": 4, "action": {"type": "invoke", "field": "div", "args": [{"type": "i32", "value": "1"}, {"type": "i32", "value": "0"}]}, "text": "integer divide by zero", "expected": [{"type": "i32"}]},
 {"type": "assert_trap", "line": 5, "action": {"type": "invoke", "field": "add", "args": [{"type": "i32", "value": "1"}, {"type": "i32", "value": "1"}]}, "text": "unreachable", "expected": [{"type": "i32"}]},
 {"type": "assert_return", "line": 6, "action": {"type": "invoke", "field": "g666", "args": []}, "expected": [{"type": "i32", "value": "666"}]},
 {"type": "assert_return", "line": 7, "action": {"type": "get", "field": "answer"}, "expected": [{"type": "i32", "value": "42"}]},
 {"type": "assert_return", "line": 8, "action": {"type": "invoke", "field": "id", "args": [{"type": "externref", "value": "7"}]}, "expected": [{"type": "externref", "value": "7"}]},
 {"type": "assert_return", "line": 9, "action": {"type": "invoke", "field": "id", "args": [{"type": "externref", "value": "null"}]}, "expected": [{"type": "externref", "value": "null"}]},
 {"type": "assert_return", "line": 10, "action": {"type": "invoke", "field": "id", "args": [{"type": "externref", "value": "7"}]}, "expected": [{"type": "externref", "value": "8"}]},
 {"type": "register", "line": 11, "name": "$A", "as": "M"},
 {"type": "module", "line": 12, "filename": "b.wasm"},
 {"type": "assert_return", "line": 13, "action": {"type": "invoke", "field": "add", "args": [{"type": "i32", "value": "20"}, {"type": "i32", "value": "22"}]}, "expected": [{"type": "i32", "value": "42"}]},
 {"type": "assert_return", "line": 14, "action": {"type": "invoke", "module": "$A", "field": "add", "args": [{"type": "i32", "value": "1"}, {"type": "i32", "value": "1"}]}, "expected": [{"type": "i32", "value": "2"}]},
 {"type": "assert_malformed", "line": 15, "filename": "bad.wasm", "text": "magic header not detected", "module_type": "binary"},
 {"type": "assert_malformed", "line": 16, "filename": "x.wat", "text": "unexpected token", "module_type": "text"},
 {"type": "assert_invalid", "line": 17, "filename": "invalid.wasm", "text": "type mismatch", "module_type": "binary"},
 {"type": "assert_unlinkable", "line": 18, "filename": "unlinkable.wasm", "text": "unknown import", "module_type": "binary"},
 {"type": "module", "line": 19, "filename": "text.wat", "module_type": "text"},
 {"type": "assert_return", "line": 20, "action": {"type": "invoke", "field": "add", "args": []}, "expected": []},
 {"type": "action", "line": 21, "action": {"type": "invoke", "module": "$A", "field": "div", "args": [{"type": "i32", "value": "1"}, {"type": "i32", "value": "0"}]}, "expected": [{"type": "i32"}]}
]})";

void write_file(const fs::path& p, const Bytes& b) {
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}
void write_file(const fs::path& p, std::string_view s) {
  std::ofstream(p, std::ios::binary).write(s.data(), std::streamsize(s.size()));
}

class WastRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("kumo_cli_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "suite");
    write_file(dir_ / "suite" / "a.wasm", module_a());
    write_file(dir_ / "suite" / "b.wasm", module_b());
    write_file(dir_ / "suite" / "bad.wasm", Bytes{0x00, 0x61, 0x73, 0x6e, 1, 0, 0, 0});
    write_file(dir_ / "suite" / "invalid.wasm", module_invalid());
    write_file(dir_ / "suite" / "unlinkable.wasm", module_unlinkable());
    write_file(dir_ / "suite" / "e2e.json", std::string_view(kScript));
    write_file(dir_ / "suite" / "e2e.wast", std::string_view(";; source\n"));
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

}  // namespace

TEST_F(WastRunnerTest, RunsScriptInProcess) {
  std::vector<std::string> lines;
  kc::WastCounts c = kc::run_wast_file(dir_ / "suite" / "e2e.json", {},
                                       [&](std::string_view l) { lines.emplace_back(l); });
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  EXPECT_EQ(c.passed, 14u) << all;
  EXPECT_EQ(c.failed, 4u) << all;
  EXPECT_EQ(c.skipped, 3u) << all;
  ASSERT_EQ(lines.size(), 4u) << all;
  // FILE:LINE: command: what went wrong, naming the .wast source.
  const std::string wast = (dir_ / "suite" / "e2e.wast").string();
  EXPECT_EQ(lines[0], wast + ":3: assert_return: wrong result (expected i32:4, got i32:3)");
  EXPECT_EQ(lines[1].rfind(wast + ":5: assert_trap: expected a trap (\"unreachable\"), got result (i32:2)", 0), 0u)
      << lines[1];
  EXPECT_EQ(lines[2], wast + ":10: assert_return: wrong result (expected ref.extern 8, got ref.extern 7)");
  EXPECT_EQ(lines[3], wast + ":21: action: unexpected trap: integer divide by zero");
}

TEST_F(WastRunnerTest, StrictModeChecksMessages) {
  kc::WastOptions o;
  o.strict = true;
  std::vector<std::string> lines;
  kc::WastCounts c = kc::run_wast_file(dir_ / "suite" / "e2e.json", o,
                                       [&](std::string_view l) { lines.emplace_back(l); });
  // Strict mode can only turn passes into failures, never the reverse.
  EXPECT_EQ(c.passed + c.failed, 18u);
  EXPECT_GE(c.failed, 4u);
  EXPECT_EQ(c.skipped, 3u);
}

TEST_F(WastRunnerTest, MalformedJsonIsOneClearFailure) {
  write_file(dir_ / "broken.json", std::string_view("{\"commands\": [ {\"type\": "));
  write_file(dir_ / "notascript.json", std::string_view("[1, 2]"));
  for (const char* f : {"broken.json", "notascript.json"}) {
    std::vector<std::string> lines;
    kc::WastCounts c = kc::run_wast_file(dir_ / f, {}, [&](std::string_view l) { lines.emplace_back(l); });
    EXPECT_EQ(c.failed, 1u);
    EXPECT_EQ(c.passed, 0u);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_NE(lines[0].find(": error: "), std::string::npos) << lines[0];
  }
  std::vector<std::string> lines;
  kc::WastCounts c = kc::run_wast_file(dir_ / "missing.json", {}, [&](std::string_view l) { lines.emplace_back(l); });
  EXPECT_EQ(c.failed, 1u);
}

TEST_F(WastRunnerTest, BadCommandsFailWithoutStoppingTheFile) {
  write_file(dir_ / "suite" / "odd.json", std::string_view(R"({"commands": [
    {"type": "module", "line": 1, "filename": "a.wasm"},
    {"type": "assert_return", "line": 2, "action": {"type": "invoke", "field": "nope", "args": []}, "expected": []},
    {"type": "assert_return", "line": 3, "action": {"type": "invoke", "field": "add", "args": []}, "expected": []},
    {"type": "assert_return", "line": 4, "action": {"type": "invoke", "field": "add", "args": [{"type": "i64", "value": "1"}, {"type": "i32", "value": "1"}]}, "expected": []},
    {"type": "assert_return", "line": 5, "action": {"type": "invoke", "field": "add", "args": [{"type": "i32", "value": "1"}, {"type": "i32", "value": "1"}]}, "expected": [{"type": "v999"}]},
    {"type": "assert_return", "line": 6, "action": 12},
    {"type": "module", "line": 7, "filename": "missing.wasm"},
    {"type": "assert_return", "line": 8, "action": {"type": "invoke", "field": "add", "args": []}, "expected": []},
    {"type": "some_future_command", "line": 9},
    {"type": "assert_return", "line": 10, "action": {"type": "invoke", "module": "$A", "field": "add", "args": [{"type": "i32", "value": "2"}, {"type": "i32", "value": "2"}]}, "expected": [{"type": "i32", "value": "4"}]},
    {"type": "assert_return", "line": 11, "action": {"type": "invoke", "module": "$nope", "field": "add", "args": []}, "expected": []}
  ]})"));
  std::vector<std::string> lines;
  kc::WastCounts c = kc::run_wast_file(dir_ / "suite" / "odd.json", {},
                                       [&](std::string_view l) { lines.emplace_back(l); });
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  EXPECT_EQ(c.passed, 1u) << all;   // the first module
  EXPECT_EQ(c.failed, 9u) << all;   // lines 2-8, 10 (no module $A here), 11
  EXPECT_EQ(c.skipped, 1u) << all;  // the unknown command
  EXPECT_NE(all.find(":2: assert_return: no exported function \"nope\""), std::string::npos) << all;
  EXPECT_NE(all.find(":8: assert_return: module at line 7 failed to load"), std::string::npos) << all;
}

TEST_F(WastRunnerTest, WastCommandForksAndSummarises) {
  for (bool fork : {true, false}) {
    kc::WastCommandOptions o;
    o.paths = {(dir_ / "suite").string(), (dir_ / "does-not-exist").string()};
    o.fork = fork;
    o.jobs = 2;
    o.verbose = true;
    ::testing::internal::CaptureStdout();
    ::testing::internal::CaptureStderr();
    int status = kc::run_wast_command(o);
    std::string err = ::testing::internal::GetCapturedStderr();
    std::string out = ::testing::internal::GetCapturedStdout();
    EXPECT_EQ(status, 1) << out;
    // 4 failures in e2e.json, 1 for the missing path; the summary is the last line.
    EXPECT_TRUE(out.ends_with("\n14 passed, 5 failed, 3 skipped\n")) << out;
    EXPECT_NE(out.find("e2e.json: 14 passed, 4 failed, 3 skipped"), std::string::npos) << out;
    EXPECT_NE(err.find("error: no such file or directory"), std::string::npos) << err;
  }
}

TEST_F(WastRunnerTest, WastCommandQuietAndExitCodes) {
  kc::WastCommandOptions o;
  o.paths = {(dir_ / "suite" / "e2e.json").string()};
  o.quiet = true;
  o.fail_exit_code = 77;
  ::testing::internal::CaptureStdout();
  int status = kc::run_wast_command(o);
  std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(status, 77);
  EXPECT_EQ(out, "14 passed, 4 failed, 3 skipped\n");

  // An empty directory is an error: a missing suite must never pass.
  fs::create_directories(dir_ / "empty");
  o.paths = {(dir_ / "empty").string()};
  o.fail_exit_code = 1;
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  status = kc::run_wast_command(o);
  std::string err = ::testing::internal::GetCapturedStderr();
  out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(status, 1);
  EXPECT_EQ(out, "0 passed, 1 failed, 0 skipped\n");
  EXPECT_NE(err.find("no .json spec-test scripts under"), std::string::npos) << err;
}

TEST_F(WastRunnerTest, HangingFileTimesOutAndOthersStillRun) {
  write_file(dir_ / "suite" / "hang.json", std::string_view(R"({"commands": [
    {"type": "module", "line": 1, "filename": "a.wasm"},
    {"type": "action", "line": 2, "action": {"type": "invoke", "field": "spin", "args": []}, "expected": []}
  ]})"));
  kc::WastCommandOptions o;
  o.paths = {(dir_ / "suite").string()};
  o.timeout = 1;
  ::testing::internal::CaptureStdout();
  auto start = std::chrono::steady_clock::now();
  int status = kc::run_wast_command(o);
  std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  EXPECT_EQ(status, 1);
  EXPECT_NE(out.find("hang.json:2: error: timed out after 1 s"), std::string::npos) << out;
  // hang.json: its module passed, the timeout is one failure; e2e.json ran normally.
  EXPECT_TRUE(out.ends_with("15 passed, 5 failed, 3 skipped\n")) << out;
}

namespace {

// Runs `kumo run ARGS...` through the CLI11 front end; returns the exit status.
int kumo_run(std::vector<std::string> args) {
  CLI::App app{"kumo", "kumo"};
  int exit_code = -1;
  kc::add_run_command(app, exit_code);
  args.insert(args.begin(), "run");
  std::reverse(args.begin(), args.end());  // CLI11 takes the arguments in reverse order
  app.parse(args);
  return exit_code;
}

}  // namespace

TEST_F(WastRunnerTest, RunInvokePrintsResults) {
  // Module A imports spectest, which `kumo run` does not provide: a link error (exit 1).
  std::string a = (dir_ / "suite" / "a.wasm").string();
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(kumo_run({"--invoke", "add", a, "2", "3"}), kc::kExitLoadError);
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("spectest"), std::string::npos);

  // A self-contained module: add and div exported, nothing imported.
  Bytes m = module({section(1, {Bytes{0x60, 2, I32, I32, 1, I32}}), section(3, {Bytes{0}, Bytes{0}}),
                    section(7, {cat({name("add"), Bytes{0, 0}}), cat({name("div"), Bytes{0, 1}})}),
                    section(10, {body({0x20, 0, 0x20, 1, 0x6a, 0x0b}), body({0x20, 0, 0x20, 1, 0x6d, 0x0b})})});
  fs::path p = dir_ / "calc.wasm";
  write_file(p, m);
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(kumo_run({"--invoke", "add", p.string(), "-5", "3"}), 0);
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "-2\n");

  ::testing::internal::CaptureStderr();
  EXPECT_EQ(kumo_run({"--invoke", "div", p.string(), "1", "0"}), kc::kExitTrap);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("wasm trap: integer divide by zero"), std::string::npos) << err;

  ::testing::internal::CaptureStderr();
  EXPECT_EQ(kumo_run({"--invoke", "add", p.string(), "1"}), kc::kExitLoadError);  // arity
  EXPECT_EQ(kumo_run({"--invoke", "nope", p.string()}), kc::kExitLoadError);
  EXPECT_EQ(kumo_run({p.string()}), kc::kExitLoadError);  // no _start
  ::testing::internal::GetCapturedStderr();
}

TEST_F(WastRunnerTest, RunPassesProcExitStatusThrough) {
  fs::path p = dir_ / "exit7.wasm";
  write_file(p, module_exit7());
  EXPECT_EQ(kumo_run({p.string(), "--some-program-flag"}), 7);
}

// An empty component is not a WASI command; text is not a binary.
TEST_F(WastRunnerTest, RunRejectsNonCommandComponentsAndText) {
  fs::path comp = dir_ / "c.wasm";
  write_file(comp, Bytes{0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00});
  fs::path wat = dir_ / "m.wat";
  write_file(wat, std::string_view("(module)"));
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(kumo_run({comp.string()}), kc::kExitLoadError);
  EXPECT_EQ(kumo_run({wat.string()}), kc::kExitLoadError);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("not a command"), std::string::npos) << err;
  EXPECT_NE(err.find("wat2wasm"), std::string::npos) << err;
}

TEST(WastSpecVersion, ChosenByTheSuiteDirectory) {
  using kc::SpecVersion;
  EXPECT_EQ(kc::spec_version_for("/s/spectest/wasm-1.0/i32/i32.json"), SpecVersion::V1);
  EXPECT_EQ(kc::spec_version_for("/s/spectest/wasm-2.0/simd_lane/simd_lane.json"), SpecVersion::V2);
  EXPECT_EQ(kc::spec_version_for("wasm-2.0/a.json"), SpecVersion::V2);
  EXPECT_EQ(kc::spec_version_for("/s/spectest/threads/atomic/atomic.json"), SpecVersion::Threads);
  EXPECT_EQ(kc::spec_version_for("/s/spectest/wasm-3.0/i32/i32.json"), SpecVersion::V3);
  EXPECT_EQ(kc::spec_version_for("/s/spectest/wasm-3.0-simd/x/x.json"), SpecVersion::V3);
  EXPECT_EQ(kc::spec_version_for("/tmp/wasm-1.0.json"), SpecVersion::V3);  // directories only
}
