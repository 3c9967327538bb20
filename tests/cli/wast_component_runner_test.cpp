// End to end: component scripts run by the spec-test runner, with components taken from the
// shared spec-test suites (KUMO_SHARED_DIR) and commands written here, so that every command kind
// is checked for both outcomes (passing and failing).
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/wast_runner.hpp"

#ifndef KUMO_SHARED_DIR
#error "KUMO_SHARED_DIR must be defined (CMake does it for test targets)"
#endif

namespace fs = std::filesystem;
namespace kc = kumo::cli;

namespace {

const fs::path kSpec = fs::path(KUMO_SHARED_DIR) / "spectest";

// Lines: 1-4 pass, 5 fails (wrong expected value), 6-8 pass, 9-10 pass (linking a named
// instance), 11 passes (unlinkable), 12 passes (host resources), 13-14 pass (trap text), 15 fails
// (wrong trap text), 16 passes (uninstantiable), 17 passes (malformed), 18 fails (a valid
// component asserted invalid), 19 skipped (text), 20 skipped (unknown command), 21 fails
// (register on a component), 22 fails (an argument of the wrong type, to the named instance $X),
// 23 fails (no such export).
constexpr const char* kScript = R"({"source_filename": "e2e.wast", "commands": [
 {"type": "module", "line": 1, "filename": "numerics.1.wasm", "module_type": "binary"},
 {"type": "assert_return", "line": 2, "action": {"type": "invoke", "field": "i-to-b", "args": [{"type": "u32", "value": "2"}]}, "expected": [{"type": "bool", "value": true}]},
 {"type": "assert_return", "line": 3, "action": {"type": "invoke", "field": "i-to-u8", "args": [{"type": "u32", "value": "0xf01"}]}, "expected": [{"type": "u8", "value": "1"}]},
 {"type": "action", "line": 4, "action": {"type": "invoke", "field": "i-to-s8", "args": [{"type": "u32", "value": "255"}]}},
 {"type": "assert_return", "line": 5, "action": {"type": "invoke", "field": "i-to-s8", "args": [{"type": "u32", "value": "255"}]}, "expected": [{"type": "s8", "value": "1"}]},
 {"type": "module_definition", "line": 6, "filename": "numerics.1.wasm", "module_type": "binary", "name": "$D"},
 {"type": "module_instance", "line": 7, "instance": "$X", "module": "$D"},
 {"type": "assert_return", "line": 8, "action": {"type": "invoke", "field": "i-to-s16", "args": [{"type": "u32", "value": "0xffff"}]}, "expected": [{"type": "s16", "value": "-1"}]},
 {"type": "module", "line": 9, "filename": "linking.1.wasm", "module_type": "binary", "name": "$i"},
 {"type": "module", "line": 10, "filename": "linking.2.wasm", "module_type": "binary"},
 {"type": "assert_unlinkable", "line": 11, "filename": "linking.3.wasm", "module_type": "binary", "text": "expected module found instance"},
 {"type": "module", "line": 12, "filename": "resources.10.wasm", "module_type": "binary"},
 {"type": "module", "line": 13, "filename": "resources.11.wasm", "module_type": "binary"},
 {"type": "assert_trap", "line": 14, "action": {"type": "invoke", "field": "f", "args": []}, "text": "unknown handle index"},
 {"type": "assert_trap", "line": 15, "action": {"type": "invoke", "field": "f", "args": []}, "text": "out of fuel"},
 {"type": "assert_uninstantiable", "line": 16, "filename": "instance.5.wasm", "module_type": "binary", "text": "unreachable"},
 {"type": "assert_malformed", "line": 17, "filename": "junk.wasm", "module_type": "binary", "text": "unexpected end"},
 {"type": "assert_invalid", "line": 18, "filename": "numerics.1.wasm", "module_type": "binary", "text": "type mismatch"},
 {"type": "assert_malformed", "line": 19, "filename": "x.wat", "module_type": "text", "text": "x"},
 {"type": "assert_frobnicated", "line": 20},
 {"type": "register", "line": 21, "as": "numbers"},
 {"type": "assert_return", "line": 22, "action": {"type": "invoke", "module": "$X", "field": "i-to-b", "args": [{"type": "string", "value": "x"}]}, "expected": []},
 {"type": "assert_return", "line": 23, "action": {"type": "invoke", "field": "nope", "args": []}, "expected": []}
]})";

