// rt::Store: one graph of component instances (on top of a core wasm::Store) and the run-time
// objects they own. Used by one thread at a time.
#pragma once

#include <deque>
#include <memory>
#include <string>

#include "component/runtime/resources.hpp"
#include "wasm/runtime/store.hpp"

namespace kumo::component::rt {

class Store {
 public:
  explicit Store(wasm::Engine& engine, void* data = nullptr) : core_(engine, data) {}
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  wasm::Store& core() { return core_; }
  wasm::Engine& engine() { return core_.engine(); }
  void* data() const { return core_.user_data(); }

  // Objects owned by the store; the pointers stay valid as long as the store lives.
  InstanceState* new_instance(InstanceState* parent, std::string name = {}) {
    auto& s = instances_.emplace_back();
    s.parent = parent;
    s.name = std::move(name);
    return &s;
  }
  ResourceType* new_resource_type(std::string name, InstanceState* impl, wasm::FuncInst* dtor) {
    auto& r = resources_.emplace_back();
    r.name = std::move(name);
    r.impl = impl;
    r.dtor = dtor;
    return &r;
  }
  TypeEnv* new_type_env(std::shared_ptr<const TypeArena> arena) {
    auto& e = envs_.emplace_back();
    e.arena = std::move(arena);
    return &e;
  }
  // Keeps `obj` alive as long as the store (functions, instance export maps, ...).
  void retain(std::shared_ptr<const void> obj) { retained_.push_back(std::move(obj)); }

 private:
  wasm::Store core_;
  std::deque<InstanceState> instances_;
  std::deque<ResourceType> resources_;
  std::deque<TypeEnv> envs_;
  std::vector<std::shared_ptr<const void>> retained_;
};

}  // namespace kumo::component::rt
