// Substitution of resources (and renamed type identities) inside types, and the free resources
// of a type. Types are immutable: a substitution that changes something makes new types.
#include "component/validator/subtype.hpp"

namespace kumo::component::validation {

namespace {

bool remap_paths(std::vector<ResourcePath>& v, const Remap& m) {
  bool changed = false;
  for (auto& rp : v) {
    auto it = m.resources.find(rp.id.value);
    if (it != m.resources.end()) {
      rp.id = it->second;
      changed = true;
    }
  }
  return changed;
}

}  // namespace

bool Subtype::remap(ValType& v, Remap& m) {
  if (v.is_primitive()) return false;
  TypeId id = v.type();
  bool changed = remap(id, m);
  if (changed) v = ValType::defined(id);
  return changed;
}

bool Subtype::remap(EntityType& e, Remap& m) {
  switch (e.sort) {
    case ExternSort::CoreModule: return false;  // core types cannot refer to resources
    case ExternSort::Value: return remap(e.value, m);
    default: return remap(e.type, m);
  }
}

bool Subtype::remap(TypeId& id, Remap& m) {
  if (auto it = m.types.find(id.index); it != m.types.end()) {
    bool changed = !(it->second == id);
    id = it->second;
    return changed;
  }
  const TypeId orig = id;
  bool changed = false;
  switch (a_.kind(id)) {
    case TypeKind::Resource: {
      auto it = m.resources.find(a_.resource(id).value);
      if (it != m.resources.end()) {
        id = a_.add_resource(it->second);
        changed = true;
      }
      break;
    }
    case TypeKind::Defined: {
      const DefinedType* def = &a_.defined(id);
      if (auto it = m.defined.find(def); it != m.defined.end()) {
        if (&a_.defined(it->second) != def) {
          id = a_.alias(it->second);
          changed = true;
        }
        break;
      }
      DefinedType d = *def;
      auto opt = [&](std::optional<ValType>& v) {
        if (v) changed |= remap(*v, m);
      };
      for (auto& f : d.fields) changed |= remap(f.type, m);
      for (auto& c : d.cases) opt(c.type);
      for (auto& t : d.types) changed |= remap(t, m);
      opt(d.elem);
      opt(d.ok);
      opt(d.err);
      opt(d.key);
      if (d.kind == DefinedKind::Own || d.kind == DefinedKind::Borrow) changed |= remap(d.resource, m);
      if (changed) id = a_.add(std::move(d), a_.info(orig));
      m.defined.emplace(def, id);
      break;
    }
    case TypeKind::Func: {
      FuncType f = a_.func(id);
      for (auto& p : f.params) changed |= remap(p.type, m);
      if (f.result) changed |= remap(*f.result, m);
      if (changed) id = a_.add(std::move(f), a_.info(orig));
      break;
    }
    case TypeKind::Instance: {
      InstanceType t = a_.instance(id);
      for (auto& e : t.exports) changed |= remap(e.type, m);
      for (auto& r : t.defined_resources) {
        auto it = m.resources.find(r.value);
        if (it != m.resources.end()) {
          r = it->second;
          changed = true;
        }
      }
      changed |= remap_paths(t.explicit_resources, m);
      if (changed) id = a_.add(std::move(t), a_.info(orig));
      break;
    }
    case TypeKind::Component: {
      ComponentType t = a_.component(id);
      for (auto& e : t.imports) changed |= remap(e.type, m);
      for (auto& e : t.exports) changed |= remap(e.type, m);
      changed |= remap_paths(t.imported_resources, m);
      changed |= remap_paths(t.defined_resources, m);
      changed |= remap_paths(t.explicit_resources, m);
      if (changed) id = a_.add(std::move(t), a_.info(orig));
      break;
    }
    case TypeKind::CoreFunc:
    case TypeKind::Module:
      break;
  }
  m.types[orig.index] = id;
  return changed;
}

void Subtype::free_resources(const ValType& v, std::unordered_set<uint32_t>& out) const {
  if (!v.is_primitive()) free_resources(v.type(), out);
}

void Subtype::free_resources(const EntityType& e, std::unordered_set<uint32_t>& out) const {
  switch (e.sort) {
    case ExternSort::CoreModule: return;
    case ExternSort::Value: return free_resources(e.value, out);
    default: return free_resources(e.type, out);
  }
}

void Subtype::free_resources(TypeId id, std::unordered_set<uint32_t>& out) const {
  switch (a_.kind(id)) {
    case TypeKind::Resource: out.insert(a_.resource(id).value); return;
    case TypeKind::Defined: {
      const DefinedType& d = a_.defined(id);
      for (const auto& f : d.fields) free_resources(f.type, out);
      for (const auto& c : d.cases) {
        if (c.type) free_resources(*c.type, out);
      }
      for (const auto& t : d.types) free_resources(t, out);
      for (const auto* o : {&d.elem, &d.ok, &d.err, &d.key}) {
        if (*o) free_resources(**o, out);
      }
      if (d.kind == DefinedKind::Own || d.kind == DefinedKind::Borrow) free_resources(d.resource, out);
      return;
    }
    case TypeKind::Func: {
      const FuncType& f = a_.func(id);
      for (const auto& p : f.params) free_resources(p.type, out);
      if (f.result) free_resources(*f.result, out);
      return;
    }
    case TypeKind::Instance: {
      const InstanceType& t = a_.instance(id);
      std::unordered_set<uint32_t> inner;
      for (const auto& e : t.exports) free_resources(e.type, inner);
      for (auto r : t.defined_resources) inner.erase(r.value);
      out.insert(inner.begin(), inner.end());
      return;
    }
    case TypeKind::Component: {
      const ComponentType& t = a_.component(id);
      std::unordered_set<uint32_t> inner;
      for (const auto& e : t.imports) free_resources(e.type, inner);
      for (const auto& e : t.exports) free_resources(e.type, inner);
      for (const auto& rp : t.imported_resources) inner.erase(rp.id.value);
      for (const auto& rp : t.defined_resources) inner.erase(rp.id.value);
      out.insert(inner.begin(), inner.end());
      return;
    }
    case TypeKind::CoreFunc:
    case TypeKind::Module:
      return;
  }
}

}  // namespace kumo::component::validation
