// What a bound function's declaration says, as the public API describes it (FunctionInfo), and
// the check of a typed C++ binding against it.
#pragma once

#include "bridge32/library.h"
#include "library/foreign-call.h"

namespace bridge32 {

FunctionInfo infoOf(const library::FunctionShape& function);

}  // namespace bridge32
