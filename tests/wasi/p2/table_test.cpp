// ResourceTable: reps, parent/child lifetimes, slot reuse, destruction order.
#include "wasi/p2/table.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace kumo::wasi::p2::test {
namespace {

// Records its destruction in a shared log.
struct Logged : HostObject {
  Logged(std::vector<std::string>& log, std::string name) : log(log), name(std::move(name)) {}
  ~Logged() override { log.push_back(name); }
  std::vector<std::string>& log;
  std::string name;
};
struct Other : HostObject {};

TEST(P2Table, PushGetRemove) {
  std::vector<std::string> log;
  ResourceTable t;
  uint32_t a = t.push(std::make_unique<Logged>(log, "a"));
  uint32_t b = t.push(std::make_unique<Logged>(log, "b"));
  EXPECT_NE(a, 0u);
  EXPECT_NE(a, b);
  EXPECT_EQ(t.live(), 2u);
  ASSERT_NE(t.get<Logged>(a), nullptr);
  EXPECT_EQ(t.get<Logged>(a)->name, "a");
  EXPECT_EQ(t.get<Other>(a), nullptr);  // another class
  EXPECT_EQ(t.get<Logged>(0), nullptr);
  EXPECT_EQ(t.get<Logged>(999), nullptr);
  EXPECT_TRUE(t.remove(a));
  EXPECT_EQ(log, std::vector<std::string>{"a"});
  EXPECT_FALSE(t.remove(a));  // already gone
  EXPECT_EQ(t.get<Logged>(a), nullptr);
  EXPECT_EQ(t.live(), 1u);
}

TEST(P2Table, FreedRepsAreReusedSoTheTableStaysBounded) {
  std::vector<std::string> log;
  ResourceTable t;
  std::vector<uint32_t> seen;
  for (int i = 0; i < 1000; ++i) {
    uint32_t r = t.push(std::make_unique<Logged>(log, "x"));
    seen.push_back(r);
    EXPECT_TRUE(t.remove(r));
  }
  // One slot serves every short-lived resource.
  EXPECT_EQ(std::count(seen.begin(), seen.end(), seen[0]), 1000);
  EXPECT_EQ(log.size(), 1000u);
}

TEST(P2Table, ParentOutlivesItsChildren) {
  std::vector<std::string> log;
  ResourceTable t;
  uint32_t stream = t.push(std::make_unique<Logged>(log, "stream"));
  uint32_t poll = t.push(std::make_unique<Logged>(log, "pollable"), stream);
  EXPECT_TRUE(t.remove(stream));  // hidden from the guest, kept for its child
  EXPECT_TRUE(log.empty());
  EXPECT_EQ(t.get<Logged>(stream), nullptr);
  EXPECT_EQ(t.take(stream), nullptr);
  uint32_t other = t.push(std::make_unique<Logged>(log, "other"));
  EXPECT_NE(other, stream);     // the parent's slot is still taken
  EXPECT_TRUE(t.remove(poll));  // the last child goes: the parent follows
  EXPECT_EQ(log, (std::vector<std::string>{"pollable", "stream"}));
  EXPECT_EQ(t.live(), 1u);
}

TEST(P2Table, TakeRefusesAParentWithChildren) {
  std::vector<std::string> log;
  ResourceTable t;
  uint32_t parent = t.push(std::make_unique<Logged>(log, "parent"));
  uint32_t child = t.push(std::make_unique<Logged>(log, "child"), parent);
  EXPECT_EQ(t.take(parent), nullptr);
  auto c = t.take(child);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(t.get<Logged>(child), nullptr);
  auto p = t.take(parent);
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(log.empty());  // taken objects belong to the caller now
}

TEST(P2Table, DestructionDestroysChildrenBeforeParents) {
  std::vector<std::string> log;
  {
    ResourceTable t;
    uint32_t root = t.push(std::make_unique<Logged>(log, "root"));
    uint32_t mid = t.push(std::make_unique<Logged>(log, "mid"), root);
    t.push(std::make_unique<Logged>(log, "leaf"), mid);
    t.push(std::make_unique<Logged>(log, "lone"));
  }
  ASSERT_EQ(log.size(), 4u);
  auto pos = [&](const std::string& n) {
    return std::find(log.begin(), log.end(), n) - log.begin();
  };
  EXPECT_LT(pos("leaf"), pos("mid"));
  EXPECT_LT(pos("mid"), pos("root"));
}

}  // namespace
}  // namespace kumo::wasi::p2::test
