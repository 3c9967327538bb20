// The validator's entry points and the walk over a component's definitions.
#include "component/validator/context.hpp"

namespace kumo::component {

namespace validation {

constexpr uint32_t kMaxTypeSize = 1000000;

Unexpected<Error> at(const char* what, uint32_t offset, const Error& e) {
  return err("{} at offset 0x{:x}: {}", what, offset, e.message);
}

Expected<void> combine(TypeInfo& into, const TypeInfo& other) {
  uint64_t size = uint64_t(into.size) + other.size;
  if (size > kMaxTypeSize) return err("effective type size exceeds the limit of {}", kMaxTypeSize);
  into.size = uint32_t(size);
  into.depth = std::max(into.depth, other.depth + 1);
  into.has_borrow = into.has_borrow || other.has_borrow;
  return {};
}

void add_explicit(std::vector<ResourcePath>& v, ResourcePath rp) {
  for (const auto& e : v) {
    if (e.id == rp.id) return;
  }
  v.push_back(std::move(rp));
}

TypeInfo entity_info(const TypeArena& arena, const EntityType& e) {
  return e.sort == ExternSort::Value ? arena.info(e.value) : arena.info(e.type);
}

Expected<ComponentInfo> Validator::component(const Component& c) {
  scopes_.emplace_back();
  cur().kind = ScopeKind::Component;
  for (const Definition& d : c.definitions) {
    auto r = definition(c, d);
    if (!r) {
      scopes_.pop_back();
      return Unexpected<Error>{r.error()};
    }
  }
  auto type = finish_component();
  if (!type) {
    scopes_.pop_back();
    return Unexpected<Error>{type.error()};
  }
  ComponentInfo info = std::move(cur().info);
  info.type = *type;
  scopes_.pop_back();
  return info;
}

Expected<void> Validator::definition(const Component& c, const Definition& d) {
  switch (d.kind) {
    case Definition::CoreModule: {
      const auto& m = c.core_modules[d.index];
      auto r = core_module(m);
      if (!r) return at("core module", m.offset, r.error());
      return {};
    }
    case Definition::CoreInstance: {
      const auto& i = c.core_instances[d.index];
      auto r = core_instance(i);
      if (!r) return at("core instance", i.offset, r.error());
      return {};
    }
    case Definition::CoreType: {
      const auto& t = c.core_types[d.index];
      auto r = core_type(t);
      if (!r) return at("core type", t.offset, r.error());
      cur().info.core_types.push_back(*r);
      return {};
    }
    case Definition::Component: {
      const Component& nested = *c.components[d.index];
      KUMO_CHECK(check_count(cur().info.components.size(), 1000, "components"));
      auto r = component(nested);
      if (!r) return at("component", nested.offset, r.error());
      ComponentInfo info = std::move(*r);
      cur().info.components.push_back(info.type);
      cur().info.nested.push_back(std::move(info));
      return {};
    }
    case Definition::Instance: {
      const auto& i = c.instances[d.index];
      auto r = instance(i);
      if (!r) return at("instance", i.offset, r.error());
      return {};
    }
    case Definition::Alias: {
      const auto& a = c.aliases[d.index];
      auto r = alias(a);
      if (!r) return at("alias", a.offset, r.error());
      return {};
    }
    case Definition::Type: {
      const auto& t = c.types[d.index];
      auto r = type_def(t);
      if (!r) return at("type", t.offset, r.error());
      KUMO_CHECK(check_count(cur().info.types.size(), 1000000, "types"));
      cur().info.types.push_back(*r);
      return {};
    }
    case Definition::Canon: {
      const auto& k = c.canons[d.index];
      auto r = canon(k);
      if (!r) return at("canon", k.offset, r.error());
      return {};
    }
    case Definition::Start: {
      const auto& s = c.starts[d.index];
      auto r = start(s);
      if (!r) return at("start", s.offset, r.error());
      return {};
    }
    case Definition::Import: {
      const auto& i = c.imports[d.index];
      auto r = import(i.name, i.desc);
      if (!r) return at("import", i.offset, r.error());
      return {};
    }
    case Definition::Export: {
      const auto& e = c.exports[d.index];
      auto r = export_item(e);
      if (!r) return at("export", e.offset, r.error());
      return {};
    }
    case Definition::Value: {
      const auto& v = c.values[d.index];
      auto r = value(v);
      if (!r) return at("value", v.offset, r.error());
      return {};
    }
  }
  return {};
}

Expected<void> Validator::check_value_support() {
  if (!features_.values) return err("support for component model `value`s is not enabled");
  return {};
}

Expected<void> Validator::import(const ExternName& name, const ExternDesc& desc) {
  bool fresh = false;
  KUMO_TRY(EntityType e, extern_desc(desc, &fresh));
  KUMO_CHECK(add_entity(e, &name.name, ExternKind::Import, fresh));
  return add_extern(cur().imports, cur().import_names, name, ExternKind::Import, e);
}

Expected<void> Validator::export_item(const Export& ex) {
  KUMO_TRY(EntityType actual, entity_of(ex.item));
  if (ex.item.sort == Sort::Type) {
    // The export introduces a new type index: a new identity for the same type.
    actual.type = arena_.alias(actual.type);
  }
  if (ex.item.sort == Sort::Value) cur().value_used[ex.item.index] = true;
  EntityType e = actual;
  bool fresh = false;
  if (ex.ascribed) {
    KUMO_TRY(e, extern_desc(*ex.ascribed, &fresh));
    auto r = subtype().entity(actual, e);
    if (!r) return err("ascribed type of export is not compatible with item's type: {}", r.error().message);
  }
  KUMO_CHECK(add_entity(e, &ex.name.name, ExternKind::Export, fresh));
  return add_extern(cur().exports, cur().export_names, ex.name, ExternKind::Export, e);
}

Expected<void> Validator::start(const StartDef& s) {
  KUMO_CHECK(check_value_support());
  Scope& sc = cur();
  if (sc.has_start) return err("component cannot have more than one start function");
  KUMO_TRY(TypeId ft_id, func_at(s.func));
  FuncType ft = arena_.func(ft_id);
  if (ft.params.size() != s.args.size()) {
    return err("component start function requires {} arguments but was given {}", ft.params.size(),
               s.args.size());
  }
  if ((ft.result ? 1u : 0u) != s.results) {
    return err("component start function has a result count of {} but the function type has a "
               "result count of {}", s.results, ft.result ? 1 : 0);
  }
  for (size_t i = 0; i < s.args.size(); ++i) {
    uint32_t v = s.args[i];
    if (v >= sc.info.values.size()) return err("unknown value {}: value index out of bounds", v);
    if (sc.value_used[v]) return err("value {} cannot be used more than once", v);
    sc.value_used[v] = true;
    auto r = subtype().val(sc.info.values[v], ft.params[i].type);
    if (!r) return err("value type mismatch for component start function argument {}: {}", i, r.error().message);
  }
  if (ft.result) {
    sc.info.values.push_back(*ft.result);
    sc.value_used.push_back(false);
  }
  sc.has_start = true;
  return {};
}

Expected<void> Validator::value(const ValueDef& v) {
  KUMO_CHECK(check_value_support());
  // Value definitions are gated and Kumo does not decode their contents yet.
  (void)v;
  return err("value definitions are not supported");
}

Expected<TypeId> Validator::finish_component() {
  Scope& sc = cur();
  Subtype st = subtype();
  ComponentType ty;
  ty.imports = sc.imports.items;
  ty.exports = sc.exports.items;
  ty.imported_resources = sc.imported_resources;
  ty.explicit_resources = sc.explicit_resources;

  // A resource defined here cannot appear in the imports; the ones the exports use must be
  // exported by name themselves.
  std::unordered_set<uint32_t> free;
  for (const auto& i : ty.imports) st.free_resources(i.type, free);
  for (ResourceId r : sc.defined_resources) {
    if (free.count(r.value)) return err("local resource type found in imports");
  }
  free.clear();
  for (const auto& e : ty.exports) st.free_resources(e.type, free);
  for (ResourceId r : sc.defined_resources) {
    if (!free.count(r.value)) continue;
    const ResourcePath* path = nullptr;
    for (const auto& rp : ty.explicit_resources) {
      if (rp.id == r) path = &rp;
    }
    if (!path) return err("local resource type found in export but not exported itself");
    ty.defined_resources.push_back(*path);
  }

  for (size_t i = 0; i < sc.value_used.size(); ++i) {
    if (!sc.value_used[i]) {
      return err("value index {} was not used as part of an instantiation, start function, or export", i);
    }
  }

  TypeInfo info;
  for (const auto& i : ty.imports) KUMO_CHECK(combine(info, entity_info(arena_, i.type)));
  for (const auto& e : ty.exports) KUMO_CHECK(combine(info, entity_info(arena_, e.type)));
  return arena_.add(std::move(ty), info);
}

}  // namespace validation

Expected<std::shared_ptr<const ValidatedComponent>> validate_component(
    std::shared_ptr<const Component> component, const Features& features) {
  auto arena = std::make_shared<TypeArena>();
  validation::Validator v(*arena, features);
  KUMO_TRY(ComponentInfo info, v.component(*component));
  auto out = std::make_shared<ValidatedComponent>();
  out->component = std::move(component);
  out->types = std::move(arena);
  out->info = std::move(info);
  return std::shared_ptr<const ValidatedComponent>(std::move(out));
}

Expected<std::shared_ptr<const ValidatedComponent>> load_component(std::span<const uint8_t> bytes,
                                                                   const Features& features) {
  KUMO_TRY(auto c, decode_component(bytes));
  return validate_component(std::move(c), features);
}

}  // namespace kumo::component
