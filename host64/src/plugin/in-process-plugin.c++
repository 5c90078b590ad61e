#include "plugin/in-process-plugin.h"

#include "bridge32/ext/gui.h"
#include "plugin/audio-buffers.h"
#include "plugin/local-plugin.h"
#include "ui/editor.h"

namespace bridge32 {

namespace {

class InProcessInstance final : public LoadedPlugin, private EditorPeer {
 public:
  InProcessInstance(LocalModule& module, std::string_view pluginId, PluginHost& callbacks)
      : instance_(module.createInstance(pluginId, callbacks, &editor_)),
        editor_(*this, callbacks, instance_->descriptor().name) {}

  const PluginDescriptor& descriptor() const override { return instance_->descriptor(); }
  bool hasParams() const override { return instance_->hasParams(); }
  bool hasState() const override { return instance_->hasState(); }
  bool hasProcess() const override { return instance_->hasProcess(); }
  const std::vector<ParamInfo>& params() const override { return instance_->params(); }
  double param(uint32_t id) override { return instance_->param(id); }
  void setParam(uint32_t id, double value) override { instance_->setParam(id, value); }
  std::string paramDisplay(uint32_t id) override { return instance_->paramDisplay(id); }
  std::vector<uint8_t> saveState() override { return instance_->saveState(); }
  void loadState(std::span<const uint8_t> state) override { instance_->loadState(state); }
  void activate(double sampleRate, uint32_t maxFrames) override {
    instance_->activate(sampleRate, maxFrames);
  }
  void deactivate() override { instance_->deactivate(); }
  void process(uint32_t channels, uint32_t frames, std::span<const float> input,
               std::span<float> output, const BlockEvents& events) override {
    instance_->process(channels, frames, input, output, events);
  }
  AudioBuffers audioBuffers(uint32_t channels, uint32_t frames) override {
    return buffers_.get(channels, frames);
  }
  void processAudioBuffers(uint32_t channels, uint32_t frames,
                           const BlockEvents& events) override {
    // A block larger than the buffers is refused by process() by the sizes it checks.
    instance_->process(channels, frames, buffers_.input(channels, frames),
                       buffers_.output(channels, frames), events);
  }
  std::vector<std::string> programNames() override { return instance_->programNames(); }
  uint32_t program() override { return instance_->program(); }
  void setProgram(uint32_t index) override { instance_->setProgram(index); }
  uint32_t latency() override { return instance_->latency(); }

  bool hasGui() const override { return instance_->hasGui(); }
  LoadedEditor& openEditor(NativeWindow parent) override { return editor_.open(parent); }
  LoadedEditor* editor() override { return editor_.get(); }
  void closeEditor() override { editor_.close(); }
  // It runs in this process: it stops only with it.
  bool isRunning() const override { return true; }
  bool restart() override { return false; }

 private:
  bool hasEditor() const override { return hasGui(); }

  EditorInfo createEditor(NativeWindow parent) override {
    return instance_->openEditor(kNativeWindowApi, parent);
  }
  void destroyEditor() override { instance_->closeEditor(); }
  EditorSize resizeEditor(EditorSize size) override { return instance_->setEditorSize(size); }
  void setEditorVisible(bool visible) override { instance_->showEditor(visible); }

  std::unique_ptr<LocalInstance> instance_;
  OwnAudioBuffers buffers_;
  EditorSlot editor_;  // after instance_: closed before the plugin is destroyed
};

class InProcessModule final : public LoadedPluginModule {
 public:
  InProcessModule(const std::filesystem::path& path, PluginFormat format)
      : module_(loadLocalModule(path, format)) {}

  const std::filesystem::path& path() const override { return module_->path(); }
  Architecture architecture() const override { return thisArchitecture(); }
  bool isBridged() const override { return false; }
  uint32_t surrogatePid() const override { return 0; }
  PluginFormat format() const override { return module_->format(); }
  SdkVersion sdkVersion() const override { return module_->sdkVersion(); }
  const std::vector<PluginDescriptor>& plugins() const override { return module_->plugins(); }

  std::unique_ptr<LoadedPlugin> createInstance(std::string_view pluginId,
                                                 PluginHost& callbacks) override {
    return std::make_unique<InProcessInstance>(*module_, pluginId, callbacks);
  }

 private:
  std::shared_ptr<LocalModule> module_;
};

}  // namespace

std::unique_ptr<LoadedPluginModule> loadInProcessModule(const std::filesystem::path& path,
                                                  PluginFormat format) {
  return std::make_unique<InProcessModule>(path, format);
}

}  // namespace bridge32
