// Component: a validated component binary with every core module (of nested components too)
// compiled once; and the small lookups of instance exports.
#include <fstream>
#include <iterator>

#include "component/runtime/linker.hpp"

namespace kumo::component::rt {

namespace {

Expected<void> compile_modules(
    wasm::Engine& engine, const component::Component& c,
    std::unordered_map<const CoreModuleDef*, std::shared_ptr<const wasm::CompiledModule>>& out) {
  for (size_t i = 0; i < c.core_modules.size(); ++i) {
    const CoreModuleDef& def = c.core_modules[i];
    auto compiled = wasm::compile(engine, def.module);
    if (!compiled) {
      return err("core module {} at offset 0x{:x}: {}", i, def.offset, compiled.error().message);
    }
    out.emplace(&def, std::move(*compiled));
  }
  for (const auto& nested : c.components) KUMO_CHECK(compile_modules(engine, *nested, out));
  return {};
}

void make_alias_hints(const component::Component& c,
                      std::unordered_map<const component::Component*,
                                         std::unique_ptr<std::atomic<uint32_t>[]>>& out) {
  auto hints = std::make_unique<std::atomic<uint32_t>[]>(c.aliases.size());
  for (size_t i = 0; i < c.aliases.size(); ++i)
    hints[i].store(UINT32_MAX, std::memory_order_relaxed);
  out.emplace(&c, std::move(hints));
  for (const auto& nested : c.components) make_alias_hints(*nested, out);
}

}  // namespace

std::atomic<uint32_t>* Component::alias_hints(const component::Component& c) const {
  auto it = alias_hints_.find(&c);
  return it == alias_hints_.end() ? nullptr : it->second.get();
}

Expected<std::shared_ptr<const Component>> Component::compile(wasm::Engine& engine,
                                                              std::span<const uint8_t> bytes,
                                                              const Features& features) {
  KUMO_TRY(std::shared_ptr<const ValidatedComponent> validated, load_component(bytes, features));
  auto c = std::make_shared<Component>();
  KUMO_CHECK(compile_modules(engine, *validated->component, c->modules_));
  make_alias_hints(*validated->component, c->alias_hints_);
  c->validated_ = std::move(validated);
  return std::shared_ptr<const Component>(std::move(c));
}

Expected<std::shared_ptr<const Component>> Component::from_file(wasm::Engine& engine,
                                                                const std::string& path,
                                                                const Features& features) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return err("cannot open `{}`", path);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad()) return err("cannot read `{}`", path);
  auto c = compile(engine, bytes, features);
  if (!c) return err("{}: {}", path, c.error().message);
  return c;
}

std::shared_ptr<const wasm::CompiledModule> Component::core_module(const component::Component& c,
                                                                   uint32_t index) const {
  if (index >= c.core_modules.size()) return nullptr;
  auto it = modules_.find(&c.core_modules[index]);
  return it == modules_.end() ? nullptr : it->second;
}

size_t InstanceItems::find_index(std::string_view name, size_t hint) const {
  if (hint < exports.size() && exports[hint].first == name) return hint;
  if (!index_.empty()) {
    auto it = index_.find(name);
    return it == index_.end() ? SIZE_MAX : it->second;
  }
  for (size_t i = 0; i < exports.size(); ++i)
    if (exports[i].first == name) return i;
  return SIZE_MAX;
}

const Item* InstanceItems::find(std::string_view name, size_t hint) const {
  size_t i = find_index(name, hint);
  return i == SIZE_MAX ? nullptr : &exports[i].second;
}

void InstanceItems::build_index() {
  static std::atomic<uint64_t> next_uid{1};
  uid = next_uid.fetch_add(1, std::memory_order_relaxed);
  index_.clear();
  if (exports.size() < 8) return;  // a short scan is as fast
  index_.reserve(exports.size());
  for (uint32_t i = 0; i < exports.size(); ++i) index_.emplace(exports[i].first, i);
}

std::shared_ptr<const Func> Instance::get_func(std::string_view name) const {
  if (!exports_) return nullptr;
  const Item* it = exports_->find(name);
  return it && it->sort == ExternSort::Func ? it->func : nullptr;
}

std::shared_ptr<const Func> Instance::get_func(std::string_view instance,
                                               std::string_view name) const {
  if (!exports_) return nullptr;
  const Item* inst = exports_->find(instance);
  if (!inst || inst->sort != ExternSort::Instance || !inst->instance) return nullptr;
  const Item* it = inst->instance->find(name);
  return it && it->sort == ExternSort::Func ? it->func : nullptr;
}

}  // namespace kumo::component::rt
