// What the C++ API's inline layer shares over the C API (bridge32/bridge32.h), and what the C
// API's implementation reads its callers' values with: statuses and Errors both ways, Values
// both ways. Not API of its own: names here may change.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstring>
#include <exception>
#include <filesystem>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bridge32/bridge32.h"
#include "bridge32/error.h"
#include "bridge32/types.h"
#include "bridge32/value.h"

namespace bridge32::detail {

// The status of each Error::Kind (BRIDGE32_OK aside: statuses are the kinds, one up), and back
// (failed for one that is none).
constexpr bridge32_status statusOf(Error::Kind kind) { return bridge32_status(int(kind) + 1); }
constexpr Error::Kind kindOf(bridge32_status status) {
  return status > BRIDGE32_OK && status <= BRIDGE32_TIMEOUT ? Error::Kind(int(status) - 1)
                                                            : Error::Kind::failed;
}

// A duration as the C API's milliseconds, up to the most it has (about 49 days).
template <typename Duration>
constexpr uint32_t milliseconds(Duration duration) {
  auto count = std::chrono::duration_cast<std::chrono::milliseconds>(duration).count();
  return count <= 0 ? 0 : count >= int64_t(UINT32_MAX) ? UINT32_MAX : uint32_t(count);
}

// Runs `body`, the application's code called back by the C API, keeping what it throws here: the
// C API has no way to hear it.
template <typename Body>
void unthrowing(Body&& body) noexcept {
  try {
    body();
  } catch (...) {
  }
}

// Texts as the C API takes them, pointing into `texts`, which must outlive them.
inline std::vector<bridge32_string> cStrings(const std::vector<std::string>& texts) {
  std::vector<bridge32_string> c;
  for (const auto& text : texts) c.push_back({text.data(), text.size()});
  return c;
}

// A string the C API handed out, as a std::string ("" for NULL).
inline std::string stringFrom(const char* data, size_t length) {
  return data ? std::string(data, length) : std::string();
}

// Text the C API handed out (which this frees), as a std::string.
inline std::string takeText(bridge32_bytes* bytes) {
  std::unique_ptr<bridge32_bytes, void(BRIDGE32_CALL*)(bridge32_bytes*)> owned(bytes,
                                                                              bridge32_bytes_free);
  size_t size = 0;
  const uint8_t* data = bridge32_bytes_data(bytes, &size);
  return data ? std::string(reinterpret_cast<const char*>(data), size) : std::string();
}

// What a C API getter of a path (UTF-8) says of `object`, as a path.
template <typename Object>
std::filesystem::path pathOf(const char*(BRIDGE32_CALL* getter)(const Object*, size_t*),
                             const Object* object) {
  size_t length = 0;
  const char* text = getter(object, &length);
  return pathFromUtf8(std::string_view(text, length));
}

// The Error a C API function failed with: `error`'s (which this frees), or one of `status`'s
// kind when the caller had no error object.
inline Error errorFrom(bridge32_status status, bridge32_error* error) {
  if (!error) return Error(kindOf(status), bridge32_status_name(status));
  std::unique_ptr<bridge32_error, void(BRIDGE32_CALL*)(bridge32_error*)> owned(error,
                                                                              bridge32_error_free);
  size_t length = 0;
  const char* message = bridge32_error_message(error, &length);
  bool remote = bridge32_error_is_remote(error) != 0;
  bridge32_com_failure com{};
  if (bridge32_error_com(error, &com)) {
    Error::ComFailure failure{com.hresult, com.code, stringFrom(com.source, com.source_length),
                              stringFrom(com.description, com.description_length)};
    return Error(kindOf(bridge32_error_kind(error)), stringFrom(message, length),
                 std::move(failure), remote);
  }
  return Error(kindOf(bridge32_error_kind(error)), stringFrom(message, length), remote);
}

// Calls `call` with an error object to fill, and throws what it failed with, if it failed:
//   detail::checked([&](bridge32_error** error) { return bridge32_library_declare(..., error); });
template <typename Call>
void checked(Call&& call) {
  bridge32_error* error = nullptr;
  bridge32_status status = call(&error);
  if (status != BRIDGE32_OK) throw errorFrom(status, error);
}

// The exception being handled as a status and, when `error` is given, an error object: what a
// callback of the C++ API answers the C API with.
inline bridge32_status failWithCurrentException(bridge32_error** error) noexcept {
  bridge32_status status = BRIDGE32_FAILED;
  std::string message;
  try {
    try {
      throw;
    } catch (const Error& failure) {
      status = statusOf(failure.kind());
      message = failure.message();
    } catch (const std::exception& failure) {
      message = failure.what();
    } catch (...) {
      message = "an exception that is not a std::exception";
    }
  } catch (...) {  // no memory for the message
  }
  if (error) *error = bridge32_error_new(status, message.data(), message.size());
  return status;
}

// Where a value is, for messages about it ("argument 2 of 'f'[3].x"): made only when one is
// written, so that reading values costs no strings.
class ValuePlace {
 public:
  explicit ValuePlace(std::string_view what) : what_(what) {}
  // The `number`th (from 1) `what` of `owner`: "argument 2 of 'f'".
  ValuePlace(std::string_view what, size_t number, std::string_view owner)
      : what_(what), owner_(owner), index_(number) {}
  // An element or a field of `parent`.
  ValuePlace(const ValuePlace& parent, size_t index) : parent_(&parent), index_(index) {}
  ValuePlace(const ValuePlace& parent, std::string_view field)
      : parent_(&parent), what_(field), isField_(true) {}

