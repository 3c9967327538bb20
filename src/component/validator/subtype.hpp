// Subtyping between component types, and substitution of resource types (type imports are
// instantiated with what is supplied; each instantiation makes fresh defined resources).
//
// Value and function types are checked for equality (as wasmtime does: the specification leaves
// their subtyping open); instance, component and module types use width subtyping by name, with
// imports contravariant.
#pragma once

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "component/types.hpp"
#include "wasm/common/expected.hpp"

namespace kumo::component::validation {

enum class ExternKind : uint8_t { Import, Export };
inline const char* to_string(ExternKind k) { return k == ExternKind::Import ? "import" : "export"; }

// A substitution: resources to resources, and type identities to type identities (type imports
// renamed to the types supplied for them). `types` doubles as a memo while substituting.
struct Remap {
  std::unordered_map<uint32_t, ResourceId> resources;  // by ResourceId::value
  std::unordered_map<uint32_t, TypeId> types;          // by TypeId::index
  // By definition (several TypeIds alias one DefinedType): keeps aliases of one definition
  // aliases of one new definition, so that `kumo inspect` still sees which types are shared.
  std::unordered_map<const DefinedType*, TypeId> defined;
};

// Named items supplied to an instantiation (or the exports of one component type being checked
// against another).
using NamedItems = std::vector<std::pair<std::string, EntityType>>;
const EntityType* find_item(const NamedItems& items, std::string_view name);

class Subtype {
 public:
  explicit Subtype(TypeArena& arena) : a_(arena) {}

  // a <: b. Errors say what was expected and what was found.
  Expected<void> entity(const EntityType& a, const EntityType& b);
  Expected<void> type(TypeId a, TypeId b);
  Expected<void> val(const ValType& a, const ValType& b);
  Expected<void> func(TypeId a, TypeId b);
  Expected<void> core_extern(const CoreExternType& a, const CoreExternType& b);

  // Checks that `args` satisfy the imports (or exports) of component type `ct`, after replacing
  // the component's imported (or defined) resources with the resources found at the same paths in
  // `args`. Returns that substitution, plus the renaming of the component's type imports to the
  // types supplied.
  Expected<Remap> open_component(const NamedItems& args, TypeId ct, ExternKind kind);

  // Substitution; each returns true if something changed (and then `id` is a new type).
  bool remap(TypeId& id, Remap& m);
  bool remap(ValType& v, Remap& m);
  bool remap(EntityType& e, Remap& m);

  // Resources referred to, but not bound, by a type ("free variables").
  void free_resources(const EntityType& e, std::unordered_set<uint32_t>& out) const;
  void free_resources(TypeId id, std::unordered_set<uint32_t>& out) const;
  void free_resources(const ValType& v, std::unordered_set<uint32_t>& out) const;

 private:
  Expected<void> defined(TypeId a, TypeId b);
  Expected<void> instance(TypeId a, TypeId b);
  Expected<void> component(TypeId a, TypeId b);
  Expected<void> module(TypeId a, TypeId b);
  void register_renamings(const EntityType& actual, const EntityType& expected,
                          std::unordered_map<uint32_t, TypeId>& out) const;

  TypeArena& a_;
};

// Case-insensitive (ASCII) equality, as labels are compared.
bool labels_equal(std::string_view a, std::string_view b);

// "(func (param i32) (result i64))", as core types are printed in error messages.
std::string core_func_text(const wasm::FuncType& f);
// "[I32, I64]"
std::string core_types_text(const std::vector<wasm::ValType>& v);

}  // namespace kumo::component::validation
