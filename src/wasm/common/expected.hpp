// Expected<T>: the result type for recoverable errors across every Kumo layer.
// (std::expected is C++23; this is the small subset Kumo needs.)
#pragma once

#include <fmt/format.h>

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace kumo {

// A recoverable error: a human-readable message that names what is wrong and where.
struct Error {
  std::string message;
};

// Wraps an error so that `return Unexpected{...}` / `return err(...)` converts to any Expected.
template <typename E = Error>
struct Unexpected {
  E error;
};
template <typename E>
Unexpected(E) -> Unexpected<E>;

template <typename... Args>
inline Unexpected<Error> err(fmt::format_string<Args...> f, Args&&... args) {
  return Unexpected<Error>{Error{fmt::format(f, std::forward<Args>(args)...)}};
}

// E is Error for ordinary failures; the runtime uses Expected<T, Trap> for wasm execution.
template <typename T, typename E = Error>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Expected(Unexpected<E> u) : v_(std::in_place_index<1>, std::move(u.error)) {}
  template <typename U>
    requires std::is_constructible_v<T, U&&> && (!std::is_same_v<std::decay_t<U>, Expected>) &&
             (!std::is_same_v<std::decay_t<U>, Unexpected<E>>)
  Expected(U&& u) : v_(std::in_place_index<0>, T(std::forward<U>(u))) {}

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(v_); }
  const T& value() const& { assert(has_value()); return std::get<0>(v_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const { assert(!has_value()); return std::get<1>(v_); }
  E& error() { assert(!has_value()); return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

template <typename E>
class [[nodiscard]] Expected<void, E> {
 public:
  Expected() = default;
  Expected(Unexpected<E> u) : error_(std::in_place, std::move(u.error)) {}
  bool has_value() const { return !error_.has_value(); }
  explicit operator bool() const { return has_value(); }
  const E& error() const { assert(!has_value()); return *error_; }
  E& error() { assert(!has_value()); return *error_; }

 private:
  // Empty on success: a success constructs, moves and destroys no E (a Trap is large).
  std::optional<E> error_;
};

// Propagate an error from an Expected expression: KUMO_TRY(auto x, f()); or KUMO_CHECK(g());
#define KUMO_CONCAT_INNER(a, b) a##b
#define KUMO_CONCAT(a, b) KUMO_CONCAT_INNER(a, b)
#define KUMO_TRY_IMPL(tmp, decl, expr)            \
  auto tmp = (expr);                              \
  if (!tmp) return ::kumo::Unexpected{std::move(tmp.error())}; \
  decl = std::move(*tmp)
#define KUMO_TRY(decl, expr) KUMO_TRY_IMPL(KUMO_CONCAT(kumo_try_, __LINE__), decl, expr)
#define KUMO_CHECK(expr)                                      \
  do {                                                        \
    auto kumo_check_ = (expr);                                \
    if (!kumo_check_) return ::kumo::Unexpected{std::move(kumo_check_.error())}; \
  } while (0)

}  // namespace kumo
