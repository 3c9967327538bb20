// The WASI 0.2 host (wasi:io, clocks, random, cli, filesystem, sockets) for the component runtime.
//
//   namespace p2 = kumo::wasi::p2;
//   p2::Options o;                                   // args, env, --dir preopens, stdio, network
//   o.args = {"prog.wasm", "x"};
//   o.dirs.push_back({"/tmp/data", "/data"});
//   auto ctx = p2::WasiCtx::create(std::move(o));    // Expected<unique_ptr<WasiCtx>>
//   p2::WasiHost host;                               // the resource types: outlives linker+stores
//   rt::Linker linker;
//   host.add_to_linker(linker);                      // every wasi:* 0.2 interface, at @0.2.12
//   p2::WasiState state(std::move(*ctx));            // a WasiView: ctx + ResourceTable
//   rt::Store store(engine, static_cast<p2::WasiView*>(&state));
//
// The interfaces are defined once at @0.2.12; the linker serves any 0.2.x import from them.
// Destroy the store before the WasiState (the table's objects are the host side of its handles).
//
// Other host plugins (wasi:http) share the store's ResourceTable: derive the per-store state
// from WasiView (or hold a WasiState), make their resource types once with
// make_table_resource_type(), put HostObject subclasses in the table (children with a parent
// rep), and hand out streams as own_val(host.types().input_stream.get(), table.push(...)).
// Every function is guarded by its WIT shape (signatures.hpp); plugins validate their own.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "component/runtime/linker.hpp"
#include "wasi/p2/streams.hpp"
#include "wasi/p2/table.hpp"
#include "wasi/preview1/sandbox.hpp"

namespace kumo::wasi::p2 {

inline constexpr std::string_view kVersion = "0.2.12";
// "wasi:io/streams" -> "wasi:io/streams@0.2.12"
inline std::string versioned(std::string_view iface) {
  return std::string(iface) + "@" + std::string(kVersion);
}

// Which sockets a guest may use. Everything is denied unless listed (access-denied).
struct NetworkPolicy {
  struct Rule {
    std::string host;       // an IP address literal ("127.0.0.1", "::1"); "*" any
    uint16_t port_min = 0;  // inclusive range; 0..65535 for any port
    uint16_t port_max = 65535;
  };
  std::vector<Rule> connect;  // tcp connect / udp remote addresses
  std::vector<Rule> bind;     // tcp/udp bind (and listen) addresses
  bool allow_name_lookup = false;
  bool allows_connect(std::string_view ip, uint16_t port) const;
  bool allows_bind(std::string_view ip, uint16_t port) const;
};

struct Options {
  std::vector<std::string> args;  // argv[0] included
  std::vector<std::pair<std::string, std::string>> env;
  struct Preopen {
    std::string host_path;
    std::string guest_path;
    bool writable = true;  // false: no mutate-directory, no writes beneath it
  };
  std::vector<Preopen> dirs;
  // stdio: host fds (duplicated; -1: closed/empty), or, when set, the factories (tests capture).
  int stdin_fd = 0, stdout_fd = 1, stderr_fd = 2;
  std::function<std::unique_ptr<InputStream>()> make_stdin;
  std::function<std::unique_ptr<OutputStream>()> make_stdout, make_stderr;
  NetworkPolicy network;
  preview1::PathResolver resolver = preview1::PathResolver::Auto;
};

// "host::guest" or "host" (guest sees the same name).
Expected<Options::Preopen> parse_preopen(std::string_view spec);
// "K=V"
Expected<std::pair<std::string, std::string>> parse_env(std::string_view kv);

struct WasiCtx {
  static Expected<std::unique_ptr<WasiCtx>> create(Options options);
  ~WasiCtx();

  Options options;
  struct Dir {
    std::shared_ptr<SharedFd> fd;
    std::string guest_path;
    bool writable = true;
  };
  std::vector<Dir> preopens;
  std::shared_ptr<SharedFd> stdin_fd, stdout_fd, stderr_fd;  // null: closed
  preview1::Sandbox sandbox;
  uint64_t insecure_state = 0;  // wasi:random/insecure generator state
  std::pair<uint64_t, uint64_t> seed{0, 0};

  std::unique_ptr<InputStream> new_stdin();
  std::unique_ptr<OutputStream> new_stdout();
  std::unique_ptr<OutputStream> new_stderr();

 private:
  explicit WasiCtx(Options o);
};

// A ready-made WasiView: one ctx, one table.
class WasiState : public WasiView {
 public:
  explicit WasiState(std::unique_ptr<WasiCtx> ctx) : ctx_(std::move(ctx)) {}
  ResourceTable& table() override { return table_; }
  WasiCtx& wasi() override { return *ctx_; }

 private:
  std::unique_ptr<WasiCtx> ctx_;
  ResourceTable table_;  // destroyed before ctx_: descriptors never outlive the sandbox
};

// The host resource types of WASI, created once and shared by all stores of the linker.
struct WasiTypes {
  std::unique_ptr<rt::ResourceType> error, pollable, input_stream, output_stream;
  std::unique_ptr<rt::ResourceType> terminal_input, terminal_output;
  std::unique_ptr<rt::ResourceType> descriptor, directory_entry_stream;
  std::unique_ptr<rt::ResourceType> network, tcp_socket, udp_socket, incoming_datagram_stream,
      outgoing_datagram_stream, resolve_address_stream;
  WasiTypes();
};

class WasiHost {
 public:
  WasiHost() = default;
  WasiHost(const WasiHost&) = delete;
  WasiHost& operator=(const WasiHost&) = delete;

  // Defines every interface (0.2.12) in `linker`.
  void add_to_linker(rt::Linker& linker);
  const WasiTypes& types() const { return types_; }

 private:
  WasiTypes types_;
};

// Per interface group (io.cpp, cli.cpp, filesystem.cpp, sockets.cpp).
void add_io(rt::Linker& linker, const WasiTypes& t);
void add_clocks_random(rt::Linker& linker, const WasiTypes& t);
void add_cli(rt::Linker& linker, const WasiTypes& t);
void add_filesystem(rt::Linker& linker, const WasiTypes& t);
void add_sockets(rt::Linker& linker, const WasiTypes& t);

// ---- running a command component (kumo run, tests) ---------------------------------------------

struct CommandResult {
  int exit_code = 0;               // 0: run returned ok; 1: err; exit(...)'s status
  std::optional<wasm::Trap> trap;  // set when the guest trapped (exit_code is then meaningless)
};
// Instantiates `component` (which must export wasi:cli/run@0.2.x) with a WASI host for `ctx` and
// calls run. Load/link errors come back as Error.
Expected<CommandResult> run_command(wasm::Engine& engine,
                                    std::shared_ptr<const component::rt::Component> component,
                                    std::unique_ptr<WasiCtx> ctx);

}  // namespace kumo::wasi::p2
