// Values in and out of the memory of a call (call-memory.h): scalars and bit-fields, strings
// (UTF-8 to and from the DLL's characters), records, arrays and what pointers point to, each
// checked against its C type, with refusals that name the argument or field that does not fit.
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bridge32/value.h"
#include "library/foreign-call.h"

namespace bridge32::library {

class CallMemory;

// Throws Error(invalidArgument) with `message`: a value that does not fit where it is given.
[[noreturn]] void refuse(const std::string& message);

// "an integer (5)", "a string", ... for messages about a value of the wrong kind.
std::string describeKind(const Value& value);

// A `T` at `at`, which need not be aligned for it.
template <typename T>
void store(uint8_t* at, T value) {
  std::memcpy(at, &value, sizeof value);
}
// The `T` at `at`, which need not be aligned for it.
template <typename T>
T load(const uint8_t* at) {
  T value;
  std::memcpy(&value, at, sizeof value);
  return value;
}

// The integer of `shape` (an integer or a bool) at `at`, signed or unsigned as it is.
Value loadInteger(const Shape& shape, const uint8_t* at);

// A pointer-sized value in memory, as this process's pointers are.
// `text` (UTF-8) as NUL-terminated characters of `width` bytes (1; 2: UTF-16; 4: UTF-32).
std::vector<uint8_t> encodeString(std::string_view text, uint32_t width);

void storeAddress(uint8_t* at, const void* address);
void* loadAddress(const uint8_t* at);

// The integer values of the call's parameters, for the counts of its pointers.
class ParameterValues {
 public:
  void set(std::string name, int64_t value, bool pointedTo) {
    (pointedTo ? pointed_ : direct_)[std::move(name)] = value;
  }
  Lookup lookup() const {
    return [this](std::string_view name, bool dereference) -> std::optional<int64_t> {
      const auto& map = dereference ? pointed_ : direct_;
      auto found = map.find(std::string(name));
      if (found == map.end()) return std::nullopt;
      return found->second;
    };
  }

 private:
  std::map<std::string, int64_t, std::less<>> direct_, pointed_;
};

// `value` as an int64_t: an integer that fits one, or a bool; nothing for anything else.
std::optional<int64_t> integerOf(const Value& value);

// The number of characters `shape` (a counted string) holds.
size_t elementCountOfChars(const Shape& shape, const Lookup& lookup, const std::string& what);

// The lookup of a value that has no fields to count anything by.
std::optional<int64_t> noFields(std::string_view, bool);

// Writes Values into a call's memory as their shapes lay them out, checking each against its
// C type, and reads them back.
class Marshal {
 public:
  explicit Marshal(CallMemory& memory) : memory_(memory) {}

  // Writes `value` as `shape` at `at`; `what` names it in errors ("argument 'x'", "'p.x'").
  void write(const Shape& shape, uint8_t* at, const Value& value, const std::string& what,
             const Lookup& lookup);

  // Reads what `shape` at `at` holds.
  Value read(const Shape& shape, const uint8_t* at, const Lookup& lookup) const;

  // The number of elements `shape` (a counted pointer) points to.
  static size_t elementCount(const Shape& shape, const Lookup& lookup, const std::string& what);

 private:
  void* opaqueAddress(const Shape& shape, const Value& value, const std::string& what);

  // The memory `value` becomes for a pointer of `shape`: a string, one element, or an array.
  void* pointee(const Shape& shape, const Value& value, const std::string& what,
                const Lookup& lookup);

  void* outBuffer(const Shape& shape, const std::string& what, const Lookup& lookup);

  // `bytes` laid out as the DLL wants them already: read where they are, or copied once into a
  // buffer it may write.
  void* asTheDllWantsThem(std::span<const std::byte> bytes, bool writes, const std::string& what);

  // A buffer the DLL writes and the caller reads back: in the shared room while it has space.
  uint8_t* writableBuffer(size_t bytes, const std::string& what);

  void writeRecord(const Shape& shape, uint8_t* at, const Value& value, const std::string& what);

  // The fields `value` gives a value: by name ({.x = 1}) or by position ({1, 2}).
  static std::vector<std::pair<const Shape::Field*, const Value*>> membersOf(
      const Shape& shape, const Value& value, const std::string& what);

  void writeArray(const Shape& shape, uint8_t* at, const Value& value, const std::string& what,
                  const Lookup& lookup);

  Value readElements(const Shape& element, const uint8_t* at, size_t count,
                     const Lookup& lookup) const;

  // The integer fields of the record at `at`, for the counts of its pointer members.
  static Lookup recordLookup(const Shape& shape, const uint8_t* at);

  CallMemory& memory_;
};

}  // namespace bridge32::library
