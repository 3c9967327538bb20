// The validator's state: a stack of scopes (components, component types and instance types, each
// with its own index spaces), and the operations that grow them. The member functions are
// defined across the files of this directory, one concern each.
#pragma once

#include <deque>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "component/abi/layout.hpp"
#include "component/component.hpp"
#include "component/names.hpp"
#include "component/validator.hpp"
#include "component/validator/subtype.hpp"

namespace kumo::component::validation {

enum class ScopeKind : uint8_t { Component, ComponentType, InstanceType };

// Names of resources exported (or imported) at the top of a scope, for checking
// `[constructor]r`, `[method]r.f` and `[static]r.f` names.
struct ResourceNames {
  std::unordered_map<uint32_t, std::string> by_type;  // resource TypeId::index -> name
  std::unordered_set<std::string> names;
};

// An import or export list whose names must be strongly unique.
struct ExternList {
  std::vector<NamedEntity> items;
  std::unordered_map<std::string, std::string> keys;  // uniqueness key -> name
};

struct Scope {
  ScopeKind kind = ScopeKind::Component;
  ComponentInfo info;  // index spaces
  std::vector<bool> value_used;
  ExternList imports, exports;
  ResourceNames import_names, export_names;

  std::vector<ResourcePath> imported_resources;
  std::vector<ResourceId> defined_resources;  // local definitions, and fresh ones from instances
  std::vector<ResourcePath> explicit_resources;
  // Types with an external name (see Explainer.md "External Visibility of Types").
  std::unordered_set<uint32_t> imported_types, exported_types;
  bool has_start = false;
};

// The options of a canonical definition, checked individually (CanonicalABI.md "canonopt
// Validation"); what each definition requires is checked by the definition.
struct CanonOptions {
  const char* encoding = nullptr;  // as written, for conflict messages
  std::optional<uint32_t> memory;
  abi::PtrType ptr = abi::PtrType::I32;  // the memory's address type
  std::optional<uint32_t> realloc;
  std::optional<uint32_t> post_return;
  bool is_async = false;
  std::optional<uint32_t> callback;
  bool gc = false;                    // the GC-based ABI (only empty signatures run; see canon.cpp)
  std::optional<uint32_t> core_type;  // lowerings: the declared core function type

  Expected<void> require_memory() const;
  Expected<void> require_realloc() const;
  // Rejects post-return and callback, which only `canon lift` may have.
  Expected<void> check_not_lift(const char* where) const;
};

class Validator {
 public:
  Validator(TypeArena& arena, const Features& features) : arena_(arena), features_(features) {}

  // Validates a (possibly nested) component in a new scope; returns its index spaces.
  Expected<ComponentInfo> component(const Component& c);

 private:
  Scope& cur() { return scopes_.back(); }
  Subtype subtype() { return Subtype(arena_); }

  // definitions.cpp: one definition at a time, and the component's type at the end.
  Expected<void> definition(const Component& c, const Definition& d);
  Expected<void> import(const ExternName& name, const ExternDesc& desc);
  Expected<void> export_item(const Export& e);
  Expected<void> start(const StartDef& s);
  Expected<void> value(const ValueDef& v);
  Expected<TypeId> finish_component();
  Expected<void> check_value_support();

  // core.cpp: core modules, core instances, core types and module types.
  Expected<void> core_module(const CoreModuleDef& m);
  Expected<void> core_instance(const CoreInstanceDef& d);
  Expected<TypeId> core_type(const CoreTypeDef& t);
  Expected<TypeId> module_type(const CoreTypeDef& t);
  Expected<void> check_core_valtype(wasm::ValType t, size_t num_types);

  // types.cpp: type definitions and externtypes.
  Expected<TypeId> type_def(const TypeDef& t);
  Expected<ValType> val_type(const ValType& syntax);
  Expected<TypeId> defined_type(const DefinedType& d);
  Expected<TypeId> func_type(const FuncType& f);
  Expected<TypeId> resource_type(const ResourceTypeDef& r);
  Expected<TypeId> decls_type(const std::vector<TypeDecl>& decls, ScopeKind kind);
  // The EntityType an externtype declares; `fresh` tells whether it introduced a new resource.
  Expected<EntityType> extern_desc(const ExternDesc& d, bool* fresh);

