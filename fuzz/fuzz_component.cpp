// libFuzzer target for component binaries: decode, validate, and describe the component as WIT
// (wit/from_component.hpp, what `kumo inspect` prints), then resolve that text again. Anything
// but a clean error (a crash, a sanitizer report, an assertion, a hang) is a bug.
//
// Built as a libFuzzer binary (kumo_fuzz_component) with -DKUMO_FUZZ=ON (clang), and linked with
// replay_main.cpp into kumo_fuzz_component_replay, which CTest runs over the component spec tests,
// the jco components and tests/component/fuzz-regressions/ (fuzz_component_corpus).
//
// Each valid component is then compiled, its imports satisfied by trivial host items made from
// its type (functions returning zero values of their result type, host resource types), and
// instantiated under an epoch deadline; its exported functions whose parameters hold no handles
// are called with zero values. Traps are fine; crashes and hangs are not.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <span>
#include <thread>

#include "component/component.hpp"
#include "component/runtime/linker.hpp"
#include "component/validator.hpp"
#include "wit/from_component.hpp"
#include "wit/resolve.hpp"

namespace {

using namespace kumo::component;

kumo::wasm::Engine& fuzz_engine() {
  static kumo::wasm::Engine* engine = [] {
    kumo::wasm::Config config;
    config.max_memory_bytes = uint64_t(256) << 20;
    config.max_call_depth = 2000;
    config.value_stack_bytes = size_t(1) << 20;
    auto* e = new kumo::wasm::Engine(config);
    std::thread([e] {
      for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        e->increment_epoch();
      }
    }).detach();
    return e;
  }();
  return *engine;
}

// The zero value of `t`; nullopt if it holds a handle (the host has none to give).
std::optional<Val> zero_val(const TypeArena& a, const ValType& t, int depth = 0) {
  if (depth > 64) return std::nullopt;
  if (t.is_primitive()) {
    switch (t.prim()) {
      case PrimValType::Bool: return Val::boolean(false);
      case PrimValType::S8: return Val::s8(0);
      case PrimValType::U8: return Val::u8(0);
      case PrimValType::S16: return Val::s16(0);
      case PrimValType::U16: return Val::u16(0);
      case PrimValType::S32: return Val::s32(0);
      case PrimValType::U32: return Val::u32(0);
      case PrimValType::S64: return Val::s64(0);
      case PrimValType::U64: return Val::u64(0);
      case PrimValType::F32: return Val::float32(0);
      case PrimValType::F64: return Val::float64(0);
      case PrimValType::Char: return Val::character(U'a');
      case PrimValType::String: return Val::string("");
      default: return std::nullopt;
    }
  }
  if (a.kind(t.type()) != TypeKind::Defined) return std::nullopt;
  const DefinedType& d = a.defined(t.type());
  auto all = [&](const std::vector<ValType>& ts) -> std::optional<std::vector<Val>> {
    std::vector<Val> v;
    for (const ValType& x : ts) {
      auto z = zero_val(a, x, depth + 1);
      if (!z) return std::nullopt;
      v.push_back(std::move(*z));
    }
    return v;
  };
  auto payload = [&](const std::optional<ValType>& p) -> std::optional<std::optional<Val>> {
    if (!p) return std::optional<Val>();
    auto z = zero_val(a, *p, depth + 1);
    if (!z) return std::nullopt;
    return std::optional<Val>(std::move(*z));
  };
  switch (d.kind) {
    case DefinedKind::Primitive: return zero_val(a, ValType::primitive(d.prim), depth + 1);
    case DefinedKind::Record: {
      std::vector<ValType> ts;
      for (const Field& f : d.fields) ts.push_back(f.type);
      auto v = all(ts);
      if (!v) return std::nullopt;
      return Val::record(std::move(*v));
    }
    case DefinedKind::Tuple: {
      auto v = all(d.types);
      if (!v) return std::nullopt;
      return Val::tuple(std::move(*v));
    }
    case DefinedKind::Variant: {
      if (d.cases.empty()) return std::nullopt;
      auto p = payload(d.cases[0].type);
      if (!p) return std::nullopt;
      return Val::variant(0, std::move(*p));
    }
    case DefinedKind::Enum: return Val::enumeration(0);
    case DefinedKind::Flags:
      return Val::flag_set(std::vector<uint32_t>((d.labels.size() + 31) / 32, 0));
    case DefinedKind::List: return Val::list({});
    case DefinedKind::Option: return Val::option(std::nullopt);
    case DefinedKind::Result: {
      auto p = payload(d.ok);
      if (!p) return std::nullopt;
      return Val::ok(std::move(*p));
    }
    default: return std::nullopt;
  }
}

