// What a plugin says to its host (log lines, parameter changes), as legacy plugins say it: from
// threads of their own in the middle of a call, a million times in one call, about parameters
// they do not have. The b32-chatty fixture says each on request; every case runs in-process, in
// a 64-bit surrogate and in the genuine 32-bit one, and the host must see the same.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bridge32/host.h"
#include "harness.h"

namespace bridge32 {
namespace {

using Clock = std::chrono::steady_clock;
using test::Placement;
using test::RecordingCallbacks;

constexpr const char* kChatty = "com.bridge32.fixtures.chatty";
constexpr uint32_t kLogLines = 1, kFromAThread = 2, kLevelChanges = 3, kLevel = 4,
                   kBadChanges = 5, kHold = 6;
constexpr uint32_t kFlood = 1'000'000;
// In-process, a million lines take the plugin 0.04 s and the host 6 MB: a surrogate may use some
// memory of its own, but nothing that grows with the flood. Measured as the growth of the
// surrogate's peak across the flood: the shared 32-bit surrogate's peak before it depends on
// what the tests before this one loaded there.
constexpr uint64_t kMaxSurrogateGrowth = 32u << 20;

double millisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

class Callbacks : public ::testing::TestWithParam<Placement> {
 protected:
  std::unique_ptr<PluginInstance> chatty(HostCallbacks& callbacks) {
    module_ = PluginModule::load(test::pluginPath(GetParam().architecture, "b32-chatty"),
                                 test::optionsFor(GetParam()));
    auto instance = module_->createInstance(kChatty, callbacks);
    if (module_->isBridged()) peakBefore_ = test::peakMemoryBytes(module_->surrogatePid());
    return instance;
  }

  // The surrogate's peak memory, printed; nothing in-process.
  void expectFlatSurrogateMemory(const char* after) {
    if (!module_->isBridged()) return;
    auto peak = test::peakMemoryBytes(module_->surrogatePid());
    ASSERT_TRUE(peak) << "cannot read the memory of surrogate " << module_->surrogatePid();
    ASSERT_TRUE(peakBefore_);
    std::printf("[ figures  ] %s: surrogate peak memory %.1f MB after %s (%.1f MB before)\n",
                GetParam().name, double(*peak) / (1 << 20), after,
                double(*peakBefore_) / (1 << 20));
    EXPECT_LT(*peak - *peakBefore_, kMaxSurrogateGrowth) << after;
  }

  std::unique_ptr<PluginModule> module_;
  std::optional<uint64_t> peakBefore_;
};

// Counts "line <i>" log lines, checking their order, and what the host says was dropped.
class FloodCounter final : public HostCallbacks {
 public:
  void log(LogLevel, std::string_view message) override {
    std::lock_guard lock(mutex_);
    unsigned line = 0;
    unsigned long long dropped = 0;
    std::string text(message);
    if (std::sscanf(text.c_str(), "line %u", &line) == 1) {
      if (received_ > 0 && line <= last_) outOfOrder_ = true;
      last_ = line;
      ++received_;
    } else if (std::sscanf(text.c_str(), "bridge32: %llu log lines", &dropped) == 1) {
      dropped_ += dropped;
    }
  }
  uint64_t received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }
  uint64_t dropped() const {
    std::lock_guard lock(mutex_);
    return dropped_;
  }
  bool outOfOrder() const {
    std::lock_guard lock(mutex_);
    return outOfOrder_;
  }

 private:
  mutable std::mutex mutex_;
  uint64_t received_ = 0, dropped_ = 0;
  unsigned last_ = 0;
  bool outOfOrder_ = false;
};

TEST_P(Callbacks, FromAPluginThreadInTheMiddleOfACallArriveInOrderBeforeItReturns) {
  RecordingCallbacks callbacks;
  auto plugin = chatty(callbacks);
  constexpr uint32_t kCount = 200;
  auto start = Clock::now();
  {
    // Before the fix: the surrogate deadlocked and this deadline killed it.
    CallDeadline deadline(std::chrono::seconds(20));
    plugin->setParam(kFromAThread, kCount);
  }
  std::printf("[ figures  ] %s: %u lines and changes from a plugin thread in %.1f ms\n",
              GetParam().name, kCount, millisecondsSince(start));

  auto logs = callbacks.logs();
  auto changes = callbacks.changes();
  ASSERT_EQ(logs.size(), kCount);
  ASSERT_EQ(changes.size(), kCount);
  for (uint32_t i = 0; i < kCount; ++i) {
    EXPECT_EQ(logs[i], "thread line " + std::to_string(i + 1));
    EXPECT_EQ(changes[i], std::make_pair(kLevel, double(i + 1) / kCount));
  }
  EXPECT_EQ(plugin->param(kLevel), 1.0);
}

// Stamps when the plugin said it holds the call.
class HoldWatcher final : public HostCallbacks {
 public:
  void log(LogLevel, std::string_view message) override {
    std::lock_guard lock(mutex_);
    if (message == "holding") said_ = Clock::now();
  }
  std::optional<Clock::time_point> said() const {
    std::lock_guard lock(mutex_);
    return said_;
  }

