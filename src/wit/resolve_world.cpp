// World resolution: world-level types, imports and exports of every form, `include` with
// `with` renames, and elaboration (adding the interfaces that imports and exports depend on).
#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <set>

#include "wit/package_resolver.hpp"

namespace kumo::wit::detail {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool has_label(const std::vector<WorldItem>& items, std::string_view name) {
  std::string key = lower(name);
  for (const WorldItem& i : items) {
    if (!i.name.empty() && lower(i.name) == key) return true;
  }
  return false;
}

bool has_interface(const std::vector<WorldItem>& items, InterfaceId id) {
  for (const WorldItem& i : items) {
    if (i.interface_named() && i.iface == id) return true;
  }
  return false;
}

}  // namespace

Expected<void> PackageResolver::resolve_world(WorldId id, const ast::World& w, size_t decl) {
  TypeScope scope;
  scope.owner = TypeOwner{TypeOwner::Kind::World, id};
  scope.decl = decl;
  std::vector<TypeItem> type_items;
  for (const ast::WorldItem& item : w.items) {
    if (const auto* u = std::get_if<ast::Use>(&item); u && enabled(u->attrs)) type_items.push_back(u);
    if (const auto* t = std::get_if<ast::TypeDef>(&item); t && enabled(t->attrs)) type_items.push_back(t);
  }
  std::vector<TypeId> order;
  KUMO_CHECK(define_types(scope, type_items, order));
  for (const ast::WorldItem& item : w.items) {
    if (const auto* t = std::get_if<ast::TypeDef>(&item); t && t->kind == ast::TypeDef::Kind::Resource && !t->funcs.empty()) {
      return fail(t->name.span, "resources with methods must be defined in an interface, not in a world");
    }
  }

  // Built aside and stored once complete: resolving inline interfaces appends to r_.interfaces.
  World world = r_.worlds[id];
  Names& import_names = scope.names;  // world types are imports, so they share the namespace
  Names export_names;
  std::vector<const ast::Include*> includes;
  size_t next_type = 0;
  for (const ast::WorldItem& item : w.items) {
    if (const auto* inc = std::get_if<ast::Include>(&item)) {
      if (enabled(inc->attrs)) includes.push_back(inc);
      continue;
    }
    if (const auto* e = std::get_if<ast::Extern>(&item)) {
      if (!enabled(e->attrs)) {
        note_disabled(e->attrs, e->kind == ast::Extern::Kind::Path ? e->path.name.name : e->name.name);
        continue;
      }
      KUMO_CHECK(add_extern(world, scope, *e, decl, import_names, export_names));
      continue;
    }
    size_t count = 0;
    const ast::Attrs* attrs = nullptr;
    if (const auto* u = std::get_if<ast::Use>(&item)) {
      count = u->names.size();
      attrs = &u->attrs;
    } else {
      attrs = &std::get<ast::TypeDef>(item).attrs;
      count = 1;
    }
    if (!enabled(*attrs)) continue;
    for (size_t k = 0; k < count; ++k) {
      TypeId tid = order[next_type++];
      const TypeDef& td = r_.types[tid];
      WorldItem wi;
      wi.kind = WorldItem::Kind::Type;
      wi.name = *td.name;
      wi.type = tid;
      wi.docs = td.docs;
      wi.stability = td.stability;
      wi.span = td.span;
      world.imports.push_back(std::move(wi));
    }
  }
  r_.worlds[id] = std::move(world);
  for (const ast::Include* inc : includes) KUMO_CHECK(apply_include(id, *inc, decl));
  elaborate(r_.worlds[id]);
  return {};
}

Expected<void> PackageResolver::add_extern(World& world, TypeScope& scope, const ast::Extern& e, size_t decl,
                                           Names& import_names, Names& export_names) {
  Names& names = e.is_export ? export_names : import_names;
  std::vector<WorldItem>& list = e.is_export ? world.exports : world.imports;
  const char* what = e.is_export ? "export" : "import";
  WorldItem item;
  item.docs = e.attrs.docs;
  item.stability = stability(e.attrs.gate);
  item.external_id = e.attrs.external_id;
  item.span = e.kind == ast::Extern::Kind::Path ? e.path.span : e.name.span;
  switch (e.kind) {
    case ast::Extern::Kind::Path: {
      KUMO_TRY(item.iface, resolve_interface_path(e.path, decl));
      if (has_interface(list, item.iface)) {
        return fail(e.path.span, fmt::format("interface `{}` is {}ed more than once", r_.interface_name(item.iface), what));
      }
      break;
    }
    case ast::Extern::Kind::Func: {
      KUMO_CHECK(names.define(*this, e.name, what));
      item.kind = WorldItem::Kind::Function;
      item.name = e.name.name;
      KUMO_TRY(item.func, resolve_function(scope, e.func, e.attrs, FunctionKind::Freestanding, e.name, kNoId));
      break;
    }
    case ast::Extern::Kind::Interface: {
      KUMO_CHECK(names.define(*this, e.name, what));
      Interface iface;
      iface.package = pkg_;
      iface.docs = e.attrs.docs;
      iface.stability = item.stability;
      iface.span = e.name.span;
      InterfaceId iid = static_cast<InterfaceId>(r_.interfaces.size());
      r_.interfaces.push_back(std::move(iface));
      KUMO_CHECK(resolve_interface_body(iid, e.iface.items, decl));
      item.name = e.name.name;
      item.iface = iid;
      break;
    }
    case ast::Extern::Kind::NamedPath: {
      KUMO_CHECK(names.define(*this, e.name, what));
      item.name = e.name.name;
      KUMO_TRY(item.iface, resolve_interface_path(e.path, decl));
      break;
    }
  }
  list.push_back(std::move(item));
  return {};
}

