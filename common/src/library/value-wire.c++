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

Value fromWire(wire::Value::Reader in, WireText text, int depth) {
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
      for (auto item : in.getArray()) items.push_back(fromWire(item, text, depth + 1));
      return Value(std::move(items));
    }
    case wire::Value::RECORD: {
      std::vector<Value::Field> fields;
      fields.reserve(in.getRecord().size());
      for (auto field : in.getRecord()) {
        fields.push_back({bridge32::text(field.getName()), fromWire(field.getValue(), text, depth + 1)});
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
      std::vector<std::byte> bytes(data.size());
      if (!bytes.empty()) std::memcpy(bytes.data(), data.begin(), data.size());
      return Value(ElementType(numbers.getElementType()), std::move(bytes));
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

void toWire(const Value& value, wire::Value::Builder out) {
  if (value.isBool()) {
    out.setBoolean(value.asBool());
  } else if (value.kind() == Value::Kind::signedInteger) {
    out.setSigned(value.asInt64());
  } else if (value.kind() == Value::Kind::unsignedInteger) {
    out.setUnsigned(value.asUint64());
  } else if (value.isFloating()) {
    out.setFloating(value.asDouble());
  } else if (value.isString()) {
    out.setText(value.asString());
  } else if (value.isTypedArray()) {
    const auto& array = *value.asTypedArray();
    auto numbers = out.initNumbers();
    numbers.setElementType(uint8_t(array.type()));
    auto bytes = array.bytes();
    numbers.setBytes(kj::arrayPtr(reinterpret_cast<const kj::byte*>(bytes.data()), bytes.size()));
  } else if (value.isArray()) {
    const auto& items = value.asArray();
    auto list = out.initArray(uint32_t(items.size()));
    for (uint32_t i = 0; i < list.size(); ++i) toWire(items[i], list[i]);
  } else if (value.isStruct()) {
    const auto& fields = value.asStruct();
    auto list = out.initRecord(uint32_t(fields.size()));
    for (uint32_t i = 0; i < list.size(); ++i) {
      list[i].setName(fields[i].name);
      toWire(fields[i].value, list[i].initValue());
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

Value fromWire(wire::Value::Reader in, WireText text) { return fromWire(in, text, 0); }

std::vector<Value> fromWire(capnp::List<wire::Value>::Reader in, WireText text) {
  std::vector<Value> values;
  values.reserve(in.size());
  for (auto value : in) values.push_back(fromWire(value, text, 0));
  return values;
}

namespace {
uint64_t stringBytes(const Value& value) {
  if (value.isTypedArray()) return 0;  // numbers
  switch (value.kind()) {
    case Value::Kind::string: return value.asString().size();
    case Value::Kind::handle: return value.asHandle().text ? value.asHandle().text->size() : 0;
    case Value::Kind::array: {
      uint64_t total = 0;
      for (const Value& item : value.asArray()) total += stringBytes(item);
      return total;
    }
    case Value::Kind::structure: {
      uint64_t total = 0;
      for (const auto& field : value.asStruct()) total += stringBytes(field.value);
      return total;
    }
    default: return 0;
  }
}
}  // namespace

void WireTextBudget::add(const Value& value, const std::function<std::string()>& what) {
  uint64_t bytes = stringBytes(value);
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
