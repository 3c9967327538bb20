// Linear memories: address-space reservations committed page by page.
//
// Guarded (32-bit memories, Config::guard_pages, pages at least an OS page): reserve 8 GiB plus a
// guard of PROT_NONE, so that any u32 address + u32 offset (+ access size) lands inside the
// reservation and the interpreter needs no bounds check; the handler in trap_handler.cpp turns
// faults past `size` into traps.
// Unguarded (memory64, guard pages off, sub-OS-page custom page sizes): reserve the maximum size
// instead; the interpreter checks bounds explicitly. In both cases `base` never moves.
//
// Fresh instances are cheap because guarded reservations are pooled (process-wide): a released
// memory's committed pages are dropped with madvise(MADV_DONTNEED) (they read as zero again), and
// the reservation, still registered with the trap handler, serves the next memory (see
// ReservationPool). mmap/munmap of 8 GiB and the guard-registry updates leave the per-instance
// path.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <span>
#include <vector>

#include "wasm/module.hpp"
#include "wasm/runtime/objects.hpp"
#include "wasm/runtime/trap_handler.hpp"

namespace kumo::wasm {

namespace {

// 4 GiB of addressable memory + 4 GiB of offset + room for the widest access (v128) at the top.
constexpr uint64_t kGuardedReservation = (uint64_t(8) << 30) + (uint64_t(64) << 10);

uint64_t os_page_size() {
  static const uint64_t page = uint64_t(sysconf(_SC_PAGESIZE));
  return page;
}

// Rounds up to a multiple of the OS page; v is at most a few TiB here, so no overflow.
uint64_t page_round_up(uint64_t v) {
  uint64_t p = os_page_size();
  return (v + p - 1) / p * p;
}

// Released guarded reservations (kGuardedReservation bytes each, registered with the trap
// handler), with how many bytes at their start are still PROT_READ|PROT_WRITE (zero-filled: they
// were madvise'd). Keeping that prefix accessible saves two mprotect calls (and the VMA splits
// and merges behind them) per instance when the next memory has the same initial size, the
// usual case for a server instantiating one component over and over.
class ReservationPool {
 public:
  struct Entry {
    uint8_t* base = nullptr;
    uint64_t rw_bytes = 0;
    uint64_t image_id = 0;  // a MemoryImage still mapped over the start (madvise reset it)
    uint64_t image_len = 0;
  };
  static ReservationPool& get() {
    static ReservationPool* pool =
        new ReservationPool();  // never destroyed: memories may outlive statics
    return *pool;
  }
  // A reservation whose first `want` bytes are accessible and zero (or, where `e.image_id` is
  // set, the image's contents), the rest PROT_NONE. Prefers one that already holds `image_id`.
  // Returns an entry with a null base when the pool is empty (or a syscall fails).
  Entry take(uint64_t want, uint64_t image_id) {
    Entry e;
    {
      std::lock_guard lock(mutex_);
      if (free_.empty()) return Entry{};
      // Most recently released first, preferring one with the same image and an accessible
      // prefix that already fits (instances with several memories release them alternately).
      size_t pick = free_.size() - 1;
      int best = -1;
      for (size_t i = free_.size(), n = 0; i-- > 0 && n < 16; ++n) {
        int score = (free_[i].image_id == image_id ? 2 : 0) + (free_[i].rw_bytes == want ? 1 : 0);
        if (score > best) best = score, pick = i;
        if (score == 3) break;
      }
      e = free_[pick];
      free_.erase(free_.begin() + ptrdiff_t(pick));
    }
    if (e.image_id != 0 && e.image_id != image_id) {
      // Another module's image: back to anonymous zero pages.
      if (mmap(e.base, e.image_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
               -1, 0) == MAP_FAILED)
        return drop(e);
      e.rw_bytes = std::max(e.rw_bytes, e.image_len);
      e.image_id = e.image_len = 0;
    }
    if (e.rw_bytes > want && mprotect(e.base + want, e.rw_bytes - want, PROT_NONE) != 0)
      return drop(e);
    if (e.rw_bytes < want &&
        mprotect(e.base + e.rw_bytes, want - e.rw_bytes, PROT_READ | PROT_WRITE) != 0)
      return drop(e);
    e.rw_bytes = want;
    return e;
  }
  bool give(const Entry& e) {
    std::lock_guard lock(mutex_);
    if (free_.size() >= kMax) return false;
    free_.push_back(e);
    return true;
  }

