// Wrapped libraries (wrapped-library.h): the program's declarations, the closures that
// take its calls, and how their arguments and outputs cross between its memory and the call.
#include "wrapped-library.h"

#include <ffi.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <set>

#include "bridge32/error.h"
#include "library/c-parser.h"
#include "library/call-memory.h"
#include "library/callback-closures.h"
#include "library/declaration-shapes.h"
#include "library/ffi-types.h"
#include "library/header-preprocessor.h"
#include "library/loaded-library.h"
#include "library/marshal.h"
#include "logging.h"

#if _WIN32
#include "win32.h"
#endif

namespace bridge32 {

namespace {

using library::Marshal;
using library::Shape;

// What a failed call leaves as the last error, beside its zero result: the call did not reach the
// library or did not come back from it.
// How many characters of `width` bytes come before the NUL at `at`.
size_t unitsBeforeNul(const uint8_t* at, uint32_t width) {
  size_t n = 0;
  for (;; ++n) {
    bool zero = true;
    for (uint32_t b = 0; b < width; ++b) zero = zero && at[n * width + b] == 0;
    if (zero) return n;
  }
}

// A call that ran out of its deadline (the wrap's --timeout) says so apart.
#if _WIN32
constexpr uint32_t kCallFailed = 1726;  // RPC_S_CALL_FAILED, "The remote procedure call failed."
constexpr uint32_t kCallTimedOut = 1460;  // ERROR_TIMEOUT
#else
constexpr uint32_t kCallFailed = EIO;
constexpr uint32_t kCallTimedOut = ETIMEDOUT;
#endif

uint32_t lastErrorFor(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    return e.kind() == Error::Kind::timeout ? kCallTimedOut : kCallFailed;
  } catch (...) {
    return kCallFailed;
  }
}

void setLastError(uint32_t code) {
#if _WIN32
  SetLastError(DWORD(code));
#else
  errno = int(code);
#endif
}

// The spec's headers and declarations read for this process's ABI, as LoadedLibrary reads them
// for the library's: each header on its own, then each declaration text.
library::Declarations programDeclarations(const WrapSpec& spec) {
  library::Abi abi = library::nativeAbi();
  std::optional<library::Declarations> parsed;
  auto base = [&] { return parsed ? &*parsed : nullptr; };
  for (const auto& header : spec.headers) {
    auto options = library::preprocessOptions(spec.headerOptions, abi);
    library::PreprocessedText text = library::preprocessHeaders({header}, options);
    parsed = library::declareAfter(base(), text.text, text.lines, false, abi);
  }
  for (const auto& declarations : spec.declarations) {
    parsed = library::declareAfter(base(), declarations,
                                   library::linesOf(declarations, "declarations"), true, abi);
  }
  if (!parsed) {
    throw Error(Error::Kind::invalidArgument,
                "a wrapper of '" + utf8(spec.library) + "' needs its header or declarations");
  }
  return std::move(*parsed);
}

bool sameNumbers(ElementType type, const Shape& shape) {
  bool floating = type == ElementType::float32 || type == ElementType::float64;
  return elementSize(type) == shape.size && floating == (shape.kind == Shape::Kind::floating);
}

}  // namespace

// One function of a wrapped library: a closure of the program's declaration of it.
class WrappedFunction {
 public:
  WrappedFunction(WrappedLibrary& owner, library::FunctionShape program)
      : owner_(owner), program_(std::move(program)) {
    std::string name = "'" + program_.name + "'";
    if (program_.isVariadic) {
      throw Error(Error::Kind::unsupported,
                  name + " takes variable arguments, which a wrapper cannot read");
    }
    for (const auto& parameter : program_.parameters) {
      argumentTypes_.push_back(types_.of(*parameter.shape, "parameter '" + parameter.name +
                                                              "' of " + name));
    }
    ffi_type* result = types_.of(*program_.result, "the result of " + name);
    closure_ = static_cast<ffi_closure*>(ffi_closure_alloc(sizeof(ffi_closure), &code_));
    if (!closure_) throw Error(Error::Kind::failed, "no memory for the entry of " + name);
    if (ffi_prep_cif(&cif_, library::abiOf(program_.convention), unsigned(argumentTypes_.size()),
                     result, argumentTypes_.data()) != FFI_OK ||
        ffi_prep_closure_loc(closure_, &cif_, &WrappedFunction::handle, this, code_) != FFI_OK) {
      ffi_closure_free(closure_);
      throw Error(Error::Kind::unsupported, "libffi cannot make the entry of " + name);
    }
  }
  ~WrappedFunction() { ffi_closure_free(closure_); }
  WrappedFunction(const WrappedFunction&) = delete;
  WrappedFunction& operator=(const WrappedFunction&) = delete;

