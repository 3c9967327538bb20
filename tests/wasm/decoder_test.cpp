// Unit tests of the binary decoder: module structure, sections, malformed inputs, error messages.
#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "wasm/module.hpp"

using namespace kumo::wasm;

namespace {

using Bytes = std::vector<uint8_t>;

Bytes uleb(uint64_t v) {
  Bytes out;
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    if (v) b |= 0x80;
    out.push_back(b);
  } while (v);
  return out;
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes section(uint8_t id, const Bytes& payload) { return cat({{id}, uleb(payload.size()), payload}); }

// A vector: count then the concatenated elements.
Bytes vec(std::initializer_list<Bytes> items) {
  Bytes out = uleb(items.size());
  for (const auto& i : items) out.insert(out.end(), i.begin(), i.end());
  return out;
}

Bytes name(const std::string& s) {
  Bytes out = uleb(s.size());
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

const Bytes kHeader = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};

Bytes module(std::initializer_list<Bytes> sections) {
  Bytes out = kHeader;
  for (const auto& s : sections) out.insert(out.end(), s.begin(), s.end());
  return out;
}

// type 0: [] -> []
const Bytes kTypeVoid = section(1, vec({{0x60, 0x00, 0x00}}));
const Bytes kOneFunc = section(3, vec({{0x00}}));

// A code section with one body of the given expression bytes (and no locals).
Bytes code1(const Bytes& expr, const Bytes& locals = {0x00}) {
  Bytes body = cat({locals, expr});
  return section(10, vec({cat({uleb(body.size()), body})}));
}

// Decodes and returns the error message ("" on success).
std::string error_of(const Bytes& b) {
  auto m = decode_module(b);
  return m ? std::string() : m.error().message;
}

#define EXPECT_MALFORMED(bytes, substr)                                  \
  do {                                                                   \
    std::string e_ = error_of(bytes);                                    \
    EXPECT_NE(e_, "") << "decoded, expected an error with: " << substr; \
    EXPECT_NE(e_.find(substr), std::string::npos) << e_;                 \
  } while (0)

#define EXPECT_DECODES(bytes) EXPECT_EQ(error_of(bytes), "")

}  // namespace

TEST(Decoder, EmptyModule) {
  auto m = decode_module(kHeader);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_TRUE((*m)->types.empty());
  EXPECT_EQ((*m)->bytes, kHeader);
}

TEST(Decoder, Header) {
  EXPECT_MALFORMED(Bytes{}, "unexpected end");
  EXPECT_MALFORMED(Bytes({0x00, 0x61, 0x73}), "unexpected end");
  EXPECT_MALFORMED(Bytes({0x00, 0x61, 0x73, 0x6E, 1, 0, 0, 0}), "magic header not detected");
  EXPECT_MALFORMED(Bytes({0x00, 0x61, 0x73, 0x6D, 1, 0}), "unexpected end");
  EXPECT_MALFORMED(Bytes({0x00, 0x61, 0x73, 0x6D, 2, 0, 0, 0}), "unknown binary version");
  // Component-model binaries have version 0x0d with layer 1.
  EXPECT_MALFORMED(Bytes({0x00, 0x61, 0x73, 0x6D, 0x0d, 0, 1, 0}), "unknown binary version");
}

TEST(Decoder, ErrorMessageNamesSectionOffsetAndProblem) {
  // i32.const with a truncated immediate at the end of the body.
  Bytes b = module({kTypeVoid, kOneFunc, code1({0x41})});
  std::string e = error_of(b);
  // Offsets: header 0x00-0x07, type section 0x08-0x0d, function section 0x0e-0x11, code: id,
  // size, count, body size, locals count, then the opcode at 0x17 and its missing immediate.
  EXPECT_EQ(e, "section 10 (code), function 0 at offset 0x18: unexpected end (in LEB128 integer)");
}

TEST(Decoder, SectionIds) {
  EXPECT_MALFORMED(module({section(14, {})}), "malformed section id 14");
  EXPECT_MALFORMED(module({Bytes{0x80, 0x00}}), "malformed section id");
}

