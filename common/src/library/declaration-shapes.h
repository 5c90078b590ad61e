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

// The function `name` of a header's text (preprocessed: see header-preprocessor.h), read with
// ParseOptions::skipUnsupported. Throws Error(notFound) when the text declares no such function,
// naming the closest it does, or the reason it passed over a declaration of that name.
FunctionShape describeFunction(std::string_view header, std::string_view name);

// Functions of a header whose declaration the header's text holds: the same, from a parse.
FunctionShape describeFunction(const Declarations& declarations, std::string_view name);

// `function` as a process of `abi` calls it (bridge32 header checks a library's functions so).
FunctionShape describeFunction(const Signature& function, Abi abi);

// The largest header text a bind takes (a preprocessed sqlite3.h is about 600 KB).
constexpr size_t kMaxHeaderTextBytes = size_t(64) << 20;

}  // namespace bridge32::library
