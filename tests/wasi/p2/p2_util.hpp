// Helpers for the WASI 0.2 tests: a host with captured stdio, calling host functions directly,
// and loading the shared jco components (a missing file fails the test, never skips it).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "component/runtime/linker.hpp"
#include "wasi/p2/wasi.hpp"

namespace kumo::wasi::p2::test {

using component::Val;
namespace fs = std::filesystem;

inline fs::path jco_misc(const std::string& name) {
  return fs::path(KUMO_SHARED_DIR) / "components/jco/misc" / name;
}

// Options whose stdio is captured in memory (and stdin fed from `input`).
struct Captured {
  std::shared_ptr<std::string> out = std::make_shared<std::string>();
  std::shared_ptr<std::string> err = std::make_shared<std::string>();
  Options options(std::string input = {}) const {
    Options o;
    auto so = out, se = err;
    o.make_stdout = [so] { return std::make_unique<MemoryOutputStream>(so); };
    o.make_stderr = [se] { return std::make_unique<MemoryOutputStream>(se); };
    o.make_stdin = [input] { return std::make_unique<MemoryInputStream>(std::string_view(input)); };
    return o;
  }
};

// One store with the WASI host: call host functions by interface and name, as a guest would.
class HostHarness {
 public:
  explicit HostHarness(Options o) {
    auto ctx = WasiCtx::create(std::move(o));
    if (!ctx) throw std::runtime_error(ctx.error().message);
    state_ = std::make_unique<WasiState>(std::move(*ctx));
    host_.add_to_linker(linker_);
    store_ = std::make_unique<component::rt::Store>(engine_, static_cast<WasiView*>(state_.get()));
  }
  // Calls `func` of `iface` (unversioned, e.g. "wasi:io/streams"); returns its results, or
  // the trap message as a failure.
  std::vector<Val> call(const std::string& iface, const std::string& func,
                        std::vector<Val> params) {
    const auto* inst = linker_.root().find(versioned(iface));
    if (!inst || !inst->instance) throw std::runtime_error("no instance " + iface);
    const auto* f = inst->instance->find(func);
    if (!f || !f->host) throw std::runtime_error("no function " + func + " in " + iface);
    component::rt::HostCall hc{*store_, arena_, component::TypeId{}};
    std::vector<Val> results;
    auto r = f->host(hc, params, results);
    if (!r) throw std::runtime_error("trap: " + r.error().message);
    return results;
  }
  Val one(const std::string& iface, const std::string& func, std::vector<Val> params) {
    auto r = call(iface, func, std::move(params));
    if (r.size() != 1) throw std::runtime_error(func + ": expected one result");
    return r[0];
  }
  ResourceTable& table() { return state_->table(); }
  const WasiTypes& types() const { return host_.types(); }
  Val borrow(const Val& own) { return Val::borrow(own.handle); }

 private:
  wasm::Engine engine_;
  component::TypeArena arena_;
  WasiHost host_;
  component::rt::Linker linker_;
  std::unique_ptr<WasiState> state_;
  std::unique_ptr<component::rt::Store> store_;
};

// Val builders for the tests.
inline std::string val_string(const Val& bytes_list) {
  if (bytes_list.byte_list) return bytes_list.str;  // the host's compact form
  std::string s;
  for (const Val& b : bytes_list.items) s.push_back(char(b.u));
  return s;
}
inline Val bytes(std::string_view s) {
  std::vector<Val> items;
  for (char c : s) items.push_back(Val::u8(uint8_t(c)));
  return Val::list(std::move(items));
}
inline Val flags(uint32_t bits) { return Val::flag_set({bits}); }

}  // namespace kumo::wasi::p2::test
