// Component validation on hand-written binaries: index spaces and types of the result, canon
// lift/lower checks (with valid core code, which the spec tests' invalid modules do not always
// have), resources, names and attributes, instantiation.
#include <gtest/gtest.h>

#include "builder.hpp"
#include "component/validator.hpp"
#include "test_files.hpp"

using namespace kumo::component;
using namespace kumo::component::test;

namespace {

// A core module exporting memory "m" and functions
//   "f" (param i32 i32), "realloc" (param i32 i32 i32 i32) (result i32), "pr" (param i32),
//   "g" (result i32).
Bytes libc_module() {
  Bytes types = vec({Bytes{0x60, 0x02, 0x7f, 0x7f, 0x00}, Bytes{0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7f},
                     Bytes{0x60, 0x01, 0x7f, 0x00}, Bytes{0x60, 0x00, 0x01, 0x7f}});
  Bytes funcs = vec({{0x00}, {0x01}, {0x02}, {0x03}});
  Bytes mems = vec({{0x00, 0x01}});
  Bytes exports = vec({cat({str("m"), Bytes{0x02, 0x00}}), cat({str("f"), Bytes{0x00, 0x00}}),
                       cat({str("realloc"), Bytes{0x00, 0x01}}), cat({str("pr"), Bytes{0x00, 0x02}}),
                       cat({str("g"), Bytes{0x00, 0x03}})});
  Bytes empty_body{0x02, 0x00, 0x0b};
  Bytes const0_body{0x04, 0x00, 0x41, 0x00, 0x0b};
  Bytes code = vec({empty_body, const0_body, empty_body, const0_body});
  return core_module({section(1, types), section(3, funcs), section(5, mems), section(7, exports), section(10, code)});
}

// Sections that instantiate libc_module and alias its exports: core funcs 0 "f", 1 "realloc",
// 2 "pr", 3 "g", and core memory 0.
Bytes libc_sections() {
  Bytes alias_func = Bytes{0x00, 0x00, 0x01, 0x00};  // (alias core export 0 ... (core func))
  return cat({
      section(kCoreModule, libc_module()),
      section(kCoreInstance, vec({cat({{0x00}, u32(0), vec({})})})),
      section(kAlias, vec({cat({alias_func, str("f")}), cat({alias_func, str("realloc")}),
                           cat({alias_func, str("pr")}), cat({alias_func, str("g")}),
                           cat({Bytes{0x00, 0x02, 0x01, 0x00}, str("m")})})),
  });
}

Bytes with_libc(std::initializer_list<Bytes> more) {
  Bytes b = component({libc_sections()});
  for (const auto& s : more) append(b, s);
  return b;
}

kumo::Expected<std::shared_ptr<const ValidatedComponent>> load(const Bytes& b, const Features& f = {}) {
  return load_component(b, f);
}

std::string error_of(const Bytes& b, const Features& f = {}) {
  auto r = load(b, f);
  return r ? "<valid>" : r.error().message;
}

#define EXPECT_ERROR(bytes, text) \
  EXPECT_NE(error_of(bytes).find(text), std::string::npos) << error_of(bytes)

Bytes lift(uint32_t core_func, std::initializer_list<Bytes> opts, uint32_t type) {
  return cat({Bytes{0x00, 0x00}, u32(core_func), vec(opts), u32(type)});
}
const Bytes kMemory0{0x03, 0x00};
const Bytes kRealloc1{0x04, 0x01};

}  // namespace

TEST(ComponentValidator, LiftBuildsIndexSpacesAndComponentType) {
  Bytes ft = func_type({param("s", kString)}, nullptr);
  Bytes b = with_libc({
      section(kType, vec({ft})),
      section(kCanon, vec({lift(0, {kMemory0, kRealloc1}, 0)})),
      section(kExport, vec({cat({name("run"), Bytes{0x01, 0x00, 0x00}})})),
  });
  auto v = load(b);
  ASSERT_TRUE(v) << v.error().message;
  const ComponentInfo& info = (*v)->info;
  EXPECT_EQ(info.core_modules.size(), 1u);
  EXPECT_EQ(info.core_instances.size(), 1u);
  EXPECT_EQ(info.core_funcs.size(), 4u);
  EXPECT_EQ(info.core_memories.size(), 1u);
  ASSERT_EQ(info.funcs.size(), 2u);  // the lifted function and the export's new index
  const TypeArena& types = *(*v)->types;
  EXPECT_EQ(to_string(types, info.funcs[0]), "(func (param \"s\" string))");
  const ComponentType& ct = types.component(info.type);
  ASSERT_EQ(ct.exports.size(), 1u);
  EXPECT_EQ(ct.exports[0].name.name, "run");
  EXPECT_EQ(ct.exports[0].type.sort, ExternSort::Func);
  EXPECT_TRUE(ct.imports.empty());
}

