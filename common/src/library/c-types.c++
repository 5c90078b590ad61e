#include "library/c-types.h"

#include <algorithm>
#include <limits>

#include "bridge32/error.h"

namespace bridge32::library {

namespace {

[[noreturn]] void fail(std::string message) {
  throw Error(Error::Kind::invalidArgument, std::move(message));
}

}  // namespace

Abi nativeAbi() {
#if defined(_WIN64)
  return Abi::win64;
#elif defined(_WIN32)
  return Abi::win32;
#elif defined(__x86_64__)
  return Abi::sysvX64;
#elif defined(__i386__)
  return Abi::sysvI386;
#else
#error "bridge32 knows the x86 ABIs only"
#endif
}

std::string_view toString(Abi abi) {
  switch (abi) {
    case Abi::win32: return "win32";
    case Abi::win64: return "win64";
    case Abi::sysvI386: return "sysvI386";
    case Abi::sysvX64: return "sysvX64";
  }
  return "unknown";
}

bool isWindows(Abi abi) { return abi == Abi::win32 || abi == Abi::win64; }

uint32_t pointerSize(Abi abi) { return abi == Abi::win64 || abi == Abi::sysvX64 ? 8 : 4; }

std::string_view toString(CallingConvention convention) {
  switch (convention) {
    case CallingConvention::platformDefault: return "";
    case CallingConvention::cDecl: return "__cdecl";
    case CallingConvention::stdCall: return "__stdcall";
    case CallingConvention::fastCall: return "__fastcall";
    case CallingConvention::thisCall: return "__thiscall";
  }
  return "";
}

std::string_view toString(Direction direction) {
  switch (direction) {
    case Direction::in: return "in";
    case Direction::out: return "out";
    case Direction::inout: return "inout";
  }
  return "unknown";
}

std::string_view toString(Transfer transfer) {
  switch (transfer) {
    case Transfer::value: return "value";
    case Transfer::opaque: return "opaque";
    case Transfer::elements: return "elements";
    case Transfer::bytes: return "bytes";
    case Transfer::string: return "string";
    case Transfer::callback: return "callback";
  }
  return "unknown";
}

// ---------------------------------------------------------------------------------------------
// Size expressions

namespace {

// Checked int64 arithmetic, written out because MSVC has no __builtin_*_overflow.
int64_t checkedAdd(int64_t a, int64_t b) {
  if ((b > 0 && a > std::numeric_limits<int64_t>::max() - b) ||
      (b < 0 && a < std::numeric_limits<int64_t>::min() - b)) {
    fail("size overflows: " + std::to_string(a) + " + " + std::to_string(b));
  }
  return a + b;
}

int64_t checkedMultiply(int64_t a, int64_t b) {
  if (a == 0 || b == 0) return 0;
  // Through unsigned magnitudes, so that no intermediate step overflows.
  uint64_t magnitudeA = a < 0 ? 0 - uint64_t(a) : uint64_t(a);
  uint64_t magnitudeB = b < 0 ? 0 - uint64_t(b) : uint64_t(b);
  bool negative = (a < 0) != (b < 0);
  uint64_t limit = negative ? uint64_t(std::numeric_limits<int64_t>::max()) + 1
                            : uint64_t(std::numeric_limits<int64_t>::max());
  if (magnitudeA > limit / magnitudeB) {
    fail("size overflows: " + std::to_string(a) + " * " + std::to_string(b));
  }
  uint64_t magnitude = magnitudeA * magnitudeB;
  return negative ? int64_t(0 - magnitude) : int64_t(magnitude);
}

int64_t evaluateOperation(SizeExpression::Op op, int64_t a, int64_t b) {
  switch (op) {
    case SizeExpression::Op::add: return checkedAdd(a, b);
    case SizeExpression::Op::subtract:
      if (b == std::numeric_limits<int64_t>::min()) fail("size overflows in a subtraction");
      return checkedAdd(a, -b);
    case SizeExpression::Op::multiply: return checkedMultiply(a, b);
    case SizeExpression::Op::divide:
      if (b == 0) fail("size divides by zero");
      if (a == std::numeric_limits<int64_t>::min() && b == -1) fail("size overflows in a division");
      return a / b;
    default: fail("not a binary operation");
  }
}

}  // namespace

int64_t evaluate(const SizeExpression& expression, const SizeLookup& lookup) {
  switch (expression.op) {
    case SizeExpression::Op::constant: return expression.constant;
    case SizeExpression::Op::name: return lookup(expression.name, false);
    case SizeExpression::Op::dereference: return lookup(expression.name, true);
    case SizeExpression::Op::returnValue: return lookup("return", false);
    default:
      return evaluateOperation(expression.op, evaluate(expression.operands.at(0), lookup),
                               evaluate(expression.operands.at(1), lookup));
  }
}

std::string toString(const SizeExpression& expression) {
  switch (expression.op) {
    case SizeExpression::Op::constant: return std::to_string(expression.constant);
    case SizeExpression::Op::name: return expression.name;
    case SizeExpression::Op::dereference: return "*" + expression.name;
    case SizeExpression::Op::returnValue: return "return";
    default: break;
  }
  std::string_view symbol = expression.op == SizeExpression::Op::add        ? " + "
                            : expression.op == SizeExpression::Op::subtract ? " - "
                            : expression.op == SizeExpression::Op::multiply ? " * "
                                                                            : " / ";
  // Parenthesised, so that the text keeps the tree's grouping whatever the operators.
  auto operand = [](const SizeExpression& part) {
    bool compound = !part.operands.empty();
    return compound ? "(" + toString(part) + ")" : toString(part);
  };
  return operand(expression.operands.at(0)) + std::string(symbol) +
         operand(expression.operands.at(1));
}

// ---------------------------------------------------------------------------------------------
// Type queries and equality

bool Type::isOpaquePointer() const {
  if (!isPointer()) return false;
  return target->kind == Kind::voidType ||
         (target->kind == Kind::record && !target->record->isComplete);
}

bool Type::isStringPointer() const {
  return isPointer() && target->kind == Kind::integer && target->character != Character::none;
}

namespace {

bool sameTarget(const Type* a, const Type* b) {
  if (a == b) return true;
  if (!a || !b) return false;
  bool namedRecord = a->kind == Type::Kind::record && b->kind == Type::Kind::record &&
                     !a->record->tag.empty();
  if (namedRecord) {
    return a->isConst == b->isConst && a->name == b->name && a->record->tag == b->record->tag &&
           a->record->isUnion == b->record->isUnion;
  }
  return *a == *b;
}

template <typename T>
bool samePointee(const T* a, const T* b) {
  return a == b || (a && b && *a == *b);
}

}  // namespace

bool operator==(const Type& a, const Type& b) {
  if (a.kind != b.kind || a.isConst != b.isConst || a.name != b.name) return false;
  switch (a.kind) {
    case Type::Kind::voidType:
    case Type::Kind::boolean: return true;
    case Type::Kind::integer:
      return a.width == b.width && a.isSigned == b.isSigned && a.character == b.character;
    case Type::Kind::floating: return a.floatBytes == b.floatBytes;
    case Type::Kind::handle: return a.handle == b.handle;
    case Type::Kind::pointer: return sameTarget(a.target, b.target);
    case Type::Kind::array: return a.count == b.count && samePointee(a.target, b.target);
    case Type::Kind::record: return samePointee(a.record, b.record);
    case Type::Kind::enumeration: return samePointee(a.enumeration, b.enumeration);
    case Type::Kind::function: return samePointee(a.signature, b.signature);
  }
  return false;
}

namespace {

bool sameForCaller(const Type* a, const Type* b, int depth);

bool sameForCaller(const Signature& a, const Signature& b, int depth) {
  if (a.parameters.size() != b.parameters.size() || a.isVariadic != b.isVariadic ||
      !sameForCaller(a.returnType, b.returnType, depth)) {
    return false;
  }
  for (size_t i = 0; i < a.parameters.size(); ++i) {
    if (!sameForCaller(a.parameters[i].type, b.parameters[i].type, depth)) return false;
  }
  return true;
}

bool sameForCaller(const Type* a, const Type* b, int depth) {
  if (a == b) return true;
  if (!a || !b || a->kind != b->kind || depth > 64) return false;
  switch (a->kind) {
    case Type::Kind::voidType:
    case Type::Kind::boolean: return true;
    case Type::Kind::integer:
      return a->width == b->width && a->isSigned == b->isSigned &&
             (a->character == Character::none) == (b->character == Character::none);
    case Type::Kind::floating: return a->floatBytes == b->floatBytes;
    case Type::Kind::handle: return a->handle == b->handle;
    case Type::Kind::pointer: return sameForCaller(a->target, b->target, depth + 1);
    case Type::Kind::array:
      return a->count == b->count && sameForCaller(a->target, b->target, depth + 1);
    case Type::Kind::record:
      return a->record->isUnion == b->record->isUnion && a->record->tag == b->record->tag &&
             (a->record->tag.empty() ? *a->record == *b->record : true);
    case Type::Kind::enumeration: return a->enumeration->tag == b->enumeration->tag;
    case Type::Kind::function: return sameForCaller(*a->signature, *b->signature, depth + 1);
  }
  return false;
}

}  // namespace

bool sameForCaller(const Signature& a, const Signature& b) { return sameForCaller(a, b, 0); }

bool operator==(const Field& a, const Field& b) {
  return a.name == b.name && samePointee(a.type, b.type) && a.annotation == b.annotation;
}

bool operator==(const Parameter& a, const Parameter& b) {
  return a.name == b.name && samePointee(a.type, b.type) && a.annotation == b.annotation;
}

bool operator==(const Signature& a, const Signature& b) {
  return a.name == b.name && samePointee(a.returnType, b.returnType) &&
         a.returnAnnotation == b.returnAnnotation && a.parameters == b.parameters &&
         a.convention == b.convention && a.isVariadic == b.isVariadic;
}

bool operator==(const Record& a, const Record& b) {
  return a.isUnion == b.isUnion && a.tag == b.tag && a.isComplete == b.isComplete &&
         a.fields == b.fields && a.pack == b.pack && a.isPacked == b.isPacked &&
         a.alignment == b.alignment;
}

bool operator==(const Enumeration& a, const Enumeration& b) {
  return a.tag == b.tag && a.constants == b.constants;
}

bool operator==(const EnumConstant& a, const EnumConstant& b) {
  return a.name == b.name && a.value == b.value;
}

// ---------------------------------------------------------------------------------------------
// Describing types as C

namespace {

std::string describeParameters(const Signature& signature, bool withNames);

// C writes a type inside out: `declarator` is what has been built so far around the name
// ("*", "(*)[4]"...), and each step wraps it in the next layer.
std::string describeAround(const Type& type, const std::string& declarator) {
  auto withBase = [&](const std::string& base) {
    std::string text = type.isConst ? "const " + base : base;
    if (declarator.empty()) return text;
    return declarator.front() == '[' ? text + declarator : text + " " + declarator;
  };
  if (!type.name.empty()) return withBase(type.name);
  switch (type.kind) {
    case Type::Kind::pointer: {
      std::string inner = "*" + std::string(type.isConst ? "const" : "") +
                          (type.isConst && !declarator.empty() ? " " : "") + declarator;
      const Type& target = *type.target;
      if (target.name.empty() && target.kind == Type::Kind::function) {
        std::string_view convention = toString(target.signature->convention);
        inner = "(" + (convention.empty() ? "" : std::string(convention) + " ") + inner + ")";
      } else if (target.name.empty() && target.kind == Type::Kind::array) {
        inner = "(" + inner + ")";
      }
      return describeAround(target, inner);
    }
    case Type::Kind::array:
      return describeAround(*type.target, declarator + "[" + std::to_string(type.count) + "]");
    case Type::Kind::function:
      return describeAround(*type.signature->returnType,
                            declarator + "(" + describeParameters(*type.signature, false) + ")");
    case Type::Kind::record: {
      std::string keyword = type.record->isUnion ? "union " : "struct ";
      return withBase(keyword + (type.record->tag.empty() ? "<anonymous>" : type.record->tag));
    }
    case Type::Kind::enumeration:
      return withBase("enum " + (type.enumeration->tag.empty() ? std::string("<anonymous>")
                                                                : type.enumeration->tag));
    default: return withBase("<unnamed>");  // scalars always carry their keyword as name
  }
}

std::string describeParameters(const Signature& signature, bool withNames) {
  if (signature.parameters.empty() && !signature.isVariadic) return "void";
  std::string text;
  for (const Parameter& parameter : signature.parameters) {
    if (!text.empty()) text += ", ";
    text += describeAround(*parameter.type, withNames ? parameter.name : "");
  }
  if (signature.isVariadic) text += text.empty() ? "..." : ", ...";
  return text;
}

}  // namespace

std::string describe(const Type& type) { return describeAround(type, ""); }

std::string describe(const Signature& signature) {
  std::string_view convention = toString(signature.convention);
  std::string declarator = (convention.empty() ? "" : std::string(convention) + " ") +
                           signature.name + "(" + describeParameters(signature, true) + ")";
  return describeAround(*signature.returnType, declarator);
}

// ---------------------------------------------------------------------------------------------
// Layout

uint32_t integerSize(const Type& integer, Abi abi) {
  if (integer.kind == Type::Kind::enumeration) return 4;
  switch (integer.width) {
    case IntegerWidth::bits8: return 1;
    case IntegerWidth::bits16: return 2;
    case IntegerWidth::bits32: return 4;
    case IntegerWidth::bits64: return 8;
    case IntegerWidth::cLong: return abi == Abi::sysvX64 ? 8 : 4;
    case IntegerWidth::pointer: return pointerSize(abi);
    case IntegerWidth::wcharT: return isWindows(abi) ? 2 : 4;
  }
  return 4;
}

bool isSignedInteger(const Type& integer, Abi abi) {
  if (integer.kind == Type::Kind::enumeration) return true;
  if (integer.width == IntegerWidth::wcharT) return !isWindows(abi);
  return integer.isSigned;
}

namespace {

uint64_t roundUp(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

// The alignment of a scalar as a struct member. The i386 System V ABI aligns 8-byte scalars
// (double, long long) to 4 inside structs; every other ABI here aligns scalars to their size.
Layout scalarLayout(uint64_t size, Abi abi) {
  return {size, size == 8 && abi == Abi::sysvI386 ? 4u : size, {}};
}

void checkLimit(uint64_t size, const Type& type) {
  if (size > kMaxTypeBytes) {
    fail(describe(type) + " would be " + std::to_string(size) + " bytes, more than the " +
         std::to_string(kMaxTypeBytes >> 20) + " MiB limit");
  }
}

Layout arrayLayout(const Type& array, Abi abi) {
  Layout element = layoutOf(*array.target, abi);
  // Compared by division: count * size may not fit in 64 bits.
  if (element.size != 0 && array.count > kMaxTypeBytes / element.size) {
    fail(describe(array) + " is larger than the " + std::to_string(kMaxTypeBytes >> 20) +
         " MiB limit");
  }
  return {array.count * element.size, element.alignment, {}};
}

// Fields in order at rising offsets (a struct) or all at 0 (a union); a member's alignment is
// capped by #pragma pack, or 1 under __attribute__((packed)).
Layout recordLayout(const Type& type, Abi abi) {
  const Record& record = *type.record;
  if (!record.isComplete) fail(describe(type) + " is declared but never defined");
  Layout layout;
  uint64_t end = 0;
  for (const Field& field : record.fields) {
    FieldLayout placed{field.name, 0, layoutOf(*field.type, abi)};
    uint64_t alignment = placed.layout.alignment;
    if (record.isPacked) alignment = 1;
    else if (record.pack != 0) alignment = std::min<uint64_t>(alignment, record.pack);
    layout.alignment = std::max(layout.alignment, alignment);
    if (record.isUnion) {
      end = std::max(end, placed.layout.size);
    } else {
      placed.offset = roundUp(end, alignment);
      end = placed.offset + placed.layout.size;
      checkLimit(end, type);
    }
    layout.fields.push_back(std::move(placed));
  }
  // An alignment declared for the struct raises its own, whatever the packing of its members.
  layout.alignment = std::max<uint64_t>(layout.alignment, record.alignment);
  layout.size = roundUp(end, layout.alignment);
  checkLimit(layout.size, type);
  return layout;
}

}  // namespace

Layout layoutOf(const Type& type, Abi abi) {
  switch (type.kind) {
    case Type::Kind::voidType: fail("void has no size");
    case Type::Kind::function:
      fail("the function type " + describe(type) + " has no size (a pointer to it has)");
    case Type::Kind::boolean: return {1, 1, {}};
    case Type::Kind::integer:
    case Type::Kind::enumeration: return scalarLayout(integerSize(type, abi), abi);
    case Type::Kind::floating: return scalarLayout(type.floatBytes, abi);
    case Type::Kind::pointer:
    case Type::Kind::handle: return scalarLayout(pointerSize(abi), abi);
    case Type::Kind::array: return arrayLayout(type, abi);
    case Type::Kind::record: return recordLayout(type, abi);
  }
  fail("unknown type kind");
}

}  // namespace bridge32::library
