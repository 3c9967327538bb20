#include <gtest/gtest.h>

#include "component/names.hpp"

using namespace kumo::component;

TEST(ComponentNames, KebabLabels) {
  for (const char* ok : {"a", "a-b-c", "a1-2-3", "A", "A-B-C", "A1-2-3", "a11-w0rds", "A11-4CR0NYMS",
                         "m1x3d-4CR0NYMS", "is-XML", "a0-000-3d4a-54FF"}) {
    EXPECT_TRUE(is_kebab_label(ok)) << ok;
  }
  for (const char* bad : {"", "-", "a-", "-a", "1-2-3", "0", "aB", "a-bC", "a--b", "a_b", "a.b",
                          "a0-000-3d4A-54Ff", "\xc2\xb6"}) {
    EXPECT_FALSE(is_kebab_label(bad)) << bad;
  }
}

TEST(ComponentNames, PlainAndAnnotatedNames) {
  auto p = parse_extern_name("get-JSON");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, NameKind::Label);

  p = parse_extern_name("[constructor]file");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, NameKind::Constructor);
  EXPECT_EQ(p->label, "file");

  p = parse_extern_name("[method]file.read-at");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, NameKind::Method);
  EXPECT_EQ(p->label, "file");
  EXPECT_EQ(p->item, "read-at");

  p = parse_extern_name("[static]file.open");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, NameKind::Static);

  EXPECT_FALSE(parse_extern_name("[method]file"));  // no '.'
  EXPECT_FALSE(parse_extern_name("[method]a.b.c"));
  EXPECT_FALSE(parse_extern_name("[foo]a"));
  EXPECT_FALSE(parse_extern_name("[static]a"));
}

TEST(ComponentNames, InterfaceNames) {
  auto p = parse_extern_name("wasi:http/types@0.2.0");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, NameKind::Interface);
  EXPECT_EQ(p->package, "wasi:http");
  EXPECT_EQ(p->interface, "types");
  EXPECT_TRUE(p->has_version);
  EXPECT_EQ(p->version, "0.2.0");
  EXPECT_TRUE(check_interface_version(*p, ""));

  p = parse_extern_name("wasi:keyvalue/store@0.2.0-draft");
  ASSERT_TRUE(p);
  EXPECT_TRUE(check_interface_version(*p, ""));

  // A canonical version completed by a version-suffix attribute.
  p = parse_extern_name("wasi:http/types@0.2");
  ASSERT_TRUE(p);
  EXPECT_TRUE(check_interface_version(*p, ".6-rc.1"));
  EXPECT_FALSE(check_interface_version(*p, ""));

  EXPECT_FALSE(parse_extern_name("wasi:http"));                  // no interface
  EXPECT_FALSE(parse_extern_name("foo:bar:baz/qux"));            // nested namespaces need 🪺
  EXPECT_TRUE(parse_extern_name("foo:bar:baz/qux", NameOptions{true}));
  EXPECT_FALSE(parse_extern_name("foo:bar/baz/qux"));            // nested projections need 🪺
  EXPECT_FALSE(parse_extern_name("Wasi:http/types"));            // namespaces are lowercase
}

TEST(ComponentNames, Semver) {
  for (const char* ok : {"0.0.0", "1.2.3", "0.0.0+abcd", "0.0.0-abcd.1.2+efg.4.ee.5", "123456.7890.488",
                         "1.0.0-alpha-1"}) {
    EXPECT_TRUE(check_semver(ok)) << ok;
  }
  struct Bad {
    const char* v;
    const char* why;
  };
  for (const Bad& b : {Bad{"", "empty string"}, Bad{".", "unexpected character '.'"},
                       Bad{"1.", "unexpected end of input"}, Bad{"a.2", "unexpected character 'a'"},
                       Bad{"2.b", "unexpected character 'b'"}, Bad{"2.0x0", "unexpected character 'x'"},
                       Bad{"2.0.0+", "empty identifier segment"}, Bad{"2.0.0-", "empty identifier segment"},
                       Bad{"01.0.0", "leading zero"}, Bad{"1.0.0-01", "leading zero"}}) {
    auto r = check_semver(b.v);
    ASSERT_FALSE(r) << b.v;
    EXPECT_NE(r.error().message.find(b.why), std::string::npos) << b.v << ": " << r.error().message;
  }
}

TEST(ComponentNames, DependencyNames) {
  EXPECT_TRUE(parse_extern_name("url=<https://example.com/a.wasm>"));
  EXPECT_TRUE(parse_extern_name("url=<https://example.com/a.wasm>,integrity=<sha256-abc=>"));
  EXPECT_TRUE(parse_extern_name("integrity=<sha384-abcd sha512-efgh?x>"));
  EXPECT_TRUE(parse_extern_name("locked-dep=<a:b@1.2.3>"));
  EXPECT_TRUE(parse_extern_name("unlocked-dep=<a:b@{>=1.2.3}>"));
  EXPECT_TRUE(parse_extern_name("unlocked-dep=<a:b@{>=1.2.3 <2.0.0}>"));
  EXPECT_TRUE(parse_extern_name("unlocked-dep=<a:b@*>"));
  EXPECT_FALSE(parse_extern_name("url=<a<b>"));
  EXPECT_FALSE(parse_extern_name("integrity=<md5-abc>"));
  EXPECT_FALSE(parse_extern_name("integrity=<>"));
  EXPECT_FALSE(parse_extern_name("locked-dep=<a:a@1.2.3"));
  EXPECT_FALSE(parse_extern_name("unlocked-dep=<a:b@{1.2.3}>"));
}

TEST(ComponentNames, StrongUniqueness) {
  auto key = [](const char* n) {
    auto p = parse_extern_name(n);
    EXPECT_TRUE(p) << n;
    return uniqueness_key(n, *p);
  };
  // Explainer.md "Name Uniqueness": these are all distinct ...
  std::vector<std::string> distinct = {key("foo"), key("foo-bar"), key("[constructor]foo"),
                                       key("[method]foo.bar"), key("[static]foo.baz"), key("foo:bar/baz")};
  std::sort(distinct.begin(), distinct.end());
  EXPECT_EQ(std::unique(distinct.begin(), distinct.end()), distinct.end());
  // ... and each of these clashes with one of them.
  EXPECT_EQ(key("FOO"), key("foo"));
  EXPECT_EQ(key("foo-BAR"), key("foo-bar"));
  EXPECT_EQ(key("[constructor]FOO"), key("[constructor]foo"));
  EXPECT_EQ(key("[method]foo.BAR"), key("[method]foo.bar"));
  EXPECT_EQ(key("[static]foo.bar"), key("[method]foo.bar"));
  EXPECT_EQ(key("[method]foo.baz"), key("[static]foo.baz"));
  EXPECT_EQ(key("[method]foo.foo"), key("foo"));
  EXPECT_EQ(key("[static]foo-BAR.FOO-bar"), key("foo-bar"));
  EXPECT_EQ(key("foo:bar/BAZ"), key("foo:bar/baz"));
  // Hashes are case-sensitive (base64).
  EXPECT_NE(key("integrity=<sha256-ABC>"), key("integrity=<sha256-abc>"));
}
