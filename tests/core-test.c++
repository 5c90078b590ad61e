// Unit tests of host64/src/core, the machinery every module kind shares: restart supervision,
// per-thread call deadlines, and how call rules name what failed. (The surrogate process, its
// connection and the heartbeat are exercised with real processes in isolation-test.)
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/call-rules.h"
#include "core/restart-supervisor.h"

namespace bridge32 {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Records what a RestartSupervisor does, and when.
struct SupervisedModule {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<Clock::time_point> attempts;
  std::vector<std::pair<std::string, bool>> failures;  // why, willRetry
  int failuresToCome = 0;  // attempts that throw before one succeeds

  void restart() {
    std::lock_guard lock(mutex);
    attempts.push_back(Clock::now());
    changed.notify_all();
    if (failuresToCome > 0) {
      --failuresToCome;
      throw std::runtime_error("attempt " + std::to_string(attempts.size()) + " failed");
    }
  }
  void failed(std::string_view why, bool willRetry) {
    std::lock_guard lock(mutex);
    failures.emplace_back(std::string(why), willRetry);
    changed.notify_all();
  }
  // Waits until `done` holds; false after 5 s.
  template <typename Done>
  bool waitFor(Done done) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 5s, [&] { return done(*this); });
  }
};

RestartPolicy quickPolicy() {
  RestartPolicy policy;
  policy.automatic = true;
  policy.maxAttempts = 3;
  policy.firstDelay = 20ms;
  policy.maxDelay = 80ms;
  policy.stableAfter = 10s;
  return policy;
}

RestartSupervisor supervising(SupervisedModule& module, RestartPolicy policy) {
  return RestartSupervisor(
      policy, [&module] { module.restart(); },
      [&module](std::string_view why, bool willRetry) { module.failed(why, willRetry); });
}

TEST(RestartSupervisor, RestartsAfterTheFirstDelay) {
  SupervisedModule module;
  auto supervisor = supervising(module, quickPolicy());
  auto stopped = Clock::now();
  supervisor.stopped();
  ASSERT_TRUE(module.waitFor([](auto& m) { return m.attempts.size() == 1; }));
  EXPECT_GE(module.attempts[0] - stopped, 20ms);
  EXPECT_TRUE(module.failures.empty());
}

TEST(RestartSupervisor, BacksOffDoublingUpToTheMaximumAndGivesUpAfterMaxAttempts) {
  SupervisedModule module;
  module.failuresToCome = 100;
  auto supervisor = supervising(module, quickPolicy());
  auto stopped = Clock::now();
  supervisor.stopped();
  ASSERT_TRUE(module.waitFor([](auto& m) { return m.failures.size() == 3; }));
  std::this_thread::sleep_for(300ms);  // a fourth attempt would have come by now
  std::lock_guard lock(module.mutex);
  ASSERT_EQ(module.attempts.size(), 3u);
  // Delays of 20, 40 and 80 ms before the attempts: each gap at least its delay.
  EXPECT_GE(module.attempts[0] - stopped, 20ms);
  EXPECT_GE(module.attempts[1] - module.attempts[0], 40ms);
  EXPECT_GE(module.attempts[2] - module.attempts[1], 80ms);
  EXPECT_TRUE(module.failures[0].second);
  EXPECT_TRUE(module.failures[1].second);
  EXPECT_FALSE(module.failures[2].second) << "the last attempt says no more will follow";
  EXPECT_EQ(module.failures[2].first, "attempt 3 failed");
}

TEST(RestartSupervisor, AStopPastTheLimitIsReportedNotAttempted) {
  SupervisedModule module;
  auto policy = quickPolicy();
  policy.maxAttempts = 1;
  auto supervisor = supervising(module, policy);
  supervisor.stopped();
  ASSERT_TRUE(module.waitFor([](auto& m) { return m.attempts.size() == 1; }));
  supervisor.restarted(false);  // an automatic restart: the count stays
  supervisor.stopped();
  ASSERT_TRUE(module.waitFor([](auto& m) { return m.failures.size() == 1; }));
  EXPECT_EQ(module.attempts.size(), 1u);
  EXPECT_NE(module.failures[0].first.find("after 1 automatic restarts in a row"), std::string::npos)
      << module.failures[0].first;
  EXPECT_FALSE(module.failures[0].second);
}

TEST(RestartSupervisor, ARestartByHandEarnsTheAttemptsBack) {
  SupervisedModule module;
  auto policy = quickPolicy();
  policy.maxAttempts = 1;
  auto supervisor = supervising(module, policy);
  supervisor.stopped();
  ASSERT_TRUE(module.waitFor([](auto& m) { return m.attempts.size() == 1; }));
  supervisor.restarted(true);
  supervisor.stopped();
  ASSERT_TRUE(module.waitFor([](auto& m) { return m.attempts.size() == 2; }));
  EXPECT_TRUE(module.failures.empty());
}

TEST(RestartSupervisor, DoesNothingUnlessAutomatic) {
  SupervisedModule module;
  auto policy = quickPolicy();
  policy.automatic = false;
  auto supervisor = supervising(module, policy);
  supervisor.stopped();
  std::this_thread::sleep_for(100ms);
  std::lock_guard lock(module.mutex);
  EXPECT_TRUE(module.attempts.empty());
}

TEST(RestartSupervisor, StopCancelsAPendingAttempt) {
  SupervisedModule module;
  auto policy = quickPolicy();
  policy.firstDelay = 10s;
  auto supervisor = supervising(module, policy);
  supervisor.stopped();
  auto stopping = Clock::now();
  supervisor.stop();
  EXPECT_LT(Clock::now() - stopping, 2s) << "stop() waited out the back-off";
  std::lock_guard lock(module.mutex);
  EXPECT_TRUE(module.attempts.empty());
}

TEST(CallDeadline, NestsPerThreadAndTheInnermostWins) {
  EXPECT_EQ(CallDeadline::current(7ms), 7ms);
  {
    CallDeadline outer(100ms);
    EXPECT_EQ(CallDeadline::current(7ms), 100ms);
    {
      CallDeadline inner(5ms);
      EXPECT_EQ(CallDeadline::current(7ms), 5ms);
      std::chrono::milliseconds elsewhere{};
      std::thread([&] { elsewhere = CallDeadline::current(7ms); }).join();
      EXPECT_EQ(elsewhere, 7ms) << "another thread has no override";
    }
    EXPECT_EQ(CallDeadline::current(7ms), 100ms);
  }
  EXPECT_EQ(CallDeadline::current(7ms), 7ms);
}

TEST(CallRules, NameTheModuleAndWhatWasCalled) {
  CallRules rules{"/plugins/old.dll", 1000ms, HangPolicy::kill};
  EXPECT_EQ(rules.describe(""), "module '/plugins/old.dll'");
  EXPECT_EQ(rules.describe("plugin 'Gain'"), "plugin 'Gain' of '/plugins/old.dll'");
}

TEST(CallRules, OnlyADeadOrHungSurrogateEndsIt) {
  EXPECT_TRUE(endsTheSurrogate(Error(Error::Kind::disconnected, "gone")));
  EXPECT_TRUE(endsTheSurrogate(Error(Error::Kind::timeout, "late")));
  for (auto kind : {Error::Kind::failed, Error::Kind::invalidArgument, Error::Kind::notFound,
                    Error::Kind::badState, Error::Kind::surrogateStart}) {
    EXPECT_FALSE(endsTheSurrogate(Error(kind, "x"))) << toString(kind);
  }
}

}  // namespace
}  // namespace bridge32
