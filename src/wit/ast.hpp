// WIT syntax tree: what one file says, before names are resolved. The parser produces it and
// the resolver (resolve.hpp) turns a set of files into the resolved model (model.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "wit/source.hpp"
#include "wit/version.hpp"

namespace kumo::wit::ast {

struct Id {
  std::string name;
  Span span;
};

// `ns:name@version`
struct PackageName {
  Id ns;
  Id name;
  std::optional<Version> version;
  Span span;
};

// An interface or world reference: `foo` (in the current package or file scope) or
// `ns:pkg/foo@1.0.0`.
struct UsePath {
  std::optional<PackageName> package;
  Id name;
  Span span;
};

// Gates and attributes written before an item: @since, @unstable, @deprecated, @external-id.
struct Gate {
  enum class Kind : uint8_t { None, Since, Unstable };
  Kind kind = Kind::None;
  Version since;
  Id feature;
  std::optional<Version> deprecated;
  Span span;
};

struct Attrs {
  std::string docs;
  Gate gate;
  std::optional<std::string> external_id;
};

enum class TypeExprKind : uint8_t {
  Bool, U8, U16, U32, U64, S8, S16, S32, S64, F32, F64, Char, String, ErrorContext,
  Named,   // name
  List,    // args[0]; fixed_size > 0 for `list<T, N>`
  Option,  // args[0]
  Result,  // `result<ok, err>`; has_ok / has_err say which of args are present (ok first)
  Tuple,   // args
  Map,     // args[0] key, args[1] value
  Own,     // `own<name>` (same as naming a resource)
  Borrow,  // `borrow<name>`
  Future,  // args empty or [payload]
  Stream,  // args empty or [payload]
};

struct TypeExpr {
  TypeExprKind kind = TypeExprKind::Bool;
  Id name;
  std::vector<TypeExpr> args;
  bool has_ok = false;
  bool has_err = false;
  uint32_t fixed_size = 0;
  Span span;
};

struct Param {
  Id name;
  TypeExpr type;
};

struct FuncType {
  bool async = false;
  std::vector<Param> params;
  std::optional<TypeExpr> result;
  Span span;
};

// `name: func(...)` in an interface or world.
struct Func {
  Attrs attrs;
  Id name;
  FuncType type;
};

struct ResourceFunc {
  enum class Kind : uint8_t { Method, Static, Constructor };
  Attrs attrs;
  Kind kind = Kind::Method;
  Id name;  // "constructor" for constructors
  FuncType type;
};

struct Field {
  std::string docs;
  Id name;
  TypeExpr type;
};

struct Case {
  std::string docs;
  Id name;
  std::optional<TypeExpr> type;  // only variants have payloads
};

struct TypeDef {
  enum class Kind : uint8_t { Alias, Record, Variant, Enum, Flags, Resource };
  Attrs attrs;
  Kind kind = Kind::Alias;
  Id name;
  TypeExpr alias;                   // Alias
  std::vector<Field> fields;        // Record
  std::vector<Case> cases;          // Variant, Enum, Flags
  std::vector<ResourceFunc> funcs;  // Resource
  Span span;
};

struct UseName {
  Id name;
  std::optional<Id> as;
};

// `use path.{a, b as c};` inside an interface or world.
struct Use {
  Attrs attrs;
  UsePath path;
  std::vector<UseName> names;
  Span span;
};

using InterfaceItem = std::variant<Use, TypeDef, Func>;

struct Interface {
  Attrs attrs;
  Id name;  // empty for `import x: interface { ... }`
  std::vector<InterfaceItem> items;
  Span span;
};

// `import`/`export` in a world.
struct Extern {
  enum class Kind : uint8_t {
    Path,       // import wasi:io/streams;
    Func,       // import name: func(...);
    Interface,  // import name: interface { ... }
    NamedPath,  // import name: wasi:keyvalue/store;  (a label implementing an interface)
  };
  Attrs attrs;
  bool is_export = false;
  Kind kind = Kind::Path;
  Id name;  // the label, for every kind except Path
  UsePath path;
  FuncType func;
  Interface iface;
  Span span;
};

struct IncludeName {
  Id name;
  Id as;
};

struct Include {
  Attrs attrs;
  UsePath path;
  std::vector<IncludeName> with;
  Span span;
};

using WorldItem = std::variant<Extern, Use, TypeDef, Include>;

struct World {
  Attrs attrs;
  Id name;
  std::vector<WorldItem> items;
  Span span;
};

// File-level `use ns:pkg/iface@1.0.0 as name;`
struct TopUse {
  Attrs attrs;
  UsePath path;
  std::optional<Id> as;
  Span span;
};

using PackageItem = std::variant<Interface, World, TopUse>;

// Items that share one file scope (top-level uses are visible only within their block).
struct DeclList {
  uint32_t file = kNoFile;
  std::vector<PackageItem> items;
};

// `package ns:pkg@1.0.0 { ... }` inside a file.
struct NestedPackage {
  std::string docs;
  PackageName name;
  DeclList decls;
};

struct File {
  uint32_t file = kNoFile;
  std::optional<PackageName> package;  // `package ns:pkg;` header
  std::string package_docs;
  DeclList decls;  // items outside nested package blocks
  std::vector<NestedPackage> nested;
};

}  // namespace kumo::wit::ast
