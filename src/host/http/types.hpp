// Plain HTTP/1.1 vocabulary shared by the server's pieces: header fields as views, body chunks,
// and the errors a body read or a response write can end with.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace kumo::host::http {

// A header field as views into storage owned by whoever hands it out (the connection's buffers
// for requests, the caller for responses): no copies on the hot path.
struct HeaderField {
  std::string_view name;
  std::string_view value;
};
using HeaderSpan = std::span<const HeaderField>;

// Case-insensitive ASCII comparison (field names are case-insensitive, RFC 9110 5.1).
bool iequals(std::string_view a, std::string_view b);

// The first field called `name` in `fields`, or nullptr.
const HeaderField* find_header(HeaderSpan fields, std::string_view name);

// Why a body read or a response write failed.
enum class IoError : uint8_t {
  Closed,     // the peer closed the connection (or reset it)
  Malformed,  // the request body is not valid HTTP framing (bad chunk size, ...)
  TooLarge,   // the request body exceeds ServerConfig::max_body_bytes
  Timeout,    // the request's deadline passed while waiting for the peer
  State,      // the call is not allowed now (write before send_head, after finish, ...)
};
std::string_view to_string(IoError e);

}  // namespace kumo::host::http
