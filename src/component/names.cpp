#include "component/names.hpp"

#include <cctype>

namespace kumo::component {

namespace {

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

constexpr std::string_view kConstructor = "[constructor]";
constexpr std::string_view kMethod = "[method]";
constexpr std::string_view kStatic = "[static]";

Unexpected<Error> not_kebab(std::string_view s) { return err("`{}` is not in kebab case", s); }

Expected<void> expect_kebab(std::string_view s) {
  if (!is_kebab_label(s)) return not_kebab(s);
  return {};
}

// A small cursor over the name being parsed.
struct Cursor {
  std::string_view rest;

  bool eat(std::string_view prefix) {
    if (rest.substr(0, prefix.size()) != prefix) return false;
    rest.remove_prefix(prefix.size());
    return true;
  }
  // Takes the longest prefix made of kebab characters.
  std::string_view take_kebab_chars() {
    size_t i = 0;
    while (i < rest.size() &&
           (is_lower(rest[i]) || is_upper(rest[i]) || is_digit(rest[i]) || rest[i] == '-')) {
      ++i;
    }
    auto out = rest.substr(0, i);
    rest.remove_prefix(i);
    return out;
  }
};

// A namespace or package label: kebab case and all lowercase.
Expected<std::string_view> take_lower_kebab(Cursor& c) {
  std::string_view s = c.take_kebab_chars();
  KUMO_CHECK(expect_kebab(s));
  for (char ch : s) {
    if (is_upper(ch)) return err("character `{}` is not lowercase in package name/namespace", ch);
  }
  return s;
}

Expected<ParsedName> parse_interface(std::string_view name, const NameOptions& opts) {
  ParsedName p;
  p.kind = NameKind::Interface;
  Cursor c{name};
  KUMO_CHECK(take_lower_kebab(c));
  if (!c.eat(":")) return err("expected `:` at `{}`", c.rest);
  KUMO_CHECK(take_lower_kebab(c));
  while (opts.nested_names && c.rest.starts_with(':')) {
    c.eat(":");
    KUMO_CHECK(take_lower_kebab(c));
  }
  p.package = name.substr(0, name.size() - c.rest.size());
  if (!c.eat("/")) return err("expected `/` after package name");
  size_t iface_at = name.size() - c.rest.size();
  KUMO_CHECK(expect_kebab(c.take_kebab_chars()));
  while (opts.nested_names && c.rest.starts_with('/')) {
    c.eat("/");
    KUMO_CHECK(expect_kebab(c.take_kebab_chars()));
  }
  p.interface = name.substr(iface_at, name.size() - c.rest.size() - iface_at);
  if (c.eat("@")) {
    p.has_version = true;
    p.version = c.rest;
    c.rest = {};
  }
  if (!c.rest.empty()) return err("trailing characters found: `{}`", c.rest);
  return p;
}

bool is_base64(std::string_view s) {
  if (s.empty()) return false;
  int equals = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char b = s[i];
    if ((std::isalnum(static_cast<unsigned char>(b)) || b == '+' || b == '/') && equals == 0) continue;
    if (b == '=' && i > 0 && equals < 2) {
      ++equals;
      continue;
    }
    return false;
  }
  return true;
}

// integrity-metadata: whitespace-separated `sha(256|384|512)-<base64>[?options]`.
Expected<void> check_integrity(std::string_view s) {
  bool any = false;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (start == i) break;
    std::string_view hash = s.substr(start, i - start);
    any = true;
    std::string_view rest;
    if (hash.starts_with("sha256") || hash.starts_with("sha384") || hash.starts_with("sha512")) {
      rest = hash.substr(6);
    } else {
      return err("unrecognized hash algorithm: `{}`", hash);
    }
    if (!rest.starts_with('-')) return err("expected `-` after hash algorithm: {}", hash);
    rest.remove_prefix(1);
    std::string_view b64 = rest.substr(0, rest.find('?'));
    if (!is_base64(b64)) return err("not valid base64: `{}`", b64);
  }
  if (!any) return err("integrity hash cannot be empty");
  return {};
}

// `<...>` after a prefix such as `url=`; returns the bracketed text.
Expected<std::string_view> take_bracketed(Cursor& c) {
  if (!c.eat("<")) return err("expected `<` at `{}`", c.rest);
  size_t close = c.rest.find('>');
  if (close == std::string_view::npos) return err("failed to find `>` character");
  auto inner = c.rest.substr(0, close);
  c.rest.remove_prefix(close + 1);
  return inner;
}

Expected<void> eat_optional_hash(Cursor& c) {
  if (!c.eat(",")) return {};
  if (!c.eat("integrity=")) return err("expected `integrity=` at `{}`", c.rest);
  KUMO_TRY(auto h, take_bracketed(c));
  return check_integrity(h);
}

// pkgpath: `ns:pkg` followed by optional projections.
Expected<void> take_pkg_path(Cursor& c) {
  KUMO_CHECK(take_lower_kebab(c));
  if (!c.eat(":")) return err("expected `:` at `{}`", c.rest);
  KUMO_CHECK(take_lower_kebab(c));
  while (c.eat("/")) KUMO_CHECK(expect_kebab(c.take_kebab_chars()));
  return {};
}

