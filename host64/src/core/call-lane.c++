#include "core/call-lane.h"

#include <capnp/message.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <thread>

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
// A descriptor lent to the surrogate with the message that carries it (Cap'n Proto fd passing).
// Holds a duplicate of its own: the capability may outlive the lane.
class Descriptor final : public wire::SharedMemory::Server {
 public:
  explicit Descriptor(intptr_t fd) : fd_(fcntl(int(fd), F_DUPFD_CLOEXEC, 0)) {
    if (fd_ < 0) throw Error(Error::Kind::failed, "duplicating a shared memory descriptor");
  }
  ~Descriptor() { close(fd_); }
  kj::Maybe<int> getFd() override { return fd_; }

 private:
  int fd_;
};
#endif

// The calling thread's scheduling, for the surrogate's audio thread to follow. Read again every
// so many calls, not every call: the query is a system call (under Wine, a wineserver round trip
// that costs more than the whole lane call), and a thread's class seldom changes.
void describeCaller(lane::Layout& layout) {
  struct Scheduling {
    int32_t policy = 0, priority = 0;
    uint32_t callsLeft = 0;
  };
  thread_local Scheduling known;
  if (known.callsLeft-- == 0) {
    known.callsLeft = 255;
#if _WIN32
    known.policy = 0;
    known.priority = GetThreadPriority(GetCurrentThread());
#else
    int policy = SCHED_OTHER;
    sched_param param{};
    if (pthread_getschedparam(pthread_self(), &policy, &param) != 0) policy = SCHED_OTHER;
    known.policy = policy;
    known.priority = param.sched_priority;
#endif
  }
  layout.schedulingPolicy = known.policy;
  layout.schedulingPriority = known.priority;
}

}  // namespace

#if !_WIN32
kj::Own<wire::SharedMemory::Server> lendDescriptor(intptr_t fd) { return kj::heap<Descriptor>(fd); }
#endif

CallLane::CallLane(uint64_t dataBytes, const char* name)
    : mapping_(SharedMapping::create(lane::mappingBytes(dataBytes), name)),
      doorbell_(Doorbell::create()) {
#if _WIN32
  answerEvent_ = CreateEventW(nullptr, FALSE, FALSE, nullptr);
  if (!answerEvent_) win32::throwLastError("CreateEventW for a lane's answers");
#endif
  lane::Layout& header = layout();
  header.magic = lane::kMagic;
  header.version = lane::kVersion;
  header.layoutBytes = sizeof(lane::Layout);
  header.dataOffset = lane::kDataOffset;
  header.mappingBytes = mapping_.size();
  header.dataBytes = dataBytes;
}

CallLane::~CallLane() {
  reserve();
  attach(nullptr, nullptr);
  owner_ = kReserved;
#if _WIN32
  CloseHandle(answerEvent_);
#endif
}

bool CallLane::tryAcquire() {
  uint32_t expected = kFree;
  if (!owner_.compare_exchange_strong(expected, kCalling, std::memory_order_acquire)) return false;
  if (client_->loop().onLoopThread()) {
    // A host callback calling back in: the surrogate thread that serves this lane is the one
    // waiting for the callback, so the answer could never come. The pipe refuses such a call at
    // once (EventLoopThread::run), and so does the lane, by sending it there.
    release();
    return false;
  }
  if (late_) {
    // The call that passed its deadline is still running there: its answer owns the lane.
    if (layout().state.load() == uint32_t(lane::State::request)) {
      release();
      return false;
    }
    late_ = false;
  }
  return true;
}

void CallLane::reserve() {
  for (;;) {
    uint32_t owner = owner_.load();
    if (owner == kReserved) return;  // not attached yet, or detached: nobody else takes it
    if (owner == kFree && owner_.compare_exchange_weak(owner, kReserved)) return;
    std::this_thread::yield();
  }
}

void CallLane::describe(wire::LaneChannel::Builder channel, SurrogateClient& client) {
  lane::Layout& header = layout();
  header.state.store(uint32_t(lane::State::idle));
  header.clientSleeping.store(0);
  header.serverSleeping.store(0);
  doorbell_.clear();
  channel.setMappingBytes(mapping_.size());
#if _WIN32
  channel.setWindowsMapping(client.duplicateHandleInto(reinterpret_cast<void*>(mapping_.handle())));
  channel.setWindowsDoorbell(client.duplicateHandleInto(reinterpret_cast<void*>(doorbell_.handle())));
  channel.setWindowsAnswer(client.duplicateHandleInto(answerEvent_));
#else
  (void)client;
  channel.setMemory(lendDescriptor(mapping_.handle()));
  channel.setDoorbell(lendDescriptor(doorbell_.handle()));
#endif
}

