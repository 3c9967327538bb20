// Kumo's side of the benchmarks (bench/sightglass, bench/kernels/run). Same interface and JSON
// timing report as bench/v8-runner.mjs:
//
//   kumo_bench_runner [--timing FILE] [--dir HOST[::GUEST]]... [--env K=V]... MODULE [ARGS...]
//       WASI preview1 command: runs _start, providing the sightglass imports bench.start and
//       bench.end; bench_ms is the time between them.
//   kumo_bench_runner [--timing FILE] --invoke NAME [--repeat N] MODULE
//       Calls the export NAME (no arguments) N times; bench_ms is the fastest call; prints
//       "NAME() = RESULT" (first result, as unsigned) to stdout.
//
// The timing goes to FILE (stderr when absent) so that the module's own output stays byte-exact.
#include <fmt/format.h>

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "wasi/preview1/wasi.hpp"
#include "wasm/runtime/host_func.hpp"
#include "wasm/runtime/store.hpp"

namespace {

namespace p1 = kumo::wasi::preview1;
namespace w = kumo::wasm;
using Clock = std::chrono::steady_clock;

// Process CPU time: a steadier figure than wall time on a machine shared with other work.
double cpu_ms() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

[[noreturn]] void usage(const std::string& msg) {
  if (!msg.empty()) fmt::print(stderr, "kumo_bench_runner: {}\n", msg);
  fmt::print(stderr,
             "usage: kumo_bench_runner [--timing FILE] [--dir HOST[::GUEST]]... [--env K=V]... "
             "[--invoke NAME [--repeat N]] MODULE [ARGS...]\n");
  std::exit(2);
}

struct Report {
  std::string file;
  std::vector<std::pair<std::string, std::string>> fields;  // key, JSON value
  void num(const std::string& k, double v) { fields.emplace_back(k, fmt::format("{:.6f}", v)); }
  void integer(const std::string& k, long long v) { fields.emplace_back(k, std::to_string(v)); }
  void write() const {
    std::string line = "{\"engine\": \"kumo\"";
    for (auto& [k, v] : fields) line += fmt::format(", \"{}\": {}", k, v);
    line += "}\n";
    if (file.empty()) {
      std::fputs(line.c_str(), stderr);
      return;
    }
    std::ofstream out(file);
    out << line;
  }
};

}  // namespace

int main(int argc, char** argv) {
  Report report;
  std::string invoke_name, module_path;
  int repeat = 1;
  p1::Options wasi;
  int i = 1;
  auto need = [&](const char* opt) -> std::string {
    if (i + 1 >= argc) usage(fmt::format("{} needs a value", opt));
    return argv[++i];
  };
  for (; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--timing") report.file = need("--timing");
    else if (a == "--invoke") invoke_name = need("--invoke");
    else if (a == "--repeat") repeat = std::max(1, std::atoi(need("--repeat").c_str()));
    else if (a == "--env") wasi.env.push_back(need("--env"));
    else if (a == "--dir") {
      std::string spec = need("--dir");
      auto pre = p1::parse_preopen(spec);
      if (!pre) usage(fmt::format("--dir {}: {}", spec, pre.error().message));
      wasi.dirs.push_back(*pre);
    } else if (a == "--") {
      i++;
      break;
    } else if (a.rfind("--", 0) == 0) usage("unknown option " + a);
    else break;
  }
  if (i >= argc) usage("no module given");
  module_path = argv[i++];
  wasi.args.push_back(module_path);
  for (; i < argc; i++) wasi.args.push_back(argv[i]);

  std::ifstream in(module_path, std::ios::binary);
  if (!in) {
    fmt::print(stderr, "kumo_bench_runner: cannot read {}\n", module_path);
    return 1;
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  w::Engine engine;
  auto t0 = Clock::now();
  auto compiled = w::compile(engine, bytes);
  auto t1 = Clock::now();
  if (!compiled) {
    fmt::print(stderr, "kumo_bench_runner: {}: {}\n", module_path, compiled.error().message);
    return 1;
  }
  report.num("compile_ms", ms_between(t0, t1));

  auto ctx = p1::Context::create(std::move(wasi));
  if (!ctx) {
    fmt::print(stderr, "kumo_bench_runner: {}\n", ctx.error().message);
    return 1;
  }
  w::Store store(engine);
  w::Linker linker;
  p1::add_to_linker(linker, store, **ctx);
  std::optional<Clock::time_point> bench_start, bench_end;
  double cpu_start = 0, cpu_end = 0;
  w::func_wrap(linker, store, "bench", "start", [&] {
    cpu_start = cpu_ms();
    bench_start = Clock::now();
  });
  w::func_wrap(linker, store, "bench", "end", [&] {
    bench_end = Clock::now();
    cpu_end = cpu_ms();
  });

  auto t2 = Clock::now();
  auto inst = linker.instantiate(store, *compiled);
  auto t3 = Clock::now();
  if (!inst) {
    fmt::print(stderr, "kumo_bench_runner: {}: {}\n", module_path, inst.error().message);
    return 1;
  }
  report.num("instantiate_ms", ms_between(t2, t3));

  int exit_code = 0;
  if (!invoke_name.empty()) {
    w::FuncInst* f = (*inst)->get_func(invoke_name);
    if (!f || !f->type->params.empty()) {
      fmt::print(stderr, "kumo_bench_runner: no exported function {}() without parameters\n", invoke_name);
      return 1;
    }
    double best = 1e300, best_cpu = 1e300;
    std::vector<w::Value> results;
    for (int r = 0; r < repeat; r++) {
      double c0 = cpu_ms();
      auto s = Clock::now();
      auto res = w::invoke(store, f, {});
      auto e = Clock::now();
      best_cpu = std::min(best_cpu, cpu_ms() - c0);
      if (!res) {
        fmt::print(stderr, "kumo_bench_runner: trap: {}\n", res.error().to_string());
        report.integer("exit_code", 134);
        report.write();
        return 134;
      }
      best = std::min(best, ms_between(s, e));
      results = std::move(*res);
    }
    unsigned long long shown = 0;
    if (!results.empty()) {
      const w::Value& v = results[0];
      shown = v.type.kind() == w::ValType::I64 || v.type.kind() == w::ValType::F64 ? v.i64 : v.i32;
    }
    fmt::print("{}() = {}\n", invoke_name, shown);
    std::fflush(stdout);
    report.num("bench_ms", best);
    report.num("bench_cpu_ms", best_cpu);
  } else {
    w::FuncInst* start = (*inst)->get_func("_start");
    if (!start) {
      fmt::print(stderr, "kumo_bench_runner: {} exports no _start\n", module_path);
      return 1;
    }
    auto res = w::invoke(store, start, {});
    auto t4 = Clock::now();
    report.num("run_ms", ms_between(t3, t4));
    if (!res) {
      if (res.error().code == w::TrapCode::Exit) {
        exit_code = res.error().exit_code;
      } else {
        fmt::print(stderr, "kumo_bench_runner: trap: {}\n", res.error().to_string());
        exit_code = 134;
      }
    }
    if (bench_start && bench_end) {
      report.num("bench_ms", ms_between(*bench_start, *bench_end));
      report.num("bench_cpu_ms", cpu_end - cpu_start);
    }
  }
  report.integer("exit_code", exit_code);
  report.write();
  return exit_code;
}
