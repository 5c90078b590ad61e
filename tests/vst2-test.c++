// VST2 plugins through the host API, unmodified: bridge32's own fixture written against the raw
// ABI (tests/fixtures/vst2-fixture.c), in-process, in a 64-bit surrogate and in a genuine i386 one.
// What it says of itself, cut where it runs long; parameters; audio; host callbacks from inside
// process(); state as the plugin's chunk or as bridge32's record of its parameters, across
// bitness; modules that are not what they claim; a crash, and the restart that follows.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "bridge32/host.h"
#include "bridge32/module-file.h"
#include "harness.h"
#include "support.h"

namespace bridge32 {
namespace {

using test::expectError;
using test::Placement;
using test::RecordingCallbacks;

constexpr const char* kFixtureId = "b32F";
constexpr uint32_t kGain = 0, kPan = 1, kAutomate = 2, kCrash = 3, kLongName = 4, kChunkMiB = 5,
                   kLevel = 6, kNotes = 7, kTempo = 8;

std::filesystem::path fixturePath(Architecture architecture, const char* name = "b32-vst2-fixture") {
  return test::pluginPath(architecture, name);
}

std::vector<float> ramp(size_t samples) {
  std::vector<float> values(samples);
  for (size_t i = 0; i < samples; ++i) values[i] = 0.8f * std::sin(float(i) * 0.013f);
  return values;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

class Vst2 : public ::testing::TestWithParam<Placement> {
 protected:
  std::unique_ptr<PluginModule> load(const char* name = "b32-vst2-fixture") {
    auto path = fixturePath(GetParam().architecture, name);
    // Genuine binaries: an i386 ELF or PE32 file for the 32-bit placement, x86-64 otherwise.
    EXPECT_EQ(inspectModuleFile(path).architecture, GetParam().architecture);
    return PluginModule::load(path, test::optionsFor(GetParam()));
  }
};

TEST_P(Vst2, DescribesItselfWithTextCutWhereItRunsLong) {
  auto module = load();
  EXPECT_EQ(module->format(), PluginFormat::vst2);
  EXPECT_EQ(module->isBridged(), GetParam().isolation != Isolation::inProcess);
  ASSERT_EQ(module->plugins().size(), 1u);
  const PluginDescriptor& plugin = module->plugins()[0];
  EXPECT_EQ(plugin.id, kFixtureId);
  EXPECT_EQ(plugin.name, "bridge32 VST2 fixture");
  // The plugin writes 80 bytes where VST2 allows 64 with the terminator: kept to 64.
  EXPECT_EQ(plugin.vendor, std::string(64, 'V'));
  EXPECT_EQ(plugin.version, "1234");
  EXPECT_EQ(plugin.inputs, 2u);
  EXPECT_EQ(plugin.outputs, 2u);
  EXPECT_FALSE(plugin.isInstrument);

  RecordingCallbacks callbacks;
  auto instance = module->createInstance(kFixtureId, callbacks);
  EXPECT_TRUE(instance->hasParams() && instance->hasState() && instance->hasProcess());
  const auto& params = instance->params();
  ASSERT_EQ(params.size(), 9u);
  EXPECT_EQ(params[kGain].name, "Gain");
  EXPECT_EQ(params[kGain].unit, "dB");
  EXPECT_EQ(params[kGain].defaultValue, 0.5);
  EXPECT_EQ(params[kPan].name, "Pan");
  // Display strings are the plugin's (effGetParamDisplay), as it shows the current value.
  EXPECT_EQ(instance->paramDisplay(kPan), "R 0");
  instance->setParam(kPan, 0.25);
  EXPECT_EQ(instance->paramDisplay(kPan), "L 25");
  EXPECT_EQ(instance->paramDisplay(kGain), "0.500");
  for (const auto& param : params) {
    EXPECT_EQ(param.minValue, 0.0);
    EXPECT_EQ(param.maxValue, 1.0);
  }
  // 100 bytes with no terminator, and an 80-byte label: cut, never read past.
  EXPECT_EQ(params[kLongName].name, std::string(64, 'N'));
  EXPECT_EQ(params[kLongName].unit, std::string(64, 'L'));
}

TEST_P(Vst2, ParametersAreZeroToOneAndRefusedOutside) {
  auto module = load();
  HostCallbacks quiet;
  auto instance = module->createInstance(kFixtureId, quiet);
  instance->setParam(kGain, 0.25);
  EXPECT_EQ(instance->param(kGain), 0.25);
  Error outside = expectError([&] { instance->setParam(kGain, 1.5); });
  EXPECT_EQ(outside.kind(), Error::Kind::invalidArgument);
  EXPECT_TRUE(contains(outside.message(), "outside [0, 1]")) << outside.message();
  Error unknown = expectError([&] { instance->param(9); });
  EXPECT_EQ(unknown.kind(), Error::Kind::notFound);
  EXPECT_TRUE(contains(unknown.message(), "has 9 parameters")) << unknown.message();
}

TEST_P(Vst2, ProcessesAudioOnTheAudioThreadAsInProcess) {
  auto module = load();
  HostCallbacks quiet;
  auto instance = module->createInstance(kFixtureId, quiet);
  instance->setParam(kGain, 0.75);  // x1.5
  instance->activate(48000, 512);
  for (uint32_t channels : {2u, 1u, 3u}) {
    auto input = ramp(channels * 512);
    std::vector<float> output(input.size(), 9.0f);
    instance->process(channels, 512, input, output);
    for (uint32_t c = 0; c < channels; ++c) {
      for (uint32_t i = 0; i < 512; i += 97) {
        // The fixture has two outputs: a third channel is silent.
        float expected = c < 2 ? input[c * 512 + i] * 1.5f : 0.0f;
        EXPECT_EQ(output[c * 512 + i], expected) << channels << " channels, " << c << ":" << i;
      }
    }
  }
  // Inside process() the plugin asked its host for the process level: realtime (2), which it
  // keeps as parameter Level = 2 / 4.
  EXPECT_EQ(instance->param(kLevel), 0.5);

  // Zero-copy buffers work the same.
  auto buffers = instance->audioBuffers(2, 256);
  auto input = ramp(512);
  std::copy(input.begin(), input.end(), buffers.input.begin());
  instance->processAudioBuffers(2, 256);
  EXPECT_EQ(buffers.output[300], input[300] * 1.5f);
}

TEST_P(Vst2, AutomationFromInsideProcessIsHeardBeforeItReturns) {
  auto module = load();
  RecordingCallbacks callbacks;
  auto instance = module->createInstance(kFixtureId, callbacks);
  instance->setParam(kGain, 0.375);
  instance->setParam(kAutomate, 1);
  instance->activate(44100, 64);
  auto input = ramp(128);
  std::vector<float> output(128);
  instance->process(2, 64, input, output);
  auto changes = callbacks.changes();
  ASSERT_FALSE(changes.empty());
  EXPECT_EQ(changes.back().first, kGain);
  EXPECT_EQ(changes.back().second, 0.375);
}

TEST_P(Vst2, StateIsThePluginsChunk) {
  auto module = load();
  HostCallbacks quiet;
  auto first = module->createInstance(kFixtureId, quiet);
  first->setParam(kGain, 0.3125);
  first->setParam(kPan, 0.25);
  auto state = first->saveState();
  std::string text(state.begin(), state.end());
  EXPECT_EQ(text, "b32fix gain=0.312500 pan=0.250000 program=0");

  auto second = module->createInstance(kFixtureId, quiet);
  second->loadState(state);
  EXPECT_EQ(second->param(kGain), 0.3125);
  EXPECT_EQ(second->param(kPan), 0.25);
}

TEST_P(Vst2, StateOfAPluginWithoutChunksIsItsParameters) {
  auto module = load("b32-vst2-nochunks");
  HostCallbacks quiet;
  auto first = module->createInstance("b32N", quiet);
  first->setParam(kGain, 0.125);
  first->setParam(kPan, 0.875);
  auto state = first->saveState();
  ASSERT_EQ(state.size(), 8u + 12u + 9u * 4u);
  EXPECT_EQ(std::string(state.begin(), state.begin() + 8), "b32vst2p");

  auto second = module->createInstance("b32N", quiet);
  second->loadState(state);
  EXPECT_EQ(second->param(kGain), 0.125);
  EXPECT_EQ(second->param(kPan), 0.875);

  std::vector<uint8_t> garbage(40, 7);
  Error error = expectError([&] { second->loadState(garbage); });
  EXPECT_EQ(error.kind(), Error::Kind::invalidArgument);
  EXPECT_TRUE(contains(error.message(), "b32vst2p")) << error.message();
  state.pop_back();
  Error cut = expectError([&] { second->loadState(state); });
  EXPECT_EQ(cut.kind(), Error::Kind::invalidArgument) << cut.message();
}

// A plugin that processes in double precision only: blocks of floats reach it through its
// processDoubleReplacing and come back as floats.
TEST_P(Vst2, APluginWithOnlyDoublePrecisionProcessesFloatBlocks) {
  auto module = load("b32-vst2-nochunks");
  HostCallbacks quiet;
  auto instance = module->createInstance("b32N", quiet);
  instance->setParam(kGain, 0.25);  // output = input * 0.5
  instance->activate(48000, 256);
  std::vector<float> input(2 * 256), output(input.size(), 9.0f);
  for (size_t i = 0; i < input.size(); ++i) input[i] = float(i % 64) / 64.0f - 0.5f;
  instance->process(2, 256, input, output);
  for (size_t i = 0; i < input.size(); ++i) ASSERT_EQ(output[i], input[i] * 0.5f) << i;
}

// A chunk of 300 MiB is refused by its size before a byte of it is read (the fixture's claim is
// a lie: reading it would run far past its buffer), and the plugin carries on.
TEST_P(Vst2, AChunkPastTheStateLimitIsRefused) {
  auto module = load();
  HostCallbacks quiet;
  auto instance = module->createInstance(kFixtureId, quiet);
  instance->setParam(kChunkMiB, 0.3);
  Error error = expectError([&] { instance->saveState(); });
  EXPECT_EQ(error.kind(), Error::Kind::failed);
  EXPECT_TRUE(contains(error.message(), "returned a chunk of 314572800 bytes")) << error.message();
  EXPECT_TRUE(contains(error.message(), "16777216")) << error.message();
  instance->setParam(kChunkMiB, 0);
  EXPECT_FALSE(instance->saveState().empty());
}

TEST_P(Vst2, ModulesThatAreNotWhatTheyClaimAreRefusedByWhatIsWrong) {
  Error magic = expectError([&] { load("b32-vst2-bad-magic"); });
  EXPECT_EQ(magic.kind(), Error::Kind::badModule) << magic.message();
  EXPECT_TRUE(contains(magic.message(), "not an effect (magic 0x12345678")) << magic.message();

  Error absurd = expectError([&] { load("b32-vst2-absurd"); });
  EXPECT_EQ(absurd.kind(), Error::Kind::badModule) << absurd.message();
  EXPECT_TRUE(contains(absurd.message(), "has 100000000 parameters; bridge32 takes 0 to 65536"))
      << absurd.message();

  auto library = test::pluginPath(GetParam().architecture, "b32-library");
  Error neither = expectError([&] { PluginModule::load(library, test::optionsFor(GetParam())); });
  EXPECT_EQ(neither.kind(), Error::Kind::badModule);
  EXPECT_TRUE(contains(neither.message(),
                       "exports none of bridge32_entry (bridge32 SDK), VSTPluginMain or main (VST2)"))
      << neither.message();
}

// MIDI through effProcessEvents at the frames given, the transport through audioMasterGetTime,
// programs through effGet/SetProgram(NameIndexed), latency from initialDelay.
TEST_P(Vst2, MidiTransportProgramsAndLatencyReachThePlugin) {
  auto module = load();
  HostCallbacks quiet;
  auto instance = module->createInstance(kFixtureId, quiet);
  EXPECT_EQ(instance->programNames(), (std::vector<std::string>{"Unity", "Quiet", "Loud"}));
  EXPECT_EQ(instance->program(), 0u);
  instance->setProgram(2);
  EXPECT_EQ(instance->program(), 2u);
  EXPECT_EQ(instance->param(kGain), 0.75);
  EXPECT_EQ(expectError([&] { instance->setProgram(3); }).kind(), Error::Kind::invalidArgument);
  EXPECT_EQ(instance->latency(), 32u);

  instance->setProgram(0);  // unity gain
  instance->activate(48000, 256);
  std::vector<float> input(512, 0.0f), output(512);
  MidiEvent notes[] = {{10, {0x90, 60, 100}}, {200, {0x80, 60, 0}}, {200, {0x90, 64, 100}},
                       {300, {0x90, 67, 100}}};
  Transport transport;
  transport.playing = true;
  transport.tempo = 137;
  transport.beats = 16;
  instance->process(2, 256, input, output, {notes, &transport});
  EXPECT_EQ(output[10], 1.0f);
  EXPECT_EQ(output[200], 1.0f);
  EXPECT_EQ(output[11], 0.0f);
  EXPECT_EQ(output[255], 1.0f) << "an event past the last frame comes at the last";
  EXPECT_EQ(output[256 + 10], 0.0f) << "clicks go to channel 0 only";
  EXPECT_NEAR(instance->param(kNotes), 0.03, 1e-6);  // three note-ons and a note-off
  EXPECT_NEAR(instance->param(kTempo), 0.137, 1e-6);

  // The zero-copy path carries them the same.
  auto buffers = instance->audioBuffers(2, 256);
  std::fill(buffers.input.begin(), buffers.input.end(), 0.0f);
  MidiEvent one[] = {{5, {0x91, 70, 1}}};
  instance->processAudioBuffers(2, 256, {one});
  EXPECT_EQ(buffers.output[5], 1.0f);
  EXPECT_NEAR(instance->param(kNotes), 0.04, 1e-6);

  MidiEvent backwards[] = {{20, {0x90, 60, 100}}, {10, {0x90, 61, 100}}};
  Error order = expectError([&] { instance->process(2, 256, input, output, {backwards}); });
  EXPECT_EQ(order.kind(), Error::Kind::invalidArgument);
  EXPECT_TRUE(contains(order.message(), "frame order")) << order.message();
  std::vector<MidiEvent> flood(1025, MidiEvent{0, {0x90, 60, 100}});
  Error many = expectError([&] { instance->process(2, 256, input, output, {flood}); });
  EXPECT_TRUE(contains(many.message(), "1025 MIDI events in one block")) << many.message();
}

INSTANTIATE_TEST_SUITE_P(Placements, Vst2,
                         ::testing::Values(test::kInProcess64, test::kSurrogate64,
                                           test::kSurrogate32),
                         [](const auto& info) { return std::string(info.param.name); });

// Crashes take down only a surrogate of their own.
class Vst2Crashes : public ::testing::TestWithParam<Architecture> {
 protected:
  LoadOptions options() const {
    LoadOptions options = test::baseOptions();
    options.isolation = Isolation::surrogate;
    return options;
  }
};

TEST_P(Vst2Crashes, ACrashInsideEffOpenFailsTheLoadAndNamesTheModule) {
  auto path = fixturePath(GetParam(), "b32-vst2-open-crash");
  Error error = expectError([&] { PluginModule::load(path, options()); });
  EXPECT_EQ(error.kind(), Error::Kind::disconnected) << error.message();
  EXPECT_TRUE(contains(error.message(), utf8(path))) << error.message();
}

TEST_P(Vst2Crashes, ACrashInProcessStopsThePluginAndARestartBringsItBackWithItsState) {
  auto module = PluginModule::load(fixturePath(GetParam()), options());
  RecordingCallbacks callbacks;
  auto instance = module->createInstance(kFixtureId, callbacks);
  instance->setParam(kGain, 0.625);
  instance->saveState();            // the state a restart restores...
  instance->setProgram(1);          // ...the program chosen since (Quiet: gain 0.25)...
  instance->setParam(kPan, 0.125);  // ...and a value set after that
  instance->activate(48000, 256);
  instance->setParam(kCrash, 1);  // armed until the next activation
  auto input = ramp(512);
  std::vector<float> output(512);
  Error error = expectError([&] { instance->process(2, 256, input, output); });
  EXPECT_EQ(error.kind(), Error::Kind::disconnected) << error.message();
  EXPECT_FALSE(instance->isRunning());

  EXPECT_TRUE(instance->restart());
  EXPECT_TRUE(instance->isRunning());
  EXPECT_EQ(instance->program(), 1u);
  EXPECT_EQ(instance->param(kGain), 0.25);
  EXPECT_EQ(instance->param(kPan), 0.125);
  EXPECT_EQ(instance->param(kCrash), 0.0) << "the restart's activation disarmed it";
  instance->process(2, 256, input, output);
  EXPECT_EQ(output[100], input[100] * 0.5f);
}

INSTANTIATE_TEST_SUITE_P(Fixture, Vst2Crashes,
                         ::testing::Values(Architecture::x64, Architecture::x86),
                         [](const auto& info) {
                           return std::string(info.param == Architecture::x86 ? "Surrogate32"
                                                                              : "Surrogate64");
                         });

}  // namespace
}  // namespace bridge32
