// The async (🔀), error-context (📝) and cooperative-thread (🧵) canonical built-ins: each is
// validated only when its feature is enabled, and gives its core function the type listed in
// CanonicalABI.md. Kumo's runtime does not implement them yet; validating them lets components
// that merely contain them be inspected. The shared-everything threads built-ins (🧵②) are
// always rejected.
#include "component/validator/context.hpp"

namespace kumo::component::validation {

namespace {

using VT = wasm::ValType;

bool is_async_builtin(CanonKind k) {
  switch (k) {
    case CanonKind::ErrorContextNew:
    case CanonKind::ErrorContextDebugMessage:
    case CanonKind::ErrorContextDrop:
      return false;
    default:
      return k < CanonKind::ThreadIndex || k == CanonKind::ThreadYield;
  }
}

}  // namespace

Expected<void> Validator::canon_builtin(const Canon& c) {
  const char* name = to_string(c.kind);
  bool error_context = c.kind == CanonKind::ErrorContextNew ||
                       c.kind == CanonKind::ErrorContextDebugMessage ||
                       c.kind == CanonKind::ErrorContextDrop;
  bool shared_threads = c.kind == CanonKind::ThreadSpawnRef || c.kind == CanonKind::ThreadSpawnIndirect ||
                        c.kind == CanonKind::ThreadAvailableParallelism;
  if (shared_threads) return err("`{}` requires the shared-everything-threads proposal, which Kumo does not support", name);
  if (error_context && !features_.error_context) {
    return err("`{}` requires the component model error-context feature", name);
  }
  if (is_async_builtin(c.kind) && !features_.async) return err("`{}` requires the component model async feature", name);
  if (!error_context && !is_async_builtin(c.kind) && !features_.threads) {
    return err("`{}` requires the component model threading feature", name);
  }

  // stream/future operands: the type must be a stream (future) type; returns its element type.
  auto async_value = [&](DefinedKind want) -> Expected<std::optional<ValType>> {
    KUMO_TRY(TypeId t, type_at(c.type_index));
    if (arena_.kind(t) != TypeKind::Defined || arena_.defined(t).kind != want) {
      return err("`{}` requires a {} type", name, to_string(want));
    }
    return arena_.defined(t).elem;
  };
  auto no_async_flag = [&]() -> Expected<void> {
    if (c.flag && !features_.async_builtins) {
      return err("async `{}` requires the component model more async builtins feature", name);
    }
    return {};
  };
  // stream.read/write, future.read/write: options, and the requirements of the element type.
  auto rw = [&](DefinedKind kind, bool read) -> Expected<CanonOptions> {
    KUMO_TRY(std::optional<ValType> elem, async_value(kind));
    KUMO_TRY(CanonOptions o, canon_options(c.options));
    KUMO_CHECK(o.check_not_lift(name));
    if (!o.is_async && !features_.async_builtins) {
      return err("synchronous `{}` requires the component model more async builtins feature", name);
    }
    if (elem) {
      KUMO_CHECK(o.require_memory());
      if (read && abi::contains_pointer(arena_, *elem)) KUMO_CHECK(o.require_realloc());
    }
    return o;
  };

  switch (c.kind) {
    case CanonKind::BackpressureInc:
    case CanonKind::BackpressureDec:
    case CanonKind::TaskCancel:
      return push_core_func(wasm::FuncType{});
    case CanonKind::TaskReturn: {
      KUMO_TRY(CanonOptions o, canon_options(c.options));
      if (o.realloc) return err("cannot specify `realloc` option on `task.return`");
      if (o.post_return) return err("cannot specify `post-return` option on `task.return`");
      KUMO_CHECK(o.check_not_lift(name));
      if (o.is_async) return err("cannot specify `async` option on `task.return`");
      FuncType ft;
      if (c.result) {
        KUMO_TRY(ValType v, val_type(*c.result));
        ft.params.push_back(Param{"v", v});
      }
      abi::FlatSignature sig = abi::flatten_func(arena_, ft, o.ptr, abi::Context::Lower);
      if (c.result && abi::contains_pointer(arena_, ft.params[0].type)) {
        KUMO_CHECK(o.require_memory());
      }
      if (sig.params_in_memory) KUMO_CHECK(o.require_memory());
      return push_core_func(std::move(sig.type));
    }
    case CanonKind::ContextGet:
    case CanonKind::ContextSet: {
      bool ok = c.core_type == VT::I32 || (c.core_type == VT::I64 && features_.memory64);
      if (!ok) return err("`{}` only supports `i32` or `i64`", name);
      if (c.slot > 1) return err("`{}` immediate must be zero or one: {}", name, c.slot);
      if (c.kind == CanonKind::ContextGet) return push_core_func(wasm::FuncType{{}, {c.core_type}});
      return push_core_func(wasm::FuncType{{c.core_type}, {}});
    }
    case CanonKind::SubtaskCancel:
      KUMO_CHECK(no_async_flag());
      return push_core_func(wasm::FuncType{{VT::I32}, {VT::I32}});
    case CanonKind::SubtaskDrop:
    case CanonKind::WaitableSetDrop:
    case CanonKind::ErrorContextDrop:
    case CanonKind::ThreadResumeLater:
      return push_core_func(wasm::FuncType{{VT::I32}, {}});
    case CanonKind::StreamNew:
    case CanonKind::FutureNew: {
      KUMO_CHECK(async_value(c.kind == CanonKind::StreamNew ? DefinedKind::Stream : DefinedKind::Future));
      return push_core_func(wasm::FuncType{{}, {VT::I64}});
    }
    case CanonKind::StreamRead:
    case CanonKind::StreamWrite: {
      KUMO_TRY(CanonOptions o, rw(DefinedKind::Stream, c.kind == CanonKind::StreamRead));
      VT p = abi::core_type(o.ptr);
      return push_core_func(wasm::FuncType{{VT::I32, p, p}, {p}});
    }
    case CanonKind::FutureRead:
    case CanonKind::FutureWrite: {
      KUMO_TRY(CanonOptions o, rw(DefinedKind::Future, c.kind == CanonKind::FutureRead));
      return push_core_func(wasm::FuncType{{VT::I32, abi::core_type(o.ptr)}, {VT::I32}});
    }
    case CanonKind::StreamCancelRead:
    case CanonKind::StreamCancelWrite:
    case CanonKind::FutureCancelRead:
    case CanonKind::FutureCancelWrite: {
      bool stream = c.kind == CanonKind::StreamCancelRead || c.kind == CanonKind::StreamCancelWrite;
      KUMO_CHECK(async_value(stream ? DefinedKind::Stream : DefinedKind::Future));
      KUMO_CHECK(no_async_flag());
      return push_core_func(wasm::FuncType{{VT::I32}, {VT::I32}});
    }
    case CanonKind::StreamDropReadable:
    case CanonKind::StreamDropWritable:
    case CanonKind::FutureDropReadable:
    case CanonKind::FutureDropWritable: {
      bool stream = c.kind == CanonKind::StreamDropReadable || c.kind == CanonKind::StreamDropWritable;
      KUMO_CHECK(async_value(stream ? DefinedKind::Stream : DefinedKind::Future));
      return push_core_func(wasm::FuncType{{VT::I32}, {}});
    }
    case CanonKind::ErrorContextNew:
    case CanonKind::ErrorContextDebugMessage: {
      KUMO_TRY(CanonOptions o, canon_options(c.options));
      KUMO_CHECK(o.check_not_lift(name));
      if (o.is_async) return err("cannot specify `async` option on `{}`", name);
      KUMO_CHECK(o.require_memory());
      VT p = abi::core_type(o.ptr);
      if (c.kind == CanonKind::ErrorContextNew) return push_core_func(wasm::FuncType{{p, p}, {VT::I32}});
      KUMO_CHECK(o.require_realloc());
      return push_core_func(wasm::FuncType{{VT::I32, p}, {}});
    }
    case CanonKind::WaitableSetNew:
    case CanonKind::ThreadIndex:
    case CanonKind::ThreadSuspend:
    case CanonKind::ThreadYield:
      return push_core_func(wasm::FuncType{{}, {VT::I32}});
    case CanonKind::WaitableSetWait:
    case CanonKind::WaitableSetPoll: {
      KUMO_TRY(abi::PtrType p, canon_memory(c.memory_index));
      return push_core_func(wasm::FuncType{{VT::I32, abi::core_type(p)}, {VT::I32}});
    }
    case CanonKind::WaitableJoin:
      return push_core_func(wasm::FuncType{{VT::I32, VT::I32}, {}});
    case CanonKind::ThreadSuspendThenResume:
    case CanonKind::ThreadYieldThenResume:
    case CanonKind::ThreadSuspendThenPromote:
    case CanonKind::ThreadYieldThenPromote:
      return push_core_func(wasm::FuncType{{VT::I32}, {VT::I32}});
    case CanonKind::ThreadNewIndirect: {
      KUMO_TRY(TypeId t, core_type_at(c.type_index));
      if (arena_.kind(t) != TypeKind::CoreFunc) return err("expected a core function type");
      const wasm::FuncType& start = arena_.core_func(t);
      if (start.params != std::vector<VT>{VT::I32} || !start.results.empty()) {
        return err("start function must take a single `i32` argument and return nothing");
      }
      const auto& tables = cur().info.core_tables;
      if (c.table_index >= tables.size()) {
        return err("unknown table {}: table index out of bounds", c.table_index);
      }
      const wasm::TableType& tbl = tables[c.table_index];
      if (!(tbl.elem == VT::funcref()) || tbl.limits.is64 || tbl.limits.shared) {
        return err("table is not a 32-bit table of (ref null (func))");
      }
      return push_core_func(wasm::FuncType{{VT::I32, VT::I32}, {VT::I32}});
    }
    default:
      return err("`{}` is not supported", name);
  }
}

}  // namespace kumo::component::validation
