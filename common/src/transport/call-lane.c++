#include "transport/call-lane.h"

#include <algorithm>
#include <thread>
#include <utility>

#include "bridge32/error.h"
#include "bridge32/limits.h"

#if _WIN32
#include "win32.h"
#else
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
#endif

namespace bridge32::lane {

static_assert(kMaxLaneMidiEvents == limits::kMaxMidiEventsPerBlock);

void writeBlockEvents(Layout& layout, const ProcessBlock& block, const BlockEvents& events) {
  for (size_t i = 0; i < events.midi.size(); ++i) {
    const MidiEvent& event = events.midi[i];
    block.midi[i] = {event.frame, {event.bytes[0], event.bytes[1], event.bytes[2]}, 0};
  }
  layout.midiEvents = uint32_t(events.midi.size());
  layout.hasTransport = events.transport != nullptr;
  if (const Transport* transport = events.transport) {
    *block.transport = {transport->playing,    transport->numerator, transport->denominator, 0,
                        transport->tempo,      transport->beats,     transport->barStartBeats};
  }
}

BlockEvents readBlockEvents(const Layout& layout, const ProcessBlock& block,
                            std::span<MidiEvent> room, Transport& transport) {
  uint32_t count = layout.midiEvents;
  if (count > block.midi.size() || count > room.size()) {
    throw Error(Error::Kind::invalidArgument,
                std::to_string(count) + " MIDI events in one block; a lane holds at most " +
                    std::to_string(block.midi.size()));
  }
  for (uint32_t i = 0; i < count; ++i) {
    const LaneMidiEvent& event = block.midi[i];
    room[i] = {event.frame, {event.bytes[0], event.bytes[1], event.bytes[2]}};
  }
  const LaneTransport& given = *block.transport;
  transport = {given.playing != 0,  given.tempo,     given.beats,
               given.barStartBeats, given.numerator, given.denominator};
  return {room.first(count), layout.hasTransport ? &transport : nullptr};
}

SpinBudget::SpinBudget()
    : budget_(kStart), enabled_(std::thread::hardware_concurrency() > 1) {
  if (!enabled_) budget_ = std::chrono::nanoseconds(0);
}

void SpinBudget::waited(std::chrono::nanoseconds total) {
  if (!enabled_) return;
  if (total <= kMax) {
    // Spinning twice as long as this wait would have caught it.
    budget_ = std::clamp(total * 2, kMin, kMax);
  } else {
    budget_ = std::max(kMin, budget_ / 2);
  }
}

#if !_WIN32
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
#endif

}  // namespace bridge32::lane

