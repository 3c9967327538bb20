// A component's world as WIT (wit/from_component.hpp, what `kumo inspect` prints): key lines of
// the jco fixtures, sharing of types between interfaces (`use`), and that every printed world is
// valid WIT describing the same imports and exports as the component type.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "component/validator.hpp"
#include "wit/from_component.hpp"
#include "wit/printer.hpp"
#include "wit/resolve.hpp"

namespace kumo::wit {
namespace {

namespace fs = std::filesystem;

const fs::path kJco = fs::path(KUMO_SHARED_DIR) / "components/jco";

std::vector<uint8_t> read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::shared_ptr<const component::ValidatedComponent> load(const fs::path& p) {
  auto bytes = read_bytes(p);
  auto vc = component::load_component(bytes);
  EXPECT_TRUE(vc.has_value()) << p << ": " << (vc ? "" : vc.error().message);
  return vc ? *vc : nullptr;
}

// The printed world of a fixture (empty, with a test failure, if anything goes wrong).
std::string wit_of(const fs::path& p) {
  if (!fs::exists(p)) {
    ADD_FAILURE() << "missing fixture " << p;
    return {};
  }
  auto vc = load(p);
  if (!vc) return {};
  auto w = world_from_component(*vc);
  EXPECT_TRUE(w.has_value()) << p << ": " << (w ? "" : w.error().message);
  return w ? print_component_world(*w) : std::string();
}

std::string runtime_wit(const std::string& name) { return wit_of(kJco / "runtime" / (name + ".component.wasm")); }

bool has_line(const std::string& text, const std::string& line) {
  size_t pos = 0;
  while ((pos = text.find(line, pos)) != std::string::npos) {
    size_t begin = text.rfind('\n', pos);
    begin = begin == std::string::npos ? 0 : begin + 1;
    bool only_indent = text.find_first_not_of(' ', begin) == pos;
    bool ends = pos + line.size() == text.size() || text[pos + line.size()] == '\n';
    if (only_indent && ends) return true;
    pos += line.size();
  }
  return false;
}

#define EXPECT_LINE(text, line) EXPECT_TRUE(has_line(text, line)) << "missing line `" << (line) << "` in:\n" << (text)

TEST(FromComponent, NumbersWorldAndInterface) {
  std::string t = runtime_wit("numbers");
  EXPECT_EQ(t.rfind("package root:component;\n", 0), 0u) << t;
  EXPECT_LINE(t, "world root {");
  EXPECT_LINE(t, "import test:numbers/test;");
  EXPECT_LINE(t, "import wasi:io/streams@0.2.0;");
  EXPECT_LINE(t, "export test-imports: func();");
  EXPECT_LINE(t, "export test:numbers/test;");
  EXPECT_LINE(t, "package test:numbers {");
  EXPECT_LINE(t, "roundtrip-u8: func(a: u8) -> u8;");
  EXPECT_LINE(t, "roundtrip-char: func(a: char) -> char;");
  EXPECT_LINE(t, "set-scalar: func(a: u32);");
  EXPECT_LINE(t, "package wasi:io@0.2.0 {");
  EXPECT_LINE(t, "package wasi:filesystem@0.2.0 {");
}

TEST(FromComponent, WasiInterfacesUseTypesAcrossPackages) {
  std::string t = runtime_wit("numbers");
  EXPECT_LINE(t, "use error.{error};");
  EXPECT_LINE(t, "last-operation-failed(error),");
  EXPECT_LINE(t, "use wasi:io/streams@0.2.0.{output-stream};");
  EXPECT_LINE(t, "use wasi:clocks/wall-clock@0.2.0.{datetime};");
  EXPECT_LINE(t, "data-access-timestamp: option<datetime>,");
  EXPECT_LINE(t, "type filesize = u64;");
  EXPECT_LINE(t, "%type: descriptor-type,");
  EXPECT_LINE(t, "write-via-stream: func(offset: filesize) -> result<output-stream, error-code>;");
  EXPECT_LINE(t, "filesystem-error-code: func(err: borrow<error>) -> option<error-code>;");
  EXPECT_LINE(t, "get-directories: func() -> list<tuple<descriptor, string>>;");
}

TEST(FromComponent, ResourcesInInlineInterfaces) {
  std::string t = runtime_wit("resources");
  EXPECT_LINE(t, "import imports: interface {");
  EXPECT_LINE(t, "export exports: interface {");
  EXPECT_LINE(t, "resource y {");
  EXPECT_LINE(t, "constructor(a: s32);");
  EXPECT_LINE(t, "get-a: func() -> s32;");
  EXPECT_LINE(t, "add: static func(y: y, a: s32) -> y;");
  EXPECT_LINE(t, "resource kebab-case {");
  EXPECT_LINE(t, "take-owned: static func(k: kebab-case) -> u32;");
  EXPECT_LINE(t, "add: func(a: borrow<z>, b: borrow<z>) -> z;");
  EXPECT_LINE(t, "test-imports: func() -> result<_, string>;");
}

// Types shared between exported interfaces: the second interface `use`s the first one's types,
// including a record reached through an instantiation's type arguments (the validator keeps such
// aliases one definition).
TEST(FromComponent, UseOfAnotherInterfacesTypes) {
  std::string t = runtime_wit("resource_alias");
  EXPECT_LINE(t, "use e1.{x as y, foo as bar};");
  EXPECT_LINE(t, "a: func(f: foo, g: bar, h: borrow<y>) -> list<y>;");
  EXPECT_LINE(t, "a: func(f: foo) -> list<x>;");

  std::string redux = runtime_wit("resource_alias_redux");
  EXPECT_LINE(redux, "use test:resource-alias-redux/resource-alias1.{thing};");
  EXPECT_LINE(redux, "export test: func(things: list<thing>) -> list<thing>;");
  EXPECT_LINE(redux, "use resource-alias1.{foo as bar};");
}

TEST(FromComponent, DefinedTypeKinds) {
  std::string v = runtime_wit("variants");
  EXPECT_LINE(v, "enum e1 {");
  EXPECT_LINE(v, "variant c1 {");
  EXPECT_LINE(v, "a(s32),");
  EXPECT_LINE(v, "type casts = tuple<c1, c2, c3, c4, c5, c6>;");

  std::string r = runtime_wit("records");
  EXPECT_LINE(r, "flags flag8 {");
  EXPECT_LINE(r, "b7,");

  std::string f = runtime_wit("flavorful");
  EXPECT_LINE(f, "type list-in-alias = list-in-record4;");
  EXPECT_LINE(f, "type list-in-variant1-v2 = result<_, string>;");
  EXPECT_LINE(f, "type list-typedef2 = list<u8>;");
  EXPECT_LINE(f, "errno-result: func() -> result<_, my-errno>;");
}

TEST(FromComponent, VersionedPackagesStayApart) {
  std::string t = runtime_wit("versions");
  EXPECT_LINE(t, "import test:dep/test@0.1.0;");
  EXPECT_LINE(t, "export test:dep/test@0.2.0;");
  size_t v1 = t.find("package test:dep@0.1.0 {");
  size_t v2 = t.find("package test:dep@0.2.0 {");
  ASSERT_NE(v1, std::string::npos) << t;
  ASSERT_NE(v2, std::string::npos) << t;
  size_t z = t.find("z: func(a: f32, b: f32) -> f32;");
  ASSERT_NE(z, std::string::npos) << t;
  EXPECT_GT(z, v2);  // z exists only in 0.2.0
  EXPECT_EQ(t.find("y: func(a: f32) -> f32;", v2), std::string::npos);
}

// Every jco component: the world converts, prints as WIT that resolves again, and has exactly
// the component's imports and exports, in order.
TEST(FromComponent, EveryJcoComponentRoundTrips) {
  size_t checked = 0;
  for (const char* dir : {"runtime", "misc"}) {
    if (!fs::exists(kJco / dir)) continue;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(kJco / dir)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& p : files) {
      auto bytes = read_bytes(p);
      if (!component::is_component_binary(bytes)) continue;  // the core modules
      SCOPED_TRACE(p.string());
      auto vc = component::load_component(bytes);
      ASSERT_TRUE(vc.has_value()) << vc.error().message;
      auto w = world_from_component(**vc);
      ASSERT_TRUE(w.has_value()) << w.error().message;
      EXPECT_TRUE(w->unsupported.empty());
      std::string text = print_component_world(*w);

      Resolve again;
      auto pkg = push_source(again, "printed.wit", text);
      ASSERT_TRUE(pkg.has_value()) << pkg.error().message << "\n" << text;
      auto world = again.find_world("root:component/root");
      ASSERT_TRUE(world.has_value());

      const component::ComponentType& ct = (*vc)->types->component((*vc)->info.type);
      const World& pw = again.worlds[*world];
      auto names = [&](const std::vector<WorldItem>& items) {
        std::vector<std::string> out;
        for (const WorldItem& i : items) {
          if (i.kind == WorldItem::Kind::Type) continue;
          out.push_back(again.item_name(i));
        }
        return out;
      };
      auto component_names = [](const std::vector<component::NamedEntity>& items, bool skip_types) {
        std::vector<std::string> out;
        for (const auto& i : items) {
          if (skip_types && i.type.sort == component::ExternSort::Type) continue;
          out.push_back(i.name.name);
        }
        return out;
      };
      EXPECT_EQ(names(pw.imports), component_names(ct.imports, true));
      EXPECT_EQ(names(pw.exports), component_names(ct.exports, false));
      ++checked;
    }
  }
  EXPECT_GE(checked, 40u);
}

// Imports and exports that WIT has no syntax for are listed, not dropped silently.
TEST(FromComponent, UnsupportedItemsAreListed) {
  const fs::path spec = fs::path(KUMO_SHARED_DIR) / "spectest";
  auto world_of = [&](const fs::path& p) -> std::optional<ComponentWorld> {
    if (!fs::exists(p)) {
      ADD_FAILURE() << "missing " << p;
      return std::nullopt;
    }
    auto vc = load(p);
    if (!vc) return std::nullopt;
    auto w = world_from_component(*vc);
    EXPECT_TRUE(w.has_value());
    if (!w) return std::nullopt;
    return std::move(*w);
  };
  auto modules = world_of(spec / "component-model-wasmtime/modules/modules.0.wasm");
  ASSERT_TRUE(modules.has_value());
  ASSERT_EQ(modules->unsupported.size(), 1u);
  EXPECT_EQ(modules->unsupported[0], "export `a-module`: core module");

  auto urls = world_of(spec / "component-model/import/import.56.wasm");
  ASSERT_TRUE(urls.has_value());
  ASSERT_FALSE(urls->unsupported.empty());
  EXPECT_NE(urls->unsupported[0].find("`url=<>`: a dependency name"), std::string::npos) << urls->unsupported[0];
  // What is left is still valid WIT.
  Resolve r;
  auto pkg = push_source(r, "printed.wit", print_component_world(*urls));
  EXPECT_TRUE(pkg.has_value()) << pkg.error().message;
}

// Every valid component of the spec tests converts (WIT may not express all of it, but the
// conversion itself never fails).
TEST(FromComponent, EverySpecTestComponentConverts) {
  const fs::path spec = fs::path(KUMO_SHARED_DIR) / "spectest";
  if (!fs::exists(spec)) GTEST_SKIP() << "no spec tests at " << spec;
  size_t valid = 0, printed = 0;
  for (const auto& dir : fs::directory_iterator(spec)) {
    if (dir.path().filename().string().rfind("component-model", 0) != 0) continue;
    for (const auto& e : fs::recursive_directory_iterator(dir.path())) {
      if (e.path().extension() != ".wasm") continue;
      auto bytes = read_bytes(e.path());
      if (!component::is_component_binary(bytes)) continue;
      auto vc = component::load_component(bytes);
      if (!vc) continue;
      ++valid;
      auto w = world_from_component(**vc);
      ASSERT_TRUE(w.has_value()) << e.path() << ": " << w.error().message;
      if (!print_component_world(*w).empty()) ++printed;
    }
  }
  EXPECT_GT(valid, 300u);
  EXPECT_EQ(printed, valid);
}

TEST(FromComponent, RejectsSomethingOtherThanAComponentType) {
  component::TypeArena arena;
  component::FuncType f;
  component::TypeId ft = arena.add(std::move(f), component::TypeInfo{});
  auto w = world_from_component_type(arena, ft);
  ASSERT_FALSE(w.has_value());
  EXPECT_EQ(w.error().message, "not a component type");
  EXPECT_FALSE(world_from_component_type(arena, component::TypeId{}).has_value());
}

}  // namespace
}  // namespace kumo::wit
