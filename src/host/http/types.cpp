#include "host/http/types.hpp"

namespace kumo::host::http {

static char lower(char c) { return c >= 'A' && c <= 'Z' ? char(c + ('a' - 'A')) : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

const HeaderField* find_header(HeaderSpan fields, std::string_view name) {
  for (const auto& f : fields)
    if (iequals(f.name, name)) return &f;
  return nullptr;
}

std::string_view to_string(IoError e) {
  switch (e) {
    case IoError::Closed: return "connection closed";
    case IoError::Malformed: return "malformed request body";
    case IoError::TooLarge: return "request body too large";
    case IoError::Timeout: return "request deadline exceeded";
    case IoError::State: return "operation not allowed in this state";
  }
  return "?";
}

}  // namespace kumo::host::http
