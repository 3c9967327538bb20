// wasi:cli (environment, exit, stdio, terminal-*), wasi:clocks (monotonic, wall) and
// wasi:random (random, insecure, insecure-seed).
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "wasi/p2/vals.hpp"
#include "wasi/p2/wasi.hpp"

namespace kumo::wasi::p2 {

namespace {

uint64_t clock_ns(clockid_t c) {
  struct timespec ts;
  ::clock_gettime(c, &ts);
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}
Val datetime(uint64_t ns) {
  return Val::record({Val::u64(ns / 1000000000u), Val::u32(uint32_t(ns % 1000000000u))});
}

void fill_random(uint8_t* p, size_t n) {
  while (n > 0) {
    ssize_t r = ::getrandom(p, n, 0);
    if (r <= 0) continue;  // EINTR; the call cannot otherwise fail for these sizes
    p += r;
    n -= size_t(r);
  }
}
uint64_t splitmix(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A guest asking for gigabytes of random bytes would exhaust the host: cap it (a trap, as an
// allocation failure in the guest would be).
constexpr uint64_t kMaxRandomBytes = 64 << 20;

// Terminal handles carry no state: they only tell the guest "this is a terminal".
struct Terminal : HostObject {};

rt::Trapping<void> exit_trap(int status) {
  wasm::Trap t;
  t.code = wasm::TrapCode::Exit;
  t.exit_code = status;
  t.message = fmt::format("wasi exit with status {}", status);
  return Unexpected{std::move(t)};
}

}  // namespace

void add_clocks_random(rt::Linker& linker, const WasiTypes& t) {
  rt::ResourceType* pollable = t.pollable.get();
  rt::LinkerInstance& mono = linker.instance(versioned("wasi:clocks/monotonic-clock"));
  mono.func(
      "now", KUMO_P2_FN {
        out.push_back(Val::u64(clock_ns(CLOCK_MONOTONIC)));
        return {};
      });
  mono.func(
      "resolution", KUMO_P2_FN {
        struct timespec ts;
        ::clock_getres(CLOCK_MONOTONIC, &ts);
        out.push_back(Val::u64(uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec)));
        return {};
      });
  // steady_clock is CLOCK_MONOTONIC on Linux, so an instant maps to a time_point directly.
  auto timer = [pollable](rt::HostCall& call, uint64_t at_ns) {
    uint64_t now = clock_ns(CLOCK_MONOTONIC);
    Clock::time_point at =
        Clock::now() +
        std::chrono::nanoseconds(
            at_ns > now ? std::min<uint64_t>(at_ns - now, uint64_t(INT64_MAX / 2)) : 0);
    return own_val(pollable, table_of(call).push(std::make_unique<TimerPollable>(at)));
  };
  mono.func(
      "subscribe-instant", KUMO_P2_FN {
        out.push_back(timer(call, p[0].u));
        return {};
      });
  mono.func(
      "subscribe-duration", KUMO_P2_FN {
        uint64_t now = clock_ns(CLOCK_MONOTONIC);
        uint64_t d = std::min<uint64_t>(p[0].u, UINT64_MAX - now);
        out.push_back(timer(call, now + d));
        return {};
      });

  rt::LinkerInstance& wall = linker.instance(versioned("wasi:clocks/wall-clock"));
  wall.func(
      "now", KUMO_P2_FN {
        out.push_back(datetime(clock_ns(CLOCK_REALTIME)));
        return {};
      });
  wall.func(
      "resolution", KUMO_P2_FN {
        struct timespec ts;
        ::clock_getres(CLOCK_REALTIME, &ts);
        out.push_back(datetime(uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec)));
        return {};
      });

