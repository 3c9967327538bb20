// An IncomingExchange held in memory: the request is given up front, the response is recorded.
#pragma once

#include <string>
#include <vector>

#include "plugins/http/exchange.hpp"

namespace kumo::plugins::http::test {

struct MemoryExchange final : IncomingExchange {
  std::string method_ = "GET", path_ = "/", authority_ = "example.test";
  FieldList headers_, trailers_;
  std::vector<std::string> body_pieces;  // handed out one per read
  size_t next_piece = 0;

  // What the response became.
  int status = 0;
  FieldList response_headers, response_trailers;
  std::string response_body;
  bool finished = false;
  std::vector<std::string> events;  // "head", "write:N", "finish" in order

  std::string_view method() override { return method_; }
  std::string_view path_with_query() override { return path_; }
  std::string_view authority() override { return authority_; }
  std::string_view scheme() override { return "http"; }
  FieldList headers() override { return headers_; }
  Expected<std::string_view, ErrorCode> read_body() override {
    if (next_piece == body_pieces.size()) return std::string_view{};
    return std::string_view(body_pieces[next_piece++]);
  }
  FieldList trailers() override { return trailers_; }
  Expected<void, ErrorCode> send_head(uint16_t s, const FieldList& h) override {
    if (status) return Unexpected{ErrorCode::internal("head sent twice")};
    status = s;
    response_headers = h;
    events.push_back("head");
    return {};
  }
  Expected<void, ErrorCode> write_body(std::span<const uint8_t> b) override {
    if (!status || finished) return Unexpected{ErrorCode::internal("write out of order")};
    response_body.append(reinterpret_cast<const char*>(b.data()), b.size());
    events.push_back("write:" + std::to_string(b.size()));
    return {};
  }
  Expected<void, ErrorCode> finish(const FieldList& t) override {
    if (!status || finished) return Unexpected{ErrorCode::internal("finish out of order")};
    finished = true;
    response_trailers = t;
    events.push_back("finish");
    return {};
  }
};

}  // namespace kumo::plugins::http::test
