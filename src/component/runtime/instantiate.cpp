// Component instantiation: a walk over a component's definitions in binary order that builds
// run-time index spaces parallel to the validator's ComponentInfo (core funcs, tables, memories,
// globals, tags, modules and instances; funcs, values, types, components and instances), creates
// core instances (running their start functions), lifts and lowers functions, defines resource
// types, instantiates nested components and collects the exports.
#include "component/runtime/instantiate.hpp"
#include "component/runtime/builtins.hpp"

#include <algorithm>
#include <deque>
#include <memory_resource>
#include <unordered_map>

#include <fmt/format.h>

namespace kumo::component::rt {

namespace {

// A core instance as the component sees it: an instantiated module, or a bag of exports.
struct CoreExports {
  const wasm::Instance* inst = nullptr;
  explicit CoreExports(std::pmr::memory_resource* mr) : items(mr) {}
  std::pmr::vector<std::pair<std::string_view, wasm::Extern>> items;  // names point into the definition
  const wasm::Extern* find(std::string_view name) const {
    uint32_t hint = UINT32_MAX;
    return find(name, hint);
  }
  // With a position hint (updated to where `name` was found).
  const wasm::Extern* find(std::string_view name, uint32_t& hint) const {
    if (inst != nullptr) {
      const auto& names = inst->module().exports;
      if (hint < names.size() && names[hint].name == name) return &inst->exports[hint];
      auto i = inst->compiled->find_export(name);
      if (!i) return nullptr;
      hint = *i;
      return &inst->exports[*i];
    }
    if (hint < items.size() && items[hint].first == name) return &items[hint].second;
    for (uint32_t i = 0; i < items.size(); ++i)
      if (items[i].first == name) {
        hint = i;
        return &items[i].second;
      }
    return nullptr;
  }
};

ExternSort extern_sort(Sort s) {
  switch (s) {
    case Sort::CoreModule: return ExternSort::CoreModule;
    case Sort::Value: return ExternSort::Value;
    case Sort::Type: return ExternSort::Type;
    case Sort::Component: return ExternSort::Component;
    case Sort::Instance: return ExternSort::Instance;
    default: return ExternSort::Func;
  }
}

// wasm::Store::instantiate reports start-function traps as errors: keep their wording.
Trap error_to_trap(const Error& e) {
  Trap t;
  t.code = wasm::TrapCode::HostError;
  t.message = e.message;
  return t;
}

class Instantiator {
 public:
  Instantiator(Store& store, const ComponentItem& c, std::span<const Item> imports, InstanceState* state)
      : store_(store),
        c_(c),
        def_(*c.def),
        info_(*c.info),
        arena_ptr_(c.owner->arena()),
        arena_(*arena_ptr_),
        imports_(imports),
        state_(state) {}

  Trapping<std::shared_ptr<const InstanceItems>> run() {
    env_ = store_.new_type_env(arena_ptr_);
    auto scope = std::make_shared<RtScope>();
    scope->parent = c_.outer;
    scope_ = scope.get();
    store_.retain(scope);
    exports_ = std::make_shared<InstanceItems>();
    // The validator counted every index space: no vector grows (and reallocates) below.
    scope->core_modules.reserve(info_.core_modules.size());
    scope->components.reserve(info_.components.size());
    scope->types.reserve(info_.types.size());
    core_funcs_.reserve(info_.core_funcs.size());
    core_tables_.reserve(info_.core_tables.size());
    core_memories_.reserve(info_.core_memories.size());
    core_globals_.reserve(info_.core_globals.size());
    core_tags_.reserve(info_.core_tags.size());
    core_instances_.reserve(info_.core_instances.size());
    funcs_.reserve(info_.funcs.size());
    values_.reserve(info_.values.size());
    instances_.reserve(info_.instances.size());
    exports_->exports.reserve(def_.exports.size());
    if (imports_.size() != def_.imports.size()) {
      return abi_trap(fmt::format("component expects {} imports, got {}", def_.imports.size(), imports_.size()));
    }
    for (const Definition& d : def_.definitions) KUMO_CHECK(definition(d));
    return std::shared_ptr<const InstanceItems>(exports_);
  }

