#include "bridge32/com-value.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <limits>

#include "bridge32/error.h"
#include "library/c-literals.h"

namespace bridge32 {
namespace {

std::string_view kindName(ComValue::Kind kind) {
  switch (kind) {
    case ComValue::Kind::empty: return "empty";
    case ComValue::Kind::null: return "null";
    case ComValue::Kind::boolean: return "a boolean";
    case ComValue::Kind::integer: return "an integer";
    case ComValue::Kind::unsignedInteger: return "an unsigned integer";
    case ComValue::Kind::real: return "a real number";
    case ComValue::Kind::currency: return "currency";
    case ComValue::Kind::date: return "a date";
    case ComValue::Kind::string: return "a string";
    case ComValue::Kind::error: return "an error code";
    case ComValue::Kind::object: return "an object";
    case ComValue::Kind::array: return "an array";
  }
  return "a value";
}

[[noreturn]] void refuse(std::string_view expected, const ComValue& got) {
  throw Error(Error::Kind::invalidArgument, "expected " + std::string(expected) + ", got " +
                                                std::string(kindName(got.kind())) + " " +
                                                got.toString());
}

// The range of a signed or unsigned integer VARTYPE; false for a type that is not one.
bool signedRange(uint16_t type, int64_t& low, int64_t& high) {
  switch (type) {
    case ComValue::vtI1: low = INT8_MIN, high = INT8_MAX; return true;
    case ComValue::vtI2: low = INT16_MIN, high = INT16_MAX; return true;
    case ComValue::vtI4:
    case ComValue::vtInt: low = INT32_MIN, high = INT32_MAX; return true;
    case ComValue::vtI8: low = INT64_MIN, high = INT64_MAX; return true;
  }
  return false;
}

bool unsignedRange(uint16_t type, uint64_t& high) {
  switch (type) {
    case ComValue::vtUi1: high = UINT8_MAX; return true;
    case ComValue::vtUi2: high = UINT16_MAX; return true;
    case ComValue::vtUi4:
    case ComValue::vtUint: high = UINT32_MAX; return true;
    case ComValue::vtUi8: high = UINT64_MAX; return true;
  }
  return false;
}

}  // namespace

ComValue::ComValue(bool value) : ComValue(Kind::boolean, vtBool) { payload_ = value; }
ComValue::ComValue(int32_t value) : ComValue(Kind::integer, vtI4) { payload_ = int64_t(value); }
ComValue::ComValue(double value) : ComValue(Kind::real, vtR8) { payload_ = value; }
ComValue::ComValue(std::string text) : ComValue(Kind::string, vtBstr) {
  payload_ = std::move(text);
}
ComValue::ComValue(std::string_view text) : ComValue(std::string(text)) {}
ComValue::ComValue(const char* text) : ComValue(std::string(text)) {}
ComValue::ComValue(std::vector<ComValue> elements) {
  ComArray array;
  array.lowerBounds = {0};
  array.counts = {uint32_t(elements.size())};
  array.elements = std::move(elements);
  *this = ComValue::array(std::move(array));
}

ComValue ComValue::null() { return ComValue(Kind::null, vtNull); }

ComValue ComValue::integer(int64_t value, uint16_t type) {
  int64_t low = 0, high = 0;
  if (!signedRange(type, low, high)) {
    throw Error(Error::Kind::invalidArgument,
                "VARTYPE " + std::to_string(type) + " is not a signed integer type");
  }
  if (value < low || value > high) {
    throw Error(Error::Kind::invalidArgument, std::to_string(value) + " does not fit VARTYPE " +
                                                  std::to_string(type) + " (" +
                                                  std::to_string(low) + " to " +
                                                  std::to_string(high) + ")");
  }
  ComValue result(Kind::integer, type);
  result.payload_ = value;
  return result;
}

ComValue ComValue::unsignedInteger(uint64_t value, uint16_t type) {
  uint64_t high = 0;
  if (!unsignedRange(type, high)) {
    throw Error(Error::Kind::invalidArgument,
                "VARTYPE " + std::to_string(type) + " is not an unsigned integer type");
  }
  if (value > high) {
    throw Error(Error::Kind::invalidArgument, std::to_string(value) + " does not fit VARTYPE " +
                                                  std::to_string(type) + " (0 to " +
                                                  std::to_string(high) + ")");
  }
  ComValue result(Kind::unsignedInteger, type);
  result.payload_ = value;
  return result;
}

ComValue ComValue::real(double value, uint16_t type) {
  if (type != vtR4 && type != vtR8) {
    throw Error(Error::Kind::invalidArgument,
                "VARTYPE " + std::to_string(type) + " is not a floating-point type");
  }
  ComValue result(Kind::real, type);
  result.payload_ = type == vtR4 ? double(float(value)) : value;
  return result;
}

ComValue ComValue::currency(int64_t tenThousandths) {
  ComValue result(Kind::currency, vtCy);
  result.payload_ = tenThousandths;
  return result;
}

ComValue ComValue::date(double days) {
  ComValue result(Kind::date, vtDate);
  result.payload_ = days;
  return result;
}

ComValue ComValue::error(int32_t scode) {
  ComValue result(Kind::error, vtError);
  result.payload_ = int64_t(scode);
  return result;
}

ComValue ComValue::object(std::shared_ptr<ComReference> object) {
  ComValue result(Kind::object, vtDispatch);
  result.payload_ = std::move(object);
  return result;
}

ComValue ComValue::array(ComArray array) {
  uint64_t count = array.counts.empty() ? 0 : 1;
  for (uint32_t dimension : array.counts) count *= dimension;
  if (array.counts.empty() || array.lowerBounds.size() != array.counts.size() ||
      count != array.size() || (array.numbers && !array.elements.empty())) {
    throw Error(Error::Kind::invalidArgument,
                "an array of " + std::to_string(array.counts.size()) + " dimensions (" +
                    std::to_string(array.lowerBounds.size()) + " lower bounds) cannot hold " +
                    std::to_string(array.elements.size()) + " elements" +
                    (array.numbers ? " and " + std::to_string(array.numbers->size()) + " numbers"
                                   : ""));
  }
  if (array.numbers && comElementType(array.elementType) != array.numbers->type()) {
    throw Error(Error::Kind::invalidArgument,
                "an array of " + std::string(bridge32::toString(array.numbers->type())) +
                    " cannot be a SAFEARRAY of VARTYPE " + std::to_string(array.elementType));
  }
  ComValue result(Kind::array, uint16_t(0x2000 | array.elementType));  // VT_ARRAY | type
  result.payload_ = std::make_shared<const ComArray>(std::move(array));
  return result;
}

bool ComValue::asBool() const {
  if (kind_ != Kind::boolean) refuse("a boolean", *this);
  return std::get<bool>(payload_);
}

int64_t ComValue::asInt64() const {
  if (kind_ == Kind::integer) return std::get<int64_t>(payload_);
  if (kind_ == Kind::unsignedInteger &&
      std::get<uint64_t>(payload_) <= uint64_t(std::numeric_limits<int64_t>::max())) {
    return int64_t(std::get<uint64_t>(payload_));
  }
  refuse("an integer", *this);
}

uint64_t ComValue::asUint64() const {
  if (kind_ == Kind::unsignedInteger) return std::get<uint64_t>(payload_);
  if (kind_ == Kind::integer && std::get<int64_t>(payload_) >= 0) {
    return uint64_t(std::get<int64_t>(payload_));
  }
  refuse("an unsigned integer", *this);
}

double ComValue::asDouble() const {
  if (kind_ == Kind::real) return std::get<double>(payload_);
  if (kind_ == Kind::integer) return double(std::get<int64_t>(payload_));
  if (kind_ == Kind::unsignedInteger) return double(std::get<uint64_t>(payload_));
  refuse("a number", *this);
}

int64_t ComValue::asCurrency() const {
  if (kind_ != Kind::currency) refuse("currency", *this);
  return std::get<int64_t>(payload_);
}

double ComValue::asDate() const {
  if (kind_ != Kind::date) refuse("a date", *this);
  return std::get<double>(payload_);
}

const std::string& ComValue::asString() const {
  if (kind_ != Kind::string) refuse("a string", *this);
  return std::get<std::string>(payload_);
}

int32_t ComValue::asError() const {
  if (kind_ != Kind::error) refuse("an error code", *this);
  return int32_t(std::get<int64_t>(payload_));
}

const std::shared_ptr<ComReference>& ComValue::asObject() const {
  if (kind_ != Kind::object) refuse("an object", *this);
  return std::get<std::shared_ptr<ComReference>>(payload_);
}

ComValue ComValue::array(std::shared_ptr<const Value::TypedArray> numbers) {
  ComArray array;
  array.lowerBounds = {0};
  array.counts = {uint32_t(numbers->size())};
  if (numbers->size() > UINT32_MAX) {
    throw Error(Error::Kind::invalidArgument,
                "a SAFEARRAY of " + std::to_string(numbers->size()) + " elements");
  }
  array.elementType = comVartype(numbers->type());
  array.numbers = std::move(numbers);
  return ComValue::array(std::move(array));
}

std::optional<ElementType> comElementType(uint16_t type) {
  switch (type) {
    case ComValue::vtI1: return ElementType::int8;
    case ComValue::vtUi1: return ElementType::uint8;
    case ComValue::vtI2: return ElementType::int16;
    case ComValue::vtUi2: return ElementType::uint16;
    case ComValue::vtI4:
    case ComValue::vtInt: return ElementType::int32;
    case ComValue::vtUi4:
    case ComValue::vtUint: return ElementType::uint32;
    case ComValue::vtI8: return ElementType::int64;
    case ComValue::vtUi8: return ElementType::uint64;
    case ComValue::vtR4: return ElementType::float32;
    case ComValue::vtR8: return ElementType::float64;
    default: return std::nullopt;
  }
}

uint16_t comVartype(ElementType type) {
  switch (type) {
    case ElementType::int8: return ComValue::vtI1;
    case ElementType::uint8: return ComValue::vtUi1;
    case ElementType::int16: return ComValue::vtI2;
    case ElementType::uint16: return ComValue::vtUi2;
    case ElementType::int32: return ComValue::vtI4;
    case ElementType::uint32: return ComValue::vtUi4;
    case ElementType::int64: return ComValue::vtI8;
    case ElementType::uint64: return ComValue::vtUi8;
    case ElementType::float32: return ComValue::vtR4;
    case ElementType::float64: return ComValue::vtR8;
  }
  return ComValue::vtVariant;
}

ComValue ComArray::element(size_t i) const {
  if (!numbers) return elements.at(i);
  const Value& number = numbers->elements().at(i);
  if (elementType == ComValue::vtR4 || elementType == ComValue::vtR8) {
    return ComValue::real(number.asDouble(), elementType);
  }
  if (number.kind() == Value::Kind::unsignedInteger) {
    return ComValue::unsignedInteger(number.asUint64(), elementType);
  }
  return ComValue::integer(number.asInt64(), elementType);
}

bool operator==(const ComArray& a, const ComArray& b) {
  if (a.lowerBounds != b.lowerBounds || a.counts != b.counts || a.elementType != b.elementType ||
      a.size() != b.size()) {
    return false;
  }
  if (a.numbers && b.numbers) return a.numbers->bytes().size() == b.numbers->bytes().size() &&
                                     std::equal(a.numbers->bytes().begin(), a.numbers->bytes().end(),
                                                b.numbers->bytes().begin());
  if (!a.numbers && !b.numbers) return a.elements == b.elements;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!(a.element(i) == b.element(i))) return false;
  }
  return true;
}

