// Canonical definitions (CanonicalABI.md "Canonical Definitions"): the options, canon lift and
// lower checked against the flattened core signature, and the resource built-ins. The other
// built-ins are in canon_builtins.cpp.
#include "component/validator/context.hpp"

namespace kumo::component::validation {

namespace {

const char* encoding_name(CanonOption::Kind k) {
  switch (k) {
    case CanonOption::Utf8: return "utf8";
    case CanonOption::Utf16: return "utf16";
    default: return "latin1-utf16";
  }
}

}  // namespace

Expected<void> CanonOptions::require_memory() const {
  if (!memory) return err("canonical option `memory` is required");
  return {};
}

Expected<void> CanonOptions::require_realloc() const {
  KUMO_CHECK(require_memory());
  if (!realloc) return err("canonical option `realloc` is required");
  return {};
}

Expected<void> CanonOptions::check_not_lift(const char* where) const {
  if (post_return) return err("canonical option `post-return` cannot be specified for {}", where);
  if (callback) return err("canonical option `callback` cannot be specified for {}", where);
  return {};
}

Expected<abi::PtrType> Validator::canon_memory(uint32_t index) {
  const auto& mems = cur().info.core_memories;
  if (index >= mems.size()) return err("unknown memory {}: memory index out of bounds", index);
  const wasm::MemoryType& m = mems[index];
  if (m.limits.is64 && !features_.memory64) {
    return err("canonical ABI memory is not a 32-bit linear memory (64-bit memories need the "
               "component-model memory64 feature)");
  }
  if (m.limits.shared) return err("mismatch in the shared flag for memories");
  return m.limits.is64 ? abi::PtrType::I64 : abi::PtrType::I32;
}

Expected<CanonOptions> Validator::canon_options(const std::vector<CanonOption>& opts) {
  CanonOptions o;
  auto twice = [](const char* what) { return err("canonical option `{}` is specified more than once", what); };
  for (const CanonOption& opt : opts) {
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
        KUMO_TRY(o.ptr, canon_memory(opt.index));
        o.memory = opt.index;
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
      case CanonOption::Gc: {
        bool gc = opt.kind == CanonOption::Gc;
        if (!features_.gc) {
          return err("canonical option `{}` requires the component model gc feature", gc ? "gc" : "core-type");
        }
        if (gc) {
          if (o.gc) return twice("gc");
          o.gc = true;
        } else {
          if (o.core_type) return twice("core-type");
          o.core_type = opt.index;
        }
        break;
      }
    }
  }
  if (o.callback && !o.is_async) return err("cannot specify callback without async");
  if (o.is_async && o.post_return) return err("cannot specify post-return function in async");
  if (o.realloc) {
    if (!o.memory) return err("canonical option `realloc` requires `memory` to also be specified");
    KUMO_TRY(const wasm::FuncType* ft, core_func_at(*o.realloc));
    wasm::ValType p = abi::core_type(o.ptr);
    if (ft->params != std::vector<wasm::ValType>{p, p, p, p} || ft->results != std::vector<wasm::ValType>{p}) {
      return err("canonical option `realloc` uses a core function with an incorrect signature");
    }
  }
  if (o.callback) {
    KUMO_TRY(const wasm::FuncType* ft, core_func_at(*o.callback));
    wasm::ValType i32 = wasm::ValType::I32;
    if (ft->params != std::vector<wasm::ValType>{i32, i32, i32} || ft->results != std::vector<wasm::ValType>{i32}) {
      return err("canonical option `callback` uses a core function with an incorrect signature");
    }
  }
  return o;
}

Expected<void> Validator::push_core_func(wasm::FuncType ft) {
  ComponentInfo& info = cur().info;
  KUMO_CHECK(check_count(info.core_funcs.size() + info.funcs.size(), 1000000, "functions"));
  info.core_funcs.push_back(std::move(ft));
  return {};
}

namespace {

// The memory/realloc requirements of lifting or lowering `ft` (CanonicalABI.md "canonopt
// Validation" and the rules of canon lift/lower).
Expected<void> check_requirements(const TypeArena& arena, const FuncType& ft, const CanonOptions& o,
                                  abi::Context ctx, const abi::FlatSignature& sig) {
  for (const auto& p : ft.params) {
    if (!abi::contains_pointer(arena, p.type)) continue;
    KUMO_CHECK(ctx == abi::Context::Lower ? o.require_memory() : o.require_realloc());
  }
  if (sig.params_in_memory) {
    KUMO_CHECK(o.require_memory());
    if (ctx == abi::Context::Lift) KUMO_CHECK(o.require_realloc());
  }
  if (ft.result) {
    bool ptr = abi::contains_pointer(arena, *ft.result);
    if (ctx == abi::Context::Lower && ptr) KUMO_CHECK(o.require_realloc());
    if (ctx == abi::Context::Lift && o.is_async && ptr) KUMO_CHECK(o.require_memory());
  }
  if (sig.results_in_memory) KUMO_CHECK(o.require_memory());
  return {};
}

// Kumo runs the GC-based ABI only where it coincides with the linear-memory one: no core
// parameters and no core results.
bool gc_compatible(const abi::FlatSignature& sig) {
  return sig.type.params.empty() && sig.type.results.empty();
}

}  // namespace