 private:
  mutable std::mutex mutex_;
  std::optional<Clock::time_point> said_;
};

TEST_P(Callbacks, ArriveWhileTheCallThatMadeThemIsStillRunning) {
  HoldWatcher watcher;
  auto plugin = chatty(watcher);
  plugin->setParam(kHold, 1500);
  auto returned = Clock::now();
  ASSERT_TRUE(watcher.said());
  double early = std::chrono::duration<double, std::milli>(returned - *watcher.said()).count();
  std::printf("[ figures  ] %s: a log line arrived %.0f ms before its 1500 ms call returned\n",
              GetParam().name, early);
  EXPECT_GT(early, 1000.0) << "the line waited for the call to end";
}

TEST_P(Callbacks, AMillionLogLinesInOneCallKeepTheSurrogateFlatAndAreAllAccountedFor) {
  FloodCounter counter;
  auto plugin = chatty(counter);
  auto start = Clock::now();
  {
    CallDeadline deadline(std::chrono::minutes(2));
    plugin->setParam(kLogLines, kFlood);
  }
  double took = millisecondsSince(start);
  std::printf("[ figures  ] %s: %u lines in %.0f ms: %llu delivered, %llu dropped\n",
              GetParam().name, kFlood, took, (unsigned long long)counter.received(),
              (unsigned long long)counter.dropped());
  // Every line either reached the host, in order, or was counted as dropped.
  EXPECT_FALSE(counter.outOfOrder());
  EXPECT_EQ(counter.received() + counter.dropped(), kFlood);
  if (!plugin->isRunning()) FAIL() << "the surrogate died";
  expectFlatSurrogateMemory("a million log lines");
  // And the plugin still answers.
  plugin->setParam(kLevel, 0.5);
  EXPECT_EQ(plugin->param(kLevel), 0.5);
}

// HostCallbacks' own log(), which an application that overrides nothing gets, writes each line
// to bridge32's log as a record of source "plugin": the application's log handler sees them.
TEST_P(Callbacks, LinesAHostLeavesToTheDefaultReachTheLogHandlerAsPluginRecords) {
  struct Heard {
    std::mutex mutex;
    std::vector<std::string> lines;
  };
  auto heard = std::make_shared<Heard>();
  setLogHandler(
      [heard](const LogRecord& record) {
        if (record.source != "plugin") return;
        std::lock_guard lock(heard->mutex);
        heard->lines.emplace_back(record.message);
      },
      LogLevel::trace);
  HostCallbacks defaults;
  auto plugin = chatty(defaults);
  plugin->setParam(kLogLines, 3);
  test::logToStandardError();  // the harness's handler again: nothing more arrives at `heard`
  std::lock_guard lock(heard->mutex);
  EXPECT_EQ(heard->lines, (std::vector<std::string>{"line 0", "line 1", "line 2"}));
}

TEST_P(Callbacks, AMillionParameterChangesInOneCallEndAtTheLastValue) {
  RecordingCallbacks callbacks;
  auto plugin = chatty(callbacks);
  auto start = Clock::now();
  {
    CallDeadline deadline(std::chrono::minutes(2));
    plugin->setParam(kLevelChanges, kFlood);
  }
  double took = millisecondsSince(start);
  auto changes = callbacks.changes();
  std::printf("[ figures  ] %s: %u parameter changes in %.0f ms: %zu delivered\n",
              GetParam().name, kFlood, took, changes.size());
  ASSERT_FALSE(changes.empty());
  EXPECT_LE(changes.size(), kFlood);
  EXPECT_EQ(changes.back(), std::make_pair(kLevel, 1.0)) << "the last value is the one that counts";
  expectFlatSurrogateMemory("a million parameter changes");
  EXPECT_EQ(plugin->param(kLevel), 1.0);
}

TEST_P(Callbacks, ChangesOfParametersThePluginDoesNotHaveOrToValuesOutsideTheRangeAreRefused) {
  RecordingCallbacks callbacks;
  auto plugin = chatty(callbacks);
  plugin->setParam(kBadChanges, 1);
  auto changes = callbacks.changes();
  ASSERT_EQ(changes.size(), 1u) << "only the change of 'level' to 0.25 is a real one";
  EXPECT_EQ(changes[0], std::make_pair(kLevel, 0.25));
}

INSTANTIATE_TEST_SUITE_P(Chatty, Callbacks,
                         ::testing::Values(test::kInProcess64, test::kSurrogate64,
                                           test::kSurrogate32),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace bridge32
