// Lexer and semver tests: token kinds, identifiers, comments and docs, versions, errors.
#include <gtest/gtest.h>

#include "wit/lexer.hpp"
#include "wit/version.hpp"

namespace kumo::wit {
namespace {

std::vector<Token> lex(const std::string& text) {
  SourceMap src;
  uint32_t f = src.add("t.wit", text);
  auto toks = tokenize(src, f);
  EXPECT_TRUE(toks.has_value()) << toks.error().message;
  return toks ? *toks : std::vector<Token>{};
}

std::string lex_error(const std::string& text) {
  SourceMap src;
  uint32_t f = src.add("t.wit", text);
  auto toks = tokenize(src, f);
  EXPECT_FALSE(toks.has_value());
  return toks ? std::string() : toks.error().message.substr(0, toks.error().message.find('\n'));
}

std::vector<Tok> kinds(const std::vector<Token>& toks) {
  std::vector<Tok> out;
  for (const Token& t : toks) out.push_back(t.kind);
  return out;
}

TEST(WitLexer, OperatorsAndKeywords) {
  auto toks = lex("= , : ; ( ) { } < > * -> / . @ _ record use u8 string");
  EXPECT_EQ(kinds(toks), (std::vector<Tok>{Tok::Equals, Tok::Comma, Tok::Colon, Tok::Semicolon, Tok::LParen,
                                           Tok::RParen, Tok::LBrace, Tok::RBrace, Tok::Less, Tok::Greater, Tok::Star,
                                           Tok::Arrow, Tok::Slash, Tok::Period, Tok::At, Tok::Underscore,
                                           Tok::KwRecord, Tok::KwUse, Tok::KwU8, Tok::KwString, Tok::Eof}));
}

TEST(WitLexer, KebabIdentifiersAndEscapes) {
  auto toks = lex("foo-bar HTTP-error a1-2-3 %record %foo x");
  ASSERT_EQ(toks.size(), 7u);
  EXPECT_EQ(toks[0].text, "foo-bar");
  EXPECT_EQ(toks[1].text, "HTTP-error");
  EXPECT_EQ(toks[2].text, "a1-2-3");
  EXPECT_EQ(toks[3].kind, Tok::Id);  // %-escaped keyword is an identifier
  EXPECT_EQ(toks[3].text, "record");
  EXPECT_TRUE(toks[3].escaped);
  EXPECT_EQ(toks[4].text, "foo");
  EXPECT_EQ(toks[3].span.begin, 26u);
  EXPECT_EQ(toks[3].span.end, 33u);
}

TEST(WitLexer, LabelValidation) {
  EXPECT_TRUE(is_valid_label("a"));
  EXPECT_TRUE(is_valid_label("A-B-C"));
  EXPECT_TRUE(is_valid_label("m1x3d-4CR0NYMS"));
  EXPECT_TRUE(is_valid_label("DNS-error-payload"));
  EXPECT_FALSE(is_valid_label("1-2-3"));
  EXPECT_FALSE(is_valid_label("Foo"));
  EXPECT_FALSE(is_valid_label("foo--bar"));
  EXPECT_FALSE(is_valid_label("foo-"));
  EXPECT_FALSE(is_valid_label(""));
  EXPECT_EQ(lex_error("record Foo-bar {}"),
            "t.wit:1:8: `Foo-bar` is not a valid identifier: identifiers are kebab-case words (`foo-bar`) or "
            "acronyms (`HTTP-error`)");
  EXPECT_EQ(lex_error("a-b-"), "t.wit:1:1: `a-b-` is not a valid identifier: identifiers are kebab-case words "
                               "(`foo-bar`) or acronyms (`HTTP-error`)");
}

TEST(WitLexer, ArrowAfterIdentifier) {
  auto toks = lex("f: func()->x;");
  EXPECT_EQ(kinds(toks), (std::vector<Tok>{Tok::Id, Tok::Colon, Tok::KwFunc, Tok::LParen, Tok::RParen, Tok::Arrow,
                                           Tok::Id, Tok::Semicolon, Tok::Eof}));
}

TEST(WitLexer, VersionsAreSingleTokens) {
  auto toks = lex("@1.2.3-rc.1+build.5; @0.2.8.{a} list<u8, 4>");
  ASSERT_GE(toks.size(), 4u);
  EXPECT_EQ(toks[1].kind, Tok::Number);
  EXPECT_EQ(toks[1].text, "1.2.3-rc.1+build.5");
  EXPECT_EQ(toks[4].text, "0.2.8");
  EXPECT_EQ(toks[5].kind, Tok::Period);  // the `.{` after a version is not part of it
  EXPECT_EQ(toks[6].kind, Tok::LBrace);
  EXPECT_EQ(toks[13].kind, Tok::Number);
  EXPECT_EQ(toks[13].text, "4");
}

TEST(WitLexer, CommentsAndDocs) {
  auto toks = lex(
      "// plain\n"
      "/// first line\n"
      "///second\n"
      "//// not a doc\n"
      "/* block /* nested */ still comment */\n"
      "interface x {}\n"
      "/**\n * block doc\n * more\n */\n"
      "world w {}\n");
  ASSERT_EQ(toks.size(), 9u);
  EXPECT_EQ(toks[0].kind, Tok::KwInterface);
  EXPECT_EQ(toks[0].docs, "first line\nsecond");
  EXPECT_EQ(toks[1].docs, "");
  EXPECT_EQ(toks[4].kind, Tok::KwWorld);
  EXPECT_EQ(toks[4].docs, "block doc\nmore");
}

TEST(WitLexer, StringLiterals) {
  auto toks = lex(R"("a\t\"b\\" "\u{2603}\41")");
  ASSERT_EQ(toks.size(), 3u);
  EXPECT_EQ(toks[0].kind, Tok::String);
  EXPECT_EQ(toks[0].text, "a\t\"b\\");
  EXPECT_EQ(toks[1].text, "\xE2\x98\x83"
                          "A");
  EXPECT_EQ(lex_error("\"abc"), "t.wit:1:1: unterminated string literal");
}

TEST(WitLexer, Errors) {
  EXPECT_EQ(lex_error("interface x {\n  /* open\n"), "t.wit:2:3: unterminated block comment");
  EXPECT_EQ(lex_error("a\n  b $"), "t.wit:2:5: unexpected character `$`");
  EXPECT_EQ(lex_error("% foo"), "t.wit:1:1: expected an identifier after `%`");
  // Bidirectional overrides could make the source display differently from how it parses.
  EXPECT_EQ(lex_error("// \xE2\x80\xAE evil\n"), "t.wit:1:4: character U+202E is not allowed in WIT source");
  EXPECT_EQ(lex_error("a\x01"), "t.wit:1:2: character U+0001 is not allowed in WIT source");
  EXPECT_EQ(lex_error("ok \xFF"), "t.wit:1:4: invalid UTF-8 in WIT source");
}

TEST(WitLexer, ColumnsCountCodePoints) {
  // "é" is two bytes but one column.
  EXPECT_EQ(lex_error("// \xC3\xA9\n\xC3\xA9 $"), "t.wit:2:1: unexpected character `\xC3\xA9`");
  EXPECT_EQ(lex_error("/* \xC3\xA9 */ $"), "t.wit:1:9: unexpected character `$`");
}

TEST(WitLexer, ErrorSnippetHidesControlCharacters) {
  SourceMap src;
  uint32_t f = src.add("t.wit", std::string("a \0 b\n", 6));
  auto toks = tokenize(src, f);
  ASSERT_FALSE(toks.has_value());
  EXPECT_EQ(toks.error().message, "t.wit:1:3: character U+0000 is not allowed in WIT source\n 1 | a ? b\n   |   ^");
}

TEST(WitLexer, ErrorSnippetPointsAtSpan) {
  SourceMap src;
  uint32_t f = src.add("dir/t.wit", "package a:b;\nrecord Foo {}\n");
  auto toks = tokenize(src, f);
  ASSERT_FALSE(toks.has_value());
  EXPECT_NE(toks.error().message.find(" 2 | record Foo {}\n   |        ^^^"), std::string::npos)
      << toks.error().message;
}

TEST(WitVersion, ParseAndPrint) {
  auto v = Version::parse("1.22.333-rc.1+build.7");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->major, 1u);
  EXPECT_EQ(v->minor, 22u);
  EXPECT_EQ(v->patch, 333u);
  EXPECT_EQ(v->pre, "rc.1");
  EXPECT_EQ(v->build, "build.7");
  EXPECT_EQ(v->to_string(), "1.22.333-rc.1+build.7");
  EXPECT_EQ(Version::parse("0.2.0-rc-2023-11-10")->pre, "rc-2023-11-10");
  for (const char* bad : {"1", "1.2", "1.2.3.4", "01.2.3", "1.2.3-", "1.2.3-01", "1.2.3+", "1.2.3-a..b", "1.x.3", ""}) {
    EXPECT_FALSE(Version::parse(bad).has_value()) << bad;
  }
}

TEST(WitVersion, Precedence) {
  auto v = [](const char* s) { return *Version::parse(s); };
  EXPECT_LT(v("1.0.0-alpha"), v("1.0.0-alpha.1"));
  EXPECT_LT(v("1.0.0-alpha.1"), v("1.0.0-alpha.beta"));
  EXPECT_LT(v("1.0.0-beta.2"), v("1.0.0-beta.11"));
  EXPECT_LT(v("1.0.0-rc.1"), v("1.0.0"));
  EXPECT_LT(v("1.9.0"), v("1.10.0"));
  EXPECT_EQ(v("1.0.0"), v("1.0.0"));
  EXPECT_NE(v("1.0.0+a"), v("1.0.0+b"));
}

}  // namespace
}  // namespace kumo::wit
