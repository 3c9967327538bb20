// The dispatch loop and the host entry point.
//
// execute() runs threaded code (code.hpp): every handler ends with `goto *handler(ip)`, one
// indirect jump per instruction. The hot state lives in locals the compiler keeps in registers:
// ip, fp (frame base) and mbase (memory 0's base). Wasm-to-wasm calls never recurse on the C++
// stack: frames are pushed on ExecState's control stack.
//
// Nothing with a destructor may be live inside execute(): a memory fault in a guarded memory
// siglongjmps out of it (see run_protected()).
#include "wasm/interp/interp.hpp"

#include <pthread.h>

#include <algorithm>
#include <csetjmp>
#include <cstdlib>
#include <cstring>
#include <unordered_map>

#include "wasm/interp/exec_state.hpp"
#include "wasm/interp/numeric.hpp"
#include "wasm/interp/profiler.hpp"
#include "wasm/interp/simd.hpp"
#include "wasm/jit/baseline.hpp"
#include "wasm/runtime/store.hpp"
#include "wasm/runtime/trap_handler.hpp"

#define KUMO_LIKELY(x) __builtin_expect(!!(x), 1)
#define KUMO_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define KUMO_LIKELY(x) __builtin_expect(!!(x), 1)

namespace kumo::wasm::interp {

namespace {

// execute() results besides TrapCode values.
constexpr int kOk = -1;
constexpr int kHostTrap = -2;   // ExecState::host_trap holds the trap
constexpr int kException = -3;  // ExecState::pending_exception was not caught
constexpr int kMemoryFault = -4;

const char* const kUndefinedElement = "undefined element";
// Nested activations (host functions calling back into wasm) recurse on the native stack: they
// stop (CallStackExhausted) this far above the end of the thread's stack.
constexpr size_t kNativeStackReserve = size_t(256) << 10;

// Lowest address nested activations may reach on this thread (computed once per thread).
const char* native_stack_limit() {
  thread_local const char* limit = [] {
    const char* here = static_cast<const char*>(__builtin_frame_address(0));
    pthread_attr_t attr;
    void* addr = nullptr;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      pthread_attr_getstack(&attr, &addr, &size);
      pthread_attr_destroy(&attr);
    }
    if (addr == nullptr || size == 0) return here - (size_t(1) << 20);  // unknown: assume 1 MiB
    const char* low = static_cast<const char*>(addr);
    size_t reserve = std::min(kNativeStackReserve, size / 4);
    return low + reserve;
  }();
  return limit;
}
const char* const kNullFuncRef = "null function reference";
const char* const kNullI31Ref = "null i31 reference";

inline V128 vload(const Slot* s) {
  V128 v;
  std::memcpy(static_cast<void*>(&v), s, 16);
  return v;
}
inline void vstore(Slot* s, V128 v) { std::memcpy(s, &v, 16); }
inline uint64_t load_u64(const uint32_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

uint32_t host_result_slots(const FuncInst* f) {
  uint32_t n = 0;
  for (ValType t : f->type->results) n += slot_count(t);
  return n;
}
uint32_t host_frame_slots(const FuncInst* f) {
  uint32_t n = 0;
  for (ValType t : f->type->params) n += slot_count(t);
  return std::max(n, host_result_slots(f));
}

// Calls a host function with its arguments at `args`; results are written there.
[[gnu::noinline]] int call_host(ExecState& es, FuncInst* f, Slot* args, Instance* caller_inst,
                                Frame* csp) {
  // A nested activation (the host calling back into wasm) starts above the arguments.
  Slot* saved_top = es.stack_top;
  Frame* saved_frame_top = es.frame_top;
  const ExecState::ActivationState saved = es.save_activation();
  es.stack_top = args + host_frame_slots(f);
  es.frame_top = csp + 1;
  // Faults inside host code are not wasm traps: a longjmp would skip its destructors.
  sigjmp_buf* saved_jump = tls_trap_jump;
  tls_trap_jump = nullptr;
  Expected<void, Trap> r;
  Caller caller{*es.store, caller_inst};
  try {
    r = f->host(caller, &args->u64);
  } catch (const std::exception& e) {
    r = make_trap(TrapCode::HostError, fmt::format("host function threw: {}", e.what()));
  } catch (...) {
    r = make_trap(TrapCode::HostError, "host function threw an exception");
  }
  tls_trap_jump = saved_jump;
  es.stack_top = saved_top;
  es.frame_top = saved_frame_top;
  es.restore_activation(saved);
  es.jit.deadline = es.store->epoch_deadline();  // the host may have moved it
  es.cur_frame = csp;
  if (KUMO_LIKELY(r.has_value())) return kOk;
  Trap& t = r.error();
  if (t.code == TrapCode::UncaughtException && t.exception) {
    // A wasm exception crossing the host: keep unwinding it through the wasm frames.
    es.pending_exception = std::static_pointer_cast<Exception>(t.exception);
    return kException;
  }
  es.host_trap = std::move(t);
  return kHostTrap;
}

void new_exception(ExecState& es, TagInst* tag, const Slot* payload) {
  auto e = std::make_shared<Exception>();
  e->tag = tag;
  uint32_t n = 0;
  for (ValType t : tag->type->params) n += slot_count(t);
  e->payload.resize(n);
  if (n > 0) std::memcpy(e->payload.data(), payload, n * sizeof(Slot));  // (data() may be null)
  es.pending_exception = std::move(e);
}

const CatchEntry* find_catch(const Code* c, uint32_t pc, Instance* inst, const Exception* exn) {
  int32_t h = int32_t(c->handlers.size()) - 1;
  while (h >= 0 && (pc < c->handlers[h].begin_pc || pc >= c->handlers[h].end_pc)) --h;
  while (h >= 0) {
    const HandlerEntry& he = c->handlers[size_t(h)];
    for (uint32_t i = 0; i < he.num_catches; ++i) {
      const CatchEntry& ce = c->catches[he.first_catch + i];
      if (ce.kind == CatchClause::CatchAll || ce.kind == CatchClause::CatchAllRef) return &ce;
      if (inst->tags[ce.tag] == exn->tag) return &ce;
    }
    h = he.parent;
  }
  return nullptr;
}

void deliver_exception(ExecState& es, const CatchEntry& ce, Slot* fp) {
  Exception* exn = es.pending_exception.get();
  bool exposed = ce.kind == CatchClause::CatchRef || ce.kind == CatchClause::CatchAllRef ||
                 ce.exn_slot != CatchEntry::kNoSlot;
  if (exposed && !exn->retained) {
    exn->retained = true;
    es.exceptions.push_back(es.pending_exception);
  }
  Slot* dst = fp + ce.dst_slot;
  if (ce.kind == CatchClause::Catch || ce.kind == CatchClause::CatchRef) {
    std::memcpy(dst, exn->payload.data(), exn->payload.size() * sizeof(Slot));
    dst += exn->payload.size();
  }
  if (ce.kind == CatchClause::CatchRef || ce.kind == CatchClause::CatchAllRef) dst->ref = exn;
  if (ce.exn_slot != CatchEntry::kNoSlot) fp[ce.exn_slot].ref = exn;
}

// ---- bulk memory and table helpers: kOk or a TrapCode ----

inline uint64_t addr_operand(const Slot& s, bool is64) { return is64 ? s.u64 : uint64_t(s.u32); }
inline bool in_range(uint64_t start, uint64_t n, uint64_t size) {
  return start <= size && n <= size - start;
}

int op_memory_init(Instance* inst, Slot* fp, const uint32_t* ip) {
  MemoryInst* m = inst->memories[ip[5]];
  std::span<const uint8_t> data = inst->datas[ip[6]];
  uint64_t d = addr_operand(fp[ip[2]], m->type.limits.is64);
  uint64_t s = fp[ip[3]].u32, n = fp[ip[4]].u32;
  if (!in_range(s, n, data.size()) || !in_range(d, n, m->size)) {
    return int(TrapCode::MemoryOutOfBounds);
  }
  if (n) std::memcpy(m->base + d, data.data() + s, n);
  return kOk;
}

}  // namespace

// Also the baseline tier's helpers (src/wasm/jit/helpers.cpp).
int op_memory_copy(Instance* inst, Slot* fp, const uint32_t* ip) {
  MemoryInst* dm = inst->memories[ip[5]];
  MemoryInst* sm = inst->memories[ip[6]];
  bool d64 = dm->type.limits.is64, s64 = sm->type.limits.is64;
  uint64_t d = addr_operand(fp[ip[2]], d64);
  uint64_t s = addr_operand(fp[ip[3]], s64);
  uint64_t n = addr_operand(fp[ip[4]], d64 && s64);
  if (!in_range(s, n, sm->size) || !in_range(d, n, dm->size)) {
    return int(TrapCode::MemoryOutOfBounds);
  }
  if (n) std::memmove(dm->base + d, sm->base + s, n);
  return kOk;
}

int op_memory_fill(Instance* inst, Slot* fp, const uint32_t* ip) {
  MemoryInst* m = inst->memories[ip[5]];
  bool is64 = m->type.limits.is64;
  uint64_t d = addr_operand(fp[ip[2]], is64);
  uint8_t v = uint8_t(fp[ip[3]].u32);
  uint64_t n = addr_operand(fp[ip[4]], is64);
  if (!in_range(d, n, m->size)) return int(TrapCode::MemoryOutOfBounds);
  if (n) std::memset(m->base + d, v, n);
  return kOk;
}

namespace {

int op_table_fill(Instance* inst, Slot* fp, const uint32_t* ip) {
  TableInst* t = inst->tables[ip[5]];
  bool is64 = t->type.limits.is64;
  uint64_t i = addr_operand(fp[ip[2]], is64);
  Ref v = fp[ip[3]].ref;
  uint64_t n = addr_operand(fp[ip[4]], is64);
  if (!in_range(i, n, t->elems.size())) return int(TrapCode::TableOutOfBounds);
  std::fill_n(t->elems.begin() + ptrdiff_t(i), n, v);
  return kOk;
}

int op_table_copy(Instance* inst, Slot* fp, const uint32_t* ip) {
  TableInst* dt = inst->tables[ip[5]];
  TableInst* st = inst->tables[ip[6]];
  bool d64 = dt->type.limits.is64, s64 = st->type.limits.is64;
  uint64_t d = addr_operand(fp[ip[2]], d64);
  uint64_t s = addr_operand(fp[ip[3]], s64);
  uint64_t n = addr_operand(fp[ip[4]], d64 && s64);
  if (!in_range(s, n, st->elems.size()) || !in_range(d, n, dt->elems.size())) {
    return int(TrapCode::TableOutOfBounds);
  }
  if (n) {
    std::memmove(dt->elems.data() + d, st->elems.data() + s, n * sizeof(Ref));
  }
  return kOk;
}

int op_table_init(Instance* inst, Slot* fp, const uint32_t* ip) {
  TableInst* t = inst->tables[ip[5]];
  const std::vector<Ref>& e = inst->elems[ip[6]];
  uint64_t d = addr_operand(fp[ip[2]], t->type.limits.is64);
  uint64_t s = fp[ip[3]].u32, n = fp[ip[4]].u32;
  if (!in_range(s, n, e.size()) || !in_range(d, n, t->elems.size())) {
    return int(TrapCode::TableOutOfBounds);
  }
  if (n) std::copy_n(e.begin() + ptrdiff_t(s), n, t->elems.begin() + ptrdiff_t(d));
  return kOk;
}

const void* const* g_labels = nullptr;

// Testing aid: KUMO_INTERP_CHECKED=1 runs every memory-0 access through the bounds-checked
// variant even for guarded memories (so that the spec suites cover it).
const bool g_force_checked = std::getenv("KUMO_INTERP_CHECKED") != nullptr;

#ifdef KUMO_INTERP_PROFILE
// Development aid (build with -DKUMO_INTERP_PROFILE): counts executed instructions and
// consecutive pairs, printed to stderr at exit. Used to choose fusions.
IOp handler_op_slow(const void* h);
struct Profile {
  std::vector<uint64_t> ops = std::vector<uint64_t>(size_t(IOp::Count_));
  std::vector<uint64_t> pairs = std::vector<uint64_t>(size_t(IOp::Count_) * size_t(IOp::Count_));
  size_t prev = 0;
  ~Profile();
};
Profile g_profile;
inline void profile_op(const uint32_t* ip) {
  size_t op = size_t(handler_op_slow(load_handler(ip)));
  ++g_profile.ops[op];
  ++g_profile.pairs[g_profile.prev * size_t(IOp::Count_) + op];
  g_profile.prev = op;
}
#endif

// The dispatch loop. Runs the activation whose first frame is `entry` (already pushed, its
// arguments in place) until that frame returns (kOk), or a trap (a TrapCode or kHostTrap /
// kException; es->cur_frame and es->trap_ip say where).
// With es == nullptr it only publishes the handler table.
[[gnu::noinline, gnu::optimize("no-gcse")]] int execute(ExecState* es, Frame* entry) {
  static const void* const labels[] = {
#define OP(name) &&L_##name,
#include "wasm/interp/ops_list.inc"
#undef OP
  };
  if (es == nullptr) {
    g_labels = labels;
    return kOk;
  }

  Frame* csp = entry;
  Slot* fp = entry->fp;
  Instance* inst = nullptr;
  uint8_t* mbase = nullptr;
  const uint32_t* ip = nullptr;
  int trap_code = 0;
  FuncInst* callee = nullptr;
  Slot* nfp = nullptr;
  const uint32_t* ret_ip = nullptr;
  uint32_t tail_slots = 0;
  es->entry_frame = entry;
  es->jit.epoch = es->store->engine().epoch_ptr();
  es->jit.stack_limit = native_stack_limit();
  es->jit.deadline = es->store->epoch_deadline();

#define SWITCH_INSTANCE(ni)                                                       \
  do {                                                                            \
    inst = (ni);                                                                  \
    es->jit.set_instance(inst);                                                   \
    MemoryInst* m0_ = inst->memories.empty() ? nullptr : inst->memories[0];       \
    es->mem0 = m0_;                                                               \
    mbase = m0_ ? m0_->base : nullptr;                                            \
    es->variant = (m0_ != nullptr && (!m0_->guarded || g_force_checked)) ? 1 : 0; \
  } while (0)
#ifdef KUMO_INTERP_PROFILE
#define DISPATCH()          \
  do {                      \
    profile_op(ip);         \
    goto* load_handler(ip); \
  } while (0)
#else
#define DISPATCH() goto* load_handler(ip)
#endif
#define NEXT(n) \
  do {          \
    ip += (n);  \
    DISPATCH(); \
  } while (0)
#define R(i) fp[ip[i]]
#define VR(i) vload(fp + ip[i])
#define VW(i, v) vstore(fp + ip[i], (v))
// Immediates: one unit for i32, two (full 64 bits) for i64. IMM(field, i) reads the immediate
// at operand i; IMMSZ(field) is its size in units.
#define IMM_u32(p) (*(p))
#define IMM_u64(p) load_u64(p)
#define IMMSZ_u32 1
#define IMMSZ_u64 2
#define TRAP_CODE(c) \
  do {               \
    trap_code = (c); \
    goto trap_exit;  \
  } while (0)
#define TRAP(c) TRAP_CODE(int(c))
#define TRAP_MSG(c, msg)      \
  do {                        \
    es->trap_message = (msg); \
    TRAP(c);                  \
  } while (0)
// Taken branch; backward branches (loop back-edges) check the epoch deadline.
#define BRANCH(k)                                                                          \
  do {                                                                                     \
    int32_t off_ = int32_t(ip[k]);                                                         \
    if (off_ <= 0 &&                                                                       \
        KUMO_UNLIKELY(es->jit.epoch->load(std::memory_order_relaxed) >= es->jit.deadline)) \
      TRAP(TrapCode::Interrupted);                                                         \
    ip += off_;                                                                            \
    DISPATCH();                                                                            \
  } while (0)

// The baseline tier's machine code, when the function has it and memory 0 is guarded (the code
// has no bounds checks): it runs on the frame from the function's entry. Then the function
// returns as with `return`, ends the activation with a trap the code recorded where it happened
// (an exception unwinds on from this frame), or continues here at the pc of an instruction the
// tier does not compile.
#define RUN_JIT(c)                                                                     \
  do {                                                                                 \
    if ((c)->jit_fn != nullptr && es->variant == 0) {                                  \
      const uint64_t r_ = (c)->jit_fn(fp, mbase, inst->globals.data(), &es->jit);      \
      if (KUMO_LIKELY(r_ == 0)) goto do_return;                                        \
      if (jit::CompiledBody::is_recorded(r_)) {                                        \
        trap_code = int32_t(uint32_t(r_));                                             \
        if (trap_code != kException) return trap_code;                                 \
        es->cur_frame = csp;                                                           \
        ip = (c)->code.data(); /* no handlers in compiled code: the search moves on */ \
        goto do_throw;                                                                 \
      }                                                                                \
      ip = (c)->code.data() + jit::CompiledBody::pc(r_);                               \
      DISPATCH();                                                                      \
    }                                                                                  \
  } while (0)

  SWITCH_INSTANCE(entry->inst);
  {
    const Code* c = entry->func->code;
    ip = c->entry[es->variant].load(std::memory_order_acquire);
    if (ip == nullptr) ip = c->entry_checked();
  }
  es->cur_frame = csp;
  if (KUMO_UNLIKELY(es->jit.epoch->load(std::memory_order_relaxed) >= es->jit.deadline)) {
    TRAP(TrapCode::Interrupted);
  }
  RUN_JIT(entry->func->code);
  DISPATCH();

#include "wasm/interp/handlers_control.inc"
#include "wasm/interp/handlers_mem.inc"
#include "wasm/interp/handlers_num.inc"
#include "wasm/interp/handlers_simd.inc"

trap_exit:
  es->trap_ip = ip;
  es->cur_frame = csp;
  return trap_code;

#undef SWITCH_INSTANCE
#undef RUN_JIT
#undef DISPATCH
#undef NEXT
#undef R
#undef VR
#undef VW
#undef IMM_u32
#undef IMM_u64
#undef IMMSZ_u32
#undef IMMSZ_u64
#undef TRAP_CODE
#undef TRAP
#undef TRAP_MSG
#undef BRANCH
}

const void* const* labels() {
  static const void* const* table = [] {
    execute(nullptr, nullptr);
    return g_labels;
  }();
  return table;
}

// Sorted (handler, op) pairs for handler_op().
const std::vector<std::pair<const void*, IOp>>& reverse_labels() {
  static const std::vector<std::pair<const void*, IOp>> table = [] {
    std::vector<std::pair<const void*, IOp>> t;
    for (size_t i = 0; i < size_t(IOp::Count_); ++i) t.push_back({labels()[i], IOp(i)});
    std::sort(t.begin(), t.end(), [](const auto& a, const auto& b) {
      return std::less<const void*>()(a.first, b.first);
    });
    return t;
  }();
  return table;
}

// Runs execute() with the trap handler's jump buffer set, so that a fault in a guarded memory
// comes back here as kMemoryFault.
int run_protected(ExecState& es, Frame* entry) {
  sigjmp_buf jb;
  sigjmp_buf* const prev = tls_trap_jump;
  if (sigsetjmp(jb, 0) != 0) {
    tls_trap_jump = prev;
    return kMemoryFault;
  }
  tls_trap_jump = &jb;
  int r = execute(&es, entry);
  tls_trap_jump = prev;
  return r;
}

TrapFrame trap_frame(const Frame& f, const uint32_t* pc) {
  TrapFrame tf;
  const Code* c = f.func->code;
  tf.func_index = c->func_index;
  tf.offset = pc ? c->wasm_offset(pc) : 0;
  if (f.inst != nullptr && f.inst->compiled && f.inst->compiled->module) {
    const Module& m = f.inst->module();
    auto it = m.func_names.find(tf.func_index);
    if (it != m.func_names.end()) tf.func_name = it->second;
    tf.module_name = m.module_name;
  }
  return tf;
}

// Builds the Trap for an execute() result, with the backtrace of the frames [entry, cur_frame].
Trap make_trap_value(ExecState& es, int code, Frame* entry) {
  Trap t;
  if (code == kHostTrap) {
    t = std::move(es.host_trap);
    es.host_trap = Trap{};
  } else if (code == kException) {
    t.code = TrapCode::UncaughtException;
    t.message = trap_message(t.code);
    t.exception = std::static_pointer_cast<void>(es.pending_exception);
    es.pending_exception.reset();
  } else {
    t.code = code == kMemoryFault ? TrapCode::MemoryOutOfBounds : TrapCode(code);
    t.message = es.trap_message ? es.trap_message : trap_message(t.code);
  }
  es.trap_message = nullptr;
  Frame* top = es.cur_frame;
  if (top != nullptr && top >= entry) {
    for (Frame* f = top; f >= entry; --f) {
      // The faulting instruction of a memory fault is unknown: report the function's start.
      const uint32_t* pc = f == top ? (code == kMemoryFault ? nullptr : es.trap_ip) : f->ip - 1;
      t.backtrace.push_back(trap_frame(*f, pc));
      if (code == kMemoryFault && f == top) {
        t.backtrace.back().offset =
            f->func->code->offsets.empty() ? 0 : f->func->code->offsets.front().offset;
      }
    }
  }
  return t;
}

#ifdef KUMO_INTERP_PROFILE
const char* const kOpNames[] = {
#define OP(name) #name,
#include "wasm/interp/ops_list.inc"
#undef OP
};
IOp handler_op_slow(const void* h) {
  static std::unordered_map<const void*, IOp> m = [] {
    std::unordered_map<const void*, IOp> r;
    for (size_t i = 0; i < size_t(IOp::Count_); ++i) r[labels()[i]] = IOp(i);
    return r;
  }();
  return m.at(h);
}
Profile::~Profile() {
  std::vector<std::pair<uint64_t, size_t>> v;
  uint64_t total = 0;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i]) v.push_back({ops[i], i});
    total += ops[i];
  }
  std::sort(v.rbegin(), v.rend());
  fmt::print(stderr, "== instructions: {}\n", total);
  for (size_t i = 0; i < v.size() && i < 40; ++i) {
    fmt::print(stderr, "{:6.2f}% {}\n", 100.0 * double(v[i].first) / double(total),
               kOpNames[v[i].second]);
  }
  v.clear();
  size_t n = size_t(IOp::Count_);
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (pairs[i]) v.push_back({pairs[i], i});
  }
  std::sort(v.rbegin(), v.rend());
  fmt::print(stderr, "== pairs\n");
  for (size_t i = 0; i < v.size() && i < 40; ++i) {
    fmt::print(stderr, "{:6.2f}% {} -> {}\n", 100.0 * double(v[i].first) / double(total),
               kOpNames[v[i].second / n], kOpNames[v[i].second % n]);
  }
}
#endif

}  // namespace

