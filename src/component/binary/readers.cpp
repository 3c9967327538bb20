#include "component/binary/readers.hpp"

#include "wasm/binary/type_reader.hpp"

namespace kumo::component::binary {

Unexpected<Error> invalid_byte(const Reader& r, uint32_t at, uint8_t b, const char* what) {
  return r.fail_at(at, fmt::format("invalid leading byte (0x{:x}) for {}", b, what));
}

namespace {

std::optional<PrimValType> prim_from_byte(uint8_t b) {
  switch (b) {
    case 0x7f: return PrimValType::Bool;
    case 0x7e: return PrimValType::S8;
    case 0x7d: return PrimValType::U8;
    case 0x7c: return PrimValType::S16;
    case 0x7b: return PrimValType::U16;
    case 0x7a: return PrimValType::S32;
    case 0x79: return PrimValType::U32;
    case 0x78: return PrimValType::S64;
    case 0x77: return PrimValType::U64;
    case 0x76: return PrimValType::F32;
    case 0x75: return PrimValType::F64;
    case 0x74: return PrimValType::Char;
    case 0x73: return PrimValType::String;
    case 0x64: return PrimValType::ErrorContext;
    default: return std::nullopt;
  }
}

Expected<uint8_t> read_zero_or_one(Reader& r, const char* what) {
  uint32_t at = r.offset();
  KUMO_TRY(uint8_t b, r.u8());
  if (b > 1) return invalid_byte(r, at, b, what);
  return b;
}

// vec(labellit)
Expected<std::vector<std::string>> read_labels(Reader& r) {
  KUMO_TRY(uint32_t n, r.count(1));
  std::vector<std::string> v;
  v.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    KUMO_TRY(std::string l, r.name());
    v.push_back(std::move(l));
  }
  return v;
}

Expected<DefinedType> read_defined(Reader& r, uint8_t b, uint32_t at) {
  DefinedType d;
  if (auto p = prim_from_byte(b)) {
    d.kind = DefinedKind::Primitive;
    d.prim = *p;
    return d;
  }
  switch (b) {
    case 0x72: {  // record
      d.kind = DefinedKind::Record;
      KUMO_TRY(uint32_t n, r.count(2));
      d.fields.reserve(n);
      for (uint32_t i = 0; i < n; ++i) {
        Field f;
        KUMO_TRY(f.name, r.name());
        KUMO_TRY(f.type, read_value_type(r));
        d.fields.push_back(std::move(f));
      }
      return d;
    }
    case 0x71: {  // variant
      d.kind = DefinedKind::Variant;
      KUMO_TRY(uint32_t n, r.count(3));
      d.cases.reserve(n);
      for (uint32_t i = 0; i < n; ++i) {
        Case c;
        KUMO_TRY(c.name, r.name());
        KUMO_TRY(c.type, read_opt_value_type(r, "optional component value type"));
        // Formerly the index of a case this one refines; must now be zero.
        uint32_t zat = r.offset();
        KUMO_TRY(uint8_t z, r.u8());
        if (z != 0) return invalid_byte(r, zat, z, "zero byte required");
        d.cases.push_back(std::move(c));
      }
      return d;
    }
    case 0x70: {
      d.kind = DefinedKind::List;
      KUMO_TRY(d.elem, read_value_type(r));
      return d;
    }
    case 0x67: {
      d.kind = DefinedKind::FixedList;
      KUMO_TRY(d.elem, read_value_type(r));
      KUMO_TRY(d.length, r.u32());
      return d;
    }
    case 0x6f: {
      d.kind = DefinedKind::Tuple;
      KUMO_TRY(uint32_t n, r.count(1));
      d.types.reserve(n);
      for (uint32_t i = 0; i < n; ++i) {
        KUMO_TRY(ValType t, read_value_type(r));
        d.types.push_back(t);
      }
      return d;
    }
    case 0x6e: {
      d.kind = DefinedKind::Flags;
      KUMO_TRY(d.labels, read_labels(r));
      return d;
    }
    case 0x6d: {
      d.kind = DefinedKind::Enum;
      KUMO_TRY(d.labels, read_labels(r));
      return d;
    }
    case 0x6b: {
      d.kind = DefinedKind::Option;
      KUMO_TRY(d.elem, read_value_type(r));
      return d;
    }
    case 0x6a: {
      d.kind = DefinedKind::Result;
      KUMO_TRY(d.ok, read_opt_value_type(r, "optional component value type"));
      KUMO_TRY(d.err, read_opt_value_type(r, "optional component value type"));
      return d;
    }
    case 0x69:
    case 0x68: {
      d.kind = b == 0x69 ? DefinedKind::Own : DefinedKind::Borrow;
      KUMO_TRY(d.resource.index, r.u32());
      return d;
    }
    case 0x66:
    case 0x65: {
      d.kind = b == 0x66 ? DefinedKind::Stream : DefinedKind::Future;
      KUMO_TRY(d.elem, read_opt_value_type(r, "optional component value type"));
      return d;
    }
    case 0x63: {
      d.kind = DefinedKind::Map;
      KUMO_TRY(d.key, read_value_type(r));
      KUMO_TRY(d.elem, read_value_type(r));
      return d;
    }
    default:
      return invalid_byte(r, at, b, "component defined type");
  }
}

Expected<FuncType> read_func(Reader& r, bool is_async) {
  FuncType f;
  f.is_async = is_async;
  KUMO_TRY(uint32_t n, r.count(2));
  f.params.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    Param p;
    KUMO_TRY(p.name, r.name());
    KUMO_TRY(p.type, read_value_type(r));
    f.params.push_back(std::move(p));
  }
  uint32_t at = r.offset();
  KUMO_TRY(uint8_t b, r.u8());
  if (b == 0x00) {
    KUMO_TRY(f.result, read_value_type(r));
  } else if (b == 0x01) {
    uint32_t zat = r.offset();
    KUMO_TRY(uint8_t z, r.u8());
    if (z != 0) return invalid_byte(r, zat, z, "number of results");
  } else {
    return invalid_byte(r, at, b, "component function results");
  }
  return f;
}

