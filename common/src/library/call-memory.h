// The memory of one call into a library (foreign-call.h): the argument slots, buffers and strings
// it hands the DLL, each buffer the DLL may write followed by guard bytes checked after the call,
// and the out-buffers it places in the caller's shared room.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "library/foreign-call.h"

namespace bridge32::library {

// Every byte a call hands the DLL: argument slots, buffers and strings, freed after the call; and
// the out-buffers it places in the caller's shared room, if it has one.
class CallMemory {
 public:
  explicit CallMemory(const SharedRoom* room) : room_(room ? *room : SharedRoom{}) {}

  // `bytes` zeroed bytes, aligned for anything; with guard bytes after them when `guarded`.
  uint8_t* allocate(size_t bytes, bool guarded, std::string_view owner);

  // An out-buffer of `bytes` in the shared room, with guard bytes after it, or null when the room
  // has no space left. Cleared only when `clear`: the DLL writes it, and the caller reads what
  // the count says.
  uint8_t* allocateShared(size_t bytes, std::string_view owner, bool clear = false);

  // What allocateShared takes of the room for `bytes`.
  static uint64_t roomFor(uint64_t bytes);
  // How much of the room the call's buffers took.
  uint64_t roomUsed() const { return roomUsed_; }

  // What keeps `at` mapped when it lies in the shared room, for a view of it; else null.
  std::shared_ptr<const void> sharedOwner(const uint8_t* at) const;

  // The bytes of the buffer this call allocated at `at`, or nothing for memory it did not
  // allocate (what a function returns, say). A buffer is read back within these whatever count
  // the function reports after the call: a library that raises a count ("the size you need")
  // cannot make the bridge read past the buffer.
  std::optional<size_t> bytesAt(const void* at) const;

  // Throws Error(failed) naming the first buffer the DLL wrote past.
  void checkGuards() const;

 private:
  struct Deleter {
    void operator()(uint8_t* p) const { ::operator delete[](p, std::align_val_t(16)); }
  };
  struct Guard {
    const uint8_t* at;
    std::string owner;
    size_t bytes;
  };
  void guard(uint8_t* block, size_t bytes, std::string_view owner);

  std::vector<std::unique_ptr<uint8_t[], Deleter>> blocks_;
  std::vector<Guard> guards_;
  std::map<const uint8_t*, size_t> sizes_;  // each block's bytes, without its guard bytes
  SharedRoom room_;
  uint64_t roomUsed_ = 0;
};

}  // namespace bridge32::library
