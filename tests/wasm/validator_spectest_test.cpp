// Data-driven validator test over the official spec tests (wast2json output in KUMO_SHARED_DIR).
// wasm-1.0 and wasm-2.0 (asserted): every binary `module` (and the modules of assert_unlinkable /
// assert_uninstantiable, which are valid) must decode and validate; every binary assert_invalid
// module must be rejected, by validation or, failing that, by the decoder (counted separately).
// The wasm-3.0 suites are run and their counts printed, not asserted yet.
// Set KUMO_VALIDATOR_VERBOSE=1 to print each disagreement and each message that does not contain
// the spec test's expected text.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "wasm/module.hpp"
#include "wasm/validator/validator.hpp"

#ifndef KUMO_SHARED_DIR
#error "KUMO_SHARED_DIR must be defined (CMake does it for test targets)"
#endif

namespace fs = std::filesystem;
using kumo::wasm::Features;

namespace {

struct Counts {
  int valid_ok = 0, valid_bad_decode = 0, valid_bad_validate = 0;
  int invalid_by_validator = 0, invalid_by_decoder = 0, invalid_accepted = 0;
  int invalid_text_mismatch = 0;  // rejected, but the message lacks the spec test's text
  int malformed_decoded = 0, malformed_rejected_by_validator = 0;
  std::vector<std::string> failures;
  std::vector<std::string> notes;
};

std::vector<uint8_t> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool verbose() {
  const char* v = std::getenv("KUMO_VALIDATOR_VERBOSE");
  return v && *v && std::string(v) != "0";
}

void run_suite(const std::string& suite, const Features& features, Counts& c) {
  fs::path dir = fs::path(KUMO_SHARED_DIR) / "spectest" / suite;
  ASSERT_TRUE(fs::is_directory(dir)) << "spec tests missing: " << dir;
  std::vector<fs::path> jsons;
  for (auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().extension() == ".json") jsons.push_back(e.path());
  }
  std::sort(jsons.begin(), jsons.end());
  ASSERT_FALSE(jsons.empty()) << "no spec test JSON under " << dir;
  for (const fs::path& jp : jsons) {
    std::ifstream in(jp);
    nlohmann::json j = nlohmann::json::parse(in);
    const std::string test = jp.stem().string();
    for (const auto& cmd : j["commands"]) {
      if (!cmd.contains("filename")) continue;
      const std::string type = cmd["type"];
      const std::string file = cmd["filename"];
      if (fs::path(file).extension() != ".wasm") continue;  // text-only modules
      const std::string key = suite + "/" + test + ":" + std::to_string(int(cmd["line"])) + " (" +
                              file + ")";
      const bool valid = type == "module" || type == "assert_unlinkable" ||
                         type == "assert_uninstantiable" || type == "module_definition";
      if (!valid && type != "assert_invalid" && type != "assert_malformed") continue;
      const fs::path wasm = jp.parent_path() / file;
      if (!fs::exists(wasm)) {
        c.failures.push_back(key + ": file missing");
        continue;
      }
      const auto bytes = read_file(wasm);
      auto m = kumo::wasm::decode_module(bytes);
      if (type == "assert_malformed") {
        // The decoder accepts some 1.0/2.0 "malformed" encodings that are well-formed in 3.0
        // (see decoder_spectest_test.cpp); informational only.
        if (m) {
          ++c.malformed_decoded;
          if (!kumo::wasm::validate_module(**m, features)) ++c.malformed_rejected_by_validator;
        }
        continue;
      }
      if (!m) {
        if (valid) {
          ++c.valid_bad_decode;
          c.failures.push_back(key + ": decode failed: " + m.error().message);
        } else {
          ++c.invalid_by_decoder;
          if (verbose()) c.notes.push_back(key + ": rejected by decoder: " + m.error().message);
        }
        continue;
      }
      auto r = kumo::wasm::validate_module(**m, features);
      if (valid) {
        if (r) {
          ++c.valid_ok;
        } else {
          ++c.valid_bad_validate;
          c.failures.push_back(key + ": " + type + " failed validation: " + r.error().message);
        }
        continue;
      }
      const std::string text = cmd.value("text", "");
      if (r) {
        ++c.invalid_accepted;
        c.failures.push_back(key + ": assert_invalid \"" + text + "\" validated");
      } else {
        ++c.invalid_by_validator;
        if (r.error().message.find(text) == std::string::npos) {
          ++c.invalid_text_mismatch;
          if (verbose()) c.notes.push_back(key + ": want \"" + text + "\", got: " + r.error().message);
        }
      }
    }
  }
}