 private:
  Trapping<void> definition(const Definition& d) {
    switch (d.kind) {
      case Definition::CoreModule: {
        auto m = c_.owner->core_module(def_, d.index);
        if (!m) return abi_trap(fmt::format("core module {} was not compiled", d.index));
        scope_->core_modules.push_back(std::move(m));
        return {};
      }
      case Definition::CoreInstance: return core_instance(def_.core_instances[d.index]);
      case Definition::CoreType: return {};  // core types have no run-time form
      case Definition::Component: {
        auto item = std::make_shared<ComponentItem>();
        item->owner = c_.owner;
        item->def = def_.components[d.index].get();
        item->info = &info_.nested[d.index];
        item->outer = scope_;
        scope_->components.push_back(std::move(item));
        return {};
      }
      case Definition::Instance: return instance(def_.instances[d.index]);
      case Definition::Alias: return alias(def_.aliases[d.index], d.index);
      case Definition::Type: return type(def_.types[d.index]);
      case Definition::Canon: return canon(def_.canons[d.index]);
      case Definition::Start: return abi_trap("component start functions are not supported");
      case Definition::Import: {
        const Import& imp = def_.imports[d.index];
        const Item& item = imports_[d.index];
        if (item.sort != imp.desc.sort) {
          return abi_trap(fmt::format("import `{}`: expected {} found {}", imp.name.name,
                                      to_string(imp.desc.sort), item_desc(item)));
        }
        return push(item);
      }
      case Definition::Export: {
        const Export& e = def_.exports[d.index];
        KUMO_TRY(Item item, item_of(e.item));
        KUMO_CHECK(push(item));
        exports_->exports.emplace_back(e.name.name, std::move(item));
        return {};
      }
      case Definition::Value: return abi_trap("component value definitions are not supported");
    }
    return {};
  }

  // ---- component-level items ----

  // The item at a component-level index.
  Trapping<Item> item_of(const SortIndex& s) {
    Item item;
    item.sort = extern_sort(s.sort);
    auto bad = [&]() { return abi_trap(fmt::format("{} index {} out of bounds", to_string(s.sort), s.index)); };
    switch (s.sort) {
      case Sort::CoreModule:
        if (s.index >= scope_->core_modules.size()) return bad();
        item.module = scope_->core_modules[s.index];
        return item;
      case Sort::Func:
        if (s.index >= funcs_.size()) return bad();
        item.func = funcs_[s.index];
        return item;
      case Sort::Value:
        if (s.index >= values_.size()) return bad();
        item.value = values_[s.index];
        return item;
      case Sort::Type:
        if (s.index >= scope_->types.size()) return bad();
        item.resource = scope_->types[s.index];
        return item;
      case Sort::Component:
        if (s.index >= scope_->components.size()) return bad();
        item.component = scope_->components[s.index];
        return item;
      case Sort::Instance:
        if (s.index >= instances_.size()) return bad();
        item.instance = instances_[s.index];
        return item;
      default: return abi_trap(fmt::format("a {} is not a component-level item", to_string(s.sort)));
    }
  }

  // Appends an item to the index space of its sort, and records the resource types it provides
  // under the static type the validator gave that index.
  Trapping<void> push(const Item& item) {
    switch (item.sort) {
      case ExternSort::CoreModule: scope_->core_modules.push_back(item.module); break;
      case ExternSort::Func: funcs_.push_back(item.func); break;
      case ExternSort::Value: values_.push_back(item.value); break;
      case ExternSort::Component: scope_->components.push_back(item.component); break;
      case ExternSort::Type: {
        size_t i = scope_->types.size();
        scope_->types.push_back(item.resource);
        if (i < info_.types.size()) bind_resources(*env_, arena_, ExternSort::Type, info_.types[i], item);
        break;
      }
      case ExternSort::Instance: {
        size_t i = instances_.size();
        instances_.push_back(item.instance);
        if (i < info_.instances.size()) bind_instance(info_.instances[i], item);
        break;
      }
    }
    return {};
  }

