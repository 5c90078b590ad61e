// Callback closures (library/callback-closures.h): making one, running the host's callback when
// the DLL calls it, and where the kept ones retire.
#include "library/callback-closures.h"

#include <kj/exception.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string_view>

#include "bridge32/error.h"
#include "library/call-memory.h"
#include "library/ffi-types.h"
#include "library/marshal.h"
#include "logging.h"

namespace bridge32::library {

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

CallbackClosure::CallbackClosure(std::shared_ptr<const FunctionShape> callee, Callback callback,
                                 std::string name)
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

void CallbackClosure::run(void* result, void** arguments) {
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

void CallbackClosure::writeResult(uint8_t* out, const Value& answer, Marshal& marshal,
                                  const Lookup& none) {
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

// The pool of retired closures declared in foreign-call.h, kept until the last function of the
// library and the last of its callers' KeptCallbacks are gone.
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

KeptCallbacks::~KeptCallbacks() {
  for (auto& closure : closures_) closure->retire();
  retired_->adopt(std::move(closures_));
}

}  // namespace bridge32::library
