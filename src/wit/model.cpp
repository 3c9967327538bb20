#include "wit/model.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace kumo::wit {

std::string_view prim_name(TypeKind k) {
  switch (k) {
    case TypeKind::Bool: return "bool";
    case TypeKind::U8: return "u8";
    case TypeKind::U16: return "u16";
    case TypeKind::U32: return "u32";
    case TypeKind::U64: return "u64";
    case TypeKind::S8: return "s8";
    case TypeKind::S16: return "s16";
    case TypeKind::S32: return "s32";
    case TypeKind::S64: return "s64";
    case TypeKind::F32: return "f32";
    case TypeKind::F64: return "f64";
    case TypeKind::Char: return "char";
    case TypeKind::String: return "string";
    case TypeKind::ErrorContext: return "error-context";
    case TypeKind::Id: return "";
  }
  return "";
}

std::string_view Function::item_name() const {
  std::string_view n = name;
  if (kind == FunctionKind::Freestanding) return n;
  size_t close = n.find(']');
  n.remove_prefix(close == std::string_view::npos ? 0 : close + 1);
  if (kind == FunctionKind::Constructor) return n;
  size_t dot = n.find('.');
  return dot == std::string_view::npos ? n : n.substr(dot + 1);
}

std::string PackageName::to_string() const {
  std::string s = ns + ":" + name;
  if (version) s += "@" + version->to_string();
  return s;
}

std::optional<PackageId> Resolve::find_package(const PackageName& name) const {
  auto it = package_index_.find(name.to_string());
  if (it == package_index_.end()) return std::nullopt;
  return it->second;
}

std::vector<const Package*> Resolve::packages_named(std::string_view ns, std::string_view name) const {
  std::vector<const Package*> out;
  for (const Package& p : packages) {
    if (p.name.ns == ns && p.name.name == name) out.push_back(&p);
  }
  return out;
}

// Splits "ns:pkg/item@ver" into a package name and an item name.
static std::optional<std::pair<PackageName, std::string>> split_item_path(std::string_view full) {
  size_t colon = full.find(':');
  size_t slash = full.find('/');
  if (colon == std::string_view::npos || slash == std::string_view::npos || slash < colon) return std::nullopt;
  PackageName p;
  p.ns = std::string(full.substr(0, colon));
  p.name = std::string(full.substr(colon + 1, slash - colon - 1));
  std::string_view rest = full.substr(slash + 1);
  size_t at = rest.find('@');
  if (at != std::string_view::npos) {
    p.version = Version::parse(rest.substr(at + 1));
    if (!p.version) return std::nullopt;
    rest = rest.substr(0, at);
  }
  return std::make_pair(std::move(p), std::string(rest));
}

std::optional<InterfaceId> Resolve::find_interface(std::string_view full_name) const {
  auto parts = split_item_path(full_name);
  if (!parts) return std::nullopt;
  auto pkg = find_package(parts->first);
  if (!pkg) return std::nullopt;
  const InterfaceId* id = packages[*pkg].interfaces.find(parts->second);
  return id ? std::optional<InterfaceId>(*id) : std::nullopt;
}

std::optional<WorldId> Resolve::find_world(std::string_view full_name) const {
  auto parts = split_item_path(full_name);
  if (!parts) return std::nullopt;
  auto pkg = find_package(parts->first);
  if (!pkg) return std::nullopt;
  const WorldId* id = packages[*pkg].worlds.find(parts->second);
  return id ? std::optional<WorldId>(*id) : std::nullopt;
}

static std::string qualified(const PackageName& p, std::string_view item) {
  std::string s = fmt::format("{}:{}/{}", p.ns, p.name, item);
  if (p.version) s += "@" + p.version->to_string();
  return s;
}

std::string Resolve::interface_name(InterfaceId id) const {
  const Interface& i = interfaces[id];
  if (!i.name || i.package == kNoId) return {};
  return qualified(packages[i.package].name, *i.name);
}

std::string Resolve::world_name(WorldId id) const {
  const World& w = worlds[id];
  return qualified(packages[w.package].name, w.name);
}

