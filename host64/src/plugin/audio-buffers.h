// LoadedPlugin::audioBuffers for an instance that has no shared memory to offer (in-process, or
// a bridged one before activation): buffers of its own, grown to the largest block asked for.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "plugin/loaded-plugin.h"

namespace bridge32 {

class OwnAudioBuffers {
 public:
  LoadedPlugin::AudioBuffers get(uint32_t channels, uint32_t frames) {
    size_t samples = size_t(channels) * frames;
    checkAudioBlock(channels, frames, samples, samples);
    if (input_.size() < samples) {
      input_.resize(samples);
      output_.resize(samples);
    }
    return {{input_.data(), samples}, {output_.data(), samples}};
  }
  std::span<const float> input(uint32_t channels, uint32_t frames) const {
    return {input_.data(), std::min(input_.size(), size_t(channels) * frames)};
  }
  std::span<float> output(uint32_t channels, uint32_t frames) {
    return {output_.data(), std::min(output_.size(), size_t(channels) * frames)};
  }

 private:
  std::vector<float> input_, output_;
};

}  // namespace bridge32
