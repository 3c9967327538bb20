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

// Copies the world-level types of an included world into the including world (renamed as `with`
// says) and rewrites the included items to use the copies, so every world owns its own types.
class TypeCloner {
 public:
  TypeCloner(Resolve& r, WorldId from, WorldId to, const std::map<std::string, std::string>& renames)
      : r_(r), renames_(renames) {
    const World& src = r_.worlds[from];
    std::vector<TypeId> cloned;
    for (const WorldItem& item : src.imports) {
      if (item.kind != WorldItem::Kind::Type || r_.types[item.type].owner != TypeOwner{TypeOwner::Kind::World, from}) continue;
      TypeDef copy = r_.types[item.type];
      copy.name = renamed(*copy.name);
      copy.owner = TypeOwner{TypeOwner::Kind::World, to};
      TypeId id = r_.add_type(std::move(copy));
      map_[item.type] = id;
      cloned.push_back(id);
    }
    for (TypeId id : cloned) {
      TypeDefKind kind = remap_kind(r_.types[id].kind);
      r_.types[id].kind = std::move(kind);
    }
  }

  WorldItem item(const WorldItem& item) {
    WorldItem copy = item;
    copy.name = renamed(item.name);
    if (copy.kind == WorldItem::Kind::Type) copy.type = remap_id(item.type);
    if (copy.kind != WorldItem::Kind::Function) return copy;
    Function& f = copy.func;
    for (Param& p : f.params) p.type = remap(p.type);
    if (f.result) f.result = remap(*f.result);
    if (f.kind == FunctionKind::Freestanding) {
      f.name = copy.name;  // a world function is named by its label
      return copy;
    }
    // Resource functions follow their (possibly renamed) resource: "[method]r.f" -> "[method]s.f".
    f.resource = remap_id(f.resource);
    std::string res = *r_.types[f.resource].name;
    std::string item_name(item.func.item_name());
    f.name = f.kind == FunctionKind::Constructor ? "[constructor]" + res
             : f.kind == FunctionKind::Method    ? "[method]" + res + "." + item_name
                                                 : "[static]" + res + "." + item_name;
    copy.name = f.name;
    return copy;
  }

 private:
  std::string renamed(const std::string& name) const {
    auto it = renames_.find(name);
    return it == renames_.end() ? name : it->second;
  }
  TypeId remap_id(TypeId id) const {
    auto it = map_.find(id);
    return it == map_.end() ? id : it->second;
  }
  std::optional<Type> remap(const std::optional<Type>& t) { return t ? std::optional<Type>(remap(*t)) : std::nullopt; }
  // Named types map through the clone table; anonymous ones are rebuilt when a part changed.
  Type remap(Type t) {
    if (!t.is_id()) return t;
    if (auto it = map_.find(t.id); it != map_.end()) return Type::of(it->second);
    if (r_.types[t.id].name) return t;
    Span span = r_.types[t.id].span;
    // remap_kind may intern types (growing r_.types), so no reference into it is kept across.
    TypeDefKind kind = remap_kind(r_.types[t.id].kind);
    TypeId id = r_.intern_anonymous(std::move(kind), span);
    map_[t.id] = id;
    return Type::of(id);
  }
  TypeDefKind remap_kind(TypeDefKind kind) {
    if (auto* a = std::get_if<Alias>(&kind)) a->target = remap(a->target);
    if (auto* h = std::get_if<Handle>(&kind)) h->resource = remap_id(h->resource);
    if (auto* rec = std::get_if<Record>(&kind)) {
      for (Field& f : rec->fields) f.type = remap(f.type);
    }
    if (auto* v = std::get_if<Variant>(&kind)) {
      for (Case& c : v->cases) c.type = remap(c.type);
    }
    if (auto* t = std::get_if<Tuple>(&kind)) {
      for (Type& e : t->types) e = remap(e);
    }
    if (auto* o = std::get_if<OptionType>(&kind)) o->type = remap(o->type);
    if (auto* res = std::get_if<ResultType>(&kind)) {
      res->ok = remap(res->ok);
      res->err = remap(res->err);
    }
    if (auto* l = std::get_if<List>(&kind)) l->elem = remap(l->elem);
    if (auto* m = std::get_if<Map>(&kind)) {
      m->key = remap(m->key);
      m->value = remap(m->value);
    }
    if (auto* f = std::get_if<Future>(&kind)) f->type = remap(f->type);
    if (auto* s = std::get_if<Stream>(&kind)) s->type = remap(s->type);
    return kind;
  }

  Resolve& r_;
  const std::map<std::string, std::string>& renames_;
  std::map<TypeId, TypeId> map_;
};

}  // namespace

