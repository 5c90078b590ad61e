// Calls through libffi (library/foreign-call.h): each function's libffi description, made once,
// and the call itself; plain records and the shared room a call needs. What a call writes and
// reads is marshal.h's, in call-memory.h's memory; its callbacks are callback-closures.h's.
#include "library/foreign-call.h"

#include <ffi.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

#include "bridge32/error.h"
#include "library/call-memory.h"
#include "library/callback-closures.h"
#include "library/ffi-types.h"
#include "library/marshal.h"
#include "transport/shared-segments.h"

#if _WIN32
#include "win32.h"
#endif

namespace bridge32::library {

namespace {

// No argument or result passed by value may be larger than this: it is copied onto the calling
// thread's stack (the surrogate's module thread's or the application's, 1 MiB by default on
// Windows), and libffi describes it element by element. Real APIs pass a few dozen bytes; 64 KiB
// is far beyond any of them.
constexpr uint32_t kMaxByValueBytes = 64u << 10;

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

// The libffi description of the call, made once.
struct ForeignFunction::Prepared {
  ffi_cif cif;
  std::vector<ffi_type*> argumentTypes;
  FfiTypes types;  // owns those of structs passed by value
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
        prepared_->types.of(*parameter.shape, "parameter '" + parameter.name + "'"));
  }
  ffi_type* result = prepared_->types.of(*signature_.result, "the result of '" + signature_.name + "'");
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