  // index.cpp: bounds-checked access to index spaces.
  Expected<TypeId> type_at(uint32_t i);
  Expected<TypeId> func_at(uint32_t i);
  Expected<TypeId> instance_at(uint32_t i);
  Expected<TypeId> component_at(uint32_t i);
  Expected<TypeId> core_type_at(uint32_t i);
  Expected<TypeId> module_at(uint32_t i);
  Expected<const wasm::FuncType*> core_func_at(uint32_t i);
  Expected<const std::vector<CoreExportDecl>*> core_instance_at(uint32_t i);
  Expected<TypeId> resource_at(uint32_t type_index);  // a resource type
  Expected<const LocalResource*> local_resource_at(uint32_t type_index);
  Expected<EntityType> entity_of(const SortIndex& s);  // the type of an item, for export/instantiate
  Expected<CoreExternType> core_item(const SortIndex& s);
  Expected<void> push_core_item(const CoreExternType& t);
  Expected<void> check_count(size_t current, size_t max, const char* what);

  // externs.cpp: imports/exports, names, and the external visibility of types.
  Expected<void> add_entity(EntityType& e, const std::string* name, std::optional<ExternKind> kind,
                            bool fresh);
  Expected<void> add_extern(ExternList& list, const ResourceNames& names, const ExternName& name,
                            ExternKind kind, const EntityType& e);
  bool register_named(const std::string* name, ExternKind kind, const EntityType& e);
  bool all_named(TypeId id, const std::unordered_set<uint32_t>& set) const;
  bool all_named_func(TypeId id, const std::unordered_set<uint32_t>& set) const;
  bool all_named_defined(TypeId id, const std::unordered_set<uint32_t>& set) const;
  bool all_named_instance(TypeId id, const std::unordered_set<uint32_t>& set) const;
  bool named_val(const ValType& v, const std::unordered_set<uint32_t>& set) const;
  void prepare_instance_import(TypeId& id);
  void prepare_instance_export(TypeId& id);
  Expected<void> check_resource_name(const ResourceNames& names, const ParsedName& parsed,
                                     const ExternName& name, const EntityType& e);

  // instances.cpp: instantiation and aliases.
  Expected<void> instance(const InstanceDef& d);
  Expected<TypeId> instantiate(const InstanceDef& d);
  Expected<TypeId> instance_from_exports(const InstanceDef& d);
  Expected<void> alias(const Alias& a);
  Expected<void> alias_outer(const Alias& a);

  // canon.cpp: canonical definitions.
  Expected<void> canon(const Canon& c);
  Expected<CanonOptions> canon_options(const std::vector<CanonOption>& opts);
  Expected<void> push_core_func(wasm::FuncType ft);
  Expected<void> push_func(TypeId ft);  // a lifted function of type `ft`
  Expected<abi::PtrType> canon_memory(uint32_t index);

  // canon_builtins.cpp: the async, error-context and thread built-ins.
  Expected<void> canon_builtin(const Canon& c);

  TypeArena& arena_;
  const Features& features_;
  std::deque<Scope> scopes_;  // a deque: references to outer scopes stay valid
};

// Records where a resource is exported; the first path found for a resource is kept.
void add_explicit(std::vector<ResourcePath>& v, ResourcePath rp);

// Adds `other` into an aggregate's size, failing past the effective-type-size limit.
Expected<void> combine(TypeInfo& into, const TypeInfo& other);
TypeInfo entity_info(const TypeArena& arena, const EntityType& e);

// Wraps an error with the definition being validated: "<what> at offset 0x..: <message>".
Unexpected<Error> at(const char* what, uint32_t offset, const Error& e);

}  // namespace kumo::component::validation
