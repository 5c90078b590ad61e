// PluginModule::load: choose in-process or a surrogate from the module's own header.
#include <cstdlib>


#include "bridge32/host.h"
#include "bridged-plugin.h"
#include "in-process-plugin.h"
#include "logging.h"
#include "surrogate-client.h"

#if _WIN32
#include "win32.h"
#endif

namespace bridge32 {

namespace {

std::filesystem::path runningExecutable() {
#if _WIN32
  std::wstring buffer(32768, L'\0');
  DWORD length = GetModuleFileNameW(nullptr, buffer.data(), DWORD(buffer.size()));
  buffer.resize(length);
  return buffer;
#else
  std::error_code error;
  return std::filesystem::read_symlink("/proc/self/exe", error);
#endif
}

std::filesystem::path surrogateExecutable(Architecture architecture, const LoadOptions& options) {
  std::filesystem::path directory = options.surrogateDirectory;
  if (directory.empty()) {
    if (const char* fromEnvironment = std::getenv("BRIDGE32_SURROGATE_DIR")) {
      directory = pathFromUtf8(fromEnvironment);
    } else {
      directory = runningExecutable().parent_path();
    }
  }
  std::string name = "bridge32-surrogate-" + std::string(toString(architecture));
#if _WIN32
  name += ".exe";
#endif
  return directory / name;
}

void checkSurrogate(const std::filesystem::path& executable, Architecture architecture) {
  std::string role = "bridge32 " + std::string(toString(architecture)) + " surrogate";
  std::error_code error;
  if (!std::filesystem::exists(executable, error) && !error) {
    throw Error(Error::Kind::surrogateStart,
                "the " + role + " '" + utf8(executable) +
                    "' does not exist; set LoadOptions::surrogateDirectory or "
                    "BRIDGE32_SURROGATE_DIR to the directory that holds it");
  }
  ModuleFile file;
  try {
    file = inspectModuleFile(executable, role);
  } catch (const Error& failure) {
    throw Error(Error::Kind::surrogateStart, failure.message());
  }
  // (Not isLibrary: a position-independent ELF executable is ET_DYN, like a shared object.)
  if (file.architecture != architecture || file.format != nativeModuleFormat()) {
    throw Error(Error::Kind::surrogateStart,
                "'" + utf8(executable) + "' is not a " + role + ": it is a " + file.describe() +
                    ", not a " + std::string(toString(architecture)) + " executable for this " +
                    (nativeModuleFormat() == ModuleFormat::pe ? "Windows" : "Linux") + " host");
  }
}

}  // namespace

namespace {
thread_local std::optional<std::chrono::milliseconds> tCallDeadline;
}  // namespace

CallDeadline::CallDeadline(std::chrono::milliseconds timeout) : previous_(tCallDeadline) {
  tCallDeadline = timeout;
}

CallDeadline::~CallDeadline() { tCallDeadline = previous_; }

std::chrono::milliseconds CallDeadline::current(std::chrono::milliseconds fallback) {
  return tCallDeadline.value_or(fallback);
}

LoadPlan planLoad(const std::filesystem::path& path, const LoadOptions& options) {
  ModuleFile file = inspectModuleFile(path);
  std::string pathText = utf8(path);
  if (file.format != nativeModuleFormat()) {
    throw Error(Error::Kind::badModule,
                "'" + pathText + "' is a " + file.describe() + "; this host loads " +
                    (nativeModuleFormat() == ModuleFormat::pe ? "Windows DLLs (PE)"
                                                              : "ELF shared objects"));
  }
  if (!file.isLibrary) {
    throw Error(Error::Kind::badModule,
                "'" + pathText + "' is a " + file.describe() + ", not a library");
  }
  if (file.architecture == Architecture::unknown) {
    throw Error(Error::Kind::badModule, "'" + pathText + "' is a " + file.describe() +
                                            "; bridge32 loads x86 and x64 modules");
  }

  bool sameArchitecture = file.architecture == thisArchitecture();
  bool bridged = false;
  switch (options.isolation) {
    case Isolation::automatic: bridged = !sameArchitecture; break;
    case Isolation::surrogate: bridged = true; break;
    case Isolation::inProcess:
      if (!sameArchitecture) {
        throw Error(Error::Kind::badModule,
                    "'" + pathText + "' is a " + file.describe() + " and cannot load into this " +
                        std::string(toString(thisArchitecture())) +
                        " process; load it with Isolation::automatic or Isolation::surrogate");
      }
      break;
  }
  LoadPlan plan{file, bridged, {}};
  if (bridged) plan.surrogate = surrogateExecutable(file.architecture, options);
  return plan;
}

SharedSurrogate::SharedSurrogate(Starter start)
    : start_(std::move(start)), client_(start_()) {
  architecture_ = client_->architecture();
}

uint32_t SharedSurrogate::pid() const { return client()->pid(); }

Architecture SharedSurrogate::architecture() const { return architecture_; }

bool SharedSurrogate::isRunning() const { return !client()->isLost(); }

std::shared_ptr<SurrogateClient> SharedSurrogate::client() const {
  std::lock_guard lock(mutex_);
  return client_;
}

std::shared_ptr<SurrogateClient> SharedSurrogate::running() {
  std::lock_guard starting(startMutex_);
  auto current = client();
  if (!current->isLost()) return current;
  auto fresh = start_();
  logging::info("surrogate {} replaces surrogate {}, which stopped", fresh->pid(), current->pid());
  std::lock_guard lock(mutex_);
  client_ = fresh;
  return fresh;  // the stopped one's remains go when its last user lets go, outside the locks
}

std::shared_ptr<SharedSurrogate> startSurrogate(Architecture architecture,
                                                const LoadOptions& options) {
  auto executable = surrogateExecutable(architecture, options);
  checkSurrogate(executable, architecture);
  SurrogateClient::Timing timing{options.startTimeout, options.heartbeatInterval,
                                 options.heartbeatTimeout};
  return std::make_shared<SharedSurrogate>([executable, architecture, timing] {
    return SurrogateClient::start(executable, architecture, timing);
  });
}

std::unique_ptr<PluginModule> PluginModule::load(const std::filesystem::path& path,
                                                 const LoadOptions& options) {
  LoadPlan plan = planLoad(path, options);
  if (!plan.bridged) return loadInProcessModule(path);
  std::shared_ptr<SharedSurrogate> surrogate = options.surrogate;
  if (surrogate) {
    if (options.surrogate->architecture() != plan.file.architecture) {
      throw Error(Error::Kind::badModule,
                  "'" + utf8(path) + "' is a " + plan.file.describe() + " and cannot load into the " +
                      std::string(toString(options.surrogate->architecture())) + " surrogate " +
                      std::to_string(options.surrogate->pid()));
    }
  } else {
    surrogate = startSurrogate(plan.file.architecture, options);
  }
  // The surrogate may run in another directory; give it a path that does not depend on ours.
  std::error_code error;
  auto absolute = std::filesystem::absolute(path, error);
  return loadBridgedModule(std::move(surrogate), error ? path : absolute, plan.file.architecture,
                           options);
}

}  // namespace bridge32
