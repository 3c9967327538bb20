// A few helpers to write component (and small core module) binaries by hand in tests.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

namespace kumo::component::test {

using Bytes = std::vector<uint8_t>;

inline void append(Bytes& out, const Bytes& b) { out.insert(out.end(), b.begin(), b.end()); }

inline Bytes u32(uint64_t v) {
  Bytes b;
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    if (v) byte |= 0x80;
    b.push_back(byte);
  } while (v);
  return b;
}

inline Bytes str(std::string_view s) {
  Bytes b = u32(s.size());
  b.insert(b.end(), s.begin(), s.end());
  return b;
}

inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes b;
  for (const auto& p : parts) append(b, p);
  return b;
}

// vec(items): a count followed by the items.
inline Bytes vec(std::initializer_list<Bytes> items) {
  Bytes b = u32(items.size());
  for (const auto& i : items) append(b, i);
  return b;
}

inline Bytes section(uint8_t id, const Bytes& payload) {
  Bytes b{id};
  append(b, u32(payload.size()));
  append(b, payload);
  return b;
}

inline Bytes component(std::initializer_list<Bytes> sections) {
  Bytes b{0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
  for (const auto& s : sections) append(b, s);
  return b;
}

inline Bytes core_module(std::initializer_list<Bytes> sections) {
  Bytes b{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  for (const auto& s : sections) append(b, s);
  return b;
}

// Component section ids.
enum : uint8_t {
  kCustom = 0, kCoreModule = 1, kCoreInstance = 2, kCoreType = 3, kComponent = 4, kInstance = 5,
  kAlias = 6, kType = 7, kCanon = 8, kStart = 9, kImport = 10, kExport = 11, kValue = 12,
};

// A plain import/export name (nameattributes 0x00).
inline Bytes name(std::string_view s) { return cat({{0x00}, str(s)}); }

// Type codes.
constexpr uint8_t kBool = 0x7f, kU8 = 0x7d, kU32 = 0x79, kS32 = 0x7a, kU64 = 0x77, kF32 = 0x76,
                  kF64 = 0x75, kChar = 0x74, kString = 0x73;

// (func (param name type)* (result type)?) as a type definition.
inline Bytes func_type(std::initializer_list<Bytes> params, const Bytes* result) {
  Bytes b{0x40};
  append(b, vec(params));
  if (result) {
    b.push_back(0x00);
    append(b, *result);
  } else {
    append(b, Bytes{0x01, 0x00});
  }
  return b;
}

inline Bytes param(std::string_view n, uint8_t type) { return cat({str(n), Bytes{type}}); }

}  // namespace kumo::component::test
