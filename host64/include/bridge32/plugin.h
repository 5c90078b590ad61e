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

#include <cstddef>
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

// What a plugin instance may call on its host: the application implements the ones it wants.
class HostCallbacks {
 public:
  virtual ~HostCallbacks() = default;
  // [any-thread] A line the plugin logged, as valid UTF-8 (control characters are left as they
  // are: escape them before printing them on a terminal). From a surrogate, lines the plugin logs
  // faster than the application takes them are dropped, and a warning line says how many. The
  // default writes it to bridge32's log as a record of source "plugin" (bridge32/log.h).
  virtual void log(LogLevel level, std::string_view message) {
    bridge32_log_plugin_line(bridge32_log_level(level), message.data(), message.size());
  }
  // [any-thread] The plugin changed a parameter by itself. Only changes of parameters it has, to
  // values within their range, arrive; from a surrogate that falls behind, only the latest value
  // of each. The default does nothing.
  virtual void paramChanged(uint32_t paramId, double value) {
    (void)paramId;
    (void)value;
  }
  // The editor's container took a new size because the plugin asked for it, so the application
  // can lay its window out again: on Windows on the container's thread (the application's window
  // thread), on X11 on the container's own thread. The default does nothing.
  virtual void editorResized(EditorSize size) { (void)size; }
  // [any-thread] The plugin's surrogate process is gone (crashed, killed, hung and killed):
  // every later call fails with Error::Kind::disconnected until the plugin is restarted. `why`
  // says how it ended. The default does nothing; bridged plugins only. It runs on the bridge's
  // I/O thread with no bridge32 lock held: the application may destroy the instance (and its
  // module) here, but not call into plugins or restart it (from another thread, or let
  // RestartPolicy do it). A thread that destroys the instance meanwhile waits for this to return.
  virtual void pluginStopped(std::string_view why) { (void)why; }
  // [any-thread] The plugin runs again in a new surrogate (PluginInstance::restart or an
  // automatic restart), with its state, parameters and activation restored and its editor, if
  // one was open, coming back in its container. The default does nothing.
  virtual void pluginRestarted() {}
  // [any-thread] An automatic restart failed; `why` says how. Another attempt follows after a
  // back-off when `willRetry`; otherwise the plugin stays stopped until restart() is called.
  // The default does nothing.
  //
  // Automatic restarts call these two on a thread of the instance's own, which its destruction
  // joins: do not destroy the instance from inside them.
  virtual void pluginRestartFailed(std::string_view why, bool willRetry) {
    (void)why;
    (void)willRetry;
  }
};

namespace detail {

inline PluginDescriptor descriptorFrom(const bridge32_plugin_descriptor& c) {
  return PluginDescriptor{stringFrom(c.id, c.id_length),
                          stringFrom(c.name, c.name_length),
                          stringFrom(c.vendor, c.vendor_length),
                          stringFrom(c.version, c.version_length),
                          c.inputs,
                          c.outputs,
                          c.is_instrument != 0};
}

// A block's events as the C API takes them: the MIDI events as they are (the same layout), the
// transport converted.
class CBlockEvents {
 public:
  explicit CBlockEvents(const BlockEvents& events) {
    static_assert(sizeof(MidiEvent) == sizeof(bridge32_midi_event) &&
                  offsetof(MidiEvent, bytes) == offsetof(bridge32_midi_event, bytes));
    if (events.midi.empty() && !events.transport) return;
    c_.midi = reinterpret_cast<const bridge32_midi_event*>(events.midi.data());
    c_.midi_count = events.midi.size();
    if (const Transport* t = events.transport) {
      transport_ = {t->playing, t->tempo, t->beats, t->barStartBeats, t->numerator, t->denominator};
      c_.transport = &transport_;
    }
    given_ = true;
  }
  const bridge32_block_events* get() const { return given_ ? &c_ : nullptr; }

