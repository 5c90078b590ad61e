#include "library/function-info.h"

#include <algorithm>
#include <optional>

namespace bridge32 {

namespace {

using Kind = ParameterInfo::Kind;
using library::Shape;

Kind kindOf(const Shape& shape) {
  switch (shape.kind) {
    case Shape::Kind::voidType: return Kind::none;
    case Shape::Kind::boolean: return Kind::boolean;
    case Shape::Kind::integer: return Kind::integer;
    case Shape::Kind::floating: return Kind::floating;
    case Shape::Kind::string: return Kind::string;
    case Shape::Kind::opaque: return Kind::handle;
    case Shape::Kind::callback: return Kind::callback;
    case Shape::Kind::record: return Kind::structure;
    case Shape::Kind::array: return Kind::array;
    case Shape::Kind::pointer:
      // One value by reference is given as that value; a counted one as an array.
      return shape.count ? Kind::array : kindOf(*shape.target);
  }
  return Kind::none;
}

ParameterInfo infoOf(const std::string& name, const Shape& shape) {
  ParameterInfo info;
  info.name = name;
  info.kind = kindOf(shape);
  // What a pointer points to is what the C++ side sees: one value, or the elements it counts.
  const Shape* seen = &shape;
  if (shape.kind == Shape::Kind::pointer && !shape.count) seen = shape.target.get();
  info.isSigned = seen->isSigned;
  if (info.kind == Kind::structure) {
    for (const auto& field : seen->fields) info.fields.push_back(infoOf(field.name, *field.shape));
  } else if (info.kind == Kind::array) {
    const Shape& element = seen->kind == Shape::Kind::array ? *seen->element : *seen->target;
    info.element.push_back(infoOf("", element));
  }
  return info;
}

std::string_view toString(Kind kind) {
  switch (kind) {
    case Kind::none: return "void";
    case Kind::boolean: return "bool";
    case Kind::integer: return "integer";
    case Kind::floating: return "floating";
    case Kind::string: return "string";
    case Kind::array: return "array";
    case Kind::structure: return "struct";
    case Kind::handle: return "handle";
    case Kind::callback: return "callback";
  }
  return "?";
}

// Whether a C++ argument or result of kind `cpp` may stand for C's `c`: `none` (Value) stands
// for anything, a bool and an integer for each other, an integer for a handle.
bool fits(Kind cpp, Kind c) {
  if (cpp == Kind::none || cpp == c) return true;
  bool cppNumber = cpp == Kind::integer || cpp == Kind::boolean;
  bool cNumber = c == Kind::integer || c == Kind::boolean;
  return cppNumber && (cNumber || c == Kind::handle);
}

}  // namespace

FunctionInfo infoOf(const library::FunctionShape& function) {
  FunctionInfo info;
  info.name = function.name;
  info.result = infoOf("", *function.result);
  info.isVariadic = function.isVariadic;
  for (const auto& parameter : function.parameters) {
    ParameterInfo described = infoOf(parameter.name, *parameter.shape);
    described.isInput = parameter.isInput();
    described.isOutput = parameter.isOutput();
    info.parameters.push_back(std::move(described));
  }
  return info;
}

namespace detail {

namespace {

std::string describe(const CppType& type) {
  switch (type.kind) {
    case Kind::none: return "Value";
    case Kind::array: return "array of " + describe(type.element.at(0));
    case Kind::structure: {
      std::string text = "struct {";
      for (size_t i = 0; i < type.fieldNames.size(); ++i) {
        text += (i ? ", " : "") + type.fieldNames[i];
      }
      return text + "}";
    }
    default: return std::string(toString(type.kind));
  }
}

std::string describe(const std::span<const CppType> parameters, const CppType& result) {
  std::string text = (result.kind == Kind::none ? "void/Value" : describe(result)) + "(";
  for (size_t i = 0; i < parameters.size(); ++i) {
    text += (i ? ", " : "") + describe(parameters[i]) + (parameters[i].writable ? "&" : "");
  }
  return text + ")";
}

// Why C++ type `cpp` cannot stand for what `c` declares (`what`), or nothing if it can.
std::optional<std::string> misfit(const CppType& cpp, const ParameterInfo& c,
                                  const std::string& what) {
  // Value stands for anything; so does what a declaration leaves open (the bytes of a void*).
  if (cpp.kind == Kind::none || c.kind == Kind::none) return std::nullopt;
  // Text for an array of characters or bytes, as C's `unsigned char a[] = "abc";`.
  if (cpp.kind == Kind::string && c.kind == Kind::array && !c.element.empty() &&
      c.element[0].kind == Kind::integer) {
    return std::nullopt;
  }
  if (!fits(cpp.kind, c.kind)) {
    return what + " is " + std::string(toString(c.kind)) + ", given " + describe(cpp);
  }
  if (c.kind == Kind::array && !c.element.empty()) {
    return misfit(cpp.element.at(0), c.element[0], "an element of " + what);
  }
  if (c.kind == Kind::structure) {
    const auto& names = cpp.fieldNames;
    for (const auto& field : c.fields) {
      auto given = std::find(names.begin(), names.end(), field.name);
      if (given == names.end()) {
        return what + " has a field '" + field.name + "' the C++ struct does not name";
      }
      const CppType& type = cpp.fields[size_t(given - names.begin())];
      if (auto why = misfit(type, field, "field '" + field.name + "' of " + what)) return why;
    }
    for (const auto& name : names) {
      bool declared = std::any_of(c.fields.begin(), c.fields.end(),
                                  [&](const auto& field) { return field.name == name; });
      if (!declared) return what + " has no field '" + name + "'";
    }
  }
  return std::nullopt;
}

}  // namespace

void checkBinding(const FunctionInfo& info, std::span<const CppType> parameters,
                  const CppType& result) {
  auto refuse = [&](const std::string& why) {
    throw Error(Error::Kind::invalidArgument, "'" + info.name + "' cannot be called as " +
                                                  describe(parameters, result) + ": " + why);
  };
  const auto& declared = info.parameters;
  if (parameters.size() != declared.size() &&
      !(info.isVariadic && parameters.size() > declared.size())) {
    std::string names;
    for (const auto& parameter : declared) names += (names.empty() ? "" : ", ") + parameter.name;
    refuse("it has " + std::to_string(declared.size()) + " parameter" +
           (declared.size() == 1 ? "" : "s") + (names.empty() ? "" : " (" + names + ")"));
  }
  for (size_t i = 0; i < declared.size(); ++i) {
    const ParameterInfo& c = declared[i];
    const CppType& cpp = parameters[i];
    std::string what = "parameter '" + c.name + "'";
    if ((c.kind == Kind::callback) != (cpp.kind == Kind::callback)) {
      refuse(c.kind == Kind::callback ? what + " is a function pointer: take it as Callback"
                                      : what + " is " + std::string(toString(c.kind)) +
                                            ", given a Callback");
    }
    if (c.isOutput && !c.isInput && !cpp.writable) {
      refuse(what + " is an out parameter: take it as a non-const reference");
    }
    if (cpp.writable && !c.isOutput) {
      refuse(what + " is only read: take it by value or const reference");
    }
    if (auto why = misfit(cpp, c, what)) refuse(*why);
  }
  if (result.kind != Kind::none) {
    if (info.result.kind == Kind::none) refuse("it returns void");
    if (auto why = misfit(result, info.result, "the result")) refuse(*why);
  }
}

}  // namespace detail

}  // namespace bridge32
