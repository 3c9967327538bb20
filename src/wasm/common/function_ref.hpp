// FunctionRef: a non-owning reference to a callable (like C++26 std::function_ref). For callbacks
// that only run during the call they are passed to: no allocation, one indirect call.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace kumo {

template <typename Sig>
class FunctionRef;

template <typename R, typename... A>
class FunctionRef<R(A...)> {
 public:
  template <typename F>
  requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef>) &&
      std::is_invocable_r_v<R, F&, A...> FunctionRef(F&& f)  // NOLINT: implicit, like std::function
      : obj_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
  call_([](void* o, A... a) -> R {
    return (*static_cast<std::remove_reference_t<F>*>(o))(std::forward<A>(a)...);
  }) {}

  R operator()(A... a) const { return call_(obj_, std::forward<A>(a)...); }

 private:
  void* obj_;
  R (*call_)(void*, A...);
};

}  // namespace kumo
