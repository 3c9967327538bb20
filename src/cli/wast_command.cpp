// `kumo wast FILE.json|DIR...`: runs spec-test scripts and prints "N passed, M failed, K skipped".
//
// By default every file runs in a forked child process: a crash (or hang) inside the engine
// then costs that file only, and is reported with the line of the command that was running.
// The child streams its messages through a pipe and its counters through shared memory.
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/wast_runner.hpp"
#include "wasm/runtime/objects.hpp"
#include "wasm/runtime/trap_handler.hpp"

namespace kumo::cli {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// Expands the command-line paths into the list of scripts. Errors (missing path, directory
// without scripts) are reported and counted as failures: a missing suite must not look green.
std::vector<fs::path> collect_scripts(const std::vector<std::string>& paths, WastCounts& counts) {
  std::vector<fs::path> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> found;
      for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::end(it);
           it.increment(ec))
        if (it->path().extension() == ".json" && it->is_regular_file(ec))
          found.push_back(it->path());
      if (ec) {
        fmt::print(stderr, "error: cannot read directory {}: {}\n", p, ec.message());
        ++counts.failed;
      } else if (found.empty()) {
        fmt::print(stderr, "error: no .json spec-test scripts under {}\n", p);
        ++counts.failed;
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(p, ec)) {
      files.emplace_back(p);
    } else {
      fmt::print(stderr, "error: no such file or directory: {}\n", p);
      ++counts.failed;
    }
  }
  return files;
}

// "N passed, M failed, K skipped", plus how many passed component assertions had another message.
std::string counts_text(const WastCounts& c) {
  std::string s = fmt::format("{} passed, {} failed, {} skipped", c.passed, c.failed, c.skipped);
  if (c.mismatched)
    s += fmt::format(" ({} passed with a message other than the script's)", c.mismatched);
  return s;
}

std::string file_summary(const fs::path& file, const WastCounts& c) {
  return fmt::format("{}: {}\n", file.string(), counts_text(c));
}

void write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // the parent is gone; nothing useful left to do with the output
    }
    data += n, size -= size_t(n);
  }
}

SpecVersion parse_spec(const std::string& s) {
  if (s == "1.0") return SpecVersion::V1;
  if (s == "2.0") return SpecVersion::V2;
  if (s == "3.0") return SpecVersion::V3;
  if (s == "threads") return SpecVersion::Threads;
  return SpecVersion::Auto;
}

WastOptions runner_options(const WastCommandOptions& o) {
  WastOptions w;
  w.spec = parse_spec(o.spec);
  w.verbose = o.verbose;
  w.strict = o.strict;
  w.tier = parse_tier(o.tier);
  for (const std::string& d : o.assembled) w.assembled_dirs.emplace_back(d);
#ifdef KUMO_DEFAULT_ASSEMBLED_DIR
  // Without --assembled: the binaries committed with this source tree, when it is still there.
  if (o.assembled.empty() && std::filesystem::is_directory(KUMO_DEFAULT_ASSEMBLED_DIR))
    w.assembled_dirs.emplace_back(KUMO_DEFAULT_ASSEMBLED_DIR);
#endif
  return w;
}

WastCounts run_in_process(const std::vector<fs::path>& files, const WastCommandOptions& o) {
  WastOptions wo = runner_options(o);
  LineSink sink = [&](std::string_view line) {
    if (!o.quiet) fmt::print("{}\n", line);
  };
  WastCounts total;
  for (const fs::path& f : files) {
    WastCounts c = run_wast_file(f, wo, sink);
    if (o.verbose && !o.quiet) fmt::print("{}", file_summary(f, c));
    std::fflush(stdout);
    total += c;
  }
  return total;
}

// ---- fork mode

struct FileResult {
  std::string output;  // everything received so far
  size_t printed = 0;  // bytes of `output` already written to stdout
  WastCounts counts;
  bool done = false;
};

struct Child {
  size_t index;  // into the file list
  size_t slot;   // into the shared progress array
  pid_t pid;
  int fd;  // read end of the child's output pipe
  Clock::time_point start;
  bool killed = false;
};

class ForkPool {
 public:
  ForkPool(const std::vector<fs::path>& files, const WastCommandOptions& o)
      : files_(files), o_(o), results_(files.size()), jobs_(std::max(1u, o.jobs)) {
    // Shared, so that counts survive a child killed mid-file.
    size_ = sizeof(WastProgress) * jobs_;
    void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::runtime_error(fmt::format("mmap: {}", std::strerror(errno)));
    progress_ = static_cast<WastProgress*>(p);
    for (unsigned i = 0; i < jobs_; ++i) new (&progress_[i]) WastProgress();
    free_slots_.resize(jobs_);
    for (unsigned i = 0; i < jobs_; ++i) free_slots_[i] = jobs_ - 1 - i;
  }
  ~ForkPool() { munmap(progress_, size_); }

