// Strings (definitions.py load_string_from_range, store_string_into_range and the store_* transcoders):
// validity checks on lift, and on lower the exact allocation sequence of the reference, which
// guest reallocs observe. Text is never held as code points: the transcoders decode the source
// (a Val's UTF-8, or a deferred string's source memory) on the fly and write straight into the
// destination memory, so that strings of up to 2 GiB cost no host memory beyond the two memories.
#include <fmt/format.h>

#include <cstring>
#include <optional>
#include <string>

#include "component/runtime/abi_detail.hpp"
#include "wasm/runtime/objects.hpp"

namespace kumo::component::rt::detail {

namespace {

constexpr const char* kStringOob = "string content out-of-bounds: ";

uint64_t utf16_tag(abi::PtrType p) {
  return p == abi::PtrType::I32 ? uint64_t(1) << 31 : uint64_t(1) << 63;
}

// ---------------------------------------------------------------------------------------------
// Encoding and decoding

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += char(c);
  } else if (c < 0x800) {
    out += char(0xC0 | (c >> 6));
    out += char(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += char(0xE0 | (c >> 12));
    out += char(0x80 | ((c >> 6) & 0x3F));
    out += char(0x80 | (c & 0x3F));
  } else {
    out += char(0xF0 | (c >> 18));
    out += char(0x80 | ((c >> 12) & 0x3F));
    out += char(0x80 | ((c >> 6) & 0x3F));
    out += char(0x80 | (c & 0x3F));
  }
}

// Writes c as UTF-8 at p; returns the number of bytes.
size_t put_utf8(uint8_t* p, char32_t c) {
  if (c < 0x80) {
    p[0] = uint8_t(c);
    return 1;
  }
  if (c < 0x800) {
    p[0] = uint8_t(0xC0 | (c >> 6));
    p[1] = uint8_t(0x80 | (c & 0x3F));
    return 2;
  }
  if (c < 0x10000) {
    p[0] = uint8_t(0xE0 | (c >> 12));
    p[1] = uint8_t(0x80 | ((c >> 6) & 0x3F));
    p[2] = uint8_t(0x80 | (c & 0x3F));
    return 3;
  }
  p[0] = uint8_t(0xF0 | (c >> 18));
  p[1] = uint8_t(0x80 | ((c >> 12) & 0x3F));
  p[2] = uint8_t(0x80 | ((c >> 6) & 0x3F));
  p[3] = uint8_t(0x80 | (c & 0x3F));
  return 4;
}

// Writes c as UTF-16LE at p; returns the number of code units.
size_t put_utf16(uint8_t* p, char32_t c) {
  auto unit = [&](size_t k, uint32_t u) {
    p[2 * k] = uint8_t(u & 0xFF);
    p[2 * k + 1] = uint8_t(u >> 8);
  };
  if (c >= 0x10000) {
    unit(0, 0xD800 + ((c - 0x10000) >> 10));
    unit(1, 0xDC00 + ((c - 0x10000) & 0x3FF));
    return 2;
  }
  unit(0, c);
  return 1;
}

// Decodes the UTF-8 sequence at b[i] (i < n) as Python's strict decoder does (no overlongs,
// surrogates or values past U+10FFFF). Errors are worded like Rust's Utf8Error, as the reference
// tests expect.
std::optional<std::string> utf8_at(const uint8_t* b, size_t n, size_t i, char32_t& cp, size_t& width) {
  unsigned char b0 = b[i];
  if (b0 < 0x80) {
    cp = b0;
    width = 1;
    return std::nullopt;
  }
  width = b0 >= 0xC2 && b0 <= 0xDF ? 2 : b0 >= 0xE0 && b0 <= 0xEF ? 3 : b0 >= 0xF0 && b0 <= 0xF4 ? 4 : 0;
  if (width == 0) return fmt::format("invalid utf-8 sequence of 1 bytes from index {}", i);
  unsigned char lo = 0x80, hi = 0xBF;  // the second byte's range depends on the first
  if (b0 == 0xE0) lo = 0xA0;
  if (b0 == 0xED) hi = 0x9F;
  if (b0 == 0xF0) lo = 0x90;
  if (b0 == 0xF4) hi = 0x8F;
  for (size_t k = 1; k < width; ++k) {
    if (i + k >= n) return fmt::format("incomplete utf-8 byte sequence from index {}", i);
    unsigned char c = b[i + k];
    bool ok = k == 1 ? (c >= lo && c <= hi) : (c & 0xC0) == 0x80;
    if (!ok) return fmt::format("invalid utf-8 sequence of {} bytes from index {}", k, i);
  }
  cp = width == 2 ? (b0 & 0x1F) : width == 3 ? (b0 & 0x0F) : (b0 & 0x07);
  for (size_t k = 1; k < width; ++k) cp = (cp << 6) | (b[i + k] & 0x3F);
  return std::nullopt;
}

std::optional<std::string> validate_utf8(const uint8_t* b, size_t n) {
  size_t i = 0;
  while (i < n) {
    if (b[i] < 0x80) {  // fast path: ASCII
      ++i;
      continue;
    }
    char32_t cp;
    size_t width;
    if (auto e = utf8_at(b, n, i, cp, width)) return e;
    i += width;
  }
  return std::nullopt;
}

// The text of a string, as code points decoded on the fly from `units` code units in `enc`,
// validated as they are read. The bytes are re-located at each step: a deferred string lives in
// a linear memory, which a realloc between two steps may move.
class Text {
 public:
  enum Enc : uint8_t { Utf8, Utf16, Latin1 };
  static constexpr int64_t kEnd = -1;
  static constexpr int64_t kError = -2;

