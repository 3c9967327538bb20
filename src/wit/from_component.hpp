// A component's world as WIT: converts the ComponentType of a validated component (its imports
// and exports, with every type they use) into the resolved WIT model, which the printer then
// writes as `package root:component; world root { ... }` plus the packages of the interfaces it
// imports and exports (`kumo inspect`, like `wasm-tools component wit`).
//
// How the component type maps to WIT (as wit-component decodes components):
// - An import/export named `ns:pkg/iface@v` of an instance is that interface of package
//   `ns:pkg@v`; a plain label on an instance is an inline interface (or, with an `implements`
//   attribute, a label on the named interface); a label on a function is a world function.
// - The type exports of an instance are the interface's types. A type is *defined* by the first
//   interface (in import, then export order) exporting it; a later export of the same type (same
//   resource, or the same defined type reached through aliases) is a `use` of it, or
//   `type a = b;` inside one interface.
// - Types that have no WIT form (core modules, components, values, nested instances) are not part
//   of the world; they are listed in ComponentWorld::unsupported.
#pragma once

#include <string>
#include <vector>

#include "component/types.hpp"
#include "component/validator.hpp"
#include "wasm/common/expected.hpp"
#include "wit/model.hpp"

namespace kumo::wit {

struct ComponentWorld {
  Resolve resolve;
  PackageId package = kNoId;  // `root:component`, holding the world
  WorldId world = kNoId;      // `root`
  // Imports and exports WIT cannot express, e.g. "export `m`: core module".
  std::vector<std::string> unsupported;
};

// The world of a component type (a TypeId of kind Component in `arena`).
Expected<ComponentWorld> world_from_component_type(const component::TypeArena& arena,
                                                  component::TypeId component_type);

// The world of a validated component.
Expected<ComponentWorld> world_from_component(const component::ValidatedComponent& component);

// The WIT text of a component's world: the root package with its world, followed by a nested
// `package ns:name@v { ... }` block for every package whose interfaces it imports or exports.
std::string print_component_world(const ComponentWorld& world);

}  // namespace kumo::wit
