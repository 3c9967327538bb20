#include "wit/from_component.hpp"

#include <fmt/format.h>

#include <unordered_map>

#include "component/names.hpp"
#include "wit/printer.hpp"

namespace kumo::wit {

namespace {

namespace cm = kumo::component;

TypeKind prim_kind(cm::PrimValType p) {
  switch (p) {
    case cm::PrimValType::Bool: return TypeKind::Bool;
    case cm::PrimValType::S8: return TypeKind::S8;
    case cm::PrimValType::U8: return TypeKind::U8;
    case cm::PrimValType::S16: return TypeKind::S16;
    case cm::PrimValType::U16: return TypeKind::U16;
    case cm::PrimValType::S32: return TypeKind::S32;
    case cm::PrimValType::U32: return TypeKind::U32;
    case cm::PrimValType::S64: return TypeKind::S64;
    case cm::PrimValType::U64: return TypeKind::U64;
    case cm::PrimValType::F32: return TypeKind::F32;
    case cm::PrimValType::F64: return TypeKind::F64;
    case cm::PrimValType::Char: return TypeKind::Char;
    case cm::PrimValType::String: return TypeKind::String;
    case cm::PrimValType::ErrorContext: return TypeKind::ErrorContext;
  }
  return TypeKind::Bool;
}

// Records, variants, enums and flags are nominal in WIT: they must be referred to by name.
bool is_nominal(cm::DefinedKind k) {
  return k == cm::DefinedKind::Record || k == cm::DefinedKind::Variant || k == cm::DefinedKind::Enum ||
         k == cm::DefinedKind::Flags;
}

// Where types are being added: an interface or the world. The local maps find a type the scope
// already names (e.g. a `use`d resource) before looking at where it was first defined.
struct Scope {
  TypeOwner owner;
  std::unordered_map<const cm::DefinedType*, TypeId> defined;
  std::unordered_map<uint32_t, TypeId> resources;  // by ResourceId
};

class Converter {
 public:
  Converter(const cm::TypeArena& arena, ComponentWorld& out) : a_(arena), out_(out), r_(out.resolve) {}

  Expected<void> run(cm::TypeId ct) {
    if (!ct.valid() || ct.index >= a_.size() || a_.kind(ct) != cm::TypeKind::Component) {
      return err("not a component type");
    }
    PackageName root{"root", "component", std::nullopt};
    out_.package = package(root);
    World w;
    w.name = "root";
    w.package = out_.package;
    r_.worlds.push_back(std::move(w));
    out_.world = WorldId(r_.worlds.size() - 1);
    r_.packages[out_.package].worlds.insert("root", out_.world);
    world_ = Scope{TypeOwner{TypeOwner::Kind::World, out_.world}, {}, {}};

    // Copies: converting may not add to the arena, but keep the loops independent of it anyway.
    const cm::ComponentType& type = a_.component(ct);
    for (const cm::NamedEntity& e : type.imports) KUMO_CHECK(item(e, true));
    for (const cm::NamedEntity& e : type.exports) KUMO_CHECK(item(e, false));
    return {};
  }

 private:
  // ---- packages and interfaces ----
  PackageId package(const PackageName& name) {
    if (auto id = r_.find_package(name)) return *id;
    Package p;
    p.name = name;
    r_.packages.push_back(std::move(p));
    PackageId id = PackageId(r_.packages.size() - 1);
    r_.register_package(id);
    return id;
  }

  // The interface named by an import/export name (or an `implements` attribute); `existed` tells
  // whether an earlier item already declared it (then its types and functions are known).
  Expected<InterfaceId> named_interface(std::string_view full, const std::optional<std::string>& suffix,
                                        bool* existed) {
    auto parsed = cm::parse_extern_name(full);
    if (!parsed || parsed->kind != cm::NameKind::Interface) return err("`{}` is not an interface name", full);
    PackageName pn;
    std::string_view pkg = parsed->package;
    size_t colon = pkg.rfind(':');
    pn.ns = std::string(pkg.substr(0, colon));
    pn.name = std::string(pkg.substr(colon + 1));
    if (parsed->has_version || suffix) {
      std::string text = std::string(parsed->version) + suffix.value_or("");
      pn.version = Version::parse(text);
      if (!pn.version) return err("`{}` has an invalid version `{}`", full, text);
    }
    PackageId pid = package(pn);
    std::string iname(parsed->interface);
    if (const InterfaceId* id = r_.packages[pid].interfaces.find(iname)) {
      *existed = true;
      return *id;
    }
    *existed = false;
    Interface iface;
    iface.name = iname;
    iface.package = pid;
    r_.interfaces.push_back(std::move(iface));
    InterfaceId id = InterfaceId(r_.interfaces.size() - 1);
    r_.packages[pid].interfaces.insert(iname, id);
    return id;
  }

