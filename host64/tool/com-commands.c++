// bridge32 com: a COM class as a surrogate finds it in the registry, the server file it loads
// and its objects' type information, and a quick call of one of their members with arguments in
// the literal syntax of `bridge32 call`.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "bridge32/com.h"
#include "bridge32/library.h"
#include "tool.h"

namespace bridge32::tool {
namespace {

// A literal as `bridge32 call` reads it, as the VARIANT a script would pass: integers as VT_I4
// where they fit (else VT_I8), reals as VT_R8, arrays as arrays of VARIANTs.
ComValue comValueOf(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::null: return ComValue::null();
    case Value::Kind::boolean: return ComValue(value.asBool());
    case Value::Kind::signedInteger:
    case Value::Kind::unsignedInteger: {
      if (value.kind() == Value::Kind::unsignedInteger && value.asUint64() > INT64_MAX) {
        return ComValue::unsignedInteger(value.asUint64(), ComValue::vtUi8);
      }
      int64_t number = value.asInt64();
      return number >= INT32_MIN && number <= INT32_MAX ? ComValue(int32_t(number))
                                                       : ComValue::integer(number, ComValue::vtI8);
    }
    case Value::Kind::floating: return ComValue(value.asDouble());
    case Value::Kind::string: return ComValue(value.asString());
    case Value::Kind::array: {
      std::vector<ComValue> elements;
      for (const Value& element : value.asArray()) elements.push_back(comValueOf(element));
      return ComValue(std::move(elements));
    }
    default:
      throw Error(Error::Kind::invalidArgument,
                  "COM takes no " + toLiteral(value) + " (structs and handles)");
  }
}

// "long Count [get]", "void Add(VARIANT* Key, VARIANT* Item)", "VARIANT Echo(VARIANT value)".
std::string describe(const ComMemberInfo& member) {
  std::string text = printable(member.type) + " " + printable(member.name);
  if (member.kind == ComMemberInfo::Kind::method || !member.parameters.empty()) {
    text += "(";
    for (size_t i = 0; i < member.parameters.size(); ++i) {
      const ComParameterInfo& parameter = member.parameters[i];
      if (i > 0) text += ", ";
      if (parameter.optional) text += "[optional] ";
      if (parameter.output) text += "[out] ";
      text += printable(parameter.type) + " " + printable(parameter.name);
      if (member.varargs && i + 1 == member.parameters.size()) text += "...";
    }
    text += ")";
  }
  switch (member.kind) {
    case ComMemberInfo::Kind::method: break;
    case ComMemberInfo::Kind::propertyGet: text += " [get]"; break;
    case ComMemberInfo::Kind::propertyPut: text += " [put]"; break;
    case ComMemberInfo::Kind::propertyPutRef: text += " [putref]"; break;
  }
  return text;
}

Architecture architectureOf(const CommandLine& line) {
  return line.has("--x64") ? Architecture::x64 : Architecture::x86;
}

}  // namespace

int com(const CommandLine& line) {
  const std::string& verb = line.positional.at(0);
  if (verb != "info" && verb != "call") {
    usageError("com takes info or call, not '" + verb + "'");
  }
  if (line.positional.size() < 2) usageError("no ProgID or CLSID given");
  auto comClass = ComClass::load(line.positional[1], architectureOf(line), line.loadOptions());
  if (verb == "info") {
    std::printf("class:     %s\n", printable(line.positional[1]).c_str());
    std::printf("clsid:     %s\n", printable(comClass->clsid()).c_str());
    std::printf("progid:    %s\n", printable(comClass->progId()).c_str());
    std::printf("server:    %s (as a %s surrogate's registry view names it)\n",
                printable(comClass->server()).c_str(),
                std::string(toString(architectureOf(line))).c_str());
    std::printf("threading: %s\n", printable(comClass->threadingModel()).c_str());
    // An object, to see which file the server really is and what its type information says.
    auto object = comClass->create();
    if (auto loaded = comClass->loadedServer()) {
      std::printf("loaded:    %s (%s)\n", printable(utf8(loaded->path)).c_str(),
                  std::string(toString(loaded->architecture)).c_str());
    }
    std::optional<ComTypeInfo> type = object->typeInfo();
    if (!type) {
      std::printf("type:      none (the object gives no type information)\n");
      return 0;
    }
    std::printf("type:      %s %s\n", printable(type->name).c_str(), type->guid.c_str());
    for (const ComMemberInfo& member : type->members) std::printf("  %s\n", describe(member).c_str());
    return 0;
  }
  if (line.positional.size() < 3) usageError("no member given");
  std::vector<ComValue> arguments;
  for (size_t i = 3; i < line.positional.size(); ++i) {
    try {
      arguments.push_back(comValueOf(parseLiteral(line.positional[i])));
    } catch (const Error& error) {
      throw Error(Error::Kind::invalidArgument, "argument " + std::to_string(i - 2) + " ('" +
                                                    line.positional[i] + "'): " + error.message());
    }
  }
  ComValue result = comClass->create()->call(line.positional[2], std::move(arguments));
  std::printf("%s\n", printable(result.toString()).c_str());
  return 0;
}

}  // namespace bridge32::tool
