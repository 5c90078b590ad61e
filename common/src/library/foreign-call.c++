#include "library/foreign-call.h"

#include <ffi.h>
#include <kj/exception.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>

#include "bridge32/error.h"
#include "bridge32/types.h"
#include "logging.h"
#include "transport/shared-segments.h"
#include "window-handle.h"

#if _WIN32
#include "win32.h"
#endif

namespace bridge32::library {

namespace {

// Bytes after every buffer the DLL may write, filled with this and checked after the call.
constexpr size_t kGuardBytes = 16;
constexpr uint8_t kGuardByte = 0xFD;
// No single buffer of a call may be larger than this: a size argument of 4 billion elements is a
// mistake to report, not an allocation to try. A 32-bit process meets its address space first
// (CallMemory says so, naming the buffer and its size).
constexpr int64_t kMaxBufferBytes = int64_t(UINT32_MAX);
// Nor may an argument or result passed by value: it is copied onto the calling thread's stack
// (a plugin thread's or the application's, 1 MiB by default on Windows), and libffi describes it
// element by element. Real APIs pass a few dozen bytes; 64 KiB is far beyond any of them.
constexpr uint32_t kMaxByValueBytes = 64u << 10;

[[noreturn]] void refuse(const std::string& message) {
  throw Error(Error::Kind::invalidArgument, message);
}

// "an integer (5)", "a string", ... for messages about a value of the wrong kind.
std::string describeKind(const Value& value) {
  return "a value of kind " + std::string(toString(value.kind()));
}

// ---- The memory of one call ----------------------------------------------------------------

// Every byte a call hands the DLL: argument slots, buffers and strings, freed after the call; and
// the out-buffers it places in the caller's shared room, if it has one.
class CallMemory {
 public:
  explicit CallMemory(const SharedRoom* room) : room_(room ? *room : SharedRoom{}) {}

  // `bytes` zeroed bytes, aligned for anything; with guard bytes after them when `guarded`.
  uint8_t* allocate(size_t bytes, bool guarded, std::string_view owner) {
    size_t total = bytes + (guarded ? kGuardBytes : 0);
    uint8_t* block;
    try {
      block = blocks_.emplace_back(new (std::align_val_t(16)) uint8_t[std::max<size_t>(total, 1)]).get();
    } catch (const std::bad_alloc&) {
      throw Error(Error::Kind::failed, std::string(owner) + " needs " + std::to_string(bytes) +
                                           " bytes, more than this process can allocate now");
    }
    std::memset(block, 0, total);
    if (guarded) guard(block, bytes, owner);
    sizes_[block] = bytes;
    return block;
  }

  // An out-buffer of `bytes` in the shared room, with guard bytes after it, or null when the room
  // has no space left. Cleared only when `clear`: the DLL writes it, and the caller reads what
  // the count says.
  uint8_t* allocateShared(size_t bytes, std::string_view owner, bool clear = false) {
    uint64_t needed = roomFor(bytes);
    if (room_.bytes.empty() || needed > room_.bytes.size() - roomUsed_) return nullptr;
    auto* block = reinterpret_cast<uint8_t*>(room_.bytes.data() + roomUsed_);
    roomUsed_ += needed;
    if (clear) std::memset(block, 0, bytes);
    guard(block, bytes, owner);
    sizes_[block] = bytes;
    return block;
  }

  // What allocateShared takes of the room for `bytes`.
  static uint64_t roomFor(uint64_t bytes) { return alignShared(bytes + kGuardBytes); }
  // How much of the room the call's buffers took.
  uint64_t roomUsed() const { return roomUsed_; }

  // What keeps `at` mapped when it lies in the shared room, for a view of it; else null.
  std::shared_ptr<const void> sharedOwner(const uint8_t* at) const {
    auto* begin = reinterpret_cast<const uint8_t*>(room_.bytes.data());
    return at >= begin && at < begin + roomUsed_ ? room_.owner : nullptr;
  }

  // The bytes of the buffer this call allocated at `at`, or nothing for memory it did not
  // allocate (what a function returns, say). A buffer is read back within these whatever count
  // the function reports after the call: a library that raises a count ("the size you need")
  // cannot make the bridge read past the buffer.
  std::optional<size_t> bytesAt(const void* at) const {
    auto found = sizes_.find(static_cast<const uint8_t*>(at));
    if (found == sizes_.end()) return std::nullopt;
    return found->second;
  }

  // Throws Error(failed) naming the first buffer the DLL wrote past.
  void checkGuards() const {
    for (const Guard& guard : guards_) {
      for (size_t i = 0; i < kGuardBytes; ++i) {
        if (guard.at[i] != kGuardByte) {
          throw Error(Error::Kind::failed,
                      "the function wrote past the end of '" + guard.owner + "' (a buffer of " +
                          std::to_string(guard.bytes) + " bytes); its output is not trusted");
        }
      }
    }
  }

 private:
  struct Deleter {
    void operator()(uint8_t* p) const { ::operator delete[](p, std::align_val_t(16)); }
  };
  struct Guard {
    const uint8_t* at;
    std::string owner;
    size_t bytes;
  };
  void guard(uint8_t* block, size_t bytes, std::string_view owner) {
    std::memset(block + bytes, kGuardByte, kGuardBytes);
    guards_.push_back({block + bytes, std::string(owner), bytes});
  }