  InterfaceId inline_interface() {
    Interface iface;
    iface.package = out_.package;
    r_.interfaces.push_back(std::move(iface));
    return InterfaceId(r_.interfaces.size() - 1);
  }

  // ---- world items ----
  Expected<void> item(const cm::NamedEntity& e, bool import) {
    const std::string& name = e.name.name;
    const char* dir = import ? "import" : "export";
    auto note = [&](std::string_view what) {
      out_.unsupported.push_back(fmt::format("{} `{}`: {}", dir, name, what));
      return Expected<void>{};
    };
    auto wrap = [&](Expected<void> r) -> Expected<void> {
      if (!r) return err("{} `{}`: {}", dir, name, r.error().message);
      return {};
    };
    auto parsed = cm::parse_extern_name(name);
    if (!parsed) return note("a name WIT cannot express");
    if (parsed->kind == cm::NameKind::Url || parsed->kind == cm::NameKind::Integrity ||
        parsed->kind == cm::NameKind::Dependency) {
      return note("a dependency name (not expressible in WIT)");
    }
    if (parsed->kind == cm::NameKind::Interface && e.type.sort != cm::ExternSort::Instance) {
      return note(fmt::format("a {} with an interface name (not expressible in WIT)", cm::to_string(e.type.sort)));
    }
    World* w = &r_.worlds[out_.world];
    switch (e.type.sort) {
      case cm::ExternSort::Instance: {
        WorldItem wi;
        wi.kind = WorldItem::Kind::Interface;
        bool existed = false;
        if (parsed->kind == cm::NameKind::Interface) {
          KUMO_TRY(wi.iface, wrap_iface(named_interface(name, e.name.version_suffix, &existed), dir, name));
        } else if (e.name.implements) {
          wi.name = name;
          KUMO_TRY(wi.iface, wrap_iface(named_interface(*e.name.implements, std::nullopt, &existed), dir, name));
        } else {
          wi.name = name;
          wi.iface = inline_interface();
        }
        wi.external_id = e.name.external_id;
        KUMO_CHECK(wrap(interface(wi.iface, e.type.type, existed, import, name)));
        w = &r_.worlds[out_.world];
        (import ? w->imports : w->exports).push_back(std::move(wi));
        return {};
      }
      case cm::ExternSort::Func: {
        WorldItem wi;
        wi.kind = WorldItem::Kind::Function;
        wi.name = name;
        wi.external_id = e.name.external_id;
        KUMO_TRY(wi.func, wrap_func(function(name, e.type.type, world_), dir, name));
        w = &r_.worlds[out_.world];
        (import ? w->imports : w->exports).push_back(std::move(wi));
        return {};
      }
      case cm::ExternSort::Type:
        if (!import) return note("a type export (WIT worlds export interfaces and functions only)");
        return wrap(type_export(world_, name, e.type.type));
      case cm::ExternSort::CoreModule: return note("core module");
      case cm::ExternSort::Component: return note("component");
      case cm::ExternSort::Value: return note("value");
    }
    return {};
  }

  static Expected<InterfaceId> wrap_iface(Expected<InterfaceId> r, const char* dir, const std::string& name) {
    if (!r) return err("{} `{}`: {}", dir, name, r.error().message);
    return r;
  }
  static Expected<Function> wrap_func(Expected<Function> r, const char* dir, const std::string& name) {
    if (!r) return err("{} `{}`: {}", dir, name, r.error().message);
    return r;
  }

