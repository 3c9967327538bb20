// Canonical definitions (CanonicalABI.md "Canonical Definitions"): canon lift and lower with their
// options, checked against the flattened core signature, and the resource built-ins. The async,
// error-context and thread built-ins are recognised and rejected: Kumo does not implement them.
#include "component/abi/layout.hpp"
#include "component/validator/context.hpp"

namespace kumo::component::validation {

namespace {

struct Options {
  const char* encoding = nullptr;  // as written, for conflict messages
  std::optional<uint32_t> memory;
  abi::PtrType ptr = abi::PtrType::I32;
  std::optional<uint32_t> realloc;
  std::optional<uint32_t> post_return;
  bool is_async = false;
  std::optional<uint32_t> callback;

  Expected<void> require_memory() const {
    if (!memory) return err("canonical option `memory` is required");
    return {};
  }
  Expected<void> require_realloc() const {
    KUMO_CHECK(require_memory());
    if (!realloc) return err("canonical option `realloc` is required");
    return {};
  }
};

const char* encoding_name(CanonOption::Kind k) {
  switch (k) {
    case CanonOption::Utf8: return "utf8";
    case CanonOption::Utf16: return "utf16";
    default: return "latin1-utf16";
  }
}

}  // namespace

Expected<void> Validator::canon(const Canon& c) {
  ComponentInfo& info = cur().info;

  // Options common to lift and lower.
  auto options = [&]() -> Expected<Options> {
    Options o;
    auto twice = [](const char* what) { return err("canonical option `{}` is specified more than once", what); };
    for (const CanonOption& opt : c.options) {
      switch (opt.kind) {
        case CanonOption::Utf8:
        case CanonOption::Utf16:
        case CanonOption::Latin1Utf16:
          if (o.encoding) {
            return err("canonical encoding option `{}` conflicts with option `{}`", o.encoding,
                       encoding_name(opt.kind));
          }
          o.encoding = encoding_name(opt.kind);
          break;
        case CanonOption::Memory: {
          if (o.memory) return twice("memory");
          if (opt.index >= info.core_memories.size()) {
            return err("unknown memory {}: memory index out of bounds", opt.index);
          }
          const wasm::MemoryType& m = info.core_memories[opt.index];
          if (m.limits.is64 && !features_.memory64) {
            return err("canonical ABI memory is not a 32-bit linear memory (64-bit memories need the "
                       "component-model memory64 feature)");
          }
          if (m.limits.shared) return err("mismatch in the shared flag for memories");
          o.memory = opt.index;
          o.ptr = m.limits.is64 ? abi::PtrType::I64 : abi::PtrType::I32;
          break;
        }
        case CanonOption::Realloc:
          if (o.realloc) return twice("realloc");
          o.realloc = opt.index;
          break;
        case CanonOption::PostReturn:
          if (o.post_return) return twice("post-return");
          o.post_return = opt.index;
          break;
        case CanonOption::Async:
          if (o.is_async) return twice("async");
          if (!features_.async) return err("canonical option `async` requires the component model async feature");
          o.is_async = true;
          break;
        case CanonOption::Callback:
          if (o.callback) return twice("callback");
          o.callback = opt.index;
          break;
        case CanonOption::CoreType:
        case CanonOption::Gc:
          return err("canonical option `{}` requires the component model gc feature",
                     opt.kind == CanonOption::Gc ? "gc" : "core-type");
      }
    }
    if (o.callback && !o.is_async) return err("cannot specify callback without async");
    if (o.is_async && o.post_return) return err("cannot specify post-return function in async");
    if (o.is_async) return err("the async canonical ABI is not supported yet");
    if (o.realloc) {
      if (!o.memory) return err("canonical option `realloc` requires `memory` to also be specified");
      KUMO_TRY(const wasm::FuncType* ft, core_func_at(*o.realloc));
      wasm::ValType p = abi::core_type(o.ptr);
      if (ft->params != std::vector<wasm::ValType>{p, p, p, p} || ft->results != std::vector<wasm::ValType>{p}) {
        return err("canonical option `realloc` uses a core function with an incorrect signature");
      }
    }
    return o;
  };

  // The memory/realloc requirements of a function type (CanonicalABI.md "canonopt Validation").
  auto requirements = [&](const FuncType& ft, const Options& o, abi::Context ctx,
                          const abi::FlatSignature& sig) -> Expected<void> {
    for (const auto& p : ft.params) {
      if (!abi::contains_pointer(arena_, p.type)) continue;
      KUMO_CHECK(ctx == abi::Context::Lower ? o.require_memory() : o.require_realloc());
    }
    if (sig.params_in_memory) {
      KUMO_CHECK(o.require_memory());
      if (ctx == abi::Context::Lift) KUMO_CHECK(o.require_realloc());
    }
    if (ft.result && ctx == abi::Context::Lower && abi::contains_pointer(arena_, *ft.result)) {
      KUMO_CHECK(o.require_realloc());
    }
    if (sig.results_in_memory) KUMO_CHECK(o.require_memory());
    return {};
  };

  auto push_core_func = [&](wasm::FuncType ft) -> Expected<void> {
    KUMO_CHECK(check_count(info.core_funcs.size() + info.funcs.size(), 1000000, "functions"));
    info.core_funcs.push_back(std::move(ft));
    return {};
  };

  switch (c.kind) {
    case CanonKind::Lift: {
      KUMO_TRY(TypeId ft_id, type_at(c.type_index));
      if (arena_.kind(ft_id) != TypeKind::Func) return err("type index {} is not a function type", c.type_index);
      KUMO_TRY(const wasm::FuncType* core, core_func_at(c.func_index));
      wasm::FuncType core_ft = *core;  // copy: index spaces may grow below
      KUMO_TRY(Options o, options());
      if (o.post_return) {
        KUMO_TRY(const wasm::FuncType* pr, core_func_at(*o.post_return));
        if (pr->params != core_ft.results || !pr->results.empty()) {
          return err("canonical option `post-return` uses a core function with an incorrect signature");
        }
      }
      const FuncType& ft = arena_.func(ft_id);
      if (ft.is_async) return err("async component functions are not supported yet");
      abi::FlatSignature sig = abi::flatten_func(arena_, ft, o.ptr, abi::Context::Lift);
      KUMO_CHECK(requirements(ft, o, abi::Context::Lift, sig));
      if (sig.type.params != core_ft.params) {
        return err("lowered parameter types `{}` do not match parameter types `{}` of core function {}",
                   core_types_text(sig.type.params), core_types_text(core_ft.params), c.func_index);
      }
      if (sig.type.results != core_ft.results) {
        return err("lowered result types `{}` do not match result types `{}` of core function {}",
                   core_types_text(sig.type.results), core_types_text(core_ft.results), c.func_index);
      }
      KUMO_CHECK(check_count(info.core_funcs.size() + info.funcs.size(), 1000000, "functions"));
      info.funcs.push_back(ft_id);
      return {};
    }
    case CanonKind::Lower: {
      KUMO_TRY(TypeId ft_id, func_at(c.func_index));
      KUMO_TRY(Options o, options());
      if (o.post_return) return err("canonical option `post-return` cannot be specified for lowerings");
      if (o.callback) return err("canonical option `callback` cannot be specified for lowerings");
      const FuncType& ft = arena_.func(ft_id);
      if (ft.is_async) return err("async component functions are not supported yet");
      abi::FlatSignature sig = abi::flatten_func(arena_, ft, o.ptr, abi::Context::Lower);
      KUMO_CHECK(requirements(ft, o, abi::Context::Lower, sig));
      return push_core_func(std::move(sig.type));
    }
    case CanonKind::ResourceNew: {
      KUMO_TRY(const LocalResource* r, local_resource_at(c.type_index));
      return push_core_func(wasm::FuncType{{r->rep}, {wasm::ValType::I32}});
    }
    case CanonKind::ResourceDrop: {
      KUMO_CHECK(resource_at(c.type_index));
      return push_core_func(wasm::FuncType{{wasm::ValType::I32}, {}});
    }
    case CanonKind::ResourceRep: {
      KUMO_TRY(const LocalResource* r, local_resource_at(c.type_index));
      return push_core_func(wasm::FuncType{{wasm::ValType::I32}, {r->rep}});
    }
    default: {
      bool thread = c.kind >= CanonKind::ThreadIndex ||
                    (c.kind == CanonKind::ThreadYield && !features_.async);
      bool error_context = c.kind == CanonKind::ErrorContextNew ||
                           c.kind == CanonKind::ErrorContextDebugMessage ||
                           c.kind == CanonKind::ErrorContextDrop;
      const char* feature = thread ? "threads" : error_context ? "error-context" : "async";
      bool enabled = thread ? features_.threads : error_context ? features_.error_context : features_.async;
      if (!enabled) {
        return err("canonical built-in `{}` requires the component model {} feature", to_string(c.kind), feature);
      }
      return err("canonical built-in `{}` is not supported yet", to_string(c.kind));
    }
  }
}

}  // namespace kumo::component::validation
