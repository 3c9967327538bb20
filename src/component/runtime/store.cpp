#include "component/runtime/store.hpp"

namespace kumo::component::rt {

Expected<void> Store::capture() {
  KUMO_TRY(auto snap, wasm::StoreSnapshot::capture(core_));
  snapshot_ = std::move(snap);
  captured_instances_ = instances_.size();
  captured_resources_ = resources_.size();
  captured_dtors_ = dtors_.size();
  return {};
}

bool Store::restore() {
  if (!snapshot_) return false;
  // Objects made after capture (a nested instantiation at run time) hold state not captured.
  if (instances_.size() != captured_instances_ || resources_.size() != captured_resources_ ||
      dtors_.size() != captured_dtors_)
    return false;
  if (!snapshot_->restore(core_)) return false;
  instances_.for_each([](InstanceState& s) {
    s.handles.clear();
    s.may_enter = s.may_leave = true;
  });
  return true;
}

}  // namespace kumo::component::rt