  // The exports of an instance type as the types and functions of interface `id`.
  Expected<void> interface(InterfaceId id, cm::TypeId inst, bool existed, bool import, const std::string& item) {
    Scope s{TypeOwner{TypeOwner::Kind::Interface, id}, {}, {}};
    for (const cm::NamedEntity& x : a_.instance(inst).exports) {
      const std::string& name = x.name.name;
      switch (x.type.sort) {
        case cm::ExternSort::Type:
          if (existed) {
            // The same interface imported and exported (or implemented twice): its types are
            // already there; map this instance's type identities onto them by name.
            if (const TypeId* t = r_.interfaces[id].types.find(name)) remember(s, x.type.type, *t);
            continue;
          }
          KUMO_CHECK(type_export(s, name, x.type.type));
          break;
        case cm::ExternSort::Func: {
          if (existed) continue;
          auto f = function(name, x.type.type, s);
          if (!f) return err("function `{}`: {}", name, f.error().message);
          r_.interfaces[id].functions.insert(name, std::move(*f));
          break;
        }
        default:
          out_.unsupported.push_back(fmt::format("{} `{}`: `{}` is a {} (not expressible in WIT)",
                                                 import ? "import" : "export", item, name,
                                                 cm::to_string(x.type.sort)));
          break;
      }
    }
    return {};
  }

  // ---- types ----
  TypeId add_named(Scope& s, const std::string& name, TypeDefKind kind) {
    TypeDef d;
    d.name = name;
    d.kind = std::move(kind);
    d.owner = s.owner;
    TypeId id = r_.add_type(std::move(d));
    if (s.owner.kind == TypeOwner::Kind::Interface) {
      r_.interfaces[s.owner.id].types.insert(name, id);
    } else {
      WorldItem wi;
      wi.kind = WorldItem::Kind::Type;
      wi.name = name;
      wi.type = id;
      r_.worlds[s.owner.id].imports.push_back(std::move(wi));
    }
    return id;
  }

  // Records that arena type `t` is WIT type `w` in scope `s` (and, if new, everywhere).
  void remember(Scope& s, cm::TypeId t, TypeId w) {
    exact_.try_emplace(t.index, w);
    if (a_.kind(t) == cm::TypeKind::Resource) {
      uint32_t rid = a_.resource(t).value;
      s.resources.try_emplace(rid, w);
      resources_.try_emplace(rid, w);
    } else if (a_.kind(t) == cm::TypeKind::Defined) {
      const cm::DefinedType* d = &a_.defined(t);
      s.defined.try_emplace(d, w);
      defined_.try_emplace(d, w);
    }
  }

  // `(export "name" (type ...))` in scope `s`: a new definition, or an alias of the earlier one.
  Expected<void> type_export(Scope& s, const std::string& name, cm::TypeId t) {
    TypeDefKind kind;
    switch (a_.kind(t)) {
      case cm::TypeKind::Resource: {
        auto it = resources_.find(a_.resource(t).value);
        if (it != resources_.end()) {
          kind = Alias{Type::of(it->second)};
        } else {
          kind = Resource{};
        }
        break;
      }
      case cm::TypeKind::Defined: {
        const cm::DefinedType& d = a_.defined(t);
        auto it = defined_.find(&d);
        if (it != defined_.end()) {
          kind = Alias{Type::of(it->second)};
        } else {
          KUMO_TRY(kind, definition(d, s));
        }
        break;
      }
      default:
        out_.unsupported.push_back(fmt::format("type `{}`: a {} (not expressible in WIT)", name, cm::to_string(a_.kind(t))));
        return {};
    }
    if (s.owner.kind == TypeOwner::Kind::Interface && r_.interfaces[s.owner.id].types.contains(name)) {
      return err("type `{}` is exported twice", name);
    }
    remember(s, t, add_named(s, name, std::move(kind)));
    return {};
  }

