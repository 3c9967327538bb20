#include "wit/printer.hpp"

#include <fmt/format.h>

#include <functional>
#include <set>

#include "wit/lexer.hpp"

namespace kumo::wit {

std::string escape_name(std::string_view name) {
  return is_keyword(name) ? "%" + std::string(name) : std::string(name);
}

std::vector<const Function*> print_order(const Resolve& r, InterfaceId id) {
  const Interface& iface = r.interfaces[id];
  std::vector<const Function*> out;
  for (const auto& [name, tid] : iface.types) {
    if (!r.types[tid].as<Resource>()) continue;
    for (const auto& [fname, f] : iface.functions) {
      if (f.kind != FunctionKind::Freestanding && f.resource == tid) out.push_back(&f);
    }
  }
  for (const auto& [fname, f] : iface.functions) {
    if (f.kind == FunctionKind::Freestanding) out.push_back(&f);
  }
  return out;
}

namespace {

std::string escape_string(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7F) {
      out += fmt::format("\\u{{{:x}}}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

class Printer {
 public:
  Printer(const Resolve& r, const PrintOptions& opts, PackageId context) : r_(r), opts_(opts), pkg_(context) {}

  std::string take() { return std::move(out_); }

  std::string type(Type t) const {
    if (!t.is_id()) return std::string(prim_name(t.kind));
    const TypeDef& d = r_.types[t.id];
    if (d.name) return escape_name(*d.name);
    return kind_expr(d.kind, false);
  }

  void package(PackageId id) {
    const Package& p = r_.packages[id];
    docs(p.docs);
    line(fmt::format("package {};", package_name(p.name)));
    package_items(id, false);
    if (!opts_.nested_deps) return;
    for (PackageId dep : package_deps(id)) {
      const Package& d = r_.packages[dep];
      out_ += '\n';
      docs(d.docs);
      line(fmt::format("package {} {{", package_name(d.name)));
      ++indent_;
      pkg_ = dep;
      package_items(dep, true);
      --indent_;
      line("}");
    }
    pkg_ = id;
  }

  void interface(InterfaceId id) {
    const Interface& i = r_.interfaces[id];
    docs(i.docs);
    gates(i.stability, i.external_id);
    line(fmt::format("interface {} {{", escape_name(i.name.value_or(""))));
    interface_body(id);
    line("}");
  }

  void world(WorldId id) {
    const World& w = r_.worlds[id];
    docs(w.docs);
    gates(w.stability, std::nullopt);
    line(fmt::format("world {} {{", escape_name(w.name)));
    ++indent_;
    open_body();
    TypeOwner owner{TypeOwner::Kind::World, id};
    for (size_t i = 0; i < w.imports.size(); ++i) {
      if (w.imports[i].kind == WorldItem::Kind::Type) {
        // Consecutive `use`d types from one interface print as one `use` statement.
        size_t n = use_group(w.imports, i, owner);
        if (n > 0) {
          std::vector<TypeId> ids;
          for (size_t k = i; k < i + n; ++k) ids.push_back(w.imports[k].type);
          print_use(ids);
          i += n - 1;
        } else {
          typedef_item(w.imports[i].type, owner);
        }
        continue;
      }
      const WorldItem& item = w.imports[i];
      if (item.kind == WorldItem::Kind::Function && item.func.kind != FunctionKind::Freestanding) continue;
      world_item(item, "import");
    }
    for (const WorldItem& item : w.exports) world_item(item, "export");
    close_body();
    --indent_;
    line("}");
  }

 private:
  // ---- output helpers ----
  void line(std::string_view s) {
    if (!s.empty()) out_.append(static_cast<size_t>(indent_) * 2, ' ');
    out_ += s;
    out_ += '\n';
  }
  void docs(const std::string& d) {
    if (!opts_.docs || d.empty()) return;
    size_t start = 0;
    for (;;) {
      size_t nl = d.find('\n', start);
      std::string_view l = std::string_view(d).substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      line(l.empty() ? std::string("///") : "/// " + std::string(l));
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
  }
  void gates(const Stability& s, const std::optional<std::string>& external_id) {
    if (s.kind == Stability::Kind::Stable) line(fmt::format("@since(version = {})", s.since.to_string()));
    if (s.kind == Stability::Kind::Unstable) line(fmt::format("@unstable(feature = {})", escape_name(s.feature)));
    if (s.deprecated) line(fmt::format("@deprecated(version = {})", s.deprecated->to_string()));
    if (external_id) line(fmt::format("@external-id({})", escape_string(*external_id)));
  }

  // Blank lines: between items of a body when either neighbour is documented or spans several
  // lines, so that short runs (`use`s, one-line types) stay together.
  void open_body() { gaps_.push_back({true, false}); }
  void close_body() { gaps_.pop_back(); }
  void begin_item(bool spaced) {
    if (gaps_.empty()) return;
    auto& [first, last_spaced] = gaps_.back();
    if (!first && (spaced || last_spaced)) out_ += '\n';
    first = false;
    last_spaced = spaced;
  }

  // ---- names ----
  static std::string package_name(const PackageName& p) {
    std::string s = escape_name(p.ns) + ":" + escape_name(p.name);
    if (p.version) s += "@" + p.version->to_string();
    return s;
  }

  // Same-package interfaces by bare name; others fully qualified.
  std::string iface_path(InterfaceId id) const {
    const Interface& i = r_.interfaces[id];
    if (i.package == pkg_) return escape_name(*i.name);
    const PackageName& p = r_.packages[i.package].name;
    std::string s = escape_name(p.ns) + ":" + escape_name(p.name) + "/" + escape_name(*i.name);
    if (p.version) s += "@" + p.version->to_string();
    return s;
  }

  // ---- types ----
  std::string kind_expr(const TypeDefKind& kind, bool in_typedef) const {
    auto opt = [&](const std::optional<Type>& t, std::string_view none) {
      return t ? type(*t) : std::string(none);
    };
    if (const auto* h = std::get_if<Handle>(&kind)) {
      std::string name = escape_name(r_.types[h->resource].name.value_or(""));
      if (h->kind == Handle::Kind::Borrow) return "borrow<" + name + ">";
      // A bare resource name already means an owned handle, except as a whole `type x = ...`.
      return in_typedef ? "own<" + name + ">" : name;
    }
    if (const auto* a = std::get_if<Alias>(&kind)) return type(a->target);
    if (const auto* l = std::get_if<List>(&kind)) {
      if (l->fixed_size) return fmt::format("list<{}, {}>", type(l->elem), l->fixed_size);
      return "list<" + type(l->elem) + ">";
    }
    if (const auto* o = std::get_if<OptionType>(&kind)) return "option<" + type(o->type) + ">";
    if (const auto* res = std::get_if<ResultType>(&kind)) {
      if (!res->ok && !res->err) return "result";
      if (!res->err) return "result<" + type(*res->ok) + ">";
      return "result<" + opt(res->ok, "_") + ", " + type(*res->err) + ">";
    }
    if (const auto* t = std::get_if<Tuple>(&kind)) {
      std::string s = "tuple<";
      for (size_t i = 0; i < t->types.size(); ++i) s += (i ? ", " : "") + type(t->types[i]);
      return s + ">";
    }
    if (const auto* m = std::get_if<Map>(&kind)) return "map<" + type(m->key) + ", " + type(m->value) + ">";
    if (const auto* f = std::get_if<Future>(&kind)) return f->type ? "future<" + type(*f->type) + ">" : "future";
    if (const auto* s = std::get_if<Stream>(&kind)) return s->type ? "stream<" + type(*s->type) + ">" : "stream";
    return "<invalid>";
  }

  // A named alias of a type owned by another interface came from a `use`.
  bool is_use(TypeId id, TypeOwner scope) const {
    const Alias* a = r_.types[id].as<Alias>();
    if (!a || !a->target.is_id()) return false;
    const TypeOwner& o = r_.types[a->target.id].owner;
    return o.kind == TypeOwner::Kind::Interface && o != scope && r_.interfaces[o.id].name.has_value();
  }
  InterfaceId use_source(TypeId id) const { return r_.types[r_.types[id].as<Alias>()->target.id].owner.id; }

  // Length of the run of `use`d types starting at items[i] that share a source and gates.
  template <typename Items>
  size_t use_group(const Items& items, size_t i, TypeOwner scope) const {
    auto id_at = [&](size_t k) {
      if constexpr (std::is_same_v<Items, std::vector<WorldItem>>) {
        return items[k].kind == WorldItem::Kind::Type ? items[k].type : kNoId;
      } else {
        return items[k].second;
      }
    };
    TypeId first = id_at(i);
    if (first == kNoId || !is_use(first, scope)) return 0;
    size_t n = 1;
    while (i + n < items.size()) {
      TypeId next = id_at(i + n);
      if (next == kNoId || !is_use(next, scope) || use_source(next) != use_source(first) ||
          !(r_.types[next].stability == r_.types[first].stability) || !r_.types[next].docs.empty()) {
        break;
      }
      ++n;
    }
    return n;
  }

  void print_use(const std::vector<TypeId>& ids) {
    const TypeDef& first = r_.types[ids[0]];
    begin_item(!first.docs.empty());
    docs(first.docs);
    gates(first.stability, std::nullopt);
    std::string names;
    for (TypeId id : ids) {
      const TypeDef& d = r_.types[id];
      const std::string& orig = *r_.types[d.as<Alias>()->target.id].name;
      names += (names.empty() ? "" : ", ") + escape_name(orig);
      if (orig != *d.name) names += " as " + escape_name(*d.name);
    }
    line(fmt::format("use {}.{{{}}};", iface_path(use_source(ids[0])), names));
  }

  void typedef_item(TypeId id, TypeOwner scope) {
    const TypeDef& d = r_.types[id];
    std::string name = escape_name(d.name.value_or(""));
    std::vector<const Function*> funcs;
    if (d.as<Resource>() && scope.kind == TypeOwner::Kind::Interface) {
      for (const Function* fn : print_order(r_, scope.id)) {
        if (fn->kind != FunctionKind::Freestanding && fn->resource == id) funcs.push_back(fn);
      }
    } else if (d.as<Resource>() && scope.kind == TypeOwner::Kind::World) {
      for (const WorldItem& item : r_.worlds[scope.id].imports) {
        if (item.kind == WorldItem::Kind::Function && item.func.kind != FunctionKind::Freestanding &&
            item.func.resource == id) {
          funcs.push_back(&item.func);
        }
      }
    }
    bool block_kind = d.as<Record>() || d.as<Variant>() || d.as<Enum>() || d.as<Flags>() || !funcs.empty();
    begin_item(!d.docs.empty() || block_kind);
    docs(d.docs);
    gates(d.stability, d.external_id);
    auto block = [&](std::string_view kw, auto&& body) {
      line(fmt::format("{} {} {{", kw, name));
      ++indent_;
      open_body();
      body();
      close_body();
      --indent_;
      line("}");
    };
    if (const auto* rec = d.as<Record>()) {
      block("record", [&] {
        for (const Field& f : rec->fields) {
          docs(f.docs);
          line(fmt::format("{}: {},", escape_name(f.name), type(f.type)));
        }
      });
    } else if (const auto* v = d.as<Variant>()) {
      block("variant", [&] {
        for (const Case& c : v->cases) {
          docs(c.docs);
          line(c.type ? fmt::format("{}({}),", escape_name(c.name), type(*c.type)) : escape_name(c.name) + ",");
        }
      });
    } else if (const auto* e = d.as<Enum>()) {
      block("enum", [&] {
        for (const EnumCase& c : e->cases) {
          docs(c.docs);
          line(escape_name(c.name) + ",");
        }
      });
    } else if (const auto* f = d.as<Flags>()) {
      block("flags", [&] {
        for (const EnumCase& c : f->flags) {
          docs(c.docs);
          line(escape_name(c.name) + ",");
        }
      });
    } else if (d.as<Resource>()) {
      if (funcs.empty()) {
        line(fmt::format("resource {};", name));
      } else {
        block("resource", [&] {
          for (const Function* fn : funcs) function(*fn);
        });
      }
    } else {
      line(fmt::format("type {} = {};", name, kind_expr(d.kind, true)));
    }
  }

  // ---- functions ----
  std::string signature(const Function& f, size_t skip_params) const {
    std::string s = f.async ? "async func(" : "func(";
    for (size_t i = skip_params; i < f.params.size(); ++i) {
      s += (i > skip_params ? ", " : "") + escape_name(f.params[i].name) + ": " + type(f.params[i].type);
    }
    s += ")";
    if (f.result) s += " -> " + type(*f.result);
    return s;
  }

  void function(const Function& f) {
    begin_item(!f.docs.empty());
    docs(f.docs);
    gates(f.stability, f.external_id);
    std::string name = escape_name(f.item_name());
    switch (f.kind) {
      case FunctionKind::Freestanding: line(fmt::format("{}: {};", name, signature(f, 0))); break;
      case FunctionKind::Method: line(fmt::format("{}: {};", name, signature(f, 1))); break;
      case FunctionKind::Static: line(fmt::format("{}: static {};", name, signature(f, 0))); break;
      case FunctionKind::Constructor: {
        std::string s = "constructor(";
        for (size_t i = 0; i < f.params.size(); ++i) {
          s += (i ? ", " : "") + escape_name(f.params[i].name) + ": " + type(f.params[i].type);
        }
        s += ")";
        // The implicit result is own<resource>; only a fallible result<..> is written out.
        const Handle* h = f.result && f.result->is_id() ? r_.types[f.result->id].as<Handle>() : nullptr;
        if (f.result && !h) s += " -> " + type(*f.result);
        line(s + ";");
        break;
      }
    }
  }

  // ---- interfaces and worlds ----
  void interface_body(InterfaceId id) {
    const Interface& iface = r_.interfaces[id];
    TypeOwner owner{TypeOwner::Kind::Interface, id};
    ++indent_;
    open_body();
    const auto& types = iface.types;
    std::vector<std::pair<std::string, TypeId>> entries(types.begin(), types.end());
    for (size_t i = 0; i < entries.size(); ++i) {
      size_t n = use_group(entries, i, owner);
      if (n > 0) {
        std::vector<TypeId> ids;
        for (size_t k = i; k < i + n; ++k) ids.push_back(entries[k].second);
        print_use(ids);
        i += n - 1;
      } else {
        typedef_item(entries[i].second, owner);
      }
    }
    bool first = true;
    for (const Function* f : print_order(r_, id)) {
      if (f->kind != FunctionKind::Freestanding) continue;
      if (first) gaps_.back().second = true;  // types and functions are separate sections
      first = false;
      function(*f);
    }
    close_body();
    --indent_;
  }

  void world_item(const WorldItem& item, std::string_view kw) {
    begin_item(!item.docs.empty() || (item.kind == WorldItem::Kind::Interface && !r_.interfaces[item.iface].name));
    docs(item.docs);
    gates(item.stability, item.external_id);
    std::string name = escape_name(item.name);
    switch (item.kind) {
      case WorldItem::Kind::Function:
        line(fmt::format("{} {}: {};", kw, name, signature(item.func, 0)));
        break;
      case WorldItem::Kind::Interface:
        if (item.name.empty()) {
          line(fmt::format("{} {};", kw, iface_path(item.iface)));
        } else if (r_.interfaces[item.iface].name) {
          line(fmt::format("{} {}: {};", kw, name, iface_path(item.iface)));
        } else {
          line(fmt::format("{} {}: interface {{", kw, name));
          interface_body(item.iface);
          line("}");
        }
        break;
      case WorldItem::Kind::Type:
        break;  // printed by world()
    }
  }

  // Items separated by blank lines; `nested` items start right after `package x {`.
  void package_items(PackageId id, bool nested) {
    const Package& p = r_.packages[id];
    bool first = true;
    auto gap = [&] {
      if (!(first && nested)) out_ += '\n';
      first = false;
    };
    for (const auto& [name, iid] : p.interfaces) {
      gap();
      interface(iid);
    }
    for (const auto& [name, wid] : p.worlds) {
      gap();
      world(wid);
    }
  }

  // Every other package whose items this one refers to, dependencies before dependents.
  std::vector<PackageId> package_deps(PackageId root) const {
    std::vector<PackageId> order;
    std::set<PackageId> seen{root};
    std::function<void(PackageId)> visit;
    auto use_iface = [&](InterfaceId i) {
      std::vector<InterfaceId> all = r_.interface_deps(i);
      all.push_back(i);
      for (InterfaceId d : all) {
        PackageId p = r_.interfaces[d].package;
        if (!seen.count(p)) {
          seen.insert(p);
          visit(p);
          order.push_back(p);
        }
      }
    };
    visit = [&](PackageId pid) {
      const Package& p = r_.packages[pid];
      for (const auto& [name, iid] : p.interfaces) use_iface(iid);
      for (const auto& [name, wid] : p.worlds) {
        const World& w = r_.worlds[wid];
        for (const auto* list : {&w.imports, &w.exports}) {
          for (const WorldItem& item : *list) {
            if (item.kind == WorldItem::Kind::Interface) use_iface(item.iface);
            if (item.kind == WorldItem::Kind::Type && is_use(item.type, TypeOwner{TypeOwner::Kind::World, wid})) {
              use_iface(use_source(item.type));
            }
          }
        }
      }
    };
    visit(root);
    return order;
  }

  const Resolve& r_;
  const PrintOptions& opts_;
  PackageId pkg_;
  std::string out_;
  int indent_ = 0;
  std::vector<std::pair<bool, bool>> gaps_;  // per open body: (at first item, last item was spaced)
};

}  // namespace

std::string print_package(const Resolve& resolve, PackageId id, const PrintOptions& opts) {
  Printer p(resolve, opts, id);
  p.package(id);
  return p.take();
}

std::string print_world(const Resolve& resolve, WorldId id, const PrintOptions& opts) {
  Printer p(resolve, opts, resolve.worlds[id].package);
  p.world(id);
  return p.take();
}

std::string print_interface(const Resolve& resolve, InterfaceId id, const PrintOptions& opts) {
  Printer p(resolve, opts, resolve.interfaces[id].package);
  p.interface(id);
  return p.take();
}

std::string print_type(const Resolve& resolve, Type t) {
  PrintOptions opts;
  return Printer(resolve, opts, kNoId).type(t);
}

}  // namespace kumo::wit
