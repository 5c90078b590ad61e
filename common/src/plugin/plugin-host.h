// What a plugin instance calls on its host, inside bridge32: the surrogate forwards it over the
// pipe (surrogate/src/plugin), and in-process the C API hands it to the application's callbacks
// (host64/src/plugin/c-api.c++). An application implements the public HostCallbacks
// (bridge32/plugin.h), which reaches this through the C API: the two are the two sides of it.
//
// Also the checks of what goes to a plugin and what comes from one, the same on both sides of
// the pipe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "bridge32/types.h"

namespace bridge32 {

// Writes a line a plugin logged to bridge32's log, as a record of source "plugin".
void logPluginLine(LogLevel level, std::string_view message);

// The events an instance sends its host: each as HostCallbacks describes it. The defaults do
// nothing, but `log` writes the line to bridge32's log (logPluginLine).
class PluginHost {
 public:
  virtual ~PluginHost() = default;
  virtual void log(LogLevel level, std::string_view message) { logPluginLine(level, message); }
  virtual void paramChanged(uint32_t /*paramId*/, double /*value*/) {}
  virtual void editorResized(EditorSize /*size*/) {}
  virtual void pluginStopped(std::string_view /*why*/) {}
  virtual void pluginRestarted() {}
  virtual void pluginRestartFailed(std::string_view /*why*/, bool /*willRetry*/) {}
};

// Where a plugin's b32_host_gui.request_resize goes: the host's editor container, in-process
// or across the pipe. Sizes arrive checked (1 .. B32_GUI_MAX_SIDE each side).
class EditorHost {
 public:
  virtual ~EditorHost() = default;
  // [main-thread] Resize the container, later, then call the plugin's set_size. False when
  // there is no editor to resize.
  virtual bool requestResize(EditorSize size) = 0;

  // [main-thread] Calls `tick(id)` on the main thread about every `period` until stopTimer(id),
  // for editors of a window system whose events the host does not dispatch for them (X11):
  // VST2's effEditIdle, the SDK's timer extension. Returns the timer's id, never 0; 0 when this
  // host has no timers (then neither can embed an X11 editor).
  virtual uint32_t startTimer(std::chrono::milliseconds period,
                              std::function<void(uint32_t id)> tick) {
    (void)period;
    (void)tick;
    return 0;
  }
  // [main-thread] `tick` is not called again for timer `id`, which may be running no more.
  virtual void stopTimer(uint32_t id) { (void)id; }
};

// A block of planar audio, `channels` x `frames`, with `inputSamples` and `outputSamples` samples
// in and out: throws Error(invalidArgument) unless both are channels * frames and the block is
// within bridge32's limits (limits.h). The one check of a block's shape, wherever it is made.
void checkAudioBlock(uint32_t channels, uint32_t frames, size_t inputSamples,
                     size_t outputSamples);

// Whether `transport` is one a plugin can be given: throws Error(invalidArgument) naming what is
// wrong (a tempo outside (0, 10000], a time signature of 0, a position that is not finite).
void checkTransport(const Transport& transport);

// Why a plugin's report that parameter `id` changed to `value` is refused: it has no such
// parameter, or the value is not finite or outside the parameter's range. Empty when it is fine.
// The same check for plugins in-process and for what a surrogate forwards.
std::string refusedParamChange(const std::vector<ParamInfo>& params, uint32_t id, double value);

}  // namespace bridge32
