// Type definitions: defined value types, function types, resource types, component and instance
// types (each checked in its own scope), and the externtypes of imports and exports.
#include <unordered_map>

#include "component/abi/layout.hpp"
#include "component/validator/context.hpp"

namespace kumo::component::validation {

namespace {

constexpr uint32_t kMaxTypeDepth = 100;

// Kebab-case labels of one kind, unique up to ASCII case.
class LabelSet {
 public:
  LabelSet(const char* desc, const char* short_desc) : desc_(desc), short_(short_desc) {}
  Expected<void> add(const std::string& s) {
    if (s.empty()) return err("{} name cannot be empty", desc_);
    if (!is_kebab_label(s)) return err("{} name `{}` is not in kebab case", desc_, s);
    std::string key = s;
    for (char& c : key) c = char(std::tolower(static_cast<unsigned char>(c)));
    auto [it, inserted] = seen_.emplace(key, s);
    if (!inserted) {
      return err("{} name `{}` conflicts with previous {} name `{}`", desc_, s, short_, it->second);
    }
    return {};
  }

 private:
  const char* desc_;
  const char* short_;
  std::unordered_map<std::string, std::string> seen_;
};

bool is_key_type(const TypeArena& a, const ValType& v) {
  PrimValType p;
  if (v.is_primitive()) {
    p = v.prim();
  } else {
    const DefinedType& d = a.defined(v.type());
    if (d.kind != DefinedKind::Primitive) return false;
    p = d.prim;
  }
  return p != PrimValType::F32 && p != PrimValType::F64 && p != PrimValType::ErrorContext;
}

bool is_char(const TypeArena& a, const ValType& v) {
  if (v.is_primitive()) return v.prim() == PrimValType::Char;
  const DefinedType& d = a.defined(v.type());
  return d.kind == DefinedKind::Primitive && d.prim == PrimValType::Char;
}

}  // namespace

Expected<TypeId> Validator::type_def(const TypeDef& t) {
  switch (t.kind) {
    case TypeDef::Defined: return defined_type(t.defined);
    case TypeDef::Func: return func_type(t.func);
    case TypeDef::Component: return decls_type(t.decls, ScopeKind::ComponentType);
    case TypeDef::Instance: return decls_type(t.decls, ScopeKind::InstanceType);
    case TypeDef::Resource:
      if (cur().kind != ScopeKind::Component) {
        return err("resources can only be defined within a concrete component");
      }
      return resource_type(t.resource);
  }
  return err("internal error: unknown type definition");
}

Expected<ValType> Validator::val_type(const ValType& s) {
  if (s.is_primitive()) {
    if (s.prim() == PrimValType::ErrorContext && !features_.error_context) {
      return err("`error-context` requires the component model error-context feature");
    }
    return s;
  }
  KUMO_TRY(TypeId t, type_at(s.type().index));
  if (arena_.kind(t) != TypeKind::Defined) return err("type index {} is not a defined type", s.type().index);
  return ValType::defined(t);
}

Expected<TypeId> Validator::defined_type(const DefinedType& d) {
  DefinedType out;
  out.kind = d.kind;
  TypeInfo info;
  auto vt = [&](const ValType& s) -> Expected<ValType> {
    KUMO_TRY(ValType v, val_type(s));
    KUMO_CHECK(combine(info, arena_.info(v)));
    return v;
  };
  auto opt = [&](const std::optional<ValType>& s) -> Expected<std::optional<ValType>> {
    if (!s) return std::optional<ValType>{};
    KUMO_TRY(ValType v, vt(*s));
    return std::optional<ValType>{v};
  };
  switch (d.kind) {
    case DefinedKind::Primitive: {
      KUMO_TRY(ValType p, val_type(ValType::primitive(d.prim)));
      out.prim = p.prim();
      break;
    }
    case DefinedKind::Record: {
      if (d.fields.empty()) return err("record type must have at least one field");
      LabelSet labels("record field", "field");
      for (const auto& f : d.fields) {
        KUMO_CHECK(labels.add(f.name));
        KUMO_TRY(ValType v, vt(f.type));
        out.fields.push_back(Field{f.name, v});
      }
      break;
    }
    case DefinedKind::Variant: {
      if (d.cases.empty()) return err("variant type must have at least one case");
      LabelSet labels("variant case", "case");
      for (const auto& c : d.cases) {
        KUMO_CHECK(labels.add(c.name));
        KUMO_TRY(auto v, opt(c.type));
        out.cases.push_back(Case{c.name, v});
      }
      break;
    }
    case DefinedKind::List:
    case DefinedKind::Option: {
      KUMO_TRY(out.elem, vt(*d.elem));
      break;
    }
    case DefinedKind::FixedList: {
      if (!features_.fixed_length_lists) {
        return err("Fixed-length lists require the component model fixed-length lists feature");
      }
      if (d.length == 0) return err("Fixed-length lists must have more than zero elements");
      out.length = d.length;
      KUMO_TRY(out.elem, vt(*d.elem));
      break;
    }
    case DefinedKind::Tuple: {
      if (d.types.empty()) return err("tuple type must have at least one type");
      for (const auto& t : d.types) {
        KUMO_TRY(ValType v, vt(t));
        out.types.push_back(v);
      }
      break;
    }
    case DefinedKind::Flags:
    case DefinedKind::Enum: {
      bool flags = d.kind == DefinedKind::Flags;
      if (d.labels.empty()) {
        return flags ? err("flags must have at least one entry") : err("enum type must have at least one variant");
      }
      if (flags && d.labels.size() > 32) return err("cannot have more than 32 flags");
      LabelSet labels(flags ? "flag" : "enum tag", flags ? "flag" : "tag");
      for (const auto& l : d.labels) KUMO_CHECK(labels.add(l));
      out.labels = d.labels;
      break;
    }
    case DefinedKind::Result: {
      KUMO_TRY(out.ok, opt(d.ok));
      KUMO_TRY(out.err, opt(d.err));
      break;
    }
    case DefinedKind::Own:
    case DefinedKind::Borrow: {
      KUMO_TRY(out.resource, resource_at(d.resource.index));
      if (d.kind == DefinedKind::Borrow) info.has_borrow = true;
      break;
    }
    case DefinedKind::Stream:
    case DefinedKind::Future: {
      if (!features_.async) {
        return err("`{}` requires the component model async feature", to_string(d.kind));
      }
      KUMO_TRY(out.elem, opt(d.elem));
      if (out.elem && d.kind == DefinedKind::Stream && is_char(arena_, *out.elem)) {
        return err("`stream<char>` is not valid at this time, use `stream<u8>` with a defined encoding "
                   "instead for now");
      }
      if (out.elem && arena_.info(*out.elem).has_borrow) {
        return err("`{}` element types cannot contain a `borrow`", to_string(d.kind));
      }
      break;
    }
    case DefinedKind::Map: {
      if (!features_.map) return err("Maps require the component model map feature");
      KUMO_TRY(out.key, vt(*d.key));
      if (!is_key_type(arena_, *out.key)) {
        return err("map key type must be a boolean, integer, char or string type");
      }
      KUMO_TRY(out.elem, vt(*d.elem));
      break;
    }
  }
  if (info.depth > kMaxTypeDepth) return err("type nesting is too deep");
  TypeId id = arena_.add(std::move(out), info);
  uint64_t size = abi::elem_size(arena_, ValType::defined(id), abi::PtrType::I64);
  if (size >= abi::kMaxValueSize) {
    return err("type exceeds maximum byte size of {} (its size in memory is {} bytes)",
               abi::kMaxValueSize - 1, size);
  }
  return id;
}

Expected<TypeId> Validator::func_type(const FuncType& f) {
  if (f.is_async && !features_.async) {
    return err("async component functions require the component model async feature");
  }
  FuncType out;
  out.is_async = f.is_async;
  TypeInfo info;
  LabelSet labels("function parameter", "parameter");
  for (const auto& p : f.params) {
    KUMO_CHECK(labels.add(p.name));
    KUMO_TRY(ValType v, val_type(p.type));
    KUMO_CHECK(combine(info, arena_.info(v)));
    out.params.push_back(Param{p.name, v});
  }
  if (f.result) {
    KUMO_TRY(ValType v, val_type(*f.result));
    if (arena_.info(v).has_borrow) return err("function result cannot contain a `borrow` type");
    KUMO_CHECK(combine(info, arena_.info(v)));
    out.result = v;
  }
  return arena_.add(std::move(out), info);
}

Expected<TypeId> Validator::resource_type(const ResourceTypeDef& r) {
  bool rep_ok = r.rep == wasm::ValType::I32 || (r.rep == wasm::ValType::I64 && features_.memory64);
  if (!rep_ok) return err("resources can only be represented by `i32`");
  if (r.dtor) {
    KUMO_TRY(const wasm::FuncType* ft, core_func_at(*r.dtor));
    if (ft->params != std::vector<wasm::ValType>{r.rep} || !ft->results.empty()) {
      return err("core function {} has wrong signature for a destructor", *r.dtor);
    }
  }
  ResourceId id = arena_.new_resource();
  cur().info.resources.push_back(LocalResource{id, r.rep, r.dtor});
  cur().defined_resources.push_back(id);
  return arena_.add_resource(id);
}

Expected<TypeId> Validator::decls_type(const std::vector<TypeDecl>& decls, ScopeKind kind) {
  scopes_.emplace_back();
  cur().kind = kind;
  auto decl = [&](const TypeDecl& d) -> Expected<void> {
    switch (d.kind) {
      case TypeDecl::CoreType: {
        KUMO_TRY(TypeId t, core_type(*d.core_type));
        cur().info.core_types.push_back(t);
        return {};
      }
      case TypeDecl::Type: {
        KUMO_TRY(TypeId t, type_def(*d.type));
        KUMO_CHECK(check_count(cur().info.types.size(), 1000000, "types"));
        cur().info.types.push_back(t);
        return {};
      }
      case TypeDecl::Alias: return alias(d.alias);
      case TypeDecl::Import: return import(d.name, d.desc);
      case TypeDecl::Export: {
        bool fresh = false;
        KUMO_TRY(EntityType e, extern_desc(d.desc, &fresh));
        KUMO_CHECK(add_entity(e, &d.name.name, ExternKind::Export, fresh));
        return add_extern(cur().exports, cur().export_names, d.name, ExternKind::Export, e);
      }
    }
    return {};
  };
  for (const auto& d : decls) {
    auto r = decl(d);
    if (!r) {
      scopes_.pop_back();
      return at("type declaration", d.offset, r.error());
    }
  }
  Expected<TypeId> result = err("internal error");
  if (kind == ScopeKind::ComponentType) {
    result = finish_component();
  } else {
    Scope& sc = cur();
    InstanceType it;
    it.exports = sc.exports.items;
    it.defined_resources = sc.defined_resources;
    it.explicit_resources = sc.explicit_resources;
    TypeInfo info;
    Expected<void> ok;
    for (const auto& e : it.exports) {
      ok = combine(info, entity_info(arena_, e.type));
      if (!ok) break;
    }
    if (ok) {
      result = arena_.add(std::move(it), info);
    } else {
      result = Unexpected<Error>{ok.error()};
    }
  }
  scopes_.pop_back();
  return result;
}

Expected<EntityType> Validator::extern_desc(const ExternDesc& d, bool* fresh) {
  EntityType e;
  e.sort = d.sort;
  *fresh = false;
  switch (d.sort) {
    case ExternSort::CoreModule: {
      KUMO_TRY(e.type, core_type_at(d.index));
      if (arena_.kind(e.type) != TypeKind::Module) return err("core type index {} is not a module type", d.index);
      return e;
    }
    case ExternSort::Func: {
      KUMO_TRY(e.type, type_at(d.index));
      if (arena_.kind(e.type) != TypeKind::Func) return err("type index {} is not a function type", d.index);
      return e;
    }
    case ExternSort::Value: {
      KUMO_CHECK(check_value_support());
      if (d.value_eq) {
        const auto& v = cur().info.values;
        if (d.index >= v.size()) return err("unknown value {}: value index out of bounds", d.index);
        e.value = v[d.index];
      } else {
        KUMO_TRY(e.value, val_type(d.value_type));
      }
      return e;
    }
    case ExternSort::Type: {
      if (d.bound == ExternDesc::SubResource) {
        e.type = arena_.add_resource(arena_.new_resource());
        *fresh = true;
      } else {
        KUMO_TRY(TypeId referenced, type_at(d.index));
        e.type = arena_.alias(referenced);
      }
      return e;
    }
    case ExternSort::Component: {
      KUMO_TRY(e.type, type_at(d.index));
      if (arena_.kind(e.type) != TypeKind::Component) return err("type index {} is not a component type", d.index);
      return e;
    }
    case ExternSort::Instance: {
      KUMO_TRY(e.type, type_at(d.index));
      if (arena_.kind(e.type) != TypeKind::Instance) return err("type index {} is not an instance type", d.index);
      return e;
    }
  }
  return e;
}

}  // namespace kumo::component::validation