 private:
  bridge32_block_events c_{};
  bridge32_transport transport_{};
  bool given_ = false;
};

// HostCallbacks as the C API calls them back (what they throw stays here: unthrowing).
class CHostCallbacks {
 public:
  explicit CHostCallbacks(HostCallbacks& callbacks) {
    bridge32_host_callbacks_init(&c_);
    c_.context = &callbacks;
    c_.log = [](void* context, bridge32_log_level level, const char* message, size_t length) {
      unthrowing([&] { of(context).log(LogLevel(level), std::string_view(message, length)); });
    };
    c_.param_changed = [](void* context, uint32_t id, double value) {
      unthrowing([&] { of(context).paramChanged(id, value); });
    };
    c_.editor_resized = [](void* context, uint32_t width, uint32_t height) {
      unthrowing([&] { of(context).editorResized(EditorSize{width, height}); });
    };
    c_.stopped = [](void* context, const char* why, size_t length) {
      unthrowing([&] { of(context).pluginStopped(std::string_view(why, length)); });
    };
    c_.restarted = [](void* context) { unthrowing([&] { of(context).pluginRestarted(); }); };
    c_.restart_failed = [](void* context, const char* why, size_t length, int32_t willRetry) {
      unthrowing([&] {
        of(context).pluginRestartFailed(std::string_view(why, length), willRetry != 0);
      });
    };
  }
  CHostCallbacks(const CHostCallbacks&) = delete;
  CHostCallbacks& operator=(const CHostCallbacks&) = delete;

  const bridge32_host_callbacks* get() const { return &c_; }

 private:
  static HostCallbacks& of(void* context) { return *static_cast<HostCallbacks*>(context); }
  bridge32_host_callbacks c_;
};

}  // namespace detail

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
  // The container: place it with SetWindowPos(..., SWP_NOSIZE) or XMoveWindow; size it with
  // setSize(). On X11 the container lives on a display connection and a thread of bridge32's
  // own, so the application's event loop needs to know nothing of it.
  NativeWindow container() const { return container_; }
  // The editor's size, which is the container's.
  EditorSize size() const {
    EditorSize size;
    detail::checked([&](bridge32_error** error) {
      return bridge32_plugin_editor_size(plugin_, &size.width, &size.height, nullptr, error);
    });
    return size;
  }
  bool canResize() const {
    int32_t canResize = 0;
    detail::checked([&](bridge32_error** error) {
      return bridge32_plugin_editor_size(plugin_, nullptr, nullptr, &canResize, error);
    });
    return canResize != 0;
  }
  // Asks the plugin for `size`; the editor and the container take the size the plugin chose,
  // which is returned. Resizing the container by other means asks the plugin the same way.
  EditorSize setSize(EditorSize size) {
    detail::checked([&](bridge32_error** error) {
      return bridge32_plugin_editor_set_size(plugin_, &size.width, &size.height, error);
    });
    return size;
  }
  void show() { setVisible(true); }
  void hide() { setVisible(false); }
  // Empty while the plugin runs; once its surrogate is gone, what happened.
  std::string stoppedReason() const {
    bridge32_bytes* why = nullptr;
    detail::checked([&](bridge32_error** error) {
      return bridge32_plugin_editor_stopped_reason(plugin_, &why, error);
    });
    return detail::takeText(why);
  }

  // The open editor of `plugin` (bridge32_plugin_open_editor's), whose container it is.
  PluginEditor(bridge32_plugin* plugin, NativeWindow container)
      : plugin_(plugin), container_(container) {}
  PluginEditor(const PluginEditor&) = delete;
  PluginEditor& operator=(const PluginEditor&) = delete;

 private:
  void setVisible(bool visible) {
    detail::checked([&](bridge32_error** error) {
      return bridge32_plugin_editor_show(plugin_, visible, error);
    });
  }
  bridge32_plugin* plugin_;
  NativeWindow container_;
};

class PluginInstance {
 public:
  // Takes the C API's handle (bridge32_plugin_create's) and the callbacks it was given.
  PluginInstance(bridge32_plugin* handle, std::unique_ptr<detail::CHostCallbacks> callbacks);
  ~PluginInstance() {
    editor_.reset();
    bridge32_plugin_free(handle_);
  }
  PluginInstance(const PluginInstance&) = delete;
  PluginInstance& operator=(const PluginInstance&) = delete;