  std::vector<std::unique_ptr<uint8_t[], Deleter>> blocks_;
  std::vector<Guard> guards_;
  std::map<const uint8_t*, size_t> sizes_;  // each block's bytes, without its guard bytes
  SharedRoom room_;
  uint64_t roomUsed_ = 0;
};

// ---- Scalars in memory ---------------------------------------------------------------------

// The TypedArray element of an array of `element`s: numbers, not characters, bools or pointers.
std::optional<ElementType> elementTypeOf(const Shape& element) {
  if (element.kind == Shape::Kind::floating) {
    return element.size == 4 ? ElementType::float32 : ElementType::float64;
  }
  if (element.kind != Shape::Kind::integer) return std::nullopt;
  return integerElementType(element.size, element.isSigned);
}

template <typename T>
void store(uint8_t* at, T value) {
  std::memcpy(at, &value, sizeof value);
}
template <typename T>
T load(const uint8_t* at) {
  T value;
  std::memcpy(&value, at, sizeof value);
  return value;
}

// `value` as an integer of `bits` bits (`type` says which, for messages), or a refusal naming
// `what` if it cannot hold it.
uint64_t integerBits(const Shape& shape, unsigned bits, const std::string& type, const Value& value,
                     const std::string& what) {
  int64_t signedValue = 0;
  uint64_t unsignedValue = 0;
  if (value.isBool()) {
    unsignedValue = value.asBool();
    signedValue = int64_t(unsignedValue);
  } else if ((value.kind() == Value::Kind::signedInteger)) {
    signedValue = value.asInt64();
    unsignedValue = uint64_t(signedValue);
    if (!shape.isSigned && signedValue < 0) {
      refuse(what + " is " + type + ", which cannot hold " + std::to_string(signedValue));
    }
  } else if ((value.kind() == Value::Kind::unsignedInteger)) {
    unsignedValue = value.asUint64();
    signedValue = int64_t(unsignedValue);
    if (shape.isSigned && unsignedValue > uint64_t(std::numeric_limits<int64_t>::max())) {
      refuse(what + " is " + type + ", which cannot hold " + std::to_string(unsignedValue));
    }
  } else {
    refuse(what + " is " + type + ": expected an integer, got " + describeKind(value));
  }
  if (bits < 64) {
    bool fits = shape.isSigned ? signedValue >= -(int64_t(1) << (bits - 1)) &&
                                     signedValue < (int64_t(1) << (bits - 1))
                               : unsignedValue < (uint64_t(1) << bits);
    if (!fits) {
      refuse(what + " is " + type + ", which cannot hold " +
             (shape.isSigned ? std::to_string(signedValue) : std::to_string(unsignedValue)));
    }
  }
  return unsignedValue;
}

void storeInteger(const Shape& shape, uint8_t* at, const Value& value, const std::string& what) {
  uint64_t bits = integerBits(shape, shape.size * 8, shape.name, value, what);
  switch (shape.size) {
    case 1: store(at, uint8_t(bits)); break;
    case 2: store(at, uint16_t(bits)); break;
    case 4: store(at, uint32_t(bits)); break;
    case 8: store(at, bits); break;
    default: refuse(what + " is an integer of " + std::to_string(shape.size) + " bytes");
  }
}

// A bit-field's bits, byte by byte: its bytes may be fewer than its type's, or not aligned.
void storeBits(uint8_t* at, BitRange range, uint64_t value) {
  for (uint32_t done = 0; done < range.width;) {
    uint32_t bit = range.offset + done;
    uint32_t shift = bit % 8, taken = std::min(8 - shift, range.width - done);
    auto mask = uint8_t(((1u << taken) - 1) << shift);
    uint8_t& byte = at[bit / 8];
    byte = uint8_t((byte & ~mask) | ((uint8_t(value >> done) << shift) & mask));
    done += taken;
  }
}

uint64_t loadBits(const uint8_t* at, BitRange range) {
  uint64_t value = 0;
  for (uint32_t done = 0; done < range.width;) {
    uint32_t bit = range.offset + done;
    uint32_t shift = bit % 8, taken = std::min(8 - shift, range.width - done);
    value |= uint64_t((at[bit / 8] >> shift) & ((1u << taken) - 1)) << done;
    done += taken;
  }
  return value;
}

void storeBitField(const Shape::Field& field, uint8_t* record, const Value& value,
                   const std::string& what) {
  const Shape& shape = *field.shape;
  std::string type = std::to_string(field.bits->width) + "-bit field of " + shape.name;
  storeBits(record + field.offset, *field.bits,
            integerBits(shape, field.bits->width, type, value, what));
}

Value loadBitField(const Shape::Field& field, const uint8_t* record) {
  const Shape& shape = *field.shape;
  uint32_t width = field.bits->width;
  uint64_t bits = loadBits(record + field.offset, *field.bits);
  if (shape.kind == Shape::Kind::boolean) return Value(bits != 0);
  if (!shape.isSigned) return Value(bits);
  if (width < 64 && (bits >> (width - 1)) & 1) bits |= ~uint64_t(0) << width;
  return Value(int64_t(bits));
}

Value loadInteger(const Shape& shape, const uint8_t* at) {
  switch (shape.size) {
    case 1: return shape.isSigned ? Value(int64_t(load<int8_t>(at))) : Value(uint64_t(load<uint8_t>(at)));
    case 2: return shape.isSigned ? Value(int64_t(load<int16_t>(at))) : Value(uint64_t(load<uint16_t>(at)));
    case 4: return shape.isSigned ? Value(int64_t(load<int32_t>(at))) : Value(uint64_t(load<uint32_t>(at)));
    default: return shape.isSigned ? Value(load<int64_t>(at)) : Value(load<uint64_t>(at));
  }
}

void storeFloating(const Shape& shape, uint8_t* at, const Value& value, const std::string& what) {
  double number;
  if (value.isFloating()) {
    number = value.asDouble();
  } else if ((value.kind() == Value::Kind::signedInteger)) {
    number = double(value.asInt64());
  } else if ((value.kind() == Value::Kind::unsignedInteger)) {
    number = double(value.asUint64());
  } else {
    refuse(what + " is " + shape.name + ": expected a number, got " + describeKind(value));
  }
  if (shape.size == 4) {
    store(at, float(number));
  } else {
    store(at, number);
  }
}

// A pointer-sized value in memory, as this process's pointers are.
void storeAddress(uint8_t* at, const void* address) { store(at, address); }
void* loadAddress(const uint8_t* at) { return load<void*>(at); }

// ---- Strings -------------------------------------------------------------------------------

// `text` (UTF-8) as NUL-terminated characters of `width` bytes.
std::vector<uint8_t> encodeString(std::string_view text, uint32_t width) {
  std::vector<uint8_t> out;
  if (width == 1) {
    out.assign(text.begin(), text.end());
    out.push_back(0);
    return out;
  }
  auto put = [&](uint32_t unit) {
    for (uint32_t i = 0; i < width; ++i) out.push_back(uint8_t(unit >> (8 * i)));
  };
  for (size_t i = 0; i < text.size();) {
    auto c = uint8_t(text[i]);
    uint32_t codePoint;
    size_t length = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (i + length > text.size()) break;  // the Value is valid UTF-8; a cut tail is dropped
    codePoint = length == 1 ? c : c & (0x7F >> length);
    for (size_t k = 1; k < length; ++k) codePoint = (codePoint << 6) | (uint8_t(text[i + k]) & 0x3F);
    i += length;
    if (width == 2 && codePoint > 0xFFFF) {
      codePoint -= 0x10000;
      put(0xD800 + (codePoint >> 10));
      put(0xDC00 + (codePoint & 0x3FF));
    } else {
      put(codePoint);
    }
  }
  put(0);
  return out;
}

void appendUtf8(std::string& out, uint32_t codePoint) {
  if (codePoint < 0x80) {
    out += char(codePoint);
  } else if (codePoint < 0x800) {
    out += char(0xC0 | (codePoint >> 6));
    out += char(0x80 | (codePoint & 0x3F));
  } else if (codePoint < 0x10000) {
    out += char(0xE0 | (codePoint >> 12));
    out += char(0x80 | ((codePoint >> 6) & 0x3F));
    out += char(0x80 | (codePoint & 0x3F));
  } else {
    out += char(0xF0 | (codePoint >> 18));
    out += char(0x80 | ((codePoint >> 12) & 0x3F));
    out += char(0x80 | ((codePoint >> 6) & 0x3F));
    out += char(0x80 | (codePoint & 0x3F));
  }
}

// The NUL-terminated string at `at` of `width`-byte characters, reading at most `limit` of them.
std::string decodeString(const uint8_t* at, uint32_t width, size_t limit) {
  std::string out;
  auto unit = [&](size_t i) {
    uint32_t value = 0;
    for (uint32_t b = 0; b < width; ++b) value |= uint32_t(at[i * width + b]) << (8 * b);
    return value;
  };
  for (size_t i = 0; i < limit; ++i) {
    uint32_t c = unit(i);
    if (c == 0) break;
    if (width == 1) {
      out += char(c);
    } else if (width == 2 && c >= 0xD800 && c < 0xDC00 && i + 1 < limit) {
      uint32_t low = unit(i + 1);
      appendUtf8(out, 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00));
      ++i;
    } else {
      appendUtf8(out, std::min<uint32_t>(c, 0x10FFFF));
    }
  }
  return validUtf8(out);
}

// ---- Values in and out of memory -----------------------------------------------------------

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

std::optional<int64_t> integerOf(const Value& value) {
  if ((value.kind() == Value::Kind::signedInteger)) return value.asInt64();
  if ((value.kind() == Value::Kind::unsignedInteger) && value.asUint64() <= uint64_t(std::numeric_limits<int64_t>::max())) {
    return int64_t(value.asUint64());
  }
  if (value.isBool()) return value.asBool();
  return std::nullopt;
}

// The number of characters `shape` (a counted string) holds.
size_t elementCountOfChars(const Shape& shape, const Lookup& lookup, const std::string& what) {
  int64_t count = (*shape.count)(lookup);
  if (shape.countInBytes) count /= shape.charWidth;
  if (count < 0 || count > kMaxBufferBytes / int64_t(shape.charWidth)) {
    refuse(what + " would be " + std::to_string(count) + " characters of " +
           std::to_string(shape.charWidth) + " bytes; the limit is " +
           std::to_string(kMaxBufferBytes) + " bytes");
  }
  return size_t(count);
}

// The lookup of a value that has no fields to count anything by.
std::optional<int64_t> noFields(std::string_view, bool) { return std::nullopt; }

class Marshal {
 public:
  explicit Marshal(CallMemory& memory) : memory_(memory) {}