void CallLane::attach(std::shared_ptr<SurrogateClient> client,
                      std::unique_ptr<wire::Lane::Client> handle) {
  if (client_ && lostListener_) client_->removeLostListener(lostListener_);
  lostListener_ = 0;
  handle_.reset();
  client_ = std::move(client);
  late_ = false;
  lost_ = false;
  if (client_) {
    handle_ = std::make_unique<LoopOwned<wire::Lane::Client>>(client_->loop(), std::move(handle));
    lostListener_ = client_->addLostListener([this](const std::string&) { wakeForLoss(); });
    if (client_->isLost()) wakeForLoss();
    owner_.store(kFree, std::memory_order_release);
  }
}

void CallLane::wakeForLoss() {
  lost_ = true;
  lane::Layout& header = layout();
  header.clientBell.fetch_add(1);
#if _WIN32
  SetEvent(answerEvent_);
#else
  lane::wakeWord(header.clientBell);
#endif
}

bool CallLane::answered() const {
  return layout().state.load() != uint32_t(lane::State::request) || lost_.load();
}

LaneAnswer CallLane::call(std::chrono::milliseconds timeout, HangPolicy onHang) {
  SurrogateClient& client = *client_;
  if (lost_ || client.isLost()) client.failLost();
  SurrogateClient::CallInFlight inFlight(client);
  lane::Layout& header = layout();
  uint32_t sequence = ++sequence_;
  header.sequence = sequence;
  if (lane::Op(header.op) == lane::Op::process) describeCaller(header);
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + timeout;
  // The request is complete before the state says so; the server's sleeping flag is read after
  // the state is written (both sequentially consistent), so a server about to sleep is rung.
  header.state.store(uint32_t(lane::State::request));
  if (header.serverSleeping.load()) doorbell_.ring();

  if (!lane::spinUntil([this] { return answered(); }, spin_.budget())) {
    while (!answered()) {
      auto left = deadline - std::chrono::steady_clock::now();
      if (left <= left.zero()) break;
#if _WIN32
      header.clientSleeping.store(1);
      if (!answered()) {
        auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
        HANDLE event = answerEvent_;
        win32::waitDispatchingMessages(&event, 1, DWORD(std::min<int64_t>(ms, INFINITE - 1)));
      }
#else
      uint32_t bell = header.clientBell.load();
      header.clientSleeping.store(1);
      if (!answered()) lane::sleepOnWord(header.clientBell, bell, left);
#endif
      header.clientSleeping.store(0);
    }
  }
  spin_.waited(std::chrono::steady_clock::now() - start);
  if (lost_) client.failLost();
  if (!answered()) {
    late_ = onHang == HangPolicy::keepRunning;
    client.failLate(timeout, onHang);
  }

  LaneReading reading = readLaneAnswer(header, sequence);
  if (reading.said) {
    // The plugin said something during the call: the host hears it before the call returns.
    client.call([](wire::Session::Client& session) { return session.flushRequest().send(); },
                [](auto&) {}, timeout, onHang);
  }
  if (reading.error) throw *reading.error;
  return reading.answer;
}

LaneReading readLaneAnswer(const lane::Layout& header, uint32_t sequence) {
  LaneReading reading;
  uint32_t answerSequence = header.answerSequence;
  uint32_t errorKind = header.errorKind;
  reading.answer = {header.answerValue, header.allocations};
  reading.said = header.said != 0;
  if (answerSequence != sequence) {
    throw Error(Error::Kind::failed, "the surrogate answered lane call " + std::to_string(sequence) +
                                         " as call " + std::to_string(answerSequence));
  }
  if (errorKind == 0) return reading;
  uint32_t kind = errorKind - 1;
  uint32_t bytes = std::min(header.messageBytes, lane::kMessageBytes);
  capnp::MallocMessageBuilder scratch(64);
  auto error = scratch.initRoot<wire::Error>();
  error.setKind(kind <= uint32_t(wire::ErrorKind::BAD_STATE) ? wire::ErrorKind(kind)
                                                              : wire::ErrorKind::FAILED);
  std::string message(header.message, bytes);
  error.setMessage(validUtf8(message));
  reading.error = remoteError(error.asReader());
  return reading;
}

}  // namespace bridge32