  // bind_resources for an instance. The linker's instances are immutable (InstanceItems::uid):
  // what they bind under a given type is computed once per thread and replayed.
  void bind_instance(TypeId type, const Item& item) {
    if (!item.instance || item.instance->uid == 0) {
      bind_resources(*env_, arena_, ExternSort::Instance, type, item);
      return;
    }
    struct Key {
      uint64_t arena, items;
      uint32_t type;
      bool operator==(const Key&) const = default;
    };
    struct KeyHash {
      size_t operator()(const Key& k) const {
        return std::hash<uint64_t>()(k.arena * 0x9E3779B97F4A7C15ULL ^ k.items * 31 ^ k.type);
      }
    };
    using Bindings = std::vector<std::pair<uint32_t, ResourceType*>>;
    thread_local std::unordered_map<Key, Bindings, KeyHash> cache;
    const Key key{arena_.uid(), item.instance->uid, type.index};
    auto it = cache.find(key);
    if (it == cache.end()) {
      TypeEnv scratch;
      bind_resources(scratch, arena_, ExternSort::Instance, type, item);
      if (cache.size() >= 4096) cache.clear();  // bounded: linkers come and go
      it = cache.emplace(key, std::move(scratch.resources.sorted)).first;
    }
    for (const auto& [id, rt] : it->second) env_->resources.try_emplace(id, rt);
  }

  Trapping<void> instance(const InstanceDef& d) {
    auto items = std::make_shared<InstanceItems>();
    if (d.kind == InstanceDef::FromExports) {
      for (const auto& x : d.exports) {
        KUMO_TRY(Item item, item_of(x.item));
        items->exports.emplace_back(x.name.name, std::move(item));
      }
    } else {
      if (d.component >= scope_->components.size()) {
        return abi_trap(fmt::format("component index {} out of bounds", d.component));
      }
      std::shared_ptr<const ComponentItem> child = scope_->components[d.component];
      std::vector<Item> args;
      args.reserve(child->def->imports.size());
      for (const Import& imp : child->def->imports) {
        const InstantiateArg* arg = nullptr;
        for (const auto& a : d.args) {
          if (a.name == imp.name.name) arg = &a;
        }
        if (!arg) return abi_trap(fmt::format("missing instantiation argument `{}`", imp.name.name));
        KUMO_TRY(Item item, item_of(arg->item));
        args.push_back(std::move(item));
      }
      InstanceState* child_state = store_.new_instance(state_);
      // The child is being entered from here while its core start functions run.
      child_state->enter_from(state_);
      auto r = instantiate_component(store_, *child, args, child_state);
      child_state->leave_to(state_);
      if (!r) return Unexpected<Trap>{std::move(r.error())};
      items = std::const_pointer_cast<InstanceItems>(std::move(*r));
    }
    Item item;
    item.sort = ExternSort::Instance;
    item.instance = std::move(items);
    return push(item);
  }

