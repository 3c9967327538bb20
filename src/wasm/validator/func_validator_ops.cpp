// Typing of the data instructions that opcodes.def leaves to the validator: variables,
// references, tables, memories with immediates, and exception handling.
#include <limits>

#include "wasm/validator/func_validator.hpp"

namespace kumo::wasm::validator {

namespace {
constexpr ValType addr_type(const Limits& l) { return l.is64 ? ValType::I64 : ValType::I32; }
// For copies between a 32-bit and a 64-bit memory/table the length is an i32.
constexpr ValType min_addr(const Limits& a, const Limits& b) {
  return a.is64 && b.is64 ? ValType::I64 : ValType::I32;
}
}  // namespace

// ---- index checks -------------------------------------------------------------------------

bool FuncValidator::func_index(uint32_t x) {
  if (x >= c_.func_types.size()) return fail("unknown function {}", x);
  return true;
}

bool FuncValidator::table_index(uint32_t x, const TableType*& out) {
  if (x >= c_.tables.size()) return fail("unknown table {}", x);
  out = &c_.tables[x];
  return true;
}

bool FuncValidator::memory_index(uint32_t x, const MemoryType*& out) {
  if (x >= c_.memories.size()) return fail("unknown memory {}", x);
  out = &c_.memories[x];
  return true;
}

bool FuncValidator::type_index(uint32_t x) {
  if (x >= c_.m->types.size()) return fail("unknown type {}", x);
  return true;
}

bool FuncValidator::tag_index(uint32_t x, const FuncType*& out) {
  if (x >= c_.tag_types.size()) return fail("unknown tag {}", x);
  out = &c_.type(c_.tag_types[x]);
  return true;
}

bool FuncValidator::data_index(uint32_t x) {
  if (!c_.has_data_count) return fail("data count section required");
  if (x >= c_.num_datas) return fail("unknown data segment {}", x);
  return true;
}

bool FuncValidator::memarg(const Instr& in, ValType& addr) {
  const MemoryType* mt;
  if (!memory_index(in.memarg.memory, mt)) return false;
  if (in.memarg.align > natural_align_log2(in.op)) {
    return fail("alignment must not be larger than natural");
  }
  if (!mt->limits.is64 && in.memarg.offset > std::numeric_limits<uint32_t>::max()) {
    return fail("offset out of range");
  }
  addr = addr_type(mt->limits);
  return true;
}

// ---- variables ----------------------------------------------------------------------------

bool FuncValidator::variable(const Instr& in) {
  const uint32_t x = in.index;
  switch (in.op) {
    case Op::LocalGet:
      if (x >= locals_.size()) return fail("unknown local {}", x);
      if (!local_init_[x]) return fail("uninitialized local {}", x);
      push(locals_[x]);
      return true;
    case Op::LocalSet: case Op::LocalTee:
      if (x >= locals_.size()) return fail("unknown local {}", x);
      if (!pop(locals_[x])) return false;
      if (!local_init_[x]) {
        local_init_[x] = 1;
        init_stack_.push_back(x);
      }
      if (in.op == Op::LocalTee) push(locals_[x]);
      return true;
    case Op::GlobalGet:
      if (x >= c_.globals.size() || (const_mode_ && x >= const_globals_)) {
        return fail("unknown global {}", x);
      }
      if (const_mode_ && c_.globals[x].mut) return fail("constant expression required");
      push(c_.globals[x].type);
      return true;
    case Op::GlobalSet:
      if (x >= c_.globals.size()) return fail("unknown global {}", x);
      if (!c_.globals[x].mut) return fail("immutable global {}", x);
      return pop(c_.globals[x].type);
    default:
      return fail("instruction not supported by the validator");
  }
}

// ---- references ---------------------------------------------------------------------------

bool FuncValidator::reference(const Instr& in) {
  switch (in.op) {
    case Op::RefNull:
      if (!c_.heap_valid(in.heap)) return fail("unknown type {}", in.heap.type_index());
      push(ValType::ref(true, in.heap));
      return true;
    case Op::RefIsNull: {
      ValType t;
      if (!pop_ref(t)) return false;
      push(ValType::I32);
      return true;
    }
    case Op::RefFunc:
      if (!func_index(in.index)) return false;
      // In function bodies only functions referenced elsewhere in the module (C.refs) may be
      // referenced, so that engines know the set of escaping functions after the module header.
      if (!const_mode_ && !c_.declared[in.index]) {
        return fail("undeclared function reference {}", in.index);
      }
      push(ValType::ref(false, HeapType::concrete(c_.func_types[in.index])));
      return true;
    case Op::RefEq: {
      const ValType eqref = ValType::ref(true, HeapType{HeapType::Eq});
      if (!pop(eqref) || !pop(eqref)) return false;
      push(ValType::I32);
      return true;
    }
    case Op::RefAsNonNull: {
      ValType t;
      if (!pop_ref(t)) return false;
      push(t.kind() == ValType::Bottom ? t : ValType::ref(false, t.heap()));
      return true;
    }
    default:
      return gc_reference(in);
  }
}

// The GC instructions Kumo implements: casts and i31 references.
bool FuncValidator::gc_reference(const Instr& in) {
  if (!c_.features.gc) return fail("{} requires the GC feature (wasm 3.0)", facts(in.op).text);
  const ValType i31ref = ValType::ref(true, HeapType{HeapType::I31});
  switch (in.op) {
    case Op::RefI31:
      if (!pop(ValType::I32)) return false;
      push(ValType::ref(false, HeapType{HeapType::I31}));
      return true;
    case Op::I31GetS: case Op::I31GetU:
      if (!pop(i31ref)) return false;
      push(ValType::I32);
      return true;
    case Op::RefTest: case Op::RefTestNull: case Op::RefCast: case Op::RefCastNull: {
      if (!c_.heap_valid(in.heap)) return fail("unknown type {}", in.heap.type_index());
      // The operand may be any reference of the same hierarchy as the target type.
      if (!pop(ValType::ref(true, c_.top_heap(in.heap)))) return false;
      const bool nullable = in.op == Op::RefTestNull || in.op == Op::RefCastNull;
      if (in.op == Op::RefTest || in.op == Op::RefTestNull) push(ValType::I32);
      else push(ValType::ref(nullable, in.heap));
      return true;
    }
    default:
      return fail("instruction not supported by the validator");
  }
}

// ---- tables -------------------------------------------------------------------------------

bool FuncValidator::table_op(const Instr& in) {
  const TableType* t;
  switch (in.op) {
    case Op::TableGet:
      if (!table_index(in.index, t) || !pop(addr_type(t->limits))) return false;
      push(t->elem);
      return true;
    case Op::TableSet:
      return table_index(in.index, t) && pop(t->elem) && pop(addr_type(t->limits));
    case Op::TableSize:
      if (!table_index(in.index, t)) return false;
      push(addr_type(t->limits));
      return true;
    case Op::TableGrow:
      if (!table_index(in.index, t) || !pop(addr_type(t->limits)) || !pop(t->elem)) return false;
      push(addr_type(t->limits));
      return true;
    case Op::TableFill:
      return table_index(in.index, t) && pop(addr_type(t->limits)) && pop(t->elem) &&
             pop(addr_type(t->limits));
    case Op::TableCopy: {
      const TableType* src;
      if (!table_index(in.index, t) || !table_index(in.index2, src)) return false;
      if (!c_.sub(src->elem, t->elem)) {
        return fail("type mismatch: cannot copy {} elements into a table of {}",
                    type_name(src->elem), type_name(t->elem));
      }
      return pop(min_addr(t->limits, src->limits)) && pop(addr_type(src->limits)) &&
             pop(addr_type(t->limits));
    }
    case Op::TableInit: {
      if (!table_index(in.index2, t)) return false;
      if (in.index >= c_.elem_types.size()) return fail("unknown elem segment {}", in.index);
      ValType et = c_.elem_types[in.index];
      if (!c_.sub(et, t->elem)) {
        return fail("type mismatch: cannot initialise a table of {} from a segment of {}",
                    type_name(t->elem), type_name(et));
      }
      return pop(ValType::I32) && pop(ValType::I32) && pop(addr_type(t->limits));
    }
    case Op::ElemDrop:
      if (in.index >= c_.elem_types.size()) return fail("unknown elem segment {}", in.index);
      return true;
    default:
      return fail("instruction not supported by the validator");
  }
}

// ---- memories -----------------------------------------------------------------------------

bool FuncValidator::memory_op(const Instr& in) {
  const MemoryType* mt;
  switch (in.op) {
    case Op::MemorySize:
      if (!memory_index(in.index, mt)) return false;
      push(addr_type(mt->limits));
      return true;
    case Op::MemoryGrow:
      if (!memory_index(in.index, mt) || !pop(addr_type(mt->limits))) return false;
      push(addr_type(mt->limits));
      return true;
    case Op::MemoryFill:
      return memory_index(in.index, mt) && pop(addr_type(mt->limits)) && pop(ValType::I32) &&
             pop(addr_type(mt->limits));
    case Op::MemoryCopy: {
      const MemoryType* src;
      if (!memory_index(in.index, mt) || !memory_index(in.index2, src)) return false;
      return pop(min_addr(mt->limits, src->limits)) && pop(addr_type(src->limits)) &&
             pop(addr_type(mt->limits));
    }
    case Op::MemoryInit:
      return memory_index(in.index2, mt) && data_index(in.index) && pop(ValType::I32) &&
             pop(ValType::I32) && pop(addr_type(mt->limits));
    case Op::DataDrop:
      return data_index(in.index);
    default:
      return fail("instruction not supported by the validator");
  }
}

// ---- exception handling -------------------------------------------------------------------

bool FuncValidator::exception(const Instr& in, const Body& body) {
  const FuncType* ft;
  switch (in.op) {
    case Op::Throw:
      if (!tag_index(in.index, ft) || !pop_vals(ft->params)) return false;
      set_unreachable();
      return true;
    case Op::ThrowRef:
      if (!pop(ValType::exnref())) return false;
      set_unreachable();
      return true;
    case Op::TryTable: {
      TypeList p, r;
      if (!block_type(in.block, p, r)) return false;
      if (size_t(in.table_begin) + in.table_size > body.catches.size()) {
        return fail("invalid catch clause list");
      }
      // Catch labels are resolved outside the try_table block (before its frame is pushed).
      const ValType exn = ValType::ref(false, HeapType{HeapType::Exn});
      for (uint32_t i = 0; i < in.table_size; i++) {
        const CatchClause& cc = body.catches[in.table_begin + i];
        const Ctrl* target;
        if (!label(cc.label, target)) return false;
        std::span<const ValType> payload;
        if (cc.kind == CatchClause::Catch || cc.kind == CatchClause::CatchRef) {
          if (!tag_index(cc.tag, ft)) return false;
          payload = ft->params;
        }
        const bool with_ref = cc.kind == CatchClause::CatchRef || cc.kind == CatchClause::CatchAllRef;
        auto lt = label_types(*target);
        bool ok = lt.size() == payload.size() + with_ref;
        for (size_t j = 0; ok && j < payload.size(); j++) ok = c_.sub(payload[j], lt[j]);
        if (ok && with_ref) ok = c_.sub(exn, lt.back());
        if (!ok) {
          return fail("type mismatch: catch clause {} delivers {}{} but label {} takes {}", i,
                      types_name(payload), with_ref ? " + exnref" : "", cc.label, types_name(lt));
        }
      }
      if (!pop_vals(p.span())) return false;
      push_ctrl(Kind::TryTable, p, r);
      return true;
    }
    // Legacy exception handling (try / catch / catch_all / delegate / rethrow).
    case Op::Try: {
      TypeList p, r;
      if (!block_type(in.block, p, r) || !pop_vals(p.span())) return false;
      push_ctrl(Kind::Try, p, r);
      return true;
    }
    case Op::Catch: case Op::CatchAll: {
      Ctrl& f = ctrls_.back();
      if (f.kind != Kind::Try && f.kind != Kind::Catch) {
        return fail("{} without a matching try", facts(in.op).text);
      }
      if (in.op == Op::Catch && !tag_index(in.index, ft)) return false;
      if (!end_branch(f)) return false;
      reset_branch(f);
      if (in.op == Op::Catch) {
        f.kind = Kind::Catch;
        push_vals(ft->params);
      } else {
        f.kind = Kind::CatchAll;
      }
      return true;
    }
    case Op::Delegate: {
      Ctrl& f = ctrls_.back();
      if (f.kind != Kind::Try) return fail("delegate without a matching try");
      if (!end_branch(f)) return false;
      const TypeList results = f.results;
      reset_inits(f.init_height);
      ctrls_.pop_back();
      // The label is relative to the frames outside the try; the function frame is below it.
      if (in.index >= ctrls_.size()) return fail("unknown label {}", in.index);
      push_vals(results.span());
      return true;
    }
    case Op::Rethrow: {
      const Ctrl* f;
      if (!label(in.index, f)) return false;
      if (f->kind != Kind::Catch && f->kind != Kind::CatchAll) {
        return fail("invalid rethrow label {}: not a catch block", in.index);
      }
      set_unreachable();
      return true;
    }
    default:
      return fail("instruction not supported by the validator");
  }
}

}  // namespace kumo::wasm::validator
