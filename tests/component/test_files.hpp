// Reading test inputs from KUMO_SHARED_DIR.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <vector>

namespace kumo::component::test {

inline std::vector<uint8_t> read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<uint8_t> b(std::filesystem::file_size(p));
  in.read(reinterpret_cast<char*>(b.data()), std::streamsize(b.size()));
  return b;
}

}  // namespace kumo::component::test
