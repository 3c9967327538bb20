// The component half of the spec-test runner: compiling, linking and instantiating components,
// invoking their exports with JSON arguments and checking JSON results. The linking environment is
// that of wasmtime's wast runner: its component spectest host (wast_component_host.hpp), and every
// named instance's exported core modules and resource types, importable by later components under
// the instance's name (`(component $i ...)` then `(import "i" (instance ...))`).
//
// Like wasmtime's runner, each component instance lives in a Store of its own, so a trap that
// leaves one instance unusable does not disturb the others.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cli/wast_component_host.hpp"
#include "component/runtime/linker.hpp"

namespace kumo::cli {

// Which suite a script belongs to, by the directory names in its path.
enum class ComponentSuite { None, Wasmedge, Ref, RefAsync, Wasmtime };
ComponentSuite component_suite_for(const std::filesystem::path& script);

// The component-model features a script runs with (after tests/component/spectest_test.cpp):
// the reference tests assume every proposal; wasmtime's tests name theirs in `;;! name = bool`
// lines of the .wast file next to the script.
component::Features component_features_for(ComponentSuite suite, const std::filesystem::path& wast);

// True when the .wast file has a line `;;! name = true`.
bool component_directive(const std::filesystem::path& wast, std::string_view name);

// One live instance, with the store it lives in.
struct ComponentInstance {
  std::shared_ptr<const component::rt::Component> component;  // outlives the store (contract)
  std::unique_ptr<component::rt::Store> store;
  component::rt::Instance instance;
};

struct Instantiated {
  enum Kind { Ok, LinkError, Trapped } kind = Ok;
  std::string message;  // LinkError, Trapped: the first line of the error
  std::shared_ptr<ComponentInstance> instance;
};

struct Invoked {
  enum Kind { Ok, Trapped, Error } kind = Ok;
  std::string message;                  // Trapped: the trap message; Error: why it could not run
  std::vector<component::Val> results;  // Ok
  std::shared_ptr<const component::TypeArena> arena;  // the function's types
  std::optional<component::ValType> result_type;
};

class ComponentScript {
 public:
  ComponentScript(wasm::Engine& engine, component::Features features);
  // Creates the host store and defines the spectest host items.
  Expected<void> init();

  const component::Features& features() const { return features_; }

  Expected<std::shared_ptr<const component::rt::Component>> compile(std::span<const uint8_t> bytes);
  Instantiated instantiate(std::shared_ptr<const component::rt::Component> component);
  // The first top-level import of `component` that nothing in the linker is named after.
  std::optional<std::string> unprovided_import(const component::rt::Component& component);
  // Makes the instance's exported core modules and resource types importable as `name` (a
  // script `$id`; the `$` is dropped).
  void register_instance(const std::string& name, const std::shared_ptr<ComponentInstance>& inst);

  // Calls the exported function `field` (a top-level export, else "instance#func" or
  // "instance/func" for a function of an exported instance).
  Invoked invoke(ComponentInstance& inst, const std::string& field, const nlohmann::json& args);
  // Compares the results with the script's `expected` array; the error says what differs.
  static Expected<void> match_results(const Invoked& r, const nlohmann::json& expected);
  static std::string format_results(const Invoked& r);

 private:
  wasm::Engine& engine_;
  component::Features features_;
  component::rt::Linker linker_;
  std::unique_ptr<component::rt::Store> host_store_;  // the host's resource types
  std::shared_ptr<ComponentSpectestState> host_state_;
  // Instances whose resource types the linker refers to stay alive for the whole script.
  std::vector<std::shared_ptr<ComponentInstance>> registered_;
};

// True when an assert_invalid text of wasmtime's tests names one of wasmtime's implementation
// restrictions rather than a validation rule: the component is valid, and Kumo accepts it.
bool is_wasmtime_restriction(std::string_view text);

// The restriction of wasmtime's embedding (the host that component-model-wasmtime's scripts were
// written for) that a valid root component runs into, in wasmtime's words, or "" when none:
// importing a component, exporting a component, or exporting an imported function as it is.
// The runner of that suite applies it as wasmtime does, so that those assertions check that the
// component really has the restricted shape.
std::string wasmtime_restriction(const component::Component& root);

// True when a component trap's message matches an assertion's text: it contains it (wasmtime's
// rule), ignoring the reference interpreter's "wasm trap: " prefix, with wasmtime's wording of
// `unreachable` and its allowance for the reference tests' wording of `cannot read/write`.
bool component_trap_matches(std::string_view message, std::string_view expected);

}  // namespace kumo::cli
