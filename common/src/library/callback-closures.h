// Host callbacks as C function pointers for the calls of foreign-call.h: libffi closures that run
// a Callback when the DLL calls them. A call's own are freed after it; those the library keeps
// (_Kept_) live while the call's CallResult::kept does, then retire into the library's
// RetiredCallbacks, where they answer zeros.
#pragma once

#include <ffi.h>

#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "bridge32/call-result.h"
#include "library/foreign-call.h"

namespace bridge32::library {

class Marshal;

// "what an exception says", for the log.
std::string describe(std::exception_ptr failure);

// A host Callback as a C function pointer: a libffi closure whose handler reads the DLL's
// arguments as Values, runs the callback and writes its result back. One for a call is freed
// after it; one the library keeps (_Kept_) lives in the call's KeptCallbacks, and after that
// is dropped in the library's RetiredCallbacks, answering zeros (see retire()).
class CallbackClosure {
 public:
  CallbackClosure(std::shared_ptr<const FunctionShape> callee, Callback callback, std::string name);
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

  void run(void* result, void** arguments);

  // libffi takes integer results of a closure widened to a whole ffi_arg.
  void writeResult(uint8_t* out, const Value& answer, Marshal& marshal, const Lookup& none);

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

// The callbacks a call gave the library to keep (CallResult::kept): callable until this is
// dropped, then retired into the library's RetiredCallbacks.
class KeptCallbacks {
 public:
  KeptCallbacks(std::vector<std::unique_ptr<CallbackClosure>> closures,
                std::shared_ptr<RetiredCallbacks> retired)
      : closures_(std::move(closures)), retired_(std::move(retired)) {}
  ~KeptCallbacks();
  KeptCallbacks(const KeptCallbacks&) = delete;
  KeptCallbacks& operator=(const KeptCallbacks&) = delete;

 private:
  std::vector<std::unique_ptr<CallbackClosure>> closures_;
  std::shared_ptr<RetiredCallbacks> retired_;
};

}  // namespace bridge32::library