  void* code() const { return code_; }

 private:
  // [any thread the program calls it on]
  static void handle(ffi_cif*, void* result, void** arguments, void* self) {
    static_cast<WrappedFunction*>(self)->run(static_cast<uint8_t*>(result), arguments);
  }

  void run(uint8_t* result, void** arguments);
  std::shared_ptr<BoundFunction> bound();
  Callback programCallback(const std::shared_ptr<const library::FunctionShape>& callee, void* code);
  void keep(std::shared_ptr<void> kept);
  void writeBack(const Shape& shape, void* address, const Value& value, const std::string& what,
                 Marshal& marshal, const library::Lookup& lookup);
  void writeResult(uint8_t* out, const Value& value, Marshal& marshal);

  WrappedLibrary& owner_;
  library::FunctionShape program_;
  library::FfiTypes types_;
  std::vector<ffi_type*> argumentTypes_;
  ffi_cif cif_;
  ffi_closure* closure_ = nullptr;
  void* code_ = nullptr;
  std::mutex mutex_;
  std::shared_ptr<BoundFunction> bound_;
  // Strings returned to the program, which may keep them: NUL-terminated, in its characters.
  std::set<std::vector<uint8_t>> strings_;
  // The program's functions it gave as callbacks, each called through libffi as its type says,
  // by code and type; and what keeps the library's hold on those it keeps (_Kept_). The
  // program's code lives as long as it does: so do they.
  std::map<std::pair<void*, const library::FunctionShape*>,
           std::shared_ptr<const library::ForeignFunction>>
      programCallbacks_;
  std::vector<std::shared_ptr<void>> kept_;
};

// A function of the program, given for a parameter of type `callee`, as a Callback the library's
// calls of it run: called in this process, on the thread bridge32 runs callbacks on (the
// library's own threads' calls included).
Callback WrappedFunction::programCallback(const std::shared_ptr<const library::FunctionShape>& callee,
                                          void* code) {
  std::lock_guard lock(mutex_);
  auto& function = programCallbacks_[{code, callee.get()}];
  if (!function) function = std::make_shared<const library::ForeignFunction>(code, *callee);
  return [function, &owner = owner_](std::span<const Value> arguments) {
    std::vector<Value> given(arguments.begin(), arguments.end());
    const auto& parameters = function->signature().parameters;
    for (size_t i = 0; i < given.size() && i < parameters.size(); ++i) {
      if (parameters[i].shape->kind == Shape::Kind::opaque && given[i].isHandle()) {
        Value::Handle handle = given[i].asHandle();
        handle.value = owner.toProgram(handle.value);
        given[i] = Value(handle);
      }
    }
    return function->call(given).value;
  };
}

void WrappedFunction::keep(std::shared_ptr<void> kept) {
  if (!kept) return;
  std::lock_guard lock(mutex_);
  kept_.push_back(std::move(kept));
}

std::shared_ptr<BoundFunction> WrappedFunction::bound() {
  std::lock_guard lock(mutex_);
  if (!bound_) bound_ = owner_.library().function(program_.name);
  return bound_;
}

