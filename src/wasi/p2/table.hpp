// The per-store resource table of the WASI 0.2 host, and how host functions reach it.
//
// Every host-defined WASI resource (streams, pollables, descriptors, sockets, and the wasi:http
// plugin's own types) is a host ResourceType created once per linker (impl == nullptr); a handle's
// `rep` is a key into the ResourceTable of the store the handle lives in. The table owns the host
// objects; a guest dropping its last handle runs ResourceType::host_store_dtor, which removes the
// entry (make_table_resource_type sets that up).
//
// Parent/child: an object may depend on another (a pollable on its stream, a stream on its
// descriptor). push(obj, parent) records that; removing a parent that still has children only
// hides it from get() (the guest's handle is gone) and frees it after its last child goes, so a
// child never dangles and no drop order traps.
//
// Reaching the table: rt::Store::data() must point to a WasiView (the embedder's per-store state
// derives from it), passed as `rt::Store store(engine, static_cast<p2::WasiView*>(&state))`.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "component/runtime/store.hpp"

namespace kumo::wasi::p2 {

namespace rt = kumo::component::rt;

// Base of every object in the table.
class HostObject {
 public:
  virtual ~HostObject() = default;
};

class ResourceTable {
 public:
  ResourceTable() = default;
  ResourceTable(const ResourceTable&) = delete;
  ResourceTable& operator=(const ResourceTable&) = delete;
  ~ResourceTable();

  // Adds `obj` and returns its rep (never 0). `parent` (0: none) stays alive while `obj` lives.
  uint32_t push(std::unique_ptr<HostObject> obj, uint32_t parent = 0);
  // The live object `rep` as a T; nullptr if absent, removed, or of another class.
  template <class T>
  T* get(uint32_t rep) {
    HostObject* o = get_any(rep);
    return o ? dynamic_cast<T*>(o) : nullptr;
  }
  HostObject* get_any(uint32_t rep);
  // Removes `rep` (the guest dropped it): the object is destroyed now, or when its last child
  // goes. Returns false if `rep` was not live.
  bool remove(uint32_t rep);
  // Takes the object out (e.g. an own handle passed back to the host); fails (nullptr) while it
  // has children.
  std::unique_ptr<HostObject> take(uint32_t rep);
  size_t live() const { return live_; }  // entries the guest can still reach
  // Destroys every object (children before parents): the table is as new, reps start at 1.
  void clear();

 private:
  struct Entry {
    std::unique_ptr<HostObject> obj;
    uint32_t parent = 0;
    uint32_t children = 0;
    bool used = false;
    bool removed = false;  // the guest dropped it; kept for its children
  };
  Entry* find(uint32_t rep) {
    return rep != 0 && rep <= slots_.size() && slots_[rep - 1].used ? &slots_[rep - 1] : nullptr;
  }
  // Frees the slot of `rep` and returns its object (destroyed by the caller, after the table is
  // consistent again: a destructor may use the table).
  std::unique_ptr<HostObject> release(uint32_t rep);
  void destroy(uint32_t rep);
  // A slab: rep r lives in slots_[r - 1]; freed reps are reused (a long-running instance that
  // creates and drops resources keeps a bounded table), most recently freed first.
  std::vector<Entry> slots_;
  std::vector<uint32_t> free_;
  size_t live_ = 0;
};

struct WasiCtx;  // ctx.hpp: arguments, environment, preopens, stdio, network policy

// What the store's data() must point to for the WASI host functions.
class WasiView {
 public:
  virtual ~WasiView() = default;
  virtual ResourceTable& table() = 0;
  virtual WasiCtx& wasi() = 0;
};

inline WasiView& wasi_view(rt::Store& store) { return *static_cast<WasiView*>(store.data()); }

// A host resource type whose reps are keys in the store's ResourceTable: dropping the guest's
// last own handle removes the entry. The returned pointer is stable; keep the object alive as
// long as the linker and every store using it.
std::unique_ptr<rt::ResourceType> make_table_resource_type(std::string name);

}  // namespace kumo::wasi::p2
