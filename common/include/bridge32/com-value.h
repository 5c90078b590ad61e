// bridge32::ComValue: what an automation object takes and gives, a VARIANT as plain data: empty,
// null, a boolean, an integer, a floating-point number, currency, a date, a UTF-8 string, an
// error code (SCODE), an object, or an array (a SAFEARRAY) of these.
//
// Each value keeps its VARTYPE, so that a value goes back to an object as the type it came as (a
// VT_I2 stays a VT_I2). Values are plain data but for objects, which are shared references.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

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
std::optional<ElementType> comElementType(uint16_t type);
uint16_t comVartype(ElementType type);

}  // namespace bridge32
