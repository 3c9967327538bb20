// Runs the official spec tests' assert_return / assert_trap cases directly against numeric.hpp and
// simd.hpp, without an interpreter: for every exported function whose body is a single
// instruction applied to its parameters in order (e.g. `(f32.add (local.get 0) (local.get 1))`,
// optionally with lane immediates), the instruction is looked up in a table of our functions and
// evaluated on the assertion's arguments. Functions with any other body are skipped.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "wasm/interp/numeric.hpp"
#include "wasm/interp/simd.hpp"

#ifndef KUMO_SHARED_DIR
#define KUMO_SHARED_DIR "/work/shared"
#endif

namespace {

using namespace kumo::wasm;
using json = nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Evaluating one instruction. Every value is carried as a V128 (scalars in `lo`).

struct Outcome {
  bool trapped = false;
  TrapCode code{};
  V128 value{};
};

template <class T>
T from_slot(V128 v) {
  if constexpr (std::is_same_v<T, V128>)
    return v;
  else if constexpr (std::is_same_v<T, float>)
    return std::bit_cast<float>(uint32_t(v.lo));
  else if constexpr (std::is_same_v<T, double>)
    return std::bit_cast<double>(v.lo);
  else
    return T(v.lo);
}
template <class T>
Outcome outcome(T r) {
  Outcome o;
  if constexpr (std::is_same_v<T, V128>)
    o.value = r;
  else if constexpr (std::is_same_v<T, float>)
    o.value.lo = std::bit_cast<uint32_t>(r);
  else if constexpr (std::is_same_v<T, double>)
    o.value.lo = std::bit_cast<uint64_t>(r);
  else
    o.value.lo = r;
  return o;
}
template <class T>
Outcome outcome(num::TrapOr<T> r) {
  if (!r.ok) return Outcome{true, r.trap, {}};
  return outcome(r.value);
}

using Fn = std::function<Outcome(const std::vector<V128>& args, const std::vector<uint32_t>& imm)>;

template <class R, class... A, size_t... I>
Outcome apply(R (*f)(A...), const std::vector<V128>& args, std::index_sequence<I...>) {
  return outcome(f(from_slot<A>(args[I])...));
}
template <class R, class... A>
Fn wrap(R (*f)(A...)) {
  return [f](const std::vector<V128>& args, const std::vector<uint32_t>&) {
    return apply(f, args, std::index_sequence_for<A...>{});
  };
}
// extract_lane: (v, lane) with the lane from the immediate.
template <class R>
Fn wrap_extract(R (*f)(V128, unsigned)) {
  return [f](const std::vector<V128>& a, const std::vector<uint32_t>& imm) {
    return outcome(f(a.at(0), imm.at(0)));
  };
}
template <class X>
Fn wrap_replace(V128 (*f)(V128, unsigned, X)) {
  return [f](const std::vector<V128>& a, const std::vector<uint32_t>& imm) {
    return outcome(f(a.at(0), imm.at(0), from_slot<X>(a.at(1))));
  };
}

const std::map<std::string, Fn>& instruction_table() {
  static const std::map<std::string, Fn> table = [] {
    std::map<std::string, Fn> t;
    // "i32_trunc_f32_s" -> "i32.trunc_f32_s": the first '_' is the wasm '.'.
    auto name = [](std::string s) {
      s[s.find('_')] = '.';
      return s;
    };
#define E(fn) \
  { name(#fn), wrap(&num::fn) }
#define EX(fn) \
  { name(#fn), wrap_extract(&num::fn) }
#define ER(fn) \
  { name(#fn), wrap_replace(&num::fn) }
    // clang-format off
    const std::pair<std::string, Fn> entries[] = {
        // scalar
        E(i32_eqz), E(i32_eq), E(i32_ne), E(i32_lt_s), E(i32_lt_u), E(i32_gt_s), E(i32_gt_u),
        E(i32_le_s), E(i32_le_u), E(i32_ge_s), E(i32_ge_u), E(i64_eqz), E(i64_eq), E(i64_ne),
        E(i64_lt_s), E(i64_lt_u), E(i64_gt_s), E(i64_gt_u), E(i64_le_s), E(i64_le_u), E(i64_ge_s),
        E(i64_ge_u), E(f32_eq), E(f32_ne), E(f32_lt), E(f32_gt), E(f32_le), E(f32_ge), E(f64_eq),
        E(f64_ne), E(f64_lt), E(f64_gt), E(f64_le), E(f64_ge), E(i32_clz), E(i32_ctz),
        E(i32_popcnt), E(i32_add), E(i32_sub), E(i32_mul), E(i32_div_s), E(i32_div_u), E(i32_rem_s),
        E(i32_rem_u), E(i32_and), E(i32_or), E(i32_xor), E(i32_shl), E(i32_shr_s), E(i32_shr_u),
        E(i32_rotl), E(i32_rotr), E(i64_clz), E(i64_ctz), E(i64_popcnt), E(i64_add), E(i64_sub),
        E(i64_mul), E(i64_div_s), E(i64_div_u), E(i64_rem_s), E(i64_rem_u), E(i64_and), E(i64_or),
        E(i64_xor), E(i64_shl), E(i64_shr_s), E(i64_shr_u), E(i64_rotl), E(i64_rotr), E(f32_abs),
        E(f32_neg), E(f32_ceil), E(f32_floor), E(f32_trunc), E(f32_nearest), E(f32_sqrt),
        E(f32_add), E(f32_sub), E(f32_mul), E(f32_div), E(f32_min), E(f32_max), E(f32_copysign),
        E(f64_abs), E(f64_neg), E(f64_ceil), E(f64_floor), E(f64_trunc), E(f64_nearest),
        E(f64_sqrt), E(f64_add), E(f64_sub), E(f64_mul), E(f64_div), E(f64_min), E(f64_max),
        E(f64_copysign), E(i32_wrap_i64), E(i32_trunc_f32_s), E(i32_trunc_f32_u),
        E(i32_trunc_f64_s), E(i32_trunc_f64_u), E(i64_extend_i32_s), E(i64_extend_i32_u),
        E(i64_trunc_f32_s), E(i64_trunc_f32_u), E(i64_trunc_f64_s), E(i64_trunc_f64_u),
        E(f32_convert_i32_s), E(f32_convert_i32_u), E(f32_convert_i64_s), E(f32_convert_i64_u),
        E(f32_demote_f64), E(f64_convert_i32_s), E(f64_convert_i32_u), E(f64_convert_i64_s),
        E(f64_convert_i64_u), E(f64_promote_f32), E(i32_reinterpret_f32), E(i64_reinterpret_f64),
        E(f32_reinterpret_i32), E(f64_reinterpret_i64), E(i32_extend8_s), E(i32_extend16_s),
        E(i64_extend8_s), E(i64_extend16_s), E(i64_extend32_s), E(i32_trunc_sat_f32_s),
        E(i32_trunc_sat_f32_u), E(i32_trunc_sat_f64_s), E(i32_trunc_sat_f64_u),
        E(i64_trunc_sat_f32_s), E(i64_trunc_sat_f32_u), E(i64_trunc_sat_f64_s),
        E(i64_trunc_sat_f64_u),
        // simd
        E(i8x16_swizzle), E(i8x16_splat), E(i16x8_splat), E(i32x4_splat), E(i64x2_splat),
        E(f32x4_splat), E(f64x2_splat), EX(i8x16_extract_lane_s), EX(i8x16_extract_lane_u),
        EX(i16x8_extract_lane_s), EX(i16x8_extract_lane_u), EX(i32x4_extract_lane),
        EX(i64x2_extract_lane), EX(f32x4_extract_lane), EX(f64x2_extract_lane),
        ER(i8x16_replace_lane), ER(i16x8_replace_lane), ER(i32x4_replace_lane),
        ER(i64x2_replace_lane), ER(f32x4_replace_lane), ER(f64x2_replace_lane), E(i8x16_eq),
        E(i8x16_ne), E(i8x16_lt_s), E(i8x16_lt_u), E(i8x16_gt_s), E(i8x16_gt_u), E(i8x16_le_s),
        E(i8x16_le_u), E(i8x16_ge_s), E(i8x16_ge_u), E(i16x8_eq), E(i16x8_ne), E(i16x8_lt_s),
        E(i16x8_lt_u), E(i16x8_gt_s), E(i16x8_gt_u), E(i16x8_le_s), E(i16x8_le_u), E(i16x8_ge_s),
        E(i16x8_ge_u), E(i32x4_eq), E(i32x4_ne), E(i32x4_lt_s), E(i32x4_lt_u), E(i32x4_gt_s),
        E(i32x4_gt_u), E(i32x4_le_s), E(i32x4_le_u), E(i32x4_ge_s), E(i32x4_ge_u), E(i64x2_eq),
        E(i64x2_ne), E(i64x2_lt_s), E(i64x2_gt_s), E(i64x2_le_s), E(i64x2_ge_s), E(f32x4_eq),
        E(f32x4_ne), E(f32x4_lt), E(f32x4_gt), E(f32x4_le), E(f32x4_ge), E(f64x2_eq), E(f64x2_ne),
        E(f64x2_lt), E(f64x2_gt), E(f64x2_le), E(f64x2_ge), E(v128_not), E(v128_and),
        E(v128_andnot), E(v128_or), E(v128_xor), E(v128_bitselect), E(v128_any_true),
        E(f32x4_demote_f64x2_zero), E(f64x2_promote_low_f32x4), E(i8x16_abs), E(i8x16_neg),
        E(i8x16_popcnt), E(i8x16_all_true), E(i8x16_bitmask), E(i8x16_narrow_i16x8_s),
        E(i8x16_narrow_i16x8_u), E(f32x4_ceil), E(f32x4_floor), E(f32x4_trunc), E(f32x4_nearest),
        E(i8x16_shl), E(i8x16_shr_s), E(i8x16_shr_u), E(i8x16_add), E(i8x16_add_sat_s),
        E(i8x16_add_sat_u), E(i8x16_sub), E(i8x16_sub_sat_s), E(i8x16_sub_sat_u), E(f64x2_ceil),
        E(f64x2_floor), E(f64x2_trunc), E(f64x2_nearest), E(i8x16_min_s), E(i8x16_min_u),
        E(i8x16_max_s), E(i8x16_max_u), E(i8x16_avgr_u), E(i16x8_extadd_pairwise_i8x16_s),
        E(i16x8_extadd_pairwise_i8x16_u), E(i32x4_extadd_pairwise_i16x8_s),
        E(i32x4_extadd_pairwise_i16x8_u), E(i16x8_abs), E(i16x8_neg), E(i16x8_q15mulr_sat_s),
        E(i16x8_all_true), E(i16x8_bitmask), E(i16x8_narrow_i32x4_s), E(i16x8_narrow_i32x4_u),
        E(i16x8_extend_low_i8x16_s), E(i16x8_extend_high_i8x16_s), E(i16x8_extend_low_i8x16_u),
        E(i16x8_extend_high_i8x16_u), E(i16x8_shl), E(i16x8_shr_s), E(i16x8_shr_u), E(i16x8_add),
        E(i16x8_add_sat_s), E(i16x8_add_sat_u), E(i16x8_sub), E(i16x8_sub_sat_s),
        E(i16x8_sub_sat_u), E(i16x8_mul), E(i16x8_min_s), E(i16x8_min_u), E(i16x8_max_s),
        E(i16x8_max_u), E(i16x8_avgr_u), E(i16x8_extmul_low_i8x16_s), E(i16x8_extmul_high_i8x16_s),
        E(i16x8_extmul_low_i8x16_u), E(i16x8_extmul_high_i8x16_u), E(i32x4_abs), E(i32x4_neg),
        E(i32x4_all_true), E(i32x4_bitmask), E(i32x4_extend_low_i16x8_s),
        E(i32x4_extend_high_i16x8_s), E(i32x4_extend_low_i16x8_u), E(i32x4_extend_high_i16x8_u),
        E(i32x4_shl), E(i32x4_shr_s), E(i32x4_shr_u), E(i32x4_add), E(i32x4_sub), E(i32x4_mul),
        E(i32x4_min_s), E(i32x4_min_u), E(i32x4_max_s), E(i32x4_max_u), E(i32x4_dot_i16x8_s),
        E(i32x4_extmul_low_i16x8_s), E(i32x4_extmul_high_i16x8_s), E(i32x4_extmul_low_i16x8_u),
        E(i32x4_extmul_high_i16x8_u), E(i64x2_abs), E(i64x2_neg), E(i64x2_all_true),
        E(i64x2_bitmask), E(i64x2_extend_low_i32x4_s), E(i64x2_extend_high_i32x4_s),
        E(i64x2_extend_low_i32x4_u), E(i64x2_extend_high_i32x4_u), E(i64x2_shl), E(i64x2_shr_s),
        E(i64x2_shr_u), E(i64x2_add), E(i64x2_sub), E(i64x2_mul), E(i64x2_extmul_low_i32x4_s),
        E(i64x2_extmul_high_i32x4_s), E(i64x2_extmul_low_i32x4_u), E(i64x2_extmul_high_i32x4_u),
        E(f32x4_abs), E(f32x4_neg), E(f32x4_sqrt), E(f32x4_add), E(f32x4_sub), E(f32x4_mul),
        E(f32x4_div), E(f32x4_min), E(f32x4_max), E(f32x4_pmin), E(f32x4_pmax), E(f64x2_abs),
        E(f64x2_neg), E(f64x2_sqrt), E(f64x2_add), E(f64x2_sub), E(f64x2_mul), E(f64x2_div),
        E(f64x2_min), E(f64x2_max), E(f64x2_pmin), E(f64x2_pmax), E(i32x4_trunc_sat_f32x4_s),
        E(i32x4_trunc_sat_f32x4_u), E(f32x4_convert_i32x4_s), E(f32x4_convert_i32x4_u),
        E(i32x4_trunc_sat_f64x2_s_zero), E(i32x4_trunc_sat_f64x2_u_zero),
        E(f64x2_convert_low_i32x4_s), E(f64x2_convert_low_i32x4_u), E(i8x16_relaxed_swizzle),
        E(i32x4_relaxed_trunc_f32x4_s), E(i32x4_relaxed_trunc_f32x4_u),
        E(i32x4_relaxed_trunc_f64x2_s_zero), E(i32x4_relaxed_trunc_f64x2_u_zero),
        E(f32x4_relaxed_madd), E(f32x4_relaxed_nmadd), E(f64x2_relaxed_madd),
        E(f64x2_relaxed_nmadd), E(i8x16_relaxed_laneselect), E(i16x8_relaxed_laneselect),
        E(i32x4_relaxed_laneselect), E(i64x2_relaxed_laneselect), E(f32x4_relaxed_min),
        E(f32x4_relaxed_max), E(f64x2_relaxed_min), E(f64x2_relaxed_max),
        E(i16x8_relaxed_q15mulr_s), E(i16x8_relaxed_dot_i8x16_i7x16_s),
        E(i32x4_relaxed_dot_i8x16_i7x16_add_s),
    };
    // clang-format on
    for (const auto& [n, f] : entries) t[n] = f;
    t["i8x16.shuffle"] = [](const std::vector<V128>& a, const std::vector<uint32_t>& imm) {
      uint8_t idx[16];
      for (int i = 0; i < 16; ++i) idx[i] = uint8_t(imm.at(i));
      return outcome(num::i8x16_shuffle(a.at(0), a.at(1), idx));
    };
#undef E
#undef EX
#undef ER
    return t;
  }();
  return table;
}

// ---------------------------------------------------------------------------------------------
// A minimal s-expression reader, enough to find single-instruction functions in a .wast module.

struct Sx {
  std::string atom;  // non-empty for atoms (strings keep their quotes)
  std::vector<Sx> list;
  bool is_list() const { return atom.empty(); }
};

struct SxReader {
  const std::string& s;
  size_t i;
  void skip() {
    for (;;) {
      while (i < s.size() && isspace(uint8_t(s[i]))) ++i;
      if (s.compare(i, 2, ";;") == 0) {
        while (i < s.size() && s[i] != '\n') ++i;
      } else if (s.compare(i, 2, "(;") == 0) {
        size_t e = s.find(";)", i + 2);
        i = e == std::string::npos ? s.size() : e + 2;
      } else {
        return;
      }
    }
  }
  Sx read() {
    skip();
    Sx x;
    if (i >= s.size()) return x;
    if (s[i] == '(') {
      ++i;
      for (;;) {
        skip();
        if (i >= s.size()) return x;
        if (s[i] == ')') {
          ++i;
          return x;
        }
        x.list.push_back(read());
      }
    }
    size_t b = i;
    if (s[i] == '"') {
      for (++i; i < s.size() && s[i] != '"'; ++i)
        if (s[i] == '\\') ++i;
      ++i;
    } else {
      while (i < s.size() && !isspace(uint8_t(s[i])) && s[i] != '(' && s[i] != ')') ++i;
    }
    x.atom = s.substr(b, i - b);
    return x;
  }
};

struct SimpleFunc {
  std::string instr;
  std::vector<uint32_t> imm;
};

// export name -> instruction, for the module starting at `line` (1-based) of the .wast text.
std::map<std::string, SimpleFunc> simple_funcs(const std::string& wast, int line) {
  size_t pos = 0;
  for (int l = 1; l < line && pos != std::string::npos; ++l) pos = wast.find('\n', pos) + 1;
  std::map<std::string, SimpleFunc> out;
  if (pos == std::string::npos || (pos == 0 && line > 1)) return out;
  pos = wast.find('(', pos);
  SxReader r{wast, pos};
  Sx mod = r.read();
  for (const Sx& f : mod.list) {
    if (!f.is_list() || f.list.empty() || f.list[0].atom != "func") continue;
    std::string export_name;
    std::map<std::string, int> param_index;
    int nparams = 0;
    std::vector<const Sx*> body;
    for (size_t k = 1; k < f.list.size(); ++k) {
      const Sx& e = f.list[k];
      if (e.is_list() && !e.list.empty() && e.list[0].atom == "export" && e.list.size() == 2) {
        export_name = e.list[1].atom.substr(1, e.list[1].atom.size() - 2);
      } else if (e.is_list() && !e.list.empty() && e.list[0].atom == "param") {
        if (e.list.size() == 3 && e.list[1].atom[0] == '$') {
          param_index[e.list[1].atom] = nparams++;
        } else {
          nparams += int(e.list.size()) - 1;
        }
      } else if (e.is_list() && !e.list.empty() && e.list[0].atom == "result") {
      } else if (!e.is_list() && e.atom[0] == '$' && k == 1) {
      } else {
        body.push_back(&e);
      }
    }
    if (export_name.empty() || body.size() != 1 || !body[0]->is_list()) continue;
    const Sx& call = *body[0];
    SimpleFunc sf;
    sf.instr = call.list.empty() ? "" : call.list[0].atom;
    bool ok = !sf.instr.empty();
    int next_local = 0;
    for (size_t k = 1; ok && k < call.list.size(); ++k) {
      const Sx& a = call.list[k];
      if (!a.is_list()) {
        if (next_local != 0 || a.atom.empty() || !isdigit(uint8_t(a.atom[0]))) {
          ok = false;
          break;
        }
        sf.imm.push_back(uint32_t(std::stoul(a.atom, nullptr, 0)));
        continue;
      }
      if (a.list.size() != 2 || a.list[0].atom != "local.get") {
        ok = false;
        break;
      }
      const std::string& ref = a.list[1].atom;
      int idx = ref[0] == '$' ? (param_index.count(ref) ? param_index[ref] : -1) : std::stoi(ref);
      if (idx != next_local++) ok = false;
    }
    if (ok && next_local == nparams) out[export_name] = sf;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Spec values and result matching

V128 parse_value(const json& v) {
  V128 r{};
  std::string type = v["type"];
  if (type != "v128") {
    r.lo = std::stoull(v["value"].get<std::string>());
    return r;
  }
  std::string lt = v["lane_type"];
  int width = lt == "i8" ? 1 : lt == "i16" ? 2 : (lt == "i32" || lt == "f32") ? 4 : 8;
  uint8_t bytes[16] = {};
  int lane = 0;
  for (const auto& s : v["value"]) {
    uint64_t x = std::stoull(s.get<std::string>());
    std::memcpy(bytes + lane++ * width, &x, width);
  }
  std::memcpy(static_cast<void*>(&r), bytes, 16);
  return r;
}

bool match_nan(uint64_t bits, int width, const std::string& pattern) {
  if (width == 4) {
    uint32_t b = uint32_t(bits);
    if ((b & 0x7f800000u) != 0x7f800000u || (b & 0x7fffffu) == 0) return false;
    return pattern == "nan:canonical" ? (b & 0x7fffffffu) == 0x7fc00000u : (b & 0x400000u) != 0;
  }
  if ((bits & 0x7ff0000000000000ull) != 0x7ff0000000000000ull || (bits & 0xfffffffffffffull) == 0)
    return false;
  return pattern == "nan:canonical" ? (bits & ~num::kF64SignBit) == num::kF64CanonicalNaN
                                    : (bits & 0x8000000000000ull) != 0;
}

bool matches(const V128& got, const json& exp) {
  std::string type = exp["type"];
  if (type == "v128") {
    std::string lt = exp["lane_type"];
    int width = lt == "i8" ? 1 : lt == "i16" ? 2 : (lt == "i32" || lt == "f32") ? 4 : 8;
    uint8_t bytes[16];
    std::memcpy(bytes, static_cast<const void*>(&got), 16);
    int lane = 0;
    for (const auto& s : exp["value"]) {
      uint64_t g = 0;
      std::memcpy(&g, bytes + lane++ * width, width);
      std::string str = s;
      if (str.rfind("nan:", 0) == 0) {
        if (!match_nan(g, width, str)) return false;
      } else {
        uint64_t mask = width == 8 ? ~0ull : (1ull << (8 * width)) - 1;
        if ((std::stoull(str) & mask) != g) return false;
      }
    }
    return true;
  }
  std::string str = exp["value"];
  int width = type == "i32" || type == "f32" ? 4 : 8;
  uint64_t g = width == 4 ? uint32_t(got.lo) : got.lo;
  if (str.rfind("nan:", 0) == 0) return match_nan(g, width, str);
  return std::stoull(str) == g;
}

const char* trap_text(TrapCode c) {
  switch (c) {
    case TrapCode::IntegerDivideByZero: return "integer divide by zero";
    case TrapCode::IntegerOverflow: return "integer overflow";
    case TrapCode::InvalidConversionToInteger: return "invalid conversion to integer";
    default: return "?";
  }
}

struct FileStats {
  int checked = 0, skipped = 0;
  std::vector<std::string> failures;
};

FileStats run_spec_file(const std::filesystem::path& json_path) {
  FileStats st;
  std::ifstream jf(json_path);
  json doc = json::parse(jf);
  std::filesystem::path wast_path = json_path;
  wast_path.replace_extension(".wast");
  std::ifstream wf(wast_path);
  std::stringstream ss;
  ss << wf.rdbuf();
  std::string wast = ss.str();

  const auto& table = instruction_table();
  std::map<std::string, SimpleFunc> current;
  std::map<std::string, std::map<std::string, SimpleFunc>> named;
  for (const json& cmd : doc["commands"]) {
    std::string type = cmd["type"];
    if (type == "module") {
      current = simple_funcs(wast, cmd["line"].get<int>());
      if (cmd.contains("name")) named[cmd["name"]] = current;
      continue;
    }
    if (type != "assert_return" && type != "assert_trap") continue;
    const json& action = cmd["action"];
    if (action["type"] != "invoke") continue;
    const auto& funcs = action.contains("module") ? named[action["module"]] : current;
    auto f = funcs.find(action["field"]);
    if (f == funcs.end() || !table.count(f->second.instr)) {
      if (getenv("KUMO_SPEC_VERBOSE"))
        std::printf("skip %s %s\n", json_path.filename().c_str(),
                    f == funcs.end() ? ("func " + action["field"].get<std::string>()).c_str()
                                     : ("instr " + f->second.instr).c_str());
      ++st.skipped;
      continue;
    }
    std::vector<V128> args;
    for (const json& a : action["args"]) args.push_back(parse_value(a));
    Outcome o = table.at(f->second.instr)(args, f->second.imm);
    ++st.checked;
    std::string where = json_path.filename().string() + ":" +
                        std::to_string(cmd["line"].get<int>()) + " " + f->second.instr;
    if (type == "assert_trap") {
      if (!o.trapped || cmd["text"] != trap_text(o.code))
        st.failures.push_back(where + " expected trap");
      continue;
    }
    if (o.trapped) {
      st.failures.push_back(where + " trapped");
      continue;
    }
    bool ok = false;
    if (cmd.contains("either")) {
      for (const json& e : cmd["either"]) ok = ok || matches(o.value, e);
    } else {
      ok = cmd["expected"].size() == 1 && matches(o.value, cmd["expected"][0]);
    }
    if (!ok) {
      char buf[64];
      std::snprintf(buf, sizeof buf, " got %016llx%016llx", (unsigned long long)o.value.hi,
                    (unsigned long long)o.value.lo);
      st.failures.push_back(where + buf);
    }
  }
  return st;
}

void run_suite(const std::string& suite, int min_checked) {
  std::filesystem::path dir = std::filesystem::path(KUMO_SHARED_DIR) / "spectest" / suite;
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << dir << " not found";
  int total = 0, skipped = 0, failed = 0;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& p : files) {
    FileStats st = run_spec_file(p);
    total += st.checked;
    skipped += st.skipped;
    failed += int(st.failures.size());
    for (size_t k = 0; k < st.failures.size() && k < 10; ++k) ADD_FAILURE() << st.failures[k];
    if (st.failures.size() > 10)
      ADD_FAILURE() << "... " << st.failures.size() - 10 << " more in " << p;
  }
  std::printf(
      "[ spec     ] %s: %d assertions checked, %d failed, %d skipped (not single-instruction)\n",
      suite.c_str(), total, failed, skipped);
  EXPECT_GE(total, min_checked);
}

TEST(NumericSpec, Wasm20) { run_suite("wasm-2.0", 20000); }
TEST(NumericSpec, RelaxedSimd) { run_suite("wasm-3.0-relaxed-simd", 30); }
TEST(NumericSpec, Wasm30) { run_suite("wasm-3.0", 10000); }

}  // namespace
