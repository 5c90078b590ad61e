#include "plugin/plugin-kind.h"

#include <spdlog/spdlog.h>

#include <memory>
#include <optional>
#include <vector>

#include "bridge32/error.h"
#include "bridge32/ext/gui.h"
#include "bridge32/limits.h"
#include "core/answer.h"
#include "core/lane-server.h"
#include "core/module-timers.h"
#include "plugin/local-plugin.h"
#include "window-handle.h"

namespace bridge32 {

namespace {

// PluginHost and EditorHost for one instance: into the outbox, from any thread, at once; and
// timers on the module thread.
class OutboxCallbacks final : public PluginHost, public EditorHost {
 public:
  OutboxCallbacks(HostOutbox& outbox, HostOutbox::Target target, kj::Timer* timer)
      : outbox_(outbox), target_(target), timers_(timer) {}

  void log(LogLevel level, std::string_view message) override {
    outbox_.log(target_, level, message);
  }
  void paramChanged(uint32_t paramId, double value) override {
    outbox_.paramChanged(target_, paramId, value);
  }
  bool requestResize(EditorSize size) override {
    outbox_.editorResize(target_, size);
    return true;
  }
  uint32_t startTimer(std::chrono::milliseconds period,
                      std::function<void(uint32_t id)> tick) override {
    return timers_.start(period, std::move(tick));
  }
  void stopTimer(uint32_t id) override { timers_.stop(id); }

 private:
  HostOutbox& outbox_;
  HostOutbox::Target target_;
  ModuleTimers timers_;
};

// An instance and where its callbacks go; lives on the module thread.
struct InstanceState {
  OutboxCallbacks callbacks;
  std::unique_ptr<LocalInstance> instance;  // null once destroyed
  // Declared after the instance: its lanes stop serving before it goes.
  std::shared_ptr<LaneRegistry> lanes = std::make_shared<LaneRegistry>();

  InstanceState(ModuleThread& thread, HostOutbox& outbox, HostOutbox::Target target,
                LocalModule& module, std::string_view pluginId)
      : callbacks(outbox, target, thread.timer()),
        instance(module.createInstance(pluginId, callbacks, &callbacks)) {}

  LocalInstance& live() {
    if (!instance) throw Error(Error::Kind::badState, "the plugin instance was destroyed");
    return *instance;
  }

  void destroy() {
    live();
    lanes->closeAll();
    instance.reset();
  }

  // A main lane's calls, on the module thread: the [main-thread] ones the host makes most.
  void serveMain(lane::Layout& layout) {
    switch (lane::Op(layout.op)) {
      case lane::Op::getParam: layout.answerValue = live().param(layout.id); return;
      case lane::Op::setParam: live().setParam(layout.id, layout.value); return;
      default: throw refusedOp(layout.op, "main");
    }
  }

  // An audio lane's calls, on its own thread: process(), in place in the lane's data area. Nothing
  // here allocates unless the plugin fails.
  void serveAudio(lane::Layout& layout, std::span<std::byte> data) {
    if (lane::Op(layout.op) != lane::Op::process) throw refusedOp(layout.op, "audio");
    uint32_t channels = layout.channels, frames = layout.frames;
    size_t samples = size_t(channels) * frames;
    checkAudioBlock(channels, frames, samples, samples);
    if (lane::processBytes(channels, frames) > data.size()) {
      throw Error(Error::Kind::invalidArgument,
                  "a block of " + std::to_string(channels) + " x " + std::to_string(frames) +
                      " frames does not fit the lane's " + std::to_string(data.size()) + " bytes");
    }
    auto block = lane::processBlock(data, channels, frames);
    Transport transport;
    BlockEvents events = lane::readBlockEvents(layout, block, midi, transport);
    live().process(channels, frames, block.input, block.output, events);
  }

  // An audio lane's events, sized once: serveAudio allocates nothing.
  std::vector<MidiEvent> midi = std::vector<MidiEvent>(limits::kMaxMidiEventsPerBlock);

