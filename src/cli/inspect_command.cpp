// `kumo inspect FILE.wasm [-o text|json]`: what a binary imports and exports.
// - A component: its world as WIT (wit/from_component.hpp), like `wasm-tools component wit`:
//   `package root:component; world root { ... }` and a nested package block for each package of
//   the interfaces it uses. Items WIT cannot express (core modules, values, ...) follow as
//   `//` comments. With -o json: the same world in machine-readable form.
// - A core module: its imports and exports, one per line (or as JSON).
// Bad input (unreadable, text, malformed, invalid) prints "FILE: what is wrong" and exits 1.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.hpp"
#include "cli/wasm_file.hpp"
#include "component/validator.hpp"
#include "wasm/module.hpp"
#include "wit/from_component.hpp"
#include "wit/printer.hpp"

namespace kumo::cli {

namespace {

using json = nlohmann::ordered_json;

struct InspectOptions {
  std::string file;
  std::string output = "text";
};

// ---- components as JSON ----

class WorldJson {
 public:
  explicit WorldJson(const wit::Resolve& r) : r_(r) {}

  // A value type: a primitive as its name ("u32"), a named type as {"name", "interface"} (the
  // interface defining it, after `use`s), an anonymous one as {"list": T}, {"option": T}, ...
  json type(wit::Type t) const {
    if (!t.is_id()) return std::string(wit::prim_name(t.kind));
    const wit::TypeDef& d = r_.types[t.id];
    if (d.name) {
      json j = {{"name", *d.name}};
      wit::TypeId def = r_.unalias(t.id);
      const wit::TypeOwner& o = r_.types[def].owner;
      if (o.kind == wit::TypeOwner::Kind::Interface) j["interface"] = iface_name(o.id);
      if (def != t.id && r_.types[def].name && *r_.types[def].name != *d.name) j["defined_as"] = *r_.types[def].name;
      return j;
    }
    return anonymous(d.kind);
  }

  json typedef_json(wit::TypeId id) const {
    const wit::TypeDef& d = r_.types[id];
    json j = {{"name", d.name.value_or("")}};
    if (const auto* a = d.as<wit::Alias>()) {
      const wit::TypeDef* target = a->target.is_id() ? &r_.types[a->target.id] : nullptr;
      if (target && target->name && target->owner != d.owner) {
        j["kind"] = "use";
        if (target->owner.kind == wit::TypeOwner::Kind::Interface) j["from"] = iface_name(target->owner.id);
        j["type"] = *target->name;
      } else {
        j["kind"] = "alias";
        j["type"] = type(a->target);
      }
    } else if (const auto* rec = d.as<wit::Record>()) {
      j["kind"] = "record";
      json fields = json::array();
      for (const wit::Field& f : rec->fields) fields.push_back({{"name", f.name}, {"type", type(f.type)}});
      j["fields"] = std::move(fields);
    } else if (const auto* v = d.as<wit::Variant>()) {
      j["kind"] = "variant";
      json cases = json::array();
      for (const wit::Case& c : v->cases) cases.push_back({{"name", c.name}, {"type", opt(c.type)}});
      j["cases"] = std::move(cases);
    } else if (const auto* e = d.as<wit::Enum>()) {
      j["kind"] = "enum";
      json cases = json::array();
      for (const wit::EnumCase& c : e->cases) cases.push_back(c.name);
      j["cases"] = std::move(cases);
    } else if (const auto* f = d.as<wit::Flags>()) {
      j["kind"] = "flags";
      json flags = json::array();
      for (const wit::EnumCase& c : f->flags) flags.push_back(c.name);
      j["flags"] = std::move(flags);
    } else if (d.as<wit::Resource>()) {
      j["kind"] = "resource";
    } else {
      j["kind"] = "type";
      j["type"] = anonymous(d.kind);
    }
    return j;
  }

  json function(const wit::Function& f) const {
    static const char* kinds[] = {"freestanding", "method", "static", "constructor"};
    json j = {{"name", f.name}, {"kind", kinds[static_cast<int>(f.kind)]}};
    if (f.kind != wit::FunctionKind::Freestanding) j["resource"] = r_.types[f.resource].name.value_or("");
    j["async"] = f.async;
    json params = json::array();
    for (const wit::Param& p : f.params) params.push_back({{"name", p.name}, {"type", type(p.type)}});
    j["params"] = std::move(params);
    j["result"] = opt(f.result);
    return j;
  }

  json interface_body(wit::InterfaceId id, json j) const {
    const wit::Interface& i = r_.interfaces[id];
    json types = json::array();
    for (const auto& [name, tid] : i.types) types.push_back(typedef_json(tid));
    json funcs = json::array();
    for (const auto& [name, f] : i.functions) funcs.push_back(function(f));
    j["types"] = std::move(types);
    j["functions"] = std::move(funcs);
    return j;
  }