void WrappedFunction::run(uint8_t* result, void** arguments) {
  std::memset(result, 0, std::max<size_t>(program_.result->size, sizeof(ffi_arg)));
  try {
    library::CallMemory memory(nullptr);
    Marshal marshal(memory);
    const auto& parameters = program_.parameters;
    // The integers the program gave, and those its pointers point to: what counts its arrays.
    library::ParameterValues counts;
    for (size_t i = 0; i < parameters.size(); ++i) {
      const Shape& shape = *parameters[i].shape;
      const auto* at = static_cast<const uint8_t*>(arguments[i]);
      if (shape.kind == Shape::Kind::integer) {
        if (auto n = library::integerOf(library::loadInteger(shape, at))) {
          counts.set(parameters[i].name, *n, false);
        }
      } else if (shape.kind == Shape::Kind::pointer && shape.target->kind == Shape::Kind::integer) {
        if (const auto* pointee = static_cast<const uint8_t*>(library::loadAddress(at))) {
          if (auto n = library::integerOf(library::loadInteger(*shape.target, pointee))) {
            counts.set(parameters[i].name, *n, true);
          }
        }
      }
    }
    library::Lookup lookup = counts.lookup();
    std::vector<Value> values;
    std::vector<Callback> callbacks;
    for (size_t i = 0; i < parameters.size(); ++i) {
      if (parameters[i].isCallback()) {
        void* code = library::loadAddress(static_cast<const uint8_t*>(arguments[i]));
        callbacks.push_back(code ? programCallback(parameters[i].shape->callee, code)
                                 : Callback{});
        continue;
      }
      if (parameters[i].isInput()) {
        values.push_back(marshal.read(*parameters[i].shape,
                                      static_cast<const uint8_t*>(arguments[i]), lookup));
        if (parameters[i].shape->kind == Shape::Kind::opaque && values.back().isHandle()) {
          Value::Handle handle = values.back().asHandle();
          handle.value = owner_.toLibrary(handle.value);
          values.back() = Value(handle);
        }
      }
    }
    CallResult answer = bound()->call(values, callbacks);
    keep(std::move(answer.kept));
    for (size_t i = 0; i < parameters.size(); ++i) {
      if (!parameters[i].isOutput()) continue;
      writeBack(*parameters[i].shape,
                library::loadAddress(static_cast<const uint8_t*>(arguments[i])),
                answer.output(parameters[i].name), "parameter '" + parameters[i].name + "'",
                marshal, lookup);
    }
    writeResult(result, answer.value, marshal);
    setLastError(answer.lastError);
  } catch (...) {
    std::memset(result, 0, std::max<size_t>(program_.result->size, sizeof(ffi_arg)));
    logging::warn("wrapped '{}' of '{}' failed and returned 0: {}", program_.name,
                  utf8(owner_.spec().library), library::describe(std::current_exception()));
    setLastError(lastErrorFor(std::current_exception()));
  }
}

// What the library left where an out or in/out pointer of the program points: no more than the
// program's own count says its memory holds.
void WrappedFunction::writeBack(const Shape& shape, void* address, const Value& value,
                                const std::string& what, Marshal& marshal,
                                const library::Lookup& lookup) {
  if (!address || value.isNull()) return;
  auto* at = static_cast<uint8_t*>(address);
  if (shape.kind == Shape::Kind::string || (value.isString() && shape.kind == Shape::Kind::pointer)) {
    uint32_t width = shape.kind == Shape::Kind::string ? shape.charWidth : shape.target->size;
    // Counted, what the count says; else (_Inout_z_) the string the program gave, which the
    // library may rewrite but not lengthen.
    size_t room = !shape.count ? unitsBeforeNul(at, width) + 1
                  : shape.kind == Shape::Kind::string
                      ? library::elementCountOfChars(shape, lookup, what)
                      : Marshal::elementCount(shape, lookup, what);
    if (room == 0) return;
    // The text in the program's characters (UTF-8, UTF-16 or UTF-32), cut to its room with
    // room for the NUL, never between the two halves of a UTF-16 pair.
    std::vector<uint8_t> units = library::encodeString(value.asString(), width);
    size_t length = std::min(units.size() / width - 1, room - 1);
    if (width == 2 && length > 0 && length < units.size() / 2 - 1) {
      uint16_t last = uint16_t(units[2 * (length - 1)] | units[2 * (length - 1) + 1] << 8);
      if (last >= 0xD800 && last < 0xDC00) --length;
    }
    std::memcpy(at, units.data(), length * width);
    std::memset(at + length * width, 0, width);
    return;
  }
  const Shape& target = *shape.target;
  if (!shape.count) {
    marshal.write(target, at, value, what, lookup);
    return;
  }
  size_t room = Marshal::elementCount(shape, lookup, what);
  if (value.isTypedArray() && sameNumbers(value.asTypedArray()->type(), target)) {
    auto bytes = value.asTypedArray()->bytes();
    std::memcpy(at, bytes.data(), std::min(bytes.size(), room * target.size));
    return;
  }
  const auto& items = value.asArray();
  for (size_t k = 0; k < std::min(room, items.size()); ++k) {
    marshal.write(target, at + k * target.size, items[k], what + "[" + std::to_string(k) + "]",
                  lookup);
  }
}

