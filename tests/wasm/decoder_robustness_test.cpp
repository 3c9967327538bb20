// Robustness: decoding truncated and randomly mutated spec-test modules must never crash or hang,
// and every rejection must carry a located error message. (Run under ASan/UBSan in CI.)
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "wasm/module.hpp"

#ifndef KUMO_SHARED_DIR
#error "KUMO_SHARED_DIR must be defined (CMake does it for test targets)"
#endif

namespace fs = std::filesystem;

namespace {

std::vector<std::vector<uint8_t>> sample_modules(size_t max_count) {
  fs::path dir = fs::path(KUMO_SHARED_DIR) / "spectest" / "wasm-2.0";
  std::vector<fs::path> files;
  if (!fs::is_directory(dir)) return {};
  for (auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().extension() == ".wasm" && e.file_size() < 4096) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::vector<uint8_t>> out;
  // Spread the sample over all tests rather than the first few directories.
  size_t step = std::max<size_t>(1, files.size() / max_count);
  for (size_t i = 0; i < files.size() && out.size() < max_count; i += step) {
    std::ifstream in(files[i], std::ios::binary);
    out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out;
}

void check(const std::vector<uint8_t>& bytes) {
  auto m = kumo::wasm::decode_module(bytes);
  if (!m) {
    const std::string& e = m.error().message;
    EXPECT_NE(e.find(" at offset 0x"), std::string::npos) << e;
  }
}

}  // namespace

TEST(DecoderRobustness, TruncationsAndMutations) {
  auto modules = sample_modules(400);
  ASSERT_GT(modules.size(), 100u) << "spec tests missing under " << KUMO_SHARED_DIR;
  std::mt19937 rng(12345);
  for (const auto& mod : modules) {
    for (size_t n = 0; n < mod.size(); n += std::max<size_t>(1, mod.size() / 64)) {
      check(std::vector<uint8_t>(mod.begin(), mod.begin() + n));
    }
    if (mod.size() <= 8) continue;
    for (int k = 0; k < 64; ++k) {
      auto m = mod;
      int flips = 1 + int(rng() % 4);
      for (int f = 0; f < flips; ++f) {
        size_t at = 8 + rng() % (m.size() - 8);
        switch (rng() % 3) {
          case 0: m[at] = uint8_t(rng()); break;
          case 1: m[at] = 0xff; break;  // long LEBs, huge counts
          default: m[at] ^= uint8_t(1u << (rng() % 8)); break;
        }
      }
      check(m);
    }
  }
}
