// What a COM object's type information says of its members (ITypeInfo, read in the surrogate):
// for listing (`bridge32 com info`) and for checking a call before it reaches the object.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bridge32 {

struct ComParameterInfo {
  std::string name;
  std::string type;  // as IDL writes it: "long", "BSTR", "VARIANT", "IDispatch*", "SAFEARRAY(long)"
  bool optional = false;  // [optional] or with a default value
  bool output = false;    // [out]
};

struct ComMemberInfo {
  enum class Kind { method, propertyGet, propertyPut, propertyPutRef };

  std::string name;
  int32_t id = 0;  // its DISPID
  Kind kind = Kind::method;
  std::string type;  // the result's ("void" for none); a property's value
  std::vector<ComParameterInfo> parameters;
  bool varargs = false;  // the last parameter takes any number of arguments
  std::string description;
};

struct ComTypeInfo {
  std::string name;  // "IDictionary"
  std::string guid;  // "{42C642C1-97E1-11CF-978F-00A02463E06F}"
  std::string description;
  std::vector<ComMemberInfo> members;

  // The member a late-bound call of `name` (any case) with `kind` reaches, or null. A method call
  // also reaches a property get, as DISPATCH_METHOD | DISPATCH_PROPERTYGET does.
  const ComMemberInfo* find(const std::string& name, ComMemberInfo::Kind kind) const;
};

}  // namespace bridge32
