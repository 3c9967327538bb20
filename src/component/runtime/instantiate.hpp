// Internal to the component runtime: what instantiation needs to know about component definitions
// and the run-time index spaces outer aliases can reach.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "component/runtime/linker.hpp"

namespace kumo::component::rt {

// The run-time index spaces of one component instance that nested components can reach through
// outer aliases (core modules, components, types); the other index spaces live only while the
// instance is being created. Owned by the Store (retained), so pointers to it stay valid.
struct RtScope {
  const RtScope* parent = nullptr;
  std::vector<std::shared_ptr<const wasm::CompiledModule>> core_modules;
  std::vector<std::shared_ptr<const ComponentItem>> components;
  std::vector<ResourceType*> types;  // per type index: the run-time resource type, or null
};

// A component definition as an item: the decoded definition, its validated index spaces, and the
// run-time scope it was defined in (null for a top-level component).
struct ComponentItem {
  std::shared_ptr<const Component> owner;  // the compiled top-level component holding `def`
  const component::Component* def = nullptr;
  const ComponentInfo* info = nullptr;
  const RtScope* outer = nullptr;
};

// Instantiates `c` with `imports` (in the order of its import definitions) as instance `state`
// (already created in the store, with its parent set). Returns the instance's exports.
Trapping<std::shared_ptr<const InstanceItems>> instantiate_component(Store& store, const ComponentItem& c,
                                                                     std::span<const Item> imports,
                                                                     InstanceState* state);

// Records in `env` the run-time resource types that `item`, of static type (`sort`, `type`) in
// `arena`, provides: a resource type itself, or the resources an instance exports (recursively).
// The first binding of a resource wins.
void bind_resources(TypeEnv& env, const TypeArena& arena, ExternSort sort, TypeId type, const Item& item);

// "func", "instance", "module", "resource"/"type", "component", "value": the sort of an item in
// linking errors.
const char* item_desc(const Item& item);

}  // namespace kumo::component::rt
