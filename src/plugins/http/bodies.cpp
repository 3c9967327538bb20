#include <algorithm>
#include <charconv>

#include "plugins/http/objects.hpp"

namespace kumo::plugins::http {

namespace p2 = wasi::p2;

p2::StreamResult<std::vector<uint8_t>> IncomingBodyState::read(uint64_t len) {
  if (pending_pos == pending.size() && !ended && !error) {
    auto piece = source->read_body();
    if (!piece)
      error = piece.error();
    else if (piece->empty())
      ended = true;
    else
      pending.assign(*piece), pending_pos = 0;
  }
  if (pending_pos < pending.size()) {
    size_t n = size_t(std::min<uint64_t>(len, pending.size() - pending_pos));
    std::vector<uint8_t> out(pending.begin() + pending_pos, pending.begin() + pending_pos + n);
    pending_pos += n;
    return out;
  }
  if (error) return p2::stream_failed("request body: " + error->to_string());
  return p2::stream_closed();
}

Expected<void, ErrorCode> IncomingBodyState::drain() {
  pending.clear();
  pending_pos = 0;
  while (!ended && !error) {
    auto piece = source->read_body();
    if (!piece)
      error = piece.error();
    else if (piece->empty())
      ended = true;
  }
  if (error) return Unexpected{*error};
  return {};
}

Expected<void, ErrorCode> OutgoingBodyState::write(std::span<const uint8_t> bytes) {
  if (finished || failed) return Unexpected{ErrorCode::internal("body already finished")};
  if (content_length && written + bytes.size() > *content_length) {
    failed = true;
    return Unexpected{ErrorCode{ErrorTag::HttpResponseBodySize, written + bytes.size(), {}}};
  }
  written += bytes.size();
  if (!sink) {
    pending.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return {};
  }
  auto r = sink->write_body(bytes);
  if (!r) failed = true;
  return r;
}

Expected<void, ErrorCode> OutgoingBodyState::finish(FieldList t) {
  if (finished || failed) return Unexpected{ErrorCode::internal("body already finished")};
  if (content_length && written != *content_length) {
    failed = true;
    return Unexpected{ErrorCode{ErrorTag::HttpResponseBodySize, written, {}}};
  }
  finished = true;
  if (!sink) {
    trailers = std::move(t);
    return {};
  }
  return sink->finish(t);
}

Expected<void, ErrorCode> OutgoingBodyState::attach(IncomingExchange* ex, uint16_t status,
                                                    const FieldList& headers) {
  for (const auto& [name, value] : headers) {
    uint64_t v = 0;
    if (name == "content-length" &&
        std::from_chars(value.data(), value.data() + value.size(), v).ec == std::errc())
      content_length = v;
  }
  if (content_length && written > *content_length)
    return Unexpected{ErrorCode{ErrorTag::HttpResponseBodySize, written, {}}};
  KUMO_CHECK(ex->send_head(status, headers));
  return attach_sink(ex);
}

Expected<void, ErrorCode> OutgoingBodyState::attach_sink(BodySink* s) {
  sink = s;
  if (!pending.empty()) {
    std::string bytes = std::move(pending);
    pending.clear();
    auto r = s->write_body({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
    if (!r) {
      failed = true;
      return r;
    }
  }
  if (finished) return s->finish(trailers);
  return {};
}

p2::StreamResult<uint64_t> BodyOutputStream::check_write() {
  if (state_->finished || state_->failed) return p2::stream_closed();
  return p2::kMaxWriteChunk;
}

p2::StreamResult<void> BodyOutputStream::write(std::span<const uint8_t> bytes) {
  if (state_->finished || state_->failed) return p2::stream_closed();
  auto r = state_->write(bytes);
  if (!r) return p2::stream_failed("response body: " + r.error().to_string());
  return {};
}

}  // namespace kumo::plugins::http