// `<pkgpath>[@{range}|@*]>` after `unlocked-dep=`.
Expected<void> take_unlocked_dep(Cursor& c) {
  if (!c.eat("<")) return err("expected `<` at `{}`", c.rest);
  KUMO_CHECK(take_pkg_path(c));
  if (c.eat("@")) {
    if (!c.eat("*")) {
      if (!c.eat("{")) return err("expected `{{` at `{}`", c.rest);
      size_t close = c.rest.find('}');
      if (close == std::string_view::npos) return err("failed to find `}}` character");
      std::string_view range = c.rest.substr(0, close);
      c.rest.remove_prefix(close + 1);
      if (range.starts_with(">=")) {
        range.remove_prefix(2);
        size_t sp = range.find(' ');
        KUMO_CHECK(check_semver(range.substr(0, sp)));
        if (sp != std::string_view::npos) {
          std::string_view upper = range.substr(sp + 1);
          if (!upper.starts_with('<')) return err("expected `<` at start of version range upper bounds");
          KUMO_CHECK(check_semver(upper.substr(1)));
        }
      } else if (range.starts_with('<')) {
        KUMO_CHECK(check_semver(range.substr(1)));
      } else {
        return err("expected `>=` or `<` at start of version range");
      }
    }
  }
  if (!c.eat(">")) return err("expected `>` at `{}`", c.rest);
  return {};
}

// `<pkgpath[@version]>` after `locked-dep=`.
Expected<void> take_locked_dep(Cursor& c) {
  if (!c.eat("<")) return err("expected `<` at `{}`", c.rest);
  KUMO_CHECK(take_pkg_path(c));
  if (c.eat("@")) {
    size_t close = c.rest.find('>');
    if (close == std::string_view::npos) return err("failed to find `>` character");
    KUMO_CHECK(check_semver(c.rest.substr(0, close)));
    c.rest.remove_prefix(close);
  }
  if (!c.eat(">")) return err("expected `>` at `{}`", c.rest);
  return {};
}

// Identifiers of a pre-release or build suffix: dot-separated, non-empty, [0-9A-Za-z-]; numeric
// pre-release identifiers have no leading zeros.
Expected<void> semver_identifiers(std::string_view s, bool numeric_rules, const char* what,
                                  std::string_view whole) {
  size_t i = 0;
  while (true) {
    size_t dot = s.find('.', i);
    std::string_view id = s.substr(i, dot == std::string_view::npos ? std::string_view::npos : dot - i);
    if (id.empty()) return err("`{}` is not a valid semver: empty identifier segment in {}", whole, what);
    bool all_digits = true;
    for (char c : id) {
      if (!(is_lower(c) || is_upper(c) || is_digit(c) || c == '-')) {
        return err("`{}` is not a valid semver: unexpected character '{}' in {}", whole, c, what);
      }
      all_digits = all_digits && is_digit(c);
    }
    if (numeric_rules && all_digits && id.size() > 1 && id[0] == '0') {
      return err("`{}` is not a valid semver: invalid leading zero in {}", whole, what);
    }
    if (dot == std::string_view::npos) return {};
    i = dot + 1;
  }
}

}  // namespace

bool is_kebab_label(std::string_view s) {
  if (s.empty() || s.back() == '-') return false;
  bool first_fragment = true;
  size_t i = 0;
  while (i < s.size()) {
    // One fragment: a word (lowercase) or an acronym (uppercase); digits may follow the first
    // character, and a non-first fragment may consist of digits only.
    size_t start = i;
    bool lower = false, upper = false;
    while (i < s.size() && s[i] != '-') {
      char c = s[i];
      if (is_lower(c)) {
        if (upper) return false;
        lower = true;
      } else if (is_upper(c)) {
        if (lower) return false;
        upper = true;
      } else if (is_digit(c)) {
        if (i == start && first_fragment) return false;
      } else {
        return false;
      }
      ++i;
    }
    if (i == start) return false;  // empty fragment ("--" or leading '-')
    first_fragment = false;
    if (i < s.size()) ++i;  // the '-'
  }
  return true;
}

