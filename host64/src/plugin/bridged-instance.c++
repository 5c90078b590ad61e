// LoadedPlugin for an instance served by a surrogate process: its calls over the module's link
// or its lanes, its editor, and what it is given again when its surrogate restarts.
#include "plugin/bridged-instance.h"

#include <algorithm>
#include <span>

#include "bridge32/ext/gui.h"
#include "bridge32/limits.h"
#include "core/remote-life.h"
#include "logging.h"
#include "plugin/audio-buffers.h"
#include "plugin/local-plugin.h"
#include "ui/editor.h"
#include "window-handle.h"
#include "wire.h"

namespace bridge32 {

namespace {

// An editor size the surrogate answered, checked like anything else from the other process.
EditorSize editorSizeFromWire(uint32_t width, uint32_t height) {
  EditorSize size{width, height};
  if (!size.isValid()) {
    throw Error(Error::Kind::failed, "the surrogate answered an editor size of " +
                                         size.toString() + ", outside " + EditorSize::validRange());
  }
  return size;
}

constexpr auto kCheck = [](auto& response) { throwIfError(response); };

using InstanceLife = RemoteLife<wire::Instance::Client>;
using InstanceBinding = InstanceLife::Life;

// How CallRules names a plugin in errors.
std::string pluginName(const PluginDescriptor& descriptor) {
  return "plugin '" + descriptor.name + "'";
}

}  // namespace

RemoteInstance createRemoteInstance(const ModuleLink& link, const ModuleLink::Loaded& loaded,
                                    const PluginDescriptor& descriptor,
                                    const std::shared_ptr<CallbackTarget>& target) {
  return link.rules()(
      *loaded.client, pluginName(descriptor),
      [&](wire::Session::Client&) {
        auto request = loaded.as<wire::Module>().createInstanceRequest();
        request.setPluginId(descriptor.id);
        request.setHost(makeHostCallbacksServer(target));
        return request.send();
      },
      [&](auto& response) {
        throwIfError(response);
        RemoteInstance remote;
        remote.instance = std::make_unique<wire::Instance::Client>(response.getInstance());
        auto extensions = response.getExtensions();
        remote.traits.hasParams = extensions.getParams();
        remote.traits.hasState = extensions.getState();
        remote.traits.hasProcess = extensions.getProcess();
        remote.traits.hasGui = extensions.getGui();
        remote.traits.params = fromWire(response.getParams());
        target->setParams(remote.traits.params);
        return remote;
      });
}

namespace {

// The requests an instance sends, for its own calls and for restoring a restarted one.
auto setParamRequest(uint32_t id, double value) {
  return [id, value](wire::Instance::Client& instance) {
    auto request = instance.setParamRequest();
    request.setId(id);
    request.setValue(value);
    return request.send();
  };
}

auto setProgramRequest(uint32_t index) {
  return [index](wire::Instance::Client& instance) {
    auto request = instance.setProgramRequest();
    request.setIndex(index);
    return request.send();
  };
}

auto loadStateRequest(std::span<const uint8_t> state) {
  return [state](wire::Instance::Client& instance) {
    auto request = instance.loadStateRequest();
    request.setState(kj::arrayPtr(state.data(), state.size()));
    return request.send();
  };
}

auto activateRequest(double sampleRate, uint32_t maxFrames) {
  return [sampleRate, maxFrames](wire::Instance::Client& instance) {
    auto request = instance.activateRequest();
    request.setSampleRate(sampleRate);
    request.setMaxFrames(maxFrames);
    return request.send();
  };
}

class BridgedInstance final : public LoadedPlugin, private EditorPeer, private InstanceLife::Kind {
  // The current life.
  std::shared_ptr<InstanceBinding> binding() const { return life_->current(); }

  // Runs a call on the instance in `binding`'s surrogate; see CallRules.
  template <typename Start, typename Finish>
  auto call(InstanceBinding& binding, Start&& start, Finish&& finish) {
    return link_->rules()(
        *binding.client, name_,
        [&](wire::Session::Client&) { return start(binding.capability.get()); }, finish);
  }