TEST(ComponentValidator, LiftOptions) {
  Bytes str_param = func_type({param("s", kString)}, nullptr);
  Bytes u32_result_bytes{kU32};
  Bytes u32_result = func_type({}, &u32_result_bytes);
  auto comp = [&](const Bytes& ft, const Bytes& canon) {
    return with_libc({section(kType, vec({ft})), section(kCanon, vec({canon}))});
  };
  EXPECT_ERROR(comp(str_param, lift(0, {}, 0)), "canonical option `memory` is required");
  EXPECT_ERROR(comp(str_param, lift(0, {kMemory0}, 0)), "canonical option `realloc` is required");
  EXPECT_ERROR(comp(str_param, lift(0, {kMemory0, kRealloc1, kRealloc1}, 0)),
               "canonical option `realloc` is specified more than once");
  EXPECT_ERROR(comp(str_param, lift(0, {kRealloc1}, 0)), "`realloc` requires `memory`");
  EXPECT_ERROR(comp(str_param, lift(0, {kMemory0, Bytes{0x04, 0x00}}, 0)),
               "`realloc` uses a core function with an incorrect signature");
  EXPECT_ERROR(comp(str_param, lift(0, {{0x00}, {0x01}, kMemory0, kRealloc1}, 0)),
               "canonical encoding option `utf8` conflicts with option `utf16`");
  // post-return takes the core results: (param i32) for a u32 result.
  EXPECT_EQ(error_of(comp(u32_result, lift(3, {Bytes{0x05, 0x02}}, 0))), "<valid>");
  EXPECT_ERROR(comp(u32_result, lift(3, {Bytes{0x05, 0x00}}, 0)),
               "`post-return` uses a core function with an incorrect signature");
  EXPECT_ERROR(comp(u32_result, lift(0, {}, 0)),
               "lowered parameter types `[]` do not match parameter types `[I32, I32]`");
  EXPECT_ERROR(comp(func_type({}, nullptr), lift(3, {}, 0)),
               "lowered result types `[]` do not match result types `[I32]`");
  EXPECT_ERROR(comp(u32_result, lift(3, {Bytes{0x06}}, 0)), "requires the component model async feature");
}

TEST(ComponentValidator, LowerSignatureAndOptions) {
  Bytes string_result{kString};
  Bytes ft = func_type({}, &string_result);
  auto comp = [&](std::initializer_list<Bytes> opts) {
    return component({libc_sections(), section(kType, vec({ft})),
                      section(kImport, vec({cat({name("get"), Bytes{0x01, 0x00}})})),
                      section(kCanon, vec({cat({Bytes{0x01, 0x00}, u32(0), vec(opts)})}))});
  };
  auto v = load(comp({kMemory0, kRealloc1}));
  ASSERT_TRUE(v) << v.error().message;
  // The string result does not fit in one flat result: it is written through a pointer argument.
  const auto& core_funcs = (*v)->info.core_funcs;
  ASSERT_EQ(core_funcs.size(), 5u);
  EXPECT_EQ(core_funcs[4], (kumo::wasm::FuncType{{kumo::wasm::ValType::I32}, {}}));
  EXPECT_ERROR(comp({kMemory0}), "canonical option `realloc` is required");
  EXPECT_ERROR(comp({kMemory0, kRealloc1, Bytes{0x05, 0x02}}),
               "`post-return` cannot be specified for lowerings");
}

