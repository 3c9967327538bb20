// WIT lexer: turns one source file into tokens. Whitespace and comments are dropped, except doc
// comments (`///` lines and `/** */` blocks), which are attached to the token that follows them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "wasm/common/expected.hpp"
#include "wit/source.hpp"

namespace kumo::wit {

enum class Tok : uint8_t {
  Eof,
  Id,      // text = identifier without a leading '%'
  Number,  // a run starting with a digit: an integer or a semver, e.g. "4" or "0.2.0-rc.1+b"
  String,  // text = decoded string literal (only used by @external-id)
  // operators
  Equals, Comma, Colon, Semicolon, LParen, RParen, LBrace, RBrace, Less, Greater, Star, Arrow,
  Slash, Period, At, Underscore,
  // keywords
  KwAs, KwAsync, KwBool, KwBorrow, KwChar, KwConstructor, KwEnum, KwErrorContext, KwExport, KwF32, KwF64,
  KwFlags, KwFrom, KwFunc, KwFuture, KwImport, KwInclude, KwInterface, KwList, KwMap, KwOption,
  KwOwn, KwPackage, KwRecord, KwResource, KwResult, KwS16, KwS32, KwS64, KwS8, KwStatic,
  KwStream, KwString, KwTuple, KwType, KwU16, KwU32, KwU64, KwU8, KwUse, KwVariant, KwWith,
  KwWorld,
};

struct Token {
  Tok kind = Tok::Eof;
  Span span;
  std::string text;  // Id / Number / String payload
  std::string docs;  // doc comments directly before this token, lines joined by '\n'
  bool escaped = false;  // Id written as %name
};

// Human-readable token description for error messages ("`{`", "keyword `record`", "identifier").
std::string describe(Tok kind);
std::string describe(const Token& t);

// If `name` is a keyword, its token kind; otherwise Tok::Id.
Tok keyword_kind(std::string_view name);
bool is_keyword(std::string_view name);

// Kebab-case label check of the component model: words [a-z][0-9a-z]* or acronyms [A-Z][0-9A-Z]*
// joined by '-', the first fragment starting with a letter.
bool is_valid_label(std::string_view name);

// Tokenizes file `file` of `sources`; the result always ends with a Tok::Eof token.
Expected<std::vector<Token>> tokenize(const SourceMap& sources, uint32_t file);

}  // namespace kumo::wit
