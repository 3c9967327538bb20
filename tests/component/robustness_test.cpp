// Malformed components must be rejected with an error, never crash: decode and validate
// deterministic mutations (byte changes, truncations, duplicated ranges) of real components.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "component/validator.hpp"
#include "test_files.hpp"

namespace fs = std::filesystem;
using namespace kumo::component;

namespace {

std::vector<std::vector<uint8_t>> seeds() {
  std::vector<std::vector<uint8_t>> out;
  fs::path root = fs::path(KUMO_SHARED_DIR) / "spectest";
  for (const char* name : {"component-model/resources/resources.3.wasm", "component-model/instantiate/instantiate.0.wasm",
                           "component-model/alias/alias.0.wasm", "component-model/adapt/adapt.0.wasm",
                           "component-model/types/types.0.wasm", "component-model/virtualize/virtualize.0.wasm",
                           "component-model-wasmtime/implements/implements.0.wasm",
                           "component-model-ref/variants/variants.0.wasm"}) {
    fs::path p = root / name;
    if (fs::exists(p)) out.push_back(test::read_bytes(p));
  }
  return out;
}

std::vector<uint8_t> mutate(const std::vector<uint8_t>& in, std::mt19937& rng) {
  std::vector<uint8_t> b = in;
  auto pos = [&]() { return std::uniform_int_distribution<size_t>(8, b.size() - 1)(rng); };
  switch (rng() % 4) {
    case 0:  // a few random bytes
      for (int i = 0, n = 1 + int(rng() % 3); i < n; ++i) b[pos()] = uint8_t(rng());
      break;
    case 1:  // a small value nudged (LEB lengths and indices)
      b[pos()] += uint8_t(1 + rng() % 3);
      break;
    case 2:  // truncation
      b.resize(pos());
      break;
    default: {  // duplicate a range
      size_t a = pos(), len = std::min<size_t>(1 + rng() % 16, b.size() - a);
      std::vector<uint8_t> chunk(b.begin() + long(a), b.begin() + long(a + len));
      b.insert(b.begin() + long(pos()), chunk.begin(), chunk.end());
      break;
    }
  }
  return b;
}

}  // namespace

TEST(ComponentRobustness, MutatedComponentsNeverCrash) {
  auto inputs = seeds();
  ASSERT_FALSE(inputs.empty());
  // KUMO_MUTATIONS raises the count for longer runs (e.g. under the sanitizers).
  int per_seed = std::getenv("KUMO_MUTATIONS") ? std::atoi(std::getenv("KUMO_MUTATIONS")) : 300;
  std::mt19937 rng(12345);
  int rejected = 0, total = 0;
  for (const auto& in : inputs) {
    for (int i = 0; i < per_seed; ++i) {
      auto m = mutate(in, rng);
      auto r = load_component(m);
      ++total;
      if (!r) {
        ++rejected;
        EXPECT_FALSE(r.error().message.empty());
      }
    }
  }
  std::cout << "[ robustness ] " << total << " mutated components, " << rejected << " rejected\n";
}
