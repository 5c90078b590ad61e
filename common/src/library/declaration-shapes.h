// From a declaration (c-types.h, as the host's parser read it) to what the engine calls
// (foreign-call.h): each type laid out for an ABI, with its annotations resolved into directions
// and counts.
#pragma once

#include "library/c-types.h"
#include "library/foreign-call.h"

namespace bridge32::library {

// `function` as a process of `abi` calls it. Throws Error(invalidArgument) for types that have no
// layout there.
FunctionShape describeFunction(const Signature& function, Abi abi);

}  // namespace bridge32::library
