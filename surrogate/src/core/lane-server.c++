#include "core/lane-server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "core/allocation-count.h"
#include "wire.h"

#if _WIN32
#include "win32.h"
#else
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#endif

namespace bridge32 {

namespace {

#if !_WIN32
// A descriptor that arrived with the message, as one of our own: the RPC system closes its copy
// with the capability.
kj::Promise<int> takeFd(wire::SharedMemory::Client memory, const char* what) {
  return memory.getFd().then([what](kj::Maybe<int> fd) -> int {
    KJ_IF_MAYBE(received, fd) {
      int own = fcntl(*received, F_DUPFD_CLOEXEC, 0);
      if (own < 0) throw Error(Error::Kind::failed, std::string("duplicating the lane's ") + what);
      return own;
    }
    throw Error(Error::Kind::invalidArgument,
                std::string("the host's lane came without its ") + what +
                    " (a connection without descriptor passing?)");
  });
}
#endif

// Checks the header the host wrote, before anything else in the mapping is used.
void checkHeader(const SharedMapping& mapping) {
  if (mapping.size() < lane::kDataOffset) {
    throw Error(Error::Kind::invalidArgument,
                "the host's lane mapping has " + std::to_string(mapping.size()) +
                    " bytes, fewer than a lane's header");
  }
  const auto& layout = *reinterpret_cast<const lane::Layout*>(mapping.data());
  if (layout.magic != lane::kMagic || layout.version != lane::kVersion) {
    throw Error(Error::Kind::unsupportedVersion,
                "the host's lane is of version " + std::to_string(layout.version) +
                    " (magic " + std::to_string(layout.magic) + "); this surrogate serves version " +
                    std::to_string(lane::kVersion));
  }
  if (layout.layoutBytes != sizeof(lane::Layout) || layout.dataOffset != lane::kDataOffset ||
      layout.mappingBytes != mapping.size() ||
      layout.dataBytes != mapping.size() - lane::kDataOffset) {
    throw Error(Error::Kind::invalidArgument,
                "the host's lane header does not describe its mapping of " +
                    std::to_string(mapping.size()) + " bytes");
  }
}

// Writes `error` as the answer's.
void setAnswerError(lane::Layout& layout, const Error& error) {
  capnp::MallocMessageBuilder scratch(16);
  auto builder = scratch.initRoot<wire::Error>();
  setError(builder, error);  // maps host-only kinds as the pipe does
  layout.errorKind = uint32_t(builder.getKind()) + 1;
  auto message = builder.getMessage();
  uint32_t bytes = uint32_t(std::min<size_t>(message.size(), lane::kMessageBytes));
  std::memcpy(layout.message, message.begin(), bytes);
  layout.messageBytes = bytes;
}

// Puts this thread in the scheduling class of the host thread that calls it.
class SchedulingFollower {
 public:
  void follow(int32_t policy, int32_t priority) {
    if (policy == policy_ && priority == priority_) return;
    policy_ = policy;
    priority_ = priority;
#if _WIN32
    if (!SetThreadPriority(GetCurrentThread(), priority)) {
      spdlog::warn("the audio thread cannot take priority {}: {}", priority,
                   win32::errorText(GetLastError()));
    }
#else
    sched_param param{};
    param.sched_priority = priority;
    int error = pthread_setschedparam(pthread_self(), policy, &param);
    if (error != 0) {
      spdlog::warn("the audio thread cannot take scheduling policy {} priority {}: {}", policy,
                   priority, std::strerror(error));
    }
#endif
  }

 private:
  int32_t policy_ = 0, priority_ = 0;
};

// Serves a lane on a thread of its own.
class AudioLaneService final : public LaneService {
 public:
  AudioLaneService(HostOutbox& outbox, kj::Own<LaneEndpoint> endpoint, LaneWork work)
      : outbox_(outbox), endpoint_(kj::mv(endpoint)), work_(kj::mv(work)) {
    thread_ = std::thread([this] { run(); });
  }
  ~AudioLaneService() noexcept(false) override {
    stopping_ = true;
    endpoint_->doorbell().ring();
    thread_.join();
  }

 private:
  void run() {
    lane::Layout& layout = endpoint_->layout();
    lane::SpinBudget spin;
    SchedulingFollower scheduling;
    auto ready = [&] { return stopping_.load() || endpoint_->hasRequest(); };
    while (!stopping_) {
      auto start = std::chrono::steady_clock::now();
      if (!lane::spinUntil(ready, spin.budget())) {
        layout.serverSleeping.store(1);
        if (!ready()) endpoint_->doorbell().wait(std::chrono::milliseconds(-1));
        layout.serverSleeping.store(0);
      }
      spin.waited(std::chrono::steady_clock::now() - start);
      if (stopping_ || !endpoint_->hasRequest()) continue;
      scheduling.follow(layout.schedulingPolicy, layout.schedulingPriority);
      serve(*endpoint_, outbox_, work_);
    }
  }

