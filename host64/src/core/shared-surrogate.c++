// Surrogates: which executable serves an architecture, and one process shared by the modules
// loaded into it, replaced when it stops.
#include "core/shared-surrogate.h"

#include "core/c-api.h"

#include <cstdlib>
#include <vector>

#include "dynamic-library.h"
#include "logging.h"
#include "module-file.h"

namespace bridge32 {

namespace {

// Where an installed bridge32 keeps the surrogates, from the directory of the module holding
// this code: if that is the prefix's bin/ or lib/ directory (as installed), the surrogate
// directory under the same prefix. Empty when the module is not where an install puts it.
std::filesystem::path installedSurrogateDirectory(const std::filesystem::path& moduleDirectory) {
  for (std::filesystem::path installDirectory : {std::filesystem::path(BRIDGE32_INSTALL_BINDIR),
                                                 std::filesystem::path(BRIDGE32_INSTALL_LIBDIR)}) {
    // Does moduleDirectory end with installDirectory's components? Then what is left is the prefix.
    std::filesystem::path prefix = moduleDirectory;
    bool matches = true;
    std::vector<std::filesystem::path> parts(installDirectory.begin(), installDirectory.end());
    for (auto part = parts.rbegin(); part != parts.rend() && matches; ++part) {
      matches = prefix.filename() == *part;
      prefix = prefix.parent_path();
    }
    if (matches) return prefix / BRIDGE32_INSTALL_SURROGATE_DIR;
  }
  return {};
}

}  // namespace

std::filesystem::path surrogateExecutable(Architecture architecture, const LoadOptions& options) {
  std::string name = "bridge32-surrogate-" + std::string(toString(architecture));
#if _WIN32
  name += ".exe";
#endif
  if (!options.surrogateDirectory.empty()) return options.surrogateDirectory / name;
  if (const char* fromEnvironment = std::getenv("BRIDGE32_SURROGATE_DIR")) {
    return pathFromUtf8(fromEnvironment) / name;
  }
  // Beside the application (which may ship its own), beside the library (a build tree, or
  // Windows' bin/), then the installed layout; if none has it, the first is named in the error.
  std::filesystem::path executableDirectory = runningExecutable().parent_path();
  std::filesystem::path moduleDirectory =
      moduleContaining(reinterpret_cast<const void*>(&surrogateExecutable)).parent_path();
  std::error_code error;
  for (const auto& directory : {executableDirectory, moduleDirectory,
                                installedSurrogateDirectory(moduleDirectory)}) {
    if (!directory.empty() && std::filesystem::exists(directory / name, error)) {
      return directory / name;
    }
  }
  return executableDirectory / name;
}

namespace {

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
    file = readModuleFile(executable, role);
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

LiveSurrogate::LiveSurrogate(Starter start, bool sandboxed)
    : start_(std::move(start)), sandboxed_(sandboxed), client_(start_()) {
  architecture_ = client_->architecture();
}

std::shared_ptr<SurrogateClient> LiveSurrogate::client() const {
  std::lock_guard lock(mutex_);
  return client_;
}

std::shared_ptr<SurrogateClient> LiveSurrogate::running() {
  std::lock_guard starting(startMutex_);
  auto current = client();
  if (!current->isLost()) return current;
  auto fresh = start_();
  logging::info("surrogate {} replaces surrogate {}, which stopped", fresh->pid(), current->pid());
  std::lock_guard lock(mutex_);
  client_ = fresh;
  return fresh;  // the stopped one's remains go when its last user lets go, outside the locks
}

std::shared_ptr<LiveSurrogate> startLiveSurrogate(Architecture architecture,
                                                 const LoadOptions& options) {
  auto executable = surrogateExecutable(architecture, options);
  checkSurrogate(executable, architecture);
  SurrogateClient::Timing timing{options.startTimeout, options.heartbeatInterval,
                                 options.heartbeatTimeout};
  SurrogateProcess::Launch launch;
  launch.sandbox = options.sandbox;
  launch.environment = options.environment;
  return std::make_shared<LiveSurrogate>(
      [executable, architecture, timing, launch] {
        return SurrogateClient::start(executable, architecture, timing, launch);
      },
      options.sandbox);
}

std::shared_ptr<LiveSurrogate> liveSurrogateOf(const SharedSurrogate& surrogate) {
  return surrogate.handle()->surrogate;
}

std::shared_ptr<LiveSurrogate> surrogateFor(const LoadPlan& plan,
                                            const std::filesystem::path& path,
                                            const LoadOptions& options) {
  if (!options.surrogate) return startLiveSurrogate(plan.file.architecture, options);
  std::shared_ptr<LiveSurrogate> given = liveSurrogateOf(*options.surrogate);
  if (options.sandbox && !given->isSandboxed()) {
    throw Error(Error::Kind::invalidArgument,
                "'" + utf8(path) + "' is to load sandboxed, and the surrogate " +
                    std::to_string(given->client()->pid()) +
                    " given for it is not: start it with LoadOptions::sandbox too");
  }
  if (given->architecture() != plan.file.architecture) {
    throw Error(Error::Kind::badModule,
                "'" + utf8(path) + "' is a " + plan.file.describe() + " and cannot load into the " +
                    std::string(toString(given->architecture())) + " surrogate " +
                    std::to_string(given->client()->pid()));
  }
  return given;
}

std::filesystem::path pathForSurrogate(const std::filesystem::path& path) {
  std::error_code error;
  auto absolute = std::filesystem::absolute(path, error);
  return error ? path : absolute;
}

}  // namespace bridge32