Expected<void> Validator::push_func(TypeId ft) {
  ComponentInfo& info = cur().info;
  KUMO_CHECK(check_count(info.core_funcs.size() + info.funcs.size(), 1000000, "functions"));
  info.funcs.push_back(ft);
  return {};
}

Expected<void> Validator::canon(const Canon& c) {
  switch (c.kind) {
    case CanonKind::Lift: {
      KUMO_TRY(TypeId ft_id, type_at(c.type_index));
      if (arena_.kind(ft_id) != TypeKind::Func) return err("type index {} is not a function type", c.type_index);
      KUMO_TRY(const wasm::FuncType* core, core_func_at(c.func_index));
      wasm::FuncType core_ft = *core;  // a copy: the index space may grow below
      KUMO_TRY(CanonOptions o, canon_options(c.options));
      if (o.post_return) {
        KUMO_TRY(const wasm::FuncType* pr, core_func_at(*o.post_return));
        if (pr->params != core_ft.results || !pr->results.empty()) {
          return err("canonical option `post-return` uses a core function with an incorrect signature");
        }
      }
      if (o.core_type) return err("canonical option `core-type` is not allowed in `canon lift`");
      const FuncType& ft = arena_.func(ft_id);
      if (o.is_async && !ft.is_async) return err("the `async` canonical option requires an async function type");
      if (o.is_async && !o.callback && !features_.async_stackful) {
        return err("an async lift without a callback requires the component model async stackful feature");
      }
      abi::FlatSignature sig = abi::flatten_func(arena_, ft, o.ptr, abi::Context::Lift, o.is_async, o.callback.has_value());
      if (o.gc && !gc_compatible(sig)) {
        // The GC ABI's core signature (references to GC arrays and structs) is not modelled
        // here; the runtime refuses to instantiate such a lift.
        return push_func(ft_id);
      }
      KUMO_CHECK(check_requirements(arena_, ft, o, abi::Context::Lift, sig));
      if (sig.type.params != core_ft.params) {
        return err("lowered parameter types `{}` do not match parameter types `{}` of core function {}",
                   core_types_text(sig.type.params), core_types_text(core_ft.params), c.func_index);
      }
      if (sig.type.results != core_ft.results) {
        return err("lowered result types `{}` do not match result types `{}` of core function {}",
                   core_types_text(sig.type.results), core_types_text(core_ft.results), c.func_index);
      }
      return push_func(ft_id);
    }
    case CanonKind::Lower: {
      KUMO_TRY(TypeId ft_id, func_at(c.func_index));
      KUMO_TRY(CanonOptions o, canon_options(c.options));
      KUMO_CHECK(o.check_not_lift("lowerings"));
      if (o.gc && !o.core_type) return err("cannot specify `gc` without also specifying a `core-type` for lowerings");
      const FuncType& ft = arena_.func(ft_id);
      if (o.is_async && !ft.is_async) return err("the `async` canonical option requires an async function type");
      abi::FlatSignature sig = abi::flatten_func(arena_, ft, o.ptr, abi::Context::Lower, o.is_async, false);
      if (!o.core_type) {
        KUMO_CHECK(check_requirements(arena_, ft, o, abi::Context::Lower, sig));
        return push_core_func(std::move(sig.type));
      }
      KUMO_TRY(TypeId declared_id, core_type_at(*o.core_type));
      if (arena_.kind(declared_id) != TypeKind::CoreFunc) {
        return err("canonical option `core-type` must name a core function type");
      }
      wasm::FuncType declared = arena_.core_func(declared_id);
      // As for lifts, a GC-ABI signature is taken as declared and refused at run time.
      if (o.gc && !gc_compatible(sig)) return push_core_func(std::move(declared));
      KUMO_CHECK(check_requirements(arena_, ft, o, abi::Context::Lower, sig));
      if (declared.params != sig.type.params) {
        return err("declared core type has `{}` parameter types, but actual lowering has `{}` parameter types",
                   core_types_text(declared.params), core_types_text(sig.type.params));
      }
      if (declared.results != sig.type.results) {
        return err("declared core type has `{}` result types, but actual lowering has `{}` result types",
                   core_types_text(declared.results), core_types_text(sig.type.results));
      }
      return push_core_func(std::move(declared));
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
    default:
      return canon_builtin(c);
  }
}

}  // namespace kumo::component::validation
