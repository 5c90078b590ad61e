// bridge32::ComValue: what an automation object takes and gives, a VARIANT as plain data: empty,
// null, a boolean, an integer, a floating-point number, currency, a date, a UTF-8 string, an
// error code (SCODE), an object, or an array (a SAFEARRAY) of these.
//
// Each value keeps its VARTYPE, so that a value goes back to an object as the type it came as (a
// VT_I2 stays a VT_I2). Values are plain data but for objects, which are shared references.
#pragma once

#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "bridge32/error.h"
#include "bridge32/value.h"

namespace bridge32 {

// What an object value refers to: on the host's side a bridged object (bridge32::ComObject), in
// the surrogate the COM object itself.
class ComReference {
 public:
  virtual ~ComReference() = default;
};

struct ComArray;

class ComValue {
 public:
  enum class Kind { empty, null, boolean, integer, unsignedInteger, real, currency, date, string,
                    error, object, array };

  // The VARTYPEs automation uses, numbered as COM numbers them (VT_*).
  enum Type : uint16_t {
    vtEmpty = 0, vtNull = 1, vtI2 = 2, vtI4 = 3, vtR4 = 4, vtR8 = 5, vtCy = 6, vtDate = 7,
    vtBstr = 8, vtDispatch = 9, vtError = 10, vtBool = 11, vtVariant = 12, vtUnknown = 13,
    vtI1 = 16, vtUi1 = 17, vtUi2 = 18, vtUi4 = 19, vtI8 = 20, vtUi8 = 21, vtInt = 22, vtUint = 23,
  };

  ComValue() = default;  // empty (VT_EMPTY)
  ComValue(bool value);
  ComValue(int32_t value);  // VT_I4
  ComValue(double value);   // VT_R8
  ComValue(std::string text);
  ComValue(std::string_view text);
  ComValue(const char* text);
  ComValue(std::vector<ComValue> elements);  // a one-dimensional VT_VARIANT array from 0

  static ComValue null();
  // An integer of VARTYPE `type` (VT_I1, I2, I4, I8, INT). Throws Error(invalidArgument) for
  // another type or a value that does not fit it; likewise the others.
  static ComValue integer(int64_t value, uint16_t type = vtI4);
  static ComValue unsignedInteger(uint64_t value, uint16_t type = vtUi4);  // VT_UI1 ... UINT
  static ComValue real(double value, uint16_t type = vtR8);                // VT_R4, R8
  static ComValue currency(int64_t tenThousandths);  // VT_CY: 1.5 is 15000
  static ComValue date(double days);                 // VT_DATE: days since 1899-12-30
  static ComValue error(int32_t scode);              // VT_ERROR
  // An object; a null `object` is a null VT_DISPATCH.
  static ComValue object(std::shared_ptr<ComReference> object);
  static ComValue array(ComArray array);
  // A one-dimensional array from 0 of numbers, held as their bytes: VT_I1 ... VT_UI8, VT_R4 or
  // VT_R8 as the element type says (what arrays of numbers from COM are too).
  static ComValue array(std::shared_ptr<const Value::TypedArray> numbers);
  template <Element T>
  static ComValue array(std::span<const T> numbers) {
    return array(Value(numbers).asTypedArray());
  }

  Kind kind() const { return kind_; }
  uint16_t type() const { return type_; }  // VT_ARRAY | element type for arrays
  bool isEmpty() const { return kind_ == Kind::empty; }

  // The accessors throw Error(invalidArgument, "expected <kind>, got <value>") for a value of
  // another kind. asInt64 takes any integer that fits, asDouble any integer or real number.
  bool asBool() const;
  int64_t asInt64() const;
  uint64_t asUint64() const;
  double asDouble() const;
  int64_t asCurrency() const;
  double asDate() const;
  const std::string& asString() const;
  int32_t asError() const;
  const std::shared_ptr<ComReference>& asObject() const;
  const ComArray& asArray() const;

  // The value in bridge32's literal syntax, as `bridge32 com call` prints it: numbers, true and
  // false, strings as C string literals, {a, b} for arrays, and empty, null, error(0x...),
  // currency(1.5), date(...), object for the rest.
  std::string toString() const;

  friend bool operator==(const ComValue& a, const ComValue& b);

