// A running surrogate and the RPC connection to it, owned by its own EventLoopThread.
#pragma once

#include <capnp/rpc-twoparty.h>

#include <chrono>
#include <filesystem>
#include <memory>

#include "bridge32.capnp.h"
#include "bridge32/error.h"
#include "event-loop-thread.h"
#include "surrogate-process.h"

namespace bridge32 {

class SurrogateClient {
 public:
  // Starts `executable` (a surrogate of `architecture`), connects and completes the handshake
  // within `startTimeout`. Throws Error(surrogateStart) naming the executable, with how the
  // process ended and its stderr when it died; Error(unsupportedVersion) on a protocol mismatch.
  SurrogateClient(const std::filesystem::path& executable, Architecture architecture,
                  std::chrono::milliseconds startTimeout);
  // Asks the surrogate to shut down, hangs up, and kills it if it has not exited in time.
  ~SurrogateClient();
  SurrogateClient(const SurrogateClient&) = delete;
  SurrogateClient& operator=(const SurrogateClient&) = delete;

  uint32_t pid() const { return pid_; }
  Architecture architecture() const { return architecture_; }
  EventLoopThread& loop() { return loop_; }

  // [any-thread but the loop's] Like EventLoopThread::run, with `start(session)` given the
  // session. A broken connection becomes Error(disconnected) saying how the surrogate ended.
  template <typename Start, typename Finish>
  auto call(Start&& start, Finish&& finish);

 private:
  struct Connection;
  [[noreturn]] void rethrowTransportError(const kj::Exception& exception);

  std::unique_ptr<SurrogateProcess> process_;
  Architecture architecture_;
  uint32_t pid_ = 0;
  Connection* connection_ = nullptr;  // lives on the loop thread
  EventLoopThread loop_;              // declared last: stopped first
};

struct SurrogateClient::Connection {
  kj::Own<kj::AsyncIoStream> stream;
  capnp::TwoPartyVatNetwork network;
  capnp::RpcSystem<capnp::rpc::twoparty::VatId> rpc;
  wire::Session::Client session{nullptr};

  Connection(kj::Own<kj::AsyncIoStream> stream, capnp::ReaderOptions options);
};

template <typename Start, typename Finish>
auto SurrogateClient::call(Start&& start, Finish&& finish) {
  try {
    return loop_.run(
        [&](kj::AsyncIoContext&) { return start(connection_->session); },
        finish);
  } catch (const kj::Exception& exception) {
    rethrowTransportError(exception);
  }
}

}  // namespace bridge32
