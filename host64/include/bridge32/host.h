// bridge32 host API: load plugin modules of either bitness from a 64-bit application.
//
//   auto module = bridge32::PluginModule::load("legacy-plugin.dll");
//   auto instance = module->createInstance(module->plugins().at(0).id, callbacks);
//   instance->setParam(1, 0.5);
//   instance->activate(48000, 512);
//   instance->process(2, 512, input, output);
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

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bridge32/error.h"
#include "bridge32/module-file.h"
#include "bridge32/types.h"

namespace bridge32 {

enum class Isolation {
  automatic,  // in-process when the module's architecture matches this process, else surrogate
  inProcess,  // in this process; a module of another architecture is refused
  surrogate,  // always in a surrogate of the module's architecture
};

class SurrogateClient;

// What happens to a surrogate when a call into it passes its deadline.
enum class HangPolicy {
  kill,         // kill it: it cannot hold on to anything, and later calls fail fast
  keepRunning,  // leave it be; later calls queue behind the one that hung, and the heartbeat
                // waits for it to finish rather than taking it for a hang
};

// Overrides the call deadline for bridged calls made on this thread while it exists:
//   { bridge32::CallDeadline deadline(std::chrono::milliseconds(50)); plugin->process(...); }
// Scopes nest; the innermost wins.
class CallDeadline {
 public:
  explicit CallDeadline(std::chrono::milliseconds timeout);
  ~CallDeadline();
  CallDeadline(const CallDeadline&) = delete;
  CallDeadline& operator=(const CallDeadline&) = delete;

  // The innermost override on this thread, or `fallback` without one.
  static std::chrono::milliseconds current(std::chrono::milliseconds fallback);

 private:
  std::optional<std::chrono::milliseconds> previous_;  // the enclosing override, if any
};

// A surrogate process that several modules share: one process start for all of them (a
// 32-bit process under Wine takes a minute to start). Modules keep it alive while loaded. When
// it dies, restarting a plugin loaded into it starts a new process that takes its place for
// every module sharing it.
class SharedSurrogate {
 public:
  using Starter = std::function<std::shared_ptr<SurrogateClient>()>;
  // Made by startSurrogate: `start` starts a process, now and on every revival.
  explicit SharedSurrogate(Starter start);
  // The current process's id: a new one after a revival.
  uint32_t pid() const;
  Architecture architecture() const;
  // False once the current process is gone, until something revives it.
  bool isRunning() const;

  // The current process's connection, running or not.
  std::shared_ptr<SurrogateClient> client() const;
  // A running process's connection: the current one, or, once that stopped, a new process's
  // (one start however many callers ask at once). Throws like startSurrogate.
  std::shared_ptr<SurrogateClient> running();

 private:
  Starter start_;
  Architecture architecture_;
  // Held while a new process starts, which on Windows dispatches window messages: recursive,
  // so that a window procedure that asks for the surrogate meanwhile cannot deadlock.
  std::recursive_mutex startMutex_;
  mutable std::mutex mutex_;  // guards client_, briefly
  std::shared_ptr<SurrogateClient> client_;
};

struct LoadOptions;
// Starts a surrogate of `architecture` for modules loaded with LoadOptions::surrogate.
std::shared_ptr<SharedSurrogate> startSurrogate(Architecture architecture,
                                                const LoadOptions& options);

// Whether and how bridge32 brings back a bridged plugin whose surrogate stopped. A restart starts
// a new surrogate, loads the module, creates the instance and gives it back what the host knows
// of it: the state last saved or loaded, the parameter values set since (or reported by the
// plugin), its activation, and its editor in the same container.
struct RestartPolicy {
  // Restart by itself, on a background thread, after `firstDelay`; otherwise only restart() does.
  bool automatic = false;
  // At most this many automatic attempts in a row; a plugin that then runs for `stableAfter`
  // without stopping earns them back. Past the limit it stays stopped until restart().
  uint32_t maxAttempts = 3;
  // The back-off: `firstDelay` before the first attempt, doubling for each next one in a row,
  // up to `maxDelay`.
  std::chrono::milliseconds firstDelay{250};
  std::chrono::milliseconds maxDelay{10'000};
  std::chrono::milliseconds stableAfter{30'000};
};

struct LoadOptions {
  Isolation isolation = Isolation::automatic;
  // Where bridge32-surrogate-x86/-x64 are. Empty: $BRIDGE32_SURROGATE_DIR, else the directory of
  // the running executable.
  std::filesystem::path surrogateDirectory;
  // How long a surrogate may take to start and complete the handshake. A 32-bit Windows
  // process under Wine on an emulated CPU takes about a minute.
  std::chrono::milliseconds startTimeout{60'000};
  // Load bridged modules into this running surrogate rather than a new one. Its architecture
  // must be the module's.
  std::shared_ptr<SharedSurrogate> surrogate;
  // Every bridged call on the module's instances must be answered within this (CallDeadline
  // overrides it per call); a late call throws Error::Kind::timeout and `onHang` applies.
  std::chrono::milliseconds callTimeout{30'000};
  HangPolicy onHang = HangPolicy::kill;
  // While no call is in flight the host pings the surrogate this often and kills it, as hung,
  // if it does not answer within `heartbeatTimeout`. These two apply to a new surrogate only.
  std::chrono::milliseconds heartbeatInterval{1'000};
  std::chrono::milliseconds heartbeatTimeout{10'000};
  // What happens when a bridged plugin's surrogate stops: see RestartPolicy.
  RestartPolicy restart;
};

// A window of the platform's window system: an HWND on Windows.
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

  // The container: place it with SetWindowPos(..., SWP_NOSIZE); size it with setSize().
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
  virtual std::vector<uint8_t> saveState() = 0;
  virtual void loadState(std::span<const uint8_t> state) = 0;
  virtual void activate(double sampleRate, uint32_t maxFrames) = 0;
  virtual void deactivate() = 0;
  // Planar samples: channel c's frame f at [c * frames + f], in `input` and `output` alike.
  virtual void process(uint32_t channels, uint32_t frames, std::span<const float> input,
                       std::span<float> output) = 0;

  // True when the plugin has an editor (the gui extension).
  virtual bool hasGui() const = 0;
  // Opens the plugin's editor in a new container window, a child of `parent`, shown at the
  // size the plugin asks for. One editor per instance at a time. Throws Error: unsupported
  // (no editor, or a platform without embedding: Linux), badState (one is open already).
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
  virtual SdkVersion sdkVersion() const = 0;
  virtual const std::vector<PluginDescriptor>& plugins() const = 0;

  // A new instance of plugin `pluginId`. `callbacks` receives its log lines and parameter
  // changes and must outlive it. Instances keep what they need of the module alive.
  virtual std::unique_ptr<PluginInstance> createInstance(std::string_view pluginId,
                                                         HostCallbacks& callbacks) = 0;
};

// How `path` would load with `options`: in-process or through a surrogate of which
// architecture. Throws like load() for files that cannot load at all.
struct LoadPlan {
  ModuleFile file;
  bool bridged;
  std::filesystem::path surrogate;  // empty when in-process
};
LoadPlan planLoad(const std::filesystem::path& path, const LoadOptions& options = {});

}  // namespace bridge32
