#include "wit/lexer.hpp"

#include <array>
#include <utility>

namespace kumo::wit {

namespace {

constexpr std::array<std::pair<std::string_view, Tok>, 43> kKeywords{{
    {"as", Tok::KwAs},
    {"async", Tok::KwAsync},
    {"bool", Tok::KwBool},
    {"borrow", Tok::KwBorrow},
    {"char", Tok::KwChar},
    {"constructor", Tok::KwConstructor},
    {"enum", Tok::KwEnum},
    {"error-context", Tok::KwErrorContext},
    {"export", Tok::KwExport},
    {"f32", Tok::KwF32},
    {"f64", Tok::KwF64},
    {"flags", Tok::KwFlags},
    {"from", Tok::KwFrom},
    {"func", Tok::KwFunc},
    {"future", Tok::KwFuture},
    {"import", Tok::KwImport},
    {"include", Tok::KwInclude},
    {"interface", Tok::KwInterface},
    {"list", Tok::KwList},
    {"map", Tok::KwMap},
    {"option", Tok::KwOption},
    {"own", Tok::KwOwn},
    {"package", Tok::KwPackage},
    {"record", Tok::KwRecord},
    {"resource", Tok::KwResource},
    {"result", Tok::KwResult},
    {"s16", Tok::KwS16},
    {"s32", Tok::KwS32},
    {"s64", Tok::KwS64},
    {"s8", Tok::KwS8},
    {"static", Tok::KwStatic},
    {"stream", Tok::KwStream},
    {"string", Tok::KwString},
    {"tuple", Tok::KwTuple},
    {"type", Tok::KwType},
    {"u16", Tok::KwU16},
    {"u32", Tok::KwU32},
    {"u64", Tok::KwU64},
    {"u8", Tok::KwU8},
    {"use", Tok::KwUse},
    {"variant", Tok::KwVariant},
    {"with", Tok::KwWith},
    {"world", Tok::KwWorld},
}};

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower_or_digit(char c) { return (c >= 'a' && c <= 'z') || is_digit(c); }
bool is_upper_or_digit(char c) { return (c >= 'A' && c <= 'Z') || is_digit(c); }

// Code points the WIT spec forbids anywhere in a file: control codes other than tab/CR/LF,
// bidirectional overrides (they make source display differently from how it parses) and
// code points Unicode deprecates.
bool forbidden_code_point(uint32_t cp) {
  if (cp < 0x20) return cp != '\t' && cp != '\n' && cp != '\r';
  if (cp >= 0x7F && cp < 0xA0) return true;
  if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) return true;
  switch (cp) {
    case 0x0149: case 0x0673: case 0x0F77: case 0x0F79: case 0x17A3: case 0x17A4:
    case 0x206A: case 0x206B: case 0x206C: case 0x206D: case 0x206E: case 0x206F:
    case 0xE0001:
      return true;
    default:
      return false;
  }
}

// Decodes one UTF-8 sequence at text[i]; returns its length or 0 when malformed.
size_t decode_utf8(std::string_view text, size_t i, uint32_t& cp) {
  unsigned char c = text[i];
  size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > text.size()) return 0;
  cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < len; ++k) {
    unsigned char cc = text[i + k];
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Lexer {
 public:
  Lexer(const SourceMap& sources, uint32_t file) : src_(sources), file_(file), text_(sources.text(file)) {}

  Expected<std::vector<Token>> run() {
    KUMO_CHECK(check_characters());
    std::vector<Token> out;
    for (;;) {
      KUMO_CHECK(skip_trivia());
      Token t;
      t.docs = std::move(docs_);
      docs_.clear();
      size_t start = pos_;
      if (pos_ >= text_.size()) {
        t.kind = Tok::Eof;
        t.span = span(start, start);
        out.push_back(std::move(t));
        return out;
      }
      KUMO_CHECK(lex_token(t));
      t.span = span(start, pos_);
      out.push_back(std::move(t));
    }
  }

 private:
  Span span(size_t b, size_t e) const { return Span{file_, static_cast<uint32_t>(b), static_cast<uint32_t>(e)}; }
  Unexpected<Error> fail(size_t b, size_t e, std::string_view msg) const {
    return Unexpected<Error>{Error{src_.format(span(b, e), msg)}};
  }

  Expected<void> check_characters() const {
    for (size_t i = 0; i < text_.size();) {
      uint32_t cp = 0;
      size_t len = decode_utf8(text_, i, cp);
      if (len == 0) return fail(i, i + 1, "invalid UTF-8 in WIT source");
      if (forbidden_code_point(cp)) {
        return fail(i, i + len, fmt::format("character U+{:04X} is not allowed in WIT source", cp));
      }
      i += len;
    }
    return {};
  }

  void add_doc_line(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (!docs_.empty()) docs_ += '\n';
    docs_ += line;
  }

  Expected<void> skip_trivia() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++pos_;
      } else if (text_.compare(pos_, 2, "//") == 0) {
        size_t nl = text_.find('\n', pos_);
        size_t end = nl == std::string_view::npos ? text_.size() : nl;
        std::string_view body = text_.substr(pos_, end - pos_);
        // `///` is a doc comment, `////...` is an ordinary comment (a separator line).
        if (body.size() >= 3 && body[2] == '/' && (body.size() == 3 || body[3] != '/')) add_doc_line(body.substr(3));
        pos_ = end;
      } else if (text_.compare(pos_, 2, "/*") == 0) {
        KUMO_CHECK(skip_block_comment());
      } else {
        break;
      }
    }
    return {};
  }

  // Block comments nest; `/** ... */` (but not `/**/`) is a doc comment.
  Expected<void> skip_block_comment() {
    size_t start = pos_;
    bool doc = text_.compare(pos_, 3, "/**") == 0 && text_.compare(pos_, 4, "/**/") != 0 &&
               text_.compare(pos_, 4, "/***") != 0;
    int depth = 0;
    while (pos_ < text_.size()) {
      if (text_.compare(pos_, 2, "/*") == 0) {
        ++depth;
        pos_ += 2;
      } else if (text_.compare(pos_, 2, "*/") == 0) {
        pos_ += 2;
        if (--depth == 0) break;
      } else {
        ++pos_;
      }
    }
    if (depth != 0) return fail(start, start + 2, "unterminated block comment");
    if (doc) {
      std::string_view body = text_.substr(start + 3, pos_ - start - 5);
      size_t b = 0;
      bool first = true;
      for (;;) {
        size_t nl = body.find('\n', b);
        std::string_view line = body.substr(b, nl == std::string_view::npos ? std::string_view::npos : nl - b);
        size_t k = line.find_first_not_of(" \t");
        line = k == std::string_view::npos ? std::string_view{} : line.substr(k);
        if (!first && !line.empty() && line[0] == '*') line.remove_prefix(1);
        bool last = nl == std::string_view::npos;
        if (!(line.empty() && (first || last))) add_doc_line(line);
        first = false;
        if (last) break;
        b = nl + 1;
      }
    }
    return {};
  }

  Expected<void> lex_token(Token& t) {
    size_t start = pos_;
    char c = text_[pos_];
    auto op = [&](Tok k, size_t len) {
      t.kind = k;
      pos_ += len;
      return Expected<void>{};
    };
    switch (c) {
      case '=': return op(Tok::Equals, 1);
      case ',': return op(Tok::Comma, 1);
      case ':': return op(Tok::Colon, 1);
      case ';': return op(Tok::Semicolon, 1);
      case '(': return op(Tok::LParen, 1);
      case ')': return op(Tok::RParen, 1);
      case '{': return op(Tok::LBrace, 1);
      case '}': return op(Tok::RBrace, 1);
      case '<': return op(Tok::Less, 1);
      case '>': return op(Tok::Greater, 1);
      case '*': return op(Tok::Star, 1);
      case '/': return op(Tok::Slash, 1);
      case '.': return op(Tok::Period, 1);
      case '@': return op(Tok::At, 1);
      case '_': return op(Tok::Underscore, 1);
      case '"': return lex_string(t);
      default: break;
    }
    if (c == '-' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '>') return op(Tok::Arrow, 2);
    if (is_digit(c)) {
      // Integers only appear in versions and fixed-size lists; lexing the whole semver as one
      // token keeps `1.0.0-rc.1+build` from being split at '-' and '.'.
      while (pos_ < text_.size()) {
        char d = text_[pos_];
        if (!(is_alpha(d) || is_digit(d) || d == '.' || d == '+' || d == '-')) break;
        ++pos_;
      }
      while (pos_ > start + 1 && text_[pos_ - 1] == '.') --pos_;  // `@1.2.3.{a}`: '.' starts `.{`
      t.kind = Tok::Number;
      t.text = std::string(text_.substr(start, pos_ - start));
      return {};
    }
    bool escaped = c == '%';
    size_t name_start = escaped ? pos_ + 1 : pos_;
    if (name_start < text_.size() && is_alpha(text_[name_start])) {
      pos_ = name_start;
      while (pos_ < text_.size()) {
        char d = text_[pos_];
        if (d == '-' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '>') break;
        if (!(is_alpha(d) || is_digit(d) || d == '-')) break;
        ++pos_;
      }
      std::string_view name = text_.substr(name_start, pos_ - name_start);
      if (!is_valid_label(name)) {
        return fail(start, pos_, fmt::format("`{}` is not a valid identifier: identifiers are kebab-case words "
                                             "(`foo-bar`) or acronyms (`HTTP-error`)", name));
      }
      t.kind = escaped ? Tok::Id : keyword_kind(name);
      t.escaped = escaped;
      if (t.kind == Tok::Id) t.text = std::string(name);
      return {};
    }
    if (escaped) return fail(start, start + 1, "expected an identifier after `%`");
    uint32_t cp = 0;
    size_t len = decode_utf8(text_, pos_, cp);
    return fail(start, start + (len ? len : 1), fmt::format("unexpected character `{}`", text_.substr(start, len ? len : 1)));
  }

  // String literals follow the core wasm text `name` syntax: \t \n \r \" \' \\ \hh \u{...}.
  Expected<void> lex_string(Token& t) {
    size_t start = pos_++;
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_];
      if (c == '\n') break;
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      size_t esc = pos_++;
      if (pos_ >= text_.size()) break;
      char e = text_[pos_++];
      switch (e) {
        case 't': out += '\t'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case '"': out += '"'; break;
        case '\'': out += '\''; break;
        case '\\': out += '\\'; break;
        case 'u': {
          if (pos_ >= text_.size() || text_[pos_] != '{') return fail(esc, pos_, "expected `{` after `\\u`");
          uint32_t cp = 0;
          size_t digits = 0;
          for (++pos_; pos_ < text_.size() && hex_value(text_[pos_]) >= 0; ++pos_, ++digits) {
            cp = cp * 16 + static_cast<uint32_t>(hex_value(text_[pos_]));
            if (cp > 0x10FFFF) return fail(esc, pos_, "unicode escape out of range");
          }
          if (digits == 0 || pos_ >= text_.size() || text_[pos_] != '}') return fail(esc, pos_, "malformed `\\u{...}` escape");
          ++pos_;
          if (cp >= 0xD800 && cp <= 0xDFFF) return fail(esc, pos_, "unicode escape is a surrogate");
          append_utf8(out, cp);
          break;
        }
        default: {
          if (hex_value(e) < 0 || pos_ >= text_.size() || hex_value(text_[pos_]) < 0) {
            return fail(esc, pos_, "unknown escape in string literal");
          }
          out += static_cast<char>(hex_value(e) * 16 + hex_value(text_[pos_++]));
        }
      }
    }
    if (pos_ >= text_.size() || text_[pos_] != '"') return fail(start, pos_, "unterminated string literal");
    ++pos_;
    t.kind = Tok::String;
    t.text = std::move(out);
    return {};
  }

  const SourceMap& src_;
  uint32_t file_;
  std::string_view text_;
  size_t pos_ = 0;
  std::string docs_;
};

}  // namespace

