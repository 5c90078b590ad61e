#include "bridge32/call-result.h"

#include "bridge32/error.h"

namespace bridge32 {

const Value& CallResult::output(std::string_view name) const {
  for (const auto& [outputName, value] : outputs) {
    if (outputName == name) return value;
  }
  std::string names;
  for (const auto& output : outputs) names += (names.empty() ? "" : ", ") + output.first;
  throw Error(Error::Kind::notFound, "the call has no output '" + std::string(name) + "'" +
                                         (names.empty() ? "" : " (it has " + names + ")"));
}

}  // namespace bridge32
