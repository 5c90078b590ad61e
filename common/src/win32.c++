#if _WIN32
#include "win32.h"

#include <optional>

namespace bridge32::win32 {

std::wstring wide(std::string_view utf8) {
  if (utf8.empty()) return {};
  int length = MultiByteToWideChar(CP_UTF8, 0, utf8.data(), int(utf8.size()), nullptr, 0);
  std::wstring result(size_t(length), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, utf8.data(), int(utf8.size()), result.data(), length);
  return result;
}

std::string narrow(std::wstring_view utf16) {
  if (utf16.empty()) return {};
  int length = WideCharToMultiByte(CP_UTF8, 0, utf16.data(), int(utf16.size()), nullptr, 0,
                                   nullptr, nullptr);
  std::string result(size_t(length), '\0');
  WideCharToMultiByte(CP_UTF8, 0, utf16.data(), int(utf16.size()), result.data(), length,
                      nullptr, nullptr);
  return result;
}

std::string errorText(DWORD code) {
  wchar_t* buffer = nullptr;
  DWORD length = FormatMessageW(
      FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
      nullptr, code, 0, reinterpret_cast<wchar_t*>(&buffer), 0, nullptr);
  std::string text = length ? narrow(std::wstring_view(buffer, length)) : "unknown error";
  LocalFree(buffer);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text + " (error " + std::to_string(code) + ")";
}

void throwLastError(std::string_view what, Error::Kind kind) {
  DWORD code = GetLastError();
  throw Error(kind, std::string(what) + " failed: " + errorText(code));
}

DWORD waitDispatchingMessages(const HANDLE* handles, DWORD count, DWORD timeoutMs) {
  ULONGLONG deadline = timeoutMs == INFINITE ? 0 : GetTickCount64() + timeoutMs;
  std::optional<int> quitCode;
  DWORD woken = WAIT_TIMEOUT;
  for (;;) {
    DWORD left = INFINITE;
    if (timeoutMs != INFINITE) {
      ULONGLONG now = GetTickCount64();
      left = now >= deadline ? 0 : DWORD(deadline - now);
    }
    woken = MsgWaitForMultipleObjectsEx(count, handles, left, QS_ALLINPUT, MWMO_INPUTAVAILABLE);
    if (woken != WAIT_OBJECT_0 + count) break;
    MSG message;
    while (PeekMessageW(&message, nullptr, 0, 0, PM_REMOVE)) {
      if (message.message == WM_QUIT) {
        quitCode = int(message.wParam);
        continue;
      }
      TranslateMessage(&message);
      DispatchMessageW(&message);
    }
  }
  if (quitCode) PostQuitMessage(*quitCode);
  return woken;
}

}  // namespace bridge32::win32
#endif
