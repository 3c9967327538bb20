// Engine (canonical function types), trap wording and value/trap formatting.
#include <deque>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "wasm/runtime/objects.hpp"

namespace kumo::wasm {

// ---------------------------------------------------------------------------------------------
// Canonical function types

namespace {

struct FuncTypeHash {
  size_t operator()(const FuncType& t) const {
    uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a over (kind, nullable, heap) of every value type
    auto mix = [&h](uint64_t v) { h = (h ^ v) * 0x100000001b3ull; };
    auto add = [&](const std::vector<ValType>& types) {
      mix(types.size());
      for (const ValType& v : types) {
        mix(v.kind());
        if (v.is_ref()) mix((uint64_t(v.nullable()) << 32) | v.heap().value);
      }
    };
    add(t.params);
    add(t.results);
    return size_t(h);
  }
};

}  // namespace

// A deque keeps element addresses stable as it grows, so FuncInst::type pointers never dangle.
// Lookups take a shared lock: a concurrent push_back may reallocate the deque's block map.
struct Engine::TypeTable {
  mutable std::shared_mutex mutex;
  std::deque<FuncType> types;
  std::unordered_map<FuncType, uint32_t, FuncTypeHash> ids;
};

Engine::Engine(Config config) : config_(config), types_(std::make_unique<TypeTable>()) {}
Engine::~Engine() = default;

uint32_t Engine::intern(const FuncType& type) {
  {
    std::shared_lock lock(types_->mutex);
    auto it = types_->ids.find(type);
    if (it != types_->ids.end()) return it->second;
  }
  std::unique_lock lock(types_->mutex);
  auto [it, inserted] = types_->ids.try_emplace(type, uint32_t(types_->types.size()));
  if (inserted) types_->types.push_back(type);
  return it->second;
}

const FuncType& Engine::type_of(uint32_t id) const {
  std::shared_lock lock(types_->mutex);
  return types_->types.at(id);
}

// ---------------------------------------------------------------------------------------------
// Traps

const char* trap_message(TrapCode code) {
  switch (code) {
    case TrapCode::Unreachable: return "unreachable";
    case TrapCode::MemoryOutOfBounds: return "out of bounds memory access";
    case TrapCode::TableOutOfBounds: return "out of bounds table access";
    case TrapCode::UninitializedElement: return "uninitialized element";
    case TrapCode::IndirectCallTypeMismatch: return "indirect call type mismatch";
    case TrapCode::IntegerOverflow: return "integer overflow";
    case TrapCode::IntegerDivideByZero: return "integer divide by zero";
    case TrapCode::InvalidConversionToInteger: return "invalid conversion to integer";
    case TrapCode::CallStackExhausted: return "call stack exhausted";
    case TrapCode::NullReference: return "null reference";
    case TrapCode::Interrupted: return "interrupted";
    case TrapCode::UncaughtException: return "uncaught exception";
    case TrapCode::UnalignedAtomic: return "unaligned atomic";
    case TrapCode::HostError: return "host error";
    case TrapCode::Exit: return "exit";
    case TrapCode::CastFailure: return "cast failure";
  }
  return "unknown trap";
}

std::string Trap::to_string() const {
  std::string out = message.empty() ? trap_message(code) : message;
  if (code == TrapCode::Exit) out += fmt::format(" (exit code {})", exit_code);
  if (backtrace.empty()) return out;
  out += "\nwasm backtrace:";
  for (size_t i = 0; i < backtrace.size(); ++i) {
    const TrapFrame& f = backtrace[i];
    std::string who = f.module_name.empty() ? "" : f.module_name + "!";
    who += f.func_name.empty() ? fmt::format("<func {}>", f.func_index)
                               : fmt::format("{} (func {})", f.func_name, f.func_index);
    out += fmt::format("\n  {:>3}: {:#x} - {}", i, f.offset, who);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Values, printed the way the text format writes constants.

namespace {

std::string float_text(double v, uint64_t bits, int mantissa_bits) {
  uint64_t mantissa = bits & ((uint64_t(1) << mantissa_bits) - 1);
  bool negative = (bits >> (mantissa_bits == 23 ? 31 : 63)) & 1;
  if (v != v) return fmt::format("{}nan:{:#x}", negative ? "-" : "", mantissa);
  return fmt::format("{}", v);
}

}  // namespace

std::string to_string(const Value& v) {
  switch (v.type.kind()) {
    case ValType::I32: return fmt::format("i32.const {}", int32_t(v.i32));
    case ValType::I64: return fmt::format("i64.const {}", int64_t(v.i64));
    case ValType::F32: return "f32.const " + float_text(v.as_f32(), v.f32, 23);
    case ValType::F64: return "f64.const " + float_text(v.as_f64(), v.f64, 52);
    case ValType::V128: {
      uint32_t lanes[4];
      std::memcpy(lanes, &v.v128, sizeof lanes);
      return fmt::format("v128.const i32x4 {:#010x} {:#010x} {:#010x} {:#010x}", lanes[0], lanes[1],
                         lanes[2], lanes[3]);
    }
    case ValType::Ref: {
      const char* heap = v.type.heap().value == HeapType::Extern ? "extern" : "func";
      if (v.ref == nullptr) return fmt::format("ref.null {}", heap);
      if (is_i31_ref(v.ref)) return fmt::format("ref.i31 {}", i31_get_u(v.ref));
      return fmt::format("ref.{} {}", heap, v.ref);
    }
    case ValType::Bottom: break;
  }
  return "<bottom>";
}

}  // namespace kumo::wasm
