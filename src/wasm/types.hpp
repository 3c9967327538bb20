// Core WebAssembly types shared by the decoder, validator, runtime and interpreter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kumo::wasm {

// Heap types of reference types. Abstract heap types use their binary type codes (0x69..0x74);
// a concrete heap type (function-references / GC) is a type index, tagged with kConcrete.
struct HeapType {
  static constexpr uint32_t kConcrete = 0x80000000u;
  enum Abstract : uint32_t {
    Exn = 0x69, Array = 0x6A, Struct = 0x6B, I31 = 0x6C, Eq = 0x6D, Any = 0x6E,
    Extern = 0x6F, Func = 0x70, None = 0x71, NoExtern = 0x72, NoFunc = 0x73, NoExn = 0x74,
  };
  uint32_t value = Func;

  static constexpr HeapType concrete(uint32_t type_index) { return HeapType{type_index | kConcrete}; }
  constexpr bool is_concrete() const { return (value & kConcrete) != 0; }
  constexpr uint32_t type_index() const { return value & ~kConcrete; }
  friend constexpr bool operator==(HeapType, HeapType) = default;
};

// A value type. Numeric and vector types carry only a kind; reference types also carry
// nullability and a heap type, so that wasm 3.0 typed references fit without a redesign.
class ValType {
 public:
  enum Kind : uint8_t { I32, I64, F32, F64, V128, Ref, Bottom /* validator: unknown type */ };

  constexpr ValType() = default;
  constexpr ValType(Kind k) : kind_(k) {}  // NOLINT: implicit on purpose (ValType::I32)
  static constexpr ValType ref(bool nullable, HeapType heap) {
    ValType t(Ref);
    t.nullable_ = nullable;
    t.heap_ = heap;
    return t;
  }
  static constexpr ValType funcref() { return ref(true, HeapType{HeapType::Func}); }
  static constexpr ValType externref() { return ref(true, HeapType{HeapType::Extern}); }
  static constexpr ValType exnref() { return ref(true, HeapType{HeapType::Exn}); }

  constexpr Kind kind() const { return kind_; }
  constexpr bool is_ref() const { return kind_ == Ref; }
  constexpr bool is_num() const { return kind_ <= F64; }
  constexpr bool nullable() const { return nullable_; }
  constexpr HeapType heap() const { return heap_; }
  // Size of a value of this type in interpreter slots / bytes.
  constexpr unsigned byte_size() const {
    switch (kind_) {
      case I32: case F32: return 4;
      case V128: return 16;
      default: return 8;
    }
  }
  friend constexpr bool operator==(const ValType& a, const ValType& b) {
    if (a.kind_ != b.kind_) return false;
    if (a.kind_ != Ref) return true;
    return a.nullable_ == b.nullable_ && a.heap_ == b.heap_;
  }

 private:
  Kind kind_ = I32;
  bool nullable_ = false;
  HeapType heap_{};
};

std::string to_string(ValType t);  // "i32", "funcref", "(ref null 3)", ...

struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;
  friend bool operator==(const FuncType&, const FuncType&) = default;
};
std::string to_string(const FuncType& t);  // "[i32 i64] -> [f32]"

struct Limits {
  uint64_t min = 0;
  std::optional<uint64_t> max;
  bool shared = false;  // threads proposal
  bool is64 = false;    // memory64 / table64: addresses are i64
};

struct TableType {
  ValType elem = ValType::funcref();
  Limits limits;
};

struct MemoryType {
  Limits limits;  // in pages
  uint32_t page_size_log2 = 16;  // custom-page-sizes proposal; 64 KiB by default
};

struct GlobalType {
  ValType type;
  bool mut = false;
};

struct TagType {
  uint32_t type_index = 0;  // a function type with no results
};

enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3, Tag = 4 };
const char* to_string(ExternKind k);

}  // namespace kumo::wasm
