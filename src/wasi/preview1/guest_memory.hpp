// GuestMemory: a bounds-checked view of the calling instance's linear memory. Every access by a
// WASI function goes through it, so a bad guest pointer becomes EFAULT instead of a host crash.
// Wasm memory is little-endian; so is every host Kumo supports (checked below).
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

namespace kumo::wasi::preview1 {

static_assert(std::endian::native == std::endian::little, "WASI host assumes a little-endian host");

class GuestMemory {
 public:
  GuestMemory() = default;
  GuestMemory(uint8_t* base, uint64_t size) : base_(base), size_(size) {}

  uint64_t size() const { return size_; }
  bool in_bounds(uint32_t ptr, uint64_t len) const {
    return len <= size_ && uint64_t(ptr) <= size_ - len;
  }

  // The guest bytes [ptr, ptr + len), or nullopt when any of them is outside the memory.
  std::optional<std::span<uint8_t>> bytes(uint32_t ptr, uint64_t len) const {
    if (!in_bounds(ptr, len)) return std::nullopt;
    return std::span<uint8_t>(base_ + ptr, static_cast<size_t>(len));
  }

  // Unaligned little-endian loads and stores; false when out of bounds.
  template <typename T>
  requires std::is_integral_v<T>
  bool load(uint32_t ptr, T& out) const {
    if (!in_bounds(ptr, sizeof(T))) return false;
    std::memcpy(&out, base_ + ptr, sizeof(T));
    return true;
  }
  template <typename T>
  requires std::is_integral_v<T>
  bool store(uint32_t ptr, T value) const {
    if (!in_bounds(ptr, sizeof(T))) return false;
    std::memcpy(base_ + ptr, &value, sizeof(T));
    return true;
  }
  bool write(uint32_t ptr, const void* data, uint64_t len) const {
    if (!in_bounds(ptr, len)) return false;
    if (len) std::memcpy(base_ + ptr, data, static_cast<size_t>(len));
    return true;
  }

 private:
  uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
};

}  // namespace kumo::wasi::preview1