Counts report(const std::string& suite, const Features& features) {
  Counts c;
  run_suite(suite, features, c);
  std::cout << suite << ": modules valid " << c.valid_ok << " (decode failed "
            << c.valid_bad_decode << ", validation failed " << c.valid_bad_validate
            << "); assert_invalid rejected by validator " << c.invalid_by_validator
            << " (message without the spec text " << c.invalid_text_mismatch
            << "), by decoder " << c.invalid_by_decoder << ", wrongly accepted "
            << c.invalid_accepted << "; assert_malformed that decoded " << c.malformed_decoded
            << " (rejected by validator " << c.malformed_rejected_by_validator << ")\n";
  if (verbose()) {
    for (const auto& n : c.notes) std::cout << "  note: " << n << "\n";
  }
  return c;
}

void check_suite(const std::string& suite, const Features& features) {
  Counts c = report(suite, features);
  for (const auto& f : c.failures) ADD_FAILURE() << f;
  EXPECT_GT(c.valid_ok, 0);
  EXPECT_GT(c.invalid_by_validator, 0);
}

}  // namespace

TEST(ValidatorSpecTest, SharedDirExists) {
  ASSERT_TRUE(fs::is_directory(fs::path(KUMO_SHARED_DIR) / "spectest"))
      << "spec tests missing: " << KUMO_SHARED_DIR << "/spectest";
}

// The 1.0 and 2.0 suites assert that some later relaxations are invalid (a second memory, MVP
// multi-value), so they run with those features off.
TEST(ValidatorSpecTest, Wasm10) { check_suite("wasm-1.0", Features::wasm1()); }
TEST(ValidatorSpecTest, Wasm20) { check_suite("wasm-2.0", Features::wasm2()); }

// Real-world modules (the sightglass benchmarks, compiled from C and Rust) must validate.
TEST(ValidatorSharedModules, BenchmarksValidate) {
  fs::path dir = fs::path(KUMO_SHARED_DIR) / "bench";
  ASSERT_TRUE(fs::is_directory(dir)) << "benchmarks missing: " << dir;
  int n = 0;
  for (auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().extension() != ".wasm") continue;
    const auto bytes = read_file(e.path());
    auto m = kumo::wasm::decode_module(bytes);
    if (!m) continue;  // the decoder's test reports decode failures
    auto r = kumo::wasm::validate_module(**m);
    EXPECT_TRUE(r) << e.path() << ": " << (r ? "" : r.error().message);
    ++n;
  }
  EXPECT_GT(n, 0);
}

// wasm 3.0: counts only (GC type definitions are not decoded yet).
TEST(ValidatorSpecTest, Wasm30Counts) {
  for (const char* s : {"wasm-3.0", "wasm-3.0-bulk-memory", "wasm-3.0-exceptions",
                        "wasm-3.0-memory64", "wasm-3.0-multi-memory", "wasm-3.0-simd",
                        "wasm-3.0-relaxed-simd", "wasm-3.0-gc", "exception-handling-legacy"}) {
    Counts c = report(s, Features::wasm3());
    if (verbose()) {
      for (const auto& f : c.failures) std::cout << "  disagreement: " << f << "\n";
    }
  }
}
