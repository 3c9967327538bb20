// Resolution errors: each names the problem and points at file:line:column.
#include "wit_test_util.hpp"

namespace kumo::wit {
namespace {

std::string error(const std::string& text) { return testing::first_line(testing::resolve_err(text)); }

// For long messages: compares only the start of the error.
void expect_prefix(const std::string& text, const std::string& prefix) {
  std::string e = error(text);
  EXPECT_EQ(e.substr(0, prefix.size()), prefix) << e;
}

TEST(WitResolveErrors, UnknownNames) {
  EXPECT_EQ(error("package a:b;\ninterface i {\n  type t = nope;\n}\n"), "test.wit:3:12: type `nope` is not defined");
  EXPECT_EQ(error("package a:b;\ninterface i {\n  use missing.{x};\n}\n"),
            "test.wit:3:7: interface `missing` does not exist in package `a:b`");
  EXPECT_EQ(error("package a:b;\ninterface j { type y = u8; f: func(); }\ninterface i { use j.{x}; }\n"),
            "test.wit:3:22: type `x` is not defined in interface `a:b/j`");
  EXPECT_EQ(error("package a:b;\ninterface j { type y = u8; f: func(); }\ninterface i { use j.{f}; }\n"),
            "test.wit:3:22: type `f` is not defined in interface `a:b/j` (it is a function; only types can be `use`d)");
  EXPECT_EQ(error("package a:b;\nworld w {}\ninterface i { use w.{x}; }\n"), "test.wit:3:19: `w` is a world, not an interface");
  EXPECT_EQ(error("package a:b;\ninterface i {}\nworld w { include i; }\n"), "test.wit:3:19: `i` is an interface, not a world");
  EXPECT_EQ(error("package a:b;\nworld w { import nope; }\n"), "test.wit:2:18: interface `nope` does not exist in package `a:b`");
  EXPECT_EQ(error("package a:b;\nworld w { include nope; }\n"), "test.wit:2:19: world `nope` does not exist in package `a:b`");
  EXPECT_EQ(error("package a:b;\ninterface i { f: func(); g: func(x: f); }\n"),
            "test.wit:2:37: type `f` is not defined (it is a function, not a type)");
}

TEST(WitResolveErrors, PackagesAndVersions) {
  EXPECT_EQ(error("package a:b;\ninterface i { use wasi:io/streams@0.2.0.{x}; }\n"),
            "test.wit:2:19: package `wasi:io@0.2.0` not found (is it missing from deps/?)");
  EXPECT_EQ(error("package a:b;\ninterface i { use wasi:io/streams@0.2.0.{x}; }\n"
                  "package wasi:io@0.2.8 { interface streams { type x = u8; } }\n"),
            "test.wit:2:19: package `wasi:io@0.2.0` not found: version mismatch, available: `wasi:io@0.2.8`");
  EXPECT_EQ(error("package a:b;\nworld w { import wasi:io/streams; }\n"
                  "package wasi:io@0.2.8 { interface streams {} }\n"),
            "test.wit:2:18: package `wasi:io` not found: version mismatch, available: `wasi:io@0.2.8`");
  EXPECT_EQ(error("package a:b;\nworld w { import c:d/nope; }\npackage c:d { interface i {} }\n"),
            "test.wit:2:18: interface `nope` does not exist in package `c:d`");
  EXPECT_EQ(error("package a:b;\npackage c:d {}\npackage c:d {}\n"),
            "test.wit:3:9: package `c:d` is defined more than once (also at test.wit:2:9)");
  EXPECT_EQ(error("interface i {}\n"), "test.wit:1:1: no `package ns:name;` declaration: one file of a package must name it");
  EXPECT_EQ(error("package a:b;\nuse c:d/i as x;\ninterface x {}\npackage c:d { interface i {} }\n"),
            "test.wit:2:14: `x` conflicts with an interface or world of the same name in this file; rename it with `as`");

  Resolve r;
  auto res = push_files(r, {SourceFile{"one.wit", "package a:b@1.0.0;\n"}, SourceFile{"two.wit", "\npackage a:b@1.0.1;\n"}});
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(testing::first_line(res.error().message),
            "two.wit:2:9: package `a:b@1.0.1` does not match package `a:b@1.0.0` declared at one.wit:1:9 (all files of a "
            "package must agree)");
}

TEST(WitResolveErrors, Cycles) {
  EXPECT_EQ(error("package a:b;\ninterface i {\n  type a = b;\n  type b = a;\n}\n"),
            "test.wit:4:12: type `a` depends on itself: type `a` -> type `b` -> type `a`");
  EXPECT_EQ(error("package a:b;\ninterface i { type foo = foo; }\n"),
            "test.wit:2:26: type `foo` depends on itself: type `foo` -> type `foo`");
  EXPECT_EQ(error("package a:b;\ninterface i {\n  record bar1 { a: bar2 }\n  record bar2 { a: list<bar1> }\n}\n"),
            "test.wit:4:25: type `bar1` depends on itself: type `bar1` -> type `bar2` -> type `bar1`");
  EXPECT_EQ(error("package a:b;\ninterface x { use y.{t}; type u = u8; }\ninterface y { use x.{u}; type t = u8; }\n"),
            "test.wit:3:19: interface `x` depends on itself: interface `x` -> interface `y` -> interface `x`");
  EXPECT_EQ(error("package a:b;\nworld w1 { include w2; }\nworld w2 { include w1; }\n"),
            "test.wit:3:20: world `w1` depends on itself: world `w1` -> world `w2` -> world `w1`");
  EXPECT_EQ(error("package a:b;\npackage x:y { interface i { use z:w/j.{t}; type u = u8; } }\n"
                  "package z:w { interface j { use x:y/i.{u}; type t = u8; } }\n"),
            "test.wit:3:33: package `x:y` depends on itself: package `x:y` -> package `z:w` -> package `x:y`");
}

TEST(WitResolveErrors, Duplicates) {
  EXPECT_EQ(error("package a:b;\ninterface i {\n  type t = u8;\n  record T { a: u8 }\n}\n"),
            "test.wit:4:10: type `T` is defined more than once (names are compared case-insensitively; previous "
            "definition at test.wit:3:8)");
  expect_prefix("package a:b;\ninterface i { type f = u8; f: func(); }\n",
                "test.wit:2:28: name `f` is defined more than once (");
  expect_prefix("package a:b;\ninterface i { use j.{t}; type t = u8; }\ninterface j { type t = u8; }\n",
            "test.wit:2:31: type `t` is defined more than once (");
  expect_prefix("package a:b;\ninterface i { record r { a: u8, a: u8 } }\n",
            "test.wit:2:33: field `a` is defined more than once (");
  expect_prefix("package a:b;\ninterface i { variant v { a, b(u8), A } }\n",
            "test.wit:2:37: case `A` is defined more than once (");
  expect_prefix("package a:b;\ninterface i { f: func(x: u8, x: u8); }\n",
            "test.wit:2:30: parameter `x` is defined more than once (");
  expect_prefix("package a:b;\ninterface i { resource r { f: func(self: u8); } }\n",
            "test.wit:2:36: parameter `self` is defined more than once (");
  expect_prefix("package a:b;\ninterface i { resource r { f: func(); f: static func(); } }\n",
            "test.wit:2:39: function `f` is defined more than once (");
  expect_prefix("package a:b;\ninterface x {}\nworld x {}\n",
            "test.wit:3:7: interface or world `x` is defined more than once (");
  expect_prefix("package a:b;\nworld w { import f: func(); import f: func(); }\n",
            "test.wit:2:36: import `f` is defined more than once (");
  expect_prefix("package a:b;\nworld w { type t = u8; import t: func(); }\n",
            "test.wit:2:31: import `t` is defined more than once (");
  EXPECT_EQ(error("package a:b;\ninterface i {}\nworld w { import i; import i; }\n"),
            "test.wit:3:28: interface `a:b/i` is imported more than once");
  // The same name may be both imported and exported.
  Resolve r;
  testing::resolve_ok(r, "package a:b;\ninterface i {}\nworld w { import f: func(); export f: func(); import i; export i; }\n");
}

TEST(WitResolveErrors, Includes) {
  EXPECT_EQ(error("package a:b;\nworld one { import a: func(); }\nworld two { import a: func(); }\n"
                  "world u { include one; include two; }\n"),
            "test.wit:4:24: import `a` of world `a:b/two` conflicts with an existing import of the same name; rename it "
            "with `with { a as ... }`");
  EXPECT_EQ(error("package a:b;\ninterface store {}\nworld base-a { import cache: store; }\nworld base-b { import cache: store; }\n"
                  "world conflict { include base-a; include base-b; }\n")
                .substr(0, 40),
            "test.wit:5:34: import `cache` of world `");
  EXPECT_EQ(error("package a:b;\ninterface a {}\nworld uses-a { import a; }\nworld bad { include uses-a with { a as b } }\n"),
            "test.wit:4:35: world `a:b/uses-a` has no import or export named `a` (only plain names can be renamed with `with`)");
}

TEST(WitResolveErrors, HandlesAndConstructors) {
  EXPECT_EQ(error("package a:b;\ninterface i { resource r; f: func() -> option<borrow<r>>; }\n"),
            "test.wit:2:40: a function cannot return a borrowed handle (`borrow<...>` is only allowed in parameters)");
  EXPECT_EQ(error("package a:b;\ninterface i { resource r; record w { x: borrow<r> } f: func() -> w; }\n"),
            "test.wit:2:66: a function cannot return a borrowed handle (`borrow<...>` is only allowed in parameters)");
  EXPECT_EQ(error("package a:b;\ninterface i { type t = u8; f: func(x: borrow<t>); }\n"),
            "test.wit:2:46: `t` is not a resource type, so it cannot be used in `borrow<...>`");
  EXPECT_EQ(error("package a:b;\ninterface i { resource r { constructor() -> u32; } }\n"),
            "test.wit:2:45: a constructor must return `r` (implicitly) or `result<r, E>`");
  EXPECT_EQ(error("package a:b;\ninterface i { resource r { constructor(); constructor(x: u8); } }\n"),
            "test.wit:2:43: resource `r` has more than one constructor");
  Resolve r;
  testing::resolve_ok(r, "package a:b;\ninterface i { resource r { constructor() -> result<r, string>; } "
                         "f: func(x: option<borrow<r>>) -> r; }\n");
}

TEST(WitResolveErrors, GateRules) {
  EXPECT_EQ(error("package a:b@0.1.0;\ninterface foo {\n  @since(version = 0.2.0)\n  type t = u32;\n}\n"),
            "test.wit:3:3: feature gate refers to version 0.2.0 of package `a:b@0.1.0`, which is later than the package's "
            "version 0.1.0");
  const std::string excluded = "package a:b;\n@unstable(feature = off)\ninterface a {\n  type a = u32;\n}\n";
  EXPECT_EQ(error(excluded), "test.wit:4:8: this item is not gated, but the item containing it is excluded by feature "
                             "`off`; gate it with `@unstable(feature = off)` too");
  EXPECT_EQ(error("package a:b;\ninterface a {\n  @unstable(feature = off)\n  resource r {\n    constructor();\n  }\n}\n"),
            "test.wit:5:5: this item is not gated, but the item containing it is excluded by feature `off`; gate it with "
            "`@unstable(feature = off)` too");
  Resolve r;
  ResolveOptions on;
  on.features = {"off"};
  testing::resolve_ok(r, excluded, on);
}

TEST(WitResolveErrors, ExportSeeingTwoCopiesOfAnInterface) {
  const std::string base = "package foo:foo;\ninterface i1 { type t = u32; }\ninterface i2 { use i1.{t}; }\n"
                           "interface i3 { use i2.{t}; }\n";
  EXPECT_EQ(error(base + "world test {\n  export i1;\n  export i3;\n}\n"),
            "test.wit:7:10: export `foo:foo/i3` depends on `foo:foo/i2`, which is imported but itself depends on "
            "`foo:foo/i1`, which is exported; export `foo:foo/i2` as well or stop exporting `foo:foo/i1`");
  EXPECT_EQ(error(base + "world test {\n  export i1;\n  export anon: interface { use i2.{t}; }\n}\n").substr(0, 49),
            "test.wit:7:10: export `anon` depends on `foo:foo/");
  Resolve r;
  testing::resolve_ok(r, base + "world ok1 { export i1; export i2; export i3; }\nworld ok2 { import i1; export i3; }\n");
}

TEST(WitResolveErrors, PackageLevelMistakes) {
  EXPECT_EQ(error("package a:b;\nuse c:d/w;\npackage c:d { world w {} }\n"), "test.wit:2:5: `w` is a world, not an interface");
  Resolve r;
  auto res = push_files(r, {SourceFile{"a.wit", "/// A.\npackage a:b;\n"}, SourceFile{"b.wit", "/// B.\npackage a:b;\n"}});
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(testing::first_line(res.error().message),
            "b.wit:2:9: the package is documented in more than one file; keep one `///` block before one `package` "
            "declaration");
}

TEST(WitResolveErrors, ErrorsInDependencyFilesNameThatFile) {
  Resolve r;
  std::vector<std::vector<SourceFile>> groups = {
      {SourceFile{"wit/app.wit", "package my:app;\nworld w { import dep:lib/api; }\n"}},
      {SourceFile{"wit/deps/lib/api.wit", "package dep:lib;\n\ninterface api {\n  f: func() -> missing;\n}\n"}}};
  auto res = push_groups(r, std::move(groups));
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().message,
            "wit/deps/lib/api.wit:4:16: type `missing` is not defined\n"
            " 4 |   f: func() -> missing;\n"
            "   |                ^^^^^^^");
}

}  // namespace
}  // namespace kumo::wit
