#include "library/value-wire.h"

#include <cstring>

#include "bridge32/error.h"
#include "bridge32/limits.h"
#include "wire.h"

namespace bridge32 {

namespace {

// Deeper than any C declaration nests: a peer that sends more is refused, not followed.
constexpr int kMaxDepth = 64;

wire::HandleKind toWire(Value::HandleKind kind) {
  switch (kind) {
    case Value::HandleKind::pointer: return wire::HandleKind::POINTER;
    case Value::HandleKind::kernel: return wire::HandleKind::KERNEL_HANDLE;
    case Value::HandleKind::window: return wire::HandleKind::WINDOW_HANDLE;
    case Value::HandleKind::module: return wire::HandleKind::MODULE_HANDLE;
    // Only as an argument the host duplicated into the surrogate for the call (see the host's
    // BridgedFunction, which refuses host handles anywhere else).
    case Value::HandleKind::hostKernel: return wire::HandleKind::LENT_KERNEL_HANDLE;
  }
  return wire::HandleKind::POINTER;
}

Value::HandleKind fromWire(wire::HandleKind kind) {
  switch (kind) {
    case wire::HandleKind::KERNEL_HANDLE:
    case wire::HandleKind::LENT_KERNEL_HANDLE: return Value::HandleKind::kernel;
    case wire::HandleKind::WINDOW_HANDLE: return Value::HandleKind::window;
    case wire::HandleKind::MODULE_HANDLE: return Value::HandleKind::module;
    default: return Value::HandleKind::pointer;
  }
}

Value fromWire(wire::Value::Reader in, WireText text, WireMemory* memory, int depth) {
  if (depth > kMaxDepth) {
    throw Error(Error::Kind::invalidArgument,
                "a value nested deeper than " + std::to_string(kMaxDepth) + " levels");
  }
  switch (in.which()) {
    case wire::Value::NULL_: return Value();
    case wire::Value::BOOLEAN: return Value(in.getBoolean());
    case wire::Value::SIGNED: return Value(int64_t(in.getSigned()));
    case wire::Value::UNSIGNED: return Value(uint64_t(in.getUnsigned()));
    case wire::Value::FLOATING: return Value(in.getFloating());
    case wire::Value::TEXT: {
      std::string_view bytes(in.getText().begin(), in.getText().size());
      return Value(text == WireText::asGiven ? std::string(bytes) : validUtf8(bytes));
    }
    case wire::Value::ARRAY: {
      std::vector<Value> items;
      items.reserve(in.getArray().size());
      for (auto item : in.getArray()) items.push_back(fromWire(item, text, memory, depth + 1));
      return Value(std::move(items));
    }
    case wire::Value::RECORD: {
      std::vector<Value::Field> fields;
      fields.reserve(in.getRecord().size());
      for (auto field : in.getRecord()) {
        fields.push_back({bridge32::text(field.getName()), fromWire(field.getValue(), text, memory, depth + 1)});
      }
      return Value(std::move(fields));
    }
    case wire::Value::NUMBERS: {
      auto numbers = in.getNumbers();
      if (numbers.getElementType() > uint8_t(ElementType::float64)) {
        throw Error(Error::Kind::invalidArgument,
                    "an array of numbers of type " + std::to_string(numbers.getElementType()));
      }
      auto data = numbers.getBytes();
      auto* begin = reinterpret_cast<const std::byte*>(data.begin());
      return Value(ElementType(numbers.getElementType()),
                   std::vector<std::byte>(begin, begin + data.size()));
    }
    case wire::Value::SHARED: {
      auto shared = in.getShared();
      if (!memory) {
        throw Error(Error::Kind::invalidArgument, "a value in shared memory where none is shared");
      }
      if (!shared.getIsText() && shared.getElementType() > uint8_t(ElementType::float64)) {
        throw Error(Error::Kind::invalidArgument,
                    "an array of numbers of type " + std::to_string(shared.getElementType()));
      }
      auto found = memory->find(shared.getSegment(), shared.getOffset(), shared.getBytes());
      if (shared.getIsText()) {
        std::string_view bytes(reinterpret_cast<const char*>(found.bytes.data()), found.bytes.size());
        return Value(text == WireText::asGiven ? std::string(bytes) : validUtf8(bytes));
      }
      return Value(std::make_shared<const Value::TypedArray>(ElementType(shared.getElementType()),
                                                             found.bytes, std::move(found.owner)));
    }
    case wire::Value::HANDLE: {
      auto handle = in.getHandle();
      Value::Handle out{handle.getValue(), fromWire(handle.getKind())};
      if (handle.getHasText()) {
        std::string_view bytes(handle.getText().begin(), handle.getText().size());
        out.text = std::make_shared<const std::string>(
            text == WireText::asGiven ? std::string(bytes) : validUtf8(bytes));
      }
      return Value(std::move(out));
    }
  }
  throw Error(Error::Kind::invalidArgument, "a value of a kind this side does not know");
}

}  // namespace

namespace {

// `bytes` in shared memory, if `memory` places them there.
bool toShared(std::span<const std::byte> bytes, WireMemory* memory,
              wire::Value::Builder out, ElementType type, bool isText) {
  if (!memory) return false;
  auto place = memory->place(bytes);
  if (!place) return false;
  auto shared = out.initShared();
  shared.setSegment(place->segment);
  shared.setOffset(place->offset);
  shared.setBytes(bytes.size());
  shared.setElementType(uint8_t(type));
  shared.setIsText(isText);
  return true;
}

}  // namespace

void toWire(const Value& value, wire::Value::Builder out, WireMemory* memory) {
  if (value.isBool()) {
    out.setBoolean(value.asBool());
  } else if (value.kind() == Value::Kind::signedInteger) {
    out.setSigned(value.asInt64());
  } else if (value.kind() == Value::Kind::unsignedInteger) {
    out.setUnsigned(value.asUint64());
  } else if (value.isFloating()) {
    out.setFloating(value.asDouble());
  } else if (value.isString()) {
    const std::string& text = value.asString();
    if (!toShared(std::as_bytes(std::span(text)), memory, out, ElementType::uint8, true)) {
      out.setText(text);
    }
  } else if (value.isTypedArray()) {
    const auto& array = *value.asTypedArray();
    if (toShared(array.bytes(), memory, out, array.type(), false)) return;
    auto numbers = out.initNumbers();
    numbers.setElementType(uint8_t(array.type()));
    auto bytes = array.bytes();
    numbers.setBytes(kj::arrayPtr(reinterpret_cast<const kj::byte*>(bytes.data()), bytes.size()));
  } else if (value.isArray()) {
    const auto& items = value.asArray();
    auto list = out.initArray(uint32_t(items.size()));
    for (uint32_t i = 0; i < list.size(); ++i) toWire(items[i], list[i], memory);
  } else if (value.isStruct()) {
    const auto& fields = value.asStruct();
    auto list = out.initRecord(uint32_t(fields.size()));
    for (uint32_t i = 0; i < list.size(); ++i) {
      list[i].setName(fields[i].name);
      toWire(fields[i].value, list[i].initValue(), memory);
    }
  } else if (value.isHandle()) {
    auto handle = out.initHandle();
    handle.setValue(value.asHandle().value);
    handle.setKind(toWire(value.asHandle().kind));
    if (value.asHandle().text) {
      handle.setHasText(true);
      handle.setText(*value.asHandle().text);
    }
  } else {
    out.setNull();
  }
}

Value fromWire(wire::Value::Reader in, WireText text, WireMemory* memory) {
  return fromWire(in, text, memory, 0);
}

std::vector<Value> fromWire(capnp::List<wire::Value>::Reader in, WireText text,
                            WireMemory* memory) {
  std::vector<Value> values;
  values.reserve(in.size());
  for (auto value : in) values.push_back(fromWire(value, text, memory, 0));
  return values;
}

uint64_t largeValueBytes(const Value& value, std::span<const std::byte> shared) {
  auto large = [](uint64_t bytes) { return bytes >= kSharedValueBytes ? alignShared(bytes) : 0; };
  if (value.isTypedArray()) {
    auto bytes = value.asTypedArray()->bytes();
    bool inShared = !shared.empty() && bytes.data() >= shared.data() &&
                    bytes.data() < shared.data() + shared.size();
    return inShared ? 0 : large(bytes.size());
  }
  switch (value.kind()) {
    case Value::Kind::string: return large(value.asString().size());
    case Value::Kind::array: {
      uint64_t total = 0;
      for (const Value& item : value.asArray()) total += largeValueBytes(item, shared);
      return total;
    }
    case Value::Kind::structure: {
      uint64_t total = 0;
      for (const auto& field : value.asStruct()) total += largeValueBytes(field.value, shared);
      return total;
    }
    default: return 0;
  }
}

namespace {
// The bytes of text `value` puts in a message: strings that go to shared memory do not count.
uint64_t stringBytes(const Value& value, bool largeShared) {
  if (value.isTypedArray()) return 0;  // numbers
  switch (value.kind()) {
    case Value::Kind::string: {
      uint64_t bytes = value.asString().size();
      return largeShared && bytes >= kSharedValueBytes ? 0 : bytes;
    }
    case Value::Kind::handle: return value.asHandle().text ? value.asHandle().text->size() : 0;
    case Value::Kind::array: {
      uint64_t total = 0;
      for (const Value& item : value.asArray()) total += stringBytes(item, largeShared);
      return total;
    }
    case Value::Kind::structure: {
      uint64_t total = 0;
      for (const auto& field : value.asStruct()) total += stringBytes(field.value, largeShared);
      return total;
    }
    default: return 0;
  }
}
}  // namespace

void WireTextBudget::add(const Value& value, const std::function<std::string()>& what) {
  uint64_t bytes = stringBytes(value, largeShared_);
  total_ += bytes;
  if (total_ > limits::kMaxCallTextBytes) {
    throw Error(Error::Kind::invalidArgument,
                what() + " holds " + std::to_string(bytes) + " bytes of text" +
                    (total_ > bytes ? " (" + std::to_string(total_) + " with the values before it)"
                                    : "") +
                    "; a bridged call carries at most " +
                    std::to_string(limits::kMaxCallTextBytes) + " bytes of text each way");
  }
}

}  // namespace bridge32
