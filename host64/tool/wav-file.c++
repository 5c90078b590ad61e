#include "wav-file.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "bridge32/error.h"
#include "bridge32/limits.h"
#include "bridge32/types.h"
#include "output-file.h"

namespace bridge32::tool {

namespace {

// The format tags this reader and writer know (mmreg.h's WAVE_FORMAT_*).
constexpr uint16_t kPcm = 0x0001;
constexpr uint16_t kFloat = 0x0003;
constexpr uint16_t kExtensible = 0xFFFE;
// What follows the format tag in an extensible subformat GUID (KSDATAFORMAT_SUBTYPE_*).
constexpr uint8_t kSubformatTail[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
                                        0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};

// The header WavWriter writes: RIFF, "fmt " with cbSize (18 bytes, as a non-PCM format has),
// "fact" with the frame count, then "data".
constexpr uint32_t kRiffSizeAt = 4, kFactFramesAt = 46, kDataSizeAt = 54, kHeaderSize = 58;

uint32_t getLe(std::span<const uint8_t> bytes, size_t at, size_t size) {
  uint32_t value = 0;
  for (size_t i = 0; i < size; ++i) value |= uint32_t(bytes[at + i]) << (8 * i);
  return value;
}

void putLe(std::string& out, uint32_t value, size_t size) {
  for (size_t i = 0; i < size; ++i) out += char((value >> (8 * i)) & 0xFF);
}

std::string le32(uint32_t value) {
  std::string out;
  putLe(out, value, 4);
  return out;
}

// A chunk's id as text for a message; ids are four ASCII characters, but this one is the file's.
std::string chunkName(std::span<const uint8_t> id) {
  std::string name;
  for (uint8_t c : id) {
    if (c >= 0x20 && c < 0x7F) {
      name += char(c);
    } else {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\x%02x", c);
      name += escape;
    }
  }
  return name;
}

// How a file's samples are stored, from its fmt chunk.
struct Encoding {
  uint16_t tag = 0;  // kPcm or kFloat, the extensible subformat resolved
  uint32_t channels = 0, sampleRate = 0, bits = 0;
};

class WavParser {
 public:
  WavParser(std::span<const uint8_t> bytes, std::string_view name) : bytes_(bytes), name_(name) {}

  WavAudio parse() {
    if (bytes_.size() < 12) corrupt("it is " + std::to_string(bytes_.size()) + " bytes long");
    std::string magic(bytes_.begin(), bytes_.begin() + 4);
    if (magic == "RF64" || magic == "BW64" || magic == "RIFX") {
      unsupported("it is " + magic + "; only RIFF WAV files are read");
    }
    if (magic != "RIFF" || std::memcmp(&bytes_[8], "WAVE", 4) != 0) {
      corrupt("it does not begin with RIFF....WAVE");
    }
    uint64_t end = 8 + uint64_t(getLe(bytes_, 4, 4));
    if (end > bytes_.size()) {
      corrupt("its RIFF header says " + std::to_string(end) + " bytes, the file has " +
              std::to_string(bytes_.size()) + " (truncated?)");
    }
    bool haveFormat = false;
    for (uint64_t at = 12; at < end;) {
      if (end - at < 8) corrupt("a chunk header at offset " + std::to_string(at) + " is cut off");
      auto id = bytes_.subspan(at, 4);
      uint64_t size = getLe(bytes_, at + 4, 4), body = at + 8;
      if (size > end - body) {
        corrupt("chunk '" + chunkName(id) + "' at offset " + std::to_string(at) + " says " +
                std::to_string(size) + " bytes, only " + std::to_string(end - body) + " follow");
      }
      auto chunk = bytes_.subspan(body, size);
      if (std::memcmp(id.data(), "fmt ", 4) == 0) {
        if (haveFormat) corrupt("it has two fmt chunks");
        encoding_ = format(chunk);
        haveFormat = true;
      } else if (std::memcmp(id.data(), "data", 4) == 0) {
        if (!haveFormat) corrupt("its data chunk comes before its fmt chunk");
        return samples(chunk);
      }
      at = body + size + (size & 1);  // chunks are padded to an even size
    }
    corrupt(haveFormat ? "it has no data chunk" : "it has no fmt chunk");
  }