  // Writes `value` as `shape` at `at`; `what` names it in errors ("argument 'x'", "'p.x'").
  void write(const Shape& shape, uint8_t* at, const Value& value, const std::string& what,
             const Lookup& lookup) {
    switch (shape.kind) {
      case Shape::Kind::boolean:
      case Shape::Kind::integer: storeInteger(shape, at, value, what); return;
      case Shape::Kind::floating: storeFloating(shape, at, value, what); return;
      case Shape::Kind::opaque: storeAddress(at, opaqueAddress(shape, value, what)); return;
      case Shape::Kind::string:
      case Shape::Kind::pointer: storeAddress(at, pointee(shape, value, what, lookup)); return;
      case Shape::Kind::record: writeRecord(shape, at, value, what); return;
      case Shape::Kind::array: writeArray(shape, at, value, what, lookup); return;
      case Shape::Kind::callback:
        throw Error(Error::Kind::unsupported,
                    what + " is a function pointer inside a struct (" + shape.name +
                        "): not supported yet");
      case Shape::Kind::voidType: refuse(what + " has type void");
    }
  }

  // Reads what `shape` at `at` holds.
  Value read(const Shape& shape, const uint8_t* at, const Lookup& lookup) const {
    switch (shape.kind) {
      case Shape::Kind::boolean: return Value(loadInteger(shape, at).asUint64() != 0);
      case Shape::Kind::integer: return loadInteger(shape, at);
      case Shape::Kind::floating:
        return Value(shape.size == 4 ? double(load<float>(at)) : load<double>(at));
      case Shape::Kind::opaque:
      case Shape::Kind::callback: {
        void* address = loadAddress(at);
        if (!address) return Value();
        uint64_t value = uint64_t(reinterpret_cast<uintptr_t>(address));
        // A window handle's low 32 bits are all it is: sign-extended, it is the same handle in
        // a process of either bitness (bridge32/window-handle.h).
        if (shape.handleKind == Value::HandleKind::window) {
          value = uint64_t(windowHandleFromWire(uint32_t(value)));
        }
        Value::Handle handle{value, shape.handleKind};
        if (shape.textWidth) {
          handle.text = std::make_shared<const std::string>(
              decodeString(static_cast<const uint8_t*>(address), shape.textWidth,
                           std::numeric_limits<size_t>::max()));
        }
        return Value(std::move(handle));
      }
      case Shape::Kind::string: {
        auto* address = static_cast<const uint8_t*>(loadAddress(at));
        if (!address) return Value();
        size_t limit = std::numeric_limits<size_t>::max();
        if (shape.count) {
          int64_t count = (*shape.count)(lookup);
          if (shape.countInBytes) count /= shape.charWidth;
          limit = size_t(std::clamp<int64_t>(count, 0, kMaxBufferBytes));
        }
        if (auto bytes = memory_.bytesAt(address)) limit = std::min(limit, *bytes / shape.charWidth);
        return Value(decodeString(address, shape.charWidth, limit));
      }
      case Shape::Kind::pointer: {
        auto* address = static_cast<const uint8_t*>(loadAddress(at));
        if (!address) return Value();
        if (!shape.count) return read(*shape.target, address, lookup);
        uint32_t elementSize = std::max<uint32_t>(shape.target->size, 1);
        if (auto bytes = memory_.bytesAt(address)) {
          // A buffer of this call's: what the count says now, within what it was made for.
          int64_t count = (*shape.count)(lookup);
          if (shape.countInBytes) count /= elementSize;
          size_t room = *bytes / elementSize;
          return readElements(*shape.target, address,
                              size_t(std::clamp<int64_t>(count, 0, int64_t(room))), lookup);
        }
        return readElements(*shape.target, address, elementCount(shape, lookup, "the result"),
                            lookup);
      }
      case Shape::Kind::record: {
        std::vector<Value::Field> fields;
        for (const auto& field : shape.fields) {
          fields.push_back({field.name, field.bits ? loadBitField(field, at)
                                                   : read(*field.shape, at + field.offset,
                                                          recordLookup(shape, at))});
        }
        return Value(std::move(fields));
      }
      case Shape::Kind::array:
        return readElements(*shape.element, at, shape.length, lookup);
      case Shape::Kind::voidType: return Value();
    }
    return Value();
  }

  // The number of elements `shape` (a counted pointer) points to.
  static size_t elementCount(const Shape& shape, const Lookup& lookup, const std::string& what) {
    int64_t count = (*shape.count)(lookup);
    uint32_t elementSize = std::max<uint32_t>(shape.target->size, 1);
    if (shape.countInBytes) {
      if (count % elementSize != 0) {
        refuse(what + " is " + std::to_string(count) + " bytes, not a whole number of " +
               shape.target->name + " (" + std::to_string(elementSize) + " bytes each)");
      }
      count /= elementSize;
    }
    // Compared by division: a count near 2^63 times the element size would wrap.
    if (count < 0 || count > kMaxBufferBytes / int64_t(elementSize)) {
      refuse(what + " would be " + std::to_string(count) + " elements of " +
             std::to_string(elementSize) + " bytes; the limit is " +
             std::to_string(kMaxBufferBytes) + " bytes");
    }
    return size_t(count);
  }

 private:
  void* opaqueAddress(const Shape& shape, const Value& value, const std::string& what) {
    if (value.isNull()) return nullptr;
    if (value.isHandle() && shape.handleKind == Value::HandleKind::window) {
      return reinterpret_cast<void*>(windowHandleFromWire(windowHandleToWire(value.asHandle().value)));
    }
    if (value.isHandle()) return reinterpret_cast<void*>(uintptr_t(value.asHandle().value));
    if (auto number = integerOf(value)) return reinterpret_cast<void*>(uintptr_t(*number));
    refuse(what + " is " + shape.name + ": expected a value the library handed out, or null, got " +
           describeKind(value));
  }

