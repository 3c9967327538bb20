// Linear memories: limits, growth, and guard-page faults turned into traps.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <thread>
#include <vector>

#include "wasm/runtime/objects.hpp"
#include "wasm/runtime/trap_handler.hpp"

namespace kumo::wasm {
namespace {

constexpr uint64_t kPage = 65536;

MemoryType mem_type(uint64_t min, std::optional<uint64_t> max = std::nullopt, bool is64 = false) {
  MemoryType t;
  t.limits.min = min;
  t.limits.max = max;
  t.limits.is64 = is64;
  return t;
}

// Reads one byte at `p` with the trap jump armed; true when the read faulted into a trap.
// sigsetjmp(buf, 0): the handler runs with SA_NODEFER, so no signal mask needs restoring.
bool read_traps(const volatile uint8_t* p) {
  sigjmp_buf buf;
  sigjmp_buf* volatile saved = tls_trap_jump;
  if (sigsetjmp(buf, 0) != 0) {
    tls_trap_jump = saved;
    return true;
  }
  tls_trap_jump = &buf;
  (void)*p;
  tls_trap_jump = saved;
  return false;
}

bool write_traps(volatile uint8_t* p) {
  sigjmp_buf buf;
  sigjmp_buf* volatile saved = tls_trap_jump;
  if (sigsetjmp(buf, 0) != 0) {
    tls_trap_jump = saved;
    return true;
  }
  tls_trap_jump = &buf;
  *p = 42;
  tls_trap_jump = saved;
  return false;
}

TEST(RuntimeMemory, CreateZeroedAndSized) {
  auto mem = MemoryInst::create(mem_type(2, 10), Config{});
  ASSERT_TRUE(mem) << mem.error().message;
  EXPECT_EQ((*mem)->size, 2 * kPage);
  EXPECT_EQ((*mem)->pages(), 2u);
  EXPECT_TRUE((*mem)->guarded);
  for (uint64_t i = 0; i < 2 * kPage; i += 4093) EXPECT_EQ((*mem)->base[i], 0);
  (*mem)->base[2 * kPage - 1] = 7;  // the last byte is writable
}

TEST(RuntimeMemory, GrowReturnsOldSizeAndRespectsMax) {
  auto mem = std::move(*MemoryInst::create(mem_type(1, 3), Config{}));
  uint8_t* base = mem->base;
  EXPECT_EQ(mem->grow(0), 1);
  EXPECT_EQ(mem->grow(1), 1);
  EXPECT_EQ(mem->pages(), 2u);
  EXPECT_EQ(mem->grow(2), -1);  // would exceed max 3
  EXPECT_EQ(mem->pages(), 2u);
  EXPECT_EQ(mem->grow(1), 2);
  EXPECT_EQ(mem->grow(1), -1);
  EXPECT_EQ(mem->base, base);  // guarded memories never move
  mem->base[3 * kPage - 1] = 1;
  EXPECT_EQ(mem->grow(UINT64_MAX), -1);  // no overflow in the page arithmetic
}

TEST(RuntimeMemory, GrowWithoutMaxStopsAtFourGiB) {
  auto mem = std::move(*MemoryInst::create(mem_type(0), Config{}));
  EXPECT_EQ(mem->grow(65537), -1);
  EXPECT_EQ(mem->grow(65536), 0);  // only address space: pages are committed lazily
  EXPECT_EQ(mem->size, uint64_t(4) << 30);
  EXPECT_EQ(mem->grow(1), -1);
}

TEST(RuntimeMemory, ConfigCapsMemory) {
  Config cfg;
  cfg.max_memory_bytes = 4 * kPage;
  EXPECT_FALSE(MemoryInst::create(mem_type(5), cfg));
  auto mem = std::move(*MemoryInst::create(mem_type(1, 100), cfg));
  EXPECT_EQ(mem->grow(3), 1);
  EXPECT_EQ(mem->grow(1), -1);
}

TEST(RuntimeMemory, UnguardedWhenGuardPagesOff) {
  Config cfg;
  cfg.guard_pages = false;
  auto mem = std::move(*MemoryInst::create(mem_type(1, 4), cfg));
  EXPECT_FALSE(mem->guarded);
  EXPECT_FALSE(in_guard_region(mem->base));
  uint8_t* base = mem->base;
  EXPECT_EQ(mem->grow(3), 1);
  EXPECT_EQ(mem->base, base);
  mem->base[4 * kPage - 1] = 9;
  EXPECT_EQ(mem->grow(1), -1);
}

TEST(RuntimeMemory, Memory64IsUnguarded) {
  auto mem = std::move(*MemoryInst::create(mem_type(1, 8, /*is64=*/true), Config{}));
  EXPECT_FALSE(mem->guarded);
  EXPECT_EQ(mem->grow(7), 1);
  EXPECT_EQ(mem->grow(1), -1);
  mem->base[8 * kPage - 1] = 1;
}

TEST(RuntimeMemory, ZeroPagesHasAValidBase) {
  Config cfg;
  cfg.guard_pages = false;
  auto mem = std::move(*MemoryInst::create(mem_type(0, 0), cfg));
  EXPECT_NE(mem->base, nullptr);
  EXPECT_EQ(mem->size, 0u);
  EXPECT_EQ(mem->grow(1), -1);
}

TEST(RuntimeMemory, CustomPageSizeOneByte) {
  MemoryType t = mem_type(3, 70000);
  t.page_size_log2 = 0;
  auto mem = std::move(*MemoryInst::create(t, Config{}));
  EXPECT_FALSE(mem->guarded);  // sizes are not OS-page multiples: explicit checks needed
  EXPECT_EQ(mem->size, 3u);
  EXPECT_EQ(mem->grow(69997), 3);
  EXPECT_EQ(mem->size, 70000u);
  mem->base[69999] = 1;
  EXPECT_EQ(mem->grow(1), -1);
}

TEST(RuntimeMemoryGuard, ReadPastSizeTraps) {
  auto mem = std::move(*MemoryInst::create(mem_type(1, 2), Config{}));
  ASSERT_TRUE(mem->guarded);
  EXPECT_TRUE(in_guard_region(mem->base));
  EXPECT_TRUE(in_guard_region(mem->base + (uint64_t(8) << 30)));
  EXPECT_FALSE(read_traps(mem->base + kPage - 1));
  EXPECT_TRUE(read_traps(mem->base + kPage));
  EXPECT_TRUE(write_traps(mem->base + kPage + 5));
  // Twice more: the signal mask is intact after siglongjmp out of the handler.
  EXPECT_TRUE(read_traps(mem->base + kPage));
  // The farthest address wasm can form: u32 max address + u32 max offset (+ a v128 access).
  EXPECT_TRUE(read_traps(mem->base + 2 * uint64_t(UINT32_MAX) + 15));
  EXPECT_EQ(mem->grow(1), 1);
  EXPECT_FALSE(read_traps(mem->base + kPage));
  EXPECT_FALSE(write_traps(mem->base + 2 * kPage - 1));
  EXPECT_TRUE(read_traps(mem->base + 2 * kPage));
}

// Released guarded reservations are pooled: the next memory of the same size reuses the last one
// released, which reads as zero again and stays inside a registered guard region.
TEST(RuntimeMemoryGuard, ReleasedReservationsAreReusedClean) {
  const uint8_t* base;
  {
    auto mem = std::move(*MemoryInst::create(mem_type(2), Config{}));
    base = mem->base;
    mem->base[100] = 42;
    mem->base[70000] = 7;
    EXPECT_TRUE(in_guard_region(base + 100));
  }
  EXPECT_TRUE(in_guard_region(base + 100));  // pooled, still registered
  auto again = std::move(*MemoryInst::create(mem_type(2), Config{}));
  ASSERT_EQ(again->base, base);
  EXPECT_EQ(again->size, 2u * 65536);
  EXPECT_EQ(again->base[100], 0);
  EXPECT_EQ(again->base[70000], 0);
  // A smaller memory in a reservation that had more accessible: still zero, and growing exposes
  // zeroed pages.
  again->base[100] = 1;
  again.reset();
  auto small = std::move(*MemoryInst::create(mem_type(1), Config{}));
  EXPECT_EQ(small->pages(), 1u);
  EXPECT_EQ(small->base[100], 0);
  EXPECT_EQ(small->grow(1), 1);
  EXPECT_EQ(small->base[70000], 0);
}

TEST(RuntimeMemoryGuard, RegistryApi) {
  alignas(64) static uint8_t region[256];
  EXPECT_FALSE(in_guard_region(region));
  register_guard_region(region, 128);
  EXPECT_TRUE(in_guard_region(region));
  EXPECT_TRUE(in_guard_region(region + 127));
  EXPECT_FALSE(in_guard_region(region + 128));
  unregister_guard_region(region);
  EXPECT_FALSE(in_guard_region(region));
}

using RuntimeMemoryGuardDeathTest = ::testing::Test;

// The fault reached the previous handler: killed by SIGSEGV (SIG_DFL), or a sanitizer's handler
// reported it and exited non-zero. _Exit(0) would mean it was wrongly turned into a trap.
bool fault_not_swallowed(int status) { return !(WIFEXITED(status) && WEXITSTATUS(status) == 0); }

TEST(RuntimeMemoryGuardDeathTest, FaultOutsideRegionsIsNotSwallowed) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  install_trap_handler();
  EXPECT_EXIT(
      {
        sigjmp_buf buf;
        if (sigsetjmp(buf, 0) == 0) {
          tls_trap_jump = &buf;
          *static_cast<volatile int*>(nullptr) = 1;
        }
        std::_Exit(0);  // reached only if the fault were wrongly turned into a trap
      },
      fault_not_swallowed, "");
}

TEST(RuntimeMemoryGuardDeathTest, FaultWithoutTrapJumpIsNotSwallowed) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        auto mem = std::move(*MemoryInst::create(mem_type(1), Config{}));
        tls_trap_jump = nullptr;
        (void)*static_cast<volatile uint8_t*>(mem->base + kPage);
        std::_Exit(0);
      },
      fault_not_swallowed, "");
}

TEST(RuntimeMemoryGuard, ManyThreadsCreateAndFault) {
  std::atomic<int> traps{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&traps] {
      install_trap_handler();  // gives this thread its alternate signal stack
      for (int i = 0; i < 25; ++i) {
        auto mem = std::move(*MemoryInst::create(mem_type(1, 2), Config{}));
        if (read_traps(mem->base + kPage + uint64_t(i) * 4096)) traps.fetch_add(1);
        if (!read_traps(mem->base + kPage - 1)) traps.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(traps.load(), 4 * 25 * 2);
}

}  // namespace
}  // namespace kumo::wasm