Tok keyword_kind(std::string_view name) {
  for (const auto& [kw, tok] : kKeywords) {
    if (kw == name) return tok;
  }
  return Tok::Id;
}

bool is_keyword(std::string_view name) { return keyword_kind(name) != Tok::Id; }

bool is_valid_label(std::string_view name) {
  if (name.empty()) return false;
  size_t start = 0;
  bool first = true;
  for (;;) {
    size_t dash = name.find('-', start);
    std::string_view frag = name.substr(start, dash == std::string_view::npos ? std::string_view::npos : dash - start);
    if (frag.empty()) return false;
    if (first && !is_alpha(frag[0])) return false;
    bool lower = true, upper = true;
    for (char c : frag) {
      lower = lower && is_lower_or_digit(c);
      upper = upper && is_upper_or_digit(c);
    }
    if (!lower && !upper) return false;
    if (dash == std::string_view::npos) return true;
    start = dash + 1;
    first = false;
  }
}

std::string describe(Tok kind) {
  switch (kind) {
    case Tok::Eof: return "end of file";
    case Tok::Id: return "an identifier";
    case Tok::Number: return "a number";
    case Tok::String: return "a string literal";
    case Tok::Equals: return "`=`";
    case Tok::Comma: return "`,`";
    case Tok::Colon: return "`:`";
    case Tok::Semicolon: return "`;`";
    case Tok::LParen: return "`(`";
    case Tok::RParen: return "`)`";
    case Tok::LBrace: return "`{`";
    case Tok::RBrace: return "`}`";
    case Tok::Less: return "`<`";
    case Tok::Greater: return "`>`";
    case Tok::Star: return "`*`";
    case Tok::Arrow: return "`->`";
    case Tok::Slash: return "`/`";
    case Tok::Period: return "`.`";
    case Tok::At: return "`@`";
    case Tok::Underscore: return "`_`";
    default: break;
  }
  for (const auto& [kw, tok] : kKeywords) {
    if (tok == kind) return fmt::format("keyword `{}`", kw);
  }
  return "a token";
}

std::string describe(const Token& t) {
  switch (t.kind) {
    case Tok::Id: return fmt::format("identifier `{}`", t.text);
    case Tok::Number: return fmt::format("number `{}`", t.text);
    default: return describe(t.kind);
  }
}

Expected<std::vector<Token>> tokenize(const SourceMap& sources, uint32_t file) { return Lexer(sources, file).run(); }

}  // namespace kumo::wit
