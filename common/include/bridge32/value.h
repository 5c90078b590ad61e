// bridge32::Value: one argument or result of a DLL function called by declaration, as tools and
// language bindings see it: null, a bool, an integer, a floating-point number, a UTF-8 string, an
// array, a struct (ordered named fields) or a handle (a pointer value the DLL handed out, or a
// kernel, module or window handle).
//
// Values are plain data: copy them freely, compare them with ==. No function here is tied to a
// thread; a Value is as thread-safe as a std::vector (concurrent reads are fine).
//
// An array of numbers of one type is held as their bytes (Value::TypedArray), which a call
// copies with memcpy, not element by element; copies of the Value share them. It is an array
// like any other: asArray() gives its elements as Values (made once, on first use).
#pragma once

#include <bit>
#include <charconv>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "bridge32/error.h"
#include "bridge32/types.h"

namespace bridge32 {

class Value;

// The C types a TypedArray holds.
enum class ElementType { int8, uint8, int16, uint16, int32, uint32, int64, uint64, float32,
                         float64 };
inline size_t elementSize(ElementType type);
inline std::string_view toString(ElementType type);  // "int8_t", ..., "float", "double"

// The ElementType of an integer of `bytes` bytes, if there is one.
constexpr std::optional<ElementType> integerElementType(size_t bytes, bool isSigned) {
  switch (bytes) {
    case 1: return isSigned ? ElementType::int8 : ElementType::uint8;
    case 2: return isSigned ? ElementType::int16 : ElementType::uint16;
    case 4: return isSigned ? ElementType::int32 : ElementType::uint32;
    case 8: return isSigned ? ElementType::int64 : ElementType::uint64;
    default: return std::nullopt;
  }
}

// The ElementType of a C++ arithmetic type, if it has one (bool and long double have none).
template <typename T>
constexpr std::optional<ElementType> elementTypeOf() {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<U, float>) return ElementType::float32;
  else if constexpr (std::is_same_v<U, double>) return ElementType::float64;
  else if constexpr (std::is_integral_v<U> && !std::is_same_v<U, bool>) {
    return integerElementType(sizeof(U), std::is_signed_v<U>);
  }
  return std::nullopt;
}

template <typename T>
concept Element = elementTypeOf<T>().has_value();

class Value {
 public:
  enum class Kind { null, boolean, signedInteger, unsignedInteger, floating, string, array,
                    structure, handle };

  // What a handle value stands for. Window handles mean something in every process (only their
  // low 32 bits are significant); pointers, kernel and module handles only in the process that
  // runs the DLL, which is where the ones a DLL hands out come from: give them back as they are.
  // hostKernel is a kernel handle of the application's own (an event, a file, a mapping), which
  // bridge32 duplicates into the DLL's process for the call it is given to (see
  // bridge32/library.h); Library::duplicateHandle goes the other way.
  enum class HandleKind { pointer, kernel, module, window, hostKernel };

  struct Handle {
    Handle() = default;
    Handle(uint64_t value, HandleKind kind = HandleKind::pointer,
           std::shared_ptr<const std::string> text = nullptr)
        : value(value), kind(kind), text(std::move(text)) {}

    uint64_t value = 0;
    HandleKind kind = HandleKind::pointer;
    // The text it points to, when the declaration says the library's pointer is to a string
    // (_Outptr_result_z_): the pointer to give back to its free function, and what it says.
    // (Held apart, so that a Value stays as small as a string.)
    std::shared_ptr<const std::string> text;
    friend bool operator==(const Handle& a, const Handle& b) {
      return a.value == b.value && a.kind == b.kind &&
             (a.text && b.text ? *a.text == *b.text : a.text == b.text);
    }
  };

  struct Field;  // {name, value}: defined below, since it holds a Value

