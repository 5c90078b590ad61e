// The protocol between host and surrogate, both ends in this process over an in-memory pipe:
// the handshake, its refusals, typed errors crossing as remote errors, and what the host does
// with bytes no well-behaved surrogate would send.
#include <capnp/rpc-twoparty.h>
#include <gtest/gtest.h>
#include <capnp/rpc.capnp.h>
#include <capnp/serialize-async.h>
#include <kj/async-io.h>

#include <cstring>
#include <optional>
#include <vector>

#include "bridge32/com-value.h"
#include "bridge32/error.h"
#include "bridge32/limits.h"
#include "bridge32/surrogate.h"
#include "core/handshake.h"
#include "support.h"
#include "core/surrogate-server.h"
#include "com/com-wire.h"
#include "wire.h"

namespace bridge32 {
namespace {

class NullLogSink final : public wire::LogSink::Server {};

// A host and a surrogate connected by kj's in-memory two-way pipe; plugins run on the same thread.
struct InMemoryConnection {
  explicit InMemoryConnection(uint32_t surrogateVersion = wire::PROTOCOL_VERSION)
      : io(kj::setupAsyncIo()),
        plugins(kj::getCurrentThreadExecutor(), nullptr, &io.provider->getTimer()),
        pipe(kj::newTwoWayPipe()),
        surrogateNetwork(*pipe.ends[1], capnp::rpc::twoparty::Side::SERVER),
        surrogateRpc(capnp::makeRpcServer(
            surrogateNetwork,
            kj::heap<SurrogateServer>(plugins, outbox, std::function<void()>{}, surrogateVersion))),
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
  ModuleThread plugins;
  HostOutbox outbox;
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

TEST(Protocol, ThePublicApiSaysTheVersionTheHostSpeaks) {
  EXPECT_EQ(protocolVersion(), wire::PROTOCOL_VERSION);
  EXPECT_EQ(bridge32_protocol_version(), wire::PROTOCOL_VERSION);
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
  auto request = handshake.session.loadRequest();
  request.setKind(wire::ModuleKind::SDK);
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
  auto load = handshake.session.loadRequest();
  load.setKind(wire::ModuleKind::SDK);
  load.setPath(utf8(test::pluginPath(thisArchitecture(), "b32-samples")));
  auto answer = load.send().wait(connection.io.waitScope);
  ASSERT_FALSE(answer.hasError()) << text(answer.getError().getMessage());
  auto loaded = answer.getModule().getSdk();
  ASSERT_EQ(loaded.getPlugins().size(), 3u);
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

// Process calls over the pipe carry a block's MIDI and transport (the path a second thread takes
// while the first holds the audio lane).
TEST(Protocol, ProcessCallsCarryMidiAndTheTransport) {
  InMemoryConnection connection;
  Handshake handshake = connection.handshake();
  auto load = handshake.session.loadRequest();
  load.setKind(wire::ModuleKind::SDK);
  load.setPath(utf8(test::pluginPath(thisArchitecture(), "b32-samples")));
  auto answer = load.send().wait(connection.io.waitScope);
  class NullCallbacks final : public wire::HostCallbacks::Server {};
  auto create = answer.getModule().getSdk().getModule().createInstanceRequest();
  create.setPluginId("com.bridge32.samples.tone");
  create.setHost(kj::heap<NullCallbacks>());
  auto created = create.send().wait(connection.io.waitScope);
  auto tone = created.getInstance();
  auto activate = tone.activateRequest();
  activate.setSampleRate(48000);
  activate.setMaxFrames(64);
  ASSERT_FALSE(activate.send().wait(connection.io.waitScope).hasError());

  auto process = tone.processRequest();
  process.setChannels(1);
  process.setFrames(64);
  process.initInput(64);
  auto midi = process.initMidi(1);
  toWire(MidiEvent{20, {0x90, 69, 100}}, midi[0]);
  Transport transport;
  transport.tempo = 123;
  toWire(transport, process.initTransport());
  auto processed = process.send().wait(connection.io.waitScope);
  ASSERT_FALSE(processed.hasError()) << text(processed.getError().getMessage());
  auto output = processed.getOutput();
  EXPECT_EQ(output[20], 0.0f);
  EXPECT_NE(output[21], 0.0f) << "the note starts at its frame";

  for (uint32_t id : {3u, 4u}) {  // notes heard, tempo
    auto get = tone.getParamRequest();
    get.setId(id);
    EXPECT_EQ(get.send().wait(connection.io.waitScope).getValue(), id == 3 ? 1.0 : 123.0);
  }
}

// ----- a hostile or broken surrogate ----------------------------------------------------------
// The host's end of a connection, with the host's reader limits, facing a peer that says whatever
// a test writes. The host asks for the handshake; whatever it hears instead, it must end the
// connection with an error at once: no crash, no hang, no giant allocation.
struct HostFacingABadPeer {
  // How the handshake ended: "answered", "no answer within 5 s", or the error's description.
  std::string handshakeWhilePeerSays(kj::Promise<void> say) {
    capnp::MallocMessageBuilder message;
    auto id = message.initRoot<capnp::rpc::twoparty::VatId>();
    id.setSide(capnp::rpc::twoparty::Side::SERVER);
    auto surrogate = hostRpc.bootstrap(id).castAs<wire::Surrogate>();
    auto answer = sendHandshake(surrogate, kj::heap<NullLogSink>());
    auto said = kj::mv(say).eagerlyEvaluate([](kj::Exception&&) {});  // the host may hang up
    auto late = io.provider->getTimer().afterDelay(5 * kj::SECONDS).then([] {
      return std::string("no answer within 5 s");
    });
    return answer
        .then([](auto&&) { return std::string("answered"); },
              [](kj::Exception&& error) { return std::string(error.getDescription().cStr()); })
        .exclusiveJoin(kj::mv(late))
        .wait(io.waitScope);
  }

  // A raw frame: the segment table (count - 1, then each size in words) and `body`.
  kj::Promise<void> sayFrame(std::vector<uint32_t> table, std::vector<uint8_t> body,
                             bool thenHangUp = false) {
    auto bytes = kj::heapArray<uint8_t>(table.size() * 4 + body.size());
    std::memcpy(bytes.begin(), table.data(), table.size() * 4);  // little-endian, like the wire
    std::memcpy(bytes.begin() + table.size() * 4, body.data(), body.size());
    auto write = peer.write(bytes.begin(), bytes.size()).attach(kj::mv(bytes));
    if (!thenHangUp) return write;
    return write.then([this] { peer.shutdownWrite(); });
  }

  // A well-formed RPC message the host did not expect.
  kj::Promise<void> sayRpc(kj::Function<void(capnp::rpc::Message::Builder)> fill) {
    auto message = kj::heap<capnp::MallocMessageBuilder>();
    fill(message->initRoot<capnp::rpc::Message>());
    auto promise = capnp::writeMessage(peer, *message);
    return promise.attach(kj::mv(message));
  }

  kj::AsyncIoContext io = kj::setupAsyncIo();
  kj::TwoWayPipe pipe = kj::newTwoWayPipe();
  kj::AsyncIoStream& peer = *pipe.ends[1];
  capnp::TwoPartyVatNetwork hostNetwork{*pipe.ends[0], capnp::rpc::twoparty::Side::CLIENT,
                                        readerOptions()};
  capnp::RpcSystem<capnp::rpc::twoparty::VatId> hostRpc = capnp::makeRpcClient(hostNetwork);
  // What the host writes is read and dropped, as a real peer would read it.
  kj::Promise<void> drained =
      peer.readAllBytes().ignoreResult().eagerlyEvaluate([](kj::Exception&&) {});
};

void expectRefused(const std::string& outcome) {
  EXPECT_NE(outcome, "answered");
  EXPECT_NE(outcome, "no answer within 5 s") << "the host waited for more instead of refusing";
}

// bridge32's limit (limits::kMaxMessageWords, 24 MiB) is below Cap'n Proto's default (64 MiB):
// one word over it is refused at the header, before anything is allocated or waited for.
TEST(HostilePeer, AMessageOverTheReaderLimitIsRefusedAtItsHeader) {
  for (uint32_t words : {uint32_t(limits::kMaxMessageWords + 1), 1u << 28}) {
    HostFacingABadPeer host;
    std::string outcome = host.handshakeWhilePeerSays(host.sayFrame({0, words}, {}));
    expectRefused(outcome);
    EXPECT_NE(outcome.find("too large"), std::string::npos) << words << " words: " << outcome;
  }
}

TEST(HostilePeer, AFrameWithTooManySegmentsIsRefused) {
  HostFacingABadPeer host;
  expectRefused(host.handshakeWhilePeerSays(host.sayFrame({100000, 1}, {})));
}

TEST(HostilePeer, ATruncatedMessageIsRefused) {
  HostFacingABadPeer host;
  // Announces 8 words, sends 2, hangs up.
  expectRefused(host.handshakeWhilePeerSays(
      host.sayFrame({0, 8}, std::vector<uint8_t>(16, 0), /*thenHangUp=*/true)));
}

TEST(HostilePeer, GarbageInAWellFramedMessageIsRefused) {
  HostFacingABadPeer host;
  // A root pointer and words of 0xFF: pointers far outside the segment.
  expectRefused(host.handshakeWhilePeerSays(
      host.sayFrame({0, 4}, std::vector<uint8_t>(32, 0xFF))));
}

TEST(HostilePeer, AnAnswerToAQuestionNeverAskedIsRefused) {
  HostFacingABadPeer host;
  expectRefused(host.handshakeWhilePeerSays(host.sayRpc([](capnp::rpc::Message::Builder message) {
    auto answer = message.initReturn();
    answer.setAnswerId(999);
    answer.initResults();
  })));
}

TEST(HostilePeer, AReleaseOfACapabilityNeverGivenIsRefused) {
  HostFacingABadPeer host;
  expectRefused(host.handshakeWhilePeerSays(host.sayRpc([](capnp::rpc::Message::Builder message) {
    auto release = message.initRelease();
    release.setId(4242);
    release.setReferenceCount(1);
  })));
}

// ----- the COM kind, served in this process --------------------------------------------------

#if !_WIN32
TEST(ProtocolCom, LoadingAComClassSaysCOMIsAWindowsFacility) {
  InMemoryConnection connection;
  auto handshake = connection.handshake();
  auto load = handshake.session.loadRequest();
  load.setKind(wire::ModuleKind::COM);
  load.setPath("Scripting.Dictionary");
  auto answer = load.send().wait(connection.io.waitScope);
  ASSERT_TRUE(answer.hasError());
  Error error = remoteError(answer.getError());
  EXPECT_EQ(error.kind(), Error::Kind::unsupported);
  EXPECT_NE(error.message().find("COM is a Windows facility"), std::string::npos) << error.message();
  EXPECT_NE(error.message().find("Scripting.Dictionary"), std::string::npos) << error.message();
}
#else
// Wine's Scripting.Dictionary (scrrun.dll, not ours), created and called through the protocol as
// a host would, with the surrogate's COM kind serving it on this thread.
class ProtocolCom : public ::testing::Test {
 protected:
  void SetUp() override {
    auto load = session_.loadRequest();
    load.setKind(wire::ModuleKind::COM);
    load.setPath("Scripting.Dictionary");
    auto answer = load.send().wait(connection_->io.waitScope);
    ASSERT_FALSE(answer.hasError()) << text(answer.getError().getMessage());
    auto loaded = answer.getModule().getCom();
    EXPECT_EQ(text(loaded.getClsid()), "{EE09B103-97E0-11CF-978F-00A02463E06F}");
    EXPECT_EQ(text(loaded.getThreadingModel()), "Apartment");
    EXPECT_NE(text(loaded.getServer()).find("scrrun.dll"), std::string::npos)
        << text(loaded.getServer());
    auto created = loaded.getComClass().createRequest().send().wait(connection_->io.waitScope);
    ASSERT_FALSE(created.hasError()) << text(created.getError().getMessage());
    object_ = created.getObject();
  }

  // Invokes `member` as `kind` with positional `arguments`; the result, or the error thrown.
  ComValue invoke(const char* member, wire::InvokeKind kind, std::vector<ComValue> arguments = {}) {
    auto request = object_->invokeRequest();
    request.setMember(member);
    request.setKind(kind);
    auto list = request.initArguments(uint32_t(arguments.size()));
    auto noObjects = [](const std::shared_ptr<ComReference>&) -> wire::ComObject::Client {
      throw Error(Error::Kind::unsupported, "no objects in these tests' arguments");
    };
    for (uint32_t i = 0; i < list.size(); ++i) toWire(arguments[i], list[i], noObjects);
    auto response = request.send().wait(connection_->io.waitScope);
    throwIfError(response);
    return fromWire(response.getResult(), [](wire::ComObject::Client) {
      return std::shared_ptr<ComReference>();  // not called: the dictionary holds no objects
    });
  }

  // Cap'n Proto's members may throw from their destructors; a test's destructor may not.
  ~ProtocolCom() noexcept override {}

  std::unique_ptr<InMemoryConnection> connection_ = std::make_unique<InMemoryConnection>();
  wire::Session::Client session_ = connection_->handshake().session;
  std::optional<wire::ComObject::Client> object_;
};

TEST_F(ProtocolCom, ScriptingDictionaryAddsCountsKeysAndItems) {
  using Kind = wire::InvokeKind;
  invoke("Add", Kind::METHOD, {"a", 1});
  invoke("Add", Kind::METHOD, {"b", ComValue::integer(2, ComValue::vtI2)});
  EXPECT_EQ(invoke("Count", Kind::PROPERTY_GET), ComValue(2));
  EXPECT_EQ(invoke("count", Kind::METHOD), ComValue(2)) << "names are not case-sensitive";
  EXPECT_EQ(invoke("Item", Kind::PROPERTY_GET, {"b"}), ComValue::integer(2, ComValue::vtI2))
      << "a VT_I2 comes back a VT_I2";
  invoke("Item", Kind::PROPERTY_PUT, {"a", "forty-two"});
  EXPECT_EQ(invoke("Item", Kind::PROPERTY_GET, {"a"}), ComValue("forty-two"));
  EXPECT_EQ(invoke("Exists", Kind::METHOD, {"zz"}), ComValue(false));

  ComValue keys = invoke("Keys", Kind::METHOD);
  ASSERT_EQ(keys.kind(), ComValue::Kind::array);
  EXPECT_EQ(keys.type(), 0x2000 | ComValue::vtVariant);
  EXPECT_EQ(keys.asArray().lowerBounds, std::vector<int32_t>{0});
  EXPECT_EQ(keys.asArray().elements, (std::vector<ComValue>{"a", "b"}));
  EXPECT_EQ(keys.toString(), "{\"a\", \"b\"}");

  auto enumerated = object_->enumerateRequest().send().wait(connection_->io.waitScope);
  ASSERT_FALSE(enumerated.hasError()) << text(enumerated.getError().getMessage());
  ASSERT_EQ(enumerated.getItems().size(), 2u);
  EXPECT_EQ(text(enumerated.getItems()[1].getText()), "b");
}

TEST_F(ProtocolCom, WhatTheObjectRaisesArrivesWithItsCode) {
  invoke("Add", wire::InvokeKind::METHOD, {"a", 1});
  try {
    invoke("Add", wire::InvokeKind::METHOD, {"a", 2});
    FAIL() << "adding a key twice was not refused";
  } catch (const Error& error) {
    ASSERT_NE(error.com(), nullptr) << error.what();
    EXPECT_EQ(uint32_t(error.com()->hresult), 0x80020009u) << "DISP_E_EXCEPTION";
    EXPECT_EQ(uint32_t(error.com()->code), 0x800A01C9u) << "the key is already there";
    EXPECT_NE(error.message().find("Scripting.Dictionary.Add"), std::string::npos)
        << error.message();
    EXPECT_NE(error.message().find("0x800A01C9"), std::string::npos) << error.message();
  }
  try {
    invoke("NoSuchMember", wire::InvokeKind::METHOD);
    FAIL() << "an unknown member was not refused";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Error::Kind::notFound) << error.what();
    EXPECT_NE(error.message().find("'NoSuchMember'"), std::string::npos) << error.message();
  }
  EXPECT_EQ(invoke("Count", wire::InvokeKind::PROPERTY_GET), ComValue(1)) << "it carries on";
}
#endif

}  // namespace
}  // namespace bridge32
