// A canonical ABI test bench: a real linear memory, a host-function realloc that records its
// calls (a bump allocator by default), one instance and a type arena to build types in.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "component/runtime/canon_abi.hpp"
#include "wasm/runtime/store.hpp"

namespace kumo::component::abitest {

using rt::LiftLowerContext;
using VT = wasm::ValType;

inline ValType prim(PrimValType p) { return ValType::primitive(p); }

struct ReallocCall {
  uint64_t old_ptr, old_size, align, new_size;
  friend bool operator==(const ReallocCall&, const ReallocCall&) = default;
};
inline std::ostream& operator<<(std::ostream& os, const ReallocCall& c) {
  return os << "realloc(" << c.old_ptr << ", " << c.old_size << ", " << c.align << ", " << c.new_size << ")";
}

struct Bench {
  wasm::Engine engine;
  wasm::Store store{engine};
  std::shared_ptr<TypeArena> arena = std::make_shared<TypeArena>();
  rt::TypeEnv env;
  rt::InstanceState inst;
  rt::CanonOptions opts;
  wasm::MemoryInst* mem = nullptr;

  std::vector<ReallocCall> calls;
  bool may_leave_during_realloc = true;
  uint64_t next = 1024;
  // Returns the pointer realloc answers with; default: shrink in place, else bump-allocate at
  // the requested alignment and copy the old contents (like a simple guest allocator).
  std::function<uint64_t(const ReallocCall&)> realloc_impl = [this](const ReallocCall& c) {
    if (c.old_ptr != 0 && c.new_size <= c.old_size) return c.old_ptr;
    next = (next + 7) / 8 * 8;
    if (c.align > 8) next = (next + c.align - 1) / c.align * c.align;
    uint64_t r = next;
    next += c.new_size;
    if (c.old_ptr) std::memmove(mem->base + r, mem->base + c.old_ptr, c.old_size);
    return r;
  };

  Bench() {
    env.arena = arena;
    wasm::MemoryType mt;
    mt.limits.min = 1;
    mem = *store.add_memory(mt);
    wasm::FuncType ft{{VT::I32, VT::I32, VT::I32, VT::I32}, {VT::I32}};
    opts.memory = mem;
    opts.realloc = store.add_host_func(ft, [this](wasm::Caller&, uint64_t* slots) -> Expected<void, wasm::Trap> {
      ReallocCall c{slots[0], slots[1], slots[2], slots[3]};
      calls.push_back(c);
      may_leave_during_realloc = inst.may_leave;
      slots[0] = uint32_t(realloc_impl(c));
      return {};
    });
  }

  LiftLowerContext cx() { return LiftLowerContext{store, opts, &inst, env, nullptr, {}}; }

  // Type builders.
  ValType add(DefinedType d) { return ValType::defined(arena->add(std::move(d), TypeInfo{})); }
  ValType record(std::vector<ValType> fields) {
    DefinedType d;
    d.kind = DefinedKind::Record;
    for (size_t i = 0; i < fields.size(); ++i) d.fields.push_back(Field{"f" + std::to_string(i), fields[i]});
    return add(std::move(d));
  }
  ValType tuple(std::vector<ValType> types) {
    DefinedType d;
    d.kind = DefinedKind::Tuple;
    d.types = std::move(types);
    return add(std::move(d));
  }
  ValType variant(std::vector<std::optional<ValType>> cases) {
    DefinedType d;
    d.kind = DefinedKind::Variant;
    for (size_t i = 0; i < cases.size(); ++i) d.cases.push_back(Case{"c" + std::to_string(i), cases[i]});
    return add(std::move(d));
  }
  ValType enumeration(size_t n) {
    DefinedType d;
    d.kind = DefinedKind::Enum;
    for (size_t i = 0; i < n; ++i) d.labels.push_back("e" + std::to_string(i));
    return add(std::move(d));
  }
  ValType option(ValType t) {
    DefinedType d;
    d.kind = DefinedKind::Option;
    d.elem = t;
    return add(std::move(d));
  }
  ValType result(std::optional<ValType> ok, std::optional<ValType> err) {
    DefinedType d;
    d.kind = DefinedKind::Result;
    d.ok = ok;
    d.err = err;
    return add(std::move(d));
  }
  ValType list(ValType elem, uint32_t fixed = 0) {
    DefinedType d;
    d.kind = fixed ? DefinedKind::FixedList : DefinedKind::List;
    d.elem = elem;
    d.length = fixed;
    return add(std::move(d));
  }
  ValType map(ValType key, ValType value) {
    DefinedType d;
    d.kind = DefinedKind::Map;
    d.key = key;
    d.elem = value;
    return add(std::move(d));
  }
  ValType flags(size_t n) {
    DefinedType d;
    d.kind = DefinedKind::Flags;
    for (size_t i = 0; i < n; ++i) d.labels.push_back("f" + std::to_string(i));
    return add(std::move(d));
  }
  // A resource type (static) bound to run-time type `rtt` in the env.
  TypeId resource(rt::ResourceType* rtt) {
    ResourceId id = arena->new_resource();
    TypeId t = arena->add_resource(id);
    env.resources.try_emplace(id.value, rtt);
    return t;
  }
  ValType handle(TypeId resource, bool own) {
    DefinedType d;
    d.kind = own ? DefinedKind::Own : DefinedKind::Borrow;
    d.resource = resource;
    return add(std::move(d));
  }

  // Memory access.
  void poke(uint64_t addr, std::string_view bytes) { std::memcpy(mem->base + addr, bytes.data(), bytes.size()); }
  std::string peek(uint64_t addr, size_t n) { return std::string(reinterpret_cast<char*>(mem->base + addr), n); }
  void poke32(uint64_t addr, uint32_t v) { std::memcpy(mem->base + addr, &v, 4); }
  uint32_t peek32(uint64_t addr) {
    uint32_t v;
    std::memcpy(&v, mem->base + addr, 4);
    return v;
  }
};

// The message of a failed Trapping<T>, or "" if it succeeded.
template <typename T>
std::string trap_message(const rt::Trapping<T>& r) {
  return r ? std::string() : r.error().message;
}

}  // namespace kumo::component::abitest
