// The tool's WAV reader and writer: every encoding it reads, as sox wrote it and converted it;
// what it writes, read back; and damaged or unsupported files refused with the reason.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "bridge32/error.h"
#include "harness.h"
#include "support.h"
#include "wav-file.h"

namespace bridge32::tool {
namespace {

std::vector<uint8_t> fileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::filesystem::path soxFile(const std::string& name) {
  return test::outputDir() / "test-data" / "wav" / name;
}

// sox's conversion of `name`.wav to raw 64-bit float, each sample rounded to float as the reader
// must round it.
std::vector<float> soxSamples(const std::string& name) {
  std::vector<uint8_t> bytes = fileBytes(soxFile(name + ".f64"));
  std::vector<float> samples(bytes.size() / 8);
  for (size_t i = 0; i < samples.size(); ++i) {
    double value;
    std::memcpy(&value, &bytes[i * 8], 8);
    samples[i] = float(value);
  }
  return samples;
}

bool sameBits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

TEST(WavFile, ReadsEveryEncodingAsSoxConvertsIt) {
  struct Case {
    const char* name;
    uint32_t channels, rate;
    const char* encoding;
  };
  for (const Case& expected : {Case{"pcm16", 1, 48000, "16-bit PCM"},
                               Case{"pcm24", 2, 44100, "24-bit PCM"},  // extensible
                               Case{"pcm32", 2, 48000, "32-bit PCM"},  // extensible
                               Case{"float32", 2, 48000, "32-bit float"},
                               Case{"float64", 3, 22050, "64-bit float"}}) {
    SCOPED_TRACE(expected.name);
    auto path = soxFile(std::string(expected.name) + ".wav");
    ASSERT_TRUE(std::filesystem::exists(path)) << path << ": the build makes it with sox";
    WavAudio audio = readWav(utf8(path));
    EXPECT_EQ(audio.channels, expected.channels);
    EXPECT_EQ(audio.sampleRate, expected.rate);
    EXPECT_EQ(audio.encoding, expected.encoding);
    EXPECT_EQ(audio.frames(), size_t(0.05 * expected.rate + 0.5));
    std::vector<float> reference = soxSamples(expected.name);
    ASSERT_EQ(audio.samples.size(), reference.size());
    size_t differ = 0, nonZero = 0;
    for (size_t i = 0; i < reference.size(); ++i) {
      if (!sameBits(audio.samples[i], reference[i]) && differ++ < 5) {
        ADD_FAILURE() << "sample " << i << ": " << audio.samples[i] << ", sox " << reference[i];
      }
      if (reference[i] != 0) ++nonZero;
    }
    EXPECT_EQ(differ, 0u);
    EXPECT_GT(nonZero, reference.size() / 2) << "the file is mostly silence: a weak test";
  }
}

TEST(WavFile, WhatItWritesReadsBackBitForBit) {
  auto path = std::filesystem::temp_directory_path() / "bridge32-wav-roundtrip.wav";
  // Two blocks of planar audio, with values that rounding would change.
  std::vector<float> first = {0.1f, -1.0f, 3.5f, 1e-30f, -0.0f, 0.333333343f};  // 3 frames x 2
  std::vector<float> second = {0.25f, 7.0f};                                      // 1 frame x 2
  {
    WavWriter writer(utf8(path), 2, 96000);
    writer.writePlanar(first, 3);
    writer.writePlanar(second, 1);
    writer.close();
  }
  std::vector<uint8_t> bytes = fileBytes(path);
  ASSERT_EQ(bytes.size(), 58u + 4 * 2 * 4);
  WavAudio audio = parseWav(bytes, "roundtrip");
  EXPECT_EQ(audio.channels, 2u);
  EXPECT_EQ(audio.sampleRate, 96000u);
  EXPECT_EQ(audio.encoding, "32-bit float");
  std::vector<float> interleaved = {0.1f, 1e-30f, -1.0f, -0.0f, 3.5f, 0.333333343f, 0.25f, 7.0f};
  ASSERT_EQ(audio.samples.size(), interleaved.size());
  for (size_t i = 0; i < interleaved.size(); ++i) {
    EXPECT_TRUE(sameBits(audio.samples[i], interleaved[i])) << i << ": " << audio.samples[i];
  }
  std::filesystem::remove(path);
}

TEST(WavFile, RefusesARateThatIsNotAWholeNumber) {
  auto path = utf8(std::filesystem::temp_directory_path() / "bridge32-wav-rate.wav");
  Error error = test::expectError([&] { WavWriter(path, 2, 44100.5); });
  EXPECT_EQ(error.kind(), Error::Kind::invalidArgument);
  EXPECT_NE(error.message().find("whole number of Hz, not 44100.5"), std::string::npos) << error.what();
}

// The sox-made 16-bit mono file (a 44-byte header: RIFF, a 16-byte fmt at 12, data at 36), with
// `change` applied; the reader's verdict on it.
Error damaged(const std::function<void(std::vector<uint8_t>&)>& change) {
  std::vector<uint8_t> bytes = fileBytes(soxFile("pcm16.wav"));
  EXPECT_GT(bytes.size(), 44u);
  EXPECT_EQ(std::string(bytes.begin() + 36, bytes.begin() + 40), "data") << "sox's layout changed";
  change(bytes);
  return test::expectError([&] { parseWav(bytes, "damaged.wav"); });
}

void put16(std::vector<uint8_t>& bytes, size_t at, uint16_t value) {
  bytes[at] = uint8_t(value);
  bytes[at + 1] = uint8_t(value >> 8);
}

void put32(std::vector<uint8_t>& bytes, size_t at, uint32_t value) {
  for (int i = 0; i < 4; ++i) bytes[at + i] = uint8_t(value >> (8 * i));
}

TEST(WavFile, RefusesADamagedFileSayingWhatIsWrong) {
  struct Case {
    const char* what;
    std::function<void(std::vector<uint8_t>&)> change;
    const char* says;
  };
  const Case cases[] = {
      {"empty", [](auto& b) { b.clear(); }, "it is 0 bytes long"},
      {"not RIFF", [](auto& b) { b[0] = 'X'; }, "does not begin with RIFF....WAVE"},
      {"truncated", [](auto& b) { b.resize(b.size() / 2); }, "(truncated?)"},
      {"a chunk past the end", [](auto& b) { put32(b, 40, 0x7FFFFFF0); },
       "chunk 'data' at offset 36 says 2147483632 bytes"},
      {"a cut chunk header",
       [](auto& b) {
         b.resize(40);  // half of data's header
         put32(b, 4, 40 - 8);
       },
       "a chunk header at offset 36 is cut off"},
      {"no data",
       [](auto& b) {
         b.resize(36);
         put32(b, 4, 28);
       },
       "it has no data chunk"},
      {"data before fmt", [](auto& b) { std::memcpy(&b[12], "junk", 4); },
       "its data chunk comes before its fmt chunk"},
      {"a short fmt", [](auto& b) { put32(b, 16, 14); }, "its fmt chunk is 14 bytes"},
      {"no channels", [](auto& b) { put16(b, 22, 0); }, "0 channels"},
      {"a wrong block size", [](auto& b) { put16(b, 32, 4); }, "contradicts itself"},
      {"half a frame",
       [](auto& b) {
         b.push_back(0);
         put32(b, 40, uint32_t(b.size() - 44));
         put32(b, 4, uint32_t(b.size() - 8));
       },
       "is not a whole number of 2-byte frames"},
  };
  for (const Case& bad : cases) {
    SCOPED_TRACE(bad.what);
    Error error = damaged(bad.change);
    EXPECT_EQ(error.kind(), Error::Kind::invalidArgument) << error.what();
    EXPECT_NE(error.message().find("'damaged.wav' is not a WAV file bridge32 can read: "),
              std::string::npos)
        << error.what();
    EXPECT_NE(error.message().find(bad.says), std::string::npos) << error.what();
  }
}

TEST(WavFile, CallsAnEncodingItDoesNotReadUnsupported) {
  Error eightBit = damaged([](auto& b) {
    put16(b, 32, 1);  // block align
    put16(b, 34, 8);  // bits
    put32(b, 28, 48000);
  });
  EXPECT_EQ(eightBit.kind(), Error::Kind::unsupported) << eightBit.what();
  EXPECT_NE(eightBit.message().find("8-bit PCM is not read"), std::string::npos) << eightBit.what();
  Error adpcm = damaged([](auto& b) { put16(b, 20, 2); });
  EXPECT_EQ(adpcm.kind(), Error::Kind::unsupported) << adpcm.what();
  EXPECT_NE(adpcm.message().find("format tag 2"), std::string::npos) << adpcm.what();
  Error rf64 = damaged([](auto& b) { std::memcpy(&b[0], "RF64", 4); });
  EXPECT_EQ(rf64.kind(), Error::Kind::unsupported) << rf64.what();
  EXPECT_NE(rf64.message().find("it is RF64"), std::string::npos) << rf64.what();
}

TEST(WavFile, ReadsAnExtensibleFilesSubformatStrictly) {
  std::vector<uint8_t> bytes = fileBytes(soxFile("pcm24.wav"));
  ASSERT_GT(bytes.size(), 60u);
  ASSERT_EQ(bytes[20] | bytes[21] << 8, 0xFFFE) << "sox wrote a plain fmt chunk";
  bytes[12 + 8 + 26] ^= 0xFF;  // the subformat GUID's tail
  Error guid = test::expectError([&] { parseWav(bytes, "guid.wav"); });
  EXPECT_EQ(guid.kind(), Error::Kind::unsupported) << guid.what();
  EXPECT_NE(guid.message().find("subformat"), std::string::npos) << guid.what();
}

TEST(WavFile, SaysWhenTheFileCannotBeRead) {
  auto path = utf8(std::filesystem::temp_directory_path() / "bridge32-no-such.wav");
  Error error = test::expectError([&] { readWav(path); });
  EXPECT_EQ(error.kind(), Error::Kind::notFound) << error.what();
  EXPECT_NE(error.message().find("cannot read '" + path + "'"), std::string::npos) << error.what();
}

}  // namespace
}  // namespace bridge32::tool
