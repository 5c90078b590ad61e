// The surrogate's end of call lanes (common/src/transport/call-lane.h): the host's mapping,
// checked before use, and the two ways a lane is served, whatever the module kind.
//
//   main lane   served by the module thread, between the events of its loop, which watches the
//               lane's doorbell: calls a plugin takes on its main thread (parameters)
//   audio lane  served by a thread of the lane's own, which takes the scheduling class of the host
//               thread calling it: process() runs there concurrently with the module thread, as it
//               would in-process on the application's audio thread
//
// A kind gives a lane its work: a function that reads the request from the layout and writes the
// answer's value (the answer's bookkeeping, errors included, is done here). Work runs one call at
// a time per lane.
#pragma once

#include <kj/async.h>
#include <kj/function.h>

#include <atomic>
#include <map>
#include <memory>
#include <span>
#include <thread>
#include <utility>

#include "bridge32/error.h"
#include "common.capnp.h"
#include "core/answer.h"
#include "core/host-outbox.h"
#include "core/module-thread.h"
#include "transport/call-lane.h"

namespace bridge32 {

class LaneEndpoint {
 public:
  // [serving thread] Takes what `channel` carries and checks the mapping's header. Throws
  // Error(invalidArgument) naming what is wrong with a lane the host made badly; on Windows the
  // handles it carried are closed either way unless accepted.
  static kj::Promise<kj::Own<LaneEndpoint>> accept(wire::LaneChannel::Reader channel);

  LaneEndpoint(SharedMapping mapping, Doorbell doorbell, intptr_t answerEvent);
  ~LaneEndpoint();
  LaneEndpoint(const LaneEndpoint&) = delete;
  LaneEndpoint& operator=(const LaneEndpoint&) = delete;

  lane::Layout& layout() const { return *reinterpret_cast<lane::Layout*>(mapping_.data()); }
  std::span<std::byte> data() const;
  const Doorbell& doorbell() const { return doorbell_; }
  // Sequentially consistent: read after a store of this side's sleeping flag, it must not be
  // read before it (the host writes the state, then reads the flag).
  bool hasRequest() const { return layout().state.load() == uint32_t(lane::State::request); }

 private:
  SharedMapping mapping_;
  Doorbell doorbell_;
  intptr_t answerEvent_;  // Windows: the host's event, set when it sleeps; owned
  friend class LaneService;
};

// [serving thread] Maps the shared segment `segment` describes (Session.shareMemory). Throws
// Error(invalidArgument) for one the host described badly; on Windows its handle is closed either
// way unless mapped.
kj::Promise<std::shared_ptr<SharedMapping>> acceptSegment(wire::SharedSegment::Reader segment);

// [the lane's serving thread] Serves one request of `endpoint`: the work's answer value, or the
// error it threw; what the modules said meanwhile and the allocations made; then the host is told.
using LaneWork = kj::Function<void(lane::Layout& layout, std::span<std::byte> data)>;

// A lane being served. Destroy it on the module thread; it stops serving first (an audio lane
// joins its thread, which finishes the call it is in).
class LaneService {
 public:
  virtual ~LaneService() noexcept(false) = default;

  // [module thread] Serves `endpoint` on the module thread, which must be able to watch doorbells
  // (ModuleThread::doorbellWatch); throws Error(unsupported) when it cannot.
  static kj::Own<LaneService> onModuleThread(ModuleThread& thread, HostOutbox& outbox,
                                             kj::Own<LaneEndpoint> endpoint, LaneWork work);
  // [any-thread] Serves `endpoint` on a new audio thread.
  static kj::Own<LaneService> onAudioThread(HostOutbox& outbox, kj::Own<LaneEndpoint> endpoint,
                                            LaneWork work);

 protected:
  static void serve(LaneEndpoint& endpoint, HostOutbox& outbox, LaneWork& work);
};

// A module kind's lanes for one object (a plugin instance), by id; [module thread] throughout.
// Closing them all comes before the object goes.
class LaneRegistry {
 public:
  uint32_t add(kj::Own<LaneService> lane);
  void close(uint32_t id) { lanes_.erase(id); }
  void closeAll() { lanes_.clear(); }

 private:
  std::map<uint32_t, kj::Own<LaneService>> lanes_;
  uint32_t nextId_ = 1;
};

// The Lane capability the host holds: releasing it closes the lane on the module thread, if its
// registry is still there.
kj::Own<wire::Lane::Server> makeLaneHandle(ModuleThread& thread,
                                           std::weak_ptr<LaneRegistry> registry, uint32_t id);

// [serving thread] Answers an openLane call, whichever capability it was made on: takes the lane
// `channel` describes, then on the module thread `open(endpoint)` returns the registry the lane
// belongs to and the service that serves it; the answer is the lane's handle, or an error saying
// why there is none.
template <typename Context, typename Open>
kj::Promise<void> answerOpenLane(ModuleThread& thread, HostOutbox& outbox, Context context,
                                 wire::LaneChannel::Reader channel, Open&& open) {
  return kj::evalNow([&] { return LaneEndpoint::accept(channel); })
      .then(
          [&thread, &outbox, context,
           open = kj::fwd<Open>(open)](kj::Own<LaneEndpoint> endpoint) mutable {
            auto registered = [open = kj::mv(open), endpoint = kj::mv(endpoint)]() mutable {
              auto [registry, service] = open(kj::mv(endpoint));
              uint32_t id = registry->add(kj::mv(service));
              return std::make_pair(std::weak_ptr<LaneRegistry>(registry), id);
            };
            return answer(thread, outbox, context, kj::mv(registered),
                          [&thread](auto& results, auto& lane) {
                            results.setLane(makeLaneHandle(thread, lane.first, lane.second));
                          });
          },
          [context](kj::Exception&& exception) mutable {
            setError(context.getResults().initError(),
                     Error(Error::Kind::failed, exception.getDescription().cStr()));
          });
}

}  // namespace bridge32
