#include "cli/wast_component_host.hpp"

#include <fmt/format.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "component/runtime/store.hpp"
#include "wasm/runtime/objects.hpp"

namespace kumo::cli {

namespace rt = component::rt;
using component::DefinedKind;
using component::PrimValType;
using component::Val;
using component::ValType;
using rt::Trapping;

namespace {

// What a host function accepts; it checks the importer's declared type against it on each call
// (a HostFunc takes whatever type the importer declares), so a wrong import traps with a clear
// message instead of misreading values.
enum class P : uint8_t { U32, String, Own, Borrow };

bool type_is(const component::TypeArena& arena, const ValType& t, P p) {
  if (t.is_primitive()) return (p == P::U32 && t.prim() == PrimValType::U32) ||
                               (p == P::String && t.prim() == PrimValType::String);
  const auto& d = arena.defined(t.type());
  switch (p) {
    case P::U32: return d.kind == DefinedKind::Primitive && d.prim == PrimValType::U32;
    case P::String: return d.kind == DefinedKind::Primitive && d.prim == PrimValType::String;
    case P::Own: return d.kind == DefinedKind::Own;
    case P::Borrow: return d.kind == DefinedKind::Borrow;
  }
  return false;
}

Trapping<void> check_sig(const rt::HostCall& call, std::string_view name, std::initializer_list<P> params,
                         std::optional<P> result) {
  const component::FuncType& ft = call.func_type();
  bool ok = ft.params.size() == params.size() && ft.result.has_value() == result.has_value() && !ft.is_async;
  size_t i = 0;
  for (P p : params) {
    if (!ok) break;
    ok = type_is(call.arena, ft.params[i++].type, p);
  }
  if (ok && result) ok = type_is(call.arena, *ft.result, *result);
  if (ok) return {};
  return rt::abi_trap(fmt::format("host function `{}` does not have the imported type {}", name,
                                  component::to_string(call.arena, call.type)));
}

// The bytes of (module (global (export "g") i32 (i32.const 100)) (func (export "f") (result i32)
// (i32.const 101))), the host's `simple-module`.
const std::vector<uint8_t>& simple_module_bytes() {
  static const std::vector<uint8_t> b = {
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,                          // type: () -> i32
      0x03, 0x02, 0x01, 0x00,                                            // func 0: type 0
      0x06, 0x07, 0x01, 0x7f, 0x00, 0x41, 0xe4, 0x00, 0x0b,              // global i32 = 100
      0x07, 0x09, 0x02, 0x01, 'g', 0x03, 0x00, 0x01, 'f', 0x00, 0x00,    // exports g, f
      0x0a, 0x07, 0x01, 0x05, 0x00, 0x41, 0xe5, 0x00, 0x0b,              // f: i32.const 101
  };
  return b;
}

// A function of no parameters returning a constant u32.
rt::HostFunc returns_u32(std::string name, uint32_t value) {
  return [name = std::move(name), value](rt::HostCall& call, std::span<const Val>,
                                         std::vector<Val>& results) -> Trapping<void> {
    KUMO_CHECK(check_sig(call, name, {}, P::U32));
    results.push_back(Val::u32(value));
    return {};
  };
}

// The u32 parameter echoed back (stand-in for wasmtime's async echo functions, called synchronously).
rt::HostFunc echoes_u32(std::string name) {
  return [name = std::move(name)](rt::HostCall& call, std::span<const Val> params,
                                  std::vector<Val>& results) -> Trapping<void> {
    KUMO_CHECK(check_sig(call, name, {P::U32}, P::U32));
    results.push_back(params[0]);
    return {};
  };
}

}  // namespace

Expected<std::shared_ptr<ComponentSpectestState>> define_component_spectest(rt::Linker& linker,
                                                                           rt::Store& store) {
  auto state = std::make_shared<ComponentSpectestState>();
  rt::LinkerInstance& root = linker.root();
  root.func("host-return-two", returns_u32("host-return-two", 2));
  root.func("host-echo-u32", echoes_u32("host-echo-u32"));

  rt::LinkerInstance& host = linker.instance("host");
  host.func("return-three", returns_u32("return-three", 3));
  host.instance("nested").func("return-four", returns_u32("return-four", 4));

  auto module = wasm::compile(store.engine(), simple_module_bytes());
  if (!module) return err("the host's simple-module does not compile: {}", module.error().message);
  host.module("simple-module", std::move(*module));

  // resource1 counts its drops; resource1-again is the same type under another name (so the
  // tests' `(eq ...)` constraints between the two hold); resource2 is a type of its own.
  rt::ResourceType* r1 = store.new_resource_type("resource1", nullptr, nullptr);
  r1->host_dtor = [state](uint32_t rep) {
    ++state->drops;
    state->last_drop = rep;
  };
  rt::ResourceType* r2 = store.new_resource_type("resource2", nullptr, nullptr);
  host.resource("resource1", r1);
  host.resource("resource2", r2);
  host.resource("resource1-again", r1);

  // Checks that a resource argument is a resource1 handle of the given ownership and rep.
  auto check_r1 = [r1](std::string_view fn, const Val& v, bool own, std::optional<uint64_t> rep) -> Trapping<void> {
    if (v.handle.type != r1)
      return rt::abi_trap(fmt::format("{}: the handle is not a resource1", fn));
    if ((v.kind == component::ValKind::Own) != own)
      return rt::abi_trap(fmt::format("{}: expected {} handle", fn, own ? "an own" : "a borrow"));
    if (rep && v.handle.rep != *rep)
      return rt::abi_trap(fmt::format("{}: the handle's rep is {}, expected {}", fn, v.handle.rep, *rep));
    return {};
  };

  host.func("[constructor]resource1",
            [r1](rt::HostCall& call, std::span<const Val> params, std::vector<Val>& results) -> Trapping<void> {
              KUMO_CHECK(check_sig(call, "[constructor]resource1", {P::U32}, P::Own));
              results.push_back(Val::own(component::ResourceRef{r1, uint32_t(params[0].u)}));
              return {};
            });
  host.func("[static]resource1.assert",
            [check_r1](rt::HostCall& call, std::span<const Val> params, std::vector<Val>&) -> Trapping<void> {
              KUMO_CHECK(check_sig(call, "[static]resource1.assert", {P::Own, P::U32}, std::nullopt));
              // The host now owns the handle; like wasmtime's harness it lets it go without
              // running the destructor.
              return check_r1("[static]resource1.assert", params[0], true, params[1].u);
            });
  host.func("[static]resource1.last-drop",
            [state](rt::HostCall& call, std::span<const Val>, std::vector<Val>& results) -> Trapping<void> {
              KUMO_CHECK(check_sig(call, "[static]resource1.last-drop", {}, P::U32));
              results.push_back(Val::u32(state->last_drop));
              return {};
            });
  host.func("[static]resource1.drops",
            [state](rt::HostCall& call, std::span<const Val>, std::vector<Val>& results) -> Trapping<void> {
              KUMO_CHECK(check_sig(call, "[static]resource1.drops", {}, P::U32));
              results.push_back(Val::u32(state->drops));
              return {};
            });
  host.func("[method]resource1.simple",
            [check_r1](rt::HostCall& call, std::span<const Val> params, std::vector<Val>&) -> Trapping<void> {
              KUMO_CHECK(check_sig(call, "[method]resource1.simple", {P::Borrow, P::U32}, std::nullopt));
              return check_r1("[method]resource1.simple", params[0], false, params[1].u);
            });
  host.func("[method]resource1.take-borrow",
            [check_r1](rt::HostCall& call, std::span<const Val> params, std::vector<Val>&) -> Trapping<void> {
              KUMO_CHECK(check_sig(call, "[method]resource1.take-borrow", {P::Borrow, P::Borrow}, std::nullopt));
              KUMO_CHECK(check_r1("[method]resource1.take-borrow", params[0], false, std::nullopt));
              return check_r1("[method]resource1.take-borrow", params[1], false, std::nullopt);
            });
  host.func("[method]resource1.take-own",
            [check_r1](rt::HostCall& call, std::span<const Val> params, std::vector<Val>&) -> Trapping<void> {
              KUMO_CHECK(check_sig(call, "[method]resource1.take-own", {P::Borrow, P::Own}, std::nullopt));
              KUMO_CHECK(check_r1("[method]resource1.take-own", params[0], false, std::nullopt));
              return check_r1("[method]resource1.take-own", params[1], true, std::nullopt);
            });

  // wasmtime's asynchronous host functions, for synchronous callers: the "slow" ones complete at
  // once; the never-returning ones would block a synchronous caller forever, so they trap.
  host.func("return-two-slowly", returns_u32("return-two-slowly", 2));
  host.func("echo-slowly", echoes_u32("echo-slowly"));
  auto never = [](std::string name) {
    return [name = std::move(name)](rt::HostCall&, std::span<const Val>, std::vector<Val>&) -> Trapping<void> {
      return rt::abi_trap(fmt::format("host function `{}` never returns (it needs the async component model)", name));
    };
  };
  host.func("never-return", never("never-return"));
  host.func("[method]resource1.never-return", never("[method]resource1.never-return"));

  host.func("return-hi", [](rt::HostCall& call, std::span<const Val>, std::vector<Val>& results) -> Trapping<void> {
    KUMO_CHECK(check_sig(call, "return-hi", {}, P::String));
    results.push_back(Val::string("hi"));
    return {};
  });
  return state;
}

}  // namespace kumo::cli
