// Parsing of the "name" custom section; errors are swallowed because custom sections are
// informational and never make a module malformed.
#include "wasm/binary/name_section.hpp"

#include "wasm/binary/reader.hpp"

namespace kumo::wasm::binary {

namespace {

constexpr uint8_t kModuleNameId = 0;
constexpr uint8_t kFunctionNamesId = 1;

struct Names {
  std::string module_name;
  std::unordered_map<uint32_t, std::string> funcs;
};

Expected<void> parse(Reader& r, Names& out) {
  int last_id = -1;
  while (!r.at_end()) {
    KUMO_TRY(uint8_t id, r.u8());
    KUMO_TRY(uint32_t size, r.u32());
    uint32_t base = r.offset();
    KUMO_TRY(auto payload, r.bytes(size));
    if (int(id) <= last_id) return r.fail("name subsections out of order");
    last_id = id;
    Reader sub(payload, base, r.context());
    if (id == kModuleNameId) {
      KUMO_TRY(out.module_name, sub.name());
    } else if (id == kFunctionNamesId) {
      KUMO_TRY(uint32_t n, sub.count(2));
      for (uint32_t i = 0; i < n; ++i) {
        KUMO_TRY(uint32_t idx, sub.u32());
        KUMO_TRY(std::string name, sub.name());
        out.funcs.emplace(idx, std::move(name));  // first name wins on duplicates
      }
    } else {
      continue;  // local names, labels, types, ...: not needed yet
    }
    if (!sub.at_end()) return sub.fail("name subsection size mismatch");
  }
  return {};
}

}  // namespace

void parse_name_section(std::span<const uint8_t> payload, uint32_t base_offset, Module& m) {
  Reader r(payload, base_offset, "name section");
  Names names;
  if (!parse(r, names)) return;
  m.module_name = std::move(names.module_name);
  m.func_names = std::move(names.funcs);
}

}  // namespace kumo::wasm::binary
