// C literals for arguments and results of functions called by declaration: what a user types on
// the command line ('{1, 2, 3}', '"caf\u00e9"', '0x10', '1e-3') to and from bridge32::Value, and
// the check of a Value against a declared parameter type. Pure functions, any thread.
#pragma once

#include <string>
#include <string_view>

#include "bridge32/value.h"
#include "library/c-types.h"

namespace bridge32::library {

// Parses one C literal:
//   - integers: decimal, 0x hex, 0 octal, 0b binary, with a sign; u/l/ll suffixes. A u suffix
//     or a value above INT64_MAX gives an unsigned Value, otherwise a signed one;
//   - floating: 1.5, 1e-3, -2., .5, 0x1p-3, inf, -inf, nan (f/l suffixes ignored);
//   - true, false; NULL, nullptr (null);
//   - 'a', '\n' (the character's code, as an integer);
//   - "strings" with C escapes (\n \t \\ \" \x41 \101 \0 \u00e9 \U0001F600; \u gives UTF-8),
//     L/u/U/u8 prefixes accepted, adjacent strings concatenated;
//   - {a, b, {c}} initializers: an array Value; {.x = 1, .y = 2} designated: a struct Value.
// Throws Error(invalidArgument, "column C: expected X, found Y").
Value parseLiteral(std::string_view text);

// `value` checked against `type` and converted to the Value the type calls for in `abi`:
// integers within the type's range (signed or unsigned Value per the type), floating for float
// and double (integers accepted), bool for bool, strings for char and wchar_t pointers and
// arrays, arrays for pointers to data and fixed arrays (exact count for the latter), structs for
// structs and unions (from positional or designated initializers, fields named), handles from
// integers for handle types and opaque pointers, null for any pointer or handle. Throws
// Error(invalidArgument) naming the value and the type: "300 does not fit in uint8_t (0 to 255)".
Value coerce(const Value& value, const Type& type, Abi abi);

}  // namespace bridge32::library
