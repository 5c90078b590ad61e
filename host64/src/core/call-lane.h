// The host's end of a call lane (common/src/transport/call-lane.h): hot calls through shared
// memory, made and awaited by the calling thread itself, with no hop through the bridge's I/O
// thread, under the rules every bridged call follows (SurrogateClient): the deadline in force and
// what a hang does, a dead surrogate waking the caller at once, the heartbeat left alone while a
// call runs, window messages dispatched while a Windows thread sleeps, and what the plugin said
// during the call heard by the host before the call returns.
//
// A lane belongs to what uses it (a plugin instance) for that thing's whole life; each surrogate
// process it lives in opens it again (reserve, describe, attach), so buffers the application holds
// in it stay valid across a restart. One thread calls through it at a time: others find it taken
// (tryAcquire) and go over the pipe instead.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "common.capnp.h"
#include "core/event-loop-thread.h"
#include "core/surrogate-client.h"
#include "transport/call-lane.h"

namespace bridge32 {

// What an answer says besides its value; an error answer is thrown instead.
struct LaneAnswer {
  double value = 0;
  uint32_t surrogateAllocations = 0;  // by the surrogate's serving thread, for the call
};

// The answer the surrogate wrote in `layout` to call `sequence`, each value read once (the
// surrogate may be writing still): the answer, whether the plugin said something during the
// call, and the error it reported. Throws Error(failed) for an answer to another call.
struct LaneReading {
  LaneAnswer answer;
  bool said = false;
  std::optional<Error> error;
};
LaneReading readLaneAnswer(const lane::Layout& layout, uint32_t sequence);

#if !_WIN32
// [loop thread] A capability that carries a duplicate of `fd` to the surrogate with the message
// it is in (Cap'n Proto's descriptor passing).
kj::Own<wire::SharedMemory::Server> lendDescriptor(intptr_t fd);
#endif

class CallLane {
 public:
  // A lane with `dataBytes` for data (process blocks). Throws Error(failed) when the system has no
  // shared memory or events to give.
  CallLane(uint64_t dataBytes, const char* name);
  ~CallLane();
  CallLane(const CallLane&) = delete;
  CallLane& operator=(const CallLane&) = delete;

  uint64_t dataBytes() const { return mapping_.size() - lane::kDataOffset; }
  std::span<std::byte> data() const {
    return {mapping_.data() + lane::kDataOffset, size_t(dataBytes())};
  }
  lane::Layout& layout() const { return *reinterpret_cast<lane::Layout*>(mapping_.data()); }

  // [any-thread] Takes the lane for one call, or returns false at once: not attached to a
  // surrogate, another thread's, still owed a late answer, or asked from the surrogate's own loop
  // thread (a host callback, whose calls the pipe refuses). Never blocks, never allocates.
  bool tryAcquire();
  void release() { owner_.store(kFree, std::memory_order_release); }

  // [any-thread] Takes the lane to attach it elsewhere, waiting for a call in progress to end.
  void reserve();
  // [loop thread, reserved] Fills an open-lane request's channel for `client`'s process and clears
  // the exchange for a new server.
  void describe(wire::LaneChannel::Builder channel, SurrogateClient& client);
  // [reserved] Serves calls in `client`'s surrogate from now on, which answered the open-lane
  // request with `handle`; then frees the lane. With a null client, serves none (detached).
  void attach(std::shared_ptr<SurrogateClient> client, std::unique_ptr<wire::Lane::Client> handle);

  // [acquired] Calls with the request filled in layout(): sends it, waits up to `timeout` and
  // returns the answer; throws Error like SurrogateClient::call (timeout, disconnected, and the
  // plugin's error as the surrogate reported it). Allocates nothing unless it fails or the plugin
  // said something during the call.
  LaneAnswer call(std::chrono::milliseconds timeout, HangPolicy onHang);

 private:
  static constexpr uint32_t kFree = 0, kCalling = 1, kReserved = 2;

  // [loop thread] The surrogate is gone: wake a caller waiting for it.
  void wakeForLoss();
  bool answered() const;

  SharedMapping mapping_;
  Doorbell doorbell_;
#if _WIN32
  void* answerEvent_ = nullptr;
#endif
  lane::SpinBudget spin_;
  std::atomic<uint32_t> owner_{kReserved};  // kReserved until first attached
  std::atomic<bool> lost_{false};           // the attached surrogate is gone
  bool late_ = false;                       // a call passed its deadline, still running there
  uint32_t sequence_ = 0;
  // Under the owner protocol: changed only while reserved.
  std::shared_ptr<SurrogateClient> client_;
  std::unique_ptr<LoopOwned<wire::Lane::Client>> handle_;
  uint64_t lostListener_ = 0;
};

}  // namespace bridge32
