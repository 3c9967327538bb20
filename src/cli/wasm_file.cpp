#include "cli/wasm_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace kumo::cli {

Expected<std::vector<uint8_t>> read_file_bytes(const std::filesystem::path& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return err("cannot open {}: {}", path.string(), std::strerror(errno));
  std::vector<uint8_t> bytes;
  uint8_t buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) bytes.insert(bytes.end(), buf, buf + n);
  if (std::ferror(f.get())) return err("cannot read {}: {}", path.string(), std::strerror(errno));
  return bytes;
}

BinaryKind classify_binary(std::span<const uint8_t> b) {
  if (b.size() >= 8 && b[0] == 0 && b[1] == 'a' && b[2] == 's' && b[3] == 'm') {
    // Bytes 4..5 are the version, 6..7 the layer: core modules are version 1 layer 0,
    // components use layer 1 (with a pre-standard version such as 0x0d).
    if (b[6] == 1 && b[7] == 0) return BinaryKind::Component;
    return BinaryKind::CoreModule;
  }
  if (b.size() >= 4 && b[0] == 0 && b[1] == 'a' && b[2] == 's' && b[3] == 'm')
    return BinaryKind::CoreModule;  // truncated: let the decoder report it precisely
  for (uint8_t c : b) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    return c == '(' || c == ';' ? BinaryKind::Text : BinaryKind::Unknown;
  }
  return BinaryKind::Unknown;
}

Expected<std::vector<uint8_t>> read_core_module(const std::filesystem::path& path) {
  KUMO_TRY(auto bytes, read_file_bytes(path));
  switch (classify_binary(bytes)) {
    case BinaryKind::CoreModule: return bytes;
    case BinaryKind::Component:
      return err("{}: this is a WebAssembly component; components are not supported yet "
                 "(only core modules)", path.string());
    case BinaryKind::Text:
      return err("{}: this looks like WebAssembly text; kumo reads binary modules only "
                 "(convert it with wat2wasm or wasm-tools parse)", path.string());
    case BinaryKind::Unknown: break;
  }
  return err("{}: not a WebAssembly binary (missing the \\0asm magic number)", path.string());
}

}  // namespace kumo::cli
