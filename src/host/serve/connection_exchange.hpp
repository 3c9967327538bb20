// ConnectionExchange: the wasi:http plugin's view (plugins/http/exchange.hpp) of one request
// being served by the HTTP server: the head and body come from http::Request, the response goes
// to http::ResponseWriter, on the worker thread, without copies beyond the guest's own.
#pragma once

#include <vector>

#include "host/http/request.hpp"
#include "host/http/response_writer.hpp"
#include "plugins/http/exchange.hpp"

namespace kumo::host {

class ConnectionExchange final : public plugins::http::IncomingExchange {
 public:
  ConnectionExchange(http::Request& req, http::ResponseWriter& resp, uint64_t max_body)
      : req_(req), resp_(resp), max_body_(max_body) {}

  std::string_view method() override { return req_.method(); }
  std::string_view path_with_query() override { return req_.path(); }
  std::string_view authority() override { return req_.authority(); }
  std::string_view scheme() override { return req_.scheme(); }
  plugins::http::FieldList headers() override;

  Expected<std::string_view, plugins::http::ErrorCode> read_body() override;
  plugins::http::FieldList trailers() override;

  Expected<void, plugins::http::ErrorCode> send_head(
      uint16_t status, const plugins::http::FieldList& headers) override;
  Expected<void, plugins::http::ErrorCode> write_body(std::span<const uint8_t> bytes) override;
  Expected<void, plugins::http::ErrorCode> finish(
      const plugins::http::FieldList& trailers) override;

 private:
  plugins::http::ErrorCode error_of(http::IoError e) const;
  http::Request& req_;
  http::ResponseWriter& resp_;
  uint64_t max_body_;
  std::vector<http::HeaderField> scratch_;  // views of the guest's fields for one call
};

}  // namespace kumo::host
