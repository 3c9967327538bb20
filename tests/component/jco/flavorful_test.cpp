// flavorful: strings and lists inside records, options, results and type aliases, enums as
// error payloads, lists of variants (wit-bindgen tests/runtime/flavorful; the fixture's guest is
// the C one, wasm.c).
#include "jco_host.hpp"

namespace kumo::component::jco {
namespace {

// list-in-record1..4 and list-in-alias are all `record { a: string }`.
struct StrRecord {
  std::string a;
  friend bool operator==(const StrRecord&, const StrRecord&) = default;
};
KUMO_RECORD(StrRecord, a)

enum class MyErrno : uint32_t { Success, A, B };
using Strs = std::vector<std::string>;
using Variants = std::tuple<std::vector<bool>, std::vector<Result<>>, std::vector<MyErrno>>;

struct Flavorful : JcoTest {
  int calls = 0;
  bool errored = false;
  void SetUp() override {
    ASSERT_TRUE(load("flavorful"));
    auto& i = imports("test:flavorful/test");
    func_wrap(i, "f-list-in-record1", [this](StrRecord r) {
      calls++;
      EXPECT_EQ(r.a, "list_in_record1");
    });
    func_wrap(i, "f-list-in-record2", [this] { return calls++, StrRecord{"list_in_record2"}; });
    func_wrap(i, "f-list-in-record3", [this](StrRecord r) {
      calls++;
      EXPECT_EQ(r.a, "list_in_record3 input");
      return StrRecord{"list_in_record3 output"};
    });
    func_wrap(i, "f-list-in-record4", [this](StrRecord r) {
      calls++;
      EXPECT_EQ(r.a, "input4");
      return StrRecord{"result4"};
    });
    func_wrap(i, "f-list-in-variant1", [this](std::optional<std::string> a, Result<void, std::string> b) {
      calls++;
      EXPECT_EQ(a, "foo");
      ASSERT_TRUE(b.is_err());
      EXPECT_EQ(b.error(), "bar");
    });
    func_wrap(i, "f-list-in-variant2", [this] { return calls++, std::optional<std::string>("list_in_variant2"); });
    func_wrap(i, "f-list-in-variant3", [this](std::optional<std::string> a) {
      calls++;
      EXPECT_EQ(a, "input3");
      return std::optional<std::string>("output3");
    });
    // First call: error B; later calls: ok (the guest checks both).
    func_wrap(i, "errno-result", [this]() -> Result<void, MyErrno> {
      calls++;
      if (errored) return Ok();
      errored = true;
      return Err(MyErrno::B);
    });
    func_wrap(i, "list-typedefs", [this](std::string a, Strs c) {
      calls++;
      EXPECT_EQ(a, "typedef1");
      EXPECT_EQ(c, Strs{"typedef2"});
      std::string t3 = "typedef3";
      return std::tuple{std::vector<uint8_t>(t3.begin(), t3.end()), Strs{"typedef4"}};
    });
    func_wrap(i, "list-of-variants", [this](std::vector<bool> a, std::vector<Result<>> b, std::vector<MyErrno> c) {
      calls++;
      EXPECT_EQ(a, (std::vector<bool>{true, false}));
      EXPECT_EQ(b, (std::vector<Result<>>{Ok(), Err()}));
      EXPECT_EQ(c, (std::vector<MyErrno>{MyErrno::Success, MyErrno::A}));
      return Variants{{false, true}, {Err(), Ok()}, {MyErrno::A, MyErrno::B}};
    });
    ASSERT_TRUE(instantiate());
  }
  template <class Sig>
  Export<Sig> test(const char* name) { return get<Sig>("test:flavorful/test", name); }
};

TEST_F(Flavorful, GuestCallsImports) {
  get<void()>("", "test-imports")();
  EXPECT_EQ(calls, 11);
  EXPECT_TRUE(errored);
}

TEST_F(Flavorful, ListsInRecords) {
  test<void(StrRecord)>("f-list-in-record1")(StrRecord{"list_in_record1"});
  EXPECT_EQ(test<StrRecord()>("f-list-in-record2")().a, "list_in_record2");
  EXPECT_EQ(test<StrRecord(StrRecord)>("f-list-in-record3")(StrRecord{"list_in_record3 input"}).a,
            "list_in_record3 output");
  EXPECT_EQ(test<StrRecord(StrRecord)>("f-list-in-record4")(StrRecord{"input4"}).a, "result4");
}

TEST_F(Flavorful, ListsInVariants) {
  test<void(std::optional<std::string>, Result<void, std::string>)>("f-list-in-variant1")(
      std::string("foo"), Err(std::string("bar")));
  EXPECT_EQ(test<std::optional<std::string>()>("f-list-in-variant2")(), "list_in_variant2");
  EXPECT_EQ(test<std::optional<std::string>(std::optional<std::string>)>("f-list-in-variant3")(std::string("input3")),
            "output3");
  auto e = test<Result<void, MyErrno>()>("errno-result")();
  ASSERT_TRUE(e.is_err());
  EXPECT_EQ(e.error(), MyErrno::B);
}

TEST_F(Flavorful, Typedefs) {
  auto [a, b] = test<std::tuple<std::vector<uint8_t>, Strs>(std::string, Strs)>("list-typedefs")(
      "typedef1", Strs{"typedef2"});
  EXPECT_EQ(std::string(a.begin(), a.end()), "typedef3");
  EXPECT_EQ(b, Strs{"typedef4"});
  // list-of-variants is an `assert(0)` stub in the C guest: only the import direction runs.
}

}  // namespace
}  // namespace kumo::component::jco
