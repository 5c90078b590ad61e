// Calls on a COM object by late binding, in the surrogate (Windows): IDispatch::Invoke of a
// member by name with positional and named arguments, and the items of its _NewEnum. Errors name
// the call and, for an unknown name, the object's closest members.
#pragma once
#if _WIN32

#include <oaidl.h>

#include <string>
#include <vector>

#include "com/com-wire.h"

namespace bridge32 {

// An argument passed by name.
struct NamedArgument {
  std::string name;
  ComValue value;
};

// [module thread] One IDispatch::Invoke of `member` on `object`, named `where` in errors
// ("Scripting.Dictionary.Add").
ComValue invokeMember(IDispatch* object, const std::string& where, const std::string& member,
                      wire::InvokeKind kind, const std::vector<ComValue>& arguments,
                      const std::vector<NamedArgument>& named);

// [module thread] Every item of `object`'s _NewEnum.
std::vector<ComValue> enumerateItems(IDispatch* object, const std::string& where);

}  // namespace bridge32

#endif  // _WIN32