const ComArray& ComValue::asArray() const {
  if (kind_ != Kind::array) refuse("an array", *this);
  return *std::get<std::shared_ptr<const ComArray>>(payload_);
}

std::string ComValue::toString() const {
  char text[64];
  switch (kind_) {
    case Kind::empty: return "empty";
    case Kind::null: return "null";
    case Kind::boolean: return std::get<bool>(payload_) ? "true" : "false";
    case Kind::integer: return toLiteral(Value(std::get<int64_t>(payload_)));
    case Kind::unsignedInteger: return toLiteral(Value(std::get<uint64_t>(payload_)));
    case Kind::real: return toLiteral(Value(std::get<double>(payload_)));
    case Kind::string: return toLiteral(Value(std::get<std::string>(payload_)));
    case Kind::currency: {
      int64_t amount = std::get<int64_t>(payload_);
      uint64_t magnitude = amount < 0 ? 0 - uint64_t(amount) : uint64_t(amount);
      std::snprintf(text, sizeof text, "currency(%s%" PRIu64 ".%04" PRIu64 ")",
                    amount < 0 ? "-" : "", magnitude / 10000, magnitude % 10000);
      return text;
    }
    case Kind::date:
      return "date(" + toLiteral(Value(std::get<double>(payload_))) + ")";
    case Kind::error:
      std::snprintf(text, sizeof text, "error(0x%08" PRIX32 ")", uint32_t(asError()));
      return text;
    case Kind::object: return asObject() ? "object" : "null object";
    case Kind::array: {
      std::string out = "{";
      const ComArray& array = asArray();
      for (size_t i = 0; i < array.size(); ++i) {
        out += (out.size() > 1 ? ", " : "") + array.element(i).toString();
      }
      return out + "}";
    }
  }
  return "?";
}

bool operator==(const ComValue& a, const ComValue& b) {
  if (a.kind_ != b.kind_ || a.type_ != b.type_) return false;
  if (a.kind_ == ComValue::Kind::array) return a.asArray() == b.asArray();
  return a.payload_ == b.payload_;
}

}  // namespace bridge32
