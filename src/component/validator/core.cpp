// Core definitions inside a component: nested core modules (validated by the core validator and
// summarised as a ModuleType), core instances, and core types including module types.
#include <set>

#include "component/validator/context.hpp"

namespace kumo::component::validation {

namespace {

Expected<void> check_memory_type(const wasm::MemoryType& m) {
  const auto& l = m.limits;
  uint64_t max_pages = l.is64 ? (uint64_t(1) << 48) : 65536;
  if (l.min > max_pages || (l.max && *l.max > max_pages)) {
    return l.is64 ? err("memory size must be at most 2**48 pages")
                  : err("memory size must be at most 65536 pages (4GiB)");
  }
  if (l.max && *l.max < l.min) return err("size minimum must not be greater than maximum");
  if (l.shared && !l.max) return err("shared memory must have maximum size");
  if (m.page_size_log2 != 0 && m.page_size_log2 != 16) return err("invalid custom page size");
  return {};
}

Expected<void> check_table_type(const wasm::TableType& t) {
  const auto& l = t.limits;
  uint64_t max = l.is64 ? UINT64_MAX : UINT32_MAX;
  if (l.min > max || (l.max && *l.max > max)) return err("table size must be at most 2**32-1");
  if (l.max && *l.max < l.min) return err("size minimum must not be greater than maximum");
  return {};
}

// The type of an import or export of a decoded core module.
CoreExternType import_type(const wasm::Module& m, const wasm::Import& imp) {
  CoreExternType t;
  t.kind = imp.kind;
  switch (imp.kind) {
    case wasm::ExternKind::Func:
    case wasm::ExternKind::Tag: t.func = m.types[imp.type_index]; break;
    case wasm::ExternKind::Table: t.table = imp.table; break;
    case wasm::ExternKind::Memory: t.memory = imp.memory; break;
    case wasm::ExternKind::Global: t.global = imp.global; break;
  }
  return t;
}

CoreExternType export_type(const wasm::Module& m, const wasm::Export& e) {
  CoreExternType t;
  t.kind = e.kind;
  switch (e.kind) {
    case wasm::ExternKind::Func: t.func = m.func_type(e.index); break;
    case wasm::ExternKind::Tag: t.func = m.types[m.tag_type_index(e.index)]; break;
    case wasm::ExternKind::Table: t.table = m.table_type(e.index); break;
    case wasm::ExternKind::Memory: t.memory = m.memory_type(e.index); break;
    case wasm::ExternKind::Global: t.global = m.global_type(e.index); break;
  }
  return t;
}

TypeInfo module_info(const ModuleType& mt) {
  TypeInfo info;
  info.size = uint32_t(std::min<size_t>(1 + mt.imports.size() + mt.exports.size(), 1000000));
  return info;
}

}  // namespace

Expected<void> Validator::check_core_valtype(wasm::ValType t, size_t num_types) {
  if (t.is_ref() && t.heap().is_concrete() && t.heap().type_index() >= num_types) {
    return err("unknown type {}: type index out of bounds", t.heap().type_index());
  }
  return {};
}

Expected<void> Validator::core_module(const CoreModuleDef& def) {
  const wasm::Module& m = *def.module;
  auto valid = wasm::validate_module(m);
  if (!valid) return Unexpected<Error>{valid.error()};
  ModuleType mt;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& imp : m.imports) {
    if (!seen.emplace(imp.module, imp.name).second) {
      return err("duplicate import name `{}:{}` already defined", imp.module, imp.name);
    }
    mt.imports.push_back(CoreImportDecl{imp.module, imp.name, import_type(m, imp)});
  }
  for (const auto& e : m.exports) mt.exports.push_back(CoreExportDecl{e.name, export_type(m, e)});
  KUMO_CHECK(check_count(cur().info.core_modules.size(), 1000, "modules"));
  TypeInfo info = module_info(mt);
  cur().info.core_modules.push_back(arena_.add(std::move(mt), info));
  return {};
}

Expected<void> Validator::core_instance(const CoreInstanceDef& d) {
  std::vector<CoreExportDecl> exports;
  if (d.kind == CoreInstanceDef::Instantiate) {
    KUMO_TRY(TypeId mt_id, module_at(d.module));
    std::vector<std::pair<std::string, const std::vector<CoreExportDecl>*>> args;
    for (const auto& a : d.args) {
      for (const auto& [name, _] : args) {
        if (name == a.name) return err("duplicate module instantiation argument named `{}`", a.name);
      }
      KUMO_TRY(const std::vector<CoreExportDecl>* inst, core_instance_at(a.instance));
      args.emplace_back(a.name, inst);
    }
    const ModuleType& mt = arena_.module(mt_id);
    Subtype st = subtype();
    for (const auto& imp : mt.imports) {
      const std::vector<CoreExportDecl>* inst = nullptr;
      for (const auto& [name, i] : args) {
        if (name == imp.module) inst = i;
      }
      if (!inst) return err("missing module instantiation argument named `{}`", imp.module);
      const CoreExportDecl* found = nullptr;
      for (const auto& e : *inst) {
        if (e.name == imp.name) found = &e;
      }
      if (!found) {
        return err("module instantiation argument `{}` does not export an item named `{}`", imp.module,
                   imp.name);
      }
      auto r = st.core_extern(found->type, imp.type);
      if (!r) {
        return err("type mismatch for export `{}` of module instantiation argument `{}`: {}", imp.name,
                   imp.module, r.error().message);
      }
    }
    exports = mt.exports;
  } else {
    for (const auto& e : d.exports) {
      for (const auto& prev : exports) {
        if (prev.name == e.name) return err("duplicate instantiation export name `{}` already defined", e.name);
      }
      KUMO_TRY(CoreExternType t, core_item(e.item));
      exports.push_back(CoreExportDecl{e.name, std::move(t)});
    }
  }
  cur().info.core_instances.push_back(std::move(exports));
  return {};
}