TEST(Decoder, SectionOrderAndDuplicates) {
  EXPECT_MALFORMED(module({kTypeVoid, kTypeVoid}), "unexpected content after last section");
  EXPECT_MALFORMED(module({kOneFunc, kTypeVoid}), "out of order");
  // Custom sections may appear anywhere, repeatedly.
  Bytes custom = section(0, cat({name("x"), Bytes{1, 2, 3}}));
  auto m = decode_module(module({custom, kTypeVoid, custom, kOneFunc, custom, code1({0x0b}), custom}));
  ASSERT_TRUE(m) << m.error().message;
  ASSERT_EQ((*m)->customs.size(), 4u);
  EXPECT_EQ((*m)->customs[0].name, "x");
  EXPECT_EQ((*m)->customs[0].size, 3u);
  EXPECT_EQ((*m)->bytes[(*m)->customs[0].offset], 1);
  // The data count section goes between element and code; the tag section between memory and
  // global.
  Bytes datacount = section(12, uleb(0));
  EXPECT_DECODES(module({kTypeVoid, kOneFunc, datacount, code1({0x0b})}));
  EXPECT_MALFORMED(module({kTypeVoid, kOneFunc, code1({0x0b}), datacount}), "out of order");
  Bytes tags = section(13, vec({{0x00, 0x00}}));
  Bytes globals = section(6, vec({{0x7f, 0x00, 0x41, 0x00, 0x0b}}));
  Bytes memories = section(5, vec({{0x00, 0x01}}));
  EXPECT_DECODES(module({kTypeVoid, memories, tags, globals}));
  EXPECT_MALFORMED(module({kTypeVoid, globals, tags}), "out of order");
}

TEST(Decoder, SectionSizes) {
  // Declared size larger than the module.
  EXPECT_MALFORMED(module({Bytes{0x01, 0x10, 0x00}}), "unexpected end");
  // Content shorter than declared.
  EXPECT_MALFORMED(module({Bytes{0x01, 0x02, 0x00, 0x00}}), "section size mismatch");
  // Content longer than declared.
  EXPECT_MALFORMED(module({Bytes{0x01, 0x02, 0x01, 0x60, 0x00, 0x00}}), "unexpected end");
}

TEST(Decoder, HostileCountsDoNotAllocate) {
  // Vector counts of 2^32-1 in tiny sections must fail cleanly, not reserve gigabytes.
  for (uint8_t id : {1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 13}) {
    Bytes payload = uleb(0xFFFFFFFFu);
    std::string e = error_of(module({section(id, payload)}));
    EXPECT_NE(e.find("unexpected end"), std::string::npos) << int(id) << ": " << e;
  }
  // Huge local count in a body.
  Bytes b = module({kTypeVoid, kOneFunc, code1({0x0b}, cat({uleb(0xFFFFFFFFu)}))});
  EXPECT_MALFORMED(b, "unexpected end");
  // br_table with a huge target count.
  EXPECT_MALFORMED(module({kTypeVoid, kOneFunc, code1(cat({{0x41, 0x00, 0x0e}, uleb(0xFFFFFFF0u),
                                                           {0x00, 0x0b}}))}),
                   "unexpected end");
}

TEST(Decoder, Locals) {
  auto m = decode_module(module({kTypeVoid, kOneFunc,
                                 code1({0x0b}, cat({uleb(2), uleb(2), {0x7f}, uleb(1), {0x7e}}))}));
  ASSERT_TRUE(m) << m.error().message;
  const Function& f = (*m)->functions[0];
  ASSERT_EQ(f.locals.size(), 3u);
  EXPECT_EQ(f.locals[0], ValType(ValType::I32));
  EXPECT_EQ(f.locals[2], ValType(ValType::I64));
  EXPECT_EQ(f.code_size, 1u);
  EXPECT_EQ((*m)->code(f)[0], 0x0b);

  EXPECT_DECODES(module({kTypeVoid, kOneFunc, code1({0x0b}, cat({uleb(1), uleb(50000), {0x7f}}))}));
  EXPECT_MALFORMED(module({kTypeVoid, kOneFunc, code1({0x0b}, cat({uleb(1), uleb(50001), {0x7f}}))}),
                   "too many locals");
  // Sums that would overflow a u32.
  EXPECT_MALFORMED(module({kTypeVoid, kOneFunc,
                           code1({0x0b}, cat({uleb(2), uleb(0xFFFFFFFFu), {0x7f}, uleb(2), {0x7e}}))}),
                   "too many locals");
  EXPECT_MALFORMED(module({kTypeVoid, kOneFunc, code1({0x0b}, cat({uleb(1), uleb(1), {0x40}}))}),
                   "malformed value type");

  // Many tiny functions with 50000 locals each: the expanded locals are bounded module-wide.
  const uint32_t n = 200;
  Bytes body = cat({uleb(1), uleb(50000), {0x7f, 0x0b}});
  Bytes bodies = uleb(n);
  Bytes funcs = uleb(n);
  for (uint32_t i = 0; i < n; ++i) {
    bodies = cat({bodies, uleb(body.size()), body});
    funcs.push_back(0x00);
  }
  EXPECT_MALFORMED(module({kTypeVoid, section(3, funcs), section(10, bodies)}),
                   "too many locals in the module");
}