  WastCounts run() {
    size_t next = 0;
    while (next_print_ < files_.size()) {
      while (running_.size() < jobs_ && next < files_.size()) launch(next++);
      wait_for_output();
      flush();
    }
    return total_;
  }

 private:
  void launch(size_t index) {
    size_t slot = free_slots_.back();
    free_slots_.pop_back();
    progress_[slot].reset();
    int fds[2];
    if (pipe(fds) != 0)
      return fail_file(index, fmt::format("pipe: {}", std::strerror(errno)), slot);
    std::fflush(stdout);  // the child must not inherit unwritten output
    pid_t pid = fork();
    if (pid < 0) {
      close(fds[0]), close(fds[1]);
      return fail_file(index, fmt::format("fork: {}", std::strerror(errno)), slot);
    }
    if (pid == 0) {
      close(fds[0]);
      for (const Child& c : running_) close(c.fd);
      int out = fds[1];
      bool quiet = o_.quiet;
      LineSink sink = [out, quiet](std::string_view line) {
        if (quiet) return;
        std::string s(line);
        s += '\n';
        write_all(out, s.data(), s.size());
      };
      run_wast_file(files_[index], runner_options(o_), sink, &progress_[slot]);
      _exit(0);  // skip the parent's atexit handlers and stdio buffers
    }
    close(fds[1]);
    running_.push_back(Child{index, slot, pid, fds[0], Clock::now()});
  }

  void fail_file(size_t index, const std::string& why, size_t slot) {
    free_slots_.push_back(slot);
    FileResult& r = results_[index];
    r.output += fmt::format("{}: error: {}\n", files_[index].string(), why);
    r.counts.failed += 1;
    r.done = true;
  }

  void wait_for_output() {
    if (running_.empty()) return;
    std::vector<pollfd> pfds;
    for (const Child& c : running_) pfds.push_back(pollfd{c.fd, POLLIN, 0});
    int timeout_ms = -1;
    if (o_.timeout > 0) {
      auto now = Clock::now();
      for (const Child& c : running_) {
        if (c.killed) continue;
        auto left = std::chrono::duration<double>(o_.timeout) - (now - c.start);
        int ms = std::max(
            0, int(std::chrono::duration_cast<std::chrono::milliseconds>(left).count()) + 1);
        timeout_ms = timeout_ms < 0 ? ms : std::min(timeout_ms, ms);
      }
    }
    int n = poll(pfds.data(), pfds.size(), timeout_ms);
    if (n < 0 && errno != EINTR)
      throw std::runtime_error(fmt::format("poll: {}", std::strerror(errno)));

    std::vector<size_t> finished;
    for (size_t i = 0; i < pfds.size(); ++i) {
      if (!(pfds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[1 << 16];
      ssize_t got = read(pfds[i].fd, buf, sizeof buf);
      if (got > 0)
        results_[running_[i].index].output.append(buf, size_t(got));
      else if (got == 0 || errno != EINTR)
        finished.push_back(i);
    }
    if (o_.timeout > 0) {
      auto now = Clock::now();
      for (Child& c : running_)
        if (!c.killed && now - c.start > std::chrono::duration<double>(o_.timeout)) {
          kill(c.pid, SIGKILL);
          c.killed = true;
        }
    }
    for (auto it = finished.rbegin(); it != finished.rend(); ++it) {
      finish(running_[*it]);
      running_.erase(running_.begin() + std::ptrdiff_t(*it));
    }
  }

  void finish(const Child& c) {
    close(c.fd);
    int status = 0;
    while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
    }
    const WastProgress& p = progress_[c.slot];
    FileResult& r = results_[c.index];
    r.counts = p.counts();
    std::string file = files_[c.index].string();
    if (!r.output.empty() && r.output.back() != '\n') r.output += '\n';
    if (c.killed) {
      r.output += fmt::format(
          "{}:{}: error: timed out after {} s; the file's remaining commands did not run\n", file,
          p.line.load(), o_.timeout);
      r.counts.failed += 1;
    } else if (WIFSIGNALED(status)) {
      int sig = WTERMSIG(status);
      r.output += fmt::format(
          "{}:{}: error: crashed with signal {} ({}); the file's remaining commands did not run\n",
          file, p.line.load(), sig, strsignal(sig));
      r.counts.failed += 1;
    } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
      r.output += fmt::format("{}:{}: error: the runner exited with status {}\n", file,
                              p.line.load(), WEXITSTATUS(status));
      r.counts.failed += 1;
    }
    r.done = true;
    free_slots_.push_back(c.slot);
  }

