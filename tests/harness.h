// What the GoogleTest suites share: the shared 32-bit surrogate, the three placements of a
// plugin, a recording HostCallbacks, and expectError.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bridge32/host.h"
#include "support.h"

namespace bridge32::test {

// Load options with a start timeout long enough for a 32-bit process under Wine and QEMU.
LoadOptions baseOptions();

// bridge32's log records to stderr, as the test programs have them (set before every test).
void logToStandardError();

// One x86 surrogate for the whole test program, started on first use (a 32-bit Windows process
// under Wine on an emulated CPU takes about a minute to start) and shut down before it exits.
std::shared_ptr<SharedSurrogate>& sharedX86();

// Where a test runs the sample plugins: in-process, in a 64-bit surrogate of its own, or in the
// shared 32-bit surrogate. Test names carry `name`; "32" in a name puts a test in the Windows
// x86 group (tests/CMakeLists.txt).
struct Placement {
  const char* name;
  Architecture architecture;
  Isolation isolation;
  bool sandbox = false;  // LoadOptions::sandbox: in a surrogate of its own
};
const Placement kInProcess64{"InProcess64", Architecture::x64, Isolation::inProcess};
const Placement kSurrogate64{"Surrogate64", Architecture::x64, Isolation::surrogate};
const Placement kSurrogate32{"Surrogate32", Architecture::x86, Isolation::automatic};
const Placement kSandboxed32{"Sandboxed32", Architecture::x86, Isolation::automatic, true};

LoadOptions optionsFor(const Placement& setup);
std::unique_ptr<PluginModule> loadSamples(const Placement& setup);

// What a module tells the application of its surrogate's stops and restarts (ModuleEvents), as
// lines: "stopped: why", "restarted", "failed: why" / "retrying: why".
class ModuleReports {
 public:
  ModuleEvents events() {
    return {[this](std::string_view why) { add("stopped: " + std::string(why)); },
            [this] { add("restarted"); },
            [this](std::string_view why, bool willRetry) {
              add((willRetry ? "retrying: " : "failed: ") + std::string(why));
            }};
  }
  // The lines once there are `count` of them, or as many as came within `timeout`.
  std::vector<std::string> await(size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    added_.wait_for(lock, timeout, [&] { return lines_.size() >= count; });
    return lines_;
  }

 private:
  void add(std::string line) {
    std::lock_guard lock(mutex_);
    lines_.push_back(std::move(line));
    added_.notify_all();
  }
  std::mutex mutex_;
  std::condition_variable added_;
  std::vector<std::string> lines_;
};

// Records callbacks; they arrive on the bridge's threads for bridged plugins.
class RecordingCallbacks final : public HostCallbacks {
 public:
  struct RestartFailure {
    std::string why;
    bool willRetry;
  };

  void log(LogLevel level, std::string_view message) override;
  void paramChanged(uint32_t id, double value) override;
  void editorResized(EditorSize size) override;
  void pluginStopped(std::string_view why) override;
  void pluginRestarted() override;
  void pluginRestartFailed(std::string_view why, bool willRetry) override;

  std::vector<std::string> logs() const;
  std::vector<std::pair<uint32_t, double>> changes() const;
  std::vector<EditorSize> resizes() const;
  std::string why() const;  // how the plugin last stopped; empty if it never did
  int stops() const;
  int restarts() const;
  // For each restart, the milliseconds from the stop before it.
  std::vector<double> downtimes() const;
  std::vector<RestartFailure> restartFailures() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> logs_;
  std::vector<std::pair<uint32_t, double>> changes_;
  std::vector<EditorSize> resizes_;
  std::string why_;
  int stops_ = 0, restarts_ = 0;
  std::chrono::steady_clock::time_point lastStop_;
  std::vector<double> downtimes_;
  std::vector<RestartFailure> restartFailures_;
};

// The bridge32::Error `body` throws; a test failure if it throws none.
template <typename Body>
Error expectError(Body&& body) {
  try {
    body();
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "no bridge32::Error was thrown";
  return Error(Error::Kind::failed, "none");
}

}  // namespace bridge32::test
