// A 64-bit host driving the sample plugins in-process, through a 64-bit surrogate and through a
// genuine 32-bit surrogate: every SDK call, the same answers, bit-identical audio.
//
// The 32-bit cases share one surrogate process for the whole run: a 32-bit Windows process
// under Wine on an emulated CPU takes about a minute to start.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <mutex>
#include <numbers>

#include "bridge32/host.h"
#include "harness.h"

#if _WIN32
#include "win32.h"
#else
#include <signal.h>
#endif

namespace bridge32 {
namespace {

constexpr const char* kGain = "com.bridge32.samples.gain";
constexpr const char* kMeter = "com.bridge32.samples.meter";
constexpr uint32_t kGainParam = 1, kSmoothingParam = 2, kPeakParam = 1;

using test::baseOptions;
using test::expectError;
using test::loadSamples;
using test::optionsFor;
using test::Placement;
using test::RecordingCallbacks;
using test::sharedX86;

// A deterministic test signal: a sine per channel plus a little pseudo-random noise.
std::vector<float> signal(uint32_t channels, uint32_t frames, uint32_t block) {
  std::vector<float> samples(size_t(channels) * frames);
  uint32_t noise = 12345 + block;
  for (uint32_t c = 0; c < channels; ++c) {
    for (uint32_t f = 0; f < frames; ++f) {
      noise = noise * 1664525u + 1013904223u;
      double t = double(block * frames + f) / 48000.0;
      samples[size_t(c) * frames + f] =
          float(0.6 * std::sin(2 * std::numbers::pi * 440.0 * t + c) + (noise >> 8) / double(1 << 24) * 0.1);
    }
  }
  return samples;
}

// Runs `blocks` blocks through a gain instance set to gain 1.7, smoothing 0.6.
std::vector<float> processThroughGain(PluginInstance& gain, uint32_t blocks) {
  constexpr uint32_t channels = 2, frames = 512;
  gain.setParam(kGainParam, 1.7);
  gain.setParam(kSmoothingParam, 0.6);
  gain.activate(48000, frames);
  std::vector<float> all;
  for (uint32_t block = 0; block < blocks; ++block) {
    auto input = signal(channels, frames, block);
    std::vector<float> output(input.size());
    gain.process(channels, frames, input, output);
    all.insert(all.end(), output.begin(), output.end());
  }
  gain.deactivate();
  return all;
}

class EndToEnd : public ::testing::TestWithParam<Placement> {
 protected:
  bool bridged() const { return GetParam().isolation != Isolation::inProcess; }
};

TEST_P(EndToEnd, LoadsTheModuleWhereAsked) {
  auto module = loadSamples(GetParam());
  EXPECT_EQ(module->isBridged(), bridged());
  EXPECT_EQ(module->architecture(), GetParam().architecture);
  EXPECT_EQ(module->sdkVersion().major, 1u);
  if (bridged()) {
    EXPECT_NE(module->surrogatePid(), 0u);
#if _WIN32
    EXPECT_NE(module->surrogatePid(), GetCurrentProcessId());
#else
    EXPECT_NE(module->surrogatePid(), uint32_t(getpid()));
#endif
  }
  ASSERT_EQ(module->plugins().size(), 3u);
  EXPECT_EQ(module->plugins()[0].id, kGain);
  EXPECT_EQ(module->plugins()[0].name, "Gain");
  EXPECT_EQ(module->plugins()[0].vendor, "bridge32 samples");
  EXPECT_EQ(module->plugins()[1].id, kMeter);
  EXPECT_EQ(module->plugins()[2].id, "com.bridge32.samples.tone");
}

TEST_P(EndToEnd, ParametersDescribeGetAndSet) {
  auto module = loadSamples(GetParam());
  HostCallbacks callbacks;
  auto gain = module->createInstance(kGain, callbacks);
  EXPECT_TRUE(gain->hasParams());
  EXPECT_TRUE(gain->hasState());
  EXPECT_TRUE(gain->hasProcess());
  ASSERT_EQ(gain->params().size(), 2u);
  EXPECT_EQ(gain->params()[0].name, "gain");
  EXPECT_EQ(gain->params()[0].maxValue, 4.0);
  EXPECT_EQ(gain->params()[1].name, "smoothing");
  EXPECT_EQ(gain->param(kGainParam), 1.0);
  gain->setParam(kGainParam, 2.5);
  EXPECT_EQ(gain->param(kGainParam), 2.5);
}

TEST_P(EndToEnd, RefusedCallsCarryTypedErrors) {
  auto module = loadSamples(GetParam());
  HostCallbacks callbacks;
  auto gain = module->createInstance(kGain, callbacks);

  Error range = expectError([&] { gain->setParam(kGainParam, 9.0); });
  EXPECT_EQ(range.kind(), Error::Kind::invalidArgument);
  EXPECT_EQ(range.isRemote(), bridged());
  EXPECT_NE(range.message().find("outside [0, 4]"), std::string::npos) << range.what();

  Error unknown = expectError([&] { gain->param(77); });
  EXPECT_EQ(unknown.kind(), Error::Kind::notFound);
  EXPECT_NE(unknown.message().find("77"), std::string::npos);

  std::vector<float> in(64), out(64);
  Error inactive = expectError([&] { gain->process(1, 64, in, out); });
  EXPECT_EQ(inactive.kind(), Error::Kind::badState);

  gain->activate(48000, 32);
  Error tooLong = expectError([&] { gain->process(1, 64, in, out); });
  EXPECT_EQ(tooLong.kind(), Error::Kind::invalidArgument);
  Error mismatch = expectError([&] { gain->process(3, 32, in, out); });
  EXPECT_EQ(mismatch.kind(), Error::Kind::invalidArgument);

  Error noPlugin = expectError([&] { module->createInstance("com.example.nothing", callbacks); });
  EXPECT_EQ(noPlugin.kind(), Error::Kind::notFound);
  EXPECT_NE(noPlugin.message().find("com.example.nothing"), std::string::npos);

  auto meter = module->createInstance(kMeter, callbacks);
  EXPECT_FALSE(meter->hasState());
  Error noState = expectError([&] { meter->saveState(); });
  EXPECT_EQ(noState.kind(), Error::Kind::unsupported);
  EXPECT_NE(noState.message().find("bridge32.state/1"), std::string::npos);
  Error readOnly = expectError([&] { meter->setParam(kPeakParam, 1.0); });
  EXPECT_EQ(readOnly.kind(), Error::Kind::invalidArgument);
}

TEST_P(EndToEnd, StateRoundTrips) {
  auto module = loadSamples(GetParam());
  HostCallbacks callbacks;
  auto first = module->createInstance(kGain, callbacks);
  first->setParam(kGainParam, 3.0);
  first->setParam(kSmoothingParam, 0.25);
  auto state = first->saveState();
  ASSERT_EQ(state.size(), 24u);
  EXPECT_EQ(std::memcmp(state.data(), "B32G", 4), 0);

  auto second = module->createInstance(kGain, callbacks);
  second->loadState(state);
  EXPECT_EQ(second->param(kGainParam), 3.0);
  EXPECT_EQ(second->param(kSmoothingParam), 0.25);

  std::vector<uint8_t> garbage(24, 0xAB);
  Error refused = expectError([&] { second->loadState(garbage); });
  EXPECT_EQ(refused.kind(), Error::Kind::invalidArgument);
  EXPECT_EQ(second->param(kGainParam), 3.0);  // unchanged
}

TEST_P(EndToEnd, StateCrossesBitness) {
  // A state saved by this build loads into the in-process 64-bit build and back.
  auto module = loadSamples(GetParam());
  auto native = PluginModule::load(test::pluginPath(Architecture::x64, "b32-samples"),
                                   optionsFor(test::kInProcess64));
  HostCallbacks callbacks;
  auto here = module->createInstance(kGain, callbacks);
  auto there = native->createInstance(kGain, callbacks);
  here->setParam(kGainParam, 0.125);
  there->loadState(here->saveState());
  EXPECT_EQ(there->param(kGainParam), 0.125);
  EXPECT_EQ(there->saveState(), here->saveState());
}

TEST_P(EndToEnd, ProcessingIsBitIdenticalToIn64BitInProcess) {
  auto module = loadSamples(GetParam());
  auto reference = PluginModule::load(test::pluginPath(Architecture::x64, "b32-samples"),
                                      optionsFor(test::kInProcess64));
  ASSERT_FALSE(reference->isBridged());
  HostCallbacks callbacks;
  auto expected = processThroughGain(*reference->createInstance(kGain, callbacks), 8);
  auto actual = processThroughGain(*module->createInstance(kGain, callbacks), 8);
  ASSERT_EQ(actual.size(), expected.size());
  EXPECT_EQ(std::memcmp(actual.data(), expected.data(), actual.size() * sizeof(float)), 0);
  // And the plugin really did something: not a copy of the input.
  auto input = signal(2, 512, 0);
  EXPECT_NE(std::memcmp(actual.data(), input.data(), input.size() * sizeof(float)), 0);
}

TEST_P(EndToEnd, PluginCallsBackIntoTheHostDuringACall) {
  auto module = loadSamples(GetParam());
  RecordingCallbacks callbacks;
  auto meter = module->createInstance(kMeter, callbacks);
  meter->activate(44100, 128);
  std::vector<float> input(2 * 128, 0.25f), output(input.size());
  input[77] = -0.75f;
  meter->process(2, 128, input, output);
  EXPECT_EQ(output, input);
  EXPECT_EQ(meter->param(kPeakParam), 0.75);

  // The callbacks were sent before the call's answer, so they have arrived by now.
  auto changes = callbacks.changes();
  auto logs = callbacks.logs();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0], std::make_pair(kPeakParam, 0.75));
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0], "meter active at 44100 Hz, blocks of up to 128 frames");
}