  // Numbers of one type, as their bytes (native byte order, packed). Immutable once made.
  class TypedArray {
   public:
    // `bytes` must be a whole number of elements.
    TypedArray(ElementType type, std::vector<std::byte> bytes);
    // A view of `bytes`, aligned for the element type, which `owner` keeps alive and nothing
    // changes while the array lives (memory shared with the other process for one call, say).
    TypedArray(ElementType type, std::span<const std::byte> bytes, std::shared_ptr<const void> owner);
    ElementType type() const noexcept { return type_; }
    size_t size() const noexcept { return bytes_.size() / elementSize(type_); }
    std::span<const std::byte> bytes() const noexcept { return bytes_; }
    // The elements as T, which must be the element type's own (checked: Error otherwise).
    template <Element T>
    std::span<const T> as() const;
    // The elements as Values, made on first use.
    const std::vector<Value>& elements() const;

   private:
    void requireType(ElementType wanted) const;
    ElementType type_;
    std::vector<std::byte> owned_;          // the bytes, unless a view
    std::shared_ptr<const void> owner_;     // a view's
    std::span<const std::byte> bytes_;      // owned_'s or the view's
    mutable std::once_flag made_;
    mutable std::vector<Value> elements_;
  };

  Value() noexcept;  // null, which also stands for "void"
  Value(std::nullptr_t) noexcept;
  Value(bool value) noexcept;
  // Any integer type but bool (char too: it is an integer in C).
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  Value(T value) noexcept;
  Value(double value) noexcept;
  Value(std::string text) noexcept;  // UTF-8
  Value(std::string_view text);
  Value(const char* text);
  Value(std::vector<Value> elements) noexcept;
  // An array of numbers, copied once into a TypedArray.
  template <Element T>
  Value(std::span<const T> elements);
  template <Element T>
  Value(const std::vector<T>& elements) : Value(std::span<const T>(elements)) {}
  Value(ElementType type, std::vector<std::byte> bytes);
  Value(std::shared_ptr<const TypedArray> array) noexcept;
  Value(std::vector<Field> fields) noexcept;
  Value(Handle handle) noexcept;

  Value(const Value&);
  Value(Value&&) noexcept;
  Value& operator=(const Value&);
  Value& operator=(Value&&) noexcept;
  ~Value();

  Kind kind() const noexcept;
  bool isNull() const noexcept { return kind() == Kind::null; }
  bool isBool() const noexcept { return kind() == Kind::boolean; }
  // Signed or unsigned.
  bool isInteger() const noexcept;
  bool isFloating() const noexcept { return kind() == Kind::floating; }
  bool isString() const noexcept { return kind() == Kind::string; }
  bool isArray() const noexcept { return kind() == Kind::array; }
  // An array held as a TypedArray (an array of numbers may also be held as Values).
  bool isTypedArray() const noexcept;
  bool isStruct() const noexcept { return kind() == Kind::structure; }
  bool isHandle() const noexcept { return kind() == Kind::handle; }

  // The accessors throw Error(invalidArgument, "expected <kind>, got <this value>") for a value
  // of another kind. Integers convert between signedness when the number fits; asDouble also
  // takes an integer that a double holds exactly.
  bool asBool() const;
  int64_t asInt64() const;
  uint64_t asUint64() const;
  double asDouble() const;
  const std::string& asString() const;
  const std::vector<Value>& asArray() const;  // a TypedArray's elements too (made once)
  const std::shared_ptr<const TypedArray>& asTypedArray() const;
  const std::vector<Field>& asStruct() const;
  Handle asHandle() const;

  // Arrays and structs: the number of elements or fields, and one by position. Throws
  // Error(invalidArgument) for another kind or a position out of range.
  size_t size() const;
  const Value& operator[](size_t index) const;
  // A struct's field by name; throws Error(invalidArgument) if the struct has none of that name.
  const Value& field(std::string_view name) const;

  // Structural equality. Integers compare by number whatever their signedness (5 == 5u);
  // floating values compare by bits, so that -0.0 != 0.0 and NaN == NaN: "the same value", which
  // is what a round trip must keep, not IEEE comparison.
  friend bool operator==(const Value& a, const Value& b);

 private:
  // In the order of Kind, then the TypedArray (an array).
  std::variant<std::monostate, bool, int64_t, uint64_t, double, std::string, std::vector<Value>,
               std::vector<Field>, Handle, std::shared_ptr<const TypedArray>>
      data_;
};

