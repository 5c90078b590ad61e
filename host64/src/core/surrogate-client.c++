#include "core/surrogate-client.h"


#include "core/handshake.h"
#include "core/segment-pool.h"
#include "logging.h"
#include "wire.h"

namespace bridge32 {

namespace {

constexpr auto kShutdownGrace = std::chrono::seconds(5);
#if !_WIN32
constexpr uint kMaxFdsPerMessage = 2;  // a lane's memory and doorbell
#endif

}  // namespace

SurrogateClient::Connection::Connection(kj::Own<SurrogateProcess::Channel> stream,
                                        capnp::ReaderOptions options)
    : stream(kj::mv(stream)),
#if _WIN32
      network(*this->stream, capnp::rpc::twoparty::Side::CLIENT, options),
#else
      // Descriptors go to the surrogate with lanes; Cap'n Proto sends them only through a network
      // that would also take as many from the peer, which closes any that no capability holds.
      network(*this->stream, kMaxFdsPerMessage, capnp::rpc::twoparty::Side::CLIENT, options),
#endif
      rpc(capnp::makeRpcClient(network)) {}

std::shared_ptr<SurrogateClient> SurrogateClient::start(const std::filesystem::path& executable,
                                                       Architecture architecture, Timing timing,
                                                       const SurrogateProcess::Launch& launch) {
  return std::shared_ptr<SurrogateClient>(
      new SurrogateClient(executable, architecture, timing, launch), [](SurrogateClient* client) {
        if (!client->loop_.onLoopThread()) {
          delete client;
          return;
        }
        try {
          std::thread([client] { delete client; }).detach();
        } catch (const std::system_error&) {
          // No thread to spare: better a client left behind than an application ended.
          logging::warn("surrogate {}: no thread to shut it down on; left running", client->pid_);
        }
      });
}

SurrogateClient::SurrogateClient(const std::filesystem::path& executable,
                                 Architecture architecture, Timing timing,
                                 const SurrogateProcess::Launch& launch)
    : process_(std::make_unique<SurrogateProcess>(executable, timing.start, launch)),
      architecture_(architecture),
      timing_(timing),
      segmentPool_(std::make_shared<SegmentPool>()) {
  auto startTimeout = timing.start;
  bool late = false;  // the handshake's deadline passed; see call()
  try {
    loop_.run(
        [&](kj::AsyncIoContext& io) {
          connection_ = new Connection(process_->takeChannel(io), readerOptions());
          capnp::MallocMessageBuilder vatId;
          auto id = vatId.initRoot<capnp::rpc::twoparty::VatId>();
          id.setSide(capnp::rpc::twoparty::Side::SERVER);
          auto surrogate = connection_->rpc.bootstrap(id).castAs<wire::Surrogate>();
          auto timeout = io.provider->getTimer()
                             .afterDelay(startTimeout.count() * kj::MILLISECONDS)
                             .then([&late]() -> capnp::Response<wire::Surrogate::HandshakeResults> {
                               late = true;
                               KJ_FAIL_REQUIRE("handshake timed out");
                             });
          return sendHandshake(surrogate, makeHostLogSink(process_->pid()))
              .exclusiveJoin(kj::mv(timeout));
        },
        [&](capnp::Response<wire::Surrogate::HandshakeResults>& answer) {
          Handshake handshake = checkHandshake(answer, architecture);
          // As this process numbers it: a sandboxed surrogate, in a PID namespace of its own,
          // knows itself as 1.
          pid_ = process_->pid();
          connection_->session = kj::mv(handshake.session);
        });
    // Before any call: posted jobs run in order.
    loop_.post([this](kj::AsyncIoContext& io) {
      // A surrogate can end while a child it forked keeps the channel open: watch both.
      connection_->ended = process_->whenExited(io).fork();
      connection_->watch = connection_->network.onDisconnect()
                               .exclusiveJoin(connection_->ended.addBranch())
                               .then([this] { notifyLost(); })
                               .eagerlyEvaluate(nullptr);
      connection_->heartbeat =
          heartbeat(io.provider->getTimer()).eagerlyEvaluate([](kj::Exception&&) {
            // The connection broke: the watch above reports it.
          });
    });
  } catch (const Error& error) {
    loop_.post([connection = std::exchange(connection_, nullptr)](kj::AsyncIoContext&) {
      delete connection;
    });
    throw;
  } catch (const kj::Exception&) {
    loop_.post([connection = std::exchange(connection_, nullptr)](kj::AsyncIoContext&) {
      delete connection;
    });
    std::string why = late ? "did not complete the handshake within " +
                                 std::to_string(startTimeout.count()) + " ms"
                           : "broke off the handshake";
    if (auto ended = process_->waitForExit(std::chrono::seconds(2))) {
      why += "; it " + *ended;
    } else {
      process_->kill();
    }
    process_->waitForExit(std::chrono::seconds(5));
    std::string stderrText = process_->recentStderr(std::chrono::seconds(1));
    if (!stderrText.empty()) why += "; its stderr:\n" + stderrText;
    throw Error(Error::Kind::surrogateStart, "surrogate '" + utf8(executable) + "' (pid " +
                                                 std::to_string(process_->pid()) + ") " + why);
  }
  logging::debug("surrogate {} ({}, pid {}) is ready", utf8(executable), toString(architecture),
                pid_);
}

SurrogateClient::~SurrogateClient() {
  closing_ = true;
  segmentPool_->close();  // its handles' releases are posted before the connection's end
  try {
    loop_.run(
        [&](kj::AsyncIoContext& io) {
          return connection_->session.shutdownRequest().send().ignoreResult().exclusiveJoin(
              io.provider->getTimer().afterDelay(2 * kj::SECONDS));
        },
        [] {});
  } catch (...) {
    // Already gone: nothing to shut down.
  }
  loop_.post([connection = connection_](kj::AsyncIoContext&) { delete connection; });
  if (!process_->waitForExit(kShutdownGrace)) {
    logging::warn("surrogate {} did not exit within {} s of shutdown; killing it", pid_,
                 kShutdownGrace.count());
    process_->kill();
  }
}

kj::Promise<void> SurrogateClient::surrogateTimeElapsed(kj::Timer& timer, kj::TimePoint start,
                                                        std::chrono::milliseconds timeout,
                                                        std::chrono::nanoseconds hostBefore) {
  auto host = hostTime_->total() - hostBefore;
  auto end = start + (std::chrono::nanoseconds(timeout) + host).count() * kj::NANOSECONDS;
  return timer.atTime(end).then(
      [this, &timer, start, timeout, hostBefore, host]() -> kj::Promise<void> {
        // The host ran the application's code meanwhile: the deadline moves by that much.
        if (hostTime_->total() - hostBefore != host) {
          return surrogateTimeElapsed(timer, start, timeout, hostBefore);
        }
        return kj::READY_NOW;
      });
}

kj::Exception SurrogateClient::deadlineException() {
  return kj::Exception(kj::Exception::Type::OVERLOADED, __FILE__, __LINE__,
                       kj::str("bridge32: the call passed its deadline"));
}

kj::Exception SurrogateClient::endedException() {
  return kj::Exception(kj::Exception::Type::DISCONNECTED, __FILE__, __LINE__,
                       kj::str("bridge32: the surrogate process ended"));
}

void SurrogateClient::killAsHung(const std::string& why) {
  if (lost_.exchange(true)) return;  // gone already: nothing to kill, and not for this reason
  {
    std::lock_guard lock(killReasonMutex_);
    if (killReason_.empty()) killReason_ = why;
  }
  logging::warn("killing surrogate {}: {}", pid_, why);
  process_->kill();
}

kj::Promise<void> SurrogateClient::heartbeat(kj::Timer& timer) {
  return timer.afterDelay(timing_.heartbeatInterval.count() * kj::MILLISECONDS)
      .then([this, &timer]() -> kj::Promise<void> {
        if (lost_) return kj::READY_NOW;
        if (callsInFlight_ > 0) return heartbeat(timer);  // the call's deadline covers it
        auto answered = connection_->session.pingRequest().send().then([](auto&&) { return true; });
        if (keepingLateCall_) {
          // The application let a late call run on (HangPolicy::keepRunning). The module thread
          // answers this once it is past that call, however long that takes.
          return answered.then([this, &timer](bool) {
            keepingLateCall_ = false;
            return heartbeat(timer);
          });
        }
        auto late = timer.afterDelay(timing_.heartbeatTimeout.count() * kj::MILLISECONDS)
                        .then([] { return false; });
        return answered.exclusiveJoin(kj::mv(late)).then([this, &timer](bool ok) -> kj::Promise<void> {
          if (!ok && callsInFlight_ == 0 && !keepingLateCall_) {
            killAsHung("it stopped answering: no heartbeat answer within " +
                       std::to_string(timing_.heartbeatTimeout.count()) + " ms");
            return kj::READY_NOW;
          }
          return heartbeat(timer);
        });
      });
}

void SurrogateClient::rethrowTransportError(const kj::Exception& exception, bool late,
                                            std::chrono::milliseconds timeout, HangPolicy onHang) {
  if (late) failLate(timeout, onHang);
  if (exception.getType() != kj::Exception::Type::DISCONNECTED) {
    throw Error(Error::Kind::failed, "bridged call failed: " +
                                         std::string(exception.getDescription().cStr()));
  }
  failLost();
}

void SurrogateClient::failLate(std::chrono::milliseconds timeout, HangPolicy onHang) {
  {
    std::string what = "the surrogate (pid " + std::to_string(pid_) + ") did not answer within " +
                       std::to_string(timeout.count()) + " ms";
    if (onHang == HangPolicy::kill) {
      killAsHung("a call did not return within " + std::to_string(timeout.count()) + " ms");
      what += "; bridge32 killed it";
    } else {
      keepingLateCall_ = true;
      what += "; it was left running";
    }
    throw Error(Error::Kind::timeout, what);
  }
}

void SurrogateClient::failLost() {
  lost_ = true;
  throw Error(Error::Kind::disconnected, describeLoss(std::chrono::seconds(2)));
}

std::string SurrogateClient::describeLoss(std::chrono::milliseconds waitForExit) {
  std::string why = "the surrogate (" + utf8(process_->executable()) + ", pid " +
                    std::to_string(process_->pid()) + ") is gone";
  bool killed = false;
  {
    std::lock_guard lock(killReasonMutex_);
    if (!killReason_.empty()) why += ": bridge32 killed it because " + killReason_;
    killed = !killReason_.empty();
  }
  auto ended = process_->waitForExit(waitForExit);
  if (ended) why += (killed ? "; it " : ": it ") + *ended;
  // An ended process's stderr ends too; its last lines may still be on their way.
  std::string stderrText = process_->recentStderr(ended ? std::chrono::milliseconds(500)
                                                        : std::chrono::milliseconds(0));
  if (!stderrText.empty()) why += "; its last stderr:\n" + stderrText;
  return why;
}

void SurrogateClient::notifyLost() {
  lost_ = true;
  // Whatever happens below, waiters in awaitLossTold go on.
  auto told = kj::defer([this] {
    {
      std::lock_guard lock(listenersMutex_);
      lossTold_ = LossTold::told;
    }
    listenerDone_.notify_all();
  });
  if (closing_) return;
  // The connection drops as the process ends; give it a moment to be reaped for its status. A
  // process that runs on without its channel (a module closed the surrogate's descriptors, or
  // the surrogate broke the protocol) can serve nothing any more, its lanes included: it goes.
  if (!process_->waitForExit(std::chrono::milliseconds(500))) {
    {
      std::lock_guard lock(killReasonMutex_);
      if (killReason_.empty()) killReason_ = "its channel to the host closed while it ran on";
    }
    process_->kill();
  }
  std::string why = describeLoss(std::chrono::seconds(2));
  logging::warn("{}", why);
  // The listeners run application code (HostCallbacks::pluginStopped), which may destroy the
  // instance, and so remove listeners: no lock is held while they run.
  std::vector<std::shared_ptr<Listener>> listeners;
  {
    std::lock_guard lock(listenersMutex_);
    lossTold_ = LossTold::telling;
    for (auto& [id, listener] : listeners_) listeners.push_back(listener);
  }
  for (auto& listener : listeners) {
    {
      std::lock_guard lock(listenersMutex_);
      if (listener->removed) continue;
      listener->runningOn = std::this_thread::get_id();
    }
    try {
      listener->call(why);
    } catch (const std::exception& error) {
      logging::warn("a listener for the loss of surrogate {} failed: {}", pid_, error.what());
    }
    {
      std::lock_guard lock(listenersMutex_);
      listener->runningOn = std::thread::id();
    }
    listenerDone_.notify_all();
  }
}

uint64_t SurrogateClient::addLostListener(LostListener listener) {
  std::lock_guard lock(listenersMutex_);
  if (lossTold_ != LossTold::notYet) return 0;
  uint64_t id = nextListenerId_++;
  auto entry = std::make_shared<Listener>();
  entry->call = std::move(listener);
  listeners_.emplace(id, std::move(entry));
  return id;
}

void SurrogateClient::awaitLossTold(std::chrono::milliseconds limit,
                                    const std::function<bool()>& giveUp) {
  if (!lost_ || loop_.onLoopThread()) return;
  std::unique_lock lock(listenersMutex_);
  listenerDone_.wait_for(lock, limit, [&] {
    return lossTold_ == LossTold::told || (giveUp && giveUp());
  });
}

bool SurrogateClient::tellingLoss() {
  std::lock_guard lock(listenersMutex_);
  return lossTold_ == LossTold::telling;
}

void SurrogateClient::removeLostListener(uint64_t id) {
  std::unique_lock lock(listenersMutex_);
  auto found = listeners_.find(id);
  if (found == listeners_.end()) return;
  std::shared_ptr<Listener> listener = found->second;
  listener->removed = true;
  listeners_.erase(found);
  // It may be running on the loop thread: wait for it, unless this is that thread, inside it.
  listenerDone_.wait(lock, [&] {
    return listener->runningOn == std::thread::id() ||
           listener->runningOn == std::this_thread::get_id();
  });
}

}  // namespace bridge32
