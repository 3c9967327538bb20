// Blocking I/O with a deadline over non-blocking sockets: the worker's event loop owns the
// sockets, but a handler running on the worker thread reads the request body and writes the
// response synchronously; these wait with poll(2) on the one socket concerned.
#pragma once

#include <sys/uio.h>

#include <chrono>
#include <cstddef>

#include "host/http/types.hpp"
#include "wasm/common/expected.hpp"

namespace kumo::host::http {

using Clock = std::chrono::steady_clock;

// Reads at least one byte (up to `len`); 0 means the peer closed the connection.
Expected<size_t, IoError> read_some(int fd, char* buf, size_t len, Clock::time_point deadline);

// Writes every byte of `iov` (modified in place), waiting for the socket as needed.
Expected<void, IoError> write_all(int fd, iovec* iov, int iovcnt, Clock::time_point deadline);

}  // namespace kumo::host::http