TEST(Decoder, FunctionAndCodeCounts) {
  EXPECT_MALFORMED(module({kTypeVoid, kOneFunc}), "function and code section have inconsistent lengths");
  EXPECT_MALFORMED(module({kTypeVoid, code1({0x0b})}), "inconsistent lengths");
  EXPECT_DECODES(module({kTypeVoid, section(3, vec({})), section(10, vec({}))}));
}

TEST(Decoder, BodyMustEndAtItsFinalEnd) {
  EXPECT_MALFORMED(module({kTypeVoid, kOneFunc, code1({0x01})}), "END opcode expected");
  EXPECT_MALFORMED(module({kTypeVoid, kOneFunc, code1({0x0b, 0x01})}), "END opcode expected");
  EXPECT_MALFORMED(module({kTypeVoid, kOneFunc, code1({0x02, 0x40, 0x0b})}), "END opcode expected");
  EXPECT_DECODES(module({kTypeVoid, kOneFunc, code1({0x02, 0x40, 0x0b, 0x0b})}));
}

TEST(Decoder, Imports) {
  Bytes imports = section(2, vec({
      cat({name("m"), name("f"), {0x00, 0x00}}),                  // func type 0
      cat({name("m"), name("t"), {0x01, 0x70, 0x00, 0x01}}),      // table funcref min 1
      cat({name("m"), name("mem"), {0x02, 0x05, 0x01, 0x02}}),    // memory64 min 1 max 2
      cat({name("m"), name("g"), {0x03, 0x7e, 0x01}}),            // global mut i64
      cat({name("m"), name("e"), {0x04, 0x00, 0x00}}),            // tag type 0
  }));
  auto m = decode_module(module({kTypeVoid, imports}));
  ASSERT_TRUE(m) << m.error().message;
  const Module& mod = **m;
  ASSERT_EQ(mod.imports.size(), 5u);
  EXPECT_EQ(mod.num_imported_funcs, 1u);
  EXPECT_EQ(mod.num_imported_tables, 1u);
  EXPECT_EQ(mod.num_imported_memories, 1u);
  EXPECT_EQ(mod.num_imported_globals, 1u);
  EXPECT_EQ(mod.num_imported_tags, 1u);
  EXPECT_EQ(mod.imports[1].table.limits.min, 1u);
  EXPECT_TRUE(mod.imports[2].memory.limits.is64);
  EXPECT_EQ(mod.imports[2].memory.limits.max, 2u);
  EXPECT_TRUE(mod.imports[3].global.mut);
  EXPECT_EQ(mod.imports[3].global.type, ValType(ValType::I64));
  EXPECT_EQ(mod.imports[4].kind, ExternKind::Tag);

  EXPECT_MALFORMED(module({kTypeVoid, section(2, vec({cat({name("m"), name("f"), {0x05, 0x00}})}))}),
                   "malformed import kind");
  EXPECT_MALFORMED(module({section(2, vec({cat({name("m"), name("g"), {0x03, 0x7f, 0x02}})}))}),
                   "malformed mutability");
  EXPECT_MALFORMED(module({section(2, vec({cat({name("m"), name("e"), {0x04, 0x01, 0x00}})}))}),
                   "malformed tag attribute");
}

