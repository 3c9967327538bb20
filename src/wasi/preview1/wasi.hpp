// WASI preview1 (wasi_snapshot_preview1) host for Kumo.
//
// Usage (what `kumo run PROG.wasm [args] --dir host::guest --env K=V` does):
//
//   namespace p1 = kumo::wasi::preview1;
//   p1::Options opts;
//   opts.args = {"prog.wasm", "arg1"};              // argv[0] included
//   opts.env = {"K=V"};
//   opts.dirs.push_back(*p1::parse_preopen("data::/data"));  // or {host_path, guest_path}
//   auto ctx = p1::Context::create(std::move(opts)); // fails if a --dir cannot be opened
//   if (!ctx) { report(ctx.error().message); return 1; }
//   kumo::wasm::Linker linker;
//   p1::add_to_linker(linker, store, **ctx);        // ctx must outlive the store's use of it
//   auto inst = linker.instantiate(store, compiled);
//   auto r = kumo::wasm::invoke(store, (*inst)->get_func("_start"), {});
//   int status = r ? 0 : r.error().code == kumo::wasm::TrapCode::Exit ? r.error().exit_code
//                                                                    : /* a real trap */ 128;
//
// Guest file descriptors: 0-2 are the host descriptors given in Options (duplicated, so closing
// them in the guest leaves the host's own stdio alone), 3.. are the pre-opened directories in
// order. Every path is confined beneath a pre-opened directory (see sandbox.hpp).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "wasi/preview1/sandbox.hpp"  // PathResolver
#include "wasm/common/expected.hpp"
#include "wasm/runtime/store.hpp"

namespace kumo::wasi::preview1 {

struct Options {
  std::vector<std::string> args;  // argv, argv[0] included
  std::vector<std::string> env;   // "KEY=VALUE" strings, passed as given
  struct Preopen {
    std::string host_path;   // a directory on the host
    std::string guest_path;  // the name the guest sees ("/data", ".", ...)
  };
  std::vector<Preopen> dirs;
  // Host descriptors behind guest fds 0, 1, 2; a negative value leaves the guest fd closed.
  int stdin_fd = 0, stdout_fd = 1, stderr_fd = 2;
  // Path resolution strategy; tests force each one.
  PathResolver resolver = PathResolver::Auto;
};

// Parses a --dir argument: "host::guest", or "host" alone (the guest sees the same name).
Expected<Options::Preopen> parse_preopen(std::string_view spec);

class Context {
 public:
  // Opens the pre-opened directories and duplicates the stdio descriptors.
  static Expected<std::unique_ptr<Context>> create(Options options);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  struct State;  // fd table, args, env (state.hpp)
  State& state() { return *state_; }

 private:
  explicit Context(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Defines every wasi_snapshot_preview1 function in `linker`. proc_exit returns a Trap with
// TrapCode::Exit and the status in Trap::exit_code.
void add_to_linker(wasm::Linker& linker, wasm::Store& store, Context& context);

// Names of all functions add_to_linker defines (for diagnostics and tests).
const std::vector<std::string_view>& function_names();

}  // namespace kumo::wasi::preview1
