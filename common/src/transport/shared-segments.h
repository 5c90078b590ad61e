// Shared segments: memory the host shares with one surrogate for the large values of calls, so
// that an array of a million doubles crosses as a place (segment, offset, size) in a message
// instead of in it (protocol/library.capnp's SharedBytes).
//
// The host makes segments (core/segment-pool.h), numbers them, and hands each to the surrogate
// once (Session.shareMemory); both sides keep them in a SharedSegments table by id. A call leases
// a segment for its large inputs and its out-buffers: the host writes each input into it once, the
// DLL reads it where it is and writes its out-buffers there, and the host reads them back once.
//
// What arrives names places in memory the other side can change at any time: every place is
// checked against the segment it names; strings are copied out once, and arrays of numbers
// (whose every bit pattern is a value, and which nothing follows) are read where they are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>

#include "transport/call-lane.h"

namespace bridge32 {

// Values of this many bytes or more go into shared memory when a call has some; smaller ones
// are cheaper in the message.
inline constexpr uint64_t kSharedValueBytes = 4096;
// Where values are placed in a segment: aligned for any element, and for cache lines.
inline constexpr uint64_t kSharedAlignment = 64;

inline constexpr uint64_t alignShared(uint64_t bytes) {
  return (bytes + kSharedAlignment - 1) / kSharedAlignment * kSharedAlignment;
}

// A place in a shared segment, as messages carry it.
struct SharedPlace {
  uint32_t segment = 0;
  uint64_t offset = 0;
};

// The segments of one host-surrogate pair, by id. [any-thread]
class SharedSegments {
 public:
  void add(uint32_t id, std::shared_ptr<SharedMapping> mapping);
  void remove(uint32_t id);

  // The bytes [offset, offset + bytes) of segment `id`, and what keeps them mapped. Throws
  // Error(invalidArgument) naming the place when no such segment has them.
  struct Found {
    std::span<std::byte> bytes;
    std::shared_ptr<const void> owner;
  };
  Found find(uint32_t id, uint64_t offset, uint64_t bytes) const;

  // Where `bytes` lie, if wholly inside one of the segments.
  std::optional<SharedPlace> locate(std::span<const std::byte> bytes) const;

 private:
  mutable std::mutex mutex_;
  std::map<uint32_t, std::shared_ptr<SharedMapping>> segments_;
};

// Where one message's large values go and come from. toWire asks place() for each array of
// numbers and each string; fromWire asks find() for each SharedBytes.
class WireMemory {
 public:
  virtual ~WireMemory() = default;
  // Where `bytes` are in shared memory, copied there first if need be; nothing when they go in
  // the message.
  virtual std::optional<SharedPlace> place(std::span<const std::byte> bytes) = 0;
  // The bytes a SharedBytes names, checked, and what keeps them there for a view of them.
  virtual SharedSegments::Found find(uint32_t segment, uint64_t offset, uint64_t bytes) = 0;
};

// The shared memory of one call, on either side: values already in a segment are named where they
// are; others of kSharedValueBytes or more are copied into `arena`, while it has room. Arrays of
// numbers that arrive are views of the segment, kept by the arena's `owner` when in the arena's
// segment (the host's lease, so that no other call gets it while they live), else by the segment.
// A view holds what the other process wrote, which it could still change: numbers, which any
// bits are, and never anything the reader follows.
class CallWireMemory final : public WireMemory {
 public:
  struct Arena {
    uint32_t segment = 0;  // 0: none
    std::span<std::byte> bytes;
    uint64_t offset = 0;   // of bytes in the segment
    std::shared_ptr<const void> owner;
  };
  CallWireMemory(const SharedSegments& segments, Arena arena)
      : segments_(segments), arena_(std::move(arena)) {}

  std::optional<SharedPlace> place(std::span<const std::byte> bytes) override;
  SharedSegments::Found find(uint32_t segment, uint64_t offset, uint64_t bytes) override;

  // Places values from the arena's start again: the same values, for another message.
  void restart() { used_ = 0; }

 private:
  const SharedSegments& segments_;
  Arena arena_;
  uint64_t used_ = 0;
};

}  // namespace bridge32