std::string Resolve::item_name(const WorldItem& item) const {
  if (!item.name.empty()) return item.name;
  return interface_name(item.iface);
}

std::string Resolve::implements(const WorldItem& item) const {
  if (item.kind != WorldItem::Kind::Interface || item.name.empty()) return {};
  return interface_name(item.iface);
}

const WorldItem* Resolve::find_item(WorldId world, bool exports, std::string_view name) const {
  const World& w = worlds[world];
  for (const WorldItem& item : exports ? w.exports : w.imports) {
    if (item_name(item) == name) return &item;
  }
  return nullptr;
}

TypeId Resolve::unalias(TypeId id) const {
  // Alias chains are acyclic (the resolver rejects cycles), but bound the walk anyway.
  for (size_t guard = 0; guard <= types.size(); ++guard) {
    const Alias* a = types[id].as<Alias>();
    if (!a || !a->target.is_id()) return id;
    id = a->target.id;
  }
  return id;
}

bool Resolve::is_resource(TypeId id) const { return types[unalias(id)].as<Resource>() != nullptr; }

std::vector<InterfaceId> Resolve::interface_deps(InterfaceId id) const {
  std::vector<InterfaceId> deps;
  for (const auto& [name, tid] : interfaces[id].types) {
    const Alias* a = types[tid].as<Alias>();
    if (!a || !a->target.is_id()) continue;
    const TypeOwner& owner = types[a->target.id].owner;
    if (owner.kind != TypeOwner::Kind::Interface || owner.id == id) continue;
    if (std::find(deps.begin(), deps.end(), owner.id) == deps.end()) deps.push_back(owner.id);
  }
  return deps;
}

TypeId Resolve::add_type(TypeDef def) {
  types.push_back(std::move(def));
  return static_cast<TypeId>(types.size() - 1);
}

static std::string type_key(Type t) { return t.is_id() ? fmt::format("#{}", t.id) : std::string(prim_name(t.kind)); }
static std::string opt_key(const std::optional<Type>& t) { return t ? type_key(*t) : "_"; }

namespace {
// A structural key for anonymous kinds; named kinds (records, ...) are never interned.
struct AnonymousKey {
  std::string operator()(const Handle& h) const {
    return fmt::format("{}<#{}>", h.kind == Handle::Kind::Own ? "own" : "borrow", h.resource);
  }
  std::string operator()(const Tuple& t) const {
    std::string s = "tuple<";
    for (const Type& e : t.types) s += type_key(e) + ",";
    return s + ">";
  }
  std::string operator()(const OptionType& o) const { return "option<" + type_key(o.type) + ">"; }
  std::string operator()(const ResultType& r) const { return "result<" + opt_key(r.ok) + "," + opt_key(r.err) + ">"; }
  std::string operator()(const List& l) const { return fmt::format("list<{},{}>", type_key(l.elem), l.fixed_size); }
  std::string operator()(const Map& m) const { return "map<" + type_key(m.key) + "," + type_key(m.value) + ">"; }
  std::string operator()(const Future& f) const { return "future<" + opt_key(f.type) + ">"; }
  std::string operator()(const Stream& s) const { return "stream<" + opt_key(s.type) + ">"; }
  std::string operator()(const Alias& a) const { return "alias<" + type_key(a.target) + ">"; }
  std::string operator()(const auto&) const { return {}; }
};
}  // namespace

TypeId Resolve::intern_anonymous(TypeDefKind kind, Span span) {
  std::string key = std::visit(AnonymousKey{}, kind);
  if (!key.empty()) {
    auto it = anonymous_.find(key);
    if (it != anonymous_.end()) return it->second;
  }
  TypeDef def;
  def.kind = std::move(kind);
  def.span = span;
  TypeId id = add_type(std::move(def));
  if (!key.empty()) anonymous_.emplace(std::move(key), id);
  return id;
}

void Resolve::register_package(PackageId id) { package_index_[packages[id].name.to_string()] = id; }

}  // namespace kumo::wit