  // Runs a call through `lane` if it can be had now; see CallRules::onLane.
  template <typename Fill, typename Read>
  bool onLane(CallLane* lane, Fill&& fill, Read&& read) {
    return link_->rules().onLane(lane, name_, fill, read);
  }

  // Runs a call on the current instance.
  template <typename Start, typename Finish>
  auto call(Start&& start, Finish&& finish) {
    auto current = binding();
    return call(*current, start, finish);
  }

 public:
  BridgedInstance(std::shared_ptr<ModuleLink> link, PluginDescriptor descriptor,
                  PluginHost& callbacks, const ModuleLink::Loaded& loaded, RemoteInstance remote,
                  std::shared_ptr<CallbackTarget> target)
      : link_(std::move(link)),
        descriptor_(std::move(descriptor)),
        name_(pluginName(descriptor_)),
        target_(std::move(target)),
        traits_(std::move(remote.traits)),
        callbacks_(callbacks),
        editor_(*this, callbacks, descriptor_.name),
        life_(InstanceLife::start(link_, *this, name_, Comeback::onRestart, loaded.client,
                                  std::move(remote.instance))) {
    target_->attachEditor(&editor_);
    mainLane_ = makeLane(kMainLaneBytes, "bridge32 main lane");
    if (mainLane_) openLane(*mainLane_, *binding(), wire::LaneRole::MAIN);
  }

  ~BridgedInstance() override {
    life_->close();
    target_->attachEditor(nullptr);
    editor_.close();
    auto last = binding();
    try {
      if (!last->client->isLost()) {
        call(*last, [](auto& instance) { return instance.destroyRequest().send(); }, kCheck);
      }
    } catch (const std::exception&) {
      // The surrogate is gone or the plugin failed in destroy(): nothing left to release.
    }
    target_->detach();
  }

  const PluginDescriptor& descriptor() const override { return descriptor_; }
  bool hasParams() const override { return traits_.hasParams; }
  bool hasState() const override { return traits_.hasState; }
  bool hasProcess() const override { return traits_.hasProcess; }
  const std::vector<ParamInfo>& params() const override { return traits_.params; }

  double param(uint32_t id) override {
    double value = 0;
    if (onLane(
            mainLane_.get(),
            [id](CallLane& lane) {
              lane.layout().op = uint32_t(lane::Op::getParam);
              lane.layout().id = id;
            },
            [&value](CallLane&, const LaneAnswer& answer) { value = answer.value; })) {
      return value;
    }
    return call(
        [id](auto& instance) {
          auto request = instance.getParamRequest();
          request.setId(id);
          return request.send();
        },
        [](auto& response) {
          throwIfError(response);
          return response.getValue();
        });
  }

  void setParam(uint32_t id, double value) override {
    auto fill = [id, value](CallLane& lane) {
      lane.layout().op = uint32_t(lane::Op::setParam);
      lane.layout().id = id;
      lane.layout().value = value;
    };
    if (!onLane(mainLane_.get(), fill, [](CallLane&, const LaneAnswer&) {})) {
      call(setParamRequest(id, value), kCheck);
    }
    target_->memory.paramSet(id, value);
  }

  std::vector<uint8_t> saveState() override {
    auto state = call([](auto& instance) { return instance.saveStateRequest().send(); },
                      [](auto& response) {
                        throwIfError(response);
                        auto state = response.getState();
                        return std::vector<uint8_t>(state.begin(), state.end());
                      });
    target_->memory.stateSaved(state);
    return state;
  }

  void loadState(std::span<const uint8_t> state) override {
    call(loadStateRequest(state), kCheck);
    target_->memory.stateLoaded(state);
  }

  void activate(double sampleRate, uint32_t maxFrames) override {
    call(activateRequest(sampleRate, maxFrames), kCheck);
    target_->memory.activated(sampleRate, maxFrames);
    // Room for the largest block the instance may now be given: mapped, not yet memory until used.
    uint64_t bytes = lane::processBytes(limits::kMaxChannels, maxFrames);
    if (!audioLane_ || audioLane_->dataBytes() < bytes) {
      audioLane_.reset();
      audioLane_ = makeLane(bytes, "bridge32 audio lane");
      if (audioLane_) openLane(*audioLane_, *binding(), wire::LaneRole::AUDIO);
    }
  }

