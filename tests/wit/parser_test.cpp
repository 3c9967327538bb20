// Parser tests: the syntax tree for every construct, and syntax errors with positions.
#include <gtest/gtest.h>

#include "wit/parser.hpp"

namespace kumo::wit {
namespace {

using namespace ast;

File parse(const std::string& text) {
  SourceMap src;
  uint32_t f = src.add("p.wit", text);
  auto file = parse_file(src, f);
  EXPECT_TRUE(file.has_value()) << file.error().message;
  return file ? std::move(*file) : File{};
}

std::string parse_error(const std::string& text) {
  SourceMap src;
  uint32_t f = src.add("p.wit", text);
  auto file = parse_file(src, f);
  EXPECT_FALSE(file.has_value()) << text;
  return file ? std::string() : file.error().message.substr(0, file.error().message.find('\n'));
}

template <typename T, typename V>
const T& get(const V& v) {
  EXPECT_TRUE(std::holds_alternative<T>(v));
  return std::get<T>(v);
}

TEST(WitParser, PackageHeaderAndNestedPackages) {
  File f = parse(
      "/// The demo package.\n"
      "package local:demo@1.2.3-pre.1+b;\n"
      "interface a {}\n"
      "package other:dep@0.1.0 { interface b {} world w {} }\n"
      "package other:second { }\n");
  ASSERT_TRUE(f.package.has_value());
  EXPECT_EQ(f.package->ns.name, "local");
  EXPECT_EQ(f.package->name.name, "demo");
  EXPECT_EQ(f.package->version->to_string(), "1.2.3-pre.1+b");
  EXPECT_EQ(f.package_docs, "The demo package.");
  ASSERT_EQ(f.decls.items.size(), 1u);
  ASSERT_EQ(f.nested.size(), 2u);
  EXPECT_EQ(f.nested[0].name.name.name, "dep");
  EXPECT_EQ(f.nested[0].decls.items.size(), 2u);
  EXPECT_FALSE(f.nested[1].name.version.has_value());
}

TEST(WitParser, InterfaceItems) {
  File f = parse(R"(
    interface types {
      use wasi:io/streams@0.2.0.{input-stream, output-stream as out};
      use local.{a};
      type size = u32;
      record point { x: s32, /// y doc
        y: s32, }
      variant filter { all, none, some(list<string>) }
      enum color { red, green }
      flags perms { read, write, }
      resource blob {
        constructor(init: list<u8>);
        write: func(bytes: list<u8>);
        merge: static func(lhs: borrow<blob>, rhs: borrow<blob>) -> blob;
        read: async func(n: u32) -> list<u8>;
      }
      resource plain;
      %type: func(%record: u8) -> result<_, string>;
      get: async func();
    })");
  const Interface& i = get<Interface>(f.decls.items[0]);
  EXPECT_EQ(i.name.name, "types");
  ASSERT_EQ(i.items.size(), 11u);
  const Use& u = get<Use>(i.items[0]);
  ASSERT_TRUE(u.path.package.has_value());
  EXPECT_EQ(u.path.package->ns.name, "wasi");
  EXPECT_EQ(u.path.package->version->to_string(), "0.2.0");
  EXPECT_EQ(u.path.name.name, "streams");
  ASSERT_EQ(u.names.size(), 2u);
  EXPECT_EQ(u.names[1].as->name, "out");
  EXPECT_FALSE(get<Use>(i.items[1]).path.package.has_value());
  const TypeDef& size = get<TypeDef>(i.items[2]);
  EXPECT_EQ(size.kind, TypeDef::Kind::Alias);
  EXPECT_EQ(size.alias.kind, TypeExprKind::U32);
  const TypeDef& point = get<TypeDef>(i.items[3]);
  ASSERT_EQ(point.fields.size(), 2u);
  EXPECT_EQ(point.fields[1].docs, "y doc");
  const TypeDef& filter = get<TypeDef>(i.items[4]);
  ASSERT_EQ(filter.cases.size(), 3u);
  EXPECT_EQ(filter.cases[2].type->kind, TypeExprKind::List);
  EXPECT_EQ(filter.cases[2].type->args[0].kind, TypeExprKind::String);
  EXPECT_EQ(get<TypeDef>(i.items[6]).cases.size(), 2u);
  const TypeDef& blob = get<TypeDef>(i.items[7]);
  ASSERT_EQ(blob.funcs.size(), 4u);
  EXPECT_EQ(blob.funcs[0].kind, ResourceFunc::Kind::Constructor);
  EXPECT_EQ(blob.funcs[2].kind, ResourceFunc::Kind::Static);
  EXPECT_EQ(blob.funcs[2].type.params[0].type.kind, TypeExprKind::Borrow);
  EXPECT_TRUE(blob.funcs[3].type.async);
  EXPECT_TRUE(get<TypeDef>(i.items[8]).funcs.empty());
  const Func& ty = get<Func>(i.items[9]);
  EXPECT_EQ(ty.name.name, "type");
  EXPECT_EQ(ty.type.params[0].name.name, "record");
  EXPECT_FALSE(ty.type.result->has_ok);
  EXPECT_TRUE(ty.type.result->has_err);
  EXPECT_TRUE(get<Func>(i.items[10]).type.async);
}

TEST(WitParser, TypeExpressions) {
  File f = parse(
      "interface t { type a = tuple<u8, tuple<string, char>,>; type b = result; type c = result<u8>;"
      " type d = option<borrow<r>>; type e = list<u8, 4>; type f = map<string, list<u8>>;"
      " type g = future; type h = stream<u8>; type i = own<r>; type j = future<result<_, e>>; }");
  const auto& items = get<Interface>(f.decls.items[0]).items;
  auto alias = [&](size_t k) { return get<TypeDef>(items[k]).alias; };
  EXPECT_EQ(alias(0).args.size(), 2u);
  EXPECT_EQ(alias(0).args[1].args[1].kind, TypeExprKind::Char);
  EXPECT_FALSE(alias(1).has_ok || alias(1).has_err);
  EXPECT_TRUE(alias(2).has_ok && !alias(2).has_err);
  EXPECT_EQ(alias(3).args[0].kind, TypeExprKind::Borrow);
  EXPECT_EQ(alias(3).args[0].name.name, "r");
  EXPECT_EQ(alias(4).fixed_size, 4u);
  EXPECT_EQ(alias(5).kind, TypeExprKind::Map);
  EXPECT_TRUE(alias(6).args.empty());
  EXPECT_EQ(alias(7).args[0].kind, TypeExprKind::U8);
  EXPECT_EQ(alias(8).kind, TypeExprKind::Own);
  EXPECT_EQ(alias(9).args[0].kind, TypeExprKind::Result);
}

TEST(WitParser, Gates) {
  File f = parse(
      "@since(version = 0.2.0)\n"
      "interface i {\n"
      "  @unstable(feature = fancy-foo)\n"
      "  @deprecated(version = 0.3.0-rc.1)\n"
      "  d: func();\n"
      "  @external-id(\"DB.Bar\") @since(version = 1.0.0, feature = old-style)\n"
      "  e: func();\n"
      "}\n");
  const Interface& i = get<Interface>(f.decls.items[0]);
  EXPECT_EQ(i.attrs.gate.kind, Gate::Kind::Since);
  EXPECT_EQ(i.attrs.gate.since.to_string(), "0.2.0");
  const Func& d = get<Func>(i.items[0]);
  EXPECT_EQ(d.attrs.gate.kind, Gate::Kind::Unstable);
  EXPECT_EQ(d.attrs.gate.feature.name, "fancy-foo");
  EXPECT_EQ(d.attrs.gate.deprecated->to_string(), "0.3.0-rc.1");
  const Func& e = get<Func>(i.items[1]);
  EXPECT_EQ(*e.attrs.external_id, "DB.Bar");
  EXPECT_EQ(e.attrs.gate.kind, Gate::Kind::Since);
}

TEST(WitParser, WorldItems) {
  File f = parse(R"(world w {
      import wasi:io/streams@0.2.0;
      import local-iface;
      export run: func() -> result;
      import host: interface { log: func(msg: string); }
      import cache: wasi:keyvalue/store@0.2.0-draft;
      import other: local-iface;
      use types.{t};
      type u = list<t>;
      include wasi:cli/imports@0.2.0 with { environment as env, exit as quit }
      include base;
      @external-id("//One") import one: func();
    })");
  const World& w = get<World>(f.decls.items[0]);
  ASSERT_EQ(w.items.size(), 11u);
  const Extern& e0 = get<Extern>(w.items[0]);
  EXPECT_EQ(e0.kind, Extern::Kind::Path);
  EXPECT_EQ(e0.path.package->name.name, "io");
  EXPECT_EQ(get<Extern>(w.items[1]).kind, Extern::Kind::Path);
  const Extern& run = get<Extern>(w.items[2]);
  EXPECT_TRUE(run.is_export);
  EXPECT_EQ(run.kind, Extern::Kind::Func);
  EXPECT_EQ(run.name.name, "run");
  const Extern& host = get<Extern>(w.items[3]);
  EXPECT_EQ(host.kind, Extern::Kind::Interface);
  EXPECT_EQ(host.iface.items.size(), 1u);
  const Extern& cache = get<Extern>(w.items[4]);
  EXPECT_EQ(cache.kind, Extern::Kind::NamedPath);
  EXPECT_EQ(cache.name.name, "cache");
  EXPECT_EQ(cache.path.package->name.name, "keyvalue");
  EXPECT_EQ(cache.path.name.name, "store");
  const Extern& other = get<Extern>(w.items[5]);
  EXPECT_EQ(other.kind, Extern::Kind::NamedPath);
  EXPECT_FALSE(other.path.package.has_value());
  const Include& inc = get<Include>(w.items[8]);
  ASSERT_EQ(inc.with.size(), 2u);
  EXPECT_EQ(inc.with[1].as.name, "quit");
  EXPECT_EQ(*get<Extern>(w.items[10]).attrs.external_id, "//One");
}

TEST(WitParser, TopLevelUse) {
  File f = parse("package a:b;\nuse wasi:http/types@1.0.0 as http-types;\nuse wasi:http/handler@1.0.0;\nuse local;\n");
  const TopUse& u = get<TopUse>(f.decls.items[0]);
  EXPECT_EQ(u.as->name, "http-types");
  EXPECT_EQ(u.path.package->version->to_string(), "1.0.0");
  EXPECT_FALSE(get<TopUse>(f.decls.items[1]).as.has_value());
  EXPECT_FALSE(get<TopUse>(f.decls.items[2]).path.package.has_value());
}

TEST(WitParser, PackagePathAmbiguity) {
  // `a:b` without spaces is a package path, so a world cannot import a package.
  EXPECT_EQ(parse_error("world w { import a:b; }"),
            "p.wit:1:21: expected `/` and an interface or world name after package `a:b`, found `;`");
  File f = parse("world w { import a: b; }");
  EXPECT_EQ(get<Extern>(get<World>(f.decls.items[0]).items[0]).kind, Extern::Kind::NamedPath);
}

TEST(WitParser, SyntaxErrors) {
  EXPECT_EQ(parse_error("interface x {\n  f: func(a u32);\n}"), "p.wit:2:13: expected `:`, found keyword `u32`");
  EXPECT_EQ(parse_error("interface x { enum e { a(u8) } }"), "p.wit:1:25: enum cases cannot have payloads");
  EXPECT_EQ(parse_error("interface x { type t = list<u8, 0>; }"),
            "p.wit:1:33: expected a list length (a positive integer), found number `0`");
  EXPECT_EQ(parse_error("interface x { type t = map<f32, u8>; }"),
            "p.wit:1:28: map keys must be an integer, `char`, `bool` or `string` type");
  EXPECT_EQ(parse_error("interface x { f: func() -> (a: u32); }"),
            "p.wit:1:28: named or multiple results are not supported; return a tuple or record");
  EXPECT_EQ(parse_error("interface x { record: func(); }"),
            "p.wit:1:15: expected a function name, found keyword `record` (write `%record` to use a keyword as a name)");
  EXPECT_EQ(parse_error("interface x { type t = result<_>; }"),
            "p.wit:1:32: expected `,` and an error type after `_`, found `>`");
  EXPECT_EQ(parse_error("interface x {}\npackage a:b;"),
            "p.wit:2:1: the `package` declaration must come before any other item in the file");
  EXPECT_EQ(parse_error("package A:b;"), "p.wit:1:9: `A` is not a valid package namespace: use lowercase kebab-case words");
  EXPECT_EQ(parse_error("package a:b:c;"),
            "p.wit:1:12: nested namespaces and packages (`a:b:c`, `a:b/c` in package names) are not supported");
  EXPECT_EQ(parse_error("package a:b@1.0;"), "p.wit:1:13: `1.0` is not a valid semantic version");
  EXPECT_EQ(parse_error("package a:b { package c:d {} }"), "p.wit:1:15: package blocks cannot be nested");
  EXPECT_EQ(parse_error("world w { foo; }"),
            "p.wit:1:11: expected `import`, `export`, `use`, `include`, a type definition or `}`, found identifier `foo`");
  EXPECT_EQ(parse_error("interface x {"), "p.wit:1:14: expected `use`, a type definition, a function or `}`, found end of file");
}

TEST(WitParser, EmptyBodiesAreAccepted) {
  // The grammar wants at least one item, but wasm-tools accepts these (encoding rejects them).
  File f = parse("interface x { record r {} flags f {} type t = tuple<>; use y.{}; }");
  const auto& items = get<Interface>(f.decls.items[0]).items;
  ASSERT_EQ(items.size(), 4u);
  EXPECT_TRUE(get<TypeDef>(items[0]).fields.empty());
  EXPECT_TRUE(get<TypeDef>(items[2]).alias.args.empty());
  EXPECT_TRUE(get<Use>(items[3]).names.empty());
  // A case-less enum or variant has no values at all.
  EXPECT_EQ(parse_error("interface x { enum e {} }"), "p.wit:1:20: enum `e` must have at least one case");
  EXPECT_EQ(parse_error("interface x { variant v {} }"), "p.wit:1:23: variant `v` must have at least one case");
}

TEST(WitParser, TypeNestingIsBounded) {
  std::string deep = "interface x { type t = ";
  for (int i = 0; i < 100; ++i) deep += "list<";
  deep += "u8";
  for (int i = 0; i < 100; ++i) deep += ">";
  EXPECT_EQ(parse_error(deep + "; }"), "p.wit:1:524: types are nested too deeply");
  std::string ok = "interface x { type t = ";
  for (int i = 0; i < 99; ++i) ok += "option<";
  ok += "u8";
  for (int i = 0; i < 99; ++i) ok += ">";
  parse(ok + "; }");
}

TEST(WitParser, GateErrors) {
  EXPECT_EQ(parse_error("@since(version = 1.0.0) @unstable(feature = x) interface i {}"),
            "p.wit:1:25: an item cannot be both `@since` and `@unstable`");
  EXPECT_EQ(parse_error("@deprecated(version = 1.0.0) interface i {}"),
            "p.wit:1:1: `@deprecated` must be paired with `@since` or `@unstable`");
  EXPECT_EQ(parse_error("@since(version = 1.0.0) @since(version = 1.0.0) interface i {}"),
            "p.wit:1:25: duplicate `@since` gate");
  EXPECT_EQ(parse_error("@stable(version = 1.0.0) interface i {}"),
            "p.wit:1:2: unknown attribute `@stable` (expected `@since`, `@unstable`, `@deprecated` or `@external-id`)");
  EXPECT_EQ(parse_error("@since(feature = x) interface i {}"), "p.wit:1:8: expected `version`, found identifier `feature`");
  EXPECT_EQ(parse_error("package a:b;\n@since(version = 1.0.0)\npackage c:d {}"),
            "p.wit:3:1: `package` cannot be gated or annotated");
}

}  // namespace
}  // namespace kumo::wit
