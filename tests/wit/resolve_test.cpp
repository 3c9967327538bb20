// Resolution semantics: `use` aliases, handles, resource functions, world elaboration, includes,
// named interface imports, feature gates, top-level `use`, world selection.
#include "wit_test_util.hpp"

namespace kumo::wit {
namespace {

using testing::resolve_err;
using testing::resolve_ok;

const Interface& iface(const Resolve& r, PackageId p, const char* name) {
  return r.interfaces[*r.packages[p].interfaces.find(name)];
}
const World& world(const Resolve& r, PackageId p, const char* name) { return r.worlds[*r.packages[p].worlds.find(name)]; }
TypeId type_id(const Interface& i, const char* name) { return *i.types.find(name); }

std::vector<std::string> names(const Resolve& r, const std::vector<WorldItem>& items) {
  std::vector<std::string> out;
  for (const WorldItem& i : items) out.push_back(r.item_name(i));
  return out;
}

TEST(WitResolve, UseAliasesHandlesAndResources) {
  Resolve r;
  PackageId p = resolve_ok(r, R"(package local:demo@1.0.0;
interface types {
  resource file {
    constructor(path: string);
    read: func(n: u32) -> list<u8>;
    open: static func(p: string) -> result<file, errno>;
  }
  enum errno { noent, perm }
  type size = u32;
  type file2 = file;
  record stat { size: size, f: own<file>, data: list<u8> }
}
interface api {
  use types.{file, errno as err, stat};
  open: func(path: string) -> result<file, err>;
  peek: func(f: borrow<file>) -> stat;
}
)");
  const Interface& types = iface(r, p, "types");
  const Interface& api = iface(r, p, "api");
  TypeId file = type_id(types, "file");
  EXPECT_TRUE(r.types[file].as<Resource>());
  EXPECT_EQ(r.interface_name(*r.packages[p].interfaces.find("api")), "local:demo/api@1.0.0");

  // Resource functions carry component-level names and the implicit self parameter / result.
  ASSERT_NE(types.functions.find("[constructor]file"), nullptr);
  const Function& ctor = *types.functions.find("[constructor]file");
  EXPECT_EQ(ctor.kind, FunctionKind::Constructor);
  EXPECT_EQ(ctor.item_name(), "file");
  const Handle* own = r.types[ctor.result->id].as<Handle>();
  ASSERT_NE(own, nullptr);
  EXPECT_EQ(own->kind, Handle::Kind::Own);
  EXPECT_EQ(own->resource, file);
  const Function& read = *types.functions.find("[method]file.read");
  EXPECT_EQ(read.item_name(), "read");
  ASSERT_EQ(read.params.size(), 2u);
  EXPECT_EQ(read.params[0].name, "self");
  EXPECT_EQ(r.types[read.params[0].type.id].as<Handle>()->kind, Handle::Kind::Borrow);
  EXPECT_EQ(types.functions.find("[static]file.open")->kind, FunctionKind::Static);

  // `type file2 = file;` names the resource itself.
  TypeId file2 = type_id(types, "file2");
  EXPECT_EQ(r.types[file2].as<Alias>()->target, Type::of(file));
  EXPECT_TRUE(r.is_resource(file2));
  EXPECT_EQ(r.unalias(file2), file);

  // `use` creates aliases owned by the using interface; handles point at the alias.
  TypeId api_file = type_id(api, "file");
  EXPECT_NE(api_file, file);
  EXPECT_EQ(r.types[api_file].owner.kind, TypeOwner::Kind::Interface);
  EXPECT_EQ(r.unalias(api_file), file);
  EXPECT_EQ(r.types[type_id(api, "err")].as<Alias>()->target, Type::of(type_id(types, "errno")));
  const Function& open = *api.functions.find("open");
  const ResultType* res = r.types[open.result->id].as<ResultType>();
  ASSERT_NE(res, nullptr);
  EXPECT_EQ(r.types[res->ok->id].as<Handle>()->resource, api_file);
  EXPECT_EQ(*res->err, Type::of(type_id(api, "err")));
  EXPECT_EQ(r.interface_deps(*r.packages[p].interfaces.find("api")),
            std::vector<InterfaceId>{*r.packages[p].interfaces.find("types")});

  // Anonymous types are interned: both list<u8> are one type.
  const Record* stat = r.types[type_id(types, "stat")].as<Record>();
  EXPECT_EQ(stat->fields[2].type, *read.result);
  EXPECT_EQ(print_type(r, *open.result), "result<file, err>");
  EXPECT_EQ(print_type(r, api.functions.find("peek")->params[0].type), "borrow<file>");
}

TEST(WitResolve, WorldElaboration) {
  Resolve r;
  PackageId p = resolve_ok(r, R"(package local:demo;
interface shared { record metadata { a: u32 } }
interface a { resource r; }
interface b { use a.{r}; foo: func() -> r; }
interface c { use b.{r}; }
world w1 { export b; }
world w2 {
  import host: interface { use shared.{metadata}; get: func() -> metadata; }
  export run: func();
}
world w3 { use shared.{metadata}; import get-meta: func() -> metadata; }
world w4 { export c; export b; import c; }
)");
  const World& w1 = world(r, p, "w1");
  EXPECT_EQ(names(r, w1.imports), (std::vector<std::string>{"local:demo/a"}));
  EXPECT_EQ(names(r, w1.exports), (std::vector<std::string>{"local:demo/b"}));

  const World& w2 = world(r, p, "w2");
  EXPECT_EQ(names(r, w2.imports), (std::vector<std::string>{"local:demo/shared", "host"}));
  EXPECT_FALSE(r.interfaces[w2.imports[1].iface].name.has_value());
  EXPECT_EQ(r.implements(w2.imports[1]), "");  // inline interfaces implement nothing named
  EXPECT_EQ(w2.exports[0].kind, WorldItem::Kind::Function);

  const World& w3 = world(r, p, "w3");
  EXPECT_EQ(names(r, w3.imports), (std::vector<std::string>{"local:demo/shared", "metadata", "get-meta"}));
  EXPECT_EQ(w3.imports[1].kind, WorldItem::Kind::Type);
  EXPECT_EQ(r.types[w3.imports[1].type].owner.kind, TypeOwner::Kind::World);

  // Exported interfaces may depend on other exports, which then come first.
  const World& w4 = world(r, p, "w4");
  EXPECT_EQ(names(r, w4.imports), (std::vector<std::string>{"local:demo/a", "local:demo/b", "local:demo/c"}));
  EXPECT_EQ(names(r, w4.exports), (std::vector<std::string>{"local:demo/b", "local:demo/c"}));
}

TEST(WitResolve, IncludesMergeAndRename) {
  Resolve r;
  PackageId p = resolve_ok(r, R"(package local:demo;
interface x {}
interface y {}
interface store { get: func(key: string) -> option<string>; }
world one { import a: func(); import x; }
world two { import a: func(); import x; export y; }
world u { include one; include two with { a as b } }
world base { import cache: store; }
world extended { import cache: func(); include base with { cache as my-cache } }
)");
  const World& u = world(r, p, "u");
  // Imports are ordered interfaces, then types, then functions (as wasm-tools does).
  EXPECT_EQ(names(r, u.imports), (std::vector<std::string>{"local:demo/x", "a", "b"}));
  EXPECT_EQ(names(r, u.exports), (std::vector<std::string>{"local:demo/y"}));
  const World& ext = world(r, p, "extended");
  EXPECT_EQ(names(r, ext.imports), (std::vector<std::string>{"my-cache", "cache"}));
  EXPECT_EQ(r.implements(ext.imports[0]), "local:demo/store");
}

TEST(WitResolve, WorldLevelResourcesAndIncludeCopies) {
  Resolve r;
  PackageId p = resolve_ok(r, R"(package foo:foo;
world a {
  resource r {
    constructor();
    m: func();
    sm: static func();
  }
  import f: func(x: r) -> option<r>;
  export g: func(x: borrow<r>);
}
world b { include a with { r as s } }
)");
  const World& a = world(r, p, "a");
  EXPECT_EQ(names(r, a.imports), (std::vector<std::string>{"r", "f", "[constructor]r", "[method]r.m", "[static]r.sm"}));
  EXPECT_EQ(a.imports[3].func.kind, FunctionKind::Method);
  // Including copies the world's types into the including world, renamed as `with` says.
  const World& b = world(r, p, "b");
  EXPECT_EQ(names(r, b.imports), (std::vector<std::string>{"s", "f", "[constructor]s", "[method]s.m", "[static]s.sm"}));
  TypeId s = b.imports[0].type;
  EXPECT_NE(s, a.imports[0].type);
  EXPECT_EQ(r.types[s].owner, (TypeOwner{TypeOwner::Kind::World, *r.packages[p].worlds.find("b")}));
  EXPECT_EQ(r.types[b.imports[3].func.params[0].type.id].as<Handle>()->resource, s);
  EXPECT_EQ(print_type(r, *b.imports[1].func.result), "option<s>");
  EXPECT_EQ(print_type(r, b.exports[0].func.params[0].type), "borrow<s>");
  testing::expect_round_trip(r, p);
}

TEST(WitResolve, NamedInterfaceImports) {
  Resolve r;
  PackageId p = resolve_ok(r, R"(package local:demo;
interface types { resource bucket { get: func(key: string) -> option<string>; } }
interface store { use types.{bucket}; open: func(name: string) -> bucket; }
interface handler { handle: func(); }
world w {
  @external-id("//One")
  import one: store;
  import two: store;
  export my-handler: handler;
}
)");
  const World& w = world(r, p, "w");
  EXPECT_EQ(names(r, w.imports), (std::vector<std::string>{"local:demo/types", "one", "two"}));
  EXPECT_EQ(r.implements(w.imports[1]), "local:demo/store");
  EXPECT_EQ(w.imports[1].iface, w.imports[2].iface);
  EXPECT_EQ(*w.imports[1].external_id, "//One");
  const WorldItem* h = r.find_item(*r.packages[p].worlds.find("w"), true, "my-handler");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(r.implements(*h), "local:demo/handler");
  EXPECT_EQ(r.find_item(*r.packages[p].worlds.find("w"), false, "my-handler"), nullptr);
}

constexpr const char* kGated = R"(package local:gated@0.2.0;
@since(version = 0.2.0)
interface i {
  @since(version = 0.2.0)
  f: func();
  @unstable(feature = fancy)
  g: func();
  @since(version = 0.2.0)
  @deprecated(version = 0.2.1)
  h: func();
  @unstable(feature = fancy)
  type t = u8;
}
@unstable(feature = fancy)
interface j {}
world w { import i; @unstable(feature = fancy) import j; }
)";

TEST(WitResolve, FeatureGatesDropUnstableItemsByDefault) {
  Resolve r;
  PackageId p = resolve_ok(r, kGated);
  const Interface& i = iface(r, p, "i");
  EXPECT_EQ(i.stability.kind, Stability::Kind::Stable);
  EXPECT_EQ(i.stability.since.to_string(), "0.2.0");
  EXPECT_TRUE(i.functions.contains("f"));
  EXPECT_FALSE(i.functions.contains("g"));
  EXPECT_FALSE(i.types.contains("t"));
  EXPECT_EQ(i.functions.find("h")->stability.deprecated->to_string(), "0.2.1");
  EXPECT_FALSE(r.packages[p].interfaces.contains("j"));
  EXPECT_EQ(world(r, p, "w").imports.size(), 1u);
}

TEST(WitResolve, FeatureGatesEnabled) {
  for (bool all : {false, true}) {
    Resolve r;
    ResolveOptions opts;
    if (all) {
      opts.all_features = true;
    } else {
      opts.features = {"fancy"};
    }
    PackageId p = resolve_ok(r, kGated, opts);
    const Interface& i = iface(r, p, "i");
    ASSERT_TRUE(i.functions.contains("g"));
    EXPECT_EQ(i.functions.find("g")->stability.kind, Stability::Kind::Unstable);
    EXPECT_EQ(i.functions.find("g")->stability.feature, "fancy");
    EXPECT_EQ(world(r, p, "w").imports.size(), 2u);
  }
}

TEST(WitResolve, GatedItemReferencedFromEnabledItem) {
  EXPECT_EQ(testing::first_line(resolve_err("package a:b@1.0.0;\ninterface i {\n  @unstable(feature = x)\n  type t = u8;\n"
                                            "  f: func(a: t);\n}\n")),
            "test.wit:5:14: type `t` is not defined (`t` is gated behind feature `x`, which is not enabled)");
}

TEST(WitResolve, TopLevelUseIsFileScoped) {
  Resolve r;
  PackageId p = resolve_ok(r, R"(package local:app;
use local:dep/types@1.0.0 as dep-types;
use local:dep/handler@1.0.0;
interface x { use dep-types.{t}; }
world w { import handler; export handler; }
package local:dep@1.0.0 {
  interface types { type t = u8; }
  interface handler { use types.{t}; f: func(x: t); }
}
)");
  const World& w = world(r, p, "w");
  EXPECT_EQ(names(r, w.imports), (std::vector<std::string>{"local:dep/types@1.0.0", "local:dep/handler@1.0.0"}));
  EXPECT_EQ(names(r, w.exports), (std::vector<std::string>{"local:dep/handler@1.0.0"}));
  const Interface& x = iface(r, p, "x");
  EXPECT_EQ(r.types[r.unalias(type_id(x, "t"))].owner.id, *r.find_interface("local:dep/types@1.0.0"));

  // Another file of the same package does not see the first file's top-level `use`.
  Resolve r2;
  auto res = push_files(r2, {SourceFile{"a.wit", "package local:app;\nuse local:dep/types@1.0.0 as dep-types;\n"
                                                 "package local:dep@1.0.0 { interface types { type t = u8; } }\n"},
                             SourceFile{"b.wit", "interface y {\n  use dep-types.{t};\n}\n"}});
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(testing::first_line(res.error().message), "b.wit:2:7: interface `dep-types` does not exist in package `local:app`");
}

TEST(WitResolve, SelfPackagePathAndMultiFilePackages) {
  Resolve r;
  auto p = push_files(r, {SourceFile{"a.wit", "package local:demo@0.1.0;\nworld w { import local:demo/types@0.1.0; }\n"},
                          SourceFile{"b.wit", "/// Docs from b.\npackage local:demo@0.1.0;\ninterface types { type t = u8; }\n"},
                          SourceFile{"c.wit", "interface more { use local:demo/types@0.1.0.{t}; use types.{t as t2}; }\n"}});
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(r.packages[*p].docs, "Docs from b.");
  EXPECT_EQ(r.packages[*p].interfaces.size(), 2u);
  EXPECT_EQ(r.sources.size(), 3u);
}

TEST(WitResolve, AsyncFunctionsStreamsAndFutures) {
  Resolve r;
  PackageId p = resolve_ok(r, "package a:b;\ninterface i {\n  resource r { m: async func(); s: static async func(); }\n"
                              "  f: async func(s: stream<u8>) -> future<result<_, string>>;\n"
                              "  g: func() -> tuple<stream, future, list<u8, 4>, map<string, u32>>;\n}\n");
  const Interface& i = iface(r, p, "i");
  EXPECT_TRUE(i.functions.find("f")->async);
  EXPECT_TRUE(i.functions.find("[method]r.m")->async);
  EXPECT_TRUE(i.functions.find("[static]r.s")->async);
  EXPECT_FALSE(i.functions.find("g")->async);
  EXPECT_EQ(print_type(r, *i.functions.find("f")->result), "future<result<_, string>>");
  EXPECT_EQ(print_type(r, *i.functions.find("g")->result), "tuple<stream, future, list<u8, 4>, map<string, u32>>");
}

TEST(WitResolve, SelectWorld) {
  Resolve r;
  PackageId p = resolve_ok(r, "package a:b;\nworld one {}\nworld two {}\npackage c:d@1.0.0 { world only {} }\n");
  EXPECT_EQ(r.worlds[*select_world(r, p, "two")].name, "two");
  EXPECT_EQ(r.worlds[*select_world(r, p, "c:d/only@1.0.0")].name, "only");
  EXPECT_EQ(r.worlds[*select_world(r, p, "c:d/only")].name, "only");
  EXPECT_EQ(select_world(r, p, "c:d/only@2.0.0").error().message, "world `c:d/only@2.0.0` not found");
  auto none = select_world(r, p);
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().message, "package `a:b` has several worlds (`one`, `two`); choose one");
  EXPECT_EQ(select_world(r, p, "three").error().message, "package `a:b` has no world `three` (worlds: `one`, `two`)");
  EXPECT_EQ(r.world_name(*r.find_world("c:d/only@1.0.0")), "c:d/only@1.0.0");
  Resolve r2;
  PackageId q = resolve_ok(r2, "package a:b;\nworld one {}\n");
  EXPECT_EQ(r2.worlds[*select_world(r2, q)].name, "one");
}

