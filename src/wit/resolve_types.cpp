// Type and function resolution inside one scope (an interface, an inline interface or a world):
// `use` aliases, type definitions in dependency order (rejecting recursive types), value types
// with resource names turned into handles, and functions including resource methods.
#include <algorithm>
#include <map>

#include "wit/package_resolver.hpp"
#include "wit/topo_sort.hpp"

namespace kumo::wit::detail {

namespace {

TypeKind prim_kind(ast::TypeExprKind k) {
  using K = ast::TypeExprKind;
  switch (k) {
    case K::Bool: return TypeKind::Bool;
    case K::U8: return TypeKind::U8;
    case K::U16: return TypeKind::U16;
    case K::U32: return TypeKind::U32;
    case K::U64: return TypeKind::U64;
    case K::S8: return TypeKind::S8;
    case K::S16: return TypeKind::S16;
    case K::S32: return TypeKind::S32;
    case K::S64: return TypeKind::S64;
    case K::F32: return TypeKind::F32;
    case K::F64: return TypeKind::F64;
    case K::Char: return TypeKind::Char;
    case K::String: return TypeKind::String;
    case K::ErrorContext: return TypeKind::ErrorContext;
    default: return TypeKind::Id;
  }
}

bool is_prim(ast::TypeExprKind k) { return prim_kind(k) != TypeKind::Id; }

// Every name a type expression mentions, for ordering type definitions.
void collect_names(const ast::TypeExpr& e, std::vector<const ast::Id*>& out) {
  using K = ast::TypeExprKind;
  if (e.kind == K::Named || e.kind == K::Own || e.kind == K::Borrow) out.push_back(&e.name);
  for (const ast::TypeExpr& a : e.args) collect_names(a, out);
}

std::vector<const ast::Id*> typedef_names(const ast::TypeDef& def) {
  std::vector<const ast::Id*> out;
  if (def.kind == ast::TypeDef::Kind::Alias) collect_names(def.alias, out);
  for (const ast::Field& f : def.fields) collect_names(f.type, out);
  for (const ast::Case& c : def.cases) {
    if (c.type) collect_names(*c.type, out);
  }
  return out;
}

}  // namespace

Expected<TypeId> PackageResolver::lookup_type(const TypeScope& scope, const ast::Id& name) const {
  if (const TypeId* id = scope.types.find(name.name)) return *id;
  std::string hint = gated_hint(name.name);
  if (hint.empty() && scope.owner.kind == TypeOwner::Kind::Interface &&
      r_.interfaces[scope.owner.id].functions.contains(name.name)) {
    hint = " (it is a function, not a type)";
  }
  return fail(name.span, fmt::format("type `{}` is not defined{}", name.name, hint));
}

Expected<Type> PackageResolver::resolve_type(const TypeScope& scope, const ast::TypeExpr& e) {
  if (is_prim(e.kind)) return Type::prim(prim_kind(e.kind));
  if (e.kind == ast::TypeExprKind::Named) {
    KUMO_TRY(TypeId id, lookup_type(scope, e.name));
    // A resource named as a value type is an owned handle to it.
    if (r_.is_resource(id)) return Type::of(r_.intern_anonymous(Handle{Handle::Kind::Own, id}, e.span));
    return Type::of(id);
  }
  KUMO_TRY(TypeDefKind kind, resolve_structural(scope, e));
  return Type::of(r_.intern_anonymous(std::move(kind), e.span));
}

Expected<TypeDefKind> PackageResolver::resolve_structural(const TypeScope& scope, const ast::TypeExpr& e) {
  using K = ast::TypeExprKind;
  switch (e.kind) {
    case K::List: {
      KUMO_TRY(Type elem, resolve_type(scope, e.args[0]));
      return TypeDefKind{List{elem, e.fixed_size}};
    }
    case K::Option: {
      KUMO_TRY(Type t, resolve_type(scope, e.args[0]));
      return TypeDefKind{OptionType{t}};
    }
    case K::Result: {
      ResultType r;
      size_t i = 0;
      if (e.has_ok) {
        KUMO_TRY(r.ok, resolve_type(scope, e.args[i++]));
      }
      if (e.has_err) {
        KUMO_TRY(r.err, resolve_type(scope, e.args[i]));
      }
      return TypeDefKind{r};
    }
    case K::Tuple: {
      Tuple t;
      for (const ast::TypeExpr& a : e.args) {
        KUMO_TRY(Type ty, resolve_type(scope, a));
        t.types.push_back(ty);
      }
      return TypeDefKind{std::move(t)};
    }
    case K::Map: {
      KUMO_TRY(Type k, resolve_type(scope, e.args[0]));
      KUMO_TRY(Type v, resolve_type(scope, e.args[1]));
      return TypeDefKind{Map{k, v}};
    }
    case K::Own:
    case K::Borrow: {
      KUMO_TRY(TypeId id, lookup_type(scope, e.name));
      if (!r_.is_resource(id)) {
        return fail(e.name.span, fmt::format("`{}` is not a resource type, so it cannot be used in `{}<...>`",
                                             e.name.name, e.kind == K::Own ? "own" : "borrow"));
      }
      return TypeDefKind{Handle{e.kind == K::Own ? Handle::Kind::Own : Handle::Kind::Borrow, id}};
    }
    case K::Future:
    case K::Stream: {
      std::optional<Type> payload;
      if (!e.args.empty()) {
        KUMO_TRY(payload, resolve_type(scope, e.args[0]));
      }
      if (e.kind == K::Future) return TypeDefKind{Future{payload}};
      return TypeDefKind{Stream{payload}};
    }
    default:
      return fail(e.span, "internal error: not a structural type");
  }
}

Expected<void> PackageResolver::define_use(TypeScope& scope, const ast::Use& use, std::vector<TypeId>& order) {
  KUMO_TRY(InterfaceId target, resolve_interface_path(use.path, scope.decl));
  if (scope.owner.kind == TypeOwner::Kind::Interface && target == scope.owner.id) {
    return fail(use.path.span, "an interface cannot `use` types from itself");
  }
  for (const ast::UseName& n : use.names) {
    const Interface& from = r_.interfaces[target];
    const TypeId* tid = from.types.find(n.name.name);
    if (!tid) {
      std::string what = from.functions.contains(n.name.name) ? " (it is a function; only types can be `use`d)" : "";
      if (what.empty() && from.package == pkg_) what = gated_hint(n.name.name);
      return fail(n.name.span, fmt::format("type `{}` is not defined in interface `{}`{}", n.name.name,
                                           r_.interface_name(target), what));
    }
    const ast::Id& local = n.as ? *n.as : n.name;
    KUMO_CHECK(scope.names.define(*this, local, "type"));
    TypeDef def;
    def.name = local.name;
    def.kind = Alias{Type::of(*tid)};
    def.owner = scope.owner;
    def.stability = stability(use.attrs.gate);
    def.span = local.span;
    TypeId id = r_.add_type(std::move(def));
    scope.types.insert(local.name, id);
    order.push_back(id);
  }
  return {};
}

Expected<void> PackageResolver::define_types(TypeScope& scope, const std::vector<TypeItem>& items,
                                             std::vector<TypeId>& order) {
  std::vector<std::pair<TypeId, const ast::TypeDef*>> pending;
  for (const TypeItem& item : items) {
    if (const auto* use = std::get_if<const ast::Use*>(&item)) {
      KUMO_CHECK(define_use(scope, **use, order));
      continue;
    }
    const ast::TypeDef& def = *std::get<const ast::TypeDef*>(item);
    KUMO_CHECK(scope.names.define(*this, def.name, "type"));
    TypeDef td;
    td.name = def.name.name;
    // Resources are known to be resources before any body is resolved, so handles to them can
    // be checked in any order; other kinds are filled in below.
    if (def.kind == ast::TypeDef::Kind::Resource) td.kind = Resource{};
    td.owner = scope.owner;
    td.docs = def.attrs.docs;
    td.stability = stability(def.attrs.gate);
    td.external_id = def.attrs.external_id;
    td.span = def.name.span;
    TypeId id = r_.add_type(std::move(td));
    scope.types.insert(def.name.name, id);
    order.push_back(id);
    pending.push_back({id, &def});
  }
  std::map<TypeId, size_t> index;
  for (size_t i = 0; i < pending.size(); ++i) index[pending[i].first] = i;
  using Edges = std::vector<std::pair<size_t, Span>>;
  auto deps = [&](size_t i) -> Expected<Edges> {
    Edges edges;
    for (const ast::Id* name : typedef_names(*pending[i].second)) {
      const TypeId* id = scope.types.find(name->name);
      if (!id) continue;  // reported when the body is resolved
      auto it = index.find(*id);
      if (it != index.end()) edges.push_back({it->second, name->span});
    }
    return edges;
  };
  auto what = [&](size_t i) { return fmt::format("type `{}`", pending[i].second->name.name); };
  auto visit = [&](size_t i) { return resolve_typedef(scope, pending[i].first, *pending[i].second); };
  return topo_visit(pending.size(), deps, what, visit, [&](Span s, std::string m) { return fail(s, m); });
}

Expected<void> PackageResolver::resolve_typedef(TypeScope& scope, TypeId id, const ast::TypeDef& def) {
  using K = ast::TypeDef::Kind;
  TypeDefKind kind;
  switch (def.kind) {
    case K::Alias:
      if (def.alias.kind == ast::TypeExprKind::Named) {
        // `type a = b;` names b itself (even a resource), not an owned handle to it.
        KUMO_TRY(TypeId target, lookup_type(scope, def.alias.name));
        kind = Alias{Type::of(target)};
      } else if (is_prim(def.alias.kind)) {
        kind = Alias{Type::prim(prim_kind(def.alias.kind))};
      } else {
        KUMO_TRY(kind, resolve_structural(scope, def.alias));
      }
      break;
    case K::Record: {
      Record rec;
      Names names;
      for (const ast::Field& f : def.fields) {
        KUMO_CHECK(names.define(*this, f.name, "field"));
        KUMO_TRY(Type t, resolve_type(scope, f.type));
        rec.fields.push_back(Field{f.name.name, t, f.docs});
      }
      kind = std::move(rec);
      break;
    }
    case K::Variant: {
      Variant v;
      Names names;
      for (const ast::Case& c : def.cases) {
        KUMO_CHECK(names.define(*this, c.name, "case"));
        std::optional<Type> t;
        if (c.type) {
          KUMO_TRY(t, resolve_type(scope, *c.type));
        }
        v.cases.push_back(Case{c.name.name, t, c.docs});
      }
      kind = std::move(v);
      break;
    }
    case K::Enum:
    case K::Flags: {
      std::vector<EnumCase> cases;
      Names names;
      for (const ast::Case& c : def.cases) {
        KUMO_CHECK(names.define(*this, c.name, def.kind == K::Enum ? "case" : "flag"));
        cases.push_back(EnumCase{c.name.name, c.docs});
      }
      if (def.kind == K::Enum) {
        kind = Enum{std::move(cases)};
      } else {
        kind = Flags{std::move(cases)};
      }
      break;
    }
    case K::Resource:
      kind = Resource{};
      break;
  }
  r_.types[id].kind = std::move(kind);
  return {};
}

bool PackageResolver::contains_borrow(Type t, std::vector<TypeId>& seen) const {
  if (!t.is_id() || std::find(seen.begin(), seen.end(), t.id) != seen.end()) return false;
  seen.push_back(t.id);
  auto any = [&](const std::optional<Type>& o) { return o && contains_borrow(*o, seen); };
  const TypeDefKind& k = r_.types[t.id].kind;
  if (const auto* h = std::get_if<Handle>(&k)) return h->kind == Handle::Kind::Borrow;
  if (const auto* a = std::get_if<Alias>(&k)) return contains_borrow(a->target, seen);
  if (const auto* r = std::get_if<Record>(&k)) {
    return std::any_of(r->fields.begin(), r->fields.end(), [&](const Field& f) { return contains_borrow(f.type, seen); });
  }
  if (const auto* v = std::get_if<Variant>(&k)) {
    return std::any_of(v->cases.begin(), v->cases.end(), [&](const Case& c) { return any(c.type); });
  }
  if (const auto* tu = std::get_if<Tuple>(&k)) {
    return std::any_of(tu->types.begin(), tu->types.end(), [&](const Type& e) { return contains_borrow(e, seen); });
  }
  if (const auto* o = std::get_if<OptionType>(&k)) return contains_borrow(o->type, seen);
  if (const auto* r = std::get_if<ResultType>(&k)) return any(r->ok) || any(r->err);
  if (const auto* l = std::get_if<List>(&k)) return contains_borrow(l->elem, seen);
  if (const auto* m = std::get_if<Map>(&k)) return contains_borrow(m->value, seen);
  if (const auto* f = std::get_if<Future>(&k)) return any(f->type);
  if (const auto* s = std::get_if<Stream>(&k)) return any(s->type);
  return false;
}

Expected<Function> PackageResolver::resolve_function(const TypeScope& scope, const ast::FuncType& f,
                                                     const ast::Attrs& attrs, FunctionKind kind, const ast::Id& name,
                                                     TypeId resource) {
  Function fn;
  fn.kind = kind;
  fn.resource = resource;
  fn.async = f.async;
  fn.docs = attrs.docs;
  fn.stability = stability(attrs.gate);
  fn.external_id = attrs.external_id;
  fn.span = name.span;
  std::string rname = resource == kNoId ? std::string() : *r_.types[resource].name;
  switch (kind) {
    case FunctionKind::Freestanding: fn.name = name.name; break;
    case FunctionKind::Method: fn.name = "[method]" + rname + "." + name.name; break;
    case FunctionKind::Static: fn.name = "[static]" + rname + "." + name.name; break;
    case FunctionKind::Constructor: fn.name = "[constructor]" + rname; break;
  }
  Names names;
  if (kind == FunctionKind::Method) {
    KUMO_CHECK(names.define(*this, ast::Id{"self", name.span}, "parameter"));
    fn.params.push_back(Param{"self", Type::of(r_.intern_anonymous(Handle{Handle::Kind::Borrow, resource}, name.span))});
  }
  for (const ast::Param& p : f.params) {
    KUMO_CHECK(names.define(*this, p.name, "parameter"));
    KUMO_TRY(Type t, resolve_type(scope, p.type));
    fn.params.push_back(Param{p.name.name, t});
  }
  if (f.result) {
    KUMO_TRY(Type t, resolve_type(scope, *f.result));
    std::vector<TypeId> seen;
    if (contains_borrow(t, seen)) {
      return fail(f.result->span, "a function cannot return a borrowed handle (`borrow<...>` is only allowed in parameters)");
    }
    fn.result = t;
  }
  if (kind == FunctionKind::Constructor) {
    if (!fn.result) {
      fn.result = Type::of(r_.intern_anonymous(Handle{Handle::Kind::Own, resource}, name.span));
    } else {
      // Fallible constructors must return result<r, E>: the component model checks this shape.
      const ResultType* res = fn.result->is_id() ? r_.types[fn.result->id].as<ResultType>() : nullptr;
      const Handle* ok = res && res->ok && res->ok->is_id() ? r_.types[res->ok->id].as<Handle>() : nullptr;
      if (!ok || ok->kind != Handle::Kind::Own || r_.unalias(ok->resource) != resource) {
        return fail(f.result->span, fmt::format("a constructor must return `{0}` (implicitly) or `result<{0}, E>`", rname));
      }
    }
  }
  return fn;
}

Expected<void> PackageResolver::resolve_interface_body(InterfaceId id, const std::vector<ast::InterfaceItem>& items,
                                                       size_t decl) {
  TypeScope scope;
  scope.owner = TypeOwner{TypeOwner::Kind::Interface, id};
  scope.decl = decl;
  std::vector<TypeItem> type_items;
  for (const ast::InterfaceItem& item : items) {
    if (const auto* u = std::get_if<ast::Use>(&item)) {
      if (enabled(u->attrs)) {
        type_items.push_back(u);
      } else {
        for (const ast::UseName& n : u->names) note_disabled(u->attrs, (n.as ? *n.as : n.name).name);
      }
    } else if (const auto* t = std::get_if<ast::TypeDef>(&item)) {
      if (enabled(t->attrs)) {
        type_items.push_back(t);
      } else {
        note_disabled(t->attrs, t->name.name);
      }
    }
  }
  std::vector<TypeId> order;
  KUMO_CHECK(define_types(scope, type_items, order));
  r_.interfaces[id].types = scope.types;

  // Functions in source order; a resource's functions go where the resource is declared.
  for (const ast::InterfaceItem& item : items) {
    if (const auto* f = std::get_if<ast::Func>(&item)) {
      if (!enabled(f->attrs)) {
        note_disabled(f->attrs, f->name.name);
        continue;
      }
      KUMO_CHECK(scope.names.define(*this, f->name, "name"));
      KUMO_TRY(Function fn, resolve_function(scope, f->type, f->attrs, FunctionKind::Freestanding, f->name, kNoId));
      std::string key = fn.name;
      r_.interfaces[id].functions.insert(std::move(key), std::move(fn));
      continue;
    }
    const auto* t = std::get_if<ast::TypeDef>(&item);
    if (!t || t->kind != ast::TypeDef::Kind::Resource || !enabled(t->attrs)) continue;
    KUMO_TRY(std::vector<Function> funcs, resolve_resource_funcs(scope, *t));
    for (Function& fn : funcs) {
      std::string key = fn.name;
      r_.interfaces[id].functions.insert(std::move(key), std::move(fn));
    }
  }
  return {};
}

Expected<std::vector<Function>> PackageResolver::resolve_resource_funcs(const TypeScope& scope, const ast::TypeDef& def) {
  TypeId rid = *scope.types.find(def.name.name);
  std::vector<Function> out;
  Names names;
  bool has_ctor = false;
  for (const ast::ResourceFunc& rf : def.funcs) {
    if (!enabled(rf.attrs)) continue;
    FunctionKind kind = FunctionKind::Method;
    if (rf.kind == ast::ResourceFunc::Kind::Constructor) {
      if (has_ctor) return fail(rf.name.span, fmt::format("resource `{}` has more than one constructor", def.name.name));
      has_ctor = true;
      kind = FunctionKind::Constructor;
    } else {
      KUMO_CHECK(names.define(*this, rf.name, "function"));
      if (rf.kind == ast::ResourceFunc::Kind::Static) kind = FunctionKind::Static;
    }
    KUMO_TRY(Function fn, resolve_function(scope, rf.type, rf.attrs, kind, rf.name, rid));
    out.push_back(std::move(fn));
  }
  return out;
}

}  // namespace kumo::wit::detail
