// decode_module: the binary module format (wasm 2.0, plus the wasm 3.0 encodings listed in
// docs/HELPERS.md's decoder brief: multi-memory, memory64/table64, typed references, tail
// calls, exceptions, extended constants, tables with initialisers). GC type definitions are
// rejected with a clear error for now.
//
// decode_module(bytes, features) decodes the wasm 1.0 / 2.0 encodings instead where they differ
// (reserved zero bytes, u32 memarg offsets and limits, limits flags); see validator.hpp.
//
// The decoder checks everything the binary format requires ("malformed" in spec terms) and
// nothing more: types and index ranges are checked by the validator.
#include <array>
#include <limits>

#include "wasm/binary/expr_decoder.hpp"
#include "wasm/binary/name_section.hpp"
#include "wasm/binary/reader.hpp"
#include "wasm/binary/type_reader.hpp"
#include "wasm/module.hpp"
#include "wasm/validator/validator.hpp"

namespace kumo::wasm {

namespace {

using binary::Reader;

constexpr uint32_t kMagic = 0x6D736100;  // "\0asm"
constexpr uint32_t kVersion = 1;
// Declared locals per function; engines commonly cap this far below the format's 2^32-1 so that
// frames stay small and hostile modules cannot make us allocate gigabytes of locals.
constexpr uint64_t kMaxLocals = 50000;
// Declared locals are expanded into Function::locals, so a few bytes can ask for 50000 entries.
// Across the module, allow at most this many plus kLocalsPerByte per module byte, which bounds the
// memory a hostile module can make us allocate to a small multiple of its size.
constexpr uint64_t kModuleLocalsBase = uint64_t(1) << 22;
constexpr uint64_t kLocalsPerByte = 8;

enum SectionId : uint8_t {
  kCustom = 0, kType = 1, kImport = 2, kFunction = 3, kTable = 4, kMemory = 5, kGlobal = 6,
  kExport = 7, kStart = 8, kElem = 9, kCode = 10, kData = 11, kDataCount = 12, kTag = 13,
};
constexpr uint8_t kMaxSectionId = kTag;

// Context strings (static, so Readers may keep views of them).
constexpr std::array<const char*, kMaxSectionId + 1> kSectionContext = {
    "section 0 (custom)", "section 1 (type)",   "section 2 (import)", "section 3 (function)",
    "section 4 (table)",  "section 5 (memory)", "section 6 (global)", "section 7 (export)",
    "section 8 (start)",  "section 9 (element)", "section 10 (code)", "section 11 (data)",
    "section 12 (data count)", "section 13 (tag)",
};

// Position of each non-custom section in the required order (the tag section sits between
// memory and global; data count between element and code).
constexpr std::array<uint8_t, kMaxSectionId + 1> kSectionRank = {
    0, /*type*/ 1, /*import*/ 2, /*function*/ 3, /*table*/ 4, /*memory*/ 5, /*global*/ 7,
    /*export*/ 8, /*start*/ 9, /*element*/ 10, /*code*/ 12, /*data*/ 13, /*datacount*/ 11,
    /*tag*/ 6,
};

class ModuleDecoder {
 public:
  ModuleDecoder(Module& m, const binary::Profile& profile) : m_(m), profile_(profile) {}

  Expected<void> decode() {
    Reader r(m_.bytes, 0, "module header");
    if (m_.bytes.size() > std::numeric_limits<uint32_t>::max()) {
      return r.fail("module larger than 4 GiB");
    }
    if (r.remaining() < 4) return r.fail("unexpected end (magic header not detected)");
    if (*r.fixed_u32() != kMagic) return r.fail_at(0, "magic header not detected");
    if (r.remaining() < 4) return r.fail("unexpected end (unknown binary version)");
    uint32_t version = *r.fixed_u32();
    if (version != kVersion) return r.fail_at(4, fmt::format("unknown binary version 0x{:x}", version));

    r.set_context("module");
    uint8_t last_rank = 0;
    while (!r.at_end()) {
      uint32_t header_at = r.offset();
      uint8_t id = *r.u8();
      if (id > kMaxSectionId) return r.fail_at(header_at, fmt::format("malformed section id {}", id));
      KUMO_TRY(uint32_t size, r.u32());
      uint32_t payload_at = r.offset();
      if (size > r.remaining()) {
        return r.fail_at(header_at, fmt::format("unexpected end: section {} declares {} bytes, {} "
                                                "left (length out of bounds)",
                                                kSectionContext[id], size, r.remaining()));
      }
      Reader s(*r.bytes(size), payload_at, kSectionContext[id]);
      if (id != kCustom) {
        if (kSectionRank[id] <= last_rank) {
          return r.fail_at(header_at,
                           fmt::format("unexpected content after last section: {} is out of order "
                                       "or duplicated", kSectionContext[id]));
        }
        last_rank = kSectionRank[id];
      }
      KUMO_CHECK(decode_section(id, s));
      if (!s.at_end()) {
        return s.fail(fmt::format("section size mismatch: {} bytes left over", s.remaining()));
      }
    }
    return finish(r);
  }

