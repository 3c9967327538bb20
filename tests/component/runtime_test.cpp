// Component runtime: compiling, linking, instantiating and calling components, with components
// from the spec suites in KUMO_SHARED_DIR (their .wast sources say what each one does).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "component/runtime/linker.hpp"
#include "test_files.hpp"

#ifndef KUMO_SHARED_DIR
#error "KUMO_SHARED_DIR must be defined (CMake does it for test targets)"
#endif

namespace fs = std::filesystem;
using namespace kumo;
using namespace kumo::component;
using namespace kumo::component::rt;

namespace {

fs::path suite_file(const std::string& suite, const std::string& test, int n) {
  return fs::path(KUMO_SHARED_DIR) / "spectest" / suite / test / (test + "." + std::to_string(n) + ".wasm");
}

Item instance_item(const Instance& inst) {
  Item item;
  item.sort = ExternSort::Instance;
  item.instance = inst.exports_ptr();
  return item;
}

class RuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(fs::path(KUMO_SHARED_DIR) / "spectest" / "component-model-wasmtime")) {
      GTEST_SKIP() << "component-model spec tests not found under " << KUMO_SHARED_DIR;
    }
  }

  std::shared_ptr<const rt::Component> load(const std::string& suite, const std::string& test, int n) {
    auto c = rt::Component::from_file(engine, suite_file(suite, test, n).string());
    EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().message);
    return c ? *c : nullptr;
  }
  std::shared_ptr<const rt::Component> wasmtime(const std::string& test, int n) {
    return load("component-model-wasmtime", test, n);
  }

  // Instantiates with `linker`; fails the test on a link error or trap.
  Instance instantiate(const Linker& linker, std::shared_ptr<const rt::Component> c) {
    auto pre = linker.instantiate_pre(c);
    EXPECT_TRUE(pre.has_value()) << (pre ? "" : pre.error().message);
    if (!pre) return {};
    auto inst = (*pre)->instantiate(store);
    EXPECT_TRUE(inst.has_value()) << (inst ? "" : inst.error().to_string());
    return inst ? *inst : Instance{};
  }

  std::string link_error(const Linker& linker, std::shared_ptr<const rt::Component> c) {
    auto pre = linker.instantiate_pre(std::move(c));
    return pre ? "" : pre.error().message;
  }

  ResourceType* store_resource(std::string name) { return store.new_resource_type(std::move(name), nullptr, nullptr); }

  wasm::Engine engine;
  rt::Store store{engine};
};

TEST_F(RuntimeTest, CompileRejectsGarbage) {
  std::vector<uint8_t> bytes{0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x7f};
  auto c = rt::Component::compile(engine, bytes);
  ASSERT_FALSE(c.has_value());
  EXPECT_FALSE(c.error().message.empty());
  auto missing = rt::Component::from_file(engine, "/nonexistent/x.wasm");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("/nonexistent/x.wasm"), std::string::npos);
}

TEST_F(RuntimeTest, CompilesEveryCoreModuleOnce) {
  // simple.3: two core modules, never instantiated.
  auto c = wasmtime("simple", 3);
  ASSERT_TRUE(c);
  const auto& def = *c->validated().component;
  ASSERT_EQ(def.core_modules.size(), 2u);
  auto m0 = c->core_module(def, 0);
  ASSERT_TRUE(m0);
  EXPECT_EQ(m0, c->core_module(def, 0));
  EXPECT_NE(m0, c->core_module(def, 1));
  EXPECT_EQ(c->core_module(def, 2), nullptr);
}

TEST_F(RuntimeTest, CallsAnExportWithoutParameters) {
  // simple.6: (func (export "a") (canon lift (core func $m "")))
  Linker linker;
  Instance inst = instantiate(linker, wasmtime("simple", 6));
  auto f = inst.get_func("a");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, Func::Lifted);
  auto r = rt::call(store, *f, {});
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(inst.get_func("missing"), nullptr);
  EXPECT_TRUE(inst.state()->may_enter);
}

