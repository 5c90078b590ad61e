#if _WIN32
#include "transport/named-pipe.h"

#include <bcrypt.h>
#include <sddl.h>

#include <kj/debug.h>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace bridge32 {

namespace {

constexpr DWORD kPipeBufferBytes = 64 * 1024;
constexpr size_t kMaxIoChunk = 1u << 30;

// "D:P(A;;GA;;;<SID of the current user>)": a protected DACL granting only the current user.
std::wstring currentUserOnlySddl() {
  HANDLE rawToken = nullptr;
  B32_WIN32_CHECK(OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &rawToken));
  win32::Handle token(rawToken);
  DWORD size = 0;
  GetTokenInformation(token.get(), TokenUser, nullptr, 0, &size);
  std::vector<unsigned char> buffer(size);
  B32_WIN32_CHECK(GetTokenInformation(token.get(), TokenUser, buffer.data(), size, &size));
  wchar_t* sid = nullptr;
  B32_WIN32_CHECK(
      ConvertSidToStringSidW(reinterpret_cast<TOKEN_USER*>(buffer.data())->User.Sid, &sid));
  std::wstring sddl = L"D:P(A;;GA;;;" + std::wstring(sid) + L")";
  LocalFree(sid);
  return sddl;
}

class NamedPipeStream final : public kj::AsyncIoStream {
 public:
  NamedPipeStream(win32::Handle pipe, kj::Win32EventPort& port)
      : pipe_(std::move(pipe)), observer_(port.observeIo(pipe_.get())) {}

  kj::Promise<size_t> tryRead(void* buffer, size_t minBytes, size_t maxBytes) override {
    return read(static_cast<kj::byte*>(buffer), minBytes, maxBytes, 0);
  }

  kj::Promise<void> write(const void* buffer, size_t size) override {
    if (size == 0) return kj::READY_NOW;
    auto operation = observer_->newOperation(0);
    DWORD chunk = DWORD(std::min(size, kMaxIoChunk));
    if (!WriteFile(pipe_.get(), buffer, chunk, nullptr, operation->getOverlapped())) {
      DWORD error = GetLastError();
      if (error != ERROR_IO_PENDING) return disconnected("WriteFile", error);
    }
    return operation->onComplete().then(
        [this, buffer, size](kj::Win32EventPort::IoResult result) -> kj::Promise<void> {
          if (result.errorCode != ERROR_SUCCESS) return disconnected("WriteFile", result.errorCode);
          return write(static_cast<const kj::byte*>(buffer) + result.bytesTransferred,
                       size - result.bytesTransferred);
        });
  }

  kj::Promise<void> write(kj::ArrayPtr<const kj::ArrayPtr<const kj::byte>> pieces) override {
    if (pieces.size() == 0) return kj::READY_NOW;
    return write(pieces[0].begin(), pieces[0].size()).then([this, pieces] {
      return write(pieces.slice(1, pieces.size()));
    });
  }

  kj::Promise<void> whenWriteDisconnected() override { return kj::NEVER_DONE; }

  // A pipe has no half-close; the peer sees the end when this handle closes.
  void shutdownWrite() override {}

 private:
  kj::Promise<size_t> read(kj::byte* buffer, size_t minBytes, size_t maxBytes, size_t done) {
    auto operation = observer_->newOperation(0);
    DWORD chunk = DWORD(std::min(maxBytes - done, kMaxIoChunk));
    if (!ReadFile(pipe_.get(), buffer + done, chunk, nullptr, operation->getOverlapped())) {
      DWORD error = GetLastError();
      if (isEndOfPipe(error)) return done;
      if (error != ERROR_IO_PENDING) return disconnected("ReadFile", error);
    }
    return operation->onComplete().then(
        [this, buffer, minBytes, maxBytes,
         done](kj::Win32EventPort::IoResult result) -> kj::Promise<size_t> {
          if (isEndOfPipe(result.errorCode)) return done;
          if (result.errorCode != ERROR_SUCCESS) return disconnected("ReadFile", result.errorCode);
          size_t total = done + result.bytesTransferred;
          if (total >= minBytes || result.bytesTransferred == 0) return total;
          return read(buffer, minBytes, maxBytes, total);
        });
  }

  static bool isEndOfPipe(DWORD error) {
    return error == ERROR_BROKEN_PIPE || error == ERROR_PIPE_NOT_CONNECTED ||
           error == ERROR_NO_DATA;
  }

  static kj::Exception disconnected(const char* call, DWORD error) {
    return KJ_EXCEPTION(DISCONNECTED, "named pipe I/O failed", call, win32::errorText(error));
  }

  win32::Handle pipe_;
  kj::Own<kj::Win32EventPort::IoObserver> observer_;
};

}  // namespace

std::wstring newPipeName() {
  unsigned char random[16];
  if (BCryptGenRandom(nullptr, random, sizeof random, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) {
    throw Error(Error::Kind::failed, "BCryptGenRandom failed to make a pipe name");
  }
  wchar_t hex[33];
  for (size_t i = 0; i < sizeof random; ++i) swprintf(hex + 2 * i, 3, L"%02x", random[i]);
  return L"\\\\.\\pipe\\bridge32-" + std::to_wstring(GetCurrentProcessId()) + L"-" + hex;
}

win32::Handle createPrivatePipe(const std::wstring& name, bool lowIntegrityClient) {
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  // S:(ML;;NW;;;LW): a low mandatory label, no write up from below it.
  std::wstring sddl = currentUserOnlySddl() + (lowIntegrityClient ? L"S:(ML;;NW;;;LW)" : L"");
  B32_WIN32_CHECK(ConvertStringSecurityDescriptorToSecurityDescriptorW(
      sddl.c_str(), SDDL_REVISION_1, &descriptor, nullptr));
  SECURITY_ATTRIBUTES attributes{sizeof attributes, descriptor, FALSE};
  HANDLE pipe = CreateNamedPipeW(
      name.c_str(), PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
      PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
      /*nMaxInstances=*/1, kPipeBufferBytes, kPipeBufferBytes, 0, &attributes);
  DWORD error = GetLastError();
  LocalFree(descriptor);
  if (pipe == INVALID_HANDLE_VALUE) {
    throw Error(Error::Kind::failed,
                "cannot create named pipe '" + win32::narrow(name) + "': " + win32::errorText(error));
  }
  return win32::Handle(pipe);
}

win32::Handle openPipe(const std::wstring& name) {
  // SECURITY_IDENTIFICATION: the host may identify this client but never impersonate it.
  HANDLE pipe = CreateFileW(name.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                            FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION,
                            nullptr);
  if (pipe == INVALID_HANDLE_VALUE) {
    throw Error(Error::Kind::failed, "cannot open named pipe '" + win32::narrow(name) +
                                         "': " + win32::errorText(GetLastError()));
  }
  return win32::Handle(pipe);
}

kj::Own<kj::AsyncIoStream> wrapPipe(win32::Handle pipe, kj::Win32EventPort& port) {
  return kj::heap<NamedPipeStream>(std::move(pipe), port);
}

}  // namespace bridge32
#endif
