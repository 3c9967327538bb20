// Component-model types: value types, function types, resource types, instance and component
// types, and the core module types that components import and instantiate.
//
// Types live in a TypeArena and are referred to by TypeId. Type equality is structural, except for
// resources, which are compared by ResourceId (each resource definition, `(sub resource)` import
// or export, and each instantiation of a component defining resources produces a fresh one).
// A TypeId also carries *identity*: exporting or importing a type makes a new TypeId for the same
// structure (TypeArena::alias), and the "external visibility" rules check such identities.
//
// The same ValType / DefinedType / FuncType structures are used by the decoder (component.hpp),
// where a ValType's TypeId is a *type index* in the enclosing scope, and by the validator, where it
// is an arena id. Only validated (arena) types are visible to the runtime.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wasm/types.hpp"

namespace kumo::component {

enum class PrimValType : uint8_t {
  Bool, S8, U8, S16, U16, S32, U32, S64, U64, F32, F64, Char, String, ErrorContext,
};
const char* to_string(PrimValType t);  // "bool", "s8", ..., "error-context"

// An id in a TypeArena (or, in decoded syntax, an index in a type index space).
struct TypeId {
  static constexpr uint32_t kNone = UINT32_MAX;
  uint32_t index = kNone;
  constexpr bool valid() const { return index != kNone; }
  friend constexpr bool operator==(TypeId, TypeId) = default;
};

// The identity of a resource type.
struct ResourceId {
  uint32_t value = 0;
  friend constexpr bool operator==(ResourceId, ResourceId) = default;
  friend constexpr auto operator<=>(ResourceId, ResourceId) = default;
};

// A component value type: a primitive, or a defined value type (TypeId of a DefinedType).
class ValType {
 public:
  constexpr ValType() = default;
  static constexpr ValType primitive(PrimValType p) {
    ValType v;
    v.prim_ = p;
    return v;
  }
  static constexpr ValType defined(TypeId t) {
    ValType v;
    v.id_ = t;
    return v;
  }
  constexpr bool is_primitive() const { return !id_.valid(); }
  constexpr PrimValType prim() const { return prim_; }
  constexpr TypeId type() const { return id_; }
  friend constexpr bool operator==(const ValType&, const ValType&) = default;

 private:
  TypeId id_{};
  PrimValType prim_ = PrimValType::Bool;
};

enum class DefinedKind : uint8_t {
  Primitive, Record, Variant, List, FixedList, Tuple, Flags, Enum, Option, Result, Own, Borrow,
  Stream, Future, Map,
};
const char* to_string(DefinedKind k);  // "record", "variant", ...

struct Field {
  std::string name;
  ValType type;
};
struct Case {
  std::string name;
  std::optional<ValType> type;
};

// A defined value type. One struct for every kind; only the members listed for the kind are used.
struct DefinedType {
  DefinedKind kind = DefinedKind::Primitive;
  PrimValType prim = PrimValType::Bool;  // Primitive
  std::vector<Field> fields;             // Record
  std::vector<Case> cases;               // Variant
  std::vector<ValType> types;            // Tuple
  std::vector<std::string> labels;       // Flags, Enum
  std::optional<ValType> elem;           // List, FixedList, Option (always set); Stream, Future, Map value
  std::optional<ValType> ok, err;        // Result
  std::optional<ValType> key;            // Map
  uint32_t length = 0;                   // FixedList
  TypeId resource;                       // Own, Borrow: a resource type
};

struct Param {
  std::string name;
  ValType type;
};
struct FuncType {
  bool is_async = false;
  std::vector<Param> params;
  std::optional<ValType> result;
};

// The type of a core import or export.
struct CoreExternType {
  wasm::ExternKind kind = wasm::ExternKind::Func;
  wasm::FuncType func;  // Func, Tag
  wasm::TableType table;
  wasm::MemoryType memory;
  wasm::GlobalType global;
};
struct CoreImportDecl {
  std::string module, name;
  CoreExternType type;
};
struct CoreExportDecl {
  std::string name;
  CoreExternType type;
};
struct ModuleType {
  std::vector<CoreImportDecl> imports;
  std::vector<CoreExportDecl> exports;
  const CoreExportDecl* find_export(std::string_view name) const;
};

// The sorts a component can import, export and pass to instantiation.
enum class ExternSort : uint8_t { CoreModule, Func, Value, Type, Component, Instance };
const char* to_string(ExternSort s);  // "module", "func", "value", "type", "component", "instance"

// The type of an import or export.
struct EntityType {
  ExternSort sort = ExternSort::Func;
  TypeId type;    // ModuleType, FuncType, the type itself (Type), ComponentType, InstanceType
  ValType value;  // Value
};

// An import or export name with its attributes. `name` is the label or interface name; the
// attributes do not take part in matching or type checking but are kept for the host (e.g. two
// imports `primary` and `secondary` that both `implements` wasi:keyvalue/store).
struct ExternName {
  std::string name;
  std::optional<std::string> implements;      // (implements "ns:pkg/iface")
  std::optional<std::string> version_suffix;  // (versionsuffix "...")
  std::optional<std::string> external_id;     // (external-id "...")
};

struct NamedEntity {
  ExternName name;
  EntityType type;
};

// A resource reachable through imports or exports: path[0] indexes the import/export list, each
// further element indexes the exports of the instance type reached so far.
struct ResourcePath {
  ResourceId id;
  std::vector<uint32_t> path;
};

struct InstanceType {
  std::vector<NamedEntity> exports;
  // Abstract resources introduced by `(export "r" (type (sub resource)))` in an instance type
  // definition; they become fresh resources each time the type is imported or exported.
  std::vector<ResourceId> defined_resources;
  std::vector<ResourcePath> explicit_resources;  // resources exported by name, with their paths
  const NamedEntity* find(std::string_view name) const;
};

struct ComponentType {
  std::vector<NamedEntity> imports;
  std::vector<NamedEntity> exports;
  std::vector<ResourcePath> imported_resources;  // type parameters, paths into imports
  std::vector<ResourcePath> defined_resources;   // fresh per instantiation, paths into exports
  std::vector<ResourcePath> explicit_resources;  // every resource exported by name
  const NamedEntity* find_import(std::string_view name) const;
  const NamedEntity* find_export(std::string_view name) const;
};

enum class TypeKind : uint8_t { Defined, Func, Resource, Instance, Component, CoreFunc, Module };
const char* to_string(TypeKind k);

// Size bookkeeping for validation limits (types can grow exponentially through nesting).
struct TypeInfo {
  uint32_t size = 1;
  uint32_t depth = 1;
  bool has_borrow = false;
};

// Owns types. Ids stay valid (and references stay stable) as types are added.
class TypeArena {
 public:
  TypeKind kind(TypeId id) const { return entries_[id.index].kind; }
  const TypeInfo& info(TypeId id) const { return entries_[id.index].info; }
  size_t size() const { return entries_.size(); }

