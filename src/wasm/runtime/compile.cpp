// compile(): decode, validate and translate a module once; the result is shared by every Store
// and thread that instantiates it.
#include "wasm/interp/interp.hpp"
#include "wasm/runtime/objects.hpp"

namespace kumo::wasm {

CompiledModule::~CompiledModule() = default;

Expected<std::shared_ptr<CompiledModule>> compile(Engine& engine, std::span<const uint8_t> bytes) {
  KUMO_TRY(std::shared_ptr<Module> module, decode_module(bytes));
  KUMO_CHECK(validate_module(*module));

  auto compiled = std::make_shared<CompiledModule>();
  compiled->type_ids.reserve(module->types.size());
  for (const FuncType& t : module->types) compiled->type_ids.push_back(engine.intern(t));

  // Functions are independent once validated: a parallel translation could go here if large
  // modules make compile() slow.
  compiled->code.reserve(module->functions.size());
  for (uint32_t i = 0; i < module->functions.size(); ++i) {
    auto code = interp::translate(*module, i, compiled->type_ids);
    if (!code) {
      return err("func {}: translation failed: {}", module->num_imported_funcs + i,
                 code.error().message);
    }
    compiled->code.push_back(std::move(*code));
  }
  compiled->module = std::move(module);
  return compiled;
}

}  // namespace kumo::wasm