  Text(const Val& v, Enc enc, uint64_t units) : v_(v), enc_(enc), units_(units) {}

  // The next code point, kEnd, or kError (error() says why).
  int64_t next() {
    if (pos_ >= units_) return kEnd;
    const uint8_t* b = data();
    switch (enc_) {
      case Latin1: return b[pos_++];
      case Utf8: {
        if (b[pos_] < 0x80) return b[pos_++];
        char32_t cp;
        size_t width;
        if (auto e = utf8_at(b, units_, pos_, cp, width)) return fail(std::move(*e));
        pos_ += width;
        return cp;
      }
      case Utf16: {
        char32_t u = unit(b, pos_);
        if (u >= 0xD800 && u <= 0xDBFF && pos_ + 1 < units_) {
          char32_t u2 = unit(b, pos_ + 1);
          if (u2 >= 0xDC00 && u2 <= 0xDFFF) {
            pos_ += 2;
            return 0x10000 + ((u - 0xD800) << 10) + (u2 - 0xDC00);
          }
        }
        if (u >= 0xD800 && u <= 0xDFFF) {
          return fail(fmt::format("invalid utf-16: unpaired surrogate at code unit {}", pos_));
        }
        ++pos_;
        return u;
      }
    }
    return kEnd;
  }
  std::string& error() { return error_; }

 private:
  const uint8_t* data() const {
    if (v_.src_memory) return v_.src_memory->base + v_.src_ptr;
    return reinterpret_cast<const uint8_t*>(v_.str.data());
  }
  static char32_t unit(const uint8_t* b, uint64_t i) { return char32_t(b[2 * i] | (b[2 * i + 1] << 8)); }
  int64_t fail(std::string e) {
    error_ = std::move(e);
    return kError;
  }

