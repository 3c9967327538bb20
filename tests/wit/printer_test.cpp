// Printer tests: exact output for a small package, and parse -> print -> parse round trips that
// must give the same model for every construct.
#include "wit_test_util.hpp"

namespace kumo::wit {
namespace {

using testing::expect_round_trip;
using testing::resolve_ok;

TEST(WitPrinter, ExactOutput) {
  Resolve r;
  PackageId p = resolve_ok(r, R"(/// Demo.
package local:demo@1.0.0;
interface types {
  /// A file.
  resource file { constructor(path: string); read: func(n: u32) -> list<u8>; open: static func() -> file; }
  record stat { size: u64, %type: u8 }
  use other.{t as u};
  get: func(f: borrow<file>) -> result<stat, string>;
}
interface other { type t = u8; }
world w { import get-time: func() -> u64; export types; }
)");
  EXPECT_EQ(print_package(r, p), R"(/// Demo.
package local:demo@1.0.0;

interface types {
  /// A file.
  resource file {
    constructor(path: string);
    read: func(n: u32) -> list<u8>;
    open: static func() -> file;
  }

  record stat {
    size: u64,
    %type: u8,
  }

  use other.{t as u};

  get: func(f: borrow<file>) -> result<stat, string>;
}

interface other {
  type t = u8;
}

world w {
  import other;
  import get-time: func() -> u64;
  export types;
}
)");
  EXPECT_EQ(print_world(r, *r.packages[p].worlds.find("w")), R"(world w {
  import other;
  import get-time: func() -> u64;
  export types;
}
)");
  EXPECT_EQ(escape_name("interface"), "%interface");
  EXPECT_EQ(escape_name("foo"), "foo");
}

TEST(WitPrinter, KeywordNamesAreEscapedEverywhere) {
  Resolve r;
  PackageId p = resolve_ok(r, "package test:%async;\ninterface %interface { %type: func(%enum: error-context); }\n"
                              "world %world { import %interface; }\n"
                              "package other:%use { interface %own { use test:%async/%interface.{}; } }\n");
  std::string text = print_package(r, p);
  EXPECT_NE(text.find("package test:%async;"), std::string::npos) << text;
  EXPECT_NE(text.find("%type: func(%enum: error-context);"), std::string::npos) << text;
  EXPECT_NE(text.find("world %world {\n  import %interface;"), std::string::npos) << text;
  EXPECT_EQ(r.interface_name(*r.packages[p].interfaces.find("interface")), "test:async/interface");
  expect_round_trip(r, p);
  expect_round_trip(r, *r.find_package(PackageName{"other", "use", std::nullopt}));
}

TEST(WitPrinter, ForeignReferencesAreQualified) {
  Resolve r;
  PackageId p = resolve_ok(r, "package my:app;\ninterface i { use wasi:io/streams@0.2.0.{input-stream}; }\n"
                              "world w { import wasi:io/streams@0.2.0; }\n"
                              "package wasi:io@0.2.0 { interface streams { resource input-stream; } }\n");
  std::string text = print_package(r, p);
  EXPECT_NE(text.find("use wasi:io/streams@0.2.0.{input-stream};"), std::string::npos) << text;
  EXPECT_EQ(text.find("package wasi:io"), std::string::npos) << text;
  PrintOptions opts;
  opts.nested_deps = true;
  text = print_package(r, p, opts);
  EXPECT_NE(text.find("package wasi:io@0.2.0 {\n  interface streams {\n    resource input-stream;\n  }\n}\n"),
            std::string::npos)
      << text;
}

constexpr const char* kKitchenSink = R"(/// Kitchen sink package.
package kumo:sink@0.3.0-rc.1;

use kumo:base/types@1.0.0 as base-types;

/// Types of every kind.
@since(version = 0.1.0)
interface kinds {
  use base-types.{id, blob as base-blob};
  @since(version = 0.1.0)
  type size = u64;
  type bytes = list<u8>;
  type pair = tuple<string, %type>;
  type %type = char;
  type fixed = list<f32, 4>;
  type dict = map<string, list<u8>>;
  /// A point.
  record point {
    /// X.
    x: s32,
    y: s32,
  }
  variant shape { none, circle(f64), poly(list<point>) }
  enum color { red, green, blue }
  flags perms { read, write, exec }
  resource counter {
    /// Make one.
    constructor(start: u32);
    @unstable(feature = sink-extra)
    add: func(n: u32) -> u32;
    value: func() -> u32;
    merge: static func(a: borrow<counter>, b: borrow<counter>) -> counter;
    wait: async func() -> result;
  }
  @external-id("DB.Fallible")
  resource fallible { constructor() -> result<fallible, string>; }
  resource opaque;
  type opaque-handle = borrow<opaque>;
  type own-handle = own<opaque>;
  type counter-alias = counter;
  @since(version = 0.1.0) @deprecated(version = 0.2.0)
  old: func(x: option<result<_, string>>) -> result<u8>;
  stream-it: async func(s: stream<u8>, f: future, g: stream) -> future<result<bytes, color>>;
  @external-id("Sink.Ext\n\"q\"")
  ext: func(%enum: s8, p: id, b: borrow<base-blob>, t: tuple<bool, s16, s64, u16, f64>);
}

interface user {
  use kinds.{point, counter as ctr};
  use kumo:base/types@1.0.0.{id};
  f: func(p: point, c: ctr, i: id) -> list<point>;
}

/// The world.
world sink {
  use kinds.{color};
  type local-record = tuple<color, u8>;
  import user;
  /// Inline.
  import logger: interface {
    use kinds.{point};
    log: func(p: point, msg: string);
  }
  @external-id("kv://main")
  import primary: kumo:base/store@1.0.0;
  import secondary: kumo:base/store@1.0.0;
  @unstable(feature = sink-extra)
  import now: func() -> u64;
  export kinds;
  export run: async func(args: list<string>) -> result;
  export handler: user;
  include kumo:base/base-world@1.0.0 with { tick as base-tick }
}

/// Base.
package kumo:base@1.0.0 {
  interface types { type id = string; resource blob; }
  interface store { use types.{id}; get: func(k: id) -> option<list<u8>>; }
  world base-world { import tick: func(); import store; export types; }
}
)";

