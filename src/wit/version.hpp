// Semantic versions (semver 2.0) as used by WIT package names and feature gates.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kumo::wit {

struct Version {
  uint64_t major = 0;
  uint64_t minor = 0;
  uint64_t patch = 0;
  std::string pre;    // pre-release identifiers without the leading '-', e.g. "rc.1"
  std::string build;  // build metadata without the leading '+'

  // Strict semver 2.0: three numeric parts without leading zeros, dot-separated
  // [0-9A-Za-z-] identifiers after '-' and '+'.
  static std::optional<Version> parse(std::string_view text);
  std::string to_string() const;

  // Identity (two packages with the same name are the same only if every field matches).
  bool operator==(const Version&) const = default;
  // Semver precedence, with build metadata compared last only to make the order total.
  std::strong_ordering operator<=>(const Version& o) const;
};

}  // namespace kumo::wit
