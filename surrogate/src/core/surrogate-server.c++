#include "core/surrogate-server.h"

#include <kj/async.h>
#include <spdlog/spdlog.h>

#include "bridge32/error.h"
#include "core/lane-server.h"
#include "core/module-kind.h"
#include "wire.h"

#if _WIN32
#include <process.h>
#define getpid _getpid
#else
#include <unistd.h>
#endif

namespace bridge32 {

namespace {

// A segment the host shares, mapped until the host releases this; calls that still use it keep
// it mapped until they end.
class SegmentHandleServer final : public wire::SegmentHandle::Server {
 public:
  SegmentHandleServer(std::shared_ptr<SharedSegments> segments, uint32_t id)
      : segments_(std::move(segments)), id_(id) {}
  ~SegmentHandleServer() { segments_->remove(id_); }

 private:
  std::shared_ptr<SharedSegments> segments_;
  uint32_t id_;
};

class SessionServer final : public wire::Session::Server {
 public:
  SessionServer(ModuleThread& thread, HostOutbox& outbox)
      : thread_(thread), outbox_(outbox), kinds_(allModuleKinds(thread, outbox, segments_)) {}

 protected:
  kj::Promise<void> load(LoadContext context) override {
    auto params = context.getParams();
    auto kind = kinds_.find(params.getKind());
    if (kind == kinds_.end()) {
      setError(context.getResults().initError(),
               Error(Error::Kind::unsupported,
                     "this surrogate does not load modules of kind " +
                         std::to_string(uint16_t(params.getKind()))));
      return kj::READY_NOW;
    }
    return kind->second->load(context, text(params.getPath()));
  }

  // Answered by the module thread between calls: a surrogate whose module thread is stuck in a
  // plugin stops answering.
  kj::Promise<void> ping(PingContext) override {
    return thread_.run([] {}).ignoreResult();
  }

  kj::Promise<void> flush(FlushContext) override { return outbox_.flushed(); }

  kj::Promise<void> openLane(OpenLaneContext context) override {
    return answerOpenLane(
        thread_, outbox_, context, context.getParams().getChannel(),
        [this](kj::Own<LaneEndpoint> endpoint) {
          // Every lane answers Op::none itself; this one has no other work.
          return std::make_pair(
              echoLanes_,
              LaneService::onAudioThread(
                  outbox_, kj::mv(endpoint), [](lane::Layout& layout, std::span<std::byte>) {
                    throw Error(Error::Kind::invalidArgument,
                                "the session's lane serves no operation " +
                                    std::to_string(layout.op));
                  }));
        });
  }

  kj::Promise<void> shareMemory(ShareMemoryContext context) override {
    auto segment = context.getParams().getSegment();
    uint32_t id = segment.getId();
    return kj::evalNow([&] { return acceptSegment(segment); })
        .then(
            [this, context, id](std::shared_ptr<SharedMapping> mapping) mutable {
              if (id == 0) throw Error(Error::Kind::invalidArgument, "a shared segment numbered 0");
              segments_->add(id, std::move(mapping));
              context.getResults().setHandle(kj::heap<SegmentHandleServer>(segments_, id));
            })
        .catch_([context](kj::Exception&& exception) mutable {
          setError(context.getResults().initError(),
                   Error(Error::Kind::failed, exception.getDescription().cStr()));
        });
  }

  kj::Promise<void> shutdown(ShutdownContext) override {
    // The host releases its capabilities and hangs up after this answer; the surrogate exits
    // when the connection closes (see main).
    spdlog::debug("shutdown requested");
    return kj::READY_NOW;
  }

 private:
  ModuleThread& thread_;
  HostOutbox& outbox_;
  // Before kinds_, which use it.
  std::shared_ptr<SharedSegments> segments_ = std::make_shared<SharedSegments>();
  ModuleKinds kinds_;
  // The session's lanes: changed on the module thread only, like every kind's.
  std::shared_ptr<LaneRegistry> echoLanes_ = std::make_shared<LaneRegistry>();
};

}  // namespace

SurrogateServer::SurrogateServer(ModuleThread& thread, HostOutbox& outbox,
                                 std::function<void()> onHandshake, uint32_t protocolVersion)
    : thread_(thread),
      outbox_(outbox),
      onHandshake_(std::move(onHandshake)),
      protocolVersion_(protocolVersion) {}

kj::Promise<void> SurrogateServer::handshake(HandshakeContext context) {
  auto params = context.getParams();
  auto results = context.getResults();
  results.setProtocolVersion(protocolVersion_);
  results.setArchitecture(toWire(thisArchitecture()));
  results.setPid(uint32_t(getpid()));
  if (params.getProtocolVersion() != protocolVersion_) {
    setError(results.initError(),
             Error(Error::Kind::unsupportedVersion,
                   "the host speaks bridge32 protocol " +
                       std::to_string(params.getProtocolVersion()) + " but this surrogate speaks " +
                       std::to_string(protocolVersion_)));
  } else if (handshakeDone_) {
    setError(results.initError(),
             Error(Error::Kind::badState, "the handshake was already done on this connection"));
  } else {
    handshakeDone_ = true;
    outbox_.setLogSink(params.getLog());
    if (onHandshake_) onHandshake_();
    results.setSession(kj::heap<SessionServer>(thread_, outbox_));
  }
  return kj::READY_NOW;
}

}  // namespace bridge32