 private:
  Expected<void> decode_section(uint8_t id, Reader& s) {
    switch (SectionId(id)) {
      case kCustom: return custom_section(s);
      case kType: return type_section(s);
      case kImport: return import_section(s);
      case kFunction: return function_section(s);
      case kTable: return table_section(s);
      case kMemory: return memory_section(s);
      case kTag: return tag_section(s);
      case kGlobal: return global_section(s);
      case kExport: return export_section(s);
      case kStart: {
        KUMO_TRY(m_.start, s.u32());
        return {};
      }
      case kElem: return elem_section(s);
      case kDataCount: {
        KUMO_TRY(m_.data_count, s.u32());
        return {};
      }
      case kCode: return code_section(s);
      case kData: return data_section(s);
    }
    return s.fail("internal error: unhandled section");
  }

  // Cross-section checks that can only be made once every section has been seen.
  Expected<void> finish(const Reader& r) {
    if (!seen_code_ && !m_.functions.empty()) {
      return r.fail(fmt::format("function and code section have inconsistent lengths: {} functions "
                                "declared, no code section", m_.functions.size()));
    }
    if (!seen_data_ && m_.data_count && *m_.data_count != 0) {
      return r.fail(fmt::format("data count and data section have inconsistent lengths: data count "
                                "{}, no data section", *m_.data_count));
    }
    return {};
  }

  // ---- small pieces ----

  // A constant expression (global initialisers, segment offsets, element items).
  Expected<ConstExpr> const_expr(Reader& s) {
    ConstExpr e;
    binary::ExprFacts facts;
    KUMO_CHECK(binary::decode_expr_into(s, e, facts, profile_));
    return e;
  }

  // limits: a flags byte (bit 0: max present, bit 1: shared, bit 2: 64-bit), then min and max.
  // Since wasm 3.0 both are u64 LEBs whatever the address type; the validator checks the range
  // (e.g. at most 2^16 pages for a 32-bit memory, 2^32-1 elements for a 32-bit table).
  // Before memory64 they are u32 LEBs, and the flag is a 1-bit LEB (2.0's "integer too large"
  // for 0x02, "integer representation too long" for 0x81 0x00), or 0..3 with threads.
  Expected<Limits> limits(Reader& s, bool is_memory) {
    uint32_t at = s.offset();
    KUMO_TRY(uint8_t flags, s.u8());
    if (!profile_.memory64) {
      uint8_t allowed = 0x01 | (is_memory && profile_.shared ? 0x02 : 0x00);
      if (flags & ~allowed) {
        return s.fail_at(at, fmt::format("malformed limits flags 0x{:02x} ({})", flags,
                                         flags & 0x80 ? "integer representation too long"
                                                      : "integer too large"));
      }
    } else {
      // Tables cannot be shared; memories can (threads). Custom page sizes (0x08) are not 3.0.
      uint8_t allowed = is_memory ? (profile_.shared ? 0x07 : 0x05) : 0x05;
      if (flags & ~allowed) {
        return s.fail_at(at, fmt::format("malformed limits flags 0x{:02x}", flags));
      }
    }
    Limits l;
    l.shared = flags & 0x02;
    l.is64 = flags & 0x04;
    auto bound = [&]() -> Expected<uint64_t> {
      if (profile_.memory64) return s.u64();
      KUMO_TRY(uint32_t v, s.u32());
      return uint64_t(v);
    };
    KUMO_TRY(l.min, bound());
    if (flags & 0x01) {
      KUMO_TRY(uint64_t max, bound());
      l.max = max;
    }
    return l;
  }

  Expected<TableType> table_type(Reader& s) {
    TableType t;
    KUMO_TRY(t.elem, binary::read_ref_type(s));
    KUMO_TRY(t.limits, limits(s, false));
    return t;
  }

  Expected<MemoryType> memory_type(Reader& s) {
    MemoryType t;
    KUMO_TRY(t.limits, limits(s, true));
    return t;
  }

