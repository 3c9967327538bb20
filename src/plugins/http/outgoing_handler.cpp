// wasi:http/outgoing-handler and the client-side resources: future-incoming-response,
// incoming-response. A request goes out when handle() is called (head, then the body as the
// guest writes it); its response is read when the guest asks for it.
#include <charconv>

#include "plugins/http/client.hpp"
#include "plugins/http/vals.hpp"

namespace kumo::plugins::http {

namespace {

ErrorCode code(ErrorTag t) { return ErrorCode{t, {}, {}}; }

// Ready once the request is entirely sent (its body finished) or can never be (its body was
// dropped unfinished): get() has an answer then.
class RequestSentPollable final : public p2::Pollable {
 public:
  RequestSentPollable(std::shared_ptr<OutgoingCall> c, std::shared_ptr<OutgoingBodyState> b)
      : call_(std::move(c)), body_(std::move(b)) {}
  bool ready() override { return !call_ || call_->request_done() || body_->abandoned; }

 private:
  std::shared_ptr<OutgoingCall> call_;
  std::shared_ptr<OutgoingBodyState> body_;
};

// "host", "host:port", "[v6]:port" -> host and port (default 80).
bool split_authority(std::string_view a, std::string& host, uint16_t& port) {
  std::string_view h = a, p;
  if (a.starts_with('[')) {
    size_t close = a.find(']');
    if (close == std::string_view::npos) return false;
    h = a.substr(1, close - 1);
    if (close + 1 < a.size()) {
      if (a[close + 1] != ':') return false;
      p = a.substr(close + 2);
    }
  } else if (size_t colon = a.rfind(':'); colon != std::string_view::npos) {
    h = a.substr(0, colon);
    p = a.substr(colon + 1);
  }
  if (h.empty()) return false;
  host = std::string(h);
  port = 80;
  if (!p.empty()) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (ec != std::errc() || end != p.data() + p.size() || v == 0 || v > 65535) return false;
    port = uint16_t(v);
  }
  return true;
}

// Builds the request head and starts the call; the error is what handle() returns.
Expected<std::shared_ptr<OutgoingCall>, ErrorCode> send_request(OutgoingRequest& r,
                                                                const RequestOptions* options,
                                                                const OutgoingPolicy* policy) {
  if (r.scheme && r.scheme->index != 0)  // HTTPS or other
    return Unexpected{ErrorCode::internal("only http:// requests are supported")};
  if (!r.authority || r.authority->empty())
    return Unexpected{code(ErrorTag::HttpRequestUriInvalid)};
  RequestHead head;
  head.authority = *r.authority;
  if (!split_authority(head.authority, head.host, head.port))
    return Unexpected{code(ErrorTag::HttpRequestUriInvalid)};
  if (!policy || !policy->allows(head.host, head.port))
    return Unexpected{code(ErrorTag::HttpRequestDenied)};
  head.method = method_name(r.method);
  if (head.method == "CONNECT") return Unexpected{code(ErrorTag::HttpRequestMethodInvalid)};
  head.path = r.path_with_query.value_or("/");
  head.headers = r.headers->entries();
  for (const auto& [n, v] : head.headers) {
    uint64_t len = 0;
    if (n == "content-length" &&
        std::from_chars(v.data(), v.data() + v.size(), len).ec == std::errc())
      head.content_length = len;
  }
  OutgoingBodyState& body = *r.body;
  if (!body.taken)
    head.no_body = !head.content_length;
  else if (body.finished && !head.content_length)
    head.content_length = body.written;
  if (head.content_length) body.content_length = head.content_length;

  Timeouts t;
  if (options) {
    if (options->connect_timeout) t.connect = std::chrono::nanoseconds(*options->connect_timeout);
    if (options->first_byte_timeout)
      t.first_byte = std::chrono::nanoseconds(*options->first_byte_timeout);
    if (options->between_bytes_timeout)
      t.between_bytes = std::chrono::nanoseconds(*options->between_bytes_timeout);
  }
  KUMO_TRY(auto call, OutgoingCall::start(std::move(head), t));
  if (body.taken) {
    KUMO_CHECK(body.attach_sink(call.get()));
    body.keep_alive = call;
  }
  return call;
}

}  // namespace

