// The host's shared segments with one surrogate (common/src/transport/shared-segments.h): made on
// demand, each handed to the surrogate once, leased to one call at a time, and kept for the next
// call that needs as much, so that a call's large values cost the copies and nothing else (no
// mapping, no page faults, no round trip) after the first.
//
// A lease ends when the call and every array of its results viewing the segment are gone. Its
// segment goes back to the pool only if the surrogate answered the call: after a deadline or a
// lost surrogate it is dropped instead (the surrogate keeps its own mapping while the late call
// still writes into it), so no later call can see a late call's writes. Results the application
// keeps hold their segments in this process only: when a call needs a new segment, the
// surrogate lets go of those of finished calls, so that kept results never fill a 32-bit
// surrogate's address space.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "bridge32.capnp.h"
#include "core/event-loop-thread.h"
#include "transport/shared-segments.h"

namespace bridge32 {

class SurrogateClient;

class SegmentPool : public std::enable_shared_from_this<SegmentPool> {
 public:
  // The segments this pool keeps for reuse, at most; more go.
  static constexpr size_t kMaxIdle = 4;
  // The smallest segment made, so that small calls share a few.
  static constexpr uint64_t kMinBytes = uint64_t(1) << 20;
  // Calls of up to kRotatedBytes take turns among kRotation segments, each given the one used
  // longest ago. The host's copy into a segment costs several times a memcpy when the
  // surrogate's core still holds its lines (the DLL read them in the call before: each written
  // line is invalidated there first); lines used three calls ago have mostly left that core's
  // cache. Not above a few MiB: three such segments would no longer fit the shared cache
  // (measured: 16 MB calls took 20% longer in turns).
  static constexpr size_t kRotation = 3;
  static constexpr uint64_t kRotatedBytes = uint64_t(4) << 20;

  // One segment, a call's alone while this lives. [any-thread]
  class Lease {
   public:
    Lease(std::weak_ptr<SegmentPool> pool, uint32_t id, std::shared_ptr<SharedMapping> mapping)
        : pool_(std::move(pool)), id_(id), mapping_(std::move(mapping)) {}
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    uint32_t id() const { return id_; }
    std::span<std::byte> bytes() const { return {mapping_->data(), size_t(mapping_->size())}; }
    // The surrogate may still use it (the call's deadline passed, say): never lease it again.
    void drop() { reusable_ = false; }
    // The call is answered: what still holds the lease is results, which the surrogate does not
    // need mapped.
    void finish() { finished_ = true; }

   private:
    friend class SegmentPool;
    std::weak_ptr<SegmentPool> pool_;
    uint32_t id_;
    std::shared_ptr<SharedMapping> mapping_;
    std::atomic<bool> reusable_ = true;
    std::atomic<bool> finished_ = false;
  };

  // [any-thread but the loop's] A segment of at least `bytes` for one call: an idle one, or a new
  // one handed to `client`'s surrogate within `timeout`. Throws Error: failed when the system has
  // no memory to share or the surrogate cannot map that much (naming the size), and as
  // SurrogateClient::call does.
  static std::shared_ptr<Lease> lease(SurrogateClient& client, uint64_t bytes,
                                      std::chrono::milliseconds timeout);

  // The segments the surrogate maps now, by id, for finding what it names.
  const SharedSegments& segments() const { return segments_; }

  // [any-thread, while the client's loop runs] Releases every segment's handle; leases that end
  // later free their memory only.
  void close();

 private:
  struct Idle {
    uint32_t id;
    std::shared_ptr<SharedMapping> mapping;
  };
  void giveBack(uint32_t id, std::shared_ptr<SharedMapping> mapping, bool reusable);
  void forget(uint32_t id);  // under mutex_
  // Under mutex_: the surrogate unmaps the segments of finished calls that results still hold.
  // Returns their leases, for the caller to let go of once it has unlocked.
  std::vector<std::shared_ptr<Lease>> releaseFinished();
  void track(const std::shared_ptr<Lease>& lease);  // under mutex_

  std::mutex mutex_;
  // Under mutex_:
  bool closed_ = false;
  std::vector<Idle> idle_;
  std::vector<std::weak_ptr<Lease>> leased_;
  // Every segment the surrogate maps: released, it unmaps it (once no call of its own uses it).
  std::map<uint32_t, std::unique_ptr<LoopOwned<wire::SegmentHandle::Client>>> handles_;
  uint32_t nextId_ = 1;
  SharedSegments segments_;
};

}  // namespace bridge32
