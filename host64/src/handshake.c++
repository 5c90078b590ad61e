#include "handshake.h"

#include "bridge32/error.h"
#include "wire.h"

namespace bridge32 {

kj::Promise<capnp::Response<wire::Surrogate::HandshakeResults>> sendHandshake(
    wire::Surrogate::Client surrogate, wire::LogSink::Client log, uint32_t protocolVersion) {
  auto request = surrogate.handshakeRequest();
  request.setProtocolVersion(protocolVersion);
  request.setLog(kj::mv(log));
  return request.send();
}

Handshake checkHandshake(wire::Surrogate::HandshakeResults::Reader answer, Architecture expected,
                         uint32_t protocolVersion) {
  throwIfError(answer);
  if (answer.getProtocolVersion() != protocolVersion) {
    throw Error(Error::Kind::unsupportedVersion,
                "the surrogate speaks bridge32 protocol " +
                    std::to_string(answer.getProtocolVersion()) + " but this host speaks " +
                    std::to_string(protocolVersion));
  }
  Architecture architecture = fromWire(answer.getArchitecture());
  if (architecture != expected) {
    throw Error(Error::Kind::surrogateStart,
                "the surrogate reports architecture " + std::string(toString(architecture)) +
                    " where " + std::string(toString(expected)) + " was expected");
  }
  if (!answer.hasSession()) {
    throw Error(Error::Kind::surrogateStart, "the surrogate answered the handshake without a session");
  }
  return {answer.getProtocolVersion(), architecture, answer.getPid(), answer.getSession()};
}

}  // namespace bridge32
