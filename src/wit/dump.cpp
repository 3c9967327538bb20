#include "wit/dump.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "wit/printer.hpp"

namespace kumo::wit {

namespace {

class Dumper {
 public:
  explicit Dumper(const Resolve& r) : r_(r) {
    // Inline interfaces have no name of their own; name them after the world item.
    for (WorldId w = 0; w < r_.worlds.size(); ++w) {
      for (const auto* list : {&r_.worlds[w].imports, &r_.worlds[w].exports}) {
        for (const WorldItem& item : *list) {
          if (item.kind == WorldItem::Kind::Interface && !r_.interfaces[item.iface].name) {
            inline_names_[item.iface] = r_.world_name(w) + "#" + item.name;
          }
        }
      }
    }
  }

  std::string package(PackageId id) {
    const Package& p = r_.packages[id];
    out_ += fmt::format("package {}\n", p.name.to_string());
    docs(p.docs, 1);
    for (const auto& [name, iid] : p.interfaces) interface(iid, 1);
    for (const auto& [name, wid] : p.worlds) world(wid);
    return std::move(out_);
  }

 private:
  void line(int indent, std::string_view s) {
    out_.append(static_cast<size_t>(indent) * 2, ' ');
    out_ += s;
    out_ += '\n';
  }
  void docs(const std::string& d, int indent) {
    if (!d.empty()) line(indent, fmt::format("docs {:?}", d));
  }
  static std::string stab(const Stability& s) {
    std::string out;
    if (s.kind == Stability::Kind::Stable) out += " @since(" + s.since.to_string() + ")";
    if (s.kind == Stability::Kind::Unstable) out += " @unstable(" + s.feature + ")";
    if (s.deprecated) out += " @deprecated(" + s.deprecated->to_string() + ")";
    return out;
  }

  std::string iface_name(InterfaceId id) const {
    auto it = inline_names_.find(id);
    if (it != inline_names_.end()) return it->second;
    return r_.interface_name(id);
  }

  std::string owner_name(const TypeOwner& o) const {
    switch (o.kind) {
      case TypeOwner::Kind::Interface: return iface_name(o.id);
      case TypeOwner::Kind::World: return "world " + r_.world_name(o.id);
      case TypeOwner::Kind::None: return "?";
    }
    return "?";
  }

  // Named types by owner and name; anonymous ones spelled out.
  std::string tref(Type t) const {
    if (!t.is_id()) return std::string(prim_name(t.kind));
    const TypeDef& d = r_.types[t.id];
    if (d.name) return owner_name(d.owner) + "." + *d.name;
    return kind(d.kind);
  }
  std::string opt(const std::optional<Type>& t) const { return t ? tref(*t) : "_"; }

  std::string kind(const TypeDefKind& k) const {
    if (const auto* a = std::get_if<Alias>(&k)) return "alias " + tref(a->target);
    if (std::get_if<Resource>(&k)) return "resource";
    if (const auto* h = std::get_if<Handle>(&k)) {
      return fmt::format("{}<{}>", h->kind == Handle::Kind::Own ? "own" : "borrow", tref(Type::of(h->resource)));
    }
    if (const auto* t = std::get_if<Tuple>(&k)) {
      std::string s = "tuple<";
      for (const Type& e : t->types) s += tref(e) + ",";
      return s + ">";
    }
    if (const auto* o = std::get_if<OptionType>(&k)) return "option<" + tref(o->type) + ">";
    if (const auto* r = std::get_if<ResultType>(&k)) return "result<" + opt(r->ok) + "," + opt(r->err) + ">";
    if (const auto* l = std::get_if<List>(&k)) return fmt::format("list<{},{}>", tref(l->elem), l->fixed_size);
    if (const auto* m = std::get_if<Map>(&k)) return "map<" + tref(m->key) + "," + tref(m->value) + ">";
    if (const auto* f = std::get_if<Future>(&k)) return "future<" + opt(f->type) + ">";
    if (const auto* s = std::get_if<Stream>(&k)) return "stream<" + opt(s->type) + ">";
    if (std::get_if<Record>(&k)) return "record";
    if (std::get_if<Variant>(&k)) return "variant";
    if (std::get_if<Enum>(&k)) return "enum";
    if (std::get_if<Flags>(&k)) return "flags";
    return "?";
  }