  std::string describe() const {
    if (!parent_) {
      if (owner_.empty()) return std::string(what_);
      return std::string(what_) + " " + std::to_string(index_) + " of '" + std::string(owner_) +
             "'";
    }
    if (isField_) return parent_->describe() + "." + std::string(what_);
    return parent_->describe() + "[" + std::to_string(index_) + "]";
  }

 private:
  const ValuePlace* parent_ = nullptr;
  std::string_view what_;
  std::string_view owner_;
  size_t index_ = 0;
  bool isField_ = false;
};

[[noreturn]] inline void refuseValue(const ValuePlace& place, const std::string& why) {
  throw Error(Error::Kind::invalidArgument, place.describe() + " " + why);
}

// A string given to the C API: `length` bytes, or up to the NUL with BRIDGE32_NUL_TERMINATED.
// NULL with length 0 is the empty string; NULL with any other length is refused.
inline std::string_view textOf(const char* data, size_t length, const ValuePlace& place) {
  if (!data) {
    if (length == 0 || length == BRIDGE32_NUL_TERMINATED) return {};
    refuseValue(place, "is NULL with a length of " + std::to_string(length));
  }
  return length == BRIDGE32_NUL_TERMINATED ? std::string_view(data)
                                           : std::string_view(data, length);
}

// What keeps the memory a C value's arrays of numbers are in, for the views of them fromC makes.
class ViewKeeper {
 public:
  virtual std::shared_ptr<const void> keeper() = 0;