// Declarators of component types (`allow_import`) and instance types.
Expected<std::vector<TypeDecl>> read_decls(Reader& r, bool allow_import, unsigned depth) {
  KUMO_TRY(uint32_t n, r.count(1));
  std::vector<TypeDecl> decls;
  decls.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    TypeDecl d;
    d.offset = r.offset();
    KUMO_TRY(uint8_t b, r.u8());
    switch (b) {
      case 0x00: {
        d.kind = TypeDecl::CoreType;
        KUMO_TRY(CoreTypeDef t, read_core_type(r, depth + 1));
        d.core_type = std::make_shared<CoreTypeDef>(std::move(t));
        break;
      }
      case 0x01: {
        d.kind = TypeDecl::Type;
        KUMO_TRY(TypeDef t, read_type(r, depth + 1));
        d.type = std::make_shared<TypeDef>(std::move(t));
        break;
      }
      case 0x02: {
        d.kind = TypeDecl::Alias;
        KUMO_TRY(d.alias, read_alias(r));
        break;
      }
      case 0x03: {
        if (!allow_import) return invalid_byte(r, d.offset, b, "component or instance type declaration");
        d.kind = TypeDecl::Import;
        KUMO_TRY(d.name, read_extern_name(r));
        KUMO_TRY(d.desc, read_extern_desc(r));
        break;
      }
      case 0x04: {
        d.kind = TypeDecl::Export;
        KUMO_TRY(d.name, read_extern_name(r));
        KUMO_TRY(d.desc, read_extern_desc(r));
        break;
      }
      default:
        return invalid_byte(r, d.offset, b, "component or instance type declaration");
    }
    decls.push_back(std::move(d));
  }
  return decls;
}

