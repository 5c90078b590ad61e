// What the C API's parts (core/c-api.c++ and each kind's c-api.c++) share: the error object, the
// guard that turns exceptions into statuses, and Values both ways.
#pragma once

#include <algorithm>
#include <cstring>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bridge32/bridge32.h"
#include "bridge32/detail/c-api.h"
#include "bridge32/error.h"
#include "bridge32/surrogate.h"
#include "bridge32/value.h"

namespace bridge32 {
class LiveSurrogate;
}

struct bridge32_error {
  bridge32::Error error;
};

struct bridge32_surrogate {
  std::shared_ptr<bridge32::LiveSurrogate> surrogate;
};

struct bridge32_bytes {
  std::string bytes;  // NUL-terminated, for text
};

struct bridge32_strings {
  std::vector<std::string> strings;
};

namespace bridge32::c_api {

using detail::CValues;
using detail::kindOf;
using detail::statusOf;
using detail::ValuePlace;

// What the C caller's function `who` returning `status` (not BRIDGE32_OK) fails with:
// "callback 1 returned status 7 (bad state)", of that status's kind.
Error returnedStatus(const std::string& who, bridge32_status status);

// `failure` as a status, and as *error when the caller wants it.
bridge32_status fail(bridge32_error** error, const Error& failure) noexcept;
bridge32_status fail(bridge32_error** error, std::exception_ptr failure) noexcept;

// Runs `body`: BRIDGE32_OK, or the status of what it threw, set in *error. No exception leaves.
template <typename Body>
bridge32_status guarded(bridge32_error** error, Body&& body) noexcept {
  if (error) *error = nullptr;
  try {
    body();
    return BRIDGE32_OK;
  } catch (const Error& failure) {
    return fail(error, failure);
  } catch (...) {
    return fail(error, std::current_exception());
  }
}

// Throws Error(invalidArgument) naming `what` when `pointer` is null.
template <typename T>
T& required(T* pointer, std::string_view what) {
  if (!pointer) throw Error(Error::Kind::invalidArgument, std::string(what) + " is NULL");
  return *pointer;
}

// A string given to the C API: `length` bytes, or up to the NUL with BRIDGE32_NUL_TERMINATED.
// NULL with length 0 is the empty string; NULL with any other length is refused naming `what`.
std::string_view text(const char* data, size_t length, std::string_view what);
std::string_view text(const bridge32_string& string, std::string_view what);

// `text` as the C API hands strings out (NUL-terminated, its length in *length); "" for null.
const char* stringOf(const std::string* text, size_t* length);

// Architecture as the C API says it, and back (Error(invalidArgument) for neither x86 nor x64).
bridge32_architecture toC(Architecture architecture);
Architecture fromC(bridge32_architecture architecture);

// `given` as this build's `Struct`: the fields its struct_size covers, zeros after them (a caller
// built with an earlier header gives fewer, and NULL or 0 is what each field means when not set).
// Throws Error(invalidArgument) naming `what` and `init` (its _init function) for a struct_size
// that covers no field.
template <typename Struct>
Struct covered(const Struct& given, std::string_view what, std::string_view init) {
  if (given.struct_size <= sizeof(given.struct_size)) {
    throw Error(Error::Kind::invalidArgument,
                std::string(what) + "' struct_size is " + std::to_string(given.struct_size) +
                    ": fill them with " + std::string(init));
  }
  Struct copy{};
  std::memcpy(&copy, &given, std::min<size_t>(given.struct_size, sizeof copy));
  copy.struct_size = sizeof copy;
  return copy;
}

// The options a C caller gave (null: the defaults), as far as its struct_size covers them.
LoadOptions loadOptions(const bridge32_load_options* options);

// A context a C caller gave with a function of its own, released (bridge32_release_fn) when the
// last holder of this goes, once armed: never when what it was given for was refused.
class CallerContext {
 public:
  CallerContext(void* context, bridge32_release_fn release) : context_(context), release_(release) {}
  ~CallerContext() {
    if (armed_ && release_) release_(context_);
  }
  CallerContext(const CallerContext&) = delete;
  CallerContext& operator=(const CallerContext&) = delete;

  void* get() const { return context_; }
  void arm() { armed_ = true; }

 private:
  void* context_;
  bridge32_release_fn release_;
  bool armed_ = false;
};

// A C caller's value as a Value (detail::fromC): arrays of numbers viewed in the caller's
// memory, which outlives the call it is given to.
inline Value toValue(const bridge32_value& value, const ValuePlace& place) {
  return detail::fromC(value, place);
}

}  // namespace bridge32::c_api