TEST(ComponentValidator, ResourcesAndBuiltins) {
  Bytes resource{0x3f, 0x7f, 0x00};  // (resource (rep i32))
  Bytes b = with_libc({
      section(kType, vec({resource})),
      section(kCanon, vec({Bytes{0x02, 0x00}, Bytes{0x03, 0x00}, Bytes{0x04, 0x00}})),
  });
  auto v = load(b);
  ASSERT_TRUE(v) << v.error().message;
  const ComponentInfo& info = (*v)->info;
  ASSERT_EQ(info.resources.size(), 1u);
  EXPECT_EQ(info.resources[0].rep, kumo::wasm::ValType::I32);
  ASSERT_EQ(info.core_funcs.size(), 7u);
  using VT = kumo::wasm::ValType;
  EXPECT_EQ(info.core_funcs[4], (kumo::wasm::FuncType{{VT::I32}, {VT::I32}}));  // resource.new
  EXPECT_EQ(info.core_funcs[5], (kumo::wasm::FuncType{{VT::I32}, {}}));         // resource.drop
  EXPECT_EQ(info.core_funcs[6], (kumo::wasm::FuncType{{VT::I32}, {VT::I32}}));  // resource.rep

  // A destructor must be (func (param i32)).
  EXPECT_EQ(error_of(with_libc({section(kType, vec({Bytes{0x3f, 0x7f, 0x01, 0x02}}))})), "<valid>");
  EXPECT_ERROR(with_libc({section(kType, vec({Bytes{0x3f, 0x7f, 0x01, 0x00}}))}), "wrong signature for a destructor");
  EXPECT_ERROR(with_libc({section(kType, vec({Bytes{0x3f, 0x7e, 0x00}}))}), "can only be represented by `i32`");

  // resource.new/rep need a resource defined here; own/borrow need a resource type.
  Bytes imported = component({section(kImport, vec({cat({name("r"), Bytes{0x03, 0x01}})})),
                              section(kCanon, vec({Bytes{0x02, 0x00}}))});
  EXPECT_ERROR(imported, "type index 0 is not a local resource");
  EXPECT_ERROR(component({section(kType, vec({Bytes{kU32}, Bytes{0x69, 0x00}}))}), "type index 0 is not a resource type");
  // borrow may not appear in results.
  Bytes borrow_result{0x01};
  EXPECT_ERROR(component({section(kType, vec({resource, Bytes{0x68, 0x00}, func_type({}, &borrow_result)}))}),
               "function result cannot contain a `borrow` type");
  EXPECT_ERROR(component({section(kType, vec({Bytes{0x42, 0x01, 0x01, 0x3f, 0x7f, 0x00}}))}),
               "resources can only be defined within a concrete component");
}

TEST(ComponentValidator, ExternalVisibilityOfTypes) {
  // A function whose type uses a record must be exported after the record has a name.
  Bytes record = cat({{0x72}, vec({cat({str("x"), Bytes{kU32}})})});
  Bytes rec_result{0x00};
  Bytes ft = func_type({}, &rec_result);
  Bytes lift_f = lift(3, {}, 1);
  auto comp = [&](std::initializer_list<Bytes> exports) {
    return with_libc({section(kType, vec({record, ft})), section(kCanon, vec({lift_f})),
                      section(kExport, vec(exports))});
  };
  // Records flatten to their fields: a (record (field "x" u32)) result is one i32, like core func 3.
  Bytes export_f = cat({name("f"), Bytes{0x01, 0x00, 0x00}});
  EXPECT_ERROR(comp({export_f}), "func not valid to be used as export");
  // Export the record first (new type index 2), then export the func ascribed with a type using it.
  Bytes export_r = cat({name("r"), Bytes{0x03, 0x00, 0x00}});
  Bytes named_result{0x02};
  Bytes f_with_named = func_type({}, &named_result);
  Bytes b = with_libc({section(kType, vec({record, ft})), section(kCanon, vec({lift_f})),
                       section(kExport, vec({export_r})), section(kType, vec({f_with_named})),
                       section(kExport, vec({cat({name("f"), Bytes{0x01, 0x00, 0x01, 0x01}, u32(3)})}))});
  EXPECT_EQ(error_of(b), "<valid>");
}

