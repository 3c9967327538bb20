// StableList<T>: append-only storage whose elements never move (pointers to them stay valid),
// like the std::deque it replaces in Stores, but allocating nothing until the first element and
// then in chunks that double in size. A Store is created per request; libstdc++'s deque allocates
// two blocks even when it stays empty.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace kumo {

template <class T>
class StableList {
 public:
  StableList() = default;
  StableList(const StableList&) = delete;
  StableList& operator=(const StableList&) = delete;
  ~StableList() {
    // Elements are destroyed in the order they were created (as std::deque does).
    size_t left = size_;
    for (Chunk& c : chunks_) {
      size_t n = std::min(left, c.capacity);
      for (size_t i = 0; i < n; ++i) c.at(i)->~T();
      left -= n;
    }
  }

  template <class... A>
  T& emplace_back(A&&... args) {
    if (chunks_.empty() || used_ == chunks_.back().capacity) {
      size_t cap = chunks_.empty() ? kFirst : chunks_.back().capacity * 2;
      auto* mem =
          static_cast<std::byte*>(::operator new[](cap * sizeof(T), std::align_val_t(alignof(T))));
      chunks_.push_back(Chunk{std::unique_ptr<std::byte[], AlignedDelete>(mem), cap});
      used_ = 0;
    }
    T* p = new (chunks_.back().at(used_)) T(std::forward<A>(args)...);
    ++used_;
    ++size_;
    return *p;
  }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  static constexpr size_t kFirst = 8;
  struct AlignedDelete {
    void operator()(std::byte* p) const { ::operator delete[](p, std::align_val_t(alignof(T))); }
  };
  struct Chunk {
    std::unique_ptr<std::byte[], AlignedDelete> mem;
    size_t capacity;
    T* at(size_t i) { return reinterpret_cast<T*>(mem.get()) + i; }
  };
  std::vector<Chunk> chunks_;
  size_t used_ = 0;  // elements in the last chunk
  size_t size_ = 0;
};

}  // namespace kumo