INSTANTIATE_TEST_SUITE_P(
    Setups, EndToEnd,
    ::testing::Values(test::kInProcess64, test::kSurrogate64, test::kSurrogate32),
    [](const auto& info) { return std::string(info.param.name); });

// ----- bad input -------------------------------------------------------------------------------

TEST(BadInput, MissingFile) {
  auto path = test::outputDir() / "plugins" / "x86" / ("missing" + test::moduleSuffix());
  Error error = expectError([&] { PluginModule::load(path, baseOptions()); });
  EXPECT_EQ(error.kind(), Error::Kind::notFound);
  EXPECT_NE(error.message().find(utf8(path)), std::string::npos) << error.what();
}

TEST(BadInput, FileThatIsNotADll) {
  auto path = std::filesystem::temp_directory_path() / ("bridge32-text" + test::moduleSuffix());
  std::ofstream(path) << "plain text, not a module; plain text, not a module; plain text.";
  Error error = expectError([&] { PluginModule::load(path, baseOptions()); });
  EXPECT_EQ(error.kind(), Error::Kind::badModule);
  EXPECT_NE(error.message().find(utf8(path)), std::string::npos) << error.what();
  std::filesystem::remove(path);
}

TEST(BadInput, ModuleWithoutEntryPoint) {
  for (Placement setup : {Placement{"x64", Architecture::x64, Isolation::inProcess},
                      Placement{"x86", Architecture::x86, Isolation::automatic}}) {
    Error error = expectError([&] {
      PluginModule::load(test::pluginPath(setup.architecture, "b32-no-entry"), optionsFor(setup));
    });
    EXPECT_EQ(error.kind(), Error::Kind::badModule) << setup.name;
    EXPECT_NE(error.message().find("exports none of bridge32_entry"), std::string::npos)
        << error.what();
  }
}

