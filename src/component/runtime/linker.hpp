// The component runtime's public nouns, after wasmtime's: a compiled Component (shareable across
// threads and stores), a Linker in which the host defines what components may import, an
// InstancePre that has resolved and type-checked every import once, and the Instance it makes in
// a Store, cheaply, as many times as needed.
//
//   wasm::Engine engine;
//   auto comp = rt::Component::compile(engine, bytes);           // Expected<shared_ptr<...>>
//   rt::Linker linker;
//   linker.instance("test:numbers/numbers").func("roundtrip-u8", [](rt::HostCall&, auto params,
//                                                auto& results) { results.push_back(params[0]);
//                                                return {}; });
//   auto pre = linker.instantiate_pre(*comp);                    //
//   Expected<shared_ptr<InstancePre>> rt::Store store(engine); auto inst =
//   (*pre)->instantiate(store);                      // Trapping<Instance> auto f =
//   inst->get_func("test:numbers/test", "roundtrip-u8"); auto r = rt::call(store, *f,
//   std::vector{Val::u8(7)});
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "component/runtime/func.hpp"
#include "component/validator.hpp"

namespace kumo::component::rt {

class Component;
struct InstanceItems;
struct ComponentItem;  // a component definition with the environment its outer aliases see

// Something a component can import or export at run time (a component-level item).
struct Item {
  ExternSort sort = ExternSort::Func;
  std::shared_ptr<const Func> func;                    // Func
  std::shared_ptr<const InstanceItems> instance;       // Instance
  std::shared_ptr<const wasm::CompiledModule> module;  // CoreModule
  ResourceType* resource = nullptr;                    // Type: a resource type; null otherwise
  std::shared_ptr<const ComponentItem> component;      // Component
  std::shared_ptr<const Val> value;                    // Value
};

// An instance's exports, in definition order.
struct InstanceItems {
  InstanceItems() = default;
  // The index points into `exports`: a copy builds its own.
  InstanceItems(const InstanceItems& o) : exports(o.exports) {
    if (o.uid != 0) build_index();
  }
  InstanceItems& operator=(const InstanceItems& o) {
    if (this != &o) {
      exports = o.exports;
      index_.clear();
      uid = 0;
      if (o.uid != 0) build_index();
    }
    return *this;
  }
  std::vector<std::pair<std::string, Item>> exports;
  // Looks `name` up; `hint` is where it is likely to be (e.g. its position in the instance type).
  const Item* find(std::string_view name, size_t hint = SIZE_MAX) const;
  // The same, as a position in `exports` (SIZE_MAX: absent).
  size_t find_index(std::string_view name, size_t hint = SIZE_MAX) const;
  // For instances made once and looked up on every instantiation (the linker's): a name index,
  // and a uid that identifies this (now immutable) content in caches. `exports` must not change
  // afterwards.
  void build_index();
  uint64_t uid = 0;  // 0: built per instantiation (not cacheable)

 private:
  std::unordered_map<std::string_view, uint32_t> index_;
};

// A validated component whose core modules are all compiled (once). Immutable; share it.
class Component {
 public:
  static Expected<std::shared_ptr<const Component>> compile(wasm::Engine& engine,
                                                            std::span<const uint8_t> bytes,
                                                            const Features& features = {});
  static Expected<std::shared_ptr<const Component>> from_file(wasm::Engine& engine,
                                                              const std::string& path,
                                                              const Features& features = {});

  const ValidatedComponent& validated() const { return *validated_; }
  const std::shared_ptr<const TypeArena>& arena() const { return validated_->types; }
  const ComponentType& type() const { return arena()->component(validated_->info.type); }
  // The compiled form of core module `index` of the (possibly nested) decoded component `c`.
  std::shared_ptr<const wasm::CompiledModule> core_module(const component::Component& c,
                                                          uint32_t index) const;