TEST(WitResolve, LoadedDependenciesAreShared) {
  Resolve r;
  resolve_ok(r, "package wasi:io@0.2.0;\ninterface streams { resource input-stream; }\n");
  size_t before = r.interfaces.size();
  // The second push repeats wasi:io as a nested package: the loaded copy is reused.
  auto p = push_source(r, "app.wit", "package my:app;\nworld w { import wasi:io/streams@0.2.0; }\n"
                                     "package wasi:io@0.2.0 { interface streams { resource input-stream; } }\n");
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(r.packages.size(), 2u);
  EXPECT_EQ(r.interfaces.size(), before);
  EXPECT_EQ(r.worlds[0].imports[0].iface, *r.find_interface("wasi:io/streams@0.2.0"));
}

TEST(WitResolve, FailedPushLeavesResolveUnchanged) {
  Resolve r;
  resolve_ok(r, "package a:b;\ninterface i { type t = u8; }\n");
  std::string before = dump_all(r);
  size_t files = r.sources.size(), types = r.types.size();
  auto bad = push_source(r, "bad.wit", "package c:d;\ninterface j { use a:b/i.{t}; f: func(x: nope); }\n");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(dump_all(r), before);
  EXPECT_EQ(r.sources.size(), files);
  EXPECT_EQ(r.types.size(), types);
  EXPECT_FALSE(r.find_package(PackageName{"c", "d", std::nullopt}).has_value());
}

}  // namespace
}  // namespace kumo::wit
