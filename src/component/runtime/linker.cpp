// Linker: host definitions by name, resolved against a component's imports once (instantiate_pre)
// with every type check the import demands; InstancePre then instantiates cheaply.
#include <charconv>
#include <optional>

#include "component/runtime/instantiate.hpp"
#include "component/runtime/linker_typecheck.hpp"

namespace kumo::component::rt {

// ---------------------------------------------------------------------------------------------
// LinkerInstance

namespace {

struct Version {
  uint64_t major = 0, minor = 0, patch = 0;
  auto operator<=>(const Version&) const = default;
};

// "a:b/c@1.2.3" -> ("a:b/c", 1.2.3). Pre-release or build suffixes are not semver-compatible with
// anything but themselves, so they do not parse here.
std::optional<std::pair<std::string_view, Version>> split_version(std::string_view name) {
  size_t at = name.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view v = name.substr(at + 1);
  Version out;
  uint64_t* parts[3] = {&out.major, &out.minor, &out.patch};
  const char* p = v.data();
  const char* end = v.data() + v.size();
  for (int i = 0; i < 3; ++i) {
    auto r = std::from_chars(p, end, *parts[i]);
    if (r.ec != std::errc{} || r.ptr == p) return std::nullopt;
    p = r.ptr;
    if (i < 2) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
  }
  if (p != end) return std::nullopt;
  return std::pair{name.substr(0, at), out};
}

// Semver compatibility as wasmtime applies it to interface names: same major version, or same
// minor when the major is 0 (and the same patch when both are 0).
bool compatible(const Version& a, const Version& b) {
  if (a.major != b.major) return false;
  if (a.major != 0) return true;
  if (a.minor != b.minor) return false;
  return a.minor != 0 || a.patch == b.patch;
}

}  // namespace

LinkerInstance& LinkerInstance::func(std::string name, HostFunc f) {
  Def d{Def::HostFunction, std::move(f), nullptr, nullptr, {}, nullptr};
  defs_.insert_or_assign(std::move(name), std::move(d));
  return *this;
}

LinkerInstance& LinkerInstance::resource(std::string name, ResourceType* type) {
  Def d{Def::Resource, {}, type, nullptr, {}, nullptr};
  defs_.insert_or_assign(std::move(name), std::move(d));
  return *this;
}

LinkerInstance& LinkerInstance::module(std::string name, std::shared_ptr<const wasm::CompiledModule> m) {
  Def d{Def::Module, {}, nullptr, std::move(m), {}, nullptr};
  defs_.insert_or_assign(std::move(name), std::move(d));
  return *this;
}

LinkerInstance& LinkerInstance::item(std::string name, Item item) {
  Def d{Def::ItemDef, {}, nullptr, nullptr, std::move(item), nullptr};
  defs_.insert_or_assign(std::move(name), std::move(d));
  return *this;
}

LinkerInstance& LinkerInstance::instance(std::string name) {
  auto it = defs_.find(name);
  if (it != defs_.end() && it->second.kind == Def::Instance) return *it->second.instance;
  Def d{Def::Instance, {}, nullptr, nullptr, {}, std::make_unique<LinkerInstance>()};
  LinkerInstance& out = *d.instance;
  defs_.insert_or_assign(std::move(name), std::move(d));
  return out;
}

const LinkerInstance::Def* LinkerInstance::find(std::string_view name) const {
  auto it = defs_.find(name);
  if (it != defs_.end()) return &it->second;
  auto want = split_version(name);
  if (!want) return nullptr;
  const Def* best = nullptr;
  Version best_version;
  for (const auto& [n, d] : defs_) {
    auto have = split_version(n);
    if (!have || have->first != want->first || !compatible(have->second, want->second)) continue;
    if (!best || have->second > best_version) {
      best = &d;
      best_version = have->second;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Import resolution and checking

namespace {

const char* expected_desc(const TypeArena& arena, const EntityType& e) {
  switch (e.sort) {
    case ExternSort::CoreModule: return "module";
    case ExternSort::Func: return "function";
    case ExternSort::Value: return "value";
    case ExternSort::Type: return arena.kind(e.type) == TypeKind::Resource ? "resource" : "type";
    case ExternSort::Component: return "component";
    case ExternSort::Instance: return "instance";
  }
  return "item";
}

const char* kind_desc(wasm::ExternKind k) {
  switch (k) {
    case wasm::ExternKind::Func: return "func";
    case wasm::ExternKind::Table: return "table";
    case wasm::ExternKind::Memory: return "memory";
    case wasm::ExternKind::Global: return "global";
    case wasm::ExternKind::Tag: return "tag";
  }
  return "item";
}

bool limits_sub(const wasm::Limits& sub, const wasm::Limits& sup) {
  if (sub.is64 != sup.is64 || sub.shared != sup.shared || sub.min < sup.min) return false;
  if (!sup.max) return true;
  return sub.max && *sub.max <= *sup.max;
}

// Whether a core item of type `sub` can be used where `sup` is expected (same kinds).
bool core_sub(const CoreExternType& sub, const CoreExternType& sup) {
  switch (sub.kind) {
    case wasm::ExternKind::Func:
    case wasm::ExternKind::Tag: return sub.func == sup.func;
    case wasm::ExternKind::Table: return sub.table.elem == sup.table.elem && limits_sub(sub.table.limits, sup.table.limits);
    case wasm::ExternKind::Memory:
      return sub.memory.page_size_log2 == sup.memory.page_size_log2 && limits_sub(sub.memory.limits, sup.memory.limits);
    case wasm::ExternKind::Global: return sub.global.mut == sup.global.mut && sub.global.type == sup.global.type;
  }
  return false;
}

// A core function type in the text format: "(func (param i32) (result i64))".
std::string func_text(const wasm::FuncType& f) {
  std::string out = "(func";
  auto list = [&](const char* what, const std::vector<wasm::ValType>& ts) {
    if (ts.empty()) return;
    out += fmt::format(" ({}", what);
    for (wasm::ValType t : ts) out += " " + wasm::to_string(t);
    out += ")";
  };
  list("param", f.params);
  list("result", f.results);
  return out + ")";
}

// The types of a module's imports and exports, in the ModuleType vocabulary.
CoreExternType import_type(const wasm::Module& m, const wasm::Import& imp) {
  CoreExternType t;
  t.kind = imp.kind;
  if (imp.kind == wasm::ExternKind::Func || imp.kind == wasm::ExternKind::Tag) t.func = m.types.at(imp.type_index);
  t.table = imp.table;
  t.memory = imp.memory;
  t.global = imp.global;
  return t;
}

CoreExternType export_type(const wasm::Module& m, const wasm::Export& e) {
  CoreExternType t;
  t.kind = e.kind;
  // Index spaces: imports of the kind first, then definitions.
  uint32_t i = e.index;
  for (const wasm::Import& imp : m.imports) {
    if (imp.kind != e.kind) continue;
    if (i == 0) return import_type(m, imp);
    --i;
  }
  switch (e.kind) {
    case wasm::ExternKind::Func: t.func = m.types.at(m.functions.at(i).type_index); break;
    case wasm::ExternKind::Table: t.table = m.tables.at(i).type; break;
    case wasm::ExternKind::Memory: t.memory = m.memories.at(i); break;
    case wasm::ExternKind::Global: t.global = m.globals.at(i).type; break;
    case wasm::ExternKind::Tag: t.func = m.types.at(m.tags.at(i).type_index); break;
  }
  return t;
}

class Checker {
 public:
  explicit Checker(std::shared_ptr<const TypeArena> arena) : arena_ptr_(std::move(arena)), arena_(*arena_ptr_) {
    env_.arena = arena_ptr_;
  }

  // A linker definition as the item an import of type `want` receives.
  Expected<Item> resolve(const LinkerInstance::Def& d, const EntityType& want, const std::string& path) {
    Item item;
    switch (d.kind) {
      case LinkerInstance::Def::HostFunction: {
        if (want.sort != ExternSort::Func) {
          return err("{}: expected {} found func", path, expected_desc(arena_, want));
        }
        // The host function takes the type the importer declares.
        auto f = std::make_shared<Func>();
        f->kind = Func::Host;
        f->arena = arena_ptr_;
        f->type = want.type;
        f->host = d.host;
        item.sort = ExternSort::Func;
        item.func = std::move(f);
        return item;
      }
      case LinkerInstance::Def::Resource:
        item.sort = ExternSort::Type;
        item.resource = d.resource;
        break;
      case LinkerInstance::Def::Module:
        item.sort = ExternSort::CoreModule;
        item.module = d.module;
        break;
      case LinkerInstance::Def::ItemDef: item = d.item; break;
      case LinkerInstance::Def::Instance: {
        if (want.sort != ExternSort::Instance) {
          return err("{}: expected {} found instance", path, expected_desc(arena_, want));
        }
        auto items = std::make_shared<InstanceItems>();
        for (const NamedEntity& e : arena_.instance(want.type).exports) {
          std::string sub = fmt::format("{} instance export `{}`", path, e.name.name);
          const LinkerInstance::Def* x = d.instance->find(e.name.name);
          if (!x) {
            std::optional<Item> fallback = default_item(e.type);
            if (!fallback) return err("{} was not found", sub);
            items->exports.emplace_back(e.name.name, std::move(*fallback));
            continue;
          }
          KUMO_TRY(Item xi, resolve(*x, e.type, sub));
          items->exports.emplace_back(e.name.name, std::move(xi));
        }
        items->build_index();
        item.sort = ExternSort::Instance;
        item.instance = std::move(items);
        return item;
      }
    }
    KUMO_CHECK(check(item, want, path));
    return item;
  }

  // The item an import gets when the linker has no definition for it, if it can do without one:
  // a type that is not a resource (its structure is known), a resource already fixed by an
  // equality with one resolved earlier, or an instance all of whose exports are such items.
  std::optional<Item> default_item(const EntityType& e) {
    Item item;
    item.sort = e.sort;
    if (e.sort == ExternSort::Type) {
      if (arena_.kind(e.type) != TypeKind::Resource) return item;
      item.resource = env_.resource(e.type);
      if (!item.resource) return std::nullopt;
      return item;
    }
    if (e.sort != ExternSort::Instance) return std::nullopt;
    auto items = std::make_shared<InstanceItems>();
    for (const NamedEntity& x : arena_.instance(e.type).exports) {
      std::optional<Item> xi = default_item(x.type);
      if (!xi) return std::nullopt;
      items->exports.emplace_back(x.name.name, std::move(*xi));
    }
    items->build_index();
    item.instance = std::move(items);
    return item;
  }

  Expected<void> check(const Item& item, const EntityType& want, const std::string& path) {
    if (item.sort != want.sort) {
      return err("{}: expected {} found {}", path, expected_desc(arena_, want), item_desc(item));
    }
    switch (want.sort) {
      case ExternSort::Type: {
        if (arena_.kind(want.type) != TypeKind::Resource) return {};
        if (!item.resource) return err("{}: expected resource found type", path);
        ResourceType* bound = env_.resource(want.type);
        if (bound && bound != item.resource) return err("{}: mismatched resource types", path);
        bind_resources(env_, arena_, ExternSort::Type, want.type, item);
        return {};
      }
      case ExternSort::Instance: {
        if (!item.instance) return err("{}: expected instance found nothing", path);
        for (const NamedEntity& e : arena_.instance(want.type).exports) {
          std::string sub = fmt::format("{} instance export `{}`", path, e.name.name);
          const Item* x = item.instance->find(e.name.name);
          if (!x) {
            if (default_item(e.type)) continue;
            return err("{} was not found", sub);
          }
          KUMO_CHECK(check(*x, e.type, sub));
        }
        return {};
      }
      case ExternSort::CoreModule:
        if (!item.module) return err("{}: expected module found nothing", path);
        return check_module(*item.module->module, arena_.module(want.type), path);
      case ExternSort::Func:
        if (!item.func) return err("{}: expected function found nothing", path);
        if (auto r = check_func_type({*item.func->arena, item.func->env}, item.func->type, {arena_, &env_}, want.type);
            !r) {
          return err("{}: function type mismatch: {}", path, r.error().message);
        }
        return {};
      default: return {};
    }
  }

  // The module must need no import the declared type does not promise (each at a type the
  // promised one satisfies), and must have every export the declared type lists.
  Expected<void> check_module(const wasm::Module& m, const ModuleType& want, const std::string& path) {
    for (const wasm::Import& imp : m.imports) {
      const CoreImportDecl* decl = nullptr;
      for (const auto& d : want.imports) {
        if (d.module == imp.module && d.name == imp.name) decl = &d;
      }
      if (!decl) return err("{}: module import `{}::{}` not defined", path, imp.module, imp.name);
      CoreExternType need = import_type(m, imp);
      if (need.kind != decl->type.kind) {
        return err("{}: expected {} found {}", path, kind_desc(need.kind), kind_desc(decl->type.kind));
      }
      if (!core_sub(decl->type, need)) {
        return err("{}: module import `{}::{}` has the wrong type", path, imp.module, imp.name);
      }
    }
    for (const auto& d : want.exports) {
      const wasm::Export* found = nullptr;
      for (const auto& e : m.exports) {
        if (e.name == d.name) found = &e;
      }
      if (!found) return err("{}: module export `{}` not defined", path, d.name);
      CoreExternType have = export_type(m, *found);
      if (have.kind != d.type.kind) {
        return err("{}: expected {} found {}", path, kind_desc(d.type.kind), kind_desc(have.kind));
      }
      if (!core_sub(have, d.type)) {
        if (have.kind == wasm::ExternKind::Func) {
          return err("{}: module export `{}` has the wrong type: expected type `{}`, found type `{}`", path,
                     d.name, func_text(d.type.func), func_text(have.func));
        }
        return err("{}: module export `{}` has the wrong type", path, d.name);
      }
    }
    return {};
  }

 private:
  std::shared_ptr<const TypeArena> arena_ptr_;
  const TypeArena& arena_;
  TypeEnv env_;  // resources bound so far, to check that equal static types get equal ones
};

}  // namespace

Expected<std::shared_ptr<const InstancePre>> Linker::instantiate_pre(std::shared_ptr<const Component> component) const {
  auto pre = std::make_shared<InstancePre>();
  const ComponentType& ct = component->type();
  Checker checker(component->arena());
  for (const NamedEntity& imp : ct.imports) {
    std::string path = fmt::format("import `{}`", imp.name.name);
    const LinkerInstance::Def* d = root_.find(imp.name.name);
    if (!d && imp.name.implements) d = root_.find(*imp.name.implements);
    if (!d) {
      std::optional<Item> fallback = checker.default_item(imp.type);
      if (!fallback) return err("{} was not found", path);
      pre->imports_.push_back(std::move(*fallback));
      continue;
    }
    KUMO_TRY(Item item, checker.resolve(*d, imp.type, path));
    pre->imports_.push_back(std::move(item));
  }
  pre->component_ = std::move(component);
  return std::shared_ptr<const InstancePre>(std::move(pre));
}

Trapping<Instance> InstancePre::instantiate(Store& store) const {
  return rt::instantiate(store, component_, imports_);
}

}  // namespace kumo::component::rt
