// The `kumo` subcommands. Each add_*_command registers its subcommand on the CLI11 app; when the
// subcommand is selected, its callback runs it and stores the process exit status in `exit_code`.
#pragma once

#include <string>
#include <vector>

#include "wasm/runtime/objects.hpp"

namespace CLI {
class App;
}

namespace kumo::cli {

void add_run_command(CLI::App& app, int& exit_code);
void add_wast_command(CLI::App& app, int& exit_code);
void add_validate_command(CLI::App& app, int& exit_code);
void add_inspect_command(CLI::App& app, int& exit_code);
void add_version_command(CLI::App& app, int& exit_code);
void add_serve_command(CLI::App& app, int& exit_code);

// `kumo wast`, callable without the command line (tests).
// --tier of `kumo run`, `serve` and `wast`: "interp" or "baseline" (wasm::Tier).
inline std::string tier_name(wasm::Tier t) {
  return t == wasm::Tier::Baseline ? "baseline" : "interp";
}
inline wasm::Tier parse_tier(const std::string& name) {
  return name == "baseline" ? wasm::Tier::Baseline : wasm::Tier::Interpreter;
}

struct WastCommandOptions {
  std::vector<std::string> paths;      // .json scripts, or directories searched recursively
  bool quiet = false;                  // only the final summary line
  bool verbose = false;                // per-file summaries and notes
  bool strict = false;                 // see WastOptions::strict
  std::string spec = "auto";           // auto, 1.0, 2.0, 3.0 or threads: see SpecVersion
  bool fork = true;                    // each file in a child process (crash and hang isolation)
  unsigned jobs = 1;                   // files run in parallel (fork mode)
  double timeout = 300;                // seconds per file in fork mode; 0 = none
  int fail_exit_code = 1;              // exit status when something failed
  std::vector<std::string> assembled;  // see WastOptions::assembled_dirs
  std::string tier = tier_name(wasm::kDefaultTier);  // interp or baseline: see wasm::Tier
};
int run_wast_command(const WastCommandOptions& options);

// Exit statuses of `kumo run`.
constexpr int kExitTrap = 134;     // the program trapped (128 + SIGABRT, as a native abort)
constexpr int kExitLoadError = 1;  // unreadable, invalid, unlinkable module; bad arguments

}  // namespace kumo::cli