// ---------------------------------------------------------------------------------------------

const void* handler_address(IOp op) { return labels()[size_t(op)]; }

IOp handler_op(const void* handler) {
  const auto& t = reverse_labels();
  auto it = std::lower_bound(t.begin(), t.end(), handler, [](const auto& a, const void* h) {
    return std::less<const void*>()(a.first, h);
  });
  if (it == t.end() || it->first != handler) return IOp::Count_;
  return it->second;
}

const uint32_t* Code::entry_checked() const {
  std::call_once(checked_once_, [this] {
    checked_code_ = code;
    for (uint32_t site : guarded_sites) {
      IOp op = handler_op(load_handler(code.data() + site));
      // The checked variant directly follows the unchecked one (ops_list.inc).
      const void* h = handler_address(IOp(uint16_t(op) + 1));
      std::memcpy(checked_code_.data() + site, &h, sizeof h);
    }
    entry[1].store(checked_code_.data(), std::memory_order_release);
  });
  return entry[1].load(std::memory_order_acquire);
}

uint32_t Code::pc_index(const uint32_t* p) const {
  if (p >= code.data() && p <= code.data() + code.size()) return uint32_t(p - code.data());
  return uint32_t(p - checked_code_.data());
}

uint32_t Code::wasm_offset(const uint32_t* p) const {
  uint32_t pc = pc_index(p);
  auto it = std::upper_bound(offsets.begin(), offsets.end(), pc,
                             [](uint32_t v, const PcOffset& o) { return v < o.pc; });
  if (it == offsets.begin()) return offsets.empty() ? 0 : offsets.front().offset;
  return std::prev(it)->offset;
}