  void deactivate() override {
    call([](auto& instance) { return instance.deactivateRequest().send(); }, kCheck);
    target_->memory.deactivated();
  }

  void process(uint32_t channels, uint32_t frames, std::span<const float> input,
               std::span<float> output, const BlockEvents& events) override {
    checkAudioBlock(channels, frames, input.size(), output.size());
    checkBlockEvents(events);
    if (fitsAudioLane(channels, frames)) {
      auto fill = [&](CallLane& lane) {
        std::copy(input.begin(), input.end(),
                  lane::processBlock(lane.data(), channels, frames).input.begin());
        requestProcess(lane, channels, frames, events);
      };
      auto read = [&](CallLane& lane, const LaneAnswer& answer) {
        auto block = lane::processBlock(lane.data(), channels, frames).output;
        std::copy(block.begin(), block.end(), output.begin());
        noteAllocations(answer);
      };
      if (onLane(audioLane_.get(), fill, read)) return;
    }
    processOverPipe(channels, frames, input, output, events);
  }

  AudioBuffers audioBuffers(uint32_t channels, uint32_t frames) override {
    size_t samples = size_t(channels) * frames;
    checkAudioBlock(channels, frames, samples, samples);
    if (!fitsAudioLane(channels, frames)) return ownBuffers_.get(channels, frames);
    auto block = lane::processBlock(audioLane_->data(), channels, frames);
    return {block.input, block.output};
  }

  void processAudioBuffers(uint32_t channels, uint32_t frames,
                           const BlockEvents& events) override {
    size_t samples = size_t(channels) * frames;
    checkAudioBlock(channels, frames, samples, samples);
    checkBlockEvents(events);
    if (!fitsAudioLane(channels, frames)) {
      processOverPipe(channels, frames, ownBuffers_.input(channels, frames),
                      ownBuffers_.output(channels, frames), events);
      return;
    }
    auto fill = [&](CallLane& lane) { requestProcess(lane, channels, frames, events); };
    auto read = [&](CallLane&, const LaneAnswer& answer) { noteAllocations(answer); };
    if (onLane(audioLane_.get(), fill, read)) return;
    // The lane is another thread's: the same buffers, over the pipe.
    auto block = lane::processBlock(audioLane_->data(), channels, frames);
    processOverPipe(channels, frames, block.input, block.output, events);
  }

  std::vector<std::string> programNames() override {
    return call([](auto& instance) { return instance.getProgramsRequest().send(); },
                [](auto& response) {
                  throwIfError(response);
                  std::vector<std::string> names;
                  for (auto name : response.getNames()) names.push_back(validUtf8(text(name)));
                  return names;
                });
  }

  uint32_t program() override {
    return call([](auto& instance) { return instance.getProgramRequest().send(); },
                [](auto& response) {
                  throwIfError(response);
                  return response.getIndex();
                });
  }

  void setProgram(uint32_t index) override {
    call(setProgramRequest(index), kCheck);
    target_->memory.programChosen(index);
  }

  std::string paramDisplay(uint32_t id) override {
    return call(
        [id](auto& instance) {
          auto request = instance.getParamDisplayRequest();
          request.setId(id);
          return request.send();
        },
        [](auto& response) {
          throwIfError(response);
          return validUtf8(text(response.getText()));
        });
  }

  uint32_t latency() override {
    return call([](auto& instance) { return instance.getLatencyRequest().send(); },
                [](auto& response) {
                  throwIfError(response);
                  return response.getFrames();
                });
  }

  bool hasGui() const override { return traits_.hasGui; }
  LoadedEditor& openEditor(NativeWindow parent) override { return editor_.open(parent); }
  LoadedEditor* editor() override { return editor_.get(); }
  void closeEditor() override { editor_.close(); }

  bool isRunning() const override { return life_->isRunning(); }
  bool restart() override { return life_->bringBack(true); }

 private:
  // The life's hooks (RemoteLife::Kind).
  std::unique_ptr<wire::Instance::Client> make(const ModuleLink::Loaded& loaded) override {
    return createRemoteInstance(*link_, loaded, descriptor_, target_).instance;
  }

