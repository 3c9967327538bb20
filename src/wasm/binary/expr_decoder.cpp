// The expression decoder: function bodies and constant expressions, from bytes to Instr.
// It checks only what the binary format requires (known opcodes, well-formed immediates, the
// final `end`); typing and index ranges are the validator's job.
#include "wasm/binary/expr_decoder.hpp"

#include <cstring>

#include "wasm/binary/opcode_lookup.hpp"
#include "wasm/binary/type_reader.hpp"

namespace kumo::wasm::binary {

namespace {

// memarg: flags (alignment exponent; bit 6 set means a memory index follows, multi-memory),
// then the offset, which is a u64 so that memory64 fits (the validator bounds it for 32-bit
// memories). Before multi-memory the flags are just the alignment exponent, and wasm 2.0 calls
// 2^32 and more malformed; before memory64 the offset is a u32.
Expected<void> read_memarg(Reader& r, MemArg& m, const Profile& p) {
  uint32_t start = r.offset();
  KUMO_TRY(uint32_t flags, r.u32());
  if (!p.memory_index) {
    if (flags >= 32) {
      return r.fail_at(start, fmt::format("malformed memop flags 0x{:x} (alignment exponent too "
                                          "large)", flags));
    }
  } else if (flags & 0x40) {
    KUMO_TRY(m.memory, r.u32());
    flags &= ~0x40u;
  }
  if (flags >= 0x40) {
    return r.fail_at(start, fmt::format("malformed memop flags 0x{:x} (alignment exponent too large)",
                                        flags));
  }
  m.align = flags;
  if (p.memory64) {
    KUMO_TRY(m.offset, r.u64());
  } else {
    KUMO_TRY(m.offset, r.u32());
  }
  return {};
}

// A memory or table index, or (in profiles without it) the reserved zero byte in its place:
// one byte, so that a LEB128 zero such as 0x80 0x00 is malformed too.
Expected<uint32_t> read_index_or_zero(Reader& r, bool index) {
  if (index) return r.u32();
  uint32_t at = r.offset();
  KUMO_TRY(uint8_t b, r.u8());
  if (b != 0) return r.fail_at(at, fmt::format("zero byte expected, got 0x{:02x}", b));
  return 0u;
}

Unexpected<Error> illegal_opcode(const Reader& r, uint32_t at, uint8_t prefix, uint32_t code,
                                 const Profile& p) {
  if (prefix == 0) return r.fail_at(at, fmt::format("illegal opcode 0x{:02x}", code));
  const char* note = "";
  if (prefix == 0xFB) {
    note = p.gc ? " (GC instructions are not supported yet, except ref.test, ref.cast and i31)"
                : " (GC instructions need wasm 3.0)";
  }
  if (prefix == 0xFE) note = " (threads/atomic instructions are not supported yet)";
  return r.fail_at(at, fmt::format("illegal opcode 0x{:02x} {}{}", prefix, code, note));
}

// Decodes the immediates of `in.op` into `in` (and into out's side tables).
Expected<void> read_immediates(Reader& r, Instr& in, Body& out, const Profile& p) {
  switch (op_info(in.op).imm) {
    case ImmKind::None:
      return {};
    case ImmKind::Block: {
      KUMO_TRY(in.block, read_block_type(r));
      return {};
    }
    case ImmKind::Label:
    case ImmKind::Func:
    case ImmKind::Type:
    case ImmKind::Local:
    case ImmKind::Global:
    case ImmKind::Table:
    case ImmKind::Data:
    case ImmKind::Elem:
    case ImmKind::Tag: {
      KUMO_TRY(in.index, r.u32());
      return {};
    }
    case ImmKind::Mem: {  // memory.size, memory.grow, memory.fill
      KUMO_TRY(in.index, read_index_or_zero(r, p.memory_index));
      return {};
    }
    case ImmKind::CallIndirect: {  // type index, then table index (a LEB since reference types)
      KUMO_TRY(in.index, r.u32());
      KUMO_TRY(in.index2, read_index_or_zero(r, p.table_index));
      return {};
    }
    case ImmKind::MemInit: {  // data index, memory
      KUMO_TRY(in.index, r.u32());
      KUMO_TRY(in.index2, read_index_or_zero(r, p.memory_index));
      return {};
    }
    case ImmKind::MemCopy: {  // dst memory, src memory
      KUMO_TRY(in.index, read_index_or_zero(r, p.memory_index));
      KUMO_TRY(in.index2, read_index_or_zero(r, p.memory_index));
      return {};
    }
    case ImmKind::TableInit:     // elem index, table
    case ImmKind::TableCopy: {   // dst table, src table
      KUMO_TRY(in.index, r.u32());
      KUMO_TRY(in.index2, r.u32());
      return {};
    }
    case ImmKind::BrTable: {
      KUMO_TRY(uint32_t n, r.count(1));
      in.table_begin = uint32_t(out.br_targets.size());
      in.table_size = n + 1;  // the default target is the last entry
      out.br_targets.reserve(out.br_targets.size() + n + 1);
      for (uint32_t i = 0; i <= n; ++i) {
        KUMO_TRY(uint32_t label, r.u32());
        out.br_targets.push_back(label);
      }
      return {};
    }
    case ImmKind::MemArg:
      return read_memarg(r, in.memarg, p);
    case ImmKind::MemArgLane: {
      KUMO_CHECK(read_memarg(r, in.memarg, p));
      KUMO_TRY(in.lane, r.u8());
      return {};
    }
    case ImmKind::Lane: {
      KUMO_TRY(in.lane, r.u8());
      return {};
    }
    case ImmKind::I32: {
      KUMO_TRY(int32_t v, r.s32());
      in.i64 = v;
      return {};
    }
    case ImmKind::I64: {
      KUMO_TRY(in.i64, r.s64());
      return {};
    }
    case ImmKind::F32: {
      KUMO_TRY(in.bits, r.fixed_u32());
      return {};
    }
    case ImmKind::F64: {
      KUMO_TRY(in.bits, r.fixed_u64());
      return {};
    }
    case ImmKind::V128:
    case ImmKind::Shuffle: {
      KUMO_TRY(auto b, r.bytes(16));
      std::memcpy(in.v128.data(), b.data(), 16);
      return {};
    }
    case ImmKind::SelectT: {
      uint32_t at = r.offset();
      KUMO_TRY(uint32_t n, r.count(1));
      // Instr holds one type; the spec only allows one (more is "invalid result arity").
      if (n != 1) return r.fail_at(at, fmt::format("invalid result arity: select with {} types", n));
      KUMO_TRY(in.type, read_val_type(r));
      return {};
    }
    case ImmKind::HeapType: {
      KUMO_TRY(in.heap, read_heap_type(r));
      return {};
    }
    case ImmKind::TryTable: {
      KUMO_TRY(in.block, read_block_type(r));
      KUMO_TRY(uint32_t n, r.count(2));
      in.table_begin = uint32_t(out.catches.size());
      in.table_size = n;
      for (uint32_t i = 0; i < n; ++i) {
        uint32_t at = r.offset();
        KUMO_TRY(uint8_t kind, r.u8());
        if (kind > CatchClause::CatchAllRef) {
          return r.fail_at(at, fmt::format("malformed catch clause kind 0x{:02x}", kind));
        }
        CatchClause c;
        c.kind = CatchClause::Kind(kind);
        if (c.kind == CatchClause::Catch || c.kind == CatchClause::CatchRef) {
          KUMO_TRY(c.tag, r.u32());
        }
        KUMO_TRY(c.label, r.u32());
        out.catches.push_back(c);
      }
      return {};
    }
  }
  return r.fail("internal error: unhandled immediate kind");
}

}  // namespace

Expected<void> decode_expr_into(Reader& r, Body& out, ExprFacts& facts, const Profile& profile) {
  uint32_t depth = 0;  // blocks opened inside the expression and not yet closed
  for (;;) {
    Instr in;
    in.offset = r.offset();
    if (r.at_end()) return r.fail("unexpected end of section or function (END opcode expected)");
    uint8_t b = *r.u8();
    Op op;
    if (b == 0xFB || b == 0xFC || b == 0xFD || b == 0xFE) {
      KUMO_TRY(uint32_t code, r.u32());
      op = lookup_opcode(b, code);
      if (op == Op::Count_ || (b == 0xFB && !profile.gc)) {
        return illegal_opcode(r, in.offset, b, code, profile);
      }
    } else {
      op = lookup_opcode(0, b);
      if (op == Op::Count_) return illegal_opcode(r, in.offset, 0, b, profile);
    }
    in.op = op;
    KUMO_CHECK(read_immediates(r, in, out, profile));

    switch (op) {
      case Op::Block: case Op::Loop: case Op::If: case Op::Try: case Op::TryTable:
        ++depth;
        break;
      case Op::End:
        if (depth == 0) {  // closes the expression itself
          out.instrs.push_back(in);
          return {};
        }
        --depth;
        break;
      case Op::Delegate:  // legacy exceptions: `delegate` closes its `try` like `end`
        if (depth == 0) return r.fail_at(in.offset, "delegate outside of a try block");
        --depth;
        break;
      case Op::MemoryInit: case Op::DataDrop:
        facts.uses_data_index = true;
        break;
      default:
        break;
    }
    out.instrs.push_back(in);
  }
}

}  // namespace kumo::wasm::binary

namespace kumo::wasm {

Expected<Body> decode_expr(std::span<const uint8_t> code, uint32_t base_offset) {
  binary::Reader r(code, base_offset, "expression");
  Body body;
  // Most instructions take 1-3 bytes; this avoids most regrowth without overcommitting.
  body.instrs.reserve(code.size() / 2 + 1);
  binary::ExprFacts facts;
  KUMO_CHECK(binary::decode_expr_into(r, body, facts));
  if (!r.at_end()) {
    return r.fail(fmt::format("END opcode expected: {} bytes after the final end (section size "
                              "mismatch)", r.remaining()));
  }
  return body;
}

}  // namespace kumo::wasm
