#include "wasm/jit/x64_assembler.hpp"

#include <cpuid.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace kumo::wasm::jit {

namespace {
unsigned r(Reg x) { return unsigned(x); }
bool w64(Width w) { return w == Width::W64; }
}  // namespace

void Assembler::u32(uint32_t v) {
  for (int i = 0; i < 4; ++i) byte(uint8_t(v >> (8 * i)));
}

// REX = 0100WRXB; omitted when all its bits are zero unless `force` (byte registers spl..dil
// need a REX prefix to be addressable at all).
void Assembler::rex(bool w, unsigned reg, unsigned index, unsigned base, bool force) {
  uint8_t v = uint8_t(0x40 | (w ? 8 : 0) | (reg >> 3) << 2 | (index >> 3) << 1 | (base >> 3));
  if (v != 0x40 || force) byte(v);
}

// Always mod=10 (a 32-bit displacement): one form for every base. rsp and r12 as a base need a
// SIB byte (rm=100 means "SIB follows").
void Assembler::mem(unsigned reg, Reg base, int32_t disp) {
  if ((r(base) & 7) == 4) {
    byte(uint8_t(0x80 | (reg & 7) << 3 | 4));
    byte(0x24);
  } else {
    byte(uint8_t(0x80 | (reg & 7) << 3 | (r(base) & 7)));
  }
  u32(uint32_t(disp));
}

void Assembler::mem_indexed(unsigned reg, Reg base, Reg index, int32_t disp) {
  byte(uint8_t(0x80 | (reg & 7) << 3 | 4));
  byte(uint8_t((r(index) & 7) << 3 | (r(base) & 7)));  // scale 1
  u32(uint32_t(disp));
}

void Assembler::mov(Width w, Reg dst, Reg src) {
  rex(w64(w), r(src), 0, r(dst));
  byte(0x89);
  modrm_reg(r(src), dst);
}

void Assembler::mov_imm(Reg dst, uint64_t imm) {
  if (imm <= UINT32_MAX) {  // mov r32, imm32 zero-extends
    rex(false, 0, 0, r(dst));
    byte(uint8_t(0xB8 | (r(dst) & 7)));
    u32(uint32_t(imm));
  } else if (int64_t(imm) >= INT32_MIN && int64_t(imm) < 0) {  // mov r/m64, imm32 sign-extends
    rex(true, 0, 0, r(dst));
    byte(0xC7);
    modrm_reg(0, dst);
    u32(uint32_t(imm));
  } else {  // movabs
    rex(true, 0, 0, r(dst));
    byte(uint8_t(0xB8 | (r(dst) & 7)));
    u32(uint32_t(imm));
    u32(uint32_t(imm >> 32));
  }
}

void Assembler::lea(Reg dst, Reg base, int32_t disp) {
  rex(true, r(dst), 0, r(base));
  byte(0x8D);
  mem(r(dst), base, disp);
}

void Assembler::load(Width w, Reg dst, Reg base, int32_t disp) {
  rex(w64(w), r(dst), 0, r(base));
  byte(0x8B);
  mem(r(dst), base, disp);
}

void Assembler::store(Width w, Reg base, int32_t disp, Reg src) {
  rex(w64(w), r(src), 0, r(base));
  byte(0x89);
  mem(r(src), base, disp);
}

namespace {
bool wide(MemLoad kind) {
  return kind == MemLoad::S8To64 || kind == MemLoad::S16To64 || kind == MemLoad::S32To64 ||
         kind == MemLoad::U64;
}
}  // namespace

void Assembler::load_opcode(MemLoad kind) {
  switch (kind) {
    case MemLoad::U8: byte(0x0F), byte(0xB6); break;
    case MemLoad::S8To32:
    case MemLoad::S8To64: byte(0x0F), byte(0xBE); break;
    case MemLoad::U16: byte(0x0F), byte(0xB7); break;
    case MemLoad::S16To32:
    case MemLoad::S16To64: byte(0x0F), byte(0xBF); break;
    case MemLoad::U32:
    case MemLoad::U64: byte(0x8B); break;
    case MemLoad::S32To64: byte(0x63); break;
  }
}

void Assembler::load(MemLoad kind, Reg dst, Reg base, int32_t disp) {
  rex(wide(kind), r(dst), 0, r(base));
  load_opcode(kind);
  mem(r(dst), base, disp);
}

void Assembler::load(MemLoad kind, Reg dst, Reg base, Reg index, int32_t disp) {
  rex(wide(kind), r(dst), r(index), r(base));
  load_opcode(kind);
  mem_indexed(r(dst), base, index, disp);
}

void Assembler::store(MemStore kind, Reg base, Reg index, int32_t disp, Reg src) {
  if (kind == MemStore::B16) byte(0x66);  // operand-size prefix, before REX
  rex(kind == MemStore::B64, r(src), r(index), r(base), kind == MemStore::B8 && r(src) >= 4);
  byte(kind == MemStore::B8 ? 0x88 : 0x89);
  mem_indexed(r(src), base, index, disp);
}

void Assembler::alu(Alu op, Width w, Reg dst, Reg src) {
  rex(w64(w), r(src), 0, r(dst));
  byte(uint8_t(unsigned(op) << 3 |
               1));  // "op r/m, r": 01 add, 09 or, 21 and, 29 sub, 31 xor, 39 cmp
  modrm_reg(r(src), dst);
}