  Expected<GlobalType> global_type(Reader& s) {
    GlobalType g;
    KUMO_TRY(g.type, binary::read_val_type(s));
    uint32_t at = s.offset();
    KUMO_TRY(uint8_t mut, s.u8());
    if (mut > 1) return s.fail_at(at, fmt::format("malformed mutability 0x{:02x}", mut));
    g.mut = mut == 1;
    return g;
  }

  // Tag type: an attribute byte (0 = exception) and a function type index.
  Expected<TagType> tag_type(Reader& s) {
    uint32_t at = s.offset();
    KUMO_TRY(uint8_t attr, s.u8());
    if (attr != 0) return s.fail_at(at, fmt::format("malformed tag attribute 0x{:02x}", attr));
    TagType t;
    KUMO_TRY(t.type_index, s.u32());
    return t;
  }

  Expected<std::vector<ValType>> result_types(Reader& s) {
    KUMO_TRY(uint32_t n, s.count(1));
    std::vector<ValType> v;
    v.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      KUMO_TRY(ValType t, binary::read_val_type(s));
      v.push_back(t);
    }
    return v;
  }

  // ---- sections ----

  Expected<void> custom_section(Reader& s) {
    CustomSection c;
    KUMO_TRY(c.name, s.name());
    c.offset = s.offset();
    c.size = uint32_t(s.remaining());
    (void)s.bytes(s.remaining());
    if (c.name == "name") {
      binary::parse_name_section({m_.bytes.data() + c.offset, c.size}, c.offset, m_);
    }
    m_.customs.push_back(std::move(c));
    return {};
  }

  Expected<void> type_section(Reader& s) {
    KUMO_TRY(uint32_t n, s.count(1));
    m_.types.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t at = s.offset();
      KUMO_TRY(uint8_t form, s.u8());
      switch (form) {
        case 0x60: {
          FuncType ft;
          KUMO_TRY(ft.params, result_types(s));
          KUMO_TRY(ft.results, result_types(s));
          m_.types.push_back(std::move(ft));
          break;
        }
        case 0x4E: case 0x4F: case 0x50: case 0x5E: case 0x5F:
          return s.fail_at(at, fmt::format("GC types not supported yet (type form 0x{:02x})", form));
        default:
          return s.fail_at(at, fmt::format("malformed type form 0x{:02x}, expected 0x60 (func)", form));
      }
    }
    return {};
  }

