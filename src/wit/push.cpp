// Entry points of resolve.hpp: parse files, group them into packages (a header package per
// group plus nested `package x { }` blocks), order packages by their references and resolve
// them one at a time; plus the wasm-tools directory layout (dir/*.wit + dir/deps/).
#include <algorithm>
#include <deque>
#include <fstream>
#include <map>
#include <sstream>

#include "wit/package_resolver.hpp"
#include "wit/parser.hpp"
#include "wit/resolve.hpp"
#include "wit/topo_sort.hpp"

namespace kumo::wit {

namespace {

using detail::PackageUnit;

std::string key_of(const ast::PackageName& p) {
  std::string s = p.ns.name + ":" + p.name.name;
  if (p.version) s += "@" + p.version->to_string();
  return s;
}

// Every package a block of items refers to, with the span of one reference.
void collect_refs(const ast::DeclList& decls, std::vector<std::pair<std::string, Span>>& out) {
  auto path = [&](const ast::UsePath& u) {
    if (u.package) out.push_back({key_of(*u.package), u.package->span});
  };
  auto iface_items = [&](const std::vector<ast::InterfaceItem>& items) {
    for (const ast::InterfaceItem& i : items) {
      if (const auto* u = std::get_if<ast::Use>(&i)) path(u->path);
    }
  };
  for (const ast::PackageItem& item : decls.items) {
    if (const auto* u = std::get_if<ast::TopUse>(&item)) path(u->path);
    if (const auto* i = std::get_if<ast::Interface>(&item)) iface_items(i->items);
    if (const auto* w = std::get_if<ast::World>(&item)) {
      for (const ast::WorldItem& wi : w->items) {
        if (const auto* e = std::get_if<ast::Extern>(&wi)) {
          if (e->kind == ast::Extern::Kind::Path || e->kind == ast::Extern::Kind::NamedPath) path(e->path);
          if (e->kind == ast::Extern::Kind::Interface) iface_items(e->iface.items);
        } else if (const auto* u = std::get_if<ast::Use>(&wi)) {
          path(u->path);
        } else if (const auto* inc = std::get_if<ast::Include>(&wi)) {
          path(inc->path);
        }
      }
    }
  }
}

Unexpected<Error> fail_at(const SourceMap& src, Span s, std::string_view msg) {
  return Unexpected<Error>{Error{src.format(s, msg)}};
}

Expected<std::string> read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return err("cannot read WIT file {}", p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The .wit files directly inside `dir`, sorted by name so results do not depend on readdir order.
Expected<std::vector<SourceFile>> read_wit_dir(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> paths;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".wit") paths.push_back(entry.path());
  }
  if (ec) return err("cannot list directory {}: {}", dir.string(), ec.message());
  std::sort(paths.begin(), paths.end());
  std::vector<SourceFile> files;
  for (const auto& p : paths) {
    KUMO_TRY(std::string text, read_file(p));
    files.push_back(SourceFile{p.string(), std::move(text)});
  }
  return files;
}

}  // namespace

