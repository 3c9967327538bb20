// `kumo version`: the version of this build.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.hpp"

// Set from the CMake project version (cmake/spectests.cmake); the fallback keeps the file
// compilable on its own.
#ifndef KUMO_VERSION
#define KUMO_VERSION "0.0.0-unknown"
#endif

namespace kumo::cli {

void add_version_command(CLI::App& app, int& exit_code) {
  CLI::App* sub = app.add_subcommand("version", "Print the version of kumo");
  sub->callback([&exit_code] {
    fmt::print("kumo {}\n", KUMO_VERSION);
    exit_code = 0;
  });
}

}  // namespace kumo::cli