  Expected<TypeDefKind> definition(const cm::DefinedType& d, Scope& s) {
    using K = cm::DefinedKind;
    auto opt = [&](const std::optional<cm::ValType>& v) -> Expected<std::optional<Type>> {
      if (!v) return std::optional<Type>{};
      KUMO_TRY(Type t, val(*v, s));
      return std::optional<Type>{t};
    };
    switch (d.kind) {
      case K::Primitive: return TypeDefKind{Alias{Type::prim(prim_kind(d.prim))}};
      case K::Record: {
        Record rec;
        for (const cm::Field& f : d.fields) {
          KUMO_TRY(Type t, val(f.type, s));
          rec.fields.push_back(Field{f.name, t, {}});
        }
        return TypeDefKind{std::move(rec)};
      }
      case K::Variant: {
        Variant v;
        for (const cm::Case& c : d.cases) {
          KUMO_TRY(std::optional<Type> t, opt(c.type));
          v.cases.push_back(Case{c.name, t, {}});
        }
        return TypeDefKind{std::move(v)};
      }
      case K::Enum: {
        Enum e;
        for (const std::string& l : d.labels) e.cases.push_back(EnumCase{l, {}});
        return TypeDefKind{std::move(e)};
      }
      case K::Flags: {
        Flags f;
        for (const std::string& l : d.labels) f.flags.push_back(EnumCase{l, {}});
        return TypeDefKind{std::move(f)};
      }
      case K::List:
      case K::FixedList: {
        KUMO_TRY(Type elem, val(*d.elem, s));
        return TypeDefKind{List{elem, d.kind == K::FixedList ? d.length : 0}};
      }
      case K::Tuple: {
        Tuple t;
        for (const cm::ValType& v : d.types) {
          KUMO_TRY(Type x, val(v, s));
          t.types.push_back(x);
        }
        return TypeDefKind{std::move(t)};
      }
      case K::Option: {
        KUMO_TRY(Type t, val(*d.elem, s));
        return TypeDefKind{OptionType{t}};
      }
      case K::Result: {
        KUMO_TRY(std::optional<Type> ok, opt(d.ok));
        KUMO_TRY(std::optional<Type> e, opt(d.err));
        return TypeDefKind{ResultType{ok, e}};
      }
      case K::Own:
      case K::Borrow: {
        if (!d.resource.valid() || a_.kind(d.resource) != cm::TypeKind::Resource) {
          return err("handle to something other than a resource");
        }
        Handle h{d.kind == K::Own ? Handle::Kind::Own : Handle::Kind::Borrow, resource(d.resource, s)};
        return TypeDefKind{h};
      }
      case K::Map: {
        KUMO_TRY(Type k, val(*d.key, s));
        KUMO_TRY(Type v, val(*d.elem, s));
        return TypeDefKind{Map{k, v}};
      }
      case K::Stream: {
        KUMO_TRY(std::optional<Type> t, opt(d.elem));
        return TypeDefKind{Stream{t}};
      }
      case K::Future: {
        KUMO_TRY(std::optional<Type> t, opt(d.elem));
        return TypeDefKind{Future{t}};
      }
    }
    return err("unknown defined type");
  }

  // The WIT type of a resource in scope `s`; a resource that no import or export names (which
  // WIT cannot express) gets a made-up name in the scope so that the output stays readable.
  TypeId resource(cm::TypeId t, Scope& s) {
    // This very type id as named in this scope, else the scope's name for the resource (a `use`),
    // else where it was named first.
    auto exact = exact_.find(t.index);
    if (exact != exact_.end() && r_.types[exact->second].owner == s.owner) return exact->second;
    uint32_t rid = a_.resource(t).value;
    if (auto it = s.resources.find(rid); it != s.resources.end()) return it->second;
    if (exact != exact_.end()) return exact->second;
    if (auto it = resources_.find(rid); it != resources_.end()) return it->second;
    TypeId w = add_named(s, unnamed_name(s), Resource{});
    remember(s, t, w);
    return w;
  }

  std::string unnamed_name(const Scope& s) {
    for (;;) {
      std::string n = fmt::format("unnamed{}", ++unnamed_);
      if (s.owner.kind != TypeOwner::Kind::Interface || !r_.interfaces[s.owner.id].types.contains(n)) return n;
    }
  }