  Trapping<void> alias(const Alias& a, uint32_t index) {
    std::atomic<uint32_t>* hint_slot = alias_hints_ ? &alias_hints_[index] : nullptr;
    const uint32_t old_hint = hint_slot ? hint_slot->load(std::memory_order_relaxed) : UINT32_MAX;
    uint32_t hint = old_hint;
    auto remember = [&](uint32_t found) {
      if (hint_slot && found != old_hint) hint_slot->store(found, std::memory_order_relaxed);
    };
    switch (a.kind) {
      case Alias::InstanceExport: {
        if (a.instance >= instances_.size() || !instances_[a.instance]) {
          return abi_trap(fmt::format("instance index {} out of bounds", a.instance));
        }
        const InstanceItems& from = *instances_[a.instance];
        size_t at = from.find_index(a.name, hint);
        const Item* item = at == SIZE_MAX ? nullptr : &from.exports[at].second;
        if (item) remember(uint32_t(at));
        if (!item && a.sort == Sort::Type) {
          // A host instance need not define the non-resource types its type exports.
          Item none;
          none.sort = ExternSort::Type;
          return push(none);
        }
        if (!item) return abi_trap(fmt::format("instance {} has no export `{}`", a.instance, a.name));
        Item copy = *item;
        return push(copy);
      }
      case Alias::CoreInstanceExport: {
        if (a.instance >= core_instances_.size()) {
          return abi_trap(fmt::format("core instance index {} out of bounds", a.instance));
        }
        const wasm::Extern* e = core_instances_[a.instance]->find(a.name, hint);
        if (e) remember(hint);
        if (!e) {
          return abi_trap(fmt::format("core instance {} has no export `{}`", a.instance, a.name));
        }
        push_core(*e);
        return {};
      }
      case Alias::Outer: {
        const RtScope* s = scope_;
        for (uint32_t n = 0; n < a.outer_count && s; ++n) s = s->parent;
        if (!s) return abi_trap(fmt::format("invalid outer alias count of {}", a.outer_count));
        uint32_t i = a.outer_index;
        switch (a.sort) {
          case Sort::CoreModule: {
            auto m = s->core_modules.at(i);
            scope_->core_modules.push_back(std::move(m));
            return {};
          }
          case Sort::Component: {
            auto c = s->components.at(i);
            scope_->components.push_back(std::move(c));
            return {};
          }
          case Sort::Type: {
            Item item;
            item.sort = ExternSort::Type;
            item.resource = s->types.at(i);
            return push(item);
          }
          default: return {};  // core types
        }
      }
    }
    return {};
  }

  Trapping<void> type(const TypeDef& t) {
    Item item;
    item.sort = ExternSort::Type;
    if (t.kind == TypeDef::Resource) {
      wasm::FuncInst* dtor = nullptr;
      if (t.resource.dtor) {
        if (*t.resource.dtor >= core_funcs_.size()) return abi_trap("resource destructor index out of bounds");
        dtor = core_funcs_[*t.resource.dtor];
      }
      // A fresh run-time type for each instantiation of the defining component.
      item.resource = store_.new_resource_type({}, state_, dtor);
    }
    return push(item);
  }

  // ---- core items ----

  void push_core(const wasm::Extern& e) {
    switch (e.kind) {
      case wasm::ExternKind::Func: core_funcs_.push_back(e.func); break;
      case wasm::ExternKind::Table: core_tables_.push_back(e.table); break;
      case wasm::ExternKind::Memory: core_memories_.push_back(e.memory); break;
      case wasm::ExternKind::Global: core_globals_.push_back(e.global); break;
      case wasm::ExternKind::Tag: core_tags_.push_back(e.tag); break;
    }
  }

  Trapping<wasm::Extern> core_item(const SortIndex& s) {
    auto pick = [&](const auto& v) -> Trapping<wasm::Extern> {
      if (s.index >= v.size()) return abi_trap(fmt::format("{} index {} out of bounds", to_string(s.sort), s.index));
      return wasm::Extern::of(v[s.index]);
    };
    switch (s.sort) {
      case Sort::CoreFunc: return pick(core_funcs_);
      case Sort::CoreTable: return pick(core_tables_);
      case Sort::CoreMemory: return pick(core_memories_);
      case Sort::CoreGlobal: return pick(core_globals_);
      case Sort::CoreTag: return pick(core_tags_);
      default: return abi_trap(fmt::format("a {} cannot be exported from a core instance", to_string(s.sort)));
    }
  }

