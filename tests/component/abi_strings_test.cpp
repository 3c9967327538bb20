// Strings across the canonical ABI: validity on lift, and transcoding on lower with exactly the
// realloc calls of definitions.py's store_string_* functions.
#include "abi_fixture.hpp"

using namespace kumo;
using namespace kumo::component;
using namespace kumo::component::abitest;
using Enc = StringEncoding;

namespace {

constexpr uint64_t kTag = uint64_t(1) << 31;
const ValType kString = prim(PrimValType::String);

rt::Trapping<Val> lift_string(Bench& b, Enc enc, uint64_t ptr, uint64_t units, bool defer = false) {
  b.opts.encoding = enc;
  auto cx = b.cx();
  cx.defer_strings = defer;
  std::vector<uint64_t> vals{ptr, units};
  rt::FlatReader in{vals};
  return rt::lift_flat(cx, in, kString);
}

struct Lowered {
  uint64_t ptr = 0, units = 0;
  std::string error;
};
Lowered lower_string(Bench& b, Enc enc, const Val& v) {
  b.opts.encoding = enc;
  b.calls.clear();
  auto cx = b.cx();
  std::vector<uint64_t> out;
  auto r = rt::lower_flat(cx, v, kString, out);
  if (!r) return Lowered{0, 0, r.error().message};
  return Lowered{out[0], out[1], {}};
}

struct TCase {
  const char* name;
  Enc src;
  std::string src_bytes;
  uint64_t src_units;  // as passed to lift (tagged for latin1+utf16 in UTF-16 form)
  Enc dst;
  std::vector<ReallocCall> calls;
  uint64_t ptr, units;
  std::string dst_bytes;
};

const std::string kHeSnowCake8 = "h\xC3\xA9\xE2\x98\x83\xF0\x9F\x8D\xB0";  // "hé☃🍰" in UTF-8
const std::string kHeSnow16("h\0\xE9\0\x03\x26", 6);                       // "hé☃" in UTF-16LE

}  // namespace