  Expected<Type> val(const cm::ValType& v, Scope& s) {
    if (v.is_primitive()) return Type::prim(prim_kind(v.prim()));
    cm::TypeId id = v.type();
    if (!id.valid() || id.index >= a_.size() || a_.kind(id) != cm::TypeKind::Defined) {
      return err("value type refers to something other than a defined type");
    }
    // As for resources: this type id as named here, else the scope's name for the definition,
    // else its name elsewhere; a structural type named only in another scope is written out.
    auto exact = exact_.find(id.index);
    if (exact != exact_.end() && r_.types[exact->second].owner == s.owner) return Type::of(exact->second);
    const cm::DefinedType& d = a_.defined(id);
    if (d.kind == cm::DefinedKind::Primitive) return Type::prim(prim_kind(d.prim));
    if (auto it = s.defined.find(&d); it != s.defined.end()) return Type::of(it->second);
    if (is_nominal(d.kind)) {
      if (exact != exact_.end()) return Type::of(exact->second);
      if (auto it = defined_.find(&d); it != defined_.end()) return Type::of(it->second);
      // Unnamed record/variant/enum/flags: WIT needs a name, so make one up in this scope.
      KUMO_TRY(TypeDefKind kind, definition(d, s));
      TypeId w = add_named(s, unnamed_name(s), std::move(kind));
      remember(s, id, w);
      return Type::of(w);
    }
    KUMO_TRY(TypeDefKind kind, definition(d, s));
    return Type::of(r_.intern_anonymous(std::move(kind), Span{}));
  }

  // ---- functions ----
  // `name` is the component-level name: "f", "[constructor]r", "[method]r.f" or "[static]r.f".
  Expected<Function> function(const std::string& name, cm::TypeId ft, Scope& s) {
    if (!ft.valid() || ft.index >= a_.size() || a_.kind(ft) != cm::TypeKind::Func) return err("not a function type");
    const cm::FuncType& type = a_.func(ft);
    Function f;
    f.name = name;
    f.async = type.is_async;
    auto parsed = cm::parse_extern_name(name);
    if (parsed && (parsed->kind == cm::NameKind::Constructor || parsed->kind == cm::NameKind::Method ||
                   parsed->kind == cm::NameKind::Static)) {
      f.kind = parsed->kind == cm::NameKind::Constructor ? FunctionKind::Constructor
               : parsed->kind == cm::NameKind::Method    ? FunctionKind::Method
                                                         : FunctionKind::Static;
      f.resource = named_type(s, parsed->label);
      if (f.resource == kNoId) return err("no resource `{}` for `{}`", parsed->label, name);
    }
    for (const cm::Param& p : type.params) {
      KUMO_TRY(Type t, val(p.type, s));
      f.params.push_back(Param{p.name, t});
    }
    if (type.result) {
      KUMO_TRY(Type t, val(*type.result, s));
      f.result = t;
    }
    return f;
  }

  TypeId named_type(const Scope& s, std::string_view name) const {
    if (s.owner.kind == TypeOwner::Kind::Interface) {
      const TypeId* t = r_.interfaces[s.owner.id].types.find(name);
      return t ? *t : kNoId;
    }
    for (const WorldItem& wi : r_.worlds[s.owner.id].imports) {
      if (wi.kind == WorldItem::Kind::Type && wi.name == name) return wi.type;
    }
    return kNoId;
  }

  const cm::TypeArena& a_;
  ComponentWorld& out_;
  Resolve& r_;
  Scope world_;
  std::unordered_map<uint32_t, TypeId> exact_;  // by arena TypeId::index
  std::unordered_map<const cm::DefinedType*, TypeId> defined_;  // where each type was first named
  std::unordered_map<uint32_t, TypeId> resources_;              // by ResourceId
  uint32_t unnamed_ = 0;
};

}  // namespace

Expected<ComponentWorld> world_from_component_type(const component::TypeArena& arena, component::TypeId ct) {
  ComponentWorld out;
  Converter c(arena, out);
  KUMO_CHECK(c.run(ct));
  return out;
}

Expected<ComponentWorld> world_from_component(const component::ValidatedComponent& component) {
  return world_from_component_type(*component.types, component.info.type);
}

std::string print_component_world(const ComponentWorld& world) {
  PrintOptions opts;
  opts.nested_deps = true;
  return print_package(world.resolve, world.package, opts);
}

}  // namespace kumo::wit
