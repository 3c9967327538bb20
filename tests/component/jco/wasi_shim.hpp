// A minimal WASI 0.2 stand-in for the jco fixtures (many embed the Rust standard library and so
// import wasi:cli, wasi:io, wasi:filesystem and wasi:clocks even though the tests never use them
// beyond printing a panic message). It defines every `wasi:*` instance import of a component,
// generically from the component's own import types:
//   - each resource type once per ResourceId (an `(eq ...)` re-export shares the host type),
//   - stdout/stderr streams whose writes land in a buffer (shown when a test fails),
//   - an empty environment, no preopens, `exit` as a trap, random bytes from a fixed seed,
//   - every other function traps "wasi shim: `name` is not implemented" (a test that reaches one
//     fails loudly rather than observing made-up values).
// The real WASI 0.2 host comes later; this is test scaffolding only.
#pragma once

#include <deque>
#include <map>
#include <string>

#include "component/runtime/linker.hpp"

namespace kumo::component::jco {

class WasiShim {
 public:
  // Defines, in `linker`, every wasi:* instance the component imports.
  void add_to_linker(rt::Linker& linker, const rt::Component& component);

  const std::string& stdout_text() const { return out_[0]; }
  const std::string& stderr_text() const { return out_[1]; }
  // Everything written, for failure messages.
  std::string output() const { return out_[0] + out_[1]; }

 private:
  rt::ResourceType* resource(const TypeArena& arena, TypeId t, const std::string& name);
  rt::HostFunc function(const std::string& instance, const std::string& name);

  std::deque<rt::ResourceType> resources_;
  std::map<uint32_t, rt::ResourceType*> by_id_;
  std::map<std::string, rt::ResourceType*> by_name_;  // "output-stream", ...
  std::string out_[2];
  uint64_t random_state_ = 0x853c49e6748fea9bULL;
};

}  // namespace kumo::component::jco