void add_outgoing(rt::Linker& linker, rt::LinkerInstance& li, const p2::WasiTypes& wasi,
                  const WasiHttpTypes& t, const OutgoingPolicy* policy) {
  rt::ResourceType* fields = t.fields.get();
  rt::ResourceType* future_type = t.future_incoming_response.get();
  rt::ResourceType* response_type = t.incoming_response.get();
  rt::ResourceType* incoming_body = t.incoming_body.get();
  rt::ResourceType* pollable = wasi.pollable.get();

  linker.instance(std::string("wasi:http/outgoing-handler@") + std::string(kVersion))
      .func(
          "handle", KUMO_HTTP_FN {
            KUMO_TRY(auto req, take_own<OutgoingRequest>(call, p[0], "outgoing-request"));
            std::unique_ptr<RequestOptions> options;
            if (p[1].has_payload()) {
              KUMO_TRY(options, take_own<RequestOptions>(call, p[1].payload(), "request-options"));
            }
            auto sent = send_request(*req, options.get(), policy);
            if (!sent) {
              out.push_back(Val::error(sent.error().to_val()));
              return {};
            }
            auto f = std::make_unique<FutureIncomingResponse>();
            f->call = *sent;
            f->body = req->body;
            out.push_back(Val::ok(own_val(future_type, table_of(call).push(std::move(f)))));
            return {};
          });

  li.func(
      "[method]future-incoming-response.subscribe", KUMO_HTTP_FN {
        KUMO_TRY(FutureIncomingResponse * f,
                 p2::self<FutureIncomingResponse>(call, p[0], "future-incoming-response"));
        uint32_t rep = table_of(call).push(std::make_unique<RequestSentPollable>(f->call, f->body),
                                           p[0].handle.rep);
        out.push_back(own_val(pollable, rep));
        return {};
      });
  li.func(
      "[method]future-incoming-response.get", KUMO_HTTP_FN {
        KUMO_TRY(FutureIncomingResponse * f,
                 p2::self<FutureIncomingResponse>(call, p[0], "future-incoming-response"));
        if (f->consumed) {  // some(err): already taken
          out.push_back(Val::option(Val::error()));
          return {};
        }
        if (f->call && !f->call->request_done()) {
          if (!f->body->abandoned) {  // the guest is still writing the body: not ready
            out.push_back(Val::option(std::nullopt));
            return {};
          }
          f->error = ErrorCode::internal("the request body was dropped without being finished");
        }
        f->consumed = true;
        if (f->call && !f->error) {
          if (auto head = f->call->read_head(); !head) f->error = head.error();
        }
        if (f->error || !f->call) {
          ErrorCode e = f->error ? *f->error : ErrorCode::internal("no request");
          out.push_back(Val::option(Val::ok(Val::error(e.to_val()))));
          return {};
        }
        auto r = std::make_unique<IncomingResponse>();
        r->call = f->call;
        out.push_back(Val::option(
            Val::ok(Val::ok(own_val(response_type, table_of(call).push(std::move(r)))))));
        return {};
      });

  li.func(
      "[method]incoming-response.status", KUMO_HTTP_FN {
        KUMO_TRY(IncomingResponse * r, p2::self<IncomingResponse>(call, p[0], "incoming-response"));
        out.push_back(Val::u16(r->call->status()));
        return {};
      });
  li.func(
      "[method]incoming-response.headers", KUMO_HTTP_FN {
        KUMO_TRY(IncomingResponse * r, p2::self<IncomingResponse>(call, p[0], "incoming-response"));
        auto h = std::make_unique<Fields>(r->call->headers(), /*immutable=*/true);
        out.push_back(own_val(fields, table_of(call).push(std::move(h), p[0].handle.rep)));
        return {};
      });
  li.func(
      "[method]incoming-response.consume", KUMO_HTTP_FN {
        KUMO_TRY(IncomingResponse * r, p2::self<IncomingResponse>(call, p[0], "incoming-response"));
        if (r->consumed) {
          out.push_back(Val::error());
          return {};
        }
        r->consumed = true;
        auto body = std::make_unique<IncomingBody>();
        body->state = std::make_shared<IncomingBodyState>();
        body->state->source = r->call.get();
        body->state->keep_alive = r->call;
        // Not a child of the response: the call object keeps what the body needs alive.
        out.push_back(Val::ok(own_val(incoming_body, table_of(call).push(std::move(body)))));
        return {};
      });
}

}  // namespace kumo::plugins::http
