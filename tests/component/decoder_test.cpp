#include <gtest/gtest.h>

#include "builder.hpp"
#include "component/component.hpp"

using namespace kumo::component;
using namespace kumo::component::test;

namespace {

std::string decode_error(const Bytes& b) {
  auto c = decode_component(b);
  return c ? "" : c.error().message;
}

}  // namespace

TEST(ComponentDecoder, Preamble) {
  EXPECT_TRUE(is_component_binary(component({})));
  EXPECT_FALSE(is_component_binary(core_module({})));
  auto c = decode_component(component({}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE((*c)->definitions.empty());

  EXPECT_NE(decode_error(core_module({})).find("expected a version header for a component"), std::string::npos);
  EXPECT_NE(decode_error(Bytes{0x00, 0x61, 0x73, 0x6d, 0x0e, 0x00, 0x01, 0x00}).find("unknown binary version 0xe"),
            std::string::npos);
  EXPECT_NE(decode_error(Bytes{0x00, 0x61, 0x73}).find("magic header"), std::string::npos);
  EXPECT_NE(decode_error(cat({component({}), Bytes{13, 0}})).find("malformed section id 13"), std::string::npos);
  // A section claiming more bytes than there are.
  EXPECT_NE(decode_error(cat({component({}), Bytes{7, 5, 1}})).find("unexpected end"), std::string::npos);
}

TEST(ComponentDecoder, ImportNamesKeepLabelAndInterface) {
  // (import "cache" (implements "wasi:keyvalue/store@0.2.0-draft") (external-id "db") (instance (type 0)))
  Bytes nameattrs = cat({{0x02}, str("cache"), vec({cat({{0x00}, str("wasi:keyvalue/store@0.2.0-draft")}),
                                                    cat({{0x02}, str("db")})})});
  Bytes b = component({
      section(kType, vec({{0x42, 0x00}})),                            // (type (instance))
      section(kImport, vec({cat({nameattrs, Bytes{0x05, 0x00}})})),  // instance (type 0)
  });
  auto c = decode_component(b);
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ((*c)->imports.size(), 1u);
  const Import& imp = (*c)->imports[0];
  EXPECT_EQ(imp.name.name, "cache");
  EXPECT_EQ(imp.name.implements.value_or(""), "wasi:keyvalue/store@0.2.0-draft");
  EXPECT_EQ(imp.name.external_id.value_or(""), "db");
  EXPECT_FALSE(imp.name.version_suffix);
  EXPECT_EQ(imp.desc.sort, ExternSort::Instance);

  // Duplicate attributes and unknown attribute kinds are malformed.
  Bytes dup = cat({{0x02}, str("a"), vec({cat({{0x00}, str("a:b/c")}), cat({{0x00}, str("a:b/c")})})});
  EXPECT_NE(decode_error(component({section(kType, vec({{0x42, 0x00}})),
                                    section(kImport, vec({cat({dup, Bytes{0x05, 0x00}})}))}))
                .find("duplicate 'implements'"),
            std::string::npos);
  Bytes bad = cat({{0x02}, str("a"), vec({cat({{0x03}, str("x")})})});
  EXPECT_NE(decode_error(component({section(kImport, vec({cat({bad, Bytes{0x01, 0x00}})}))}))
                .find("invalid leading byte (0x3) for name option"),
            std::string::npos);
}

TEST(ComponentDecoder, DefinedTypes) {
  // record, variant, list, fixed list, tuple, flags, enum, option, result, own, borrow.
  Bytes types = vec({
      cat({{0x72}, vec({cat({str("x"), Bytes{kU32}}), cat({str("y"), Bytes{kString}})})}),  // 0 record
      cat({{0x71}, vec({cat({str("a"), Bytes{0x00}, Bytes{0x00}}),                            // 1 variant
                        cat({str("b"), Bytes{0x01, kU8}, Bytes{0x00}})})}),
      Bytes{0x70, 0x00},                                                 // 2 (list 0)
      cat({Bytes{0x67, kU8}, u32(4)}),                                   // 3 (list u8 4)
      cat({{0x6f}, vec({{kBool}, {kChar}})}),                            // 4 tuple
      cat({{0x6e}, vec({str("r"), str("w")})}),                          // 5 flags
      cat({{0x6d}, vec({str("lo"), str("hi")})}),                        // 6 enum
      Bytes{0x6b, kF64},                                                 // 7 option
      Bytes{0x6a, 0x01, kU32, 0x00},                                     // 8 (result u32)
      Bytes{0x3f, 0x7f, 0x00},                                           // 9 (resource (rep i32))
      Bytes{0x69, 0x09},                                                 // 10 (own 9)
      Bytes{0x68, 0x09},                                                 // 11 (borrow 9)
  });
  auto c = decode_component(component({section(kType, types)}));
  ASSERT_TRUE(c) << c.error().message;
  const auto& t = (*c)->types;
  ASSERT_EQ(t.size(), 12u);
  EXPECT_EQ(t[0].defined.kind, DefinedKind::Record);
  EXPECT_EQ(t[0].defined.fields[1].name, "y");
  EXPECT_EQ(t[1].defined.cases[1].type->prim(), PrimValType::U8);
  EXPECT_FALSE(t[1].defined.cases[0].type);
  EXPECT_EQ(t[2].defined.elem->type().index, 0u);  // a type index in decoded syntax
  EXPECT_EQ(t[3].defined.kind, DefinedKind::FixedList);
  EXPECT_EQ(t[3].defined.length, 4u);
  EXPECT_EQ(t[5].defined.labels.size(), 2u);
  EXPECT_EQ(t[8].defined.kind, DefinedKind::Result);
  EXPECT_TRUE(t[8].defined.ok && !t[8].defined.err);
  EXPECT_EQ(t[9].kind, TypeDef::Resource);
  EXPECT_EQ(t[11].defined.kind, DefinedKind::Borrow);
  EXPECT_EQ(t[11].defined.resource.index, 9u);

  // 0x62 is not a type constructor; a variant case must end with 0x00.
  EXPECT_NE(decode_error(component({section(kType, vec({{0x62}}))})).find("invalid leading byte (0x62)"),
            std::string::npos);
  EXPECT_NE(decode_error(component({section(kType, vec({cat({{0x71}, vec({cat({str("a"), Bytes{0x00, 0x01}})})})}))}))
                .find("zero byte required"),
            std::string::npos);
}

TEST(ComponentDecoder, NestedModulesAndComponents) {
  Bytes nested = component({section(kType, vec({{0x42, 0x00}}))});
  Bytes module = core_module({});
  auto c = decode_component(component({section(kCoreModule, module), section(kComponent, nested)}));
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ((*c)->core_modules.size(), 1u);
  EXPECT_EQ((*c)->core_modules[0].offset, 10u);  // after the preamble and the section header
  EXPECT_EQ((*c)->core_modules[0].size, module.size());
  ASSERT_EQ((*c)->components.size(), 1u);
  EXPECT_EQ((*c)->components[0]->types.size(), 1u);
  ASSERT_EQ((*c)->definitions.size(), 2u);
  EXPECT_EQ((*c)->definitions[1].kind, Definition::Component);

  // A component where a module is expected, and the other way round.
  EXPECT_NE(decode_error(component({section(kCoreModule, nested)})).find("expected a version header for a module"),
            std::string::npos);
  EXPECT_NE(decode_error(component({section(kComponent, module)})).find("expected a version header for a component"),
            std::string::npos);
}

TEST(ComponentDecoder, CanonDefinitions) {
  Bytes canons = vec({
      cat({Bytes{0x00, 0x00}, u32(0), vec({{0x01}, Bytes{0x03, 0x00}, Bytes{0x04, 0x01}}), u32(2)}),  // lift
      cat({Bytes{0x01, 0x00}, u32(1), vec({})}),                                                       // lower
      Bytes{0x02, 0x05}, Bytes{0x03, 0x05}, Bytes{0x04, 0x05},  // resource.new/drop/rep
      Bytes{0x24}, Bytes{0x1f}, Bytes{0x20, 0x01, 0x00},       // backpressure.inc, waitable-set.new/wait
  });
  auto c = decode_component(component({section(kCanon, canons)}));
  ASSERT_TRUE(c) << c.error().message;
  const auto& k = (*c)->canons;
  ASSERT_EQ(k.size(), 8u);
  EXPECT_EQ(k[0].kind, CanonKind::Lift);
  EXPECT_EQ(k[0].type_index, 2u);
  ASSERT_EQ(k[0].options.size(), 3u);
  EXPECT_EQ(k[0].options[0].kind, CanonOption::Utf16);
  EXPECT_EQ(k[0].options[2].kind, CanonOption::Realloc);
  EXPECT_EQ(k[0].options[2].index, 1u);
  EXPECT_EQ(k[1].kind, CanonKind::Lower);
  EXPECT_EQ(k[4].kind, CanonKind::ResourceRep);
  EXPECT_EQ(k[7].kind, CanonKind::WaitableSetWait);
  EXPECT_TRUE(k[7].flag);

  EXPECT_NE(decode_error(component({section(kCanon, vec({{0x07}}))})).find("for canonical function"),
            std::string::npos);
  EXPECT_NE(decode_error(component({section(kCanon, vec({cat({Bytes{0x01, 0x00}, u32(0), vec({{0x0a}})})}))}))
                .find("for canonical option"),
            std::string::npos);
}

TEST(ComponentDecoder, AliasesExportsAndInstances) {
  Bytes b = component({
      section(kAlias, vec({
                          cat({{0x01, 0x00}, u32(0), str("f")}),        // (alias export 0 "f" (func))
                          cat({{0x00, 0x02, 0x01}, u32(1), str("m")}),  // (alias core export 1 "m" (core memory))
                          cat({{0x03, 0x02}, u32(1), u32(4)}),          // (alias outer 1 4 (type))
                      })),
      section(kInstance, vec({cat({{0x01}, vec({cat({name("f"), Bytes{0x01}, u32(0)})})})})),
      section(kExport, vec({cat({name("g"), Bytes{0x01}, u32(0), Bytes{0x01, 0x01}, u32(3)})})),
  });
  auto c = decode_component(b);
  ASSERT_TRUE(c) << c.error().message;
  const auto& a = (*c)->aliases;
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0].kind, Alias::InstanceExport);
  EXPECT_EQ(a[0].sort, Sort::Func);
  EXPECT_EQ(a[1].kind, Alias::CoreInstanceExport);
  EXPECT_EQ(a[1].sort, Sort::CoreMemory);
  EXPECT_EQ(a[1].instance, 1u);
  EXPECT_EQ(a[2].kind, Alias::Outer);
  EXPECT_EQ(a[2].outer_count, 1u);
  EXPECT_EQ(a[2].outer_index, 4u);
  ASSERT_EQ((*c)->instances.size(), 1u);
  EXPECT_EQ((*c)->instances[0].kind, InstanceDef::FromExports);
  ASSERT_EQ((*c)->exports.size(), 1u);
  ASSERT_TRUE((*c)->exports[0].ascribed);
  EXPECT_EQ((*c)->exports[0].ascribed->index, 3u);

  // Outer aliases of funcs are malformed; a core func is not an extern sort for exports.
  EXPECT_NE(decode_error(component({section(kAlias, vec({cat({{0x01, 0x02}, u32(0), u32(0)})}))}))
                .find("outer alias kind"),
            std::string::npos);
  EXPECT_NE(decode_error(component({section(kExport, vec({cat({name("g"), Bytes{0x00, 0x00}, u32(0), Bytes{0x00}})}))}))
                .find("component external kind"),
            std::string::npos);
}

TEST(ComponentDecoder, TruncatedInputsNeverCrash) {
  // Every prefix of a non-trivial component fails cleanly (or decodes, for section boundaries).
  Bytes b = component({
      section(kType, vec({cat({{0x72}, vec({cat({str("x"), Bytes{kU32}})})}), Bytes{0x42, 0x00}})),
      section(kImport, vec({cat({name("a"), Bytes{0x05, 0x01}})})),
      section(kCanon, vec({cat({Bytes{0x00, 0x00}, u32(0), vec({{0x01}}), u32(2)})})),
  });
  for (size_t n = 0; n < b.size(); ++n) {
    Bytes prefix(b.begin(), b.begin() + long(n));
    (void)decode_component(prefix);
  }
  SUCCEED();
}
