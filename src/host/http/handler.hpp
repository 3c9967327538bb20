// The handler interface: called synchronously on a worker thread for each request, it may block
// (reading the body, writing the response in pieces). Shared by all workers: it must be
// thread-safe; Request::worker() tells it which worker calls.
#pragma once

#include <functional>

#include "host/http/request.hpp"
#include "host/http/response_writer.hpp"

namespace kumo::host::http {

using Handler = std::function<void(Request& req, ResponseWriter& resp)>;

}  // namespace kumo::host::http