TEST(ComponentAbiStrings, TranscodesWithTheReferenceReallocSequence) {
  std::vector<TCase> cases = {
      {"utf8->utf8", Enc::Utf8, "h\xC3\xA9llo", 6, Enc::Utf8, {{0, 0, 1, 6}}, 1024, 6, "h\xC3\xA9llo"},
      {"utf8->utf16", Enc::Utf8, kHeSnowCake8, 10, Enc::Utf16, {{0, 0, 2, 20}, {1024, 20, 2, 10}}, 1024, 5,
       std::string("h\0\xE9\0\x03\x26\x3C\xD8\x70\xDF", 10)},
      {"utf8->latin1 (fits)", Enc::Utf8, "h\xC3\xA9llo", 6, Enc::Latin1Utf16, {{0, 0, 2, 6}, {1024, 6, 2, 5}},
       1024, 5, "h\xE9llo"},
      {"utf8->latin1+utf16 (inflates)", Enc::Utf8, "h\xC3\xA9\xE2\x98\x83", 6, Enc::Latin1Utf16,
       {{0, 0, 2, 6}, {1024, 6, 2, 12}, {1032, 12, 2, 6}}, 1032, 3 | kTag, kHeSnow16},
      {"utf16->utf8", Enc::Utf16, kHeSnow16, 3, Enc::Utf8, {{0, 0, 1, 3}, {1024, 3, 1, 9}, {1032, 9, 1, 6}},
       1032, 6, "h\xC3\xA9\xE2\x98\x83"},
      {"utf16->utf16", Enc::Utf16, kHeSnow16, 3, Enc::Utf16, {{0, 0, 2, 6}}, 1024, 3, kHeSnow16},
      {"utf16->latin1 (fits)", Enc::Utf16, std::string("h\0\xE9\0", 4), 2, Enc::Latin1Utf16, {{0, 0, 2, 2}},
       1024, 2, "h\xE9"},
      {"utf16->latin1+utf16 (inflates)", Enc::Utf16, std::string("h\0\x03\x26", 4), 2, Enc::Latin1Utf16,
       {{0, 0, 2, 2}, {1024, 2, 2, 4}}, 1032, 2 | kTag, std::string("h\0\x03\x26", 4)},
      {"latin1->utf8", Enc::Latin1Utf16, "h\xE9", 2, Enc::Utf8, {{0, 0, 1, 2}, {1024, 2, 1, 4}, {1032, 4, 1, 3}},
       1032, 3, "h\xC3\xA9"},
      {"latin1->utf16", Enc::Latin1Utf16, "h\xE9", 2, Enc::Utf16, {{0, 0, 2, 4}}, 1024, 2,
       std::string("h\0\xE9\0", 4)},
      {"latin1->latin1+utf16", Enc::Latin1Utf16, "h\xE9", 2, Enc::Latin1Utf16, {{0, 0, 2, 2}}, 1024, 2, "h\xE9"},
      {"tagged utf16->latin1 (deflates)", Enc::Latin1Utf16, std::string("h\0\xE9\0", 4), 2 | kTag,
       Enc::Latin1Utf16, {{0, 0, 2, 4}, {1024, 4, 2, 2}}, 1024, 2, "h\xE9"},  // wasmtime's alignment
      {"tagged utf16->latin1+utf16 (stays utf16)", Enc::Latin1Utf16, std::string("h\0\x03\x26", 4), 2 | kTag,
       Enc::Latin1Utf16, {{0, 0, 2, 4}}, 1024, 2 | kTag, std::string("h\0\x03\x26", 4)},
      {"tagged utf16->utf8", Enc::Latin1Utf16, std::string("h\0\x03\x26", 4), 2 | kTag, Enc::Utf8,
       {{0, 0, 1, 2}, {1024, 2, 1, 6}, {1032, 6, 1, 4}}, 1032, 4, "h\xE2\x98\x83"},
      {"tagged utf16->utf16", Enc::Latin1Utf16, std::string("h\0\x03\x26", 4), 2 | kTag, Enc::Utf16,
       {{0, 0, 2, 4}}, 1024, 2, std::string("h\0\x03\x26", 4)},
  };
  for (bool defer : {false, true}) {
    for (const TCase& c : cases) {
      SCOPED_TRACE(std::string(c.name) + (defer ? " (deferred)" : ""));
      Bench b;
      b.poke(100, c.src_bytes);
      auto v = lift_string(b, c.src, 100, c.src_units, defer);
      ASSERT_TRUE(v) << v.error().message;
      EXPECT_EQ(v->deferred(), defer);
      Lowered l = lower_string(b, c.dst, *v);
      ASSERT_EQ(l.error, "");
      EXPECT_EQ(b.calls, c.calls);
      EXPECT_EQ(l.ptr, c.ptr);
      EXPECT_EQ(l.units, c.units);
      EXPECT_EQ(b.peek(l.ptr, c.dst_bytes.size()), c.dst_bytes);
      // And back: lifting what was lowered gives the same text.
      auto again = lift_string(b, c.dst, l.ptr, l.units);
      ASSERT_TRUE(again) << again.error().message;
      Val text = *v;
      ASSERT_TRUE(rt::materialize(text));
      EXPECT_EQ(again->str, text.str);
    }
  }
}

TEST(ComponentAbiStrings, DeferredStringsAreReadAfterTheRealloc) {
  Bench b;
  b.poke(100, "ok\xff");
  // Lifting only checks bounds: the invalid byte is not seen yet.
  auto v = lift_string(b, Enc::Utf8, 100, 3, /*defer=*/true);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(v->deferred());
  EXPECT_EQ(v->str, "");
  EXPECT_EQ(v->src_ptr, 100u);
  // Lowering allocates first (as wasmtime does), then validates while copying.
  Lowered l = lower_string(b, Enc::Utf16, *v);
  EXPECT_EQ(b.calls, (std::vector<ReallocCall>{{0, 0, 2, 6}}));
  EXPECT_NE(l.error.find("invalid utf-8 sequence of 1 bytes from index 2"), std::string::npos) << l.error;
  // A realloc that traps is reached before the content is looked at.
  b.realloc_impl = [](const ReallocCall&) -> uint64_t { return 0xfffffff0; };
  l = lower_string(b, Enc::Utf8, *v);
  EXPECT_NE(l.error.find("realloc return: beyond end of memory"), std::string::npos) << l.error;
  // Materializing (for the host) reports what an eager lift reports.
  Val copy = *v;
  EXPECT_EQ(trap_message(rt::materialize(copy)), trap_message(lift_string(b, Enc::Utf8, 100, 3)));
  // Inside aggregates too; a valid one becomes an ordinary string.
  b.poke(200, std::string("h\0\x03\x26", 4));
  auto u = lift_string(b, Enc::Utf16, 200, 2, true);
  ASSERT_TRUE(u);
  Val rec = Val::record({Val::u8(1), Val::list({*u})});
  ASSERT_TRUE(rt::materialize(rec));
  EXPECT_FALSE(rec.items[1].items[0].deferred());
  EXPECT_EQ(rec.items[1].items[0].str, "h\xE2\x98\x83");
  b.poke(200, std::string("\x00\xd8", 2));
  Val bad = *u;
  EXPECT_NE(trap_message(rt::materialize(bad)).find("invalid utf-16: unpaired surrogate at code unit 0"),
            std::string::npos);
}

