// Runs one spec-test script converted by wast2json (see /work/shared/spectest/README.md):
// loads its modules, performs its commands and checks its assertions.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string_view>

#include "wasm/runtime/objects.hpp"

namespace kumo::cli {

struct WastCounts {
  uint64_t passed = 0;
  uint64_t failed = 0;
  uint64_t skipped = 0;
  // Passed component assertions (invalid, malformed, unlinkable) whose error message differs from
  // the script's text (failures only with --strict).
  uint64_t mismatched = 0;
  WastCounts& operator+=(const WastCounts& o) {
    passed += o.passed, failed += o.failed, skipped += o.skipped, mismatched += o.mismatched;
    return *this;
  }
};

// Counters updated as commands complete. Lock-free atomics, so that a parent process can read
// them from shared memory when the runner dies in a forked child (crash or timeout).
struct WastProgress {
  std::atomic<uint64_t> passed{0};
  std::atomic<uint64_t> failed{0};
  std::atomic<uint64_t> skipped{0};
  std::atomic<uint64_t> mismatched{0};
  std::atomic<uint32_t> line{0};  // line of the command being run
  void reset() { passed = 0, failed = 0, skipped = 0, mismatched = 0, line = 0; }
  WastCounts counts() const {
    return {passed.load(), failed.load(), skipped.load(), mismatched.load()};
  }
};

// Which version of the spec a script was written for. Later versions made some modules valid
// (or well-formed) that older suites assert to be invalid (a second memory, multi-value results,
// long LEB128 zero bytes, ...) and changed segment initialisation; those suites run in an Engine
// configured with the older rules (Config::features).
// Threads is wasm 2.0 plus shared memories. Auto picks by path: a directory named wasm-1.0,
// wasm-2.0 or threads, else 3.0.
enum class SpecVersion { Auto, V1, V2, V3, Threads };
SpecVersion spec_version_for(const std::filesystem::path& script);

struct WastOptions {
  SpecVersion spec = SpecVersion::Auto;
  // Also report notes that do not fail a command (e.g. an expected-invalid module rejected with
  // a message other than the spec's).
  bool verbose = false;
  // Negative module assertions must fail in the right phase (assert_malformed in the decoder,
  // assert_invalid in the validator) with an error containing the spec's message; component
  // traps and link errors must contain the script's text.
  bool strict = false;
  // Folders holding binaries assembled elsewhere for text-format `module` commands the converter
  // could not assemble (X.N.wat -> X.N.wasm, with X.N.wat.fnv1a64 naming the hash of the exact text
  // it was assembled from; a stale binary is a failure, not a silent pass).
  std::vector<std::filesystem::path> assembled_dirs;
  // How functions run (the baseline tier compiles what it can; the rest stays interpreted).
  wasm::Tier tier = wasm::kDefaultTier;
};

// Receives the runner's messages, one line at a time, without a trailing newline.
using LineSink = std::function<void(std::string_view)>;

// Runs the script `json_path` in an Engine of its own, configured with the features of its spec
// version. Every command counts as passed, failed or skipped; a file that cannot be read or
// parsed counts as one failure. Never throws.
WastCounts run_wast_file(const std::filesystem::path& json_path, const WastOptions& options,
                         const LineSink& sink, WastProgress* progress = nullptr);

// True when a trap matches an assertion's expected message (the spec compares by prefix).
bool trap_matches(const wasm::Trap& trap, std::string_view expected);

}  // namespace kumo::cli