  const DefinedType& defined(TypeId id) const { return defined_[slot(id, TypeKind::Defined)]; }
  const FuncType& func(TypeId id) const { return funcs_[slot(id, TypeKind::Func)]; }
  ResourceId resource(TypeId id) const { return ResourceId{slot(id, TypeKind::Resource)}; }
  const InstanceType& instance(TypeId id) const { return instances_[slot(id, TypeKind::Instance)]; }
  const ComponentType& component(TypeId id) const {
    return components_[slot(id, TypeKind::Component)];
  }
  const wasm::FuncType& core_func(TypeId id) const { return core_funcs_[slot(id, TypeKind::CoreFunc)]; }
  const ModuleType& module(TypeId id) const { return modules_[slot(id, TypeKind::Module)]; }

  TypeId add(DefinedType t, TypeInfo info);
  TypeId add(FuncType t, TypeInfo info);
  TypeId add(InstanceType t, TypeInfo info);
  TypeId add(ComponentType t, TypeInfo info);
  TypeId add(wasm::FuncType t);
  TypeId add(ModuleType t, TypeInfo info);
  // A resource type with the given identity (new_resource() for a fresh one).
  TypeId add_resource(ResourceId r);
  ResourceId new_resource() { return ResourceId{next_resource_++}; }

  // A new TypeId with the same structure (and, for resources, the same ResourceId) as `id`.
  TypeId alias(TypeId id);

  // Types added after a checkpoint can be dropped again (temporary types of a subtype check).
  struct Checkpoint {
    size_t entries, defined, funcs, instances, components, core_funcs, modules;
  };
  Checkpoint checkpoint() const;
  void rollback(const Checkpoint& c);

  // The value type's info (primitives: size 1, no borrow).
  TypeInfo info(const ValType& v) const { return v.is_primitive() ? TypeInfo{} : info(v.type()); }

  // Identifies this arena's contents for caches keyed by TypeId (the canonical ABI's layouts):
  // unique per arena, and renewed when types are rolled back (an index may then be reused) and
  // when an arena is copied.
  uint64_t uid() const { return uid_.value; }

 private:
  struct Uid {
    static uint64_t next();
    uint64_t value = next();
    Uid() = default;
    Uid(const Uid&) : value(next()) {}
    Uid& operator=(const Uid&) {
      value = next();
      return *this;
    }
  };
  Uid uid_;

  struct Entry {
    TypeKind kind;
    uint32_t slot;
    TypeInfo info;
  };
  uint32_t slot(TypeId id, [[maybe_unused]] TypeKind k) const;
  TypeId push(TypeKind k, uint32_t slot, TypeInfo info);

  std::vector<Entry> entries_;
  std::deque<DefinedType> defined_;
  std::deque<FuncType> funcs_;
  std::deque<InstanceType> instances_;
  std::deque<ComponentType> components_;
  std::deque<wasm::FuncType> core_funcs_;
  std::deque<ModuleType> modules_;
  uint32_t next_resource_ = 0;
};

// Human-readable forms in the component text format, for error messages and debugging, e.g.
// "(list (tuple string u32))", "(func (param \"x\" u32) (result string))".
std::string to_string(const TypeArena& arena, const ValType& t);
std::string to_string(const TypeArena& arena, TypeId id);
std::string to_string(const CoreExternType& t);

}  // namespace kumo::component