Expected<TypeId> Validator::core_type(const CoreTypeDef& t) {
  KUMO_CHECK(check_count(cur().info.core_types.size() + cur().info.types.size(), 1000000, "types"));
  if (t.kind == CoreTypeDef::Module) return module_type(t);
  const auto& types = cur().info.core_types;
  for (const auto* list : {&t.func.params, &t.func.results}) {
    for (auto v : *list) {
      KUMO_CHECK(check_core_valtype(v, types.size()));
      if (v.is_ref() && v.heap().is_concrete() &&
          arena_.kind(types[v.heap().type_index()]) == TypeKind::Module) {
        return err("type index {} is a module type, not a sub type", v.heap().type_index());
      }
    }
  }
  return arena_.add(t.func);
}

Expected<TypeId> Validator::module_type(const CoreTypeDef& t) {
  // A module type has its own core type index space, starting empty.
  std::vector<TypeId> types;
  ModuleType mt;
  auto desc_type = [&](const CoreExternDesc& d) -> Expected<CoreExternType> {
    CoreExternType out;
    out.kind = d.kind;
    switch (d.kind) {
      case wasm::ExternKind::Func:
      case wasm::ExternKind::Tag:
        if (d.type_index >= types.size()) return err("unknown type {}: type index out of bounds", d.type_index);
        out.func = arena_.core_func(types[d.type_index]);
        if (d.kind == wasm::ExternKind::Tag && !out.func.results.empty()) {
          return err("non-empty tag result type");
        }
        return out;
      case wasm::ExternKind::Table:
        KUMO_CHECK(check_core_valtype(d.table.elem, types.size()));
        KUMO_CHECK(check_table_type(d.table));
        out.table = d.table;
        return out;
      case wasm::ExternKind::Memory:
        KUMO_CHECK(check_memory_type(d.memory));
        out.memory = d.memory;
        return out;
      case wasm::ExternKind::Global:
        KUMO_CHECK(check_core_valtype(d.global.type, types.size()));
        out.global = d.global;
        return out;
    }
    return out;
  };
  std::set<std::pair<std::string, std::string>> seen_imports;
  for (const auto& d : t.module_decls) {
    switch (d.kind) {
      case ModuleDecl::Import: {
        KUMO_TRY(CoreExternType ty, desc_type(d.desc));
        if (!seen_imports.emplace(d.module, d.name).second) {
          return err("duplicate import name `{}:{}` already defined", d.module, d.name);
        }
        mt.imports.push_back(CoreImportDecl{d.module, d.name, std::move(ty)});
        break;
      }
      case ModuleDecl::Type: {
        for (auto v : d.type->func.params) KUMO_CHECK(check_core_valtype(v, types.size()));
        for (auto v : d.type->func.results) KUMO_CHECK(check_core_valtype(v, types.size()));
        types.push_back(arena_.add(d.type->func));
        break;
      }
      case ModuleDecl::Alias: {
        TypeId target;
        if (d.outer_count == 0) {
          if (d.outer_index >= types.size()) return err("unknown type {}: type index out of bounds", d.outer_index);
          target = types[d.outer_index];
        } else {
          if (d.outer_count > scopes_.size()) return err("invalid outer alias count of {}", d.outer_count);
          const Scope& s = scopes_[scopes_.size() - d.outer_count];
          if (d.outer_index >= s.info.core_types.size()) {
            return err("unknown type {}: type index out of bounds", d.outer_index);
          }
          target = s.info.core_types[d.outer_index];
          if (arena_.kind(target) == TypeKind::Module) {
            return err("not implemented: aliasing core module types into a core module's types index space");
          }
        }
        types.push_back(target);
        break;
      }
      case ModuleDecl::Export: {
        KUMO_TRY(CoreExternType ty, desc_type(d.desc));
        if (mt.find_export(d.name)) return err("export name `{}` already defined", d.name);
        mt.exports.push_back(CoreExportDecl{d.name, std::move(ty)});
        break;
      }
    }
  }
  TypeInfo info = module_info(mt);
  return arena_.add(std::move(mt), info);
}

}  // namespace kumo::component::validation
