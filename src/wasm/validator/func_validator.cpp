// The operand/control stack machinery and the control instructions of the validation algorithm.
// Data instructions (variables, references, tables, memories) are in func_validator_ops.cpp.
#include "wasm/validator/func_validator.hpp"

namespace kumo::wasm::validator {

// ---- entry points -------------------------------------------------------------------------

namespace {

std::string instr_location(const Body& body, size_t index) {
  if (index >= body.instrs.size()) return "at end";
  const Instr& in = body.instrs[index];
  const char* text = size_t(in.op) < size_t(Op::Count_) ? facts(in.op).text : "?";
  return fmt::format("at offset 0x{:x} ({})", in.offset, text);
}

}  // namespace

Expected<void> FuncValidator::function(uint32_t func_index, const Function& f, const Body& body) {
  const FuncType& ft = c_.func_type(func_index);
  locals_.assign(ft.params.begin(), ft.params.end());
  locals_.insert(locals_.end(), f.locals.begin(), f.locals.end());
  local_init_.assign(locals_.size(), 1);
  init_stack_.clear();
  const_mode_ = false;

  std::string name;
  if (auto it = c_.m->func_names.find(func_index); it != c_.m->func_names.end()) {
    name = fmt::format(" (${})", it->second);
  }
  for (size_t i = ft.params.size(); i < locals_.size(); i++) {
    if (!c_.valtype_valid(locals_[i])) {
      return err("func {}{}: local {}: unknown type {}", func_index, name, i, type_name(locals_[i]));
    }
    if (!defaultable(locals_[i])) local_init_[i] = 0;  // must be set before it is read
  }
  if (!run(body, TypeList::of(ft.results))) {
    return err("func {}{} {}: {}", func_index, name, instr_location(body, err_index_), msg_);
  }
  return {};
}

Expected<void> FuncValidator::const_expr(const Body& body, ValType type, uint32_t visible_globals,
                                         std::string_view what) {
  locals_.clear();
  local_init_.clear();
  init_stack_.clear();
  const_mode_ = true;
  const_globals_ = visible_globals;
  bool ok = run(body, TypeList::single(type));
  const_mode_ = false;
  if (!ok) return err("{} {}: {}", what, instr_location(body, err_index_), msg_);
  return {};
}

bool FuncValidator::run(const Body& body, TypeList results) {
  vals_.clear();
  ctrls_.clear();
  ctrls_.push_back(Ctrl{Kind::Func, false, 0, 0, {}, results});
  const std::vector<Instr>& ins = body.instrs;
  for (size_t i = 0; i < ins.size(); i++) {
    err_index_ = i;
    if (ctrls_.empty()) return fail("operators remaining after end of function");
    if (!instr(ins[i], body)) return false;
  }
  if (!ctrls_.empty()) {
    err_index_ = ins.empty() ? 0 : ins.size() - 1;
    return fail("unexpected end of expression: missing end");
  }
  return true;
}

bool FuncValidator::instr(const Instr& in, const Body& body) {
  if (size_t(in.op) >= size_t(Op::Count_)) return fail("unknown opcode");
  if (const_mode_ && !check_const(in)) return false;
  const OpFacts& f = facts(in.op);
  if (f.sig.typed) return generic(in, f.sig);
  switch (in.op) {
    case Op::LocalGet: case Op::LocalSet: case Op::LocalTee: case Op::GlobalGet:
    case Op::GlobalSet:
      return variable(in);
    case Op::RefNull: case Op::RefIsNull: case Op::RefFunc: case Op::RefEq:
    case Op::RefAsNonNull: case Op::RefTest: case Op::RefTestNull: case Op::RefCast:
    case Op::RefCastNull: case Op::RefI31: case Op::I31GetS: case Op::I31GetU:
      return reference(in);
    case Op::TableGet: case Op::TableSet: case Op::TableSize: case Op::TableGrow:
    case Op::TableFill: case Op::TableCopy: case Op::TableInit: case Op::ElemDrop:
      return table_op(in);
    case Op::MemorySize: case Op::MemoryGrow: case Op::MemoryFill: case Op::MemoryCopy:
    case Op::MemoryInit: case Op::DataDrop:
      return memory_op(in);
    case Op::Throw: case Op::ThrowRef: case Op::TryTable: case Op::Try: case Op::Catch:
    case Op::CatchAll: case Op::Delegate: case Op::Rethrow:
      return exception(in, body);
    default:
      return control(in, body);
  }
}

bool FuncValidator::check_const(const Instr& in) {
  switch (in.op) {
    case Op::I32Const: case Op::I64Const: case Op::F32Const: case Op::F64Const:
    case Op::V128Const: case Op::RefNull: case Op::RefFunc: case Op::GlobalGet: case Op::End:
      return true;
    case Op::I32Add: case Op::I32Sub: case Op::I32Mul: case Op::I64Add: case Op::I64Sub:
    case Op::I64Mul:
      if (c_.features.extended_const) return true;
      break;
    case Op::RefI31:
      if (c_.features.gc) return true;
      break;
    default:
      break;
  }
  return fail("constant expression required");
}

// Instructions with a fixed signature from opcodes.def (numeric, SIMD, plain loads and stores).
bool FuncValidator::generic(const Instr& in, const OpSig& s) {
  ValType addr = ValType::I32;
  const ImmKind imm = facts(in.op).imm;
  const bool mem = imm == ImmKind::MemArg || imm == ImmKind::MemArgLane;
  if (mem && !memarg(in, addr)) return false;
  if ((imm == ImmKind::Lane || imm == ImmKind::MemArgLane) && in.lane >= lane_count(in.op)) {
    return fail("invalid lane index {}", in.lane);
  }
  if (imm == ImmKind::Shuffle) {
    for (uint8_t l : in.v128) {
      if (l >= 32) return fail("invalid lane index {}", l);
    }
  }
  for (int i = s.nparams - 1; i >= 0; i--) {
    if (!pop(i == 0 && mem ? addr : ValType(s.params[i]))) return false;
  }
  if (s.nresults) push(s.result);
  return true;
}

// ---- operand stack ------------------------------------------------------------------------

bool FuncValidator::pop_any(ValType& out) {
  const Ctrl& f = ctrls_.back();
  if (vals_.size() == f.height) {
    if (f.unreachable) {
      out = ValType::Bottom;
      return true;
    }
    return fail("type mismatch: expected a value but nothing is on the stack");
  }
  out = vals_.back();
  vals_.pop_back();
  return true;
}

bool FuncValidator::pop(ValType expected) {
  const Ctrl& f = ctrls_.back();
  if (vals_.size() == f.height) {
    if (f.unreachable) return true;
    return fail("type mismatch: expected {} but nothing is on the stack", type_name(expected));
  }
  ValType actual = vals_.back();
  if (!c_.sub(actual, expected)) {
    return fail("type mismatch: expected {}, got {}", type_name(expected), type_name(actual));
  }
  vals_.pop_back();
  return true;
}

bool FuncValidator::pop_ref(ValType& out) {
  const Ctrl& f = ctrls_.back();
  if (vals_.size() == f.height && !f.unreachable) {
    return fail("type mismatch: expected a reference but nothing is on the stack");
  }
  if (!pop_any(out)) return false;
  if (out.kind() != ValType::Bottom && !out.is_ref()) {
    return fail("type mismatch: expected a reference, got {}", type_name(out));
  }
  return true;
}

bool FuncValidator::pop_vals(std::span<const ValType> ts) {
  for (size_t i = ts.size(); i-- > 0;) {
    if (!pop(ts[i])) return false;
  }
  return true;
}

bool FuncValidator::peek_vals(std::span<const ValType> ts) {
  const Ctrl& f = ctrls_.back();
  const size_t avail = vals_.size() - f.height;
  for (size_t i = 0; i < ts.size(); i++) {
    ValType expected = ts[ts.size() - 1 - i];
    if (i >= avail) {
      if (f.unreachable) return true;  // the rest are of unknown type
      return fail("type mismatch: expected {} but nothing is on the stack", type_name(expected));
    }
    ValType actual = vals_[vals_.size() - 1 - i];
    if (!c_.sub(actual, expected)) {
      return fail("type mismatch: expected {}, got {}", type_name(expected), type_name(actual));
    }
  }
  return true;
}

void FuncValidator::set_unreachable() {
  Ctrl& f = ctrls_.back();
  vals_.resize(f.height);
  f.unreachable = true;
}

// ---- control stack ------------------------------------------------------------------------

bool FuncValidator::block_type(const BlockType& bt, TypeList& params, TypeList& results) {
  params = {};
  results = {};
  switch (bt.kind) {
    case BlockType::Empty:
      return true;
    case BlockType::Value:
      if (!c_.valtype_valid(bt.type)) return fail("unknown type {}", type_name(bt.type));
      results = TypeList::single(bt.type);
      return true;
    case BlockType::TypeIndex: {
      if (bt.type_index >= c_.m->types.size()) return fail("unknown type {}", bt.type_index);
      const FuncType& ft = c_.type(bt.type_index);
      if (!c_.features.multi_value && (!ft.params.empty() || ft.results.size() > 1)) {
        return fail("invalid result arity");
      }
      params = TypeList::of(ft.params);
      results = TypeList::of(ft.results);
      return true;
    }
  }
  return fail("invalid block type");
}

void FuncValidator::push_ctrl(Kind kind, TypeList params, TypeList results) {
  ctrls_.push_back(Ctrl{kind, false, uint32_t(vals_.size()), uint32_t(init_stack_.size()),
                        params, results});
  push_vals(ctrls_.back().params.span());
}

bool FuncValidator::end_branch(const Ctrl& f) {
  if (!pop_vals(f.results.span())) return false;
  if (vals_.size() != f.height) {
    return fail("type mismatch: {} extra value(s) on the stack at the end of the block, expected {}",
                vals_.size() - f.height, types_name(f.results.span()));
  }
  return true;
}

void FuncValidator::reset_branch(Ctrl& f) {
  vals_.resize(f.height);
  f.unreachable = false;
  reset_inits(f.init_height);
}

void FuncValidator::reset_inits(uint32_t height) {
  while (init_stack_.size() > height) {
    local_init_[init_stack_.back()] = 0;
    init_stack_.pop_back();
  }
}

bool FuncValidator::label(uint32_t depth, const Ctrl*& out) {
  if (depth >= ctrls_.size()) return fail("unknown label {}", depth);
  out = &ctrls_[ctrls_.size() - 1 - depth];
  return true;
}

bool FuncValidator::control(const Instr& in, const Body& body) {
  switch (in.op) {
    case Op::Unreachable:
      set_unreachable();
      return true;
    case Op::Block: case Op::Loop: {
      TypeList p, r;
      if (!block_type(in.block, p, r) || !pop_vals(p.span())) return false;
      push_ctrl(in.op == Op::Block ? Kind::Block : Kind::Loop, p, r);
      return true;
    }
    case Op::If: {
      TypeList p, r;
      if (!block_type(in.block, p, r) || !pop(ValType::I32) || !pop_vals(p.span())) return false;
      push_ctrl(Kind::If, p, r);
      return true;
    }
    case Op::Else: {
      Ctrl& f = ctrls_.back();
      if (f.kind != Kind::If) return fail("else without a matching if");
      if (!end_branch(f)) return false;
      reset_branch(f);
      f.kind = Kind::Else;
      push_vals(f.params.span());
      return true;
    }
    case Op::End: {
      Ctrl& f = ctrls_.back();
      if (f.kind == Kind::If) {
        // No else: the implicit empty else branch passes the parameters through as results.
        if (!end_branch(f)) return false;
        reset_branch(f);
        push_vals(f.params.span());
      }
      if (!end_branch(f)) return false;
      const TypeList results = f.results;
      reset_inits(f.init_height);
      ctrls_.pop_back();
      if (!ctrls_.empty()) push_vals(results.span());
      return true;
    }
    case Op::Br: {
      const Ctrl* f;
      if (!label(in.index, f) || !pop_vals(label_types(*f))) return false;
      set_unreachable();
      return true;
    }
    case Op::BrIf: {
      const Ctrl* f;
      if (!label(in.index, f) || !pop(ValType::I32)) return false;
      auto lt = label_types(*f);
      if (!pop_vals(lt)) return false;
      push_vals(lt);
      return true;
    }
    case Op::BrTable: {
      if (!pop(ValType::I32)) return false;
      if (in.table_size == 0 || size_t(in.table_begin) + in.table_size > body.br_targets.size()) {
        return fail("invalid br_table target list");
      }
      const uint32_t* targets = body.br_targets.data() + in.table_begin;
      const Ctrl* def;
      if (!label(targets[in.table_size - 1], def)) return false;
      const size_t arity = label_types(*def).size();
      for (uint32_t i = 0; i + 1 < in.table_size; i++) {
        const Ctrl* f;
        if (!label(targets[i], f)) return false;
        auto lt = label_types(*f);
        if (lt.size() != arity) {
          return fail("type mismatch: br_table target {} has {} values, the default target {}",
                      targets[i], lt.size(), arity);
        }
        if (!peek_vals(lt)) return false;
      }
      if (!pop_vals(label_types(*def))) return false;
      set_unreachable();
      return true;
    }
    case Op::BrOnNull: {
      const Ctrl* f;
      ValType t;
      if (!label(in.index, f) || !pop_ref(t)) return false;
      auto lt = label_types(*f);
      if (!pop_vals(lt)) return false;
      push_vals(lt);
      push(t.kind() == ValType::Bottom ? t : ValType::ref(false, t.heap()));
      return true;
    }
    case Op::BrOnNonNull: {
      const Ctrl* f;
      ValType t;
      if (!label(in.index, f)) return false;
      auto lt = label_types(*f);
      if (lt.empty() || !lt.back().is_ref()) {
        return fail("type mismatch: br_on_non_null target must take a reference, takes {}",
                    types_name(lt));
      }
      if (!pop_ref(t)) return false;
      if (t.kind() != ValType::Bottom && !c_.sub(ValType::ref(false, t.heap()), lt.back())) {
        return fail("type mismatch: expected {}, got {}", type_name(lt.back()), type_name(t));
      }
      auto rest = lt.first(lt.size() - 1);
      if (!pop_vals(rest)) return false;
      push_vals(rest);
      return true;
    }
    case Op::Return:
      if (!pop_vals(ctrls_.front().results.span())) return false;
      set_unreachable();
      return true;
    case Op::Call: case Op::ReturnCall: {
      if (!func_index(in.index)) return false;
      const FuncType& ft = c_.func_type(in.index);
      if (!pop_vals(ft.params)) return false;
      if (in.op == Op::Call) {
        push_vals(ft.results);
        return true;
      }
      break;  // tail call: checked below
    }
    case Op::CallIndirect: case Op::ReturnCallIndirect: {
      const TableType* tt;
      if (!table_index(in.index2, tt)) return false;
      if (!c_.sub(tt->elem, ValType::funcref())) {
        return fail("type mismatch: call_indirect needs a table of function references, table {} "
                    "holds {}", in.index2, type_name(tt->elem));
      }
      if (!type_index(in.index)) return false;
      const FuncType& ft = c_.type(in.index);
      if (!pop(tt->limits.is64 ? ValType::I64 : ValType::I32) || !pop_vals(ft.params)) return false;
      if (in.op == Op::CallIndirect) {
        push_vals(ft.results);
        return true;
      }
      break;
    }
    case Op::CallRef: case Op::ReturnCallRef: {
      if (!type_index(in.index)) return false;
      const FuncType& ft = c_.type(in.index);
      if (!pop(ValType::ref(true, HeapType::concrete(in.index))) || !pop_vals(ft.params)) {
        return false;
      }
      if (in.op == Op::CallRef) {
        push_vals(ft.results);
        return true;
      }
      break;
    }
    case Op::Drop: {
      ValType t;
      return pop_any(t);
    }
    case Op::Select: {
      ValType t1, t2;
      if (!pop(ValType::I32) || !pop_any(t1) || !pop_any(t2)) return false;
      // Untyped select is for numeric and vector operands only (Bottom fits either).
      if (t1.is_ref() || t2.is_ref()) {
        return fail("type mismatch: select without a type needs numeric or vector operands, got "
                    "{} and {}", type_name(t2), type_name(t1));
      }
      if (t1.kind() != ValType::Bottom && t2.kind() != ValType::Bottom && !(t1 == t2)) {
        return fail("type mismatch: select operands differ: {} and {}", type_name(t2),
                    type_name(t1));
      }
      push(t1.kind() == ValType::Bottom ? t2 : t1);
      return true;
    }
    case Op::SelectT:
      if (!c_.valtype_valid(in.type)) return fail("unknown type {}", type_name(in.type));
      if (!pop(ValType::I32) || !pop(in.type) || !pop(in.type)) return false;
      push(in.type);
      return true;
    default:
      return fail("instruction not supported by the validator");
  }

  // Tail calls: the callee's results must be usable as the caller's results.
  const FuncType& callee = in.op == Op::ReturnCall ? c_.func_type(in.index) : c_.type(in.index);
  auto caller = ctrls_.front().results.span();
  bool ok = callee.results.size() == caller.size();
  for (size_t i = 0; ok && i < caller.size(); i++) ok = c_.sub(callee.results[i], caller[i]);
  if (!ok) {
    return fail("type mismatch: callee results {} do not match the caller's results {}",
                types_name(callee.results), types_name(caller));
  }
  set_unreachable();
  return true;
}

}  // namespace kumo::wasm::validator
