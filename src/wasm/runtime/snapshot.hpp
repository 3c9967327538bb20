// Instance recycling: the mutable state of a Store (memory contents and sizes, table elements,
// global values, element and data segments not yet dropped), captured right after instantiation,
// and restored after a call. A restored store is indistinguishable, for the code in it, from a
// freshly instantiated one: a server can hand the next request an instance in its pristine state
// without building the instance again (Lucet's Instance::reset did the same).
//
// Not captured, because nothing in a store can change it after instantiation: functions, types,
// tags, imports and exports. restore() refuses (returns false) when a memory's size changed or it
// has more than 64 MiB of written pages: the caller must drop the store then, as it must after a
// trap (the store may be mid-call). It also refuses when the store gained objects since capture
// (functions, memories, tables, globals, instances, exceptions retained for exnrefs).
#pragma once

#include <array>
#include <memory>
#include <span>
#include <vector>

#include "wasm/common/expected.hpp"
#include "wasm/runtime/objects.hpp"

namespace kumo::wasm {

class Store;

class StoreSnapshot {
 public:
  // Fails when some memory cannot be tracked (no /proc/self/pagemap).
  static Expected<StoreSnapshot> capture(Store& store);
  // Brings `store` (the one captured) back to the captured state; false (nothing reliable done:
  // drop the store) when a memory grew since, or the store gained objects.
  bool restore(Store& store) const;

 private:
  struct InstanceSegments {
    std::vector<std::vector<Ref>> elems;
    std::vector<std::span<const uint8_t>> datas;
  };
  std::vector<MemoryInst::Pages> memories_;
  std::vector<std::vector<Ref>> tables_;
  std::vector<std::array<uint64_t, 2>> globals_;
  std::vector<InstanceSegments> instances_;
  size_t funcs_ = 0, func_blocks_ = 0;
  size_t exceptions_ = 0;  // exceptions the interpreter retained for exnrefs
};

}  // namespace kumo::wasm
