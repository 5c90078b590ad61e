// What can be asked of a plugin instance, wherever it runs: the one list of calls that the
// module's view of an instance (LocalInstance: a plugin in this process, for the surrogate and
// in-process hosts) and the host's view (LoadedPlugin: in this process or in a surrogate, with
// restarts and embedded editors) both extend. Every argument is checked before the plugin sees
// it; every failure is a bridge32::Error.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "bridge32/types.h"

namespace bridge32 {

// [main-thread] unless a member says otherwise: used from the thread that created it.
class PluginCalls {
 public:
  virtual ~PluginCalls() = default;

  virtual const PluginDescriptor& descriptor() const = 0;
  virtual bool hasParams() const = 0;
  virtual bool hasState() const = 0;
  virtual bool hasProcess() const = 0;
  virtual bool hasGui() const = 0;
  virtual const std::vector<ParamInfo>& params() const = 0;

  virtual double param(uint32_t id) = 0;
  virtual void setParam(uint32_t id, double value) = 0;
  // Parameter `id`'s value as the plugin shows it ("-6.0", "On"), without its unit.
  virtual std::string paramDisplay(uint32_t id) = 0;
  virtual std::vector<uint8_t> saveState() = 0;
  virtual void loadState(std::span<const uint8_t> state) = 0;
  virtual void activate(double sampleRate, uint32_t maxFrames) = 0;
  virtual void deactivate() = 0;
  // [audio-thread] `input` and `output` hold channels * frames planar samples each, and `events`
  // what goes with them (checkBlockEvents); may run concurrently with the [main-thread] calls, as
  // plugins expect.
  virtual void process(uint32_t channels, uint32_t frames, std::span<const float> input,
                       std::span<float> output, const BlockEvents& events) = 0;

  // The plugin's programs (presets) by name, none when it has none; the current one; choosing one
  // (Error(invalidArgument) past the last).
  virtual std::vector<std::string> programNames() = 0;
  virtual uint32_t program() = 0;
  virtual void setProgram(uint32_t index) = 0;
  // How many frames its output lags its input by.
  virtual uint32_t latency() = 0;
};

}  // namespace bridge32
