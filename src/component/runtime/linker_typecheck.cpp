// Cross-arena structural checks of function types, for the linker (see linker_typecheck.hpp).
#include "component/runtime/linker_typecheck.hpp"

#include <cctype>
#include <optional>

#include <fmt/format.h>

namespace kumo::component::rt {

namespace {

bool labels_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

Unexpected<Error> within(const std::string& ctx, const Error& e) {
  return Unexpected<Error>{Error{ctx + ": " + e.message}};
}

class CrossCheck {
 public:
  CrossCheck(TypeSide have, TypeSide want) : a_(have), b_(want) {}

  Expected<void> func(TypeId ia, TypeId ib) {
    const FuncType& a = a_.arena.func(ia);
    const FuncType& b = b_.arena.func(ib);
    if (a.is_async != b.is_async) {
      return err("expected {} function, found {} function", b.is_async ? "async" : "sync",
                 a.is_async ? "async" : "sync");
    }
    if (a.params.size() != b.params.size()) {
      return err("expected {} parameters, found {}", b.params.size(), a.params.size());
    }
    for (size_t i = 0; i < a.params.size(); ++i) {
      if (!labels_equal(a.params[i].name, b.params[i].name)) {
        return err("expected parameter named `{}`, found `{}`", b.params[i].name, a.params[i].name);
      }
      auto r = val(a.params[i].type, b.params[i].type);
      if (!r) return within(fmt::format("type mismatch in function parameter `{}`", a.params[i].name), r.error());
    }
    if (a.result && b.result) {
      auto r = val(*a.result, *b.result);
      if (!r) return within("type mismatch with result type", r.error());
    } else if (a.result) {
      return err("expected no result, found one");
    } else if (b.result) {
      return err("expected a result, found none");
    }
    return {};
  }

 private:
  // A value type's primitive, looking through defined aliases of primitives.
  static std::optional<PrimValType> prim_of(const TypeArena& arena, const ValType& v) {
    if (v.is_primitive()) return v.prim();
    const DefinedType& d = arena.defined(v.type());
    if (d.kind == DefinedKind::Primitive) return d.prim;
    return std::nullopt;
  }

  Unexpected<Error> mismatch(const ValType& a, const ValType& b) {
    return err("expected {}, found {}", to_string(b_.arena, b), to_string(a_.arena, a));
  }

  Expected<void> val(const ValType& a, const ValType& b) {
    auto pa = prim_of(a_.arena, a), pb = prim_of(b_.arena, b);
    if (pa || pb) {
      if (pa && pb && *pa == *pb) return {};
      return mismatch(a, b);
    }
    return defined(a, b);
  }

  Expected<void> opt(const std::optional<ValType>& x, const std::optional<ValType>& y, const char* what) {
    if (x && y) {
      auto r = val(*x, *y);
      if (!r) return within(fmt::format("type mismatch in {}", what), r.error());
      return {};
    }
    if (!x && y) return err("expected {} type, but found none", what);
    if (x && !y) return err("expected {} type to not be present", what);
    return {};
  }

  Expected<void> resource(TypeId ra, TypeId rb) {
    ResourceType* x = a_.env ? a_.env->resource(ra) : nullptr;
    ResourceType* y = b_.env ? b_.env->resource(rb) : nullptr;
    if (x && y && x != y) return err("resource types are not the same");
    if ((!x || !y) && &a_.arena == &b_.arena && a_.arena.resource(ra) != b_.arena.resource(rb)) {
      return err("resource types are not the same");
    }
    return {};
  }

  Expected<void> defined(const ValType& va, const ValType& vb) {
    const DefinedType& a = a_.arena.defined(va.type());
    const DefinedType& b = b_.arena.defined(vb.type());
    if (a.kind != b.kind) return mismatch(va, vb);
    switch (a.kind) {
      case DefinedKind::Primitive: return {};  // handled by val
      case DefinedKind::Record:
        if (a.fields.size() != b.fields.size()) return err("expected {} fields, found {}", b.fields.size(), a.fields.size());
        for (size_t i = 0; i < a.fields.size(); ++i) {
          if (!labels_equal(a.fields[i].name, b.fields[i].name)) {
            return err("expected field name `{}`, found `{}`", b.fields[i].name, a.fields[i].name);
          }
          auto r = val(a.fields[i].type, b.fields[i].type);
          if (!r) return within(fmt::format("type mismatch in record field `{}`", a.fields[i].name), r.error());
        }
        return {};
      case DefinedKind::Variant:
        if (a.cases.size() != b.cases.size()) return err("expected {} cases, found {}", b.cases.size(), a.cases.size());
        for (size_t i = 0; i < a.cases.size(); ++i) {
          const Case& ca = a.cases[i];
          const Case& cb = b.cases[i];
          if (!labels_equal(ca.name, cb.name)) return err("expected case named `{}`, found `{}`", cb.name, ca.name);
          auto r = opt(ca.type, cb.type, "variant case payload");
          if (!r) return within(fmt::format("in variant case `{}`", ca.name), r.error());
        }
        return {};
      case DefinedKind::List:
      case DefinedKind::Option: return val(*a.elem, *b.elem);
      case DefinedKind::FixedList:
        if (a.length != b.length) return err("expected fixed-length {}, found size {}", b.length, a.length);
        return val(*a.elem, *b.elem);
      case DefinedKind::Tuple:
        if (a.types.size() != b.types.size()) return err("expected {} types, found {}", b.types.size(), a.types.size());
        for (size_t i = 0; i < a.types.size(); ++i) {
          auto r = val(a.types[i], b.types[i]);
          if (!r) return within(fmt::format("type mismatch in tuple field {}", i), r.error());
        }
        return {};
      case DefinedKind::Flags:
      case DefinedKind::Enum: {
        bool same = a.labels.size() == b.labels.size();
        for (size_t i = 0; same && i < a.labels.size(); ++i) same = labels_equal(a.labels[i], b.labels[i]);
        if (!same) return err("mismatch in {} elements", a.kind == DefinedKind::Flags ? "flags" : "enum");
        return {};
      }
      case DefinedKind::Result:
        KUMO_CHECK(opt(a.ok, b.ok, "ok"));
        return opt(a.err, b.err, "err");
      case DefinedKind::Own:
      case DefinedKind::Borrow: return resource(a.resource, b.resource);
      case DefinedKind::Stream:
      case DefinedKind::Future: return opt(a.elem, b.elem, to_string(a.kind));
      case DefinedKind::Map: {
        auto r = val(*a.key, *b.key);
        if (!r) return within("type mismatch in map key", r.error());
        r = val(*a.elem, *b.elem);
        if (!r) return within("type mismatch in map value", r.error());
        return {};
      }
    }
    return {};
  }

  TypeSide a_;
  TypeSide b_;
};

}  // namespace

Expected<void> check_func_type(TypeSide have, TypeId have_type, TypeSide want, TypeId want_type) {
  CrossCheck c(have, want);
  return c.func(have_type, want_type);
}

}  // namespace kumo::component::rt
