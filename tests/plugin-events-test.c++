// What the API gained with VST2, for every format: MIDI events and the transport with each block,
// programs, latency. Here for an SDK plugin (the Tone sample: bridge32.events/1,
// bridge32.programs/1, bridge32.latency/1) in-process, in a 64-bit surrogate and in the i386 one,
// through the audio lane (tests/protocol-test.c++ has them through the pipe); tests/vst2-test.c++
// has the same for VST2.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "bridge32/host.h"
#include "harness.h"

namespace bridge32 {
namespace {

using test::expectError;
using test::Placement;

constexpr const char* kTone = "com.bridge32.samples.tone";
constexpr uint32_t kLevel = 1, kDelay = 2, kNotes = 3, kTempo = 4, kBeats = 5;

// The first frame of `channel` in `block` (planar, `frames` each) that is not silent.
int firstSound(const std::vector<float>& block, uint32_t channel, uint32_t frames) {
  for (uint32_t i = 0; i < frames; ++i) {
    if (block[channel * frames + i] != 0.0f) return int(i);
  }
  return -1;
}

class PluginEvents : public ::testing::TestWithParam<Placement> {
 protected:
  void SetUp() override {
    module_ = test::loadSamples(GetParam());
    tone_ = module_->createInstance(kTone, quiet_);
  }

  HostCallbacks quiet_;
  std::unique_ptr<PluginModule> module_;
  std::unique_ptr<PluginInstance> tone_;
};

TEST_P(PluginEvents, ProgramsAndLatency) {
  EXPECT_EQ(tone_->programNames(), (std::vector<std::string>{"Soft", "Loud"}));
  EXPECT_EQ(tone_->program(), 0u);
  tone_->setProgram(1);
  EXPECT_EQ(tone_->program(), 1u);
  EXPECT_EQ(tone_->param(kLevel), 1.0);
  Error past = expectError([&] { tone_->setProgram(2); });
  EXPECT_EQ(past.kind(), Error::Kind::invalidArgument);
  EXPECT_NE(past.message().find("has 2 programs"), std::string::npos) << past.message();

  EXPECT_EQ(tone_->latency(), 0u);
  tone_->setParam(kDelay, 48);
  EXPECT_EQ(tone_->latency(), 48u);
  EXPECT_EQ(tone_->paramDisplay(kDelay), "48") << "an SDK plugin's value shows as its number";

  // A plugin without the extensions has no programs and no latency.
  auto gain = module_->createInstance("com.bridge32.samples.gain", quiet_);
  EXPECT_TRUE(gain->programNames().empty());
  EXPECT_EQ(gain->latency(), 0u);
  EXPECT_EQ(expectError([&] { gain->setProgram(0); }).kind(), Error::Kind::unsupported);
}

TEST_P(PluginEvents, NotesSoundAtTheirFramesAndTheTransportArrives) {
  tone_->setParam(kDelay, 16);
  tone_->activate(48000, 128);
  std::vector<float> input(2 * 128, 0.0f), output(2 * 128);
  MidiEvent on[] = {{40, {0x90, 69, 100}}};
  Transport transport;
  transport.playing = true;
  transport.tempo = 96;
  transport.beats = 7.5;
  tone_->process(2, 128, input, output, {on, &transport});
  // The note sounds from its frame plus the delay, on both channels, at the A440's pitch.
  EXPECT_EQ(firstSound(output, 0, 128), 40 + 16 + 1) << "sin(0) is the first sample: silent";
  EXPECT_EQ(firstSound(output, 1, 128), 40 + 16 + 1);
  EXPECT_NEAR(output[57], 0.25 * std::sin(6.283185307179586 * 440 / 48000), 1e-6);
  EXPECT_EQ(tone_->param(kNotes), 1.0);
  EXPECT_EQ(tone_->param(kTempo), 96.0);
  EXPECT_EQ(tone_->param(kBeats), 7.5);

  // Without a transport the plugin keeps the last; a note-off ends the note at its frame + delay.
  MidiEvent off[] = {{0, {0x80, 69, 0}}};
  tone_->process(2, 128, input, output, {off});
  EXPECT_NE(output[10], 0.0f);
  for (uint32_t i = 16; i < 128; ++i) ASSERT_EQ(output[i], 0.0f) << i;
  EXPECT_EQ(tone_->param(kTempo), 96.0);

  // The zero-copy path carries them too.
  auto buffers = tone_->audioBuffers(2, 128);
  MidiEvent again[] = {{100, {0x90, 81, 100}}};
  transport.tempo = 140;
  tone_->processAudioBuffers(2, 128, {again, &transport});
  EXPECT_EQ(buffers.output[100 + 16], 0.0f);
  EXPECT_NE(buffers.output[100 + 17], 0.0f);
  EXPECT_EQ(tone_->param(kNotes), 2.0);
  EXPECT_EQ(tone_->param(kTempo), 140.0);

  Transport broken;
  broken.tempo = 0;
  Error error = expectError([&] { tone_->process(2, 128, input, output, {{}, &broken}); });
  EXPECT_EQ(error.kind(), Error::Kind::invalidArgument);
  EXPECT_NE(error.message().find("tempo"), std::string::npos) << error.message();
}

INSTANTIATE_TEST_SUITE_P(Placements, PluginEvents,
                         ::testing::Values(test::kInProcess64, test::kSurrogate64,
                                           test::kSurrogate32),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace bridge32
