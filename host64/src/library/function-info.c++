#include "library/function-info.h"

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
  info.isSigned = shape.isSigned;
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

std::string describeCpp(std::span<const Kind> arguments, Kind result) {
  std::string text = std::string(result == Kind::none ? "Value/void" : toString(result)) + "(";
  for (size_t i = 0; i < arguments.size(); ++i) {
    text += (i ? ", " : "") + std::string(arguments[i] == Kind::none ? "Value" : toString(arguments[i]));
  }
  return text + ")";
}

void checkBinding(const FunctionInfo& info, std::span<const Kind> arguments, Kind result,
                  std::string_view cppSignature) {
  std::vector<const ParameterInfo*> inputs;
  for (const auto& parameter : info.parameters) {
    if (parameter.isInput) inputs.push_back(&parameter);
  }
  auto refuse = [&](const std::string& why) {
    throw Error(Error::Kind::invalidArgument, "'" + info.name + "' cannot be called as " +
                                                  std::string(cppSignature) + ": " + why);
  };
  if (arguments.size() != inputs.size() && !(info.isVariadic && arguments.size() > inputs.size())) {
    refuse("it takes " + std::to_string(inputs.size()) + " arguments");
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!fits(arguments[i], inputs[i]->kind)) {
      refuse("parameter '" + inputs[i]->name + "' is " + std::string(toString(inputs[i]->kind)) +
             ", given " + std::string(toString(arguments[i])));
    }
  }
  bool resultFits = result == Kind::none || fits(result, info.result.kind);
  if (!resultFits) {
    refuse("it returns " + std::string(toString(info.result.kind)) + ", not " +
           std::string(toString(result)));
  }
}

}  // namespace detail

}  // namespace bridge32
