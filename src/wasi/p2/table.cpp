#include "wasi/p2/table.hpp"

namespace kumo::wasi::p2 {

ResourceTable::~ResourceTable() { clear(); }

void ResourceTable::clear() {
  // Children first, so no destructor sees its parent gone: destroy entries without children
  // until none is left.
  for (bool progress = true; progress;) {
    progress = false;
    for (uint32_t rep = 1; rep <= slots_.size(); ++rep) {
      Entry* e = find(rep);
      if (!e || e->children != 0) continue;
      uint32_t parent = e->parent;
      release(rep).reset();
      if (Entry* p = find(parent)) p->children--;
      progress = true;
    }
  }
  slots_.clear();
  free_.clear();
  live_ = 0;
}

std::unique_ptr<HostObject> ResourceTable::release(uint32_t rep) {
  Entry& e = slots_[rep - 1];
  std::unique_ptr<HostObject> obj = std::move(e.obj);
  e = Entry{};
  free_.push_back(rep);
  return obj;
}

uint32_t ResourceTable::push(std::unique_ptr<HostObject> obj, uint32_t parent) {
  uint32_t rep;
  if (!free_.empty()) {
    rep = free_.back();
    free_.pop_back();
  } else {
    slots_.emplace_back();
    rep = uint32_t(slots_.size());
  }
  Entry& e = slots_[rep - 1];
  e.obj = std::move(obj);
  e.used = true;
  if (Entry* p = find(parent)) {
    p->children++;
    slots_[rep - 1].parent = parent;
  }
  live_++;
  return rep;
}

HostObject* ResourceTable::get_any(uint32_t rep) {
  Entry* e = find(rep);
  if (!e || e->removed) return nullptr;
  return e->obj.get();
}

void ResourceTable::destroy(uint32_t rep) {
  // Frees `rep` and walks up: a removed parent whose last child this was goes too.
  while (rep) {
    Entry* e = find(rep);
    if (!e) return;
    uint32_t parent = e->parent;
    release(rep).reset();
    rep = 0;
    if (Entry* p = find(parent)) {
      p->children--;
      if (p->children == 0 && p->removed) rep = parent;
    }
  }
}

bool ResourceTable::remove(uint32_t rep) {
  Entry* e = find(rep);
  if (!e || e->removed) return false;
  live_--;
  if (e->children > 0) {
    e->removed = true;
    return true;
  }
  destroy(rep);
  return true;
}

std::unique_ptr<HostObject> ResourceTable::take(uint32_t rep) {
  Entry* e = find(rep);
  if (!e || e->removed || e->children > 0) return nullptr;
  uint32_t parent = e->parent;
  std::unique_ptr<HostObject> obj = release(rep);
  live_--;
  if (Entry* p = find(parent)) {
    p->children--;
    if (p->children == 0 && p->removed) destroy(parent);
  }
  return obj;
}

std::unique_ptr<rt::ResourceType> make_table_resource_type(std::string name) {
  auto t = std::make_unique<rt::ResourceType>();
  t->name = std::move(name);
  t->host_store_dtor = [](rt::Store& store, uint32_t rep) { wasi_view(store).table().remove(rep); };
  return t;
}

}  // namespace kumo::wasi::p2
