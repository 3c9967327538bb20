// A canonical, id-free text dump of resolved packages: every interface, type (structurally),
// function, world item, doc comment and gate, but no spans or arena indices. Two models that
// dump equally are the same model, which is what the printer round-trip tests compare; it is
// also handy when debugging resolution.
#pragma once

#include <string>

#include "wit/model.hpp"

namespace kumo::wit {

std::string dump_package(const Resolve& resolve, PackageId id);

// dump_package of every package, ordered by package name.
std::string dump_all(const Resolve& resolve);

}  // namespace kumo::wit
