// The wasi:http plugin without a server: fields rules, error-code values, body states, and the
// hand-written component tests/host/data/http_echo.wasm run against an in-memory exchange.
#include "plugins/http/wasi_http.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "component/runtime/linker.hpp"
#include "memory_exchange.hpp"

namespace kumo::plugins::http {
namespace {

namespace p2 = wasi::p2;
namespace rt = component::rt;
using test::MemoryExchange;

TEST(FieldsTest, ValidatesAndLowerCases) {
  auto f = Fields::from_list({{"Content-Type", "text/plain"}, {"X-A", "1"}, {"x-a", "2"}});
  ASSERT_TRUE(f);
  EXPECT_EQ(f->entries()[0].first, "content-type");
  EXPECT_EQ(f->get("X-A"), (std::vector<std::string>{"1", "2"}));
  EXPECT_TRUE(f->has("CONTENT-TYPE"));
  EXPECT_FALSE(f->has("nope"));

  EXPECT_EQ(Fields::from_list({{"bad name", "v"}}).error(), HeaderError::InvalidSyntax);
  EXPECT_EQ(Fields::from_list({{"x", "a\r\nb"}}).error(), HeaderError::InvalidSyntax);
  EXPECT_EQ(Fields::from_list({{"Connection", "close"}}).error(), HeaderError::Forbidden);
  EXPECT_EQ(Fields::from_list({{"transfer-encoding", "chunked"}}).error(), HeaderError::Forbidden);

  Fields g;
  ASSERT_TRUE(g.append("X-B", "1"));
  ASSERT_TRUE(g.append("x-b", "2"));
  ASSERT_TRUE(g.set("x-b", {"3"}));
  EXPECT_EQ(g.get("x-b"), (std::vector<std::string>{"3"}));
  ASSERT_TRUE(g.remove("X-B"));
  EXPECT_FALSE(g.has("x-b"));
  EXPECT_EQ(g.append("", "v").error(), HeaderError::InvalidSyntax);
  EXPECT_EQ(g.append("upgrade", "h2c").error(), HeaderError::Forbidden);
}

TEST(FieldsTest, ImmutableAndViews) {
  Fields frozen(FieldList{{"a", "1"}}, /*immutable=*/true);
  EXPECT_EQ(frozen.append("b", "2").error(), HeaderError::Immutable);
  EXPECT_EQ(frozen.set("a", {"2"}).error(), HeaderError::Immutable);
  EXPECT_EQ(frozen.remove("a").error(), HeaderError::Immutable);
  Fields copy = frozen.clone();  // clones are mutable
  EXPECT_TRUE(copy.append("b", "2"));

  auto owner = std::make_shared<Fields>(FieldList{{"a", "1"}});
  Fields view = Fields::view_of(owner, false);
  ASSERT_TRUE(view.append("b", "2"));
  EXPECT_EQ(owner->get("b"), (std::vector<std::string>{"2"}));
  owner.reset();  // the view keeps the fields alive (a request taken while its headers live)
  EXPECT_TRUE(view.has("a"));
  EXPECT_EQ(view.entries().size(), 2u);
}

TEST(ErrorCodeTest, RoundTripsThroughVals) {
  ErrorCode e{ErrorTag::HttpRequestBodySize, 1000, {}};
  Val v = e.to_val();
  EXPECT_EQ(v.index, 17u);
  ErrorCode back = ErrorCode::from_val(v);
  EXPECT_EQ(back.tag, ErrorTag::HttpRequestBodySize);
  EXPECT_EQ(back.size, 1000u);
  EXPECT_EQ(back.to_string(), "HTTP-request-body-size(1000)");
  EXPECT_EQ(ErrorCode::internal("boom").to_val().index, 38u);
  EXPECT_EQ(ErrorCode::from_val(ErrorCode::internal("boom").to_val()).to_string(),
            "internal-error(\"boom\")");
  ErrorCode denied{ErrorTag::HttpRequestDenied, {}, {}};
  EXPECT_EQ(denied.to_val().index, 15u);
}

TEST(OutgoingPolicyTest, AllowsOnlyWhatIsListed) {
  OutgoingPolicy none;
  EXPECT_FALSE(none.allows("127.0.0.1", 80));
  OutgoingPolicy p;
  for (const char* r : {"127.0.0.1:8080", "LocalHost", "[::1]:9000", "*:7000"}) {
    auto rule = OutgoingPolicy::parse_rule(r);
    ASSERT_TRUE(rule) << r << ": " << rule.error().message;
    p.allow.push_back(*rule);
  }
  EXPECT_TRUE(p.allows("127.0.0.1", 8080));
  EXPECT_FALSE(p.allows("127.0.0.1", 8081));
  EXPECT_TRUE(p.allows("localhost", 1234));  // any port, any case
  EXPECT_TRUE(p.allows("::1", 9000));
  EXPECT_FALSE(p.allows("::1", 9001));
  EXPECT_TRUE(p.allows("example.test", 7000));
  EXPECT_FALSE(p.allows("example.test", 80));
  EXPECT_FALSE(OutgoingPolicy::parse_rule("host:0"));
  EXPECT_FALSE(OutgoingPolicy::parse_rule(":80"));
  EXPECT_FALSE(OutgoingPolicy::parse_rule("[::1"));
}

TEST(BodyStateTest, BuffersUntilTheResponseIsSentThenStreams) {
  MemoryExchange ex;
  OutgoingBodyState body;
  std::string early = "early ";
  ASSERT_TRUE(body.write({reinterpret_cast<const uint8_t*>(early.data()), early.size()}));
  EXPECT_TRUE(ex.events.empty());
  ASSERT_TRUE(body.attach(&ex, 201, {{"x", "y"}}));
  std::string late = "late";
  ASSERT_TRUE(body.write({reinterpret_cast<const uint8_t*>(late.data()), late.size()}));
  ASSERT_TRUE(body.finish({{"t", "1"}}));
  EXPECT_EQ(ex.status, 201);
  EXPECT_EQ(ex.response_body, "early late");
  EXPECT_EQ(ex.events, (std::vector<std::string>{"head", "write:6", "write:4", "finish"}));
  EXPECT_EQ(ex.response_trailers.size(), 1u);
  EXPECT_FALSE(body.finish({}));  // twice
}

TEST(BodyStateTest, ContentLengthIsEnforced) {
  MemoryExchange ex;
  OutgoingBodyState body;
  ASSERT_TRUE(body.attach(&ex, 200, {{"content-length", "3"}}));
  std::string four = "four";
  auto w = body.write({reinterpret_cast<const uint8_t*>(four.data()), four.size()});
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().tag, ErrorTag::HttpResponseBodySize);

