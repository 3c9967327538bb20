// Linker: name-based import resolution on top of Store::instantiate.
#include "wasm/runtime/store.hpp"

namespace kumo::wasm {

void Linker::define(std::string module, std::string name, Extern item) {
  // Later definitions shadow earlier ones (the spec-test runner re-registers module names).
  items_.insert_or_assign({std::move(module), std::move(name)}, item);
}

void Linker::define_instance(const std::string& module, const Instance& instance) {
  const auto& names = instance.module().exports;
  for (size_t i = 0; i < names.size(); ++i) define(module, names[i].name, instance.exports[i]);
}

void Linker::define_func(Store& store, std::string module, std::string name, const FuncType& type,
                         HostCallback callback) {
  define(std::move(module), std::move(name), Extern::of(store.add_host_func(type, std::move(callback))));
}

const Extern* Linker::find(std::string_view module, std::string_view name) const {
  auto it = items_.find(std::pair<std::string, std::string>(module, name));
  return it == items_.end() ? nullptr : &it->second;
}

Expected<Instance*> Linker::instantiate(Store& store, std::shared_ptr<const CompiledModule> module) const {
  const auto& imports = module->module->imports;
  std::vector<Extern> resolved;
  resolved.reserve(imports.size());
  for (const Import& imp : imports) {
    const Extern* item = find(imp.module, imp.name);
    if (item == nullptr) return err("unknown import: \"{}\" \"{}\"", imp.module, imp.name);
    resolved.push_back(*item);
  }
  return store.instantiate(std::move(module), resolved);
}

}  // namespace kumo::wasm
