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

// The tests that start 32-bit Windows processes (the shared surrogate's users, and those that
// start surrogates or the tool of their own for 32-bit modules), by their names.
constexpr const char* k32BitWindowsTests =
    "*/Surrogate32:*/Sandboxed32:*/x86:*In32BitSurrogate:*ByThe32BitSurrogate:Wrapped32.*:"
    "LoadErrors.*32:FixtureIn32Bits.*:EditorScreenshot.Embedded32Bit*:Com.*:ComProbe.*:"
    "ComCommand.*:Vst2Shim.*:BadInput.ModuleWithoutEntryPoint:BadInput.UnsupportedSdkVersion:"
    "BadInput.PathWithNonAsciiCharacters:VendorHeaderWindows.*:VendorHeaderSqlite.*:"
    "Tool.RunsWavFilesThroughAPluginExactly:Sandbox.*:"
    "Leaks.BulkCallsThatCrashOrHangLeaveNoSharedMemoryBehind:WrapTool.*:"
    "FixtureWrapperFile.*";

// Under Wine where i386 code runs under QEMU, 32-bit Windows processes take one to two minutes
// each to start and lose wake-ups at random (a call into the shared surrogate hung for the whole
// three-minute deadline; "wine client error: partial wakeup read 0"): the tests that start them
// are left out there, said at the start, and run where 32-bit code is native. The Linux i386
// tests, native or under QEMU, and the Windows x64 ones run everywhere.
void leaveOut32BitWindowsTestsWhereEmulated() {
#if _WIN32
  if (!i386UnderQemu()) return;
  std::string filter = GTEST_FLAG_GET(filter);
  filter += filter.find('-') == std::string::npos ? "-" : ":";
  GTEST_FLAG_SET(filter, filter + k32BitWindowsTests);
  std::printf("[  NOTE    ] i386 code runs under QEMU here: the tests that start 32-bit Windows "
              "processes are left out (%s)\n",
              k32BitWindowsTests);
#endif
}

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

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  bridge32::test::leaveOut32BitWindowsTestsWhereEmulated();
  return RUN_ALL_TESTS();
}
