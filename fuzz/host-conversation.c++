#include "host-conversation.h"

#include "bridge32/limits.h"
#include "core/handshake.h"
#include "wire.h"

namespace bridge32::fuzz {

namespace {

constexpr uint32_t kChannels = 2, kFrames = 16;

}  // namespace

HostConversation::HostConversation(kj::AsyncIoStream& stream, std::string modulePath)
    : modulePath_(std::move(modulePath)),
      network_(stream, capnp::rpc::twoparty::Side::CLIENT, readerOptions()),
      rpc_(capnp::makeRpcClient(network_)),
      target_(std::make_shared<CallbackTarget>(callbacks_)),
      meterTarget_(std::make_shared<CallbackTarget>(callbacks_)) {}

kj::Promise<Outcome> HostConversation::run() {
  capnp::MallocMessageBuilder vatId;
  vatId.initRoot<capnp::rpc::twoparty::VatId>().setSide(capnp::rpc::twoparty::Side::SERVER);
  auto surrogate = rpc_.bootstrap(vatId.getRoot<capnp::rpc::twoparty::VatId>())
                       .castAs<wire::Surrogate>();

  kj::Vector<kj::Promise<void>> answers;
  // Each answer goes through `check`, the host's own reading of it; whatever fails is refused.
  auto expect = [&](auto&& promise, auto check) {
    answers.add(kj::mv(promise)
                    .then([this, check](auto&& response) {
                      check(response);
                      ++outcome_.answered;
                    })
                    .catch_([this](kj::Exception&&) { ++outcome_.refused; }));
  };
  auto checked = [](auto& response) { throwIfError(response); };

  auto handshake = surrogate.handshakeRequest();
  handshake.setProtocolVersion(wire::PROTOCOL_VERSION);
  handshake.setLog(makeHostLogSink(0));
  auto shook = handshake.send();
  auto session = shook.getSession();
  expect(kj::mv(shook), [](auto& response) { checkHandshake(response, Architecture::x64); });

  auto load = session.loadRequest();
  load.setKind(wire::ModuleKind::SDK);
  load.setPath(modulePath_);
  auto loaded = load.send();
  auto module = loaded.getModule().getSdk().getModule();
  expect(kj::mv(loaded), [](auto& response) {
    throwIfError(response);
    for (auto plugin : response.getModule().getSdk().getPlugins()) fromWire(plugin);
  });

  auto create = module.createInstanceRequest();
  create.setPluginId("com.bridge32.samples.gain");
  create.setHost(makeHostCallbacksServer(target_));
  auto created = create.send();
  auto instance = created.getInstance();
  expect(kj::mv(created), [this](auto& response) {
    throwIfError(response);
    target_->setParams(fromWire(response.getParams()));
  });

  auto getParam = instance.getParamRequest();
  getParam.setId(1);
  expect(getParam.send(), checked);
  auto setParam = instance.setParamRequest();
  setParam.setId(1);
  setParam.setValue(0.5);
  expect(setParam.send(), checked);
  expect(instance.saveStateRequest().send(), [](auto& response) {
    throwIfError(response);
    auto state = response.getState();
    std::vector<uint8_t>(state.begin(), state.end());
  });
  auto activate = instance.activateRequest();
  activate.setSampleRate(48000);
  activate.setMaxFrames(kFrames);
  expect(activate.send(), checked);
  auto process = instance.processRequest();
  process.setChannels(kChannels);
  process.setFrames(kFrames);
  process.initInput(kChannels * kFrames);
  expect(process.send(), [](auto& response) {
    throwIfError(response);
    if (response.getOutput().size() != kChannels * kFrames) {
      throw Error(Error::Kind::failed, "the surrogate returned a block of another size");
    }
  });
  expect(instance.deactivateRequest().send(), checked);
  auto openEditor = instance.openEditorRequest();
  openEditor.setApi(wire::WindowApi::WIN32_HWND);
  openEditor.setParent(0x1234);
  expect(openEditor.send(), [](auto& response) {
    throwIfError(response);
    EditorSize size{response.getWidth(), response.getHeight()};
    if (!size.isValid()) throw Error(Error::Kind::failed, "an editor of " + size.toString());
  });
  expect(instance.destroyRequest().send(), checked);

  // The Meter talks back while it works (a log line when activated, its peak while processing):
  // what the host's callbacks take from a surrogate.
  auto createMeter = module.createInstanceRequest();
  createMeter.setPluginId("com.bridge32.samples.meter");
  createMeter.setHost(makeHostCallbacksServer(meterTarget_));
  auto createdMeter = createMeter.send();
  auto meter = createdMeter.getInstance();
  expect(kj::mv(createdMeter), [this](auto& response) {
    throwIfError(response);
    meterTarget_->setParams(fromWire(response.getParams()));
  });
  auto activateMeter = meter.activateRequest();
  activateMeter.setSampleRate(48000);
  activateMeter.setMaxFrames(kFrames);
  expect(activateMeter.send(), checked);
  auto processMeter = meter.processRequest();
  processMeter.setChannels(kChannels);
  processMeter.setFrames(kFrames);
  auto samples = processMeter.initInput(kChannels * kFrames);
  for (uint32_t i = 0; i < samples.size(); ++i) samples.set(i, 0.5f);
  expect(processMeter.send(), checked);
  expect(meter.destroyRequest().send(), checked);
  expect(session.pingRequest().send(), [](auto&) {});

  return kj::joinPromises(answers.releaseAsArray()).then([this] { return outcome_; });
}

}  // namespace bridge32::fuzz
