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

Abi abiOf(Architecture architecture) {
  bool windows = isWindows(nativeAbi());
  if (architecture == Architecture::x86) return windows ? Abi::win32 : Abi::sysvI386;
  return windows ? Abi::win64 : Abi::sysvX64;
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
  return a.name == b.name && samePointee(a.type, b.type) && a.annotation == b.annotation &&
         a.bitWidth == b.bitWidth;
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
         a.alignment == b.alignment && a.alignmentIsDeclspec == b.alignmentIsDeclspec;
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

bool isSignedBitField(const Type& type, Abi abi) {
  if (type.kind == Type::Kind::boolean) return false;
  if (type.kind == Type::Kind::enumeration && !isWindows(abi)) {
    const auto& constants = type.enumeration->constants;
    return std::any_of(constants.begin(), constants.end(),
                       [](const EnumConstant& constant) { return constant.value < 0; });
  }
  return isSignedInteger(type, abi);
}

namespace {

uint64_t roundUp(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

// The alignment of a scalar as a struct member. The i386 System V ABI aligns 8-byte scalars
// (double, long long) to 4 inside structs; every other ABI here aligns scalars to their size.
Layout scalarLayout(uint64_t size, Abi abi) {
  return {size, size == 8 && abi == Abi::sysvI386 ? 4u : size, 0, {}};
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
  return {array.count * element.size, element.alignment, element.requiredAlignment, {}};
}

// Lays out a struct or union field by field. Offsets are counted in bits, so that bit-fields
// and whole fields share one cursor: `end` is the first bit no field has used yet.
class RecordLayout {
 public:
  RecordLayout(const Type& type, Abi abi) : type_(type), record_(*type.record), abi_(abi) {}

  Layout run() {
    if (!record_.isComplete) fail(describe(type_) + " is declared but never defined");
    for (const Field& field : record_.fields) {
      FieldLayout placed{field.name, 0, layoutOf(*field.type, abi_), std::nullopt};
      if (field.bitWidth) {
        placeBits(placed, *field.bitWidth, !field.name.empty());
      } else {
        placeWhole(placed);
      }
      checkLimit(placed.offset + placed.layout.size, type_);
      layout_.fields.push_back(std::move(placed));
    }
    // An alignment declared for the struct raises its own, whatever the packing of its members.
    layout_.alignment = std::max<uint64_t>(layout_.alignment, record_.alignment);
    if (isWindows(abi_)) {
      layout_.alignment = std::max(layout_.alignment, layout_.requiredAlignment);
      if (record_.alignmentIsDeclspec) layout_.requiredAlignment = layout_.alignment;
    }
    layout_.size = roundUp(roundUp(end_, 8) / 8, layout_.alignment);
    checkLimit(layout_.size, type_);
    return std::move(layout_);
  }

 private:
  // A member's alignment, capped by #pragma pack, or 1 under __attribute__((packed)); on
  // Windows, never below a __declspec(align(n)) of its type, which also makes the struct's own.
  uint64_t memberAlignment(const Layout& layout) {
    uint64_t alignment = layout.alignment;
    if (record_.isPacked) alignment = 1;
    else if (record_.pack != 0) alignment = std::min<uint64_t>(alignment, record_.pack);
    if (isWindows(abi_) && layout.requiredAlignment != 0) {
      layout_.requiredAlignment = std::max(layout_.requiredAlignment, layout.requiredAlignment);
      alignment = std::max(alignment, layout.requiredAlignment);
    }
    return alignment;
  }

  void placeWhole(FieldLayout& placed) {
    uint64_t alignment = memberAlignment(placed.layout);
    layout_.alignment = std::max(layout_.alignment, alignment);
    afterBitField_ = false;
    unitBitsLeft_ = 0;
    if (record_.isUnion) {
      end_ = std::max(end_, placed.layout.size * 8);
      return;
    }
    placed.offset = roundUp(roundUp(end_, 8) / 8, alignment);
    end_ = (placed.offset + placed.layout.size) * 8;
  }

  void placeBits(FieldLayout& placed, uint32_t width, bool named) {
    if (width > placed.layout.size * 8) {
      std::string what = named ? "bit-field '" + placed.name + "'" : "an unnamed bit-field";
      fail(what + " of " + describe(type_) + " is " + std::to_string(width) +
           " bits wide, wider than its type (" + std::to_string(placed.layout.size * 8) +
           " bits in " + std::string(toString(abi_)) + ")");
    }
    if (isWindows(abi_)) placeBitsMicrosoft(placed, width);
    else placeBitsSystemV(placed, width, named);
  }

  void placeAt(FieldLayout& placed, uint64_t bit, uint32_t width) {
    placed.offset = bit / 8;
    placed.bits = BitRange{uint32_t(bit % 8), width};
  }

  // Units of the declared type's size: a bit-field joins the open unit if its type has that size
  // and its bits fit, and opens the next one otherwise. A zero-width bit-field closes the open
  // unit and aligns what follows to its type (in GCC's packed structs it moves nothing but
  // gives the struct that alignment); after anything but a bit-field it does nothing. In a
  // union a bit-field has its type's size but does not raise the union's alignment.
  void placeBitsMicrosoft(FieldLayout& placed, uint32_t width) {
    uint64_t size = placed.layout.size;
    uint64_t alignment = memberAlignment(placed.layout);
    if (width == 0) {
      if (!afterBitField_) {
        placeAt(placed, record_.isUnion ? 0 : end_, 0);
        return;
      }
      afterBitField_ = false;
      unitBitsLeft_ = 0;
      if (record_.isUnion) {
        end_ = std::max(end_, size * 8);
        placeAt(placed, 0, 0);
      } else if (record_.isPacked) {
        // MinGW's GCC: nothing moves, but the struct takes the type's alignment.
        layout_.alignment = std::max(layout_.alignment, placed.layout.alignment);
        placeAt(placed, end_, 0);
      } else {
        layout_.alignment = std::max(layout_.alignment, alignment);
        end_ = roundUp(end_ / 8, alignment) * 8;
        placeAt(placed, end_, 0);
      }
      return;
    }
    if (!record_.isUnion && afterBitField_ && unitBytes_ == size && width <= unitBitsLeft_) {
      placeAt(placed, end_ - unitBitsLeft_, width);
      unitBitsLeft_ -= width;
      return;
    }
    afterBitField_ = true;
    unitBytes_ = size;
    if (record_.isUnion) {
      placeAt(placed, 0, width);
      end_ = std::max(end_, size * 8);
      unitBitsLeft_ = 0;
      return;
    }
    layout_.alignment = std::max(layout_.alignment, alignment);
    uint64_t unit = roundUp(end_ / 8, alignment);
    placeAt(placed, unit * 8, width);
    end_ = (unit + size) * 8;
    unitBitsLeft_ = size * 8 - width;
  }

  // The next free bit, moved up to the type's alignment only where the field would otherwise
  // straddle more alignment units than an object of its type does; under #pragma pack or
  // packed it never moves. A zero-width bit-field aligns what follows to its type's alignment,
  // packed or not. Unnamed bit-fields do not raise the struct's alignment.
  void placeBitsSystemV(FieldLayout& placed, uint32_t width, bool named) {
    uint64_t typeBits = placed.layout.size * 8;
    uint64_t alignment = memberAlignment(placed.layout);
    uint64_t bit = record_.isUnion ? 0 : end_;
    if (width == 0) {
      bit = roundUp(bit, placed.layout.alignment * 8);
    } else if (record_.pack == 0 && !record_.isPacked &&
               bit % (alignment * 8) + width > typeBits) {
      bit = roundUp(bit, alignment * 8);
    }
    placeAt(placed, bit, width);
    if (named) layout_.alignment = std::max(layout_.alignment, alignment);
    end_ = record_.isUnion ? std::max(end_, bit + width) : bit + width;
  }

  const Type& type_;
  const Record& record_;
  Abi abi_;
  Layout layout_;
  uint64_t end_ = 0;           // bits
  uint64_t unitBitsLeft_ = 0;  // Microsoft: the open unit's unused bits, above `end_`'s
  uint64_t unitBytes_ = 0;     // Microsoft: the open unit's size
  bool afterBitField_ = false; // Microsoft: the last field was a bit-field of some width
};

Layout recordLayout(const Type& type, Abi abi) { return RecordLayout(type, abi).run(); }

}  // namespace

Layout layoutOf(const Type& type, Abi abi) {
  switch (type.kind) {
    case Type::Kind::voidType: fail("void has no size");
    case Type::Kind::function:
      fail("the function type " + describe(type) + " has no size (a pointer to it has)");
    case Type::Kind::boolean: return {1, 1, 0, {}};
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