void Assembler::alu_imm(Alu op, Width w, Reg dst, int32_t imm) {
  rex(w64(w), 0, 0, r(dst));
  byte(0x81);
  modrm_reg(unsigned(op), dst);
  u32(uint32_t(imm));
}

void Assembler::imul(Width w, Reg dst, Reg src) {
  rex(w64(w), r(dst), 0, r(src));
  byte(0x0F), byte(0xAF);
  modrm_reg(r(dst), src);
}

void Assembler::bit_count(BitCount op, Width w, Reg dst, Reg src) {
  byte(0xF3);  // the mandatory prefix goes before REX
  rex(w64(w), r(dst), 0, r(src));
  byte(0x0F), byte(uint8_t(op));
  modrm_reg(r(dst), src);
}

bool has_bit_count_instructions() {
  // CPUID (Intel SDM vol. 2): POPCNT is leaf 1 ECX bit 23, LZCNT (ABM) leaf 0x80000001 ECX bit 5,
  // TZCNT (BMI1) leaf 7 EBX bit 3.
  static const bool has = [] {
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 23))) return false;
    if (!__get_cpuid(0x80000001u, &a, &b, &c, &d) || !(c & (1u << 5))) return false;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & (1u << 3))) return false;
    return true;
  }();
  return has;
}

void Assembler::shift_cl(Shift op, Width w, Reg dst) {
  rex(w64(w), 0, 0, r(dst));
  byte(0xD3);
  modrm_reg(unsigned(op), dst);
}

void Assembler::test(Width w, Reg a, Reg b) {
  rex(w64(w), r(b), 0, r(a));
  byte(0x85);
  modrm_reg(r(b), a);
}

void Assembler::setcc(Cond c, Reg dst) {
  rex(false, 0, 0, r(dst), r(dst) >= 4);
  byte(0x0F), byte(uint8_t(0x90 | unsigned(c)));
  modrm_reg(0, dst);
  rex(false, r(dst), 0, r(dst), r(dst) >= 4);  // movzx r32, r8: clears the rest
  byte(0x0F), byte(0xB6);
  modrm_reg(r(dst), dst);
}

void Assembler::sign_extend_ax(Width w) {
  if (w64(w)) byte(0x48);
  byte(0x99);
}

void Assembler::div(Width w, Reg divisor, bool is_signed) {
  rex(w64(w), 0, 0, r(divisor));
  byte(0xF7);
  modrm_reg(is_signed ? 7 : 6, divisor);
}

Label Assembler::new_label() {
  label_pos_.push_back(-1);
  return Label{uint32_t(label_pos_.size() - 1)};
}

void Assembler::bind(Label l) { label_pos_.at(l.id) = int64_t(code_.size()); }

void Assembler::branch_target(Label l) {
  fixups_.push_back({uint32_t(code_.size()), l.id});
  u32(0);
}

void Assembler::jmp(Label l) {
  byte(0xE9);
  branch_target(l);
}

void Assembler::jcc(Cond c, Label l) {
  byte(0x0F), byte(uint8_t(0x80 | unsigned(c)));
  branch_target(l);
}

void Assembler::call(Reg target) {
  rex(false, 0, 0, r(target));
  byte(0xFF);
  modrm_reg(2, target);
}

void Assembler::call(Label l) {
  byte(0xE8);
  branch_target(l);
}

void Assembler::ret() { byte(0xC3); }

void Assembler::push(Reg x) {
  rex(false, 0, 0, r(x));
  byte(uint8_t(0x50 | (r(x) & 7)));
}

void Assembler::pop(Reg x) {
  rex(false, 0, 0, r(x));
  byte(uint8_t(0x58 | (r(x) & 7)));
}

Expected<std::vector<uint8_t>> Assembler::finish() {
  for (const Fixup& f : fixups_) {
    int64_t target = f.label < label_pos_.size() ? label_pos_[f.label] : -1;
    if (target < 0) return err("branch at offset {} targets an unbound label", f.at - 1);
    const int64_t rel = target - int64_t(f.at + 4);
    for (int i = 0; i < 4; ++i) code_[f.at + i] = uint8_t(uint64_t(rel) >> (8 * i));
  }
  fixups_.clear();
  return code_;
}

Expected<ExecutableCode> ExecutableCode::create(std::span<const uint8_t> code) {
  const size_t page = size_t(sysconf(_SC_PAGESIZE));
  const size_t size = std::max(page, (code.size() + page - 1) / page * page);
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return err("cannot map {} bytes for code: {}", size, std::strerror(errno));
  std::memcpy(p, code.data(), code.size());
  if (mprotect(p, size, PROT_READ | PROT_EXEC) != 0) {
    int e = errno;
    munmap(p, size);
    return err("cannot make code executable: {}", std::strerror(e));
  }
  return ExecutableCode(p, size);
}

ExecutableCode& ExecutableCode::operator=(ExecutableCode&& o) noexcept {
  if (this != &o) {
    if (base_) munmap(base_, size_);
    base_ = o.base_;
    size_ = o.size_;
    o.base_ = nullptr;
    o.size_ = 0;
  }
  return *this;
}

ExecutableCode::~ExecutableCode() {
  if (base_) munmap(base_, size_);
}

}  // namespace kumo::wasm::jit
