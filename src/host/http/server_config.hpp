// What an HttpServer is configured with: the address, the workers, the limits and the log sink.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace kumo::host::http {

struct ServerConfig {
  std::string address = "127.0.0.1:8000";  // see parse_address
  unsigned workers = 0;                    // 0: one per core
  size_t max_header_bytes = 64 * 1024;     // request line + fields; beyond: 431
  uint64_t max_body_bytes = 64ull << 20;   // request body; beyond: 413
  // Per-request deadline (from the end of the head); body reads and response writes that would
  // wait past it fail with IoError::Timeout. Handlers see it as Request::deadline(). 0: none.
  std::chrono::milliseconds request_timeout{0};
  // Keep-alive connections without a request, and requests whose bytes stop coming, are closed
  // after this long without progress.
  std::chrono::milliseconds idle_timeout{60'000};
  size_t read_buffer_bytes = 16 * 1024;  // per connection
  // Diagnostics (malformed requests, handler failures). Called from worker threads, concurrently.
  // Default: one line on stderr.
  std::function<void(std::string_view line)> log;
};

}  // namespace kumo::host::http
