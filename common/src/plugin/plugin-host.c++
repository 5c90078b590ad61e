#include "plugin/plugin-host.h"

#include <cmath>

#include "bridge32/error.h"
#include "bridge32/limits.h"
#include "logging.h"

namespace bridge32 {

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

void logPluginLine(LogLevel level, std::string_view message) {
  if (auto logger = logging::get("plugin")) {
    logger->log(logging::toSpdlog(level), "{}", message);
  }
}

}  // namespace bridge32
