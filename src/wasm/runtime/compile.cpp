// compile(): decode, validate and translate a module once; the result is shared by every Store
// and thread that instantiates it.
#include <optional>
#include <span>
#include <vector>

#include "wasm/interp/interp.hpp"
#include "wasm/jit/baseline.hpp"
#include "wasm/runtime/objects.hpp"

namespace kumo::wasm {

namespace {

// Interns the module's function types. A concrete reference `(ref k)` names a module-relative
// type index, so before interning it is rewritten to the canonical id of type k; otherwise two
// modules' `(ref 3)` would wrongly compare equal, and equal types under different indices would
// wrongly differ. A reference of type i to itself (a recursive type: its own id is not known yet)
// is encoded as a self marker, which is the same in every module.
// TODO(gc): rec groups need group-relative markers and declared subtypes.
constexpr uint32_t kSelfRef = 0x40000000u;

std::vector<uint32_t> intern_types(Engine& engine, const Module& m) {
  std::vector<uint32_t> ids;
  ids.reserve(m.types.size());
  for (uint32_t i = 0; i < m.types.size(); ++i) {
    FuncType t = m.types[i];
    auto canonical = [&](ValType& v) {
      if (!v.is_ref() || !v.heap().is_concrete()) return;
      uint32_t k = v.heap().type_index();
      HeapType h = k < i ? HeapType::concrete(ids[k]) : HeapType::concrete(kSelfRef | (k - i));
      v = ValType::ref(v.nullable(), h);
    };
    for (ValType& v : t.params) canonical(v);
    for (ValType& v : t.results) canonical(v);
    ids.push_back(engine.intern(t));
  }
  return ids;
}

}  // namespace

std::vector<CompiledModule::ActiveData> CompiledModule::active_data_segments(const Module& m) {
  std::vector<ActiveData> out;
  for (uint32_t i = 0; i < m.datas.size(); ++i)
    if (m.datas[i].mode == SegmentMode::Active) out.push_back({i, m.datas[i].memory});
  return out;
}

namespace {

// Packs the functions' machine code into one executable mapping shared by their Codes (one
// mapping per module, not per function: SpiderMonkey has 12,797 functions), then links the
// entries compiled calls go through.
Expected<void> place_machine_code(CompiledModule& m,
                                  std::span<const std::optional<jit::AssembledBody>> bodies) {
  constexpr size_t kAlign = 16;
  std::vector<size_t> offsets(bodies.size(), 0);
  size_t total = 0;
  for (size_t i = 0; i < bodies.size(); ++i) {
    if (!bodies[i]) continue;
    offsets[i] = total;
    total += (bodies[i]->bytes.size() + kAlign - 1) / kAlign * kAlign;
  }
  if (total == 0) return {};
  std::vector<uint8_t> arena(total, 0xCC);  // int3 between functions
  for (size_t i = 0; i < bodies.size(); ++i) {
    if (bodies[i])
      std::copy(bodies[i]->bytes.begin(), bodies[i]->bytes.end(),
                arena.begin() + ptrdiff_t(offsets[i]));
  }
  KUMO_TRY(auto exec, jit::ExecutableCode::create(arena));
  auto owner = std::make_shared<jit::ExecutableCode>(std::move(exec));
  const auto* base = static_cast<const uint8_t*>(owner->entry());
  for (size_t i = 0; i < bodies.size(); ++i) {
    if (!bodies[i]) continue;
    interp::Code& c = *m.code[i];
    c.jit_fn = reinterpret_cast<interp::Code::JitFn*>(const_cast<uint8_t*>(base + offsets[i]));
    c.jit_complete = bodies[i]->complete;
    c.jit_owner = owner;
    m.jit_bodies[i] = c.jit_complete ? base + offsets[i] + bodies[i]->body_offset : nullptr;
  }
  return {};
}

}  // namespace

CompiledModule::~CompiledModule() = default;

const MemoryImage* CompiledModule::memory_image() const {
  std::call_once(image_once_, [this] { image_ = MemoryImage::build(*module); });
  return image_.get();
}

Expected<std::shared_ptr<CompiledModule>> compile(Engine& engine, std::span<const uint8_t> bytes) {
  KUMO_TRY(std::shared_ptr<Module> module, decode_module(bytes, engine.config().features));
  return compile(engine, std::shared_ptr<const Module>(std::move(module)));
}

Expected<std::shared_ptr<CompiledModule>> compile(Engine& engine,
                                                  std::shared_ptr<const Module> module) {
  KUMO_CHECK(validate_module(*module, engine.config().features));

  auto compiled = std::make_shared<CompiledModule>();
  compiled->type_ids = intern_types(engine, *module);
  compiled->elem_funcs.resize(module->elems.size());
  for (size_t i = 0; i < module->elems.size(); ++i) {
    const ElemSegment& seg = module->elems[i];
    if (seg.mode == SegmentMode::Declarative || seg.items.empty()) continue;
    std::vector<uint32_t> idx;
    idx.reserve(seg.items.size());
    for (const ConstExpr& item : seg.items) {
      const Instr* in = item.single();
      if (in && in->op == Op::RefFunc)
        idx.push_back(in->index);
      else if (in && in->op == Op::RefNull)
        idx.push_back(CompiledModule::kNullFunc);
      else
        break;
    }
    if (idx.size() == seg.items.size()) compiled->elem_funcs[i] = std::move(idx);
  }
  compiled->export_index.reserve(module->exports.size());
  for (uint32_t i = 0; i < module->exports.size(); ++i)
    compiled->export_index.emplace(module->exports[i].name, i);
  compiled->type_ptrs.reserve(compiled->type_ids.size());
  for (uint32_t id : compiled->type_ids) compiled->type_ptrs.push_back(&engine.type_of(id));
  compiled->func_type_ids.reserve(module->functions.size());
  compiled->func_types.reserve(module->functions.size());
  for (const Function& f : module->functions) {
    compiled->func_type_ids.push_back(compiled->type_ids[f.type_index]);
    compiled->func_types.push_back(compiled->type_ptrs[f.type_index]);
  }
  compiled->data_spans.reserve(module->datas.size());
  for (const DataSegment& d : module->datas) compiled->data_spans.push_back(module->data(d));
  compiled->active_datas = CompiledModule::active_data_segments(*module);

  // Functions are independent once validated: a parallel translation could go here if large
  // modules make compile() slow.
  compiled->code.reserve(module->functions.size());
#if defined(__x86_64__)
  const bool jit = engine.config().tier == Tier::Baseline;
#else
  constexpr bool jit = false;  // the tier emits x86-64 code
#endif
  std::vector<std::optional<jit::AssembledBody>> assembled;
  if (jit) {
    compiled->jit_bodies = std::make_unique<const void*[]>(module->functions.size());
    assembled.resize(module->functions.size());
  }
  const jit::Link link{compiled->jit_bodies.get(), module->num_imported_funcs};
  for (uint32_t i = 0; i < module->functions.size(); ++i) {
    auto code = interp::translate(*module, i, compiled->type_ids);
    if (!code) {
      return err("func {}: translation failed: {}", module->num_imported_funcs + i,
                 code.error().message);
    }
    // Functions the tier does not compile (exception handlers) stay interpreted.
    if (jit) {
      if (auto a = jit::assemble_body(**code, link)) assembled[i] = std::move(*a);
    }
    compiled->code.push_back(std::move(*code));
  }
  if (jit) KUMO_CHECK(place_machine_code(*compiled, assembled));
  compiled->module = std::move(module);
  return compiled;
}

}  // namespace kumo::wasm
