// Module instantiation (spec 2.0 / 3.0 "instantiate"): import matching, allocation, constant
// expressions, segment initialisation and the start function.
//
// Room for fast fresh instances later: an InstancePre could do the import checks and constant
// segment offsets once, and a memory whose active data segments have constant offsets could start
// from a copy-on-write memfd image (see memory.cpp) instead of the memcpy loop below.
#include <cstring>
#include <vector>

#include "wasm/interp/interp.hpp"
#include "wasm/runtime/host_func.hpp"
#include "wasm/runtime/store.hpp"

namespace kumo::wasm {

namespace {

// ---------------------------------------------------------------------------------------------
// Import matching

std::string import_name(const Import& imp, size_t index) {
  return fmt::format("import {} (\"{}\" \"{}\")", index, imp.module, imp.name);
}

std::string limits_text(const Limits& l) {
  std::string s = l.is64 ? "i64 " : "";
  s += l.max ? fmt::format("{{min {}, max {}}}", l.min, *l.max) : fmt::format("{{min {}}}", l.min);
  if (l.shared) s += " shared";
  return s;
}

std::string global_text(const GlobalType& g) {
  return g.mut ? fmt::format("(mut {})", to_string(g.type)) : to_string(g.type);
}

// Runtime objects carry canonical types: a concrete `(ref k)` of the module becomes `(ref id)`
// with the Engine's id of type k, so types from different modules compare correctly.
ValType canonical(ValType v, const CompiledModule& c) {
  if (!v.is_ref() || !v.heap().is_concrete()) return v;
  return ValType::ref(v.nullable(), HeapType::concrete(c.type_ids[v.heap().type_index()]));
}

// The top of a heap type's hierarchy. Concrete types are function types until GC types exist.
uint32_t heap_top(HeapType h) {
  if (h.is_concrete()) return HeapType::Func;
  switch (h.value) {
    case HeapType::Func:
    case HeapType::NoFunc: return HeapType::Func;
    case HeapType::Extern:
    case HeapType::NoExtern: return HeapType::Extern;
    case HeapType::Exn:
    case HeapType::NoExn: return HeapType::Exn;
    default: return HeapType::Any;
  }
}

bool heap_subtype(HeapType a, HeapType b) {
  if (a == b) return true;
  if (heap_top(a) != heap_top(b)) return false;
  if (b.value == heap_top(b)) return true;  // b is the top of the hierarchy
  switch (a.value) {
    case HeapType::None:
    case HeapType::NoFunc:
    case HeapType::NoExtern:
    case HeapType::NoExn: return true;  // bottoms are below everything in their hierarchy
    case HeapType::I31:
    case HeapType::Struct:
    case HeapType::Array: return b.value == HeapType::Eq;
    default: return false;
  }
}

// Value subtyping (wasm 3.0); numeric types only match themselves.
bool val_subtype(ValType a, ValType b) {
  if (!a.is_ref() || !b.is_ref()) return a == b;
  if (a.nullable() && !b.nullable()) return false;
  return heap_subtype(a.heap(), b.heap());
}

// Limits subtyping: the provided object may be bigger and more tightly bounded than required.
bool limits_match(const Limits& actual, const Limits& required) {
  if (actual.is64 != required.is64 || actual.shared != required.shared) return false;
  if (actual.min < required.min) return false;
  if (required.max && (!actual.max || *actual.max > *required.max)) return false;
  return true;
}

// Checks that `ext` can satisfy import `index`. Tables and memories are matched with their
// current size as the minimum, as the spec does for an instance's external type.
Expected<void> check_import(const CompiledModule& compiled, Engine& engine, size_t index,
                            const Extern& ext) {
  const Import& imp = compiled.module->imports[index];
  auto mismatch = [&](const std::string& expected, const std::string& got) {
    return err("{}: incompatible import type: expected {}, got {}", import_name(imp, index),
               expected, got);
  };
  if (ext.ptr == nullptr) return err("{}: unknown import (null)", import_name(imp, index));
  if (ext.kind != imp.kind) return mismatch(to_string(imp.kind), to_string(ext.kind));

  switch (imp.kind) {
    case ExternKind::Func: {
      uint32_t want = compiled.type_ids[imp.type_index];
      if (ext.func->type_id != want) {
        return mismatch("func " + to_string(engine.type_of(want)),
                        "func " + to_string(*ext.func->type));
      }
      break;
    }
    case ExternKind::Table: {
      TableType want = imp.table;
      want.elem = canonical(want.elem, compiled);
      TableType have = ext.table->type;
      have.limits.min = ext.table->elems.size();
      if (!(have.elem == want.elem) || !limits_match(have.limits, want.limits)) {
        return mismatch(fmt::format("table {} {}", limits_text(want.limits), to_string(want.elem)),
                        fmt::format("table {} {}", limits_text(have.limits), to_string(have.elem)));
      }
      break;
    }
    case ExternKind::Memory: {
      const MemoryType& want = imp.memory;
      MemoryType have = ext.memory->type;
      have.limits.min = ext.memory->pages();
      if (have.page_size_log2 != want.page_size_log2 || !limits_match(have.limits, want.limits)) {
        return mismatch("memory " + limits_text(want.limits), "memory " + limits_text(have.limits));
      }
      break;
    }
    case ExternKind::Global: {
      // Mutable globals are invariant; immutable ones covariant (a (ref func) serves a funcref).
      GlobalType want = imp.global;
      want.type = canonical(want.type, compiled);
      const GlobalType& have = ext.global->type;
      bool ok = have.mut == want.mut &&
                (want.mut ? have.type == want.type : val_subtype(have.type, want.type));
      if (!ok) {
        return mismatch("global " + global_text(want), "global " + global_text(have));
      }
      break;
    }
    case ExternKind::Tag: {
      uint32_t want = compiled.type_ids[imp.type_index];
      if (ext.tag->type_id != want) {
        return mismatch("tag " + to_string(engine.type_of(want)),
                        "tag " + to_string(*ext.tag->type));
      }
      break;
    }
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Constant expressions

// A constant's bits in the slot layout of GlobalInst::value (i32/f32 zero-extended, references
// as pointer bits, v128 in both words).
struct Slots {
  uint64_t lo = 0, hi = 0;
};

Expected<Slots> eval_const(const ConstExpr& expr, const Instance& inst) {
  // Fast path: almost every initialiser is one constant (every element of a function table is a
  // ref.func), evaluated per instantiation.
  if (const Instr* single = expr.single()) {
    const Instr& in = *single;
    switch (in.op) {
      case Op::I32Const: return Slots{uint32_t(in.i64)};
      case Op::I64Const: return Slots{uint64_t(in.i64)};
      case Op::RefNull: return Slots{0};
      case Op::RefFunc:
        if (in.index < inst.funcs.size())
          return Slots{reinterpret_cast<uintptr_t>(inst.funcs[in.index])};
        break;
      default: break;
    }
  }
  std::vector<Slots> stack;
  auto pop = [&stack] {
    Slots v = stack.back();
    stack.pop_back();
    return v;
  };
  for (const Instr& in : expr.instrs) {
    switch (in.op) {
      case Op::I32Const: stack.push_back({uint32_t(in.i64)}); break;
      case Op::I64Const: stack.push_back({uint64_t(in.i64)}); break;
      case Op::F32Const: stack.push_back({uint32_t(in.bits)}); break;
      case Op::F64Const: stack.push_back({in.bits}); break;
      case Op::V128Const: {
        Slots v;
        std::memcpy(&v.lo, in.v128.data(), 8);
        std::memcpy(&v.hi, in.v128.data() + 8, 8);
        stack.push_back(v);
        break;
      }
      case Op::RefNull: stack.push_back({0}); break;
      case Op::RefFunc:
        if (in.index >= inst.funcs.size())
          return err("constant expression: unknown function {}", in.index);
        stack.push_back({reinterpret_cast<uintptr_t>(inst.funcs[in.index])});
        break;
      case Op::GlobalGet: {
        if (in.index >= inst.globals.size())
          return err("constant expression: unknown global {}", in.index);
        const GlobalInst* g = inst.globals[in.index];
        stack.push_back({g->value[0], g->value[1]});
        break;
      }
      case Op::I32Add:
      case Op::I32Sub:
      case Op::I32Mul:
      case Op::I64Add:
      case Op::I64Sub:
      case Op::I64Mul: {
        if (stack.size() < 2) return err("constant expression: operand stack underflow");
        uint64_t b = pop().lo, a = pop().lo;
        uint64_t r = in.op == Op::I32Add || in.op == Op::I64Add   ? a + b
                     : in.op == Op::I32Sub || in.op == Op::I64Sub ? a - b
                                                                  : a * b;
        bool is32 = in.op == Op::I32Add || in.op == Op::I32Sub || in.op == Op::I32Mul;
        stack.push_back({is32 ? uint32_t(r) : r});
        break;
      }
      case Op::RefI31: {
        if (stack.empty()) return err("constant expression: operand stack underflow");
        uint32_t v = uint32_t(pop().lo);
        stack.push_back({reinterpret_cast<uintptr_t>(make_i31_ref(v))});
        break;
      }
      case Op::End: break;
      default: return err("constant expression: unsupported instruction {}", op_info(in.op).text);
    }
  }
  if (stack.size() != 1)
    return err("constant expression: expected one value, got {}", stack.size());
  return stack.back();
}

Ref as_ref(Slots v) { return reinterpret_cast<Ref>(uintptr_t(v.lo)); }

}  // namespace

// ---------------------------------------------------------------------------------------------

Expected<Instance*> Store::instantiate(std::shared_ptr<const CompiledModule> compiled,
                                       std::span<const Extern> imports) {
  const Module& m = *compiled->module;
  if (imports.size() != m.imports.size()) {
    return err("module expects {} imports, got {}", m.imports.size(), imports.size());
  }
  for (size_t i = 0; i < imports.size(); ++i)
    KUMO_CHECK(check_import(*compiled, engine_, i, imports[i]));

  // A deque element: the address stays valid while the start function instantiates more modules.
  // On failure below, the instance stays in the Store: objects shared through imports may
  // already refer to its functions (spec 2.0 keeps partial initialisation).
  Instance& inst = instances_.emplace_back(&arena_);
  inst.compiled = compiled;
  // Exact sizes up front: no vector grows (reallocates) below.
  inst.funcs.reserve(m.num_imported_funcs + m.functions.size());
  inst.tables.reserve(m.num_imported_tables + m.tables.size());
  inst.memories.reserve(m.num_imported_memories + m.memories.size());
  inst.globals.reserve(m.num_imported_globals + m.globals.size());
  inst.tags.reserve(m.num_imported_tags + m.tags.size());

  for (const Extern& e : imports) {
    switch (e.kind) {
      case ExternKind::Func: inst.funcs.push_back(e.func); break;
      case ExternKind::Table: inst.tables.push_back(e.table); break;
      case ExternKind::Memory: inst.memories.push_back(e.memory); break;
      case ExternKind::Global: inst.globals.push_back(e.global); break;
      case ExternKind::Tag: inst.tags.push_back(e.tag); break;
    }
  }

  // Functions first: globals, tables and segments may hold references to them.
  FuncInst* block = new_funcs(m.functions.size());
  const bool typed = compiled->func_types.size() == m.functions.size();
  for (uint32_t i = 0; i < m.functions.size(); ++i) {
    FuncInst* f = &block[i];
    if (typed) {
      f->type_id = compiled->func_type_ids[i];
      f->type = compiled->func_types[i];
    } else {
      f->type_id = compiled->type_ids[m.functions[i].type_index];
      f->type = compiled->type_ptrs.size() > m.functions[i].type_index
                    ? compiled->type_ptrs[m.functions[i].type_index]
                    : &engine_.type_of(f->type_id);
    }
    f->instance = &inst;
    f->func_index = m.num_imported_funcs + i;
    f->code = i < compiled->code.size() ? compiled->code[i].get() : nullptr;
    inst.funcs.push_back(f);
  }

  // Globals in order (an initialiser may read earlier globals), then tables (whose wasm 3.0
  // initialisers may read globals), memories and tags.
  for (const Global& g : m.globals) {
    KUMO_TRY(Slots v, eval_const(g.init, inst));
    GlobalInst* gi = new_global();
    gi->type = g.type;
    gi->type.type = canonical(g.type.type, *compiled);
    gi->value[0] = v.lo;
    gi->value[1] = v.hi;
    inst.globals.push_back(gi);
  }
  for (const Table& t : m.tables) {
    Ref init = nullptr;
    if (t.init) {
      KUMO_TRY(Slots v, eval_const(*t.init, inst));
      init = as_ref(v);
    }
    TableType type = t.type;
    type.elem = canonical(type.elem, *compiled);
    KUMO_TRY(TableInst * table, add_table(type, init));
    inst.tables.push_back(table);
  }
  const MemoryImage* image = nullptr;
  if (m.num_imported_memories == 0 && !m.memories.empty() && engine_.config().guard_pages)
    image = compiled->memory_image();
  for (size_t i = 0; i < m.memories.size(); ++i) {
    KUMO_TRY(MemoryInst * mem, add_memory(m.memories[i], i == 0 ? image : nullptr));
    inst.memories.push_back(mem);
  }
  // Active data segments already in memory 0's image need no copying (all of memory 0's are, when
  // it has one: MemoryImage::build takes all or nothing).
  const bool imaged = image && !inst.memories.empty() && inst.memories[0]->has_image(*image);
  for (const TagType& tag : m.tags) {
    TagInst* ti = new_tag();
    ti->type_id = compiled->type_ids[tag.type_index];
    ti->type = &engine_.type_of(ti->type_id);
    inst.tags.push_back(ti);
  }

  inst.exports.reserve(m.exports.size());
  for (const Export& e : m.exports) {
    Extern x;
    switch (e.kind) {
      case ExternKind::Func: x = Extern::of(inst.funcs.at(e.index)); break;
      case ExternKind::Table: x = Extern::of(inst.tables.at(e.index)); break;
      case ExternKind::Memory: x = Extern::of(inst.memories.at(e.index)); break;
      case ExternKind::Global: x = Extern::of(inst.globals.at(e.index)); break;
      case ExternKind::Tag: x = Extern::of(inst.tags.at(e.index)); break;
    }
    inst.exports.push_back(x);
  }

  // Segments. Declarative element segments only declare references: they start dropped.
  inst.elems.resize(m.elems.size());
  for (size_t i = 0; i < m.elems.size(); ++i) {
    const ElemSegment& seg = m.elems[i];
    if (seg.mode == SegmentMode::Declarative) continue;
    if (i < compiled->elem_funcs.size() && !compiled->elem_funcs[i].empty()) {
      if (seg.mode == SegmentMode::Active) continue;  // written straight into the table below
      inst.elems[i].reserve(seg.items.size());
      for (uint32_t f : compiled->elem_funcs[i])
        inst.elems[i].push_back(f == CompiledModule::kNullFunc ? nullptr : inst.funcs[f]);
      continue;
    }
    inst.elems[i].reserve(seg.items.size());
    for (const ConstExpr& item : seg.items) {
      KUMO_TRY(Slots v, eval_const(item, inst));
      inst.elems[i].push_back(as_ref(v));
    }
  }
  if (compiled->data_spans.size() == m.datas.size()) {
    inst.datas.assign(compiled->data_spans.begin(), compiled->data_spans.end());
  } else {
    inst.datas.reserve(m.datas.size());
    for (const DataSegment& d : m.datas) inst.datas.push_back(m.data(d));
  }

  std::vector<CompiledModule::ActiveData> computed;  // for a CompiledModule built by hand
  if (compiled->data_spans.size() != m.datas.size())
    computed = CompiledModule::active_data_segments(m);
  const std::vector<CompiledModule::ActiveData>& active_datas =
      compiled->data_spans.size() == m.datas.size() ? compiled->active_datas : computed;

  // Active segments in order, as table.init / memory.init followed by a drop. A segment out of
  // bounds stops instantiation with a trap; earlier segments' writes remain visible (spec 2.0).
  // Wasm 1.0 (no bulk memory) instead checks every segment before writing any.
  auto apply_segments = [&](bool write) -> Expected<void> {
    for (size_t i = 0; i < m.elems.size(); ++i) {
      const ElemSegment& seg = m.elems[i];
      if (seg.mode != SegmentMode::Active) continue;
      KUMO_TRY(Slots off, eval_const(seg.offset, inst));
      TableInst* table = inst.tables.at(seg.table);
      const std::vector<uint32_t>* funcs =
          i < compiled->elem_funcs.size() && !compiled->elem_funcs[i].empty()
              ? &compiled->elem_funcs[i]
              : nullptr;
      const uint64_t offset = off.lo, n = funcs ? funcs->size() : inst.elems[i].size(),
                     size = table->elems.size();
      if (offset > size || n > size - offset) {
        return err(
            "{}: elem segment {} ({} elements at offset {}) does not fit table {} of size {}",
            trap_message(TrapCode::TableOutOfBounds), i, n, offset, seg.table, size);
      }
      if (!write) continue;
      if (funcs) {
        Ref* out = table->elems.data() + offset;
        for (uint32_t f : *funcs) *out++ = f == CompiledModule::kNullFunc ? nullptr : inst.funcs[f];
      } else {
        std::copy(inst.elems[i].begin(), inst.elems[i].end(),
                  table->elems.begin() + ptrdiff_t(offset));
      }
      inst.elems[i] = {};
    }
    for (const CompiledModule::ActiveData& a : active_datas) {
      const uint32_t i = a.index;
      if (imaged && a.memory == 0) {
        // In the image, which MemoryImage::build only makes when every such segment has a
        // constant offset and fits the initial size: nothing to check or copy (a snapshotting
        // tool such as wizer emits thousands of segments).
        if (write) inst.datas[i] = {};
        continue;
      }
      const DataSegment& seg = m.datas[i];
      KUMO_TRY(Slots off, eval_const(seg.offset, inst));
      MemoryInst* mem = inst.memories.at(seg.memory);
      const uint64_t offset = off.lo, n = inst.datas[i].size(), size = mem->size;
      if (offset > size || n > size - offset) {
        return err("{}: data segment {} ({} bytes at offset {}) does not fit memory {} of {} bytes",
                   trap_message(TrapCode::MemoryOutOfBounds), i, n, offset, seg.memory, size);
      }
      if (!write) continue;
      if (n > 0) std::memcpy(mem->base + offset, inst.datas[i].data(), n);
      inst.datas[i] = {};
    }
    return {};
  };
  if (!engine_.config().features.bulk_memory) KUMO_CHECK(apply_segments(false));
  KUMO_CHECK(apply_segments(true));

  if (m.start) {
    FuncInst* start = inst.funcs.at(*m.start);
    std::vector<uint64_t> slots(std::max(call_slot_count(*start->type), 1u));
    Expected<void, Trap> r = interp::call(*this, start, slots.data());
    if (!r) return err("{}", r.error().to_string());
  }
  return &inst;
}

}  // namespace kumo::wasm
