#include "wit/source.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace kumo::wit {

Span cover(Span a, Span b) {
  if (!a.valid()) return b;
  if (!b.valid() || a.file != b.file) return a;
  return Span{a.file, std::min(a.begin, b.begin), std::max(a.end, b.end)};
}

uint32_t SourceMap::add(std::string path, std::string text) {
  File f{std::move(path), std::move(text), {0}};
  for (uint32_t i = 0; i < f.text.size(); ++i) {
    if (f.text[i] == '\n') f.line_starts.push_back(i + 1);
  }
  files_.push_back(std::move(f));
  return static_cast<uint32_t>(files_.size() - 1);
}

std::string_view SourceMap::slice(Span s) const {
  if (!s.valid() || s.file >= files_.size()) return {};
  const std::string& t = files_[s.file].text;
  uint32_t b = std::min<uint32_t>(s.begin, t.size());
  uint32_t e = std::min<uint32_t>(std::max(s.end, b), t.size());
  return std::string_view(t).substr(b, e - b);
}

// Counts code points (not bytes) so columns match what editors show for non-ASCII text.
static uint32_t count_code_points(std::string_view s) {
  uint32_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

Location SourceMap::locate(Span s) const {
  if (!s.valid() || s.file >= files_.size()) return {};
  const File& f = files_[s.file];
  uint32_t off = std::min<uint32_t>(s.begin, f.text.size());
  auto it = std::upper_bound(f.line_starts.begin(), f.line_starts.end(), off);
  uint32_t line = static_cast<uint32_t>(it - f.line_starts.begin());
  uint32_t start = f.line_starts[line - 1];
  uint32_t col = count_code_points(std::string_view(f.text).substr(start, off - start)) + 1;
  return Location{f.path, line, col};
}

std::string SourceMap::format(Span s, std::string_view message) const {
  if (!s.valid() || s.file >= files_.size()) return std::string(message);
  Location loc = locate(s);
  const File& f = files_[s.file];
  uint32_t start = f.line_starts[loc.line - 1];
  size_t nl = f.text.find('\n', start);
  std::string_view line = std::string_view(f.text).substr(start, (nl == std::string::npos ? f.text.size() : nl) - start);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  uint32_t width = 1;
  if (s.end > s.begin) {
    uint32_t end = std::min<uint32_t>(s.end, start + line.size());
    if (end > s.begin) width = count_code_points(std::string_view(f.text).substr(s.begin, end - s.begin));
  }
  std::string gutter = fmt::format("{}", loc.line);
  // Tabs are kept in the marker line so that the caret lines up with the source line.
  std::string pad;
  std::string_view before = line.substr(0, std::min<size_t>(line.size(), s.begin - start));
  for (size_t i = 0; i < before.size(); ++i) {
    unsigned char c = before[i];
    if ((c & 0xC0) == 0x80) continue;
    pad += c == '\t' ? '\t' : ' ';
  }
  // Control characters (which the lexer rejects) must not reach the terminal raw.
  std::string shown(line);
  for (char& c : shown) {
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F) c = '?';
  }
  return fmt::format("{}:{}:{}: {}\n {} | {}\n {} | {}{}", loc.path, loc.line, loc.column, message, gutter,
                     shown, std::string(gutter.size(), ' '), pad, std::string(std::max<uint32_t>(width, 1), '^'));
}

}  // namespace kumo::wit
