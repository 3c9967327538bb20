// Data-driven decoder test over the official spec tests (wast2json output in KUMO_SHARED_DIR):
// every binary `module` must decode, every binary `assert_malformed` must fail to decode, and
// modules of assert_invalid / assert_unlinkable / assert_uninstantiable must decode (their
// errors are the validator's or the linker's, not the decoder's).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "wasm/module.hpp"
#include "wasm/validator/validator.hpp"

#ifndef KUMO_SHARED_DIR
#error "KUMO_SHARED_DIR must be defined (CMake does it for test targets)"
#endif

namespace fs = std::filesystem;
using kumo::wasm::decode_module;
using kumo::wasm::Features;

namespace {

// Commands whose outcome is the opposite of the spec test's, keyed "suite/test:line", with the
// reason. Each suite is decoded with its own profile (decode_module(bytes, Features::wasm1() /
// wasm2() / wasm3())), so the 1.0/2.0 "malformed" encodings that became well-formed in 3.0
// (reserved zero bytes, u32 memarg offsets and limits, memop flags, limits flags) need no entry.
const std::map<std::string, std::string>& known_differences() {
  static const std::string kSelect =
      "assert_invalid, but Instr holds one select type, so the decoder reports the invalid "
      "result arity itself (per instr.hpp)";
  static const std::map<std::string, std::string> m = {
      {"wasm-2.0/select:328", kSelect},
      {"wasm-3.0/select:372", kSelect},
  };
  return m;
}

std::vector<uint8_t> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Counts {
  int modules = 0, malformed = 0, other = 0, excepted = 0, unsupported = 0;
  int profile_only = 0;  // assert_malformed rejected by the suite's profile but not by wasm3()
  std::vector<std::string> failures;
};

// Runs every binary-module command of one suite, decoded with `features`. With
// `allow_unsupported`, a module that should decode but is rejected with "not supported yet" (GC
// types and instructions) is counted, not failed. With an older profile than wasm3(), every
// module it accepts must decode with the default (3.0) decoder too.
void run_suite(const std::string& suite, const Features& features, bool allow_unsupported,
               Counts& c) {
  const bool old_profile = !features.multi_memory;
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
    std::string test = jp.stem().string();
    for (const auto& cmd : j["commands"]) {
      if (!cmd.contains("filename")) continue;
      std::string type = cmd["type"];
      std::string file = cmd["filename"];
      if (fs::path(file).extension() != ".wasm") continue;  // text-only modules
      std::string key = suite + "/" + test + ":" + std::to_string(int(cmd["line"]));
      fs::path wasm = jp.parent_path() / file;
      if (!fs::exists(wasm)) {
        c.failures.push_back(key + ": missing " + wasm.string());
        continue;
      }
      auto bytes = read_file(wasm);
      auto m = decode_module(bytes, features);
      bool want_ok = type != "assert_malformed";
      if (old_profile) {
        auto m3 = decode_module(bytes);
        if (m && !m3) {
          c.failures.push_back(key + ": decodes with the suite's profile but not with wasm 3.0: " +
                               m3.error().message);
        }
        if (!m && m3 && type == "assert_malformed") {
          // The profile's own rejections must carry the spec's message.
          ++c.profile_only;
          std::string text = cmd.value("text", "");
          if (m.error().message.find(text) == std::string::npos) {
            c.failures.push_back(key + ": rejected with \"" + m.error().message +
                                 "\", expected \"" + text + "\"");
          }
        }
      }
      auto ex = known_differences().find(key);
      if (ex != known_differences().end()) {
        // The listed commands have the opposite outcome; flag them if that changes.
        ++c.excepted;
        if (bool(m) == want_ok) {
          c.failures.push_back(key + ": listed exception behaves as the spec test expects now");
        }
        continue;
      }
      if (want_ok && !m && allow_unsupported &&
          m.error().message.find("not supported yet") != std::string::npos) {
        ++c.unsupported;
        continue;
      }
      if (type == "module") ++c.modules;
      else if (type == "assert_malformed") ++c.malformed;
      else ++c.other;
      if (want_ok && !m) {
        c.failures.push_back(key + " (" + type + ", " + file + "): " + m.error().message);
      } else if (!want_ok && m) {
        c.failures.push_back(key + " (" + file + "): decoded, expected malformed: " +
                             std::string(cmd.value("text", "")));
      }
    }
  }
}

void check_suite(const std::string& suite, const Features& features,
                 bool allow_unsupported = false) {
  Counts c;
  run_suite(suite, features, allow_unsupported, c);
  std::cout << suite << ": " << c.modules << " modules decoded, " << c.malformed
            << " assert_malformed rejected, " << c.other
            << " invalid/unlinkable/uninstantiable modules decoded, " << c.excepted
            << " listed exceptions";
  if (!features.multi_memory) {
    std::cout << " (" << c.profile_only << " of the assert_malformed are well-formed in 3.0)";
  }
  if (allow_unsupported) std::cout << ", " << c.unsupported << " rejected as not supported yet (GC)";
  std::cout << "\n";
  for (const auto& f : c.failures) ADD_FAILURE() << f;
  EXPECT_GT(c.modules, 0);
}

}  // namespace

TEST(DecoderSpecTest, Wasm10) { check_suite("wasm-1.0", Features::wasm1()); }
TEST(DecoderSpecTest, Wasm20) { check_suite("wasm-2.0", Features::wasm2()); }

// wasm 3.0 and its proposal splits: everything but GC type definitions / GC instructions.
TEST(DecoderSpecTest, Wasm30) {
  for (const char* s : {"wasm-3.0", "wasm-3.0-bulk-memory", "wasm-3.0-exceptions",
                        "wasm-3.0-memory64", "wasm-3.0-multi-memory", "wasm-3.0-simd",
                        "wasm-3.0-relaxed-simd", "wasm-3.0-gc", "exception-handling-legacy"}) {
    check_suite(s, Features::wasm3(), /*allow_unsupported=*/true);
  }
}