// A core function type (0x60); GC composite types are not supported.
Expected<wasm::FuncType> read_core_func_body(Reader& r) {
  wasm::FuncType ft;
  for (auto* v : {&ft.params, &ft.results}) {
    KUMO_TRY(uint32_t n, r.count(1));
    v->reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      KUMO_TRY(wasm::ValType t, wasm::binary::read_val_type(r));
      v->push_back(t);
    }
  }
  return ft;
}

Unexpected<Error> gc_unsupported(const Reader& r, uint32_t at, uint8_t b) {
  return r.fail_at(at, fmt::format("GC types are not supported yet (core type form 0x{:02x}; only "
                                   "function types, optionally in a `sub` without supertypes)", b));
}

// The body of a core `sub` type (after 0x50 / 0x4f): Kumo has no GC type representation, so only a
// sub type without supertypes wrapping a function type is accepted, as that function type (its
// finality matters only to GC subtyping, which no core type here can use).
Expected<CoreTypeDef> read_core_sub_type(Reader& r, uint32_t at) {
  uint32_t nat = r.offset();
  KUMO_TRY(uint32_t nsuper, r.count(1));
  if (nsuper != 0) {
    return r.fail_at(nat, fmt::format("GC types are not supported yet (a core sub type with {} "
                                      "supertype(s))", nsuper));
  }
  CoreTypeDef t;
  t.offset = at;
  uint32_t cat = r.offset();
  KUMO_TRY(uint8_t c, r.u8());
  if (c == 0x5e || c == 0x5f) return gc_unsupported(r, cat, c);
  if (c != 0x60) return invalid_byte(r, cat, c, "core composite type");
  t.kind = CoreTypeDef::Func;
  KUMO_TRY(t.func, read_core_func_body(r));
  return t;
}

// A core type inside a module type: only function types (0x50 there means a GC sub type).
Expected<CoreTypeDef> read_module_decl_type(Reader& r) {
  CoreTypeDef t;
  t.offset = r.offset();
  KUMO_TRY(uint8_t b, r.u8());
  switch (b) {
    case 0x60: {
      t.kind = CoreTypeDef::Func;
      KUMO_TRY(t.func, read_core_func_body(r));
      return t;
    }
    case 0x4f: case 0x50:  // final / non-final sub type
      return read_core_sub_type(r, t.offset);
    case 0x4e: case 0x5e: case 0x5f:
      return gc_unsupported(r, t.offset, b);
    default:
      return invalid_byte(r, t.offset, b, "core type");
  }
}

Expected<wasm::Limits> read_limits(Reader& r, bool is_memory, wasm::MemoryType* mem) {
  uint32_t at = r.offset();
  KUMO_TRY(uint8_t flags, r.u8());
  uint8_t allowed = is_memory ? 0x0f : 0x05;
  if (flags & ~allowed) return r.fail_at(at, fmt::format("malformed limits flags 0x{:02x}", flags));
  wasm::Limits l;
  l.shared = flags & 0x02;
  l.is64 = flags & 0x04;
  KUMO_TRY(l.min, r.u64());
  if (flags & 0x01) {
    KUMO_TRY(uint64_t max, r.u64());
    l.max = max;
  }
  if (flags & 0x08) {
    KUMO_TRY(mem->page_size_log2, r.u32());
  }
  return l;
}

}  // namespace

Expected<ValType> read_value_type(Reader& r) {
  uint32_t at = r.offset();
  KUMO_TRY(uint8_t b, r.peek());
  if (auto p = prim_from_byte(b)) {
    (void)r.u8();
    return ValType::primitive(*p);
  }
  KUMO_TRY(int64_t idx, r.s33());
  if (idx < 0) return invalid_byte(r, at, b, "component value type");
  return ValType::defined(TypeId{uint32_t(idx)});
}

Expected<std::optional<ValType>> read_opt_value_type(Reader& r, const char* what) {
  KUMO_TRY(uint8_t b, read_zero_or_one(r, what));
  if (b == 0) return std::optional<ValType>{};
  KUMO_TRY(ValType t, read_value_type(r));
  return std::optional<ValType>{t};
}

