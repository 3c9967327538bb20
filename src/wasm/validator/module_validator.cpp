// Module-level validation: types, imports, limits, globals, segments, exports, start, then each
// function body through FuncValidator.
#include <string_view>
#include <unordered_set>

#include "wasm/module.hpp"
#include "wasm/validator/context.hpp"
#include "wasm/validator/func_validator.hpp"
#include "wasm/validator/validator.hpp"

namespace kumo::wasm {

namespace {

using validator::Context;
using validator::FuncValidator;
using validator::type_name;

constexpr ValType addr_type(const Limits& l) { return l.is64 ? ValType::I64 : ValType::I32; }

Expected<void> check_table_type(const Context& c, const TableType& t, std::string_view what) {
  if (!t.elem.is_ref() || !c.valtype_valid(t.elem)) {
    return err("{}: unknown type {}", what, type_name(t.elem));
  }
  const Limits& l = t.limits;
  if (l.max && l.min > *l.max) {
    return err("{}: size minimum must not be greater than maximum", what);
  }
  constexpr uint64_t kMax32 = 0xFFFFFFFFull;
  if (!l.is64 && (l.min > kMax32 || (l.max && *l.max > kMax32))) {
    return err("{}: table size must be at most 2^32-1", what);
  }
  return {};
}

Expected<void> check_memory_type(const MemoryType& mt, std::string_view what) {
  const Limits& l = mt.limits;
  if (mt.page_size_log2 != 0 && mt.page_size_log2 != 16) {
    return err("{}: invalid custom page size 2^{}", what, mt.page_size_log2);
  }
  if (l.max && l.min > *l.max) {
    return err("{}: size minimum must not be greater than maximum", what);
  }
  // The whole memory must be addressable: 2^32 bytes for i32 addresses, 2^64 for i64.
  const unsigned addr_bits = l.is64 ? 64 : 32;
  const unsigned page_bits = mt.page_size_log2;
  const uint64_t max_pages = addr_bits - page_bits >= 64 ? UINT64_MAX : 1ull << (addr_bits - page_bits);
  if (l.min > max_pages || (l.max && *l.max > max_pages)) {
    if (!l.is64 && page_bits == 16) {
      return err("{}: memory size must be at most 65536 pages (4GiB)", what);
    }
    return err("{}: memory size must be at most {} pages", what, max_pages);
  }
  if (l.shared && !l.max) return err("{}: shared memory must have maximum", what);
  return {};
}

const char* kind_name(ExternKind k) {
  switch (k) {
    case ExternKind::Func: return "function";
    case ExternKind::Table: return "table";
    case ExternKind::Memory: return "memory";
    case ExternKind::Global: return "global";
    case ExternKind::Tag: return "tag";
  }
  return "extern";
}

class ModuleValidator {
 public:
  ModuleValidator(const Module& m, const Features& features) : m_(m) {
    c_.m = &m;
    c_.features = features;
  }

  Expected<void> run(std::span<const Body> bodies);

 private:
  Expected<void> types();
  Expected<void> imports();
  Expected<void> definitions();
  Expected<void> const_exprs();
  Expected<void> exports_and_start();
  void collect_declared_refs();
  Expected<void> bodies(std::span<const Body> bodies);
  Expected<void> tag_type(uint32_t type_index, std::string_view what);

