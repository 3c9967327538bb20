// decode_component: the component binary format (Binary.md) into the syntax tree of
// component.hpp. The decoder checks what the binary format requires ("malformed"); index ranges,
// types and names are the validator's business.
#include <array>
#include <cstring>
#include <limits>

#include "component/binary/readers.hpp"
#include "wasm/binary/type_reader.hpp"

namespace kumo::component {

namespace {

using binary::invalid_byte;
using binary::Reader;

constexpr std::array<uint8_t, 8> kComponentPreamble = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
constexpr uint8_t kMaxSectionId = 12;
constexpr std::array<const char*, kMaxSectionId + 1> kSectionContext = {
    "section 0 (custom)",   "section 1 (core module)", "section 2 (core instance)",
    "section 3 (core type)", "section 4 (component)",  "section 5 (instance)",
    "section 6 (alias)",    "section 7 (type)",        "section 8 (canon)",
    "section 9 (start)",    "section 10 (import)",     "section 11 (export)",
    "section 12 (value)",
};

// What the 8-byte header says the binary is.
enum class Header { Component, Module, Other };

Header classify(std::span<const uint8_t> b) {
  if (b.size() < 8 || std::memcmp(b.data(), "\0asm", 4) != 0) return Header::Other;
  if (b[6] == 0x01 && b[7] == 0x00) return Header::Component;
  if (b[4] == 0x01 && b[5] == 0x00 && b[6] == 0x00 && b[7] == 0x00) return Header::Module;
  return Header::Other;
}

Expected<bool> read_bool(Reader& r) {
  uint32_t at = r.offset();
  KUMO_TRY(uint8_t b, r.u8());
  if (b > 1) return r.fail_at(at, fmt::format("invalid boolean value 0x{:x}", b));
  return b == 1;
}

Expected<SortIndex> read_sort_index(Reader& r, bool extern_only) {
  SortIndex s;
  if (extern_only) {
    KUMO_TRY(s.sort, binary::read_extern_sort(r));
  } else {
    KUMO_TRY(s.sort, binary::read_sort(r));
  }
  KUMO_TRY(s.index, r.u32());
  return s;
}

Expected<std::vector<CanonOption>> read_canon_options(Reader& r) {
  KUMO_TRY(uint32_t n, r.count(1));
  std::vector<CanonOption> opts;
  opts.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t at = r.offset();
    KUMO_TRY(uint8_t b, r.u8());
    CanonOption o;
    switch (b) {
      case 0x00: o.kind = CanonOption::Utf8; break;
      case 0x01: o.kind = CanonOption::Utf16; break;
      case 0x02: o.kind = CanonOption::Latin1Utf16; break;
      case 0x03: o.kind = CanonOption::Memory; break;
      case 0x04: o.kind = CanonOption::Realloc; break;
      case 0x05: o.kind = CanonOption::PostReturn; break;
      case 0x06: o.kind = CanonOption::Async; break;
      case 0x07: o.kind = CanonOption::Callback; break;
      case 0x08: o.kind = CanonOption::CoreType; break;
      case 0x09: o.kind = CanonOption::Gc; break;
      default: return invalid_byte(r, at, b, "canonical option");
    }
    if (b == 0x03 || b == 0x04 || b == 0x05 || b == 0x07 || b == 0x08) {
      KUMO_TRY(o.index, r.u32());
    }
    opts.push_back(o);
  }
  return opts;
}

Expected<Canon> read_canon(Reader& r) {
  Canon c;
  c.offset = r.offset();
  KUMO_TRY(uint8_t op, r.u8());
  auto sub_zero = [&](const char* what) -> Expected<void> {
    uint32_t at = r.offset();
    KUMO_TRY(uint8_t b, r.u8());
    if (b != 0x00) return invalid_byte(r, at, b, what);
    return {};
  };
  auto type_operand = [&](CanonKind k) -> Expected<Canon> {
    c.kind = k;
    KUMO_TRY(c.type_index, r.u32());
    return c;
  };
  auto type_and_opts = [&](CanonKind k) -> Expected<Canon> {
    c.kind = k;
    KUMO_TRY(c.type_index, r.u32());
    KUMO_TRY(c.options, read_canon_options(r));
    return c;
  };
  auto type_and_flag = [&](CanonKind k) -> Expected<Canon> {
    c.kind = k;
    KUMO_TRY(c.type_index, r.u32());
    KUMO_TRY(c.flag, read_bool(r));
    return c;
  };
  auto flag_only = [&](CanonKind k) -> Expected<Canon> {
    c.kind = k;
    KUMO_TRY(c.flag, read_bool(r));
    return c;
  };
  auto bare = [&](CanonKind k) -> Expected<Canon> {
    c.kind = k;
    return c;
  };
  switch (op) {
    case 0x00: {
      KUMO_CHECK(sub_zero("canonical function lift"));
      c.kind = CanonKind::Lift;
      KUMO_TRY(c.func_index, r.u32());
      KUMO_TRY(c.options, read_canon_options(r));
      KUMO_TRY(c.type_index, r.u32());
      return c;
    }
    case 0x01: {
      KUMO_CHECK(sub_zero("canonical function lower"));
      c.kind = CanonKind::Lower;
      KUMO_TRY(c.func_index, r.u32());
      KUMO_TRY(c.options, read_canon_options(r));
      return c;
    }
    case 0x02: return type_operand(CanonKind::ResourceNew);
    case 0x03: return type_operand(CanonKind::ResourceDrop);
    case 0x04: return type_operand(CanonKind::ResourceRep);
    case 0x24: return bare(CanonKind::BackpressureInc);
    case 0x25: return bare(CanonKind::BackpressureDec);
    case 0x09: {
      c.kind = CanonKind::TaskReturn;
      uint32_t at = r.offset();
      KUMO_TRY(uint8_t b, r.u8());
      if (b == 0x00) {
        KUMO_TRY(c.result, binary::read_value_type(r));
      } else if (b == 0x01) {
        KUMO_CHECK(sub_zero("number of results"));
      } else {
        return invalid_byte(r, at, b, "component function results");
      }
      KUMO_TRY(c.options, read_canon_options(r));
      return c;
    }
    case 0x05: return bare(CanonKind::TaskCancel);
    case 0x0a:
    case 0x0b: {
      c.kind = op == 0x0a ? CanonKind::ContextGet : CanonKind::ContextSet;
      KUMO_TRY(c.core_type, wasm::binary::read_val_type(r));
      KUMO_TRY(c.slot, r.u32());
      return c;
    }
    case 0x06: return flag_only(CanonKind::SubtaskCancel);
    case 0x0d: return bare(CanonKind::SubtaskDrop);
    case 0x0e: return type_operand(CanonKind::StreamNew);
    case 0x0f: return type_and_opts(CanonKind::StreamRead);
    case 0x10: return type_and_opts(CanonKind::StreamWrite);
    case 0x11: return type_and_flag(CanonKind::StreamCancelRead);
    case 0x12: return type_and_flag(CanonKind::StreamCancelWrite);
    case 0x13: return type_operand(CanonKind::StreamDropReadable);
    case 0x14: return type_operand(CanonKind::StreamDropWritable);
    case 0x15: return type_operand(CanonKind::FutureNew);
    case 0x16: return type_and_opts(CanonKind::FutureRead);
    case 0x17: return type_and_opts(CanonKind::FutureWrite);
    case 0x18: return type_and_flag(CanonKind::FutureCancelRead);
    case 0x19: return type_and_flag(CanonKind::FutureCancelWrite);
    case 0x1a: return type_operand(CanonKind::FutureDropReadable);
    case 0x1b: return type_operand(CanonKind::FutureDropWritable);
    case 0x1c:
    case 0x1d: {
      c.kind = op == 0x1c ? CanonKind::ErrorContextNew : CanonKind::ErrorContextDebugMessage;
      KUMO_TRY(c.options, read_canon_options(r));
      return c;
    }
    case 0x1e: return bare(CanonKind::ErrorContextDrop);
    case 0x1f: return bare(CanonKind::WaitableSetNew);
    case 0x20:
    case 0x21: {
      c.kind = op == 0x20 ? CanonKind::WaitableSetWait : CanonKind::WaitableSetPoll;
      KUMO_TRY(c.flag, read_bool(r));
      KUMO_TRY(c.memory_index, r.u32());
      return c;
    }
    case 0x22: return bare(CanonKind::WaitableSetDrop);
    case 0x23: return bare(CanonKind::WaitableJoin);
    case 0x26: return bare(CanonKind::ThreadIndex);
    case 0x27: {
      c.kind = CanonKind::ThreadNewIndirect;
      KUMO_TRY(c.type_index, r.u32());
      KUMO_TRY(c.table_index, r.u32());
      return c;
    }
    case 0x28: return bare(CanonKind::ThreadResumeLater);
    case 0x29: return flag_only(CanonKind::ThreadSuspend);
    case 0x0c: return flag_only(CanonKind::ThreadYield);
    case 0x2a: return flag_only(CanonKind::ThreadSuspendThenResume);
    case 0x2b: return flag_only(CanonKind::ThreadYieldThenResume);
    case 0x2c: return flag_only(CanonKind::ThreadSuspendThenPromote);
    case 0x2d: return flag_only(CanonKind::ThreadYieldThenPromote);
    case 0x40: {
      c.kind = CanonKind::ThreadSpawnRef;
      KUMO_TRY(c.flag, read_bool(r));
      KUMO_TRY(c.type_index, r.u32());
      return c;
    }
    case 0x41: {
      c.kind = CanonKind::ThreadSpawnIndirect;
      KUMO_TRY(c.flag, read_bool(r));
      KUMO_TRY(c.type_index, r.u32());
      KUMO_TRY(c.table_index, r.u32());
      return c;
    }
    case 0x42: return flag_only(CanonKind::ThreadAvailableParallelism);
    default:
      return invalid_byte(r, c.offset, op, "canonical function");
  }
}

// The optional component-name section; anything malformed makes us ignore the rest of it.
void parse_names(Reader r, ComponentNames& out) {
  auto n = r.name();
  if (!n || *n != "component-name") return;
  while (!r.at_end()) {
    auto id = r.u8();
    auto size = r.u32();
    if (!id || !size || *size > r.remaining()) return;
    auto payload = r.bytes(*size);
    Reader s(*payload, r.offset() - *size, r.context());
    if (*id == 0) {
      auto name = s.name();
      if (!name) return;
      out.component = std::move(*name);
    } else if (*id == 1) {
      auto sort = binary::read_sort(s);
      auto count = s.count(2);
      if (!sort || !count) return;
      ComponentNames::SortNames sn{*sort, {}};
      for (uint32_t i = 0; i < *count; ++i) {
        auto idx = s.u32();
        auto name = s.name();
        if (!idx || !name) return;
        sn.names.emplace_back(*idx, std::move(*name));
      }
      out.sorts.push_back(std::move(sn));
    }
  }
}

class ComponentDecoder {
 public:
  explicit ComponentDecoder(std::span<const uint8_t> all) : all_(all) {}