  // The memory `value` becomes for a pointer of `shape`: a string, one element, or an array.
  void* pointee(const Shape& shape, const Value& value, const std::string& what,
                const Lookup& lookup) {
    bool writes = shape.direction != Direction::in;
    if (shape.direction == Direction::out) return outBuffer(shape, what, lookup);
    if (value.isNull()) {
      if (!shape.nullable && !(shape.kind == Shape::Kind::string)) {
        refuse(what + " is " + shape.name + ", which cannot be null");
      }
      return nullptr;
    }
    if (shape.kind == Shape::Kind::string) {
      if (!value.isString()) refuse(what + " is a string: got " + describeKind(value));
      auto bytes = encodeString(value.asString(), shape.charWidth);
      size_t room = bytes.size();
      if (shape.count) room = std::max(room, elementCountOfChars(shape, lookup, what) * shape.charWidth);
      uint8_t* buffer = memory_.allocate(room, writes, what);
      std::memcpy(buffer, bytes.data(), bytes.size());
      return buffer;
    }
    const Shape& element = *shape.target;
    if (!shape.count) {
      uint8_t* buffer = memory_.allocate(element.size, writes, what);
      write(element, buffer, value, what, lookup);
      return buffer;
    }
    size_t count = elementCount(shape, lookup, what);
    if (value.isString() && element.kind == Shape::Kind::integer &&
        (element.size == 1 || element.size == 2 || element.size == 4)) {
      // As C allows `unsigned char a[] = "abc";`: the string's code units, zeros after them up
      // to the size, and no more than it.
      auto units = encodeString(value.asString(), element.size);
      units.resize(units.size() - element.size);  // its NUL: within the size only if room
      if (units.size() > count * element.size) {
        refuse(what + " is given " + std::to_string(units.size() / element.size) +
               " characters where its size says " + std::to_string(count));
      }
      uint8_t* buffer = memory_.allocate(count * element.size, writes, what);
      std::memcpy(buffer, units.data(), units.size());
      return buffer;
    }
    if (element.kind == Shape::Kind::record && value.isTypedArray() &&
        value.asTypedArray()->type() == ElementType::uint8 && isPlainRecord(element)) {
      // The records laid out already, as this process's ABI wants them (layOutRecords).
      auto bytes = value.asTypedArray()->bytes();
      if (bytes.size() != uint64_t(count) * element.size) {
        refuse(what + " has " + std::to_string(bytes.size()) + " bytes of " + element.name +
               " where its size says " + std::to_string(count) + " of " +
               std::to_string(element.size) + " bytes");
      }
      return asTheDllWantsThem(bytes, writes, what);
    }
    if (!value.isArray()) refuse(what + " points to " + std::to_string(count) + " " + element.name + ": expected {...}, got " + describeKind(value));
    if (value.size() != count) {
      refuse(what + " has " + std::to_string(value.size()) + " elements where its size says " +
             std::to_string(count));
    }
    if (value.isTypedArray() && elementTypeOf(element) == value.asTypedArray()->type()) {
      return asTheDllWantsThem(value.asTypedArray()->bytes(), writes, what);  // the numbers
    }
    const auto& items = value.asArray();  // element by element, each converted and checked
    uint8_t* buffer = memory_.allocate(count * element.size, writes, what);
    for (size_t i = 0; i < count; ++i) {
      write(element, buffer + i * element.size, items[i], what + "[" + std::to_string(i) + "]",
            lookup);
    }
    return buffer;
  }

  void* outBuffer(const Shape& shape, const std::string& what, const Lookup& lookup) {
    if (shape.kind == Shape::Kind::string) {
      if (!shape.count) refuse(what + " is an out string without a size (_Out_writes_z_(n))");
      size_t bytes = elementCountOfChars(shape, lookup, what) * shape.charWidth;
      // Cleared, as text is read up to its NUL: a DLL that writes none leaves zeros after it.
      if (uint8_t* shared = memory_.allocateShared(bytes, what, /*clear=*/true)) return shared;
      return memory_.allocate(bytes, true, what);
    }
    if (!shape.count) return memory_.allocate(shape.target->size, true, what);
    return writableBuffer(elementCount(shape, lookup, what) * shape.target->size, what);
  }

  // `bytes` laid out as the DLL wants them already: read where they are, or copied once into a
  // buffer it may write.
  void* asTheDllWantsThem(std::span<const std::byte> bytes, bool writes, const std::string& what) {
    if (!writes && !bytes.empty()) return const_cast<std::byte*>(bytes.data());
    uint8_t* buffer = writableBuffer(bytes.size(), what);
    if (!bytes.empty()) std::memcpy(buffer, bytes.data(), bytes.size());
    return buffer;
  }

  // A buffer the DLL writes and the caller reads back: in the shared room while it has space.
  uint8_t* writableBuffer(size_t bytes, const std::string& what) {
    if (uint8_t* shared = memory_.allocateShared(bytes, what)) return shared;
    return memory_.allocate(bytes, true, what);
  }

  void writeRecord(const Shape& shape, uint8_t* at, const Value& value, const std::string& what) {
    Lookup fields = recordLookup(shape, at);
    auto members = membersOf(shape, value, what);
    // Scalars first, so that pointer members can be sized by the fields that count them.
    for (bool pointers : {false, true}) {
      for (const auto& [field, given] : members) {
        bool isPointer = field->shape->kind == Shape::Kind::pointer ||
                         field->shape->kind == Shape::Kind::string;
        if (isPointer != pointers) continue;
        if (field->bits) {
          storeBitField(*field, at, *given, what + "." + field->name);
        } else {
          write(*field->shape, at + field->offset, *given, what + "." + field->name, fields);
        }
      }
    }
  }

  // The fields `value` gives a value: by name ({.x = 1}) or by position ({1, 2}).
  static std::vector<std::pair<const Shape::Field*, const Value*>> membersOf(
      const Shape& shape, const Value& value, const std::string& what) {
    std::vector<std::pair<const Shape::Field*, const Value*>> members;
    if (value.isStruct()) {
      for (const auto& given : value.asStruct()) {
        auto field = std::find_if(shape.fields.begin(), shape.fields.end(),
                                  [&](const auto& f) { return f.name == given.name; });
        if (field == shape.fields.end()) {
          refuse(what + " (" + shape.name + ") has no field '" + given.name + "'");
        }
        members.emplace_back(&*field, &given.value);
      }
      return members;
    }
    if (!value.isArray()) {
      refuse(what + " is " + shape.name + ": expected {...}, got " + describeKind(value));
    }
    const auto& items = value.asArray();
    size_t room = shape.isUnion ? 1 : shape.fields.size();
    if (items.size() > room) {
      refuse(what + " (" + shape.name + ") has " + std::to_string(shape.fields.size()) +
             " fields, given " + std::to_string(items.size()));
    }
    for (size_t i = 0; i < items.size(); ++i) members.emplace_back(&shape.fields[i], &items[i]);
    return members;
  }

  void writeArray(const Shape& shape, uint8_t* at, const Value& value, const std::string& what,
                  const Lookup& lookup) {
    const Shape& element = *shape.element;
    if (value.isString() && element.kind == Shape::Kind::integer && element.size == 1) {
      const std::string& text = value.asString();
      if (text.size() >= shape.length) refuse(what + " holds " + std::to_string(shape.length - 1) + " characters and a NUL; given " + std::to_string(text.size()));
      std::memcpy(at, text.data(), text.size());
      return;
    }
    if (!value.isArray()) refuse(what + " is " + shape.name + ": expected {...}, got " + describeKind(value));
    const auto& items = value.asArray();
    if (items.size() > shape.length) {
      refuse(what + " has room for " + std::to_string(shape.length) + " elements, given " +
             std::to_string(items.size()));
    }
    for (size_t i = 0; i < items.size(); ++i) {
      write(element, at + i * element.size, items[i], what + "[" + std::to_string(i) + "]", lookup);
    }
  }

  Value readElements(const Shape& element, const uint8_t* at, size_t count,
                     const Lookup& lookup) const {
    // Characters are text of that length, whether or not the library ended them with a NUL.
    if (element.kind == Shape::Kind::integer && element.isCharacter) {
      return Value(decodeString(at, element.size, count));
    }
    if (element.kind == Shape::Kind::record && isPlainRecord(element)) {
      if (auto owner = memory_.sharedOwner(at)) {
        // Records the DLL wrote in memory shared with the caller, which knows this ABI's layout
        // (readRecords): its bytes as they are, one block, no Value per field here.
        std::span bytes(reinterpret_cast<const std::byte*>(at), count * element.size);
        return Value(std::make_shared<const Value::TypedArray>(ElementType::uint8, bytes,
                                                               std::move(owner)));
      }
    }
    if (auto type = elementTypeOf(element)) {
      if (auto owner = memory_.sharedOwner(at)) {
        // Where the DLL wrote them, in memory shared with the caller: no copy here.
        std::span bytes(reinterpret_cast<const std::byte*>(at), count * element.size);
        return Value(std::make_shared<const Value::TypedArray>(*type, bytes, std::move(owner)));
      }
      auto* begin = reinterpret_cast<const std::byte*>(at);
      return Value(*type, std::vector<std::byte>(begin, begin + count * element.size));
    }
    std::vector<Value> items;
    items.reserve(count);
    for (size_t i = 0; i < count; ++i) items.push_back(read(element, at + i * element.size, lookup));
    return Value(std::move(items));
  }

