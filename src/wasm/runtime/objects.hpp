// Runtime objects of the core engine: values, traps, and the instances a Store owns
// (functions, tables, memories, globals, tags, module instances). The interpreter reads these
// structures directly, so their hot fields are plain public members.
#pragma once

#include <atomic>
#include <bit>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <memory_resource>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "wasm/common/expected.hpp"
#include "wasm/module.hpp"
#include "wasm/types.hpp"
#include "wasm/validator/validator.hpp"

namespace kumo::wasm {

class Store;
struct Instance;
struct FuncInst;
struct CompiledModule;
namespace interp {
struct Code;  // translated code of one function (private to the interpreter)
void destroy_code(Code* code);
struct CodeDeleter {
  void operator()(Code* c) const { destroy_code(c); }
};
}  // namespace interp

// ---------------------------------------------------------------------------------------------
// Values

struct V128 {
  uint64_t lo = 0, hi = 0;
  friend bool operator==(const V128&, const V128&) = default;
};

// A reference value: FuncInst* for funcref, an opaque host pointer for externref; nullptr is null.
// An i31 reference (GC) is the tagged value (v << 1) | 1: odd, so it never equals the address of
// an object (FuncInst, exception, host cell), and equal i31 values have equal bits (ref.eq).
using Ref = void*;

inline Ref make_i31_ref(uint32_t v) {
  return reinterpret_cast<Ref>(uintptr_t((uint64_t(v & 0x7fffffffu) << 1) | 1));
}
inline bool is_i31_ref(Ref r) { return (reinterpret_cast<uintptr_t>(r) & 1) != 0; }
inline uint32_t i31_get_u(Ref r) {
  return uint32_t(reinterpret_cast<uintptr_t>(r) >> 1) & 0x7fffffffu;
}
inline uint32_t i31_get_s(Ref r) { return uint32_t(int32_t(i31_get_u(r) << 1) >> 1); }

// A typed value at API boundaries (the interpreter itself works on untyped 64-bit slots;
// a v128 occupies two consecutive slots, low half first).
struct Value {
  ValType type = ValType::I32;
  union {
    uint32_t i32;
    uint64_t i64;
    uint32_t f32;  // raw bits: NaN payloads are preserved
    uint64_t f64;  // raw bits
    V128 v128;
    Ref ref;
  };
  Value() : v128{} {}
  static Value from_i32(uint32_t v) {
    Value x;
    x.type = ValType::I32;
    x.i32 = v;
    return x;
  }
  static Value from_i64(uint64_t v) {
    Value x;
    x.type = ValType::I64;
    x.i64 = v;
    return x;
  }
  static Value from_f32_bits(uint32_t v) {
    Value x;
    x.type = ValType::F32;
    x.f32 = v;
    return x;
  }
  static Value from_f64_bits(uint64_t v) {
    Value x;
    x.type = ValType::F64;
    x.f64 = v;
    return x;
  }
  static Value from_f32(float v) { return from_f32_bits(std::bit_cast<uint32_t>(v)); }
  static Value from_f64(double v) { return from_f64_bits(std::bit_cast<uint64_t>(v)); }
  static Value from_v128(V128 v) {
    Value x;
    x.type = ValType::V128;
    x.v128 = v;
    return x;
  }
  static Value from_ref(ValType t, Ref r) {
    Value x;
    x.type = t;
    x.ref = r;
    return x;
  }
  float as_f32() const { return std::bit_cast<float>(f32); }
  double as_f64() const { return std::bit_cast<double>(f64); }
};
std::string to_string(const Value& v);

// Number of 64-bit interpreter slots a value of type t occupies (v128: 2, everything else: 1).
constexpr unsigned slot_count(ValType t) { return t.kind() == ValType::V128 ? 2 : 1; }

// ---------------------------------------------------------------------------------------------
// Traps: a distinct error type carrying a code and the wasm backtrace.

enum class TrapCode : uint8_t {
  Unreachable,
  MemoryOutOfBounds,
  TableOutOfBounds,
  UninitializedElement,  // call_indirect through a null table entry
  IndirectCallTypeMismatch,
  IntegerOverflow,
  IntegerDivideByZero,
  InvalidConversionToInteger,
  CallStackExhausted,
  NullReference,      // ref.as_non_null, call_ref, struct/array access on null
  Interrupted,        // epoch deadline reached
  UncaughtException,  // a wasm exception left the outermost wasm frame
  UnalignedAtomic,
  HostError,    // a host function failed; the message says why
  Exit,         // WASI proc_exit: `exit_code` holds the status
  CastFailure,  // ref.cast to a type the value does not have
};
// The spec test suite's wording for the code ("integer divide by zero", "call stack exhausted",
// ...).
const char* trap_message(TrapCode code);

struct TrapFrame {
  uint32_t func_index = 0;  // index in the defining module's function index space
  std::string func_name;    // from the name section, or empty
  std::string module_name;  // from the name section, or empty
  uint32_t offset = 0;      // byte offset in the module binary of the faulting/calling instruction
};

struct Trap {
  TrapCode code = TrapCode::Unreachable;
  std::string message;               // defaults to trap_message(code); host errors say more
  std::vector<TrapFrame> backtrace;  // innermost frame first
  int exit_code = 0;                 // TrapCode::Exit only
  std::shared_ptr<void> exception;   // TrapCode::UncaughtException: the exception object
  std::string to_string() const;     // message plus one line per frame
};

inline Unexpected<Trap> make_trap(TrapCode code, std::string message = {}) {
  Trap t;
  t.code = code;
  t.message = message.empty() ? trap_message(code) : std::move(message);
  return Unexpected<Trap>{std::move(t)};
}

// ---------------------------------------------------------------------------------------------
// Configuration and the Engine (shared, thread-safe; owns the canonical function-type table).

// How functions run: the interpreter, or the baseline compiling tier where it can compile a
// function (docs/compiler-tier.md; functions it cannot compile stay interpreted). The tier emits
// x86-64 code: the default there, ignored elsewhere.
enum class Tier : uint8_t { Interpreter, Baseline };
#if defined(__x86_64__)
inline constexpr Tier kDefaultTier = Tier::Baseline;
#else
inline constexpr Tier kDefaultTier = Tier::Interpreter;
#endif

struct Config {
  uint64_t max_memory_bytes = uint64_t(4) << 30;  // cap per linear memory
  uint32_t max_call_depth = 20000;                // wasm frames per Store
  size_t value_stack_bytes = size_t(8) << 20;     // interpreter value stack per Store
  bool guard_pages = true;  // reserve 8 GiB per 32-bit memory so loads/stores need no checks
  Features features{};      // validation profile (wasm 3.0 by default; spec suites pick theirs)
  Tier tier = kDefaultTier;
};

namespace interp {
struct ExecState;
}
// Owns an interpreter ExecState (defined by the interpreter; the deleter is out of line).
struct ExecStateDeleter {
  void operator()(interp::ExecState* s) const;
};
using ExecStatePtr = std::unique_ptr<interp::ExecState, ExecStateDeleter>;

class Engine {
 public:
  explicit Engine(Config config = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const Config& config() const { return config_; }
  // Never reused by another Engine (unlike its address): a key for caches of per-engine ids.
  uint64_t uid() const { return uid_; }

  // Canonical id of a function type: equal types (structurally) get equal ids, across modules.
  uint32_t intern(const FuncType& type);
  const FuncType& type_of(uint32_t id) const;

  // Epoch-based interruption: a Store whose deadline is <= the epoch traps with Interrupted at the
  // next function entry or loop back-edge. Safe to call from any thread.
  void increment_epoch() { epoch_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t epoch() const { return epoch_.load(std::memory_order_relaxed); }
  const std::atomic<uint64_t>* epoch_ptr() const { return &epoch_; }

  // Interpreter stacks are pooled: a server creates a Store per request, and allocating (and
  // first touching) megabytes of value stack each time would dominate instantiation.
  ExecStatePtr take_exec_state();
  void return_exec_state(ExecStatePtr state);  // reset and kept, up to a small number

 private:
  Config config_;
  const uint64_t uid_ = next_uid();
  static uint64_t next_uid() {
    static std::atomic<uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
  }
  std::atomic<uint64_t> epoch_{0};
  struct TypeTable;
  std::unique_ptr<TypeTable> types_;
  std::mutex pool_mutex_;
  std::vector<ExecStatePtr> exec_pool_;
};

// ---------------------------------------------------------------------------------------------
// Store-owned instances

// What a host function sees of its caller.
struct Caller {
  Store& store;
  Instance* instance;  // the calling wasm instance, or nullptr when called from the host
  struct MemoryInst* memory(uint32_t index = 0) const;
  // Looks up an export of the calling instance (WASI uses the "memory" export).
  struct MemoryInst* exported_memory(std::string_view name = "memory") const;
};

// Host function calling convention: arguments arrive in `slots` (one 64-bit slot per value,
// two for v128, low half first); results are written to `slots` from index 0. The slot array is
// large enough for max(params, results). Returning a Trap unwinds the wasm caller.
using HostCallback = std::function<Expected<void, Trap>(Caller&, uint64_t* slots)>;

struct FuncInst {
  uint32_t type_id = 0;                // Engine::intern(type)
  const FuncType* type = nullptr;      // owned by the Engine's type table (stable)
  Instance* instance = nullptr;        // wasm functions: the defining instance
  uint32_t func_index = 0;             // wasm functions: index in the defining module
  const interp::Code* code = nullptr;  // wasm functions: translated body (owned by CompiledModule)
  HostCallback host;                   // host functions
  bool is_host() const { return code == nullptr; }
};

// A module's initial memory contents (its active data segments) in a memfd, mapped
// copy-on-write into each fresh instance instead of copying the segments: pages the instance never
// writes are shared with every other instance and cost no copy (wasmtime does the same).
class MemoryImage : public std::enable_shared_from_this<MemoryImage> {
 public:
  // The image of memory 0 of `m`, or nullptr when one does not apply: the memory is imported or
  // not a plain 32-bit one, some active segment has a non-constant offset or lies past the
  // initial size, or there is too little data to be worth a mapping.
  static std::shared_ptr<MemoryImage> build(const Module& m);
  ~MemoryImage();
  MemoryImage(const MemoryImage&) = delete;
  MemoryImage& operator=(const MemoryImage&) = delete;

  int fd() const { return fd_; }
  uint64_t len() const { return len_; }  // bytes from the memory's start (OS-page multiple)
  uint64_t id() const { return id_; }    // unique per image, never reused
  const uint8_t* pristine() const { return pristine_; }  // the contents, read-only

 private:
  MemoryImage() = default;
  int fd_ = -1;
  uint64_t len_ = 0;
  uint64_t id_ = 0;
  const uint8_t* pristine_ = nullptr;  // a shared read-only mapping of fd_
};

class MemoryInst {
 public:
  // Creates a memory of `type` honouring Config (guard reservation, max bytes). With `image`
  // (guarded memories only), the memory starts with the image's contents.
  static Expected<std::unique_ptr<MemoryInst>> create(const MemoryType& type, const Config& config,
                                                      const MemoryImage* image = nullptr);
  // Whether the memory's contents start from `image` (its data segments need no copying).
  bool has_image(const MemoryImage& image) const { return image_id_ == image.id(); }
  ~MemoryInst();
  MemoryInst(const MemoryInst&) = delete;
  MemoryInst& operator=(const MemoryInst&) = delete;

  // Grows by `delta` pages; returns the old size in pages, or -1 (memory unchanged) on failure.
  int64_t grow(uint64_t delta);
  uint64_t pages() const { return size >> type.page_size_log2; }

  // Instance recycling (wasm/runtime/snapshot.hpp): the pages whose contents differ from what a
  // reset gives them (the image's bytes, or zeros), recorded right after instantiation, so that
  // restore() can bring the memory back to exactly that state.
  struct Pages {
    uint64_t size = 0;
    std::vector<int32_t> slot;  // per OS page: its copy's index in `bytes` (in pages), or -1
    std::vector<uint8_t> bytes;
  };
  // False when the memory cannot be tracked (no /proc/self/pagemap, not page-aligned).
  bool capture(Pages& out) const;
  // False when the memory's size changed since capture (memory.grow) or it has more than 64 MiB
  // of written pages (cheaper to drop): the caller must then drop the instance.
  bool restore(const Pages& pages);

  // Hot fields read by the interpreter. `base` never moves when `guarded` is true.
  uint8_t* base = nullptr;
  uint64_t size = 0;     // bytes currently accessible
  bool guarded = false;  // true: any u32 address + u32 offset lands in the reservation, and
                         // accesses past `size` fault (SIGSEGV turned into a trap)
  MemoryType type;

 private:
  MemoryInst() = default;
  uint64_t reserved_ = 0;  // bytes of address space reserved
  uint64_t max_bytes_ = 0;
  uint64_t image_id_ = 0;  // MemoryImage mapped over the start (0: none)
  uint64_t image_len_ = 0;
  std::shared_ptr<const MemoryImage> image_;  // when it was mapped (or reused) for this memory
  bool all_written_ = false;                  // restore(): the last scan found every page written
  bool reset_in_place();                      // see ~MemoryInst
  // What a reset gives OS page `i`: the image's bytes (below image_len_), else nullptr (zeros).
  const uint8_t* pristine_page(uint64_t i) const;
  void reset_page(uint64_t i);  // writes what pristine_page(i) says into page i
  // The same (or `captured`'s bytes) only where the page differs.
  void reset_page_if_changed(uint64_t i, const uint8_t* captured);
  // An image was mapped over the start but is no longer held: nothing can reset those pages.
  bool image_lost() const;
};

struct TableInst {
  TableType type;
  std::vector<Ref> elems;
  uint64_t max = 0;  // effective maximum number of elements
  // Grows by `delta` entries filled with `init`; returns the old size, or -1 on failure.
  int64_t grow(uint64_t delta, Ref init);
};

struct GlobalInst {
  GlobalType type;
  alignas(16) uint64_t value[2] = {0, 0};  // v128 uses both; references are stored as Ref bits
};

struct TagInst {
  uint32_t type_id = 0;
  const FuncType* type = nullptr;
};

struct Extern {
  ExternKind kind = ExternKind::Func;
  union {
    FuncInst* func;
    TableInst* table;
    MemoryInst* memory;
    GlobalInst* global;
    TagInst* tag;
    void* ptr = nullptr;
  };
  static Extern of(FuncInst* f) {
    Extern e;
    e.kind = ExternKind::Func;
    e.func = f;
    return e;
  }
  static Extern of(TableInst* t) {
    Extern e;
    e.kind = ExternKind::Table;
    e.table = t;
    return e;
  }
  static Extern of(MemoryInst* m) {
    Extern e;
    e.kind = ExternKind::Memory;
    e.memory = m;
    return e;
  }
  static Extern of(GlobalInst* g) {
    Extern e;
    e.kind = ExternKind::Global;
    e.global = g;
    return e;
  }
  static Extern of(TagInst* t) {
    Extern e;
    e.kind = ExternKind::Tag;
    e.tag = t;
    return e;
  }
};

// A validated and translated module, shareable between Stores and threads.
struct CompiledModule {
  std::shared_ptr<const Module> module;
  std::vector<uint32_t> type_ids;          // Engine ids of module.types
  std::vector<const FuncType*> type_ptrs;  // Engine::type_of(type_ids[i]) (stable)
  std::vector<std::unique_ptr<interp::Code, interp::CodeDeleter>> code;  // per defined function
  // The baseline tier's internal entry of each defined function whose machine code is complete
  // (null for the others): compiled calls between the module's functions go through it.
  std::unique_ptr<const void*[]> jit_bodies;
  // Per (active or passive) element segment whose items are all `ref.func N` / `ref.null`: the
  // function indices (kNullFunc for null), so instantiation fills tables without evaluating
  // thousands of constant expressions; empty otherwise. Filled by compile().
  static constexpr uint32_t kNullFunc = UINT32_MAX;
  std::vector<std::vector<uint32_t>> elem_funcs;
  // Per defined function its type (Engine id and pointer), and per data segment its bytes: what
  // instantiation reads for every function and segment, in contiguous arrays (a snapshotting tool
  // such as wizer emits thousands of segments; SpiderMonkey has 12,797 functions). Filled by
  // compile(); instantiate() falls back to the module when they are empty.
  std::vector<uint32_t> func_type_ids;
  std::vector<const FuncType*> func_types;
  std::vector<std::span<const uint8_t>> data_spans;
  struct ActiveData {
    uint32_t index, memory;
  };
  std::vector<ActiveData> active_datas;  // the active data segments, in order
  static std::vector<ActiveData> active_data_segments(const Module& m);
  // Export name -> index in module->exports (names point into the module). Instances keep their
  // exports as a plain vector in that order, so creating one builds no map.
  std::unordered_map<std::string_view, uint32_t> export_index;
  std::optional<uint32_t> find_export(std::string_view name) const {
    if (export_index.empty()) {  // assembled by hand (tests): no index
      for (uint32_t i = 0; i < module->exports.size(); ++i)
        if (module->exports[i].name == name) return i;
      return std::nullopt;
    }
    auto it = export_index.find(name);
    if (it == export_index.end()) return std::nullopt;
    return it->second;
  }
  ~CompiledModule();
  // Memory 0's image, built on first use (thread-safe); nullptr when none applies.
  const MemoryImage* memory_image() const;

 private:
  mutable std::once_flag image_once_;
  mutable std::shared_ptr<MemoryImage> image_;
};

// Decode, validate and translate a binary module.
Expected<std::shared_ptr<CompiledModule>> compile(Engine& engine, std::span<const uint8_t> bytes);
// Validate and translate an already decoded module (e.g. one nested in a component binary).
Expected<std::shared_ptr<CompiledModule>> compile(Engine& engine,
                                                  std::shared_ptr<const Module> module);

struct Instance {
  // The index spaces take their memory from `mr`: a Store passes its arena, so a fresh instance
  // does not allocate each vector separately.
  explicit Instance(std::pmr::memory_resource* mr = std::pmr::get_default_resource())
      : funcs(mr), tables(mr), memories(mr), globals(mr), tags(mr), datas(mr), exports(mr) {}
  std::shared_ptr<const CompiledModule> compiled;
  const Module& module() const { return *compiled->module; }
  // Index spaces, imports first.
  std::pmr::vector<FuncInst*> funcs;
  std::pmr::vector<TableInst*> tables;
  std::pmr::vector<MemoryInst*> memories;
  std::pmr::vector<GlobalInst*> globals;
  std::pmr::vector<TagInst*> tags;
  std::vector<std::vector<Ref>> elems;               // element segments; dropped = cleared
  std::pmr::vector<std::span<const uint8_t>> datas;  // data segments; dropped = empty
  std::pmr::vector<Extern> exports;                  // in the order of module().exports

  std::optional<Extern> get_export(std::string_view name) const;
  FuncInst* get_func(std::string_view name) const;
  MemoryInst* get_memory(std::string_view name) const;
};

}  // namespace kumo::wasm
