// The decoded form of a component binary (Binary.md), before validation: every definition in
// binary order, with the indices exactly as encoded. Validation (validator.hpp) resolves indices
// into typed index spaces; the runtime instantiates by walking `definitions` in order.
//
// Type definitions reuse the structures of types.hpp; in this file a ValType's TypeId (and
// DefinedType::resource) is a *type index* in the enclosing scope's type index space.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "component/types.hpp"
#include "wasm/common/expected.hpp"
#include "wasm/module.hpp"

namespace kumo::component {

// Every sort of the 13 index spaces (core sorts first, with their binary codes in comments).
enum class Sort : uint8_t {
  CoreFunc,      // 0x00 0x00
  CoreTable,     // 0x00 0x01
  CoreMemory,    // 0x00 0x02
  CoreGlobal,    // 0x00 0x03
  CoreTag,       // 0x00 0x04
  CoreType,      // 0x00 0x10
  CoreModule,    // 0x00 0x11
  CoreInstance,  // 0x00 0x12
  Func,          // 0x01
  Value,         // 0x02
  Type,          // 0x03
  Component,     // 0x04
  Instance,      // 0x05
};
const char* to_string(Sort s);  // "core func", ..., "instance"
inline bool is_core(Sort s) { return s <= Sort::CoreInstance; }

struct SortIndex {
  Sort sort = Sort::Func;
  uint32_t index = 0;
};

// ---- core definitions ----

struct CoreModuleDef {
  std::shared_ptr<const wasm::Module> module;
  uint32_t offset = 0;  // of the module binary within the top-level component binary
  uint32_t size = 0;
};

struct CoreInstantiateArg {
  std::string name;
  uint32_t instance = 0;  // core instance index (the only sort allowed today)
};
struct CoreInlineExport {
  std::string name;
  SortIndex item;  // a core sort
};
struct CoreInstanceDef {
  enum Kind : uint8_t { Instantiate, FromExports } kind = Instantiate;
  uint32_t module = 0;                     // Instantiate
  std::vector<CoreInstantiateArg> args;    // Instantiate
  std::vector<CoreInlineExport> exports;   // FromExports
  uint32_t offset = 0;
};

// The type of a core import/export in a module type; func and tag types are core type indices.
struct CoreExternDesc {
  wasm::ExternKind kind = wasm::ExternKind::Func;
  uint32_t type_index = 0;  // Func, Tag
  wasm::TableType table;
  wasm::MemoryType memory;
  wasm::GlobalType global;
};

struct CoreTypeDef;
struct ModuleDecl {
  enum Kind : uint8_t { Import, Type, Alias, Export } kind = Import;
  std::string module, name;            // Import: both; Export: name
  CoreExternDesc desc;                 // Import, Export
  std::shared_ptr<CoreTypeDef> type;   // Type
  uint32_t outer_count = 0;            // Alias: (alias outer ct idx (type))
  uint32_t outer_index = 0;
};

struct CoreTypeDef {
  enum Kind : uint8_t { Func, Module } kind = Func;
  wasm::FuncType func;                   // Func
  std::vector<ModuleDecl> module_decls;  // Module
  uint32_t offset = 0;
};

// ---- component definitions ----

struct InstantiateArg {
  std::string name;
  SortIndex item;
};
struct InlineExport {
  ExternName name;
  SortIndex item;
};
struct InstanceDef {
  enum Kind : uint8_t { Instantiate, FromExports } kind = Instantiate;
  uint32_t component = 0;
  std::vector<InstantiateArg> args;
  std::vector<InlineExport> exports;
  uint32_t offset = 0;
};

struct Alias {
  enum Kind : uint8_t { InstanceExport, CoreInstanceExport, Outer } kind = InstanceExport;
  Sort sort = Sort::Func;
  uint32_t instance = 0;  // InstanceExport, CoreInstanceExport
  std::string name;       // InstanceExport, CoreInstanceExport
  uint32_t outer_count = 0;
  uint32_t outer_index = 0;
  uint32_t offset = 0;
};

// An externtype (what an import or export declares).
struct ExternDesc {
  ExternSort sort = ExternSort::Func;
  uint32_t index = 0;  // CoreModule: core type index; Func, Component, Instance: type index
  enum Bound : uint8_t { Eq, SubResource } bound = Eq;  // Type: (eq index) or (sub resource)
  // Value: (eq value-index) when value_eq, otherwise a value type.
  bool value_eq = false;
  ValType value_type;
};

struct TypeDef;
// One declarator of a component or instance type.
struct TypeDecl {
  enum Kind : uint8_t { CoreType, Type, Alias, Import, Export } kind = Type;
  std::shared_ptr<CoreTypeDef> core_type;
  std::shared_ptr<TypeDef> type;
  component::Alias alias;
  ExternName name;  // Import, Export
  ExternDesc desc;  // Import, Export
  uint32_t offset = 0;
};

struct ResourceTypeDef {
  wasm::ValType rep = wasm::ValType::I32;
  std::optional<uint32_t> dtor;  // core func index
};

struct TypeDef {
  enum Kind : uint8_t { Defined, Func, Component, Instance, Resource } kind = Defined;
  DefinedType defined;         // Defined (indices, see the top of this file)
  FuncType func;               // Func (indices)
  std::vector<TypeDecl> decls;  // Component, Instance
  ResourceTypeDef resource;    // Resource
  uint32_t offset = 0;
};

enum class CanonKind : uint8_t {
  Lift, Lower, ResourceNew, ResourceDrop, ResourceRep,
  // Async, error-context and thread built-ins: decoded so that binaries using them are
  // recognised; the validator rejects them unless their features are enabled (they are not
  // implemented yet).
  BackpressureInc, BackpressureDec, TaskReturn, TaskCancel, ContextGet,
  ContextSet, ThreadYield, SubtaskCancel, SubtaskDrop, StreamNew, StreamRead, StreamWrite,
  StreamCancelRead, StreamCancelWrite, StreamDropReadable, StreamDropWritable, FutureNew,
  FutureRead, FutureWrite, FutureCancelRead, FutureCancelWrite, FutureDropReadable,
  FutureDropWritable, ErrorContextNew, ErrorContextDebugMessage, ErrorContextDrop,
  WaitableSetNew, WaitableSetWait, WaitableSetPoll, WaitableSetDrop, WaitableJoin,
  ThreadIndex, ThreadNewIndirect, ThreadResumeLater, ThreadSuspend, ThreadSuspendThenResume,
  ThreadYieldThenResume, ThreadSuspendThenPromote, ThreadYieldThenPromote, ThreadSpawnRef,
  ThreadSpawnIndirect, ThreadAvailableParallelism,
};
const char* to_string(CanonKind k);  // "lift", "lower", "resource.new", ...

struct CanonOption {
  enum Kind : uint8_t {
    Utf8, Utf16, Latin1Utf16, Memory, Realloc, PostReturn, Async, Callback, CoreType, Gc,
  } kind = Utf8;
  uint32_t index = 0;  // Memory, Realloc, PostReturn, Callback, CoreType
};

struct Canon {
  CanonKind kind = CanonKind::Lift;
  uint32_t func_index = 0;  // Lift: core func; Lower: component func
  uint32_t type_index = 0;  // Lift: func type; resource.* and stream/future: the type operand;
                            // thread.*: the core type
  std::vector<CanonOption> options;
  // Immediates of the async/thread built-ins (not validated yet).
  std::optional<ValType> result;        // task.return
  wasm::ValType core_type = wasm::ValType::I32;  // context.get/set
  uint32_t slot = 0;                    // context.get/set
  bool flag = false;                    // async? / cancellable? / shared?
  uint32_t table_index = 0;             // thread.new-indirect / spawn-indirect
  uint32_t memory_index = 0;            // waitable-set.wait/poll
  uint32_t offset = 0;
};

struct StartDef {
  uint32_t func = 0;
  std::vector<uint32_t> args;  // value indices
  uint32_t results = 0;
  uint32_t offset = 0;
};

struct Import {
  ExternName name;
  ExternDesc desc;
  uint32_t offset = 0;
};

struct Export {
  ExternName name;
  SortIndex item;
  std::optional<ExternDesc> ascribed;  // an explicit type for the export
  uint32_t offset = 0;
};

struct ValueDef {
  ValType type;  // indices
  std::vector<uint8_t> bytes;
  uint32_t offset = 0;
};

struct CustomSection {
  std::string name;
  uint32_t offset = 0;  // payload in the top-level binary
  uint32_t size = 0;
};

// The `component-name` custom section (optional; a malformed one is ignored).
struct ComponentNames {
  std::optional<std::string> component;
  struct SortNames {
    Sort sort;
    std::vector<std::pair<uint32_t, std::string>> names;
  };
  std::vector<SortNames> sorts;
};

struct Component;

// One definition, in binary order: `index` is into the Component vector of that kind.
struct Definition {
  enum Kind : uint8_t {
    CoreModule, CoreInstance, CoreType, Component, Instance, Alias, Type, Canon, Start, Import,
    Export, Value,
  } kind;
  uint32_t index;
};

struct Component {
  uint32_t offset = 0;  // of this component's preamble within the top-level binary
  uint32_t size = 0;

  std::vector<CoreModuleDef> core_modules;
  std::vector<CoreInstanceDef> core_instances;
  std::vector<CoreTypeDef> core_types;
  std::vector<std::shared_ptr<const Component>> components;  // nested definitions
  std::vector<InstanceDef> instances;
  std::vector<Alias> aliases;
  std::vector<TypeDef> types;
  std::vector<Canon> canons;
  std::vector<StartDef> starts;
  std::vector<Import> imports;
  std::vector<Export> exports;
  std::vector<ValueDef> values;
  std::vector<Definition> definitions;

  std::vector<CustomSection> customs;
  ComponentNames names;
};

// True when `bytes` starts with the component preamble (layer 1), false for a core module
// (layer 0) or anything else.
bool is_component_binary(std::span<const uint8_t> bytes);

// Decodes a component binary. Errors name the section, the byte offset and what was expected,
// e.g. "section 7 (type) at offset 0x2c: invalid leading byte (0x62) for component defined type".
// Nested core modules are decoded with wasm::decode_module. The result is not validated.
Expected<std::shared_ptr<const Component>> decode_component(std::span<const uint8_t> bytes);

}  // namespace kumo::component
