// bridge32::Value: one argument or result of a DLL function called by declaration, as tools and
// language bindings see it: null, a bool, an integer, a floating-point number, a UTF-8 string, an
// array, a struct (ordered named fields) or a handle (a pointer value the DLL handed out, or a
// kernel, module or window handle).
//
// Values are plain data: copy them freely, compare them with ==. No function here is tied to a
// thread; a Value is as thread-safe as a std::vector (concurrent reads are fine).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace bridge32 {

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
  const std::vector<Value>& asArray() const;
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
  std::variant<std::monostate, bool, int64_t, uint64_t, double, std::string, std::vector<Value>,
               std::vector<Field>, Handle>
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

// "null", "bool", "integer", "floating", "string", "array", "struct", "handle".
std::string_view toString(Value::Kind kind);
// "pointer", "kernel handle", "module handle", "window handle".
std::string_view toString(Value::HandleKind kind);

}  // namespace bridge32