// Union of worlds: interface-named items are de-duplicated, plain labels must not clash (unless
// renamed with `with`), and `with` may only rename labels the included world has.
Expected<void> PackageResolver::apply_include(WorldId id, const ast::Include& inc, size_t decl) {
  KUMO_TRY(WorldId src, resolve_world_path(inc.path, decl));
  const World from = r_.worlds[src];
  std::map<std::string, std::string> renames;
  for (const ast::IncludeName& n : inc.with) {
    if (!has_label(from.imports, n.name.name) && !has_label(from.exports, n.name.name)) {
      return fail(n.name.span, fmt::format("world `{}` has no import or export named `{}` (only plain names can be "
                                           "renamed with `with`)", r_.world_name(src), n.name.name));
    }
    if (!renames.emplace(n.name.name, n.as.name).second) {
      return fail(n.name.span, fmt::format("`{}` is renamed more than once", n.name.name));
    }
  }
  World& w = r_.worlds[id];
  for (bool exports : {false, true}) {
    const std::vector<WorldItem>& items = exports ? from.exports : from.imports;
    std::vector<WorldItem>& dest = exports ? w.exports : w.imports;
    for (const WorldItem& item : items) {
      if (item.interface_named()) {
        if (!has_interface(dest, item.iface)) dest.push_back(item);
        continue;
      }
      WorldItem copy = item;
      if (auto it = renames.find(item.name); it != renames.end()) copy.name = it->second;
      if (has_label(dest, copy.name)) {
        return fail(inc.span, fmt::format("{} `{}` of world `{}` conflicts with an existing {} of the same name; rename it "
                                          "with `with {{ {} as ... }}`", exports ? "export" : "import", copy.name,
                                          r_.world_name(src), exports ? "export" : "import", item.name));
      }
      dest.push_back(std::move(copy));
    }
  }
  return {};
}

// Makes the implicit explicit: an interface whose types another item uses must be imported
// before that item (exports may instead depend on other exports). Idempotent, so printing an
// elaborated world and resolving it again gives the same lists.
void PackageResolver::elaborate(World& w) {
  std::vector<WorldItem> imports;
  std::set<InterfaceId> placed;
  std::map<InterfaceId, const WorldItem*> explicit_imports;
  for (const WorldItem& i : w.imports) {
    if (i.interface_named()) explicit_imports.emplace(i.iface, &i);
  }
  std::function<void(InterfaceId)> import_iface = [&](InterfaceId id) {
    if (placed.count(id)) return;
    for (InterfaceId dep : r_.interface_deps(id)) import_iface(dep);
    placed.insert(id);
    auto it = explicit_imports.find(id);
    if (it != explicit_imports.end()) {
      imports.push_back(*it->second);
    } else {
      WorldItem item;
      item.iface = id;
      imports.push_back(std::move(item));
    }
  };
  for (const WorldItem& item : w.imports) {
    if (item.interface_named()) {
      import_iface(item.iface);
      continue;
    }
    if (item.kind == WorldItem::Kind::Interface) {
      for (InterfaceId dep : r_.interface_deps(item.iface)) import_iface(dep);
    } else if (item.kind == WorldItem::Kind::Type) {
      const Alias* a = r_.types[item.type].as<Alias>();
      if (a && a->target.is_id()) {
        const TypeOwner& owner = r_.types[a->target.id].owner;
        if (owner.kind == TypeOwner::Kind::Interface) import_iface(owner.id);
      }
    }
    imports.push_back(item);
  }

  std::vector<WorldItem> exports;
  std::set<InterfaceId> exported;
  std::map<InterfaceId, const WorldItem*> explicit_exports;
  for (const WorldItem& i : w.exports) {
    if (i.interface_named()) explicit_exports.emplace(i.iface, &i);
  }
  std::function<void(InterfaceId)> export_deps;
  std::function<void(InterfaceId)> export_iface = [&](InterfaceId id) {
    if (exported.count(id)) return;
    exported.insert(id);
    export_deps(id);
    exports.push_back(*explicit_exports.at(id));
  };
  export_deps = [&](InterfaceId id) {
    for (InterfaceId dep : r_.interface_deps(id)) {
      if (explicit_exports.count(dep)) {
        export_iface(dep);
      } else {
        import_iface(dep);
      }
    }
  };
  for (const WorldItem& item : w.exports) {
    if (item.interface_named()) {
      export_iface(item.iface);
      continue;
    }
    if (item.kind == WorldItem::Kind::Interface) export_deps(item.iface);
    exports.push_back(item);
  }
  w.imports = std::move(imports);
  w.exports = std::move(exports);
}

}  // namespace kumo::wit::detail