  OutgoingBodyState short_body;
  MemoryExchange ex2;
  ASSERT_TRUE(short_body.attach(&ex2, 200, {{"content-length", "3"}}));
  auto f = short_body.finish({});
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().tag, ErrorTag::HttpResponseBodySize);
  EXPECT_FALSE(ex2.finished);
}

TEST(BodyStateTest, IncomingBodyReadsInPiecesThenCloses) {
  MemoryExchange ex;
  ex.body_pieces = {"hello", " world"};
  IncomingBodyState in;
  in.source = &ex;
  auto a = in.read(3);
  ASSERT_TRUE(a);
  EXPECT_EQ(std::string(a->begin(), a->end()), "hel");
  auto b = in.read(100);
  ASSERT_TRUE(b);
  EXPECT_EQ(std::string(b->begin(), b->end()), "lo");
  auto c = in.read(100);
  ASSERT_TRUE(c);
  EXPECT_EQ(std::string(c->begin(), c->end()), " world");
  auto d = in.read(100);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().kind, p2::StreamError::Closed);
}

// A store's data for these tests: a WASI context and a table.
class TestState final : public p2::WasiView {
 public:
  explicit TestState(p2::WasiCtx& ctx) : ctx_(ctx) {}
  p2::ResourceTable& table() override { return table_; }
  p2::WasiCtx& wasi() override { return ctx_; }