  // Prints results in file order; the oldest unfinished file streams its complete lines.
  void flush() {
    while (next_print_ < results_.size()) {
      FileResult& r = results_[next_print_];
      size_t end = r.done ? r.output.size() : r.output.rfind('\n', std::string::npos);
      if (end != std::string::npos && !r.done) ++end;  // include the newline
      if (end != std::string::npos && end > r.printed) {
        if (!o_.quiet) std::fwrite(r.output.data() + r.printed, 1, end - r.printed, stdout);
        r.printed = end;
      }
      if (!r.done) break;
      if (o_.verbose && !o_.quiet) fmt::print("{}", file_summary(files_[next_print_], r.counts));
      total_ += r.counts;
      r.output = std::string();  // release memory
      ++next_print_;
    }
    std::fflush(stdout);
  }

  const std::vector<fs::path>& files_;
  const WastCommandOptions& o_;
  std::vector<FileResult> results_;
  unsigned jobs_;
  size_t size_ = 0;
  WastProgress* progress_ = nullptr;
  std::vector<size_t> free_slots_;
  std::vector<Child> running_;
  size_t next_print_ = 0;
  WastCounts total_;
};

}  // namespace

namespace {

WastCounts run_wast(const WastCommandOptions& o) {
  WastCounts total;
  std::vector<fs::path> files = collect_scripts(o.paths, total);
  wasm::install_trap_handler();  // once, before forking, so every child inherits it
  try {
    if (o.fork)
      total += ForkPool(files, o).run();
    else
      total += run_in_process(files, o);
  } catch (const std::exception& e) {
    fmt::print("error: {}\n", e.what());
    total.failed += 1;
  }
  fmt::print("{}\n", counts_text(total));
  std::fflush(stdout);
  return total;
}

}  // namespace

int run_wast_command(const WastCommandOptions& o) {
  return run_wast(o).failed > 0 ? o.fail_exit_code : 0;
}

void add_wast_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<WastCommandOptions>();
  auto skip_exit_code = std::make_shared<int>(0);
  CLI::App* sub = app.add_subcommand(
      "wast",
      "Run WebAssembly spec tests converted by wast2json (.json scripts, or directories of them)");
  sub->add_option("paths", o->paths, "Scripts (.json) or directories searched recursively")
      ->required();
  sub->add_flag("-q,--quiet", o->quiet, "Print only the final summary line");
  sub->add_flag("-v,--verbose", o->verbose, "Print a summary line per file, and notes");
  sub->add_flag("--strict", o->strict,
                "Expected-malformed/invalid/unlinkable modules must fail in the right phase with "
                "the spec's message");
  sub->add_option("--spec", o->spec,
                  "Spec version whose decoding and validation rules apply to expected-malformed "
                  "and expected-invalid modules: 1.0, 2.0, 3.0, threads (2.0 + shared memory), or "
                  "auto (by the suite directory: wasm-1.0, wasm-2.0, threads, else 3.0)")
      ->check(CLI::IsMember({"auto", "1.0", "2.0", "3.0", "threads"}));
  sub->add_option("--assembled", o->assembled,
                  "Folder of binaries assembled elsewhere for text-format modules (X.N.wasm beside "
                  "X.N.wat.fnv1a64, the hash of the text; repeatable)")
      ->check(CLI::ExistingDirectory);
  sub->add_option("--tier", o->tier,
                  "How functions run: interp, or baseline (the compiling tier where it can)")
      ->check(CLI::IsMember({"interp", "baseline"}))
      ->capture_default_str();
  sub->add_option("-j,--jobs", o->jobs, "Files to run in parallel")->check(CLI::Range(1u, 256u));
  sub->add_option("--timeout", o->timeout, "Seconds allowed per file (0: no limit)")
      ->check(CLI::NonNegativeNumber);
  sub->add_flag_callback(
      "--no-fork", [o] { o->fork = false; },
      "Run every file in this process (for debuggers; a crash then ends the whole run)");
  sub->add_option(
      "--fail-exit-code", o->fail_exit_code,
      "Exit status when a command failed (default 1; CTest marks informational suites with 77)");
  sub->add_option(
      "--skip-exit-code", *skip_exit_code,
      "Exit status when nothing failed or passed but commands were skipped (default 0; CTest "
      "marks whole suites the runner cannot run with 77)");
  sub->callback([o, skip_exit_code, &exit_code] {
    WastCounts c = run_wast(*o);
    exit_code = c.failed > 0                     ? o->fail_exit_code
                : c.passed == 0 && c.skipped > 0 ? *skip_exit_code
                                                 : 0;
  });
}

}  // namespace kumo::cli
