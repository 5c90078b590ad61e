// The SDK's C ABI seen from C++: a loaded plugin module and its instances, with every status
// code turned into a bridge32::Error and every argument checked before the plugin sees it.
//
// The SDK format's LocalModule and LocalInstance (plugin/local-plugin.h): the surrogate serves
// these over the pipe; the host uses them directly for in-process plugins. One implementation, so
// both paths refuse the same inputs with the same messages.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "bridge32/ext/events.h"
#include "bridge32/ext/gui.h"
#include "bridge32/ext/params.h"
#include "bridge32/ext/process.h"
#include "bridge32/ext/programs.h"
#include "bridge32/ext/state.h"
#include "bridge32/ext/timer.h"
#include "bridge32/sdk.h"
#include "bridge32/types.h"
#include "plugin/local-plugin.h"

namespace bridge32 {

class DynamicLibrary;

// [main-thread] throughout: a module and its instances are used from the thread that loaded it.
class SdkModule final : public LocalModule, public std::enable_shared_from_this<SdkModule> {
 public:
  // Loads the module, checks its bitness, entry point and SDK version, calls its init() and
  // reads its descriptors. Throws Error (notFound, badModule, unsupportedVersion, failed).
  explicit SdkModule(const std::filesystem::path& path);
  ~SdkModule();  // deinit() and unload
  SdkModule(const SdkModule&) = delete;
  SdkModule& operator=(const SdkModule&) = delete;

  const std::filesystem::path& path() const override { return path_; }
  PluginFormat format() const override { return PluginFormat::sdk; }
  SdkVersion sdkVersion() const override { return sdkVersion_; }
  const std::vector<PluginDescriptor>& plugins() const override { return plugins_; }
  const b32_plugin_entry& entry() const { return *entry_; }
  std::unique_ptr<LocalInstance> createInstance(std::string_view pluginId, PluginHost& host,
                                                EditorHost* editorHost) override;

 private:
  std::filesystem::path path_;
  std::unique_ptr<DynamicLibrary> library_;
  const b32_plugin_entry* entry_ = nullptr;
  bool initialized_ = false;
  SdkVersion sdkVersion_;
  std::vector<PluginDescriptor> plugins_;
};

class SdkInstance final : public LocalInstance {
 public:
  // Creates and initializes plugin `pluginId`; `host` receives its callbacks and `editorHost`
  // its editor's resize requests (none are granted without one). Both must outlive the
  // instance. Throws Error (notFound for an unknown id, failed if the plugin refuses).
  SdkInstance(std::shared_ptr<SdkModule> module, std::string_view pluginId,
                 PluginHost& host, EditorHost* editorHost = nullptr);
  ~SdkInstance();  // stop its timers, close its editor, deactivate if active, then destroy()
  SdkInstance(const SdkInstance&) = delete;
  SdkInstance& operator=(const SdkInstance&) = delete;

  const PluginDescriptor& descriptor() const override { return descriptor_; }
  bool hasParams() const override { return params_ != nullptr; }
  bool hasState() const override { return state_ != nullptr; }
  bool hasProcess() const override { return process_ != nullptr; }
  bool hasGui() const override { return gui_ != nullptr; }
  const std::vector<ParamInfo>& params() const override { return paramInfos_; }

  double param(uint32_t id) override;
  void setParam(uint32_t id, double value) override;
  // The SDK has no text for values: the number, shortest.
  std::string paramDisplay(uint32_t id) override;
  std::vector<uint8_t> saveState() override;
  void loadState(std::span<const uint8_t> state) override;
  void activate(double sampleRate, uint32_t maxFrames) override;
  void deactivate() override;
  // `input` and `output` hold channels * frames planar samples each. Events go to the events
  // extension; a plugin without it does not take MIDI or transport, which are dropped.
  void process(uint32_t channels, uint32_t frames, std::span<const float> input,
               std::span<float> output, const BlockEvents& events) override;

  std::vector<std::string> programNames() override;
  uint32_t program() override;
  void setProgram(uint32_t index) override;
  uint32_t latency() override;

  // The editor (the gui extension). `parent` is a window of `api` (B32_WINDOW_API_*); the
  // editor is created hidden. Throws Error(unsupported) if the plugin cannot embed in `api`.
  EditorInfo openEditor(uint32_t api, void* parent) override;
  void closeEditor() override;  // a no-op when none is open
  // Returns the size the plugin took.
  EditorSize setEditorSize(EditorSize size) override;
  void showEditor(bool visible) override;

 private:
  static const b32_host_gui kHostGui;
  static const b32_host_timer kHostTimer;
  static SdkInstance& of(const b32_host* host);
  EditorSize checkedEditorSize(uint32_t width, uint32_t height, std::string_view what) const;
  void requireEditor() const;

  const ParamInfo& paramById(uint32_t id) const;
  void check(b32_status status, std::string_view what) const;
  void requireExtension(const void* extension, const char* id) const;

  std::shared_ptr<SdkModule> module_;
  PluginDescriptor descriptor_;
  PluginHost& callbacks_;
  EditorHost* editorHost_;
  b32_host host_;
  const b32_plugin* plugin_ = nullptr;
  const b32_plugin_params* params_ = nullptr;
  const b32_plugin_state* state_ = nullptr;
  const b32_plugin_process* process_ = nullptr;
  const b32_plugin_gui* gui_ = nullptr;
  const b32_plugin_events* events_ = nullptr;
  const b32_plugin_programs* programs_ = nullptr;
  const b32_plugin_latency* latency_ = nullptr;
  const b32_plugin_timer* timer_ = nullptr;
  std::vector<uint32_t> timers_;  // the timers running for it (EditorHost::startTimer)
  std::vector<b32_midi_event> midi_;  // a block's events for the plugin, sized once
  std::vector<ParamInfo> paramInfos_;
  ParamReports paramReports_;  // checked against paramInfos_ once it is complete
  bool active_ = false;
  uint32_t maxFrames_ = 0;
  bool editorOpen_ = false;
};

}  // namespace bridge32
