// The host's half of the first exchange with a surrogate (see protocol/bridge32.capnp).
#pragma once

#include <kj/async.h>

#include "bridge32.capnp.h"
#include "bridge32/types.h"

namespace bridge32 {

struct Handshake {
  uint32_t protocolVersion;
  Architecture architecture;
  uint32_t pid;
  wire::Session::Client session;
};

// The log sink the host gives a surrogate: its records go to the host's "surrogate" logger,
// tagged with `pid`.
kj::Own<wire::LogSink::Server> makeHostLogSink(uint32_t pid);

// Sends our protocol version and log sink. The answer goes through checkHandshake, on the
// caller's side of EventLoopThread::run, so that its Error arrives typed.
kj::Promise<capnp::Response<wire::Surrogate::HandshakeResults>> sendHandshake(
    wire::Surrogate::Client surrogate, wire::LogSink::Client log,
    uint32_t protocolVersion = wire::PROTOCOL_VERSION);

// The session from a handshake answer. Throws Error(unsupportedVersion) naming both versions
// if the surrogate refused us or speaks another version, and Error(surrogateStart) if it is
// not of the `expected` architecture.
Handshake checkHandshake(wire::Surrogate::HandshakeResults::Reader answer, Architecture expected,
                         uint32_t protocolVersion = wire::PROTOCOL_VERSION);

}  // namespace bridge32
