#include "wit/version.hpp"

#include <fmt/format.h>

#include <vector>

namespace kumo::wit {

namespace {

bool is_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool parse_number(std::string_view s, uint64_t& out) {
  if (!is_digits(s) || (s.size() > 1 && s[0] == '0') || s.size() > 19) return false;
  out = 0;
  for (char c : s) out = out * 10 + static_cast<uint64_t>(c - '0');
  return true;
}

std::vector<std::string_view> split_dots(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    size_t dot = s.find('.', start);
    parts.push_back(s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

// Pre-release identifiers: non-empty [0-9A-Za-z-]+, numeric ones without leading zeros.
bool valid_identifiers(std::string_view s, bool numeric_rule) {
  for (std::string_view id : split_dots(s)) {
    if (id.empty()) return false;
    for (char c : id) {
      bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
      if (!ok) return false;
    }
    if (numeric_rule && is_digits(id) && id.size() > 1 && id[0] == '0') return false;
  }
  return true;
}

// Semver 2.0 rule 11: numeric identifiers compare numerically and sort before alphanumeric ones;
// a version without pre-release ranks above any pre-release of it.
std::strong_ordering compare_pre(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) {
    if (a.empty() && b.empty()) return std::strong_ordering::equal;
    return a.empty() ? std::strong_ordering::greater : std::strong_ordering::less;
  }
  auto pa = split_dots(a), pb = split_dots(b);
  for (size_t i = 0; i < pa.size() && i < pb.size(); ++i) {
    bool na = is_digits(pa[i]), nb = is_digits(pb[i]);
    if (na && nb) {
      if (pa[i].size() != pb[i].size()) return pa[i].size() <=> pb[i].size();
      if (auto c = pa[i].compare(pb[i]); c != 0) return c <=> 0;
    } else if (na != nb) {
      return na ? std::strong_ordering::less : std::strong_ordering::greater;
    } else if (auto c = pa[i].compare(pb[i]); c != 0) {
      return c <=> 0;
    }
  }
  return pa.size() <=> pb.size();
}

}  // namespace

std::optional<Version> Version::parse(std::string_view text) {
  Version v;
  size_t plus = text.find('+');
  if (plus != std::string_view::npos) {
    v.build = std::string(text.substr(plus + 1));
    if (!valid_identifiers(v.build, false)) return std::nullopt;
    text = text.substr(0, plus);
  }
  size_t dash = text.find('-');
  if (dash != std::string_view::npos) {
    v.pre = std::string(text.substr(dash + 1));
    if (!valid_identifiers(v.pre, true)) return std::nullopt;
    text = text.substr(0, dash);
  }
  auto core = split_dots(text);
  if (core.size() != 3) return std::nullopt;
  if (!parse_number(core[0], v.major) || !parse_number(core[1], v.minor) || !parse_number(core[2], v.patch)) {
    return std::nullopt;
  }
  return v;
}

std::string Version::to_string() const {
  std::string s = fmt::format("{}.{}.{}", major, minor, patch);
  if (!pre.empty()) s += "-" + pre;
  if (!build.empty()) s += "+" + build;
  return s;
}

std::strong_ordering Version::operator<=>(const Version& o) const {
  if (auto c = major <=> o.major; c != 0) return c;
  if (auto c = minor <=> o.minor; c != 0) return c;
  if (auto c = patch <=> o.patch; c != 0) return c;
  if (auto c = compare_pre(pre, o.pre); c != 0) return c;
  return build.compare(o.build) <=> 0;
}

}  // namespace kumo::wit
