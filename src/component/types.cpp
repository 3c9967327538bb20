#include <atomic>
#include "component/types.hpp"

#include <cassert>

#include <fmt/format.h>

namespace kumo::component {

const char* to_string(PrimValType t) {
  switch (t) {
    case PrimValType::Bool: return "bool";
    case PrimValType::S8: return "s8";
    case PrimValType::U8: return "u8";
    case PrimValType::S16: return "s16";
    case PrimValType::U16: return "u16";
    case PrimValType::S32: return "s32";
    case PrimValType::U32: return "u32";
    case PrimValType::S64: return "s64";
    case PrimValType::U64: return "u64";
    case PrimValType::F32: return "f32";
    case PrimValType::F64: return "f64";
    case PrimValType::Char: return "char";
    case PrimValType::String: return "string";
    case PrimValType::ErrorContext: return "error-context";
  }
  return "?";
}

const char* to_string(DefinedKind k) {
  switch (k) {
    case DefinedKind::Primitive: return "primitive";
    case DefinedKind::Record: return "record";
    case DefinedKind::Variant: return "variant";
    case DefinedKind::List: return "list";
    case DefinedKind::FixedList: return "fixed-length list";
    case DefinedKind::Tuple: return "tuple";
    case DefinedKind::Flags: return "flags";
    case DefinedKind::Enum: return "enum";
    case DefinedKind::Option: return "option";
    case DefinedKind::Result: return "result";
    case DefinedKind::Own: return "own";
    case DefinedKind::Borrow: return "borrow";
    case DefinedKind::Stream: return "stream";
    case DefinedKind::Future: return "future";
    case DefinedKind::Map: return "map";
  }
  return "?";
}

const char* to_string(ExternSort s) {
  switch (s) {
    case ExternSort::CoreModule: return "module";
    case ExternSort::Func: return "func";
    case ExternSort::Value: return "value";
    case ExternSort::Type: return "type";
    case ExternSort::Component: return "component";
    case ExternSort::Instance: return "instance";
  }
  return "?";
}

const char* to_string(TypeKind k) {
  switch (k) {
    case TypeKind::Defined: return "defined type";
    case TypeKind::Func: return "func type";
    case TypeKind::Resource: return "resource";
    case TypeKind::Instance: return "instance type";
    case TypeKind::Component: return "component type";
    case TypeKind::CoreFunc: return "core func type";
    case TypeKind::Module: return "module type";
  }
  return "?";
}

const CoreExportDecl* ModuleType::find_export(std::string_view name) const {
  for (const auto& e : exports) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

namespace {
const NamedEntity* find_named(const std::vector<NamedEntity>& v, std::string_view name) {
  for (const auto& e : v) {
    if (e.name.name == name) return &e;
  }
  return nullptr;
}
}  // namespace

const NamedEntity* InstanceType::find(std::string_view name) const {
  return find_named(exports, name);
}
const NamedEntity* ComponentType::find_import(std::string_view name) const {
  return find_named(imports, name);
}
const NamedEntity* ComponentType::find_export(std::string_view name) const {
  return find_named(exports, name);
}

uint32_t TypeArena::slot(TypeId id, [[maybe_unused]] TypeKind k) const {
  assert(id.index < entries_.size() && entries_[id.index].kind == k);
  return entries_[id.index].slot;
}

TypeId TypeArena::push(TypeKind k, uint32_t slot, TypeInfo info) {
  entries_.push_back(Entry{k, slot, info});
  return TypeId{uint32_t(entries_.size() - 1)};
}

TypeId TypeArena::add(DefinedType t, TypeInfo info) {
  defined_.push_back(std::move(t));
  return push(TypeKind::Defined, uint32_t(defined_.size() - 1), info);
}
TypeId TypeArena::add(FuncType t, TypeInfo info) {
  funcs_.push_back(std::move(t));
  return push(TypeKind::Func, uint32_t(funcs_.size() - 1), info);
}
TypeId TypeArena::add(InstanceType t, TypeInfo info) {
  instances_.push_back(std::move(t));
  return push(TypeKind::Instance, uint32_t(instances_.size() - 1), info);
}
TypeId TypeArena::add(ComponentType t, TypeInfo info) {
  components_.push_back(std::move(t));
  return push(TypeKind::Component, uint32_t(components_.size() - 1), info);
}
TypeId TypeArena::add(wasm::FuncType t) {
  core_funcs_.push_back(std::move(t));
  return push(TypeKind::CoreFunc, uint32_t(core_funcs_.size() - 1), TypeInfo{});
}
TypeId TypeArena::add(ModuleType t, TypeInfo info) {
  modules_.push_back(std::move(t));
  return push(TypeKind::Module, uint32_t(modules_.size() - 1), info);
}
TypeId TypeArena::add_resource(ResourceId r) { return push(TypeKind::Resource, r.value, TypeInfo{}); }

TypeId TypeArena::alias(TypeId id) {
  Entry e = entries_[id.index];
  return push(e.kind, e.slot, e.info);
}

TypeArena::Checkpoint TypeArena::checkpoint() const {
  return Checkpoint{entries_.size(),    defined_.size(),    funcs_.size(), instances_.size(),
                    components_.size(), core_funcs_.size(), modules_.size()};
}

uint64_t TypeArena::Uid::next() {
  static std::atomic<uint64_t> counter{1};
  return counter.fetch_add(1, std::memory_order_relaxed);
}

void TypeArena::rollback(const Checkpoint& c) {
  uid_ = Uid();  // indices past the checkpoint will be reused for other types
  entries_.resize(c.entries);
  defined_.resize(c.defined);
  funcs_.resize(c.funcs);
  instances_.resize(c.instances);
  components_.resize(c.components);
  core_funcs_.resize(c.core_funcs);
  modules_.resize(c.modules);
}

// ---- printing ----

namespace {

std::string quoted(const std::string& s) { return fmt::format("\"{}\"", s); }

std::string entity_to_string(const TypeArena& a, const EntityType& e) {
  switch (e.sort) {
    case ExternSort::Value: return fmt::format("(value {})", to_string(a, e.value));
    case ExternSort::Type:
      if (a.kind(e.type) == TypeKind::Resource) return "(type (sub resource))";
      return fmt::format("(type (eq {}))", to_string(a, e.type));
    default: return to_string(a, e.type);
  }
}

void append_decls(const TypeArena& a, std::string& out, const char* what,
                  const std::vector<NamedEntity>& v) {
  for (const auto& n : v) {
    out += fmt::format(" ({} {} {})", what, quoted(n.name.name), entity_to_string(a, n.type));
  }
}

}  // namespace

std::string to_string(const TypeArena& a, const ValType& t) {
  return t.is_primitive() ? std::string(to_string(t.prim())) : to_string(a, t.type());
}

std::string to_string(const TypeArena& a, TypeId id) {
  if (!id.valid() || id.index >= a.size()) return "<invalid type>";
  switch (a.kind(id)) {
    case TypeKind::Defined: {
      const DefinedType& d = a.defined(id);
      auto vt = [&](const ValType& v) { return to_string(a, v); };
      std::string out;
      switch (d.kind) {
        case DefinedKind::Primitive: return to_string(d.prim);
        case DefinedKind::Record:
          out = "(record";
          for (const auto& f : d.fields) out += fmt::format(" (field {} {})", quoted(f.name), vt(f.type));
          return out + ")";
        case DefinedKind::Variant:
          out = "(variant";
          for (const auto& c : d.cases) {
            out += fmt::format(" (case {}{})", quoted(c.name), c.type ? " " + vt(*c.type) : "");
          }
          return out + ")";
        case DefinedKind::List: return fmt::format("(list {})", vt(*d.elem));
        case DefinedKind::FixedList: return fmt::format("(list {} {})", vt(*d.elem), d.length);
        case DefinedKind::Tuple:
          out = "(tuple";
          for (const auto& t : d.types) out += " " + vt(t);
          return out + ")";
        case DefinedKind::Flags:
        case DefinedKind::Enum:
          out = d.kind == DefinedKind::Flags ? "(flags" : "(enum";
          for (const auto& l : d.labels) out += " " + quoted(l);
          return out + ")";
        case DefinedKind::Option: return fmt::format("(option {})", vt(*d.elem));
        case DefinedKind::Result:
          out = "(result";
          if (d.ok) out += " " + vt(*d.ok);
          if (d.err) out += fmt::format(" (error {})", vt(*d.err));
          return out + ")";
        case DefinedKind::Own:
        case DefinedKind::Borrow:
          return fmt::format("({} {})", to_string(d.kind), to_string(a, d.resource));
        case DefinedKind::Stream:
        case DefinedKind::Future:
          return d.elem ? fmt::format("({} {})", to_string(d.kind), vt(*d.elem))
                        : fmt::format("({})", to_string(d.kind));
        case DefinedKind::Map: return fmt::format("(map {} {})", vt(*d.key), vt(*d.elem));
      }
      return "?";
    }
    case TypeKind::Func: {
      const FuncType& f = a.func(id);
      std::string out = f.is_async ? "(func async" : "(func";
      for (const auto& p : f.params) out += fmt::format(" (param {} {})", quoted(p.name), to_string(a, p.type));
      if (f.result) out += fmt::format(" (result {})", to_string(a, *f.result));
      return out + ")";
    }
    case TypeKind::Resource: return fmt::format("(resource #{})", a.resource(id).value);
    case TypeKind::Instance: {
      std::string out = "(instance";
      append_decls(a, out, "export", a.instance(id).exports);
      return out + ")";
    }
    case TypeKind::Component: {
      std::string out = "(component";
      append_decls(a, out, "import", a.component(id).imports);
      append_decls(a, out, "export", a.component(id).exports);
      return out + ")";
    }
    case TypeKind::CoreFunc: return fmt::format("(core func {})", wasm::to_string(a.core_func(id)));
    case TypeKind::Module: {
      std::string out = "(core module";
      for (const auto& i : a.module(id).imports) {
        out += fmt::format(" (import {} {} {})", quoted(i.module), quoted(i.name), to_string(i.type));
      }
      for (const auto& e : a.module(id).exports) {
        out += fmt::format(" (export {} {})", quoted(e.name), to_string(e.type));
      }
      return out + ")";
    }
  }
  return "?";
}

std::string to_string(const CoreExternType& t) {
  switch (t.kind) {
    case wasm::ExternKind::Func: return fmt::format("(func {})", wasm::to_string(t.func));
    case wasm::ExternKind::Tag: return fmt::format("(tag {})", wasm::to_string(t.func));
    case wasm::ExternKind::Table: {
      const auto& l = t.table.limits;
      return fmt::format("(table {}{} {})", l.min, l.max ? fmt::format(" {}", *l.max) : "",
                         wasm::to_string(t.table.elem));
    }
    case wasm::ExternKind::Memory: {
      const auto& l = t.memory.limits;
      return fmt::format("(memory {}{}{})", l.is64 ? "i64 " : "", l.min,
                         l.max ? fmt::format(" {}", *l.max) : "");
    }
    case wasm::ExternKind::Global:
      return t.global.mut ? fmt::format("(global (mut {}))", wasm::to_string(t.global.type))
                          : fmt::format("(global {})", wasm::to_string(t.global.type));
  }
  return "?";
}

}  // namespace kumo::component
