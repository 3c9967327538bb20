// wasi:http error-code values: built as component Vals (the variant the WIT defines, case
// indices below), and named for log lines.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "component/runtime/val.hpp"

namespace kumo::plugins::http {

using component::Val;

// Case indices of wasi:http/types error-code (0.2.x; the list has not changed within 0.2).
enum class ErrorTag : uint32_t {
  DnsTimeout = 0,
  DnsError,
  DestinationNotFound,
  DestinationUnavailable,
  DestinationIpProhibited,
  DestinationIpUnroutable,
  ConnectionRefused,
  ConnectionTerminated,
  ConnectionTimeout,
  ConnectionReadTimeout,
  ConnectionWriteTimeout,
  ConnectionLimitReached,
  TlsProtocolError,
  TlsCertificateError,
  TlsAlertReceived,
  HttpRequestDenied,
  HttpRequestLengthRequired,
  HttpRequestBodySize,
  HttpRequestMethodInvalid,
  HttpRequestUriInvalid,
  HttpRequestUriTooLong,
  HttpRequestHeaderSectionSize,
  HttpRequestHeaderSize,
  HttpRequestTrailerSectionSize,
  HttpRequestTrailerSize,
  HttpResponseIncomplete,
  HttpResponseHeaderSectionSize,
  HttpResponseHeaderSize,
  HttpResponseBodySize,
  HttpResponseTrailerSectionSize,
  HttpResponseTrailerSize,
  HttpResponseTransferCoding,
  HttpResponseContentCoding,
  HttpResponseTimeout,
  HttpUpgradeFailed,
  HttpProtocolError,
  LoopDetected,
  ConfigurationError,
  InternalError,
};

// An error-code value. Payloads: only those the host produces are modelled (body sizes,
// internal-error's message); other cases with a payload carry an empty one.
struct ErrorCode {
  ErrorTag tag = ErrorTag::InternalError;
  std::optional<uint64_t> size;        // HTTP-request-body-size, HTTP-response-body-size
  std::optional<std::string> message;  // internal-error

  static ErrorCode internal(std::string m) { return {ErrorTag::InternalError, {}, std::move(m)}; }
  Val to_val() const;
  static ErrorCode from_val(const Val& v);
  std::string to_string() const;  // "HTTP-request-body-size(1000)", "internal-error(\"x\")"
};

}  // namespace kumo::plugins::http