namespace bridge32 {

namespace {

[[noreturn]] void fail(const std::string& what) {
#if _WIN32
  win32::throwLastError(what);
#else
  throw Error(Error::Kind::failed, what + ": " + std::strerror(errno));
#endif
}

}  // namespace

SharedMapping SharedMapping::create(uint64_t bytes, const char* name) {
  SharedMapping mapping;
  if (bytes == 0 || bytes > SIZE_MAX) {
    throw Error(Error::Kind::invalidArgument,
                "a shared mapping of " + std::to_string(bytes) + " bytes for " + name);
  }
#if _WIN32
  HANDLE handle = CreateFileMappingW(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE,
                                     DWORD(bytes >> 32), DWORD(bytes), nullptr);
  if (!handle) fail(std::string("CreateFileMappingW for ") + name);
  mapping.handle_ = reinterpret_cast<intptr_t>(handle);
  void* view = MapViewOfFile(handle, FILE_MAP_ALL_ACCESS, 0, 0, size_t(bytes));
  if (!view) fail(std::string("MapViewOfFile for ") + name);
#else
  int fd = int(syscall(SYS_memfd_create, name, MFD_CLOEXEC));
  if (fd < 0) fail(std::string("memfd_create for ") + name);
  mapping.handle_ = fd;
  if (ftruncate(fd, off_t(bytes)) != 0) fail(std::string("sizing the shared mapping for ") + name);
  void* view = mmap(nullptr, size_t(bytes), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (view == MAP_FAILED) fail(std::string("mapping the shared memory for ") + name);
#endif
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
#if _WIN32
  void* view = MapViewOfFile(reinterpret_cast<HANDLE>(handle), FILE_MAP_ALL_ACCESS, 0, 0,
                             size_t(bytes));
  if (!view) fail("MapViewOfFile of " + std::to_string(bytes) + " bytes of the host's shared memory");
  MEMORY_BASIC_INFORMATION info{};
  if (VirtualQuery(view, &info, sizeof info) == 0 || info.RegionSize < bytes) {
    UnmapViewOfFile(view);
    throw Error(Error::Kind::invalidArgument, "the host's shared memory is smaller than the " +
                                                  std::to_string(bytes) + " bytes it was said to be");
  }
#else
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
#endif
  mapping.data_ = static_cast<std::byte*>(view);
  mapping.size_ = bytes;
  return mapping;
}

SharedMapping::~SharedMapping() { reset(); }

SharedMapping::SharedMapping(SharedMapping&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      handle_(std::exchange(other.handle_, -1)) {}

SharedMapping& SharedMapping::operator=(SharedMapping&& other) noexcept {
  if (this != &other) {
    reset();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    handle_ = std::exchange(other.handle_, -1);
  }
  return *this;
}

void SharedMapping::reset() {
#if _WIN32
  if (data_) UnmapViewOfFile(data_);
  if (handle_ != -1 && handle_ != 0) CloseHandle(reinterpret_cast<HANDLE>(handle_));
#else
  if (data_) munmap(data_, size_t(size_));
  if (handle_ >= 0) close(int(handle_));
#endif
  data_ = nullptr;
  size_ = 0;
  handle_ = -1;
}

Doorbell Doorbell::create() {
  Doorbell bell;
#if _WIN32
  HANDLE event = CreateEventW(nullptr, FALSE, FALSE, nullptr);
  if (!event) fail("CreateEventW for a lane's doorbell");
  bell.handle_ = reinterpret_cast<intptr_t>(event);
#else
  int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) fail("eventfd for a lane's doorbell");
  bell.handle_ = fd;
#endif
  return bell;
}

Doorbell Doorbell::adopt(intptr_t handle) {
  Doorbell bell;
  bell.handle_ = handle;
  return bell;
}

Doorbell::~Doorbell() {
  if (handle_ == -1) return;
#if _WIN32
  CloseHandle(reinterpret_cast<HANDLE>(handle_));
#else
  close(int(handle_));
#endif
}

Doorbell::Doorbell(Doorbell&& other) noexcept : handle_(std::exchange(other.handle_, -1)) {}

Doorbell& Doorbell::operator=(Doorbell&& other) noexcept {
  if (this != &other) {
    Doorbell gone(std::move(*this));
    handle_ = std::exchange(other.handle_, -1);
  }
  return *this;
}

void Doorbell::ring() const {
#if _WIN32
  SetEvent(reinterpret_cast<HANDLE>(handle_));
#else
  uint64_t one = 1;
  // EAGAIN: the counter is full of unanswered rings, which wakes the server just the same.
  [[maybe_unused]] auto written = write(int(handle_), &one, sizeof one);
#endif
}

bool Doorbell::wait(std::chrono::milliseconds timeout) const {
#if _WIN32
  return WaitForSingleObject(reinterpret_cast<HANDLE>(handle_), DWORD(timeout.count())) ==
         WAIT_OBJECT_0;
#else
  pollfd rung{int(handle_), POLLIN, 0};
  int ready;
  while ((ready = poll(&rung, 1, int(timeout.count()))) < 0 && errno == EINTR) {
  }
  if (ready <= 0) return false;
  clear();
  return true;
#endif
}

void Doorbell::clear() const {
#if !_WIN32
  uint64_t count;
  [[maybe_unused]] auto read = ::read(int(handle_), &count, sizeof count);
#endif
}

}  // namespace bridge32