namespace {

constexpr uint64_t kRecorded = jit::CompiledBody::kTrapBit | jit::CompiledBody::kRecordedBit;

// A trap of the call instruction at `ip` itself, recorded as the interpreter's TRAP does.
uint64_t call_trap(ExecState& es, const uint32_t* ip, int code, const char* message = nullptr) {
  es.trap_ip = ip;
  if (message != nullptr) es.trap_message = message;
  return kRecorded | uint32_t(code);
}

// The part of every jit_call after the callee is known (es.cur_frame is the caller's frame).
[[gnu::always_inline]] inline uint64_t jit_enter(JitEnv* env, FuncInst* callee, Slot* nfp,
                                                 const uint32_t* ip, const uint32_t* ret_ip) {
  using jit::CompiledBody;
  ExecState& es = *env->es;
  Frame* const csp = es.cur_frame;
  Instance* const inst = env->inst;
  csp->ip = ret_ip;
  const Code* c = callee->code;
  if (KUMO_UNLIKELY(c == nullptr)) {
    const int r = call_host(es, callee, nfp, inst, csp);
    return r == kOk ? 0 : call_trap(es, ip, r);
  }
  if (KUMO_UNLIKELY(csp + 1 >= es.frames_end || nfp + c->max_slots > es.stack_end ||
                    static_cast<const char*>(__builtin_frame_address(0)) < env->stack_limit)) {
    return call_trap(es, ip, int(TrapCode::CallStackExhausted));
  }
  Frame* const f = csp + 1;
  f->fp = nfp;
  f->func = callee;
  f->inst = callee->instance;
  f->ip = nullptr;
  es.cur_frame = f;
  if (KUMO_LIKELY(c->jit_complete && callee->instance == inst)) {
    // Compiled code of the same instance: straight on the native stack.
    if (KUMO_UNLIKELY(env->epoch->load(std::memory_order_relaxed) >= env->deadline)) {
      es.trap_ip = c->code.data();
      return kRecorded | uint32_t(TrapCode::Interrupted);
    }
    const uint64_t r =
        c->jit_fn(nfp, es.mem0 != nullptr ? es.mem0->base : nullptr, inst->globals.data(), env);
    if (KUMO_LIKELY(r == 0)) es.cur_frame = csp;
    return r;  // or a trap it recorded: complete code never exits
  }
  // Anything else runs in a nested activation of the interpreter, which restores nothing of the
  // caller's activation itself.
  const ExecState::ActivationState saved = es.save_activation();
  const int r = execute(&es, f);
  es.restore_activation(saved);
  if (r != kOk) return kRecorded | uint32_t(r);
  es.cur_frame = csp;
  return 0;
}

}  // namespace

