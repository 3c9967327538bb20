// Resource handles crossing the canonical ABI (definitions.py lift_own, lift_borrow, lower_own,
// lower_borrow): handles move in and out of the instance's table, borrows are counted.
#include <fmt/format.h>

#include "component/runtime/abi_detail.hpp"

namespace kumo::component::rt {

using namespace detail;

namespace {

const char* describe(const ResourceType* rt) {
  return rt && rt->impl ? "guest-defined resource" : "host-defined resource";
}

// The run-time resource type a static own/borrow type names here (nullptr if the environment
// does not know it; then any resource is accepted).
ResourceType* resource_of(const LiftLowerContext& cx, const DefinedType& t) {
  return cx.env.resource(t.resource);
}

Trapping<ResourceHandle*> get_checked(LiftLowerContext& cx, uint32_t i, const DefinedType& t) {
  if (!cx.inst) return abi_trap("no instance to hold handles");
  KUMO_TRY(ResourceHandle * h, cx.inst->handles.get(i));
  ResourceType* want = resource_of(cx, t);
  if (want && h->rt != want) {
    const char* w = describe(want);
    const char* f = describe(h->rt);
    bool same = std::string_view(w) == f;
    return abi_trap(fmt::format("handle index {} used with the wrong type, expected {} but found {}{}",
                                i, w, same ? "a different " : "", f));
  }
  return h;
}

Trapping<ResourceType*> type_to_lower(const LiftLowerContext& cx, const Val& v, const DefinedType& t) {
  ResourceType* want = resource_of(cx, t);
  if (want && v.handle.type && v.handle.type != want) {
    return abi_trap(fmt::format("resource types are not the same: cannot lower a handle to a {} "
                                "as a different {}", describe(v.handle.type), describe(want)));
  }
  ResourceType* rt = want ? want : v.handle.type;
  if (!rt) return abi_trap("cannot lower a handle without a resource type");
  if (!cx.inst) return abi_trap("no instance to hold handles");
  return rt;
}

}  // namespace

namespace detail {

Trapping<Val> lift_own(LiftLowerContext& cx, uint32_t i, const DefinedType& t) {
  KUMO_TRY(ResourceHandle * h, get_checked(cx, i, t));
  if (h->num_lends != 0) return abi_trap("cannot remove owned resource while borrowed");
  if (!h->own) return abi_trap(fmt::format("handle index {} is a borrow, expected an owned handle", i));
  KUMO_TRY(ResourceHandle removed, cx.inst->handles.remove(i));
  return Val::own(ResourceRef{removed.rt, removed.rep});
}

Trapping<Val> lift_borrow(LiftLowerContext& cx, uint32_t i, const DefinedType& t) {
  KUMO_TRY(ResourceHandle * h, get_checked(cx, i, t));
  // The handle is lent for the duration of the call (Subtask.add_lender); release_lends gives it
  // back once the callee returned.
  h->num_lends++;
  cx.lent.push_back(i);
  return Val::borrow(ResourceRef{h->rt, h->rep});
}

Trapping<uint32_t> lower_own(LiftLowerContext& cx, const Val& v, const DefinedType& t) {
  if (v.kind != ValKind::Own) {
    return abi_trap(fmt::format("cannot lower a {} value as an owned handle", to_string(v.kind)));
  }
  KUMO_TRY(ResourceType * rt, type_to_lower(cx, v, t));
  ResourceHandle h;
  h.rt = rt;
  h.rep = v.handle.rep;
  h.own = true;
  return cx.inst->handles.add(h);
}

Trapping<uint32_t> lower_borrow(LiftLowerContext& cx, const Val& v, const DefinedType& t) {
  if (v.kind != ValKind::Borrow && v.kind != ValKind::Own) {
    return abi_trap(fmt::format("cannot lower a {} value as a borrowed handle", to_string(v.kind)));
  }
  KUMO_TRY(ResourceType * rt, type_to_lower(cx, v, t));
  // A borrow of one's own resource is passed as its representation.
  if (cx.inst == rt->impl) return v.handle.rep;
  ResourceHandle h;
  h.rt = rt;
  h.rep = v.handle.rep;
  h.own = false;
  h.borrow_scope = cx.borrow_scope;
  KUMO_TRY(uint32_t index, cx.inst->handles.add(h));
  if (cx.borrow_scope) cx.borrow_scope->num_borrows++;
  return index;
}

}  // namespace detail

void release_lends(LiftLowerContext& cx) {
  if (cx.inst) {
    for (uint32_t i : cx.lent) {
      auto h = cx.inst->handles.get(i);
      if (h && (*h)->num_lends > 0) (*h)->num_lends--;
    }
  }
  cx.lent.clear();
}

}  // namespace kumo::component::rt