TEST_F(RuntimeTest, ResourceIntrinsicsRunInStartFunctions) {
  // resources.0: new/rep/drop in a core start function (traps `unreachable` if a handle or rep
  // is wrong); resources.20: a destructor runs exactly on drop of the resource that has one.
  Linker linker;
  Instance a = instantiate(linker, wasmtime("resources", 0));
  EXPECT_NE(a.state(), nullptr);
  Instance b = instantiate(linker, wasmtime("resources", 20));
  EXPECT_NE(b.state(), nullptr);
  EXPECT_EQ(b.state()->handles.live(), 0u);
}

TEST_F(RuntimeTest, DropOfUnknownHandleTraps) {
  // resources.1: export "r" drops handle 0.
  Linker linker;
  Instance inst = instantiate(linker, wasmtime("resources", 1));
  auto f = inst.get_func("r");
  ASSERT_TRUE(f);
  auto r = rt::call(store, *f, {});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("unknown handle index 0"), std::string::npos) << r.error().message;
  // The instance can be entered again after the trap.
  EXPECT_TRUE(inst.state()->may_enter);
}

TEST_F(RuntimeTest, PostReturnRunsAfterResults) {
  // resources.27: the post-return function traps unless the resource made by "run" exists.
  Linker linker;
  Instance inst = instantiate(linker, wasmtime("resources", 27));
  auto f = inst.get_func("run");
  ASSERT_TRUE(f);
  bool saw_results = false;
  auto r = rt::call(store, *f, {}, nullptr, [&](std::vector<Val>& results) -> Trapping<void> {
    saw_results = results.empty();
    return {};
  });
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_TRUE(saw_results);
  EXPECT_TRUE(inst.state()->may_leave);
}

TEST_F(RuntimeTest, LinkErrorsNameTheImport) {
  Linker linker;
  linker.instance("i");
  // linking.0: (import "undefined-name" (core module))
  EXPECT_NE(link_error(linker, wasmtime("linking", 0)).find("import `undefined-name` was not found"),
            std::string::npos);
  // linking.3: (import "i" (core module)); linking.4: (import "i" (func))
  EXPECT_NE(link_error(linker, wasmtime("linking", 3)).find("expected module found instance"), std::string::npos);
  EXPECT_NE(link_error(linker, wasmtime("linking", 4)).find("expected function found instance"), std::string::npos);
  // linking.5: (import "i" (instance (export "x" (func))))
  EXPECT_NE(link_error(linker, wasmtime("linking", 5)).find("import `i` instance export `x` was not found"),
            std::string::npos);
  // linking.2: (import "i" (instance)) links.
  EXPECT_EQ(link_error(linker, wasmtime("linking", 2)), "");
}

TEST_F(RuntimeTest, HostModulesAreTypeChecked) {
  // modules.4 exports a core module importing env::something; modules.5 imports it declaring no
  // imports. modules.8 exports a module exporting (func "f"): modules.9/10 accept it, modules.11
  // expects f to take an i32, modules.12 a global.
  Linker empty;
  Instance foo = instantiate(empty, wasmtime("modules", 4));
  Linker linker;
  linker.root().item("foo", instance_item(foo));
  EXPECT_NE(link_error(linker, wasmtime("modules", 5)).find("module import `env::something` not defined"),
            std::string::npos);

  Instance foo2 = instantiate(empty, wasmtime("modules", 8));
  Linker linker2;
  linker2.root().item("foo", instance_item(foo2));
  EXPECT_EQ(link_error(linker2, wasmtime("modules", 9)), "");
  EXPECT_EQ(link_error(linker2, wasmtime("modules", 10)), "");
  EXPECT_NE(link_error(linker2, wasmtime("modules", 11)).find("expected type `(func (param i32))`, found type `(func)`"),
            std::string::npos);
  EXPECT_NE(link_error(linker2, wasmtime("modules", 12)).find("expected global found func"), std::string::npos);
}

TEST_F(RuntimeTest, ResourceImportsAreChecked) {
  // resources.4: host instance lacks "missing"; resources.5: "return-three" is a func;
  // resources.8: resource1-again must equal resource2.
  Linker linker;
  ResourceType* r1 = store_resource("r1");
  ResourceType* r2 = store_resource("r2");
  linker.instance("host").resource("resource1", r1).resource("resource2", r2).resource("resource1-again", r1)
      .func("return-three", [](HostCall&, std::span<const Val>, std::vector<Val>&) -> Trapping<void> { return {}; });
  EXPECT_NE(link_error(linker, wasmtime("resources", 4)).find("was not found"), std::string::npos);
  EXPECT_NE(link_error(linker, wasmtime("resources", 5)).find("expected resource found func"), std::string::npos);
  EXPECT_EQ(link_error(linker, wasmtime("resources", 6)), "");
  EXPECT_EQ(link_error(linker, wasmtime("resources", 7)), "");
  EXPECT_NE(link_error(linker, wasmtime("resources", 8)).find("mismatched resource types"), std::string::npos);
}

