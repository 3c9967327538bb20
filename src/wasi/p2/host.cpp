// WasiHost::add_to_linker: every interface, each function guarded by its WIT signature.
#include <fmt/format.h>

#include "wasi/p2/signatures.hpp"
#include "wasi/p2/wasi.hpp"

namespace kumo::wasi::p2 {

using component::Val;
using component::ValKind;

bool params_match(std::string_view kinds, std::span<const Val> params) {
  if (params.size() != kinds.size()) return false;
  for (size_t i = 0; i < kinds.size(); i++) {
    ValKind k = params[i].kind;
    bool ok = false;
    switch (kinds[i]) {
      case 'b': ok = k == ValKind::Bool; break;
      case '8': ok = k == ValKind::U8; break;
      case '6': ok = k == ValKind::U16; break;
      case '3': ok = k == ValKind::U32; break;
      case '4': ok = k == ValKind::U64; break;
      case 's': ok = k == ValKind::String; break;
      case 'l': ok = k == ValKind::List; break;
      case 'r': ok = k == ValKind::Record || k == ValKind::Tuple; break;
      case 'v':
        ok = k == ValKind::Variant || k == ValKind::Enum || k == ValKind::Option ||
             k == ValKind::Result;
        break;
      case 'f': ok = k == ValKind::Flags; break;
      case 'o': ok = k == ValKind::Own; break;
      case 'w': ok = k == ValKind::Borrow; break;
    }
    if (!ok) return false;
  }
  return true;
}

void WasiHost::add_to_linker(rt::Linker& linker) {
  add_io(linker, types_);
  add_clocks_random(linker, types_);
  add_cli(linker, types_);
  add_filesystem(linker, types_);
  add_sockets(linker, types_);
  // Wrap each function with the check of its parameters' shape (see signatures.hpp).
  for (const Signature& sig : wasi_signatures()) {
    rt::LinkerInstance& li = linker.instance(versioned(sig.interface));
    auto it = li.defs().find(sig.function);
    if (it == li.defs().end() || it->second.kind != rt::LinkerInstance::Def::HostFunction) continue;
    rt::HostFunc inner = it->second.host;
    std::string_view kinds = sig.kinds;
    std::string name = fmt::format("{}#{}", sig.interface, sig.function);
    li.func(std::string(sig.function),
            [inner = std::move(inner), kinds, name](rt::HostCall& call, std::span<const Val> p,
                                                    std::vector<Val>& out) -> rt::Trapping<void> {
              if (!params_match(kinds, p))
                return rt::abi_trap(fmt::format(
                    "wasi: `{}` is imported with parameters that do not match WASI 0.2", name));
              return inner(call, p, out);
            });
  }
}

}  // namespace kumo::wasi::p2
