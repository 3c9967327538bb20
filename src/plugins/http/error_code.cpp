#include "plugins/http/error_code.hpp"

#include <fmt/format.h>

namespace kumo::plugins::http {

namespace {

constexpr const char* kNames[] = {"DNS-timeout",
                                  "DNS-error",
                                  "destination-not-found",
                                  "destination-unavailable",
                                  "destination-IP-prohibited",
                                  "destination-IP-unroutable",
                                  "connection-refused",
                                  "connection-terminated",
                                  "connection-timeout",
                                  "connection-read-timeout",
                                  "connection-write-timeout",
                                  "connection-limit-reached",
                                  "TLS-protocol-error",
                                  "TLS-certificate-error",
                                  "TLS-alert-received",
                                  "HTTP-request-denied",
                                  "HTTP-request-length-required",
                                  "HTTP-request-body-size",
                                  "HTTP-request-method-invalid",
                                  "HTTP-request-URI-invalid",
                                  "HTTP-request-URI-too-long",
                                  "HTTP-request-header-section-size",
                                  "HTTP-request-header-size",
                                  "HTTP-request-trailer-section-size",
                                  "HTTP-request-trailer-size",
                                  "HTTP-response-incomplete",
                                  "HTTP-response-header-section-size",
                                  "HTTP-response-header-size",
                                  "HTTP-response-body-size",
                                  "HTTP-response-trailer-section-size",
                                  "HTTP-response-trailer-size",
                                  "HTTP-response-transfer-coding",
                                  "HTTP-response-content-coding",
                                  "HTTP-response-timeout",
                                  "HTTP-upgrade-failed",
                                  "HTTP-protocol-error",
                                  "loop-detected",
                                  "configuration-error",
                                  "internal-error"};
constexpr uint32_t kCount = sizeof kNames / sizeof kNames[0];

Val none() { return Val::option(std::nullopt); }

// The payload a case carries, empty where the host has nothing to say.
std::optional<Val> payload(const ErrorCode& e) {
  switch (e.tag) {
    case ErrorTag::DnsError: return Val::record({none(), none()});
    case ErrorTag::TlsAlertReceived: return Val::record({none(), none()});
    case ErrorTag::HttpRequestBodySize:
    case ErrorTag::HttpResponseBodySize:
      return Val::option(e.size ? std::optional<Val>(Val::u64(*e.size)) : std::nullopt);
    case ErrorTag::HttpRequestHeaderSectionSize:
    case ErrorTag::HttpRequestTrailerSectionSize:
    case ErrorTag::HttpResponseHeaderSectionSize:
    case ErrorTag::HttpResponseTrailerSectionSize:
    case ErrorTag::HttpRequestHeaderSize:
    case ErrorTag::HttpResponseTransferCoding:
    case ErrorTag::HttpResponseContentCoding: return none();
    case ErrorTag::HttpRequestTrailerSize:
    case ErrorTag::HttpResponseHeaderSize:
    case ErrorTag::HttpResponseTrailerSize: return Val::record({none(), none()});
    case ErrorTag::InternalError:
      return Val::option(e.message ? std::optional<Val>(Val::string(*e.message)) : std::nullopt);
    default: return std::nullopt;
  }
}

}  // namespace

Val ErrorCode::to_val() const { return Val::variant(uint32_t(tag), payload(*this)); }

ErrorCode ErrorCode::from_val(const Val& v) {
  ErrorCode e;
  e.tag = v.index < kCount ? ErrorTag(v.index) : ErrorTag::InternalError;
  if (!v.has_payload()) return e;
  const Val& p = v.payload();
  if ((e.tag == ErrorTag::HttpRequestBodySize || e.tag == ErrorTag::HttpResponseBodySize) &&
      p.has_payload())
    e.size = p.payload().u;
  if (e.tag == ErrorTag::InternalError && p.has_payload()) e.message = p.payload().str;
  return e;
}

std::string ErrorCode::to_string() const {
  std::string s = uint32_t(tag) < kCount ? kNames[uint32_t(tag)] : "error-code";
  if (size) s += fmt::format("({})", *size);
  if (message) s += fmt::format("(\"{}\")", *message);
  return s;
}

}  // namespace kumo::plugins::http