TEST(BadInput, UnsupportedSdkVersion) {
  for (Placement setup : {Placement{"x64", Architecture::x64, Isolation::inProcess},
                      Placement{"x86", Architecture::x86, Isolation::automatic}}) {
    Error error = expectError([&] {
      PluginModule::load(test::pluginPath(setup.architecture, "b32-future-sdk"), optionsFor(setup));
    });
    EXPECT_EQ(error.kind(), Error::Kind::unsupportedVersion) << setup.name;
    EXPECT_NE(error.message().find("SDK 99.0.0"), std::string::npos) << error.what();
    EXPECT_NE(error.message().find("supports SDK 1.x"), std::string::npos) << error.what();
  }
}

TEST(BadInput, SurrogateExecutableMissing) {
  LoadOptions options = baseOptions();
  options.surrogateDirectory = std::filesystem::temp_directory_path() / "bridge32-no-surrogates";
  Error error = expectError([&] {
    PluginModule::load(test::pluginPath(Architecture::x86, "b32-samples"), options);
  });
  EXPECT_EQ(error.kind(), Error::Kind::surrogateStart);
  EXPECT_NE(error.message().find("bridge32-no-surrogates"), std::string::npos) << error.what();
  EXPECT_NE(error.message().find("does not exist"), std::string::npos) << error.what();
}

TEST(BadInput, ThirtyTwoBitModuleRefusedInProcess) {
  LoadOptions options = baseOptions();
  options.isolation = Isolation::inProcess;
  Error error = expectError([&] {
    PluginModule::load(test::pluginPath(Architecture::x86, "b32-samples"), options);
  });
  EXPECT_EQ(error.kind(), Error::Kind::badModule);
  EXPECT_NE(error.message().find("cannot load into this x64 process"), std::string::npos)
      << error.what();
}