// wasmtime's limits (big-strings.wast): 2^31-1 bytes in the source, and no realloc of more.
TEST(ComponentAbiStrings, MaximumStringLength) {
  Bench b;
  ASSERT_NE(b.mem->grow((uint64_t(1) << 31) / 65536), -1);  // lazily committed
  std::string m = trap_message(lift_string(b, Enc::Utf8, 0, uint64_t(1) << 31, true));
  EXPECT_NE(m.find("exceeds the maximum string length"), std::string::npos) << m;
  m = trap_message(lift_string(b, Enc::Utf16, 0, uint64_t(1) << 30, true));
  EXPECT_NE(m.find("exceeds the maximum string length"), std::string::npos) << m;
  auto v = lift_string(b, Enc::Utf8, 0, (uint64_t(1) << 31) - 1, true);
  ASSERT_TRUE(v) << v.error().message;
  // UTF-8 to UTF-16 of 2^30 bytes would need a 2^31-byte realloc: refused before calling it.
  auto half = lift_string(b, Enc::Utf8, 0, uint64_t(1) << 30, true);
  ASSERT_TRUE(half);
  Lowered l = lower_string(b, Enc::Utf16, *half);
  EXPECT_TRUE(b.calls.empty());
  EXPECT_NE(l.error.find("string content out-of-bounds"), std::string::npos) << l.error;
  // The largest UTF-8 string reaches the realloc (which here refuses it) without being read.
  b.realloc_impl = [](const ReallocCall&) -> uint64_t { return 0xfffffff0; };
  l = lower_string(b, Enc::Utf8, *v);
  EXPECT_EQ(b.calls, (std::vector<ReallocCall>{{0, 0, 1, (uint64_t(1) << 31) - 1}}));
  EXPECT_NE(l.error.find("realloc return: beyond end of memory"), std::string::npos) << l.error;
}

TEST(ComponentAbiStrings, LiftRecordsTheSourceEncoding) {
  Bench b;
  b.poke(100, std::string("h\0\x03\x26", 4));
  auto tagged = lift_string(b, Enc::Latin1Utf16, 100, 2 | kTag);
  ASSERT_TRUE(tagged);
  EXPECT_EQ(tagged->str, "h\xE2\x98\x83");
  EXPECT_EQ(tagged->src_encoding, Enc::Latin1Utf16);
  EXPECT_EQ(tagged->src_code_units, 2u | Val::kUtf16Tag);
  b.poke(100, "h\xE9");
  auto latin1 = lift_string(b, Enc::Latin1Utf16, 100, 2);
  ASSERT_TRUE(latin1);
  EXPECT_EQ(latin1->str, "h\xC3\xA9");
  EXPECT_EQ(latin1->src_code_units, 2u);
  // Equality ignores where a string came from.
  EXPECT_EQ(*latin1, Val::string("h\xC3\xA9"));
}

TEST(ComponentAbiStrings, HostStringsLowerAsUtf8) {
  Bench b;
  Lowered l = lower_string(b, Enc::Utf16, Val::string("h\xE2\x98\x83"));
  ASSERT_EQ(l.error, "");
  EXPECT_EQ(b.calls, (std::vector<ReallocCall>{{0, 0, 2, 8}, {1024, 8, 2, 4}}));
  EXPECT_EQ(l.units, 2u);
  // A Val built by hand with defaults (src_code_units 0) is UTF-8 too.
  Val v;
  v.kind = ValKind::String;
  v.str = "abc";
  l = lower_string(b, Enc::Utf8, v);
  EXPECT_EQ(b.calls, (std::vector<ReallocCall>{{0, 0, 1, 3}}));
  EXPECT_EQ(b.peek(l.ptr, 3), "abc");
  // Invalid UTF-8 from the host is refused.
  EXPECT_NE(lower_string(b, Enc::Utf8, Val::string("\xff")).error, "");
}

