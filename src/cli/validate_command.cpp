// `kumo validate FILE.wasm...`: decodes and validates core modules and components; prints one
// error line per invalid file and exits 1 if any is invalid. Valid files print nothing (or
// "FILE: valid" with -v).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/wasm_file.hpp"
#include "component/validator.hpp"
#include "wasm/module.hpp"

namespace kumo::cli {

namespace {

struct ValidateOptions {
  std::vector<std::string> files;
  bool verbose = false;
};

// Returns the error for `file`, or an empty string when it is a valid module.
std::string check(const std::string& file) {
  auto raw = read_file_bytes(file);
  if (!raw) return raw.error().message;
  if (classify_binary(*raw) == BinaryKind::Component) {
    // Decoding and validating a component validates its nested core modules too.
    auto decoded = component::decode_component(*raw);
    if (!decoded) return fmt::format("{}: malformed component: {}", file, decoded.error().message);
    auto valid = component::validate_component(*decoded);
    if (!valid) return fmt::format("{}: invalid component: {}", file, valid.error().message);
    return {};
  }
  auto bytes = read_core_module(file);
  if (!bytes) return bytes.error().message;
  auto module = wasm::decode_module(*bytes);
  if (!module) return fmt::format("{}: malformed: {}", file, module.error().message);
  auto valid = wasm::validate_module(**module);
  if (!valid) return fmt::format("{}: invalid: {}", file, valid.error().message);
  return {};
}

int validate(const ValidateOptions& o) {
  int status = 0;
  for (const std::string& f : o.files) {
    std::string e = check(f);
    if (!e.empty()) {
      fmt::print(stderr, "{}\n", e);
      status = 1;
    } else if (o.verbose) {
      fmt::print("{}: valid\n", f);
    }
  }
  return status;
}

}  // namespace

void add_validate_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ValidateOptions>();
  CLI::App* sub =
      app.add_subcommand("validate", "Decode and validate WebAssembly modules and components");
  sub->add_option("files", o->files, "Binary modules or components (.wasm)")->required();
  sub->add_flag("-v,--verbose", o->verbose, "Also report valid files");
  sub->callback([o, &exit_code] { exit_code = validate(*o); });
}

}  // namespace kumo::cli
