// A running surrogate and the RPC connection to it, owned by its own EventLoopThread.
#pragma once

#include <capnp/rpc-twoparty.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "bridge32.capnp.h"
#include "bridge32/error.h"
#include "bridge32/host.h"
#include "core/event-loop-thread.h"
#include "core/surrogate-process.h"

namespace bridge32 {

// The time the host spends in the application's code while the surrogate waits for it (a
// callback the library calls, a host object a COM object calls): a call's deadline bounds the
// surrogate's time, so this is added to it. The application's own code is its own to bound.
class SegmentPool;

class HostTime {
 public:
  // [loop thread] Counts the time from its making to its end.
  class Scope {
   public:
    explicit Scope(HostTime& time) : time_(time), start_(std::chrono::steady_clock::now()) {}
    ~Scope() {
      time_.nanoseconds_ += (std::chrono::steady_clock::now() - start_).count();
    }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    HostTime& time_;
    std::chrono::steady_clock::time_point start_;
  };

  // [any-thread] All of it so far.
  std::chrono::nanoseconds total() const { return std::chrono::nanoseconds(nanoseconds_.load()); }

 private:
  std::atomic<int64_t> nanoseconds_{0};
};

class SurrogateClient {
 public:
  struct Timing {
    std::chrono::milliseconds start{60'000};
    std::chrono::milliseconds heartbeatInterval{1'000};
    std::chrono::milliseconds heartbeatTimeout{10'000};
  };

  // Starts `executable` (a surrogate of `architecture`), connects and completes the handshake
  // within `timing.start`, then keeps a heartbeat going. Throws Error(surrogateStart) naming the
  // executable, with how the process ended and its stderr when it died;
  // Error(unsupportedVersion) on a protocol mismatch.
  //
  // Its last reference may go on any thread, its own loop thread included (a lost-listener that
  // lets go of everything): that thread cannot take the client down, since it must be joined, so
  // another thread does.
  static std::shared_ptr<SurrogateClient> start(const std::filesystem::path& executable,
                                                Architecture architecture, Timing timing,
                                                const SurrogateProcess::Launch& launch = {});
  // Asks the surrogate to shut down, hangs up, and kills it if it has not exited in time.
  ~SurrogateClient();
  SurrogateClient(const SurrogateClient&) = delete;
  SurrogateClient& operator=(const SurrogateClient&) = delete;

  uint32_t pid() const { return pid_; }
  Architecture architecture() const { return architecture_; }
  // [any-thread] Where the servers that run application code for the surrogate count their time
  // (see HostTime); shared, so that a server may outlive this client.
  const std::shared_ptr<HostTime>& hostTime() const { return hostTime_; }
  EventLoopThread& loop() { return loop_; }
  // [any-thread] The memory shared with the surrogate for calls' large values.
  const std::shared_ptr<SegmentPool>& segmentPool() const { return segmentPool_; }
  // [any-thread] True once the connection broke, the process ended, or bridge32 killed it as hung.
  bool isLost() const { return lost_; }
#if _WIN32
  // [any-thread] See SurrogateProcess::duplicateHandleInto.
  uint64_t duplicateHandleInto(void* handle) const { return process_->duplicateHandleInto(handle); }
  // [any-thread] See SurrogateProcess::duplicateHandleFrom.
  void* duplicateHandleFrom(uint64_t handle) const { return process_->duplicateHandleFrom(handle); }
#endif

  // [any-thread but the loop's] Like EventLoopThread::run, with `start(session)` given the
  // session. A broken connection or an ended process becomes Error(disconnected) saying how the
  // surrogate ended. No answer within `timeout` becomes Error(timeout), after which `onHang`
  // applies: with HangPolicy::keepRunning the heartbeat waits for the late call to finish rather
  // than killing the surrogate that is still working on it.
  template <typename Start, typename Finish>
  auto call(Start&& start, Finish&& finish, std::chrono::milliseconds timeout,
            HangPolicy onHang = HangPolicy::kill);

  // Calls made by other means than call() (a lane's, core/call-lane.h) follow the same rules
  // through these: one of these guards lives for each (the heartbeat leaves the surrogate alone
  // meanwhile, since the call's deadline covers it); a call that passed its deadline ends with
  // failLate, one that found the surrogate gone with failLost.
  class CallInFlight {
   public:
    explicit CallInFlight(SurrogateClient& client) : client_(client) { ++client_.callsInFlight_; }
    ~CallInFlight() { --client_.callsInFlight_; }
    CallInFlight(const CallInFlight&) = delete;
    CallInFlight& operator=(const CallInFlight&) = delete;

   private:
    SurrogateClient& client_;
  };
  [[noreturn]] void failLate(std::chrono::milliseconds timeout, HangPolicy onHang);
  [[noreturn]] void failLost();

  // [any-thread] Calls `listener` on the loop thread when the surrogate is lost other than by
  // this client's own shutdown (it crashed, was killed, ended, hung up), with how it ended.
  // Listeners run with no lock held: one may remove listeners, its own included, and drop the
  // last reference to this client. Returns an id for removeLostListener, or 0 when the loss is
  // being or has been told already (the listener is not kept: the caller finds it lost).
  using LostListener = std::function<void(const std::string& why)>;
  uint64_t addLostListener(LostListener listener);
  // [any-thread] Once the surrogate is lost, waits until its lost-listeners have run, up to
  // `limit`; at once on the loop thread, whose listeners they are. What a listener reports (a
  // plugin stopped) then comes before what a caller does about the loss (a restart).
  // `giveUp` ends the wait early once true (checked when wakeLossWaiters() is called).
  void awaitLossTold(std::chrono::milliseconds limit = std::chrono::seconds(5),
                     const std::function<bool()>& giveUp = {});
  // [any-thread] Whether the loop thread is telling the loss to the listeners now.
  bool tellingLoss();
  // [any-thread] Has the waiters of awaitLossTold check their `giveUp` again.
  void wakeLossWaiters() {
    { std::lock_guard lock(listenersMutex_); }
    listenerDone_.notify_all();
  }
  // [any-thread] Once this returns, the listener is not running on another thread and will not be
  // called again.
  void removeLostListener(uint64_t id);

 private:
  struct Connection;
  struct Listener {
    LostListener call;
    // Under listenersMutex_:
    bool removed = false;
    std::thread::id runningOn;  // the loop thread while it calls this listener
  };

  SurrogateClient(const std::filesystem::path& executable, Architecture architecture,
                  Timing timing, const SurrogateProcess::Launch& launch);
  // [loop thread] Resolves once the surrogate has had `timeout` since `start`, not counting the
  // host's time (hostTime_) beyond `hostBefore`, what it had counted at `start`.
  kj::Promise<void> surrogateTimeElapsed(kj::Timer& timer, kj::TimePoint start,
                                         std::chrono::milliseconds timeout,
                                         std::chrono::nanoseconds hostBefore);
  // `late`: the call's deadline passed (the exception is the one that says so).
  [[noreturn]] void rethrowTransportError(const kj::Exception& exception, bool late,
                                          std::chrono::milliseconds timeout, HangPolicy onHang);
  // Kills the process, remembering why for the errors and listeners that follow.
  void killAsHung(const std::string& why);
  kj::Promise<void> heartbeat(kj::Timer& timer);
  static kj::Exception deadlineException();
  static kj::Exception endedException();
  // "the surrogate (path, pid N) is gone: it exited with code 3; its last stderr: ..."
  std::string describeLoss(std::chrono::milliseconds waitForExit);
  void notifyLost();

  std::unique_ptr<SurrogateProcess> process_;
  Architecture architecture_;
  Timing timing_;
  std::shared_ptr<HostTime> hostTime_ = std::make_shared<HostTime>();
  std::atomic<int> callsInFlight_{0};
  // A call passed its deadline under HangPolicy::keepRunning and may still be running there.
  std::atomic<bool> keepingLateCall_{false};
  std::mutex killReasonMutex_;
  std::string killReason_;  // set when bridge32 killed the surrogate
  uint32_t pid_ = 0;
  Connection* connection_ = nullptr;  // lives on the loop thread
  std::atomic<bool> closing_{false};
  std::atomic<bool> lost_{false};
  std::mutex listenersMutex_;
  std::condition_variable listenerDone_;  // also when the loss has been told
  enum class LossTold { notYet, telling, told } lossTold_ = LossTold::notYet;
  std::map<uint64_t, std::shared_ptr<Listener>> listeners_;
  uint64_t nextListenerId_ = 1;
  // Closed before the connection goes (its capabilities are released on the loop thread first).
  std::shared_ptr<SegmentPool> segmentPool_;
  EventLoopThread loop_;              // declared last: stopped first
};

struct SurrogateClient::Connection {
  kj::Own<SurrogateProcess::Channel> stream;
  capnp::TwoPartyVatNetwork network;
  capnp::RpcSystem<capnp::rpc::twoparty::VatId> rpc;
  wire::Session::Client session{nullptr};
  kj::ForkedPromise<void> ended{nullptr};  // the process ended, whoever holds the channel
  kj::Promise<void> watch{nullptr};       // notices the connection or the process going away
  kj::Promise<void> heartbeat{nullptr};   // pings while no call is in flight

  Connection(kj::Own<SurrogateProcess::Channel> stream, capnp::ReaderOptions options);
};

template <typename Start, typename Finish>
auto SurrogateClient::call(Start&& start, Finish&& finish, std::chrono::milliseconds timeout,
                           HangPolicy onHang) {
  ++callsInFlight_;
  auto done = kj::defer([this] { --callsInFlight_; });
  // Set on the loop thread before the deadline's exception is thrown there; read here after
  // run() returns, which the loop's completion orders after it.
  bool late = false;
  try {
    return loop_.run(
        [&](kj::AsyncIoContext& io) {
          kj::Timer& timer = io.provider->getTimer();
          auto hostBefore = hostTime_->total();
          auto started = timer.now();
          auto answer = start(connection_->session);
          using Response = typename detail::PromiseValue<decltype(answer)>::type;
          return kj::Promise<Response>(kj::mv(answer))
              .exclusiveJoin(connection_->ended.addBranch().then(
                  []() -> Response { kj::throwFatalException(endedException()); }))
              .exclusiveJoin(surrogateTimeElapsed(timer, started, timeout, hostBefore)
                                 .then([&late]() -> Response {
                                   late = true;
                                   kj::throwFatalException(deadlineException());
                                 }));
        },
        finish);
  } catch (const kj::Exception& exception) {
    rethrowTransportError(exception, late, timeout, onHang);
  }
}

}  // namespace bridge32
