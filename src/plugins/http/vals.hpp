// Val helpers shared by the wasi:http host functions (types_*.cpp).
#pragma once

#include <string>
#include <string_view>

#include "plugins/http/fields.hpp"
#include "plugins/http/wasi_http.hpp"
#include "wasi/p2/vals.hpp"

namespace kumo::plugins::http {

namespace p2 = wasi::p2;
using p2::own_val;
using p2::table_of;

#define KUMO_HTTP_FN \
  [=](rt::HostCall & call, std::span<const Val> p, std::vector<Val> & out) -> rt::Trapping<void>

inline Val bytes_val(std::string_view s) {
  return p2::bytes_val({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}
inline std::string val_string_bytes(const Val& v) {
  if (v.byte_list) return v.str;
  std::string out;
  out.reserve(v.items.size());
  for (const Val& x : v.items) out.push_back(char(uint8_t(x.u)));
  return out;
}
inline Val option_string(std::optional<std::string_view> s) {
  return Val::option(s ? std::optional<Val>(Val::string(std::string(*s))) : std::nullopt);
}
inline std::optional<std::string> string_option(const Val& v) {
  if (!v.has_payload()) return std::nullopt;
  return v.payload().str;
}
inline Val header_error(HeaderError e) { return Val::error(Val::variant(uint32_t(e))); }

// An own handle passed to the host: take the object out of the table.
template <class T>
rt::Trapping<std::unique_ptr<T>> take_own(rt::HostCall& call, const Val& v, const char* what) {
  auto& table = table_of(call);
  if (!table.get<T>(v.handle.rep))
    return rt::abi_trap(fmt::format("wasi:http: unknown {} handle (rep {})", what, v.handle.rep));
  std::unique_ptr<p2::HostObject> o = table.take(v.handle.rep);
  if (!o)
    return rt::abi_trap(
        fmt::format("wasi:http: {} still has child resources (drop its streams "
                    "and headers first)",
                    what));
  return std::unique_ptr<T>(static_cast<T*>(o.release()));
}

// wasi:http method variant: the nine named cases, else other(string).
Val method_val(std::string_view m);
std::string method_name(const Val& v);
bool valid_method(const Val& v);
// scheme variant: HTTP, HTTPS, other(string)
Val scheme_val(std::string_view s);

}  // namespace kumo::plugins::http
