#include "bridge32/types.h"

#include <cmath>

#include "bridge32/error.h"
#include "bridge32/ext/gui.h"
#include "bridge32/ext/params.h"
#include "bridge32/limits.h"
#include "logging.h"

namespace bridge32 {

std::string_view toString(Architecture architecture) {
  switch (architecture) {
    case Architecture::x86: return "x86";
    case Architecture::x64: return "x64";
    case Architecture::unknown: break;
  }
  return "unknown";
}

std::string_view toString(PluginFormat format) {
  switch (format) {
    case PluginFormat::sdk: return "bridge32 SDK";
    case PluginFormat::vst2: return "VST2";
  }
  return "unknown";
}

void checkTransport(const Transport& transport) {
  if (!(transport.tempo > 0 && transport.tempo <= 10000)) {
    throw Error(Error::Kind::invalidArgument,
                "a tempo of " + std::to_string(transport.tempo) + " is outside (0, 10000]");
  }
  if (transport.numerator == 0 || transport.denominator == 0 || transport.numerator > 256 ||
      transport.denominator > 256) {
    throw Error(Error::Kind::invalidArgument,
                "a time signature of " + std::to_string(transport.numerator) + "/" +
                    std::to_string(transport.denominator) + " is outside 1/1 .. 256/256");
  }
  if (!std::isfinite(transport.beats) || !std::isfinite(transport.barStartBeats)) {
    throw Error(Error::Kind::invalidArgument, "a transport position that is not a finite number");
  }
}

std::string SdkVersion::toString() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(revision);
}

bool EditorSize::isValid() const {
  return width >= 1 && height >= 1 && width <= B32_GUI_MAX_SIDE && height <= B32_GUI_MAX_SIDE;
}

std::string EditorSize::toString() const {
  return std::to_string(width) + " x " + std::to_string(height);
}

std::string EditorSize::validRange() {
  return "[1, " + std::to_string(B32_GUI_MAX_SIDE) + "] on each side";
}

bool ParamInfo::isReadOnly() const { return (flags & B32_PARAM_IS_READ_ONLY) != 0; }

bool ParamInfo::isStepped() const { return (flags & B32_PARAM_IS_STEPPED) != 0; }

bool ParamInfo::accepts(double value) const { return value >= minValue && value <= maxValue; }

std::string ParamInfo::rule() const {
  if (isReadOnly()) return "none (read-only)";
  std::string range = fmt::format("[{}, {}]", minValue, maxValue);
  return isStepped() ? "whole numbers in " + range + " (stepped)" : "numbers in " + range;
}

std::string refusedParamChange(const std::vector<ParamInfo>& params, uint32_t id, double value) {
  for (const ParamInfo& param : params) {
    if (param.id != id) continue;
    if (param.accepts(value)) return {};
    return "reported parameter '" + param.name + "' (id " + std::to_string(id) + ") changed to " +
           fmt::format("{}", value) + ", outside its range [" + fmt::format("{}", param.minValue) +
           ", " + fmt::format("{}", param.maxValue) + "]";
  }
  return "reported a change of parameter id " + std::to_string(id) + ", which it does not have";
}

void checkAudioBlock(uint32_t channels, uint32_t frames, size_t inputSamples,
                     size_t outputSamples) {
  if (channels == 0 || channels > limits::kMaxChannels) {
    throw Error(Error::Kind::invalidArgument, std::to_string(channels) +
                                                  " channels is outside [1, " +
                                                  std::to_string(limits::kMaxChannels) + "]");
  }
  if (frames > limits::kMaxFramesPerBlock) {
    throw Error(Error::Kind::invalidArgument,
                "a block of " + std::to_string(frames) + " frames exceeds the limit of " +
                    std::to_string(limits::kMaxFramesPerBlock));
  }
  size_t samples = size_t(channels) * frames;
  if (inputSamples != samples || outputSamples != samples) {
    throw Error(Error::Kind::invalidArgument,
                std::to_string(channels) + " channels of " + std::to_string(frames) +
                    " frames need " + std::to_string(samples) + " samples in and out, got " +
                    std::to_string(inputSamples) + " and " + std::to_string(outputSamples));
  }
}

void HostCallbacks::log(LogLevel level, std::string_view message) {
  if (auto logger = logging::get("plugin")) {
    logger->log(logging::toSpdlog(level), "{}", message);
  }
}

void HostCallbacks::paramChanged(uint32_t, double) {}

void HostCallbacks::editorResized(EditorSize) {}

void HostCallbacks::pluginStopped(std::string_view) {}

void HostCallbacks::pluginRestarted() {}

void HostCallbacks::pluginRestartFailed(std::string_view, bool) {}

std::string validUtf8(std::string_view bytes) {
  constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  std::string text;
  text.reserve(bytes.size());
  size_t i = 0;
  while (i < bytes.size()) {
    auto byte = [&](size_t at) { return static_cast<unsigned char>(bytes[at]); };
    unsigned char lead = byte(i);
    size_t length = lead < 0x80 ? 1 : lead >= 0xC2 && lead <= 0xDF ? 2
                                  : lead >= 0xE0 && lead <= 0xEF ? 3
                                  : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
    bool valid = length > 0 && i + length <= bytes.size();
    for (size_t k = 1; valid && k < length; ++k) valid = (byte(i + k) & 0xC0) == 0x80;
    if (valid && length >= 3) {
      unsigned char second = byte(i + 1);
      // No overlong forms, no UTF-16 surrogates, nothing past U+10FFFF.
      if (lead == 0xE0) valid = second >= 0xA0;
      if (lead == 0xED) valid = second <= 0x9F;
      if (lead == 0xF0) valid = second >= 0x90;
      if (lead == 0xF4) valid = second <= 0x8F;
    }
    if (valid) {
      text.append(bytes.substr(i, length));
      i += length;
    } else {
      text.append(kReplacement);
      ++i;
    }
  }
  return text;
}

std::filesystem::path pathFromUtf8(std::string_view utf8) {
  return std::filesystem::path(std::u8string(utf8.begin(), utf8.end()));
}

std::string utf8(const std::filesystem::path& path) {
  auto text = path.u8string();
  return std::string(text.begin(), text.end());
}

}  // namespace bridge32