  rt::LinkerInstance& rnd = linker.instance(versioned("wasi:random/random"));
  rnd.func(
      "get-random-bytes", KUMO_P2_FN {
        if (p[0].u > kMaxRandomBytes) return rt::abi_trap("wasi:random: too many bytes requested");
        std::vector<uint8_t> b(size_t(p[0].u));
        fill_random(b.data(), b.size());
        out.push_back(bytes_val(b));
        return {};
      });
  rnd.func(
      "get-random-u64", KUMO_P2_FN {
        uint64_t v;
        fill_random(reinterpret_cast<uint8_t*>(&v), sizeof v);
        out.push_back(Val::u64(v));
        return {};
      });
  rt::LinkerInstance& ins = linker.instance(versioned("wasi:random/insecure"));
  ins.func(
      "get-insecure-random-bytes", KUMO_P2_FN {
        if (p[0].u > kMaxRandomBytes) return rt::abi_trap("wasi:random: too many bytes requested");
        uint64_t& s = wasi_view(call.store).wasi().insecure_state;
        std::vector<uint8_t> b(size_t(p[0].u));
        for (size_t i = 0; i < b.size(); i += 8) {
          uint64_t v = splitmix(s);
          for (size_t j = 0; j < 8 && i + j < b.size(); j++) b[i + j] = uint8_t(v >> (8 * j));
        }
        out.push_back(bytes_val(b));
        return {};
      });
  ins.func(
      "get-insecure-random-u64", KUMO_P2_FN {
        out.push_back(Val::u64(splitmix(wasi_view(call.store).wasi().insecure_state)));
        return {};
      });
  rt::LinkerInstance& seed = linker.instance(versioned("wasi:random/insecure-seed"));
  seed.func(
      "insecure-seed", KUMO_P2_FN {
        auto s = wasi_view(call.store).wasi().seed;
        out.push_back(Val::tuple({Val::u64(s.first), Val::u64(s.second)}));
        return {};
      });
}

void add_cli(rt::Linker& linker, const WasiTypes& t) {
  rt::LinkerInstance& env = linker.instance(versioned("wasi:cli/environment"));
  env.func(
      "get-environment", KUMO_P2_FN {
        std::vector<Val> items;
        for (const auto& [k, v] : wasi_view(call.store).wasi().options.env)
          items.push_back(Val::tuple({Val::string(k), Val::string(v)}));
        out.push_back(Val::list(std::move(items)));
        return {};
      });
  env.func(
      "get-arguments", KUMO_P2_FN {
        std::vector<Val> items;
        for (const std::string& a : wasi_view(call.store).wasi().options.args)
          items.push_back(Val::string(a));
        out.push_back(Val::list(std::move(items)));
        return {};
      });
  env.func(
      "initial-cwd", KUMO_P2_FN {
        out.push_back(Val::option(std::nullopt));
        return {};
      });

  rt::LinkerInstance& ex = linker.instance(versioned("wasi:cli/exit"));
  ex.func(
      "exit", KUMO_P2_FN { return exit_trap(p[0].index == 0 ? 0 : 1); });
  ex.func(
      "exit-with-code", KUMO_P2_FN { return exit_trap(int(p[0].u)); });

  rt::ResourceType* input = t.input_stream.get();
  rt::ResourceType* output = t.output_stream.get();
  linker.instance(versioned("wasi:cli/stdin"))
      .func(
          "get-stdin", KUMO_P2_FN {
            WasiView& v = wasi_view(call.store);
            out.push_back(own_val(input, v.table().push(v.wasi().new_stdin())));
            return {};
          });
  linker.instance(versioned("wasi:cli/stdout"))
      .func(
          "get-stdout", KUMO_P2_FN {
            WasiView& v = wasi_view(call.store);
            out.push_back(own_val(output, v.table().push(v.wasi().new_stdout())));
            return {};
          });
  linker.instance(versioned("wasi:cli/stderr"))
      .func(
          "get-stderr", KUMO_P2_FN {
            WasiView& v = wasi_view(call.store);
            out.push_back(own_val(output, v.table().push(v.wasi().new_stderr())));
            return {};
          });

  rt::ResourceType* tin = t.terminal_input.get();
  rt::ResourceType* tout = t.terminal_output.get();
  linker.instance(versioned("wasi:cli/terminal-input")).resource("terminal-input", tin);
  linker.instance(versioned("wasi:cli/terminal-output")).resource("terminal-output", tout);
  // A stdio stream is a terminal when its host fd is one (never for captured streams).
  auto terminal = [](rt::HostCall& call, const std::shared_ptr<SharedFd>& fd,
                     rt::ResourceType* type) {
    if (!fd || !::isatty(fd->fd)) return Val::option(std::nullopt);
    return Val::option(own_val(type, table_of(call).push(std::make_unique<Terminal>())));
  };
  linker.instance(versioned("wasi:cli/terminal-stdin"))
      .func(
          "get-terminal-stdin", KUMO_P2_FN {
            WasiCtx& c = wasi_view(call.store).wasi();
            out.push_back(c.options.make_stdin ? Val::option(std::nullopt)
                                               : terminal(call, c.stdin_fd, tin));
            return {};
          });
  linker.instance(versioned("wasi:cli/terminal-stdout"))
      .func(
          "get-terminal-stdout", KUMO_P2_FN {
            WasiCtx& c = wasi_view(call.store).wasi();
            out.push_back(c.options.make_stdout ? Val::option(std::nullopt)
                                                : terminal(call, c.stdout_fd, tout));
            return {};
          });
  linker.instance(versioned("wasi:cli/terminal-stderr"))
      .func(
          "get-terminal-stderr", KUMO_P2_FN {
            WasiCtx& c = wasi_view(call.store).wasi();
            out.push_back(c.options.make_stderr ? Val::option(std::nullopt)
                                                : terminal(call, c.stderr_fd, tout));
            return {};
          });
}

}  // namespace kumo::wasi::p2
