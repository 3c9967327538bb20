// ResponseWriter: how a handler answers. The head goes first; the body follows in pieces with
// content-length framing when the handler sets Content-Length, else chunked (HTTP/1.1) or
// until close (HTTP/1.0); trailers are sent with chunked framing only. Bytes are coalesced in
// the connection's output buffer and written with one sendmsg per flush.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "host/http/types.hpp"
#include "wasm/common/expected.hpp"

namespace kumo::host::http {

class Connection;

class ResponseWriter {
 public:
  explicit ResponseWriter(Connection& conn) : conn_(&conn) {}

  // Connection and Transfer-Encoding fields are the server's (framing and keep-alive): dropped.
  Expected<void, IoError> send_head(int status, HeaderSpan headers);
  Expected<void, IoError> write(std::string_view data);
  Expected<void, IoError> finish(HeaderSpan trailers = {});

  bool head_sent() const;
  bool finished() const;
  int status() const;

 private:
  Connection* conn_;
};

// The reason phrase of a status code ("OK", "Not Found"; "" if unknown).
std::string_view reason_phrase(int status);

}  // namespace kumo::host::http
