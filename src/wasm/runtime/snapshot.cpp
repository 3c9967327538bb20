#include "wasm/runtime/snapshot.hpp"

#include "wasm/interp/exec_state.hpp"
#include "wasm/runtime/store.hpp"

namespace kumo::wasm {

Expected<StoreSnapshot> StoreSnapshot::capture(Store& store) {
  StoreSnapshot s;
  s.memories_.reserve(store.memories_.size());
  for (const auto& m : store.memories_) {
    if (!m->capture(s.memories_.emplace_back()))
      return err("cannot track the pages of a linear memory (/proc/self/pagemap unavailable)");
  }
  s.tables_.reserve(store.tables_.size());
  store.tables_.for_each([&](TableInst& t) { s.tables_.push_back(t.elems); });
  s.globals_.reserve(store.globals_.size());
  store.globals_.for_each([&](GlobalInst& g) { s.globals_.push_back({g.value[0], g.value[1]}); });
  s.instances_.reserve(store.instances_.size());
  store.instances_.for_each([&](Instance& i) {
    s.instances_.push_back({i.elems, {i.datas.begin(), i.datas.end()}});
  });
  s.funcs_ = store.funcs_.size();
  s.func_blocks_ = store.func_blocks_.size();
  s.exceptions_ = store.exec_ ? store.exec_->exceptions.size() : 0;
  return s;
}

bool StoreSnapshot::restore(Store& store) const {
  // New objects since capture would hold state nothing here restores.
  if (store.memories_.size() != memories_.size() || store.tables_.size() != tables_.size() ||
      store.globals_.size() != globals_.size() || store.instances_.size() != instances_.size() ||
      store.funcs_.size() != funcs_ || store.func_blocks_.size() != func_blocks_)
    return false;
  // Exceptions an exnref may still reach live as long as the store: a store that retained more
  // since capture would keep them across restores.
  if ((store.exec_ ? store.exec_->exceptions.size() : 0) != exceptions_) return false;
  // MemoryInst::restore refuses a memory that grew; the caller then drops the whole store, so
  // what was restored before that does not matter.
  for (size_t i = 0; i < memories_.size(); ++i)
    if (!store.memories_[i]->restore(memories_[i])) return false;
  size_t k = 0;
  store.tables_.for_each([&](TableInst& t) {
    const auto& want = tables_[k++];
    // Tables rarely change (table.set, table.grow): compare before copying.
    if (t.elems != want) t.elems = want;
  });
  k = 0;
  store.globals_.for_each([&](GlobalInst& g) {
    g.value[0] = globals_[k][0];
    g.value[1] = globals_[k][1];
    ++k;
  });
  k = 0;
  store.instances_.for_each([&](Instance& inst) {
    const InstanceSegments& seg = instances_[k++];
    if (inst.elems != seg.elems) inst.elems = seg.elems;                         // elem.drop
    for (size_t d = 0; d < seg.datas.size(); ++d) inst.datas[d] = seg.datas[d];  // data.drop
  });
  return true;
}

}  // namespace kumo::wasm