  HostOutbox& outbox_;
  kj::Own<LaneEndpoint> endpoint_;
  LaneWork work_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;  // last: started once everything it uses is
};

// Serves a lane on the module thread: a promise loop on its event loop that wakes on the doorbell,
// serves, and spins a while for the next call before it goes back to sleep.
class MainLaneService final : public LaneService {
 public:
  MainLaneService(ModuleThread& thread, HostOutbox& outbox, kj::Own<LaneEndpoint> endpoint,
                  LaneWork work)
      : thread_(thread), outbox_(outbox), endpoint_(kj::mv(endpoint)), work_(kj::mv(work)) {
    loop_ = sleep().eagerlyEvaluate([](kj::Exception&& exception) {
      spdlog::error("a lane stopped being served: {}", exception.getDescription().cStr());
    });
  }

 private:
  kj::Promise<void> sleep() {
    lane::Layout& layout = endpoint_->layout();
    layout.serverSleeping.store(1);
    if (endpoint_->hasRequest()) return kj::evalLater([this] { return wake(); });
    return thread_.doorbellWatch()(endpoint_->doorbell().handle()).then([this] { return wake(); });
  }

  kj::Promise<void> wake() {
    endpoint_->doorbell().clear();
    endpoint_->layout().serverSleeping.store(0);
    auto ready = [&] { return endpoint_->hasRequest(); };
    if (ready()) spin_.waited(std::chrono::steady_clock::now() - sleptSince_);
    for (;;) {
      auto start = std::chrono::steady_clock::now();
      if (!lane::spinUntil(ready, spin_.budget())) {
        sleptSince_ = start;  // the wait goes on asleep; wake() learns how long it took
        break;
      }
      spin_.waited(std::chrono::steady_clock::now() - start);
      serve(*endpoint_, outbox_, work_);
    }
    // Back to the loop between calls: it has the connection's work and window messages to see to.
    return sleep();
  }

  ModuleThread& thread_;
  HostOutbox& outbox_;
  kj::Own<LaneEndpoint> endpoint_;
  LaneWork work_;
  lane::SpinBudget spin_;
  std::chrono::steady_clock::time_point sleptSince_ = std::chrono::steady_clock::now();
  kj::Promise<void> loop_{nullptr};  // last: cancelled first
};

class LaneHandle final : public wire::Lane::Server {
 public:
  LaneHandle(ModuleThread& thread, std::weak_ptr<LaneRegistry> registry, uint32_t id)
      : thread_(thread), registry_(std::move(registry)), id_(id) {}
  ~LaneHandle() noexcept(false) {
    thread_.post([registry = std::move(registry_), id = id_] {
      if (auto lanes = registry.lock()) lanes->close(id);
    });
  }

