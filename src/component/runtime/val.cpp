#include "component/runtime/val.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace kumo::component {

const char* to_string(ValKind k) {
  switch (k) {
    case ValKind::Bool: return "bool";
    case ValKind::S8: return "s8";
    case ValKind::U8: return "u8";
    case ValKind::S16: return "s16";
    case ValKind::U16: return "u16";
    case ValKind::S32: return "s32";
    case ValKind::U32: return "u32";
    case ValKind::S64: return "s64";
    case ValKind::U64: return "u64";
    case ValKind::F32: return "f32";
    case ValKind::F64: return "f64";
    case ValKind::Char: return "char";
    case ValKind::String: return "string";
    case ValKind::List: return "list";
    case ValKind::Record: return "record";
    case ValKind::Tuple: return "tuple";
    case ValKind::Variant: return "variant";
    case ValKind::Enum: return "enum";
    case ValKind::Option: return "option";
    case ValKind::Result: return "result";
    case ValKind::Flags: return "flags";
    case ValKind::Own: return "own";
    case ValKind::Borrow: return "borrow";
  }
  return "?";
}

namespace {

Val make(ValKind k) {
  Val v;
  v.kind = k;
  return v;
}

Val with_payload(ValKind k, uint32_t index, std::optional<Val> payload) {
  Val v = make(k);
  v.index = index;
  if (payload) v.items.push_back(std::move(*payload));
  return v;
}

}  // namespace

Val Val::boolean(bool x) {
  Val v = make(ValKind::Bool);
  v.b = x;
  return v;
}
Val Val::s8(int8_t x) {
  Val v = make(ValKind::S8);
  v.s = x;
  return v;
}
Val Val::u8(uint8_t x) {
  Val v = make(ValKind::U8);
  v.u = x;
  return v;
}
Val Val::s16(int16_t x) {
  Val v = make(ValKind::S16);
  v.s = x;
  return v;
}
Val Val::u16(uint16_t x) {
  Val v = make(ValKind::U16);
  v.u = x;
  return v;
}
Val Val::s32(int32_t x) {
  Val v = make(ValKind::S32);
  v.s = x;
  return v;
}
Val Val::u32(uint32_t x) {
  Val v = make(ValKind::U32);
  v.u = x;
  return v;
}
Val Val::s64(int64_t x) {
  Val v = make(ValKind::S64);
  v.s = x;
  return v;
}
Val Val::u64(uint64_t x) {
  Val v = make(ValKind::U64);
  v.u = x;
  return v;
}
Val Val::float32(float x) {
  Val v = make(ValKind::F32);
  v.f32 = x;
  return v;
}
Val Val::float64(double x) {
  Val v = make(ValKind::F64);
  v.f64 = x;
  return v;
}
Val Val::character(char32_t x) {
  Val v = make(ValKind::Char);
  v.c = x;
  return v;
}

Val Val::string(std::string utf8) {
  Val v = make(ValKind::String);
  v.src_code_units = utf8.size() > UINT32_MAX ? UINT32_MAX : uint32_t(utf8.size());
  v.str = std::move(utf8);
  return v;
}

Val Val::list(std::vector<Val> items) {
  Val v = make(ValKind::List);
  v.items = std::move(items);
  return v;
}
Val Val::record(std::vector<Val> fields) {
  Val v = make(ValKind::Record);
  v.items = std::move(fields);
  return v;
}
Val Val::tuple(std::vector<Val> items) {
  Val v = make(ValKind::Tuple);
  v.items = std::move(items);
  return v;
}
Val Val::variant(uint32_t case_index, std::optional<Val> payload) {
  return with_payload(ValKind::Variant, case_index, std::move(payload));
}
Val Val::enumeration(uint32_t case_index) {
  Val v = make(ValKind::Enum);
  v.index = case_index;
  return v;
}
Val Val::option(std::optional<Val> payload) {
  bool some = payload.has_value();
  return with_payload(ValKind::Option, some ? 1 : 0, std::move(payload));
}
Val Val::ok(std::optional<Val> payload) {
  return with_payload(ValKind::Result, 0, std::move(payload));
}
Val Val::error(std::optional<Val> payload) {
  return with_payload(ValKind::Result, 1, std::move(payload));
}
Val Val::flag_set(std::vector<uint32_t> words) {
  Val v = make(ValKind::Flags);
  v.flags = std::move(words);
  return v;
}
Val Val::own(ResourceRef r) {
  Val v = make(ValKind::Own);
  v.handle = r;
  return v;
}
Val Val::borrow(ResourceRef r) {
  Val v = make(ValKind::Borrow);
  v.handle = r;
  return v;
}

namespace {
// The element Vals of a compact byte list.
std::vector<Val> expand_bytes(const Val& v) {
  std::vector<Val> items;
  items.reserve(v.str.size());
  for (unsigned char c : v.str) items.push_back(Val::u8(c));
  return items;
}
}  // namespace