 private:
  static Entry drop(const Entry& e) {
    unregister_guard_region(e.base);
    munmap(e.base, kGuardedReservation);
    return Entry{};
  }
  static constexpr size_t kMax = 256;  // 2 TiB of address space at most
  std::mutex mutex_;
  std::vector<Entry> free_;
};

}  // namespace

Expected<std::unique_ptr<MemoryInst>> MemoryInst::create(const MemoryType& type,
                                                         const Config& config,
                                                         const MemoryImage* image) {
  const unsigned log2 = type.page_size_log2;
  if (log2 > 16) return err("memory page size 2^{} is not supported", log2);
  const Limits& limits = type.limits;

  // The spec's ceiling is the whole 32- or 64-bit address space; Config caps it further.
  const uint64_t spec_max_pages = limits.is64 ? (UINT64_MAX >> log2) : (uint64_t(1) << (32 - log2));
  const uint64_t cap_pages = config.max_memory_bytes >> log2;
  if (limits.min > spec_max_pages || limits.min > cap_pages) {
    return err("memory of {} pages exceeds the limit of {} bytes", limits.min,
               config.max_memory_bytes);
  }
  uint64_t max_pages = std::min({limits.max.value_or(spec_max_pages), spec_max_pages, cap_pages});
  max_pages = std::max(max_pages, limits.min);  // a validated module never has max < min

  std::unique_ptr<MemoryInst> mem(new MemoryInst());  // private constructor: no make_unique
  mem->type = type;
  mem->max_bytes_ = max_pages << log2;
  mem->guarded = config.guard_pages && !limits.is64 && (uint64_t(1) << log2) >= os_page_size();
  const uint64_t reserve =
      mem->guarded ? kGuardedReservation : std::max(page_round_up(mem->max_bytes_), os_page_size());

  const uint64_t initial = limits.min << log2;
  if (image && (!mem->guarded || image->len() > page_round_up(initial))) image = nullptr;
  ReservationPool::Entry pooled_entry;
  if (mem->guarded)
    pooled_entry = ReservationPool::get().take(page_round_up(initial), image ? image->id() : 0);
  void* p = pooled_entry.base;
  const bool pooled = p != nullptr;
  if (pooled) mem->image_id_ = pooled_entry.image_id, mem->image_len_ = pooled_entry.image_len;
  if (image && mem->image_id_ == image->id()) mem->image_ = image->shared_from_this();
  // MAP_NORESERVE: untouched pages cost neither memory nor commit charge.
  if (!p) p = mmap(nullptr, reserve, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    return err("cannot reserve {} bytes of address space for a linear memory: {}", reserve,
               std::strerror(errno));
  }
  mem->base = static_cast<uint8_t*>(p);
  mem->reserved_ = reserve;

  if (!pooled && initial > 0 && mprotect(p, page_round_up(initial), PROT_READ | PROT_WRITE) != 0) {
    return err("cannot commit {} bytes for a linear memory: {}", initial, std::strerror(errno));
  }
  mem->size = initial;
  if (image && mem->image_id_ != image->id()) {
    // MAP_FIXED over the accessible prefix: private, so the instance's writes stay its own.
    if (mmap(p, image->len(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, image->fd(), 0) ==
        MAP_FAILED) {
      if (pooled) unregister_guard_region(p);
      munmap(p, reserve);
      mem->base = nullptr;
      return err("cannot map the memory image: {}", std::strerror(errno));
    }
    // No fault-around: it maps neighbouring image pages read-only, and a later write to one of
    // them must then flush the old entry from every core's TLB (an IPI per copy-on-write fault
    // under load); a page whose first access is a write needs no flush.
    madvise(p, image->len(), MADV_RANDOM);
    mem->image_id_ = image->id();
    mem->image_len_ = image->len();
    mem->image_ = image->shared_from_this();
  }

  if (mem->guarded) {
    install_trap_handler();
    if (!pooled) register_guard_region(p, reserve);
  }
  return mem;
}

MemoryInst::~MemoryInst() {
  if (base == nullptr) return;
  if (guarded) {
    const uint64_t committed = page_round_up(size);
    // On a private file mapping MADV_DONTNEED drops the instance's copies: the image shows again.
    if (committed == 0 || reset_in_place() || madvise(base, committed, MADV_DONTNEED) == 0) {
      if (ReservationPool::get().give({base, committed, image_id_, image_len_})) return;
    }
    unregister_guard_region(base);  // before munmap: the range may be reused at once
  }
  munmap(base, reserved_);
}

namespace {

// /proc/self/pagemap, opened once: 64 bits per virtual page (bit 63 present, 62 swapped,
// 61 file-backed or shared; linux/Documentation/admin-guide/mm/pagemap.rst).
int pagemap_fd() {
  static const int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  return fd;
}
constexpr uint64_t kPresent = uint64_t(1) << 63, kSwapped = uint64_t(1) << 62,
                   kFile = uint64_t(1) << 61;
constexpr uint64_t kMaxResetInPlace = uint64_t(64) << 20;  // bytes a slot may keep resident

// The pagemap entries of `npages` OS pages from `base`, in a per-thread buffer; empty on failure.
std::span<const uint64_t> read_pagemap(const uint8_t* base, uint64_t npages) {
  thread_local std::vector<uint64_t> entries;
  if (pagemap_fd() < 0) return {};
  entries.resize(npages);
  const uint64_t page = os_page_size();
  const off_t at = off_t(reinterpret_cast<uintptr_t>(base) / page * sizeof(uint64_t));
  const size_t want = npages * sizeof(uint64_t);
  if (pread(pagemap_fd(), entries.data(), want, at) != ssize_t(want)) return {};
  return entries;
}

// A page the instance wrote: a private copy (present and not file-backed), or swapped out.
bool written(uint64_t e) { return (e & kSwapped) || ((e & kPresent) && !(e & kFile)); }

}  // namespace

const uint8_t* MemoryInst::pristine_page(uint64_t i) const {
  const uint64_t at = i * os_page_size();
  return at < image_len_ ? image_->pristine() + at : nullptr;
}

void MemoryInst::reset_page(uint64_t i) {
  const uint64_t page = os_page_size();
  if (const uint8_t* from = pristine_page(i))
    std::memcpy(base + i * page, from, page);
  else
    std::memset(base + i * page, 0, page);
}

// reset_page() for a memory rewritten whole: most of its pages are unchanged, and reading a page
// costs less than writing it (no read-for-ownership, nothing dirtied in the caches).
void MemoryInst::reset_page_if_changed(uint64_t i, const uint8_t* captured) {
  const uint64_t page = os_page_size();
  static const std::vector<uint8_t> zeros(page, 0);
  const uint8_t* want = captured != nullptr ? captured : pristine_page(i);
  uint8_t* at = base + i * page;
  if (std::memcmp(at, want != nullptr ? want : zeros.data(), page) == 0) return;
  if (want != nullptr)
    std::memcpy(at, want, page);
  else
    std::memset(at, 0, page);
}

bool MemoryInst::image_lost() const {
  return image_len_ != 0 && (!image_ || image_id_ != image_->id());
}

// Resets a memory to its initial contents without dropping its pages: pages the instance wrote
// (private copies: present and not file-backed) get the image's bytes back, if it has an image,
// and the other written pages are zeroed. The slot keeps them private and writable, so the next
// instance of the same module writes them without a copy-on-write fault. That matters under
// load: a copy-on-write fault on a page that was mapped read-only must flush it from every core's
// TLB (an IPI to each core running the process's other workers), and an interpreted JS engine
// writes hundreds of such pages per request. madvise(MADV_DONTNEED), the other way to reset,
// sends an IPI too and makes the next instance fault every page again.
// Returns false (nothing done) when it cannot: no pagemap, too much to copy.
bool MemoryInst::reset_in_place() {
  if (image_lost()) return false;
  const uint64_t page = os_page_size();
  const uint64_t npages = page_round_up(size) / page;
  auto entries = read_pagemap(base, npages);
  if (entries.size() != npages) return false;
  uint64_t dirty = 0;
  for (uint64_t e : entries)
    if (written(e)) dirty += page;
  if (dirty > kMaxResetInPlace) return false;
  for (uint64_t i = 0; i < npages; ++i) {
    if (written(entries[i])) reset_page(i);  // else untouched or shared
  }
  return true;
}

bool MemoryInst::capture(Pages& out) const {
  if (image_lost()) return false;
  const uint64_t page = os_page_size();
  if (reinterpret_cast<uintptr_t>(base) % page != 0) return false;
  const uint64_t npages = page_round_up(size) / page;
  auto entries = read_pagemap(base, npages);
  if (entries.size() != npages) return false;
  out.size = size;
  out.slot.assign(npages, -1);
  out.bytes.clear();
  static const std::vector<uint8_t> zeros(page, 0);
  for (uint64_t i = 0; i < npages; ++i) {
    if (!written(entries[i])) continue;
    const uint8_t* from = pristine_page(i);
    // Written pages are usually only a reused slot's leftovers, equal to what a reset gives.
    if (std::memcmp(base + i * page, from ? from : zeros.data(), page) == 0) continue;
    out.slot[i] = int32_t(out.bytes.size() / page);
    out.bytes.insert(out.bytes.end(), base + i * page, base + (i + 1) * page);
  }
  return true;
}

// reset_in_place() with the captured pages in place of the image's or zeros.
//
// Restoring a page that was not written is harmless, so the pagemap only saves work. It does not
// for a small memory (rewriting 256 KiB costs about what the pagemap read does), nor once a scan
// finds every page written (written pages stay private and keep reading as written): then every
// page is rewritten without scanning.
bool MemoryInst::restore(const Pages& pages) {
  if (size != pages.size) return false;
  const uint64_t page = os_page_size();
  const uint64_t npages = page_round_up(size) / page;
  constexpr uint64_t kRewriteAllBytes = 256 << 10;
  if (npages * page <= kRewriteAllBytes) all_written_ = true;
  std::span<const uint64_t> entries;
  if (!all_written_) {
    entries = read_pagemap(base, npages);
    if (entries.size() != npages) return false;
    const auto dirty = uint64_t(std::count_if(entries.begin(), entries.end(), written));
    // A memory that keeps this much resident is cheaper to drop (madvise) than to rewrite.
    if (dirty * page > kMaxResetInPlace) return false;
    all_written_ = dirty == npages;
  }
  for (uint64_t i = 0; i < npages; ++i) {
    // A captured page is restored even if unwritten since: its copy is the truth either way.
    const int32_t s = pages.slot[i];
    const uint8_t* captured = s >= 0 ? pages.bytes.data() + uint64_t(s) * page : nullptr;
    if (all_written_) {
      reset_page_if_changed(i, captured);
    } else if (captured != nullptr) {
      std::memcpy(base + i * page, captured, page);
    } else if (written(entries[i])) {
      reset_page(i);
    }
  }
  return true;
}

namespace {
constexpr uint64_t kMinImageBytes = 16 << 10;  // below this, copying beats a mapping
std::atomic<uint64_t> g_next_image_id{1};

// Writes all of `data` at `offset` of `fd`.
bool pwrite_all(int fd, const uint8_t* data, size_t n, uint64_t offset) {
  while (n > 0) {
    ssize_t w = pwrite(fd, data, n, off_t(offset));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w, n -= size_t(w), offset += uint64_t(w);
  }
  return true;
}
}  // namespace

std::shared_ptr<MemoryImage> MemoryImage::build(const Module& m) {
  if (m.num_imported_memories != 0 || m.memories.empty()) return nullptr;
  const MemoryType& mt = m.memories[0];
  if (mt.limits.is64 || mt.page_size_log2 != 16) return nullptr;
  const uint64_t initial = mt.limits.min << 16;
  uint64_t end = 0, total = 0;
  for (const DataSegment& d : m.datas) {
    if (d.mode != SegmentMode::Active || d.memory != 0) continue;
    const Instr* in = d.offset.single();
    if (!in || in->op != Op::I32Const) return nullptr;
    const uint64_t off = uint32_t(in->i64);
    if (off + d.data_size > initial)
      return nullptr;  // it traps at instantiation: keep the copy path
    end = std::max(end, off + d.data_size);
    total += d.data_size;
  }
  if (total < kMinImageBytes) return nullptr;
  std::shared_ptr<MemoryImage> img(new MemoryImage());
  img->fd_ = memfd_create("kumo-memory-image", MFD_CLOEXEC);
  if (img->fd_ < 0) return nullptr;
  img->len_ = page_round_up(end);
  if (ftruncate(img->fd_, off_t(img->len_)) != 0) return nullptr;
  // Later segments overwrite earlier ones where they overlap, as instantiation does.
  for (const DataSegment& d : m.datas) {
    if (d.mode != SegmentMode::Active || d.memory != 0 || d.data_size == 0) continue;
    auto bytes = m.data(d);
    if (!pwrite_all(img->fd_, bytes.data(), bytes.size(), uint32_t(d.offset.single()->i64)))
      return nullptr;
  }
  void* pristine = mmap(nullptr, img->len_, PROT_READ, MAP_SHARED, img->fd_, 0);
  if (pristine == MAP_FAILED) return nullptr;
  img->pristine_ = static_cast<const uint8_t*>(pristine);
  img->id_ = g_next_image_id.fetch_add(1);
  return img;
}

MemoryImage::~MemoryImage() {
  if (pristine_) munmap(const_cast<uint8_t*>(pristine_), len_);
  if (fd_ >= 0) close(fd_);  // mappings made from it stay valid
}

int64_t MemoryInst::grow(uint64_t delta) {
  const unsigned log2 = type.page_size_log2;
  const uint64_t old_pages = pages();
  if (delta == 0) return int64_t(old_pages);
  const uint64_t max_pages = max_bytes_ >> log2;
  if (delta > max_pages - old_pages) return -1;
  const uint64_t new_size = (old_pages + delta) << log2;

  // Pages past `size` inside the last committed OS page are already accessible (and still zero:
  // wasm could never write them), so only whole new OS pages need committing.
  const uint64_t committed = page_round_up(size);
  const uint64_t needed = page_round_up(new_size);
  if (needed > committed &&
      mprotect(base + committed, needed - committed, PROT_READ | PROT_WRITE) != 0) {
    return -1;
  }
  size = new_size;
  return int64_t(old_pages);
}

}  // namespace kumo::wasm