  void typedef_(TypeId id, int indent) {
    const TypeDef& d = r_.types[id];
    std::string ext = d.external_id ? fmt::format(" external-id={:?}", *d.external_id) : "";
    line(indent, fmt::format("type {} = {}{}{}", d.name.value_or("?"), kind(d.kind), stab(d.stability), ext));
    docs(d.docs, indent + 1);
    if (const auto* rec = d.as<Record>()) {
      for (const Field& f : rec->fields) {
        line(indent + 1, fmt::format("field {}: {}", f.name, tref(f.type)));
        docs(f.docs, indent + 2);
      }
    } else if (const auto* v = d.as<Variant>()) {
      for (const Case& c : v->cases) {
        line(indent + 1, fmt::format("case {}({})", c.name, c.type ? tref(*c.type) : ""));
        docs(c.docs, indent + 2);
      }
    } else if (const auto* e = d.as<Enum>()) {
      for (const EnumCase& c : e->cases) {
        line(indent + 1, "case " + c.name);
        docs(c.docs, indent + 2);
      }
    } else if (const auto* f = d.as<Flags>()) {
      for (const EnumCase& c : f->flags) {
        line(indent + 1, "flag " + c.name);
        docs(c.docs, indent + 2);
      }
    }
  }

  void function(const Function& f, int indent) {
    static constexpr const char* kKinds[] = {"func", "method", "static", "constructor"};
    std::string params;
    for (const Param& p : f.params) params += (params.empty() ? "" : ", ") + p.name + ": " + tref(p.type);
    std::string res = f.result ? " -> " + tref(*f.result) : "";
    std::string ext = f.external_id ? fmt::format(" external-id={:?}", *f.external_id) : "";
    line(indent, fmt::format("{}{} {}({}){}{}{}", f.async ? "async " : "", kKinds[static_cast<int>(f.kind)], f.name,
                             params, res, stab(f.stability), ext));
    docs(f.docs, indent + 1);
  }

  void interface(InterfaceId id, int indent) {
    const Interface& i = r_.interfaces[id];
    line(indent, fmt::format("interface {}{}", iface_name(id), stab(i.stability)));
    docs(i.docs, indent + 1);
    for (const auto& [name, tid] : i.types) typedef_(tid, indent + 1);
    for (const Function* f : print_order(r_, id)) function(*f, indent + 1);
  }

  void world(WorldId id) {
    const World& w = r_.worlds[id];
    line(1, fmt::format("world {}{}", w.name, stab(w.stability)));
    docs(w.docs, 2);
    for (bool exports : {false, true}) {
      for (const WorldItem& item : exports ? w.exports : w.imports) {
        std::string head = fmt::format("{} {}{}{}", exports ? "export" : "import", r_.item_name(item), stab(item.stability),
                                       item.external_id ? fmt::format(" external-id={:?}", *item.external_id) : "");
        switch (item.kind) {
          case WorldItem::Kind::Interface:
            if (r_.interfaces[item.iface].name) {
              line(2, head + " = interface " + iface_name(item.iface));
              docs(item.docs, 3);
            } else {
              line(2, head + " = inline");
              docs(item.docs, 3);
              interface(item.iface, 3);
            }
            break;
          case WorldItem::Kind::Function:
            line(2, head + " = function");
            docs(item.docs, 3);
            function(item.func, 3);
            break;
          case WorldItem::Kind::Type:
            line(2, head + " = type");
            typedef_(item.type, 3);
            break;
        }
      }
    }
  }

  const Resolve& r_;
  std::string out_;
  std::map<InterfaceId, std::string> inline_names_;
};

}  // namespace

std::string dump_package(const Resolve& resolve, PackageId id) { return Dumper(resolve).package(id); }

std::string dump_all(const Resolve& resolve) {
  std::vector<PackageId> ids(resolve.packages.size());
  for (PackageId i = 0; i < ids.size(); ++i) ids[i] = i;
  std::sort(ids.begin(), ids.end(), [&](PackageId a, PackageId b) {
    return resolve.packages[a].name.to_string() < resolve.packages[b].name.to_string();
  });
  std::string out;
  for (PackageId id : ids) out += dump_package(resolve, id);
  return out;
}

}  // namespace kumo::wit
