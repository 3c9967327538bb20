// WIT printer for the resolved model. The output parses back to the same model (same
// interfaces, types, functions, world items, docs and gates), so it serves both for showing a
// component's world (`kumo inspect`) and for writing WIT that other tools read.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "wit/model.hpp"

namespace kumo::wit {

struct PrintOptions {
  bool docs = true;
  // Append a `package ns:name@v { ... }` block for every package the printed one depends on,
  // making the text self-contained (push_source can resolve it on its own).
  bool nested_deps = false;
};

// `package ns:name@v;` followed by the package's interfaces and worlds.
std::string print_package(const Resolve& resolve, PackageId id, const PrintOptions& opts = {});

// A single `world name { ... }` or `interface name { ... }` block; references to items of the
// same package are written as bare names, others as `ns:pkg/name@v`.
std::string print_world(const Resolve& resolve, WorldId id, const PrintOptions& opts = {});
std::string print_interface(const Resolve& resolve, InterfaceId id, const PrintOptions& opts = {});

// A value type as WIT writes it: `list<u8>`, `result<_, error-code>`, named types by name.
std::string print_type(const Resolve& resolve, Type t);

// The order in which the printer writes an interface's functions (and hence the order they have
// after a round trip): each resource's functions under the resource, in type order, then the
// freestanding functions.
std::vector<const Function*> print_order(const Resolve& resolve, InterfaceId id);

// A name as WIT source: keywords get the `%` escape (`%type`).
std::string escape_name(std::string_view name);

}  // namespace kumo::wit
