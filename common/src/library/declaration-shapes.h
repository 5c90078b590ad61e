// From a declaration (c-parser.h) to what the engine calls (foreign-call.h): each type laid out
// for this process's ABI, with its annotations resolved into directions and counts.
#pragma once

#include <string_view>

#include "library/c-parser.h"
#include "library/foreign-call.h"

namespace bridge32::library {

// The last function `declarations` declare, as this process calls it. Throws
// Error(invalidArgument) for text that does not parse or declares no function, and for types
// that have no layout here.
FunctionShape describeFunction(std::string_view declarations);

}  // namespace bridge32::library