  static Error refusedOp(uint32_t op, const char* role) {
    return Error(Error::Kind::invalidArgument, "an instance's " + std::string(role) +
                                                   " lane does not serve operation " +
                                                   std::to_string(op));
  }
};

class InstanceServer final : public wire::Instance::Server {
 public:
  InstanceServer(ModuleThread& thread, HostOutbox& outbox, HostOutbox::Target target,
                 ModuleOwned<InstanceState> state)
      : thread_(thread), outbox_(outbox), target_(target), state_(kj::mv(state)) {}
  ~InstanceServer() noexcept(false) { outbox_.removeTarget(target_); }

 protected:
  kj::Promise<void> getParam(GetParamContext context) override {
    uint32_t id = context.getParams().getId();
    return onPlugin(
        context, [this, id] { return live().param(id); },
        [](auto& results, double value) { results.setValue(value); });
  }

  kj::Promise<void> setParam(SetParamContext context) override {
    auto params = context.getParams();
    uint32_t id = params.getId();
    double value = params.getValue();
    return onPlugin(context, [this, id, value] { live().setParam(id, value); }, kNoResults);
  }

  kj::Promise<void> saveState(SaveStateContext context) override {
    return onPlugin(
        context, [this] { return live().saveState(); },
        [](auto& results, std::vector<uint8_t>& state) {
          results.setState(kj::arrayPtr(state.data(), state.size()));
        });
  }

  kj::Promise<void> loadState(LoadStateContext context) override {
    auto bytes = context.getParams().getState();
    std::vector<uint8_t> state(bytes.begin(), bytes.end());
    return onPlugin(
        context, [this, state = std::move(state)] { live().loadState(state); }, kNoResults);
  }

  kj::Promise<void> activate(ActivateContext context) override {
    auto params = context.getParams();
    double sampleRate = params.getSampleRate();
    uint32_t maxFrames = params.getMaxFrames();
    return onPlugin(
        context, [this, sampleRate, maxFrames] { live().activate(sampleRate, maxFrames); },
        kNoResults);
  }

  kj::Promise<void> deactivate(DeactivateContext context) override {
    return onPlugin(context, [this] { live().deactivate(); }, kNoResults);
  }

  kj::Promise<void> process(ProcessContext context) override {
    auto params = context.getParams();
    uint32_t channels = params.getChannels(), frames = params.getFrames();
    auto list = params.getInput();
    // Checked here too, before sizing anything by numbers the host sent.
    try {
      checkAudioBlock(channels, frames, list.size(), list.size());
    } catch (const Error& error) {
      setError(context.getResults().initError(), error);
      return kj::READY_NOW;
    }
    std::vector<float> input(list.size());
    for (uint32_t i = 0; i < list.size(); ++i) input[i] = list[i];
    std::vector<MidiEvent> midi;
    for (auto event : params.getMidi()) midi.push_back(fromWire(event));
    std::optional<Transport> transport;
    if (params.hasTransport()) transport = fromWire(params.getTransport());
    return onPlugin(
        context,
        [this, channels, frames, input = std::move(input), midi = std::move(midi), transport] {
          std::vector<float> output(input.size(), 0.0f);
          live().process(channels, frames, input, output,
                         {midi, transport ? &*transport : nullptr});
          return output;
        },
        [](auto& results, std::vector<float>& output) {
          auto list = results.initOutput(uint32_t(output.size()));
          for (uint32_t i = 0; i < list.size(); ++i) list.set(i, output[i]);
        });
  }

  kj::Promise<void> openEditor(OpenEditorContext context) override {
    auto params = context.getParams();
    uint32_t api = windowApiFromWire(params.getApi());
    if (api == 0) {
      setError(context.getResults().initError(),
               Error(Error::Kind::unsupported,
                     "the host asked for an editor in an unknown window API"));
      return kj::READY_NOW;
    }
    auto parent = reinterpret_cast<void*>(windowHandleFromWire(params.getParent()));
    return onPlugin(
        context, [this, api, parent] { return live().openEditor(api, parent); },
        [](auto& results, EditorInfo& editor) {
          results.setWidth(editor.size.width);
          results.setHeight(editor.size.height);
          results.setCanResize(editor.canResize);
        });
  }