  // The integer fields of the record at `at`, for the counts of its pointer members.
  static Lookup recordLookup(const Shape& shape, const uint8_t* at) {
    return [&shape, at](std::string_view name, bool) -> std::optional<int64_t> {
      for (const auto& field : shape.fields) {
        if (field.name != name || field.shape->kind != Shape::Kind::integer) continue;
        return integerOf(field.bits ? loadBitField(field, at)
                                    : loadInteger(*field.shape, at + field.offset));
      }
      return std::nullopt;
    };
  }

  CallMemory& memory_;
};

ffi_type* scalarType(const Shape& shape) {
  switch (shape.kind) {
    case Shape::Kind::boolean:
    case Shape::Kind::integer:
      switch (shape.size) {
        case 1: return shape.isSigned ? &ffi_type_sint8 : &ffi_type_uint8;
        case 2: return shape.isSigned ? &ffi_type_sint16 : &ffi_type_uint16;
        case 4: return shape.isSigned ? &ffi_type_sint32 : &ffi_type_uint32;
        case 8: return shape.isSigned ? &ffi_type_sint64 : &ffi_type_uint64;
      }
      break;
    case Shape::Kind::floating: return shape.size == 4 ? &ffi_type_float : &ffi_type_double;
    case Shape::Kind::voidType: return &ffi_type_void;
    case Shape::Kind::pointer:
    case Shape::Kind::string:
    case Shape::Kind::opaque:
    case Shape::Kind::callback: return &ffi_type_pointer;
    default: break;
  }
  return nullptr;
}

ffi_abi abiOf(CallingConvention convention) {
#if defined(_WIN32) && !defined(_WIN64)
  switch (convention) {
    case CallingConvention::stdCall: return FFI_STDCALL;
    case CallingConvention::fastCall: return FFI_FASTCALL;
    case CallingConvention::thisCall: return FFI_THISCALL;
    default: return FFI_MS_CDECL;
  }
#else
  (void)convention;  // one convention on other platforms: the declared one is the default's alias
  return FFI_DEFAULT_ABI;
#endif
}

Shape scalarShape(Shape::Kind kind, uint32_t size, bool isSigned, std::string name) {
  Shape shape;
  shape.kind = kind;
  shape.size = shape.align = size;
  shape.isSigned = isSigned;
  shape.name = std::move(name);
  return shape;
}

// How C passes `value` through '...': after the default argument promotions.
Shape promoted(const Value& value, const std::string& what) {
  constexpr auto pointerBytes = uint32_t(sizeof(void*));
  if (value.isFloating()) return scalarShape(Shape::Kind::floating, 8, true, "double");
  if (value.isString()) return scalarShape(Shape::Kind::string, pointerBytes, false, "const char *");
  if (value.isNull() || value.isHandle()) {
    return scalarShape(Shape::Kind::opaque, pointerBytes, false, "void *");
  }
  if (value.isInteger() || value.isBool()) {
    auto number = integerOf(value);
    if (number && *number >= INT32_MIN && *number <= INT32_MAX) {
      return scalarShape(Shape::Kind::integer, 4, true, "int");
    }
    bool isSigned = value.kind() == Value::Kind::signedInteger;
    return scalarShape(Shape::Kind::integer, 8, isSigned, isSigned ? "long long" : "unsigned long long");
  }
  refuse(what + " is " + describeKind(value) + ", which C cannot pass through '...'");
}

uint32_t captureLastError() {
#if _WIN32
  return uint32_t(GetLastError());
#else
  return uint32_t(errno);
#endif
}

void clearLastError() {
#if _WIN32
  SetLastError(0);
#else
  errno = 0;
#endif
}

// "what an exception says", for the log.
std::string describe(std::exception_ptr failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& error) {
    return error.what();
  } catch (const kj::Exception& error) {
    return error.getDescription().cStr();
  } catch (...) {
    return "an exception of unknown type";
  }
}

}  // namespace

bool ParameterShape::isInput() const {
  switch (shape->kind) {
    case Shape::Kind::pointer:
    case Shape::Kind::string: return shape->direction != Direction::out;
    case Shape::Kind::callback: return false;
    default: return true;
  }
}

bool ParameterShape::isCallback() const { return shape->kind == Shape::Kind::callback; }

bool ParameterShape::isOutput() const {
  switch (shape->kind) {
    case Shape::Kind::pointer:
    case Shape::Kind::string: return shape->direction != Direction::in;
    default: return false;
  }
}

// A host Callback as a C function pointer: a libffi closure whose handler reads the DLL's
// arguments as Values, runs the callback and writes its result back. One for a call is freed
// after it; one the library keeps (_Kept_) lives in the call's KeptCallbacks, and after that
// is dropped in the library's RetiredCallbacks, answering zeros (see retire()).
class CallbackClosure {
 public:
  CallbackClosure(std::shared_ptr<const FunctionShape> callee, Callback callback, std::string name)
      : callee_(std::move(callee)), name_(std::move(name)), callback_(std::move(callback)) {
    for (const auto& parameter : callee_->parameters) {
      ffi_type* type = scalarType(*parameter.shape);
      if (!type) {
        throw Error(Error::Kind::unsupported, "callback '" + name_ + "' takes " +
                                                  parameter.shape->name +
                                                  " by value: not supported");
      }
      types_.push_back(type);
    }
    ffi_type* result = scalarType(*callee_->result);
    if (!result) {
      throw Error(Error::Kind::unsupported, "callback '" + name_ + "' returns " +
                                                callee_->result->name + ": not supported");
    }
    closure_ = static_cast<ffi_closure*>(ffi_closure_alloc(sizeof(ffi_closure), &code_));
    if (!closure_) throw Error(Error::Kind::failed, "no memory for callback '" + name_ + "'");
    if (ffi_prep_cif(&cif_, abiOf(callee_->convention), unsigned(types_.size()), result,
                     types_.data()) != FFI_OK ||
        ffi_prep_closure_loc(closure_, &cif_, &CallbackClosure::handle, this, code_) != FFI_OK) {
      ffi_closure_free(closure_);
      throw Error(Error::Kind::unsupported, "libffi cannot make callback '" + name_ + "'");
    }
  }
  ~CallbackClosure() { ffi_closure_free(closure_); }
  CallbackClosure(const CallbackClosure&) = delete;
  CallbackClosure& operator=(const CallbackClosure&) = delete;

  void* code() const { return code_; }

  // What the callback failed with during the call, if it did: C code cannot unwind, so it is
  // kept for the end of the call.
  void rethrowFailure() const {
    std::lock_guard lock(mutex_);
    if (failure_) std::rethrow_exception(failure_);
  }
  // The call that gave the callback returned: a failure from now on has no call to fail, and
  // is logged.
  void callReturned() {
    std::lock_guard lock(mutex_);
    returned_ = true;
  }
  // The callback is released: the library may still call the closure (it should have been
  // told to forget it first), which then answers zeros and says so in the log.
  void retire() {
    Callback released;
    std::lock_guard lock(mutex_);
    std::swap(released, callback_);
  }

