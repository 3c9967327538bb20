// kumo: the command-line front end. Each subcommand lives in its own file under src/cli/.
#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Kumo, a WebAssembly engine", "kumo"};
  app.require_subcommand(1);
  int exit_code = 0;
  kumo::cli::add_run_command(app, exit_code);
  kumo::cli::add_wast_command(app, exit_code);
  kumo::cli::add_validate_command(app, exit_code);
  kumo::cli::add_inspect_command(app, exit_code);
  kumo::cli::add_serve_command(app, exit_code);
  kumo::cli::add_version_command(app, exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