  // Gives a new instance what the host knows of the old one, and the lanes.
  void restore(InstanceBinding& fresh) override {
    restoreMemory(fresh);
    if (mainLane_) openLane(*mainLane_, fresh, wire::LaneRole::MAIN);
    if (audioLane_) openLane(*audioLane_, fresh, wire::LaneRole::AUDIO);
    editor_.pluginRestarting();
  }

  void stopped(const std::string& why) override {
    editor_.pluginStopped(why);
    callbacks_.pluginStopped(why);  // may destroy the instance
  }

  void restarted() override {
    editor_.pluginRestarted();
    callbacks_.pluginRestarted();
  }

  void restartFailed(std::string_view why, bool willRetry) override {
    callbacks_.pluginRestartFailed(why, willRetry);
  }

  static constexpr uint64_t kMainLaneBytes = 64;  // parameters need no data

  // A new lane, or none when the system cannot give one: its calls then take the pipe.
  std::unique_ptr<CallLane> makeLane(uint64_t dataBytes, const char* name) {
    try {
      return std::make_unique<CallLane>(dataBytes, name);
    } catch (const Error& error) {
      logging::warn("plugin '{}': no {}, its calls take the pipe: {}", descriptor_.name, name,
                    error.what());
      return nullptr;
    }
  }

  // Opens `lane` in `binding`'s surrogate. When it cannot (the surrogate refuses it, or is gone),
  // the lane stays detached and its calls take the pipe, which reports a gone surrogate itself.
  void openLane(CallLane& lane, InstanceBinding& binding, wire::LaneRole role) {
    lane.reserve();
    try {
      auto handle = call(
          binding,
          [&](auto& instance) {
            auto request = instance.openLaneRequest();
            request.setRole(role);
            lane.describe(request.initChannel(), *binding.client);
            return request.send();
          },
          [](auto& response) {
            throwIfError(response);
            return std::make_unique<wire::Lane::Client>(response.getLane());
          });
      lane.attach(binding.client, std::move(handle));
    } catch (const Error& error) {
      lane.attach(nullptr, nullptr);
      logging::debug("plugin '{}': a lane could not be opened, its calls take the pipe: {}",
                     descriptor_.name, error.what());
    }
  }

  bool fitsAudioLane(uint32_t channels, uint32_t frames) const {
    return audioLane_ && lane::processBytes(channels, frames) <= audioLane_->dataBytes();
  }

  // [audio-thread] Says once if the surrogate's audio path allocated: it must not (a real-time
  // thread waits on it), so that is a bug to report, not a plugin's business.
  void noteAllocations(const LaneAnswer& answer) {
    if (answer.surrogateAllocations == 0 || warnedAllocations_) return;
    warnedAllocations_ = true;
    logging::warn("plugin '{}': {} allocations in the surrogate's audio thread during process()",
                  descriptor_.name, answer.surrogateAllocations);
  }

  // [audio-thread] A process request in `lane`, whose data holds the block's input already.
  static void requestProcess(CallLane& lane, uint32_t channels, uint32_t frames,
                             const BlockEvents& events) {
    lane::Layout& layout = lane.layout();
    layout.op = uint32_t(lane::Op::process);
    layout.channels = channels;
    layout.frames = frames;
    // Checked by the caller: at most a lane's room of events.
    lane::writeBlockEvents(layout, lane::processBlock(lane.data(), channels, frames), events);
  }

  void processOverPipe(uint32_t channels, uint32_t frames, std::span<const float> input,
                       std::span<float> output, const BlockEvents& events) {
    size_t samples = size_t(channels) * frames;
    call(
        [&](auto& instance) {
          auto request = instance.processRequest();
          request.setChannels(channels);
          request.setFrames(frames);
          auto list = request.initInput(uint32_t(samples));
          for (size_t i = 0; i < samples; ++i) list.set(uint32_t(i), input[i]);
          auto midi = request.initMidi(uint32_t(events.midi.size()));
          for (uint32_t i = 0; i < midi.size(); ++i) toWire(events.midi[i], midi[i]);
          if (events.transport) toWire(*events.transport, request.initTransport());
          return request.send();
        },
        [&](auto& response) {
          throwIfError(response);
          auto list = response.getOutput();
          if (list.size() != samples) {
            throw Error(Error::Kind::failed, "the surrogate returned " +
                                                 std::to_string(list.size()) + " samples for " +
                                                 std::to_string(samples));
          }
          for (size_t i = 0; i < samples; ++i) output[i] = list[uint32_t(i)];
        });
  }

