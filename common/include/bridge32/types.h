// Plain types shared by the host API and the surrogate.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bridge32 {

enum class Architecture { unknown, x86, x64 };

std::string_view toString(Architecture architecture);

// The architecture this code was compiled for.
constexpr Architecture thisArchitecture() {
  return sizeof(void*) == 8 ? Architecture::x64 : Architecture::x86;
}

enum class LogLevel { trace, debug, info, warn, error, critical };

struct SdkVersion {
  uint32_t major = 0, minor = 0, revision = 0;
  std::string toString() const;
};

// The plugin formats bridge32 loads: its own SDK's, and VST2 plugins as they are.
enum class PluginFormat { sdk, vst2 };

std::string_view toString(PluginFormat format);  // "bridge32 SDK", "VST2"

struct PluginDescriptor {
  std::string id;  // a VST2 plugin's is its four-character unique id ("Ab1x"), or its number
  std::string name;
  std::string vendor;
  std::string version;
  // Its audio channels, as the plugin declares them; 0 when it does not say (SDK plugins process
  // as many channels as they are given).
  uint32_t inputs = 0, outputs = 0;
  bool isInstrument = false;  // it makes sound from MIDI (a VST2 synth)
};

struct ParamInfo {
  uint32_t id = 0;
  uint32_t flags = 0;  // B32_PARAM_IS_* from the SDK
  double minValue = 0, maxValue = 0, defaultValue = 0;
  std::string name;
  std::string unit;

  bool isReadOnly() const;
  // Only whole numbers are meaningful (a choice, a count); the plugin may refuse others.
  bool isStepped() const;
  // Whether `value` is within [minValue, maxValue] (NaN is not).
  bool accepts(double value) const;
  // The values it takes, as error messages name them: "numbers in [0, 4]", "whole numbers in
  // [0, 255] (stepped)", "none (read-only)".
  std::string rule() const;
};

// Why a plugin's report that parameter `id` changed to `value` is refused: it has no such
// parameter, or the value is not finite or outside the parameter's range. Empty when it is fine.
// The same check for plugins in-process and for what a surrogate forwards.
// A block of planar audio, `channels` x `frames`, with `inputSamples` and `outputSamples` samples
// in and out: throws Error(invalidArgument) unless both are channels * frames and the block is
// within bridge32's limits (limits.h). The one check of a block's shape, wherever it is made.
void checkAudioBlock(uint32_t channels, uint32_t frames, size_t inputSamples,
                     size_t outputSamples);

std::string refusedParamChange(const std::vector<ParamInfo>& params, uint32_t id, double value);

// An editor's size in pixels.
struct EditorSize {
  uint32_t width = 0, height = 0;
  friend bool operator==(const EditorSize&, const EditorSize&) = default;

  // Whether each side is within [1, B32_GUI_MAX_SIDE], as every editor size must be.
  bool isValid() const;
  std::string toString() const;  // "320 x 120"
  static std::string validRange();  // "[1, 16384] on each side"
};

// What a plugin says about its editor when it opens it.
struct EditorInfo {
  EditorSize size;
  bool canResize = false;
};

// A short MIDI message for a plugin, at a frame of the block it goes with.
struct MidiEvent {
  uint32_t frame = 0;     // from the block's first frame; beyond its last, it comes at the last
  uint8_t bytes[3] = {};  // status, data 1, data 2 (note on: 0x90 | channel, note, velocity)
  friend bool operator==(const MidiEvent&, const MidiEvent&) = default;
};

// Where the music is at a block's first frame, for plugins that follow the host's tempo.
struct Transport {
  bool playing = false;
  double tempo = 120;          // quarter notes per minute
  double beats = 0;            // the position, in quarter notes from the start
  double barStartBeats = 0;    // where the bar holding `beats` starts
  uint32_t numerator = 4, denominator = 4;  // the time signature
  friend bool operator==(const Transport&, const Transport&) = default;
};

// What goes with a block of audio besides the samples: the MIDI events within it, and the
// transport at its start (none: the plugin keeps what it was told last).
struct BlockEvents {
  std::span<const MidiEvent> midi;
  const Transport* transport = nullptr;
};

// Whether `transport` is one a plugin can be given: throws Error(invalidArgument) naming what is
// wrong (a tempo outside (0, 10000], a time signature of 0, a position that is not finite).
void checkTransport(const Transport& transport);

// What a plugin instance may call on its host. Implemented by the application (in-process
// plugins) and by the surrogate (which forwards over the pipe to the application's).
class HostCallbacks {
 public:
  virtual ~HostCallbacks() = default;
  // [any-thread] A line the plugin logged, as valid UTF-8 (control characters are left as they
  // are: escape them before printing them on a terminal). From a surrogate, lines the plugin logs
  // faster than the application takes them are dropped, and a warning line says how many. The
  // default writes it to the "plugin" spdlog logger.
  virtual void log(LogLevel level, std::string_view message);
  // [any-thread] The plugin changed a parameter by itself. Only changes of parameters it has, to
  // values within their range, arrive; from a surrogate that falls behind, only the latest value
  // of each. The default does nothing.
  virtual void paramChanged(uint32_t paramId, double value);
  // The editor's container took a new size because the plugin asked for it, so the application
  // can lay its window out again: on Windows on the container's thread (the application's window
  // thread), on X11 on the container's own thread. The default does nothing.
  virtual void editorResized(EditorSize size);
  // [any-thread] The plugin's surrogate process is gone (crashed, killed, hung and killed):
  // every later call fails with Error::Kind::disconnected until the plugin is restarted. `why`
  // says how it ended. The default does nothing; bridged plugins only. It runs on the bridge's
  // I/O thread with no bridge32 lock held: the application may destroy the instance (and its
  // module) here, but not call into plugins or restart it (from another thread, or let
  // RestartPolicy do it). A thread that destroys the instance meanwhile waits for this to return.
  virtual void pluginStopped(std::string_view why);
  // [any-thread] The plugin runs again in a new surrogate (PluginInstance::restart or an
  // automatic restart), with its state, parameters and activation restored and its editor, if
  // one was open, coming back in its container. The default does nothing.
  virtual void pluginRestarted();
  // [any-thread] An automatic restart failed; `why` says how. Another attempt follows after a
  // back-off when `willRetry`; otherwise the plugin stays stopped until restart() is called.
  // The default does nothing.
  //
  // Automatic restarts call these two on a thread of the instance's own, which its destruction
  // joins: do not destroy the instance from inside them.
  virtual void pluginRestartFailed(std::string_view why, bool willRetry);
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

// `bytes` as valid UTF-8: every byte that does not start or continue a well-formed sequence
// (overlong forms, surrogates and code points past U+10FFFF included) becomes U+FFFD. For text
// that comes from plugins and surrogates.
std::string validUtf8(std::string_view bytes);

// UTF-8 text <-> filesystem paths, the same on every platform (paths are UTF-16 on Windows).
std::filesystem::path pathFromUtf8(std::string_view utf8);
std::string utf8(const std::filesystem::path& path);

}  // namespace bridge32
