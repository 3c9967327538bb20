// `kumo serve COMPONENT.wasm --addr 127.0.0.1:8000`: serves HTTP with a wasi:http component
// (src/host). SIGINT/SIGTERM stop it gracefully: no new connections, requests in flight finish
// within the grace period.
#include <fmt/format.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <thread>

#include "cli/commands.hpp"
#include "component/runtime/linker.hpp"
#include "host/http/server.hpp"
#include "host/serve/component_service.hpp"
#include "wasm/interp/profiler.hpp"

namespace kumo::cli {

namespace {

struct ServeOptions {
  std::string component;
  std::string addr = "127.0.0.1:8000";
  unsigned workers = 0;
  uint64_t max_body = 64ull << 20;
  uint64_t timeout_ms = 0;
  uint64_t grace_ms = 5000;
  bool no_recycle = false;
  std::string tier = tier_name(wasm::kDefaultTier);
  std::vector<std::string> dirs, env, allow_http;
};

int serve(const ServeOptions& o) {
  // Signals go to this thread only: block them before any worker starts (threads inherit it).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  // A shell starts background jobs with SIGINT ignored, and an ignored signal is discarded even
  // while blocked: restore the default action (blocked, it never runs; sigwait takes the signal).
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  host::ServiceOptions so;
  for (const auto& d : o.dirs) {
    auto p = wasi::p2::parse_preopen(d);
    if (!p)
      return fmt::print(stderr, "kumo serve: --dir {}: {}\n", d, p.error().message), kExitLoadError;
    so.dirs.push_back(*p);
  }
  for (const auto& e : o.env) {
    auto kv = wasi::p2::parse_env(e);
    if (!kv)
      return fmt::print(stderr, "kumo serve: --env {}: {}\n", e, kv.error().message),
             kExitLoadError;
    so.env.push_back(*kv);
  }
  for (const auto& a : o.allow_http) {
    auto rule = plugins::http::OutgoingPolicy::parse_rule(a);
    if (!rule)
      return fmt::print(stderr, "kumo serve: --allow-http {}\n", rule.error().message),
             kExitLoadError;
    so.outgoing.allow.push_back(*rule);
  }
  host::http::ServerConfig sc;
  sc.address = o.addr;
  sc.workers = o.workers ? o.workers : std::max(1u, std::thread::hardware_concurrency());
  sc.max_body_bytes = o.max_body;
  sc.request_timeout = std::chrono::milliseconds(o.timeout_ms);
  so.workers = sc.workers;
  so.timeout = std::chrono::milliseconds(o.timeout_ms);
  so.max_body_bytes = o.max_body;
  so.program_name = o.component;
  so.recycle = !o.no_recycle;

  wasm::Config config;
  config.tier = parse_tier(o.tier);
  wasm::Engine engine(config);
  auto comp = component::rt::Component::from_file(engine, o.component);
  if (!comp)
    return fmt::print(stderr, "kumo serve: {}: {}\n", o.component, comp.error().message),
           kExitLoadError;
  auto service = host::ComponentService::create(engine, *comp, std::move(so));
  if (!service)
    return fmt::print(stderr, "kumo serve: {}: {}\n", o.component, service.error().message),
           kExitLoadError;
  auto server = host::http::HttpServer::start(sc, (*service)->handler());
  if (!server)
    return fmt::print(stderr, "kumo serve: {}\n", server.error().message), kExitLoadError;
  fmt::print(stderr, "kumo serve: listening on http://{} ({} workers, {})\n",
             (*server)->address().to_string(), (*server)->workers(),
             (*service)->handler_interface());

  int sig = 0;
  sigwait(&stop_signals, &sig);
  fmt::print(stderr, "kumo serve: {}: shutting down (grace {} ms)\n",
             sig == SIGINT ? "SIGINT" : "SIGTERM", o.grace_ms);
  // Workers finish the requests they are running (a guest is bounded by --timeout-ms only), so
  // the shutdown runs aside: a second signal, or the grace period plus a margin, ends the process.
  auto grace = std::chrono::milliseconds(o.grace_ms);
  auto stopped = std::async(std::launch::async, [&] { (*server)->shutdown(grace); });
  auto give_up = std::chrono::steady_clock::now() + grace + std::chrono::seconds(2);
  timespec tick{0, 100 * 1000 * 1000};
  while (stopped.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    bool again = sigtimedwait(&stop_signals, nullptr, &tick) > 0;
    if (again || std::chrono::steady_clock::now() > give_up) {
      fmt::print(stderr, "kumo serve: {}; exiting with requests still running\n",
                 again ? "second signal" : "grace period over");
      std::fflush(stderr);
      std::_Exit(1);
    }
  }
  wasm::interp::profiler_report(stderr);
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* sub =
      app.add_subcommand("serve", "Serve HTTP with a wasi:http component: COMPONENT.wasm");
  sub->add_option("component", o->component,
                  "A component exporting wasi:http/incoming-handler@0.2.x")
      ->required();
  sub->add_option("--addr", o->addr,
                  "Listen on this address (IPv4, [IPv6] or localhost, with :PORT)")
      ->type_name("HOST:PORT")
      ->capture_default_str();
  sub->add_option("--workers", o->workers, "Worker threads (default: one per core)");
  sub->add_option("--max-body", o->max_body, "Largest request body accepted (larger: 413)")
      ->type_name("BYTES")
      ->capture_default_str();
  sub->add_option("--timeout-ms", o->timeout_ms,
                  "Per-request deadline: the guest is interrupted (504) and body I/O times out "
                  "(0: none)")
      ->capture_default_str();
  sub->add_option("--tier", o->tier,
                  "How functions run: interp, or baseline (the compiling tier where it can)")
      ->check(CLI::IsMember({"interp", "baseline"}))
      ->capture_default_str();
  sub->add_flag("--no-recycle", o->no_recycle,
                "Instantiate the component for every request instead of restoring each worker's "
                "instance to its state right after instantiation (the guest cannot tell the "
                "difference; this is slower)");
  sub->add_option("--grace-ms", o->grace_ms, "On SIGINT/SIGTERM, time left to requests in flight")
      ->capture_default_str();
  sub->add_option("--dir", o->dirs, "Give the component host directory HOST as GUEST (repeatable)")
      ->type_name("HOST[::GUEST]")
      ->allow_extra_args(false);
  sub->add_option("--env", o->env, "Set an environment variable for the component (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  sub->add_option("--allow-http", o->allow_http,
                  "Let the component send http:// requests to this host (repeatable; nothing "
                  "is allowed by default)")
      ->type_name("HOST[:PORT]|*")
      ->allow_extra_args(false);
  sub->footer(
      "Each request runs in a fresh instance of the component on a worker thread. A trap "
      "answers 500 and is logged with its wasm backtrace; the deadline answers 504. "
      "SIGINT/SIGTERM shut down gracefully.");
  sub->callback([o, &exit_code] { exit_code = serve(*o); });
}

}  // namespace kumo::cli
