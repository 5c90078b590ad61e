// WAV files for `bridge32 run`: it reads 16-, 24- and 32-bit PCM and 32- and 64-bit float, in
// the plain and the WAVE_FORMAT_EXTENSIBLE layouts, and writes 32-bit float. The reader trusts
// nothing in the file: every size is checked against what is there before it is used, and a
// file it cannot take is refused with a message naming the file and what is wrong with it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bridge32::tool {

class OutputFile;

// Audio read from a WAV file. PCM becomes float by dividing by 2^(bits - 1), so that the full
// scale is [-1, 1) and every 16- and 24-bit sample converts exactly.
struct WavAudio {
  uint32_t channels = 0;
  uint32_t sampleRate = 0;
  std::string encoding;        // "16-bit PCM", "32-bit float", ...: for people
  std::vector<float> samples;  // interleaved: frame f's channel c at [f * channels + c]

  size_t frames() const { return channels ? samples.size() / channels : 0; }
};

// A WAV file's bytes, whole; `name` names it in errors. Throws Error: invalidArgument when it is
// not a WAV file or is damaged, unsupported when it is one in an encoding this reader does not
// take (8-bit, ADPCM, RF64, ...).
WavAudio parseWav(std::span<const uint8_t> bytes, std::string_view name);
// The file at `path` (UTF-8), read and parsed. Throws Error as parseWav does, and failed when it
// cannot be read.
WavAudio readWav(const std::string& path);

// A 32-bit float WAV file, written block by block; close() puts the sizes in its header.
// Throws Error(failed) when the file cannot be written, and invalidArgument when the audio would
// not fit the format (more than 4 GiB, a rate that is not a whole number of Hz).
class WavWriter {
 public:
  WavWriter(const std::string& path, uint32_t channels, double sampleRate);
  ~WavWriter();
  WavWriter(const WavWriter&) = delete;
  WavWriter& operator=(const WavWriter&) = delete;

  // `frames` frames of planar samples (channel c's frame f at [c * frames + f]), as
  // PluginInstance::process takes and gives them.
  void writePlanar(std::span<const float> samples, uint32_t frames);
  void close();

 private:
  std::unique_ptr<OutputFile> file_;
  uint32_t channels_;
  uint64_t frames_ = 0;
};

}  // namespace bridge32::tool