  const PluginDescriptor& descriptor() const { return descriptor_; }
  bool hasParams() const { return bridge32_plugin_has_params(handle_) != 0; }
  bool hasState() const { return bridge32_plugin_has_state(handle_) != 0; }
  bool hasProcess() const { return bridge32_plugin_has_process(handle_) != 0; }
  // Fixed for the instance's life; read once at creation, so no call is made.
  const std::vector<ParamInfo>& params() const { return params_; }

  double param(uint32_t id) {
    double value = 0;
    detail::checked([&](bridge32_error** error) {
      return bridge32_plugin_param(handle_, id, &value, error);
    });
    return value;
  }
  void setParam(uint32_t id, double value) {
    detail::checked([&](bridge32_error** error) {
      return bridge32_plugin_set_param(handle_, id, value, error);
    });
  }
  // Parameter `id`'s current value as the plugin shows it ("-6.0", "On"; VST2's display string),
  // without its unit (ParamInfo::unit); the number itself for a plugin that has no text for it.
  std::string paramDisplay(uint32_t id) {
    bridge32_bytes* text = nullptr;
    detail::checked([&](bridge32_error** error) {
      return bridge32_plugin_param_display(handle_, id, &text, error);
    });
    return detail::takeText(text);
  }
  std::vector<uint8_t> saveState() {
    bridge32_bytes* state = nullptr;
    detail::checked([&](bridge32_error** error) {
      return bridge32_plugin_save_state(handle_, &state, error);
    });
    std::unique_ptr<bridge32_bytes, void(BRIDGE32_CALL*)(bridge32_bytes*)> owned(
        state, bridge32_bytes_free);
    size_t size = 0;
    const uint8_t* data = bridge32_bytes_data(state, &size);
    return std::vector<uint8_t>(data, data + size);
  }
  void loadState(std::span<const uint8_t> state) {
    detail::checked([&](bridge32_error** error) {
      return bridge32_plugin_load_state(handle_, state.data(), state.size(), error);
    });
  }
  void activate(double sampleRate, uint32_t maxFrames) {
    detail::checked([&](bridge32_error** error) {
      return bridge32_plugin_activate(handle_, sampleRate, maxFrames, error);
    });
  }
  void deactivate() {
    detail::checked([&](bridge32_error** error) {
      return bridge32_plugin_deactivate(handle_, error);
    });
  }
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
  void process(uint32_t channels, uint32_t frames, std::span<const float> input,
               std::span<float> output, const BlockEvents& events = {}) {
    detail::CBlockEvents c(events);
    detail::checked([&](bridge32_error** error) {
      return bridge32_plugin_process(handle_, channels, frames, input.data(), input.size(),
                                     output.data(), output.size(), c.get(), error);
    });
  }

  // Processing without copying: write a block of planar samples into audioBuffers(c, f).input,
  // call processAudioBuffers(c, f), read audioBuffers(c, f).output. Bridged, the buffers are the
  // shared memory the surrogate's plugin reads and writes in place; in-process, the instance's.
  // They stay valid (and the same for the same shape) until the next activate(), across restarts
  // too. [audio-thread] Throws Error(invalidArgument) for a block process() would refuse.
  struct AudioBuffers {
    std::span<float> input;
    std::span<const float> output;
  };
  AudioBuffers audioBuffers(uint32_t channels, uint32_t frames) {
    float* input = nullptr;
    const float* output = nullptr;
    detail::checked([&](bridge32_error** error) {
      return bridge32_plugin_audio_buffers(handle_, channels, frames, &input, &output, error);
    });
    size_t samples = size_t(channels) * frames;
    return {{input, samples}, {output, samples}};
  }
  void processAudioBuffers(uint32_t channels, uint32_t frames, const BlockEvents& events = {}) {
    detail::CBlockEvents c(events);
    detail::checked([&](bridge32_error** error) {
      return bridge32_plugin_process_audio_buffers(handle_, channels, frames, c.get(), error);
    });
  }

