// A minimal binary-module writer for the micro-benchmarks: enough to build small test modules
// (function types, functions with locals, one memory, imports and exports of functions) from
// hand-written instruction bytes, without a text-format assembler.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace kumo::bench {

using Bytes = std::vector<uint8_t>;

inline void uleb(Bytes& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out.push_back(v ? b | 0x80 : b);
  } while (v);
}
inline void sleb(Bytes& out, int64_t v) {
  for (;;) {
    uint8_t b = v & 0x7f;
    v >>= 7;
    bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
    out.push_back(done ? b : b | 0x80);
    if (done) break;
  }
}

// Value type bytes.
inline constexpr uint8_t I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c;

// Instruction helpers producing bytes.
namespace op {
inline Bytes i32_const(int32_t v) { Bytes b{0x41}; sleb(b, v); return b; }
inline Bytes i64_const(int64_t v) { Bytes b{0x42}; sleb(b, v); return b; }
inline Bytes local_get(uint32_t i) { Bytes b{0x20}; uleb(b, i); return b; }
inline Bytes local_set(uint32_t i) { Bytes b{0x21}; uleb(b, i); return b; }
inline Bytes local_tee(uint32_t i) { Bytes b{0x22}; uleb(b, i); return b; }
inline Bytes call(uint32_t f) { Bytes b{0x10}; uleb(b, f); return b; }
inline Bytes br(uint32_t d) { Bytes b{0x0c}; uleb(b, d); return b; }
inline Bytes br_if(uint32_t d) { Bytes b{0x0d}; uleb(b, d); return b; }
inline Bytes mem(uint8_t opcode, uint32_t align_log2, uint32_t offset) {
  Bytes b{opcode}; uleb(b, align_log2); uleb(b, offset); return b;
}
}  // namespace op

// Concatenates instruction byte sequences: code({op::local_get(0), {0x6a}, ...}).
inline Bytes code(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

class ModuleBuilder {
 public:
  uint32_t type(Bytes params, Bytes results) {
    types_.push_back({std::move(params), std::move(results)});
    return uint32_t(types_.size() - 1);
  }
  // Imports come before defined functions in the index space: add them first.
  uint32_t import_func(std::string module, std::string name, uint32_t type_index) {
    imports_.push_back({std::move(module), std::move(name), type_index});
    return uint32_t(imports_.size() - 1);
  }
  // `body` is the instruction sequence without the final `end`; locals as (count, type) groups.
  uint32_t func(uint32_t type_index, Bytes body, std::vector<std::pair<uint32_t, uint8_t>> locals = {}) {
    funcs_.push_back({type_index, std::move(body), std::move(locals)});
    return uint32_t(imports_.size() + funcs_.size() - 1);
  }
  void export_func(std::string name, uint32_t func_index) { exports_.push_back({std::move(name), func_index}); }
  void memory(uint32_t min_pages) { memory_pages_ = min_pages; }

  Bytes build() const {
    Bytes m{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    section(m, 1, vec(types_, [](Bytes& s, const Type& t) {
              s.push_back(0x60);
              uleb(s, t.params.size()); s.insert(s.end(), t.params.begin(), t.params.end());
              uleb(s, t.results.size()); s.insert(s.end(), t.results.begin(), t.results.end());
            }));
    if (!imports_.empty())
      section(m, 2, vec(imports_, [](Bytes& s, const Import& i) {
                name(s, i.module); name(s, i.name); s.push_back(0x00); uleb(s, i.type);
              }));
    section(m, 3, vec(funcs_, [](Bytes& s, const Func& f) { uleb(s, f.type); }));
    if (memory_pages_) {
      Bytes s{1, 0x00};
      uleb(s, *memory_pages_);
      section(m, 5, s);
    }
    section(m, 7, vec(exports_, [](Bytes& s, const Export& e) { name(s, e.name); s.push_back(0x00); uleb(s, e.func); }));
    section(m, 10, vec(funcs_, [](Bytes& s, const Func& f) {
              Bytes body;
              uleb(body, f.locals.size());
              for (auto [n, t] : f.locals) { uleb(body, n); body.push_back(t); }
              body.insert(body.end(), f.body.begin(), f.body.end());
              body.push_back(0x0b);
              uleb(s, body.size());
              s.insert(s.end(), body.begin(), body.end());
            }));
    return m;
  }

 private:
  struct Type { Bytes params, results; };
  struct Import { std::string module, name; uint32_t type; };
  struct Func { uint32_t type; Bytes body; std::vector<std::pair<uint32_t, uint8_t>> locals; };
  struct Export { std::string name; uint32_t func; };

  static void name(Bytes& s, const std::string& n) { uleb(s, n.size()); s.insert(s.end(), n.begin(), n.end()); }
  template <typename T, typename F>
  static Bytes vec(const std::vector<T>& items, F each) {
    Bytes s;
    uleb(s, items.size());
    for (const T& x : items) each(s, x);
    return s;
  }
  static void section(Bytes& m, uint8_t id, const Bytes& payload) {
    m.push_back(id);
    uleb(m, payload.size());
    m.insert(m.end(), payload.begin(), payload.end());
  }

  std::vector<Type> types_;
  std::vector<Import> imports_;
  std::vector<Func> funcs_;
  std::vector<Export> exports_;
  std::optional<uint32_t> memory_pages_;
};

}  // namespace kumo::bench