  json item(const wit::WorldItem& item) const {
    json j;
    switch (item.kind) {
      case wit::WorldItem::Kind::Interface: {
        std::string iface = r_.interface_name(item.iface);
        j = {{"kind", "interface"}, {"name", r_.item_name(item)}};
        j["interface"] = iface.empty() ? json(nullptr) : json(iface);
        j["label"] = item.name.empty() ? json(nullptr) : json(item.name);
        std::string impl = r_.implements(item);
        j["implements"] = impl.empty() ? json(nullptr) : json(impl);
        return interface_body(item.iface, std::move(j));
      }
      case wit::WorldItem::Kind::Function:
        j = function(item.func);
        j["kind"] = "function";
        j["function_kind"] = function(item.func)["kind"];
        return j;
      case wit::WorldItem::Kind::Type:
        j = typedef_json(item.type);
        j["type_kind"] = j["kind"];
        j["kind"] = "type";
        return j;
    }
    return j;
  }

 private:
  std::string iface_name(wit::InterfaceId id) const {
    std::string n = r_.interface_name(id);
    return n.empty() ? "(inline)" : n;
  }
  json opt(const std::optional<wit::Type>& t) const { return t ? type(*t) : json(nullptr); }

  json anonymous(const wit::TypeDefKind& kind) const {
    if (const auto* h = std::get_if<wit::Handle>(&kind)) {
      return {{h->kind == wit::Handle::Kind::Own ? "own" : "borrow", r_.types[h->resource].name.value_or("")}};
    }
    if (const auto* a = std::get_if<wit::Alias>(&kind)) return type(a->target);
    if (const auto* l = std::get_if<wit::List>(&kind)) {
      json j = {{"list", type(l->elem)}};
      if (l->fixed_size) j["length"] = l->fixed_size;
      return j;
    }
    if (const auto* o = std::get_if<wit::OptionType>(&kind)) return {{"option", type(o->type)}};
    if (const auto* res = std::get_if<wit::ResultType>(&kind)) {
      return {{"result", {{"ok", opt(res->ok)}, {"err", opt(res->err)}}}};
    }
    if (const auto* t = std::get_if<wit::Tuple>(&kind)) {
      json elems = json::array();
      for (const wit::Type& e : t->types) elems.push_back(type(e));
      return {{"tuple", std::move(elems)}};
    }
    if (const auto* m = std::get_if<wit::Map>(&kind)) return {{"map", {{"key", type(m->key)}, {"value", type(m->value)}}}};
    if (const auto* f = std::get_if<wit::Future>(&kind)) return {{"future", opt(f->type)}};
    if (const auto* s = std::get_if<wit::Stream>(&kind)) return {{"stream", opt(s->type)}};
    return nullptr;
  }

