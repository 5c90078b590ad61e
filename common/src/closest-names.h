// "Did you mean": the names closest to one that was mistyped, for errors about exports and COM
// members that do not exist. [any-thread], pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bridge32 {

// A candidate `name`, compared to what was typed in the `form` given (an export's name without
// its stdcall decoration, say). Both must outlive the call.
struct NameForm {
  std::string_view name, form;
};

// At most `max` names close to `wanted`, the closest first, ignoring case: within a third of its
// length in edits, or beginning with it (a name that merely continues what was typed ranks below
// one a letter away from it).
std::vector<std::string> closestNames(const std::vector<NameForm>& candidates,
                                      std::string_view wanted, size_t max = 3);
std::vector<std::string> closestNames(const std::vector<std::string>& names,
                                      std::string_view wanted, size_t max = 3);

}  // namespace bridge32
