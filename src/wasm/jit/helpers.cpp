#include "wasm/jit/helpers.hpp"

#include <array>
#include <cstring>

#include "wasm/interp/interp.hpp"
#include "wasm/interp/numeric.hpp"

namespace kumo::wasm::jit {

namespace {

using interp::IOp;
using interp::Slot;

// One helper per generated instruction shape (ops_gen.def), as handlers_num.inc defines them.
#define UNOP(n, f, IN, OUT)                                       \
  uint64_t h_##n(Slot* fp, const uint32_t* ip, interp::JitEnv*) { \
    fp[ip[2]].OUT = num::f(fp[ip[3]].IN);                         \
    return 0;                                                     \
  }
#define BINOP(n, f, IN, OUT)                                      \
  uint64_t h_##n(Slot* fp, const uint32_t* ip, interp::JitEnv*) { \
    fp[ip[2]].OUT = num::f(fp[ip[3]].IN, fp[ip[4]].IN);           \
    return 0;                                                     \
  }
#define FCMPOP(n, f, IN)                                               \
  BINOP(n, f, IN, u32)                                                 \
  uint64_t h_Br##n(Slot* fp, const uint32_t* ip, interp::JitEnv*) {    \
    return num::f(fp[ip[2]].IN, fp[ip[3]].IN) ? 1 : 0;                 \
  }                                                                    \
  uint64_t h_BrNot##n(Slot* fp, const uint32_t* ip, interp::JitEnv*) { \
    return num::f(fp[ip[2]].IN, fp[ip[3]].IN) ? 0 : 1;                 \
  }
#define TRAPUN(n, f, IN, OUT)                                     \
  uint64_t h_##n(Slot* fp, const uint32_t* ip, interp::JitEnv*) { \
    auto r = num::f(fp[ip[3]].IN);                                \
    if (!r.ok) return kHelperTrap | uint64_t(r.trap);             \
    fp[ip[2]].OUT = r.value;                                      \
    return 0;                                                     \
  }
#include "wasm/interp/ops_defaults.inc"
#include "wasm/interp/ops_gen.def"
#include "wasm/interp/ops_undef.inc"

uint64_t h_MemoryCopy(Slot* fp, const uint32_t* ip, interp::JitEnv* env) {
  const int r = interp::op_memory_copy(env->inst, fp, ip);
  return r >= 0 ? kHelperTrap | uint64_t(r) : 0;
}
uint64_t h_MemoryFill(Slot* fp, const uint32_t* ip, interp::JitEnv* env) {
  const int r = interp::op_memory_fill(env->inst, fp, ip);
  return r >= 0 ? kHelperTrap | uint64_t(r) : 0;
}

using Kind = Helper::Kind;

std::array<Helper, size_t(IOp::Count_)> make_table() {
  std::array<Helper, size_t(IOp::Count_)> t{};
  auto set = [&](IOp op, HelperFn* fn, uint8_t len, Kind kind = Kind::Value, uint8_t target = 0) {
    t[size_t(op)] = Helper{fn, len, kind, target};
  };
  // Integer instructions the tier compiles itself are left out (their helpers go unused).
#define UNOP(n, f, IN, OUT) set(IOp::n, h_##n, 4);
#define BINOP(n, f, IN, OUT) set(IOp::n, h_##n, 5);
#define FCMPOP(n, f, IN)                        \
  set(IOp::n, h_##n, 5);                        \
  set(IOp::Br##n, h_Br##n, 5, Kind::Branch, 4); \
  set(IOp::BrNot##n, h_BrNot##n, 5, Kind::Branch, 4);
#define TRAPUN(n, f, IN, OUT) set(IOp::n, h_##n, 4, Kind::Trapping);
#include "wasm/interp/ops_defaults.inc"
#include "wasm/interp/ops_gen.def"
#include "wasm/interp/ops_undef.inc"
  set(IOp::MemoryCopy, h_MemoryCopy, 7, Kind::Trapping);  // [H, dst, src, n, dst_mem, src_mem]
  set(IOp::MemoryFill, h_MemoryFill, 6, Kind::Trapping);  // [H, dst, val, n, mem]
  return t;
}

}  // namespace

const Helper* helper_for(IOp op) {
  static const std::array<Helper, size_t(IOp::Count_)> table = make_table();
  const Helper& h = table.at(size_t(op));
  return h.fn != nullptr ? &h : nullptr;
}

}  // namespace kumo::wasm::jit
