// Source files and positions for WIT text: every token, AST node and resolved item carries a
// Span so that errors (and later consumers, e.g. "component does not match world") can point
// at file:line:column.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kumo::wit {

inline constexpr uint32_t kNoFile = UINT32_MAX;

// A byte range [begin, end) in one file of a SourceMap.
struct Span {
  uint32_t file = kNoFile;
  uint32_t begin = 0;
  uint32_t end = 0;
  bool valid() const { return file != kNoFile; }
};

// Joins two spans of the same file into the range that covers both.
Span cover(Span a, Span b);

struct Location {
  std::string_view path;
  uint32_t line = 0;    // 1-based
  uint32_t column = 0;  // 1-based, in code points
};

// Owns the text of every file that was parsed, so spans stay meaningful after parsing.
class SourceMap {
 public:
  uint32_t add(std::string path, std::string text);
  size_t size() const { return files_.size(); }
  const std::string& path(uint32_t file) const { return files_[file].path; }
  const std::string& text(uint32_t file) const { return files_[file].text; }
  std::string_view slice(Span s) const;

  Location locate(Span s) const;
  // "path:line:col: message" followed by the source line and a caret marker under the span.
  std::string format(Span s, std::string_view message) const;

 private:
  struct File {
    std::string path;
    std::string text;
    std::vector<uint32_t> line_starts;
  };
  std::vector<File> files_;
};

}  // namespace kumo::wit
