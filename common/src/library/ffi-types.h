// How libffi sees the engine's shapes (foreign-call.h): the type of a scalar and the ABI of a
// calling convention, the same for the calls of foreign-call.c++ and the callback closures of
// callback-closures.h.
#pragma once

#include <ffi.h>

#include <memory>
#include <string>
#include <vector>

#include "library/foreign-call.h"

namespace bridge32::library {

// libffi's type for `shape` when it is passed in a register or slot of its own (a number, bool,
// pointer, string, handle, callback or void); null for a record or an array.
ffi_type* scalarType(const Shape& shape);

// libffi's ABI for `convention` in this process.
ffi_abi abiOf(CallingConvention convention);

// libffi's types of the shapes of a call (foreign-call.h) or a closure (callback-closures.h,
// wrapped-library.h): scalars as scalarType() says, structs passed by value made here and owned
// by this.
class FfiTypes {
 public:
  // Throws Error(unsupported), naming `what`, for a shape libffi cannot pass by value.
  ffi_type* of(const Shape& shape, const std::string& what);

 private:
  void appendElements(const Shape& shape, std::vector<ffi_type*>& elements,
                      const std::string& what);
  // libffi has no unions and no bit-fields: see ffi-types.c++.
  static void flatElements(const Shape& shape, std::vector<ffi_type*>& elements);

  std::vector<std::unique_ptr<ffi_type>> records;
  std::vector<std::unique_ptr<std::vector<ffi_type*>>> elementLists;
};

}  // namespace bridge32::library
