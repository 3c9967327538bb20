// Instruction-sequence validation: the spec appendix's algorithm with an operand stack of value
// types (ValType::Bottom for the unknown type after unreachable code) and a stack of control
// frames. One FuncValidator is reused for every function and constant expression of a module so
// that its stacks keep their capacity (no per-instruction or per-function allocation in steady
// state).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wasm/common/expected.hpp"
#include "wasm/instr.hpp"
#include "wasm/validator/context.hpp"
#include "wasm/validator/op_table.hpp"

namespace kumo::wasm::validator {

// A result-type list that either points into Module::types or holds one type inline (block types
// `t`, constant expressions). span() is computed on access, so copies stay valid.
struct TypeList {
  const ValType* data = nullptr;
  uint32_t size = 0;
  ValType one{};

  static TypeList of(const std::vector<ValType>& v) { return {v.data(), uint32_t(v.size()), {}}; }
  static TypeList single(ValType t) { return {nullptr, 1, t}; }
  std::span<const ValType> span() const { return data ? std::span(data, size) : std::span(&one, size); }
};

class FuncValidator {
 public:
  explicit FuncValidator(const Context& c) : c_(c) {}

  // Validates the body of function `func_index` (an index in the whole function space).
  Expected<void> function(uint32_t func_index, const Function& f, const Body& body);

  // Validates a constant expression that must produce `type`. global.get may refer to globals
  // [0, visible_globals). `what` names the expression in errors ("global 3 init").
  Expected<void> const_expr(const Body& body, ValType type, uint32_t visible_globals,
                            std::string_view what);

 private:
  enum class Kind : uint8_t { Func, Block, Loop, If, Else, Try, Catch, CatchAll, TryTable };
  struct Ctrl {
    Kind kind;
    bool unreachable;
    uint32_t height;       // operand stack height at entry
    uint32_t init_height;  // init_stack_ height at entry (non-nullable locals)
    TypeList params, results;
  };

  bool run(const Body& body, TypeList results);
  bool instr(const Instr& in, const Body& body);
  bool generic(const Instr& in, const OpSig& sig);
  bool control(const Instr& in, const Body& body);
  bool variable(const Instr& in);
  bool reference(const Instr& in);
  bool gc_reference(const Instr& in);
  bool table_op(const Instr& in);
  bool memory_op(const Instr& in);
  bool exception(const Instr& in, const Body& body);
  bool check_const(const Instr& in);

  // Failure: record the message and return false; the caller adds the location.
  template <typename... Args>
  bool fail(fmt::format_string<Args...> f, Args&&... args) {
    msg_ = fmt::format(f, std::forward<Args>(args)...);
    return false;
  }

  // Operand stack.
  void push(ValType t) { vals_.push_back(t); }
  void push_vals(std::span<const ValType> ts) { vals_.insert(vals_.end(), ts.begin(), ts.end()); }
  bool pop_any(ValType& out);
  bool pop(ValType expected);
  bool pop_ref(ValType& out);  // a reference or Bottom
  bool pop_vals(std::span<const ValType> ts);
  bool peek_vals(std::span<const ValType> ts);  // checks the top without popping (br_table)
  void set_unreachable();

  // Control stack.
  bool block_type(const BlockType& bt, TypeList& params, TypeList& results);
  void push_ctrl(Kind kind, TypeList params, TypeList results);
  bool end_branch(const Ctrl& f);  // the stack must hold exactly f's results
  void reset_branch(Ctrl& f);      // back to f's entry height for else / catch
  bool label(uint32_t depth, const Ctrl*& out);
  static std::span<const ValType> label_types(const Ctrl& f) {
    return f.kind == Kind::Loop ? f.params.span() : f.results.span();
  }

  // Index checks that also fetch the entity.
  bool func_index(uint32_t x);
  bool table_index(uint32_t x, const TableType*& out);
  bool memory_index(uint32_t x, const MemoryType*& out);
  bool type_index(uint32_t x);
  bool tag_index(uint32_t x, const FuncType*& out);
  bool memarg(const Instr& in, ValType& addr);
  bool data_index(uint32_t x);
  void reset_inits(uint32_t height);

  const Context& c_;
  std::vector<ValType> vals_;
  std::vector<Ctrl> ctrls_;
  std::vector<ValType> locals_;
  std::vector<uint8_t> local_init_;   // per local: 1 when readable
  std::vector<uint32_t> init_stack_;  // locals initialised since function entry, in order
  std::string msg_;
  bool const_mode_ = false;
  uint32_t const_globals_ = 0;
  size_t err_index_ = 0;  // instruction at which the failure happened
};

}  // namespace kumo::wasm::validator
