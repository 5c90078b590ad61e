#include "core/segment-pool.h"

#include <algorithm>
#include <bit>

#include "core/call-lane.h"
#include "core/surrogate-client.h"
#include "wire.h"

namespace bridge32 {

SegmentPool::Lease::~Lease() {
  if (auto pool = pool_.lock()) pool->giveBack(id_, std::move(mapping_), reusable_);
}

void SegmentPool::giveBack(uint32_t id, std::shared_ptr<SharedMapping> mapping, bool reusable) {
  std::lock_guard lock(mutex_);
  if (closed_) return;
  if (!reusable || !handles_.contains(id)) {
    forget(id);
    return;
  }
  idle_.push_back({id, std::move(mapping)});
  if (idle_.size() > kMaxIdle) {
    auto smallest = std::min_element(idle_.begin(), idle_.end(), [](auto& a, auto& b) {
      return a.mapping->size() < b.mapping->size();
    });
    forget(smallest->id);
    idle_.erase(smallest);
  }
}

void SegmentPool::forget(uint32_t id) {
  segments_.remove(id);
  handles_.erase(id);
}

std::vector<std::shared_ptr<SegmentPool::Lease>> SegmentPool::releaseFinished() {
  std::vector<std::shared_ptr<Lease>> released;
  std::erase_if(leased_, [&](const std::weak_ptr<Lease>& held) {
    auto lease = held.lock();
    if (!lease) return true;
    if (!lease->finished_) return false;
    lease->reusable_ = false;
    forget(lease->id_);
    released.push_back(std::move(lease));
    return true;
  });
  return released;
}

void SegmentPool::track(const std::shared_ptr<Lease>& lease) {
  std::erase_if(leased_, [](const std::weak_ptr<Lease>& held) { return held.expired(); });
  leased_.push_back(lease);
}

void SegmentPool::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  for (const Idle& idle : idle_) segments_.remove(idle.id);
  idle_.clear();
  for (const auto& [id, handle] : handles_) segments_.remove(id);
  handles_.clear();
}

std::shared_ptr<SegmentPool::Lease> SegmentPool::lease(SurrogateClient& client, uint64_t bytes,
                                                       std::chrono::milliseconds timeout) {
  std::shared_ptr<SegmentPool> pool = client.segmentPool();
  uint32_t id;
  std::vector<std::shared_ptr<Lease>> released;  // may be the last holders: let go unlocked
  {
    std::lock_guard lock(pool->mutex_);
    // The smallest idle one that is large enough; for a call that takes turns, the one given
    // back first (idle_ is in that order), once there are kRotation to take turns among.
    bool rotated = bytes <= kRotatedBytes;
    auto fits = [&](const Idle& idle) { return idle.mapping->size() >= bytes; };
    auto best = pool->idle_.end();
    for (auto it = pool->idle_.begin(); it != pool->idle_.end(); ++it) {
      if (fits(*it) && (best == pool->idle_.end() ||
                        (!rotated && it->mapping->size() < best->mapping->size()))) {
        best = it;
      }
    }
    if (rotated && size_t(std::count_if(pool->idle_.begin(), pool->idle_.end(), fits)) < kRotation) {
      best = pool->idle_.end();
    }
    if (best != pool->idle_.end()) {
      auto lease = std::make_shared<Lease>(pool, best->id, std::move(best->mapping));
      pool->idle_.erase(best);
      pool->track(lease);
      return lease;
    }
    released = pool->releaseFinished();
    id = pool->nextId_++;
  }

  // A new one, rounded up to an eighth of the power of two above it (at most 1/8 more than asked,
  // which a 32-bit surrogate's address space may need), so that calls of similar sizes reuse it.
  uint64_t size = std::max(bytes, kMinBytes);
  if (size < (uint64_t(1) << 62)) {
    uint64_t granule = std::bit_ceil(size) / 8;
    size = (size + granule - 1) / granule * granule;
  }
  auto mapping = std::make_shared<SharedMapping>(SharedMapping::create(size, "bridge32 call memory"));
  auto handle = client.call(
      [&](wire::Session::Client& session) {
        auto request = session.shareMemoryRequest();
        auto shared = request.initSegment();
        shared.setId(id);
        shared.setBytes(size);
#if _WIN32
        shared.setWindowsMapping(
            client.duplicateHandleInto(reinterpret_cast<void*>(mapping->handle())));
#else
        shared.setMemory(lendDescriptor(mapping->handle()));
#endif
        return request.send();
      },
      [&](auto& response) {
        if (response.hasError()) {
          throw Error(Error::Kind::failed,
                      "the surrogate cannot map " + std::to_string(size) +
                          " bytes of shared memory for a call's values: " +
                          remoteError(response.getError()).message());
        }
        return std::make_unique<wire::SegmentHandle::Client>(response.getHandle());
      },
      timeout);
  std::lock_guard lock(pool->mutex_);
  if (pool->closed_) throw Error(Error::Kind::disconnected, "the surrogate is shutting down");
  pool->handles_[id] =
      std::make_unique<LoopOwned<wire::SegmentHandle::Client>>(client.loop(), std::move(handle));
  pool->segments_.add(id, mapping);
  auto lease = std::make_shared<Lease>(pool, id, std::move(mapping));
  pool->track(lease);
  return lease;
}

}  // namespace bridge32