  Trapping<void> core_instance(const CoreInstanceDef& d) {
    if (d.kind == CoreInstanceDef::FromExports) {
      CoreExports& exports = owned_core_instances_.emplace_back(&mr_);
      exports.items.reserve(d.exports.size());
      for (const auto& x : d.exports) {
        KUMO_TRY(wasm::Extern e, core_item(x.item));
        exports.items.emplace_back(x.name, e);  // (validation rejects duplicate names)
      }
      core_instances_.push_back(&exports);
      return {};
    }
    if (d.module >= scope_->core_modules.size()) {
      return abi_trap(fmt::format("core module index {} out of bounds", d.module));
    }
    std::shared_ptr<const wasm::CompiledModule> module = scope_->core_modules[d.module];
    const wasm::Module& m = *module->module;
    std::pmr::vector<wasm::Extern> externs(&mr_);
    externs.reserve(m.imports.size());
    for (const wasm::Import& imp : m.imports) {
      const CoreExports* from = nullptr;
      for (const auto& a : d.args) {
        if (a.name == imp.module && a.instance < core_instances_.size()) from = core_instances_[a.instance];
      }
      if (!from) return abi_trap(fmt::format("module instantiation argument `{}` is missing", imp.module));
      const wasm::Extern* e = from->find(imp.name);
      if (!e) {
        return abi_trap(fmt::format("module import `{}::{}` was not found", imp.module, imp.name));
      }
      externs.push_back(*e);
    }
    auto inst = store_.core().instantiate(std::move(module), externs);
    if (!inst) return Unexpected<Trap>{error_to_trap(inst.error())};
    CoreExports& exports = owned_core_instances_.emplace_back(&mr_);
    exports.inst = *inst;
    core_instances_.push_back(&exports);
    return {};
  }

  // ---- canonical definitions ----

  Trapping<CanonOptions> options(const std::vector<CanonOption>& opts) {
    CanonOptions o;
    auto func = [&](uint32_t i) -> Trapping<wasm::FuncInst*> {
      if (i >= core_funcs_.size()) return abi_trap(fmt::format("core func index {} out of bounds", i));
      return core_funcs_[i];
    };
    for (const CanonOption& opt : opts) {
      switch (opt.kind) {
        case CanonOption::Utf8: o.encoding = StringEncoding::Utf8; break;
        case CanonOption::Utf16: o.encoding = StringEncoding::Utf16; break;
        case CanonOption::Latin1Utf16: o.encoding = StringEncoding::Latin1Utf16; break;
        case CanonOption::Memory:
          if (opt.index >= core_memories_.size()) return abi_trap("memory index out of bounds");
          o.memory = core_memories_[opt.index];
          o.ptr = o.memory->type.limits.is64 ? abi::PtrType::I64 : abi::PtrType::I32;
          break;
        case CanonOption::Realloc: {
          KUMO_TRY(o.realloc, func(opt.index));
          break;
        }
        case CanonOption::PostReturn: {
          KUMO_TRY(o.post_return, func(opt.index));
          break;
        }
        case CanonOption::Async: o.is_async = true; break;
        case CanonOption::Callback: {
          KUMO_TRY(o.callback, func(opt.index));
          break;
        }
        case CanonOption::Gc:        // checked by gc_supported
        case CanonOption::CoreType:  // checked by validation
          break;
      }
    }
    return o;
  }

  // The run-time resource type at a type index, and the rep type of a locally defined one.
  Trapping<ResourceType*> resource_at(uint32_t type_index) {
    if (type_index >= scope_->types.size() || !scope_->types[type_index]) {
      return abi_trap(fmt::format("type index {} is not a resource type known at run time", type_index));
    }
    return scope_->types[type_index];
  }
  wasm::ValType rep_of(uint32_t type_index) const {
    if (type_index < info_.types.size() && arena_.kind(info_.types[type_index]) == TypeKind::Resource) {
      ResourceId id = arena_.resource(info_.types[type_index]);
      for (const LocalResource& r : info_.resources) {
        if (r.id == id) return r.rep;
      }
    }
    return wasm::ValType::I32;
  }

