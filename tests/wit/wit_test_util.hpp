// Helpers shared by the WIT tests: resolve text, expect errors, and round-trip through the printer.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "wit/dump.hpp"
#include "wit/printer.hpp"
#include "wit/resolve.hpp"

namespace kumo::wit::testing {

// Resolves `text` as one file named "test.wit"; fails the test on error.
inline PackageId resolve_ok(Resolve& r, const std::string& text, const ResolveOptions& opts = {}) {
  auto id = push_source(r, "test.wit", text, opts);
  EXPECT_TRUE(id.has_value()) << id.error().message;
  return id ? *id : kNoId;
}

// The error message of resolving `text` (empty if it unexpectedly succeeded).
inline std::string resolve_err(const std::string& text, const ResolveOptions& opts = {}) {
  Resolve r;
  auto id = push_source(r, "test.wit", text, opts);
  EXPECT_FALSE(id.has_value()) << "expected an error for:\n" << text;
  return id ? std::string() : id.error().message;
}

// The first line of an error: "file:line:col: message".
inline std::string first_line(const std::string& msg) { return msg.substr(0, msg.find('\n')); }

// print (self-contained) -> resolve again -> the same model.
inline void expect_round_trip(const Resolve& r, PackageId id, const ResolveOptions& opts = {}) {
  PrintOptions po;
  po.nested_deps = true;
  std::string text = print_package(r, id, po);
  Resolve again;
  auto id2 = push_source(again, "printed.wit", text, opts);
  ASSERT_TRUE(id2.has_value()) << id2.error().message << "\nprinted:\n" << text;
  EXPECT_EQ(dump_package(r, id), dump_package(again, *id2)) << "printed:\n" << text;
  // Dependencies printed as nested packages come back too.
  for (PackageId p = 0; p < r.packages.size(); ++p) {
    auto other = again.find_package(r.packages[p].name);
    if (other) {
      EXPECT_EQ(dump_package(r, p), dump_package(again, *other));
    }
  }
  // Printing is a fixed point after one round.
  EXPECT_EQ(text, print_package(again, *id2, po));
}

}  // namespace kumo::wit::testing
