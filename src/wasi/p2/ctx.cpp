// WasiCtx creation (preopens, stdio), the network policy, the resource types, and running a
// command component.
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "wasi/p2/wasi.hpp"
#include "wasi/preview1/wasi.hpp"

namespace kumo::wasi::p2 {

namespace {

// stdio gets duplicates of the host fds: dropping the guest's stream never closes the host's.
std::shared_ptr<SharedFd> dup_fd(int fd) {
  if (fd < 0) return nullptr;
  int d = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (d < 0) return nullptr;
  return std::make_shared<SharedFd>(d);
}

bool rule_matches(const NetworkPolicy::Rule& r, std::string_view ip, uint16_t port) {
  return (r.host == "*" || r.host == ip) && port >= r.port_min && port <= r.port_max;
}

}  // namespace

bool NetworkPolicy::allows_connect(std::string_view ip, uint16_t port) const {
  for (const Rule& r : connect)
    if (rule_matches(r, ip, port)) return true;
  return false;
}
bool NetworkPolicy::allows_bind(std::string_view ip, uint16_t port) const {
  for (const Rule& r : bind)
    if (rule_matches(r, ip, port)) return true;
  return false;
}

Expected<Options::Preopen> parse_preopen(std::string_view spec) {
  auto p = preview1::parse_preopen(spec);
  if (!p) return Unexpected{p.error()};
  return Options::Preopen{p->host_path, p->guest_path};
}

Expected<std::pair<std::string, std::string>> parse_env(std::string_view kv) {
  size_t eq = kv.find('=');
  if (eq == std::string_view::npos || eq == 0) return err("--env {}: expected KEY=VALUE", kv);
  return std::pair{std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1))};
}

WasiCtx::WasiCtx(Options o) : options(std::move(o)), sandbox(options.resolver) {}
WasiCtx::~WasiCtx() = default;

Expected<std::unique_ptr<WasiCtx>> WasiCtx::create(Options options) {
  if (options.resolver == preview1::PathResolver::Openat2 && !preview1::openat2_supported())
    return err("openat2 is not supported by this kernel");
  std::unique_ptr<WasiCtx> c(new WasiCtx(std::move(options)));
  for (const Options::Preopen& d : c->options.dirs) {
    int fd = ::open(d.host_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return err("cannot open directory '{}': {}", d.host_path, std::strerror(errno));
    c->preopens.push_back({std::make_shared<SharedFd>(fd), d.guest_path, d.writable});
  }
  c->stdin_fd = dup_fd(c->options.stdin_fd);
  c->stdout_fd = dup_fd(c->options.stdout_fd);
  c->stderr_fd = dup_fd(c->options.stderr_fd);
  uint64_t r[3] = {0, 0, 0};
  if (::getrandom(r, sizeof r, 0) != sizeof r) r[0] = uint64_t(::getpid()) * 0x9e3779b97f4a7c15ULL;
  c->insecure_state = r[0];
  c->seed = {r[1], r[2]};
  return c;
}

std::unique_ptr<InputStream> WasiCtx::new_stdin() {
  if (options.make_stdin) return options.make_stdin();
  if (!stdin_fd) return std::make_unique<MemoryInputStream>(std::string_view{});
  return std::make_unique<FdInputStream>(stdin_fd);
}
std::unique_ptr<OutputStream> WasiCtx::new_stdout() {
  if (options.make_stdout) return options.make_stdout();
  if (!stdout_fd) return std::make_unique<NullOutputStream>();
  return std::make_unique<FdOutputStream>(stdout_fd, FdOutputStream::Mode::Stream);
}
std::unique_ptr<OutputStream> WasiCtx::new_stderr() {
  if (options.make_stderr) return options.make_stderr();
  if (!stderr_fd) return std::make_unique<NullOutputStream>();
  return std::make_unique<FdOutputStream>(stderr_fd, FdOutputStream::Mode::Stream);
}

WasiTypes::WasiTypes()
    : error(make_table_resource_type("error")),
      pollable(make_table_resource_type("pollable")),
      input_stream(make_table_resource_type("input-stream")),
      output_stream(make_table_resource_type("output-stream")),
      terminal_input(make_table_resource_type("terminal-input")),
      terminal_output(make_table_resource_type("terminal-output")),
      descriptor(make_table_resource_type("descriptor")),
      directory_entry_stream(make_table_resource_type("directory-entry-stream")),
      network(make_table_resource_type("network")),
      tcp_socket(make_table_resource_type("tcp-socket")),
      udp_socket(make_table_resource_type("udp-socket")),
      incoming_datagram_stream(make_table_resource_type("incoming-datagram-stream")),
      outgoing_datagram_stream(make_table_resource_type("outgoing-datagram-stream")),
      resolve_address_stream(make_table_resource_type("resolve-address-stream")) {}

Expected<CommandResult> run_command(wasm::Engine& engine,
                                    std::shared_ptr<const component::rt::Component> component,
                                    std::unique_ptr<WasiCtx> ctx) {
  // Refuse a non-command before linking or running anything of it.
  bool command = false;
  for (const auto& e : component->type().exports)
    command |= e.name.name.rfind("wasi:cli/run@0.2.", 0) == 0;
  if (!command) return err("the component does not export wasi:cli/run@0.2.x (not a command)");
  WasiHost host;
  rt::Linker linker;
  host.add_to_linker(linker);
  auto pre = linker.instantiate_pre(component);
  if (!pre) return Unexpected{pre.error()};
  WasiState state(std::move(ctx));
  CommandResult result;
  {
    rt::Store store(engine, static_cast<WasiView*>(&state));
    auto trapped = [&](wasm::Trap t) -> Expected<CommandResult> {
      if (t.code == wasm::TrapCode::Exit) {
        result.exit_code = t.exit_code;
      } else {
        result.trap = std::move(t);
      }
      return result;
    };
    auto inst = (*pre)->instantiate(store);
    if (!inst) return trapped(std::move(inst.error()));
    // The run export at whatever 0.2.x version the component was built with.
    std::shared_ptr<const rt::Func> run;
    for (const auto& [name, item] : inst->exports().exports) {
      if (name.rfind("wasi:cli/run@0.2.", 0) == 0 && item.instance)
        if (const rt::Item* f = item.instance->find("run"); f && f->func) run = f->func;
    }
    if (!run) return err("the component does not export wasi:cli/run@0.2.x (not a command)");
    auto r = rt::call(store, *run, {});
    if (!r) return trapped(std::move(r.error()));
    result.exit_code = !r->empty() && (*r)[0].index != 0 ? 1 : 0;
  }
  return result;
}

}  // namespace kumo::wasi::p2