TEST(ComponentValidator, NamesAndAttributes) {
  Bytes inst_type{0x42, 0x00};
  auto implements = [](const char* label, const char* iface) {
    return cat({{0x02}, str(label), vec({cat({{0x00}, str(iface)})})});
  };
  Bytes b = component({
      section(kType, vec({inst_type})),
      section(kImport, vec({cat({implements("primary", "wasi:keyvalue/store@0.2.0-draft"), Bytes{0x05, 0x00}}),
                            cat({implements("secondary", "wasi:keyvalue/store@0.2.0-draft"), Bytes{0x05, 0x00}})})),
  });
  auto v = load(b);
  ASSERT_TRUE(v) << v.error().message;
  const ComponentType& ct = (*v)->types->component((*v)->info.type);
  ASSERT_EQ(ct.imports.size(), 2u);
  EXPECT_EQ(ct.imports[1].name.name, "secondary");
  EXPECT_EQ(ct.imports[1].name.implements.value_or(""), "wasi:keyvalue/store@0.2.0-draft");

  Features no_implements;
  no_implements.implements = false;
  EXPECT_NE(error_of(b, no_implements).find("`cm-implements` feature is not active"), std::string::npos);

  Bytes func_t = func_type({}, nullptr);
  EXPECT_ERROR(component({section(kType, vec({func_t})),
                          section(kImport, vec({cat({implements("a", "a:b/c"), Bytes{0x01, 0x00}})}))}),
               "only instances can have an `implements`");
  EXPECT_ERROR(component({section(kType, vec({inst_type})),
                          section(kImport, vec({cat({implements("a:b/c", "a:b/c"), Bytes{0x05, 0x00}})}))}),
               "is not valid with `implements`");
  EXPECT_ERROR(component({section(kType, vec({inst_type})),
                          section(kImport, vec({cat({implements("a", "not-an-interface"), Bytes{0x05, 0x00}})}))}),
               "must be an interface");
  // Names are kebab case and strongly unique.
  EXPECT_ERROR(component({section(kType, vec({func_t})), section(kImport, vec({cat({name("NotKebab"), Bytes{0x01, 0x00}})}))}),
               "`NotKebab` is not in kebab case");
  EXPECT_ERROR(component({section(kType, vec({func_t})),
                          section(kImport, vec({cat({name("a-b"), Bytes{0x01, 0x00}}), cat({name("A-B"), Bytes{0x01, 0x00}})}))}),
               "import name `A-B` conflicts with previous name `a-b`");
  // [method] needs a resource of that name and a `self` borrow.
  EXPECT_ERROR(component({section(kType, vec({func_t})), section(kImport, vec({cat({name("[method]r.f"), Bytes{0x01, 0x00}})}))}),
               "function should have at least one argument");
}

TEST(ComponentValidator, ResourceMethodsNamedAfterTheirResource) {
  // (import "r" (type (sub resource))) (type (borrow 0)) (type (func (param "self" 1)))
  // (import "[method]r.size" (func (type 2)))
  Bytes ok = component({
      section(kImport, vec({cat({name("r"), Bytes{0x03, 0x01}})})),
      section(kType, vec({Bytes{0x68, 0x00}, func_type({cat({str("self"), Bytes{0x01}})}, nullptr)})),
      section(kImport, vec({cat({name("[method]r.size"), Bytes{0x01, 0x02}})})),
  });
  EXPECT_EQ(error_of(ok), "<valid>");
  Bytes wrong = component({
      section(kImport, vec({cat({name("r"), Bytes{0x03, 0x01}})})),
      section(kType, vec({Bytes{0x68, 0x00}, func_type({cat({str("self"), Bytes{0x01}})}, nullptr)})),
      section(kImport, vec({cat({name("[method]s.size"), Bytes{0x01, 0x02}})})),
  });
  EXPECT_ERROR(wrong, "function does not match expected resource name `r`");
}

TEST(ComponentValidator, InstantiationChecksArguments) {
  // (component $c (import "f" (func (param "x" u32)))) instantiated with a func of another type.
  Bytes inner = component({section(kType, vec({func_type({param("x", kU32)}, nullptr)})),
                           section(kImport, vec({cat({name("f"), Bytes{0x01, 0x00}})}))});
  auto outer = [&](uint8_t param_type) {
    return component({section(kComponent, inner), section(kType, vec({func_type({param("x", param_type)}, nullptr)})),
                      section(kImport, vec({cat({name("g"), Bytes{0x01, 0x00}})})),
                      section(kInstance, vec({cat({{0x00}, u32(0), vec({cat({str("f"), Bytes{0x01}, u32(0)})})})}))});
  };
  auto v = load(outer(kU32));
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ((*v)->info.nested.size(), 1u);
  EXPECT_EQ((*v)->info.instances.size(), 1u);
  EXPECT_ERROR(outer(kString), "type mismatch for import `f`: type mismatch in function parameter `x`");
  // A missing argument.
  EXPECT_ERROR(component({section(kComponent, inner), section(kInstance, vec({cat({{0x00}, u32(0), vec({})})}))}),
               "missing import named `f`");
}

