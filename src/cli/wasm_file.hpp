// Reading .wasm files and telling apart what they contain (core module, component, text).
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "wasm/common/expected.hpp"

namespace kumo::cli {

Expected<std::vector<uint8_t>> read_file_bytes(const std::filesystem::path& path);

enum class BinaryKind { CoreModule, Component, Text, Unknown };

// Looks at the preamble only: "\0asm" followed by version 1 (a core module) or by the
// component-model version/layer (layer 1). Text (.wat) starts with "(" or a comment.
BinaryKind classify_binary(std::span<const uint8_t> bytes);

// Reads `path` and checks that it holds a core module; the error explains what to do otherwise
// (components are not supported yet; text must be converted with wat2wasm).
Expected<std::vector<uint8_t>> read_core_module(const std::filesystem::path& path);

}  // namespace kumo::cli