  // Kumo implements the GC-based ABI only where it is the linear-memory one: for functions whose
  // flattened signature is empty (validation accepted the others without checking their core
  // types, which follow the GC ABI).
  Trapping<void> gc_supported(const Canon& c, TypeId ft) {
    bool gc = std::any_of(c.options.begin(), c.options.end(),
                          [](const CanonOption& o) { return o.kind == CanonOption::Gc; });
    if (!gc) return {};
    const FuncType& f = arena_.func(ft);
    auto ctx = c.kind == CanonKind::Lift ? abi::Context::Lift : abi::Context::Lower;
    abi::FlatSignature sig = abi::flatten_func(arena_, f, abi::PtrType::I32, ctx);
    if (sig.type.params.empty() && sig.type.results.empty()) return {};
    return abi_trap(fmt::format("canon {}: the GC-based canonical ABI is not supported (only for functions "
                                "without parameters and results)", c.kind == CanonKind::Lift ? "lift" : "lower"));
  }

  Trapping<void> canon(const Canon& c) {
    switch (c.kind) {
      case CanonKind::Lift: {
        if (c.func_index >= core_funcs_.size() || c.type_index >= info_.types.size()) {
          return abi_trap("canon lift: index out of bounds");
        }
        KUMO_CHECK(gc_supported(c, info_.types[c.type_index]));
        auto f = std::make_shared<Func>();
        f->kind = Func::Lifted;
        f->arena = arena_ptr_;
        f->type = info_.types[c.type_index];
        f->env = env_;
        f->core = core_funcs_[c.func_index];
        KUMO_TRY(f->opts, options(c.options));
        f->inst = state_;
        funcs_.push_back(std::move(f));
        return {};
      }
      case CanonKind::Lower: {
        if (c.func_index >= funcs_.size() || c.func_index >= info_.funcs.size()) {
          return abi_trap("canon lower: func index out of bounds");
        }
        KUMO_CHECK(gc_supported(c, info_.funcs[c.func_index]));
        KUMO_TRY(CanonOptions o, options(c.options));
        core_funcs_.push_back(lower(store_, funcs_[c.func_index], *env_, info_.funcs[c.func_index], o, state_));
        return {};
      }
      case CanonKind::ResourceNew: {
        KUMO_TRY(ResourceType * rt, resource_at(c.type_index));
        core_funcs_.push_back(resource_new(store_, rt, state_, rep_of(c.type_index)));
        return {};
      }
      case CanonKind::ResourceDrop: {
        KUMO_TRY(ResourceType * rt, resource_at(c.type_index));
        core_funcs_.push_back(resource_drop(store_, rt, state_));
        return {};
      }
      case CanonKind::ResourceRep: {
        KUMO_TRY(ResourceType * rt, resource_at(c.type_index));
        core_funcs_.push_back(resource_rep(store_, rt, state_, rep_of(c.type_index)));
        return {};
      }
      case CanonKind::TaskReturn: {
        size_t i = core_funcs_.size();
        if (i >= info_.core_funcs.size()) return abi_trap("canon task.return: no core type");
        KUMO_TRY(CanonOptions o, options(c.options));
        core_funcs_.push_back(task_return(store_, info_.core_funcs[i], o, state_));
        return {};
      }
      default: {
        // Async, thread and error-context built-ins: typed as validation typed them.
        size_t i = core_funcs_.size();
        if (i >= info_.core_funcs.size()) return abi_trap(fmt::format("canon {}: no core type", to_string(c.kind)));
        if (!builtins_) builtins_ = std::make_shared<BuiltinState>();
        core_funcs_.push_back(builtin(store_, c, info_.core_funcs[i], state_, builtins_));
        return {};
      }
    }
  }