uint64_t jit_trap(JitEnv* env, const uint32_t* ip, uint32_t code) {
  env->es->trap_ip = ip;
  return kRecorded | code;
}

uint64_t jit_call(JitEnv* env, Slot* fp, const uint32_t* ip) {  // [H, func, frame]
  return jit_enter(env, env->inst->funcs[ip[2]], fp + ip[3], ip, ip + 4);
}

uint64_t jit_call_indirect(JitEnv* env, Slot* fp, const uint32_t* ip) {
  // [H, type_id, table, idx, frame, is64]
  TableInst* t = env->inst->tables[ip[3]];
  const uint64_t i = ip[6] ? fp[ip[4]].u64 : uint64_t(fp[ip[4]].u32);
  ExecState& es = *env->es;
  if (i >= t->elems.size())
    return call_trap(es, ip, int(TrapCode::TableOutOfBounds), kUndefinedElement);
  auto* callee = static_cast<FuncInst*>(t->elems[i]);
  if (callee == nullptr) return call_trap(es, ip, int(TrapCode::UninitializedElement));
  if (callee->type_id != ip[2]) return call_trap(es, ip, int(TrapCode::IndirectCallTypeMismatch));
  return jit_enter(env, callee, fp + ip[5], ip, ip + 7);
}

uint64_t jit_call_ref(JitEnv* env, Slot* fp, const uint32_t* ip) {  // [H, ref, frame]
  auto* callee = static_cast<FuncInst*>(fp[ip[2]].ref);
  if (callee == nullptr) return call_trap(*env->es, ip, int(TrapCode::NullReference), kNullFuncRef);
  return jit_enter(env, callee, fp + ip[3], ip, ip + 4);
}