Expected<PackageId> push_groups(Resolve& resolve, std::vector<std::vector<SourceFile>> groups,
                                const ResolveOptions& opts) {
  if (groups.empty() || groups[0].empty()) return err("no WIT files to resolve");
  Resolve work = resolve;  // committed only on success
  std::deque<ast::File> files;  // stable addresses: units point into them
  std::vector<PackageUnit> units;
  size_t root = SIZE_MAX;
  for (size_t g = 0; g < groups.size(); ++g) {
    size_t first = files.size();
    for (SourceFile& f : groups[g]) {
      uint32_t id = work.sources.add(std::move(f.path), std::move(f.text));
      KUMO_TRY(ast::File parsed, parse_file(work.sources, id));
      files.push_back(std::move(parsed));
    }
    PackageUnit unit;
    const ast::File* first_item_file = nullptr;
    for (size_t i = first; i < files.size(); ++i) {
      const ast::File& f = files[i];
      if (f.package) {
        if (!unit.name) {
          unit.name = &*f.package;
        } else if (key_of(*f.package) != key_of(*unit.name)) {
          Location prev = work.sources.locate(unit.name->span);
          return fail_at(work.sources, f.package->span,
                         fmt::format("package `{}` does not match package `{}` declared at {}:{}:{} (all files of a "
                                     "package must agree)", key_of(*f.package), key_of(*unit.name), prev.path,
                                     prev.line, prev.column));
        }
        if (!f.package_docs.empty()) {
          if (!unit.docs.empty()) {
            return fail_at(work.sources, f.package->span,
                           "the package is documented in more than one file; keep one `///` block before one "
                           "`package` declaration");
          }
          unit.docs = f.package_docs;
        }
      }
      if (!f.decls.items.empty()) {
        unit.decls.push_back(&f.decls);
        if (!first_item_file) first_item_file = &f;
      }
    }
    if (unit.name) {
      if (g == 0) root = units.size();
      units.push_back(std::move(unit));
    } else if (first_item_file) {
      return fail_at(work.sources, Span{first_item_file->file, 0, 0},
                     "no `package ns:name;` declaration: one file of a package must name it");
    }
    for (size_t i = first; i < files.size(); ++i) {
      for (const ast::NestedPackage& n : files[i].nested) {
        units.push_back(PackageUnit{&n.name, n.docs, {&n.decls}});
      }
    }
  }
  if (root == SIZE_MAX) {
    return err("{}: no `package ns:name;` declaration in the main package's files", work.sources.path(static_cast<uint32_t>(resolve.sources.size())));
  }

  std::map<std::string, size_t> by_name;
  for (size_t i = 0; i < units.size(); ++i) {
    auto [it, inserted] = by_name.emplace(key_of(*units[i].name), i);
    if (!inserted) {
      Location prev = work.sources.locate(units[it->second].name->span);
      return fail_at(work.sources, units[i].name->span,
                     fmt::format("package `{}` is defined more than once (also at {}:{}:{})", it->first, prev.path,
                                 prev.line, prev.column));
    }
  }
  const std::string root_key = key_of(*units[root].name);
  PackageName root_name{units[root].name->ns.name, units[root].name->name.name, units[root].name->version};
  if (work.find_package(root_name)) {
    return fail_at(work.sources, units[root].name->span, fmt::format("package `{}` is already loaded", root_key));
  }

  PackageId root_id = kNoId;
  using Edges = std::vector<std::pair<size_t, Span>>;
  auto deps = [&](size_t i) -> Expected<Edges> {
    std::vector<std::pair<std::string, Span>> refs;
    for (const ast::DeclList* d : units[i].decls) collect_refs(*d, refs);
    Edges edges;
    for (const auto& [key, span] : refs) {
      auto it = by_name.find(key);
      if (it != by_name.end()) {
        if (it->second != i) edges.push_back({it->second, span});
        continue;
      }
      // No exact match: resolve other versions of the package first so that the error for the
      // reference can list them ("version mismatch").
      std::string base = key.substr(0, key.find('@'));
      for (size_t j = 0; j < units.size(); ++j) {
        const ast::PackageName& n = *units[j].name;
        if (j != i && n.ns.name + ":" + n.name.name == base) edges.push_back({j, span});
      }
    }
    return edges;
  };
  auto what = [&](size_t i) { return fmt::format("package `{}`", key_of(*units[i].name)); };
  auto visit = [&](size_t i) -> Expected<void> {
    const ast::PackageName& n = *units[i].name;
    // Dependencies shared by several pushes (e.g. wasi:io) are loaded once.
    if (i != root && work.find_package(PackageName{n.ns.name, n.name.name, n.version})) return {};
    KUMO_TRY(PackageId id, detail::PackageResolver(work, opts, units[i]).run());
    if (i == root) root_id = id;
    return {};
  };
  KUMO_CHECK(detail::topo_visit(units.size(), deps, what, visit,
                                [&](Span s, std::string m) { return fail_at(work.sources, s, m); }));
  resolve = std::move(work);
  return root_id;
}

