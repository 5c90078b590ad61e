// What a call of a library function came to, and the host functions a DLL may call back during
// it (see bridge32/library.h).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bridge32/error.h"
#include "bridge32/value.h"

namespace bridge32 {

// A host function given where a declaration has a function pointer: the DLL calls it with the
// function pointer's arguments, and gets back what it returns (null for void). It runs on a
// thread of bridge32's (bridged) or the DLL's own (in-process), while the call that passed it is
// in progress, and for a parameter declared _Kept_ also after it, while CallResult::kept lives.
// An exception it throws during the call fails the call; after it, it is logged and the DLL
// gets 0.
using Callback = std::function<Value(std::span<const Value> arguments)>;

struct CallResult {
  Value value;  // the return value; null for void
  // The out and in/out parameters after the call, by name, in declaration order.
  std::vector<std::pair<std::string, Value>> outputs;
  // The calling thread's GetLastError() (Windows) or errno right after the call.
  uint32_t lastError = 0;
  // The registration of the callbacks given to _Kept_ parameters (null when there were none):
  // the DLL may call them, from any of its threads, until the last copy of this is dropped;
  // drop it once the DLL has been told to forget them. A DLL that calls one later gets 0
  // (and the log says so).
  std::shared_ptr<void> kept;

  // The output named `name`; throws Error(notFound) if there is none.
  const Value& output(std::string_view name) const {
    for (const auto& [outputName, value] : outputs) {
      if (outputName == name) return value;
    }
    std::string names;
    for (const auto& output : outputs) names += (names.empty() ? "" : ", ") + output.first;
    throw Error(Error::Kind::notFound, "the call has no output '" + std::string(name) + "'" +
                                           (names.empty() ? "" : " (it has " + names + ")"));
  }
};

}  // namespace bridge32