 protected:
  ~ViewKeeper() = default;
};

// A C value as a Value: strings, arrays and fields copied; arrays of numbers viewed where they
// are, kept by `keeper` (null: the caller's memory, which outlives what the Value is given to).
// Throws Error(invalidArgument) naming `place` for a kind, type or size that is not one.
inline Value fromC(const bridge32_value& value, const ValuePlace& place,
                   ViewKeeper* keeper = nullptr) {
  switch (value.kind) {
    case BRIDGE32_VALUE_NULL: return Value();
    case BRIDGE32_VALUE_BOOL: return Value(value.as.boolean != 0);
    case BRIDGE32_VALUE_INT: return Value(value.as.i64);
    case BRIDGE32_VALUE_UINT: return Value(value.as.u64);
    case BRIDGE32_VALUE_DOUBLE: return Value(value.as.f64);
    case BRIDGE32_VALUE_STRING:
      return Value(std::string(textOf(value.as.string.data, value.as.string.length, place)));
    case BRIDGE32_VALUE_ARRAY: {
      size_t count = value.as.array.count;
      if (!value.as.array.items && count != 0) {
        refuseValue(place, "is an array of " + std::to_string(count) + " values at NULL");
      }
      std::vector<Value> items;
      items.reserve(count);
      for (size_t i = 0; i < count; ++i) {
        items.push_back(fromC(value.as.array.items[i], ValuePlace(place, i), keeper));
      }
      return Value(std::move(items));
    }
    case BRIDGE32_VALUE_STRUCT: {
      size_t count = value.as.structure.count;
      if (!value.as.structure.fields && count != 0) {
        refuseValue(place, "is a struct of " + std::to_string(count) + " fields at NULL");
      }
      std::vector<Value::Field> fields;
      fields.reserve(count);
      for (size_t i = 0; i < count; ++i) {
        const bridge32_field& field = value.as.structure.fields[i];
        std::string name(textOf(field.name, field.name ? field.name_length : 0, place));
        Value item = name.empty() ? fromC(field.value, ValuePlace(place, i), keeper)
                                  : fromC(field.value, ValuePlace(place, name), keeper);
        fields.push_back({std::move(name), std::move(item)});
      }
      return Value(std::move(fields));
    }
    case BRIDGE32_VALUE_HANDLE: {
      if (value.type > BRIDGE32_HANDLE_HOST_KERNEL) {
        refuseValue(place, "is a handle of kind " + std::to_string(value.type) +
                               ": expected a bridge32_handle_kind");
      }
      Value::Handle handle(value.as.handle.value, Value::HandleKind(value.type));
      if (value.as.handle.text) {
        handle.text = std::make_shared<const std::string>(
            textOf(value.as.handle.text, value.as.handle.text_length, place));
      }
      return Value(std::move(handle));
    }
    case BRIDGE32_VALUE_NUMBERS: {
      if (value.type > BRIDGE32_FLOAT64) {
        refuseValue(place, "holds numbers of type " + std::to_string(value.type) +
                               ": expected a bridge32_element_type");
      }
      auto type = ElementType(value.type);
      size_t size = elementSize(type);
      size_t count = value.as.numbers.count;
      if (count > SIZE_MAX / size) {
        refuseValue(place, "holds " + std::to_string(count) + " numbers: more than memory has");
      }
      if (!value.as.numbers.data && count != 0) {
        refuseValue(place, "holds " + std::to_string(count) + " numbers at NULL");
      }
      if (reinterpret_cast<uintptr_t>(value.as.numbers.data) % size != 0) {
        refuseValue(place, "holds " + std::string(toString(type)) +
                               " numbers at an address not aligned for them");
      }
      std::span bytes(static_cast<const std::byte*>(value.as.numbers.data), count * size);
      return Value(std::make_shared<const Value::TypedArray>(type, bytes,
                                                             keeper ? keeper->keeper() : nullptr));
    }
  }
  refuseValue(place, "is of kind " + std::to_string(int(value.kind)) +
                         ": expected a bridge32_value_kind");
}

// Values as C values, in memory this holds: pointers into the Values themselves (strings, the
// bytes of arrays of numbers), which must outlive it. A few values take no allocation.
class CValues {
 public:
  CValues() = default;
  CValues(const CValues&) = delete;
  CValues& operator=(const CValues&) = delete;

  // `values` side by side, as a C array.
  const bridge32_value* addAll(std::span<const Value> values) {
    bridge32_value* converted = allocate(values.size());
    for (size_t i = 0; i < values.size(); ++i) fill(converted[i], values[i]);
    return converted;
  }
  const bridge32_value* add(const Value& value) { return addAll({&value, 1}); }

 private:
  static constexpr size_t kInline = 8;

