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

#ifndef KUMO_SHARED_DIR
#error "KUMO_SHARED_DIR must be defined (CMake does it for test targets)"
#endif

namespace fs = std::filesystem;
using kumo::wasm::decode_module;

namespace {

// Commands whose outcome is the opposite of the spec test's, keyed "suite/test:line", with the reason. Kumo decodes
// the wasm 3.0 binary format, and a few wasm 1.0/2.0 "malformed" modules became well-formed
// encodings in 3.0; they are rejected later by the validator (or are valid 3.0 modules).
const std::map<std::string, std::string>& known_differences() {
  static const std::string kZeroByte =
      "memory.size/memory.grow/call_indirect: the former reserved zero byte is a LEB128 "
      "memory/table index since reference types (2.0) and multi-memory (3.0); a non-zero index "
      "is rejected by the validator (unknown memory/table), a long zero is valid";
  static const std::string kOffset64 =
      "memarg offset is a u64 since memory64 (3.0); the validator rejects offsets >= 2^32 on "
      "32-bit memories";
  static const std::string kAlign =
      "memarg flags: bit 6 means a memory index follows (multi-memory, 3.0) and alignment "
      "exponents up to 63 are well-formed; the validator rejects alignment > natural alignment";
  static const std::string kLimits64 =
      "limits min/max are u64 since memory64/table64 (3.0); the validator rejects sizes out of "
      "range for 32-bit memories and tables";
  static const std::string kShared =
      "memory limits flag 0x02 is a shared memory (threads); the validator rejects it (no max)";
  static const std::string kSelect =
      "assert_invalid, but Instr holds one select type, so the decoder reports the invalid "
      "result arity itself (per instr.hpp)";
  static const std::map<std::string, std::string> m = {
      {"wasm-1.0/binary:50", kZeroByte},
      {"wasm-1.0/binary:143", kZeroByte},
      {"wasm-1.0/binary:163", kZeroByte},
      {"wasm-1.0/binary:183", kZeroByte},
      {"wasm-1.0/binary:202", kZeroByte},
      {"wasm-1.0/binary:221", kZeroByte},
      {"wasm-1.0/binary:241", kZeroByte},
      {"wasm-1.0/binary:260", kZeroByte},
      {"wasm-1.0/binary:279", kZeroByte},
      {"wasm-1.0/binary:297", kZeroByte},
      {"wasm-1.0/binary:315", kZeroByte},
      {"wasm-1.0/binary-leb128:404", kOffset64},
      {"wasm-1.0/binary-leb128:461", kOffset64},
      {"wasm-1.0/binary-leb128:730", kOffset64},
      {"wasm-1.0/binary-leb128:749", kOffset64},
      {"wasm-1.0/binary-leb128:843", kOffset64},
      {"wasm-1.0/binary-leb128:862", kOffset64},
      {"wasm-2.0/align:892", kAlign},
      {"wasm-2.0/align:911", kAlign},
      {"wasm-2.0/align:930", kAlign},
      {"wasm-2.0/align:949", kAlign},
      {"wasm-2.0/align:968", kAlign},
      {"wasm-2.0/binary:126", kZeroByte},
      {"wasm-2.0/binary:146", kZeroByte},
      {"wasm-2.0/binary:166", kZeroByte},
      {"wasm-2.0/binary:185", kZeroByte},
      {"wasm-2.0/binary:204", kZeroByte},
      {"wasm-2.0/binary:224", kZeroByte},
      {"wasm-2.0/binary:243", kZeroByte},
      {"wasm-2.0/binary:262", kZeroByte},
      {"wasm-2.0/binary:280", kZeroByte},
      {"wasm-2.0/binary:298", kZeroByte},
      {"wasm-2.0/binary:860", kShared},
      {"wasm-2.0/select:328", kSelect},
      {"wasm-1.0/binary-leb128:217", kLimits64},
      {"wasm-1.0/binary-leb128:225", kLimits64},
      {"wasm-1.0/binary-leb128:525", kLimits64},
      {"wasm-1.0/binary-leb128:533", kLimits64},
      {"wasm-1.0/binary-leb128:541", kLimits64},
      {"wasm-1.0/binary-leb128:550", kLimits64},
      {"wasm-2.0/binary-leb128:218", kLimits64},
      {"wasm-2.0/binary-leb128:226", kLimits64},
      {"wasm-2.0/binary-leb128:526", kLimits64},
      {"wasm-2.0/binary-leb128:534", kLimits64},
      {"wasm-2.0/binary-leb128:542", kLimits64},
      {"wasm-2.0/binary-leb128:551", kLimits64},
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
  std::vector<std::string> failures;
};

// Runs every binary-module command of one suite. With `allow_unsupported`, a module that should
// decode but is rejected with "not supported yet" (GC types and instructions) is counted, not
// failed.
void run_suite(const std::string& suite, bool allow_unsupported, Counts& c) {
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
      auto m = decode_module(bytes);
      bool want_ok = type != "assert_malformed";
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

void check_suite(const std::string& suite, bool allow_unsupported = false) {
  Counts c;
  run_suite(suite, allow_unsupported, c);
  std::cout << suite << ": " << c.modules << " modules decoded, " << c.malformed
            << " assert_malformed rejected, " << c.other
            << " invalid/unlinkable/uninstantiable modules decoded, " << c.excepted
            << " listed exceptions";
  if (allow_unsupported) std::cout << ", " << c.unsupported << " rejected as not supported yet (GC)";
  std::cout << "\n";
  for (const auto& f : c.failures) ADD_FAILURE() << f;
  EXPECT_GT(c.modules, 0);
}

}  // namespace

TEST(DecoderSpecTest, Wasm10) { check_suite("wasm-1.0"); }
TEST(DecoderSpecTest, Wasm20) { check_suite("wasm-2.0"); }

// wasm 3.0 and its proposal splits: everything but GC type definitions / GC instructions.
TEST(DecoderSpecTest, Wasm30) {
  for (const char* s : {"wasm-3.0", "wasm-3.0-bulk-memory", "wasm-3.0-exceptions",
                        "wasm-3.0-memory64", "wasm-3.0-multi-memory", "wasm-3.0-simd",
                        "wasm-3.0-relaxed-simd", "wasm-3.0-gc", "exception-handling-legacy"}) {
    check_suite(s, /*allow_unsupported=*/true);
  }
}
