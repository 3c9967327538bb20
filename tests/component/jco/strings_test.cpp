// strings: the fixture is wit-bindgen's C guest built with string-encoding=utf16, so every string
// is transcoded UTF-8 <-> UTF-16 in both directions (wit-bindgen tests/runtime/strings).
#include "jco_host.hpp"

namespace kumo::component::jco {
namespace {

const std::string kUnicode = "🚀🚀🚀 𠈄𓀀";

struct Strings : JcoTest {
  std::vector<std::string> taken;
  void SetUp() override {
    ASSERT_TRUE(load("strings"));
    auto& i = imports("test:strings/imports");
    func_wrap(i, "take-basic", [this](std::string_view s) { taken.emplace_back(s); });
    func_wrap(i, "return-unicode", [] { return kUnicode; });
    ASSERT_TRUE(instantiate());
  }
};

TEST_F(Strings, GuestCallsImports) {
  get<void()>("", "test-imports")();  // the guest asserts it read kUnicode back
  EXPECT_EQ(taken, std::vector<std::string>{"latin utf16"});
}

TEST_F(Strings, ReturnEmpty) {
  // The guest duplicates u"" (cabi_realloc with new_size 0).
  EXPECT_EQ(get<std::string()>("", "return-empty")(), "");
}

TEST_F(Strings, Roundtrip) {
  auto rt = get<std::string(std::string_view)>("", "roundtrip");
  EXPECT_EQ(rt("str"), "str");
  EXPECT_EQ(rt(kUnicode), kUnicode);
  // Latin-1 range, 2/3/4-byte sequences, an embedded NUL, and a long string.
  EXPECT_EQ(rt("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(rt(std::string("a\0b", 3)), std::string("a\0b", 3));
  std::string big;
  for (int i = 0; i < 5000; i++) big += i % 7 ? "x" : "\xf0\x93\x80\x80";
  EXPECT_EQ(rt(big), big);
}

}  // namespace
}  // namespace kumo::component::jco
