// bridge32 host API for plugins written against bridge32's SDK: load plugin modules of either
// bitness from a 64-bit application.
//
//   auto module = bridge32::PluginModule::load("legacy-plugin.dll");
//   auto instance = module->createInstance(module->plugins().at(0).id, callbacks);
//   instance->setParam(1, 0.5);
//   instance->activate(48000, 512);
//   instance->process(2, 512, input, output);  // planar std::span<const float>, std::span<float>
//
// (README.md's example=plugin-host, which the build compiles and runs, is the whole program.)
//
// A module built for this process's architecture loads in-process; any other (a 32-bit DLL)
// loads in a surrogate process, and every call goes over a private pipe. The API is the same
// either way; only bridged calls can fail with Error::Kind::disconnected (the surrogate died),
// surrogateStart or timeout.
//
// Threading: a PluginModule and its instances may be used from one thread at a time, and
// in-process plugins expect it to be always the same one ([main-thread] in the SDK). A bridged
// call blocks the calling thread until the surrogate answers; on Windows the thread keeps
// dispatching its window messages meanwhile, so a window thread may call it safely.
//
// Editors: instance->openEditor(hwnd) embeds the plugin's editor in the application's window,
// whichever process the plugin runs in; see PluginEditor.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bridge32/surrogate.h"

namespace bridge32 {

// A window of the platform's window system: an HWND on Windows; on Linux an X11 window id
// (reinterpret_cast<NativeWindow>(uintptr_t(xid))) on the display $DISPLAY names.
using NativeWindow = void*;

// A plugin's editor, embedded in an application window. bridge32 creates a container, a child
// window of the application's window, and the plugin creates its editor inside it: in this
// process, or in the surrogate's for a bridged plugin, which the user cannot tell apart.
//
// [main-thread]: use it from the thread that opened it, which owns the container and must
// dispatch window messages. The editor belongs to its PluginInstance: closeEditor() or the
// instance's destruction closes it and destroys the container.
//
// If the surrogate dies while the editor is open, the container stays, saying that the plugin
// stopped and why; stoppedReason() says the same.
class PluginEditor {
 public:
  virtual ~PluginEditor() = default;

  // The container: place it with SetWindowPos(..., SWP_NOSIZE) or XMoveWindow; size it with
  // setSize(). On X11 the container lives on a display connection and a thread of bridge32's
  // own, so the application's event loop needs to know nothing of it.
  virtual NativeWindow container() const = 0;
  // The editor's size, which is the container's.
  virtual EditorSize size() const = 0;
  virtual bool canResize() const = 0;
  // Asks the plugin for `size`; the editor and the container take the size the plugin chose,
  // which is returned. Resizing the container by other means asks the plugin the same way.
  virtual EditorSize setSize(EditorSize size) = 0;
  virtual void show() = 0;
  virtual void hide() = 0;
  // Empty while the plugin runs; once its surrogate is gone, what happened.
  virtual std::string stoppedReason() const = 0;
};

class PluginInstance {
 public:
  virtual ~PluginInstance() = default;

  virtual const PluginDescriptor& descriptor() const = 0;
  virtual bool hasParams() const = 0;
  virtual bool hasState() const = 0;
  virtual bool hasProcess() const = 0;
  // Fixed for the instance's life; read once at creation, so no call is made.
  virtual const std::vector<ParamInfo>& params() const = 0;

  virtual double param(uint32_t id) = 0;
  virtual void setParam(uint32_t id, double value) = 0;
  // Parameter `id`'s current value as the plugin shows it ("-6.0", "On"; VST2's display string),
  // without its unit (ParamInfo::unit); the number itself for a plugin that has no text for it.
  virtual std::string paramDisplay(uint32_t id) = 0;
  virtual std::vector<uint8_t> saveState() = 0;
  virtual void loadState(std::span<const uint8_t> state) = 0;
  virtual void activate(double sampleRate, uint32_t maxFrames) = 0;
  virtual void deactivate() = 0;
  // Planar samples: channel c's frame f at [c * frames + f], in `input` and `output` alike.
  // [audio-thread] Bridged, the block goes through shared memory and is processed on the
  // surrogate's audio thread, which takes this thread's scheduling class; once the instance is
  // active, nothing on that path allocates or takes a lock another thread may hold (unless the
  // plugin fails, or calls the host back from inside process(): then this returns after the host
  // has heard it, one more round trip). While another thread processes, a second one goes over the
  // pipe instead.
  //
  // `events` go with the block: MIDI events in frame order (at most
  // limits::kMaxMidiEventsPerBlock; one past the last frame comes at the last), and, when given,
  // where the music is at its first frame (the plugin keeps the last transport it was given). A
  // plugin that takes no MIDI or transport ignores them.
  virtual void process(uint32_t channels, uint32_t frames, std::span<const float> input,
                       std::span<float> output, const BlockEvents& events = {}) = 0;

