// Values in and out of a call's memory (library/marshal.h): scalars, strings, and the Marshal
// that walks a shape over them.
#include "library/marshal.h"

#include <algorithm>
#include <limits>

#include "bridge32/error.h"
#include "bridge32/types.h"
#include "library/call-memory.h"
#include "window-handle.h"

namespace bridge32::library {

namespace {

// No single buffer of a call may be larger than this: a size argument of 4 billion elements is a
// mistake to report, not an allocation to try. A 32-bit process meets its address space first
// (CallMemory says so, naming the buffer and its size).
constexpr int64_t kMaxBufferBytes = int64_t(UINT32_MAX);

}  // namespace

[[noreturn]] void refuse(const std::string& message) {
  throw Error(Error::Kind::invalidArgument, message);
}

std::string describeKind(const Value& value) {
  return "a value of kind " + std::string(toString(value.kind()));
}

// ---- Scalars in memory ---------------------------------------------------------------------

namespace {

// The TypedArray element of an array of `element`s: numbers, not characters, bools or pointers.
std::optional<ElementType> elementTypeOf(const Shape& element) {
  if (element.kind == Shape::Kind::floating) {
    return element.size == 4 ? ElementType::float32 : ElementType::float64;
  }
  if (element.kind != Shape::Kind::integer) return std::nullopt;
  return integerElementType(element.size, element.isSigned);
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

}  // namespace

Value loadInteger(const Shape& shape, const uint8_t* at) {
  switch (shape.size) {
    case 1: return shape.isSigned ? Value(int64_t(load<int8_t>(at))) : Value(uint64_t(load<uint8_t>(at)));
    case 2: return shape.isSigned ? Value(int64_t(load<int16_t>(at))) : Value(uint64_t(load<uint16_t>(at)));
    case 4: return shape.isSigned ? Value(int64_t(load<int32_t>(at))) : Value(uint64_t(load<uint32_t>(at)));
    default: return shape.isSigned ? Value(load<int64_t>(at)) : Value(load<uint64_t>(at));
  }
}

void storeAddress(uint8_t* at, const void* address) { store(at, address); }
void* loadAddress(const uint8_t* at) { return load<void*>(at); }

// ---- Strings -------------------------------------------------------------------------------

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

namespace {

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

}  // namespace

// ---- Values in and out of memory -----------------------------------------------------------

std::optional<int64_t> integerOf(const Value& value) {
  if ((value.kind() == Value::Kind::signedInteger)) return value.asInt64();
  if ((value.kind() == Value::Kind::unsignedInteger) && value.asUint64() <= uint64_t(std::numeric_limits<int64_t>::max())) {
    return int64_t(value.asUint64());
  }
  if (value.isBool()) return value.asBool();
  return std::nullopt;
}

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

std::optional<int64_t> noFields(std::string_view, bool) { return std::nullopt; }

void Marshal::write(const Shape& shape, uint8_t* at, const Value& value, const std::string& what,
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

Value Marshal::read(const Shape& shape, const uint8_t* at, const Lookup& lookup) const {
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

size_t Marshal::elementCount(const Shape& shape, const Lookup& lookup, const std::string& what) {
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

void* Marshal::opaqueAddress(const Shape& shape, const Value& value, const std::string& what) {
  if (value.isNull()) return nullptr;
  if (value.isHandle() && shape.handleKind == Value::HandleKind::window) {
    return reinterpret_cast<void*>(windowHandleFromWire(windowHandleToWire(value.asHandle().value)));
  }
  if (value.isHandle()) return reinterpret_cast<void*>(uintptr_t(value.asHandle().value));
  if (auto number = integerOf(value)) return reinterpret_cast<void*>(uintptr_t(*number));
  refuse(what + " is " + shape.name + ": expected a value the library handed out, or null, got " +
         describeKind(value));
}

void* Marshal::pointee(const Shape& shape, const Value& value, const std::string& what,
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

void* Marshal::outBuffer(const Shape& shape, const std::string& what, const Lookup& lookup) {
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

void* Marshal::asTheDllWantsThem(std::span<const std::byte> bytes, bool writes,
                                 const std::string& what) {
  if (!writes && !bytes.empty()) return const_cast<std::byte*>(bytes.data());
  uint8_t* buffer = writableBuffer(bytes.size(), what);
  if (!bytes.empty()) std::memcpy(buffer, bytes.data(), bytes.size());
  return buffer;
}

uint8_t* Marshal::writableBuffer(size_t bytes, const std::string& what) {
  if (uint8_t* shared = memory_.allocateShared(bytes, what)) return shared;
  return memory_.allocate(bytes, true, what);
}

void Marshal::writeRecord(const Shape& shape, uint8_t* at, const Value& value,
                          const std::string& what) {
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

std::vector<std::pair<const Shape::Field*, const Value*>> Marshal::membersOf(
    const Shape& shape, const Value& value, const std::string& what) {
  std::vector<std::pair<const Shape::Field*, const Value*>> members;
  if (value.isStruct()) {
    // Fields by name, and unnamed ones by position as in C's {1, .y = 2, 3}: the one after the
    // last field given.
    size_t room = shape.isUnion ? 1 : shape.fields.size();
    size_t next = 0;
    for (const auto& given : value.asStruct()) {
      auto field = shape.fields.begin() + std::ptrdiff_t(std::min(next, shape.fields.size()));
      if (!given.name.empty()) {
        field = std::find_if(shape.fields.begin(), shape.fields.end(),
                             [&](const auto& f) { return f.name == given.name; });
        if (field == shape.fields.end()) {
          refuse(what + " (" + shape.name + ") has no field '" + given.name + "'");
        }
      } else if (next >= room) {
        refuse(what + " (" + shape.name + ") has " + std::to_string(room) +
               (room == 1 ? " field" : " fields") + ", given a value by position after the last");
      }
      members.emplace_back(&*field, &given.value);
      next = size_t(field - shape.fields.begin()) + 1;
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

void Marshal::writeArray(const Shape& shape, uint8_t* at, const Value& value,
                         const std::string& what, const Lookup& lookup) {
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

Value Marshal::readElements(const Shape& element, const uint8_t* at, size_t count,
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

Lookup Marshal::recordLookup(const Shape& shape, const uint8_t* at) {
  return [&shape, at](std::string_view name, bool) -> std::optional<int64_t> {
    for (const auto& field : shape.fields) {
      if (field.name != name || field.shape->kind != Shape::Kind::integer) continue;
      return integerOf(field.bits ? loadBitField(field, at)
                                  : loadInteger(*field.shape, at + field.offset));
    }
    return std::nullopt;
  };
}

}  // namespace bridge32::library
