// Imports and exports: adding items to index spaces, the rules on names (kebab case, strong
// uniqueness, `[constructor]`/`[method]`/`[static]`, attributes), and the external visibility of
// the types they use (Explainer.md "External Visibility of Types").
#include "component/validator/context.hpp"

namespace kumo::component::validation {

void Validator::prepare_instance_import(TypeId& id) {
  // The abstract resources of an imported instance type become type parameters of this scope,
  // fresh for each import.
  const InstanceType& it = arena_.instance(id);
  if (it.defined_resources.empty()) return;
  InstanceType fresh_ty = it;
  fresh_ty.defined_resources.clear();
  Remap m;
  Scope& sc = cur();
  for (ResourceId old : it.defined_resources) {
    ResourceId r = arena_.new_resource();
    m.resources[old.value] = r;
    ResourcePath rp{r, {uint32_t(sc.imports.items.size())}};
    for (const auto& e : it.explicit_resources) {
      if (e.id == old) {
        rp.path.insert(rp.path.end(), e.path.begin(), e.path.end());
        break;
      }
    }
    sc.imported_resources.push_back(std::move(rp));
  }
  Subtype st = subtype();
  for (auto& e : fresh_ty.exports) st.remap(e.type, m);
  for (auto& e : fresh_ty.explicit_resources) {
    auto found = m.resources.find(e.id.value);
    if (found != m.resources.end()) e.id = found->second;
  }
  TypeInfo info = arena_.info(id);
  id = arena_.add(std::move(fresh_ty), info);
}

void Validator::prepare_instance_export(TypeId& id) {
  Scope& sc = cur();
  const InstanceType& it = arena_.instance(id);
  if (!it.defined_resources.empty()) {
    // Exporting an instance of a declared type (in a type context): its resources are fresh.
    InstanceType fresh_ty = it;
    fresh_ty.defined_resources.clear();
    Remap m;
    for (ResourceId old : it.defined_resources) {
      ResourceId r = arena_.new_resource();
      m.resources[old.value] = r;
      sc.defined_resources.push_back(r);
    }
    Subtype st = subtype();
    for (auto& e : fresh_ty.exports) st.remap(e.type, m);
    for (auto& e : fresh_ty.explicit_resources) {
      auto found = m.resources.find(e.id.value);
      if (found != m.resources.end()) e.id = found->second;
    }
    TypeInfo info = arena_.info(id);
    id = arena_.add(std::move(fresh_ty), info);
  }
  for (const auto& e : arena_.instance(id).explicit_resources) {
    ResourcePath rp{e.id, {uint32_t(sc.exports.items.size())}};
    rp.path.insert(rp.path.end(), e.path.begin(), e.path.end());
    add_explicit(sc.explicit_resources, std::move(rp));
  }
}

Expected<void> Validator::add_entity(EntityType& e, const std::string* name,
                                     std::optional<ExternKind> kind, bool fresh) {
  Scope& sc = cur();
  ComponentInfo& info = sc.info;
  switch (e.sort) {
    case ExternSort::CoreModule:
      KUMO_CHECK(check_count(info.core_modules.size(), 1000, "modules"));
      info.core_modules.push_back(e.type);
      break;
    case ExternSort::Component:
      KUMO_CHECK(check_count(info.components.size(), 1000, "components"));
      info.components.push_back(e.type);
      break;
    case ExternSort::Instance:
      KUMO_CHECK(check_count(info.instances.size() + info.core_instances.size(), 1000, "instances"));
      if (kind == ExternKind::Import) prepare_instance_import(e.type);
      if (kind == ExternKind::Export) prepare_instance_export(e.type);
      info.instances.push_back(e.type);
      break;
    case ExternSort::Func:
      KUMO_CHECK(check_count(info.funcs.size() + info.core_funcs.size(), 1000000, "functions"));
      info.funcs.push_back(e.type);
      break;
    case ExternSort::Value:
      KUMO_CHECK(check_value_support());
      KUMO_CHECK(check_count(info.values.size(), 1000, "values"));
      info.values.push_back(e.value);
      sc.value_used.push_back(kind == ExternKind::Export);
      break;
    case ExternSort::Type:
      KUMO_CHECK(check_count(info.types.size() + info.core_types.size(), 1000000, "types"));
      info.types.push_back(e.type);
      if (arena_.kind(e.type) == TypeKind::Resource) {
        ResourceId r = arena_.resource(e.type);
        if (kind == ExternKind::Import && fresh) {
          sc.imported_resources.push_back(ResourcePath{r, {uint32_t(sc.imports.items.size())}});
        } else if (kind == ExternKind::Export) {
          if (fresh) sc.defined_resources.push_back(r);
          add_explicit(sc.explicit_resources, ResourcePath{r, {uint32_t(sc.exports.items.size())}});
        }
      }
      break;
  }
  if (name && kind && !register_named(name, *kind, e)) {
    return err("{} not valid to be used as {}: `{}` refers to a record, variant, enum, flags or "
               "resource type that is not {}ed by name first", to_string(e.sort), to_string(*kind), *name,
               to_string(*kind));
  }
  return {};
}

bool Validator::register_named(const std::string* name, ExternKind kind, const EntityType& e) {
  Scope& sc = cur();
  if (e.sort == ExternSort::Type && name && arena_.kind(e.type) == TypeKind::Resource) {
    ResourceNames& rn = kind == ExternKind::Import ? sc.import_names : sc.export_names;
    rn.by_type[e.type.index] = *name;
    rn.names.insert(*name);
  }
  if (sc.kind == ScopeKind::InstanceType) return true;
  auto& set = kind == ExternKind::Import ? sc.imported_types : sc.exported_types;
  switch (e.sort) {
    case ExternSort::Type:
      if (!all_named(e.type, set)) return false;
      // Imported types may also be used by exports.
      if (kind == ExternKind::Import) sc.imported_types.insert(e.type.index);
      sc.exported_types.insert(e.type.index);
      return true;
    case ExternSort::Instance:
      for (const auto& x : arena_.instance(e.type).exports) {
        if (!register_named(nullptr, kind, x.type)) return false;
      }
      return true;
    case ExternSort::Func: return all_named_func(e.type, set);
    case ExternSort::Value: return named_val(e.value, set);
    case ExternSort::Component:
    case ExternSort::CoreModule: return true;
  }
  return true;
}

// Whether every type a type refers to has an external name; the type itself is being named.
bool Validator::all_named(TypeId id, const std::unordered_set<uint32_t>& set) const {
  switch (arena_.kind(id)) {
    case TypeKind::Resource:
    case TypeKind::Component:
    case TypeKind::CoreFunc:
    case TypeKind::Module: return true;
    case TypeKind::Defined: return all_named_defined(id, set);
    case TypeKind::Func: return all_named_func(id, set);
    case TypeKind::Instance: return all_named_instance(id, set);
  }
  return true;
}

bool Validator::all_named_func(TypeId id, const std::unordered_set<uint32_t>& set) const {
  const FuncType& f = arena_.func(id);
  for (const auto& p : f.params) {
    if (!named_val(p.type, set)) return false;
  }
  return !f.result || named_val(*f.result, set);
}

bool Validator::all_named_instance(TypeId id, const std::unordered_set<uint32_t>& set) const {
  for (const auto& e : arena_.instance(id).exports) {
    switch (e.type.sort) {
      case ExternSort::Func:
        if (!all_named_func(e.type.type, set)) return false;
        break;
      case ExternSort::Type:
        if (!all_named(e.type.type, set)) return false;
        break;
      case ExternSort::Value:
        if (!e.type.value.is_primitive() && !all_named_defined(e.type.value.type(), set)) return false;
        break;
      case ExternSort::Instance:
        if (!all_named_instance(e.type.type, set)) return false;
        break;
      default: break;
    }
  }
  return true;
}

// The first layer of a defined type: its components must be named.
bool Validator::all_named_defined(TypeId id, const std::unordered_set<uint32_t>& set) const {
  const DefinedType& d = arena_.defined(id);
  auto opt = [&](const std::optional<ValType>& v) { return !v || named_val(*v, set); };
  switch (d.kind) {
    case DefinedKind::Primitive:
    case DefinedKind::Flags:
    case DefinedKind::Enum: return true;
    case DefinedKind::Record:
      for (const auto& f : d.fields) {
        if (!named_val(f.type, set)) return false;
      }
      return true;
    case DefinedKind::Variant:
      for (const auto& c : d.cases) {
        if (!opt(c.type)) return false;
      }
      return true;
    case DefinedKind::Tuple:
      for (const auto& t : d.types) {
        if (!named_val(t, set)) return false;
      }
      return true;
    case DefinedKind::Own:
    case DefinedKind::Borrow: return set.count(d.resource.index) > 0;
    default: return opt(d.elem) && opt(d.ok) && opt(d.err) && opt(d.key);
  }
}

// Whether a value type can be written outside: records, variants, enums, flags and resources
// need names; other types are named when their components are.
bool Validator::named_val(const ValType& v, const std::unordered_set<uint32_t>& set) const {
  if (v.is_primitive()) return true;
  const DefinedType& d = arena_.defined(v.type());
  switch (d.kind) {
    case DefinedKind::Record:
    case DefinedKind::Variant:
    case DefinedKind::Flags:
    case DefinedKind::Enum: return set.count(v.type().index) > 0;
    default: return all_named_defined(v.type(), set);
  }
}

Expected<void> Validator::check_resource_name(const ResourceNames& names, const ParsedName& parsed,
                                              const ExternName& name, const EntityType& e) {
  auto func = [&]() -> Expected<const FuncType*> {
    if (e.sort != ExternSort::Func) return err("item is not a func");
    return &arena_.func(e.type);
  };
  auto resource_named = [&](TypeId resource, std::string_view label) -> Expected<void> {
    auto it = names.by_type.find(resource.index);
    if (it == names.by_type.end()) {
      return err("resource used in function does not have a name in this context");
    }
    if (it->second != label) return err("function does not match expected resource name `{}`", it->second);
    return {};
  };
  auto defined_kind = [&](const std::optional<ValType>& v, DefinedKind k) -> const DefinedType* {
    if (!v || v->is_primitive()) return nullptr;
    const DefinedType& d = arena_.defined(v->type());
    return d.kind == k ? &d : nullptr;
  };
  switch (parsed.kind) {
    case NameKind::Interface: return check_interface_version(parsed, name.version_suffix.value_or(""));
    case NameKind::Constructor: {
      KUMO_TRY(const FuncType* f, func());
      if (f->is_async) return err("constructor function cannot be async");
      if (!f->result) return err("function should return one value");
      const DefinedType* own = defined_kind(f->result, DefinedKind::Own);
      if (!own) {
        if (const DefinedType* res = defined_kind(f->result, DefinedKind::Result)) {
          own = defined_kind(res->ok, DefinedKind::Own);
        }
      }
      if (!own) return err("function should return `(own $T)` or `(result (own $T))`");
      return resource_named(own->resource, parsed.label);
    }
    case NameKind::Method: {
      KUMO_TRY(const FuncType* f, func());
      if (f->params.empty()) return err("function should have at least one argument");
      if (f->params[0].name != "self") return err("function should have a first argument called `self`");
      const DefinedType* b = defined_kind(f->params[0].type, DefinedKind::Borrow);
      if (!b) return err("function should take a first argument of `(borrow $T)`");
      return resource_named(b->resource, parsed.label);
    }
    case NameKind::Static: {
      KUMO_CHECK(func());
      if (!names.names.count(std::string(parsed.label))) {
        return err("static resource name is not known in this context");
      }
      return {};
    }
    default: return {};
  }
}

Expected<void> Validator::add_extern(ExternList& list, const ResourceNames& names,
                                     const ExternName& name, ExternKind kind, const EntityType& e) {
  const char* what = to_string(kind);
  NameOptions opts;
  opts.nested_names = features_.nested_names;
  auto parsed = parse_extern_name(name.name, opts);
  if (!parsed) {
    return err("{} name `{}` is not a valid extern name: {}", what, name.name, parsed.error().message);
  }
  if (kind == ExternKind::Export &&
      (parsed->kind == NameKind::Url || parsed->kind == NameKind::Integrity ||
       parsed->kind == NameKind::Dependency)) {
    return err("name `{}` is not a valid export name", name.name);
  }
  if (name.implements) {
    if (!features_.implements) return err("the `cm-implements` feature is not active");
    if (parsed->kind != NameKind::Label) return err("name `{}` is not valid with `implements`", name.name);
    if (e.sort != ExternSort::Instance) return err("only instances can have an `implements`");
    auto impl = parse_extern_name(*name.implements, opts);
    if (!impl) return err("`{}` is not a valid name: {}", *name.implements, impl.error().message);
    if (impl->kind != NameKind::Interface) return err("name `{}` must be an interface", *name.implements);
  }
  if (name.version_suffix) {
    if (!features_.canon_names) return err("the `cm-canon-names` feature is not active");
    if (e.sort != ExternSort::Instance) return err("only instances can have an `versionsuffix`");
  }
  if (name.external_id && !features_.implements) return err("the `cm-implements` feature is not active");

  auto valid = check_resource_name(names, *parsed, name, e);
  if (!valid) return err("{} name `{}` is not valid: {}", what, name.name, valid.error().message);

  std::string key = uniqueness_key(name.name, *parsed);
  auto [it, inserted] = list.keys.emplace(key, name.name);
  if (!inserted) return err("{} name `{}` conflicts with previous name `{}`", what, name.name, it->second);
  list.items.push_back(NamedEntity{name, e});
  return {};
}

}  // namespace kumo::component::validation
