#include "wasi_shim.hpp"

#include <fmt/format.h>

namespace kumo::component::jco {

using rt::HostCall;
using rt::Trapping;

namespace {
constexpr uint32_t kStdout = 1, kStderr = 2, kStdin = 3;

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
}  // namespace

rt::ResourceType* WasiShim::resource(const TypeArena& arena, TypeId t, const std::string& name) {
  uint32_t id = arena.resource(t).value;
  if (auto it = by_id_.find(id); it != by_id_.end()) return it->second;
  auto& r = resources_.emplace_back();
  r.name = name;
  r.host_dtor = [](uint32_t) {};  // streams and descriptors hold nothing
  by_id_[id] = &r;
  by_name_.emplace(name, &r);
  return &r;
}

void WasiShim::add_to_linker(rt::Linker& linker, const rt::Component& component) {
  const TypeArena& arena = *component.arena();
  for (const NamedEntity& imp : component.type().imports) {
    if (!starts_with(imp.name.name, "wasi:") || imp.type.sort != ExternSort::Instance) continue;
    rt::LinkerInstance& li = linker.instance(imp.name.name);
    const InstanceType& it = arena.instance(imp.type.type);
    for (const NamedEntity& e : it.exports) {
      if (e.type.sort == ExternSort::Type && arena.kind(e.type.type) == TypeKind::Resource)
        li.resource(e.name.name, resource(arena, e.type.type, e.name.name));
    }
    for (const NamedEntity& e : it.exports)
      if (e.type.sort == ExternSort::Func) li.func(e.name.name, function(imp.name.name, e.name.name));
  }
}

rt::HostFunc WasiShim::function(const std::string& instance, const std::string& name) {
  auto own = [this](const char* type, uint32_t rep) {
    auto it = by_name_.find(type);
    return Val::own(ResourceRef{it == by_name_.end() ? nullptr : it->second, rep});
  };
  auto constant = [](Val v) {
    return [v](HostCall&, std::span<const Val>, std::vector<Val>& results) -> Trapping<void> {
      results.push_back(v);
      return {};
    };
  };
  if (name == "get-stdout" || name == "get-stderr" || name == "get-stdin") {
    uint32_t rep = name == "get-stdout" ? kStdout : name == "get-stderr" ? kStderr : kStdin;
    const char* type = rep == kStdin ? "input-stream" : "output-stream";
    return [own, type, rep](HostCall&, std::span<const Val>, std::vector<Val>& results) -> Trapping<void> {
      results.push_back(own(type, rep));
      return {};
    };
  }
  if (name == "[method]output-stream.blocking-write-and-flush" || name == "[method]output-stream.write") {
    return [this](HostCall&, std::span<const Val> params, std::vector<Val>& results) -> Trapping<void> {
      std::string& out = out_[params[0].handle.rep == kStderr ? 1 : 0];
      if (params[1].byte_list) out += params[1].str;  // hosts receive list<u8> compact
      for (const Val& b : params[1].items) out.push_back(char(b.u));
      results.push_back(Val::ok());
      return {};
    };
  }
  if (name == "[method]output-stream.check-write") return constant(Val::ok(Val::u64(1 << 20)));
  if (name == "[method]output-stream.blocking-flush" || name == "[method]output-stream.flush")
    return constant(Val::ok());
  if (name == "get-environment" || name == "get-arguments" || name == "get-directories")
    return constant(Val::list({}));
  if (name == "initial-cwd" || name == "filesystem-error-code" || starts_with(name, "get-terminal-"))
    return constant(Val::option(std::nullopt));
  if (name == "now" && starts_with(instance, "wasi:clocks/wall-clock"))
    return constant(Val::record({Val::u64(0), Val::u32(0)}));
  if (name == "exit") {
    return [](HostCall&, std::span<const Val> params, std::vector<Val>&) -> Trapping<void> {
      wasm::Trap t;
      t.code = wasm::TrapCode::Exit;
      t.exit_code = params.empty() || params[0].index == 0 ? 0 : 1;
      t.message = fmt::format("wasi exit with status {}", t.exit_code);
      return Unexpected{std::move(t)};
    };
  }
  if (name == "get-random-bytes") {
    return [this](HostCall&, std::span<const Val> params, std::vector<Val>& results) -> Trapping<void> {
      std::vector<Val> bytes;
      for (uint64_t i = 0; i < params[0].u; i++) {
        random_state_ = random_state_ * 6364136223846793005ULL + 1442695040888963407ULL;
        bytes.push_back(Val::u8(uint8_t(random_state_ >> 56)));
      }
      results.push_back(Val::list(std::move(bytes)));
      return {};
    };
  }
  if (name == "get-random-u64") {
    return [this](HostCall&, std::span<const Val>, std::vector<Val>& results) -> Trapping<void> {
      random_state_ = random_state_ * 6364136223846793005ULL + 1442695040888963407ULL;
      results.push_back(Val::u64(random_state_));
      return {};
    };
  }
  return [instance, name](HostCall&, std::span<const Val>, std::vector<Val>&) -> Trapping<void> {
    return rt::abi_trap(fmt::format("wasi shim: `{}` of `{}` is not implemented", name, instance));
  };
}

}  // namespace kumo::component::jco