TEST(Decoder, Names) {
  EXPECT_MALFORMED(module({section(2, vec({cat({name("\xff"), name("f"), {0x00, 0x00}})}))}),
                   "malformed UTF-8");
  EXPECT_MALFORMED(module({section(0, name("\xc0\x80"))}), "malformed UTF-8");  // overlong NUL
  EXPECT_MALFORMED(module({section(0, name("\xed\xa0\x80"))}), "malformed UTF-8");  // surrogate
  EXPECT_MALFORMED(module({section(0, name("\xf4\x90\x80\x80"))}), "malformed UTF-8");  // > 10FFFF
  EXPECT_MALFORMED(module({section(0, name("\xe2\x82"))}), "malformed UTF-8");  // truncated
  EXPECT_DECODES(module({section(0, name("\xf0\x9f\x98\x80 \xe2\x82\xac \xc3\xa9"))}));
  EXPECT_MALFORMED(module({section(0, Bytes{0x05, 'a'})}), "unexpected end");
}

TEST(Decoder, LimitsAndTables) {
  auto m = decode_module(module({section(4, vec({{0x6f, 0x01, 0x02, 0x03}, {0x70, 0x04, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}})),
                                 section(5, vec({{0x03, 0x01, 0x02}}))}));
  ASSERT_TRUE(m) << m.error().message;
  const Module& mod = **m;
  ASSERT_EQ(mod.tables.size(), 2u);
  EXPECT_EQ(mod.tables[0].type.elem, ValType::externref());
  EXPECT_EQ(mod.tables[0].type.limits.max, 3u);
  EXPECT_TRUE(mod.tables[1].type.limits.is64);
  EXPECT_EQ(mod.tables[1].type.limits.min, uint64_t(1) << 35);
  EXPECT_TRUE(mod.memories[0].limits.shared);

  EXPECT_MALFORMED(module({section(5, vec({{0x08, 0x00}}))}), "malformed limits flags");
  EXPECT_MALFORMED(module({section(4, vec({{0x70, 0x02, 0x00, 0x00}}))}), "malformed limits flags");
  EXPECT_MALFORMED(module({section(4, vec({{0x7f, 0x00, 0x00}}))}), "malformed reference type");

  // wasm 3.0: a table with an initialiser expression.
  m = decode_module(module({section(4, vec({{0x40, 0x00, 0x70, 0x00, 0x01, 0xd0, 0x70, 0x0b}}))}));
  ASSERT_TRUE(m) << m.error().message;
  ASSERT_TRUE((*m)->tables[0].init);
  EXPECT_EQ((*m)->tables[0].init->instrs.size(), 2u);
  EXPECT_EQ((*m)->tables[0].init->instrs[0].op, Op::RefNull);
  EXPECT_MALFORMED(module({section(4, vec({{0x40, 0x01, 0x70, 0x00, 0x01, 0xd0, 0x70, 0x0b}}))}),
                   "zero byte expected");
}

TEST(Decoder, TypesIncludingTypedReferences) {
  // [i32 (ref null 0) (ref func)] -> [v128 anyref exnref]
  Bytes ft = {0x60, 0x03, 0x7f, 0x63, 0x00, 0x64, 0x70, 0x03, 0x7b, 0x6e, 0x69};
  auto m = decode_module(module({section(1, vec({ft}))}));
  ASSERT_TRUE(m) << m.error().message;
  const FuncType& t = (*m)->types[0];
  EXPECT_EQ(to_string(t), "[i32 (ref null 0) (ref func)] -> [v128 anyref exnref]");
  EXPECT_MALFORMED(module({section(1, vec({{0x60, 0x01, 0x62, 0x00}}))}), "malformed value type");
  EXPECT_MALFORMED(module({section(1, vec({{0x60, 0x01, 0x63, 0x50, 0x00}}))}), "malformed heap type");
  EXPECT_MALFORMED(module({section(1, vec({{0x4e, 0x00}}))}), "GC types not supported yet");
  EXPECT_MALFORMED(module({section(1, vec({{0x5f, 0x00}}))}), "GC types not supported yet");
  EXPECT_MALFORMED(module({section(1, vec({{0x61, 0x00, 0x00}}))}), "malformed type form");
}

