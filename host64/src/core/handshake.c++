#include "core/handshake.h"


#include "bridge32/error.h"
#include "logging.h"
#include "wire.h"

namespace bridge32 {

namespace {

// The surrogate's own log records, into the host's "surrogate" logger, tagged with its pid.
class HostLogSink final : public wire::LogSink::Server {
 public:
  explicit HostLogSink(uint32_t pid) : pid_(pid) {}

 protected:
  kj::Promise<void> write(WriteContext context) override {
    write(context.getParams().getRecord());
    return kj::READY_NOW;
  }

  kj::Promise<void> writeBatch(WriteBatchContext context) override {
    auto params = context.getParams();
    for (auto record : params.getRecords()) write(record);
    if (auto logger = logging::get("surrogate"); logger && params.getDropped() > 0) {
      logger->warn("[surrogate {}] {} of its log records were dropped: it logged faster than "
                     "the host took them", pid_, params.getDropped());
    }
    return kj::READY_NOW;
  }

 private:
  void write(wire::LogRecord::Reader record) {
    if (auto logger = logging::get("surrogate")) {
      logger->log(logging::toSpdlog(fromWire(record.getLevel())),
                  "[surrogate {}] {}", pid_, text(record.getMessage()));
    }
  }

  uint32_t pid_;
};

}  // namespace

kj::Own<wire::LogSink::Server> makeHostLogSink(uint32_t pid) { return kj::heap<HostLogSink>(pid); }

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
