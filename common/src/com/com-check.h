// A late-bound call checked against the callee's type information, before it goes: the number
// of arguments and the names of named ones. A member the type information does not know is left
// to the object (objects may answer more names than they describe).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bridge32/com-type.h"

namespace bridge32 {

// Throws Error: invalidArgument for a count the member does not take, notFound for a named
// argument it has no parameter for. `where` names the object ("Scripting.Dictionary"),
// `arguments` counts the positional arguments as given (a put's value last), `named` are the
// named arguments' names.
void checkComCall(const ComTypeInfo& type, const std::string& where, const std::string& member,
                  ComMemberInfo::Kind kind, size_t arguments,
                  const std::vector<std::string>& named);

}  // namespace bridge32