TEST(Decoder, GlobalsExportsStart) {
  Bytes globals = section(6, vec({{0x7f, 0x00, 0x41, 0x7f, 0x0b},
                                  {0x7e, 0x01, 0x42, 0x01, 0x42, 0x02, 0x7c, 0x0b}}));  // extended const
  Bytes exports = section(7, vec({cat({name("f"), {0x00, 0x00}}), cat({name("g"), {0x03, 0x01}})}));
  Bytes start = section(8, uleb(0));
  auto m = decode_module(module({kTypeVoid, kOneFunc, globals, exports, start, code1({0x0b})}));
  ASSERT_TRUE(m) << m.error().message;
  const Module& mod = **m;
  ASSERT_EQ(mod.globals.size(), 2u);
  EXPECT_EQ(mod.globals[0].init.instrs[0].i64, -1);
  EXPECT_EQ(mod.globals[1].init.instrs.size(), 4u);
  EXPECT_EQ(mod.exports[1].kind, ExternKind::Global);
  EXPECT_EQ(mod.exports[1].index, 1u);
  EXPECT_EQ(mod.start, 0u);
  EXPECT_MALFORMED(module({section(7, vec({cat({name("f"), {0x05, 0x00}})}))}), "malformed export kind");
  // Constant expression without its end.
  EXPECT_MALFORMED(module({section(6, vec({{0x7f, 0x00, 0x41, 0x00}}))}), "unexpected end");
}

TEST(Decoder, ElementSegments) {
  Bytes tables = section(4, vec({{0x70, 0x00, 0x01}}));
  Bytes elems = section(9, vec({
      {0x00, 0x41, 0x00, 0x0b, 0x01, 0x00},                    // 0: active, table 0, funcs
      {0x01, 0x00, 0x01, 0x00},                                // 1: passive, elemkind, funcs
      {0x02, 0x00, 0x41, 0x00, 0x0b, 0x00, 0x01, 0x00},        // 2: active table 0, elemkind
      {0x03, 0x00, 0x01, 0x00},                                // 3: declarative
      {0x04, 0x41, 0x00, 0x0b, 0x01, 0xd2, 0x00, 0x0b},        // 4: active, exprs
      {0x05, 0x6f, 0x01, 0xd0, 0x6f, 0x0b},                    // 5: passive, externref exprs
      {0x06, 0x00, 0x41, 0x00, 0x0b, 0x70, 0x01, 0xd2, 0x00, 0x0b},  // 6: active table, exprs
      {0x07, 0x70, 0x00},                                      // 7: declarative, exprs
  }));
  auto m = decode_module(module({kTypeVoid, kOneFunc, tables, elems, code1({0x0b})}));
  ASSERT_TRUE(m) << m.error().message;
  const auto& e = (*m)->elems;
  ASSERT_EQ(e.size(), 8u);
  EXPECT_EQ(e[0].mode, SegmentMode::Active);
  ASSERT_EQ(e[0].items.size(), 1u);
  EXPECT_EQ(e[0].items[0].instrs[0].op, Op::RefFunc);
  EXPECT_EQ(e[0].items[0].instrs[1].op, Op::End);
  EXPECT_EQ(e[1].mode, SegmentMode::Passive);
  EXPECT_EQ(e[3].mode, SegmentMode::Declarative);
  EXPECT_EQ(e[5].type, ValType::externref());
  EXPECT_EQ(e[6].offset.instrs[0].op, Op::I32Const);
  EXPECT_EQ(e[7].mode, SegmentMode::Declarative);
  EXPECT_TRUE(e[7].items.empty());

  EXPECT_MALFORMED(module({section(9, vec({{0x08}}))}), "malformed elements segment kind");
  EXPECT_MALFORMED(module({section(9, vec({{0x01, 0x01, 0x00}}))}), "malformed element kind");
  EXPECT_MALFORMED(module({section(9, vec({{0x05, 0x7f, 0x00}}))}), "malformed reference type");
}

