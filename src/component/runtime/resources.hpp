// Run-time state of component instances (CanonicalABI.md "Component Instances", "Table State",
// "Resource State"): resource types with their identity, handle tables, and the may_enter /
// may_leave flags that forbid re-entrance and leaving an instance at the wrong time.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "component/types.hpp"
#include "wasm/common/expected.hpp"
#include "wasm/runtime/objects.hpp"

namespace kumo::component::rt {

using wasm::Trap;
template <typename T>
using Trapping = Expected<T, Trap>;

// A trap raised by the component runtime (TrapCode::HostError with the canonical ABI's wording,
// e.g. "unknown handle index 3", "cannot leave component instance").
Unexpected<Trap> abi_trap(std::string message);

struct InstanceState;
class Store;

// The run-time identity of a resource type. Each `(type (resource ...))` definition makes a fresh
// one per instantiation of its component; the host makes its own. Compared by address.
struct ResourceType {
  std::string name;                // for messages ("guest-defined resource" when unknown)
  InstanceState* impl = nullptr;   // the defining component instance; nullptr: defined by the host
  wasm::FuncInst* dtor = nullptr;  // guest destructor: a core func taking the rep
  std::function<void(uint32_t rep)> host_dtor;  // host-defined resources (may be empty)
  // Host-defined resources whose objects live per store (e.g. WASI streams): run instead of
  // host_dtor when set, with the store the handle belonged to.
  std::function<void(Store& store, uint32_t rep)> host_store_dtor;
};

// Counts the borrow handles lowered into a callee during one call (CanonicalABI.md Task /
// Subtask num_borrows): the call traps if any is still alive when it returns.
struct BorrowScope {
  uint32_t num_borrows = 0;
};

struct ResourceHandle {
  ResourceType* rt = nullptr;
  uint32_t rep = 0;
  bool own = false;
  BorrowScope* borrow_scope = nullptr;  // borrows only: where this borrow is counted
  uint32_t num_lends = 0;               // own handles: borrows of it currently lent out
};

// A per-instance table of handles. Index 0 is never handed out; freed slots are reused most
// recently freed first, as in CanonicalABI.md `Table` (tests observe the indices).
class HandleTable {
 public:
  static constexpr uint32_t kMaxLength = (1u << 28) - 1;
  Trapping<uint32_t> add(const ResourceHandle& h);
  Trapping<ResourceHandle*> get(uint32_t index);    // traps "unknown handle index N"
  Trapping<ResourceHandle> remove(uint32_t index);  // likewise
  size_t live() const { return entries_.size() - 1 - free_.size(); }
  // Back to a fresh table: no handles, and the next index handed out is 1 again.
  void clear() {
    entries_.resize(1);
    free_.clear();
  }

 private:
  struct Slot {
    bool used = false;
    ResourceHandle h;
  };
  std::vector<Slot> entries_{Slot{}};
  std::vector<uint32_t> free_;
};

// One component instance's run-time state. Nested component instances have their parent set:
// entering an instance also enters those of its ancestors the caller is not already inside.
struct InstanceState {
  InstanceState* parent = nullptr;
  HandleTable handles;
  bool may_enter = true;
  bool may_leave = true;
  std::string name;  // for messages (the instantiation path), may be empty

  bool may_enter_from(const InstanceState* caller) const;
  void enter_from(const InstanceState* caller);
  void leave_to(const InstanceState* caller);
};

// What the static types of one component instance mean at run time: the arena they live in and
// the run-time resource type each static ResourceId stands for in this instantiation.
struct TypeEnv {
  std::shared_ptr<const TypeArena> arena;
  // ResourceId::value -> run-time type: a sorted vector (a component binds tens of resources; a
  // fresh instance per request should not allocate a hash node for each).
  struct ResourceMap {
    std::vector<std::pair<uint32_t, ResourceType*>> sorted;
    // Binds `id` unless it is bound already (the first binding wins).
    void try_emplace(uint32_t id, ResourceType* rt) {
      auto it = std::lower_bound(sorted.begin(), sorted.end(), id,
                                 [](const auto& e, uint32_t k) { return e.first < k; });
      if (it != sorted.end() && it->first == id) return;
      if (sorted.capacity() == 0) {  // one allocation for a typical component's resources
        sorted.reserve(16);
        it = sorted.begin();
      }
      sorted.insert(it, {id, rt});
    }
    ResourceType* get(uint32_t id) const {
      auto it = std::lower_bound(sorted.begin(), sorted.end(), id,
                                 [](const auto& e, uint32_t k) { return e.first < k; });
      return it != sorted.end() && it->first == id ? it->second : nullptr;
    }
    size_t size() const { return sorted.size(); }
  } resources;

  // The run-time type of `resource_type` (a TypeId of TypeKind::Resource); nullptr if unknown.
  ResourceType* resource(TypeId resource_type) const;
};

}  // namespace kumo::component::rt
