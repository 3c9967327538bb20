// Internal to the component runtime: structural type checks between two type arenas (a function
// defined by one component, or bound by the host for one, given to an import of another).
//
// The rules are the validator's (validator/subtype.cpp): function and value types must be equal
// (labels compared case-insensitively). Resource types, which are identities local to an arena,
// are compared by the run-time ResourceType each side's TypeEnv binds them to; a resource that a
// side cannot resolve yet is accepted here (lifting and lowering handles checks it at run time).
#pragma once

#include "component/runtime/resources.hpp"
#include "component/types.hpp"
#include "wasm/common/expected.hpp"

namespace kumo::component::rt {

// One side of a check: the arena its TypeIds live in, and (optionally) the run-time resource
// types of that arena's resources.
struct TypeSide {
  const TypeArena& arena;
  const TypeEnv* env = nullptr;
};

// Whether a function of type `have` can be used where `want` is expected. Errors say what was
// expected and what was found ("type mismatch in function parameter `x`: expected u32, found
// string").
Expected<void> check_func_type(TypeSide have, TypeId have_type, TypeSide want, TypeId want_type);

}  // namespace kumo::component::rt
