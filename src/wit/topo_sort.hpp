// Internal to the WIT resolver: depth-first dependency ordering with cycle reporting, shared by
// packages, interfaces, worlds and type definitions.
#pragma once

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "wasm/common/expected.hpp"
#include "wit/source.hpp"

namespace kumo::wit::detail {

// Calls visit(i) for nodes 0..n-1, each after the nodes it depends on. deps(i) returns an
// Expected list of (node, span of the reference) pairs; what(i) names a node in cycle errors.
template <typename Deps, typename Name, typename Visit>
Expected<void> topo_visit(size_t n, Deps&& deps, Name&& what, Visit&& visit,
                          const std::function<Unexpected<Error>(Span, std::string)>& fail) {
  std::vector<int> state(n, 0);
  std::vector<size_t> stack;
  std::function<Expected<void>(size_t)> go = [&](size_t i) -> Expected<void> {
    state[i] = 1;
    stack.push_back(i);
    KUMO_TRY(auto edges, deps(i));
    for (const auto& [j, span] : edges) {
      if (state[j] == 1) {
        std::string cycle;
        auto from = std::find(stack.begin(), stack.end(), j);
        for (auto it = from; it != stack.end(); ++it) cycle += what(*it) + " -> ";
        return fail(span, fmt::format("{} depends on itself: {}{}", what(j), cycle, what(j)));
      }
      if (state[j] == 0) KUMO_CHECK(go(j));
    }
    stack.pop_back();
    state[i] = 2;
    return visit(i);
  };
  for (size_t i = 0; i < n; ++i) {
    if (state[i] == 0) KUMO_CHECK(go(i));
  }
  return {};
}

}  // namespace kumo::wit::detail