 private:
  p2::WasiCtx& ctx_;
  p2::ResourceTable table_;
};

class EchoComponentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string path = std::string(KUMO_SOURCE_DIR) + "/tests/host/data/http_echo.wasm";
    ASSERT_TRUE(std::filesystem::exists(path)) << path;
    auto comp = rt::Component::from_file(engine_, path);
    ASSERT_TRUE(comp) << comp.error().message;
    wasi_.add_to_linker(linker_);
    add_to_linker(linker_, wasi_.types(), types_);
    auto pre = linker_.instantiate_pre(*comp);  // imports @0.2.0, defined at @0.2.12
    ASSERT_TRUE(pre) << pre.error().message;
    pre_ = *pre;
    p2::Options o;
    o.stdin_fd = -1;
    auto ctx = p2::WasiCtx::create(std::move(o));
    ASSERT_TRUE(ctx) << ctx.error().message;
    ctx_ = std::move(*ctx);
  }

  // Runs handle() for a request on `ex`; returns the slot (and the trap, if any).
  rt::Trapping<void> run(MemoryExchange& ex, ResponseSlot& slot, size_t* live_after = nullptr) {
    TestState state(*ctx_);
    rt::Store store(engine_, static_cast<p2::WasiView*>(&state));
    auto inst = pre_->instantiate(store);
    if (!inst) return Unexpected{inst.error()};
    auto f = inst->get_func("wasi:http/incoming-handler@0.2.0", "handle");
    EXPECT_TRUE(f);
    slot.exchange = &ex;
    Val args[] = {new_incoming_request(state.table(), types_, &ex),
                  new_response_outparam(state.table(), types_, &slot)};
    auto r = rt::call(store, *f, args, nullptr,
                      [](std::vector<Val>&) -> rt::Trapping<void> { return {}; });
    if (live_after) *live_after = state.table().live();
    return r;
  }

  wasm::Engine engine_;
  p2::WasiHost wasi_;
  WasiHttpTypes types_;
  rt::Linker linker_;
  std::shared_ptr<const rt::InstancePre> pre_;
  std::unique_ptr<p2::WasiCtx> ctx_;
};

TEST_F(EchoComponentTest, EchoesPiecesAndFinishes) {
  MemoryExchange ex;
  ex.method_ = "POST";
  ex.path_ = "/p?q=1";
  ex.body_pieces = {"one ", "two ", "three"};
  ResponseSlot slot;
  size_t live = 99;
  auto r = run(ex, slot, &live);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(slot.set);
  EXPECT_FALSE(slot.error);
  EXPECT_EQ(ex.status, 200);
  ASSERT_EQ(ex.response_headers.size(), 1u);
  EXPECT_EQ(ex.response_headers[0], (std::pair<std::string, std::string>{"x-kumo-path", "/p?q=1"}));
  EXPECT_EQ(ex.response_body, "one two three");
  EXPECT_TRUE(ex.finished);
  // Head first, then one write per piece the guest read, then the end.
  EXPECT_EQ(ex.events,
            (std::vector<std::string>{"head", "write:4", "write:4", "write:5", "finish"}));
  // Everything the guest created was dropped or handed to the host; only the incoming-request
  // remains (the .wat never drops it; the table goes with the store).
  EXPECT_EQ(live, 1u);
}

TEST_F(EchoComponentTest, TrapsAndMissingResponses) {
  MemoryExchange ex;
  ex.path_ = "/trap";
  ResponseSlot slot;
  auto r = run(ex, slot);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, wasm::TrapCode::Unreachable);
  EXPECT_FALSE(r.error().backtrace.empty());

  MemoryExchange ex2;
  ex2.path_ = "/noresponse";
  ResponseSlot slot2;
  ASSERT_TRUE(run(ex2, slot2));
  EXPECT_FALSE(slot2.set);
  EXPECT_EQ(ex2.status, 0);
}

}  // namespace
}  // namespace kumo::plugins::http