class WastComponentRunner : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("kumo_wast_component_" + std::to_string(::getpid()));
    // The directory names decide the suite: wasmtime's, whose host items the script imports.
    dir_ = root_ / "component-model-wasmtime" / "e2e";
    fs::create_directories(dir_);
    copy("component-model-ref/numerics/numerics.1.wasm");
    copy("component-model-wasmtime/linking/linking.1.wasm");
    copy("component-model-wasmtime/linking/linking.2.wasm");
    copy("component-model-wasmtime/linking/linking.3.wasm");
    copy("component-model-wasmtime/resources/resources.10.wasm");
    copy("component-model-wasmtime/resources/resources.11.wasm");
    copy("component-model-wasmtime/instance/instance.5.wasm");
    // A component preamble and a section that ends early.
    write(dir_ / "junk.wasm", std::string("\0asm\x0d\0\x01\0\x07\x05\x01", 13));
    write(dir_ / "e2e.json", kScript);
    write(dir_ / "e2e.wast", ";; source\n");
  }
  void TearDown() override { fs::remove_all(root_); }

  void copy(const std::string& rel) {
    fs::copy_file(kSpec / rel, dir_ / fs::path(rel).filename(), fs::copy_options::overwrite_existing);
  }
  static void write(const fs::path& p, const std::string& s) {
    std::ofstream out(p, std::ios::binary);
    out << s;
  }

  fs::path root_, dir_;
};

TEST_F(WastComponentRunner, RunsEveryCommandKind) {
  ASSERT_TRUE(fs::is_directory(kSpec / "component-model-wasmtime")) << kSpec << " is missing";
  std::vector<std::string> lines;
  kc::WastCounts c = kc::run_wast_file(dir_ / "e2e.json", {}, [&](std::string_view l) { lines.emplace_back(l); });
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  EXPECT_EQ(c.passed, 15u) << all;
  EXPECT_EQ(c.failed, 6u) << all;
  EXPECT_EQ(c.skipped, 2u) << all;

  auto has = [&](const std::string& s) { return all.find(s) != std::string::npos; };
  const std::string wast = (dir_ / "e2e.wast").string();
  // Results are shown in the script's JSON form.
  EXPECT_TRUE(has(wast + ":5: assert_return: wrong result: expected {\"type\":\"s8\",\"value\":\"1\"}, got "
                         "{\"type\":\"s8\",\"value\":\"-1\"}"))
      << all;
  EXPECT_TRUE(has(wast + ":15: assert_trap: wrong trap (expected \"out of fuel\", got \"")) << all;
  EXPECT_TRUE(has(wast + ":18: assert_invalid: component was accepted (expected \"type mismatch\")")) << all;
  // Skips in the component suites are reported whatever the verbosity.
  EXPECT_TRUE(has(wast + ":19: assert_malformed: skipped: text-format module")) << all;
  EXPECT_TRUE(has(wast + ":20: assert_frobnicated: skipped: unknown command type")) << all;
  EXPECT_TRUE(has(wast + ":21: register: register is not supported for component instances")) << all;
  EXPECT_TRUE(has(wast + ":22: assert_return: argument 0 (`x`): a \"string\" value where the type is u32"))
      << all;
  EXPECT_TRUE(has(wast + ":23: assert_return: no exported function \"nope\"")) << all;
}

TEST_F(WastComponentRunner, StrictModeFailsOtherMessages) {
  // linking.3 fails to link with Kumo's wording; asserting a different text passes unless --strict.
  write(dir_ / "e2e.json", R"({"commands": [
    {"type": "assert_unlinkable", "line": 1, "filename": "linking.3.wasm", "module_type": "binary", "text": "some other words"}]})");
  kc::WastCounts c = kc::run_wast_file(dir_ / "e2e.json", {}, [](std::string_view) {});
  EXPECT_EQ(c.passed, 1u);
  EXPECT_EQ(c.mismatched, 1u);
  kc::WastOptions strict;
  strict.strict = true;
  c = kc::run_wast_file(dir_ / "e2e.json", strict, [](std::string_view) {});
  EXPECT_EQ(c.passed, 0u);
  EXPECT_EQ(c.failed, 1u);
}

