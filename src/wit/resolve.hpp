// Turning WIT text into the resolved model: parse files, group them into packages, order the
// packages by their dependencies and resolve every name. All push_* functions are
// transactional: on error `resolve` is left as it was and the message names file:line:column.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "wasm/common/expected.hpp"
#include "wit/model.hpp"

namespace kumo::wit {

struct ResolveOptions {
  // Items gated with `@unstable(feature = f)` are dropped unless f is listed here (or
  // all_features is set), as wasm-tools does; `@since`/`@deprecated` items are always kept.
  std::vector<std::string> features;
  bool all_features = false;
};

struct SourceFile {
  std::string path;  // shown in messages
  std::string text;
};

// `files` form one package: at least one of them has a `package ns:name;` header and all
// headers agree. Nested `package x { ... }` blocks define further packages. Packages the files
// refer to must already be in `resolve` or be nested here. Returns the main package.
Expected<PackageId> push_files(Resolve& resolve, std::vector<SourceFile> files, const ResolveOptions& opts = {});

// One WIT text (a convenience for push_files).
Expected<PackageId> push_source(Resolve& resolve, std::string path, std::string text, const ResolveOptions& opts = {});

// Several packages at once, each given by its files; they may refer to each other in any order
// (they are resolved in dependency order). groups[0] is the main package, whose id is returned.
// A package already present in `resolve` (same name and version) is skipped, except groups[0].
Expected<PackageId> push_groups(Resolve& resolve, std::vector<std::vector<SourceFile>> groups,
                                const ResolveOptions& opts = {});

// A directory in the wasm-tools layout: `dir/*.wit` is the main package and every entry of
// `dir/deps/` (a .wit file or a directory of .wit files) is a dependency package.
Expected<PackageId> push_dir(Resolve& resolve, const std::filesystem::path& dir, const ResolveOptions& opts = {});

// push_dir for a directory, otherwise the single file.
Expected<PackageId> push_path(Resolve& resolve, const std::filesystem::path& path, const ResolveOptions& opts = {});

// World selection as WIT tools do it: an empty spec means the package's only world, a bare
// name a world of `package`, and `ns:pkg/world@ver` a world of any loaded package (the version
// may be left out when only one version of that package is loaded).
Expected<WorldId> select_world(const Resolve& resolve, PackageId package, std::string_view spec = {});

}  // namespace kumo::wit