  // Decodes the component occupying [offset, offset + size) of the top-level binary.
  Expected<std::shared_ptr<Component>> decode(uint32_t offset, uint32_t size, unsigned depth) {
    auto c = std::make_shared<Component>();
    c->offset = offset;
    c->size = size;
    Reader r(all_.subspan(offset, size), offset, "component header");
    if (depth > binary::kMaxNesting) return r.fail("components nested too deeply");
    if (r.remaining() < 4 || std::memcmp(r.rest().data(), "\0asm", 4) != 0) {
      return r.fail("magic header not detected");
    }
    (void)r.bytes(4);
    if (r.remaining() < 4) return r.fail("unexpected end-of-file (version and layer)");
    KUMO_TRY(uint32_t version_layer, r.fixed_u32());
    uint16_t version = uint16_t(version_layer & 0xffff);
    uint16_t layer = uint16_t(version_layer >> 16);
    if (layer == 0) {
      return r.fail_at(offset + 4, "expected a version header for a component, found a core module");
    }
    if (layer != 1) return r.fail_at(offset + 6, fmt::format("unknown binary layer 0x{:x}", layer));
    if (version != 0x0d) return r.fail_at(offset + 4, fmt::format("unknown binary version 0x{:x}", version));

    r.set_context("component");
    while (!r.at_end()) {
      uint32_t header_at = r.offset();
      KUMO_TRY(uint8_t id, r.u8());
      if (id > kMaxSectionId) return r.fail_at(header_at, fmt::format("malformed section id {}", id));
      KUMO_TRY(uint32_t sec_size, r.u32());
      if (sec_size > r.remaining()) {
        return r.fail_at(header_at, fmt::format("unexpected end-of-file: section {} declares {} bytes, "
                                                "{} left", id, sec_size, r.remaining()));
      }
      uint32_t payload_at = r.offset();
      KUMO_TRY(auto payload, r.bytes(sec_size));
      Reader s(payload, payload_at, kSectionContext[id]);
      KUMO_CHECK(section(*c, id, s, depth));
      if (!s.at_end()) return s.fail("unexpected content at the end of the section");
    }
    return c;
  }