  // The plugin's programs (presets, as VST2 has them) by name, empty when it has none; the
  // current one; choosing one, which sets its parameters (Error(invalidArgument) past the last).
  std::vector<std::string> programNames() {
    bridge32_strings* names = nullptr;
    detail::checked([&](bridge32_error** error) {
      return bridge32_plugin_program_names(handle_, &names, error);
    });
    std::unique_ptr<bridge32_strings, void(BRIDGE32_CALL*)(bridge32_strings*)> owned(
        names, bridge32_strings_free);
    std::vector<std::string> all(bridge32_strings_count(names));
    for (size_t i = 0; i < all.size(); ++i) {
      size_t length = 0;
      const char* name = bridge32_strings_at(names, i, &length);
      all[i] = detail::stringFrom(name, length);
    }
    return all;
  }
  uint32_t program() {
    uint32_t index = 0;
    detail::checked([&](bridge32_error** error) {
      return bridge32_plugin_program(handle_, &index, error);
    });
    return index;
  }
  void setProgram(uint32_t index) {
    detail::checked([&](bridge32_error** error) {
      return bridge32_plugin_set_program(handle_, index, error);
    });
  }
  // How many frames the plugin's output lags its input by (a look-ahead, say), as of now.
  uint32_t latency() {
    uint32_t frames = 0;
    detail::checked([&](bridge32_error** error) {
      return bridge32_plugin_latency(handle_, &frames, error);
    });
    return frames;
  }

  // True when the plugin has an editor (the gui extension).
  bool hasGui() const { return bridge32_plugin_has_gui(handle_) != 0; }
  // Opens the plugin's editor in a new container window, a child of `parent`, shown at the
  // size the plugin asks for. One editor per instance at a time. Throws Error: unsupported
  // (no editor; an X11 editor in-process, which nothing would give turns to on the application's
  // thread: load it in a surrogate), invalidArgument (`parent` is not a window), badState (one is
  // open already).
  PluginEditor& openEditor(NativeWindow parent) {
    void* container = nullptr;
    detail::checked([&](bridge32_error** error) {
      return bridge32_plugin_open_editor(handle_, parent, &container, error);
    });
    editor_ = std::make_unique<PluginEditor>(handle_, container);
    return *editor_;
  }
  // The open editor, or nullptr.
  PluginEditor* editor() {
    if (!bridge32_plugin_editor_container(handle_)) editor_.reset();
    return editor_.get();
  }
  // Closes the editor and destroys its container; a no-op when none is open.
  void closeEditor() {
    bridge32_plugin_close_editor(handle_);
    editor_.reset();
  }

  // False once the plugin's surrogate stopped (HostCallbacks::pluginStopped), until it is
  // restarted. Always true in-process.
  bool isRunning() const { return bridge32_plugin_is_running(handle_) != 0; }
  // Brings a stopped plugin back in a new surrogate, restored as RestartPolicy describes, and
  // calls HostCallbacks::pluginRestarted. Returns false, doing nothing, when the plugin is
  // running. Blocks until the new surrogate answers (a minute for a 32-bit one under Wine);
  // waits for an automatic restart in progress. Throws Error like load() and createInstance()
  // when it cannot, the plugin then staying stopped, and Error::Kind::badState when called
  // again on a thread already restarting it (from a window procedure, say).
  bool restart() {
    int32_t restarted = 0;
    detail::checked([&](bridge32_error** error) {
      return bridge32_plugin_restart(handle_, &restarted, error);
    });
    return restarted != 0;
  }

  bridge32_plugin* handle() const { return handle_; }

 private:
  std::unique_ptr<detail::CHostCallbacks> callbacks_;  // outlives the instance (freed after)
  bridge32_plugin* handle_;
  PluginDescriptor descriptor_;
  std::vector<ParamInfo> params_;
  std::unique_ptr<PluginEditor> editor_;
};

