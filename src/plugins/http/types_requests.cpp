// wasi:http/types: incoming-request, incoming-body, future-trailers (the request a handler
// receives), outgoing-request and request-options (requests a guest builds).
#include "plugins/http/vals.hpp"

namespace kumo::plugins::http {

namespace {

// A child handle onto `parent`'s fields: it must go before the parent does.
Val child_fields(rt::HostCall& call, rt::ResourceType* type, uint32_t parent, Fields f) {
  return own_val(type, table_of(call).push(std::make_unique<Fields>(std::move(f)), parent));
}

// Setters returning result<_, _> on an outgoing request.
template <class F>
rt::HostFunc request_setter(F set) {
  return [set](rt::HostCall& call, std::span<const Val> p,
               std::vector<Val>& out) -> rt::Trapping<void> {
    KUMO_TRY(OutgoingRequest * r, p2::self<OutgoingRequest>(call, p[0], "outgoing-request"));
    out.push_back(set(*r, p[1]) ? Val::ok() : Val::error());
    return {};
  };
}

// request-options getters and setters (durations in nanoseconds).
void add_option(rt::LinkerInstance& li, const std::string& name,
                std::optional<uint64_t> RequestOptions::*field) {
  li.func(
      "[method]request-options." + name, KUMO_HTTP_FN {
        KUMO_TRY(RequestOptions * o, p2::self<RequestOptions>(call, p[0], "request-options"));
        auto v = o->*field;
        out.push_back(Val::option(v ? std::optional<Val>(Val::u64(*v)) : std::nullopt));
        return {};
      });
  li.func(
      "[method]request-options.set-" + name, KUMO_HTTP_FN {
        KUMO_TRY(RequestOptions * o, p2::self<RequestOptions>(call, p[0], "request-options"));
        o->*field = p[1].has_payload() ? std::optional<uint64_t>(p[1].payload().u) : std::nullopt;
        out.push_back(Val::ok());
        return {};
      });
}

}  // namespace

void add_requests(rt::LinkerInstance& li, const p2::WasiTypes& wasi, const WasiHttpTypes& t) {
  rt::ResourceType* fields = t.fields.get();
  rt::ResourceType* incoming_body = t.incoming_body.get();
  rt::ResourceType* future_trailers = t.future_trailers.get();
  rt::ResourceType* outgoing_request = t.outgoing_request.get();
  rt::ResourceType* outgoing_body = t.outgoing_body.get();
  rt::ResourceType* input_stream = wasi.input_stream.get();
  rt::ResourceType* output_stream = wasi.output_stream.get();
  rt::ResourceType* pollable = wasi.pollable.get();
  rt::ResourceType* request_options = t.request_options.get();

  // ---- incoming-request ----
  li.func(
      "[method]incoming-request.method", KUMO_HTTP_FN {
        KUMO_TRY(IncomingRequest * r, p2::self<IncomingRequest>(call, p[0], "incoming-request"));
        out.push_back(method_val(r->exchange->method()));
        return {};
      });
  li.func(
      "[method]incoming-request.path-with-query", KUMO_HTTP_FN {
        KUMO_TRY(IncomingRequest * r, p2::self<IncomingRequest>(call, p[0], "incoming-request"));
        out.push_back(option_string(r->exchange->path_with_query()));
        return {};
      });
  li.func(
      "[method]incoming-request.scheme", KUMO_HTTP_FN {
        KUMO_TRY(IncomingRequest * r, p2::self<IncomingRequest>(call, p[0], "incoming-request"));
        out.push_back(Val::option(scheme_val(r->exchange->scheme())));
        return {};
      });
  li.func(
      "[method]incoming-request.authority", KUMO_HTTP_FN {
        KUMO_TRY(IncomingRequest * r, p2::self<IncomingRequest>(call, p[0], "incoming-request"));
        std::string_view a = r->exchange->authority();
        out.push_back(option_string(a.empty() ? std::nullopt : std::optional<std::string_view>(a)));
        return {};
      });
  li.func(
      "[method]incoming-request.headers", KUMO_HTTP_FN {
        KUMO_TRY(IncomingRequest * r, p2::self<IncomingRequest>(call, p[0], "incoming-request"));
        out.push_back(child_fields(call, fields, p[0].handle.rep,
                                   Fields(r->exchange->headers(), /*immutable=*/true)));
        return {};
      });
  li.func(
      "[method]incoming-request.consume", KUMO_HTTP_FN {
        KUMO_TRY(IncomingRequest * r, p2::self<IncomingRequest>(call, p[0], "incoming-request"));
        if (r->consumed) {
          out.push_back(Val::error());
          return {};
        }
        r->consumed = true;
        auto body = std::make_unique<IncomingBody>();
        body->state = std::make_shared<IncomingBodyState>();
        body->state->source = r->exchange;
        out.push_back(
            Val::ok(own_val(incoming_body, table_of(call).push(std::move(body), p[0].handle.rep))));
        return {};
      });

  // ---- incoming-body, future-trailers ----
  li.func(
      "[method]incoming-body.stream", KUMO_HTTP_FN {
        KUMO_TRY(IncomingBody * b, p2::self<IncomingBody>(call, p[0], "incoming-body"));
        if (b->stream_taken) {
          out.push_back(Val::error());
          return {};
        }
        b->stream_taken = true;
        uint32_t rep =
            table_of(call).push(std::make_unique<BodyInputStream>(b->state), p[0].handle.rep);
        out.push_back(Val::ok(own_val(input_stream, rep)));
        return {};
      });
  li.func(
      "[static]incoming-body.finish", KUMO_HTTP_FN {
        KUMO_TRY(auto body, take_own<IncomingBody>(call, p[0], "incoming-body"));
        auto f = std::make_unique<FutureTrailers>();
        f->state = body->state;
        out.push_back(own_val(future_trailers, table_of(call).push(std::move(f))));
        return {};
      });
  li.func(
      "[method]future-trailers.subscribe", KUMO_HTTP_FN {
        KUMO_TRY(FutureTrailers * f, p2::self<FutureTrailers>(call, p[0], "future-trailers"));
        (void)f;  // ready at once: get() reads the rest of the body (the worker has nothing else to
                  // do)
        uint32_t rep = table_of(call).push(std::make_unique<p2::ReadyPollable>(), p[0].handle.rep);
        out.push_back(own_val(pollable, rep));
        return {};
      });
  li.func(
      "[method]future-trailers.get", KUMO_HTTP_FN {
        KUMO_TRY(FutureTrailers * f, p2::self<FutureTrailers>(call, p[0], "future-trailers"));
        if (f->consumed) {  // some(err): the value was already taken
          out.push_back(Val::option(Val::error()));
          return {};
        }
        f->consumed = true;
        auto drained = f->state->drain();
        if (!drained) {
          out.push_back(Val::option(Val::ok(Val::error(drained.error().to_val()))));
          return {};
        }
        FieldList trailers = f->state->source->trailers();
        std::optional<Val> t;
        if (!trailers.empty())
          t = own_val(fields,
                      table_of(call).push(std::make_unique<Fields>(std::move(trailers), true)));
        out.push_back(Val::option(Val::ok(Val::ok(Val::option(std::move(t))))));
        return {};
      });

  // ---- outgoing-request ----
  li.func(
      "[constructor]outgoing-request", KUMO_HTTP_FN {
        KUMO_TRY(auto headers, take_own<Fields>(call, p[0], "fields"));
        auto r = std::make_unique<OutgoingRequest>();
        *r->headers = Fields(headers->entries());
        out.push_back(own_val(outgoing_request, table_of(call).push(std::move(r))));
        return {};
      });
  li.func(
      "[method]outgoing-request.body", KUMO_HTTP_FN {
        KUMO_TRY(OutgoingRequest * r, p2::self<OutgoingRequest>(call, p[0], "outgoing-request"));
        if (r->body->taken) {
          out.push_back(Val::error());
          return {};
        }
        r->body->taken = true;
        auto b = std::make_unique<OutgoingBody>();
        b->state = r->body;
        // Not a child of the request: the guest streams it after outgoing-handler.handle took
        // the request (the shared state keeps what it needs alive).
        out.push_back(Val::ok(own_val(outgoing_body, table_of(call).push(std::move(b)))));
        return {};
      });
  li.func(
      "[method]outgoing-request.method", KUMO_HTTP_FN {
        KUMO_TRY(OutgoingRequest * r, p2::self<OutgoingRequest>(call, p[0], "outgoing-request"));
        out.push_back(r->method);
        return {};
      });
  li.func("[method]outgoing-request.set-method",
          request_setter([](OutgoingRequest& r, const Val& v) {
            if (!valid_method(v)) return false;
            r.method = v;
            return true;
          }));
  li.func(
      "[method]outgoing-request.path-with-query", KUMO_HTTP_FN {
        KUMO_TRY(OutgoingRequest * r, p2::self<OutgoingRequest>(call, p[0], "outgoing-request"));
        out.push_back(option_string(r->path_with_query));
        return {};
      });
  li.func("[method]outgoing-request.set-path-with-query",
          request_setter([](OutgoingRequest& r, const Val& v) {
            r.path_with_query = string_option(v);
            return true;
          }));
  li.func(
      "[method]outgoing-request.scheme", KUMO_HTTP_FN {
        KUMO_TRY(OutgoingRequest * r, p2::self<OutgoingRequest>(call, p[0], "outgoing-request"));
        out.push_back(Val::option(r->scheme));
        return {};
      });
  li.func("[method]outgoing-request.set-scheme",
          request_setter([](OutgoingRequest& r, const Val& v) {
            r.scheme = v.has_payload() ? std::optional<Val>(v.payload()) : std::nullopt;
            return true;
          }));
  li.func(
      "[method]outgoing-request.authority", KUMO_HTTP_FN {
        KUMO_TRY(OutgoingRequest * r, p2::self<OutgoingRequest>(call, p[0], "outgoing-request"));
        out.push_back(option_string(r->authority));
        return {};
      });
  li.func("[method]outgoing-request.set-authority",
          request_setter([](OutgoingRequest& r, const Val& v) {
            r.authority = string_option(v);
            return true;
          }));
  li.func(
      "[method]outgoing-request.headers", KUMO_HTTP_FN {
        KUMO_TRY(OutgoingRequest * r, p2::self<OutgoingRequest>(call, p[0], "outgoing-request"));
        out.push_back(child_fields(call, fields, 0, Fields::view_of(r->headers, false)));
        return {};
      });

  // ---- outgoing-body (shared by requests and responses) ----
  li.func(
      "[method]outgoing-body.write", KUMO_HTTP_FN {
        KUMO_TRY(OutgoingBody * b, p2::self<OutgoingBody>(call, p[0], "outgoing-body"));
        if (b->stream_taken) {
          out.push_back(Val::error());
          return {};
        }
        b->stream_taken = true;
        uint32_t rep =
            table_of(call).push(std::make_unique<BodyOutputStream>(b->state), p[0].handle.rep);
        out.push_back(Val::ok(own_val(output_stream, rep)));
        return {};
      });
  li.func(
      "[static]outgoing-body.finish", KUMO_HTTP_FN {
        KUMO_TRY(auto body, take_own<OutgoingBody>(call, p[0], "outgoing-body"));
        FieldList trailers;
        if (p[1].has_payload()) {
          KUMO_TRY(auto t, take_own<Fields>(call, p[1].payload(), "fields"));
          trailers = t->entries();
        }
        auto r = body->state->finish(std::move(trailers));
        out.push_back(r ? Val::ok() : Val::error(r.error().to_val()));
        return {};
      });

  // ---- request-options ----
  li.func(
      "[constructor]request-options", KUMO_HTTP_FN {
        (void)p;
        out.push_back(
            own_val(request_options, table_of(call).push(std::make_unique<RequestOptions>())));
        return {};
      });
  add_option(li, "connect-timeout", &RequestOptions::connect_timeout);
  add_option(li, "first-byte-timeout", &RequestOptions::first_byte_timeout);
  add_option(li, "between-bytes-timeout", &RequestOptions::between_bytes_timeout);
}

}  // namespace kumo::plugins::http