bool operator==(const Val& a, const Val& b) {
  if (a.kind != b.kind) return false;
  if (a.kind == ValKind::List && (a.byte_list || b.byte_list)) {
    if (a.byte_list && b.byte_list) return a.str == b.str;
    const Val& compact = a.byte_list ? a : b;
    const Val& full = a.byte_list ? b : a;
    return expand_bytes(compact) == full.items;
  }
  switch (a.kind) {
    case ValKind::Bool: return a.b == b.b;
    case ValKind::S8:
    case ValKind::S16:
    case ValKind::S32:
    case ValKind::S64: return a.s == b.s;
    case ValKind::U8:
    case ValKind::U16:
    case ValKind::U32:
    case ValKind::U64: return a.u == b.u;
    case ValKind::F32: return a.f32 == b.f32 || (std::isnan(a.f32) && std::isnan(b.f32));
    case ValKind::F64: return a.f64 == b.f64 || (std::isnan(a.f64) && std::isnan(b.f64));
    case ValKind::Char: return a.c == b.c;
    case ValKind::String:  // deferred strings (not read yet) are equal only to the same source
      if (a.deferred() || b.deferred()) {
        return a.src_memory == b.src_memory && a.src_ptr == b.src_ptr &&
               a.src_code_units == b.src_code_units && a.src_encoding == b.src_encoding;
      }
      return a.str == b.str;
    case ValKind::List:
    case ValKind::Record:
    case ValKind::Tuple: return a.items == b.items;
    case ValKind::Variant:
    case ValKind::Enum:
    case ValKind::Option:
    case ValKind::Result: return a.index == b.index && a.items == b.items;
    case ValKind::Flags: {
      // Trailing zero words do not change the set.
      size_t n = std::max(a.flags.size(), b.flags.size());
      for (size_t i = 0; i < n; ++i) {
        uint32_t x = i < a.flags.size() ? a.flags[i] : 0, y = i < b.flags.size() ? b.flags[i] : 0;
        if (x != y) return false;
      }
      return true;
    }
    case ValKind::Own:
    case ValKind::Borrow: return a.handle == b.handle;
  }
  return false;
}

namespace {

void append_escaped(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char ch : s) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += char(ch);
    } else if (ch < 0x20 || ch == 0x7f) {
      out += fmt::format("\\u{{{:x}}}", ch);
    } else {
      out += char(ch);
    }
  }
  out += '"';
}

void append(std::string& out, const Val& v);

void append_items(std::string& out, const std::vector<Val>& items) {
  out += '{';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    append(out, items[i]);
  }
  out += '}';
}

void append(std::string& out, const Val& v) {
  const char* k = to_string(v.kind);
  switch (v.kind) {
    case ValKind::Bool: out += v.b ? "true" : "false"; return;
    case ValKind::S8:
    case ValKind::S16:
    case ValKind::S32:
    case ValKind::S64: out += fmt::format("{}({})", k, v.s); return;
    case ValKind::U8:
    case ValKind::U16:
    case ValKind::U32:
    case ValKind::U64: out += fmt::format("{}({})", k, v.u); return;
    case ValKind::F32: out += fmt::format("f32({})", v.f32); return;
    case ValKind::F64: out += fmt::format("f64({})", v.f64); return;
    case ValKind::Char: out += fmt::format("char(U+{:04X})", uint32_t(v.c)); return;
    case ValKind::String:
      if (v.deferred()) {  // not read yet (canon_abi.hpp materialize)
        out += fmt::format("string(<deferred: {} code units at {:#x}>)",
                           v.src_code_units & ~Val::kUtf16Tag, v.src_ptr);
        return;
      }
      out += "string(";
      append_escaped(out, v.str);
      out += ')';
      return;
    case ValKind::List:
    case ValKind::Record:
    case ValKind::Tuple:
      out += k;
      append_items(out, v.items);
      return;
    case ValKind::Variant:
    case ValKind::Enum:
    case ValKind::Option:
    case ValKind::Result:
      out += fmt::format("{}#{}", k, v.index);
      if (v.has_payload()) {
        out += '(';
        append(out, v.payload());
        out += ')';
      }
      return;
    case ValKind::Flags: {
      out += "flags{";
      bool first = true;
      for (uint32_t i = 0; i < v.flags.size() * 32; ++i) {
        if (!v.flag(i)) continue;
        if (!first) out += ", ";
        first = false;
        out += std::to_string(i);
      }
      out += '}';
      return;
    }
    case ValKind::Own:
    case ValKind::Borrow: out += fmt::format("{}(rep {})", k, v.handle.rep); return;
  }
}

}  // namespace

std::string to_string(const Val& v) {
  std::string out;
  if (v.byte_list) {
    append(out, Val::list(expand_bytes(v)));
    return out;
  }
  append(out, v);
  return out;
}

Val Val::bytes(std::string_view data) {
  Val v;
  v.kind = ValKind::List;
  v.str.assign(data);
  v.byte_list = true;
  return v;
}

}  // namespace kumo::component
