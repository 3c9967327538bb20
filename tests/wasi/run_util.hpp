// Runs a WASI command module through the whole engine (compile, link, _start) with its stdio
// captured in memory files.
#pragma once

#include <fmt/format.h>

#include <functional>
#include <string>

#include "test_util.hpp"
#include "wasi/preview1/wasi.hpp"
#include "wasm/runtime/host_func.hpp"
#include "wasm/runtime/store.hpp"

namespace kumo::wasi::test {

struct RunResult {
  bool ok = false;     // ran to the end or called proc_exit
  int exit_code = -1;  // the status (0 when _start returned)
  std::string error;   // load/link error or trap message when !ok
  wasm::TrapCode trap_code{};
  std::string out, err;  // captured stdout / stderr
};

inline std::string program_path(const std::string& name) {
  return std::string(KUMO_SOURCE_DIR) + "/tests/wasi/programs/" + name + ".wasm";
}

// `extra` may define more imports (e.g. the benchmarks' bench.start/bench.end).
inline RunResult run_wasm(const std::string& wasm_file, preview1::Options options,
                          const std::string& stdin_data = {},
                          const std::function<void(wasm::Linker&, wasm::Store&)>& extra = {}) {
  RunResult r;
  std::string bytes = read_file(wasm_file);
  if (bytes.empty()) {
    r.error = "cannot read " + wasm_file;
    return r;
  }
  MemFile in(stdin_data), out, err;
  options.stdin_fd = in.fd();
  options.stdout_fd = out.fd();
  options.stderr_fd = err.fd();

  wasm::Engine engine;
  auto compiled = wasm::compile(
      engine,
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  if (!compiled) {
    r.error = "compile: " + compiled.error().message;
    return r;
  }
  auto ctx = preview1::Context::create(std::move(options));
  if (!ctx) {
    r.error = "context: " + ctx.error().message;
    return r;
  }
  wasm::Store store(engine);
  wasm::Linker linker;
  preview1::add_to_linker(linker, store, **ctx);
  if (extra) extra(linker, store);
  auto inst = linker.instantiate(store, *compiled);
  if (!inst) {
    r.error = "instantiate: " + inst.error().message;
    return r;
  }
  wasm::FuncInst* start = (*inst)->get_func("_start");
  if (!start) {
    r.error = "no _start";
    return r;
  }
  auto result = wasm::invoke(store, start, {});
  r.out = out.contents();
  r.err = err.contents();
  if (result) {
    r.ok = true;
    r.exit_code = 0;
  } else if (result.error().code == wasm::TrapCode::Exit) {
    r.ok = true;
    r.exit_code = result.error().exit_code;
  } else {
    r.trap_code = result.error().code;
    r.error = "trap: " + result.error().to_string();
  }
  return r;
}

inline RunResult run_program(const std::string& name, preview1::Options options,
                             const std::string& stdin_data = {}) {
  return run_wasm(program_path(name), std::move(options), stdin_data);
}

}  // namespace kumo::wasi::test
