// Data-driven validation tests over the component-model spec test suites in KUMO_SHARED_DIR
// (see ../shared/spectest/README.md): every binary component of a `module` / `module_definition`
// (and of `assert_unlinkable` / `assert_uninstantiable`, which must be valid) must decode and
// validate, and every binary `assert_invalid` / `assert_malformed` must be rejected. Commands
// whose modules are core modules are checked with the core decoder and validator.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "component/validator.hpp"
#include "test_files.hpp"
#include "wasm/module.hpp"

#ifndef KUMO_SHARED_DIR
#error "KUMO_SHARED_DIR must be defined (CMake does it for test targets)"
#endif

namespace fs = std::filesystem;
using namespace kumo::component;
using kumo::component::test::read_bytes;

namespace {

// Commands whose outcome differs from the suite's, keyed "suite/test:line", with the reason.
const std::map<std::string, std::string>& known_differences() {
  static const std::string kWasmtimeLimit =
      "a wasmtime implementation restriction, not a validation rule (the component is valid); "
      "whether Kumo's linker shares it is decided when linking lands";
  static const std::map<std::string, std::string> m = {
      {"component-model-wasmtime/import:1", kWasmtimeLimit},
      {"component-model-wasmtime/restrictions:1", kWasmtimeLimit},
      {"component-model-wasmtime/restrictions:5", kWasmtimeLimit},
      {"component-model-wasmtime/restrictions:9", kWasmtimeLimit},
      {"component-model-wasmtime/restrictions:16", kWasmtimeLimit},
      {"component-model-wasmtime/simple:24", kWasmtimeLimit},
      {"component-model-wasmtime/simple:30", kWasmtimeLimit},
  };
  return m;
}

// Features for one test: the reference tests assume every proposal of the specification (the
// reference interpreter implements them); wasmtime's tests say what they need in `;;! name = bool`
// directives at the top of the .wast file.
Features features_for(const std::string& suite, const fs::path& wast) {
  Features f;
  if (suite == "component-model-ref") {
    f.async = true;
    f.async_builtins = true;
    f.async_stackful = true;
    f.threads = true;
    f.error_context = true;
  }
  std::ifstream in(wast);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(";;!", 0) != 0) continue;
    std::istringstream ls(line.substr(3));
    std::string name, eq, value;
    ls >> name >> eq >> value;
    bool on = value == "true";
    if (name == "component_model_async") {
      f.async = on;
    } else if (name == "component_model_error_context") {
      f.error_context = on;
    } else if (name == "component_model_fixed_length_lists") {
      f.fixed_length_lists = on;
    } else if (name == "component_model_implements") {
      f.implements = on;
    } else if (name == "component_model_map") {
      f.map = on;
    } else if (name == "component_model_memory64") {
      f.memory64 = on;
    } else if (name == "component_model_gc") {
      f.gc = on;
    }
  }
  return f;
}

struct Counts {
  int valid_ok = 0, valid_total = 0;
  int invalid_ok = 0, invalid_total = 0;
  int core_modules = 0;
  int known = 0;
  std::vector<std::string> failures;
};

// Validates one binary: a component (decode + validate) or a core module.
kumo::Expected<void> check_binary(const std::vector<uint8_t>& bytes, const Features& f, bool* is_core) {
  *is_core = !is_component_binary(bytes) && bytes.size() >= 8 && bytes[4] == 1;
  if (*is_core) {
    KUMO_TRY(auto m, kumo::wasm::decode_module(bytes));
    return kumo::wasm::validate_module(*m);
  }
  KUMO_TRY(auto v, load_component(bytes, f));
  (void)v;
  return {};
}

