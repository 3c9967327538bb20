#include "component/runtime/resources.hpp"

#include <fmt/format.h>

namespace kumo::component::rt {

Unexpected<Trap> abi_trap(std::string message) {
  return wasm::make_trap(wasm::TrapCode::HostError, std::move(message));
}

// ---------------------------------------------------------------------------------------------
// HandleTable (definitions.py Table)

Trapping<uint32_t> HandleTable::add(const ResourceHandle& h) {
  uint32_t i;
  if (!free_.empty()) {
    // Most recently freed first: Table.add pops the end of its free list.
    i = free_.back();
    free_.pop_back();
  } else {
    if (entries_.size() > kMaxLength) return abi_trap("handle table is full");
    i = uint32_t(entries_.size());
    entries_.emplace_back();
  }
  entries_[i].used = true;
  entries_[i].h = h;
  return i;
}

Trapping<ResourceHandle*> HandleTable::get(uint32_t index) {
  if (index >= entries_.size() || !entries_[index].used) {
    return abi_trap(fmt::format("unknown handle index {}", index));
  }
  return &entries_[index].h;
}

Trapping<ResourceHandle> HandleTable::remove(uint32_t index) {
  KUMO_TRY(ResourceHandle * h, get(index));
  ResourceHandle out = *h;
  entries_[index].used = false;
  entries_[index].h = ResourceHandle{};
  free_.push_back(index);
  return out;
}

// ---------------------------------------------------------------------------------------------
// InstanceState (definitions.py ComponentInstance): entering an instance from `caller` enters it
// and those of its ancestors the caller is not already inside (self_and_ancestors minus the
// caller's self_and_ancestors).

namespace {

bool is_self_or_ancestor(const InstanceState* inst, const InstanceState* of) {
  for (const InstanceState* a = of; a; a = a->parent) {
    if (a == inst) return true;
  }
  return false;
}

template <typename F>
void for_entering_set(InstanceState* self, const InstanceState* caller, F f) {
  for (InstanceState* a = self; a; a = a->parent) {
    if (!is_self_or_ancestor(a, caller)) f(*a);
  }
}

}  // namespace

bool InstanceState::may_enter_from(const InstanceState* caller) const {
  for (const InstanceState* a = this; a; a = a->parent) {
    if (!is_self_or_ancestor(a, caller) && !a->may_enter) return false;
  }
  return true;
}

void InstanceState::enter_from(const InstanceState* caller) {
  for_entering_set(this, caller, [](InstanceState& s) { s.may_enter = false; });
}

void InstanceState::leave_to(const InstanceState* caller) {
  for_entering_set(this, caller, [](InstanceState& s) { s.may_enter = true; });
}

// ---------------------------------------------------------------------------------------------
// TypeEnv

ResourceType* TypeEnv::resource(TypeId resource_type) const {
  if (!arena || !resource_type.valid() || resource_type.index >= arena->size() ||
      arena->kind(resource_type) != TypeKind::Resource) {
    return nullptr;
  }
  return resources.get(arena->resource(resource_type).value);
}

}  // namespace kumo::component::rt
