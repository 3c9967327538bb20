// The test host for the jco runtime fixtures (/work/shared/components/jco/runtime): loads one
// component, lets the test define its imports with the typed API, instantiates it with a WASI
// shim, and calls its exports through checked typed functions. A missing fixture is a failure.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "component/runtime/typed.hpp"
#include "wasi_shim.hpp"

namespace kumo::component::jco {

using namespace kumo::component::rt;  // Own, Borrow, Result, Ok, Err, Flags, func_wrap, ...

// `name` without extension means `<name>.component.wasm`.
inline std::filesystem::path fixture_path(const std::string& name) {
  bool has_ext = name.size() > 5 && name.substr(name.size() - 5) == ".wasm";
  return std::filesystem::path(KUMO_SHARED_DIR) / "components/jco/runtime" /
         (has_ext ? name : name + ".component.wasm");
}

// An export called from a test: a trap (or a type mismatch found when it was looked up) is a
// test failure that names the function; the result is then value-initialized.
template <class Sig>
class Export;
template <class R, class... A>
class Export<R(A...)> {
 public:
  Export(std::optional<TypedFunc<R(A...)>> f, rt::Store* store, const WasiShim* wasi, std::string what)
      : f_(std::move(f)), store_(store), wasi_(wasi), what_(std::move(what)) {}

  R operator()(const A&... args) const {
    auto r = try_call(args...);
    if (!r) {
      ADD_FAILURE() << what_ << " trapped: " << r.error().to_string() << output();
      if constexpr (!std::is_void_v<R>) return R{};
      else return;
    }
    if constexpr (!std::is_void_v<R>) return std::move(*r);
  }
  // For tests that expect a trap.
  Trapping<R> try_call(const A&... args) const {
    if (!f_) return rt::abi_trap(what_ + " is not available (see the earlier failure)");
    return f_->call(*store_, args...);
  }
  bool ok() const { return f_.has_value(); }

 private:
  std::string output() const {
    std::string o = wasi_->output();
    return o.empty() ? o : "\nguest output:\n" + o;
  }
  std::optional<TypedFunc<R(A...)>> f_;
  rt::Store* store_;
  const WasiShim* wasi_;
  std::string what_;
};

class JcoTest : public ::testing::Test {
 protected:
  // Loads and compiles `<name>.component.wasm`.
  ::testing::AssertionResult load(const std::string& name) {
    auto path = fixture_path(name);
    if (!std::filesystem::exists(path))
      return ::testing::AssertionFailure() << "missing fixture " << path.string();
    auto c = rt::Component::from_file(engine_, path.string());
    if (!c) return ::testing::AssertionFailure() << name << ": " << c.error().message;
    component_ = *c;
    return ::testing::AssertionSuccess();
  }

  // Defines the WASI shim and instantiates (after the test defined its imports in linker()).
  ::testing::AssertionResult instantiate() {
    if (!component_) return ::testing::AssertionFailure() << "no component loaded";
    wasi_.add_to_linker(linker_, *component_);
    auto pre = linker_.instantiate_pre(component_);
    if (!pre) return ::testing::AssertionFailure() << "instantiate_pre: " << pre.error().message;
    store_ = std::make_unique<rt::Store>(engine_);
    auto inst = (*pre)->instantiate(*store_);
    if (!inst) return ::testing::AssertionFailure() << "instantiate: " << inst.error().to_string() << wasi_.output();
    instance_ = std::move(*inst);
    return ::testing::AssertionSuccess();
  }

  ::testing::AssertionResult setup(const std::string& name) {
    auto l = load(name);
    return l ? instantiate() : l;
  }

  // An export of instance `iface` (empty: a top-level function export). A missing export or a
  // signature mismatch is reported here, once.
  template <class Sig>
  Export<Sig> get(std::string_view iface, std::string_view name) {
    auto f = typed_func<Sig>(instance_, iface, name);
    std::string what = iface.empty() ? std::string(name) : std::string(iface) + "#" + std::string(name);
    if (!f) {
      ADD_FAILURE() << f.error().message;
      return Export<Sig>(std::nullopt, store_.get(), &wasi_, what);
    }
    return Export<Sig>(std::move(*f), store_.get(), &wasi_, what);
  }

  LinkerInstance& imports(const std::string& iface) { return linker_.instance(iface); }
  rt::Store& store() { return *store_; }

  wasm::Engine engine_;
  std::shared_ptr<const rt::Component> component_;
  rt::Linker linker_;
  WasiShim wasi_;
  std::unique_ptr<rt::Store> store_;
  rt::Instance instance_;
};

}  // namespace kumo::component::jco