TEST(BadInput, SixtyFourBitModuleRefusedByThe32BitSurrogate) {
  LoadOptions options = optionsFor({"x86", Architecture::x86, Isolation::surrogate});
  Error error = expectError([&] {
    PluginModule::load(test::pluginPath(Architecture::x64, "b32-samples"), options);
  });
  EXPECT_EQ(error.kind(), Error::Kind::badModule);
  EXPECT_NE(error.message().find("x86 surrogate"), std::string::npos) << error.what();
}

TEST(BadInput, PathWithNonAsciiCharacters) {
  auto directory = std::filesystem::temp_directory_path() / pathFromUtf8("bridge32-plügïn ✓ 試験");
  std::filesystem::create_directories(directory);
  auto path = directory / pathFromUtf8("gäin-ünïcode" + test::moduleSuffix());
  std::filesystem::copy_file(test::pluginPath(Architecture::x86, "b32-samples"), path,
                             std::filesystem::copy_options::overwrite_existing);
  auto module = PluginModule::load(path, optionsFor({"x86", Architecture::x86, Isolation::automatic}));
  EXPECT_TRUE(module->isBridged());
  ASSERT_EQ(module->plugins().size(), 3u);
  HostCallbacks callbacks;
  auto gain = module->createInstance(kGain, callbacks);
  gain->setParam(kGainParam, 0.5);
  EXPECT_EQ(gain->param(kGainParam), 0.5);
  module.reset();
  gain.reset();
  std::filesystem::remove_all(directory);
}

#if !_WIN32
// Whether process `pid` has a file named like `path` mapped: loaded, on Linux.
bool hasMapped(uint32_t pid, const std::filesystem::path& path) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (line.find("/" + path.filename().string()) != std::string::npos) return true;
  }
  return false;
}

// The surrogate unloads a module as soon as the last object using it goes, whichever goes last,
// and keeps the others it serves. (On Windows, BadInput.PathWithNonAsciiCharacters deletes the
// module's file right after, which a loaded DLL would refuse.)
TEST(Unload, TheSurrogateUnloadsAModuleWhenItsLastUserGoes) {
  LoadOptions options = baseOptions();
  options.isolation = Isolation::surrogate;
  options.surrogate = startSurrogate(Architecture::x64, options);
  auto samplesPath = test::pluginPath(Architecture::x64, "b32-samples");
  auto faultyPath = test::pluginPath(Architecture::x64, "b32-faulty");
  auto samples = PluginModule::load(samplesPath, options);
  auto faulty = PluginModule::load(faultyPath, options);
  uint32_t pid = options.surrogate->pid();
  HostCallbacks callbacks;
  auto gain = samples->createInstance(kGain, callbacks);
  ASSERT_TRUE(hasMapped(pid, samplesPath));
  samples.reset();
  EXPECT_TRUE(hasMapped(pid, samplesPath)) << "its instance still uses it";
  gain.reset();
  EXPECT_FALSE(hasMapped(pid, samplesPath)) << "unloaded by the time the last user is gone";
  EXPECT_TRUE(hasMapped(pid, faultyPath)) << "the other module stays";
}
#endif

// ----- a surrogate that dies -------------------------------------------------------------------

TEST(SurrogateDeath, CallsFailWithTheExitStatusAndTheHostCarriesOn) {
  LoadOptions options = baseOptions();
  options.isolation = Isolation::surrogate;
  auto module = PluginModule::load(test::pluginPath(Architecture::x64, "b32-samples"), options);
  HostCallbacks callbacks;
  auto gain = module->createInstance(kGain, callbacks);
  EXPECT_EQ(gain->param(kGainParam), 1.0);

#if _WIN32
  win32::Handle process(OpenProcess(PROCESS_TERMINATE, FALSE, module->surrogatePid()));
  ASSERT_TRUE(process);
  TerminateProcess(process.get(), 0xC0000005);
  const char* expected = "terminated by exception 0xC0000005";
#else
  ASSERT_EQ(kill(pid_t(module->surrogatePid()), SIGKILL), 0);
  const char* expected = "killed by signal 9";
#endif
  Error error = expectError([&] { gain->param(kGainParam); });
  EXPECT_EQ(error.kind(), Error::Kind::disconnected);
  EXPECT_NE(error.message().find(expected), std::string::npos) << error.what();
  // Every later call fails the same way, at once.
  EXPECT_EQ(expectError([&] { gain->setParam(kGainParam, 2.0); }).kind(), Error::Kind::disconnected);

  // The host is fine and can load the plugin again.
  auto again = PluginModule::load(test::pluginPath(Architecture::x64, "b32-samples"), options);
  auto gain2 = again->createInstance(kGain, callbacks);
  EXPECT_EQ(gain2->param(kGainParam), 1.0);
}

}  // namespace
}  // namespace bridge32