TEST_F(RuntimeTest, HostFunctionsTakeTheImportersType) {
  // adapter.3: imports "host-return-two" (func (result u32)), lowers it and lifts it back as
  // (func (result s32)) exported as "f".
  Linker linker;
  std::string seen_type;
  linker.root().func("host-return-two", [&](HostCall& call, std::span<const Val> params,
                                            std::vector<Val>& results) -> Trapping<void> {
    seen_type = to_string(call.arena, call.type);
    EXPECT_TRUE(params.empty());
    results.push_back(Val::u32(2));
    return {};
  });
  Instance inst = instantiate(linker, wasmtime("adapter", 3));
  auto f = inst.get_func("f");
  ASSERT_TRUE(f);
  auto r = rt::call(store, *f, {});
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0], Val::s32(2));
  EXPECT_EQ(seen_type, "(func (result u32))");
}

TEST_F(RuntimeTest, ReentranceTraps) {
  // The host import called by adapter.3's "f" calls "f" again: the instance is still entered.
  Linker linker;
  std::shared_ptr<const Func> f;
  std::string inner;
  linker.root().func("host-return-two", [&](HostCall& call, std::span<const Val>,
                                            std::vector<Val>& results) -> Trapping<void> {
    auto again = rt::call(call.store, *f, {});
    if (!again) inner = again.error().message;
    results.push_back(Val::u32(2));
    return {};
  });
  Instance inst = instantiate(linker, wasmtime("adapter", 3));
  f = inst.get_func("f");
  ASSERT_TRUE(f);
  auto r = rt::call(store, *f, {});
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(inner, "cannot enter component instance");

  // adapter.5: a core start function calls a function its own component lifted.
  auto c = wasmtime("adapter", 5);
  auto pre = linker.instantiate_pre(c);
  ASSERT_TRUE(pre.has_value()) << pre.error().message;
  auto trapped = (*pre)->instantiate(store);
  ASSERT_FALSE(trapped.has_value());
  EXPECT_NE(trapped.error().message.find("cannot enter component instance"), std::string::npos)
      << trapped.error().message;
}

TEST_F(RuntimeTest, HostFunctionTrapsUnwindTheCaller) {
  Linker linker;
  linker.root().func("host-return-two", [](HostCall&, std::span<const Val>, std::vector<Val>&) -> Trapping<void> {
    return abi_trap("host says no");
  });
  Instance inst = instantiate(linker, wasmtime("adapter", 3));
  auto r = rt::call(store, *inst.get_func("f"), {});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("host says no"), std::string::npos);
  EXPECT_TRUE(inst.state()->may_enter);
}

TEST_F(RuntimeTest, NestedComponentsKeepTheirState) {
  // link-time-virtualization.0: nested components $RealFs, $Virtualize (instantiated twice, each
  // with its own window) and clients, linked by the outer component.
  Linker linker;
  Instance inst = instantiate(linker, load("component-model-ref", "link-time-virtualization", 0));
  auto call_u32 = [&](const char* name, std::vector<Val> args = {}) -> uint64_t {
    auto f = inst.get_func(name);
    EXPECT_TRUE(f) << name;
    if (!f) return ~0ull;
    auto r = rt::call(store, *f, args);
    EXPECT_TRUE(r.has_value()) << name << ": " << (r ? "" : r.error().to_string());
    if (!r || r->size() != 1) return ~0ull;
    return (*r)[0].u;
  };
  EXPECT_EQ(call_u32("run-a", {Val::u32(42)}), 84u);
  EXPECT_EQ(call_u32("real-read", {Val::u32(266)}), 42u);
  EXPECT_EQ(call_u32("run-b", {Val::u32(7)}), 14u);
  EXPECT_EQ(call_u32("real-read", {Val::u32(522)}), 7u);
  EXPECT_EQ(call_u32("real-read", {Val::u32(10)}), 0u);
  EXPECT_EQ(call_u32("calls-a"), 2u);
  EXPECT_EQ(call_u32("calls-b"), 2u);
}

