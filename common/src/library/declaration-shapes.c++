#include "library/declaration-shapes.h"

#include <algorithm>
#include <map>

#include "bridge32/error.h"

namespace bridge32::library {

namespace {

Value::HandleKind handleKindOf(HandleKind kind) {
  switch (kind) {
    case HandleKind::window: return Value::HandleKind::window;
    case HandleKind::kernel: return Value::HandleKind::kernel;
    case HandleKind::module: return Value::HandleKind::module;
  }
  return Value::HandleKind::pointer;
}

// A SAL size expression as the engine evaluates it: against the call's parameter values (or a
// struct's fields), each of which must have an integer value.
Count countOf(const SizeExpression& expression) {
  return [expression](const Lookup& lookup) {
    return evaluate(expression, [&](std::string_view name, bool dereferenced) {
      if (auto value = lookup(name, dereferenced)) return *value;
      throw Error(Error::Kind::invalidArgument,
                  "the size '" + toString(expression) + "' needs " +
                      (dereferenced ? "what '" + std::string(name) + "' points to"
                                    : "'" + std::string(name) + "'") +
                      ", which has no integer value here");
    });
  };
}

// A pointer to one value, passed by reference (`_Inout_ unsigned long* n`, `const T*`): given and
// read back as that value, not as a one-element array. A size written out, even `(1)`, means an
// array.
bool pointsToOneValue(const Annotation& annotation) {
  if (!annotation.count) return true;
  bool sized = std::any_of(annotation.sal.begin(), annotation.sal.end(),
                           [](const std::string& sal) { return sal.find('(') != std::string::npos; });
  return !sized && annotation.count->op == SizeExpression::Op::constant &&
         annotation.count->constant == 1;
}

// What an element a pointer points to means: a string pointer among them is a string (the rows
// of `char** values`), anything else its plain value.
Annotation elementAnnotation(const Type& element) {
  Annotation annotation;
  if (element.isStringPointer()) annotation.transfer = Transfer::string;
  return annotation;
}

// Builds Shapes for one ABI. A struct is described once, so one that points at itself (a
// linked list node) refers to its own Shape instead of recursing forever.
class ShapeMaker {
 public:
  explicit ShapeMaker(Abi abi) : abi_(abi) {}

  std::shared_ptr<const Shape> make(const Type& type, const Annotation& annotation) {
    auto shape = std::make_shared<Shape>();
    shape->name = describe(type);
    switch (type.kind) {
      case Type::Kind::voidType: shape->kind = Shape::Kind::voidType; return shape;
      case Type::Kind::boolean: scalar(*shape, Shape::Kind::boolean, 1, false); return shape;
      case Type::Kind::integer:
      case Type::Kind::enumeration:
        scalar(*shape, Shape::Kind::integer, integerSize(type, abi_), isSignedInteger(type, abi_));
        shape->isCharacter = type.kind == Type::Kind::integer && type.character != Character::none;
        return shape;
      case Type::Kind::floating: scalar(*shape, Shape::Kind::floating, type.floatBytes, true); return shape;
      case Type::Kind::handle:
        scalar(*shape, Shape::Kind::opaque, pointerSize(abi_), false);
        shape->handleKind = handleKindOf(type.handle);
        shape->kept = annotation.kept;
        return shape;
      case Type::Kind::function: scalar(*shape, Shape::Kind::callback, pointerSize(abi_), false); return shape;
      case Type::Kind::record: return record(type);
      case Type::Kind::array: {
        Layout layout = layoutOf(type, abi_);
        shape->kind = Shape::Kind::array;
        shape->size = uint32_t(layout.size);
        shape->align = uint32_t(layout.alignment);
        shape->element = make(*type.target, Annotation{});
        shape->length = uint32_t(type.count);
        return shape;
      }
      case Type::Kind::pointer: pointer(*shape, type, annotation); return shape;
    }
    return shape;
  }

 private:
  static void scalar(Shape& shape, Shape::Kind kind, uint32_t size, bool isSigned) {
    shape.kind = kind;
    shape.size = size;
    shape.align = size;
    shape.isSigned = isSigned;
  }

