#include "cli/wast_component_values.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <bit>
#include <charconv>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>

#include "cli/wast_values.hpp"

namespace kumo::cli {

using nlohmann::json;
using component::DefinedKind;
using component::DefinedType;
using component::PrimValType;
using component::TypeArena;
using component::Val;
using component::ValKind;
using component::ValType;

namespace {

// A value type with aliases resolved: a primitive, or the DefinedType of a compound.
struct TypeView {
  const DefinedType* def = nullptr;  // null: primitive
  PrimValType prim = PrimValType::Bool;
};

TypeView view(const TypeArena& arena, const ValType& t) {
  if (t.is_primitive()) return {nullptr, t.prim()};
  const DefinedType& d = arena.defined(t.type());
  if (d.kind == DefinedKind::Primitive) return {nullptr, d.prim};
  return {&d, PrimValType::Bool};
}

std::string name_of(const TypeView& v) {
  if (!v.def) return component::to_string(v.prim);
  if (v.def->kind == DefinedKind::FixedList) return "list";
  return component::to_string(v.def->kind);
}

// Wraps an error with the position inside the value ("field `x`: ...").
template <typename T>
Expected<T> at(Expected<T> r, const std::string& where) {
  if (!r) return err("{}: {}", where, r.error().message);
  return r;
}

const json& member(const json& j, const char* key) {
  static const json kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

// The "value" of a scalar as text: wast2json writes strings; plain JSON numbers are accepted too.
Expected<std::string> scalar_text(const json& j) {
  const json& v = member(j, "value");
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return v.dump();
  if (v.is_number_float()) return fmt::format("{}", v.get<double>());
  return err("\"value\" of a {} must be a string, found {}", member(j, "type").dump(), v.dump());
}

unsigned int_bits(PrimValType p) {
  switch (p) {
    case PrimValType::S8: case PrimValType::U8: return 8;
    case PrimValType::S16: case PrimValType::U16: return 16;
    case PrimValType::S32: case PrimValType::U32: return 32;
    default: return 64;
  }
}

bool is_int(PrimValType p) {
  switch (p) {
    case PrimValType::S8: case PrimValType::U8: case PrimValType::S16: case PrimValType::U16:
    case PrimValType::S32: case PrimValType::U32: case PrimValType::S64: case PrimValType::U64:
      return true;
    default: return false;
  }
}

// Decodes a string holding exactly one Unicode scalar value.
std::optional<char32_t> single_char(const std::string& s) {
  if (s.empty()) return std::nullopt;
  auto b = [&](size_t i) { return uint8_t(s[i]); };
  size_t n;
  char32_t c;
  if (b(0) < 0x80) n = 1, c = b(0);
  else if ((b(0) & 0xe0) == 0xc0) n = 2, c = b(0) & 0x1f;
  else if ((b(0) & 0xf0) == 0xe0) n = 3, c = b(0) & 0x0f;
  else if ((b(0) & 0xf8) == 0xf0) n = 4, c = b(0) & 0x07;
  else return std::nullopt;
  if (s.size() != n) return std::nullopt;
  for (size_t i = 1; i < n; ++i) {
    if ((b(i) & 0xc0) != 0x80) return std::nullopt;
    c = (c << 6) | (b(i) & 0x3f);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (c < kMin[n] || c > 0x10ffff || (c >= 0xd800 && c < 0xe000)) return std::nullopt;
  return c;
}

std::string utf8(char32_t c) {
  std::string s;
  if (c < 0x80) {
    s += char(c);
  } else if (c < 0x800) {
    s += char(0xc0 | (c >> 6)), s += char(0x80 | (c & 0x3f));
  } else if (c < 0x10000) {
    s += char(0xe0 | (c >> 12)), s += char(0x80 | ((c >> 6) & 0x3f)), s += char(0x80 | (c & 0x3f));
  } else {
    s += char(0xf0 | (c >> 18)), s += char(0x80 | ((c >> 12) & 0x3f));
    s += char(0x80 | ((c >> 6) & 0x3f)), s += char(0x80 | (c & 0x3f));
  }
  return s;
}

Expected<Val> scalar_arg(const json& j, PrimValType p) {
  switch (p) {
    case PrimValType::Bool: {
      const json& v = member(j, "value");
      if (v.is_boolean()) return Val::boolean(v.get<bool>());
      if (v == "true" || v == "false") return Val::boolean(v == "true");
      return err("a bool must be true or false, found {}", v.dump());
    }
    case PrimValType::F32:
    case PrimValType::F64: {
      KUMO_TRY(std::string text, scalar_text(j));
      unsigned bits = p == PrimValType::F32 ? 32 : 64;
      KUMO_TRY(FloatPattern f, parse_component_float(text, bits));
      if (f.kind != FloatPattern::Kind::Bits) return err("an argument cannot be the NaN class \"{}\"", text);
      if (bits == 32) return Val::float32(std::bit_cast<float>(uint32_t(f.bits)));
      return Val::float64(std::bit_cast<double>(f.bits));
    }
    case PrimValType::Char: {
      const json& v = member(j, "value");
      if (!v.is_string()) return err("a char must be a one-character string, found {}", v.dump());
      auto c = single_char(v.get<std::string>());
      if (!c) return err("a char must be one Unicode scalar value, found {}", v.dump());
      return Val::character(*c);
    }
    case PrimValType::String: {
      const json& v = member(j, "value");
      if (!v.is_string()) return err("a string value must be a JSON string, found {}", v.dump());
      return Val::string(v.get<std::string>());
    }
    case PrimValType::ErrorContext: return err("error-context values cannot be written in a script");
    default: {
      KUMO_TRY(std::string text, scalar_text(j));
      return parse_component_int(text, p);
    }
  }
}

// The index of `name` in `names` (case, label or field names).
template <typename Names, typename Get>
std::optional<uint32_t> index_of(const Names& names, const std::string& name, Get get) {
  for (uint32_t i = 0; i < names.size(); ++i)
    if (get(names[i]) == name) return i;
  return std::nullopt;
}

std::string names_list(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

const json& array_value(const json& j) {
  static const json kEmpty = json::array();
  const json& v = member(j, "value");
  return v.is_array() ? v : kEmpty;
}

// A variant/option/result payload: `payload` (JSON null or absent means none) of type `type`.
template <typename Convert>
Expected<std::optional<Val>> payload_arg(const json* payload, const std::optional<ValType>& type,
                                         const std::string& what, Convert convert) {
  bool has = payload && !payload->is_null();
  if (!type) {
    if (has) return err("{} has no payload, the script gives {}", what, payload->dump());
    return std::optional<Val>();
  }
  if (!has) return err("{} needs a payload", what);
  KUMO_TRY(Val v, at(convert(*payload, *type), what));
  return std::optional<Val>(std::move(v));
}

std::string int_text(const Val& v) {
  switch (v.kind) {
    case ValKind::S8: case ValKind::S16: case ValKind::S32: case ValKind::S64:
      return std::to_string(v.s);
    default: return std::to_string(v.u);
  }
}

std::string float_text(uint64_t bits, unsigned width) {
  const bool neg = width == 32 ? (bits >> 31) & 1 : bits >> 63;
  const uint64_t mag = width == 32 ? bits & 0x7fffffffu : bits & 0x7fffffffffffffffull;
  const uint64_t exp_all = width == 32 ? 0x7f800000u : 0x7ff0000000000000ull;
  const uint64_t quiet = width == 32 ? 0x00400000u : 0x0008000000000000ull;
  if ((mag & exp_all) == exp_all && mag != exp_all) {
    uint64_t payload = mag & ~exp_all;
    return fmt::format("{}nan{}", neg ? "-" : "", payload == quiet ? "" : fmt::format(":{:#x}", payload));
  }
  if (width == 32) return fmt::format("{}", std::bit_cast<float>(uint32_t(bits)));
  return fmt::format("{}", std::bit_cast<double>(bits));
}

ValKind int_kind(PrimValType p) {
  switch (p) {
    case PrimValType::S8: return ValKind::S8;
    case PrimValType::U8: return ValKind::U8;
    case PrimValType::S16: return ValKind::S16;
    case PrimValType::U16: return ValKind::U16;
    case PrimValType::S32: return ValKind::S32;
    case PrimValType::U32: return ValKind::U32;
    case PrimValType::S64: return ValKind::S64;
    default: return ValKind::U64;
  }
}

}  // namespace

std::string component_type_name(const TypeArena& arena, const ValType& t) { return name_of(view(arena, t)); }

Expected<Val> parse_component_int(std::string_view text, PrimValType kind) {
  if (!is_int(kind)) return err("{} is not an integer type", component::to_string(kind));
  std::string digits;
  for (char c : text)
    if (c != '_') digits += c;
  const unsigned bits = int_bits(kind);
  KUMO_TRY(uint64_t raw, parse_int_bits(digits, bits));
  Val v;
  v.kind = int_kind(kind);
  const bool is_signed = v.kind == ValKind::S8 || v.kind == ValKind::S16 || v.kind == ValKind::S32 ||
                         v.kind == ValKind::S64;
  if (is_signed) {
    // parse_int_bits gives the two's-complement bits; sign-extend them to 64.
    v.s = bits == 64 ? int64_t(raw) : int64_t(raw << (64 - bits)) >> (64 - bits);
  } else {
    if (!digits.empty() && digits[0] == '-' && raw != 0)
      return err("negative value \"{}\" for an unsigned {}", text, component::to_string(kind));
    v.u = raw;
  }
  return v;
}

Expected<FloatPattern> parse_component_float(std::string_view text, unsigned bits) {
  std::string s;
  for (char c : text)
    if (c != '_') s += c;
  std::string_view body = s;
  bool neg = false;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  const uint64_t sign = neg ? (bits == 32 ? 0x80000000ull : 0x8000000000000000ull) : 0;
  const uint64_t exp_all = bits == 32 ? 0x7f800000ull : 0x7ff0000000000000ull;
  const uint64_t payload_mask = bits == 32 ? 0x007fffffull : 0x000fffffffffffffull;
  FloatPattern p;
  if (body == "nan:canonical") return p.kind = FloatPattern::Kind::CanonicalNan, p;
  if (body == "nan:arithmetic") return p.kind = FloatPattern::Kind::ArithmeticNan, p;
  if (body == "nan") {
    // A plain `nan` is the canonical NaN; its sign is unspecified.
    return p.kind = FloatPattern::Kind::CanonicalNan, p;
  }
  if (body.starts_with("nan:0x")) {
    uint64_t payload = 0;
    std::string_view hex = body.substr(6);
    auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), payload, 16);
    if (hex.empty() || ec != std::errc() || end != hex.data() + hex.size() || payload == 0 ||
        payload > payload_mask)
      return err("invalid NaN payload in \"{}\"", text);
    p.bits = sign | exp_all | payload;
    return p;
  }
  if (body == "inf" || body == "infinity") {
    p.bits = sign | exp_all;
    return p;
  }
  // Decimal or hex float: strtof/strtod round correctly from the text in both forms.
  std::string num(body);
  if (num.empty() || !(std::isdigit(uint8_t(num[0])) || num[0] == '.'))
    return err("invalid float \"{}\"", text);
  char* end = nullptr;
  errno = 0;
  if (bits == 32) {
    float f = std::strtof(num.c_str(), &end);
    p.bits = std::bit_cast<uint32_t>(f);
  } else {
    double d = std::strtod(num.c_str(), &end);
    p.bits = std::bit_cast<uint64_t>(d);
  }
  if (end != num.c_str() + num.size()) return err("invalid float \"{}\"", text);
  p.bits |= sign;
  return p;
}

bool float_matches(const FloatPattern& p, uint64_t actual, unsigned bits) {
  switch (p.kind) {
    case FloatPattern::Kind::CanonicalNan:
      return bits == 32 ? is_canonical_nan32(uint32_t(actual)) : is_canonical_nan64(actual);
    case FloatPattern::Kind::ArithmeticNan:
      return bits == 32 ? is_arithmetic_nan32(uint32_t(actual)) : is_arithmetic_nan64(actual);
    case FloatPattern::Kind::Bits: return p.bits == actual;
  }
  return false;
}

Expected<Val> component_arg(const json& j, const TypeArena& arena, const ValType& t) {
  if (!j.is_object()) return err("a value must be a JSON object, found {}", j.dump());
  const TypeView tv = view(arena, t);
  const std::string want = name_of(tv);
  const json& jt = member(j, "type");
  if (!jt.is_string() || jt.get<std::string>() != want)
    return err("a {} value where the type is {}", jt.dump(), component::to_string(arena, t));
  if (!tv.def) return scalar_arg(j, tv.prim);

  auto convert = [&arena](const json& x, const ValType& ty) { return component_arg(x, arena, ty); };
  const DefinedType& d = *tv.def;
  switch (d.kind) {
    case DefinedKind::List:
    case DefinedKind::FixedList: {
      const json& items = array_value(j);
      if (d.kind == DefinedKind::FixedList && items.size() != d.length)
        return err("the list has {} elements, the type {}", items.size(), d.length);
      std::vector<Val> out;
      for (size_t i = 0; i < items.size(); ++i) {
        KUMO_TRY(Val v, at(convert(items[i], *d.elem), fmt::format("list element {}", i)));
        out.push_back(std::move(v));
      }
      return Val::list(std::move(out));
    }
    case DefinedKind::Tuple: {
      const json& items = array_value(j);
      if (items.size() != d.types.size())
        return err("a {}-tuple where the type has {} elements", items.size(), d.types.size());
      std::vector<Val> out;
      for (size_t i = 0; i < items.size(); ++i) {
        KUMO_TRY(Val v, at(convert(items[i], d.types[i]), fmt::format("tuple element {}", i)));
        out.push_back(std::move(v));
      }
      return Val::tuple(std::move(out));
    }
    case DefinedKind::Record: {
      const json& fields = member(j, "fields");
      if (!fields.is_array()) return err("a record needs \"fields\": [[name, value], ...]");
      if (fields.size() != d.fields.size())
        return err("{} fields where the type has {}", fields.size(), d.fields.size());
      std::vector<Val> out(d.fields.size());
      std::vector<bool> seen(d.fields.size());
      for (const json& f : fields) {
        if (!f.is_array() || f.size() != 2 || !f[0].is_string())
          return err("a record field must be [name, value], found {}", f.dump());
        std::string name = f[0];
        auto i = index_of(d.fields, name, [](const component::Field& x) { return x.name; });
        if (!i) return err("the record type has no field `{}`", name);
        if (seen[*i]) return err("field `{}` is given twice", name);
        seen[*i] = true;
        KUMO_TRY(out[*i], at(convert(f[1], d.fields[*i].type), fmt::format("field `{}`", name)));
      }
      return Val::record(std::move(out));
    }
    case DefinedKind::Variant: {
      const json& c = member(j, "case");
      if (!c.is_string()) return err("a variant needs a \"case\" name");
      auto i = index_of(d.cases, c.get<std::string>(), [](const component::Case& x) { return x.name; });
      if (!i) return err("the variant type has no case `{}`", c.get<std::string>());
      auto it = j.find("value");
      KUMO_TRY(auto payload, payload_arg(it == j.end() ? nullptr : &*it, d.cases[*i].type,
                                         fmt::format("case `{}`", c.get<std::string>()), convert));
      return Val::variant(*i, std::move(payload));
    }
    case DefinedKind::Enum: {
      const json& c = member(j, "value");
      auto i = c.is_string() ? index_of(d.labels, c.get<std::string>(), [](const std::string& x) { return x; })
                             : std::nullopt;
      if (!i) return err("{} is not one of the enum's cases ({})", c.dump(), names_list(d.labels));
      return Val::enumeration(*i);
    }
    case DefinedKind::Flags: {
      const json& names = member(j, "value");
      if (!names.is_array()) return err("flags need \"value\": [names]");
      std::vector<uint32_t> words((d.labels.size() + 31) / 32);
      for (const json& n : names) {
        auto i = n.is_string() ? index_of(d.labels, n.get<std::string>(), [](const std::string& x) { return x; })
                               : std::nullopt;
        if (!i) return err("{} is not one of the flags ({})", n.dump(), names_list(d.labels));
        words[*i / 32] |= 1u << (*i % 32);
      }
      return Val::flag_set(std::move(words));
    }
    case DefinedKind::Option: {
      auto it = j.find("value");
      bool some = it != j.end() && !it->is_null();
      if (!some) return Val::option(std::nullopt);
      KUMO_TRY(Val v, at(convert(*it, *d.elem), "some"));
      return Val::option(std::move(v));
    }
    case DefinedKind::Result: {
      bool is_ok = j.contains("ok"), is_err = j.contains("err");
      if (is_ok == is_err) return err("a result needs exactly one of \"ok\" and \"err\"");
      const json& payload = j[is_ok ? "ok" : "err"];
      KUMO_TRY(auto p, payload_arg(&payload, is_ok ? d.ok : d.err, is_ok ? "ok" : "err", convert));
      return is_ok ? Val::ok(std::move(p)) : Val::error(std::move(p));
    }
    default:
      return err("{} values cannot be written in a script", component::to_string(d.kind));
  }
}

Expected<json> component_to_json(const Val& v, const TypeArena& arena, const ValType& t) {
  const TypeView tv = view(arena, t);
  json j = json::object();
  j["type"] = name_of(tv);
  auto sub = [&arena](const Val& x, const ValType& ty) { return component_to_json(x, arena, ty); };
  if (!tv.def) {
    switch (tv.prim) {
      case PrimValType::Bool: j["value"] = v.b; break;
      case PrimValType::F32: j["value"] = float_text(std::bit_cast<uint32_t>(v.f32), 32); break;
      case PrimValType::F64: j["value"] = float_text(std::bit_cast<uint64_t>(v.f64), 64); break;
      case PrimValType::Char: j["value"] = utf8(v.c); break;
      case PrimValType::String: j["value"] = v.str; break;
      case PrimValType::ErrorContext: return err("error-context values have no JSON form");
      default: j["value"] = int_text(v); break;
    }
    return j;
  }
  const DefinedType& d = *tv.def;
  switch (d.kind) {
    case DefinedKind::List:
    case DefinedKind::FixedList:
    case DefinedKind::Tuple: {
      json items = json::array();
      for (size_t i = 0; i < v.items.size(); ++i) {
        const ValType& ty = d.kind == DefinedKind::Tuple ? d.types.at(i) : *d.elem;
        KUMO_TRY(json x, sub(v.items[i], ty));
        items.push_back(std::move(x));
      }
      j["value"] = std::move(items);
      return j;
    }
    case DefinedKind::Record: {
      json fields = json::array();
      for (size_t i = 0; i < v.items.size() && i < d.fields.size(); ++i) {
        KUMO_TRY(json x, sub(v.items[i], d.fields[i].type));
        fields.push_back(json::array({d.fields[i].name, std::move(x)}));
      }
      j["fields"] = std::move(fields);
      return j;
    }
    case DefinedKind::Variant: {
      if (v.index >= d.cases.size()) return err("variant case {} out of range", v.index);
      const auto& c = d.cases[v.index];
      j["case"] = c.name;
      j["value"] = nullptr;
      if (c.type && v.has_payload()) {
        KUMO_TRY(j["value"], sub(v.payload(), *c.type));
      }
      return j;
    }
    case DefinedKind::Enum:
      if (v.index >= d.labels.size()) return err("enum case {} out of range", v.index);
      j["value"] = d.labels[v.index];
      return j;
    case DefinedKind::Flags: {
      json names = json::array();
      for (uint32_t i = 0; i < d.labels.size(); ++i)
        if (v.flag(i)) names.push_back(d.labels[i]);
      j["value"] = std::move(names);
      return j;
    }
    case DefinedKind::Option:
      j["value"] = nullptr;
      if (v.index == 1 && v.has_payload()) {
        KUMO_TRY(j["value"], sub(v.payload(), *d.elem));
      }
      return j;
    case DefinedKind::Result: {
      const bool is_ok = v.index == 0;
      const auto& ty = is_ok ? d.ok : d.err;
      json payload = nullptr;
      if (ty && v.has_payload()) {
        KUMO_TRY(payload, sub(v.payload(), *ty));
      }
      j[is_ok ? "ok" : "err"] = std::move(payload);
      return j;
    }
    default:
      return err("{} values have no JSON form", component::to_string(d.kind));
  }
}

Expected<void> match_component(const json& e, const Val& actual, const TypeArena& arena, const ValType& t) {
  const TypeView tv = view(arena, t);
  if (!e.is_object()) return err("the expected value is not a JSON object: {}", e.dump());
  const std::string want = name_of(tv);
  const json& et = member(e, "type");
  if (!et.is_string() || et.get<std::string>() != want)
    return err("expected a {} value, the result has type {}", et.dump(), component::to_string(arena, t));
  auto got = [&] { return format_component(actual, arena, t); };
  auto sub = [&arena](const json& x, const Val& a, const ValType& ty) { return match_component(x, a, arena, ty); };

  if (!tv.def) {
    if (tv.prim == PrimValType::F32 || tv.prim == PrimValType::F64) {
      KUMO_TRY(std::string text, scalar_text(e));
      const unsigned bits = tv.prim == PrimValType::F32 ? 32 : 64;
      KUMO_TRY(FloatPattern p, parse_component_float(text, bits));
      uint64_t a = bits == 32 ? std::bit_cast<uint32_t>(actual.f32) : std::bit_cast<uint64_t>(actual.f64);
      if (!float_matches(p, a, bits)) return err("expected {} {}, got {}", want, text, float_text(a, bits));
      return {};
    }
    KUMO_TRY(Val ev, scalar_arg(e, tv.prim));
    if (!(ev == actual)) return err("expected {}, got {}", e.dump(), got());
    return {};
  }
  const DefinedType& d = *tv.def;
  switch (d.kind) {
    case DefinedKind::List:
    case DefinedKind::FixedList:
    case DefinedKind::Tuple: {
      const json& items = array_value(e);
      const char* what = d.kind == DefinedKind::Tuple ? "tuple element" : "list element";
      if (items.size() != actual.items.size())
        return err("expected {} elements, got {}: {}", items.size(), actual.items.size(), got());
      for (size_t i = 0; i < items.size(); ++i) {
        const ValType& ty = d.kind == DefinedKind::Tuple ? d.types.at(i) : *d.elem;
        KUMO_CHECK(at(sub(items[i], actual.items[i], ty), fmt::format("{} {}", what, i)));
      }
      return {};
    }
    case DefinedKind::Record: {
      const json& fields = member(e, "fields");
      if (!fields.is_array() || fields.size() != d.fields.size() || actual.items.size() != d.fields.size())
        return err("expected record {}, got {}", e.dump(), got());
      for (const json& f : fields) {
        if (!f.is_array() || f.size() != 2 || !f[0].is_string())
          return err("a record field must be [name, value], found {}", f.dump());
        std::string name = f[0];
        auto i = index_of(d.fields, name, [](const component::Field& x) { return x.name; });
        if (!i) return err("the result's record type has no field `{}`", name);
        KUMO_CHECK(at(sub(f[1], actual.items[*i], d.fields[*i].type), fmt::format("field `{}`", name)));
      }
      return {};
    }
    case DefinedKind::Variant: {
      const json& c = member(e, "case");
      if (actual.index >= d.cases.size()) return err("variant case {} out of range", actual.index);
      const auto& ac = d.cases[actual.index];
      if (!c.is_string() || c.get<std::string>() != ac.name)
        return err("expected case {}, got `{}`: {}", c.dump(), ac.name, got());
      const json& payload = member(e, "value");
      if (payload.is_null() != !actual.has_payload())
        return err("case `{}`: expected {}, got {}", ac.name, payload.dump(), got());
      if (!payload.is_null() && ac.type)
        return at(sub(payload, actual.payload(), *ac.type), fmt::format("case `{}`", ac.name));
      return {};
    }
    case DefinedKind::Enum: {
      const json& c = member(e, "value");
      if (actual.index >= d.labels.size() || !c.is_string() || c.get<std::string>() != d.labels[actual.index])
        return err("expected enum case {}, got {}", c.dump(), got());
      return {};
    }
    case DefinedKind::Flags: {
      KUMO_TRY(Val ev, component_arg(e, arena, t));
      for (uint32_t i = 0; i < d.labels.size(); ++i)
        if (ev.flag(i) != actual.flag(i)) return err("expected flags {}, got {}", e.dump(), got());
      return {};
    }
    case DefinedKind::Option: {
      const json& payload = member(e, "value");
      bool some = actual.index == 1 && actual.has_payload();
      if (payload.is_null() != !some) return err("expected {}, got {}", e.dump(), got());
      if (some) return at(sub(payload, actual.payload(), *d.elem), "some");
      return {};
    }
    case DefinedKind::Result: {
      bool is_ok = e.contains("ok");
      if (is_ok == e.contains("err")) return err("a result needs exactly one of \"ok\" and \"err\"");
      if ((actual.index == 0) != is_ok) return err("expected {}, got {}", e.dump(), got());
      const json& payload = e[is_ok ? "ok" : "err"];
      const auto& ty = is_ok ? d.ok : d.err;
      if (payload.is_null() != !actual.has_payload()) return err("expected {}, got {}", e.dump(), got());
      if (!payload.is_null() && ty) return at(sub(payload, actual.payload(), *ty), is_ok ? "ok" : "err");
      return {};
    }
    default:
      return err("{} results cannot be compared with a script's value", component::to_string(d.kind));
  }
}

std::string format_component(const Val& v, const TypeArena& arena, const ValType& t) {
  auto j = component_to_json(v, arena, t);
  return j ? j->dump() : component::to_string(v);
}

}  // namespace kumo::cli
