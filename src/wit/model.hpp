// The resolved WIT model: packages, interfaces, worlds, types and functions after every name has
// been resolved. Items live in arenas inside Resolve and refer to each other by index, so one
// Resolve can hold a root package and all of its dependencies, and a component's world can be
// compared with a host world type by type.
//
// Shape (close to wasm-tools' wit-parser so that WIT-level concepts map one to one):
// - A `use` of a type creates a new named TypeDef in the using interface/world whose kind is
//   Alias{target}: the alias is what the interface exports, the target says where it came from.
// - Anonymous types (list<T>, option<T>, tuple, result, handles, ...) are TypeDefs without a
//   name, interned so that equal anonymous types share one TypeId.
// - Naming a resource in a value position means an owned handle: Handle{Own, id}, where id is
//   the resource or an alias of it (for example the `use`d name).
// - Resource methods are ordinary Functions of the interface, with component-level names
//   ("[method]r.f", "[static]r.f", "[constructor]r") and an explicit `self: borrow<r>` param.
// - Worlds are elaborated: every interface that an imported or exported interface uses types
//   from is listed as an import (before its users), and includes are merged.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "wit/source.hpp"
#include "wit/version.hpp"

namespace kumo::wit {

using TypeId = uint32_t;
using InterfaceId = uint32_t;
using WorldId = uint32_t;
using PackageId = uint32_t;
inline constexpr uint32_t kNoId = UINT32_MAX;

// Insertion-ordered name -> value map (WIT item order is meaningful for printing and encoding).
template <typename V>
class NameMap {
 public:
  using Entry = std::pair<std::string, V>;
  bool contains(std::string_view k) const { return index_.count(std::string(k)) != 0; }
  const V* find(std::string_view k) const {
    auto it = index_.find(std::string(k));
    return it == index_.end() ? nullptr : &entries_[it->second].second;
  }
  V* find(std::string_view k) {
    auto it = index_.find(std::string(k));
    return it == index_.end() ? nullptr : &entries_[it->second].second;
  }
  // Returns false (and leaves the map unchanged) if the key exists.
  bool insert(std::string k, V v) {
    if (contains(k)) return false;
    index_.emplace(k, entries_.size());
    entries_.emplace_back(std::move(k), std::move(v));
    return true;
  }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }
  const Entry& operator[](size_t i) const { return entries_[i]; }

 private:
  std::vector<Entry> entries_;
  std::unordered_map<std::string, size_t> index_;
};

// Feature gates: `@since(version = ..)` or `@unstable(feature = ..)`, optionally `@deprecated`.
struct Stability {
  enum class Kind : uint8_t { Unknown, Stable, Unstable };
  Kind kind = Kind::Unknown;
  Version since;        // Stable
  std::string feature;  // Unstable
  std::optional<Version> deprecated;
  bool operator==(const Stability&) const = default;
};

enum class TypeKind : uint8_t {
  Bool, U8, U16, U32, U64, S8, S16, S32, S64, F32, F64, Char, String,
  ErrorContext,  // the async proposal's `error-context`
  Id,
};

// A value type: a primitive or a reference to a TypeDef.
struct Type {
  TypeKind kind = TypeKind::Bool;
  TypeId id = kNoId;
  static Type prim(TypeKind k) { return Type{k, kNoId}; }
  static Type of(TypeId id) { return Type{TypeKind::Id, id}; }
  bool is_id() const { return kind == TypeKind::Id; }
  bool operator==(const Type&) const = default;
};

std::string_view prim_name(TypeKind k);  // "u32", ...; "" for TypeKind::Id

struct Field {
  std::string name;
  Type type;
  std::string docs;
};
struct Case {
  std::string name;
  std::optional<Type> type;
  std::string docs;
};
struct EnumCase {
  std::string name;
  std::string docs;
};

struct Alias { Type target; };
struct Record { std::vector<Field> fields; };
struct Resource {};
struct Handle {
  enum class Kind : uint8_t { Own, Borrow };
  Kind kind = Kind::Own;
  TypeId resource = kNoId;  // the resource, or a named alias of it
};
struct Flags { std::vector<EnumCase> flags; };
struct Tuple { std::vector<Type> types; };
struct Variant { std::vector<Case> cases; };
struct Enum { std::vector<EnumCase> cases; };
struct OptionType { Type type; };
struct ResultType {
  std::optional<Type> ok;
  std::optional<Type> err;
};
struct List {
  Type elem;
  uint32_t fixed_size = 0;  // > 0 for `list<T, N>`
};
struct Map {
  Type key;
  Type value;
};
struct Future { std::optional<Type> type; };
struct Stream { std::optional<Type> type; };

using TypeDefKind = std::variant<Alias, Record, Resource, Handle, Flags, Tuple, Variant, Enum, OptionType, ResultType,
                                 List, Map, Future, Stream>;

struct TypeOwner {
  enum class Kind : uint8_t { None, Interface, World };
  Kind kind = Kind::None;
  uint32_t id = kNoId;
  bool operator==(const TypeOwner&) const = default;
};

