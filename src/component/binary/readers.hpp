// Readers for the pieces of the component binary format shared by several sections (value types,
// sorts, names, externtypes, aliases, type definitions). Internal to the component decoder.
#pragma once

#include <optional>

#include "component/component.hpp"
#include "wasm/binary/reader.hpp"

namespace kumo::component::binary {

using wasm::binary::Reader;

// Nested components and nested type definitions: deeper nesting is rejected as malformed
// (rather than risking the native stack).
constexpr unsigned kMaxNesting = 100;

Unexpected<Error> invalid_byte(const Reader& r, uint32_t at, uint8_t b, const char* what);

// valtype: a primitive code, or a type index encoded as a non-negative s33.
Expected<ValType> read_value_type(Reader& r);
// 0x00 (absent) or 0x01 valtype.
Expected<std::optional<ValType>> read_opt_value_type(Reader& r, const char* what);

// sort ::= 0x00 core:sort | 0x01 func | 0x02 value | 0x03 type | 0x04 component | 0x05 instance
Expected<Sort> read_sort(Reader& r);
// The sorts an import/export/instantiation argument may have: component sorts and core module.
Expected<Sort> read_extern_sort(Reader& r);

// nameattributes: 0x00/0x01 name, or 0x02 name vec(attribute).
Expected<ExternName> read_extern_name(Reader& r);
// externtype: the sort of an import/export with its type (or bound).
Expected<ExternDesc> read_extern_desc(Reader& r);

Expected<component::Alias> read_alias(Reader& r);

// core:importdesc / core:externtype as used in module types.
Expected<CoreExternDesc> read_core_extern_desc(Reader& r);
// core:type of a component (a function type or a module type).
Expected<CoreTypeDef> read_core_type(Reader& r, unsigned depth);
// type: a defined value type, function, component, instance or resource type.
Expected<TypeDef> read_type(Reader& r, unsigned depth);

}  // namespace kumo::component::binary