  const Module& m_;
  Context c_;
  FuncValidator fv_{c_};
};

Expected<void> ModuleValidator::run(std::span<const Body> pre) {
  KUMO_CHECK(types());
  KUMO_CHECK(imports());
  KUMO_CHECK(definitions());
  collect_declared_refs();
  KUMO_CHECK(const_exprs());
  KUMO_CHECK(exports_and_start());
  return bodies(pre);
}

Expected<void> ModuleValidator::types() {
  for (size_t i = 0; i < m_.types.size(); i++) {
    const FuncType& ft = m_.types[i];
    for (const auto* list : {&ft.params, &ft.results}) {
      for (ValType t : *list) {
        if (!c_.valtype_valid(t)) return err("type {}: unknown type {}", i, type_name(t));
        // Each type is its own rec group (Module has no rec groups): no forward references.
        if (t.is_ref() && t.heap().is_concrete() && t.heap().type_index() > i) {
          return err("type {}: unknown type {} (forward reference)", i, t.heap().type_index());
        }
      }
    }
    if (!c_.features.multi_value && ft.results.size() > 1) {
      return err("type {}: invalid result arity", i);
    }
  }
  c_.canonicalize_types();
  return {};
}

Expected<void> ModuleValidator::tag_type(uint32_t type_index, std::string_view what) {
  if (type_index >= m_.types.size()) return err("{}: unknown type {}", what, type_index);
  if (!m_.types[type_index].results.empty()) return err("{}: non-empty tag result type", what);
  c_.tag_types.push_back(type_index);
  return {};
}

Expected<void> ModuleValidator::imports() {
  for (size_t i = 0; i < m_.imports.size(); i++) {
    const Import& im = m_.imports[i];
    const std::string what = fmt::format("import {} (\"{}\" \"{}\")", i, im.module, im.name);
    switch (im.kind) {
      case ExternKind::Func:
        if (im.type_index >= m_.types.size()) {
          return err("{}: unknown type {}", what, im.type_index);
        }
        c_.func_types.push_back(im.type_index);
        break;
      case ExternKind::Table:
        KUMO_CHECK(check_table_type(c_, im.table, what));
        c_.tables.push_back(im.table);
        break;
      case ExternKind::Memory:
        KUMO_CHECK(check_memory_type(im.memory, what));
        c_.memories.push_back(im.memory);
        break;
      case ExternKind::Global:
        if (!c_.valtype_valid(im.global.type)) {
          return err("{}: unknown type {}", what, type_name(im.global.type));
        }
        c_.globals.push_back(im.global);
        break;
      case ExternKind::Tag:
        KUMO_CHECK(tag_type(im.type_index, what));
        break;
      default:
        return err("{}: unknown import kind {}", what, int(im.kind));
    }
  }
  return {};
}

Expected<void> ModuleValidator::definitions() {
  const uint32_t nfi = uint32_t(c_.func_types.size());
  for (size_t i = 0; i < m_.functions.size(); i++) {
    uint32_t ti = m_.functions[i].type_index;
    if (ti >= m_.types.size()) return err("func {}: unknown type {}", nfi + i, ti);
    c_.func_types.push_back(ti);
  }
  const size_t nti = c_.tables.size();
  for (size_t i = 0; i < m_.tables.size(); i++) {
    const Table& t = m_.tables[i];
    KUMO_CHECK(check_table_type(c_, t.type, fmt::format("table {}", nti + i)));
    if (!t.init && !validator::defaultable(t.type.elem)) {
      return err("table {}: type mismatch: a table of {} needs an initialiser", nti + i,
                 type_name(t.type.elem));
    }
    c_.tables.push_back(t.type);
  }
  const size_t nmi = c_.memories.size();
  for (size_t i = 0; i < m_.memories.size(); i++) {
    KUMO_CHECK(check_memory_type(m_.memories[i], fmt::format("memory {}", nmi + i)));
    c_.memories.push_back(m_.memories[i]);
  }
  if (!c_.features.reference_types && c_.tables.size() > 1) return err("multiple tables");
  if (!c_.features.multi_memory && c_.memories.size() > 1) return err("multiple memories");
  const size_t ngi = c_.globals.size();
  for (size_t i = 0; i < m_.globals.size(); i++) {
    const GlobalType& g = m_.globals[i].type;
    if (!c_.valtype_valid(g.type)) {
      return err("global {}: unknown type {}", ngi + i, type_name(g.type));
    }
    c_.globals.push_back(g);
  }
  const size_t ntagi = c_.tag_types.size();
  for (size_t i = 0; i < m_.tags.size(); i++) {
    KUMO_CHECK(tag_type(m_.tags[i].type_index, fmt::format("tag {}", ntagi + i)));
  }
  for (size_t i = 0; i < m_.elems.size(); i++) {
    ValType t = m_.elems[i].type;
    if (!t.is_ref() || !c_.valtype_valid(t)) {
      return err("elem {}: unknown type {}", i, type_name(t));
    }
    c_.elem_types.push_back(t);
  }
  c_.has_data_count = m_.data_count.has_value();
  if (c_.has_data_count && *m_.data_count != m_.datas.size()) {
    return err("data count ({}) and data section ({}) have inconsistent lengths", *m_.data_count,
               m_.datas.size());
  }
  c_.num_datas = uint32_t(m_.datas.size());
  return {};
}

// C.refs: functions referenced anywhere outside function bodies (and the start function).
void ModuleValidator::collect_declared_refs() {
  c_.declared.assign(c_.func_types.size(), 0);
  auto scan = [&](const ConstExpr& e) {
    for (const Instr& in : e.instrs) {
      if (in.op == Op::RefFunc && in.index < c_.declared.size()) c_.declared[in.index] = 1;
    }
  };
  for (const Export& e : m_.exports) {
    if (e.kind == ExternKind::Func && e.index < c_.declared.size()) c_.declared[e.index] = 1;
  }
  for (const Global& g : m_.globals) scan(g.init);
  for (const Table& t : m_.tables) {
    if (t.init) scan(*t.init);
  }
  for (const ElemSegment& s : m_.elems) {
    scan(s.offset);
    for (const ConstExpr& item : s.items) scan(item);
  }
  for (const DataSegment& d : m_.datas) scan(d.offset);
}

Expected<void> ModuleValidator::const_exprs() {
  const uint32_t all = uint32_t(c_.globals.size());
  const uint32_t imported = all - uint32_t(m_.globals.size());
  // Tables precede globals: their initialisers see only imported globals. Globals see the
  // preceding ones under GC rules; segments see them all.
  for (size_t i = 0; i < m_.tables.size(); i++) {
    if (!m_.tables[i].init) continue;
    const size_t ti = c_.tables.size() - m_.tables.size() + i;
    KUMO_CHECK(fv_.const_expr(*m_.tables[i].init, m_.tables[i].type.elem, imported,
                              fmt::format("table {} init", ti)));
  }
  for (size_t i = 0; i < m_.globals.size(); i++) {
    const uint32_t gi = imported + uint32_t(i);
    KUMO_CHECK(fv_.const_expr(m_.globals[i].init, m_.globals[i].type.type,
                              c_.features.gc ? gi : imported, fmt::format("global {} init", gi)));
  }
  const uint32_t seg_globals = c_.features.gc ? all : imported;
  for (size_t i = 0; i < m_.elems.size(); i++) {
    const ElemSegment& s = m_.elems[i];
    for (size_t j = 0; j < s.items.size(); j++) {
      KUMO_CHECK(fv_.const_expr(s.items[j], s.type, seg_globals,
                                fmt::format("elem {} item {}", i, j)));
    }
    if (s.mode != SegmentMode::Active) continue;
    if (s.table >= c_.tables.size()) return err("elem {}: unknown table {}", i, s.table);
    const TableType& tt = c_.tables[s.table];
    KUMO_CHECK(fv_.const_expr(s.offset, addr_type(tt.limits), seg_globals,
                              fmt::format("elem {} offset", i)));
    if (!c_.sub(s.type, tt.elem)) {
      return err("elem {}: type mismatch: segment of {} for a table of {}", i, type_name(s.type),
                 type_name(tt.elem));
    }
  }
  for (size_t i = 0; i < m_.datas.size(); i++) {
    const DataSegment& d = m_.datas[i];
    if (d.mode != SegmentMode::Active) continue;
    if (d.memory >= c_.memories.size()) return err("data {}: unknown memory {}", i, d.memory);
    KUMO_CHECK(fv_.const_expr(d.offset, addr_type(c_.memories[d.memory].limits), seg_globals,
                              fmt::format("data {} offset", i)));
  }
  return {};
}

Expected<void> ModuleValidator::exports_and_start() {
  std::unordered_set<std::string_view> names;
  names.reserve(m_.exports.size());
  for (size_t i = 0; i < m_.exports.size(); i++) {
    const Export& e = m_.exports[i];
    size_t n = 0;
    switch (e.kind) {
      case ExternKind::Func: n = c_.func_types.size(); break;
      case ExternKind::Table: n = c_.tables.size(); break;
      case ExternKind::Memory: n = c_.memories.size(); break;
      case ExternKind::Global: n = c_.globals.size(); break;
      case ExternKind::Tag: n = c_.tag_types.size(); break;
    }
    if (e.index >= n) {
      return err("export {} (\"{}\"): unknown {} {}", i, e.name, kind_name(e.kind), e.index);
    }
    if (!names.insert(e.name).second) {
      return err("export {} (\"{}\"): duplicate export name", i, e.name);
    }
  }
  if (m_.start) {
    const uint32_t s = *m_.start;
    if (s >= c_.func_types.size()) return err("start function: unknown function {}", s);
    const FuncType& ft = c_.func_type(s);
    if (!ft.params.empty() || !ft.results.empty()) {
      return err("start function {}: must have type [] -> [], has {}", s,
                 validator::types_name(ft.params) + " -> " + validator::types_name(ft.results));
    }
  }
  return {};
}

Expected<void> ModuleValidator::bodies(std::span<const Body> pre) {
  const uint32_t nfi = uint32_t(c_.func_types.size() - m_.functions.size());
  for (size_t i = 0; i < m_.functions.size(); i++) {
    const Function& f = m_.functions[i];
    const uint32_t fi = nfi + uint32_t(i);
    if (!pre.empty()) {
      KUMO_CHECK(fv_.function(fi, f, pre[i]));
      continue;
    }
    if (uint64_t(f.code_offset) + f.code_size > m_.bytes.size()) {
      return err("func {}: code out of bounds of the module", fi);
    }
    auto body = decode_expr(m_.code(f), f.code_offset);
    if (!body) return err("func {}: {}", fi, body.error().message);
    KUMO_CHECK(fv_.function(fi, f, *body));
  }
  return {};
}

}  // namespace

Expected<void> validate_module(const Module& m, const Features& features) {
  return ModuleValidator(m, features).run({});
}

Expected<void> validate_module(const Module& m, std::span<const Body> bodies,
                               const Features& features) {
  if (bodies.size() != m.functions.size()) {
    return err("validate_module: {} bodies for {} functions", bodies.size(), m.functions.size());
  }
  if (bodies.empty()) return validate_module(m, features);
  return ModuleValidator(m, features).run(bodies);
}

Expected<void> validate_module(const Module& m) { return validate_module(m, Features::wasm3()); }

}  // namespace kumo::wasm