  // Gives a new instance what the host knows of the old one's state. A surrogate that stops
  // meanwhile fails the restart; the plugin refusing a value only costs that value.
  void restoreMemory(InstanceBinding& fresh) {
    auto memory = target_->memory.snapshot();
    auto attempt = [&](const std::string& what, auto&& send) {
      try {
        call(fresh, send, kCheck);
      } catch (const Error& error) {
        if (endsTheSurrogate(error)) throw;
        logging::warn("restarting plugin '{}': {} failed: {}", descriptor_.name, what,
                     error.what());
      }
    };
    if (memory.state) attempt("loading its last state", loadStateRequest(*memory.state));
    if (memory.program) {
      attempt("choosing program " + std::to_string(*memory.program),
              setProgramRequest(*memory.program));
    }
    for (const ParamInfo& param : traits_.params) {
      auto value = memory.params.find(param.id);
      if (value == memory.params.end() || param.isReadOnly()) continue;
      attempt("setting parameter " + std::to_string(param.id),
              setParamRequest(param.id, value->second));
    }
    if (memory.activation) {
      attempt("activating it",
              activateRequest(memory.activation->sampleRate, memory.activation->maxFrames));
    }
  }

  bool hasEditor() const override { return hasGui(); }

  EditorInfo createEditor(NativeWindow parent) override {
    uint32_t handle = windowHandleToWire(reinterpret_cast<uintptr_t>(parent));
    return call(
        [handle](auto& instance) {
          auto request = instance.openEditorRequest();
          request.setApi(windowApiToWire(kNativeWindowApi));
          request.setParent(handle);
          return request.send();
        },
        [](auto& response) {
          throwIfError(response);
          return EditorInfo{editorSizeFromWire(response.getWidth(), response.getHeight()),
                            response.getCanResize()};
        });
  }

  void destroyEditor() override {
    call([](auto& instance) { return instance.closeEditorRequest().send(); }, kCheck);
  }

  EditorSize resizeEditor(EditorSize size) override {
    return call(
        [size](auto& instance) {
          auto request = instance.setEditorSizeRequest();
          request.setWidth(size.width);
          request.setHeight(size.height);
          return request.send();
        },
        [](auto& response) {
          throwIfError(response);
          return editorSizeFromWire(response.getWidth(), response.getHeight());
        });
  }

  void setEditorVisible(bool visible) override {
    call(
        [visible](auto& instance) {
          auto request = instance.showEditorRequest();
          request.setVisible(visible);
          return request.send();
        },
        kCheck);
  }

  std::shared_ptr<ModuleLink> link_;
  PluginDescriptor descriptor_;
  const std::string name_;  // "plugin 'name'", for errors
  std::shared_ptr<CallbackTarget> target_;
  const InstanceTraits traits_;  // the same in every life
  PluginHost& callbacks_;  // the application's: outlives the instance
  EditorSlot editor_;
  // The instance's lanes, for its whole life: opened again in each surrogate it lives in.
  std::unique_ptr<CallLane> mainLane_, audioLane_;
  OwnAudioBuffers ownBuffers_;  // audioBuffers() with no lane to offer
  bool warnedAllocations_ = false;  // [audio-thread]
  // The current life, replaced by a restart; closed first thing in the destructor.
  std::shared_ptr<InstanceLife> life_;
};

}  // namespace

std::unique_ptr<LoadedPlugin> makeBridgedInstance(std::shared_ptr<ModuleLink> link,
                                                  PluginDescriptor descriptor,
                                                  PluginHost& callbacks,
                                                  const ModuleLink::Loaded& loaded,
                                                  RemoteInstance remote,
                                                  std::shared_ptr<CallbackTarget> target) {
  return std::make_unique<BridgedInstance>(std::move(link), std::move(descriptor), callbacks,
                                           loaded, std::move(remote), std::move(target));
}

}  // namespace bridge32
