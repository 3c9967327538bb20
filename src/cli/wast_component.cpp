#include "cli/wast_component.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "cli/wast_component_values.hpp"
#include "component/runtime/store.hpp"

namespace kumo::cli {

namespace fs = std::filesystem;
namespace rt = component::rt;
using nlohmann::json;
using component::Val;

namespace {

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// The linker name of a script `$id`.
std::string linker_name(const std::string& id) { return id.starts_with('$') ? id.substr(1) : id; }

}  // namespace

ComponentSuite component_suite_for(const fs::path& script) {
  ComponentSuite s = ComponentSuite::None;
  for (const fs::path& part : fs::absolute(script)) {
    if (part == "component-model") s = ComponentSuite::Wasmedge;
    else if (part == "component-model-ref") s = ComponentSuite::Ref;
    else if (part == "component-model-ref-async") s = ComponentSuite::RefAsync;
    else if (part == "component-model-wasmtime") s = ComponentSuite::Wasmtime;
  }
  return s;
}

component::Features component_features_for(ComponentSuite suite, const fs::path& wast) {
  component::Features f;
  if (suite == ComponentSuite::Ref || suite == ComponentSuite::RefAsync) {
    f.async = f.async_builtins = f.async_stackful = f.threads = f.error_context = true;
  }
  std::ifstream in(wast);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with(";;!")) continue;
    std::istringstream ls(line.substr(3));
    std::string name, eq, value;
    ls >> name >> eq >> value;
    const bool on = value == "true";
    if (name == "component_model_async") f.async = on;
    else if (name == "component_model_error_context") f.error_context = on;
    else if (name == "component_model_fixed_length_lists") f.fixed_length_lists = on;
    else if (name == "component_model_implements") f.implements = on;
    else if (name == "component_model_map") f.map = on;
    else if (name == "component_model_memory64") f.memory64 = on;
    else if (name == "component_model_gc") f.gc = on;
  }
  return f;
}

bool component_directive(const fs::path& wast, std::string_view name) {
  std::ifstream in(wast);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with(";;!")) continue;
    std::istringstream ls(line.substr(3));
    std::string n, eq, value;
    ls >> n >> eq >> value;
    if (n == name) return value == "true";
  }
  return false;
}

bool is_wasmtime_restriction(std::string_view text) {
  for (std::string_view r : {"root-level component imports are not supported",
                             "exporting a component from the root component is not supported",
                             "is a reexport of an imported function which is not implemented"})
    if (text.find(r) != std::string_view::npos) return true;
  return false;
}

std::string wasmtime_restriction(const component::Component& c) {
  using component::Definition;
  using component::ExternSort;
  using component::Sort;
  // The component-level func index space, with whether each entry is an import passed through.
  std::vector<bool> func_is_import;
  for (const Definition& d : c.definitions) {
    switch (d.kind) {
      case Definition::Import: {
        const auto& imp = c.imports[d.index];
        if (imp.desc.sort == ExternSort::Component) return "root-level component imports are not supported";
        if (imp.desc.sort == ExternSort::Func) func_is_import.push_back(true);
        break;
      }
      case Definition::Alias:
        if (c.aliases[d.index].sort == Sort::Func) func_is_import.push_back(false);
        break;
      case Definition::Canon:
        if (c.canons[d.index].kind == component::CanonKind::Lift) func_is_import.push_back(false);
        break;
      case Definition::Export: {
        const auto& e = c.exports[d.index];
        if (e.item.sort == Sort::Component)
          return "exporting a component from the root component is not supported";
        if (e.item.sort == Sort::Func) {
          bool imported = e.item.index < func_is_import.size() && func_is_import[e.item.index];
          if (imported)
            return fmt::format("component export `{}` is a reexport of an imported function which is not implemented",
                               e.name.name);
          func_is_import.push_back(false);
        }
        break;
      }
      default:
        break;
    }
  }
  return {};
}

bool component_trap_matches(std::string_view message, std::string_view expected) {
  // The reference interpreter prefixes its traps with "wasm trap: ".
  if (expected.starts_with("wasm trap: ")) expected.remove_prefix(11);
  if (message.find(expected) != std::string_view::npos) return true;
  // wasmtime's wording of core traps, and its allowance for the reference tests' wording.
  if (expected == "wasm `unreachable` instruction executed") return message.find("unreachable") != std::string_view::npos;
  for (std::string_view w : {"cannot write", "cannot read"})
    if (expected.find(w) != std::string_view::npos && message.find(w) != std::string_view::npos) return true;
  return false;
}

ComponentScript::ComponentScript(wasm::Engine& engine, component::Features features)
    : engine_(engine), features_(features) {}

