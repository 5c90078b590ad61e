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
  info.type = shape.name;
  switch (info.kind) {
    case Kind::boolean:
    case Kind::integer:
    case Kind::floating: info.size = seen->size; break;
    default: break;
  }
  if (info.kind == Kind::structure) {
    for (const auto& field : seen->fields) info.fields.push_back(infoOf(field.name, *field.shape));
  } else if (info.kind == Kind::array) {
    const Shape& element = seen->kind == Shape::Kind::array ? *seen->element : *seen->target;
    info.element.push_back(infoOf("", element));
  }
  return info;
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

}  // namespace bridge32
