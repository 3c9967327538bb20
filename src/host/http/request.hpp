// Request: what a handler sees of one HTTP request. The head is complete when the handler runs;
// the body is read in pieces, synchronously, from the connection (not buffered whole).
#pragma once

#include <optional>
#include <string_view>

#include "host/http/socket_io.hpp"
#include "host/http/types.hpp"
#include "wasm/common/expected.hpp"

namespace kumo::host::http {

class Connection;

class Request {
 public:
  explicit Request(Connection& conn) : conn_(&conn) {}

  std::string_view method() const;     // "GET", "POST", ... (as http-parser knows them)
  std::string_view target() const;     // the request target as sent
  std::string_view path() const;       // path and query ("/a?b"), also for absolute-form targets
  std::string_view authority() const;  // the Host field (or the absolute-form target's host)
  std::string_view scheme() const { return "http"; }
  HeaderSpan headers() const;
  const HeaderField* header(std::string_view name) const { return find_header(headers(), name); }
  std::optional<uint64_t> content_length() const;
  unsigned http_major() const;
  unsigned http_minor() const;

  // The next piece of the body: a view valid until the next call, empty at the end of the body
  // (then trailers() holds the trailer fields, if any). Waits for the peer up to deadline().
  Expected<std::string_view, IoError> read();
  bool body_done() const;
  HeaderSpan trailers() const;

  Clock::time_point deadline() const;
  unsigned worker() const;        // index of the worker thread serving it, for per-worker state
  std::string_view peer() const;  // the client's address ("127.0.0.1:53422")

 private:
  Connection* conn_;
};

}  // namespace kumo::host::http
