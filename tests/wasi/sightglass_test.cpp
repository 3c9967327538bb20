// The sightglass benchmark modules (../shared/bench/sightglass) are real WASI preview1 programs
// built by other toolchains (Rust, C): every WASI function they import must be provided with the
// right type, and the quick ones must run and print what they are expected to.
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "run_util.hpp"
#include "wasm/module.hpp"

namespace kumo::wasi {
namespace {

namespace fs = test::fs;

fs::path sightglass_dir() { return fs::path(KUMO_SHARED_DIR) / "bench/sightglass"; }

std::vector<fs::path> benchmark_modules() {
  std::vector<fs::path> out;
  if (!fs::is_directory(sightglass_dir())) return out;
  for (auto& e : fs::recursive_directory_iterator(sightglass_dir()))
    if (e.path().extension() == ".wasm") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Sightglass, EveryWasiImportIsProvidedWithItsType) {
  auto modules = benchmark_modules();
  if (modules.empty()) GTEST_SKIP() << "no benchmarks at " << sightglass_dir();
  wasm::Engine engine;
  wasm::Store store(engine);
  wasm::Linker linker;
  auto ctx = preview1::Context::create({});
  ASSERT_TRUE(ctx);
  preview1::add_to_linker(linker, store, **ctx);

  std::set<std::string> used;
  for (const auto& path : modules) {
    std::string bytes = test::read_file(path);
    auto m = wasm::decode_module(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
    ASSERT_TRUE(m) << path << ": " << m.error().message;
    for (const wasm::Import& imp : (*m)->imports) {
      if (imp.module != preview1::kModuleName) continue;
      used.insert(imp.name);
      const wasm::Extern* item = linker.find(imp.module, imp.name);
      ASSERT_NE(item, nullptr) << path << " imports missing " << imp.name;
      ASSERT_EQ(item->kind, wasm::ExternKind::Func);
      EXPECT_EQ(*item->func->type, (*m)->types[imp.type_index])
          << path << ": " << imp.name << " has type " << wasm::to_string(*item->func->type)
          << ", the module wants " << wasm::to_string((*m)->types[imp.type_index]);
    }
  }
  EXPECT_GE(used.size(), 10u);  // sanity: the scan did see the imports
}

TEST(Sightglass, AllFunctionsAreDefined) {
  wasm::Engine engine;
  wasm::Store store(engine);
  wasm::Linker linker;
  auto ctx = preview1::Context::create({});
  ASSERT_TRUE(ctx);
  preview1::add_to_linker(linker, store, **ctx);
  EXPECT_EQ(preview1::function_names().size(), 46u);
  for (auto name : preview1::function_names())
    EXPECT_NE(linker.find(preview1::kModuleName, name), nullptr) << name;
}

// Runs one benchmark module from its own folder, pre-opened as ".", with bench.start/bench.end,
// and compares its output with the <stem>.stdout.expected / .stderr.expected files next to it.
void run_benchmark(const fs::path& wasm) {
  fs::path dir = wasm.parent_path();
  std::string stem = wasm.stem().string();  // "benchmark" or "shootout-fib2"
  preview1::Options o;
  o.args = {wasm.filename().string()};
  o.dirs.push_back({dir.string(), "."});
  int starts = 0, ends = 0;
  auto bench_imports = [&](wasm::Linker& linker, wasm::Store& store) {
    auto counter = [](int& n) {
      return [&n](wasm::Caller&, uint64_t*) -> Expected<void, wasm::Trap> {
        ++n;
        return {};
      };
    };
    linker.define_func(store, "bench", "start", wasm::FuncType{}, counter(starts));
    linker.define_func(store, "bench", "end", wasm::FuncType{}, counter(ends));
  };
  auto r = test::run_wasm(wasm.string(), o, {}, bench_imports);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(starts, 1);
  EXPECT_EQ(ends, 1);
  fs::path out = dir / (stem + ".stdout.expected"), err = dir / (stem + ".stderr.expected");
  if (fs::exists(out)) {
    EXPECT_EQ(r.out, test::read_file(out));
  }
  if (fs::exists(err)) {
    EXPECT_EQ(r.err, test::read_file(err));
  }
}

class SightglassRun : public ::testing::TestWithParam<std::string> {};

// Shootout programs that run for seconds to a minute or more in the interpreter; sanitizer builds
// (much slower) may leave them out with KUMO_SKIP_SLOW_TESTS=1, reported as skipped.
bool is_slow(const std::string& name) {
  for (const char* slow :
       {"base64", "ctype", "ed25519", "fib2", "heapsort", "matrix", "minicsv", "seqhash", "sieve"})
    if (name == fmt::format("shootout/shootout-{}.wasm", slow)) return true;
  return false;
}

TEST_P(SightglassRun, MatchesExpectedOutput) {
  if (GetParam() == "none") FAIL() << "no benchmarks at " << sightglass_dir();
  if (is_slow(GetParam()) && std::getenv("KUMO_SKIP_SLOW_TESTS"))
    GTEST_SKIP() << "slow under sanitizers; KUMO_SKIP_SLOW_TESTS is set";
  run_benchmark(sightglass_dir() / GetParam());
}

std::vector<std::string> benchmark_names() {
  std::vector<std::string> names;
  for (const auto& p : benchmark_modules())
    names.push_back(fs::relative(p, sightglass_dir()).string());
  if (names.empty()) names.push_back("none");
  return names;
}

INSTANTIATE_TEST_SUITE_P(Benchmarks, SightglassRun, ::testing::ValuesIn(benchmark_names()),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
}  // namespace kumo::wasi
