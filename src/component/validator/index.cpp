// Bounds- and kind-checked access to the index spaces of the current scope.
#include "component/validator/context.hpp"

namespace kumo::component::validation {

Expected<void> Validator::check_count(size_t current, size_t max, const char* what) {
  if (current >= max) return err("{} count exceeds limit of {}", what, max);
  return {};
}

Expected<TypeId> Validator::type_at(uint32_t i) {
  const auto& v = cur().info.types;
  if (i >= v.size()) return err("unknown type {}: type index out of bounds", i);
  return v[i];
}

Expected<TypeId> Validator::func_at(uint32_t i) {
  const auto& v = cur().info.funcs;
  if (i >= v.size()) return err("unknown function {}: function index out of bounds", i);
  return v[i];
}

Expected<TypeId> Validator::instance_at(uint32_t i) {
  const auto& v = cur().info.instances;
  if (i >= v.size()) return err("unknown instance {}: instance index out of bounds", i);
  return v[i];
}

Expected<TypeId> Validator::component_at(uint32_t i) {
  const auto& v = cur().info.components;
  if (i >= v.size()) return err("unknown component {}: component index out of bounds", i);
  return v[i];
}

Expected<TypeId> Validator::core_type_at(uint32_t i) {
  const auto& v = cur().info.core_types;
  if (i >= v.size()) return err("unknown core type {}: type index out of bounds", i);
  return v[i];
}

Expected<TypeId> Validator::module_at(uint32_t i) {
  const auto& v = cur().info.core_modules;
  if (i >= v.size()) return err("unknown module {}: module index out of bounds", i);
  return v[i];
}

Expected<const wasm::FuncType*> Validator::core_func_at(uint32_t i) {
  const auto& v = cur().info.core_funcs;
  if (i >= v.size()) return err("unknown core function {}: function index out of bounds", i);
  return &v[i];
}

Expected<const std::vector<CoreExportDecl>*> Validator::core_instance_at(uint32_t i) {
  const auto& v = cur().info.core_instances;
  if (i >= v.size()) return err("unknown core instance {}: instance index out of bounds", i);
  return &v[i];
}

Expected<TypeId> Validator::resource_at(uint32_t type_index) {
  KUMO_TRY(TypeId t, type_at(type_index));
  if (arena_.kind(t) != TypeKind::Resource) return err("type index {} is not a resource type", type_index);
  return t;
}

Expected<const LocalResource*> Validator::local_resource_at(uint32_t type_index) {
  KUMO_TRY(TypeId t, resource_at(type_index));
  ResourceId id = arena_.resource(t);
  for (const auto& r : cur().info.resources) {
    if (r.id == id) return &r;
  }
  return err("type index {} is not a local resource", type_index);
}

Expected<EntityType> Validator::entity_of(const SortIndex& s) {
  EntityType e;
  switch (s.sort) {
    case Sort::CoreModule: {
      e.sort = ExternSort::CoreModule;
      KUMO_TRY(e.type, module_at(s.index));
      return e;
    }
    case Sort::Func: {
      e.sort = ExternSort::Func;
      KUMO_TRY(e.type, func_at(s.index));
      return e;
    }
    case Sort::Value: {
      KUMO_CHECK(check_value_support());
      const auto& v = cur().info.values;
      if (s.index >= v.size()) return err("unknown value {}: value index out of bounds", s.index);
      if (cur().value_used[s.index]) return err("value {} cannot be used more than once", s.index);
      e.sort = ExternSort::Value;
      e.value = v[s.index];
      return e;
    }
    case Sort::Type: {
      e.sort = ExternSort::Type;
      KUMO_TRY(e.type, type_at(s.index));
      return e;
    }
    case Sort::Component: {
      e.sort = ExternSort::Component;
      KUMO_TRY(e.type, component_at(s.index));
      return e;
    }
    case Sort::Instance: {
      e.sort = ExternSort::Instance;
      KUMO_TRY(e.type, instance_at(s.index));
      return e;
    }
    default:
      return err("a {} cannot be exported or passed to a component", to_string(s.sort));
  }
}

Expected<CoreExternType> Validator::core_item(const SortIndex& s) {
  const ComponentInfo& info = cur().info;
  CoreExternType t;
  auto oob = [&](const char* what) {
    return err("unknown {} {}: {} index out of bounds", what, s.index, what);
  };
  switch (s.sort) {
    case Sort::CoreFunc:
      if (s.index >= info.core_funcs.size()) return oob("function");
      t.kind = wasm::ExternKind::Func;
      t.func = info.core_funcs[s.index];
      return t;
    case Sort::CoreTable:
      if (s.index >= info.core_tables.size()) return oob("table");
      t.kind = wasm::ExternKind::Table;
      t.table = info.core_tables[s.index];
      return t;
    case Sort::CoreMemory:
      if (s.index >= info.core_memories.size()) return oob("memory");
      t.kind = wasm::ExternKind::Memory;
      t.memory = info.core_memories[s.index];
      return t;
    case Sort::CoreGlobal:
      if (s.index >= info.core_globals.size()) return oob("global");
      t.kind = wasm::ExternKind::Global;
      t.global = info.core_globals[s.index];
      return t;
    case Sort::CoreTag:
      if (s.index >= info.core_tags.size()) return oob("tag");
      t.kind = wasm::ExternKind::Tag;
      t.func = info.core_tags[s.index];
      return t;
    default:
      return err("a {} is not a core export", to_string(s.sort));
  }
}

Expected<void> Validator::push_core_item(const CoreExternType& t) {
  ComponentInfo& info = cur().info;
  switch (t.kind) {
    case wasm::ExternKind::Func:
      KUMO_CHECK(check_count(info.core_funcs.size(), 1000000, "core functions"));
      info.core_funcs.push_back(t.func);
      return {};
    case wasm::ExternKind::Table:
      KUMO_CHECK(check_count(info.core_tables.size(), 1000000, "core tables"));
      info.core_tables.push_back(t.table);
      return {};
    case wasm::ExternKind::Memory:
      KUMO_CHECK(check_count(info.core_memories.size(), 1000000, "core memories"));
      info.core_memories.push_back(t.memory);
      return {};
    case wasm::ExternKind::Global:
      KUMO_CHECK(check_count(info.core_globals.size(), 1000000, "core globals"));
      info.core_globals.push_back(t.global);
      return {};
    case wasm::ExternKind::Tag:
      KUMO_CHECK(check_count(info.core_tags.size(), 1000000, "core tags"));
      info.core_tags.push_back(t.func);
      return {};
  }
  return {};
}

}  // namespace kumo::component::validation