  Expected<void> import_section(Reader& s) {
    KUMO_TRY(uint32_t n, s.count(3));
    m_.imports.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      Import imp;
      KUMO_TRY(imp.module, s.name());
      KUMO_TRY(imp.name, s.name());
      uint32_t at = s.offset();
      KUMO_TRY(uint8_t kind, s.u8());
      switch (kind) {
        case 0: {
          imp.kind = ExternKind::Func;
          KUMO_TRY(imp.type_index, s.u32());
          ++m_.num_imported_funcs;
          break;
        }
        case 1: {
          imp.kind = ExternKind::Table;
          KUMO_TRY(imp.table, table_type(s));
          ++m_.num_imported_tables;
          break;
        }
        case 2: {
          imp.kind = ExternKind::Memory;
          KUMO_TRY(imp.memory, memory_type(s));
          ++m_.num_imported_memories;
          break;
        }
        case 3: {
          imp.kind = ExternKind::Global;
          KUMO_TRY(imp.global, global_type(s));
          ++m_.num_imported_globals;
          break;
        }
        case 4: {
          imp.kind = ExternKind::Tag;
          KUMO_TRY(TagType t, tag_type(s));
          imp.type_index = t.type_index;
          ++m_.num_imported_tags;
          break;
        }
        default:
          return s.fail_at(at, fmt::format("malformed import kind 0x{:02x}", kind));
      }
      m_.imports.push_back(std::move(imp));
    }
    return {};
  }

  Expected<void> function_section(Reader& s) {
    KUMO_TRY(uint32_t n, s.count(1));
    m_.functions.resize(n);
    for (uint32_t i = 0; i < n; ++i) {
      KUMO_TRY(m_.functions[i].type_index, s.u32());
    }
    return {};
  }

  Expected<void> table_section(Reader& s) {
    KUMO_TRY(uint32_t n, s.count(1));
    m_.tables.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      Table t;
      KUMO_TRY(uint8_t first, s.peek());
      if (first == 0x40) {
        // wasm 3.0: 0x40 0x00 tabletype expr, a table with an explicit initialiser.
        (void)s.u8();
        uint32_t at = s.offset();
        KUMO_TRY(uint8_t zero, s.u8());
        if (zero != 0) return s.fail_at(at, "malformed table: zero byte expected after 0x40");
        KUMO_TRY(t.type, table_type(s));
        KUMO_TRY(t.init, const_expr(s));
      } else {
        KUMO_TRY(t.type, table_type(s));
      }
      m_.tables.push_back(std::move(t));
    }
    return {};
  }

  Expected<void> memory_section(Reader& s) {
    KUMO_TRY(uint32_t n, s.count(1));
    m_.memories.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      KUMO_TRY(MemoryType t, memory_type(s));
      m_.memories.push_back(t);
    }
    return {};
  }

  Expected<void> tag_section(Reader& s) {
    KUMO_TRY(uint32_t n, s.count(2));
    m_.tags.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      KUMO_TRY(TagType t, tag_type(s));
      m_.tags.push_back(t);
    }
    return {};
  }

  Expected<void> global_section(Reader& s) {
    KUMO_TRY(uint32_t n, s.count(3));
    m_.globals.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      Global g;
      KUMO_TRY(g.type, global_type(s));
      KUMO_TRY(g.init, const_expr(s));
      m_.globals.push_back(std::move(g));
    }
    return {};
  }

  Expected<void> export_section(Reader& s) {
    KUMO_TRY(uint32_t n, s.count(3));
    m_.exports.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      Export e;
      KUMO_TRY(e.name, s.name());
      uint32_t at = s.offset();
      KUMO_TRY(uint8_t kind, s.u8());
      if (kind > uint8_t(ExternKind::Tag)) {
        return s.fail_at(at, fmt::format("malformed export kind 0x{:02x}", kind));
      }
      e.kind = ExternKind(kind);
      KUMO_TRY(e.index, s.u32());
      m_.exports.push_back(std::move(e));
    }
    return {};
  }

  // Element segments. flags bit 0: passive/declarative (else active); bit 1: with bit 0,
  // declarative, without it, an explicit table index; bit 2: items are expressions (else
  // function indices, with an elemkind byte instead of a reference type).
  Expected<void> elem_section(Reader& s) {
    KUMO_TRY(uint32_t n, s.count(1));
    m_.elems.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t at = s.offset();
      KUMO_TRY(uint32_t flags, s.u32());
      if (flags > 7) return s.fail_at(at, fmt::format("malformed elements segment kind {}", flags));
      ElemSegment seg;
      const bool passive_or_declarative = flags & 1;
      const bool explicit_table = (flags & 2) && !passive_or_declarative;
      const bool exprs = flags & 4;
      if (!passive_or_declarative) {
        seg.mode = SegmentMode::Active;
        if (explicit_table) {
          KUMO_TRY(seg.table, s.u32());
        }
        KUMO_TRY(seg.offset, const_expr(s));
      } else {
        seg.mode = (flags & 2) ? SegmentMode::Declarative : SegmentMode::Passive;
      }
      // Function-index forms (flags 0-3) have type (ref func) in wasm 3.0; flag 4 implies
      // funcref; the others spell out the element kind / reference type.
      if (!exprs) seg.type = ValType::ref(false, HeapType{HeapType::Func});
      if (flags != 0 && flags != 4) {
        if (exprs) {
          KUMO_TRY(seg.type, binary::read_ref_type(s));
        } else {
          uint32_t kat = s.offset();
          KUMO_TRY(uint8_t kind, s.u8());
          if (kind != 0x00) return s.fail_at(kat, fmt::format("malformed element kind 0x{:02x}", kind));
        }
      }
      KUMO_TRY(uint32_t count, s.count(1));
      seg.items.reserve(count);
      for (uint32_t k = 0; k < count; ++k) {
        if (exprs) {
          KUMO_TRY(ConstExpr e, const_expr(s));
          seg.items.push_back(std::move(e));
        } else {
          // A function index becomes the expression `ref.func idx; end`.
          ConstExpr e;
          Instr in;
          in.op = Op::RefFunc;
          in.offset = s.offset();
          KUMO_TRY(in.index, s.u32());
          Instr end;
          end.op = Op::End;
          end.offset = s.offset();
          e.instrs = {in, end};
          seg.items.push_back(std::move(e));
        }
      }
      m_.elems.push_back(std::move(seg));
    }
    return {};
  }

  Expected<void> code_section(Reader& s) {
    seen_code_ = true;
    uint32_t count_at = s.offset();
    KUMO_TRY(uint32_t n, s.count(1));
    if (n != m_.functions.size()) {
      return s.fail_at(count_at, fmt::format("function and code section have inconsistent lengths: "
                                             "{} functions, {} bodies", m_.functions.size(), n));
    }
    binary::ExprFacts facts;
    Body scratch;  // bodies are decoded to check them; the validator decodes them again
    std::string context;
    for (uint32_t i = 0; i < n; ++i) {
      KUMO_TRY(uint32_t size, s.u32());
      uint32_t body_at = s.offset();
      KUMO_TRY(auto bytes, s.bytes(size));
      context = fmt::format("{}, function {}", s.context(), m_.num_imported_funcs + i);
      Reader b(bytes, body_at, context);
      Function& f = m_.functions[i];

      KUMO_TRY(uint32_t groups, b.count(2));
      uint64_t total = 0;
      for (uint32_t g = 0; g < groups; ++g) {
        uint32_t at = b.offset();
        KUMO_TRY(uint32_t k, b.u32());
        total += k;  // u64: cannot overflow, at most 2^32 groups of < 2^32
        if (total > kMaxLocals) {
          return b.fail_at(at, fmt::format("too many locals: more than {}", kMaxLocals));
        }
        KUMO_TRY(ValType t, binary::read_val_type(b));
        module_locals_ += k;
        if (module_locals_ > kModuleLocalsBase + kLocalsPerByte * m_.bytes.size()) {
          return b.fail_at(at, "too many locals in the module for its size");
        }
        f.locals.insert(f.locals.end(), k, t);
      }

      f.code_offset = b.offset();
      f.code_size = uint32_t(b.remaining());
      scratch.instrs.clear();
      scratch.br_targets.clear();
      scratch.catches.clear();
      facts = {};
      KUMO_CHECK(binary::decode_expr_into(b, scratch, facts, profile_));
      if (!b.at_end()) {
        return b.fail(fmt::format("END opcode expected: {} bytes after the function's final end "
                                  "(section size mismatch)", b.remaining()));
      }
      // The data count section comes before the code section, so its absence is final here.
      if (facts.uses_data_index && !m_.data_count) {
        return b.fail_at(f.code_offset, "data count section required (memory.init or data.drop "
                                        "is used)");
      }
    }
    return {};
  }

  Expected<void> data_section(Reader& s) {
    seen_data_ = true;
    uint32_t count_at = s.offset();
    KUMO_TRY(uint32_t n, s.count(1));
    if (m_.data_count && *m_.data_count != n) {
      return s.fail_at(count_at, fmt::format("data count and data section have inconsistent "
                                             "lengths: data count {}, {} segments",
                                             *m_.data_count, n));
    }
    m_.datas.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t at = s.offset();
      KUMO_TRY(uint32_t flags, s.u32());
      DataSegment d;
      switch (flags) {
        case 0: {
          KUMO_TRY(d.offset, const_expr(s));
          break;
        }
        case 1:
          d.mode = SegmentMode::Passive;
          break;
        case 2: {
          KUMO_TRY(d.memory, s.u32());
          KUMO_TRY(d.offset, const_expr(s));
          break;
        }
        default:
          return s.fail_at(at, fmt::format("malformed data segment kind {}", flags));
      }
      KUMO_TRY(uint32_t size, s.u32());
      d.data_offset = s.offset();
      d.data_size = size;
      KUMO_CHECK(s.bytes(size));
      m_.datas.push_back(std::move(d));
    }
    return {};
  }

  Module& m_;
  const binary::Profile profile_;
  bool seen_code_ = false;
  bool seen_data_ = false;
  uint64_t module_locals_ = 0;  // declared locals across all functions so far
};

}  // namespace

Expected<std::shared_ptr<Module>> decode_module(std::span<const uint8_t> bytes,
                                                const Features& features) {
  binary::Profile profile;
  profile.memory_index = features.multi_memory;
  profile.table_index = features.reference_types;
  profile.memory64 = features.memory64;
  profile.shared = features.threads;
  profile.gc = features.gc;
  auto m = std::make_shared<Module>();
  m->bytes.assign(bytes.begin(), bytes.end());
  ModuleDecoder d(*m, profile);
  KUMO_CHECK(d.decode());
  return m;
}

Expected<std::shared_ptr<Module>> decode_module(std::span<const uint8_t> bytes) {
  return decode_module(bytes, Features::wasm3());
}

}  // namespace kumo::wasm
