#include "cli/wast_runner.hpp"

#include <fmt/format.h>

#include <exception>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cli/spectest_host.hpp"
#include "cli/wasm_file.hpp"
#include "cli/wast_component.hpp"
#include "cli/wast_values.hpp"
#include "wasm/module.hpp"
#include "wasm/runtime/store.hpp"
#include "wasm/validator/validator.hpp"

namespace kumo::cli {

namespace fs = std::filesystem;
using nlohmann::json;
using wasm::Value;

bool trap_matches(const wasm::Trap& trap, std::string_view expected) {
  const std::string& m = trap.message;
  if (!m.empty() && (m.starts_with(expected) || expected.starts_with(m))) return true;
  switch (trap.code) {
    // The spec reports an out-of-range call_indirect index as "undefined element"; Kumo has no
    // separate trap code for it.
    case wasm::TrapCode::TableOutOfBounds: return expected == "undefined element";
    case wasm::TrapCode::CallStackExhausted: return expected == "call stack exhausted";
    default: return false;
  }
}

SpecVersion spec_version_for(const fs::path& script) {
  for (const fs::path& part : fs::absolute(script)) {
    if (part == "wasm-1.0") return SpecVersion::V1;
    if (part == "wasm-2.0") return SpecVersion::V2;
    if (part == "threads") return SpecVersion::Threads;
  }
  return SpecVersion::V3;
}

namespace {

wasm::Features features_for(SpecVersion v) {
  switch (v) {
    case SpecVersion::V1: return wasm::Features::wasm1();
    case SpecVersion::V2: return wasm::Features::wasm2();
    case SpecVersion::Threads: {
      // The threads proposal was written against wasm 2.0 (one memory), plus shared memories.
      wasm::Features f = wasm::Features::wasm2();
      f.threads = true;
      return f;
    }
    default: return wasm::Features::wasm3();
  }
}

wasm::Config engine_config(const wasm::Features& f, const fs::path& json_path, wasm::Tier tier) {
  wasm::Config c;
  c.features = f;
  c.tier = tier;
  // wasmtime's tests that declare `;;! hogs_memory = true` may need memories past 4 GiB (a
  // memory64 of 0x1_0002 pages).
  if (component_suite_for(json_path) == ComponentSuite::Wasmtime &&
      component_directive(fs::path(json_path).replace_extension(".wast"), "hogs_memory"))
    c.max_memory_bytes = uint64_t(8) << 30;
  return c;
}

// Engine messages can span lines (a trap with its backtrace); a report line keeps the first.
std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// Outcome of performing an `action` (invoke or get).
struct ActionResult {
  enum Kind { Ok, Trapped, Error, Skip } kind = Ok;
  std::vector<Value> values;
  wasm::Trap trap;
  std::string error;       // Error: why the action could not be performed; Skip: why it was skipped
  bool component = false;  // an action on a component instance: its outcome is in `invoked`
  Invoked invoked;
};

// A module slot: the current module or a named one (a core or a component instance).
struct Slot {
  enum State { Empty, Ready, Failed, Skipped } state = Empty;
  wasm::Instance* instance = nullptr;
  uint32_t line = 0;                             // where the module was defined
  std::shared_ptr<ComponentInstance> component;  // Ready component instances
};

// A `module_definition`: a compiled core module or component; neither when it was skipped or
// failed.
struct Definition {
  std::shared_ptr<const wasm::CompiledModule> core;
  std::shared_ptr<const component::rt::Component> component;
};

// Scripts of the async component-model suite are not run (see run()).
constexpr const char* kAsyncSkipReason = "needs the async component model (WASI 0.3 era)";

std::string json_string(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

class FileRun {
 public:
  FileRun(const fs::path& json_path, const WastOptions& options, const LineSink& sink,
          WastProgress* progress)
      : options_(options),
        sink_(sink),
        progress_(progress),
        dir_(json_path.parent_path()),
        display_(json_path.string()),
        features_(features_for(options.spec == SpecVersion::Auto ? spec_version_for(json_path)
                                                                 : options.spec)),
        engine_(engine_config(features_, json_path, options.tier)),
        suite_(component_suite_for(json_path)),
        wast_path_(fs::path(json_path).replace_extension(".wast")) {}

  WastCounts run(const fs::path& json_path) {
    json doc;
    try {
      auto text = read_file_bytes(json_path);
      if (!text) return file_error(text.error().message);
      doc = json::parse(text->begin(), text->end());
    } catch (const json::exception& e) {
      return file_error(fmt::format("malformed JSON: {}", e.what()));
    }
    if (!doc.is_object() || !doc.contains("commands") || !doc["commands"].is_array())
      return file_error("not a wast2json script (no \"commands\" array)");
    // Messages name the .wast source, since the line numbers refer to it.
    std::string source = json_string(doc, "source_filename");
    if (!source.empty()) {
      fs::path p = dir_ / fs::path(source).filename();
      if (fs::exists(p)) display_ = p.string(), wast_path_ = p;
    }
    if (suite_ == ComponentSuite::RefAsync) {
      // Loudly, whatever the verbosity: these commands are not run, and must not look passed.
      const uint64_t n = doc["commands"].size();
      counts_.skipped += n;
      if (progress_) progress_->skipped += n;
      sink_(fmt::format("{}: skipped {} commands: {}", display_, n, kAsyncSkipReason));
      return counts_;
    }

    store_ = std::make_unique<wasm::Store>(engine_);
    if (auto r = define_spectest(linker_, *store_); !r)
      return file_error("cannot create the spectest module: " + r.error().message);

    for (const json& cmd : doc["commands"]) {
      line_ = 0;
      command_ = cmd.is_object() ? json_string(cmd, "type") : std::string();
      try {
        if (auto it = cmd.find("line");
            cmd.is_object() && it != cmd.end() && it->is_number_unsigned())
          line_ = it->get<uint32_t>();
        if (progress_) progress_->line = line_;
        run_command(cmd);
      } catch (const std::exception& e) {
        // JSON of the wrong shape (json::type_error) or a failure inside the engine.
        fail(fmt::format("internal error: {}", e.what()));
      }
    }
    return counts_;
  }

 private:
  // ---- counting and messages

  void pass() {
    ++counts_.passed;
    if (progress_) ++progress_->passed;
  }
  // Skips with the reason printed whatever the verbosity.
  void skip_loudly(std::string_view why) {
    if (suite_ == ComponentSuite::None)
      sink_(fmt::format("{}:{}: {}: skipped: {}", display_, line_, command_, why));
    skip(why);
  }
  void skip(std::string_view why = {}) {
    ++counts_.skipped;
    if (progress_) ++progress_->skipped;
    // The component suites are required: what they skip is always shown.
    if (suite_ != ComponentSuite::None && !why.empty())
      sink_(fmt::format("{}:{}: {}: skipped: {}", display_, line_, command_, why));
    else if (options_.verbose && !why.empty())
      note(fmt::format("skipped: {}", why));
  }
  void fail(std::string_view what) {
    ++counts_.failed;
    if (progress_) ++progress_->failed;
    sink_(fmt::format("{}:{}: {}: {}", display_, line_, command_, what));
  }
  // A component module assertion (invalid, malformed, unlinkable) that failed as it should, but
  // with a message other than the script's: messages are worded by each implementation.
  void pass_mismatched(std::string_view what) {
    if (options_.strict) return fail(what);
    ++counts_.mismatched;
    if (progress_) ++progress_->mismatched;
    note(what);
    pass();
  }
  void note(std::string_view what) {
    if (options_.verbose)
      sink_(fmt::format("{}:{}: {}: note: {}", display_, line_, command_, what));
  }
  WastCounts file_error(std::string_view what) {
    ++counts_.failed;
    if (progress_) ++progress_->failed;
    sink_(fmt::format("{}: error: {}", display_, what));
    return counts_;
  }

  // ---- commands

  void run_command(const json& cmd) {
    if (!cmd.is_object()) return fail("command is not an object");
    const std::string& t = command_;
    if (t == "module") return cmd_module(cmd);
    if (t == "module_definition") return cmd_module_definition(cmd);
    if (t == "module_instance") return cmd_module_instance(cmd);
    if (t == "register") return cmd_register(cmd);
    if (t == "action") return cmd_action(cmd);
    if (t == "assert_return") return cmd_assert_return(cmd);
    if (t == "assert_trap" || t == "assert_exhaustion" || t == "assert_exception")
      return cmd_assert_trap(cmd);
    if (t == "assert_invalid" || t == "assert_malformed") return cmd_assert_rejected(cmd);
    if (t == "assert_unlinkable" || t == "assert_uninstantiable")
      return cmd_assert_not_instantiated(cmd);
    if (t == "thread") return skip_thread(cmd);
    if (t == "wait") return skip("threads are not supported by the runner");
    if (t.empty()) return fail("command without a \"type\"");
    // Loudly: a command the runner does not know must not go unnoticed.
    sink_(fmt::format("{}:{}: {}: skipped: unknown command type", display_, line_, command_));
    skip();
  }

  // Counts a `thread` block and everything inside it as skipped.
  void skip_thread(const json& cmd) {
    skip("threads are not supported by the runner");
    if (auto it = cmd.find("commands"); it != cmd.end() && it->is_array())
      for (const json& c : *it) {
        if (c.is_object() && json_string(c, "type") == "thread")
          skip_thread(c);
        else
          skip();
      }
  }

  bool is_text_module(const json& cmd) const { return json_string(cmd, "module_type") == "text"; }

  // The pre-assembled binary of a text-format module, if one of options_.assembled_dirs has it.
  // Returns nullopt (nothing counted) when there is none; a binary whose recorded source hash
  // differs from the script's .wat counts as a failure.
  std::optional<std::vector<uint8_t>> load_assembled(const json& cmd, bool& failed) {
    failed = false;
    std::string file = json_string(cmd, "filename");
    if (file.empty()) return std::nullopt;
    for (const fs::path& d : options_.assembled_dirs) {
      fs::path bin = d / fs::path(file).replace_extension(".wasm");
      if (!fs::exists(bin)) continue;
      auto text = read_file_bytes(dir_ / file);
      auto want = read_file_bytes(fs::path(d / file).concat(".fnv1a64"));
      auto bytes = read_file_bytes(bin);
      std::string have = text ? fmt::format("{:016x}", fnv1a64(*text)) : std::string();
      std::string recorded = want ? std::string(want->begin(), want->end()) : std::string();
      while (!recorded.empty() && (recorded.back() == '\n' || recorded.back() == ' '))
        recorded.pop_back();
      if (!text || !bytes || have != recorded) {
        failed = true;
        fail(fmt::format(
            "assembled binary {} does not match {} (hash {} recorded {}): reassemble it",
            bin.string(), file, have, recorded));
        return std::nullopt;
      }
      return std::move(*bytes);
    }
    return std::nullopt;
  }

  static uint64_t fnv1a64(const std::vector<uint8_t>& data) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (uint8_t b : data) h = (h ^ b) * 0x100000001b3ULL;
    return h;
  }

  std::optional<std::vector<uint8_t>> load_bytes(const json& cmd) {
    if (is_text_module(cmd)) {
      bool failed = false;
      auto bytes = load_assembled(cmd, failed);
      if (!bytes && !failed) fail("text-format module without an assembled binary");
      return bytes;
    }
    std::string file = json_string(cmd, "filename");
    if (file.empty()) {
      fail("command without a \"filename\"");
      return std::nullopt;
    }
    auto bytes = read_file_bytes(dir_ / file);
    if (!bytes) {
      fail(bytes.error().message);
      return std::nullopt;
    }
    return std::move(*bytes);
  }

  static bool is_component(const std::vector<uint8_t>& bytes) {
    return classify_binary(bytes) == BinaryKind::Component;
  }

  // Compiles a core module the script expects to be valid; reports a failure and returns null if
  // not.
  std::shared_ptr<const wasm::CompiledModule> compile_valid(const std::vector<uint8_t>& bytes,
                                                            std::string_view what) {
    auto compiled = wasm::compile(engine_, bytes);
    if (!compiled) {
      fail(fmt::format("{} failed to compile: {}", what, first_line(compiled.error().message)));
      return nullptr;
    }
    return std::move(*compiled);
  }

  void set_module(const json& cmd, Slot slot, const std::string& name_key = "name") {
    current_ = slot;
    std::string name = json_string(cmd, name_key.c_str());
    if (!name.empty()) named_[name] = slot;
  }

  // A text-format module that has no assembled binary in options_.assembled_dirs.
  bool unassembled_text(const json& cmd) {
    if (!is_text_module(cmd)) return false;
    std::string file = json_string(cmd, "filename");
    for (const fs::path& d : options_.assembled_dirs)
      if (fs::exists(d / fs::path(file).replace_extension(".wasm"))) return false;
    return true;
  }

  void cmd_module(const json& cmd) {
    if (unassembled_text(cmd)) {
      set_module(cmd, Slot{Slot::Skipped, nullptr, line_, nullptr});
      return skip("text-format module");
    }
    auto bytes = load_bytes(cmd);
    if (!bytes) return set_module(cmd, Slot{Slot::Failed, nullptr, line_, nullptr});
    if (is_component(*bytes)) {
      auto comp = compile_component(*bytes);
      if (!comp) return set_module(cmd, Slot{Slot::Failed, nullptr, line_, nullptr});
      return instantiate_component(cmd, comp, "name");
    }
    auto compiled = compile_valid(*bytes, "module");
    if (!compiled) return set_module(cmd, Slot{Slot::Failed, nullptr, line_, nullptr});
    instantiate(cmd, compiled, "name");
  }

  // ---- components

  // The script's component state, created with the first component.
  ComponentScript* components() {
    if (!components_) {
      auto cs =
          std::make_unique<ComponentScript>(engine_, component_features_for(suite_, wast_path_));
      if (auto r = cs->init(); !r) {
        fail(fmt::format("cannot create the component spectest host: {}", r.error().message));
        return nullptr;
      }
      components_ = std::move(cs);
    }
    return components_.get();
  }

  // Compiles a component the script expects to be valid; reports a failure and returns null if not.
  std::shared_ptr<const component::rt::Component> compile_component(
      const std::vector<uint8_t>& bytes) {
    ComponentScript* cs = components();
    if (!cs) return nullptr;
    auto comp = cs->compile(bytes);
    if (!comp) {
      fail(fmt::format("component failed to compile: {}", first_line(comp.error().message)));
      return nullptr;
    }
    return std::move(*comp);
  }

  void instantiate_component(const json& cmd, std::shared_ptr<const component::rt::Component> comp,
                             const std::string& name_key) {
    Instantiated r = components_->instantiate(comp);
    // The validation suite (wasm-tools' tests) has components importing interfaces no host here
    // provides; they cannot be instantiated, which is not a failure of theirs.
    if (r.kind == Instantiated::LinkError && suite_ == ComponentSuite::Wasmedge) {
      if (auto missing = components_->unprovided_import(*comp)) {
        set_module(cmd, Slot{Slot::Skipped, nullptr, line_, nullptr}, name_key);
        return skip_loudly(fmt::format(
            "not instantiated: import `{}` is not provided by the spec-test host", *missing));
      }
    }
    if (r.kind != Instantiated::Ok) {
      set_module(cmd, Slot{Slot::Failed, nullptr, line_, nullptr}, name_key);
      return fail(fmt::format(
          "{}: {}", r.kind == Instantiated::LinkError ? "linking failed" : "instantiation trapped",
          r.message));
    }
    set_module(cmd, Slot{Slot::Ready, nullptr, line_, r.instance}, name_key);
    if (std::string name = json_string(cmd, name_key.c_str()); !name.empty())
      components_->register_instance(name, r.instance);
    pass();
  }

  void instantiate(const json& cmd, std::shared_ptr<const wasm::CompiledModule> compiled,
                   const std::string& name_key) {
    auto inst = linker_.instantiate(*store_, compiled);
    if (!inst) {
      set_module(cmd, Slot{Slot::Failed, nullptr, line_, nullptr}, name_key);
      return fail(fmt::format("instantiation failed: {}", first_line(inst.error().message)));
    }
    set_module(cmd, Slot{Slot::Ready, *inst, line_, nullptr}, name_key);
    pass();
  }

  void cmd_module_definition(const json& cmd) {
    std::string name = json_string(cmd, "name");
    definitions_[name] = Definition{};
    if (unassembled_text(cmd)) return skip("text-format module");
    auto bytes = load_bytes(cmd);
    if (!bytes) return;
    if (is_component(*bytes)) {
      auto comp = compile_component(*bytes);
      definitions_[name].component = comp;
      if (comp) pass();
      return;
    }
    auto compiled = compile_valid(*bytes, "module definition");
    definitions_[name].core = compiled;
    if (compiled) pass();
  }

  void cmd_module_instance(const json& cmd) {
    // README: "module" names the definition; wast2json writes "definition".
    std::string def = json_string(cmd, "definition");
    if (def.empty()) def = json_string(cmd, "module");
    auto it = definitions_.find(def);
    std::string name_key = cmd.contains("instance") ? "instance" : "name";
    if (it == definitions_.end()) {
      set_module(cmd, Slot{Slot::Failed, nullptr, line_, nullptr}, name_key);
      return fail(fmt::format("unknown module definition \"{}\"", def));
    }
    if (it->second.component) return instantiate_component(cmd, it->second.component, name_key);
    if (!it->second.core) {
      set_module(cmd, Slot{Slot::Skipped, nullptr, line_, nullptr}, name_key);
      return skip("its definition was skipped or failed");
    }
    instantiate(cmd, it->second.core, name_key);
  }

  // The module an action or register refers to: named, or the current one.
  const Slot* find_slot(const std::string& name, std::string& why) {
    if (name.empty()) {
      if (current_.state == Slot::Empty) why = "no module has been defined";
      return &current_;
    }
    auto it = named_.find(name);
    if (it == named_.end()) {
      why = fmt::format("unknown module {}", name);
      return nullptr;
    }
    return &it->second;
  }

  // Resolves a slot to an instance; otherwise reports (fail or skip) and returns null.
  wasm::Instance* usable_instance(const std::string& name) {
    std::string why;
    const Slot* s = find_slot(name, why);
    if (s && s->state == Slot::Ready && s->component) {
      fail("register is not supported for component instances (as in wasmtime's runner)");
      return nullptr;
    }
    if (s && s->state == Slot::Ready) return s->instance;
    if (s && s->state == Slot::Skipped) {
      skip(fmt::format("module at line {} was skipped", s->line));
      return nullptr;
    }
    if (s && s->state == Slot::Failed)
      why = fmt::format("module at line {} failed to load", s->line);
    fail(why);
    return nullptr;
  }

  void cmd_register(const json& cmd) {
    std::string as = json_string(cmd, "as");
    if (as.empty()) return fail("register without \"as\"");
    wasm::Instance* inst = usable_instance(json_string(cmd, "name"));
    if (!inst) return;
    linker_.define_instance(as, *inst);
    pass();
  }

  ActionResult perform(const json& cmd) {
    ActionResult r;
    auto ait = cmd.find("action");
    if (ait == cmd.end() || !ait->is_object()) {
      r.kind = ActionResult::Error, r.error = "command without an \"action\"";
      return r;
    }
    const json& action = *ait;
    std::string why;
    const Slot* slot = find_slot(json_string(action, "module"), why);
    if (slot && slot->state == Slot::Skipped) {
      r.kind = ActionResult::Skip,
      r.error = fmt::format("module at line {} was skipped", slot->line);
      return r;
    }
    if (slot && slot->state == Slot::Failed)
      why = fmt::format("module at line {} failed to load", slot->line);
    if (!slot || slot->state != Slot::Ready) {
      r.kind = ActionResult::Error, r.error = why;
      return r;
    }
    std::string type = json_string(action, "type");
    std::string field = json_string(action, "field");
    if (slot->component) {
      r.component = true;
      if (type != "invoke") {
        r.kind = ActionResult::Error,
        r.error = fmt::format("a component instance has no \"{}\" action", type);
        return r;
      }
      static const json kNoArgs = json::array();
      auto args = action.find("args");
      r.invoked =
          components_->invoke(*slot->component, field, args != action.end() ? *args : kNoArgs);
      switch (r.invoked.kind) {
        case Invoked::Ok: r.kind = ActionResult::Ok; break;
        case Invoked::Trapped:
          r.kind = ActionResult::Trapped, r.trap.message = r.invoked.message;
          break;
        case Invoked::Error: r.kind = ActionResult::Error, r.error = r.invoked.message; break;
      }
      return r;
    }
    wasm::Instance* inst = slot->instance;

    if (type == "get") {
      auto ex = inst->get_export(field);
      if (!ex || ex->kind != wasm::ExternKind::Global) {
        r.kind = ActionResult::Error, r.error = fmt::format("no exported global \"{}\"", field);
        return r;
      }
      r.values.push_back(global_value(*ex->global));
      return r;
    }
    if (type != "invoke") {
      r.kind = ActionResult::Error, r.error = fmt::format("unknown action type \"{}\"", type);
      return r;
    }
    wasm::FuncInst* func = inst->get_func(field);
    if (!func) {
      r.kind = ActionResult::Error, r.error = fmt::format("no exported function \"{}\"", field);
      return r;
    }
    const auto& params = func->type->params;
    auto args_it = action.find("args");
    static const json kNoArgs = json::array();
    const json& args = args_it != action.end() && args_it->is_array() ? *args_it : kNoArgs;
    if (args.size() != params.size()) {
      r.kind = ActionResult::Error;
      r.error = fmt::format("\"{}\" takes {} arguments, the script passes {}", field, params.size(),
                            args.size());
      return r;
    }
    std::vector<Value> values;
    values.reserve(args.size());
    for (size_t i = 0; i < args.size(); ++i) {
      auto v = parse_arg(args[i], refs_, &params[i]);
      if (!v) {
        r.kind = ActionResult::Error,
        r.error = fmt::format("argument {}: {}", i, v.error().message);
        return r;
      }
      values.push_back(*v);
    }
    auto res = wasm::invoke(*store_, func, values);
    if (!res) {
      r.kind = ActionResult::Trapped, r.trap = std::move(res.error());
      return r;
    }
    r.values = std::move(*res);
    return r;
  }

  static Value global_value(const wasm::GlobalInst& g) {
    const wasm::ValType t = g.type.type;
    switch (t.kind()) {
      case wasm::ValType::I32: return Value::from_i32(uint32_t(g.value[0]));
      case wasm::ValType::I64: return Value::from_i64(g.value[0]);
      case wasm::ValType::F32: return Value::from_f32_bits(uint32_t(g.value[0]));
      case wasm::ValType::F64: return Value::from_f64_bits(g.value[0]);
      case wasm::ValType::V128: return Value::from_v128(wasm::V128{g.value[0], g.value[1]});
      default: return Value::from_ref(t, reinterpret_cast<wasm::Ref>(uintptr_t(g.value[0])));
    }
  }

  // Handles the outcomes other than Ok; returns true when the caller should go on.
  bool action_ran(const ActionResult& r) {
    switch (r.kind) {
      case ActionResult::Ok: return true;
      case ActionResult::Skip: skip(r.error); return false;
      case ActionResult::Error: fail(r.error); return false;
      case ActionResult::Trapped:
        fail(fmt::format("unexpected trap: {}", r.trap.message));
        return false;
    }
    return false;
  }

  void cmd_action(const json& cmd) {
    if (action_ran(perform(cmd))) pass();
  }

  void cmd_assert_return(const json& cmd) {
    ActionResult r = perform(cmd);
    if (!action_ran(r)) return;
    if (r.component) {
      static const json kNone = json::array();
      auto it = cmd.find("expected");
      auto m = ComponentScript::match_results(r.invoked, it != cmd.end() ? *it : kNone);
      if (m) return pass();
      return fail(fmt::format("wrong result: {}", m.error().message));
    }
    // "either": the result must match one of the alternatives (relaxed SIMD, threads).
    if (auto either = cmd.find("either"); either != cmd.end()) {
      std::vector<ExpectedValue> alts;
      for (const json& j : *either) {
        auto e = parse_expected(j);
        if (!e) return fail(fmt::format("bad expected value: {}", e.error().message));
        alts.push_back(std::move(*e));
      }
      if (r.values.size() == 1)
        for (const auto& e : alts)
          if (matches(e, r.values[0], refs_)) return pass();
      std::string want;
      for (const auto& e : alts) want += (want.empty() ? "" : " or ") + to_string(e);
      return fail(
          fmt::format("wrong result (expected {}, got {})", want, format_values(r.values, refs_)));
    }
    std::vector<ExpectedValue> expected;
    if (auto it = cmd.find("expected"); it != cmd.end() && it->is_array()) {
      for (const json& j : *it) {
        auto e = parse_expected(j);
        if (!e) return fail(fmt::format("bad expected value: {}", e.error().message));
        expected.push_back(std::move(*e));
      }
    }
    bool ok = expected.size() == r.values.size();
    for (size_t i = 0; ok && i < expected.size(); ++i)
      ok = matches(expected[i], r.values[i], refs_);
    if (ok) return pass();
    // Render the results in the expected lane shapes so that v128 diffs line up.
    std::string want, got;
    for (size_t i = 0; i < expected.size(); ++i) want += (i ? ", " : "") + to_string(expected[i]);
    for (size_t i = 0; i < r.values.size(); ++i) {
      LaneType lane = i < expected.size() && expected[i].kind == ExpectedValue::Kind::Vec
                          ? expected[i].lane
                          : LaneType::I32;
      got += (i ? ", " : "") + format_value(r.values[i], refs_, lane);
    }
    if (expected.size() != 1 || r.values.size() != 1)
      want = "(" + want + ")", got = "(" + got + ")";
    fail(fmt::format("wrong result (expected {}, got {})", want, got));
  }

  void cmd_assert_trap(const json& cmd) {
    std::string text = json_string(cmd, "text");
    ActionResult r = perform(cmd);
    if (r.kind == ActionResult::Skip) return skip(r.error);
    if (r.kind == ActionResult::Error) return fail(r.error);
    const char* what = command_ == "assert_exception" ? "an exception" : "a trap";
    if (r.kind == ActionResult::Ok)
      return fail(fmt::format("expected {} (\"{}\"), got result {}", what, text,
                              r.component ? ComponentScript::format_results(r.invoked)
                                          : format_values(r.values, refs_)));
    const wasm::Trap& t = r.trap;
    if (r.component) {
      // A different trap usually means a different failure (e.g. a bounds check in the
      // canonical ABI firing before the guest's realloc ran): that fails the command.
      if (component_trap_matches(t.message, text)) return pass();
      return fail(
          fmt::format("wrong trap (expected \"{}\", got \"{}\")", text, first_line(t.message)));
    }
    bool ok;
    if (command_ == "assert_exception")
      ok = t.code == wasm::TrapCode::UncaughtException;
    else if (command_ == "assert_exhaustion")
      ok = t.code == wasm::TrapCode::CallStackExhausted || trap_matches(t, text);
    else
      ok = t.code != wasm::TrapCode::UncaughtException && trap_matches(t, text);
    if (ok) return pass();
    fail(fmt::format("wrong trap (expected \"{}\", got \"{}\")",
                     command_ == "assert_exception" ? "uncaught exception" : text, t.message));
  }

  // assert_invalid / assert_malformed: the module must be rejected by the decoder or validator.
  void cmd_assert_rejected(const json& cmd) {
    if (is_text_module(cmd)) return skip("text-format module");
    std::string text = json_string(cmd, "text");
    auto bytes = load_bytes(cmd);
    if (!bytes) return;
    if (is_component(*bytes)) {
      ComponentScript* cs = components();
      if (!cs) return;
      auto comp = cs->compile(*bytes);
      if (comp && suite_ == ComponentSuite::Wasmtime && is_wasmtime_restriction(text)) {
        // Valid for Kumo; rejected by wasmtime's embedding, which these scripts were written for.
        const std::string r = wasmtime_restriction(*(*comp)->validated().component);
        if (!r.empty() && r.find(text) != std::string::npos) return pass();
        return fail(fmt::format("expected wasmtime's restriction \"{}\", the component has {}",
                                text, r.empty() ? std::string("none") : "\"" + r + "\""));
      }
      if (comp) return fail(fmt::format("component was accepted (expected \"{}\")", text));
      const std::string message = first_line(comp.error().message);
      if (message.find(text) != std::string::npos) return pass();
      return pass_mismatched(fmt::format("rejected with \"{}\" (expected \"{}\")", message, text));
    }
    const bool malformed = command_ == "assert_malformed";
    auto decoded = wasm::decode_module(*bytes, features_);
    if (!decoded) return rejected(text, decoded.error().message, malformed, "decoder");
    auto valid = wasm::validate_module(**decoded, features_);
    if (!valid) return rejected(text, valid.error().message, !malformed, "validator");
    fail(fmt::format("module was accepted (expected \"{}\")", text));
  }

  void rejected(const std::string& text, const std::string& full_message, bool right_phase,
                const char* phase) {
    const std::string message = first_line(full_message);
    bool text_ok = message.find(text) != std::string::npos;
    if (options_.strict && (!right_phase || !text_ok))
      return fail(
          fmt::format("rejected by the {} with \"{}\" (expected \"{}\")", phase, message, text));
    if (!right_phase || !text_ok)
      note(fmt::format("rejected by the {} with \"{}\" (expected \"{}\")", phase, message, text));
    pass();
  }

  // assert_unlinkable / assert_uninstantiable: a valid module whose instantiation fails.
  void cmd_assert_not_instantiated(const json& cmd) {
    if (is_text_module(cmd)) return skip("text-format module");
    std::string text = json_string(cmd, "text");
    auto bytes = load_bytes(cmd);
    if (!bytes) return;
    if (is_component(*bytes)) return component_not_instantiated(*bytes, text);
    auto compiled = compile_valid(*bytes, "module");
    if (!compiled) return;
    auto inst = linker_.instantiate(*store_, compiled);
    if (inst) return fail(fmt::format("module was instantiated (expected \"{}\")", text));
    std::string message = first_line(inst.error().message);
    if (message.find(text) == std::string::npos) {
      if (options_.strict)
        return fail(fmt::format("wrong error (expected \"{}\", got \"{}\")", text, message));
      note(fmt::format("failed with \"{}\" (expected \"{}\")", message, text));
    }
    pass();
  }

  // assert_unlinkable: the component must be valid and fail to link (instantiate_pre);
  // assert_uninstantiable: it must link and trap while being instantiated.
  void component_not_instantiated(const std::vector<uint8_t>& bytes, const std::string& text) {
    auto comp = compile_component(bytes);
    if (!comp) return;
    Instantiated r = components_->instantiate(comp);
    const bool want_link_error = command_ == "assert_unlinkable";
    if (r.kind == Instantiated::Ok)
      return fail(fmt::format("component was instantiated (expected \"{}\")", text));
    if (want_link_error && r.kind == Instantiated::Trapped)
      return fail(fmt::format(
          "instantiation trapped with \"{}\" instead of failing to link (expected \"{}\")",
          r.message, text));
    if (!want_link_error && r.kind == Instantiated::LinkError)
      return fail(fmt::format("linking failed with \"{}\" instead of trapping (expected \"{}\")",
                              r.message, text));
    if (!want_link_error) {
      if (component_trap_matches(r.message, text)) return pass();
      return fail(fmt::format("wrong trap (expected \"{}\", got \"{}\")", text, r.message));
    }
    // Link errors are worded by each implementation (the scripts use wasmtime's): counted, noted.
    if (r.message.find(text) != std::string::npos) return pass();
    pass_mismatched(fmt::format("linking failed with \"{}\" (expected \"{}\")", r.message, text));
  }

  const WastOptions& options_;
  const LineSink& sink_;
  WastProgress* progress_;
  fs::path dir_;
  std::string display_;
  wasm::Features features_;
  // The script's own engine: its features decide decoding, validation and instantiation rules
  // (e.g. wasm 1.0's all-or-nothing segment initialisation).
  wasm::Engine engine_;
  ComponentSuite suite_;
  fs::path wast_path_;  // the .wast source, for wasmtime's `;;!` feature directives
  // Before the slots: instances (destroyed first) may hold handles of the host's resource types.
  std::unique_ptr<ComponentScript> components_;
  uint32_t line_ = 0;
  std::string command_;
  WastCounts counts_;

  HostRefs refs_;
  std::unique_ptr<wasm::Store> store_;
  wasm::Linker linker_;
  Slot current_;
  std::unordered_map<std::string, Slot> named_;
  std::unordered_map<std::string, Definition> definitions_;
};

}  // namespace

WastCounts run_wast_file(const fs::path& json_path, const WastOptions& options,
                         const LineSink& sink, WastProgress* progress) {
  try {
    FileRun run(json_path, options, sink, progress);
    return run.run(json_path);
  } catch (const std::exception& e) {
    // Only reachable for failures outside any command (e.g. out of memory setting up).
    sink(fmt::format("{}: error: {}", json_path.string(), e.what()));
    WastCounts c;
    c.failed = 1;
    return c;
  }
}

}  // namespace kumo::cli
