// Components built by other toolchains (jco / wit-bindgen fixtures in KUMO_SHARED_DIR) must decode
// and validate; the core modules among them (WASI adapters, plain command modules) must pass the
// core decoder and validator.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
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

void check_dir(const std::string& sub) {
  fs::path dir = fs::path(KUMO_SHARED_DIR) / "components" / "jco" / sub;
  ASSERT_TRUE(fs::is_directory(dir)) << dir << " is missing";
  std::vector<fs::path> files;
  for (const auto& f : fs::directory_iterator(dir)) {
    if (f.path().extension() == ".wasm") files.push_back(f.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  int components = 0, modules = 0;
  for (const auto& f : files) {
    auto bytes = read_bytes(f);
    if (is_component_binary(bytes)) {
      auto v = load_component(bytes);
      EXPECT_TRUE(v.has_value()) << f.filename() << ": " << (v ? "" : v.error().message);
      ++components;
    } else {
      auto m = kumo::wasm::decode_module(bytes);
      ASSERT_TRUE(m.has_value()) << f.filename() << ": " << m.error().message;
      auto r = kumo::wasm::validate_module(**m);
      EXPECT_TRUE(r.has_value()) << f.filename() << ": " << (r ? "" : r.error().message);
      ++modules;
    }
  }
  std::cout << "[ jco fixtures ] " << sub << ": " << components << " components, " << modules
            << " core modules\n";
}

TEST(JcoFixtures, Runtime) { check_dir("runtime"); }
TEST(JcoFixtures, Misc) { check_dir("misc"); }

}  // namespace
