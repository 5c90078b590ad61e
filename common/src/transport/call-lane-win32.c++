// The Win32 half of call lanes (transport/call-lane.h): shared memory as a paging-file mapping,
// doorbells as events. The POSIX half is call-lane-posix.c++.
#include <string>

#include "bridge32/error.h"
#include "transport/call-lane.h"
#include "win32.h"

namespace bridge32 {

namespace {

[[noreturn]] void fail(const std::string& what) { win32::throwLastError(what); }

}  // namespace

SharedMapping SharedMapping::create(uint64_t bytes, const char* name) {
  SharedMapping mapping;
  if (bytes == 0 || bytes > SIZE_MAX) {
    throw Error(Error::Kind::invalidArgument,
                "a shared mapping of " + std::to_string(bytes) + " bytes for " + name);
  }
  HANDLE handle = CreateFileMappingW(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE,
                                     DWORD(bytes >> 32), DWORD(bytes), nullptr);
  if (!handle) fail(std::string("CreateFileMappingW for ") + name);
  mapping.handle_ = reinterpret_cast<intptr_t>(handle);
  void* view = MapViewOfFile(handle, FILE_MAP_ALL_ACCESS, 0, 0, size_t(bytes));
  if (!view) fail(std::string("MapViewOfFile for ") + name);
  mapping.data_ = static_cast<std::byte*>(view);
  mapping.size_ = bytes;
  return mapping;
}

SharedMapping SharedMapping::adopt(intptr_t handle, uint64_t bytes) {
  SharedMapping mapping;
  mapping.handle_ = handle;
  if (bytes == 0 || bytes > SIZE_MAX) {
    throw Error(Error::Kind::invalidArgument,
                "a shared mapping of " + std::to_string(bytes) + " bytes");
  }
  void* view = MapViewOfFile(reinterpret_cast<HANDLE>(handle), FILE_MAP_ALL_ACCESS, 0, 0,
                             size_t(bytes));
  if (!view) fail("MapViewOfFile of " + std::to_string(bytes) + " bytes of the host's shared memory");
  MEMORY_BASIC_INFORMATION info{};
  if (VirtualQuery(view, &info, sizeof info) == 0 || info.RegionSize < bytes) {
    UnmapViewOfFile(view);
    throw Error(Error::Kind::invalidArgument, "the host's shared memory is smaller than the " +
                                                  std::to_string(bytes) + " bytes it was said to be");
  }
  mapping.data_ = static_cast<std::byte*>(view);
  mapping.size_ = bytes;
  return mapping;
}

void SharedMapping::reset() {
  if (data_) UnmapViewOfFile(data_);
  if (handle_ != -1 && handle_ != 0) CloseHandle(reinterpret_cast<HANDLE>(handle_));
  data_ = nullptr;
  size_ = 0;
  handle_ = -1;
}

Doorbell Doorbell::create() {
  Doorbell bell;
  HANDLE event = CreateEventW(nullptr, FALSE, FALSE, nullptr);
  if (!event) fail("CreateEventW for a lane's doorbell");
  bell.handle_ = reinterpret_cast<intptr_t>(event);
  return bell;
}

Doorbell::~Doorbell() {
  if (handle_ == -1) return;
  CloseHandle(reinterpret_cast<HANDLE>(handle_));
}

void Doorbell::ring() const {
  SetEvent(reinterpret_cast<HANDLE>(handle_));
}

bool Doorbell::wait(std::chrono::milliseconds timeout) const {
  return WaitForSingleObject(reinterpret_cast<HANDLE>(handle_), DWORD(timeout.count())) ==
         WAIT_OBJECT_0;
}

void Doorbell::clear() const {
}

}  // namespace bridge32
