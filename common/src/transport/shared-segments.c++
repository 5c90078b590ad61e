#include "transport/shared-segments.h"

#include <cstring>
#include <string>

#include "bridge32/error.h"
#include "transport/bulk-copy.h"

namespace bridge32 {

void SharedSegments::add(uint32_t id, std::shared_ptr<SharedMapping> mapping) {
  std::lock_guard lock(mutex_);
  segments_[id] = std::move(mapping);
}

void SharedSegments::remove(uint32_t id) {
  std::shared_ptr<SharedMapping> gone;  // unmapped outside the lock, if this was the last use
  std::lock_guard lock(mutex_);
  if (auto found = segments_.find(id); found != segments_.end()) {
    gone = std::move(found->second);
    segments_.erase(found);
  }
}

SharedSegments::Found SharedSegments::find(uint32_t id, uint64_t offset, uint64_t bytes) const {
  std::shared_ptr<SharedMapping> segment;
  {
    std::lock_guard lock(mutex_);
    if (auto found = segments_.find(id); found != segments_.end()) segment = found->second;
  }
  auto place = [&] {
    return std::to_string(bytes) + " bytes at " + std::to_string(offset) + " of shared segment " +
           std::to_string(id);
  };
  if (!segment) throw Error(Error::Kind::invalidArgument, place() + ", which is not shared");
  // Compared without adding: a hostile offset near 2^64 would wrap.
  if (offset > segment->size() || bytes > segment->size() - offset) {
    throw Error(Error::Kind::invalidArgument,
                place() + ", which has " + std::to_string(segment->size()) + " bytes");
  }
  return {{segment->data() + offset, size_t(bytes)}, std::move(segment)};
}

std::optional<SharedPlace> SharedSegments::locate(std::span<const std::byte> bytes) const {
  auto begin = reinterpret_cast<uintptr_t>(bytes.data());
  std::lock_guard lock(mutex_);
  for (const auto& [id, segment] : segments_) {
    auto start = reinterpret_cast<uintptr_t>(segment->data());
    if (begin >= start && begin - start <= segment->size() &&
        bytes.size() <= segment->size() - (begin - start)) {
      return SharedPlace{id, begin - start};
    }
  }
  return std::nullopt;
}

std::optional<SharedPlace> CallWireMemory::place(std::span<const std::byte> bytes) {
  if (bytes.empty()) return std::nullopt;
  if (auto already = segments_.locate(bytes)) return already;
  if (bytes.size() < kSharedValueBytes || !arena_.segment) return std::nullopt;
  if (alignShared(bytes.size()) > arena_.bytes.size() - used_) return std::nullopt;
  copyBulk(arena_.bytes.data() + used_, bytes.data(), bytes.size());
  SharedPlace place{arena_.segment, arena_.offset + used_};
  used_ += alignShared(bytes.size());
  return place;
}

SharedSegments::Found CallWireMemory::find(uint32_t segment, uint64_t offset, uint64_t bytes) {
  SharedSegments::Found found = segments_.find(segment, offset, bytes);
  if (segment == arena_.segment && arena_.owner) found.owner = arena_.owner;
  return found;
}

}  // namespace bridge32