 private:
  // [any thread the DLL calls it on]
  static void handle(ffi_cif*, void* result, void** arguments, void* self) {
    static_cast<CallbackClosure*>(self)->run(result, arguments);
  }

  void run(void* result, void** arguments) {
    uint8_t* out = static_cast<uint8_t*>(result);
    std::memset(out, 0, std::max<size_t>(callee_->result->size, sizeof(ffi_arg)));
    Callback callback;
    {
      std::lock_guard lock(mutex_);
      callback = callback_;
    }
    if (!callback) {
      logging::warn("the library called callback '{}' after it was released; it answered 0",
                   name_);
      return;
    }
    try {
      CallMemory memory(nullptr);
      Marshal marshal(memory);
      const Lookup none = noFields;
      // Sizes name the callback's own integer parameters (sqlite3_exec's rows: `n` values).
      Lookup own = [&](std::string_view name, bool dereference) -> std::optional<int64_t> {
        for (size_t i = 0; i < callee_->parameters.size(); ++i) {
          if (callee_->parameters[i].name != name) continue;
          const Shape& shape = *callee_->parameters[i].shape;
          const auto* at = static_cast<const uint8_t*>(arguments[i]);
          if (dereference) {
            if (shape.kind != Shape::Kind::pointer || shape.target->kind != Shape::Kind::integer) {
              return std::nullopt;
            }
            at = static_cast<const uint8_t*>(loadAddress(at));
            if (!at) return std::nullopt;
            return integerOf(loadInteger(*shape.target, at));
          }
          if (shape.kind != Shape::Kind::integer) return std::nullopt;
          return integerOf(loadInteger(shape, at));
        }
        return std::nullopt;
      };
      std::vector<Value> values;
      for (size_t i = 0; i < callee_->parameters.size(); ++i) {
        values.push_back(marshal.read(*callee_->parameters[i].shape,
                                      static_cast<const uint8_t*>(arguments[i]), own));
      }
      Value answer = callback(values);
      writeResult(out, answer, marshal, none);
    } catch (...) {
      std::lock_guard lock(mutex_);
      if (!returned_) {
        if (!failure_) failure_ = std::current_exception();
      } else {
        logging::warn("callback '{}', called by the library after its call returned, failed: {}; "
                     "it answered 0", name_, describe(std::current_exception()));
      }
    }
  }

  // libffi takes integer results of a closure widened to a whole ffi_arg.
  void writeResult(uint8_t* out, const Value& answer, Marshal& marshal, const Lookup& none) {
    const Shape& shape = *callee_->result;
    std::string what = "the result of callback '" + name_ + "'";
    if (shape.kind == Shape::Kind::voidType) return;
    if (shape.kind == Shape::Kind::integer || shape.kind == Shape::Kind::boolean) {
      uint8_t narrow[8] = {};
      marshal.write(shape, narrow, answer, what, none);
      Value exact = loadInteger(shape, narrow);
      if (shape.isSigned) {
        store(out, ffi_sarg(exact.asInt64()));
      } else {
        store(out, ffi_arg(exact.asUint64()));
      }
      return;
    }
    if (shape.kind == Shape::Kind::string || shape.kind == Shape::Kind::pointer) {
      throw Error(Error::Kind::unsupported, what + " is a pointer into the host: not supported");
    }
    marshal.write(shape, out, answer, what, none);
  }

  std::shared_ptr<const FunctionShape> callee_;
  std::string name_;
  std::vector<ffi_type*> types_;
  ffi_cif cif_;
  ffi_closure* closure_ = nullptr;
  void* code_ = nullptr;
  mutable std::mutex mutex_;
  Callback callback_;  // empty once retired
  bool returned_ = false;
  std::exception_ptr failure_;
};

class RetiredCallbacks {
 public:
  void adopt(std::vector<std::unique_ptr<CallbackClosure>> closures) {
    std::lock_guard lock(mutex_);
    for (auto& closure : closures) closures_.push_back(std::move(closure));
  }

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<CallbackClosure>> closures_;
};

std::shared_ptr<RetiredCallbacks> makeRetiredCallbacks() {
  return std::make_shared<RetiredCallbacks>();
}

namespace {

// The callbacks a call gave the library to keep (CallResult::kept): callable until this is
// dropped, then retired into the library's RetiredCallbacks.
class KeptCallbacks {
 public:
  KeptCallbacks(std::vector<std::unique_ptr<CallbackClosure>> closures,
                std::shared_ptr<RetiredCallbacks> retired)
      : closures_(std::move(closures)), retired_(std::move(retired)) {}
  ~KeptCallbacks() {
    for (auto& closure : closures_) closure->retire();
    retired_->adopt(std::move(closures_));
  }
  KeptCallbacks(const KeptCallbacks&) = delete;
  KeptCallbacks& operator=(const KeptCallbacks&) = delete;

 private:
  std::vector<std::unique_ptr<CallbackClosure>> closures_;
  std::shared_ptr<RetiredCallbacks> retired_;
};

}  // namespace

// The libffi description of the call, made once: the types of structs passed by value own their
// element lists here.
struct ForeignFunction::Prepared {
  ffi_cif cif;
  std::vector<ffi_type*> argumentTypes;
  std::vector<std::unique_ptr<ffi_type>> records;
  std::vector<std::unique_ptr<std::vector<ffi_type*>>> elementLists;

  ffi_type* typeOf(const Shape& shape, const std::string& what) {
    if (ffi_type* scalar = scalarType(shape)) return scalar;
    if (shape.kind == Shape::Kind::record) {
      auto elements = std::make_unique<std::vector<ffi_type*>>();
      bool hasBitFields = std::any_of(shape.fields.begin(), shape.fields.end(),
                                      [](const Shape::Field& field) { return field.bits; });
      if (shape.isUnion || hasBitFields) {
        flatElements(shape, *elements);
      } else {
        for (const auto& field : shape.fields) appendElements(*field.shape, *elements, what);
      }
      elements->push_back(nullptr);
      auto type = std::make_unique<ffi_type>();
      type->size = 0;
      type->alignment = 0;
      type->type = FFI_TYPE_STRUCT;
      type->elements = elements->data();
      elementLists.push_back(std::move(elements));
      records.push_back(std::move(type));
      return records.back().get();
    }
    throw Error(Error::Kind::unsupported, what + " (" + shape.name + ") cannot be passed by value");
  }

  void appendElements(const Shape& shape, std::vector<ffi_type*>& elements, const std::string& what) {
    if (shape.kind == Shape::Kind::array) {
      for (uint32_t i = 0; i < shape.length; ++i) appendElements(*shape.element, elements, what);
      return;
    }
    elements.push_back(typeOf(shape, what));
  }