 private:
  static void add(Component& c, Definition::Kind k, size_t index) {
    c.definitions.push_back(Definition{k, uint32_t(index)});
  }

  Expected<void> section(Component& c, uint8_t id, Reader& s, unsigned depth) {
    switch (id) {
      case 0: return custom(c, s);
      case 1: return core_module(c, s);
      case 2: return vec(s, 2, [&]() -> Expected<void> {
        KUMO_TRY(CoreInstanceDef d, core_instance(s));
        c.core_instances.push_back(std::move(d));
        add(c, Definition::CoreInstance, c.core_instances.size() - 1);
        return {};
      });
      case 3: return vec(s, 1, [&]() -> Expected<void> {
        KUMO_TRY(CoreTypeDef t, binary::read_core_type(s, 0));
        c.core_types.push_back(std::move(t));
        add(c, Definition::CoreType, c.core_types.size() - 1);
        return {};
      });
      case 4: {
        uint32_t at = s.offset();
        auto bytes = s.rest();
        if (classify(bytes) == Header::Module) {
          return s.fail_at(at, "expected a version header for a component, found a core module");
        }
        (void)s.bytes(s.remaining());
        KUMO_TRY(auto nested, decode(at, uint32_t(bytes.size()), depth + 1));
        c.components.push_back(std::move(nested));
        add(c, Definition::Component, c.components.size() - 1);
        return {};
      }
      case 5: return vec(s, 2, [&]() -> Expected<void> {
        KUMO_TRY(InstanceDef d, instance(s));
        c.instances.push_back(std::move(d));
        add(c, Definition::Instance, c.instances.size() - 1);
        return {};
      });
      case 6: return vec(s, 3, [&]() -> Expected<void> {
        KUMO_TRY(component::Alias a, binary::read_alias(s));
        c.aliases.push_back(std::move(a));
        add(c, Definition::Alias, c.aliases.size() - 1);
        return {};
      });
      case 7: return vec(s, 1, [&]() -> Expected<void> {
        KUMO_TRY(TypeDef t, binary::read_type(s, 0));
        c.types.push_back(std::move(t));
        add(c, Definition::Type, c.types.size() - 1);
        return {};
      });
      case 8: return vec(s, 1, [&]() -> Expected<void> {
        KUMO_TRY(Canon d, read_canon(s));
        c.canons.push_back(std::move(d));
        add(c, Definition::Canon, c.canons.size() - 1);
        return {};
      });
      case 9: {
        StartDef d;
        d.offset = s.offset();
        KUMO_TRY(d.func, s.u32());
        KUMO_TRY(uint32_t n, s.count(1));
        d.args.reserve(n);
        for (uint32_t i = 0; i < n; ++i) {
          KUMO_TRY(uint32_t v, s.u32());
          d.args.push_back(v);
        }
        KUMO_TRY(d.results, s.u32());
        c.starts.push_back(std::move(d));
        add(c, Definition::Start, c.starts.size() - 1);
        return {};
      }
      case 10: return vec(s, 3, [&]() -> Expected<void> {
        Import imp;
        imp.offset = s.offset();
        KUMO_TRY(imp.name, binary::read_extern_name(s));
        KUMO_TRY(imp.desc, binary::read_extern_desc(s));
        c.imports.push_back(std::move(imp));
        add(c, Definition::Import, c.imports.size() - 1);
        return {};
      });
      case 11: return vec(s, 4, [&]() -> Expected<void> {
        Export e;
        e.offset = s.offset();
        KUMO_TRY(e.name, binary::read_extern_name(s));
        KUMO_TRY(e.item, read_sort_index(s, /*extern_only=*/true));
        uint32_t at = s.offset();
        KUMO_TRY(uint8_t has_type, s.u8());
        if (has_type == 0x01) {
          KUMO_TRY(e.ascribed, binary::read_extern_desc(s));
        } else if (has_type != 0x00) {
          return invalid_byte(s, at, has_type, "optional component export type");
        }
        c.exports.push_back(std::move(e));
        add(c, Definition::Export, c.exports.size() - 1);
        return {};
      });
      case 12: return vec(s, 2, [&]() -> Expected<void> {
        ValueDef v;
        v.offset = s.offset();
        KUMO_TRY(v.type, binary::read_value_type(s));
        KUMO_TRY(uint32_t len, s.u32());
        KUMO_TRY(auto bytes, s.bytes(len));
        v.bytes.assign(bytes.begin(), bytes.end());
        c.values.push_back(std::move(v));
        add(c, Definition::Value, c.values.size() - 1);
        return {};
      });
    }
    return s.fail("internal error: unhandled section");
  }