  const wit::Resolve& r_;
};

json component_json(const wit::ComponentWorld& w) {
  const wit::Resolve& r = w.resolve;
  WorldJson conv(r);
  const wit::World& world = r.worlds[w.world];
  json imports = json::array(), exports = json::array();
  for (const wit::WorldItem& item : world.imports) imports.push_back(conv.item(item));
  for (const wit::WorldItem& item : world.exports) exports.push_back(conv.item(item));
  json j = {{"kind", "component"}, {"world", r.world_name(w.world)}};
  j["imports"] = std::move(imports);
  j["exports"] = std::move(exports);
  j["unsupported"] = w.unsupported;
  return j;
}

// ---- core modules ----

std::string limits_text(const wasm::Limits& l) {
  std::string s = l.is64 ? "i64 " : "";
  s += std::to_string(l.min);
  if (l.max) s += " " + std::to_string(*l.max);
  if (l.shared) s += " shared";
  return s;
}

std::string func_text(const wasm::FuncType& f) {
  std::string s = "func";
  if (!f.params.empty()) {
    s += " (param";
    for (wasm::ValType t : f.params) s += " " + wasm::to_string(t);
    s += ")";
  }
  if (!f.results.empty()) {
    s += " (result";
    for (wasm::ValType t : f.results) s += " " + wasm::to_string(t);
    s += ")";
  }
  return s;
}

// The type of an import or export in the text format's short form: "func (param i32)",
// "memory 1 2", "table 1 funcref", "global (mut i32)", "tag (param i32)".
std::string core_extern_text(const wasm::Module& m, wasm::ExternKind kind, uint32_t type_index,
                             const wasm::TableType& table, const wasm::MemoryType& mem,
                             const wasm::GlobalType& global) {
  auto type_at = [&](uint32_t i) { return i < m.types.size() ? func_text(m.types[i]) : fmt::format("func (type {})", i); };
  switch (kind) {
    case wasm::ExternKind::Func: return type_at(type_index);
    case wasm::ExternKind::Tag: return "tag" + type_at(type_index).substr(4);
    case wasm::ExternKind::Table: return fmt::format("table {} {}", limits_text(table.limits), wasm::to_string(table.elem));
    case wasm::ExternKind::Memory: return "memory " + limits_text(mem.limits);
    case wasm::ExternKind::Global: {
      std::string t = wasm::to_string(global.type);
      return global.mut ? "global (mut " + t + ")" : "global " + t;
    }
  }
  return "?";
}

std::string export_text(const wasm::Module& m, const wasm::Export& e) {
  switch (e.kind) {
    case wasm::ExternKind::Func:
      return core_extern_text(m, e.kind, m.func_type_index(e.index), {}, {}, {});
    case wasm::ExternKind::Tag: return core_extern_text(m, e.kind, m.tag_type_index(e.index), {}, {}, {});
    case wasm::ExternKind::Table: return core_extern_text(m, e.kind, 0, m.table_type(e.index), {}, {});
    case wasm::ExternKind::Memory: return core_extern_text(m, e.kind, 0, {}, m.memory_type(e.index), {});
    case wasm::ExternKind::Global: return core_extern_text(m, e.kind, 0, {}, {}, m.global_type(e.index));
  }
  return "?";
}

int inspect_module(const InspectOptions& o, std::span<const uint8_t> bytes) {
  auto module = wasm::decode_module(bytes);
  if (!module) {
    fmt::print(stderr, "{}: malformed module: {}\n", o.file, module.error().message);
    return 1;
  }
  const wasm::Module& m = **module;
  if (auto valid = wasm::validate_module(m); !valid) {
    fmt::print(stderr, "{}: invalid module: {}\n", o.file, valid.error().message);
    return 1;
  }
  if (o.output == "json") {
    json imports = json::array(), exports = json::array();
    for (const wasm::Import& i : m.imports) {
      imports.push_back({{"module", i.module}, {"name", i.name}, {"kind", wasm::to_string(i.kind)},
                         {"type", core_extern_text(m, i.kind, i.type_index, i.table, i.memory, i.global)}});
    }
    for (const wasm::Export& e : m.exports) {
      exports.push_back({{"name", e.name}, {"kind", wasm::to_string(e.kind)}, {"type", export_text(m, e)}});
    }
    json j = {{"kind", "module"}, {"imports", std::move(imports)}, {"exports", std::move(exports)}};
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  fmt::print("module\n");
  for (const wasm::Import& i : m.imports) {
    fmt::print("  import {} {}: {}\n", json(i.module).dump(), json(i.name).dump(),
               core_extern_text(m, i.kind, i.type_index, i.table, i.memory, i.global));
  }
  for (const wasm::Export& e : m.exports) fmt::print("  export {}: {}\n", json(e.name).dump(), export_text(m, e));
  return 0;
}

int inspect_component(const InspectOptions& o, std::span<const uint8_t> bytes) {
  auto decoded = component::decode_component(bytes);
  if (!decoded) {
    fmt::print(stderr, "{}: malformed component: {}\n", o.file, decoded.error().message);
    return 1;
  }
  auto valid = component::validate_component(*decoded);
  if (!valid) {
    fmt::print(stderr, "{}: invalid component: {}\n", o.file, valid.error().message);
    return 1;
  }
  auto world = wit::world_from_component(**valid);
  if (!world) {
    fmt::print(stderr, "{}: cannot describe the component in WIT: {}\n", o.file, world.error().message);
    return 1;
  }
  if (o.output == "json") {
    fmt::print("{}\n", component_json(*world).dump(2));
    return 0;
  }
  std::string text = wit::print_component_world(*world);
  if (!world->unsupported.empty()) {
    text += "\n// Not expressible in WIT:\n";
    for (const std::string& u : world->unsupported) text += "//   " + u + "\n";
  }
  fmt::print("{}", text);
  return 0;
}

int inspect(const InspectOptions& o) {
  auto bytes = read_file_bytes(o.file);
  if (!bytes) {
    fmt::print(stderr, "{}\n", bytes.error().message);
    return 1;
  }
  switch (classify_binary(*bytes)) {
    case BinaryKind::Component: return inspect_component(o, *bytes);
    case BinaryKind::CoreModule: return inspect_module(o, *bytes);
    case BinaryKind::Text:
      fmt::print(stderr, "{}: this looks like WebAssembly text; kumo inspect reads binaries only "
                 "(convert it with wasm-tools parse or wat2wasm)\n", o.file);
      return 1;
    case BinaryKind::Unknown: break;
  }
  fmt::print(stderr, "{}: not a WebAssembly binary (missing the \\0asm magic number)\n", o.file);
  return 1;
}

}  // namespace

void add_inspect_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<InspectOptions>();
  CLI::App* sub = app.add_subcommand("inspect", "Print the imports and exports of a component (as WIT) or a core module");
  sub->add_option("file", o->file, "Component or core module (.wasm)")->required();
  sub->add_option("-o,--output", o->output, "Output format: text (WIT) or json")
      ->check(CLI::IsMember({"text", "json"}));
  sub->callback([o, &exit_code] { exit_code = inspect(*o); });
}

}  // namespace kumo::cli