  bridge32_value* allocate(size_t count) {
    if (count <= kInline - used_) {
      bridge32_value* values = inline_ + used_;
      used_ += count;
      return values;
    }
    return values_.emplace_back(new bridge32_value[count]).get();
  }

  void fill(bridge32_value& out, const Value& value) {
    std::memset(&out, 0, sizeof out);
    if (value.isTypedArray()) {
      const auto& numbers = *value.asTypedArray();
      out.kind = BRIDGE32_VALUE_NUMBERS;
      out.type = uint32_t(numbers.type());
      out.as.numbers.data = numbers.bytes().data();
      out.as.numbers.count = numbers.size();
      return;
    }
    switch (value.kind()) {
      case Value::Kind::null: out.kind = BRIDGE32_VALUE_NULL; return;
      case Value::Kind::boolean:
        out.kind = BRIDGE32_VALUE_BOOL;
        out.as.boolean = value.asBool();
        return;
      case Value::Kind::signedInteger:
        out.kind = BRIDGE32_VALUE_INT;
        out.as.i64 = value.asInt64();
        return;
      case Value::Kind::unsignedInteger:
        out.kind = BRIDGE32_VALUE_UINT;
        out.as.u64 = value.asUint64();
        return;
      case Value::Kind::floating:
        out.kind = BRIDGE32_VALUE_DOUBLE;
        out.as.f64 = value.asDouble();
        return;
      case Value::Kind::string:
        out.kind = BRIDGE32_VALUE_STRING;
        out.as.string.data = value.asString().c_str();
        out.as.string.length = value.asString().size();
        return;
      case Value::Kind::array: {
        const auto& items = value.asArray();
        bridge32_value* converted = allocate(items.size());
        for (size_t i = 0; i < items.size(); ++i) fill(converted[i], items[i]);
        out.kind = BRIDGE32_VALUE_ARRAY;
        out.as.array.items = converted;
        out.as.array.count = items.size();
        return;
      }
      case Value::Kind::structure: {
        const auto& fields = value.asStruct();
        bridge32_field* converted = fields_.emplace_back(new bridge32_field[fields.size()]).get();
        for (size_t i = 0; i < fields.size(); ++i) {
          converted[i].name = fields[i].name.c_str();
          converted[i].name_length = fields[i].name.size();
          fill(converted[i].value, fields[i].value);
        }
        out.kind = BRIDGE32_VALUE_STRUCT;
        out.as.structure.fields = converted;
        out.as.structure.count = fields.size();
        return;
      }
      case Value::Kind::handle: {
        // asHandle() gives a copy: the text it shares lives in `value`.
        Value::Handle handle = value.asHandle();
        out.kind = BRIDGE32_VALUE_HANDLE;
        out.type = uint32_t(handle.kind);
        out.as.handle.value = handle.value;
        if (handle.text) {
          out.as.handle.text = handle.text->c_str();
          out.as.handle.text_length = handle.text->size();
        }
        return;
      }
    }
  }

  bridge32_value inline_[kInline];
  size_t used_ = 0;
  std::vector<std::unique_ptr<bridge32_value[]>> values_;
  std::vector<std::unique_ptr<bridge32_field[]>> fields_;
};

// A C API object that views of its memory keep alive: shared on the first view (most results
// have none), else freed here.
template <typename Object, void(BRIDGE32_CALL* Free)(Object*)>
class SharedOnDemand final : public ViewKeeper {
 public:
  explicit SharedOnDemand(Object* object) : object_(object) {}
  ~SharedOnDemand() {
    if (!shared_) Free(object_);
  }
  SharedOnDemand(const SharedOnDemand&) = delete;
  SharedOnDemand& operator=(const SharedOnDemand&) = delete;

  Object* get() const { return object_; }
  std::shared_ptr<const void> keeper() override {
    if (!shared_) shared_ = std::shared_ptr<Object>(object_, Free);
    return shared_;
  }

 private:
  Object* object_;
  std::shared_ptr<const void> shared_;
};

}  // namespace bridge32::detail