  const Val& v_;
  Enc enc_;
  uint64_t units_;
  uint64_t pos_ = 0;
  std::string error_;
};

// ---------------------------------------------------------------------------------------------
// The transcoders of definitions.py, step for step. Each realloc result is checked by
// reallocate_checked (alignment, then bounds), as the reference checks it after each call.
// Like wasmtime, no realloc may ask for more than kMaxStringByteLength bytes: that traps before
// the call (the reference's MAX_STRING_BYTE_LENGTH makes such sizes impossible; Kumo's larger
// limit does not).

using Range = std::pair<uint64_t, uint64_t>;

Trapping<uint64_t> string_realloc(LiftLowerContext& cx, uint64_t old_ptr, uint64_t old_size,
                                  uint32_t alignment, uint64_t new_size) {
  if (new_size > kMaxStringByteLength) {
    return abi_trap(fmt::format("string content out-of-bounds: the transcoded string needs {} bytes, "
                                "more than the maximum string length", new_size));
  }
  return reallocate_checked(cx, old_ptr, old_size, alignment, new_size, kStringOob);
}

struct Src {
  const Val& v;
  Text::Enc enc;   // how `Text` reads it (Utf8 for Val::str)
  uint64_t units;  // code units in the source's simple encoding (definitions.py src_code_units)
  Text text() const { return Text(v, enc, v.deferred() ? units : v.str.size()); }
};

Unexpected<Trap> text_error(Text& t) { return abi_trap(std::move(t.error())); }

// An internal inconsistency (a host string whose src_code_units disagree with its text).
Unexpected<Trap> length_mismatch() {
  return abi_trap("string content out-of-bounds: the string is longer than its code-unit count");
}

Trapping<Range> store_string_copy(LiftLowerContext& cx, const Src& src, uint32_t dst_code_unit_size,
                                  uint32_t dst_alignment, StringEncoding dst) {
  uint64_t dst_byte_length = dst_code_unit_size * src.units;
  KUMO_TRY(uint64_t ptr, string_realloc(cx, 0, 0, dst_alignment, dst_byte_length));
  uint8_t* out = at(cx, ptr);
  if (dst == StringEncoding::Utf8) {  // from UTF-8: validate, then copy the bytes
    if (src.v.deferred()) {
      const uint8_t* b = src.v.src_memory->base + src.v.src_ptr;
      if (auto e = validate_utf8(b, src.units)) return abi_trap(*e);
      std::memmove(out, b, src.units);
    } else {
      std::memcpy(out, src.v.str.data(), src.units);
    }
    return Range{ptr, src.units};
  }
  Text t = src.text();
  uint64_t n = 0;  // code units written
  for (int64_t c; (c = t.next()) >= 0;) {
    if (dst == StringEncoding::Utf16) {
      if (n + (c >= 0x10000 ? 2 : 1) > src.units) return length_mismatch();
      n += put_utf16(out + 2 * n, char32_t(c));
    } else {  // latin-1
      if (n >= src.units) return length_mismatch();
      out[n++] = uint8_t(c);
    }
  }
  if (!t.error().empty()) return text_error(t);
  return Range{ptr, src.units};
}

Trapping<Range> store_string_to_utf8(LiftLowerContext& cx, const Src& src, uint64_t worst_case_size) {
  KUMO_TRY(uint64_t ptr, string_realloc(cx, 0, 0, 1, src.units));
  Text t = src.text();
  uint64_t i = 0;
  for (int64_t c; (c = t.next()) >= 0; ++i) {
    if (i >= src.units) return length_mismatch();
    if (c < 0x80) {
      at(cx, ptr)[i] = uint8_t(c);
      continue;
    }
    KUMO_TRY(ptr, string_realloc(cx, ptr, src.units, 1, worst_case_size));
    uint8_t* out = at(cx, ptr);
    uint64_t len = i;
    do {  // at most 3 bytes per UTF-16 unit and 2 per Latin-1 char: within worst_case_size
      if (len + (c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4) > worst_case_size) return length_mismatch();
      len += put_utf8(out + len, char32_t(c));
    } while ((c = t.next()) >= 0);
    if (!t.error().empty()) return text_error(t);
    if (worst_case_size > len) {
      KUMO_TRY(ptr, string_realloc(cx, ptr, worst_case_size, 1, len));
    }
    return Range{ptr, len};
  }
  if (!t.error().empty()) return text_error(t);
  return Range{ptr, src.units};
}

Trapping<Range> store_utf8_to_utf16(LiftLowerContext& cx, const Src& src) {
  uint64_t worst_case_size = 2 * src.units;
  KUMO_TRY(uint64_t ptr, string_realloc(cx, 0, 0, 2, worst_case_size));
  uint8_t* out = at(cx, ptr);
  Text t = src.text();
  uint64_t n = 0;  // UTF-16 code units: never more than UTF-8 bytes
  for (int64_t c; (c = t.next()) >= 0;) n += put_utf16(out + 2 * n, char32_t(c));
  if (!t.error().empty()) return text_error(t);
  if (2 * n < worst_case_size) {
    KUMO_TRY(ptr, string_realloc(cx, ptr, worst_case_size, 2, 2 * n));
  }
  return Range{ptr, n};
}

Trapping<Range> store_string_to_latin1_or_utf16(LiftLowerContext& cx, const Src& src) {
  KUMO_TRY(uint64_t ptr, string_realloc(cx, 0, 0, 2, src.units));
  Text t = src.text();
  uint64_t dst_byte_length = 0;
  for (int64_t c; (c = t.next()) >= 0;) {
    if (c < 0x100) {
      if (dst_byte_length >= src.units) return length_mismatch();
      at(cx, ptr)[dst_byte_length] = uint8_t(c);
      ++dst_byte_length;
      continue;
    }
    uint64_t worst_case_size = 2 * src.units;
    KUMO_TRY(ptr, string_realloc(cx, ptr, src.units, 2, worst_case_size));
    // Inflate the Latin-1 prefix in place to UTF-16, back to front.
    uint8_t* p = at(cx, ptr);
    for (uint64_t j = dst_byte_length; j-- > 0;) {
      p[2 * j] = p[j];
      p[2 * j + 1] = 0;
    }
    uint64_t n = dst_byte_length;  // UTF-16 code units: never more than source code units
    do {
      if (n + (c >= 0x10000 ? 2 : 1) > src.units) return length_mismatch();
      n += put_utf16(p + 2 * n, char32_t(c));
    } while ((c = t.next()) >= 0);
    if (!t.error().empty()) return text_error(t);
    if (worst_case_size > 2 * n) {
      KUMO_TRY(ptr, string_realloc(cx, ptr, worst_case_size, 2, 2 * n));
    }
    return Range{ptr, n | utf16_tag(cx.opts.ptr)};
  }
  if (!t.error().empty()) return text_error(t);
  if (dst_byte_length < src.units) {
    KUMO_TRY(ptr, string_realloc(cx, ptr, src.units, 2, dst_byte_length));
  }
  return Range{ptr, dst_byte_length};
}

Trapping<Range> store_probably_utf16_to_latin1_or_utf16(LiftLowerContext& cx, const Src& src) {
  uint64_t src_byte_length = 2 * src.units;
  KUMO_TRY(uint64_t ptr, string_realloc(cx, 0, 0, 2, src_byte_length));
  uint8_t* p = at(cx, ptr);
  Text t = src.text();
  uint64_t n = 0;
  bool latin1 = true;
  for (int64_t c; (c = t.next()) >= 0;) {
    if (n + (c >= 0x10000 ? 2 : 1) > src.units) return length_mismatch();
    n += put_utf16(p + 2 * n, char32_t(c));
    latin1 = latin1 && c < 0x100;
  }
  if (!t.error().empty()) return text_error(t);
  if (!latin1) return Range{ptr, n | utf16_tag(cx.opts.ptr)};
  for (uint64_t i = 0; i < n; ++i) p[i] = p[2 * i];
  // definitions.py passes alignment 1 here; wasmtime passes (and checks) 2, which its
  // strings.wast observes. A latin1+utf16 string is 2-aligned either way, so Kumo uses 2.
  KUMO_TRY(ptr, string_realloc(cx, ptr, src_byte_length, 2, n));
  return Range{ptr, n};
}

}  // namespace