  void pointer(Shape& shape, const Type& type, const Annotation& annotation) {
    scalar(shape, Shape::Kind::opaque, pointerSize(abi_), false);
    shape.direction = annotation.direction;
    shape.nullable = annotation.optional;
    shape.kept = annotation.kept;
    if (annotation.count && !(annotation.transfer == Transfer::elements && pointsToOneValue(annotation))) {
      shape.count = countOf(*annotation.count);
    }
    switch (annotation.transfer) {
      case Transfer::value:
      case Transfer::opaque: return;
      case Transfer::callback:
        shape.kind = Shape::Kind::callback;
        if (type.target->signature) shape.callee = std::make_shared<FunctionShape>(function(*type.target->signature));
        return;
      case Transfer::string:
        shape.kind = Shape::Kind::string;
        shape.charWidth = integerSize(*type.target, abi_);
        return;
      case Transfer::bytes:
        shape.countInBytes = true;
        [[fallthrough]];
      case Transfer::elements: {
        shape.kind = Shape::Kind::pointer;
        if (type.target->kind == Type::Kind::voidType) {
          auto byte = std::make_shared<Shape>();
          byte->name = "unsigned char";
          scalar(*byte, Shape::Kind::integer, 1, false);
          shape.target = byte;
        } else if (annotation.outPointer) {
          // The library's pointer: a handle, with its text for the _z_ forms.
          auto handle = std::make_shared<Shape>();
          handle->name = describe(*type.target);
          scalar(*handle, Shape::Kind::opaque, pointerSize(abi_), false);
          if (type.target->kind == Type::Kind::handle) {
            handle->handleKind = handleKindOf(type.target->handle);
          }
          if (annotation.outPointerText) handle->textWidth = integerSize(*type.target->target, abi_);
          shape.target = handle;
        } else {
          shape.target = make(*type.target, elementAnnotation(*type.target));
        }
        return;
      }
    }
  }

  std::shared_ptr<const Shape> record(const Type& type) {
    if (auto known = records_.find(type.record); known != records_.end()) return known->second;
    auto shape = std::make_shared<Shape>();
    records_[type.record] = shape;
    shape->name = describe(type);
    Layout layout = layoutOf(type, abi_);
    shape->kind = Shape::Kind::record;
    shape->size = uint32_t(layout.size);
    shape->align = uint32_t(layout.alignment);
    shape->isUnion = type.record->isUnion;
    for (size_t i = 0; i < type.record->fields.size(); ++i) {
      const Field& field = type.record->fields[i];
      const FieldLayout& placed = layout.fields.at(i);
      if (!field.bitWidth) {
        shape->fields.push_back({field.name, uint32_t(placed.offset),
                                 make(*field.type, field.annotation), std::nullopt});
      } else if (!field.name.empty()) {  // unnamed bit-fields are padding, with no value
        shape->fields.push_back(
            {field.name, uint32_t(placed.offset), bitField(field), placed.bits});
      }
    }
    return shape;
  }

  std::shared_ptr<const Shape> bitField(const Field& field) {
    const Type& type = *field.type;
    if (type.kind != Type::Kind::integer && type.kind != Type::Kind::enumeration &&
        type.kind != Type::Kind::boolean) {
      throw Error(Error::Kind::invalidArgument, "bit-field '" + field.name + "' has the type " +
                                                    describe(type) + ", not an integer");
    }
    auto shape = std::make_shared<Shape>(*make(type, field.annotation));
    shape->isSigned = isSignedBitField(type, abi_);
    shape->isCharacter = false;  // a char bit-field is a small number
    return shape;
  }

  Abi abi_;
  std::map<const Record*, std::shared_ptr<Shape>> records_;

 public:
  FunctionShape function(const Signature& signature) {
    FunctionShape function;
    function.name = signature.name;
    function.result = make(*signature.returnType, signature.returnAnnotation);
    function.convention = signature.convention;
    function.isVariadic = signature.isVariadic;
    for (size_t i = 0; i < signature.parameters.size(); ++i) {
      const Parameter& parameter = signature.parameters[i];
      std::string name = parameter.name.empty() ? "arg" + std::to_string(i + 1) : parameter.name;
      function.parameters.push_back({name, make(*parameter.type, parameter.annotation)});
    }
    return function;
  }
};

}  // namespace

FunctionShape describeFunction(const Signature& function, Abi abi) {
  return ShapeMaker(abi).function(function);
}

}  // namespace bridge32::library