// A host function of the importer's type that returns zero values (or traps when it cannot).
rt::HostFunc zero_func() {
  return [](rt::HostCall& call, std::span<const Val>,
            std::vector<Val>& results) -> rt::Trapping<void> {
    const FuncType& ft = call.func_type();
    if (!ft.result) return {};
    auto z = zero_val(call.arena, *ft.result);
    if (!z) return rt::abi_trap("fuzz host: cannot make a value of this result type");
    results.push_back(std::move(*z));
    return {};
  };
}

// Satisfies the component's imports; false when one cannot be (components, modules, values).
bool define_imports(rt::Linker& linker, const rt::Component& comp,
                    std::deque<rt::ResourceType>& types) {
  const TypeArena& a = *comp.arena();
  auto define = [&](rt::LinkerInstance& li, const NamedEntity& e) {
    switch (e.type.sort) {
      case ExternSort::Func: li.func(e.name.name, zero_func()); return true;
      case ExternSort::Type:
        if (a.kind(e.type.type) == TypeKind::Resource) {
          auto& r = types.emplace_back();
          r.name = e.name.name;
          li.resource(e.name.name, &r);
        }
        return true;
      default: return false;
    }
  };
  for (const NamedEntity& imp : comp.type().imports) {
    if (imp.type.sort == ExternSort::Instance) {
      rt::LinkerInstance& li = linker.instance(imp.name.name);
      for (const NamedEntity& e : a.instance(imp.type.type).exports)
        if (!define(li, e)) return false;
    } else if (!define(linker.root(), imp)) {
      return false;
    }
  }
  return true;
}

void call_exports(rt::Store& store, const rt::InstanceItems& items, int depth) {
  for (const auto& [name, item] : items.exports) {
    if (item.sort == ExternSort::Instance && item.instance && depth < 4) {
      call_exports(store, *item.instance, depth + 1);
      continue;
    }
    if (item.sort != ExternSort::Func || !item.func) continue;
    const FuncType& ft = item.func->func_type();
    if (ft.is_async) continue;
    std::vector<Val> args;
    bool ok = true;
    for (const Param& p : ft.params) {
      auto z = zero_val(*item.func->arena, p.type);
      if (!z) {
        ok = false;
        break;
      }
      args.push_back(std::move(*z));
    }
    if (!ok) continue;
    store.core().set_epoch_deadline(20);
    (void)rt::call(store, *item.func, args);  // a trap is a fine outcome
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kumo;
  std::span<const uint8_t> bytes(data, size);
  auto decoded = component::decode_component(bytes);
  if (!decoded) return 0;  // a clean rejection
  // With every gated feature on as well, so that their validation paths are reached too.
  component::Features all;
  all.values = all.async = all.async_builtins = all.async_stackful = all.error_context = true;
  all.threads = all.nested_names = all.memory64 = all.gc = true;
  for (const component::Features& features : {component::Features{}, all}) {
    auto valid = component::validate_component(*decoded, features);
    if (!valid) continue;
    auto world = wit::world_from_component(**valid);
    if (!world) continue;
    std::string text = wit::print_component_world(*world);
    // The printed world need not resolve (WIT cannot express every component), but trying must
    // not crash either.
    wit::Resolve again;
    (void)wit::push_source(again, "printed.wit", text);
  }

  // Run it: compile, link against trivial host items, instantiate, call.
  auto comp = rt::Component::compile(fuzz_engine(), bytes);
  if (!comp) return 0;
  std::deque<rt::ResourceType> host_types;
  rt::Linker linker;
  if (!define_imports(linker, **comp, host_types)) return 0;
  auto pre = linker.instantiate_pre(*comp);
  if (!pre) return 0;
  rt::Store store(fuzz_engine());
  store.core().set_epoch_deadline(20);  // ~100 ms for the start functions
  auto inst = (*pre)->instantiate(store);
  if (!inst) return 0;
  call_exports(store, inst->exports(), 0);
  static const bool verbose = std::getenv("KUMO_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "instantiated a component of %zu bytes\n", size);
  return 0;
}