TEST_F(WastComponentRunner, AsyncSuiteIsSkippedLoudly) {
  fs::path async = root_ / "component-model-ref-async" / "a";
  fs::create_directories(async);
  write(async / "a.json", R"({"commands": [
    {"type": "module", "line": 1, "filename": "numerics.1.wasm", "module_type": "binary"},
    {"type": "assert_return", "line": 2, "action": {"type": "invoke", "field": "x", "args": []}, "expected": []},
    {"type": "assert_trap", "line": 3, "action": {"type": "invoke", "field": "x", "args": []}, "text": "t"}]})");
  std::vector<std::string> lines;
  kc::WastCounts c = kc::run_wast_file(async / "a.json", {}, [&](std::string_view l) { lines.emplace_back(l); });
  EXPECT_EQ(c.passed, 0u);
  EXPECT_EQ(c.failed, 0u);
  EXPECT_EQ(c.skipped, 3u);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("skipped 3 commands: needs the async component model (WASI 0.3 era)"), std::string::npos)
      << lines[0];

  // Through the command line, --skip-exit-code makes CTest show the script as skipped.
  CLI::App app{"kumo", "kumo"};
  int exit_code = -1;
  kc::add_wast_command(app, exit_code);
  std::vector<std::string> args = {"wast", "--no-fork", "--skip-exit-code", "77", (async / "a.json").string()};
  std::reverse(args.begin(), args.end());
  ::testing::internal::CaptureStdout();
  app.parse(args);
  std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(exit_code, 77) << out;
  EXPECT_TRUE(out.ends_with("0 passed, 0 failed, 3 skipped\n")) << out;
}

// wasmtime's embedding restrictions: a valid component with the restricted shape passes the
// assertion; one without it fails it (the runner checks the shape, it does not just skip).
TEST_F(WastComponentRunner, WasmtimeRestrictionsAreChecked) {
  const fs::path r = kSpec / "component-model-wasmtime" / "restrictions";
  ASSERT_TRUE(fs::is_directory(r)) << r << " is missing";
  for (const char* f : {"restrictions.0.wasm", "restrictions.1.wasm", "restrictions.2.wasm"})
    fs::copy_file(r / f, dir_ / f, fs::copy_options::overwrite_existing);
  write(dir_ / "r.json", R"({"commands": [
    {"type": "assert_invalid", "line": 1, "filename": "restrictions.0.wasm", "module_type": "binary", "text": "root-level component imports are not supported"},
    {"type": "assert_invalid", "line": 2, "filename": "restrictions.1.wasm", "module_type": "binary", "text": "exporting a component from the root component is not supported"},
    {"type": "assert_invalid", "line": 3, "filename": "restrictions.2.wasm", "module_type": "binary", "text": "component export `f` is a reexport of an imported function which is not implemented"},
    {"type": "assert_invalid", "line": 4, "filename": "numerics.1.wasm", "module_type": "binary", "text": "root-level component imports are not supported"}]})");
  std::vector<std::string> lines;
  kc::WastCounts c = kc::run_wast_file(dir_ / "r.json", {}, [&](std::string_view l) { lines.emplace_back(l); });
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  EXPECT_EQ(c.passed, 3u) << all;
  EXPECT_EQ(c.failed, 1u) << all;
  EXPECT_NE(all.find(":4: assert_invalid: expected wasmtime's restriction"), std::string::npos) << all;
}

// Text-format modules run from a folder of binaries assembled elsewhere, only while the recorded
// hash of their text matches the script's .wat.
TEST_F(WastComponentRunner, AssembledTextModules) {
  const fs::path assembled = fs::path(KUMO_SOURCE_DIR) / "tests" / "spectest-assembled";
  const fs::path src = kSpec / "component-model-wasmtime" / "alias-region-known-imported-canonical-abi-memory";
  ASSERT_TRUE(fs::is_directory(src)) << src << " is missing";
  const std::string name = "alias-region-known-imported-canonical-abi-memory";
  for (const char* ext : {".json", ".0.wat"})
    fs::copy_file(src / (name + ext), dir_ / (name + ext), fs::copy_options::overwrite_existing);
  kc::WastOptions o;
  o.assembled_dirs.push_back(assembled);
  std::vector<std::string> lines;
  auto sink = [&](std::string_view l) { lines.emplace_back(l); };
  kc::WastCounts c = kc::run_wast_file(dir_ / (name + ".json"), o, sink);
  EXPECT_EQ(c.passed, 4u);
  EXPECT_EQ(c.failed, 0u);
  EXPECT_EQ(c.skipped, 0u);
  // Without the folder: skipped, loudly. With a changed text: a failure.
  c = kc::run_wast_file(dir_ / (name + ".json"), {}, sink);
  EXPECT_EQ(c.passed, 0u);
  EXPECT_EQ(c.skipped, 4u);
  write(dir_ / (name + ".0.wat"), "(component)\n");
  lines.clear();
  c = kc::run_wast_file(dir_ / (name + ".json"), o, sink);
  EXPECT_GE(c.failed, 1u);
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  EXPECT_NE(all.find("does not match"), std::string::npos) << all;
}

}  // namespace
