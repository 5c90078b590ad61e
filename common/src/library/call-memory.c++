// The memory of one call (library/call-memory.h): its blocks, guard bytes and room in the
// caller's shared memory.
#include "library/call-memory.h"

#include <algorithm>
#include <cstring>

#include "bridge32/error.h"
#include "transport/shared-segments.h"

namespace bridge32::library {

namespace {

// Bytes after every buffer the DLL may write, filled with this and checked after the call.
constexpr size_t kGuardBytes = 16;
constexpr uint8_t kGuardByte = 0xFD;

}  // namespace

uint8_t* CallMemory::allocate(size_t bytes, bool guarded, std::string_view owner) {
  size_t total = bytes + (guarded ? kGuardBytes : 0);
  uint8_t* block;
  try {
    block = blocks_.emplace_back(new (std::align_val_t(16)) uint8_t[std::max<size_t>(total, 1)]).get();
  } catch (const std::bad_alloc&) {
    throw Error(Error::Kind::failed, std::string(owner) + " needs " + std::to_string(bytes) +
                                         " bytes, more than this process can allocate now");
  }
  std::memset(block, 0, total);
  if (guarded) guard(block, bytes, owner);
  sizes_[block] = bytes;
  return block;
}

uint8_t* CallMemory::allocateShared(size_t bytes, std::string_view owner, bool clear) {
  uint64_t needed = roomFor(bytes);
  if (room_.bytes.empty() || needed > room_.bytes.size() - roomUsed_) return nullptr;
  auto* block = reinterpret_cast<uint8_t*>(room_.bytes.data() + roomUsed_);
  roomUsed_ += needed;
  if (clear) std::memset(block, 0, bytes);
  guard(block, bytes, owner);
  sizes_[block] = bytes;
  return block;
}

uint64_t CallMemory::roomFor(uint64_t bytes) { return alignShared(bytes + kGuardBytes); }

std::shared_ptr<const void> CallMemory::sharedOwner(const uint8_t* at) const {
  auto* begin = reinterpret_cast<const uint8_t*>(room_.bytes.data());
  return at >= begin && at < begin + roomUsed_ ? room_.owner : nullptr;
}

std::optional<size_t> CallMemory::bytesAt(const void* at) const {
  auto found = sizes_.find(static_cast<const uint8_t*>(at));
  if (found == sizes_.end()) return std::nullopt;
  return found->second;
}

void CallMemory::checkGuards() const {
  for (const Guard& guard : guards_) {
    for (size_t i = 0; i < kGuardBytes; ++i) {
      if (guard.at[i] != kGuardByte) {
        throw Error(Error::Kind::failed,
                    "the function wrote past the end of '" + guard.owner + "' (a buffer of " +
                        std::to_string(guard.bytes) + " bytes); its output is not trusted");
      }
    }
  }
}

void CallMemory::guard(uint8_t* block, size_t bytes, std::string_view owner) {
  std::memset(block + bytes, kGuardByte, kGuardBytes);
  guards_.push_back({block + bytes, std::string(owner), bytes});
}

}  // namespace bridge32::library