Expected<void> PackageResolver::resolve_world(WorldId id, const ast::World& w, size_t decl) {
  TypeScope scope;
  scope.owner = TypeOwner{TypeOwner::Kind::World, id};
  scope.decl = decl;
  std::vector<TypeItem> type_items;
  for (const ast::WorldItem& item : w.items) {
    if (const auto* u = std::get_if<ast::Use>(&item)) {
      if (enabled(u->attrs)) {
        type_items.push_back(u);
      } else {
        for (const ast::UseName& n : u->names) note_disabled(u->attrs, (n.as ? *n.as : n.name).name);
      }
    }
    if (const auto* t = std::get_if<ast::TypeDef>(&item)) {
      if (enabled(t->attrs)) {
        type_items.push_back(t);
      } else {
        note_disabled(t->attrs, t->name.name);
      }
    }
  }
  std::vector<TypeId> order;
  KUMO_CHECK(define_types(scope, type_items, order));

  // Built aside and stored once complete: resolving inline interfaces appends to r_.interfaces.
  World world = r_.worlds[id];
  Names& import_names = scope.names;  // world types are imports, so they share the namespace
  Names export_names;
  std::vector<const ast::Include*> includes;
  std::vector<WorldItem> resource_funcs;
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
      wi.external_id = td.external_id;
      wi.span = td.span;
      world.imports.push_back(std::move(wi));
    }
    // A world-level resource's functions are imports of the world; like wasm-tools, they follow
    // the world's other items.
    if (const auto* t = std::get_if<ast::TypeDef>(&item); t && t->kind == ast::TypeDef::Kind::Resource) {
      KUMO_TRY(std::vector<Function> funcs, resolve_resource_funcs(scope, *t));
      for (Function& fn : funcs) {
        WorldItem wi;
        wi.kind = WorldItem::Kind::Function;
        wi.name = fn.name;
        wi.docs = fn.docs;
        wi.stability = fn.stability;
        wi.external_id = fn.external_id;
        wi.span = fn.span;
        wi.func = std::move(fn);
        resource_funcs.push_back(std::move(wi));
      }
    }
  }
  for (WorldItem& wi : resource_funcs) world.imports.push_back(std::move(wi));
  r_.worlds[id] = std::move(world);
  for (const ast::Include* inc : includes) KUMO_CHECK(apply_include(id, *inc, decl));
  return elaborate(r_.worlds[id]);
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
  TypeCloner clone(r_, src, id, renames);
  World& w = r_.worlds[id];
  for (bool exports : {false, true}) {
    const std::vector<WorldItem>& items = exports ? from.exports : from.imports;
    std::vector<WorldItem>& dest = exports ? w.exports : w.imports;
    for (const WorldItem& item : items) {
      if (item.interface_named()) {
        if (!has_interface(dest, item.iface)) dest.push_back(item);
        continue;
      }
      WorldItem copy = clone.item(item);
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
// before that item (exports may instead depend on other exports). Imports are then ordered as
// wasm-tools orders them: interfaces, then types, then functions (each group keeping its order).
// Idempotent, so printing an elaborated world and resolving it again gives the same lists.
Expected<void> PackageResolver::elaborate(World& w) {
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
  // An export may use imported interfaces, but those must not lead back to an exported one: the
  // export would then see that interface's types twice (once imported, once exported).
  auto check_export = [&](const WorldItem& item) -> Expected<void> {
    std::vector<InterfaceId> todo;  // imported interfaces the export depends on
    std::set<InterfaceId> seen;
    for (InterfaceId d : r_.interface_deps(item.iface)) {
      if (!explicit_exports.count(d)) todo.push_back(d);
    }
    while (!todo.empty()) {
      InterfaceId d = todo.back();
      todo.pop_back();
      if (!seen.insert(d).second) continue;
      for (InterfaceId dd : r_.interface_deps(d)) {
        if (explicit_exports.count(dd)) {
          return fail(item.span, fmt::format("export `{}` depends on `{}`, which is imported but itself depends on "
                                             "`{}`, which is exported; export `{}` as well or stop exporting `{}`",
                                             r_.item_name(item), r_.interface_name(d), r_.interface_name(dd),
                                             r_.interface_name(d), r_.interface_name(dd)));
        }
        todo.push_back(dd);
      }
    }
    return {};
  };
  for (const WorldItem& item : w.exports) {
    if (item.kind == WorldItem::Kind::Interface) KUMO_CHECK(check_export(item));
    if (item.interface_named()) {
      export_iface(item.iface);
      continue;
    }
    if (item.kind == WorldItem::Kind::Interface) export_deps(item.iface);
    exports.push_back(item);
  }
  std::stable_partition(imports.begin(), imports.end(),
                        [](const WorldItem& i) { return i.kind == WorldItem::Kind::Interface; });
  std::stable_partition(imports.begin(), imports.end(),
                        [](const WorldItem& i) { return i.kind != WorldItem::Kind::Function; });
  w.imports = std::move(imports);
  w.exports = std::move(exports);
  return {};
}

}  // namespace kumo::wit::detail
