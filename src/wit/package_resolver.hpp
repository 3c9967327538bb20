// Internal to the WIT resolver: resolves one package's syntax trees into a Resolve whose
// dependency packages are already resolved. Split over resolve_package.cpp (package scope,
// paths, interface order), resolve_types.cpp (types and functions) and resolve_world.cpp.
#pragma once

#include <map>
#include <variant>
#include <string>
#include <vector>

#include "wit/ast.hpp"
#include "wit/model.hpp"
#include "wit/resolve.hpp"

namespace kumo::wit::detail {

// One package to resolve: its name and every block of items that belongs to it.
struct PackageUnit {
  const ast::PackageName* name = nullptr;
  std::string docs;
  std::vector<const ast::DeclList*> decls;
};

class PackageResolver {
 public:
  PackageResolver(Resolve& resolve, const ResolveOptions& opts, const PackageUnit& unit)
      : r_(resolve), opts_(opts), unit_(unit) {}
  Expected<PackageId> run();

 private:
  // Interfaces named by a file's top-level `use` statements.
  using FileScope = NameMap<InterfaceId>;

  // Names defined in one scope, compared case-insensitively (component names must be
  // strongly unique); remembers where each was defined for "previous definition" notes.
  class Names {
   public:
    Expected<void> define(const PackageResolver& pr, const ast::Id& id, std::string_view what);
   private:
    std::map<std::string, Span> spans_;
  };

  // A scope of type names: an interface (or inline interface) or a world.
  struct TypeScope {
    TypeOwner owner;
    size_t decl = 0;  // file scope for `use` paths
    NameMap<TypeId> types;
    Names names;
  };

  // ---- resolve_package.cpp ----
  Unexpected<Error> fail(Span s, std::string_view msg) const;
  bool enabled(const ast::Attrs& attrs) const;
  Stability stability(const ast::Gate& g) const;
  std::string gated_hint(std::string_view name) const;
  void note_disabled(const ast::Attrs& attrs, const std::string& name);
  bool is_self(const ast::PackageName& p) const;
  Expected<PackageId> lookup_package(const ast::PackageName& p) const;
  Expected<InterfaceId> resolve_interface_path(const ast::UsePath& path, size_t decl) const;
  Expected<WorldId> resolve_world_path(const ast::UsePath& path, size_t decl) const;
  Expected<void> check_gates() const;
  Expected<void> check_gate(const ast::Attrs& attrs, Span span, const ast::Attrs* container) const;
  Expected<void> collect_items();
  Expected<void> build_file_scopes();
  Expected<void> resolve_interfaces();
  Expected<void> resolve_worlds();

  // ---- resolve_types.cpp ----
  // Defines the `use`d and declared types of a scope (items in source order) and resolves
  // their bodies in dependency order. `order` receives the TypeIds in source order.
  using TypeItem = std::variant<const ast::Use*, const ast::TypeDef*>;
  Expected<void> define_types(TypeScope& scope, const std::vector<TypeItem>& items, std::vector<TypeId>& order);
  Expected<void> define_use(TypeScope& scope, const ast::Use& use, std::vector<TypeId>& order);
  Expected<void> resolve_typedef(TypeScope& scope, TypeId id, const ast::TypeDef& def);
  Expected<TypeId> lookup_type(const TypeScope& scope, const ast::Id& name) const;
  Expected<Type> resolve_type(const TypeScope& scope, const ast::TypeExpr& e);
  Expected<TypeDefKind> resolve_structural(const TypeScope& scope, const ast::TypeExpr& e);
  Expected<Function> resolve_function(const TypeScope& scope, const ast::FuncType& f, const ast::Attrs& attrs,
                                      FunctionKind kind, const ast::Id& name, TypeId resource);
  bool contains_borrow(Type t, std::vector<TypeId>& seen) const;
  // The constructor, methods and static functions of a resource defined in `scope`.
  Expected<std::vector<Function>> resolve_resource_funcs(const TypeScope& scope, const ast::TypeDef& def);
  // Resolves an interface body (named or inline) into interface `id`.
  Expected<void> resolve_interface_body(InterfaceId id, const std::vector<ast::InterfaceItem>& items, size_t decl);

  // ---- resolve_world.cpp ----
  Expected<void> resolve_world(WorldId id, const ast::World& w, size_t decl);
  Expected<void> add_extern(World& world, TypeScope& scope, const ast::Extern& e, size_t decl, Names& import_names,
                            Names& export_names);
  Expected<void> apply_include(WorldId id, const ast::Include& inc, size_t decl);
  Expected<void> elaborate(World& w);

  Resolve& r_;
  const ResolveOptions& opts_;
  const PackageUnit& unit_;
  PackageId pkg_ = kNoId;
  std::vector<FileScope> file_scopes_;
  // Named interfaces/worlds of this package with the syntax they came from.
  std::vector<std::pair<InterfaceId, std::pair<const ast::Interface*, size_t>>> ifaces_;
  std::vector<std::pair<WorldId, std::pair<const ast::World*, size_t>>> worlds_;
  std::map<std::string, std::string> disabled_;  // gated-out item name -> feature
};

}  // namespace kumo::wit::detail