  Store& store_;
  const ComponentItem& c_;
  const component::Component& def_;
  const ComponentInfo& info_;
  std::shared_ptr<const TypeArena> arena_ptr_;
  const TypeArena& arena_;
  std::span<const Item> imports_;
  InstanceState* state_;
  TypeEnv* env_ = nullptr;
  RtScope* scope_ = nullptr;
  std::atomic<uint32_t>* alias_hints_ = c_.owner->alias_hints(def_);
  std::shared_ptr<InstanceItems> exports_;
  std::shared_ptr<BuiltinState> builtins_;

  // The index spaces live only while instantiating: their memory comes from a buffer in this
  // object (no allocation for a typical component), falling back to the heap beyond it.
  std::byte buffer_[3072];
  std::pmr::monotonic_buffer_resource mr_{buffer_, sizeof buffer_};
  std::pmr::vector<wasm::FuncInst*> core_funcs_{&mr_};
  std::pmr::vector<wasm::TableInst*> core_tables_{&mr_};
  std::pmr::vector<wasm::MemoryInst*> core_memories_{&mr_};
  std::pmr::vector<wasm::GlobalInst*> core_globals_{&mr_};
  std::pmr::vector<wasm::TagInst*> core_tags_{&mr_};
  std::pmr::vector<const CoreExports*> core_instances_{&mr_};
  std::pmr::deque<CoreExports> owned_core_instances_{&mr_};
  std::pmr::vector<std::shared_ptr<const Func>> funcs_{&mr_};
  std::pmr::vector<std::shared_ptr<const Val>> values_{&mr_};
  std::pmr::vector<std::shared_ptr<const InstanceItems>> instances_{&mr_};
};

}  // namespace

void bind_resources(TypeEnv& env, const TypeArena& arena, ExternSort sort, TypeId type, const Item& item) {
  if (!type.valid() || type.index >= arena.size()) return;
  if (sort == ExternSort::Type) {
    if (item.resource && arena.kind(type) == TypeKind::Resource) {
      env.resources.try_emplace(arena.resource(type).value, item.resource);
    }
    return;
  }
  if (sort != ExternSort::Instance || !item.instance || arena.kind(type) != TypeKind::Instance) return;
  const auto& exports = arena.instance(type).exports;
  for (size_t i = 0; i < exports.size(); ++i) {
    const NamedEntity& e = exports[i];
    if (e.type.sort != ExternSort::Type && e.type.sort != ExternSort::Instance) continue;
    // The linker builds host instances in the order of the instance type: `i` is the hint.
    if (const Item* x = item.instance->find(e.name.name, i)) bind_resources(env, arena, e.type.sort, e.type.type, *x);
  }
}

const char* item_desc(const Item& item) {
  switch (item.sort) {
    case ExternSort::CoreModule: return "module";
    case ExternSort::Func: return "func";
    case ExternSort::Value: return "value";
    case ExternSort::Type: return item.resource ? "resource" : "type";
    case ExternSort::Component: return "component";
    case ExternSort::Instance: return "instance";
  }
  return "item";
}

Trapping<std::shared_ptr<const InstanceItems>> instantiate_component(Store& store, const ComponentItem& c,
                                                                     std::span<const Item> imports,
                                                                     InstanceState* state) {
  Instantiator inst(store, c, imports, state);
  return inst.run();
}

Trapping<Instance> instantiate(Store& store, std::shared_ptr<const Component> component,
                               std::span<const Item> imports) {
  ComponentItem top;
  top.owner = component;
  top.def = component->validated().component.get();
  top.info = &component->validated().info;
  store.retain(component);
  InstanceState* state = store.new_instance(nullptr);
  // Instantiation runs inside the new instance (core start functions).
  state->enter_from(nullptr);
  auto r = instantiate_component(store, top, imports, state);
  state->leave_to(nullptr);
  if (!r) return Unexpected<Trap>{std::move(r.error())};
  return Instance(std::move(*r), state);
}

}  // namespace kumo::component::rt