// ---------------------------------------------------------------------------------------------

Trapping<Val> load_string_from_range(LiftLowerContext& cx, uint64_t ptr, uint64_t tagged_code_units) {
  KUMO_CHECK(require_memory(cx));
  uint64_t tag = utf16_tag(cx.opts.ptr);
  Text::Enc enc = Text::Utf8;
  uint32_t alignment = 1;
  uint64_t code_units = tagged_code_units;
  switch (cx.opts.encoding) {
    case StringEncoding::Utf8: break;
    case StringEncoding::Utf16: enc = Text::Utf16; alignment = 2; break;
    case StringEncoding::Latin1Utf16:
      alignment = 2;
      if (tagged_code_units & tag) {
        enc = Text::Utf16;
        code_units = tagged_code_units ^ tag;
      } else {
        enc = Text::Latin1;
      }
      break;
  }
  if (code_units > kMaxStringByteLength || (enc == Text::Utf16 && 2 * code_units > kMaxStringByteLength)) {
    return abi_trap(fmt::format("string content out-of-bounds: string of {} code units exceeds the "
                                "maximum string length", code_units));
  }
  uint64_t byte_length = enc == Text::Utf16 ? 2 * code_units : code_units;
  if (ptr % alignment != 0) {
    return abi_trap(fmt::format("unaligned pointer: string pointer not aligned to 2 (pointer {:#x})", ptr));
  }
  if (!in_bounds(cx, ptr, byte_length)) {
    return abi_trap(fmt::format("string content out-of-bounds: string pointer/length out of bounds of "
                                "memory (pointer {:#x}, {} bytes, memory size {})",
                                ptr, byte_length, cx.opts.memory->size));
  }
  Val v = Val::string({});
  v.src_encoding = cx.opts.encoding;
  v.src_code_units = uint32_t(code_units);  // <= kMaxStringByteLength < 2^31
  if (cx.opts.encoding == StringEncoding::Latin1Utf16 && enc == Text::Utf16) v.src_code_units |= Val::kUtf16Tag;
  v.src_memory = cx.opts.memory;
  v.src_ptr = ptr;
  if (!cx.defer_strings) KUMO_CHECK(materialize(v));
  return v;
}