Expected<Sort> read_sort(Reader& r) {
  uint32_t at = r.offset();
  KUMO_TRY(uint8_t b, r.u8());
  switch (b) {
    case 0x00: {
      uint32_t cat = r.offset();
      KUMO_TRY(uint8_t c, r.u8());
      switch (c) {
        case 0x00: return Sort::CoreFunc;
        case 0x01: return Sort::CoreTable;
        case 0x02: return Sort::CoreMemory;
        case 0x03: return Sort::CoreGlobal;
        case 0x04: return Sort::CoreTag;
        case 0x10: return Sort::CoreType;
        case 0x11: return Sort::CoreModule;
        case 0x12: return Sort::CoreInstance;
        default: return invalid_byte(r, cat, c, "core sort");
      }
    }
    case 0x01: return Sort::Func;
    case 0x02: return Sort::Value;
    case 0x03: return Sort::Type;
    case 0x04: return Sort::Component;
    case 0x05: return Sort::Instance;
    default: return invalid_byte(r, at, b, "sort");
  }
}

Expected<Sort> read_extern_sort(Reader& r) {
  uint32_t at = r.offset();
  KUMO_TRY(Sort s, read_sort(r));
  // Of the core sorts only modules cross component boundaries.
  if (is_core(s) && s != Sort::CoreModule) return invalid_byte(r, at, 0x00, "component external kind");
  return s;
}

Expected<ExternName> read_extern_name(Reader& r) {
  uint32_t at = r.offset();
  KUMO_TRY(uint8_t form, r.u8());
  if (form > 0x02) return invalid_byte(r, at, form, "component name");
  ExternName n;
  KUMO_TRY(n.name, r.name());
  if (form != 0x02) return n;
  KUMO_TRY(uint32_t count, r.count(2));
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t aat = r.offset();
    KUMO_TRY(uint8_t kind, r.u8());
    std::optional<std::string>* slot = nullptr;
    const char* what = "";
    switch (kind) {
      case 0x00: slot = &n.implements; what = "implements"; break;
      case 0x01: slot = &n.version_suffix; what = "versionsuffix"; break;
      case 0x02: slot = &n.external_id; what = "external-id"; break;
      default: return invalid_byte(r, aat, kind, "name option");
    }
    KUMO_TRY(std::string v, r.name());
    if (slot->has_value()) return r.fail_at(aat, fmt::format("duplicate '{}' option in name", what));
    *slot = std::move(v);
  }
  return n;
}

Expected<ExternDesc> read_extern_desc(Reader& r) {
  ExternDesc d;
  KUMO_TRY(Sort s, read_extern_sort(r));
  switch (s) {
    case Sort::CoreModule: d.sort = ExternSort::CoreModule; break;
    case Sort::Func: d.sort = ExternSort::Func; break;
    case Sort::Value: d.sort = ExternSort::Value; break;
    case Sort::Type: d.sort = ExternSort::Type; break;
    case Sort::Component: d.sort = ExternSort::Component; break;
    case Sort::Instance: d.sort = ExternSort::Instance; break;
    default: return r.fail("internal error: unexpected extern sort");
  }
  if (d.sort == ExternSort::Type) {
    uint32_t at = r.offset();
    KUMO_TRY(uint8_t b, r.u8());
    if (b == 0x00) {
      d.bound = ExternDesc::Eq;
      KUMO_TRY(d.index, r.u32());
    } else if (b == 0x01) {
      d.bound = ExternDesc::SubResource;
    } else {
      return invalid_byte(r, at, b, "type bound");
    }
  } else if (d.sort == ExternSort::Value) {
    uint32_t at = r.offset();
    KUMO_TRY(uint8_t b, r.u8());
    if (b == 0x00) {
      d.value_eq = true;
      KUMO_TRY(d.index, r.u32());
    } else if (b == 0x01) {
      KUMO_TRY(d.value_type, read_value_type(r));
    } else {
      return invalid_byte(r, at, b, "value bound");
    }
  } else {
    KUMO_TRY(d.index, r.u32());
  }
  return d;
}

