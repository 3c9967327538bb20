#include "cli/wast_runner.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cli/spectest_host.hpp"
#include "cli/wasm_file.hpp"
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

wasm::Config engine_config(const wasm::Features& f) {
  wasm::Config c;
  c.features = f;
  return c;
}

// Engine messages can span lines (a trap with its backtrace); a report line keeps the first.
std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// Outcome of performing an `action` (invoke or get).
struct ActionResult {
  enum Kind { Ok, Trapped, Error, Skip } kind = Ok;
  std::vector<Value> values;
  wasm::Trap trap;
  std::string error;  // Error: why the action could not be performed; Skip: why it was skipped
};

// A module slot: the current module or a named one.
struct Slot {
  enum State { Empty, Ready, Failed, Skipped } state = Empty;
  wasm::Instance* instance = nullptr;
  uint32_t line = 0;  // where the module was defined
};

std::string json_string(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

class FileRun {
 public:
  FileRun(const fs::path& json_path, const WastOptions& options, const LineSink& sink,
          WastProgress* progress)
      : options_(options), sink_(sink), progress_(progress), dir_(json_path.parent_path()),
        display_(json_path.string()),
        features_(features_for(options.spec == SpecVersion::Auto ? spec_version_for(json_path)
                                                                  : options.spec)),
        engine_(engine_config(features_)) {}

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
      if (fs::exists(p)) display_ = p.string();
    }

    store_ = std::make_unique<wasm::Store>(engine_);
    if (auto r = define_spectest(linker_, *store_); !r)
      return file_error("cannot create the spectest module: " + r.error().message);

    for (const json& cmd : doc["commands"]) {
      line_ = 0;
      command_ = cmd.is_object() ? json_string(cmd, "type") : std::string();
      try {
        if (auto it = cmd.find("line"); cmd.is_object() && it != cmd.end() && it->is_number_unsigned())
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
  void skip(std::string_view why = {}) {
    ++counts_.skipped;
    if (progress_) ++progress_->skipped;
    if (options_.verbose && !why.empty()) note(fmt::format("skipped: {}", why));
  }
  void fail(std::string_view what) {
    ++counts_.failed;
    if (progress_) ++progress_->failed;
    sink_(fmt::format("{}:{}: {}: {}", display_, line_, command_, what));
  }
  void note(std::string_view what) {
    if (options_.verbose) sink_(fmt::format("{}:{}: {}: note: {}", display_, line_, command_, what));
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
    if (t == "assert_unlinkable" || t == "assert_uninstantiable") return cmd_assert_not_instantiated(cmd);
    if (t == "thread") return skip_thread(cmd);
    if (t == "wait") return skip("threads are not supported by the runner");
    if (t.empty()) return fail("command without a \"type\"");
    skip(fmt::format("unknown command type \"{}\"", t));
  }

  // Counts a `thread` block and everything inside it as skipped.
  void skip_thread(const json& cmd) {
    skip("threads are not supported by the runner");
    if (auto it = cmd.find("commands"); it != cmd.end() && it->is_array())
      for (const json& c : *it) {
        if (c.is_object() && json_string(c, "type") == "thread") skip_thread(c);
        else skip();
      }
  }

  bool is_text_module(const json& cmd) const { return json_string(cmd, "module_type") == "text"; }

  std::optional<std::vector<uint8_t>> load_bytes(const json& cmd) {
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

  // Compiles a module the script expects to be valid; reports a failure and returns null if not.
  std::shared_ptr<const wasm::CompiledModule> compile_valid(const json& cmd, std::string_view what) {
    auto bytes = load_bytes(cmd);
    if (!bytes) return nullptr;
    if (classify_binary(*bytes) == BinaryKind::Component) {
      fail("components are not supported yet");
      return nullptr;
    }
    auto compiled = wasm::compile(engine_, *bytes);
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

  void cmd_module(const json& cmd) {
    if (is_text_module(cmd)) {
      set_module(cmd, Slot{Slot::Skipped, nullptr, line_});
      return skip("text-format module");
    }
    auto compiled = compile_valid(cmd, "module");
    if (!compiled) return set_module(cmd, Slot{Slot::Failed, nullptr, line_});
    instantiate(cmd, compiled, "name");
  }

  void instantiate(const json& cmd, std::shared_ptr<const wasm::CompiledModule> compiled,
                   const std::string& name_key) {
    auto inst = linker_.instantiate(*store_, compiled);
    if (!inst) {
      set_module(cmd, Slot{Slot::Failed, nullptr, line_}, name_key);
      return fail(fmt::format("instantiation failed: {}", first_line(inst.error().message)));
    }
    set_module(cmd, Slot{Slot::Ready, *inst, line_}, name_key);
    pass();
  }

  void cmd_module_definition(const json& cmd) {
    std::string name = json_string(cmd, "name");
    if (is_text_module(cmd)) {
      definitions_[name] = nullptr;
      return skip("text-format module");
    }
    auto compiled = compile_valid(cmd, "module definition");
    definitions_[name] = compiled;
    if (compiled) pass();
  }

  void cmd_module_instance(const json& cmd) {
    // README: "module" names the definition; wast2json writes "definition".
    std::string def = json_string(cmd, "definition");
    if (def.empty()) def = json_string(cmd, "module");
    auto it = definitions_.find(def);
    std::string name_key = cmd.contains("instance") ? "instance" : "name";
    if (it == definitions_.end()) {
      set_module(cmd, Slot{Slot::Failed, nullptr, line_}, name_key);
      return fail(fmt::format("unknown module definition \"{}\"", def));
    }
    if (!it->second) {
      set_module(cmd, Slot{Slot::Skipped, nullptr, line_}, name_key);
      return skip("its definition was skipped or failed");
    }
    instantiate(cmd, it->second, name_key);
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
    if (s && s->state == Slot::Ready) return s->instance;
    if (s && s->state == Slot::Skipped) {
      skip(fmt::format("module at line {} was skipped", s->line));
      return nullptr;
    }
    if (s && s->state == Slot::Failed) why = fmt::format("module at line {} failed to load", s->line);
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
      r.kind = ActionResult::Skip, r.error = fmt::format("module at line {} was skipped", slot->line);
      return r;
    }
    if (slot && slot->state == Slot::Failed) why = fmt::format("module at line {} failed to load", slot->line);
    if (!slot || slot->state != Slot::Ready) {
      r.kind = ActionResult::Error, r.error = why;
      return r;
    }
    wasm::Instance* inst = slot->instance;
    std::string type = json_string(action, "type");
    std::string field = json_string(action, "field");

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
      r.error = fmt::format("\"{}\" takes {} arguments, the script passes {}", field, params.size(), args.size());
      return r;
    }
    std::vector<Value> values;
    values.reserve(args.size());
    for (size_t i = 0; i < args.size(); ++i) {
      auto v = parse_arg(args[i], refs_, &params[i]);
      if (!v) {
        r.kind = ActionResult::Error, r.error = fmt::format("argument {}: {}", i, v.error().message);
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
      return fail(fmt::format("wrong result (expected {}, got {})", want, format_values(r.values, refs_)));
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
    for (size_t i = 0; ok && i < expected.size(); ++i) ok = matches(expected[i], r.values[i], refs_);
    if (ok) return pass();
    // Render the results in the expected lane shapes so that v128 diffs line up.
    std::string want, got;
    for (size_t i = 0; i < expected.size(); ++i) want += (i ? ", " : "") + to_string(expected[i]);
    for (size_t i = 0; i < r.values.size(); ++i) {
      LaneType lane = i < expected.size() && expected[i].kind == ExpectedValue::Kind::Vec
                          ? expected[i].lane : LaneType::I32;
      got += (i ? ", " : "") + format_value(r.values[i], refs_, lane);
    }
    if (expected.size() != 1 || r.values.size() != 1) want = "(" + want + ")", got = "(" + got + ")";
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
                              format_values(r.values, refs_)));
    const wasm::Trap& t = r.trap;
    bool ok;
    if (command_ == "assert_exception") ok = t.code == wasm::TrapCode::UncaughtException;
    else if (command_ == "assert_exhaustion") ok = t.code == wasm::TrapCode::CallStackExhausted || trap_matches(t, text);
    else ok = t.code != wasm::TrapCode::UncaughtException && trap_matches(t, text);
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
      return fail(fmt::format("rejected by the {} with \"{}\" (expected \"{}\")", phase, message, text));
    if (!right_phase || !text_ok)
      note(fmt::format("rejected by the {} with \"{}\" (expected \"{}\")", phase, message, text));
    pass();
  }

  // assert_unlinkable / assert_uninstantiable: a valid module whose instantiation fails.
  void cmd_assert_not_instantiated(const json& cmd) {
    if (is_text_module(cmd)) return skip("text-format module");
    std::string text = json_string(cmd, "text");
    auto compiled = compile_valid(cmd, "module");
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

  const WastOptions& options_;
  const LineSink& sink_;
  WastProgress* progress_;
  fs::path dir_;
  std::string display_;
  wasm::Features features_;
  // The script's own engine: its features decide decoding, validation and instantiation rules
  // (e.g. wasm 1.0's all-or-nothing segment initialisation).
  wasm::Engine engine_;
  uint32_t line_ = 0;
  std::string command_;
  WastCounts counts_;

  HostRefs refs_;
  std::unique_ptr<wasm::Store> store_;
  wasm::Linker linker_;
  Slot current_;
  std::unordered_map<std::string, Slot> named_;
  std::unordered_map<std::string, std::shared_ptr<const wasm::CompiledModule>> definitions_;
};

}  // namespace

WastCounts run_wast_file(const fs::path& json_path, const WastOptions& options, const LineSink& sink,
                         WastProgress* progress) {
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