 private:
  Encoding format(std::span<const uint8_t> chunk) {
    if (chunk.size() < 16) corrupt("its fmt chunk is " + std::to_string(chunk.size()) + " bytes");
    Encoding encoding;
    encoding.tag = uint16_t(getLe(chunk, 0, 2));
    encoding.channels = getLe(chunk, 2, 2);
    encoding.sampleRate = getLe(chunk, 4, 4);
    uint32_t byteRate = getLe(chunk, 8, 4), blockAlign = getLe(chunk, 12, 2);
    encoding.bits = getLe(chunk, 14, 2);
    if (encoding.tag == kExtensible) {
      if (chunk.size() < 40 || getLe(chunk, 16, 2) < 22) {
        corrupt("its extensible fmt chunk is too short for the subformat");
      }
      uint32_t validBits = getLe(chunk, 18, 2);
      if (validBits == 0 || validBits > encoding.bits) {
        corrupt(std::to_string(validBits) + " valid bits in " + std::to_string(encoding.bits) +
                "-bit samples");
      }
      if (std::memcmp(&chunk[26], kSubformatTail, sizeof kSubformatTail) != 0) {
        unsupported("its extensible subformat is not a WAVE format tag");
      }
      encoding.tag = uint16_t(getLe(chunk, 24, 2));
    }
    bool pcm = encoding.tag == kPcm && (encoding.bits == 16 || encoding.bits == 24 ||
                                        encoding.bits == 32);
    bool floating = encoding.tag == kFloat && (encoding.bits == 32 || encoding.bits == 64);
    if (!pcm && !floating) {
      std::string what = encoding.tag == kPcm     ? std::to_string(encoding.bits) + "-bit PCM"
                         : encoding.tag == kFloat ? std::to_string(encoding.bits) + "-bit float"
                                                  : "format tag " + std::to_string(encoding.tag);
      unsupported(what + " is not read; 16-, 24- and 32-bit PCM and 32- and 64-bit float are");
    }
    if (encoding.channels == 0 || encoding.channels > limits::kMaxChannels) {
      corrupt(std::to_string(encoding.channels) + " channels; bridge32 takes 1 to " +
              std::to_string(limits::kMaxChannels));
    }
    if (encoding.sampleRate == 0) corrupt("its sample rate is 0");
    if (blockAlign != encoding.channels * encoding.bits / 8 ||
        byteRate != uint64_t(encoding.sampleRate) * blockAlign) {
      corrupt("its fmt chunk contradicts itself: " + std::to_string(encoding.channels) +
              " channels of " + std::to_string(encoding.bits) + " bits in " +
              std::to_string(blockAlign) + "-byte frames, " + std::to_string(byteRate) +
              " bytes a second at " + std::to_string(encoding.sampleRate) + " Hz");
    }
    return encoding;
  }

  WavAudio samples(std::span<const uint8_t> data) {
    size_t width = encoding_.bits / 8, frame = width * encoding_.channels;
    if (data.size() % frame != 0) {
      corrupt("its data chunk of " + std::to_string(data.size()) +
              " bytes is not a whole number of " + std::to_string(frame) + "-byte frames");
    }
    WavAudio audio;
    audio.channels = encoding_.channels;
    audio.sampleRate = encoding_.sampleRate;
    audio.encoding = std::to_string(encoding_.bits) +
                     (encoding_.tag == kFloat ? "-bit float" : "-bit PCM");
    audio.samples.resize(data.size() / width);
    // Dividing by a power of two is exact: only 32-bit PCM rounds, once, to float's 24 bits.
    float scale = std::ldexp(1.0f, -int(encoding_.bits - 1));
    for (size_t i = 0; i < audio.samples.size(); ++i) {
      size_t at = i * width;
      uint32_t raw = getLe(data, at, encoding_.bits == 64 ? 4 : width);
      if (encoding_.tag == kFloat && encoding_.bits == 32) {
        std::memcpy(&audio.samples[i], &raw, 4);
      } else if (encoding_.tag == kFloat) {
        uint64_t wide = raw | uint64_t(getLe(data, at + 4, 4)) << 32;
        double value;
        std::memcpy(&value, &wide, 8);
        audio.samples[i] = float(value);
      } else {
        // Sign-extend from `bits`, then scale.
        int32_t value = int32_t(raw << (32 - encoding_.bits)) >> (32 - encoding_.bits);
        audio.samples[i] = float(value) * scale;
      }
    }
    return audio;
  }

  [[noreturn]] void corrupt(const std::string& why) {
    throw Error(Error::Kind::invalidArgument,
                "'" + std::string(name_) + "' is not a WAV file bridge32 can read: " + why);
  }
  [[noreturn]] void unsupported(const std::string& why) {
    throw Error(Error::Kind::unsupported, "'" + std::string(name_) + "': " + why);
  }

