// Package-level resolution: which interfaces and worlds a package has, what bare names mean at
// file scope, how `ns:pkg/item@ver` paths find other packages, and the order in which
// interfaces (by `use`) and worlds (by `include`) must be resolved.
#include <algorithm>
#include <cctype>
#include <set>

#include "wit/package_resolver.hpp"
#include "wit/topo_sort.hpp"

namespace kumo::wit::detail {

Unexpected<Error> PackageResolver::fail(Span s, std::string_view msg) const {
  return Unexpected<Error>{Error{r_.sources.format(s, msg)}};
}

Expected<void> PackageResolver::Names::define(const PackageResolver& pr, const ast::Id& id, std::string_view what) {
  std::string key = id.name;
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto [it, inserted] = spans_.emplace(key, id.span);
  if (inserted) return {};
  Location prev = pr.r_.sources.locate(it->second);
  return pr.fail(id.span, fmt::format("{} `{}` is defined more than once (names are compared case-insensitively; "
                                      "previous definition at {}:{}:{})",
                                      what, id.name, prev.path, prev.line, prev.column));
}

bool PackageResolver::enabled(const ast::Attrs& attrs) const {
  if (attrs.gate.kind != ast::Gate::Kind::Unstable || opts_.all_features) return true;
  const std::string& f = attrs.gate.feature.name;
  return std::find(opts_.features.begin(), opts_.features.end(), f) != opts_.features.end();
}

Stability PackageResolver::stability(const ast::Gate& g) const {
  Stability s;
  s.deprecated = g.deprecated;
  if (g.kind == ast::Gate::Kind::Since) {
    s.kind = Stability::Kind::Stable;
    s.since = g.since;
  } else if (g.kind == ast::Gate::Kind::Unstable) {
    s.kind = Stability::Kind::Unstable;
    s.feature = g.feature.name;
  }
  return s;
}

void PackageResolver::note_disabled(const ast::Attrs& attrs, const std::string& name) {
  if (!name.empty()) disabled_.emplace(name, attrs.gate.feature.name);
}

// Explains an unknown name that exists but was dropped by a feature gate.
std::string PackageResolver::gated_hint(std::string_view name) const {
  auto it = disabled_.find(std::string(name));
  if (it == disabled_.end()) return {};
  return fmt::format(" (`{}` is gated behind feature `{}`, which is not enabled)", name, it->second);
}

bool PackageResolver::is_self(const ast::PackageName& p) const {
  const ast::PackageName& me = *unit_.name;
  return p.ns.name == me.ns.name && p.name.name == me.name.name && p.version == me.version;
}

static PackageName to_model(const ast::PackageName& p) { return PackageName{p.ns.name, p.name.name, p.version}; }

Expected<PackageId> PackageResolver::lookup_package(const ast::PackageName& p) const {
  PackageName name = to_model(p);
  if (auto id = r_.find_package(name)) return *id;
  std::vector<const Package*> others = r_.packages_named(p.ns.name, p.name.name);
  if (others.empty()) {
    return fail(p.span, fmt::format("package `{}` not found (is it missing from deps/?)", name.to_string()));
  }
  std::string avail;
  for (const Package* o : others) avail += (avail.empty() ? "" : ", ") + fmt::format("`{}`", o->name.to_string());
  return fail(p.span, fmt::format("package `{}` not found: version mismatch, available: {}", name.to_string(), avail));
}

Expected<InterfaceId> PackageResolver::resolve_interface_path(const ast::UsePath& path, size_t decl) const {
  const std::string& name = path.name.name;
  if (!path.package || is_self(*path.package)) {
    if (!path.package) {
      if (const InterfaceId* id = file_scopes_[decl].find(name)) return *id;
    }
    const Package& me = r_.packages[pkg_];
    if (const InterfaceId* id = me.interfaces.find(name)) return *id;
    if (me.worlds.contains(name)) return fail(path.span, fmt::format("`{}` is a world, not an interface", name));
    return fail(path.span, fmt::format("interface `{}` does not exist in package `{}`{}", name,
                                       me.name.to_string(), gated_hint(name)));
  }
  KUMO_TRY(PackageId pid, lookup_package(*path.package));
  const Package& p = r_.packages[pid];
  if (const InterfaceId* id = p.interfaces.find(name)) return *id;
  if (p.worlds.contains(name)) return fail(path.span, fmt::format("`{}` is a world, not an interface", name));
  return fail(path.span, fmt::format("interface `{}` does not exist in package `{}`", name, p.name.to_string()));
}

Expected<WorldId> PackageResolver::resolve_world_path(const ast::UsePath& path, size_t decl) const {
  const std::string& name = path.name.name;
  if (!path.package || is_self(*path.package)) {
    if (!path.package && file_scopes_[decl].contains(name)) {
      return fail(path.span, fmt::format("`{}` is an interface, not a world", name));
    }
    const Package& me = r_.packages[pkg_];
    if (const WorldId* id = me.worlds.find(name)) return *id;
    if (me.interfaces.contains(name)) return fail(path.span, fmt::format("`{}` is an interface, not a world", name));
    return fail(path.span, fmt::format("world `{}` does not exist in package `{}`{}", name, me.name.to_string(),
                                       gated_hint(name)));
  }
  KUMO_TRY(PackageId pid, lookup_package(*path.package));
  const Package& p = r_.packages[pid];
  if (const WorldId* id = p.worlds.find(name)) return *id;
  if (p.interfaces.contains(name)) return fail(path.span, fmt::format("`{}` is an interface, not a world", name));
  return fail(path.span, fmt::format("world `{}` does not exist in package `{}`", name, p.name.to_string()));
}

Expected<PackageId> PackageResolver::run() {
  pkg_ = static_cast<PackageId>(r_.packages.size());
  Package p;
  p.name = to_model(*unit_.name);
  p.docs = unit_.docs;
  p.span = unit_.name->span;
  r_.packages.push_back(std::move(p));
  file_scopes_.resize(unit_.decls.size());
  KUMO_CHECK(check_gates());
  KUMO_CHECK(collect_items());
  KUMO_CHECK(build_file_scopes());
  KUMO_CHECK(resolve_interfaces());
  KUMO_CHECK(resolve_worlds());
  r_.register_package(pkg_);
  return pkg_;
}

// Gate rules that do not depend on resolution: `@since` may not name a version after the
// package's own, and items inside an excluded `@unstable` item must be gated as well (otherwise
// they would silently disappear with it).
Expected<void> PackageResolver::check_gate(const ast::Attrs& attrs, Span span, const ast::Attrs* container) const {
  const ast::Gate& g = attrs.gate;
  const auto& version = unit_.name->version;
  if (g.kind == ast::Gate::Kind::Since && version && *version < g.since) {
    return fail(g.span, fmt::format("feature gate refers to version {} of package `{}`, which is later than the "
                                    "package's version {}", g.since.to_string(), to_model(*unit_.name).to_string(),
                                    version->to_string()));
  }
  if (container && container->gate.kind == ast::Gate::Kind::Unstable && !enabled(*container) &&
      g.kind == ast::Gate::Kind::None) {
    return fail(span, fmt::format("this item is not gated, but the item containing it is excluded by feature `{}`; "
                                  "gate it with `@unstable(feature = {})` too", container->gate.feature.name,
                                  container->gate.feature.name));
  }
  return {};
}

Expected<void> PackageResolver::check_gates() const {
  auto iface_items = [&](const std::vector<ast::InterfaceItem>& items, const ast::Attrs& outer) -> Expected<void> {
    for (const ast::InterfaceItem& item : items) {
      if (const auto* u = std::get_if<ast::Use>(&item)) KUMO_CHECK(check_gate(u->attrs, u->span, &outer));
      if (const auto* f = std::get_if<ast::Func>(&item)) KUMO_CHECK(check_gate(f->attrs, f->name.span, &outer));
      if (const auto* t = std::get_if<ast::TypeDef>(&item)) {
        KUMO_CHECK(check_gate(t->attrs, t->name.span, &outer));
        const ast::Attrs& container = t->attrs.gate.kind == ast::Gate::Kind::None ? outer : t->attrs;
        for (const ast::ResourceFunc& rf : t->funcs) KUMO_CHECK(check_gate(rf.attrs, rf.name.span, &container));
      }
    }
    return {};
  };
  for (const ast::DeclList* decls : unit_.decls) {
    for (const ast::PackageItem& item : decls->items) {
      if (const auto* u = std::get_if<ast::TopUse>(&item)) KUMO_CHECK(check_gate(u->attrs, u->span, nullptr));
      if (const auto* i = std::get_if<ast::Interface>(&item)) {
        KUMO_CHECK(check_gate(i->attrs, i->name.span, nullptr));
        KUMO_CHECK(iface_items(i->items, i->attrs));
      }
      const auto* w = std::get_if<ast::World>(&item);
      if (!w) continue;
      KUMO_CHECK(check_gate(w->attrs, w->name.span, nullptr));
      for (const ast::WorldItem& wi : w->items) {
        if (const auto* e = std::get_if<ast::Extern>(&wi)) {
          KUMO_CHECK(check_gate(e->attrs, e->span, &w->attrs));
          if (e->kind == ast::Extern::Kind::Interface) KUMO_CHECK(iface_items(e->iface.items, e->attrs));
        } else if (const auto* u = std::get_if<ast::Use>(&wi)) {
          KUMO_CHECK(check_gate(u->attrs, u->span, &w->attrs));
        } else if (const auto* t = std::get_if<ast::TypeDef>(&wi)) {
          KUMO_CHECK(check_gate(t->attrs, t->name.span, &w->attrs));
          for (const ast::ResourceFunc& rf : t->funcs) KUMO_CHECK(check_gate(rf.attrs, rf.name.span, &t->attrs));
        } else if (const auto* inc = std::get_if<ast::Include>(&wi)) {
          KUMO_CHECK(check_gate(inc->attrs, inc->span, &w->attrs));
        }
      }
    }
  }
  return {};
}

// Interfaces and worlds share the package namespace; both are created up front (empty) so that
// items can refer to each other regardless of file or textual order.
Expected<void> PackageResolver::collect_items() {
  Names names;
  for (size_t d = 0; d < unit_.decls.size(); ++d) {
    for (const ast::PackageItem& item : unit_.decls[d]->items) {
      if (const auto* i = std::get_if<ast::Interface>(&item)) {
        if (!enabled(i->attrs)) {
          note_disabled(i->attrs, i->name.name);
          continue;
        }
        KUMO_CHECK(names.define(*this, i->name, "interface or world"));
        Interface iface;
        iface.name = i->name.name;
        iface.package = pkg_;
        iface.docs = i->attrs.docs;
        iface.stability = stability(i->attrs.gate);
        iface.external_id = i->attrs.external_id;
        iface.span = i->name.span;
        InterfaceId id = static_cast<InterfaceId>(r_.interfaces.size());
        r_.interfaces.push_back(std::move(iface));
        r_.packages[pkg_].interfaces.insert(i->name.name, id);
        ifaces_.push_back({id, {i, d}});
      } else if (const auto* w = std::get_if<ast::World>(&item)) {
        if (!enabled(w->attrs)) {
          note_disabled(w->attrs, w->name.name);
          continue;
        }
        KUMO_CHECK(names.define(*this, w->name, "interface or world"));
        World world;
        world.name = w->name.name;
        world.package = pkg_;
        world.docs = w->attrs.docs;
        world.stability = stability(w->attrs.gate);
        world.span = w->name.span;
        WorldId id = static_cast<WorldId>(r_.worlds.size());
        r_.worlds.push_back(std::move(world));
        r_.packages[pkg_].worlds.insert(w->name.name, id);
        worlds_.push_back({id, {w, d}});
      }
    }
  }
  return {};
}

// Top-level `use` names are visible in their own file (block) only. They may shadow the package's
// interfaces and worlds defined in other files, but not ones defined in the same file.
Expected<void> PackageResolver::build_file_scopes() {
  for (size_t d = 0; d < unit_.decls.size(); ++d) {
    std::set<std::string> local;
    for (const ast::PackageItem& item : unit_.decls[d]->items) {
      if (const auto* i = std::get_if<ast::Interface>(&item)) local.insert(i->name.name);
      if (const auto* w = std::get_if<ast::World>(&item)) local.insert(w->name.name);
    }
    for (const ast::PackageItem& item : unit_.decls[d]->items) {
      const auto* u = std::get_if<ast::TopUse>(&item);
      if (!u || !enabled(u->attrs)) continue;
      KUMO_TRY(InterfaceId target, resolve_interface_path(u->path, d));
      const ast::Id& name = u->as ? *u->as : u->path.name;
      if (local.count(name.name)) {
        if (!u->path.package && !u->as) continue;  // `use foo;` of a local item is a no-op
        return fail(name.span, fmt::format("`{}` conflicts with an interface or world of the same name in this file; "
                                           "rename it with `as`", name.name));
      }
      if (!file_scopes_[d].insert(name.name, target)) {
        return fail(name.span, fmt::format("`{}` is defined more than once in this file", name.name));
      }
    }
  }
  return {};
}

Expected<void> PackageResolver::resolve_interfaces() {
  std::map<InterfaceId, size_t> index;
  for (size_t i = 0; i < ifaces_.size(); ++i) index[ifaces_[i].first] = i;
  using Edges = std::vector<std::pair<size_t, Span>>;
  auto deps = [&](size_t i) -> Expected<Edges> {
    Edges edges;
    const auto& [ast, decl] = ifaces_[i].second;
    for (const ast::InterfaceItem& item : ast->items) {
      const auto* u = std::get_if<ast::Use>(&item);
      if (!u || !enabled(u->attrs)) continue;
      KUMO_TRY(InterfaceId target, resolve_interface_path(u->path, decl));
      auto it = index.find(target);
      if (it != index.end()) edges.push_back({it->second, u->path.span});
    }
    return edges;
  };
  auto what = [&](size_t i) { return fmt::format("interface `{}`", ifaces_[i].second.first->name.name); };
  auto visit = [&](size_t i) -> Expected<void> {
    const auto& [ast, decl] = ifaces_[i].second;
    return resolve_interface_body(ifaces_[i].first, ast->items, decl);
  };
  return topo_visit(ifaces_.size(), deps, what, visit,
                    [&](Span s, std::string m) { return fail(s, m); });
}

Expected<void> PackageResolver::resolve_worlds() {
  std::map<WorldId, size_t> index;
  for (size_t i = 0; i < worlds_.size(); ++i) index[worlds_[i].first] = i;
  using Edges = std::vector<std::pair<size_t, Span>>;
  auto deps = [&](size_t i) -> Expected<Edges> {
    Edges edges;
    const auto& [ast, decl] = worlds_[i].second;
    for (const ast::WorldItem& item : ast->items) {
      const auto* inc = std::get_if<ast::Include>(&item);
      if (!inc || !enabled(inc->attrs)) continue;
      KUMO_TRY(WorldId target, resolve_world_path(inc->path, decl));
      auto it = index.find(target);
      if (it != index.end()) edges.push_back({it->second, inc->path.span});
    }
    return edges;
  };
  auto what = [&](size_t i) { return fmt::format("world `{}`", worlds_[i].second.first->name.name); };
  auto visit = [&](size_t i) -> Expected<void> {
    const auto& [ast, decl] = worlds_[i].second;
    return resolve_world(worlds_[i].first, *ast, decl);
  };
  return topo_visit(worlds_.size(), deps, what, visit,
                    [&](Span s, std::string m) { return fail(s, m); });
}

}  // namespace kumo::wit::detail
