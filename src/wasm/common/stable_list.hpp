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
    for (size_t c = 0; c < nchunks_; ++c) {
      size_t n = std::min(left, capacity(c));
      for (size_t i = 0; i < n; ++i) chunks_[c][i].~T();
      left -= n;
      release(chunks_[c]);
    }
  }

  template <class... A>
  T& emplace_back(A&&... args) {
    if (nchunks_ == 0 || used_ == capacity(nchunks_ - 1)) {
      if (nchunks_ == kMaxChunks) throw std::bad_alloc();
      chunks_[nchunks_] = acquire(capacity(nchunks_));
      ++nchunks_;
      used_ = 0;
    }
    T* p = new (chunks_[nchunks_ - 1] + used_) T(std::forward<A>(args)...);
    ++used_;
    ++size_;
    return *p;
  }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Calls f(element) for each element, in the order they were created.
  template <class F>
  void for_each(F&& f) {
    size_t left = size_;
    for (size_t c = 0; c < nchunks_ && left > 0; ++c) {
      size_t n = std::min(left, capacity(c));
      for (size_t i = 0; i < n; ++i) f(chunks_[c][i]);
      left -= n;
    }
  }

 private:
  // Chunk c holds kFirst << c elements: 24 chunks hold over 10^8 elements, and the chunk table
  // is a plain array, so the first element costs one allocation.
  static constexpr size_t kFirst = 8;
  static constexpr size_t kMaxChunks = 24;
  static constexpr size_t capacity(size_t c) { return kFirst << c; }
  // Raw storage; the aligned operator new only where the type needs it (it is slower).
  static constexpr bool kOverAligned = alignof(T) > __STDCPP_DEFAULT_NEW_ALIGNMENT__;
  static T* acquire(size_t n) {
    if constexpr (kOverAligned)
      return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(alignof(T))));
    else
      return static_cast<T*>(::operator new(n * sizeof(T)));
  }
  static void release(T* p) {
    if constexpr (kOverAligned)
      ::operator delete(static_cast<void*>(p), std::align_val_t(alignof(T)));
    else
      ::operator delete(static_cast<void*>(p));
  }
  T* chunks_[kMaxChunks] = {};
  size_t nchunks_ = 0;
  size_t used_ = 0;  // elements in the last chunk
  size_t size_ = 0;
};

}  // namespace kumo