  // Where each alias of (possibly nested) component `c` found its export last time: instantiating
  // the same component with the same imports finds every export at the same position, so a hint
  // turns a search by name into one comparison. Shared by threads (relaxed atomics: a stale hint
  // only costs the search). Null for a definition this component does not contain.
  std::atomic<uint32_t>* alias_hints(const component::Component& c) const;

 private:
  std::shared_ptr<const ValidatedComponent> validated_;
  std::unordered_map<const CoreModuleDef*, std::shared_ptr<const wasm::CompiledModule>> modules_;
  std::unordered_map<const component::Component*, std::unique_ptr<std::atomic<uint32_t>[]>>
      alias_hints_;
};

// Host definitions under one name (the root, or an instance such as "wasi:cli/stdout@0.2.0").
class LinkerInstance {
 public:
  // A host function. It takes the type the importing component declares (HostCall says which);
  // the values it receives follow that type.
  LinkerInstance& func(std::string name, HostFunc f);
  // A host-defined resource type (ResourceType::impl == nullptr).
  LinkerInstance& resource(std::string name, ResourceType* type);
  LinkerInstance& module(std::string name, std::shared_ptr<const wasm::CompiledModule> m);
  // Any run-time item, e.g. an export of an instance created earlier.
  LinkerInstance& item(std::string name, Item item);
  // A nested instance, created on first use.
  LinkerInstance& instance(std::string name);

  struct Def {
    enum Kind : uint8_t { HostFunction, Resource, Module, ItemDef, Instance } kind;
    HostFunc host;
    ResourceType* resource = nullptr;
    std::shared_ptr<const wasm::CompiledModule> module;
    Item item;
    std::unique_ptr<LinkerInstance> instance;
  };
  // Exact name, else a semver-compatible one (a definition "a:b/c@0.2.3" serves an import of
  // "a:b/c@0.2.0": same major, or same minor when the major is 0 — the highest such version).
  const Def* find(std::string_view name) const;
  const std::map<std::string, Def, std::less<>>& defs() const { return defs_; }

 private:
  std::map<std::string, Def, std::less<>> defs_;
};

class InstancePre;

class Linker {
 public:
  LinkerInstance& root() { return root_; }
  LinkerInstance& instance(std::string name) { return root_.instance(std::move(name)); }
  // Resolves every import of `component` by name (falling back to the interface an
  // `(implements ...)` import names) and checks it against the import's type. Errors name the
  // import and what is wrong ("import `host` instance export `f`: expected func found instance").
  Expected<std::shared_ptr<const InstancePre>> instantiate_pre(
      std::shared_ptr<const Component> component) const;

 private:
  LinkerInstance root_;
};

class Instance;

class InstancePre {
 public:
  const Component& component() const { return *component_; }
  // Instantiates in `store`: creates the core instances, runs start functions. Traps in them (or in
  // the canonical ABI while running them) come back as the Trap.
  Trapping<Instance> instantiate(Store& store) const;

 private:
  friend class Linker;
  std::shared_ptr<const Component> component_;
  std::vector<Item> imports_;  // in the order of the component type's imports
};

class Instance {
 public:
  Instance() = default;
  Instance(std::shared_ptr<const InstanceItems> exports, InstanceState* state)
      : exports_(std::move(exports)), state_(state) {}
  const InstanceItems& exports() const { return *exports_; }
  const std::shared_ptr<const InstanceItems>& exports_ptr() const { return exports_; }
  InstanceState* state() const { return state_; }
  const Item* get_export(std::string_view name) const { return exports_->find(name); }
  // A top-level exported function, or a function exported by an exported instance.
  std::shared_ptr<const Func> get_func(std::string_view name) const;
  std::shared_ptr<const Func> get_func(std::string_view instance, std::string_view name) const;

 private:
  std::shared_ptr<const InstanceItems> exports_;
  InstanceState* state_ = nullptr;
};

// Instantiates without host imports beyond `imports` (by import index); used by InstancePre and
// by tools. `component` must outlive the store.
Trapping<Instance> instantiate(Store& store, std::shared_ptr<const Component> component,
                               std::span<const Item> imports);

}  // namespace kumo::component::rt