struct Value::Field {
  std::string name;  // may be empty (a positional member)
  Value value;
  friend bool operator==(const Field&, const Field&) = default;
};

// Defined here, where Field is complete: assigning the variant needs every alternative's
// destructor, std::vector<Field>'s among them (Clang instantiates it where the body is).
template <std::integral T>
  requires(!std::same_as<T, bool>)
Value::Value(T value) noexcept {
  if constexpr (std::is_signed_v<T>) data_ = int64_t(value);
  else data_ = uint64_t(value);
}

template <Element T>
std::span<const T> Value::TypedArray::as() const {
  requireType(*elementTypeOf<T>());
  return {reinterpret_cast<const T*>(bytes_.data()), size()};
}

template <Element T>
Value::Value(std::span<const T> elements) {
  auto bytes = std::as_bytes(elements);
  data_ = std::make_shared<const TypedArray>(*elementTypeOf<T>(),
                                             std::vector<std::byte>(bytes.begin(), bytes.end()));
}

// "null", "bool", "integer", "floating", "string", "array", "struct", "handle".
inline std::string_view toString(Value::Kind kind);
// "pointer", "kernel handle", "module handle", "window handle".
inline std::string_view toString(Value::HandleKind kind);

// A value as C writes it: 42, 1.5, "text" (escaped), {1, 2}, {.x = 1, .y = 2}, 0x1234 (a handle,
// with the text it points to in a comment), NULL, true.
inline std::string toLiteral(const Value& value);

// ---- Definitions -----------------------------------------------------------------------------

namespace detail {

inline std::string octalEscape(unsigned char byte) {
  char text[5] = {'\\', char('0' + (byte >> 6)), char('0' + ((byte >> 3) & 7)),
                  char('0' + (byte & 7)), 0};
  return text;
}

inline std::string printString(std::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size();) {
    unsigned char byte = static_cast<unsigned char>(text[i]);
    switch (byte) {
      case '"': out += "\\\""; ++i; continue;
      case '\\': out += "\\\\"; ++i; continue;
      case '\n': out += "\\n"; ++i; continue;
      case '\r': out += "\\r"; ++i; continue;
      case '\t': out += "\\t"; ++i; continue;
      default: break;
    }
    if (byte < 0x20 || byte == 0x7F) {
      out += octalEscape(byte);
      ++i;
    } else if (size_t length = utf8SequenceLength(text, i)) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      out += octalEscape(byte);
      ++i;
    }
  }
  return out + "\"";
}

inline std::string printHandle(uint64_t value) {
  char buffer[24];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value, 16);
  return "0x" + std::string(buffer, end);
}

}  // namespace detail


namespace detail {

// The value as a C literal for an error message, cut short: a whole array would drown the
// message.
inline std::string shortText(const Value& value) {
  constexpr size_t kMaxChars = 40;
  std::string text = toLiteral(value);
  if (text.size() > kMaxChars) text = text.substr(0, kMaxChars) + "...";
  return text;
}

[[noreturn]] inline void throwExpected(std::string_view expected, const Value& got) {
  throw Error(Error::Kind::invalidArgument, "expected " + std::string(expected) + ", got " +
                                                std::string(toString(got.kind())) + " " +
                                                detail::shortText(got));
}

}  // namespace detail

inline Value::Value() noexcept = default;
inline Value::Value(std::nullptr_t) noexcept {}
inline Value::Value(bool value) noexcept : data_(value) {}
inline Value::Value(double value) noexcept : data_(value) {}
inline Value::Value(std::string text) noexcept : data_(std::move(text)) {}
inline Value::Value(std::string_view text) : data_(std::string(text)) {}
inline Value::Value(const char* text) : data_(std::string(text)) {}
inline Value::Value(std::vector<Value> elements) noexcept : data_(std::move(elements)) {}
inline Value::Value(ElementType type, std::vector<std::byte> bytes)
    : data_(std::make_shared<const TypedArray>(type, std::move(bytes))) {}