  template <typename F>
  static Expected<void> vec(Reader& s, size_t min_elem_size, F&& item) {
    KUMO_TRY(uint32_t n, s.count(min_elem_size));
    for (uint32_t i = 0; i < n; ++i) KUMO_CHECK(item());
    return {};
  }

  Expected<void> custom(Component& c, Reader& s) {
    CustomSection cs;
    Reader whole = s;
    KUMO_TRY(cs.name, s.name());
    cs.offset = s.offset();
    cs.size = uint32_t(s.remaining());
    (void)s.bytes(s.remaining());
    if (cs.name == "component-name") parse_names(whole, c.names);
    c.customs.push_back(std::move(cs));
    return {};
  }

  Expected<void> core_module(Component& c, Reader& s) {
    uint32_t at = s.offset();
    auto bytes = s.rest();
    if (classify(bytes) == Header::Component) {
      return s.fail_at(at, "expected a version header for a module, found a component");
    }
    (void)s.bytes(s.remaining());
    auto m = wasm::decode_module(bytes);
    if (!m) return s.fail_at(at, fmt::format("core module: {}", m.error().message));
    c.core_modules.push_back(CoreModuleDef{std::move(*m), at, uint32_t(bytes.size())});
    add(c, Definition::CoreModule, c.core_modules.size() - 1);
    return {};
  }

