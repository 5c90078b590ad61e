// The protocol between host and surrogate, both ends in this process over an in-memory pipe:
// the handshake, its refusals, and typed errors crossing as remote errors.
#include <capnp/rpc-twoparty.h>
#include <gtest/gtest.h>
#include <kj/async-io.h>

#include "bridge32/error.h"
#include "handshake.h"
#include "support.h"
#include "surrogate-server.h"
#include "wire.h"

namespace bridge32 {
namespace {

class NullLogSink final : public wire::LogSink::Server {};

// A host and a surrogate connected by kj's in-memory two-way pipe.
struct InMemoryConnection {
  explicit InMemoryConnection(uint32_t surrogateVersion = wire::PROTOCOL_VERSION)
      : io(kj::setupAsyncIo()),
        pipe(kj::newTwoWayPipe()),
        surrogateNetwork(*pipe.ends[1], capnp::rpc::twoparty::Side::SERVER),
        surrogateRpc(capnp::makeRpcServer(
            surrogateNetwork, kj::heap<SurrogateServer>(SurrogateServer::LogSinkHandler{},
                                                        surrogateVersion))),
        hostNetwork(*pipe.ends[0], capnp::rpc::twoparty::Side::CLIENT),
        hostRpc(capnp::makeRpcClient(hostNetwork)) {}

  wire::Surrogate::Client surrogate() {
    capnp::MallocMessageBuilder message;
    auto id = message.initRoot<capnp::rpc::twoparty::VatId>();
    id.setSide(capnp::rpc::twoparty::Side::SERVER);
    return hostRpc.bootstrap(id).castAs<wire::Surrogate>();
  }

  Handshake handshake(uint32_t hostVersion = wire::PROTOCOL_VERSION) {
    auto answer = sendHandshake(surrogate(), kj::heap<NullLogSink>(), hostVersion).wait(io.waitScope);
    return checkHandshake(answer, thisArchitecture(), hostVersion);
  }

  kj::AsyncIoContext io;
  kj::TwoWayPipe pipe;
  capnp::TwoPartyVatNetwork surrogateNetwork;
  capnp::RpcSystem<capnp::rpc::twoparty::VatId> surrogateRpc;
  capnp::TwoPartyVatNetwork hostNetwork;
  capnp::RpcSystem<capnp::rpc::twoparty::VatId> hostRpc;
};

TEST(Protocol, HandshakeReportsVersionArchitectureAndPid) {
  InMemoryConnection connection;
  Handshake handshake = connection.handshake();
  EXPECT_EQ(handshake.protocolVersion, wire::PROTOCOL_VERSION);
  EXPECT_EQ(handshake.architecture, thisArchitecture());
  EXPECT_NE(handshake.pid, 0u);
}

TEST(Protocol, HostRefusesASurrogateOfAnotherVersion) {
  InMemoryConnection connection(/*surrogateVersion=*/wire::PROTOCOL_VERSION + 1);
  try {
    connection.handshake();
    FAIL() << "the handshake succeeded";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Error::Kind::unsupportedVersion);
    // The surrogate refused first, naming both versions.
    EXPECT_TRUE(error.isRemote());
    EXPECT_NE(error.message().find("protocol " + std::to_string(wire::PROTOCOL_VERSION)),
              std::string::npos) << error.what();
    EXPECT_NE(error.message().find(std::to_string(wire::PROTOCOL_VERSION + 1)), std::string::npos)
        << error.what();
  }
}

TEST(Protocol, HostChecksTheVersionTheSurrogateReports) {
  // A surrogate that accepted us but answered with another version is refused by the host.
  InMemoryConnection connection;
  auto answer = sendHandshake(connection.surrogate(), kj::heap<NullLogSink>()).wait(connection.io.waitScope);
  try {
    checkHandshake(answer, thisArchitecture(), /*protocolVersion=*/wire::PROTOCOL_VERSION + 5);
    FAIL() << "accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Error::Kind::unsupportedVersion);
    EXPECT_FALSE(error.isRemote());
    EXPECT_NE(error.message().find("surrogate speaks bridge32 protocol " +
                                   std::to_string(wire::PROTOCOL_VERSION)),
              std::string::npos) << error.what();
    EXPECT_NE(error.message().find("host speaks " + std::to_string(wire::PROTOCOL_VERSION + 5)),
              std::string::npos) << error.what();
  }
}

TEST(Protocol, HostRefusesASurrogateOfTheWrongArchitecture) {
  InMemoryConnection connection;
  auto answer = sendHandshake(connection.surrogate(), kj::heap<NullLogSink>()).wait(connection.io.waitScope);
  Architecture other = thisArchitecture() == Architecture::x64 ? Architecture::x86 : Architecture::x64;
  try {
    checkHandshake(answer, other);
    FAIL() << "accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Error::Kind::surrogateStart);
  }
}

TEST(Protocol, SecondHandshakeIsRefused) {
  InMemoryConnection connection;
  connection.handshake();
  try {
    connection.handshake();
    FAIL() << "a second handshake succeeded";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Error::Kind::badState);
    EXPECT_TRUE(error.isRemote());
  }
}

TEST(Protocol, ErrorsCrossAsTypedRemoteErrors) {
  InMemoryConnection connection;
  Handshake handshake = connection.handshake();
  auto request = handshake.session.loadModuleRequest();
  request.setPath("/no/such/module.so");
  auto response = request.send().wait(connection.io.waitScope);
  ASSERT_TRUE(response.hasError());
  Error error = remoteError(response.getError());
  EXPECT_EQ(error.kind(), Error::Kind::notFound);
  EXPECT_TRUE(error.isRemote());
  EXPECT_NE(error.message().find("/no/such/module.so"), std::string::npos);
  EXPECT_NE(std::string(error.what()).find("[remote not found]"), std::string::npos) << error.what();
}

TEST(Protocol, LoadsAModuleAndServesAnInstance) {
  InMemoryConnection connection;
  Handshake handshake = connection.handshake();
  auto load = handshake.session.loadModuleRequest();
  load.setPath(utf8(test::pluginPath(thisArchitecture(), "b32-samples")));
  auto loaded = load.send().wait(connection.io.waitScope);
  ASSERT_FALSE(loaded.hasError()) << text(loaded.getError().getMessage());
  ASSERT_EQ(loaded.getPlugins().size(), 2u);
  EXPECT_EQ(text(loaded.getPlugins()[0].getId()), "com.bridge32.samples.gain");

  class NullCallbacks final : public wire::HostCallbacks::Server {};
  auto create = loaded.getModule().createInstanceRequest();
  create.setPluginId("com.bridge32.samples.gain");
  create.setHost(kj::heap<NullCallbacks>());
  auto created = create.send().wait(connection.io.waitScope);
  ASSERT_FALSE(created.hasError());
  EXPECT_TRUE(created.getExtensions().getState());
  ASSERT_EQ(created.getParams().size(), 2u);

  auto set = created.getInstance().setParamRequest();
  set.setId(1);
  set.setValue(99);  // outside [0, 4]
  auto refused = set.send().wait(connection.io.waitScope);
  ASSERT_TRUE(refused.hasError());
  EXPECT_EQ(refused.getError().getKind(), wire::ErrorKind::INVALID_ARGUMENT);

  // A process call whose sizes do not add up is refused before the plugin sees it.
  auto process = created.getInstance().processRequest();
  process.setChannels(64);
  process.setFrames(65536);
  process.initInput(3);
  auto bad = process.send().wait(connection.io.waitScope);
  ASSERT_TRUE(bad.hasError());
  EXPECT_EQ(bad.getError().getKind(), wire::ErrorKind::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace bridge32