TEST_F(RuntimeTest, ResourcesCrossComponentsAndRunDestructors) {
  // multiple-resources.0: $D creates, uses and drops resources implemented by $C (with dtors);
  // "run" returns 42 when every step saw what it expected.
  Linker linker;
  Instance inst = instantiate(linker, load("component-model-ref", "multiple-resources", 0));
  auto f = inst.get_func("run");
  ASSERT_TRUE(f);
  auto r = rt::call(store, *f, {});
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0], Val::u32(42));
}

TEST_F(RuntimeTest, HostResourcesAreDroppedByTheirOwner) {
  // A host resource passed into a guest as `own` and returned: the host drops it.
  int drops = 0;
  ResourceType* res = store_resource("thing");
  res->host_dtor = [&](uint32_t rep) { drops += rep == 7 ? 1 : 100; };
  ASSERT_TRUE(drop_resource(store, ResourceRef{res, 7}).has_value());
  EXPECT_EQ(drops, 1);
  EXPECT_FALSE(drop_resource(store, ResourceRef{}).has_value());
}

TEST_F(RuntimeTest, BuiltinsInPostReturn) {
  Features features;
  features.async = true;
  features.async_builtins = true;
  features.threads = true;
  auto path = [](int n) { return suite_file("component-model-ref", "post-return", n).string(); };
  // post-return.1: "f" sets context slot 0 to 42, its post-return saves the slot, "check"
  // returns what was saved.
  auto c1 = rt::Component::from_file(engine, path(1), features);
  ASSERT_TRUE(c1.has_value()) << c1.error().message;
  Linker linker;
  Instance inst = instantiate(linker, *c1);
  auto f = rt::call(store, *inst.get_func("f"), {});
  ASSERT_TRUE(f.has_value()) << f.error().to_string();
  EXPECT_EQ(f->at(0), Val::u32(7));
  auto check = rt::call(store, *inst.get_func("check"), {});
  ASSERT_TRUE(check.has_value()) << check.error().to_string();
  EXPECT_EQ(check->at(0), Val::u32(42));

  // post-return.0: post-return functions calling task.return or an import trap.
  auto c0 = rt::Component::from_file(engine, path(0), features);
  ASSERT_TRUE(c0.has_value()) << c0.error().message;
  Instance tester = instantiate(linker, *c0);
  for (const char* name : {"trap-calling-task-return", "trap-calling-import", "trap-calling-resource-new"}) {
    auto fn = tester.get_func(name);
    ASSERT_TRUE(fn) << name;
    auto r = rt::call(store, *fn, {});
    ASSERT_FALSE(r.has_value()) << name;
    EXPECT_EQ(r.error().message, "cannot leave component instance") << name;
    EXPECT_TRUE(tester.state()->may_leave) << name;
  }
}

TEST_F(RuntimeTest, AsyncLiftAndLowerCompleteSynchronously) {
  // variants.1: $C's "mix-ret" is lifted `async` (no callback) and delivers its (variant f32 u64)
  // result with task.return; $D lowers it `async` with an out pointer, checks the returned status
  // is RETURNED (2) and the stored variant, and returns 45.
  Features features;
  features.async = true;
  features.async_stackful = true;
  auto c = rt::Component::from_file(engine, suite_file("component-model-ref", "variants", 1).string(), features);
  ASSERT_TRUE(c.has_value()) << c.error().message;
  Linker linker;
  Instance inst = instantiate(linker, *c);
  auto f = inst.get_func("ret-f32");
  ASSERT_TRUE(f);
  auto r = rt::call(store, *f, {});
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0], Val::u32(45));
  // Twice: the task state of the first call is gone.
  auto again = rt::call(store, *f, {});
  ASSERT_TRUE(again.has_value()) << again.error().to_string();
  EXPECT_EQ((*again)[0], Val::u32(45));
}