inline Value::Value(std::shared_ptr<const TypedArray> array) noexcept : data_(std::move(array)) {}
inline Value::Value(std::vector<Field> fields) noexcept : data_(std::move(fields)) {}
inline Value::Value(Handle handle) noexcept : data_(handle) {}
inline Value::Value(const Value&) = default;
inline Value::Value(Value&&) noexcept = default;
inline Value& Value::operator=(const Value&) = default;
inline Value& Value::operator=(Value&&) noexcept = default;
inline Value::~Value() = default;

inline Value::Kind Value::kind() const noexcept {
  // The variant's alternatives are listed in the order of Kind, then the typed array.
  if (isTypedArray()) return Kind::array;
  return Kind(data_.index());
}

inline bool Value::isTypedArray() const noexcept {
  return std::holds_alternative<std::shared_ptr<const TypedArray>>(data_);
}

inline size_t elementSize(ElementType type) {
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

inline std::string_view toString(ElementType type) {
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

namespace detail {

inline void requireWholeElements(ElementType type, size_t bytes) {
  if (bytes % elementSize(type) != 0) {
    throw Error(Error::Kind::invalidArgument,
                "an array of " + std::string(toString(type)) + " of " + std::to_string(bytes) +
                    " bytes, not a whole number of elements");
  }
}

}  // namespace detail

inline Value::TypedArray::TypedArray(ElementType type, std::vector<std::byte> bytes)
    : type_(type), owned_(std::move(bytes)), bytes_(owned_) {
  detail::requireWholeElements(type, owned_.size());
}

inline Value::TypedArray::TypedArray(ElementType type, std::span<const std::byte> bytes,
                              std::shared_ptr<const void> owner)
    : type_(type), owner_(std::move(owner)), bytes_(bytes) {
  detail::requireWholeElements(type, bytes.size());
  if (reinterpret_cast<uintptr_t>(bytes.data()) % elementSize(type) != 0) {
    throw Error(Error::Kind::invalidArgument, "an array of " + std::string(toString(type)) +
                                                  " at an address not aligned for them");
  }
}

inline void Value::TypedArray::requireType(ElementType wanted) const {
  if (wanted != type_) {
    throw Error(Error::Kind::invalidArgument, "expected an array of " +
                                                  std::string(toString(wanted)) + ", got one of " +
                                                  std::string(toString(type_)));
  }
}

namespace detail {

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

}  // namespace detail

inline const std::vector<Value>& Value::TypedArray::elements() const {
  std::call_once(made_, [this] {
    switch (type_) {
      case ElementType::int8: detail::appendElements<int8_t>(bytes_, elements_); break;
      case ElementType::uint8: detail::appendElements<uint8_t>(bytes_, elements_); break;
      case ElementType::int16: detail::appendElements<int16_t>(bytes_, elements_); break;
      case ElementType::uint16: detail::appendElements<uint16_t>(bytes_, elements_); break;
      case ElementType::int32: detail::appendElements<int32_t>(bytes_, elements_); break;
      case ElementType::uint32: detail::appendElements<uint32_t>(bytes_, elements_); break;
      case ElementType::int64: detail::appendElements<int64_t>(bytes_, elements_); break;
      case ElementType::uint64: detail::appendElements<uint64_t>(bytes_, elements_); break;
      case ElementType::float32: detail::appendElements<float>(bytes_, elements_); break;
      case ElementType::float64: detail::appendElements<double>(bytes_, elements_); break;
    }
  });
  return elements_;
}

inline bool Value::isInteger() const noexcept {
  return kind() == Kind::signedInteger || kind() == Kind::unsignedInteger;
}

inline bool Value::asBool() const {
  if (!isBool()) detail::throwExpected("a bool", *this);
  return std::get<bool>(data_);
}

inline int64_t Value::asInt64() const {
  if (auto* value = std::get_if<int64_t>(&data_)) return *value;
  if (auto* value = std::get_if<uint64_t>(&data_)) {
    if (*value <= uint64_t(std::numeric_limits<int64_t>::max())) return int64_t(*value);
  }
  detail::throwExpected("an integer from -2^63 to 2^63-1", *this);
}

inline uint64_t Value::asUint64() const {
  if (auto* value = std::get_if<uint64_t>(&data_)) return *value;
  if (auto* value = std::get_if<int64_t>(&data_)) {
    if (*value >= 0) return uint64_t(*value);
  }
  detail::throwExpected("an integer from 0 to 2^64-1", *this);
}

inline double Value::asDouble() const {
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
  detail::throwExpected("a floating-point number", *this);
}

inline const std::string& Value::asString() const {
  if (!isString()) detail::throwExpected("a string", *this);
  return std::get<std::string>(data_);
}

inline const std::vector<Value>& Value::asArray() const {
  if (auto* typed = std::get_if<std::shared_ptr<const TypedArray>>(&data_)) {
    return (*typed)->elements();
  }
  if (!isArray()) detail::throwExpected("an array", *this);
  return std::get<std::vector<Value>>(data_);
}

inline const std::shared_ptr<const Value::TypedArray>& Value::asTypedArray() const {
  if (!isTypedArray()) detail::throwExpected("an array of numbers held as bytes", *this);
  return std::get<std::shared_ptr<const TypedArray>>(data_);
}

inline const std::vector<Value::Field>& Value::asStruct() const {
  if (!isStruct()) detail::throwExpected("a struct", *this);
  return std::get<std::vector<Field>>(data_);
}

inline Value::Handle Value::asHandle() const {
  if (!isHandle()) detail::throwExpected("a handle", *this);
  return std::get<Handle>(data_);
}

inline size_t Value::size() const {
  if (isTypedArray()) return asTypedArray()->size();
  if (isArray()) return asArray().size();
  if (isStruct()) return asStruct().size();
  detail::throwExpected("an array or a struct", *this);
}

inline const Value& Value::operator[](size_t index) const {
  size_t count = size();
  if (index >= count) {
    throw Error(Error::Kind::invalidArgument, "element " + std::to_string(index) +
                                                  " of a value with " + std::to_string(count));
  }
  return isArray() ? asArray()[index] : asStruct()[index].value;
}

inline const Value& Value::field(std::string_view name) const {
  for (const Field& field : asStruct()) {
    if (field.name == name) return field.value;
  }
  throw Error(Error::Kind::invalidArgument,
              "no field '" + std::string(name) + "' in " + detail::shortText(*this));
}

inline bool operator==(const Value& a, const Value& b) {
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

inline std::string_view toString(Value::Kind kind) {
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

inline std::string_view toString(Value::HandleKind kind) {
  switch (kind) {
    case Value::HandleKind::pointer: return "pointer";
    case Value::HandleKind::kernel: return "kernel handle";
    case Value::HandleKind::module: return "module handle";
    case Value::HandleKind::window: return "window handle";
    case Value::HandleKind::hostKernel: return "host kernel handle";
  }
  return "unknown";
}

inline std::string toLiteral(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::null: return "NULL";
    case Value::Kind::boolean: return value.asBool() ? "true" : "false";
    case Value::Kind::signedInteger: return std::to_string(value.asInt64());
    case Value::Kind::unsignedInteger: return std::to_string(value.asUint64());
    case Value::Kind::floating: return detail::printFloating(value.asDouble());
    case Value::Kind::string: return detail::printString(value.asString());
    case Value::Kind::handle: {
      // A pointer with its text: the pointer, then the text as a comment a reader sees.
      std::string handle = detail::printHandle(value.asHandle().value);
      if (value.asHandle().text) handle += " /* " + toLiteral(Value(*value.asHandle().text)) + " */";
      return handle;
    }
    case Value::Kind::array: {
      std::string text = "{";
      for (const Value& element : value.asArray()) {
        text += (text.size() > 1 ? ", " : "") + toLiteral(element);
      }
      return text + "}";
    }
    case Value::Kind::structure: {
      // Designated only when every field has a name: C allows no mix that reads back the same.
      bool named = true;
      for (const Value::Field& field : value.asStruct()) named = named && !field.name.empty();
      std::string text = "{";
      for (const Value::Field& field : value.asStruct()) {
        if (text.size() > 1) text += ", ";
        if (named) text += "." + field.name + " = ";
        text += toLiteral(field.value);
      }
      return text + "}";
    }
  }
  return "?";
}


}  // namespace bridge32