class PluginModule {
 public:
  // Inspects `path`'s header, chooses in-process or a surrogate per `options`, loads the module
  // and lists its plugins. Throws Error: notFound, badModule, unsupportedVersion,
  // surrogateStart, ...
  static std::unique_ptr<PluginModule> load(const std::filesystem::path& path,
                                            const LoadOptions& options = {}) {
    return std::make_unique<PluginModule>(
        detail::loadFile(bridge32_plugin_module_load, path, options));
  }

  // Takes the C API's handle (bridge32_plugin_module_load's).
  explicit PluginModule(bridge32_plugin_module* handle);
  ~PluginModule() { bridge32_plugin_module_free(handle_); }
  PluginModule(const PluginModule&) = delete;
  PluginModule& operator=(const PluginModule&) = delete;

  const std::filesystem::path& path() const { return path_; }
  Architecture architecture() const {
    return Architecture(bridge32_plugin_module_architecture(handle_));
  }
  // True when the module runs in a surrogate process.
  bool isBridged() const { return bridge32_plugin_module_is_bridged(handle_) != 0; }
  // The surrogate's process id, or 0 in-process.
  uint32_t surrogatePid() const { return bridge32_plugin_module_surrogate_pid(handle_); }
  // bridge32 SDK or VST2, from the module's exports.
  PluginFormat format() const {
    return bridge32_plugin_module_format(handle_) == BRIDGE32_FORMAT_VST2 ? PluginFormat::vst2
                                                                          : PluginFormat::sdk;
  }
  // The SDK version an SDK module was built with; zero for other formats.
  SdkVersion sdkVersion() const {
    SdkVersion version;
    bridge32_plugin_module_sdk_version(handle_, &version.major, &version.minor, &version.revision);
    return version;
  }
  const std::vector<PluginDescriptor>& plugins() const { return plugins_; }

  // A new instance of plugin `pluginId`. `callbacks` receives its log lines and parameter
  // changes and must outlive it. Instances keep what they need of the module alive.
  std::unique_ptr<PluginInstance> createInstance(std::string_view pluginId,
                                                 HostCallbacks& callbacks) {
    auto c = std::make_unique<detail::CHostCallbacks>(callbacks);
    bridge32_plugin* plugin = nullptr;
    detail::checked([&](bridge32_error** error) {
      return bridge32_plugin_create(handle_, pluginId.data(), pluginId.size(), c->get(), &plugin,
                                    error);
    });
    return std::make_unique<PluginInstance>(plugin, std::move(c));
  }

  bridge32_plugin_module* handle() const { return handle_; }

 private:
  bridge32_plugin_module* handle_;
  std::filesystem::path path_;
  std::vector<PluginDescriptor> plugins_;
};

inline PluginInstance::PluginInstance(bridge32_plugin* handle,
                                      std::unique_ptr<detail::CHostCallbacks> callbacks)
    : callbacks_(std::move(callbacks)), handle_(handle) {
  bridge32_plugin_descriptor c{};
  bridge32_plugin_descriptor_of(handle, &c);
  descriptor_ = detail::descriptorFrom(c);
  size_t count = bridge32_plugin_param_count(handle);
  params_.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    bridge32_param_info info{};
    if (bridge32_plugin_param_info(handle, i, &info) != BRIDGE32_OK) continue;
    ParamInfo param;
    param.id = info.id;
    param.flags = info.flags;
    param.minValue = info.min_value;
    param.maxValue = info.max_value;
    param.defaultValue = info.default_value;
    param.name = detail::stringFrom(info.name, info.name_length);
    param.unit = detail::stringFrom(info.unit, info.unit_length);
    params_.push_back(std::move(param));
  }
}

inline PluginModule::PluginModule(bridge32_plugin_module* handle)
    : handle_(handle), path_(detail::pathOf(bridge32_plugin_module_path, handle)) {
  size_t count = bridge32_plugin_module_plugin_count(handle);
  plugins_.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    bridge32_plugin_descriptor c{};
    if (bridge32_plugin_module_plugin(handle, i, &c) == BRIDGE32_OK) {
      plugins_.push_back(detail::descriptorFrom(c));
    }
  }
}

}  // namespace bridge32
