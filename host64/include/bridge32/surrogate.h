// bridge32 host API, what every module kind shares: where a module runs (in this process or in
// a surrogate process), the rules its bridged calls follow (deadlines, hangs, restarts), and
// surrogates shared between modules. Each kind's own API is in a header of its own
// (bridge32/plugin.h for plugins written against bridge32's SDK); bridge32/host.h has them all.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bridge32/bridge32.h"
#include "bridge32/detail/c-api.h"
#include "bridge32/error.h"
#include "bridge32/module-file.h"
#include "bridge32/types.h"

namespace bridge32 {

enum class Isolation {
  automatic,  // in-process when the module's architecture matches this process, else surrogate
  inProcess,  // in this process; a module of another architecture is refused
  surrogate,  // always in a surrogate of the module's architecture
};

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
  explicit CallDeadline(std::chrono::milliseconds timeout)
      : scope_(bridge32_deadline_begin(detail::milliseconds(timeout))) {
    if (!scope_) throw std::bad_alloc();
  }
  ~CallDeadline() { bridge32_deadline_end(scope_); }
  CallDeadline(const CallDeadline&) = delete;
  CallDeadline& operator=(const CallDeadline&) = delete;

  // The innermost override on this thread, or `fallback` without one.
  static std::chrono::milliseconds current(std::chrono::milliseconds fallback) {
    return std::chrono::milliseconds(bridge32_deadline_current(detail::milliseconds(fallback)));
  }

 private:
  bridge32_deadline* scope_;
};

// A surrogate process that several modules share: one process start for all of them (a
// 32-bit process under Wine takes a minute to start). Modules keep it alive while loaded. When
// it dies, restarting a plugin loaded into it starts a new process that takes its place for
// every module sharing it.
class SharedSurrogate {
 public:
  // Takes the C API's handle (bridge32_surrogate_start's).
  explicit SharedSurrogate(bridge32_surrogate* handle) noexcept : handle_(handle) {}
  ~SharedSurrogate() { bridge32_surrogate_free(handle_); }
  SharedSurrogate(const SharedSurrogate&) = delete;
  SharedSurrogate& operator=(const SharedSurrogate&) = delete;

  // [any-thread] The current process's id: a new one after a revival.
  uint32_t pid() const { return bridge32_surrogate_pid(handle_); }
  Architecture architecture() const {
    return Architecture(bridge32_surrogate_architecture(handle_));
  }
  // [any-thread] False once the current process is gone, until something revives it.
  bool isRunning() const { return bridge32_surrogate_is_running(handle_) != 0; }
  // Started with LoadOptions::sandbox.
  bool isSandboxed() const { return bridge32_surrogate_is_sandboxed(handle_) != 0; }

  bridge32_surrogate* handle() const { return handle_; }

 private:
  bridge32_surrogate* handle_;
};

struct LoadOptions;
// Starts a surrogate of `architecture` for modules loaded with LoadOptions::surrogate.
std::shared_ptr<SharedSurrogate> startSurrogate(Architecture architecture,
                                                const LoadOptions& options);  // below

