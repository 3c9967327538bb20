// Import and export names of components (Explainer.md, "Import and Export Definitions"):
// kebab-case labels, `[constructor]r`, `[method]r.f`, `[static]r.f`, interface names
// `ns:pkg/iface@version`, and the older dependency forms `url=<...>`, `integrity=<...>`,
// `locked-dep=<...>`, `unlocked-dep=<...>` that existing binaries still use.
#pragma once

#include <string>
#include <string_view>

#include "wasm/common/expected.hpp"

namespace kumo::component {

enum class NameKind : uint8_t {
  Label, Constructor, Method, Static, Interface, Url, Integrity, Dependency,
};

// A parsed name; the views point into the string that was parsed.
struct ParsedName {
  NameKind kind = NameKind::Label;
  std::string_view label;     // Label; Constructor/Method/Static: the resource label
  std::string_view item;      // Method/Static: the function label after the '.'
  std::string_view package;   // Interface: "ns:pkg" (all namespaces with nested names)
  std::string_view interface; // Interface: "iface" (or "a/b" with nested names)
  std::string_view version;   // Interface: the text after '@', possibly empty when absent
  bool has_version = false;
};

struct NameOptions {
  bool nested_names = false;  // 🪺: `ns:sub:pkg/a/b`
};

// True for a kebab-case label: words of [a-z0-9] or acronyms of [A-Z0-9], separated by single
// '-', the first word starting with a letter.
bool is_kebab_label(std::string_view s);

// Parses an import or export name. Versions of interface names are checked by
// check_interface_version (they may be completed by a version-suffix attribute).
Expected<ParsedName> parse_extern_name(std::string_view name, const NameOptions& opts = {});

// Checks the version of an interface name, completed by the `versionsuffix` attribute if any,
// is a valid semantic version ("1.2.3-rc.1+build").
Expected<void> check_interface_version(const ParsedName& name, std::string_view suffix);

// Checks `s` is a valid semantic version (semver.org 2.0.0).
Expected<void> check_semver(std::string_view s);

// The key under which names must be strongly unique (Explainer.md, "Name Uniqueness"): ASCII
// lowercased, `[method]`/`[static]` stripped, and `r.r` reduced to `r`.
std::string uniqueness_key(std::string_view name, const ParsedName& parsed);

}  // namespace kumo::component
