// rt::Store: one graph of component instances (on top of a core wasm::Store) and the run-time
// objects they own. Used by one thread at a time.
#pragma once

#include <cstddef>
#include <memory>
#include <memory_resource>
#include <new>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "component/runtime/resources.hpp"
#include "wasm/common/stable_list.hpp"
#include "wasm/runtime/snapshot.hpp"
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

  // Creates a T that lives as long as the store, in the store's arena: instantiation makes many
  // small objects (the state of each lowered function, ...) and a fresh store per request should
  // not pay one allocation for each. Destroyed in reverse order of creation.
  template <class T, class... A>
  T* make(A&&... args) {
    void* p = arena_.allocate(sizeof(T), alignof(T));
    T* obj = new (p) T(std::forward<A>(args)...);
    if constexpr (!std::is_trivially_destructible_v<T>)
      dtors_.push_back({[](void* o) { static_cast<T*>(o)->~T(); }, obj});
    return obj;
  }
  // Instance recycling (wasm/runtime/snapshot.hpp). capture(), right after instantiating into
  // this store, records its state; restore(), after a call that returned normally, brings every
  // instance in the store back to exactly that state: core memories, tables, globals and
  // segments, and each component instance's handle table (emptied: the next handle is 1 again)
  // and flags. False (or an error from capture): the store cannot be recycled, drop it. Never
  // restore after a trap: the store may be stopped mid-call.
  Expected<void> capture();
  bool restore();
  bool captured() const { return snapshot_.has_value(); }

  ~Store() {
    for (auto it = dtors_.rbegin(); it != dtors_.rend(); ++it) it->fn(it->obj);
  }

 private:
  struct Dtor {
    void (*fn)(void*);
    void* obj;
  };
  std::pmr::monotonic_buffer_resource arena_{4096};  // as wasm::Store's: first block on first use
  std::vector<Dtor> dtors_;

  wasm::Store core_;
  StableList<InstanceState> instances_;
  StableList<ResourceType> resources_;
  StableList<TypeEnv> envs_;
  std::vector<std::shared_ptr<const void>> retained_;
  std::optional<wasm::StoreSnapshot> snapshot_;
  size_t captured_instances_ = 0, captured_resources_ = 0, captured_dtors_ = 0;
};

}  // namespace kumo::component::rt
