#include "host/http/request.hpp"

#include "host/http/connection.hpp"

namespace kumo::host::http {

std::string_view Request::method() const { return conn_->parser_.method(); }
std::string_view Request::target() const { return conn_->parser_.target(); }
HeaderSpan Request::headers() const { return conn_->parser_.headers(); }
std::optional<uint64_t> Request::content_length() const { return conn_->parser_.content_length(); }
unsigned Request::http_major() const { return conn_->parser_.http_major(); }
unsigned Request::http_minor() const { return conn_->parser_.http_minor(); }
HeaderSpan Request::trailers() const { return conn_->parser_.trailers(); }
bool Request::body_done() const {
  return conn_->parser_.message_complete() && !conn_->parser_.body_pending();
}
Clock::time_point Request::deadline() const { return conn_->deadline_; }
unsigned Request::worker() const { return conn_->worker_; }
std::string_view Request::peer() const { return conn_->peer_; }

Expected<std::string_view, IoError> Request::read() { return conn_->read_body(); }

// An absolute-form target ("http://host:8080/p?q") carries the authority and the path itself.
static bool split_absolute(std::string_view target, std::string_view& authority,
                           std::string_view& path) {
  size_t scheme_end = target.find("://");
  if (target.starts_with('/') || scheme_end == std::string_view::npos) return false;
  std::string_view rest = target.substr(scheme_end + 3);
  size_t slash = rest.find_first_of("/?");
  authority = rest.substr(0, slash);
  path = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
  return true;
}

std::string_view Request::path() const {
  std::string_view authority, path;
  return split_absolute(target(), authority, path) ? path : target();
}

std::string_view Request::authority() const {
  std::string_view authority, path;
  if (split_absolute(target(), authority, path)) return authority;
  const HeaderField* host = header("host");
  return host ? host->value : std::string_view{};
}

}  // namespace kumo::host::http
