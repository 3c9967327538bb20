// Guest iovec arrays -> host struct iovec arrays, every buffer bounds-checked.
#pragma once

#include <sys/uio.h>

#include <climits>
#include <vector>

#include "wasi/preview1/abi.hpp"
#include "wasi/preview1/guest_memory.hpp"

namespace kumo::wasi::preview1 {

// Fills `out` from the guest array of `count` {buf: u32, buf_len: u32} at `iovs`. Arrays longer
// than IOV_MAX are cut there: readv/writev may transfer less than asked anyway, and callers
// loop on the returned count.
inline Errno load_iovecs(const GuestMemory& mem, uint32_t iovs, uint32_t count,
                         std::vector<struct iovec>& out) {
  if (!mem.in_bounds(iovs, uint64_t(count) * layout::kIovecSize)) return Errno::Fault;
  out.clear();
  uint32_t n = count < IOV_MAX ? count : IOV_MAX;
  out.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t buf = 0, len = 0;
    mem.load(iovs + i * layout::kIovecSize, buf);
    mem.load(iovs + i * layout::kIovecSize + 4, len);
    auto bytes = mem.bytes(buf, len);
    if (!bytes) return Errno::Fault;
    if (len == 0) continue;
    out.push_back({bytes->data(), bytes->size()});
  }
  return Errno::Success;
}

}  // namespace kumo::wasi::preview1
