// Store: owns one graph of instances and their user data; used by one thread at a time.
// Linker: resolves imports by (module, name). invoke: calls a function from the host.
#pragma once

#include <deque>
#include <memory_resource>

#include "wasm/common/stable_list.hpp"
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "wasm/runtime/objects.hpp"

namespace kumo::wasm {

namespace interp {
struct ExecState;  // the interpreter's per-Store stacks (defined by the interpreter)
}

class Store {
 public:
  explicit Store(Engine& engine, void* user_data = nullptr);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  Engine& engine() { return engine_; }
  void* user_data() const { return user_data_; }
  void set_user_data(void* p) { user_data_ = p; }

  // Epoch deadline: execution traps with Interrupted once engine().epoch() >= deadline.
  void set_epoch_deadline(uint64_t ticks_from_now) { deadline_ = engine_.epoch() + ticks_from_now; }
  uint64_t epoch_deadline() const { return deadline_; }

  // Object creation. Returned pointers stay valid for the Store's lifetime.
  FuncInst* add_host_func(const FuncType& type, HostCallback callback);
  // The same with the type already interned (`type` is engine().type_of(type_id)): no lookup.
  FuncInst* add_host_func(uint32_t type_id, const FuncType* type, HostCallback callback);
  Expected<MemoryInst*> add_memory(const MemoryType& type, const MemoryImage* image = nullptr);
  Expected<TableInst*> add_table(const TableType& type, Ref init = nullptr);
  GlobalInst* add_global(const GlobalType& type, const Value& init);
  TagInst* add_tag(const FuncType& type);

  // Instantiates `module` with `imports` given in the module's import order. Runs the start
  // function. Errors: import count/kind/type mismatch (named), segment out of bounds, start trap.
  Expected<Instance*> instantiate(std::shared_ptr<const CompiledModule> module,
                                  std::span<const Extern> imports);

  interp::ExecState& exec();  // created on first use

  // Internal: storage for objects created during instantiation.
  FuncInst* new_func();
  FuncInst* new_funcs(size_t n);  // n contiguous functions (one allocation per instance)
  TableInst* new_table();
  GlobalInst* new_global();
  TagInst* new_tag();
  MemoryInst* adopt_memory(std::unique_ptr<MemoryInst> m);

 private:
  friend class StoreSnapshot;  // reads and restores the mutable objects
  Engine& engine_;
  void* user_data_;
  uint64_t deadline_ = UINT64_MAX;
  StableList<FuncInst> funcs_;
  std::vector<std::unique_ptr<FuncInst[]>> func_blocks_;
  StableList<TableInst> tables_;
  StableList<GlobalInst> globals_;
  StableList<TagInst> tags_;
  std::vector<std::unique_ptr<MemoryInst>> memories_;
  // Declared before the objects that use it: it outlives them.
  std::pmr::monotonic_buffer_resource arena_{1024};
  StableList<Instance> instances_;
  ExecStatePtr exec_;  // from the Engine's pool, returned to it by ~Store
};

// Calls `func` with typed arguments (checked against its type) and returns its results.
Expected<std::vector<Value>, Trap> invoke(Store& store, FuncInst* func,
                                          std::span<const Value> args);

// Name-based import resolution: define items under (module, name), then instantiate.
class Linker {
 public:
  void define(std::string module, std::string name, Extern item);
  // Makes every export of `instance` available under `module`.
  void define_instance(const std::string& module, const Instance& instance);
  // Host function with an explicit type and the raw slot callback.
  void define_func(Store& store, std::string module, std::string name, const FuncType& type,
                   HostCallback callback);
  const Extern* find(std::string_view module, std::string_view name) const;

  // Resolves every import of `module` (error names the missing or mismatching import) and
  // instantiates it in `store`.
  Expected<Instance*> instantiate(Store& store, std::shared_ptr<const CompiledModule> module) const;

 private:
  std::map<std::pair<std::string, std::string>, Extern, std::less<>> items_;
};

}  // namespace kumo::wasm