  kj::Promise<void> closeEditor(CloseEditorContext context) override {
    return onPlugin(context, [this] { live().closeEditor(); }, kNoResults);
  }

  kj::Promise<void> setEditorSize(SetEditorSizeContext context) override {
    auto params = context.getParams();
    EditorSize size{params.getWidth(), params.getHeight()};
    return onPlugin(
        context, [this, size] { return live().setEditorSize(size); },
        [](auto& results, EditorSize& took) {
          results.setWidth(took.width);
          results.setHeight(took.height);
        });
  }

  kj::Promise<void> showEditor(ShowEditorContext context) override {
    bool visible = context.getParams().getVisible();
    return onPlugin(context, [this, visible] { live().showEditor(visible); }, kNoResults);
  }

  kj::Promise<void> getPrograms(GetProgramsContext context) override {
    struct Programs {
      std::vector<std::string> names;
      uint32_t current;
    };
    return onPlugin(
        context, [this] { return Programs{live().programNames(), live().program()}; },
        [](auto& results, Programs& programs) {
          auto names = results.initNames(uint32_t(programs.names.size()));
          for (uint32_t i = 0; i < names.size(); ++i) names.set(i, programs.names[i]);
          results.setCurrent(programs.current);
        });
  }

  kj::Promise<void> getProgram(GetProgramContext context) override {
    return onPlugin(
        context, [this] { return live().program(); },
        [](auto& results, uint32_t index) { results.setIndex(index); });
  }

  kj::Promise<void> setProgram(SetProgramContext context) override {
    uint32_t index = context.getParams().getIndex();
    return onPlugin(context, [this, index] { live().setProgram(index); }, kNoResults);
  }

  kj::Promise<void> getParamDisplay(GetParamDisplayContext context) override {
    uint32_t id = context.getParams().getId();
    return onPlugin(
        context, [this, id] { return live().paramDisplay(id); },
        [](auto& results, std::string& text) { results.setText(text); });
  }

  kj::Promise<void> getLatency(GetLatencyContext context) override {
    return onPlugin(
        context, [this] { return live().latency(); },
        [](auto& results, uint32_t frames) { results.setFrames(frames); });
  }

  kj::Promise<void> destroy(DestroyContext context) override {
    return onPlugin(context, [this] { state_.get().destroy(); }, kNoResults);
  }

  kj::Promise<void> openLane(OpenLaneContext context) override {
    auto params = context.getParams();
    auto role = params.getRole();
    return answerOpenLane(
        thread_, outbox_, context, params.getChannel(),
        [this, role](kj::Own<LaneEndpoint> endpoint) {
          InstanceState& state = state_.get();
          state.live();
          kj::Own<LaneService> service;
          if (role == wire::LaneRole::AUDIO) {
            service = LaneService::onAudioThread(
                outbox_, kj::mv(endpoint),
                [&state](lane::Layout& layout, std::span<std::byte> data) {
                  state.serveAudio(layout, data);
                });
          } else {
            service = LaneService::onModuleThread(
                thread_, outbox_, kj::mv(endpoint),
                [&state](lane::Layout& layout, std::span<std::byte>) { state.serveMain(layout); });
          }
          return std::make_pair(state.lanes, kj::mv(service));
        });
  }

 private:
  template <typename Context, typename Work, typename Fill>
  kj::Promise<void> onPlugin(Context& context, Work&& work, Fill&& fill) {
    return answer(thread_, outbox_, context, kj::fwd<Work>(work), kj::fwd<Fill>(fill));
  }
  LocalInstance& live() { return state_.get().live(); }  // [module thread]

