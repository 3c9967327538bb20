// wasi:http 0.2 for the component runtime: the types interface over host objects in the store's
// ResourceTable (objects.hpp), request/response bodies as wasi:io streams, and an
// outgoing-handler (HTTP/1.1 client, client.hpp) limited to the hosts an OutgoingPolicy allows.
//
//   p2::WasiHost wasi;  http::WasiHttpTypes types;          // outlive the linker and the stores
//   wasi.add_to_linker(linker);
//   http::add_to_linker(linker, wasi.types(), types, &policy);  // types + outgoing-handler
//   ... per request, with a store whose data() is a WasiView (wasi/p2/table.hpp):
//   ResponseSlot slot;
//   Val req = http::new_incoming_request(table, types, exchange);
//   Val out = http::new_response_outparam(table, types, &slot);
//   call wasi:http/incoming-handler@0.2.x#handle(req, out); then read `slot`.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "component/runtime/linker.hpp"
#include "plugins/http/client_policy.hpp"
#include "plugins/http/objects.hpp"
#include "wasi/p2/wasi.hpp"

namespace kumo::plugins::http {

namespace rt = component::rt;

// The version the interfaces are defined at; the linker serves any 0.2.x import from them.
inline constexpr std::string_view kVersion = "0.2.12";

struct WasiHttpTypes {
  std::unique_ptr<rt::ResourceType> fields, incoming_request, outgoing_request, request_options,
      response_outparam, incoming_response, incoming_body, future_trailers, outgoing_response,
      outgoing_body, future_incoming_response;
  WasiHttpTypes();
};

// `policy` (may be null: nothing allowed) must outlive the linker's stores.
void add_to_linker(rt::Linker& linker, const wasi::p2::WasiTypes& wasi, const WasiHttpTypes& t,
                   const OutgoingPolicy* policy = nullptr);

// Handles for the two arguments of incoming-handler.handle, in `table`.
Val new_incoming_request(wasi::p2::ResourceTable& table, const WasiHttpTypes& t,
                         IncomingExchange* exchange);
Val new_response_outparam(wasi::p2::ResourceTable& table, const WasiHttpTypes& t,
                          ResponseSlot* slot);

// The exported handle function's instance name among `export_names` ("wasi:http/incoming-
// handler@0.2.x", any 0.2 patch); empty if the component exports none.
std::string_view find_incoming_handler(std::span<const std::string> export_names);

// Per file of types_*.cpp, outgoing_handler.cpp.
void add_fields(rt::LinkerInstance& li, const wasi::p2::WasiTypes& wasi, const WasiHttpTypes& t);
void add_requests(rt::LinkerInstance& li, const wasi::p2::WasiTypes& wasi, const WasiHttpTypes& t);
void add_responses(rt::LinkerInstance& li, const wasi::p2::WasiTypes& wasi, const WasiHttpTypes& t);
void add_outgoing(rt::Linker& linker, rt::LinkerInstance& types, const wasi::p2::WasiTypes& wasi,
                  const WasiHttpTypes& t, const OutgoingPolicy* policy);

}  // namespace kumo::plugins::http