  // libffi has no unions and no bit-fields: a record with either is passed as a struct of the
  // same size and alignment, cut into pieces as wide as its alignment (at most 8 bytes), each
  // floating point where only floating-point members cover it and an integer elsewhere. That is
  // what decides registers where an ABI looks inside (System V x86-64 classifies each
  // eightbyte: SSE only without an integer in it); elsewhere size and alignment are all that
  // count.
  static void flatElements(const Shape& shape, std::vector<ffi_type*>& elements) {
    struct Leaf {
      uint32_t offset, size;
      bool floating;
    };
    std::vector<Leaf> leaves;
    auto collect = [&](auto& self, const Shape& part, uint32_t offset) -> void {
      switch (part.kind) {
        case Shape::Kind::record:
          for (const auto& field : part.fields) {
            if (field.bits) {
              uint32_t bytes = (field.bits->offset + field.bits->width + 7) / 8;
              leaves.push_back({offset + field.offset, bytes, false});
            } else {
              self(self, *field.shape, offset + field.offset);
            }
          }
          return;
        case Shape::Kind::array:
          for (uint32_t i = 0; i < part.length; ++i) {
            self(self, *part.element, offset + i * part.element->size);
          }
          return;
        default: leaves.push_back({offset, part.size, part.kind == Shape::Kind::floating});
      }
    };
    collect(collect, shape, 0);
    uint32_t piece = std::min<uint32_t>(std::max<uint32_t>(shape.align, 1), 8);
    for (uint32_t at = 0; at < shape.size; at += piece) {
      bool floating = std::none_of(leaves.begin(), leaves.end(), [&](const Leaf& leaf) {
        return !leaf.floating && leaf.offset < at + piece && at < leaf.offset + leaf.size;
      });
      switch (piece) {
        case 8: elements.push_back(floating ? &ffi_type_double : &ffi_type_uint64); break;
        case 4: elements.push_back(floating ? &ffi_type_float : &ffi_type_uint32); break;
        case 2: elements.push_back(&ffi_type_uint16); break;
        default: elements.push_back(&ffi_type_uint8); break;
      }
    }
  }
};

ForeignFunction::ForeignFunction(void* address, FunctionShape signature,
                                 std::shared_ptr<RetiredCallbacks> retired)
    : address_(address),
      signature_(std::move(signature)),
      prepared_(std::make_unique<Prepared>()),
      retired_(retired ? std::move(retired) : makeRetiredCallbacks()) {
  auto refuseIfTooLarge = [](const Shape& shape, const std::string& what) {
    if (shape.size > kMaxByValueBytes) {
      throw Error(Error::Kind::unsupported,
                  what + " (" + shape.name + ") is " + std::to_string(shape.size) +
                      " bytes passed by value; bridge32 passes at most " +
                      std::to_string(kMaxByValueBytes) +
                      " bytes by value (declare a pointer to it instead)");
    }
  };
  refuseIfTooLarge(*signature_.result, "the result of '" + signature_.name + "'");
  for (const auto& parameter : signature_.parameters) {
    const Shape& shape = *parameter.shape;
    refuseIfTooLarge(shape, "parameter '" + parameter.name + "'");
    if (shape.kept && (shape.kind == Shape::Kind::pointer || shape.kind == Shape::Kind::string)) {
      throw Error(Error::Kind::unsupported,
                  "parameter '" + parameter.name + "' is a pointer the library keeps (_Kept_): "
                  "bridge32 copies what a pointer points to for the call only, so a library "
                  "cannot keep it; declare what it points to as an opaque handle the library "
                  "allocates");
    }
    prepared_->argumentTypes.push_back(
        prepared_->typeOf(*parameter.shape, "parameter '" + parameter.name + "'"));
  }
  ffi_type* result = prepared_->typeOf(*signature_.result, "the result of '" + signature_.name + "'");
  if (signature_.isVariadic) return;  // prepared per call, with the variadic arguments' types
  ffi_status status = ffi_prep_cif(&prepared_->cif, abiOf(signature_.convention),
                                   unsigned(prepared_->argumentTypes.size()), result,
                                   prepared_->argumentTypes.data());
  if (status != FFI_OK) {
    throw Error(Error::Kind::unsupported,
                "libffi cannot prepare a call of '" + signature_.name + "' as declared (status " +
                    std::to_string(int(status)) + ")");
  }
  // libffi lays out structs passed by value itself; they must agree with the declaration's.
  for (size_t i = 0; i < signature_.parameters.size(); ++i) {
    const Shape& shape = *signature_.parameters[i].shape;
    if (prepared_->argumentTypes[i]->size != shape.size) {
      throw Error(Error::Kind::failed, "parameter '" + signature_.parameters[i].name + "' (" +
                                           shape.name + ") is " + std::to_string(shape.size) +
                                           " bytes but libffi makes it " +
                                           std::to_string(prepared_->argumentTypes[i]->size));
    }
  }
}

ForeignFunction::~ForeignFunction() = default;

namespace {

// The integer values of the input parameters, for the counts of pointers; with `given[i]` the
// value of parameter i, or null for one that takes none. `arguments` has a value for each input.
ParameterValues inputValues(const FunctionShape& signature, std::span<const Value> arguments,
                            std::vector<const Value*>& given) {
  const auto& parameters = signature.parameters;
  given.assign(parameters.size(), nullptr);
  ParameterValues values;
  size_t next = 0;
  for (size_t i = 0; i < parameters.size(); ++i) {
    if (!parameters[i].isInput()) continue;
    given[i] = &arguments[next++];
    const Shape& shape = *parameters[i].shape;
    if (auto number = integerOf(*given[i])) {
      values.set(parameters[i].name, *number, shape.kind == Shape::Kind::pointer);
    }
  }
  return values;
}

}  // namespace

bool isPlainRecord(const Shape& shape) {
  switch (shape.kind) {
    case Shape::Kind::boolean:
    case Shape::Kind::integer: return true;
    case Shape::Kind::floating: return shape.size == 4 || shape.size == 8;
    case Shape::Kind::array: return isPlainRecord(*shape.element);
    case Shape::Kind::record:
      return std::all_of(shape.fields.begin(), shape.fields.end(),
                         [](const Shape::Field& field) { return isPlainRecord(*field.shape); });
    default: return false;
  }
}

std::vector<std::byte> layOutRecords(const Shape& element, std::span<const Value> items,
                                     const std::string& what) {
  CallMemory memory(nullptr);
  Marshal marshal(memory);
  const Lookup none = noFields;
  std::vector<std::byte> bytes(items.size() * element.size);
  for (size_t i = 0; i < items.size(); ++i) {
    auto* at = reinterpret_cast<uint8_t*>(bytes.data()) + i * element.size;
    try {
      // Unnamed, as names cost an allocation per field: a value that does not fit is written
      // again below, named, for the error to say which it is.
      marshal.write(element, at, items[i], {}, none);
    } catch (const Error&) {
      marshal.write(element, at, items[i], what + "[" + std::to_string(i) + "]", none);
      throw;
    }
  }
  return bytes;
}

Value readRecords(const Shape& element, std::span<const std::byte> bytes,
                  const std::string& what) {
  if (element.size == 0 || bytes.size() % element.size != 0) {
    refuse(what + " holds " + std::to_string(bytes.size()) + " bytes, not a whole number of " +
           element.name + " (" + std::to_string(element.size) + " bytes each)");
  }
  CallMemory memory(nullptr);
  Marshal marshal(memory);
  const Lookup none = noFields;
  std::vector<Value> items;
  items.reserve(bytes.size() / element.size);
  for (size_t at = 0; at < bytes.size(); at += element.size) {
    items.push_back(marshal.read(element, reinterpret_cast<const uint8_t*>(bytes.data()) + at, none));
  }
  return Value(std::move(items));
}

