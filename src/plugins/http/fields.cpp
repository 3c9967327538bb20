#include "plugins/http/fields.hpp"

#include <algorithm>

namespace kumo::plugins::http {

static bool tchar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(char(c)) != std::string_view::npos;
}

bool valid_field_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return tchar(c); });
}

bool valid_field_value(std::string_view value) {
  for (char c : value)
    if (c == '\r' || c == '\n' || c == '\0') return false;
  return true;
}

bool forbidden_field(std::string_view n) {
  static constexpr std::string_view kForbidden[] = {
      "connection", "keep-alive", "proxy-connection", "transfer-encoding",
      "upgrade",    "te",         "http2-settings"};
  return std::find(std::begin(kForbidden), std::end(kForbidden), n) != std::end(kForbidden);
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c + ('a' - 'A'));
  return out;
}

Expected<Fields, HeaderError> Fields::from_list(FieldList entries) {
  for (auto& [name, value] : entries) {
    if (!valid_field_name(name) || !valid_field_value(value))
      return Unexpected{HeaderError::InvalidSyntax};
    name = lower_ascii(name);
    if (forbidden_field(name)) return Unexpected{HeaderError::Forbidden};
  }
  return Fields(std::move(entries));
}

Expected<std::string, HeaderError> Fields::check(std::string_view name) const {
  if (!valid_field_name(name)) return Unexpected{HeaderError::InvalidSyntax};
  std::string lower = lower_ascii(name);
  if (forbidden_field(lower)) return Unexpected{HeaderError::Forbidden};
  if (immutable_) return Unexpected{HeaderError::Immutable};
  return lower;
}

std::vector<std::string> Fields::get(std::string_view name) const {
  std::string lower = lower_ascii(name);
  std::vector<std::string> out;
  for (const auto& [n, v] : entries())
    if (n == lower) out.push_back(v);
  return out;
}

bool Fields::has(std::string_view name) const {
  std::string lower = lower_ascii(name);
  const FieldList& l = entries();
  return std::any_of(l.begin(), l.end(), [&](const auto& e) { return e.first == lower; });
}

Expected<void, HeaderError> Fields::set(std::string_view name, std::vector<std::string> values) {
  KUMO_TRY(std::string lower, check(name));
  for (const auto& v : values)
    if (!valid_field_value(v)) return Unexpected{HeaderError::InvalidSyntax};
  std::erase_if(data(), [&](const auto& e) { return e.first == lower; });
  for (auto& v : values) data().emplace_back(lower, std::move(v));
  return {};
}

Expected<void, HeaderError> Fields::remove(std::string_view name) {
  KUMO_TRY(std::string lower, check(name));
  std::erase_if(data(), [&](const auto& e) { return e.first == lower; });
  return {};
}

Expected<void, HeaderError> Fields::append(std::string_view name, std::string value) {
  KUMO_TRY(std::string lower, check(name));
  if (!valid_field_value(value)) return Unexpected{HeaderError::InvalidSyntax};
  data().emplace_back(std::move(lower), std::move(value));
  return {};
}

}  // namespace kumo::plugins::http