Expected<component::Alias> read_alias(Reader& r) {
  component::Alias a;
  a.offset = r.offset();
  KUMO_TRY(uint8_t b1, r.peek());
  uint8_t b2 = 0;  // the core sort byte, for error messages
  if (b1 == 0) {
    Reader look = r;
    (void)look.u8();
    KUMO_TRY(b2, look.peek());
  }
  KUMO_TRY(a.sort, read_sort(r));
  uint32_t at = r.offset();
  KUMO_TRY(uint8_t kind, r.u8());
  switch (kind) {
    case 0x00: {
      if (is_core(a.sort) && a.sort != Sort::CoreModule) {
        return invalid_byte(r, a.offset, b1, "component external kind");
      }
      a.kind = component::Alias::InstanceExport;
      KUMO_TRY(a.instance, r.u32());
      KUMO_TRY(a.name, r.name());
      return a;
    }
    case 0x01: {
      if (!is_core(a.sort) || a.sort > Sort::CoreTag) {
        return invalid_byte(r, a.offset, b1, "core instance export kind");
      }
      a.kind = component::Alias::CoreInstanceExport;
      KUMO_TRY(a.instance, r.u32());
      KUMO_TRY(a.name, r.name());
      return a;
    }
    case 0x02: {
      if (a.sort != Sort::CoreType && a.sort != Sort::CoreModule && a.sort != Sort::Type &&
          a.sort != Sort::Component) {
        return invalid_byte(r, a.offset + (b1 == 0 ? 1 : 0), b1 == 0 ? b2 : b1,
                            "component outer alias kind");
      }
      a.kind = component::Alias::Outer;
      KUMO_TRY(a.outer_count, r.u32());
      KUMO_TRY(a.outer_index, r.u32());
      return a;
    }
    default:
      return invalid_byte(r, at, kind, "alias");
  }
}

Expected<CoreExternDesc> read_core_extern_desc(Reader& r) {
  CoreExternDesc d;
  uint32_t at = r.offset();
  KUMO_TRY(uint8_t b, r.u8());
  switch (b) {
    case 0x00: {
      d.kind = wasm::ExternKind::Func;
      KUMO_TRY(d.type_index, r.u32());
      return d;
    }
    case 0x01: {
      d.kind = wasm::ExternKind::Table;
      KUMO_TRY(d.table.elem, wasm::binary::read_ref_type(r));
      KUMO_TRY(d.table.limits, read_limits(r, false, nullptr));
      return d;
    }
    case 0x02: {
      d.kind = wasm::ExternKind::Memory;
      KUMO_TRY(d.memory.limits, read_limits(r, true, &d.memory));
      return d;
    }
    case 0x03: {
      d.kind = wasm::ExternKind::Global;
      KUMO_TRY(d.global.type, wasm::binary::read_val_type(r));
      KUMO_TRY(uint8_t mut, read_zero_or_one(r, "global mutability"));
      d.global.mut = mut == 1;
      return d;
    }
    case 0x04: {
      d.kind = wasm::ExternKind::Tag;
      uint32_t tat = r.offset();
      KUMO_TRY(uint8_t attr, r.u8());
      if (attr != 0) return invalid_byte(r, tat, attr, "tag attribute");
      KUMO_TRY(d.type_index, r.u32());
      return d;
    }
    default:
      return invalid_byte(r, at, b, "external kind");
  }
}