TEST(ComponentValidator, TypeImportsAreSubstitutedOnInstantiation) {
  // Explainer.md: a component importing a resource type and a function using it, instantiated
  // with a locally defined resource and a function of the substituted type.
  Bytes c1 = component({
      section(kImport, vec({cat({name("t"), Bytes{0x03, 0x01}})})),
      section(kType, vec({Bytes{0x69, 0x00}, func_type({cat({str("x"), Bytes{0x01}})}, nullptr)})),
      section(kImport, vec({cat({name("f"), Bytes{0x01, 0x02}})})),
  });
  auto outer = [&](uint32_t resource) {
    Bytes resource_type{0x3f, 0x7f, 0x00};
    return with_libc({
        section(kComponent, c1),
        // 0, 1: two resources; 2: (own 0); 3: (func (param "x" (own 0)))
        section(kType, vec({resource_type, resource_type, Bytes{0x69, 0x00},
                            func_type({cat({str("x"), Bytes{0x02}})}, nullptr)})),
        section(kCanon, vec({lift(2, {}, 3)})),  // core func 2 is (param i32)
        section(kInstance, vec({cat({{0x00}, u32(0),
                                     vec({cat({str("t"), Bytes{0x03}, u32(resource)}),
                                          cat({str("f"), Bytes{0x01}, u32(0)})})})})),
    });
  };
  EXPECT_EQ(error_of(outer(0)), "<valid>");
  EXPECT_ERROR(outer(1), "type mismatch for import `f`");
  EXPECT_ERROR(outer(1), "resource types are not the same");
}

TEST(ComponentValidator, CoreModuleTypesAndInstantiation) {
  // (core type (module (import "a" "b" (func)) (export "c" (func))))
  Bytes module_type = cat({{0x50}, vec({Bytes{0x01, 0x60, 0x00, 0x00}, cat({{0x00}, str("a"), str("b"), Bytes{0x00, 0x00}}),
                                        cat({{0x03}, str("c"), Bytes{0x00, 0x00}})})});
  auto v = load(component({section(kCoreType, vec({module_type})),
                           section(kImport, vec({cat({name("m"), Bytes{0x00, 0x11, 0x00}})}))}));
  ASSERT_TRUE(v) << v.error().message;
  const ComponentType& ct = (*v)->types->component((*v)->info.type);
  ASSERT_EQ(ct.imports.size(), 1u);
  const ModuleType& mt = (*v)->types->module(ct.imports[0].type.type);
  ASSERT_EQ(mt.imports.size(), 1u);
  EXPECT_EQ(mt.imports[0].module, "a");
  ASSERT_EQ(mt.exports.size(), 1u);

  // Instantiating it without the "a" argument.
  EXPECT_ERROR(component({section(kCoreType, vec({module_type})),
                          section(kImport, vec({cat({name("m"), Bytes{0x00, 0x11, 0x00}})})),
                          section(kCoreInstance, vec({cat({{0x00}, u32(0), vec({})})}))}),
               "missing module instantiation argument named `a`");
  // Duplicate imports in a module type.
  Bytes dup = cat({{0x50}, vec({Bytes{0x01, 0x60, 0x00, 0x00}, cat({{0x00}, str(""), str("a"), Bytes{0x00, 0x00}}),
                                cat({{0x00}, str(""), str("a"), Bytes{0x00, 0x00}})})});
  EXPECT_ERROR(component({section(kCoreType, vec({dup}))}), "duplicate import name `:a`");
}

TEST(ComponentValidator, MaxValueSize) {
  EXPECT_EQ(error_of(component({section(kType, vec({cat({Bytes{0x67, kU8}, u32((1u << 28) - 1)})}))})), "<valid>");
  EXPECT_ERROR(component({section(kType, vec({cat({Bytes{0x67, kU8}, u32(1u << 28)})}))}), "exceeds maximum byte size");
}

TEST(ComponentValidator, JcoFixtureTypesPrint) {
  // Sanity check of to_string on a validated fixture: every export has a printable type.
  std::string path = std::string(KUMO_SHARED_DIR) + "/components/jco/runtime/records.component.wasm";
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  Bytes bytes = read_bytes(path);
  auto v = load(bytes);
  ASSERT_TRUE(v) << v.error().message;
  const ComponentType& ct = (*v)->types->component((*v)->info.type);
  ASSERT_FALSE(ct.exports.empty());
  for (const auto& e : ct.exports) {
    std::string s = to_string(*(*v)->types, e.type.type);
    EXPECT_EQ(s.find("<invalid"), std::string::npos) << e.name.name;
  }
}
