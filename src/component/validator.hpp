// Component validation (Explainer.md, Binary.md, CanonicalABI.md "Canonical Definitions"): builds
// every index space of a decoded component with the type of each item, type-checks
// instantiations, aliases, canon definitions, imports and exports, and assigns the component its
// ComponentType. The result is what the linker and `kumo inspect` work from.
#pragma once

#include <memory>

#include "component/component.hpp"
#include "component/types.hpp"

namespace kumo::component {

// Gated proposals (Explainer.md, "Gated Features"). The defaults are what Kumo supports.
struct Features {
  bool values = false;             // 🪙 value definitions, value imports/exports, start
  bool async = false;              // 🔀 stream/future types, async func types, options, built-ins
  bool async_builtins = false;     // 🚝 async subtask.cancel/cancel-read/..., sync stream/future read/write
  bool async_stackful = false;     // 🚟 async lift without a callback
  bool error_context = false;      // 📝 the `error-context` type and built-ins
  bool threads = false;            // 🧵 thread built-ins
  bool fixed_length_lists = true;  // 🔧
  bool map = true;                 // 🗺️
  bool implements = true;          // 🏷️ (implements ...) and (external-id ...) attributes
  bool canon_names = true;         // 🔗 (versionsuffix ...) attribute
  bool nested_names = false;       // 🪺 nested namespaces and projections in interface names
  bool memory64 = false;           // 🐘 64-bit memories in canon options, i64 resource reps
  bool gc = false;                 // canon `gc` / `core-type` options
};

// A resource type defined by this component: `(type (resource (rep i32) (dtor ...)))`.
struct LocalResource {
  ResourceId id;
  wasm::ValType rep = wasm::ValType::I32;
  std::optional<uint32_t> dtor;  // core func index
};

// The index spaces of one validated component, each entry the type of the item. Indices are
// exactly those of the binary.
struct ComponentInfo {
  TypeId type;  // this component's ComponentType

  std::vector<TypeId> types;       // type index space (any kind of component type)
  std::vector<TypeId> funcs;       // FuncType of each function
  std::vector<ValType> values;
  std::vector<TypeId> instances;   // InstanceType
  std::vector<TypeId> components;  // ComponentType

  std::vector<TypeId> core_types;    // CoreFunc or Module
  std::vector<wasm::FuncType> core_funcs;
  std::vector<wasm::TableType> core_tables;
  std::vector<wasm::MemoryType> core_memories;
  std::vector<wasm::GlobalType> core_globals;
  std::vector<wasm::FuncType> core_tags;
  std::vector<TypeId> core_modules;  // ModuleType
  std::vector<std::vector<CoreExportDecl>> core_instances;  // exports of each core instance

  std::vector<LocalResource> resources;  // resource types defined here, in definition order

  std::vector<ComponentInfo> nested;  // for each Component::components entry, in order
};

struct ValidatedComponent {
  std::shared_ptr<const Component> component;
  std::shared_ptr<const TypeArena> types;
  ComponentInfo info;
};

// Errors name the definition and its offset, e.g.
// "export at offset 0x1a2: export name `Foo` is not a valid extern name: `Foo` is not in kebab case".
Expected<std::shared_ptr<const ValidatedComponent>> validate_component(
    std::shared_ptr<const Component> component, const Features& features = {});

// decode_component followed by validate_component.
Expected<std::shared_ptr<const ValidatedComponent>> load_component(std::span<const uint8_t> bytes,
                                                                   const Features& features = {});

}  // namespace kumo::component
