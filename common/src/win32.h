// The one place bridge32 includes <windows.h>, plus the helpers every Win32 call goes through.
#pragma once
#if _WIN32

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN 1
#endif
#ifndef NOMINMAX
#define NOMINMAX 1
#endif
#include <windows.h>

#include <string>
#include <string_view>
#include <utility>

#include "bridge32/error.h"

namespace bridge32::win32 {

std::wstring wide(std::string_view utf8);
std::string narrow(std::wstring_view utf16);

// The system's text for a Win32 error code, with the code: "Access is denied. (error 5)".
std::string errorText(DWORD code);

// Throws Error(kind) saying `what` failed, with GetLastError()'s text.
[[noreturn]] void throwLastError(std::string_view what, Error::Kind kind = Error::Kind::failed);

// Waits like WaitForMultipleObjects (any of `count` handles, up to `timeoutMs` or INFINITE)
// while dispatching the calling thread's window messages, so that a window thread never stops
// answering. A WM_QUIT is not the wait's to act on: it is posted again once the wait is over,
// for the application's own loop. Returns WAIT_OBJECT_0 + i or WAIT_TIMEOUT.
DWORD waitDispatchingMessages(const HANDLE* handles, DWORD count, DWORD timeoutMs);

// An owned HANDLE, closed on destruction. Movable so it can be handed over, never copied.
class Handle {
 public:
  Handle() = default;
  explicit Handle(HANDLE handle) : handle_(handle) {}
  Handle(Handle&& other) noexcept : handle_(other.release()) {}
  Handle& operator=(Handle&& other) noexcept {
    reset(other.release());
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }

  HANDLE get() const { return handle_; }
  explicit operator bool() const { return handle_ != nullptr && handle_ != INVALID_HANDLE_VALUE; }
  HANDLE release() { return std::exchange(handle_, nullptr); }
  void reset(HANDLE handle = nullptr) {
    if (*this) CloseHandle(handle_);
    handle_ = handle;
  }

 private:
  HANDLE handle_ = nullptr;
};

}  // namespace bridge32::win32

// Checks a Win32 call that returns FALSE/NULL on failure; throws with GetLastError()'s text.
#define B32_WIN32_CHECK(call)                                      \
  do {                                                             \
    if (!(call)) ::bridge32::win32::throwLastError(#call);         \
  } while (false)

#endif  // _WIN32
