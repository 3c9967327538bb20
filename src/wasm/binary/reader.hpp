// Bounds-checked reading of the WebAssembly binary encoding: bytes, LEB128 integers, names.
// Every read either succeeds or returns an Error naming the context (e.g. "section 10 (code)"),
// the absolute byte offset and what was expected. Nothing here allocates based on untrusted
// counts without first checking them against the bytes that remain.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "wasm/common/expected.hpp"

namespace kumo::wasm::binary {

// True when `s` is well-formed UTF-8 (no overlong forms, surrogates or code points > U+10FFFF).
bool is_valid_utf8(std::span<const uint8_t> s);

class Reader {
 public:
  // `base` is the absolute offset of data[0] in the module binary (for error messages).
  Reader(std::span<const uint8_t> data, uint32_t base, std::string_view context)
      : data_(data), base_(base), context_(context) {}

  size_t pos() const { return pos_; }
  uint32_t offset() const { return base_ + uint32_t(pos_); }
  size_t remaining() const { return data_.size() - pos_; }
  bool at_end() const { return pos_ == data_.size(); }
  std::string_view context() const { return context_; }
  void set_context(std::string_view c) { context_ = c; }
  std::span<const uint8_t> rest() const { return data_.subspan(pos_); }

  // An error at an absolute offset, formatted "<context> at offset 0x..: <what>".
  Unexpected<Error> fail_at(uint32_t off, std::string_view what) const {
    return err("{} at offset 0x{:x}: {}", context_, off, what);
  }
  Unexpected<Error> fail(std::string_view what) const { return fail_at(offset(), what); }

  Expected<uint8_t> u8() {
    if (pos_ >= data_.size()) return fail("unexpected end");
    return data_[pos_++];
  }
  // Looks at the next byte without consuming it.
  Expected<uint8_t> peek() const {
    if (pos_ >= data_.size()) return fail("unexpected end");
    return data_[pos_];
  }

  Expected<std::span<const uint8_t>> bytes(uint64_t n) {
    if (n > remaining()) {
      return fail(fmt::format("unexpected end: {} bytes needed, {} left (length out of bounds)", n,
                              remaining()));
    }
    auto s = data_.subspan(pos_, size_t(n));
    pos_ += size_t(n);
    return s;
  }

  Expected<uint32_t> fixed_u32() {
    KUMO_TRY(auto b, bytes(4));
    uint32_t v;
    std::memcpy(&v, b.data(), 4);  // little-endian host assumed (x86-64 / aarch64)
    return v;
  }
  Expected<uint64_t> fixed_u64() {
    KUMO_TRY(auto b, bytes(8));
    uint64_t v;
    std::memcpy(&v, b.data(), 8);
    return v;
  }

  Expected<uint32_t> u32() {
    // Fast path: one-byte LEBs are by far the most common.
    if (pos_ < data_.size() && data_[pos_] < 0x80) return data_[pos_++];
    KUMO_TRY(uint64_t v, leb_unsigned(32));
    return uint32_t(v);
  }
  Expected<uint64_t> u64() { return leb_unsigned(64); }
  Expected<int32_t> s32() {
    KUMO_TRY(int64_t v, leb_signed(32));
    return int32_t(v);
  }
  Expected<int64_t> s33() { return leb_signed(33); }
  Expected<int64_t> s64() { return leb_signed(64); }

  // A vector length: it must not exceed the bytes left, assuming each element takes at least
  // `min_elem_size` bytes, so that callers may reserve() safely.
  Expected<uint32_t> count(size_t min_elem_size = 1) {
    uint32_t start = offset();
    KUMO_TRY(uint32_t n, u32());
    if (min_elem_size != 0 && uint64_t(n) * min_elem_size > remaining()) {
      return fail_at(start, fmt::format("unexpected end: vector of {} elements does not fit in the "
                                        "{} bytes left (length out of bounds)",
                                        n, remaining()));
    }
    return n;
  }

  // A name: a byte vector holding valid UTF-8.
  Expected<std::string> name() {
    uint32_t start = offset();
    KUMO_TRY(uint32_t n, u32());
    if (n > remaining()) {
      return fail_at(start, fmt::format("unexpected end: name of {} bytes, {} left (length out of "
                                        "bounds)", n, remaining()));
    }
    auto s = data_.subspan(pos_, n);
    if (!is_valid_utf8(s)) return fail_at(start, "malformed UTF-8 encoding in name");
    pos_ += n;
    return std::string(reinterpret_cast<const char*>(s.data()), s.size());
  }

 private:
  // LEB128 with at most ceil(bits/7) bytes; the unused high bits of the last byte must be zero.
  Expected<uint64_t> leb_unsigned(unsigned bits) {
    uint32_t start = offset();
    uint64_t result = 0;
    unsigned shift = 0;
    const unsigned max_bytes = (bits + 6) / 7;
    for (unsigned i = 0;; ++i) {
      if (pos_ >= data_.size()) return fail("unexpected end (in LEB128 integer)");
      uint8_t b = data_[pos_++];
      if (i == max_bytes - 1) {
        if (b & 0x80) return fail_at(start, "integer representation too long");
        unsigned used = bits - shift;  // payload bits available in this last byte
        if (used < 7 && (b >> used) != 0) return fail_at(start, "integer too large");
        return result | (uint64_t(b) << shift);
      }
      result |= uint64_t(b & 0x7f) << shift;
      shift += 7;
      if (!(b & 0x80)) return result;
    }
  }

  // Signed LEB128; in the last byte the unused bits must all equal the sign bit.
  Expected<int64_t> leb_signed(unsigned bits) {
    uint32_t start = offset();
    uint64_t result = 0;
    unsigned shift = 0;
    const unsigned max_bytes = (bits + 6) / 7;
    for (unsigned i = 0;; ++i) {
      if (pos_ >= data_.size()) return fail("unexpected end (in LEB128 integer)");
      uint8_t b = data_[pos_++];
      if (i == max_bytes - 1) {
        if (b & 0x80) return fail_at(start, "integer representation too long");
        unsigned used = bits - shift;  // 1..7 payload bits; bit used-1 is the sign bit
        if (used < 7) {
          uint8_t mask = uint8_t((0x7f << (used - 1)) & 0x7f);  // sign bit and unused bits
          uint8_t top = b & mask;
          if (top != 0 && top != mask) return fail_at(start, "integer too large");
        }
        result |= uint64_t(b & 0x7f) << shift;
        shift += 7;
      } else {
        result |= uint64_t(b & 0x7f) << shift;
        shift += 7;
        if (b & 0x80) continue;
      }
      // Sign-extend from the last byte's bit 6.
      if (shift < 64 && (b & 0x40)) result |= ~uint64_t(0) << shift;
      return int64_t(result);
    }
  }

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  uint32_t base_ = 0;
  std::string_view context_;
};

}  // namespace kumo::wasm::binary