TEST_F(RuntimeTest, GcOptionWorksForEmptySignatures) {
  // empty.0: `canon lift ... gc` and `canon lower ... gc (core-type $ty)` of (func).
  auto path = suite_file("component-model-wasmtime", "empty", 0).string();
  auto rejected = rt::Component::from_file(engine, path);
  ASSERT_FALSE(rejected.has_value());
  EXPECT_NE(rejected.error().message.find("requires the component model gc feature"), std::string::npos)
      << rejected.error().message;
  Features features;
  features.gc = true;
  auto c = rt::Component::from_file(engine, path, features);
  ASSERT_TRUE(c.has_value()) << c.error().message;
  Linker linker;
  Instance inst = instantiate(linker, *c);
  auto f = inst.get_func("f");
  ASSERT_TRUE(f);
  auto r = rt::call(store, *f, {});
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_TRUE(r->empty());
}

TEST_F(RuntimeTest, FuncItemsAreTypeCheckedAcrossComponents) {
  // adapter.3 imports "host-return-two" (func (result u32)) and exports "f" (func (result s32)).
  Linker host;
  host.root().func("host-return-two", [](HostCall&, std::span<const Val>, std::vector<Val>& results) -> Trapping<void> {
    results.push_back(Val::u32(2));
    return {};
  });
  auto c = wasmtime("adapter", 3);
  ASSERT_TRUE(c);
  Instance first = instantiate(host, c);
  auto f = first.get_func("f");
  ASSERT_TRUE(f);

  // Another component's (func (result s32)) where (func (result u32)) is imported.
  Linker linker;
  Item item;
  item.sort = ExternSort::Func;
  item.func = f;
  linker.root().item("host-return-two", item);
  std::string e = link_error(linker, c);
  EXPECT_NE(e.find("import `host-return-two`: function type mismatch: type mismatch with result type: "
                   "expected u32, found s32"),
            std::string::npos)
      << e;

  // A function typed in an unrelated arena with the expected structure links, and runs.
  auto arena = std::make_shared<TypeArena>();
  FuncType ft;
  ft.result = ValType::primitive(PrimValType::U32);
  TypeId id = arena->add(ft, TypeInfo{});
  auto other = std::make_shared<Func>();
  other->kind = Func::Host;
  other->arena = arena;
  other->type = id;
  other->host = [](HostCall&, std::span<const Val>, std::vector<Val>& results) -> Trapping<void> {
    results.push_back(Val::u32(2));
    return {};
  };
  item.func = other;
  Linker linker2;
  linker2.root().item("host-return-two", item);
  EXPECT_EQ(link_error(linker2, c), "");
  Instance second = instantiate(linker2, c);
  auto r = rt::call(store, *second.get_func("f"), {});
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->at(0), Val::s32(2));

  // With a parameter the import does not have.
  FuncType ft2;
  ft2.params.push_back(Param{"x", ValType::primitive(PrimValType::U32)});
  ft2.result = ValType::primitive(PrimValType::U32);
  auto third = std::make_shared<Func>(*other);
  third->type = arena->add(ft2, TypeInfo{});
  item.func = third;
  Linker linker3;
  linker3.root().item("host-return-two", item);
  EXPECT_NE(link_error(linker3, c).find("expected 0 parameters, found 1"), std::string::npos) << link_error(linker3, c);
}

TEST(LinkerInstanceTest, SemverCompatibleNames) {
  LinkerInstance li;
  li.instance("a:b/c@0.2.3");
  li.instance("a:b/c@0.2.1");
  li.instance("a:b/c@0.3.0");
  li.instance("x:y/z@1.4.0");
  li.instance("x:y/z@2.0.0");
  EXPECT_EQ(li.find("a:b/c@0.2.0"), &li.defs().at("a:b/c@0.2.3"));
  EXPECT_EQ(li.find("a:b/c@0.3.1"), &li.defs().at("a:b/c@0.3.0"));
  EXPECT_EQ(li.find("a:b/c@0.4.0"), nullptr);
  EXPECT_EQ(li.find("x:y/z@1.0.0"), &li.defs().at("x:y/z@1.4.0"));
  EXPECT_EQ(li.find("x:y/z@3.0.0"), nullptr);
  EXPECT_EQ(li.find("x:y/z"), nullptr);
  EXPECT_EQ(li.find("x:y/z@2.0.0"), &li.defs().at("x:y/z@2.0.0"));
}

}  // namespace
