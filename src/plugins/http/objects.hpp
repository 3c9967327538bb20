// The host objects behind wasi:http/types resources, kept in the store's ResourceTable
// (wasi/p2/table.hpp). The body objects share a state with their streams: an incoming-body, its
// input-stream and its future-trailers read the same request body; an outgoing-response, its
// outgoing-body and its output-stream write the same response body.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "plugins/http/error_code.hpp"
#include "plugins/http/exchange.hpp"
#include "plugins/http/fields.hpp"
#include "wasi/p2/streams.hpp"

namespace kumo::plugins::http {

using wasi::p2::HostObject;

struct IncomingRequest : HostObject {
  IncomingExchange* exchange = nullptr;
  bool consumed = false;
};

// An incoming body (a request's or a client response's), read from its source in pieces.
struct IncomingBodyState {
  BodySource* source = nullptr;
  std::shared_ptr<void> keep_alive;  // owns the source when it is not the exchange
  std::string pending;               // read from the source, not yet given to the guest
  size_t pending_pos = 0;
  bool ended = false;
  std::optional<ErrorCode> error;

  wasi::p2::StreamResult<std::vector<uint8_t>> read(uint64_t len);
  // Reads (and discards) up to the end: the trailers come after it.
  Expected<void, ErrorCode> drain();
};

struct IncomingBody : HostObject {
  std::shared_ptr<IncomingBodyState> state;
  bool stream_taken = false;
};

struct FutureTrailers : HostObject {
  std::shared_ptr<IncomingBodyState> state;
  bool consumed = false;  // get() returned the result once
};

// input-stream of an incoming-body. read() waits for the peer: the handler runs synchronously
// on the server's worker, there is nothing else the guest could do meanwhile.
class BodyInputStream final : public wasi::p2::InputStream {
 public:
  explicit BodyInputStream(std::shared_ptr<IncomingBodyState> s) : state_(std::move(s)) {}
  wasi::p2::StreamResult<std::vector<uint8_t>> read(uint64_t len) override {
    return state_->read(len);
  }
  std::unique_ptr<wasi::p2::Pollable> subscribe() override {
    return std::make_unique<wasi::p2::ReadyPollable>();
  }

 private:
  std::shared_ptr<IncomingBodyState> state_;
};

// An outgoing body (a handler's response's, or a request's the guest sends): buffered until the
// head is sent (response-outparam.set, outgoing-handler.handle), then written through.
struct OutgoingBodyState {
  BodySink* sink = nullptr;          // set once the head went out
  std::shared_ptr<void> keep_alive;  // owns the sink when it is not the exchange
  std::string pending;
  bool taken = false;     // the guest asked for the outgoing-body
  bool finished = false;  // outgoing-body.finish succeeded
  bool failed = false;
  bool abandoned = false;  // the guest dropped the outgoing-body without finishing it
  FieldList trailers;
  uint64_t written = 0;
  std::optional<uint64_t> content_length;  // from the response's content-length field

  Expected<void, ErrorCode> write(std::span<const uint8_t> bytes);
  Expected<void, ErrorCode> finish(FieldList trailers);
  // The response is the one sent: head, then what was written before, then the end if any.
  Expected<void, ErrorCode> attach(IncomingExchange* ex, uint16_t status, const FieldList& headers);
  // The head went out some other way: from now on bytes go to `sink`.
  Expected<void, ErrorCode> attach_sink(BodySink* sink);
};

struct OutgoingResponse : HostObject {
  uint16_t status = 200;
  std::shared_ptr<Fields> headers = std::make_shared<Fields>();
  std::shared_ptr<OutgoingBodyState> body = std::make_shared<OutgoingBodyState>();
};

struct OutgoingBody : HostObject {
  std::shared_ptr<OutgoingBodyState> state;
  bool stream_taken = false;
  // Dropped without outgoing-body.finish: the message is incomplete.
  ~OutgoingBody() override {
    if (state && !state->finished) state->abandoned = true;
  }
};

class BodyOutputStream final : public wasi::p2::OutputStream {
 public:
  explicit BodyOutputStream(std::shared_ptr<OutgoingBodyState> s) : state_(std::move(s)) {}
  wasi::p2::StreamResult<uint64_t> check_write() override;
  wasi::p2::StreamResult<void> write(std::span<const uint8_t> bytes) override;
  std::unique_ptr<wasi::p2::Pollable> subscribe() override {
    return std::make_unique<wasi::p2::ReadyPollable>();
  }

 private:
  std::shared_ptr<OutgoingBodyState> state_;
};

// What became of one response-outparam; the driver reads it after handle() returns.
struct ResponseSlot {
  IncomingExchange* exchange = nullptr;  // where the response goes
  bool set = false;
  std::optional<ErrorCode> error;           // set(err(e))
  uint16_t status = 0;                      // set(ok(response))
  std::shared_ptr<OutgoingBodyState> body;  // set(ok(response))
  std::optional<ErrorCode> send_error;      // sending the head failed (peer gone)
};

struct ResponseOutparam : HostObject {
  ResponseSlot* slot = nullptr;
};

// A request a guest builds and sends with wasi:http/outgoing-handler.
struct OutgoingRequest : HostObject {
  Val method = Val::variant(0);  // get
  std::optional<std::string> path_with_query, authority;
  std::optional<Val> scheme;
  std::shared_ptr<Fields> headers = std::make_shared<Fields>();
  std::shared_ptr<OutgoingBodyState> body = std::make_shared<OutgoingBodyState>();
};

struct RequestOptions : HostObject {
  std::optional<uint64_t> connect_timeout, first_byte_timeout, between_bytes_timeout;
};

class OutgoingCall;  // client.hpp

struct FutureIncomingResponse : HostObject {
  std::shared_ptr<OutgoingCall> call;
  std::shared_ptr<OutgoingBodyState> body;  // the request's
  std::optional<ErrorCode> error;           // failed before a response could come
  bool consumed = false;
};

struct IncomingResponse : HostObject {
  std::shared_ptr<OutgoingCall> call;
  bool consumed = false;
};

}  // namespace kumo::plugins::http
