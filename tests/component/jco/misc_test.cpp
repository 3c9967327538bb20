// The remaining fixtures: versioned interfaces, a core-wasm-only export, the async fixture (not
// runnable yet), and every other fixture at least compiled and instantiated with its imports
// stubbed (each stub traps if called, naming itself).
#include "jco_host.hpp"

namespace kumo::component::jco {
namespace {

// versions: test:dep/test@0.1.0 and @0.2.0 imported and exported side by side (wit-bindgen
// tests/runtime/versions); the two versions must not be confused in either direction.
struct Versions : JcoTest {
  int calls = 0;
  void SetUp() override {
    ASSERT_TRUE(load("versions"));
    auto& v1 = imports("test:dep/test@0.1.0");
    func_wrap(v1, "x", [this] { return calls++, 1.0f; });
    func_wrap(v1, "y", [this](float a) { return calls++, 1.0f + a; });
    auto& v2 = imports("test:dep/test@0.2.0");
    func_wrap(v2, "x", [this] { return calls++, 2.0f; });
    func_wrap(v2, "z", [this](float a, float b) { return calls++, 2.0f + a + b; });
    ASSERT_TRUE(instantiate());
  }
};

TEST_F(Versions, BothVersionsSideBySide) {
  EXPECT_EQ(get<float()>("test:dep/test@0.1.0", "x")(), 1.0f);
  EXPECT_EQ(get<float(float)>("test:dep/test@0.1.0", "y")(1.0f), 2.0f);
  EXPECT_EQ(get<float()>("test:dep/test@0.2.0", "x")(), 2.0f);
  EXPECT_EQ(get<float(float, float)>("test:dep/test@0.2.0", "z")(1.0f, 1.0f), 4.0f);
  get<void()>("", "test-imports")();
  EXPECT_EQ(calls, 4);
}

// asmjs_bigint: one s64 function, no imports.
struct AsmjsBigint : JcoTest {};
TEST_F(AsmjsBigint, AddsS64) {
  ASSERT_TRUE(setup("asmjs_bigint"));
  auto add = get<int64_t(int64_t, int64_t)>("", "add");
  EXPECT_EQ(add(1, 2), 3);
  EXPECT_EQ(add(-5, 3), -2);
  EXPECT_EQ(add(int64_t(1) << 40, int64_t(1) << 40), int64_t(1) << 41);
  EXPECT_EQ(add(INT64_MAX, 0), INT64_MAX);
}

// async_call exports async functions (`canon lift async`, task.return, subtasks): the async ABI
// is not implemented by Kumo yet, so this fixture cannot run. Skipped loudly, never passed.
struct AsyncCall : JcoTest {};
TEST_F(AsyncCall, NeedsTheAsyncAbi) {
  ASSERT_TRUE(std::filesystem::exists(fixture_path("async_call"))) << "missing fixture";
  auto loaded = load("async_call");
  GTEST_SKIP() << "async_call needs the component-model async ABI (canon lift async, "
                  "task.return, waitable sets), which Kumo does not implement yet; compiling it: "
               << (loaded ? "ok" : loaded.message());
}

// Defines every non-WASI import of the component as a stub: host resource types (one per
// ResourceId) and functions that trap naming themselves.
void stub_imports(rt::Linker& linker, const rt::Component& c, std::deque<ResourceType>& resources) {
  const TypeArena& arena = *c.arena();
  std::map<uint32_t, ResourceType*> by_id;
  auto define = [&](LinkerInstance& li, const std::string& where, const NamedEntity& e) {
    if (e.type.sort == ExternSort::Type && arena.kind(e.type.type) == TypeKind::Resource) {
      ResourceType*& rt = by_id[arena.resource(e.type.type).value];
      if (!rt) {
        rt = &resources.emplace_back();
        rt->name = e.name.name;
        rt->host_dtor = [](uint32_t) {};
      }
      li.resource(e.name.name, rt);
    } else if (e.type.sort == ExternSort::Func) {
      std::string what = where + "#" + e.name.name;
      li.func(e.name.name, [what](HostCall&, std::span<const Val>, std::vector<Val>&) -> Trapping<void> {
        return abi_trap("stub import `" + what + "` called");
      });
    }
  };
  for (const NamedEntity& imp : c.type().imports) {
    if (imp.name.name.rfind("wasi:", 0) == 0) continue;
    if (imp.type.sort == ExternSort::Instance) {
      auto& li = linker.instance(imp.name.name);
      for (const NamedEntity& e : arena.instance(imp.type.type).exports) define(li, imp.name.name, e);
    } else {
      define(linker.root(), "", imp);
    }
  }
}

struct Instantiates : JcoTest, ::testing::WithParamInterface<const char*> {
  std::deque<ResourceType> resources;
};
TEST_P(Instantiates, WithStubbedImports) {
  ASSERT_TRUE(load(GetParam()));
  stub_imports(linker_, *component_, resources);
  ASSERT_TRUE(instantiate());
  EXPECT_FALSE(instance_.exports().exports.empty());
}
INSTANTIATE_TEST_SUITE_P(Fixtures, Instantiates,
                         ::testing::Values("adder", "borrowing", "borrowing-duplicate-if-necessary",
                                           "owning", "other-dependencies", "rust_xcrate",
                                           "type_section_suffix", "resource_floats",
                                           "example_guest_export.wasm", "example_guest_import.wasm",
                                           "simple-nested", "simple-nested-optimized"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& ch : n)
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace kumo::component::jco
