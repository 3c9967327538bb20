#include "plugins/http/wasi_http.hpp"

#include "wasi/p2/vals.hpp"

namespace kumo::plugins::http {

namespace p2 = wasi::p2;
using p2::make_table_resource_type;

WasiHttpTypes::WasiHttpTypes()
    : fields(make_table_resource_type("fields")),
      incoming_request(make_table_resource_type("incoming-request")),
      outgoing_request(make_table_resource_type("outgoing-request")),
      request_options(make_table_resource_type("request-options")),
      response_outparam(make_table_resource_type("response-outparam")),
      incoming_response(make_table_resource_type("incoming-response")),
      incoming_body(make_table_resource_type("incoming-body")),
      future_trailers(make_table_resource_type("future-trailers")),
      outgoing_response(make_table_resource_type("outgoing-response")),
      outgoing_body(make_table_resource_type("outgoing-body")),
      future_incoming_response(make_table_resource_type("future-incoming-response")) {}

static std::string versioned(std::string_view iface) {
  return std::string(iface) + "@" + std::string(kVersion);
}

void add_to_linker(rt::Linker& linker, const p2::WasiTypes& wasi, const WasiHttpTypes& t,
                   const OutgoingPolicy* policy) {
  rt::LinkerInstance& types = linker.instance(versioned("wasi:http/types"));
  types.resource("fields", t.fields.get());
  types.resource("incoming-request", t.incoming_request.get());
  types.resource("outgoing-request", t.outgoing_request.get());
  types.resource("request-options", t.request_options.get());
  types.resource("response-outparam", t.response_outparam.get());
  types.resource("incoming-response", t.incoming_response.get());
  types.resource("incoming-body", t.incoming_body.get());
  types.resource("future-trailers", t.future_trailers.get());
  types.resource("outgoing-response", t.outgoing_response.get());
  types.resource("outgoing-body", t.outgoing_body.get());
  types.resource("future-incoming-response", t.future_incoming_response.get());
  add_fields(types, wasi, t);
  add_requests(types, wasi, t);
  add_responses(types, wasi, t);

  add_outgoing(linker, types, wasi, t, policy);
}

Val new_incoming_request(p2::ResourceTable& table, const WasiHttpTypes& t, IncomingExchange* ex) {
  auto req = std::make_unique<IncomingRequest>();
  req->exchange = ex;
  return p2::own_val(t.incoming_request.get(), table.push(std::move(req)));
}

Val new_response_outparam(p2::ResourceTable& table, const WasiHttpTypes& t, ResponseSlot* slot) {
  auto o = std::make_unique<ResponseOutparam>();
  o->slot = slot;
  return p2::own_val(t.response_outparam.get(), table.push(std::move(o)));
}

std::string_view find_incoming_handler(std::span<const std::string> names) {
  for (const auto& n : names)
    if (n.starts_with("wasi:http/incoming-handler@0.2.")) return n;
  return {};
}

}  // namespace kumo::plugins::http
