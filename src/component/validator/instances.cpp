// Component instances (instantiation with type-checked arguments, or a bag of exports) and
// aliases (instance exports, core instance exports, outer definitions).
#include "component/validator/context.hpp"

namespace kumo::component::validation {

Expected<void> Validator::instance(const InstanceDef& d) {
  KUMO_CHECK(check_count(cur().info.instances.size() + cur().info.core_instances.size(), 1000, "instances"));
  Expected<TypeId> t = d.kind == InstanceDef::Instantiate ? instantiate(d) : instance_from_exports(d);
  if (!t) return Unexpected<Error>{t.error()};
  cur().info.instances.push_back(*t);
  return {};
}

Expected<TypeId> Validator::instantiate(const InstanceDef& d) {
  KUMO_TRY(TypeId ct, component_at(d.component));
  NamedItems args;
  for (const auto& a : d.args) {
    if (find_item(args, a.name)) {
      return err("instantiation argument `{}` conflicts with previous argument `{}`", a.name, a.name);
    }
    KUMO_TRY(EntityType e, entity_of(a.item));
    if (a.item.sort == Sort::Value) cur().value_used[a.item.index] = true;
    args.emplace_back(a.name, e);
  }
  Subtype st = subtype();
  KUMO_TRY(Remap m, st.open_component(args, ct, ExternKind::Import));

  // Each instantiation defines fresh resources for those the component defines.
  ComponentType c = arena_.component(ct);
  Scope& sc = cur();
  for (const auto& rp : c.defined_resources) {
    ResourceId fresh = arena_.new_resource();
    m.resources[rp.id.value] = fresh;
    sc.defined_resources.push_back(fresh);
  }
  InstanceType it;
  TypeInfo info;
  for (auto& e : c.exports) {
    st.remap(e.type, m);
    KUMO_CHECK(combine(info, entity_info(arena_, e.type)));
    it.exports.push_back(e);
  }
  for (auto rp : c.explicit_resources) {
    auto found = m.resources.find(rp.id.value);
    if (found != m.resources.end()) rp.id = found->second;
    add_explicit(it.explicit_resources, std::move(rp));
  }
  return arena_.add(std::move(it), info);
}

Expected<TypeId> Validator::instance_from_exports(const InstanceDef& d) {
  // Names in a bag of exports are checked without any resource names in scope.
  ExternList list;
  ResourceNames no_names;
  InstanceType it;
  TypeInfo info;
  for (const auto& x : d.exports) {
    KUMO_TRY(EntityType e, entity_of(x.item));
    if (x.item.sort == Sort::Value) cur().value_used[x.item.index] = true;
    uint32_t index = uint32_t(list.items.size());
    if (e.sort == ExternSort::Instance) {
      for (const auto& rp : arena_.instance(e.type).explicit_resources) {
        ResourcePath p{rp.id, {index}};
        p.path.insert(p.path.end(), rp.path.begin(), rp.path.end());
        add_explicit(it.explicit_resources, std::move(p));
      }
    } else if (e.sort == ExternSort::Type && arena_.kind(e.type) == TypeKind::Resource) {
      add_explicit(it.explicit_resources, ResourcePath{arena_.resource(e.type), {index}});
    }
    KUMO_CHECK(add_extern(list, no_names, x.name, ExternKind::Export, e));
    KUMO_CHECK(combine(info, entity_info(arena_, e)));
  }
  it.exports = std::move(list.items);
  return arena_.add(std::move(it), info);
}

Expected<void> Validator::alias(const Alias& a) {
  Scope& sc = cur();
  if (sc.kind != ScopeKind::Component) {
    bool ok = (a.kind == Alias::InstanceExport && (a.sort == Sort::Type || a.sort == Sort::Instance)) ||
              (a.kind == Alias::Outer && (a.sort == Sort::Type || a.sort == Sort::CoreType));
    if (!ok) return err("aliases in a component or instance type may only refer to types or instances");
  }
  switch (a.kind) {
    case Alias::InstanceExport: {
      KUMO_TRY(TypeId it, instance_at(a.instance));
      const NamedEntity* e = arena_.instance(it).find(a.name);
      if (!e) return err("instance {} has no export named `{}`", a.instance, a.name);
      ExternSort want;
      switch (a.sort) {
        case Sort::CoreModule: want = ExternSort::CoreModule; break;
        case Sort::Func: want = ExternSort::Func; break;
        case Sort::Value: want = ExternSort::Value; break;
        case Sort::Type: want = ExternSort::Type; break;
        case Sort::Component: want = ExternSort::Component; break;
        case Sort::Instance: want = ExternSort::Instance; break;
        default: return err("a {} cannot be aliased from a component instance", to_string(a.sort));
      }
      if (e->type.sort != want) {
        return err("export `{}` for instance {} is not a {}", a.name, a.instance, to_string(want));
      }
      EntityType ty = e->type;
      return add_entity(ty, nullptr, std::nullopt, false);
    }
    case Alias::CoreInstanceExport: {
      KUMO_TRY(const std::vector<CoreExportDecl>* inst, core_instance_at(a.instance));
      const CoreExportDecl* found = nullptr;
      for (const auto& e : *inst) {
        if (e.name == a.name) found = &e;
      }
      if (!found) return err("core instance {} has no export named `{}`", a.instance, a.name);
      wasm::ExternKind want = wasm::ExternKind::Func;
      const char* desc = "function";
      switch (a.sort) {
        case Sort::CoreFunc: break;
        case Sort::CoreTable: want = wasm::ExternKind::Table; desc = "table"; break;
        case Sort::CoreMemory: want = wasm::ExternKind::Memory; desc = "memory"; break;
        case Sort::CoreGlobal: want = wasm::ExternKind::Global; desc = "global"; break;
        case Sort::CoreTag: want = wasm::ExternKind::Tag; desc = "tag"; break;
        default: return err("a {} cannot be aliased from a core instance", to_string(a.sort));
      }
      if (found->type.kind != want) {
        return err("export `{}` for core instance {} is not a {}", a.name, a.instance, desc);
      }
      CoreExternType t = found->type;
      return push_core_item(t);
    }
    case Alias::Outer: return alias_outer(a);
  }
  return {};
}

Expected<void> Validator::alias_outer(const Alias& a) {
  if (a.outer_count >= scopes_.size()) return err("invalid outer alias count of {}", a.outer_count);
  size_t target_pos = scopes_.size() - 1 - a.outer_count;
  const Scope& target = scopes_[target_pos];
  const ComponentInfo& ti = target.info;
  Scope& sc = cur();
  uint32_t i = a.outer_index;
  switch (a.sort) {
    case Sort::CoreModule:
      if (i >= ti.core_modules.size()) return err("unknown module {}: module index out of bounds", i);
      KUMO_CHECK(check_count(sc.info.core_modules.size(), 1000, "modules"));
      sc.info.core_modules.push_back(ti.core_modules[i]);
      return {};
    case Sort::Component:
      if (i >= ti.components.size()) return err("unknown component {}: component index out of bounds", i);
      KUMO_CHECK(check_count(sc.info.components.size(), 1000, "components"));
      sc.info.components.push_back(ti.components[i]);
      return {};
    case Sort::CoreType:
      if (i >= ti.core_types.size()) return err("unknown core type {}: type index out of bounds", i);
      sc.info.core_types.push_back(ti.core_types[i]);
      return {};
    case Sort::Type: {
      if (i >= ti.types.size()) return err("unknown type {}: type index out of bounds", i);
      TypeId t = ti.types[i];
      // Crossing a component boundary: the type must not refer to resources of another
      // component (resources are generative, so it could not be substituted inline).
      if (a.outer_count > 0 && scopes_[target_pos + 1].kind == ScopeKind::Component) {
        std::unordered_set<uint32_t> free;
        subtype().free_resources(t, free);
        if (!free.empty()) {
          return err("cannot alias outer type which transitively refers to resources not defined in "
                     "the current component");
        }
      }
      KUMO_CHECK(check_count(sc.info.types.size(), 1000000, "types"));
      sc.info.types.push_back(t);
      return {};
    }
    default:
      return err("a {} cannot be aliased from an outer component", to_string(a.sort));
  }
}

}  // namespace kumo::component::validation