Expected<PackageId> push_files(Resolve& resolve, std::vector<SourceFile> files, const ResolveOptions& opts) {
  std::vector<std::vector<SourceFile>> groups;
  groups.push_back(std::move(files));
  return push_groups(resolve, std::move(groups), opts);
}

Expected<PackageId> push_source(Resolve& resolve, std::string path, std::string text, const ResolveOptions& opts) {
  std::vector<SourceFile> files;
  files.push_back(SourceFile{std::move(path), std::move(text)});
  return push_files(resolve, std::move(files), opts);
}

Expected<PackageId> push_dir(Resolve& resolve, const std::filesystem::path& dir, const ResolveOptions& opts) {
  std::vector<std::vector<SourceFile>> groups;
  KUMO_TRY(std::vector<SourceFile> root, read_wit_dir(dir));
  if (root.empty()) return err("no .wit files in {}", dir.string());
  groups.push_back(std::move(root));
  std::filesystem::path deps = dir / "deps";
  std::error_code ec;
  if (std::filesystem::is_directory(deps, ec)) {
    std::vector<std::filesystem::path> entries;
    for (const auto& entry : std::filesystem::directory_iterator(deps, ec)) entries.push_back(entry.path());
    if (ec) return err("cannot list directory {}: {}", deps.string(), ec.message());
    std::sort(entries.begin(), entries.end());
    for (const auto& p : entries) {
      if (std::filesystem::is_directory(p)) {
        KUMO_TRY(std::vector<SourceFile> files, read_wit_dir(p));
        if (!files.empty()) groups.push_back(std::move(files));
      } else if (p.extension() == ".wit") {
        KUMO_TRY(std::string text, read_file(p));
        groups.push_back({SourceFile{p.string(), std::move(text)}});
      }
    }
  }
  return push_groups(resolve, std::move(groups), opts);
}

Expected<PackageId> push_path(Resolve& resolve, const std::filesystem::path& path, const ResolveOptions& opts) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return push_dir(resolve, path, opts);
  KUMO_TRY(std::string text, read_file(path));
  return push_source(resolve, path.string(), std::move(text), opts);
}

Expected<WorldId> select_world(const Resolve& resolve, PackageId package, std::string_view spec) {
  const Package& p = resolve.packages[package];
  std::string names;
  for (const auto& [name, id] : p.worlds) names += (names.empty() ? "`" : ", `") + name + "`";
  if (spec.empty()) {
    if (p.worlds.size() == 1) return p.worlds[0].second;
    if (p.worlds.empty()) return err("package `{}` has no worlds", p.name.to_string());
    return err("package `{}` has several worlds ({}); choose one", p.name.to_string(), names);
  }
  if (spec.find(':') != std::string_view::npos) {
    if (auto id = resolve.find_world(spec)) return *id;
    // `wasi:http/proxy` may name the one loaded version of the package.
    size_t colon = spec.find(':'), slash = spec.find('/');
    if (spec.find('@') == std::string_view::npos && slash != std::string_view::npos && slash > colon) {
      std::vector<WorldId> found;
      for (const Package* p : resolve.packages_named(spec.substr(0, colon), spec.substr(colon + 1, slash - colon - 1))) {
        if (const WorldId* id = p->worlds.find(spec.substr(slash + 1))) found.push_back(*id);
      }
      if (found.size() == 1) return found[0];
      if (found.size() > 1) return err("world `{}` exists in several versions of its package; add `@version`", spec);
    }
    return err("world `{}` not found", spec);
  }
  if (const WorldId* id = p.worlds.find(spec)) return *id;
  return err("package `{}` has no world `{}` (worlds: {})", p.name.to_string(), spec, names.empty() ? "none" : names);
}

}  // namespace kumo::wit
