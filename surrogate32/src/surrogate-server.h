// The surrogate's side of the protocol: serves protocol/bridge32.capnp's Surrogate, Session,
// Module and Instance over the plugin modules it loads with the platform's loader.
#pragma once

#include <functional>

#include "bridge32.capnp.h"

namespace bridge32 {

// The bootstrap capability. `protocolVersion` is the version this surrogate speaks: always
// wire::PROTOCOL_VERSION, except in tests of the handshake's refusal.
class SurrogateServer final : public wire::Surrogate::Server {
 public:
  // `onLogSink` receives the host's log sink after a successful handshake.
  using LogSinkHandler = std::function<void(wire::LogSink::Client)>;
  explicit SurrogateServer(LogSinkHandler onLogSink = {},
                           uint32_t protocolVersion = wire::PROTOCOL_VERSION);

 protected:
  kj::Promise<void> handshake(HandshakeContext context) override;

 private:
  LogSinkHandler onLogSink_;
  uint32_t protocolVersion_;
  bool handshakeDone_ = false;
};

}  // namespace bridge32