  Expected<CoreInstanceDef> core_instance(Reader& s) {
    CoreInstanceDef d;
    d.offset = s.offset();
    KUMO_TRY(uint8_t b, s.u8());
    if (b == 0x00) {
      d.kind = CoreInstanceDef::Instantiate;
      KUMO_TRY(d.module, s.u32());
      KUMO_TRY(uint32_t n, s.count(3));
      d.args.reserve(n);
      for (uint32_t i = 0; i < n; ++i) {
        CoreInstantiateArg a;
        KUMO_TRY(a.name, s.name());
        uint32_t at = s.offset();
        KUMO_TRY(uint8_t kind, s.u8());
        if (kind != 0x12) return invalid_byte(s, at, kind, "instantiation arg kind");
        KUMO_TRY(a.instance, s.u32());
        d.args.push_back(std::move(a));
      }
    } else if (b == 0x01) {
      d.kind = CoreInstanceDef::FromExports;
      KUMO_TRY(uint32_t n, s.count(3));
      d.exports.reserve(n);
      for (uint32_t i = 0; i < n; ++i) {
        CoreInlineExport e;
        KUMO_TRY(e.name, s.name());
        uint32_t at = s.offset();
        KUMO_TRY(uint8_t kind, s.u8());
        switch (kind) {
          case 0x00: e.item.sort = Sort::CoreFunc; break;
          case 0x01: e.item.sort = Sort::CoreTable; break;
          case 0x02: e.item.sort = Sort::CoreMemory; break;
          case 0x03: e.item.sort = Sort::CoreGlobal; break;
          case 0x04: e.item.sort = Sort::CoreTag; break;
          default: return invalid_byte(s, at, kind, "external kind");
        }
        KUMO_TRY(e.item.index, s.u32());
        d.exports.push_back(std::move(e));
      }
    } else {
      return invalid_byte(s, d.offset, b, "core instance");
    }
    return d;
  }

  Expected<InstanceDef> instance(Reader& s) {
    InstanceDef d;
    d.offset = s.offset();
    KUMO_TRY(uint8_t b, s.u8());
    if (b == 0x00) {
      d.kind = InstanceDef::Instantiate;
      KUMO_TRY(d.component, s.u32());
      KUMO_TRY(uint32_t n, s.count(3));
      d.args.reserve(n);
      for (uint32_t i = 0; i < n; ++i) {
        InstantiateArg a;
        KUMO_TRY(a.name, s.name());
        KUMO_TRY(a.item, read_sort_index(s, /*extern_only=*/true));
        d.args.push_back(std::move(a));
      }
    } else if (b == 0x01) {
      d.kind = InstanceDef::FromExports;
      KUMO_TRY(uint32_t n, s.count(4));
      d.exports.reserve(n);
      for (uint32_t i = 0; i < n; ++i) {
        InlineExport e;
        KUMO_TRY(e.name, binary::read_extern_name(s));
        KUMO_TRY(e.item, read_sort_index(s, /*extern_only=*/true));
        d.exports.push_back(std::move(e));
      }
    } else {
      return invalid_byte(s, d.offset, b, "instance");
    }
    return d;
  }

  std::span<const uint8_t> all_;
};

}  // namespace

bool is_component_binary(std::span<const uint8_t> bytes) {
  return classify(bytes) == Header::Component;
}

Expected<std::shared_ptr<const Component>> decode_component(std::span<const uint8_t> bytes) {
  if (bytes.size() > std::numeric_limits<uint32_t>::max()) {
    return err("component header at offset 0x0: component larger than 4 GiB");
  }
  ComponentDecoder d(bytes);
  KUMO_TRY(auto c, d.decode(0, uint32_t(bytes.size()), 0));
  return std::shared_ptr<const Component>(std::move(c));
}

}  // namespace kumo::component
