#include "com/com-check.h"

#include <algorithm>

#include "bridge32/error.h"

namespace bridge32 {

namespace {

// "(a, b, [scale])"
std::string signature(const ComMemberInfo& member) {
  std::string text = "(";
  for (size_t i = 0; i < member.parameters.size(); ++i) {
    const ComParameterInfo& parameter = member.parameters[i];
    if (i > 0) text += ", ";
    text += parameter.optional ? "[" + parameter.name + "]" : parameter.name;
    if (member.varargs && i + 1 == member.parameters.size()) text += "...";
  }
  return text + ")";
}

}  // namespace

void checkComCall(const ComTypeInfo& type, const std::string& where, const std::string& member,
                  ComMemberInfo::Kind kind, size_t arguments,
                  const std::vector<std::string>& named) {
  const ComMemberInfo* info = type.find(member, kind);
  if (!info) return;
  // A put's value is the last parameter the type lists for it, and the last argument: neither
  // counts here.
  std::vector<ComParameterInfo> parameters = info->parameters;
  bool put = kind == ComMemberInfo::Kind::propertyPut || kind == ComMemberInfo::Kind::propertyPutRef;
  if (put && !parameters.empty()) parameters.pop_back();
  size_t positional = arguments - (put && arguments > 0 ? 1 : 0);
  size_t required = 0;
  for (const ComParameterInfo& parameter : parameters) {
    if (!parameter.optional) ++required;
  }
  size_t given = positional + named.size();
  std::string what = where + "." + info->name;
  if (given < required || (given > parameters.size() && !info->varargs)) {
    std::string takes = required == parameters.size()
                            ? std::to_string(required)
                            : std::to_string(required) + " to " + std::to_string(parameters.size());
    throw Error(Error::Kind::invalidArgument,
                what + " takes " + takes + " argument" + (parameters.size() == 1 ? "" : "s") +
                    " " + signature(*info) + ", given " + std::to_string(given));
  }
  for (const std::string& name : named) {
    bool known = false;
    for (const ComParameterInfo& parameter : parameters) known = known || sameComName(parameter.name, name);
    if (!known) {
      throw Error(Error::Kind::notFound,
                  what + " has no parameter '" + name + "' " + signature(*info));
    }
  }
}

}  // namespace bridge32
