// A function's declaration on the wire (protocol/library.capnp's FunctionType), both ways: the
// host parses headers and declarations, the surrogate gets the types and lays them out for its
// own ABI. What arrives is checked for indices and enumerators out of range; its structure is the
// host's parser's, which bounds its nesting.
#pragma once

#include <memory>

#include "library.capnp.h"
#include "library/c-types.h"

namespace bridge32::library {

void toWire(const Signature& function, wire::FunctionType::Builder builder);

// The function and every type it reaches, kept alive by the returned pointer. Throws
// Error(invalidArgument) for an inconsistent description.
std::shared_ptr<const Signature> fromWire(wire::FunctionType::Reader reader);

}  // namespace bridge32::library
