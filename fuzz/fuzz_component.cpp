// libFuzzer target for component binaries: decode, validate, and describe the component as WIT
// (wit/from_component.hpp, what `kumo inspect` prints), then resolve that text again. Anything
// but a clean error (a crash, a sanitizer report, an assertion, a hang) is a bug.
//
// Built as a libFuzzer binary (kumo_fuzz_component) with -DKUMO_FUZZ=ON (clang), and linked with
// replay_main.cpp into kumo_fuzz_component_replay, which CTest runs over the component spec tests,
// the jco components and tests/component/fuzz-regressions/ (fuzz_component_corpus).
//
// TODO: once rt::Component::compile and instantiation (src/component/runtime/linker.hpp) are
// complete, also compile each valid component, satisfy every import with trivial host items made
// from its type (functions returning zero values, host resources, empty instances) and
// instantiate it under an epoch deadline, as fuzz_module.cpp does for core modules.
#include <cstddef>
#include <cstdint>
#include <span>

#include "component/component.hpp"
#include "component/validator.hpp"
#include "wit/from_component.hpp"
#include "wit/resolve.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kumo;
  std::span<const uint8_t> bytes(data, size);
  auto decoded = component::decode_component(bytes);
  if (!decoded) return 0;  // a clean rejection
  // With every gated feature on as well, so that their validation paths are reached too.
  component::Features all;
  all.values = all.async = all.async_builtins = all.async_stackful = all.error_context = true;
  all.threads = all.nested_names = all.memory64 = all.gc = true;
  for (const component::Features& features : {component::Features{}, all}) {
    auto valid = component::validate_component(*decoded, features);
    if (!valid) continue;
    auto world = wit::world_from_component(**valid);
    if (!world) continue;
    std::string text = wit::print_component_world(*world);
    // The printed world need not resolve (WIT cannot express every component), but trying must
    // not crash either.
    wit::Resolve again;
    (void)wit::push_source(again, "printed.wit", text);
  }
  return 0;
}