Expected<CoreTypeDef> read_core_type(Reader& r, unsigned depth) {
  if (depth > kMaxNesting) return r.fail("type nesting too deep");
  CoreTypeDef t;
  t.offset = r.offset();
  KUMO_TRY(uint8_t b, r.u8());
  switch (b) {
    case 0x60: {
      t.kind = CoreTypeDef::Func;
      KUMO_TRY(t.func, read_core_func_body(r));
      return t;
    }
    case 0x50: {
      t.kind = CoreTypeDef::Module;
      KUMO_TRY(uint32_t n, r.count(1));
      t.module_decls.reserve(n);
      for (uint32_t i = 0; i < n; ++i) {
        ModuleDecl d;
        uint32_t at = r.offset();
        KUMO_TRY(uint8_t k, r.u8());
        switch (k) {
          case 0x00: {
            d.kind = ModuleDecl::Import;
            KUMO_TRY(d.module, r.name());
            KUMO_TRY(d.name, r.name());
            KUMO_TRY(d.desc, read_core_extern_desc(r));
            break;
          }
          case 0x01: {
            d.kind = ModuleDecl::Type;
            KUMO_TRY(CoreTypeDef inner, read_module_decl_type(r));
            d.type = std::make_shared<CoreTypeDef>(std::move(inner));
            break;
          }
          case 0x02: {
            d.kind = ModuleDecl::Alias;
            uint32_t kat = r.offset();
            KUMO_TRY(uint8_t sort, r.u8());
            if (sort != 0x10) return invalid_byte(r, kat, sort, "outer alias kind");
            uint32_t tat = r.offset();
            KUMO_TRY(uint8_t target, r.u8());
            if (target != 0x01) return invalid_byte(r, tat, target, "outer alias target");
            KUMO_TRY(d.outer_count, r.u32());
            KUMO_TRY(d.outer_index, r.u32());
            break;
          }
          case 0x03: {
            d.kind = ModuleDecl::Export;
            KUMO_TRY(d.name, r.name());
            KUMO_TRY(d.desc, read_core_extern_desc(r));
            break;
          }
          default:
            return invalid_byte(r, at, k, "type definition");
        }
        t.module_decls.push_back(std::move(d));
      }
      return t;
    }
    case 0x00: {  // 0x00 0x50: a non-final sub type (a bare 0x50 is a module type here)
      uint32_t at = r.offset();
      KUMO_TRY(uint8_t next, r.u8());
      if (next != 0x50) return invalid_byte(r, at, next, "non-final sub type");
      return read_core_sub_type(r, t.offset);
    }
    case 0x4f:  // final sub type
      return read_core_sub_type(r, t.offset);
    case 0x4e: case 0x5e: case 0x5f:
      return gc_unsupported(r, t.offset, b);
    default:
      return invalid_byte(r, t.offset, b, "core type");
  }
}

Expected<TypeDef> read_type(Reader& r, unsigned depth) {
  if (depth > kMaxNesting) return r.fail("type nesting too deep");
  TypeDef t;
  t.offset = r.offset();
  KUMO_TRY(uint8_t b, r.u8());
  switch (b) {
    case 0x3f: {
      t.kind = TypeDef::Resource;
      KUMO_TRY(t.resource.rep, wasm::binary::read_val_type(r));
      uint32_t at = r.offset();
      KUMO_TRY(uint8_t has, r.u8());
      if (has == 0x01) {
        KUMO_TRY(uint32_t f, r.u32());
        t.resource.dtor = f;
      } else if (has != 0x00) {
        return invalid_byte(r, at, has, "resource destructor");
      }
      return t;
    }
    case 0x40:
    case 0x43: {
      t.kind = TypeDef::Func;
      KUMO_TRY(t.func, read_func(r, b == 0x43));
      return t;
    }
    case 0x41:
    case 0x42: {
      t.kind = b == 0x41 ? TypeDef::Component : TypeDef::Instance;
      KUMO_TRY(t.decls, read_decls(r, b == 0x41, depth));
      return t;
    }
    default: {
      t.kind = TypeDef::Defined;
      KUMO_TRY(t.defined, read_defined(r, b, t.offset));
      return t;
    }
  }
}

}  // namespace kumo::component::binary