TEST(ComponentAbiStrings, ShrinkingReallocMustStayAligned) {
  // wasmtime strings.wast: utf8 "Ë┛" -> latin1+utf16; the third realloc returns a misaligned pointer.
  Bench b;
  b.poke(0, "\xC3\xAB\xE2\x94\x9B");
  auto v = lift_string(b, Enc::Utf8, 0, 5);
  ASSERT_TRUE(v);
  b.realloc_impl = [&b](const ReallocCall&) -> uint64_t {
    switch (b.calls.size()) {
      case 1: return 2;
      case 2: return 4;
      default: return 3;
    }
  };
  Lowered l = lower_string(b, Enc::Latin1Utf16, *v);
  EXPECT_EQ(b.calls, (std::vector<ReallocCall>{{0, 0, 2, 5}, {2, 5, 2, 10}, {4, 10, 2, 4}}));
  EXPECT_NE(l.error.find("unaligned pointer"), std::string::npos) << l.error;

  // The same with the second realloc out of bounds.
  b.calls.clear();
  b.realloc_impl = [&b](const ReallocCall&) -> uint64_t { return b.calls.size() == 1 ? 2 : 0xfffffffe; };
  l = lower_string(b, Enc::Latin1Utf16, *v);
  EXPECT_NE(l.error.find("string content out-of-bounds"), std::string::npos) << l.error;
  EXPECT_NE(l.error.find("realloc return: beyond end of memory"), std::string::npos) << l.error;
}

TEST(ComponentAbiStrings, LiftTraps) {
  Bench b;
  auto msg = [&](Enc e, uint64_t ptr, uint64_t units) { return trap_message(lift_string(b, e, ptr, units)); };
  std::string m = msg(Enc::Utf8, 65535, 2);
  EXPECT_NE(m.find("string content out-of-bounds"), std::string::npos) << m;
  EXPECT_NE(m.find("string pointer/length out of bounds of memory"), std::string::npos) << m;
  EXPECT_NE(msg(Enc::Utf8, 0xdeadbeef, 0).find("out of bounds of memory"), std::string::npos);
  EXPECT_NE(msg(Enc::Utf8, 0x80000000, 1).find("string content out-of-bounds"), std::string::npos);
  EXPECT_EQ(msg(Enc::Utf8, 65534, 2), "");  // ends exactly at the end of memory

  for (auto [e, units] : {std::pair{Enc::Utf16, uint64_t(0)}, std::pair{Enc::Latin1Utf16, uint64_t(0)},
                          std::pair{Enc::Latin1Utf16, kTag}}) {
    m = msg(e, 1, units);
    EXPECT_NE(m.find("unaligned pointer"), std::string::npos) << m;
    EXPECT_NE(m.find("string pointer not aligned to 2"), std::string::npos) << m;
  }
  EXPECT_EQ(msg(Enc::Utf8, 1, 0), "");  // utf8 needs no alignment

  b.poke(8, "\xff");
  EXPECT_NE(msg(Enc::Utf8, 8, 1).find("invalid utf-8"), std::string::npos);
  b.poke(8, "\xc3");
  m = msg(Enc::Utf8, 8, 1);
  EXPECT_NE(m.find("incomplete utf-8 byte sequence"), std::string::npos) << m;
  b.poke(8, "\xed\xa0\x80");  // an encoded surrogate
  EXPECT_NE(msg(Enc::Utf8, 8, 3).find("invalid utf-8"), std::string::npos);
  b.poke(8, "\xc0\x80");  // overlong
  EXPECT_NE(msg(Enc::Utf8, 8, 2).find("invalid utf-8"), std::string::npos);
  b.poke(8, std::string("\x00\xd8", 2));  // a lone surrogate in UTF-16
  EXPECT_NE(msg(Enc::Utf16, 8, 1), "");
  EXPECT_NE(msg(Enc::Utf8, 0, uint64_t(1) << 31).find("string content out-of-bounds"), std::string::npos);
}

TEST(ComponentAbiStrings, StoreAndLoadInsideRecords) {
  Bench b;
  b.opts.encoding = Enc::Utf16;
  ValType rec = b.record({prim(PrimValType::U8), kString});
  auto cx = b.cx();
  Val v = Val::record({Val::u8(1), Val::string("\xF0\x9F\x8D\xB0")});
  ASSERT_TRUE(rt::store(cx, v, rec, 16));
  EXPECT_EQ(b.peek32(24), 2u);  // two UTF-16 code units at offset 4 + 4
  auto back = rt::load(cx, 16, rec);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, v);
}
