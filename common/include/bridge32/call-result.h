// What a call of a library function came to (see bridge32/library.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bridge32/value.h"

namespace bridge32 {

struct CallResult {
  Value value;  // the return value; null for void
  // The out and in/out parameters after the call, by name, in declaration order.
  std::vector<std::pair<std::string, Value>> outputs;
  // The calling thread's GetLastError() (Windows) or errno right after the call.
  uint32_t lastError = 0;

  // The output named `name`; throws Error(notFound) if there is none.
  const Value& output(std::string_view name) const;
};

}  // namespace bridge32