Expected<void> ComponentScript::init() {
  host_store_ = std::make_unique<rt::Store>(engine_);
  KUMO_TRY(host_state_, define_component_spectest(linker_, *host_store_));
  return {};
}

Expected<std::shared_ptr<const rt::Component>> ComponentScript::compile(std::span<const uint8_t> bytes) {
  return rt::Component::compile(engine_, bytes, features_);
}

Instantiated ComponentScript::instantiate(std::shared_ptr<const rt::Component> component) {
  Instantiated r;
  auto pre = linker_.instantiate_pre(component);
  if (!pre) {
    r.kind = Instantiated::LinkError, r.message = first_line(pre.error().message);
    return r;
  }
  auto inst = std::make_shared<ComponentInstance>();
  inst->component = std::move(component);
  inst->store = std::make_unique<rt::Store>(engine_);
  auto made = (*pre)->instantiate(*inst->store);
  if (!made) {
    r.kind = Instantiated::Trapped, r.message = first_line(made.error().message);
    return r;
  }
  inst->instance = std::move(*made);
  r.instance = std::move(inst);
  return r;
}

std::optional<std::string> ComponentScript::unprovided_import(const rt::Component& component) {
  for (const component::NamedEntity& imp : component.type().imports)
    if (!linker_.root().find(imp.name.name)) return imp.name.name;
  return std::nullopt;
}

void ComponentScript::register_instance(const std::string& name, const std::shared_ptr<ComponentInstance>& inst) {
  rt::LinkerInstance& target = linker_.instance(linker_name(name));
  bool has_resources = false;
  // As wasmtime's runner: core modules and resource types (functions would have to cross stores).
  for (const auto& [export_name, item] : inst->instance.exports().exports) {
    if (item.sort == component::ExternSort::CoreModule && item.module) {
      target.module(export_name, item.module);
    } else if (item.sort == component::ExternSort::Type && item.resource) {
      target.resource(export_name, item.resource);
      has_resources = true;
    }
  }
  if (has_resources) registered_.push_back(inst);
}

Invoked ComponentScript::invoke(ComponentInstance& inst, const std::string& field, const json& args) {
  Invoked r;
  std::shared_ptr<const rt::Func> func = inst.instance.get_func(field);
  for (char sep : {'#', '/'}) {
    if (func) break;
    if (auto at = field.rfind(sep); at != std::string::npos)
      func = inst.instance.get_func(field.substr(0, at), field.substr(at + 1));
  }
  if (!func) {
    r.kind = Invoked::Error, r.message = fmt::format("no exported function \"{}\"", field);
    return r;
  }
  const component::FuncType& ft = func->func_type();
  r.arena = func->arena;
  r.result_type = ft.result;
  if (ft.is_async) {
    r.kind = Invoked::Error;
    r.message = fmt::format("\"{}\" is an async function: needs the async component model", field);
    return r;
  }
  static const json kNoArgs = json::array();
  const json& a = args.is_array() ? args : kNoArgs;
  if (a.size() != ft.params.size()) {
    r.kind = Invoked::Error;
    r.message = fmt::format("\"{}\" takes {} arguments, the script passes {}", field, ft.params.size(), a.size());
    return r;
  }
  std::vector<Val> vals;
  for (size_t i = 0; i < a.size(); ++i) {
    auto v = component_arg(a[i], *func->arena, ft.params[i].type);
    if (!v) {
      r.kind = Invoked::Error;
      r.message = fmt::format("argument {} (`{}`): {}", i, ft.params[i].name, v.error().message);
      return r;
    }
    vals.push_back(std::move(*v));
  }
  auto res = rt::call(*inst.store, *func, vals);
  if (!res) {
    r.kind = Invoked::Trapped, r.message = res.error().message;
    return r;
  }
  r.results = std::move(*res);
  return r;
}

Expected<void> ComponentScript::match_results(const Invoked& r, const json& expected) {
  static const json kNone = json::array();
  const json& e = expected.is_array() ? expected : kNone;
  if (e.size() != r.results.size())
    return err("expected {} results, got {}: {}", e.size(), r.results.size(), format_results(r));
  if (!e.empty() && !r.result_type) return err("the function has no result type");
  for (size_t i = 0; i < e.size(); ++i) KUMO_CHECK(match_component(e[i], r.results[i], *r.arena, *r.result_type));
  return {};
}

std::string ComponentScript::format_results(const Invoked& r) {
  std::string s;
  for (const Val& v : r.results)
    s += (s.empty() ? "" : ", ") +
         (r.result_type && r.arena ? format_component(v, *r.arena, *r.result_type) : component::to_string(v));
  return "(" + s + ")";
}

}  // namespace kumo::cli