TEST(Decoder, DataSegmentsAndDataCount) {
  Bytes mem = section(5, vec({{0x00, 0x01}}));
  Bytes data = section(11, vec({{0x00, 0x41, 0x00, 0x0b, 0x02, 'h', 'i'},
                                {0x01, 0x01, 'x'},
                                {0x02, 0x00, 0x41, 0x08, 0x0b, 0x00}}));
  auto m = decode_module(module({mem, section(12, uleb(3)), data}));
  ASSERT_TRUE(m) << m.error().message;
  const Module& mod = **m;
  ASSERT_EQ(mod.datas.size(), 3u);
  EXPECT_EQ(mod.data_count, 3u);
  EXPECT_EQ(std::string(mod.data(mod.datas[0]).begin(), mod.data(mod.datas[0]).end()), "hi");
  EXPECT_EQ(mod.datas[1].mode, SegmentMode::Passive);
  EXPECT_EQ(mod.datas[2].data_size, 0u);

  EXPECT_MALFORMED(module({mem, section(12, uleb(2)), data}), "data count and data section have inconsistent lengths");
  EXPECT_MALFORMED(module({mem, section(12, uleb(1))}), "inconsistent lengths");
  EXPECT_DECODES(module({mem, section(12, uleb(0))}));
  EXPECT_MALFORMED(module({mem, section(11, vec({{0x03}}))}), "malformed data segment kind");
  EXPECT_MALFORMED(module({mem, section(11, vec({{0x01, 0x05, 'x'}}))}), "unexpected end");

  // memory.init / data.drop need the data count section.
  Bytes drop = {0xfc, 0x09, 0x00, 0x0b};
  Bytes passive = section(11, vec({{0x01, 0x00}}));
  EXPECT_MALFORMED(module({kTypeVoid, kOneFunc, mem, code1(drop), passive}), "data count section required");
  EXPECT_DECODES(module({kTypeVoid, kOneFunc, mem, section(12, uleb(1)), code1(drop), passive}));
}

TEST(Decoder, NameSection) {
  Bytes funcs = vec({cat({uleb(0), name("main")}), cat({uleb(1), name("helper")})});
  Bytes payload = cat({name("name"), {0x00}, uleb(name("mod").size()), name("mod"),
                       {0x01}, uleb(funcs.size()), funcs});
  auto m = decode_module(module({kTypeVoid, section(3, vec({{0x00}, {0x00}})),
                                 section(10, vec({{0x02, 0x00, 0x0b}, {0x02, 0x00, 0x0b}})),
                                 section(0, payload)}));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ((*m)->module_name, "mod");
  EXPECT_EQ((*m)->func_names.at(0), "main");
  EXPECT_EQ((*m)->func_names.at(1), "helper");

  // A malformed name section is ignored, not an error.
  Bytes bad = cat({name("name"), {0x01, 0x10, 0x01}});
  m = decode_module(module({section(0, bad)}));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_TRUE((*m)->func_names.empty());
}

TEST(Decoder, IndexSpaceHelpers) {
  Bytes types = section(1, vec({{0x60, 0x00, 0x00}, {0x60, 0x01, 0x7f, 0x00}}));
  Bytes imports = section(2, vec({cat({name("m"), name("f"), {0x00, 0x01}}),
                                  cat({name("m"), name("g"), {0x03, 0x7e, 0x00}}),
                                  cat({name("m"), name("f2"), {0x00, 0x00}})}));
  Bytes funcs = section(3, vec({{0x01}}));
  Bytes globals = section(6, vec({{0x7f, 0x01, 0x41, 0x00, 0x0b}}));
  auto m = decode_module(module({types, imports, funcs, globals, code1({0x0b})}));
  ASSERT_TRUE(m) << m.error().message;
  const Module& mod = **m;
  EXPECT_EQ(mod.num_funcs(), 3u);
  EXPECT_EQ(mod.func_type_index(0), 1u);
  EXPECT_EQ(mod.func_type_index(1), 0u);
  EXPECT_EQ(mod.func_type_index(2), 1u);
  EXPECT_EQ(mod.func_type(2).params.size(), 1u);
  EXPECT_EQ(mod.global_type(0).type, ValType(ValType::I64));
  EXPECT_FALSE(mod.global_type(0).mut);
  EXPECT_TRUE(mod.global_type(1).mut);
}

TEST(Decoder, ToString) {
  EXPECT_EQ(to_string(ValType(ValType::F64)), "f64");
  EXPECT_EQ(to_string(ValType::funcref()), "funcref");
  EXPECT_EQ(to_string(ValType::externref()), "externref");
  EXPECT_EQ(to_string(ValType::ref(false, HeapType{HeapType::Func})), "(ref func)");
  EXPECT_EQ(to_string(ValType::ref(true, HeapType::concrete(3))), "(ref null 3)");
  EXPECT_EQ(to_string(FuncType{}), "[] -> []");
  EXPECT_STREQ(to_string(ExternKind::Memory), "memory");
  EXPECT_STREQ(to_string(ExternKind::Tag), "tag");
}