TEST(WitPrinter, KitchenSinkRoundTrip) {
  for (bool all : {false, true}) {
    Resolve r;
    ResolveOptions opts;
    opts.all_features = all;
    PackageId p = resolve_ok(r, kKitchenSink, opts);
    expect_round_trip(r, p, opts);
  }
}

TEST(WitPrinter, KitchenSinkElaboratedWorld) {
  Resolve r;
  PackageId p = resolve_ok(r, kKitchenSink);
  EXPECT_EQ(print_world(r, *r.packages[p].worlds.find("sink")), R"(/// The world.
world sink {
  import kumo:base/types@1.0.0;
  import kinds;
  import user;

  /// Inline.
  import logger: interface {
    use kinds.{point};

    log: func(p: point, msg: string);
  }

  @external-id("kv://main")
  import primary: kumo:base/store@1.0.0;
  import secondary: kumo:base/store@1.0.0;
  import kumo:base/store@1.0.0;
  use kinds.{color};
  type local-record = tuple<color, u8>;
  import base-tick: func();
  export kumo:base/types@1.0.0;
  export kinds;
  export run: async func(args: list<string>) -> result;
  export handler: user;
}
)");
}

TEST(WitPrinter, RoundTripWithoutDocs) {
  Resolve r;
  PackageId p = resolve_ok(r, kKitchenSink);
  PrintOptions opts;
  opts.docs = false;
  opts.nested_deps = true;
  std::string text = print_package(r, p, opts);
  EXPECT_EQ(text.find("///"), std::string::npos);
  Resolve again;
  auto id = push_source(again, "nodocs.wit", text);
  ASSERT_TRUE(id.has_value()) << id.error().message;
}

}  // namespace
}  // namespace kumo::wit
