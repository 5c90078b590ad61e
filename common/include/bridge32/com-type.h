// What a COM object's type information says of its members (ITypeInfo, read in the surrogate):
// for listing (`bridge32 com info`) and for checking a call before it reaches the object.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
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

// Whether two member or parameter names are the same to COM, which ignores the case of their
// (ASCII) letters.
inline bool sameComName(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [&](char x, char y) { return lower(x) == lower(y); });
}

inline const ComMemberInfo* ComTypeInfo::find(const std::string& name,
                                              ComMemberInfo::Kind kind) const {
  const ComMemberInfo* found = nullptr;
  for (const ComMemberInfo& member : members) {
    if (!sameComName(member.name, name)) continue;
    if (member.kind == kind) return &member;
    if (kind == ComMemberInfo::Kind::method && member.kind == ComMemberInfo::Kind::propertyGet) {
      found = &member;
    }
  }
  return found;
}

}  // namespace bridge32
