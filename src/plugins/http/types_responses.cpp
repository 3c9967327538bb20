// wasi:http/types: response-outparam and outgoing-response (the answer of a handler),
// http-error-code. (incoming-response and future-incoming-response: outgoing_handler.cpp.)
#include "plugins/http/vals.hpp"

namespace kumo::plugins::http {

void add_responses(rt::LinkerInstance& li, const p2::WasiTypes&, const WasiHttpTypes& t) {
  rt::ResourceType* fields = t.fields.get();
  rt::ResourceType* outgoing_response = t.outgoing_response.get();
  rt::ResourceType* outgoing_body = t.outgoing_body.get();

  // ---- response-outparam ----
  li.func(
      "[method]response-outparam.send-informational", KUMO_HTTP_FN {
        KUMO_TRY(ResponseOutparam * o, p2::self<ResponseOutparam>(call, p[0], "response-outparam"));
        (void)o;
        table_of(call).remove(p[2].handle.rep);
        out.push_back(
            Val::error(ErrorCode::internal("informational responses are not supported").to_val()));
        return {};
      });
  li.func(
      "[static]response-outparam.set", KUMO_HTTP_FN {
        (void)out;  // no result
        KUMO_TRY(auto param, take_own<ResponseOutparam>(call, p[0], "response-outparam"));
        ResponseSlot* slot = param->slot;
        if (slot->set) return rt::abi_trap("wasi:http: response-outparam.set called twice");
        slot->set = true;
        const Val& r = p[1];
        if (r.index != 0) {  // err(error-code)
          slot->error = ErrorCode::from_val(r.payload());
          return {};
        }
        KUMO_TRY(auto resp, take_own<OutgoingResponse>(call, r.payload(), "outgoing-response"));
        slot->status = resp->status;
        slot->body = resp->body;
        // The head goes out now: a streaming body follows as the guest writes it.
        auto sent = resp->body->attach(slot->exchange, resp->status, resp->headers->entries());
        if (!sent) slot->send_error = sent.error();
        return {};
      });

  // ---- outgoing-response ----
  li.func(
      "[constructor]outgoing-response", KUMO_HTTP_FN {
        KUMO_TRY(auto headers, take_own<Fields>(call, p[0], "fields"));
        auto r = std::make_unique<OutgoingResponse>();
        *r->headers = Fields(headers->entries());
        out.push_back(own_val(outgoing_response, table_of(call).push(std::move(r))));
        return {};
      });
  li.func(
      "[method]outgoing-response.status-code", KUMO_HTTP_FN {
        KUMO_TRY(OutgoingResponse * r, p2::self<OutgoingResponse>(call, p[0], "outgoing-response"));
        out.push_back(Val::u16(r->status));
        return {};
      });
  li.func(
      "[method]outgoing-response.set-status-code", KUMO_HTTP_FN {
        KUMO_TRY(OutgoingResponse * r, p2::self<OutgoingResponse>(call, p[0], "outgoing-response"));
        uint16_t s = uint16_t(p[1].u);
        if (s < 100 || s > 599) {
          out.push_back(Val::error());
          return {};
        }
        r->status = s;
        out.push_back(Val::ok());
        return {};
      });
  li.func(
      "[method]outgoing-response.headers", KUMO_HTTP_FN {
        KUMO_TRY(OutgoingResponse * r, p2::self<OutgoingResponse>(call, p[0], "outgoing-response"));
        uint32_t rep =
            table_of(call).push(std::make_unique<Fields>(Fields::view_of(r->headers, false)));
        out.push_back(own_val(fields, rep));
        return {};
      });
  li.func(
      "[method]outgoing-response.body", KUMO_HTTP_FN {
        KUMO_TRY(OutgoingResponse * r, p2::self<OutgoingResponse>(call, p[0], "outgoing-response"));
        if (r->body->taken) {
          out.push_back(Val::error());
          return {};
        }
        r->body->taken = true;
        auto b = std::make_unique<OutgoingBody>();
        b->state = r->body;
        out.push_back(Val::ok(own_val(outgoing_body, table_of(call).push(std::move(b)))));
        return {};
      });

  li.func(
      "http-error-code", KUMO_HTTP_FN {
        (void)call, (void)p;
        out.push_back(Val::option(std::nullopt));  // stream errors carry no error-code (yet)
        return {};
      });
}

}  // namespace kumo::plugins::http
