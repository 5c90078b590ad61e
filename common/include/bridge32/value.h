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

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace bridge32 {

class Value;

// The C types a TypedArray holds.
enum class ElementType { int8, uint8, int16, uint16, int32, uint32, int64, uint64, float32,
                         float64 };
size_t elementSize(ElementType type);
std::string_view toString(ElementType type);  // "int8_t", ..., "float", "double"

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
std::string_view toString(Value::Kind kind);
// "pointer", "kernel handle", "module handle", "window handle".
std::string_view toString(Value::HandleKind kind);

}  // namespace bridge32