Counts run_suite(const std::string& suite) {
  Counts c;
  fs::path root = fs::path(KUMO_SHARED_DIR) / "spectest" / suite;
  std::vector<fs::path> jsons;
  for (const auto& dir : fs::directory_iterator(root)) {
    if (!dir.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(dir.path())) {
      if (f.path().extension() == ".json") jsons.push_back(f.path());
    }
  }
  std::sort(jsons.begin(), jsons.end());
  const auto& known = known_differences();
  for (const auto& json_path : jsons) {
    std::ifstream in(json_path);
    nlohmann::json j = nlohmann::json::parse(in);
    fs::path wast = json_path;
    wast.replace_extension(".wast");
    Features features = features_for(suite, wast);
    std::string test = json_path.parent_path().filename().string();
    for (const auto& cmd : j["commands"]) {
      std::string type = cmd["type"];
      if (!cmd.contains("filename") || cmd.value("module_type", "binary") != "binary") continue;
      bool expect_valid = type == "module" || type == "module_definition" ||
                          type == "assert_unlinkable" || type == "assert_uninstantiable";
      bool expect_invalid = type == "assert_invalid" || type == "assert_malformed";
      if (!expect_valid && !expect_invalid) continue;
      std::string key = suite + "/" + test + ":" + std::to_string(cmd["line"].get<int>());
      fs::path file = json_path.parent_path() / cmd["filename"].get<std::string>();
      if (std::getenv("KUMO_TRACE")) std::cerr << "checking " << file << "\n";
      auto bytes = read_bytes(file);
      bool is_core = false;
      auto r = check_binary(bytes, features, &is_core);
      if (is_core) ++c.core_modules;
      bool ok = expect_valid ? r.has_value() : !r.has_value();
      // With KUMO_MISMATCH set, show rejections whose message differs from the expected text
      // (a reviewing aid: a right rejection for a wrong reason hides a bug).
      if (std::getenv("KUMO_MISMATCH") && expect_invalid && !r &&
          r.error().message.find(cmd.value("text", std::string())) == std::string::npos) {
        std::cerr << key << " expected \"" << cmd.value("text", std::string()) << "\" got: "
                  << r.error().message << "\n";
      }
      (expect_valid ? c.valid_total : c.invalid_total)++;
      if (ok) (expect_valid ? c.valid_ok : c.invalid_ok)++;
      if (ok == !known.count(key)) {
        if (!ok) ++c.known;
        continue;
      }
      // r.error() only exists when the binary was rejected.
      std::string why = ok             ? "passes but is listed as a known difference"
                        : expect_valid ? "should validate: " + r.error().message
                                       : "should be rejected (" + cmd.value("text", std::string()) + ")";
      c.failures.push_back(key + " " + std::string(cmd["filename"]) + ": " + why);
    }
  }
  return c;
}

void report(const std::string& suite, const Counts& c) {
  std::cout << "[ component spectest ] " << suite << ": valid " << c.valid_ok << "/" << c.valid_total
            << " accepted, invalid/malformed " << c.invalid_ok << "/" << c.invalid_total
            << " rejected (" << c.core_modules << " core modules; " << c.known
            << " known differences)\n";
  for (const auto& f : c.failures) ADD_FAILURE() << f;
}

TEST(ComponentSpecTest, SharedDirectoryExists) {
  // Fail loudly: a missing checkout must not look like a passing suite.
  ASSERT_TRUE(fs::is_directory(fs::path(KUMO_SHARED_DIR) / "spectest" / "component-model"))
      << KUMO_SHARED_DIR << "/spectest/component-model is missing";
}

TEST(ComponentSpecTest, ComponentModel) {
  ASSERT_TRUE(fs::is_directory(fs::path(KUMO_SHARED_DIR) / "spectest" / "component-model"));
  report("component-model", run_suite("component-model"));
}

TEST(ComponentSpecTest, ComponentModelRef) {
  ASSERT_TRUE(fs::is_directory(fs::path(KUMO_SHARED_DIR) / "spectest" / "component-model-ref"));
  report("component-model-ref", run_suite("component-model-ref"));
}

TEST(ComponentSpecTest, ComponentModelWasmtime) {
  ASSERT_TRUE(fs::is_directory(fs::path(KUMO_SHARED_DIR) / "spectest" / "component-model-wasmtime"));
  report("component-model-wasmtime", run_suite("component-model-wasmtime"));
}

}  // namespace
