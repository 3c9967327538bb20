// `kumo run PROG.wasm [ARGS...]`: runs a WASI preview1 command (its `_start`), or calls one
// exported function with --invoke; or runs a component as a WASI 0.2 command (wasi:cli/run).
//
// Exit status: the program's own status when it calls proc_exit (0 when _start returns), for a
// component 0 when run returns ok, 1 for err, or what wasi:cli/exit says;
// 134 (128 + SIGABRT, as a natively aborting program) when it traps, after printing the trap and
// its wasm backtrace to stderr; 1 when the module cannot be loaded, linked or called.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/invoke_values.hpp"
#include "cli/wasm_file.hpp"
#include "component/runtime/linker.hpp"
#include "wasi/p2/wasi.hpp"
#include "wasi/preview1/wasi.hpp"
#include "wasm/runtime/store.hpp"

namespace kumo::cli {

namespace p1 = kumo::wasi::preview1;
namespace p2 = kumo::wasi::p2;

namespace {

struct RunOptions {
  std::string program;
  std::vector<std::string> args;  // after the program
  std::vector<std::string> dirs;  // HOST[::GUEST]
  std::vector<std::string> env;   // K=V
  std::string invoke;             // function to call instead of _start
  std::string tier = tier_name(wasm::kDefaultTier);
};

wasm::Config engine_config(const RunOptions& o) {
  wasm::Config c;
  c.tier = parse_tier(o.tier);
  return c;
}

int load_error(const std::string& message) {
  fmt::print(stderr, "kumo: error: {}\n", message);
  return kExitLoadError;
}

std::string frame_text(const wasm::TrapFrame& f) {
  std::string who = f.module_name.empty() ? "" : f.module_name + "!";
  who += f.func_name.empty() ? fmt::format("<func {}>", f.func_index)
                             : fmt::format("{} (func {})", f.func_name, f.func_index);
  return fmt::format("{:#x} - {}", f.offset, who);
}

// The trap and its backtrace, innermost frame first. Runs of the same frame (deep recursion
// ending in "call stack exhausted") collapse into one line, and very long traces keep their
// ends, so the report stays readable.
std::string format_trap(const wasm::Trap& trap) {
  std::string out = fmt::format("wasm trap: {}", trap.message);
  const auto& bt = trap.backtrace;
  if (bt.empty()) return out;
  out += "\nwasm backtrace:";
  constexpr size_t kHead = 40, kTail = 10;
  size_t lines = 0, i = 0;
  while (i < bt.size()) {
    size_t j = i + 1;
    std::string text = frame_text(bt[i]);
    while (j < bt.size() && frame_text(bt[j]) == text) ++j;
    if (lines == kHead) {
      // Skip to the last kTail groups (counted in frames: close enough for a readable tail).
      size_t tail_start = bt.size() > kTail ? bt.size() - kTail : 0;
      if (tail_start > i) {
        out += fmt::format("\n  ... {} more frames ...", tail_start - i);
        i = tail_start;
        ++lines;
        continue;
      }
    }
    out += fmt::format("\n  {:>5}: {}", i, text);
    if (j - i > 1) out += fmt::format("  (repeated {} times)", j - i);
    ++lines;
    i = j;
  }
  return out;
}

// A failed call: proc_exit's status passes through, anything else is a trap.
int call_failed(const wasm::Trap& trap) {
  if (trap.code == wasm::TrapCode::Exit) return trap.exit_code;
  std::fflush(stdout);  // the program's output first, then the trap
  fmt::print(stderr, "kumo: error: {}\n", format_trap(trap));
  return kExitTrap;
}

// A component: run it as a WASI 0.2 command (its wasi:cli/run export).
int run_component(const RunOptions& o, std::span<const uint8_t> bytes) {
  if (!o.invoke.empty()) return load_error("--invoke is not supported for components yet");
  wasm::Engine engine(engine_config(o));
  auto comp = component::rt::Component::compile(engine, bytes);
  if (!comp) return load_error(fmt::format("{}: {}", o.program, comp.error().message));
  p2::Options wasi;
  wasi.args.push_back(o.program);
  wasi.args.insert(wasi.args.end(), o.args.begin(), o.args.end());
  for (const std::string& e : o.env) {
    auto kv = p2::parse_env(e);
    if (!kv) return load_error(kv.error().message);
    wasi.env.push_back(*kv);
  }
  for (const std::string& d : o.dirs) {
    auto pre = p2::parse_preopen(d);
    if (!pre) return load_error(fmt::format("--dir {}: {}", d, pre.error().message));
    wasi.dirs.push_back(*pre);
  }
  auto ctx = p2::WasiCtx::create(std::move(wasi));
  if (!ctx) return load_error(ctx.error().message);
  auto r = p2::run_command(engine, *comp, std::move(*ctx));
  std::fflush(stdout);
  if (!r) return load_error(fmt::format("{}: {}", o.program, r.error().message));
  if (r->trap) return call_failed(*r->trap);
  return r->exit_code;
}

int run(const RunOptions& o) {
  auto file = read_file_bytes(o.program);
  if (file && classify_binary(*file) == BinaryKind::Component) return run_component(o, *file);
  auto bytes = read_core_module(o.program);
  if (!bytes) return load_error(bytes.error().message);

  wasm::Engine engine(engine_config(o));
  auto compiled = wasm::compile(engine, *bytes);
  if (!compiled) return load_error(fmt::format("{}: {}", o.program, compiled.error().message));

  p1::Options wasi;
  wasi.args.push_back(o.program);
  wasi.args.insert(wasi.args.end(), o.args.begin(), o.args.end());
  for (const std::string& e : o.env) {
    if (e.find('=') == std::string::npos)
      return load_error(fmt::format("--env {}: expected KEY=VALUE", e));
    wasi.env.push_back(e);
  }
  for (const std::string& d : o.dirs) {
    auto pre = p1::parse_preopen(d);
    if (!pre) return load_error(fmt::format("--dir {}: {}", d, pre.error().message));
    wasi.dirs.push_back(*pre);
  }
  auto ctx = p1::Context::create(std::move(wasi));
  if (!ctx) return load_error(ctx.error().message);

  wasm::Store store(engine);
  wasm::Linker linker;
  p1::add_to_linker(linker, store, **ctx);
  auto inst = linker.instantiate(store, *compiled);
  if (!inst) return load_error(fmt::format("{}: {}", o.program, inst.error().message));
  wasm::Instance& instance = **inst;

  if (o.invoke.empty()) {
    wasm::FuncInst* start = instance.get_func("_start");
    if (!start)
      return load_error(fmt::format(
          "{} exports no _start function (use --invoke to call another export)", o.program));
    if (!start->type->params.empty() || !start->type->results.empty())
      return load_error(
          fmt::format("_start has type {}, expected [] -> []", wasm::to_string(*start->type)));
    auto r = wasm::invoke(store, start, {});
    std::fflush(stdout);
    return r ? 0 : call_failed(r.error());
  }

  // A reactor initialises itself through _initialize before any other export is called.
  if (wasm::FuncInst* init = instance.get_func("_initialize"); init && o.invoke != "_initialize") {
    auto r = wasm::invoke(store, init, {});
    if (!r) return call_failed(r.error());
  }
  wasm::FuncInst* func = instance.get_func(o.invoke);
  if (!func)
    return load_error(fmt::format("{} exports no function named \"{}\"", o.program, o.invoke));
  const auto& params = func->type->params;
  if (o.args.size() != params.size())
    return load_error(fmt::format("{} has type {}: it takes {} arguments, {} given", o.invoke,
                                  wasm::to_string(*func->type), params.size(), o.args.size()));
  std::vector<wasm::Value> args;
  for (size_t i = 0; i < params.size(); ++i) {
    auto v = parse_cli_value(o.args[i], params[i]);
    if (!v) return load_error(fmt::format("argument {}: {}", i + 1, v.error().message));
    args.push_back(*v);
  }
  auto r = wasm::invoke(store, func, args);
  if (!r) return call_failed(r.error());
  for (const wasm::Value& v : *r) fmt::print("{}\n", format_cli_value(v));
  std::fflush(stdout);
  return 0;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* sub = app.add_subcommand("run", "Run a WebAssembly program: PROG.wasm [ARGS...]");
  sub->add_option("--tier", o->tier,
                  "How functions run: interp, or baseline (the compiling tier where it can)")
      ->check(CLI::IsMember({"interp", "baseline"}))
      ->capture_default_str();
  sub->add_option("--dir", o->dirs,
                  "Give the program access to host directory HOST, as GUEST (repeatable)")
      ->type_name("HOST[::GUEST]")
      ->allow_extra_args(false);
  sub->add_option("--env", o->env, "Set an environment variable for the program (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  sub->add_option("--invoke", o->invoke,
                  "Call this exported function instead of _start; ARGS are its arguments and the "
                  "results are printed one per line")
      ->type_name("NAME");
  // Everything from the program path on belongs to the program, even words that look like
  // options: CLI11 stops parsing at the first positional and leaves the rest in remaining().
  sub->prefix_command();
  sub->footer(
      "PROG.wasm is a core module (WASI preview1) or a component (a WASI 0.2 command exporting "
      "wasi:cli/run); the words after it are the program's arguments.\nExit status: the "
      "program's (proc_exit, wasi:cli/exit: ok 0, err 1, exit-with-code N), 134 when it traps "
      "(the trap and its wasm backtrace go to stderr), 1 when it cannot be loaded or called.");
  sub->callback([o, sub, &exit_code] {
    std::vector<std::string> rest = sub->remaining();
    if (rest.empty()) {
      exit_code = load_error("kumo run: missing PROG.wasm (see kumo run --help)");
      return;
    }
    o->program = rest.front();
    o->args.assign(rest.begin() + 1, rest.end());
    exit_code = run(*o);
  });
}

}  // namespace kumo::cli
