// How libffi sees the engine's shapes (foreign-call.h): the type of a scalar and the ABI of a
// calling convention, the same for the calls of foreign-call.c++ and the callback closures of
// callback-closures.h.
#pragma once

#include <ffi.h>

#include "library/foreign-call.h"

namespace bridge32::library {

// libffi's type for `shape` when it is passed in a register or slot of its own (a number, bool,
// pointer, string, handle, callback or void); null for a record or an array.
ffi_type* scalarType(const Shape& shape);

// libffi's ABI for `convention` in this process.
ffi_abi abiOf(CallingConvention convention);

}  // namespace bridge32::library