Expected<ParsedName> parse_extern_name(std::string_view name, const NameOptions& opts) {
  ParsedName p;
  Cursor c{name};
  if (c.eat(kConstructor)) {
    KUMO_CHECK(expect_kebab(c.rest));
    p.kind = NameKind::Constructor;
    p.label = c.rest;
    return p;
  }
  bool method = c.eat(kMethod);
  if (method || c.eat(kStatic)) {
    size_t dot = c.rest.find('.');
    if (dot == std::string_view::npos) return err("failed to find `.` character");
    p.kind = method ? NameKind::Method : NameKind::Static;
    p.label = c.rest.substr(0, dot);
    p.item = c.rest.substr(dot + 1);
    KUMO_CHECK(expect_kebab(p.label));
    KUMO_CHECK(expect_kebab(p.item));
    return p;
  }
  if (c.eat("unlocked-dep=")) {
    KUMO_CHECK(take_unlocked_dep(c));
    if (!c.rest.empty()) return err("trailing characters found: `{}`", c.rest);
    p.kind = NameKind::Dependency;
    return p;
  }
  if (c.eat("locked-dep=")) {
    KUMO_CHECK(take_locked_dep(c));
    KUMO_CHECK(eat_optional_hash(c));
    if (!c.rest.empty()) return err("trailing characters found: `{}`", c.rest);
    p.kind = NameKind::Dependency;
    return p;
  }
  if (c.eat("url=")) {
    KUMO_TRY(auto url, take_bracketed(c));
    if (url.find('<') != std::string_view::npos) return err("url cannot contain `<`");
    KUMO_CHECK(eat_optional_hash(c));
    if (!c.rest.empty()) return err("trailing characters found: `{}`", c.rest);
    p.kind = NameKind::Url;
    return p;
  }
  if (c.eat("integrity=")) {
    KUMO_TRY(auto h, take_bracketed(c));
    KUMO_CHECK(check_integrity(h));
    if (!c.rest.empty()) return err("trailing characters found: `{}`", c.rest);
    p.kind = NameKind::Integrity;
    return p;
  }
  if (name.find(':') != std::string_view::npos) return parse_interface(name, opts);
  KUMO_CHECK(expect_kebab(name));
  p.kind = NameKind::Label;
  p.label = name;
  return p;
}

Expected<void> check_semver(std::string_view s) {
  if (s.empty()) return err("`{}` is not a valid semver: empty string, expected a semver version", s);
  size_t pos = 0;
  // major.minor.patch: numbers without leading zeros.
  const char* parts[] = {"major", "minor", "patch"};
  for (int part = 0; part < 3; ++part) {
    if (part > 0) {
      if (pos >= s.size()) {
        return err("`{}` is not a valid semver: unexpected end of input while parsing {} version number",
                   s, parts[part]);
      }
      if (s[pos] != '.') {
        return err("`{}` is not a valid semver: unexpected character '{}' after {} version number", s,
                   s[pos], parts[part - 1]);
      }
      ++pos;
    }
    if (pos >= s.size()) {
      return err("`{}` is not a valid semver: unexpected end of input while parsing {} version number", s,
                 parts[part]);
    }
    if (!is_digit(s[pos])) {
      return err("`{}` is not a valid semver: unexpected character '{}' while parsing {} version number",
                 s, s[pos], parts[part]);
    }
    size_t start = pos;
    while (pos < s.size() && is_digit(s[pos])) ++pos;
    if (pos - start > 1 && s[start] == '0') {
      return err("`{}` is not a valid semver: invalid leading zero in {} version number", s, parts[part]);
    }
  }
  if (pos == s.size()) return {};
  if (s[pos] != '-' && s[pos] != '+') {
    return err("`{}` is not a valid semver: unexpected character '{}' after patch version number", s, s[pos]);
  }
  std::string_view rest = s.substr(pos);
  if (rest[0] == '-') {
    size_t plus = rest.find('+');
    KUMO_CHECK(semver_identifiers(rest.substr(1, plus == std::string_view::npos ? plus : plus - 1),
                                  /*numeric_rules=*/true, "pre-release identifier", s));
    if (plus == std::string_view::npos) return {};
    rest = rest.substr(plus);
  }
  return semver_identifiers(rest.substr(1), /*numeric_rules=*/false, "build metadata", s);
}

Expected<void> check_interface_version(const ParsedName& name, std::string_view suffix) {
  if (!name.has_version) {
    if (!suffix.empty()) return err("a version suffix needs an interface name with a version");
    return {};
  }
  std::string full(name.version);
  full += suffix;
  auto r = check_semver(full);
  if (!r) return err("invalid interface version: {}", r.error().message);
  return {};
}

std::string uniqueness_key(std::string_view name, const ParsedName& parsed) {
  std::string_view base = name;
  if (parsed.kind == NameKind::Method || parsed.kind == NameKind::Static) {
    base = name.substr((parsed.kind == NameKind::Method ? kMethod : kStatic).size());
    if (parsed.label.size() == parsed.item.size()) {
      // `[method]r.r` is the same as `r` (lowercased comparison below).
      bool same = true;
      for (size_t i = 0; i < parsed.label.size(); ++i) {
        same = same && std::tolower(static_cast<unsigned char>(parsed.label[i])) ==
                           std::tolower(static_cast<unsigned char>(parsed.item[i]));
      }
      if (same) base = parsed.label;
    }
  }
  std::string key(base);
  // URLs, hashes and dependency names are compared as written.
  if (parsed.kind == NameKind::Url || parsed.kind == NameKind::Integrity ||
      parsed.kind == NameKind::Dependency) {
    return key;
  }
  for (char& ch : key) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  return key;
}

}  // namespace kumo::component