SharedRoomNeed sharedRoomFor(const FunctionShape& signature, std::span<const Value> arguments) {
  SharedRoomNeed need;
  size_t inputs = size_t(std::count_if(signature.parameters.begin(), signature.parameters.end(),
                                       [](const auto& p) { return p.isInput(); }));
  if (arguments.size() < inputs) return need;
  std::vector<const Value*> given;
  ParameterValues values = inputValues(signature, arguments, given);
  Lookup lookup = values.lookup();
  for (size_t i = 0; i < signature.parameters.size(); ++i) {
    const Shape& shape = *signature.parameters[i].shape;
    if (shape.direction != Direction::out && !(shape.direction == Direction::inout &&
                                               shape.kind == Shape::Kind::pointer)) {
      continue;
    }
    if (!shape.count || (shape.kind != Shape::Kind::pointer && shape.kind != Shape::Kind::string)) {
      continue;
    }
    try {
      if (shape.kind == Shape::Kind::string) {
        // The characters the DLL writes, and their text (UTF-8: up to 3 bytes for a UTF-16 unit,
        // 4 for a UTF-32 one), which the answer may carry in the room too.
        uint64_t chars = elementCountOfChars(shape, lookup, "");
        uint64_t bytes = chars * shape.charWidth;
        need.bytes += CallMemory::roomFor(bytes) +
                      alignShared(chars * (shape.charWidth == 1 ? 1 : shape.charWidth == 2 ? 3 : 4));
        need.buffers.emplace_back(signature.parameters[i].name, bytes);
        continue;
      }
      uint64_t bytes = uint64_t(Marshal::elementCount(shape, lookup, "")) *
                       std::max<uint32_t>(shape.target->size, 1);
      need.bytes += CallMemory::roomFor(bytes);
      need.buffers.emplace_back(signature.parameters[i].name, bytes);
    } catch (const Error&) {
      // A count the call will refuse, naming it.
    }
  }
  return need;
}

CallResult ForeignFunction::call(std::span<const Value> arguments,
                                 std::span<const Callback> callbacks, SharedRoom* room) const {
  const auto& parameters = signature_.parameters;
  size_t callbackCount = size_t(std::count_if(parameters.begin(), parameters.end(),
                                              [](const auto& p) { return p.isCallback(); }));
  if (callbacks.size() != callbackCount) {
    refuse("'" + signature_.name + "' takes " + std::to_string(callbackCount) + " callback" +
           (callbackCount == 1 ? "" : "s") + ", given " + std::to_string(callbacks.size()));
  }
  size_t inputs = size_t(std::count_if(parameters.begin(), parameters.end(),
                                       [](const auto& p) { return p.isInput(); }));
  if (arguments.size() < inputs || (arguments.size() > inputs && !signature_.isVariadic)) {
    std::string names;
    for (const auto& parameter : parameters) {
      if (!parameter.isInput()) continue;
      names += (names.empty() ? "" : ", ") + parameter.name;
    }
    refuse("'" + signature_.name + "' takes " + std::to_string(inputs) + " argument" +
           (inputs == 1 ? "" : "s") + (names.empty() ? "" : " (" + names + ")") + ", given " +
           std::to_string(arguments.size()));
  }

  // Which argument is whose, and the integer values the pointers' counts may name.
  std::vector<const Value*> given;
  ParameterValues values = inputValues(signature_, arguments, given);
  Lookup lookup = values.lookup();

  CallMemory memory(room);
  Marshal marshal(memory);
  std::vector<void*> slots(parameters.size());
  std::vector<std::unique_ptr<CallbackClosure>> closures, kept;
  size_t nextCallback = 0;
  for (size_t i = 0; i < parameters.size(); ++i) {
    const Shape& shape = *parameters[i].shape;
    uint8_t* slot = memory.allocate(std::max<uint32_t>(shape.size, 8), false, parameters[i].name);
    if (parameters[i].isCallback()) {
      const Callback& callback = callbacks[nextCallback++];
      if (!shape.callee) refuse("callback '" + parameters[i].name + "' has no declaration");
      if (callback) {
        auto& owner = shape.kept ? kept : closures;
        owner.push_back(std::make_unique<CallbackClosure>(shape.callee, callback, parameters[i].name));
        storeAddress(slot, owner.back()->code());
      } else {
        storeAddress(slot, nullptr);
      }
      slots[i] = slot;
      continue;
    }
    static const Value kNone;
    marshal.write(shape, slot, given[i] ? *given[i] : kNone, "argument '" + parameters[i].name + "'",
                  lookup);
    slots[i] = slot;
  }

  // Variadic arguments: C's default promotions decide their types.
  ffi_cif variadicCif;
  const ffi_cif* cif = &prepared_->cif;
  std::vector<ffi_type*> variadicTypes;
  if (signature_.isVariadic) {
    variadicTypes = prepared_->argumentTypes;
    for (size_t k = inputs; k < arguments.size(); ++k) {
      const Value& value = arguments[k];
      std::string what = "variadic argument " + std::to_string(k - inputs + 1);
      Shape shape = promoted(value, what);
      uint8_t* slot = memory.allocate(8, false, what);
      marshal.write(shape, slot, value, what, lookup);
      slots.push_back(slot);
      variadicTypes.push_back(scalarType(shape));
    }
    ffi_type* result = scalarType(*signature_.result);
    if (!result) throw Error(Error::Kind::unsupported, "a variadic function returning a struct");
    if (ffi_prep_cif_var(&variadicCif, abiOf(signature_.convention), unsigned(inputs),
                         unsigned(variadicTypes.size()), result,
                         variadicTypes.data()) != FFI_OK) {
      refuse("libffi cannot prepare this call of '" + signature_.name + "'");
    }
    cif = &variadicCif;
  }

  const Shape& resultShape = *signature_.result;
  // ffi_call widens integer results to a full register (ffi_arg); structs take their own size.
  uint8_t* result = memory.allocate(std::max<size_t>({resultShape.size, sizeof(ffi_arg), 16}), false, "result");
  clearLastError();
  ffi_call(const_cast<ffi_cif*>(cif), FFI_FN(address_), result, slots.data());
  CallResult outcome;
  outcome.lastError = captureLastError();
  // The library may call the kept ones until the caller drops them, whatever happens next.
  std::vector<const CallbackClosure*> made;
  for (const auto& closure : closures) made.push_back(closure.get());
  for (auto& closure : kept) {
    closure->callReturned();
    made.push_back(closure.get());
  }
  if (!kept.empty()) outcome.kept = std::make_shared<KeptCallbacks>(std::move(kept), retired_);
  memory.checkGuards();
  for (const CallbackClosure* closure : made) {
    try {
      closure->rethrowFailure();
    } catch (const Error& error) {
      throw Error(error.kind() == Error::Kind::invalidArgument ? Error::Kind::invalidArgument
                                                               : Error::Kind::failed,
                  "a callback of '" + signature_.name + "' failed: " + error.message());
    } catch (...) {
      throw Error(Error::Kind::failed, "a callback of '" + signature_.name + "' failed: " +
                                           describe(std::current_exception()));
    }
  }

  // Out and in/out parameters: sized by the values after the call (a length the DLL updated).
  ParameterValues after = values;
  for (size_t i = 0; i < parameters.size(); ++i) {
    const Shape& shape = *parameters[i].shape;
    if (shape.kind == Shape::Kind::pointer && !shape.count && shape.target->kind == Shape::Kind::integer) {
      if (auto* address = static_cast<const uint8_t*>(loadAddress(static_cast<uint8_t*>(slots[i])))) {
        if (auto number = integerOf(marshal.read(*shape.target, address, lookup))) {
          after.set(parameters[i].name, *number, true);
        }
      }
    }
  }
  Lookup afterLookup = after.lookup();
  for (size_t i = 0; i < parameters.size(); ++i) {
    if (!parameters[i].isOutput()) continue;
    outcome.outputs.emplace_back(parameters[i].name,
                                 marshal.read(*parameters[i].shape, static_cast<uint8_t*>(slots[i]),
                                              afterLookup));
  }
  if (resultShape.kind != Shape::Kind::voidType) {
    const uint8_t* at = result;
    // A small integer comes back widened in an ffi_arg: read its low bytes (little-endian).
    outcome.value = marshal.read(resultShape, at, afterLookup);
  }
  if (room) room->used = memory.roomUsed();
  return outcome;
}

}  // namespace bridge32::library