  ModuleThread& thread_;
  HostOutbox& outbox_;
  HostOutbox::Target target_;
  ModuleOwned<InstanceState> state_;
};

// What creating an instance came to on the module thread.
struct CreatedInstance {
  ModuleOwned<InstanceState> state;
  bool hasParams, hasState, hasProcess, hasGui;
  std::vector<ParamInfo> params;
};

class ModuleServer final : public wire::Module::Server {
 public:
  ModuleServer(ModuleThread& thread, HostOutbox& outbox,
               ModuleOwned<std::shared_ptr<LocalModule>> module)
      : thread_(thread), outbox_(outbox), module_(kj::mv(module)) {}

 protected:
  kj::Promise<void> createInstance(CreateInstanceContext context) override {
    auto params = context.getParams();
    HostOutbox::Target target = outbox_.addTarget(params.getHost());
    std::string pluginId = text(params.getPluginId());
    return answer(
        thread_, outbox_, context,
        [this, target, pluginId] {
          auto state = std::make_unique<InstanceState>(thread_, outbox_, target, *module_.get(),
                                                       pluginId);
          const LocalInstance& instance = *state->instance;
          return CreatedInstance{ModuleOwned<InstanceState>(thread_, std::move(state)),
                                 instance.hasParams(), instance.hasState(), instance.hasProcess(),
                                 instance.hasGui(), instance.params()};
        },
        [this, target](auto& results, CreatedInstance& created) {
          auto extensions = results.initExtensions();
          extensions.setParams(created.hasParams);
          extensions.setState(created.hasState);
          extensions.setProcess(created.hasProcess);
          extensions.setGui(created.hasGui);
          auto params = results.initParams(uint32_t(created.params.size()));
          for (uint32_t i = 0; i < params.size(); ++i) toWire(created.params[i], params[i]);
          results.setInstance(
              kj::heap<InstanceServer>(thread_, outbox_, target, kj::mv(created.state)));
        })
        .then([this, target, context]() mutable {
          if (context.getResults().hasError()) outbox_.removeTarget(target);
        });
  }

 private:
  ModuleThread& thread_;
  HostOutbox& outbox_;
  ModuleOwned<std::shared_ptr<LocalModule>> module_;
};

// What loading a module came to on the module thread.
struct LoadedModule {
  ModuleOwned<std::shared_ptr<LocalModule>> module;
  SdkVersion sdkVersion;
  std::vector<PluginDescriptor> plugins;
};

}  // namespace

kj::Promise<void> PluginKind::load(LoadContext context, std::string path) {
  return answer(
      thread_, outbox_, context,
      [this, path] {
        spdlog::debug("loading {} plugin module '{}'", toString(format_), path);
        // The loader returns the same handle for a module loaded twice; init() must still run
        // only once, so a loaded module is shared while anyone holds it.
        std::shared_ptr<LocalModule> module = modules_[path].lock();
        if (!module) {
          module = loadLocalModule(pathFromUtf8(path), format_);
          modules_[path] = module;
        }
        return LoadedModule{
            ModuleOwned(thread_, std::make_unique<std::shared_ptr<LocalModule>>(module)),
            module->sdkVersion(), module->plugins()};
      },
      [this](auto& results, LoadedModule& loaded) {
        auto module = format_ == PluginFormat::vst2 ? results.initModule().initVst2()
                                                    : results.initModule().initSdk();
        auto version = module.initSdkVersion();
        version.setMajor(loaded.sdkVersion.major);
        version.setMinor(loaded.sdkVersion.minor);
        version.setRevision(loaded.sdkVersion.revision);
        auto plugins = module.initPlugins(uint32_t(loaded.plugins.size()));
        for (uint32_t i = 0; i < plugins.size(); ++i) toWire(loaded.plugins[i], plugins[i]);
        module.setModule(kj::heap<ModuleServer>(thread_, outbox_, kj::mv(loaded.module)));
      });
}

}  // namespace bridge32