Trapping<std::pair<uint64_t, uint64_t>> store_string_into_range(LiftLowerContext& cx, const Val& v) {
  KUMO_CHECK(check_kind(cx, v, ValKind::String, ValType::primitive(PrimValType::String)));

  // The source's simple encoding (definitions.py src_simple_encoding) and its code units.
  Text::Enc simple = Text::Utf8;
  uint64_t units = 0;
  if (v.deferred()) {
    units = v.src_code_units & ~Val::kUtf16Tag;
    if (v.src_encoding == StringEncoding::Utf16) simple = Text::Utf16;
    if (v.src_encoding == StringEncoding::Latin1Utf16) {
      simple = v.src_code_units & Val::kUtf16Tag ? Text::Utf16 : Text::Latin1;
    }
  } else {
    const auto* b = reinterpret_cast<const uint8_t*>(v.str.data());
    if (auto e = validate_utf8(b, v.str.size())) return abi_trap("string value is not valid UTF-8: " + *e);
    uint64_t cps = 0, utf16 = 0;
    bool latin1 = true;
    if (v.src_encoding != StringEncoding::Utf8) {
      Text t(v, Text::Utf8, v.str.size());
      for (int64_t c; (c = t.next()) >= 0;) {
        ++cps;
        utf16 += c >= 0x10000 ? 2 : 1;
        latin1 = latin1 && c < 0x100;
      }
    }
    units = v.str.size();
    if (v.src_encoding == StringEncoding::Utf16) {
      simple = Text::Utf16;
      units = utf16;
    }
    if (v.src_encoding == StringEncoding::Latin1Utf16) {
      // A string that claims to be Latin-1 but is not is treated as UTF-16 (only a host can do that).
      simple = (v.src_code_units & Val::kUtf16Tag) || !latin1 ? Text::Utf16 : Text::Latin1;
      units = simple == Text::Utf16 ? utf16 : cps;
    }
  }
  Src src{v, v.deferred() ? simple : Text::Utf8, units};

  switch (cx.opts.encoding) {
    case StringEncoding::Utf8:
      switch (simple) {
        case Text::Utf8: return store_string_copy(cx, src, 1, 1, StringEncoding::Utf8);
        case Text::Utf16: return store_string_to_utf8(cx, src, units * 3);
        case Text::Latin1: return store_string_to_utf8(cx, src, units * 2);
      }
      break;
    case StringEncoding::Utf16:
      switch (simple) {
        case Text::Utf8: return store_utf8_to_utf16(cx, src);
        case Text::Utf16: case Text::Latin1: return store_string_copy(cx, src, 2, 2, StringEncoding::Utf16);
      }
      break;
    case StringEncoding::Latin1Utf16:
      if (v.src_encoding != StringEncoding::Latin1Utf16) return store_string_to_latin1_or_utf16(cx, src);
      if (simple == Text::Latin1) return store_string_copy(cx, src, 1, 2, StringEncoding::Latin1Utf16);
      return store_probably_utf16_to_latin1_or_utf16(cx, src);
  }
  return abi_trap("unknown string encoding");
}

}  // namespace kumo::component::rt::detail

namespace kumo::component::rt {

Trapping<void> materialize(Val& v) {
  for (Val& item : v.items) KUMO_CHECK(materialize(item));
  if (v.kind != ValKind::String || !v.deferred()) return {};
  using detail::Text;
  uint64_t units = v.src_code_units & ~Val::kUtf16Tag;
  const uint8_t* b = v.src_memory->base + v.src_ptr;
  std::string out;
  if (v.src_encoding == StringEncoding::Utf8) {
    if (auto e = detail::validate_utf8(b, units)) return abi_trap(*e);
    out.assign(reinterpret_cast<const char*>(b), units);
  } else {
    bool utf16 = v.src_encoding == StringEncoding::Utf16 || (v.src_code_units & Val::kUtf16Tag);
    Text t(v, utf16 ? Text::Utf16 : Text::Latin1, units);
    out.reserve(units);
    for (int64_t c; (c = t.next()) >= 0;) detail::append_utf8(out, char32_t(c));
    if (!t.error().empty()) return abi_trap(std::move(t.error()));
  }
  v.str = std::move(out);
  v.src_memory = nullptr;
  v.src_ptr = 0;
  return {};
}

}  // namespace kumo::component::rt
