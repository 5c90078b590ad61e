// The surrogate's side of the protocol: serves protocol/bridge32.capnp's Surrogate, Session,
// Module and Instance over the modules it loads with the platform's loader.
//
// It runs on the serving thread, which owns the connection. Module code runs on `thread`, one
// call at a time (ModuleThread); what modules say to the host goes through `outbox` from any
// thread (HostOutbox), and each answer follows what was said before it.
#pragma once

#include <functional>

#include "bridge32.capnp.h"
#include "core/host-outbox.h"
#include "core/module-thread.h"

namespace bridge32 {

// The bootstrap capability. `protocolVersion` is the version this surrogate speaks: always
// wire::PROTOCOL_VERSION, except in tests of the handshake's refusal.
class SurrogateServer final : public wire::Surrogate::Server {
 public:
  // `onHandshake` runs after a successful handshake, once the outbox sends to the host's log sink.
  SurrogateServer(ModuleThread& thread, HostOutbox& outbox, std::function<void()> onHandshake = {},
                  uint32_t protocolVersion = wire::PROTOCOL_VERSION);

 protected:
  kj::Promise<void> handshake(HandshakeContext context) override;

 private:
  ModuleThread& thread_;
  HostOutbox& outbox_;
  std::function<void()> onHandshake_;
  uint32_t protocolVersion_;
  bool handshakeDone_ = false;
};

}  // namespace bridge32