  // Processing without copying: write a block of planar samples into audioBuffers(c, f).input,
  // call processAudioBuffers(c, f), read audioBuffers(c, f).output. Bridged, the buffers are the
  // shared memory the surrogate's plugin reads and writes in place; in-process, the instance's.
  // They stay valid (and the same for the same shape) until the next activate(), across restarts
  // too. [audio-thread] Throws Error(invalidArgument) for a block process() would refuse.
  struct AudioBuffers {
    std::span<float> input;
    std::span<const float> output;
  };
  virtual AudioBuffers audioBuffers(uint32_t channels, uint32_t frames) = 0;
  virtual void processAudioBuffers(uint32_t channels, uint32_t frames,
                                   const BlockEvents& events = {}) = 0;

  // The plugin's programs (presets, as VST2 has them) by name, empty when it has none; the
  // current one; choosing one, which sets its parameters (Error(invalidArgument) past the last).
  virtual std::vector<std::string> programNames() = 0;
  virtual uint32_t program() = 0;
  virtual void setProgram(uint32_t index) = 0;
  // How many frames the plugin's output lags its input by (a look-ahead, say), as of now.
  virtual uint32_t latency() = 0;

  // True when the plugin has an editor (the gui extension).
  virtual bool hasGui() const = 0;
  // Opens the plugin's editor in a new container window, a child of `parent`, shown at the
  // size the plugin asks for. One editor per instance at a time. Throws Error: unsupported
  // (no editor; an X11 editor in-process, which nothing would give turns to on the application's
  // thread: load it in a surrogate), invalidArgument (`parent` is not a window), badState (one is
  // open already).
  virtual PluginEditor& openEditor(NativeWindow parent) = 0;
  // The open editor, or nullptr.
  virtual PluginEditor* editor() = 0;
  // Closes the editor and destroys its container; a no-op when none is open.
  virtual void closeEditor() = 0;

  // False once the plugin's surrogate stopped (HostCallbacks::pluginStopped), until it is
  // restarted. Always true in-process.
  virtual bool isRunning() const = 0;
  // Brings a stopped plugin back in a new surrogate, restored as RestartPolicy describes, and
  // calls HostCallbacks::pluginRestarted. Returns false, doing nothing, when the plugin is
  // running. Blocks until the new surrogate answers (a minute for a 32-bit one under Wine);
  // waits for an automatic restart in progress. Throws Error like load() and createInstance()
  // when it cannot, the plugin then staying stopped, and Error::Kind::badState when called
  // again on a thread already restarting it (from a window procedure, say).
  virtual bool restart() = 0;
};

class PluginModule {
 public:
  // Inspects `path`'s header, chooses in-process or a surrogate per `options`, loads the module
  // and lists its plugins. Throws Error: notFound, badModule, unsupportedVersion,
  // surrogateStart, ...
  static std::unique_ptr<PluginModule> load(const std::filesystem::path& path,
                                            const LoadOptions& options = {});

  virtual ~PluginModule() = default;

  virtual const std::filesystem::path& path() const = 0;
  virtual Architecture architecture() const = 0;
  // True when the module runs in a surrogate process.
  virtual bool isBridged() const = 0;
  // The surrogate's process id, or 0 in-process.
  virtual uint32_t surrogatePid() const = 0;
  // bridge32 SDK or VST2, from the module's exports.
  virtual PluginFormat format() const = 0;
  // The SDK version an SDK module was built with; zero for other formats.
  virtual SdkVersion sdkVersion() const = 0;
  virtual const std::vector<PluginDescriptor>& plugins() const = 0;

  // A new instance of plugin `pluginId`. `callbacks` receives its log lines and parameter
  // changes and must outlive it. Instances keep what they need of the module alive.
  virtual std::unique_ptr<PluginInstance> createInstance(std::string_view pluginId,
                                                         HostCallbacks& callbacks) = 0;
};

}  // namespace bridge32
