// Val: a component-model value at run time, as the dynamic (untyped-C++) API sees it. A Val does
// not carry its type: the ValType it was lifted with (or is to be lowered with) is always at hand
// where values cross the canonical ABI, so Vals are positional (record fields in declaration
// order, variant/enum cases by index, flags as a bit set).
#pragma once

#include <cstdint>
#include <string>
#include <optional>
#include <string_view>
#include <vector>

namespace kumo::wasm {
class MemoryInst;
}

namespace kumo::component {

namespace rt {
struct ResourceType;  // runtime identity of a resource type (resources.hpp)
}

enum class ValKind : uint8_t {
  Bool, S8, U8, S16, U16, S32, U32, S64, U64, F32, F64, Char, String,
  List, Record, Tuple, Variant, Enum, Option, Result, Flags, Own, Borrow,
};
const char* to_string(ValKind k);

// String encodings of canonical options (`string-encoding=`).
enum class StringEncoding : uint8_t { Utf8, Utf16, Latin1Utf16 };

// A resource handle's value as it travels between instances: which resource type, and the
// representation the defining instance (or host) gave it. Lifting an `own` removes the handle
// from the source table; lowering it adds a handle to the destination table (CanonicalABI.md
// lift_own / lower_own / lift_borrow / lower_borrow).
struct ResourceRef {
  rt::ResourceType* type = nullptr;
  uint32_t rep = 0;
  friend bool operator==(const ResourceRef&, const ResourceRef&) = default;
};

struct Val {
  ValKind kind = ValKind::Bool;
  union {
    bool b;
    int64_t s;       // S8..S64 (sign-extended)
    uint64_t u;      // U8..U64
    float f32;
    double f64;
    char32_t c;      // Char: a Unicode scalar value
    uint32_t index;  // Variant and Enum: case index; Option: 0 none / 1 some; Result: 0 ok / 1 err
  };
  std::string str;          // String: UTF-8
  std::vector<Val> items;   // List/Tuple/Record: elements in order;
                            // Variant/Option/Result: the payload, if the case has one (size 0 or 1)
  std::vector<uint32_t> flags;  // Flags: bit i of word i/32 set <=> label i is set
  ResourceRef handle;           // Own, Borrow

  // Where a lifted string came from, so that lowering it into another encoding follows the
  // allocation sequence of CanonicalABI.md `store_string` (which depends on the source encoding
  // and its number of code units). Vals made by the host use Utf8 and the byte length.
  // As in definitions.py's String tuple: src_encoding is the lifting side's `string-encoding`
  // option and src_code_units its (tagged) code-unit count. For Latin1Utf16, bit 31
  // (kUtf16Tag, whatever the pointer size) marks a string held in its UTF-16 form; without it the
  // source was Latin-1. Lowering recomputes the count from `str`, so only the encoding and the tag
  // matter; a Val the host builds may leave both at their defaults.
  static constexpr uint32_t kUtf16Tag = 1u << 31;
  StringEncoding src_encoding = StringEncoding::Utf8;
  uint32_t src_code_units = 0;  // 0 with a non-empty `str` means "compute from str as UTF-8"
  // A deferred string (lifted in a lowering caller for a lifted callee, LiftLowerContext::
  // defer_strings): `str` is empty and the text is still in `src_memory` at `src_ptr`, in
  // src_encoding, src_code_units long (bounds and alignment already checked, content not yet
  // validated). Lowering it into the callee reads and validates it after the destination's realloc,
  // as wasmtime does. Vals given to the host are always materialized (rt::materialize).
  const wasm::MemoryInst* src_memory = nullptr;
  uint64_t src_ptr = 0;
  bool deferred() const { return src_memory != nullptr; }

  // A list of bytes held compactly: kind List, the elements in `str` (one u8 each), `items`
  // empty. Made by the host for `list<u8>` (stream reads, bodies; see bytes()); lowering copies it
  // in one piece. Lifting still produces element Vals.
  bool byte_list = false;
  size_t list_size() const { return byte_list ? str.size() : items.size(); }

  Val() : u(0) {}

  static Val boolean(bool v);
  static Val s8(int8_t v);
  static Val u8(uint8_t v);
  static Val s16(int16_t v);
  static Val u16(uint16_t v);
  static Val s32(int32_t v);
  static Val u32(uint32_t v);
  static Val s64(int64_t v);
  static Val u64(uint64_t v);
  static Val float32(float v);
  static Val float64(double v);
  static Val character(char32_t v);
  static Val string(std::string utf8);
  static Val list(std::vector<Val> items);
  static Val bytes(std::string_view data);  // a compact list<u8> (byte_list)
  static Val record(std::vector<Val> fields);
  static Val tuple(std::vector<Val> items);
  static Val variant(uint32_t case_index, std::optional<Val> payload = std::nullopt);
  static Val enumeration(uint32_t case_index);
  static Val option(std::optional<Val> payload);
  static Val ok(std::optional<Val> payload = std::nullopt);
  static Val error(std::optional<Val> payload = std::nullopt);
  static Val flag_set(std::vector<uint32_t> words);
  static Val own(ResourceRef r);
  static Val borrow(ResourceRef r);

  bool has_payload() const { return !items.empty(); }
  const Val& payload() const { return items.front(); }
  bool flag(uint32_t i) const { return i / 32 < flags.size() && (flags[i / 32] >> (i % 32)) & 1; }
};

// Structural equality (floats compare by value, except that NaN equals NaN; strings by content).
bool operator==(const Val& a, const Val& b);

// A debugging form, e.g. `record{u32(1), string("x")}`.
std::string to_string(const Val& v);

}  // namespace kumo::component
