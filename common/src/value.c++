#include "bridge32/value.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "bridge32/error.h"
#include "library/c-literals.h"

namespace bridge32 {

namespace {

// The value as a C literal for an error message, cut short: a whole array would drown the
// message.
std::string shortText(const Value& value) {
  constexpr size_t kMaxChars = 40;
  std::string text = library::printLiteral(value);
  if (text.size() > kMaxChars) text = text.substr(0, kMaxChars) + "...";
  return text;
}

[[noreturn]] void throwExpected(std::string_view expected, const Value& got) {
  throw Error(Error::Kind::invalidArgument, "expected " + std::string(expected) + ", got " +
                                                std::string(toString(got.kind())) + " " +
                                                shortText(got));
}

}  // namespace

Value::Value() noexcept = default;
Value::Value(std::nullptr_t) noexcept {}
Value::Value(bool value) noexcept : data_(value) {}
Value::Value(double value) noexcept : data_(value) {}
Value::Value(std::string text) noexcept : data_(std::move(text)) {}
Value::Value(std::string_view text) : data_(std::string(text)) {}
Value::Value(const char* text) : data_(std::string(text)) {}
Value::Value(std::vector<Value> elements) noexcept : data_(std::move(elements)) {}
Value::Value(ElementType type, std::vector<std::byte> bytes)
    : data_(std::make_shared<const TypedArray>(type, std::move(bytes))) {}
Value::Value(std::shared_ptr<const TypedArray> array) noexcept : data_(std::move(array)) {}
Value::Value(std::vector<Field> fields) noexcept : data_(std::move(fields)) {}
Value::Value(Handle handle) noexcept : data_(handle) {}
Value::Value(const Value&) = default;
Value::Value(Value&&) noexcept = default;
Value& Value::operator=(const Value&) = default;
Value& Value::operator=(Value&&) noexcept = default;
Value::~Value() = default;

Value::Kind Value::kind() const noexcept {
  // The variant's alternatives are listed in the order of Kind, then the typed array.
  if (isTypedArray()) return Kind::array;
  return Kind(data_.index());
}

bool Value::isTypedArray() const noexcept {
  return std::holds_alternative<std::shared_ptr<const TypedArray>>(data_);
}

size_t elementSize(ElementType type) {
  switch (type) {
    case ElementType::int8:
    case ElementType::uint8: return 1;
    case ElementType::int16:
    case ElementType::uint16: return 2;
    case ElementType::int32:
    case ElementType::uint32:
    case ElementType::float32: return 4;
    case ElementType::int64:
    case ElementType::uint64:
    case ElementType::float64: return 8;
  }
  return 1;
}

std::string_view toString(ElementType type) {
  switch (type) {
    case ElementType::int8: return "int8_t";
    case ElementType::uint8: return "uint8_t";
    case ElementType::int16: return "int16_t";
    case ElementType::uint16: return "uint16_t";
    case ElementType::int32: return "int32_t";
    case ElementType::uint32: return "uint32_t";
    case ElementType::int64: return "int64_t";
    case ElementType::uint64: return "uint64_t";
    case ElementType::float32: return "float";
    case ElementType::float64: return "double";
  }
  return "unknown";
}

namespace {

void requireWholeElements(ElementType type, size_t bytes) {
  if (bytes % elementSize(type) != 0) {
    throw Error(Error::Kind::invalidArgument,
                "an array of " + std::string(toString(type)) + " of " + std::to_string(bytes) +
                    " bytes, not a whole number of elements");
  }
}

}  // namespace

Value::TypedArray::TypedArray(ElementType type, std::vector<std::byte> bytes)
    : type_(type), owned_(std::move(bytes)), bytes_(owned_) {
  requireWholeElements(type, owned_.size());
}

Value::TypedArray::TypedArray(ElementType type, std::span<const std::byte> bytes,
                              std::shared_ptr<const void> owner)
    : type_(type), owner_(std::move(owner)), bytes_(bytes) {
  requireWholeElements(type, bytes.size());
  if (reinterpret_cast<uintptr_t>(bytes.data()) % elementSize(type) != 0) {
    throw Error(Error::Kind::invalidArgument, "an array of " + std::string(toString(type)) +
                                                  " at an address not aligned for them");
  }
}

void Value::TypedArray::requireType(ElementType wanted) const {
  if (wanted != type_) {
    throw Error(Error::Kind::invalidArgument, "expected an array of " +
                                                  std::string(toString(wanted)) + ", got one of " +
                                                  std::string(toString(type_)));
  }
}

namespace {

template <typename T>
void appendElements(std::span<const std::byte> bytes, std::vector<Value>& out) {
  out.reserve(bytes.size() / sizeof(T));
  for (size_t at = 0; at < bytes.size(); at += sizeof(T)) {
    T element;
    std::memcpy(&element, bytes.data() + at, sizeof(T));
    if constexpr (std::is_floating_point_v<T>) out.emplace_back(double(element));
    else out.emplace_back(element);
  }
}

}  // namespace

const std::vector<Value>& Value::TypedArray::elements() const {
  std::call_once(made_, [this] {
    switch (type_) {
      case ElementType::int8: appendElements<int8_t>(bytes_, elements_); break;
      case ElementType::uint8: appendElements<uint8_t>(bytes_, elements_); break;
      case ElementType::int16: appendElements<int16_t>(bytes_, elements_); break;
      case ElementType::uint16: appendElements<uint16_t>(bytes_, elements_); break;
      case ElementType::int32: appendElements<int32_t>(bytes_, elements_); break;
      case ElementType::uint32: appendElements<uint32_t>(bytes_, elements_); break;
      case ElementType::int64: appendElements<int64_t>(bytes_, elements_); break;
      case ElementType::uint64: appendElements<uint64_t>(bytes_, elements_); break;
      case ElementType::float32: appendElements<float>(bytes_, elements_); break;
      case ElementType::float64: appendElements<double>(bytes_, elements_); break;
    }
  });
  return elements_;
}

bool Value::isInteger() const noexcept {
  return kind() == Kind::signedInteger || kind() == Kind::unsignedInteger;
}

bool Value::asBool() const {
  if (!isBool()) throwExpected("a bool", *this);
  return std::get<bool>(data_);
}

int64_t Value::asInt64() const {
  if (auto* value = std::get_if<int64_t>(&data_)) return *value;
  if (auto* value = std::get_if<uint64_t>(&data_)) {
    if (*value <= uint64_t(std::numeric_limits<int64_t>::max())) return int64_t(*value);
  }
  throwExpected("an integer from -2^63 to 2^63-1", *this);
}

uint64_t Value::asUint64() const {
  if (auto* value = std::get_if<uint64_t>(&data_)) return *value;
  if (auto* value = std::get_if<int64_t>(&data_)) {
    if (*value >= 0) return uint64_t(*value);
  }
  throwExpected("an integer from 0 to 2^64-1", *this);
}

double Value::asDouble() const {
  if (auto* value = std::get_if<double>(&data_)) return *value;
  // Only integers that survive the trip to double and back: 2^53 + 1 would silently change.
  if (auto* value = std::get_if<int64_t>(&data_)) {
    double converted = double(*value);
    if (converted < 0x1p63 && int64_t(converted) == *value) return converted;
  }
  if (auto* value = std::get_if<uint64_t>(&data_)) {
    double converted = double(*value);
    if (converted < 0x1p64 && uint64_t(converted) == *value) return converted;
  }
  throwExpected("a floating-point number", *this);
}

const std::string& Value::asString() const {
  if (!isString()) throwExpected("a string", *this);
  return std::get<std::string>(data_);
}

const std::vector<Value>& Value::asArray() const {
  if (auto* typed = std::get_if<std::shared_ptr<const TypedArray>>(&data_)) {
    return (*typed)->elements();
  }
  if (!isArray()) throwExpected("an array", *this);
  return std::get<std::vector<Value>>(data_);
}

const std::shared_ptr<const Value::TypedArray>& Value::asTypedArray() const {
  if (!isTypedArray()) throwExpected("an array of numbers held as bytes", *this);
  return std::get<std::shared_ptr<const TypedArray>>(data_);
}

const std::vector<Value::Field>& Value::asStruct() const {
  if (!isStruct()) throwExpected("a struct", *this);
  return std::get<std::vector<Field>>(data_);
}

Value::Handle Value::asHandle() const {
  if (!isHandle()) throwExpected("a handle", *this);
  return std::get<Handle>(data_);
}

size_t Value::size() const {
  if (isTypedArray()) return asTypedArray()->size();
  if (isArray()) return asArray().size();
  if (isStruct()) return asStruct().size();
  throwExpected("an array or a struct", *this);
}

const Value& Value::operator[](size_t index) const {
  size_t count = size();
  if (index >= count) {
    throw Error(Error::Kind::invalidArgument, "element " + std::to_string(index) +
                                                  " of a value with " + std::to_string(count));
  }
  return isArray() ? asArray()[index] : asStruct()[index].value;
}

const Value& Value::field(std::string_view name) const {
  for (const Field& field : asStruct()) {
    if (field.name == name) return field.value;
  }
  throw Error(Error::Kind::invalidArgument,
              "no field '" + std::string(name) + "' in " + shortText(*this));
}

bool operator==(const Value& a, const Value& b) {
  if (a.isInteger() && b.isInteger()) {
    // Compare as numbers: a negative signed value equals no unsigned one.
    bool aNegative = a.kind() == Value::Kind::signedInteger && a.asInt64() < 0;
    bool bNegative = b.kind() == Value::Kind::signedInteger && b.asInt64() < 0;
    if (aNegative || bNegative) return aNegative && bNegative && a.asInt64() == b.asInt64();
    return a.asUint64() == b.asUint64();
  }
  if (a.isFloating() && b.isFloating()) {
    double x = a.asDouble(), y = b.asDouble();
    if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
    return std::bit_cast<uint64_t>(x) == std::bit_cast<uint64_t>(y);
  }
  if (a.isTypedArray() && b.isTypedArray()) {
    const auto& x = *a.asTypedArray();
    const auto& y = *b.asTypedArray();
    bool sameBytes = x.type() == y.type() && x.bytes().size() == y.bytes().size() &&
                     (x.bytes().empty() ||
                      std::memcmp(x.bytes().data(), y.bytes().data(), x.bytes().size()) == 0);
    if (sameBytes) return true;
  }
  if (a.isArray() && b.isArray() && (a.isTypedArray() || b.isTypedArray())) {
    return a.asArray() == b.asArray();  // element by element, as numbers
  }
  return a.data_ == b.data_;
}

std::string_view toString(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::null: return "null";
    case Value::Kind::boolean: return "bool";
    case Value::Kind::signedInteger:
    case Value::Kind::unsignedInteger: return "integer";
    case Value::Kind::floating: return "floating";
    case Value::Kind::string: return "string";
    case Value::Kind::array: return "array";
    case Value::Kind::structure: return "struct";
    case Value::Kind::handle: return "handle";
  }
  return "unknown";
}

std::string_view toString(Value::HandleKind kind) {
  switch (kind) {
    case Value::HandleKind::pointer: return "pointer";
    case Value::HandleKind::kernel: return "kernel handle";
    case Value::HandleKind::module: return "module handle";
    case Value::HandleKind::window: return "window handle";
    case Value::HandleKind::hostKernel: return "host kernel handle";
  }
  return "unknown";
}

}  // namespace bridge32
