#include "wasi/p2/table.hpp"

namespace kumo::wasi::p2 {

ResourceTable::~ResourceTable() {
  // Children first, so no destructor sees its parent gone: destroy entries without children
  // until none is left.
  while (!entries_.empty()) {
    bool progress = false;
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->second.children == 0) {
        uint32_t parent = it->second.parent;
        it = entries_.erase(it);
        if (auto p = entries_.find(parent); p != entries_.end()) p->second.children--;
        progress = true;
      } else {
        ++it;
      }
    }
    if (!progress) break;  // a cycle cannot be built through push(); be safe anyway
  }
}

uint32_t ResourceTable::push(std::unique_ptr<HostObject> obj, uint32_t parent) {
  while (next_ == 0 || entries_.count(next_)) next_++;
  uint32_t rep = next_++;
  Entry e;
  e.obj = std::move(obj);
  if (parent) {
    if (auto p = entries_.find(parent); p != entries_.end()) {
      p->second.children++;
      e.parent = parent;
    }
  }
  entries_.emplace(rep, std::move(e));
  live_++;
  return rep;
}

HostObject* ResourceTable::get_any(uint32_t rep) {
  auto it = entries_.find(rep);
  if (it == entries_.end() || it->second.removed) return nullptr;
  return it->second.obj.get();
}

void ResourceTable::destroy(uint32_t rep) {
  // Frees `rep` and walks up: a removed parent whose last child this was goes too.
  while (rep) {
    auto it = entries_.find(rep);
    if (it == entries_.end()) return;
    uint32_t parent = it->second.parent;
    std::unique_ptr<HostObject> obj = std::move(it->second.obj);
    entries_.erase(it);
    obj.reset();
    rep = 0;
    if (auto p = entries_.find(parent); p != entries_.end()) {
      p->second.children--;
      if (p->second.children == 0 && p->second.removed) rep = parent;
    }
  }
}

bool ResourceTable::remove(uint32_t rep) {
  auto it = entries_.find(rep);
  if (it == entries_.end() || it->second.removed) return false;
  live_--;
  if (it->second.children > 0) {
    it->second.removed = true;
    return true;
  }
  destroy(rep);
  return true;
}

std::unique_ptr<HostObject> ResourceTable::take(uint32_t rep) {
  auto it = entries_.find(rep);
  if (it == entries_.end() || it->second.removed || it->second.children > 0) return nullptr;
  std::unique_ptr<HostObject> obj = std::move(it->second.obj);
  uint32_t parent = it->second.parent;
  entries_.erase(it);
  live_--;
  if (auto p = entries_.find(parent); p != entries_.end()) {
    p->second.children--;
    if (p->second.children == 0 && p->second.removed) destroy(parent);
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
