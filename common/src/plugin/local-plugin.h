// A plugin module loaded into this process, whatever its format, and its instances: the surrogate
// serves them over the pipe (surrogate/src/plugin), and the host uses them directly for a module
// of its own architecture (host64/src/plugin/in-process-plugin.c++). Each format implements these
// two classes (common/src/sdk for bridge32's SDK, common/src/vst2 for VST2); nothing above them
// knows which format it is serving.
//
// Every argument is checked before the plugin sees it and every failure is a bridge32::Error, the
// same on both sides of the pipe.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bridge32/ext/gui.h"
#include "plugin/plugin-calls.h"
#include "plugin/plugin-host.h"

namespace bridge32 {

// The window system editors embed in here (B32_WINDOW_API_*): HWNDs on Windows, X11 windows on
// Linux. A plugin's editor embeds in windows of its own process's system only.
#if _WIN32
inline constexpr uint32_t kNativeWindowApi = B32_WINDOW_API_WIN32;
#else
inline constexpr uint32_t kNativeWindowApi = B32_WINDOW_API_X11;
#endif

// A plugin in this process (PluginCalls, whose process() allocates nothing here), and its editor
// as the plugin's own window API offers it.
class LocalInstance : public PluginCalls {
 public:
  // The editor. `parent` is a window of `api` (B32_WINDOW_API_*); the editor is created hidden.
  // Throws Error(unsupported) if the plugin cannot embed in `api`.
  virtual EditorInfo openEditor(uint32_t api, void* parent) = 0;
  virtual void closeEditor() = 0;  // a no-op when none is open
  // Returns the size the plugin took.
  virtual EditorSize setEditorSize(EditorSize size) = 0;
  virtual void showEditor(bool visible) = 0;
};

class LocalModule {
 public:
  virtual ~LocalModule() = default;

  virtual const std::filesystem::path& path() const = 0;
  virtual PluginFormat format() const = 0;
  // The SDK version it was built with; zero for other formats.
  virtual SdkVersion sdkVersion() const = 0;
  virtual const std::vector<PluginDescriptor>& plugins() const = 0;

  // A new instance of plugin `pluginId`: `host` receives its callbacks and `editorHost` its
  // editor's resize requests (none are granted without one); both must outlive it. The instance
  // keeps the module loaded. Throws Error (notFound for an unknown id, failed if the plugin
  // refuses).
  virtual std::unique_ptr<LocalInstance> createInstance(std::string_view pluginId,
                                                        PluginHost& host,
                                                        EditorHost* editorHost) = 0;
};

// A plugin's reports that it changed a parameter, checked before the host hears them: one to a
// parameter it does not have or a value outside its range (refusedParamChange), or any before its
// parameters are known, is dropped, the first of them with a log line. Both formats' callbacks.
class ParamReports {
 public:
  // `params` is complete and outlives this: reports are checked against it from now on.
  void known(const std::vector<ParamInfo>& params) {
    params_.store(&params, std::memory_order_release);
  }
  // [any-thread] Passes a sound change to `host`, allocating nothing. The log line names the plugin
  // as "<kind> '<pluginId>'" ("VST2 plugin 'Ab1x'"); `early` says what a report before known() is.
  // Nothing thrown leaves it.
  void report(PluginHost& host, std::string_view kind, std::string_view pluginId,
              std::string_view early, uint32_t id, double value);

 private:
  std::atomic<const std::vector<ParamInfo>*> params_{nullptr};
  std::atomic<bool> refusedOne_{false};
};

// [any-thread] The format of the plugin module at `path`, from its exports, read without loading
// it. Throws Error(badModule) naming the entry points looked for when it has none of them.
PluginFormat pluginFormatOf(const std::filesystem::path& path);

// The checks every format makes the same way, with the same messages.
// `path` is a library of this process's architecture: throws Error(badModule) naming what it is.
void checkLoadableHere(const std::filesystem::path& path);
// activate()'s arguments are sane: throws Error(invalidArgument).
void checkActivation(double sampleRate, uint32_t maxFrames);
// `value` is one parameter `info` of plugin `pluginId` takes: throws Error(invalidArgument).
void checkParamValue(const ParamInfo& info, double value, std::string_view pluginId);
// A block for process() once active with `maxFrames`: throws Error (badState, invalidArgument).
void checkProcessBlock(std::string_view pluginId, bool active, uint32_t maxFrames,
                       uint32_t channels, uint32_t frames, size_t inputSamples,
                       size_t outputSamples);
// What goes with a block: at most limits::kMaxMidiEventsPerBlock events in frame order, and a sane
// transport. Throws Error(invalidArgument). An event past the block's last frame is not refused:
// each format delivers it at the last frame (clampedFrame).
void checkBlockEvents(const BlockEvents& events);
inline uint32_t clampedFrame(const MidiEvent& event, uint32_t frames) {
  return event.frame < frames ? event.frame : frames - 1;
}

// [main-thread] Loads the module at `path` as a plugin module of `format` into this process
// (which must be of its architecture).
std::shared_ptr<LocalModule> loadLocalModule(const std::filesystem::path& path,
                                             PluginFormat format);

}  // namespace bridge32