  std::span<const uint8_t> bytes_;
  std::string_view name_;
  Encoding encoding_;
};

}  // namespace

WavAudio parseWav(std::span<const uint8_t> bytes, std::string_view name) {
  return WavParser(bytes, name).parse();
}

WavAudio readWav(const std::string& path) {
  errno = 0;
#if _WIN32
  std::FILE* file = _wfopen(pathFromUtf8(path).wstring().c_str(), L"rb");
#else
  std::FILE* file = std::fopen(path.c_str(), "rb");
#endif
  auto fail = [&](int cause) -> Error {
    return Error(cause == ENOENT ? Error::Kind::notFound : Error::Kind::failed,
                 "cannot read '" + path + "': " + (cause ? std::strerror(cause) : "the read failed"));
  };
  if (!file) throw fail(errno);
  std::vector<uint8_t> bytes;
  uint8_t buffer[65536];
  size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, file)) > 0) {
    // A RIFF file is at most 8 bytes more than 4 GiB: more is not one.
    if (bytes.size() + got > (uint64_t(1) << 32) + 8) {
      std::fclose(file);
      throw Error(Error::Kind::invalidArgument,
                  "'" + path + "' is not a WAV file bridge32 can read: it is larger than 4 GiB");
    }
    bytes.insert(bytes.end(), buffer, buffer + got);
  }
  int cause = errno;
  bool failed = std::ferror(file);
  std::fclose(file);
  if (failed) throw fail(cause);
  return parseWav(bytes, path);
}

WavWriter::WavWriter(const std::string& path, uint32_t channels, double sampleRate)
    : channels_(channels) {
  if (!(sampleRate >= 1 && sampleRate <= 4294967295.0) || sampleRate != std::floor(sampleRate)) {
    char rate[32];
    std::snprintf(rate, sizeof rate, "%g", sampleRate);
    throw Error(Error::Kind::invalidArgument,
                "cannot write '" + path + "': a WAV file's sample rate is a whole number of Hz, not " +
                    rate);
  }
  if (channels == 0 || channels > limits::kMaxChannels) {
    throw Error(Error::Kind::invalidArgument, "cannot write '" + path + "' with " +
                                                  std::to_string(channels) + " channels");
  }
  uint32_t rate = uint32_t(sampleRate), frameBytes = 4 * channels;
  if (uint64_t(rate) * frameBytes > 0xFFFFFFFFu) {
    throw Error(Error::Kind::invalidArgument,
                "cannot write '" + path + "': " + std::to_string(channels) + " channels at " +
                    std::to_string(rate) + " Hz exceed a WAV file's byte rate field");
  }
  file_ = std::make_unique<OutputFile>(path);
  std::string header = "RIFF" + le32(kHeaderSize - 8) + "WAVE";
  header += "fmt " + le32(18);
  putLe(header, kFloat, 2);
  putLe(header, channels, 2);
  putLe(header, rate, 4);
  putLe(header, rate * frameBytes, 4);
  putLe(header, frameBytes, 2);
  putLe(header, 32, 2);
  putLe(header, 0, 2);  // cbSize: no extra format bytes
  header += "fact" + le32(4) + le32(0);
  header += "data" + le32(0);
  file_->write(header);
}

WavWriter::~WavWriter() = default;

void WavWriter::writePlanar(std::span<const float> samples, uint32_t frames) {
  if (uint64_t(frames_ + frames) * 4 * channels_ > 0xFFFFFFFFu - kHeaderSize) {
    throw Error(Error::Kind::invalidArgument,
                "cannot write '" + file_->path() + "': the audio exceeds a WAV file's 4 GiB");
  }
  std::string bytes;
  bytes.reserve(size_t(frames) * channels_ * 4);
  for (uint32_t f = 0; f < frames; ++f) {
    for (uint32_t c = 0; c < channels_; ++c) {
      uint32_t raw;
      std::memcpy(&raw, &samples[size_t(c) * frames + f], 4);
      putLe(bytes, raw, 4);
    }
  }
  file_->write(bytes);
  frames_ += frames;
}

void WavWriter::close() {
  uint32_t dataBytes = uint32_t(frames_ * 4 * channels_);
  file_->rewrite(kRiffSizeAt, le32(kHeaderSize - 8 + dataBytes));
  file_->rewrite(kFactFramesAt, le32(uint32_t(frames_)));
  file_->rewrite(kDataSizeAt, le32(dataBytes));
  file_->close();
}

}  // namespace bridge32::tool