struct TypeDef {
  std::optional<std::string> name;  // nullopt for anonymous types
  TypeDefKind kind;
  TypeOwner owner;
  std::string docs;
  Stability stability;
  std::optional<std::string> external_id;
  Span span;
  template <typename T>
  const T* as() const { return std::get_if<T>(&kind); }
};

enum class FunctionKind : uint8_t { Freestanding, Method, Static, Constructor };

struct Param {
  std::string name;
  Type type;
};

struct Function {
  std::string name;  // component-level name, e.g. "get", "[method]fields.get", "[constructor]fields"
  FunctionKind kind = FunctionKind::Freestanding;
  TypeId resource = kNoId;  // Method/Static/Constructor
  bool async = false;
  std::vector<Param> params;  // methods start with `self: borrow<resource>`
  std::optional<Type> result;
  std::string docs;
  Stability stability;
  std::optional<std::string> external_id;
  Span span;
  // The name as written in WIT: "get" for "[method]fields.get", the resource for constructors.
  std::string_view item_name() const;
};

struct Interface {
  std::optional<std::string> name;  // nullopt for `import x: interface { ... }`
  PackageId package = kNoId;
  NameMap<TypeId> types;
  NameMap<Function> functions;
  std::string docs;
  Stability stability;
  std::optional<std::string> external_id;
  Span span;
};

// One import or export of a world. The component-level name is `name` when it is set (a plain
// label), else the interface's full name ("wasi:io/streams@0.2.0"). A label on a named
// interface (`import cache: wasi:keyvalue/store;`) keeps both: see Resolve::implements().
struct WorldItem {
  enum class Kind : uint8_t { Interface, Function, Type };
  Kind kind = Kind::Interface;
  std::string name;  // plain label; empty for interface-named items
  InterfaceId iface = kNoId;
  Function func;
  TypeId type = kNoId;
  std::string docs;
  Stability stability;
  std::optional<std::string> external_id;
  Span span;
  bool interface_named() const { return kind == Kind::Interface && name.empty(); }
};

struct World {
  std::string name;
  PackageId package = kNoId;
  std::vector<WorldItem> imports;
  std::vector<WorldItem> exports;
  std::string docs;
  Stability stability;
  Span span;
};

struct PackageName {
  std::string ns;
  std::string name;
  std::optional<Version> version;
  std::string to_string() const;  // "ns:name@1.0.0"
  bool operator==(const PackageName&) const = default;
};

struct Package {
  PackageName name;
  std::string docs;
  NameMap<InterfaceId> interfaces;
  NameMap<WorldId> worlds;
  Span span;
};

// All packages loaded so far. resolve.hpp fills it from WIT text; code that builds a model by
// other means (e.g. from a component's types) pushes Package/Interface/World values directly,
// creates types with add_type/intern_anonymous and calls register_package for lookups by name.
class Resolve {
 public:
  std::vector<Package> packages;
  std::vector<Interface> interfaces;
  std::vector<World> worlds;
  std::vector<TypeDef> types;
  SourceMap sources;  // text of every parsed file, for spans

  // ---- lookups ----
  std::optional<PackageId> find_package(const PackageName& name) const;
  // Versions present for ns:name, for "did you mean" messages.
  std::vector<const Package*> packages_named(std::string_view ns, std::string_view name) const;
  // "ns:pkg/iface@1.0.0" -> id (exact match, version included when the package has one).
  std::optional<InterfaceId> find_interface(std::string_view full_name) const;
  std::optional<WorldId> find_world(std::string_view full_name) const;

  // ---- names ----
  // "ns:pkg/iface@1.0.0"; empty for inline interfaces.
  std::string interface_name(InterfaceId id) const;
  std::string world_name(WorldId id) const;
  // The component-level import/export name of a world item.
  std::string item_name(const WorldItem& item) const;
  // For a label naming a named interface (`import cache: wasi:keyvalue/store;`), the full name of
  // the implemented interface; empty otherwise.
  std::string implements(const WorldItem& item) const;
  // The import (or export) of `world` whose component-level name is `name`.
  const WorldItem* find_item(WorldId world, bool exports, std::string_view name) const;

  // ---- types ----
  // Follows Alias chains (`use`d names, `type a = b;`) to the defining TypeDef.
  TypeId unalias(TypeId id) const;
  bool is_resource(TypeId id) const;
  // Interfaces whose types `id` uses (directly, through `use` aliases), in first-use order.
  std::vector<InterfaceId> interface_deps(InterfaceId id) const;

  // ---- building (used by the resolver) ----
  TypeId add_type(TypeDef def);
  // Returns the TypeId of an anonymous type with this kind, creating it on first use.
  TypeId intern_anonymous(TypeDefKind kind, Span span);
  void register_package(PackageId id);

 private:
  std::map<std::string, PackageId> package_index_;  // PackageName::to_string() -> id
  std::map<std::string, TypeId> anonymous_;         // structural key -> id
};

}  // namespace kumo::wit
