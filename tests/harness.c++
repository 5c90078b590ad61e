#include "harness.h"

#include <cstdio>
#include <mutex>
#include <string>

namespace bridge32::test {

LoadOptions baseOptions() {
  LoadOptions options;
  options.startTimeout = std::chrono::minutes(3);
  return options;
}

void logToStandardError() {
  setLogHandler(
      [](const LogRecord& record) {
        static std::mutex mutex;
        std::lock_guard lock(mutex);
        static const char* const kLevels[] = {"trace", "debug", "info", "warning", "error",
                                              "critical"};
        std::fprintf(stderr, "[%.*s] [%s] %.*s\n", int(record.source.size()),
                     record.source.data(), kLevels[int(record.level)],
                     int(record.message.size()), record.message.data());
      },
      LogLevel::info);
}

namespace {

// What bridge32 logs goes to stderr with the test's output, as an application would choose.
[[maybe_unused]] const auto* const kLog = ::testing::AddGlobalTestEnvironment([] {
  struct Log : ::testing::Environment {
    void SetUp() override { logToStandardError(); }
  };
  return new Log;
}());

// Releases the shared surrogate before the program exits: a connection torn down during static
// destruction, after main, is torn down with its threads' runtime half gone.
class SharedX86Surrogate : public ::testing::Environment {
 public:
  static std::shared_ptr<SharedSurrogate>& get() {
    if (!surrogate_) surrogate_ = startSurrogate(Architecture::x86, baseOptions());
    return surrogate_;
  }
  void TearDown() override { surrogate_.reset(); }

 private:
  static inline std::shared_ptr<SharedSurrogate> surrogate_;
};

[[maybe_unused]] const auto* const kSharedX86 =
    ::testing::AddGlobalTestEnvironment(new SharedX86Surrogate);

}  // namespace

std::shared_ptr<SharedSurrogate>& sharedX86() { return SharedX86Surrogate::get(); }

LoadOptions optionsFor(const Placement& setup) {
  LoadOptions options = baseOptions();
  options.isolation = setup.isolation;
  options.sandbox = setup.sandbox;
  if (setup.architecture == Architecture::x86 && !setup.sandbox) options.surrogate = sharedX86();
  return options;
}

std::unique_ptr<PluginModule> loadSamples(const Placement& setup) {
  return PluginModule::load(pluginPath(setup.architecture, "b32-samples"), optionsFor(setup));
}

void RecordingCallbacks::log(LogLevel, std::string_view message) {
  std::lock_guard lock(mutex_);
  logs_.emplace_back(message);
}

void RecordingCallbacks::paramChanged(uint32_t id, double value) {
  std::lock_guard lock(mutex_);
  changes_.emplace_back(id, value);
}

void RecordingCallbacks::editorResized(EditorSize size) {
  std::lock_guard lock(mutex_);
  resizes_.push_back(size);
}

void RecordingCallbacks::pluginStopped(std::string_view why) {
  std::lock_guard lock(mutex_);
  why_ = why;
  ++stops_;
  lastStop_ = std::chrono::steady_clock::now();
}

void RecordingCallbacks::pluginRestarted() {
  std::lock_guard lock(mutex_);
  ++restarts_;
  downtimes_.push_back(
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - lastStop_)
          .count());
}

void RecordingCallbacks::pluginRestartFailed(std::string_view why, bool willRetry) {
  std::lock_guard lock(mutex_);
  restartFailures_.push_back({std::string(why), willRetry});
}

std::vector<std::string> RecordingCallbacks::logs() const {
  std::lock_guard lock(mutex_);
  return logs_;
}

std::vector<std::pair<uint32_t, double>> RecordingCallbacks::changes() const {
  std::lock_guard lock(mutex_);
  return changes_;
}

std::vector<EditorSize> RecordingCallbacks::resizes() const {
  std::lock_guard lock(mutex_);
  return resizes_;
}

std::string RecordingCallbacks::why() const {
  std::lock_guard lock(mutex_);
  return why_;
}

int RecordingCallbacks::stops() const {
  std::lock_guard lock(mutex_);
  return stops_;
}

int RecordingCallbacks::restarts() const {
  std::lock_guard lock(mutex_);
  return restarts_;
}

std::vector<double> RecordingCallbacks::downtimes() const {
  std::lock_guard lock(mutex_);
  return downtimes_;
}

std::vector<RecordingCallbacks::RestartFailure> RecordingCallbacks::restartFailures() const {
  std::lock_guard lock(mutex_);
  return restartFailures_;
}

}  // namespace bridge32::test