void WrappedFunction::writeResult(uint8_t* out, const Value& value, Marshal& marshal) {
  const Shape& shape = *program_.result;
  std::string what = "the result of '" + program_.name + "'";
  const library::Lookup none = library::noFields;
  switch (shape.kind) {
    case Shape::Kind::voidType: return;
    case Shape::Kind::integer:
    case Shape::Kind::boolean: {
      // libffi takes integer results widened to a whole ffi_arg.
      uint8_t narrow[8] = {};
      marshal.write(shape, narrow, value, what, none);
      Value exact = library::loadInteger(shape, narrow);
      if (shape.isSigned) {
        library::store(out, ffi_sarg(exact.asInt64()));
      } else {
        library::store(out, ffi_arg(exact.asUint64()));
      }
      return;
    }
    case Shape::Kind::string: {
      if (value.isNull()) return;
      // Kept for the program, which may hold a library's string as long as it likes (a
      // version, a message): one copy of each distinct text, in the program's characters.
      std::lock_guard lock(mutex_);
      const auto& kept = *strings_.insert(library::encodeString(value.asString(), shape.charWidth))
                              .first;
      library::storeAddress(out, kept.data());
      return;
    }
    case Shape::Kind::pointer:
      throw Error(Error::Kind::unsupported,
                  what + " points into the library's memory, which a wrapper does not carry yet");
    case Shape::Kind::opaque:
      if (value.isHandle()) {
        // A context of the program's that the library gives back is the program's again.
        Value::Handle handle = value.asHandle();
        handle.value = owner_.toProgram(handle.value);
        marshal.write(shape, out, Value(handle), what, none);
        return;
      }
      [[fallthrough]];
    default: marshal.write(shape, out, value, what, none);
  }
}

WrappedLibrary::WrappedLibrary(WrapSpec spec)
    : spec_(std::move(spec)),
      programSide_(std::make_unique<library::Declarations>(programDeclarations(spec_))) {}

WrappedLibrary::~WrappedLibrary() = default;

void* WrappedLibrary::entry(size_t index) {
  if (index >= spec_.functions.size()) {
    throw Error(Error::Kind::notFound, "the wrapper has " + std::to_string(spec_.functions.size()) +
                                           " functions, not " + std::to_string(index + 1));
  }
  std::lock_guard lock(mutex_);
  auto& function = functions_[index];
  if (!function) {
    const std::string& name = spec_.functions[index];
    auto signature = programSide_->findFunction(name);
    if (!signature) {
      throw Error(Error::Kind::notFound, "no function '" + name + "' is declared for the wrapper");
    }
    function = std::make_unique<WrappedFunction>(
        *this, library::describeFunction(*signature, library::nativeAbi()));
  }
  return function->code();
}

void* WrappedLibrary::entry(const std::string& name) {
  auto found = std::find(spec_.functions.begin(), spec_.functions.end(), name);
  if (found == spec_.functions.end()) {
    throw Error(Error::Kind::notFound, "the wrapper exports no function '" + name + "'");
  }
  return entry(size_t(found - spec_.functions.begin()));
}

namespace {
constexpr uint64_t kFirstToken = 0xFFFF0000, kEndOfTokens = 0xFFFFE000;
}

uint64_t WrappedLibrary::toLibrary(uint64_t programValue) {
  if (programValue <= UINT32_MAX) return programValue;
  std::lock_guard lock(tokensMutex_);
  auto [at, added] = tokens_.try_emplace(programValue, uint32_t(kFirstToken + pointers_.size()));
  if (added) {
    if (at->second >= kEndOfTokens) {
      tokens_.erase(at);
      throw Error(Error::Kind::unsupported,
                  "more than 57,344 pointers of the program given to the 32-bit library");
    }
    pointers_.push_back(programValue);
  }
  return at->second;
}

uint64_t WrappedLibrary::toProgram(uint64_t libraryValue) {
  if (libraryValue < kFirstToken || libraryValue >= kEndOfTokens) return libraryValue;
  std::lock_guard lock(tokensMutex_);
  size_t index = size_t(libraryValue - kFirstToken);
  return index < pointers_.size() ? pointers_[index] : libraryValue;
}

LoadedLibrary& WrappedLibrary::library() {
  std::lock_guard lock(mutex_);
  if (!library_) {
    auto loaded = LoadedLibrary::load(spec_.library, spec_.loadOptions);
    for (const auto& header : spec_.headers) loaded->include(header, spec_.headerOptions);
    for (const auto& declarations : spec_.declarations) loaded->declare(declarations);
    library_ = std::move(loaded);
  }
  return *library_;
}

}  // namespace bridge32
