// WIT parser: one file's tokens to an ast::File. Syntax errors carry file:line:column.
#pragma once

#include <cstdint>

#include "wasm/common/expected.hpp"
#include "wit/ast.hpp"
#include "wit/source.hpp"

namespace kumo::wit {

// Parses file `file` of `sources` (see SourceMap::add).
Expected<ast::File> parse_file(const SourceMap& sources, uint32_t file);

}  // namespace kumo::wit
