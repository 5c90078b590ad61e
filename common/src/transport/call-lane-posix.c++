// The POSIX half of call lanes (transport/call-lane.h): shared memory as a memfd, doorbells as
// eventfds, waits on a futex. The Win32 half is call-lane-win32.c++.
#include <linux/futex.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "bridge32/error.h"
#include "transport/call-lane.h"

namespace bridge32::lane {

bool sleepOnWord(std::atomic<uint32_t>& word, uint32_t seen, std::chrono::nanoseconds timeout) {
  // Not FUTEX_PRIVATE_FLAG: the other side is another process mapping the same memory.
  timespec relative{time_t(timeout.count() / 1'000'000'000), long(timeout.count() % 1'000'000'000)};
  long result = syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAIT, seen, &relative,
                        nullptr, 0);
  return !(result == -1 && errno == ETIMEDOUT);
}

void wakeWord(std::atomic<uint32_t>& word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAKE, INT32_MAX, nullptr, nullptr, 0);
}

}  // namespace bridge32::lane

namespace bridge32 {

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw Error(Error::Kind::failed, what + ": " + std::strerror(errno));
}

}  // namespace

SharedMapping SharedMapping::create(uint64_t bytes, const char* name) {
  SharedMapping mapping;
  if (bytes == 0 || bytes > SIZE_MAX) {
    throw Error(Error::Kind::invalidArgument,
                "a shared mapping of " + std::to_string(bytes) + " bytes for " + name);
  }
  int fd = int(syscall(SYS_memfd_create, name, MFD_CLOEXEC));
  if (fd < 0) fail(std::string("memfd_create for ") + name);
  mapping.handle_ = fd;
  if (ftruncate(fd, off_t(bytes)) != 0) fail(std::string("sizing the shared mapping for ") + name);
  void* view = mmap(nullptr, size_t(bytes), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (view == MAP_FAILED) fail(std::string("mapping the shared memory for ") + name);
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
  struct stat status {};
  if (fstat(int(handle), &status) != 0) fail("fstat of the host's shared memory");
  if (uint64_t(status.st_size) < bytes) {
    throw Error(Error::Kind::invalidArgument,
                "the host's shared memory has " + std::to_string(status.st_size) +
                    " bytes, not the " + std::to_string(bytes) + " it was said to have");
  }
  void* view = mmap(nullptr, size_t(bytes), PROT_READ | PROT_WRITE, MAP_SHARED, int(handle), 0);
  if (view == MAP_FAILED) {
    fail("mapping " + std::to_string(bytes) + " bytes of the host's shared memory");
  }
  mapping.data_ = static_cast<std::byte*>(view);
  mapping.size_ = bytes;
  return mapping;
}

void SharedMapping::reset() {
  if (data_) munmap(data_, size_t(size_));
  if (handle_ >= 0) close(int(handle_));
  data_ = nullptr;
  size_ = 0;
  handle_ = -1;
}

Doorbell Doorbell::create() {
  Doorbell bell;
  int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) fail("eventfd for a lane's doorbell");
  bell.handle_ = fd;
  return bell;
}

Doorbell::~Doorbell() {
  if (handle_ == -1) return;
  close(int(handle_));
}

void Doorbell::ring() const {
  uint64_t one = 1;
  // EAGAIN: the counter is full of unanswered rings, which wakes the server just the same.
  [[maybe_unused]] auto written = write(int(handle_), &one, sizeof one);
}

bool Doorbell::wait(std::chrono::milliseconds timeout) const {
  pollfd rung{int(handle_), POLLIN, 0};
  int ready;
  while ((ready = poll(&rung, 1, int(timeout.count()))) < 0 && errno == EINTR) {
  }
  if (ready <= 0) return false;
  clear();
  return true;
}

void Doorbell::clear() const {
  uint64_t count;
  [[maybe_unused]] auto read = ::read(int(handle_), &count, sizeof count);
}

}  // namespace bridge32
