#include "host/serve/component_service.hpp"

#include <fmt/format.h>

#include "host/serve/connection_exchange.hpp"

namespace kumo::host {

namespace p2 = wasi::p2;
namespace ph = plugins::http;
namespace rt = component::rt;
using component::Val;

namespace {

// The per-request store data: the worker's WASI context and a fresh resource table.
class RequestState final : public p2::WasiView {
 public:
  explicit RequestState(p2::WasiCtx& ctx) : ctx_(ctx) {}
  p2::ResourceTable& table() override { return table_; }
  p2::WasiCtx& wasi() override { return ctx_; }

 private:
  p2::WasiCtx& ctx_;
  p2::ResourceTable table_;
};

void send_plain(http::ResponseWriter& resp, int status, std::string_view text) {
  std::string len = std::to_string(text.size());
  http::HeaderField h[] = {{"content-type", "text/plain; charset=utf-8"}, {"content-length", len}};
  if (resp.send_head(status, h)) {
    (void)resp.write(text);
    (void)resp.finish();
  }
}

// The status for a handler's err(error-code) given to response-outparam.set.
int status_for(const ph::ErrorCode& e) {
  switch (e.tag) {
    case ph::ErrorTag::HttpRequestBodySize: return 413;
    case ph::ErrorTag::HttpRequestDenied: return 403;
    case ph::ErrorTag::HttpRequestMethodInvalid:
    case ph::ErrorTag::HttpRequestUriInvalid:
    case ph::ErrorTag::HttpProtocolError: return 400;
    case ph::ErrorTag::HttpRequestUriTooLong: return 414;
    case ph::ErrorTag::HttpRequestHeaderSectionSize:
    case ph::ErrorTag::HttpRequestHeaderSize: return 431;
    case ph::ErrorTag::HttpRequestLengthRequired: return 411;
    case ph::ErrorTag::ConnectionTimeout:
    case ph::ErrorTag::ConnectionReadTimeout:
    case ph::ErrorTag::HttpResponseTimeout: return 504;
    default: return 500;
  }
}

}  // namespace

ComponentService::ComponentService(wasm::Engine& engine, ServiceOptions options)
    : engine_(engine), options_(std::move(options)), recycle_(options_.recycle) {}

void ComponentService::log(std::string_view line) const {
  if (options_.log)
    options_.log(line);
  else
    fmt::print(stderr, "{}\n", line);
}

Expected<std::unique_ptr<ComponentService>> ComponentService::create(
    wasm::Engine& engine, std::shared_ptr<const rt::Component> component, ServiceOptions options) {
  std::unique_ptr<ComponentService> s(new ComponentService(engine, std::move(options)));
  s->wasi_.add_to_linker(s->linker_);
  ph::add_to_linker(s->linker_, s->wasi_.types(), s->http_types_, &s->options_.outgoing);
  KUMO_TRY(s->pre_, s->linker_.instantiate_pre(component));

  unsigned workers = std::max(1u, s->options_.workers);
  for (unsigned i = 0; i < workers; i++) {
    p2::Options o;
    o.args = {s->options_.program_name};
    o.env = s->options_.env;
    o.dirs = s->options_.dirs;
    o.stdin_fd = -1;  // a request handler has no terminal input
    KUMO_TRY(auto ctx, p2::WasiCtx::create(std::move(o)));
    s->contexts_.push_back(std::move(ctx));
  }
  s->recycled_ = std::make_unique<Recycled[]>(workers);

  // One instantiation up front: start-up traps and a missing export fail here, not per request.
  RequestState state(*s->contexts_[0]);
  rt::Store store(engine, static_cast<p2::WasiView*>(&state));
  auto inst = s->pre_->instantiate(store);
  if (!inst) return err("instantiating the component trapped: {}", inst.error().to_string());
  std::vector<std::string> names;
  for (const auto& [name, item] : inst->exports().exports) names.push_back(name);
  s->interface_ = std::string(ph::find_incoming_handler(names));
  if (s->interface_.empty() || !inst->get_func(s->interface_, "handle"))
    return err("the component exports no wasi:http/incoming-handler@0.2.x `handle` (exports: {})",
               fmt::join(names, ", "));
  if (s->options_.timeout.count() > 0)
    s->ticker_ = std::make_unique<EpochTicker>(engine, std::chrono::milliseconds(10));
  return s;
}

// One request's instance: a fresh one, or the worker's recycled one. Its store and request
// state live together; the store's data() points at the state.
struct ComponentService::Slot {
  Slot(wasm::Engine& engine, p2::WasiCtx& ctx)
      : state(ctx), store(engine, static_cast<p2::WasiView*>(&state)) {}
  RequestState state;
  rt::Store store;
  rt::Instance instance;
  std::shared_ptr<const rt::Func> handle;
};

// A worker's pristine instance, taken out for the length of a request. Taking it out (rather
// than using it in place) keeps it safe when several threads share a worker index or a handler
// re-enters; the lock is uncontended in the usual one-thread-per-worker case.
struct ComponentService::Recycled {
  std::mutex mutex;
  std::unique_ptr<Slot> slot;
};

ComponentService::~ComponentService() = default;

Expected<std::unique_ptr<ComponentService::Slot>, wasm::Trap> ComponentService::new_slot(
    unsigned worker) {
  auto slot = std::make_unique<Slot>(engine_, *contexts_[worker]);
  auto inst = pre_->instantiate(slot->store);
  instantiations_.fetch_add(1, std::memory_order_relaxed);
  if (!inst) return Unexpected(std::move(inst.error()));
  slot->instance = std::move(*inst);
  slot->handle = slot->instance.get_func(interface_, "handle");
  if (!slot->handle) return wasm::make_trap(wasm::TrapCode::HostError, "no `handle` export");
  // Recycling needs the state right after instantiation: capture it now, before any call.
  if (recycle_) {
    if (auto c = slot->store.capture(); !c && recycle_.exchange(false))
      log(fmt::format("kumo serve: instances are not recycled: {}", c.error().message));
  }
  return slot;
}

void ComponentService::handle(http::Request& req, http::ResponseWriter& resp) {
  ConnectionExchange exchange(req, resp, options_.max_body_bytes);
  ph::ResponseSlot out;
  out.exchange = &exchange;
  const unsigned worker = req.worker() % unsigned(contexts_.size());

  auto what = [&] { return fmt::format("{} {}", req.method(), req.target()); };
  auto trapped = [&](const wasm::Trap& t) {
    bool deadline = t.code == wasm::TrapCode::Interrupted;
    log(fmt::format("kumo serve: {}: {}{}", what(), deadline ? "deadline exceeded: " : "",
                    t.to_string()));
    if (!resp.head_sent())
      send_plain(resp, deadline ? 504 : 500,
                 deadline ? "gateway timeout\n" : "internal server error\n");
  };

  // The worker's recycled instance when it has one (pristine: restored after its last request);
  // else a fresh one, which becomes the worker's if it can be recycled after this request.
  Recycled& recycled = recycled_[worker];
  std::unique_ptr<Slot> slot;
  {
    std::lock_guard lock(recycled.mutex);
    slot = std::move(recycled.slot);
  }
  if (!slot) {
    auto made = new_slot(worker);
    if (!made) return trapped(made.error());
    slot = std::move(*made);
  }
  bool keep = false;
  // Before `out` and `exchange` go: the guest's host objects (the request, the response
  // outparam, streams) point at them. Then the instance is restored and given back, or dropped.
  struct Finish {
    ComponentService& svc;
    Recycled& recycled;
    std::unique_ptr<Slot>& slot;
    bool& keep;
    ~Finish() {
      slot->state.table().clear();
      if (!keep || !svc.recycle_ || !slot->store.restore()) return;  // dropped with `slot`
      std::lock_guard lock(recycled.mutex);
      if (!recycled.slot) recycled.slot = std::move(slot);
    }
  } finish{*this, recycled, slot, keep};

  if (ticker_)
    slot->store.core().set_epoch_deadline(ticker_->ticks_for(options_.timeout));
  else
    slot->store.core().set_epoch_deadline(UINT64_MAX / 2);

  Val args[] = {ph::new_incoming_request(slot->state.table(), http_types_, &exchange),
                ph::new_response_outparam(slot->state.table(), http_types_, &out)};
  auto r = rt::call(slot->store, *slot->handle, args, nullptr,
                    [](std::vector<Val>&) -> rt::Trapping<void> { return {}; });
  if (!r) return trapped(r.error());  // never recycled: the store may be stopped mid-call
  keep = true;

  if (!out.set) {
    log(fmt::format("kumo serve: {}: the component returned without setting a response", what()));
    return send_plain(resp, 500, "internal server error\n");
  }
  if (out.error) {
    int status = status_for(*out.error);
    log(fmt::format("kumo serve: {}: the component answered with error {}: {}", what(),
                    out.error->to_string(), status));
    if (!resp.head_sent()) send_plain(resp, status, out.error->to_string() + "\n");
    return;
  }
  if (out.send_error) {
    log(fmt::format("kumo serve: {}: sending the response failed: {}", what(),
                    out.send_error->to_string()));
    if (!resp.head_sent()) send_plain(resp, 500, "internal server error\n");
    return;
  }
  if (!out.body->finished) {
    if (!out.body->taken) {  // the guest never asked for a body: it is empty
      (void)out.body->finish({});
    } else {
      // An unfinished body means the response is incomplete: the server cuts the connection.
      log(fmt::format("kumo serve: {}: the component did not finish the response body", what()));
    }
  }
}

}  // namespace kumo::host