 private:
  ComValue(Kind kind, uint16_t type) : kind_(kind), type_(type) {}

  Kind kind_ = Kind::empty;
  uint16_t type_ = vtEmpty;
  std::variant<std::monostate, bool, int64_t, uint64_t, double, std::string,
               std::shared_ptr<ComReference>, std::shared_ptr<const ComArray>>
      payload_;
};

// A SAFEARRAY: bounds per dimension (the first first) and the elements in the order COM stores
// them (the first dimension varying fastest), all of VARTYPE `elementType`.
//
// The elements are ComValues, or, for an array of a number type (VT_I1 ... VT_UI8, VT_INT,
// VT_UINT, VT_R4, VT_R8), may be their bytes in `numbers` instead, which cross the bridge and
// become a SAFEARRAY's data in one copy (arrays of numbers from COM come as these): one of the
// two holds them, the other is empty.
struct ComArray {
  std::vector<int32_t> lowerBounds;
  std::vector<uint32_t> counts;
  std::vector<ComValue> elements;
  std::shared_ptr<const Value::TypedArray> numbers;
  uint16_t elementType = ComValue::vtVariant;

  size_t size() const { return numbers ? numbers->size() : elements.size(); }
  // The i-th element, from either form.
  ComValue element(size_t i) const;

  // Element by element, whichever form holds them.
  friend bool operator==(const ComArray& a, const ComArray& b);
};

// The numbers an array of VARTYPE `type` holds as bytes, if it is a number type; and back.
inline std::optional<ElementType> comElementType(uint16_t type);
inline uint16_t comVartype(ElementType type);

// ---- Definitions -----------------------------------------------------------------------------

namespace detail {

inline std::string_view kindName(ComValue::Kind kind) {
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

[[noreturn]] inline void refuse(std::string_view expected, const ComValue& got) {
  throw Error(Error::Kind::invalidArgument, "expected " + std::string(expected) + ", got " +
                                                std::string(kindName(got.kind())) + " " +
                                                got.toString());
}

// The range of a signed or unsigned integer VARTYPE; false for a type that is not one.
inline bool signedRange(uint16_t type, int64_t& low, int64_t& high) {
  switch (type) {
    case ComValue::vtI1: low = INT8_MIN, high = INT8_MAX; return true;
    case ComValue::vtI2: low = INT16_MIN, high = INT16_MAX; return true;
    case ComValue::vtI4:
    case ComValue::vtInt: low = INT32_MIN, high = INT32_MAX; return true;
    case ComValue::vtI8: low = INT64_MIN, high = INT64_MAX; return true;
  }
  return false;
}

inline bool unsignedRange(uint16_t type, uint64_t& high) {
  switch (type) {
    case ComValue::vtUi1: high = UINT8_MAX; return true;
    case ComValue::vtUi2: high = UINT16_MAX; return true;
    case ComValue::vtUi4:
    case ComValue::vtUint: high = UINT32_MAX; return true;
    case ComValue::vtUi8: high = UINT64_MAX; return true;
  }
  return false;
}

}  // namespace detail

inline ComValue::ComValue(bool value) : ComValue(Kind::boolean, vtBool) { payload_ = value; }
inline ComValue::ComValue(int32_t value) : ComValue(Kind::integer, vtI4) {
  payload_ = int64_t(value);
}
inline ComValue::ComValue(double value) : ComValue(Kind::real, vtR8) { payload_ = value; }
inline ComValue::ComValue(std::string text) : ComValue(Kind::string, vtBstr) {
  payload_ = std::move(text);
}
inline ComValue::ComValue(std::string_view text) : ComValue(std::string(text)) {}
inline ComValue::ComValue(const char* text) : ComValue(std::string(text)) {}
inline ComValue::ComValue(std::vector<ComValue> elements) {
  ComArray array;
  array.lowerBounds = {0};
  array.counts = {uint32_t(elements.size())};
  array.elements = std::move(elements);
  *this = ComValue::array(std::move(array));
}

inline ComValue ComValue::null() { return ComValue(Kind::null, vtNull); }

inline ComValue ComValue::integer(int64_t value, uint16_t type) {
  int64_t low = 0, high = 0;
  if (!detail::signedRange(type, low, high)) {
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

inline ComValue ComValue::unsignedInteger(uint64_t value, uint16_t type) {
  uint64_t high = 0;
  if (!detail::unsignedRange(type, high)) {
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

inline ComValue ComValue::real(double value, uint16_t type) {
  if (type != vtR4 && type != vtR8) {
    throw Error(Error::Kind::invalidArgument,
                "VARTYPE " + std::to_string(type) + " is not a floating-point type");
  }
  ComValue result(Kind::real, type);
  result.payload_ = type == vtR4 ? double(float(value)) : value;
  return result;
}

inline ComValue ComValue::currency(int64_t tenThousandths) {
  ComValue result(Kind::currency, vtCy);
  result.payload_ = tenThousandths;
  return result;
}

inline ComValue ComValue::date(double days) {
  ComValue result(Kind::date, vtDate);
  result.payload_ = days;
  return result;
}

inline ComValue ComValue::error(int32_t scode) {
  ComValue result(Kind::error, vtError);
  result.payload_ = int64_t(scode);
  return result;
}

inline ComValue ComValue::object(std::shared_ptr<ComReference> object) {
  ComValue result(Kind::object, vtDispatch);
  result.payload_ = std::move(object);
  return result;
}

inline ComValue ComValue::array(ComArray array) {
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

inline bool ComValue::asBool() const {
  if (kind_ != Kind::boolean) detail::refuse("a boolean", *this);
  return std::get<bool>(payload_);
}

inline int64_t ComValue::asInt64() const {
  if (kind_ == Kind::integer) return std::get<int64_t>(payload_);
  if (kind_ == Kind::unsignedInteger &&
      std::get<uint64_t>(payload_) <= uint64_t(std::numeric_limits<int64_t>::max())) {
    return int64_t(std::get<uint64_t>(payload_));
  }
  detail::refuse("an integer", *this);
}

inline uint64_t ComValue::asUint64() const {
  if (kind_ == Kind::unsignedInteger) return std::get<uint64_t>(payload_);
  if (kind_ == Kind::integer && std::get<int64_t>(payload_) >= 0) {
    return uint64_t(std::get<int64_t>(payload_));
  }
  detail::refuse("an unsigned integer", *this);
}

inline double ComValue::asDouble() const {
  if (kind_ == Kind::real) return std::get<double>(payload_);
  if (kind_ == Kind::integer) return double(std::get<int64_t>(payload_));
  if (kind_ == Kind::unsignedInteger) return double(std::get<uint64_t>(payload_));
  detail::refuse("a number", *this);
}

inline int64_t ComValue::asCurrency() const {
  if (kind_ != Kind::currency) detail::refuse("currency", *this);
  return std::get<int64_t>(payload_);
}

inline double ComValue::asDate() const {
  if (kind_ != Kind::date) detail::refuse("a date", *this);
  return std::get<double>(payload_);
}

inline const std::string& ComValue::asString() const {
  if (kind_ != Kind::string) detail::refuse("a string", *this);
  return std::get<std::string>(payload_);
}

inline int32_t ComValue::asError() const {
  if (kind_ != Kind::error) detail::refuse("an error code", *this);
  return int32_t(std::get<int64_t>(payload_));
}

inline const std::shared_ptr<ComReference>& ComValue::asObject() const {
  if (kind_ != Kind::object) detail::refuse("an object", *this);
  return std::get<std::shared_ptr<ComReference>>(payload_);
}

inline ComValue ComValue::array(std::shared_ptr<const Value::TypedArray> numbers) {
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

inline std::optional<ElementType> comElementType(uint16_t type) {
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

inline uint16_t comVartype(ElementType type) {
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

inline ComValue ComArray::element(size_t i) const {
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

inline bool operator==(const ComArray& a, const ComArray& b) {
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

inline const ComArray& ComValue::asArray() const {
  if (kind_ != Kind::array) detail::refuse("an array", *this);
  return *std::get<std::shared_ptr<const ComArray>>(payload_);
}

inline std::string ComValue::toString() const {
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

inline bool operator==(const ComValue& a, const ComValue& b) {
  if (a.kind_ != b.kind_ || a.type_ != b.type_) return false;
  if (a.kind_ == ComValue::Kind::array) return a.asArray() == b.asArray();
  return a.payload_ == b.payload_;
}

}  // namespace bridge32
