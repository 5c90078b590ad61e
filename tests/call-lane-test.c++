// Hot calls through shared memory (call lanes): the same results as in-process and over the pipe,
// buffers the application processes in place, a process path that allocates nothing on either
// side, and none of the isolation weakened: a surrogate that dies in process() wakes the caller
// at once, one that hangs there passes the deadline, and a restarted plugin serves the same
// buffers. Run against the sample plugins in a 64-bit surrogate and in the shared i386 one.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <mutex>
#include <thread>

#include "bridge32/plugin.h"
#include "core/allocation-count.h"
#include "harness.h"
#include "support.h"

namespace bridge32 {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using test::expectError;
using test::Placement;
using test::RecordingCallbacks;

constexpr const char* kGain = "com.bridge32.samples.gain";
constexpr const char* kMeter = "com.bridge32.samples.meter";
constexpr const char* kFaulty = "com.bridge32.samples.faulty";
constexpr uint32_t kGainParam = 1, kPeakParam = 1;
constexpr uint32_t kFaultExitCode = 2, kProcessFault = 3;
constexpr uint32_t kFaultAbort = 4, kFaultSleep = 8;  // samples/plugins/faulty.c++

std::vector<float> ramp(size_t samples, float scale) {
  std::vector<float> values(samples);
  for (size_t i = 0; i < samples; ++i) values[i] = scale * std::sin(float(i) * 0.01f);
  return values;
}

double millisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// bridge32's log records while it lives, through the handler an application would set.
class CapturedLog {
 public:
  CapturedLog() {
    setLogHandler(
        [this](const LogRecord& record) {
          std::lock_guard lock(mutex_);
          lines_.emplace_back(record.message);
        },
        LogLevel::debug);
  }
  ~CapturedLog() { test::logToStandardError(); }
  bool contains(const std::string& text) {
    std::lock_guard lock(mutex_);
    for (const auto& line : lines_) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> lines_;
};

class Lanes : public ::testing::TestWithParam<Placement> {};

TEST_P(Lanes, ProcessGivesWhatTheSamePluginGivesInProcessWithCopiesAndInPlace) {
  auto bridged = test::loadSamples(GetParam());
  ASSERT_TRUE(bridged->isBridged());
  auto local = test::loadSamples(test::kInProcess64);
  HostCallbacks callbacks;
  auto remote = bridged->createInstance(kGain, callbacks);
  auto reference = local->createInstance(kGain, callbacks);
  for (auto* instance : {remote.get(), reference.get()}) {
    instance->setParam(kGainParam, 0.5);
    instance->activate(48000, 4096);
  }
  EXPECT_EQ(remote->param(kGainParam), 0.5);

  for (auto [channels, frames] : {std::pair{2u, 512u}, std::pair{8u, 4096u}, std::pair{1u, 1u}}) {
    size_t samples = size_t(channels) * frames;
    auto input = ramp(samples, 0.8f);
    std::vector<float> expected(samples), copied(samples);
    reference->process(channels, frames, input, expected);
    remote->process(channels, frames, input, copied);
    // In place: the bridge's buffers, the same ones for the same shape.
    auto buffers = remote->audioBuffers(channels, frames);
    ASSERT_EQ(buffers.input.size(), samples);
    ASSERT_EQ(buffers.output.size(), samples);
    EXPECT_EQ(remote->audioBuffers(channels, frames).input.data(), buffers.input.data());
    std::copy(input.begin(), input.end(), buffers.input.begin());
    // The reference's state moved on by one block: run it again to compare the second block.
    std::vector<float> expectedAgain(samples);
    reference->process(channels, frames, input, expectedAgain);
    remote->processAudioBuffers(channels, frames);
    for (size_t i = 0; i < samples; ++i) {
      ASSERT_NEAR(copied[i], expected[i], 1e-6) << channels << "x" << frames << " at " << i;
      ASSERT_NEAR(buffers.output[i], expectedAgain[i], 1e-6) << channels << "x" << frames << " at " << i;
    }
  }
  Error tooLarge = expectError([&] { remote->audioBuffers(65, 64); });
  EXPECT_EQ(tooLarge.kind(), Error::Kind::invalidArgument) << tooLarge.message();
}

TEST_P(Lanes, ProcessAllocatesNothingOnEitherSide) {
  auto module = test::loadSamples(GetParam());
  HostCallbacks callbacks;
  auto gain = module->createInstance(kGain, callbacks);
  gain->activate(48000, 512);
  auto input = ramp(2 * 512, 0.5f);
  std::vector<float> output(input.size());
  CapturedLog log;
  gain->process(2, 512, input, output);  // the first block may set things up
  auto buffers = gain->audioBuffers(2, 512);
  uint64_t before = allocationsOnThisThread();
  for (int block = 0; block < 200; ++block) {
    gain->process(2, 512, input, output);
    gain->processAudioBuffers(2, 512);
  }
  uint64_t made = allocationsOnThisThread() - before;
  EXPECT_EQ(made, 0u) << "allocations on the host's audio thread in 400 bridged blocks";
  EXPECT_FALSE(log.contains("allocations in the surrogate"))
      << "the surrogate's audio thread allocated while processing";
  EXPECT_GT(buffers.output[100], 0.0f);
}

TEST_P(Lanes, WhatAPluginSaysFromInsideProcessIsHeardBeforeProcessReturns) {
  auto module = test::loadSamples(GetParam());
  RecordingCallbacks callbacks;
  auto meter = module->createInstance(kMeter, callbacks);
  meter->activate(48000, 256);
  for (float peak : {0.25f, 0.5f, 0.125f}) {
    std::vector<float> input(256, 0.0f), output(256);
    input[7] = peak;
    meter->process(1, 256, input, output);
    auto changes = callbacks.changes();
    ASSERT_FALSE(changes.empty());
    EXPECT_EQ(changes.back(), std::make_pair(kPeakParam, double(peak)));
    EXPECT_EQ(meter->param(kPeakParam), double(peak));
  }
}

TEST_P(Lanes, ParametersFromTwoThreadsAtOnceAllArrive) {
  auto module = test::loadSamples(GetParam());
  HostCallbacks callbacks;
  auto gain = module->createInstance(kGain, callbacks);
  gain->activate(48000, 256);
  std::atomic<bool> done{false};
  // One thread processes (the audio lane) while this one sets and reads parameters (the main
  // lane, or the pipe when another thread holds it).
  std::thread audio([&] {
    std::vector<float> input(2 * 256, 0.5f), output(input.size());
    while (!done) gain->process(2, 256, input, output);
  });
  for (int i = 0; i < 500; ++i) {
    double value = (i % 40) / 10.0;
    gain->setParam(kGainParam, value);
    ASSERT_EQ(gain->param(kGainParam), value);
  }
  done = true;
  audio.join();
}

class LaneIsolation : public ::testing::TestWithParam<Architecture> {};

TEST_P(LaneIsolation, ASurrogateThatDiesInProcessWakesTheCallerAtOnceAndRestartsWithItsBuffers) {
  LoadOptions options = test::baseOptions();
  options.isolation = Isolation::surrogate;
  options.callTimeout = std::chrono::minutes(2);  // far beyond what detection may take
  auto module = PluginModule::load(test::pluginPath(GetParam(), "b32-faulty"), options);
  RecordingCallbacks callbacks;
  auto faulty = module->createInstance(kFaulty, callbacks);
  faulty->setParam(kFaultExitCode, 7);
  faulty->activate(48000, 128);
  auto buffers = faulty->audioBuffers(2, 128);
  std::fill(buffers.input.begin(), buffers.input.end(), 0.25f);
  faulty->processAudioBuffers(2, 128);
  EXPECT_EQ(buffers.output[5], 0.25f);
  uint32_t firstPid = module->surrogatePid();

  faulty->setParam(kProcessFault, kFaultAbort);
  auto start = Clock::now();
  Error error = expectError([&] { faulty->processAudioBuffers(2, 128); });
  double detection = millisecondsSince(start);
  EXPECT_EQ(error.kind(), Error::Kind::disconnected) << error.message();
  EXPECT_NE(error.message().find("b32-faulty"), std::string::npos) << error.message();
  EXPECT_LT(detection, 10'000.0) << "woken by the death, not by the two-minute deadline";
  std::printf("[ figures  ] abort in process(): detected in %.1f ms\n", detection);

  ASSERT_TRUE(faulty->restart());
  EXPECT_NE(module->surrogatePid(), firstPid);
  EXPECT_EQ(faulty->param(kFaultExitCode), 7) << "restored";
  // Restored too, as every parameter the host set: disarmed by hand.
  EXPECT_EQ(faulty->param(kProcessFault), kFaultAbort);
  faulty->setParam(kProcessFault, 0);
  // The same buffers, now served by the new surrogate.
  std::fill(buffers.input.begin(), buffers.input.end(), -0.5f);
  faulty->processAudioBuffers(2, 128);
  EXPECT_EQ(buffers.output[200], -0.5f);
}

TEST_P(LaneIsolation, AHangInProcessPassesTheDeadline) {
  LoadOptions options = test::baseOptions();
  options.isolation = Isolation::surrogate;
  auto module = PluginModule::load(test::pluginPath(GetParam(), "b32-faulty"), options);
  RecordingCallbacks callbacks;
  auto faulty = module->createInstance(kFaulty, callbacks);
  faulty->activate(48000, 64);
  faulty->setParam(kProcessFault, kFaultSleep);
  std::vector<float> input(64), output(64);
  auto start = Clock::now();
  Error error = expectError([&] {
    CallDeadline deadline(milliseconds(300));
    faulty->process(1, 64, input, output);
  });
  double detection = millisecondsSince(start);
  EXPECT_EQ(error.kind(), Error::Kind::timeout) << error.message();
  EXPECT_GE(detection, 300.0);
  EXPECT_LT(detection, 10'000.0);
  Error later = expectError([&] { faulty->param(kFaultExitCode); });
  EXPECT_EQ(later.kind(), Error::Kind::disconnected) << later.message();
}

INSTANTIATE_TEST_SUITE_P(Placements, Lanes, ::testing::Values(test::kSurrogate64, test::kSurrogate32),
                         [](const auto& info) { return std::string(info.param.name); });
INSTANTIATE_TEST_SUITE_P(Faulty, LaneIsolation,
                         ::testing::Values(Architecture::x64, Architecture::x86),
                         [](const auto& info) { return std::string(toString(info.param)); });

}  // namespace
}  // namespace bridge32
