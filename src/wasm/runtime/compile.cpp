// compile(): decode, validate and translate a module once; the result is shared by every Store
// and thread that instantiates it.
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

  // Functions are independent once validated: a parallel translation could go here if large
  // modules make compile() slow.
  compiled->code.reserve(module->functions.size());
#if defined(__x86_64__)
  const bool jit = engine.config().tier == Tier::Baseline;
#else
  constexpr bool jit = false;  // the tier emits x86-64 code
#endif
  std::vector<const jit::CompiledBody*> bodies;
  if (jit) {
    compiled->jit_bodies = std::make_unique<const void*[]>(module->functions.size());
    bodies.resize(module->functions.size());
  }
  const jit::Link link{compiled->jit_bodies.get(), module->num_imported_funcs};
  for (uint32_t i = 0; i < module->functions.size(); ++i) {
    auto code = interp::translate(*module, i, compiled->type_ids);
    if (!code) {
      return err("func {}: translation failed: {}", module->num_imported_funcs + i,
                 code.error().message);
    }
    if (jit) {
      // Functions the tier does not compile (exception handlers) stay interpreted.
      if (auto body = jit::compile_body(**code, link)) {
        auto owner = std::make_shared<jit::CompiledBody>(std::move(*body));
        (*code)->jit_fn = owner->fn;
        (*code)->jit_complete = owner->complete;
        bodies[i] = owner.get();
        (*code)->jit_owner = std::move(owner);
      }
    }
    compiled->code.push_back(std::move(*code));
  }
  // Calls between compiled functions enter complete callees directly; the others through the
  // interpreter (interp::jit_call).
  for (size_t i = 0; i < bodies.size(); ++i)
    compiled->jit_bodies[i] = bodies[i] != nullptr && bodies[i]->complete ? bodies[i]->body : nullptr;
  compiled->module = std::move(module);
  return compiled;
}

}  // namespace kumo::wasm