ExecState::ExecState(const Config& config) {
  size_t nslots = std::max<size_t>(config.value_stack_bytes / sizeof(Slot), 1024);
  // Default-initialized: the pages are only touched (committed) as the stack grows.
  stack_mem_.reset(new Slot[nslots]);
  stack_begin = stack_mem_.get();
  stack_end = stack_begin + nslots;
  stack_top = stack_begin;
  size_t nframes = size_t(std::max<uint32_t>(config.max_call_depth, 1)) + 1;
  frame_mem_.reset(new Frame[nframes]);
  frames_begin = frame_mem_.get();
  frames_end = frames_begin + nframes;
  frame_top = frames_begin;
  reset_jit_env();
}

void ExecState::reset_jit_env() {
  jit = JitEnv{};
  jit.es = this;
  jit.cur_frame = &cur_frame;
  jit.frames_end = frames_end;
  jit.stack_end = stack_end;
}

ExecState::ExecState(Store& s) : ExecState(s.engine().config()) { store = &s; }

ExecState::~ExecState() = default;

Expected<void, Trap> call(Store& store, FuncInst* func, uint64_t* slots) {
  if (func->is_host()) {
    Caller caller{store, nullptr};
    try {
      return func->host(caller, slots);
    } catch (const std::exception& e) {
      return make_trap(TrapCode::HostError, fmt::format("host function threw: {}", e.what()));
    }
  }
  ExecState& es = store.exec();
  es.store = &store;
  if (KUMO_UNLIKELY(profiler_enabled())) profiler_attach(&es);
  if (es.depth == 0) {
    install_trap_handler();
  } else if (static_cast<const char*>(__builtin_frame_address(0)) < native_stack_limit()) {
    return make_trap(TrapCode::CallStackExhausted);
  }

  const Code* c = func->code;
  Slot* fp = es.stack_top;
  Frame* entry = es.frame_top;
  if (entry + 1 >= es.frames_end || fp + c->max_slots > es.stack_end) {
    return make_trap(TrapCode::CallStackExhausted);
  }
  std::memcpy(fp, slots, c->num_param_slots * sizeof(Slot));
  entry->fp = fp;
  entry->func = func;
  entry->inst = func->instance;
  entry->ip = nullptr;

  Frame* saved_cur = es.cur_frame;
  ++es.depth;
  int r = run_protected(es, entry);
  --es.depth;
  Expected<void, Trap> result;
  if (r == kOk) {
    std::memcpy(slots, fp, c->num_result_slots * sizeof(Slot));
  } else {
    result = Unexpected<Trap>{make_trap_value(es, r, entry)};
  }
  es.stack_top = fp;
  es.frame_top = entry;
  es.cur_frame = saved_cur;
  return result;
}

}  // namespace kumo::wasm::interp