// Whether and how bridge32 brings back a bridged module whose surrogate stopped, the same for
// every kind: a new surrogate starts, the module loads again, and what the module had made comes
// back with what the host knows of it. A plugin instance: the state last saved or loaded, the
// parameter values set since (or reported by the plugin), its activation, its editor in the same
// container. A library's functions: bound again (what the library kept in its own memory went
// with its process). A COM class's objects: made again, with the properties put into them and
// their event connections.
struct RestartPolicy {
  // Restart by itself, on a background thread, after `firstDelay`. Otherwise a plugin comes back
  // on restart(), a library's function or a COM class's object when next called.
  bool automatic = false;
  // At most this many automatic attempts in a row; a module that then runs for `stableAfter`
  // without stopping earns them back. Past the limit it stays stopped until restart() or a call.
  uint32_t maxAttempts = 3;
  // The back-off: `firstDelay` before the first attempt, doubling for each next one in a row,
  // up to `maxDelay`.
  std::chrono::milliseconds firstDelay{250};
  std::chrono::milliseconds maxDelay{10'000};
  std::chrono::milliseconds stableAfter{30'000};
};

// What the application hears of a bridged module whose surrogate stopped, each if set. `stopped`
// runs once per stop on bridge32's thread for the lost surrogate, and may destroy the module;
// `restarted` once the module is loaded again, on the thread that did it: a plugin's restart(), a
// call that needed it, or the RestartPolicy's thread once what the module made is back too;
// `restartFailed` when an automatic restart failed, on that thread. Neither of those two may
// destroy the module.
struct ModuleEvents {
  std::function<void(std::string_view why)> stopped;
  std::function<void()> restarted;
  std::function<void(std::string_view why, bool willRetry)> restartFailed;
};

struct LoadOptions {
  Isolation isolation = Isolation::automatic;
  // Where bridge32-surrogate-x86/-x64 are. Empty: $BRIDGE32_SURROGATE_DIR, else the first that
  // has it of: the running executable's directory, the directory of the module holding bridge32
  // (libbridge32.so / bridge32.dll, or the executable that linked it statically), and, if that
  // module is installed in <prefix>/bin or <prefix>/lib, <prefix>/libexec/bridge32 (Linux) or
  // <prefix>/bin (Windows).
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
  // What happens when a bridged module's surrogate stops: see RestartPolicy.
  RestartPolicy restart;
  ModuleEvents events;
  // Runs the module in a sandboxed surrogate, for code that is not trusted. A surrogate keeps
  // the application safe from a module's faults (crashes, hangs, leaks), not from its malice:
  // code running as the same user can reach into the application's process unless sandboxed.
  // Linux: the surrogate runs in user, PID, mount, IPC and network namespaces of its own (the
  // application's process does not exist for it) under a seccomp filter (no ptrace,
  // process_vm_readv/writev, pidfd_getfd, mount, new namespaces, kernel keyrings, BPF); the file
  // system stays as the user sees it. Windows: a restricted token at low integrity in a job
  // object. Implies a surrogate: with Isolation::inProcess it is an error, and a sandboxed module
  // loads only into a sandboxed LoadOptions::surrogate. Throws Error(unsupported) saying why
  // where the system refuses (user namespaces switched off, say).
  bool sandbox = false;
  // The surrogate's environment, "NAME=VALUE" each. Unset, it is the application's own, whole:
  // a module sees every variable the application has (tokens and passwords included).
  std::optional<std::vector<std::string>> environment;
};

// How `path` would load with `options`: in-process or through a surrogate of which
// architecture. Throws like load() for files that cannot load at all.
struct LoadPlan {
  ModuleFile file;
  bool bridged;
  std::filesystem::path surrogate;  // empty when in-process
};
inline LoadPlan planLoad(const std::filesystem::path& path, const LoadOptions& options = {});

// Reads the header of `path`, and checks that its tables, segments and sections lie within the
// file, so that no loader is handed a truncated one. `role` names the file in errors. Throws
// Error: notFound if there is no such file, failed if it cannot be read, badModule if it is
// neither PE nor ELF or is truncated or damaged.
inline ModuleFile inspectModuleFile(const std::filesystem::path& path,
                                    std::string_view role = "plugin module");

// What a module file exports, read without loading it (bridge32_module_export).
struct ModuleExport {
  std::string name;  // as the loader matches it: "_f@8" for a PE32 stdcall function; empty for
                     // a PE export by ordinal only
  std::optional<uint32_t> ordinal;  // PE only
  std::string forwarder;            // PE: "OTHER.Func" the loader resolves it to
  bool isFunction = false;          // code rather than data
  std::string demangled;            // an Itanium C++ name demangled, or empty
  std::string version;              // ELF symbol version, or empty
};

// The exports of the PE or ELF file `path`, in its tables' order (bridge32_module_exports_read).
// Throws Error: notFound, failed, badModule naming the file and the damage, unsupported.
inline std::vector<ModuleExport> listModuleExports(const std::filesystem::path& path);

// The file the code or data at `address` was loaded from: an executable, a DLL, a shared object
// (a plugin that needs the files beside itself, say). Throws Error(notFound) when no module holds
// it.
inline std::filesystem::path moduleFileContaining(const void* address);

// The version of the protocol this library speaks with its surrogates.
inline uint32_t protocolVersion() { return bridge32_protocol_version(); }

// Where the surrogate for `architecture` is looked for with `options`, whether it is there or
// not (bridge32_surrogate_executable). Throws Error(invalidArgument) for Architecture::unknown.
inline std::filesystem::path surrogatePath(Architecture architecture,
                                           const LoadOptions& options = {});

// A module's dependency, as the loader of its surrogate finds it (bridge32_dependency).
struct ModuleDependency {
  enum class Found {
    loaded,        // the process has it loaded already
    besideModule,  // PE: the directory of the module being loaded
    rpath,         // ELF: DT_RPATH of the module that needs it (or of those above)
    libraryPath,   // ELF: LD_LIBRARY_PATH
    runpath,       // ELF: DT_RUNPATH of the module that needs it
    system,        // the system's directories (then PATH, on Windows)
    apiSet,        // PE: an API set the system maps to its DLLs
    missing,       // nowhere the loader looks
    unusable,      // found first, but unusable (`problem` says why)
  };
  std::string name;            // as the module that needs it names it
  std::filesystem::path path;  // where it was found; empty when missing, and for an API set
  Found found = Found::missing;
  bool delayLoaded = false;    // PE: through the delay-load table
  bool listedAbove = false;    // its own dependencies are listed where it appears first
  std::string problem;         // why it cannot be used, or why its own are unknown
  std::vector<ModuleDependency> dependencies;  // its own
};
// "loaded", "besideModule", ..., "unusable".
inline std::string_view toString(ModuleDependency::Found found) {
  return bridge32_dependency_source_name(bridge32_dependency_source(found));
}

// A module the loader cannot find or use (bridge32_load_failure).
struct DependencyFailure {
  std::vector<std::string> chain;  // the module's file name, ..., the one that fails
  std::string why;                 // "is missing", "is for x64", ...
  std::vector<std::filesystem::path> searched;  // where the loader looked, in order
};

struct ModuleDependencyReport {
  std::vector<ModuleDependency> dependencies;  // the module's own, each with its own
  std::vector<DependencyFailure> failures;     // the module does not load
  std::vector<DependencyFailure> delayedFailures;  // it loads; a call into them fails
};

// The dependencies of the module file `path`, recursively, as the loader of the surrogate for
// its architecture (surrogatePath(), with `options`) finds them, without loading anything
// (bridge32_module_dependencies). Throws Error: notFound, failed, badModule as
// inspectModuleFile(); unsupported for a file of another format or machine.
inline ModuleDependencyReport findModuleDependencies(const std::filesystem::path& path,
                                                 const LoadOptions& options = {});

namespace detail {

// LoadOptions as the C API takes them, with what they point to.
class CLoadOptions {
 public:
  explicit CLoadOptions(const LoadOptions& options)
      : directory_(utf8(options.surrogateDirectory)) {
    bridge32_load_options_init(&c_);
    c_.isolation = bridge32_isolation(options.isolation);
    c_.surrogate_directory = directory_.data();
    c_.surrogate_directory_length = directory_.size();
    c_.start_timeout_ms = milliseconds(options.startTimeout);
    c_.call_timeout_ms = milliseconds(options.callTimeout);
    c_.on_hang =
        options.onHang == HangPolicy::kill ? BRIDGE32_HANG_KILL : BRIDGE32_HANG_KEEP_RUNNING;
    c_.heartbeat_interval_ms = milliseconds(options.heartbeatInterval);
    c_.heartbeat_timeout_ms = milliseconds(options.heartbeatTimeout);
    c_.restart.automatic = options.restart.automatic;
    c_.restart.max_attempts = options.restart.maxAttempts;
    c_.restart.first_delay_ms = milliseconds(options.restart.firstDelay);
    c_.restart.max_delay_ms = milliseconds(options.restart.maxDelay);
    c_.restart.stable_after_ms = milliseconds(options.restart.stableAfter);
    c_.sandbox = options.sandbox;
    c_.surrogate = options.surrogate ? options.surrogate->handle() : nullptr;
    const ModuleEvents& events = options.events;
    if (events.stopped || events.restarted || events.restartFailed) {
      // A copy for the module's life: the call given these options releases it.
      bridge32_module_events_init(&events_);
      events_.context = new ModuleEvents(events);
      events_.release = [](void* context) { delete &of(context); };
      if (events.stopped) {
        events_.stopped = [](void* context, const char* why, size_t length) {
          unthrowing([&] { of(context).stopped(std::string_view(why, length)); });
        };
      }
      if (events.restarted) {
        events_.restarted = [](void* context) { unthrowing([&] { of(context).restarted(); }); };
      }
      if (events.restartFailed) {
        events_.restart_failed = [](void* context, const char* why, size_t length,
                                    int32_t willRetry) {
          unthrowing([&] { of(context).restartFailed(std::string_view(why, length), willRetry != 0); });
        };
      }
      c_.events = &events_;
    }
    if (options.environment) {
      environment_ = cStrings(*options.environment);
      // Not NULL when empty: an empty environment is one, NULL is the application's.
      static const bridge32_string kNone{};
      c_.environment = environment_.empty() ? &kNone : environment_.data();
      c_.environment_count = environment_.size();
    }
  }
  CLoadOptions(const CLoadOptions&) = delete;
  CLoadOptions& operator=(const CLoadOptions&) = delete;

  const bridge32_load_options* get() const { return &c_; }

 private:
  static ModuleEvents& of(void* context) { return *static_cast<ModuleEvents*>(context); }

  std::string directory_;
  std::vector<bridge32_string> environment_;
  bridge32_module_events events_{};
  bridge32_load_options c_;
};

// The handle `load` (bridge32_library_load, bridge32_plugin_module_load) makes of the module file
// `path` with `options`; throws its Error.
template <typename Handle>
Handle* loadFile(bridge32_status(BRIDGE32_CALL* load)(const char*, size_t,
                                                     const bridge32_load_options*, Handle**,
                                                     bridge32_error**),
                 const std::filesystem::path& path, const LoadOptions& options) {
  std::string file = utf8(path);
  CLoadOptions c(options);  // just before the call, which takes its events whatever happens
  Handle* handle = nullptr;
  checked([&](bridge32_error** error) {
    return load(file.data(), file.size(), c.get(), &handle, error);
  });
  return handle;
}

}  // namespace detail

inline std::shared_ptr<SharedSurrogate> startSurrogate(Architecture architecture,
                                                       const LoadOptions& options) {
  detail::CLoadOptions c(options);
  bridge32_surrogate* surrogate = nullptr;
  detail::checked([&](bridge32_error** error) {
    return bridge32_surrogate_start(bridge32_architecture(architecture), c.get(), &surrogate,
                                    error);
  });
  return std::make_shared<SharedSurrogate>(surrogate);
}

namespace detail {

inline ModuleFile moduleFileFrom(const bridge32_module_file& c) {
  return ModuleFile{c.format == BRIDGE32_MODULE_PE ? ModuleFormat::pe : ModuleFormat::elf,
                    Architecture(c.architecture), uint16_t(c.machine), c.is_library != 0,
                    c.is_64_bit != 0};
}

}  // namespace detail

inline ModuleFile inspectModuleFile(const std::filesystem::path& path, std::string_view role) {
  std::string file = utf8(path);
  bridge32_module_file c{};
  detail::checked([&](bridge32_error** error) {
    return bridge32_module_inspect(file.data(), file.size(), role.data(), role.size(), &c, error);
  });
  return detail::moduleFileFrom(c);
}

inline std::vector<ModuleExport> listModuleExports(const std::filesystem::path& path) {
  std::string file = utf8(path);
  bridge32_module_exports* read = nullptr;
  detail::checked([&](bridge32_error** error) {
    return bridge32_module_exports_read(file.data(), file.size(), &read, error);
  });
  std::unique_ptr<bridge32_module_exports, void(BRIDGE32_CALL*)(bridge32_module_exports*)> owned(
      read, bridge32_module_exports_free);
  std::vector<ModuleExport> exports;
  for (size_t i = 0, count = bridge32_module_exports_count(read); i < count; ++i) {
    bridge32_module_export c{};
    bridge32_module_exports_at(read, i, &c);
    ModuleExport entry;
    entry.name = detail::stringFrom(c.name, c.name_length);
    if (c.has_ordinal) entry.ordinal = c.ordinal;
    entry.forwarder = detail::stringFrom(c.forwarder, c.forwarder_length);
    entry.isFunction = c.is_function != 0;
    entry.demangled = detail::stringFrom(c.demangled, c.demangled_length);
    entry.version = detail::stringFrom(c.version, c.version_length);
    exports.push_back(std::move(entry));
  }
  return exports;
}

inline std::filesystem::path moduleFileContaining(const void* address) {
  bridge32_bytes* path = nullptr;
  detail::checked(
      [&](bridge32_error** error) { return bridge32_module_containing(address, &path, error); });
  return pathFromUtf8(detail::takeText(path));
}

inline LoadPlan planLoad(const std::filesystem::path& path, const LoadOptions& options) {
  std::string file = utf8(path);
  detail::CLoadOptions c(options);
  bridge32_module_file module{};
  int32_t bridged = 0;
  bridge32_bytes* surrogate = nullptr;
  detail::checked([&](bridge32_error** error) {
    return bridge32_plan_load(file.data(), file.size(), c.get(), &module, &bridged, &surrogate,
                              error);
  });
  return LoadPlan{detail::moduleFileFrom(module), bridged != 0,
                  pathFromUtf8(surrogate ? detail::takeText(surrogate) : std::string())};
}

inline std::filesystem::path surrogatePath(Architecture architecture, const LoadOptions& options) {
  detail::CLoadOptions c(options);
  bridge32_bytes* path = nullptr;
  detail::checked([&](bridge32_error** error) {
    return bridge32_surrogate_executable(bridge32_architecture(architecture), c.get(), &path,
                                         error);
  });
  return pathFromUtf8(detail::takeText(path));
}

inline ModuleDependencyReport findModuleDependencies(const std::filesystem::path& path,
                                                 const LoadOptions& options) {
  std::string file = utf8(path);
  detail::CLoadOptions c(options);
  bridge32_dependency_report* read = nullptr;
  detail::checked([&](bridge32_error** error) {
    return bridge32_module_dependencies(file.data(), file.size(), c.get(), &read, error);
  });
  std::unique_ptr<bridge32_dependency_report, void(BRIDGE32_CALL*)(bridge32_dependency_report*)>
      owned(read, bridge32_dependency_report_free);
  ModuleDependencyReport report;
  // The depth-first list as a tree: the open branch, one list per depth.
  std::vector<std::vector<ModuleDependency>*> branch{&report.dependencies};
  for (size_t i = 0, count = bridge32_dependency_report_count(read); i < count; ++i) {
    bridge32_dependency c{};
    bridge32_dependency_report_at(read, i, &c);
    branch.resize(std::min<size_t>(branch.size(), c.depth + 1));
    ModuleDependency& entry = branch.back()->emplace_back();
    entry.name = detail::stringFrom(c.name, c.name_length);
    entry.path = pathFromUtf8(detail::stringFrom(c.path, c.path_length));
    entry.found = ModuleDependency::Found(c.source);
    entry.delayLoaded = c.delay_loaded != 0;
    entry.listedAbove = c.listed_above != 0;
    entry.problem = detail::stringFrom(c.problem, c.problem_length);
    branch.push_back(&entry.dependencies);
  }
  for (size_t i = 0, count = bridge32_dependency_report_failure_count(read); i < count; ++i) {
    bridge32_load_failure c{};
    bridge32_dependency_report_failure(read, i, &c);
    DependencyFailure failure;
    for (size_t k = 0; k < c.chain_count; ++k) {
      failure.chain.push_back(detail::stringFrom(c.chain[k].data, c.chain[k].length));
    }
    failure.why = detail::stringFrom(c.why, c.why_length);
    for (size_t k = 0; k < c.searched_count; ++k) {
      failure.searched.push_back(
          pathFromUtf8(detail::stringFrom(c.searched[k].data, c.searched[k].length)));
    }
    (c.delayed ? report.delayedFailures : report.failures).push_back(std::move(failure));
  }
  return report;
}

}  // namespace bridge32