 private:
  ModuleThread& thread_;
  std::weak_ptr<LaneRegistry> registry_;
  uint32_t id_;
};

}  // namespace

kj::Promise<std::shared_ptr<SharedMapping>> acceptSegment(wire::SharedSegment::Reader segment) {
  uint64_t bytes = segment.getBytes();
#if _WIN32
  win32::Handle mapping(reinterpret_cast<HANDLE>(uintptr_t(segment.getWindowsMapping())));
  if (!mapping) throw Error(Error::Kind::invalidArgument, "the host's segment came without its handle");
  return std::make_shared<SharedMapping>(
      SharedMapping::adopt(reinterpret_cast<intptr_t>(mapping.release()), bytes));
#else
  return takeFd(segment.getMemory(), "memory").then([bytes](int fd) {
    return std::make_shared<SharedMapping>(SharedMapping::adopt(fd, bytes));
  });
#endif
}

kj::Promise<kj::Own<LaneEndpoint>> LaneEndpoint::accept(wire::LaneChannel::Reader channel) {
  uint64_t bytes = channel.getMappingBytes();
#if _WIN32
  // Ours from the moment they arrive, whatever becomes of the lane.
  win32::Handle mapping(reinterpret_cast<HANDLE>(uintptr_t(channel.getWindowsMapping())));
  win32::Handle doorbell(reinterpret_cast<HANDLE>(uintptr_t(channel.getWindowsDoorbell())));
  win32::Handle answer(reinterpret_cast<HANDLE>(uintptr_t(channel.getWindowsAnswer())));
  if (!mapping || !doorbell || !answer) {
    throw Error(Error::Kind::invalidArgument, "the host's lane came without its handles");
  }
  auto shared = SharedMapping::adopt(reinterpret_cast<intptr_t>(mapping.release()), bytes);
  checkHeader(shared);
  return kj::heap<LaneEndpoint>(std::move(shared),
                                Doorbell::adopt(reinterpret_cast<intptr_t>(doorbell.release())),
                                reinterpret_cast<intptr_t>(answer.release()));
#else
  auto memory = takeFd(channel.getMemory(), "memory");
  auto doorbell = takeFd(channel.getDoorbell(), "doorbell");
  return memory.then([bytes, doorbell = kj::mv(doorbell)](int memoryFd) mutable {
    return doorbell.then(
        [bytes, memoryFd](int doorbellFd) {
          auto bell = Doorbell::adopt(doorbellFd);
          auto shared = SharedMapping::adopt(memoryFd, bytes);
          checkHeader(shared);
          return kj::heap<LaneEndpoint>(std::move(shared), std::move(bell), -1);
        },
        [memoryFd](kj::Exception&& exception) -> kj::Own<LaneEndpoint> {
          close(memoryFd);
          kj::throwFatalException(kj::mv(exception));
        });
  });
#endif
}

LaneEndpoint::LaneEndpoint(SharedMapping mapping, Doorbell doorbell, intptr_t answerEvent)
    : mapping_(std::move(mapping)), doorbell_(std::move(doorbell)), answerEvent_(answerEvent) {}

LaneEndpoint::~LaneEndpoint() {
#if _WIN32
  if (answerEvent_ != -1) CloseHandle(reinterpret_cast<HANDLE>(answerEvent_));
#endif
}

std::span<std::byte> LaneEndpoint::data() const {
  return {mapping_.data() + lane::kDataOffset, size_t(mapping_.size() - lane::kDataOffset)};
}

void LaneService::serve(LaneEndpoint& endpoint, HostOutbox& outbox, LaneWork& work) {
  lane::Layout& layout = endpoint.layout();
  uint64_t said = outbox.produced();
  uint64_t allocations = allocationsOnThisThread();
  layout.errorKind = 0;
  layout.messageBytes = 0;
  try {
    // Every lane answers `none` at once: what a lane itself costs, and a liveness probe.
    if (lane::Op(layout.op) != lane::Op::none) work(layout, endpoint.data());
  } catch (const Error& error) {
    setAnswerError(layout, error);
  } catch (const std::exception& exception) {
    setAnswerError(layout, Error(Error::Kind::failed, exception.what()));
  } catch (const kj::Exception& exception) {
    // A request message that does not read (Cap'n Proto's reader throws these).
    setAnswerError(layout, Error(Error::Kind::invalidArgument, exception.getDescription().cStr()));
  } catch (...) {
    setAnswerError(layout, Error(Error::Kind::failed, "an exception that is not a std::exception"));
  }
  layout.allocations = uint32_t(std::min<uint64_t>(allocationsOnThisThread() - allocations, UINT32_MAX));
  uint64_t saidThrough = outbox.produced();
  layout.said = saidThrough != said ? 1 : 0;
  layout.saidThrough = saidThrough;
  layout.answerSequence = layout.sequence;
  // The answer is complete before the state says so; the host's sleeping flag is read after the
  // state is written (both sequentially consistent), so a host about to sleep is always woken.
  layout.state.store(uint32_t(lane::State::answer));
  layout.clientBell.fetch_add(1);
  if (layout.clientSleeping.load()) {
#if _WIN32
    SetEvent(reinterpret_cast<HANDLE>(endpoint.answerEvent_));
#else
    lane::wakeWord(layout.clientBell);
#endif
  }
}

kj::Own<LaneService> LaneService::onModuleThread(ModuleThread& thread, HostOutbox& outbox,
                                                 kj::Own<LaneEndpoint> endpoint, LaneWork work) {
  if (!thread.doorbellWatch()) {
    throw Error(Error::Kind::unsupported, "this surrogate's module thread serves no lanes");
  }
  return kj::heap<MainLaneService>(thread, outbox, kj::mv(endpoint), kj::mv(work));
}

kj::Own<LaneService> LaneService::onAudioThread(HostOutbox& outbox, kj::Own<LaneEndpoint> endpoint,
                                                LaneWork work) {
  return kj::heap<AudioLaneService>(outbox, kj::mv(endpoint), kj::mv(work));
}

uint32_t LaneRegistry::add(kj::Own<LaneService> lane) {
  uint32_t id = nextId_++;
  lanes_.emplace(id, kj::mv(lane));
  return id;
}

kj::Own<wire::Lane::Server> makeLaneHandle(ModuleThread& thread,
                                           std::weak_ptr<LaneRegistry> registry, uint32_t id) {
  return kj::heap<LaneHandle>(thread, std::move(registry), id);
}

}  // namespace bridge32
