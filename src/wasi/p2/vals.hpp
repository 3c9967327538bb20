// Small helpers the WASI 0.2 host functions share: Val construction for the WIT types they use,
// and reaching table objects behind handles. Host functions use the dynamic HostFunc API: no
// per-call signature walk, values built directly.
#pragma once

#include <fmt/format.h>

#include <span>
#include <string>
#include <vector>

#include "component/runtime/func.hpp"
#include "component/runtime/val.hpp"
#include "wasi/p2/streams.hpp"
#include "wasi/p2/table.hpp"

namespace kumo::wasi::p2 {

using component::ResourceRef;
using component::Val;

// The signature of every host function here.
#define KUMO_P2_FN                                                                   \
  [=]([[maybe_unused]] rt::HostCall & call, [[maybe_unused]] std::span<const Val> p, \
      [[maybe_unused]] std::vector<Val> & out) -> rt::Trapping<void>

// list<u8> results go out compact (one copy into the guest's memory when lowered).
inline Val bytes_val(std::span<const uint8_t> b) {
  return Val::bytes(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}
inline std::vector<uint8_t> val_bytes(const Val& v) {
  if (v.byte_list) return std::vector<uint8_t>(v.str.begin(), v.str.end());
  std::vector<uint8_t> out;
  out.reserve(v.items.size());
  for (const Val& x : v.items) out.push_back(uint8_t(x.u));
  return out;
}
// Part `i` of a parameter (record field, tuple element, payload), or an empty Val: an importer
// may declare nested shapes other than WASI's (only the top level is checked, host.cpp).
inline const Val& part(const Val& v, size_t i) {
  static const Val kNone;
  return i < v.items.size() ? v.items[i] : kNone;
}

inline Val own_val(rt::ResourceType* t, uint32_t rep) { return Val::own(ResourceRef{t, rep}); }

inline ResourceTable& table_of(rt::HostCall& call) { return wasi_view(call.store).table(); }

// The object of class T behind handle `v` (own or borrow), or a trap naming `what`.
template <class T>
rt::Trapping<T*> self(rt::HostCall& call, const Val& v, const char* what) {
  T* o = table_of(call).get<T>(v.handle.rep);
  if (!o) return rt::abi_trap(fmt::format("wasi: unknown {} handle (rep {})", what, v.handle.rep));
  return o;
}

// stream-error as a Val (variant: last-operation-failed(own<error>) | closed); a failure's error
// object goes into the table.
inline Val stream_error_val(rt::HostCall& call, rt::ResourceType* error_type,
                            const StreamError& e) {
  if (e.kind == StreamError::Closed) return Val::variant(1);
  auto obj = std::make_unique<IoError>(e.error ? e.error->message : std::string("error"),
                                       e.error ? e.error->errno_value : 0);
  return Val::variant(0, own_val(error_type, table_of(call).push(std::move(obj))));
}

}  // namespace kumo::wasi::p2
