// Plain types shared by the host API and the surrogate. Header-only: an application compiles
// them itself, whatever its compiler (the library's boundary is the C API, bridge32.h).
#pragma once

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "bridge32/ext/gui.h"
#include "bridge32/ext/params.h"

namespace bridge32 {

enum class Architecture { unknown, x86, x64 };

// "x86", "x64", "unknown".
inline std::string_view toString(Architecture architecture);

// The architecture this code was compiled for.
constexpr Architecture thisArchitecture() {
  return sizeof(void*) == 8 ? Architecture::x64 : Architecture::x86;
}

enum class LogLevel { trace, debug, info, warn, error, critical };

struct SdkVersion {
  uint32_t major = 0, minor = 0, revision = 0;
  std::string toString() const {
    return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(revision);
  }
};

// The plugin formats bridge32 loads: its own SDK's, and VST2 plugins as they are.
enum class PluginFormat { sdk, vst2 };

inline std::string_view toString(PluginFormat format);  // "bridge32 SDK", "VST2"

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

  bool isReadOnly() const { return (flags & B32_PARAM_IS_READ_ONLY) != 0; }
  // Only whole numbers are meaningful (a choice, a count); the plugin may refuse others.
  bool isStepped() const { return (flags & B32_PARAM_IS_STEPPED) != 0; }
  // Whether `value` is within [minValue, maxValue] (NaN is not).
  bool accepts(double value) const { return value >= minValue && value <= maxValue; }
  // The values it takes, as error messages name them: "numbers in [0, 4]", "whole numbers in
  // [0, 255] (stepped)", "none (read-only)".
  inline std::string rule() const;
};

// An editor's size in pixels.
struct EditorSize {
  uint32_t width = 0, height = 0;
  friend bool operator==(const EditorSize&, const EditorSize&) = default;

  // Whether each side is within [1, B32_GUI_MAX_SIDE], as every editor size must be.
  bool isValid() const {
    return width >= 1 && height >= 1 && width <= B32_GUI_MAX_SIDE && height <= B32_GUI_MAX_SIDE;
  }
  std::string toString() const {  // "320 x 120"
    return std::to_string(width) + " x " + std::to_string(height);
  }
  static std::string validRange() {  // "[1, 16384] on each side"
    return "[1, " + std::to_string(B32_GUI_MAX_SIDE) + "] on each side";
  }
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

// `bytes` as valid UTF-8: every byte that does not start or continue a well-formed sequence
// (overlong forms, surrogates and code points past U+10FFFF included) becomes U+FFFD. For text
// that comes from plugins and surrogates.
inline std::string validUtf8(std::string_view bytes);

// UTF-8 text <-> filesystem paths, the same on every platform (paths are UTF-16 on Windows).
inline std::filesystem::path pathFromUtf8(std::string_view utf8) {
  return std::filesystem::path(std::u8string(utf8.begin(), utf8.end()));
}
inline std::string utf8(const std::filesystem::path& path) {
  auto text = path.u8string();
  return std::string(text.begin(), text.end());
}

// ---- Definitions -----------------------------------------------------------------------------

namespace detail {

// The length of the valid UTF-8 sequence at `text[at]`, or 0 if the bytes there are not one
// (overlong forms, surrogates and code points above U+10FFFF are not valid).
inline size_t utf8SequenceLength(std::string_view text, size_t at,
                                 uint32_t* codePoint = nullptr) {
  unsigned char lead = static_cast<unsigned char>(text[at]);
  size_t length = lead < 0x80 ? 1 : lead >= 0xC2 && lead < 0xE0 ? 2 : lead >= 0xE0 && lead < 0xF0 ? 3
                  : lead >= 0xF0 && lead < 0xF5                  ? 4
                                                                 : 0;
  if (length == 0 || at + length > text.size()) return 0;
  uint32_t value = length == 1 ? lead : lead & (0x7F >> length);
  for (size_t i = 1; i < length; ++i) {
    unsigned char next = static_cast<unsigned char>(text[at + i]);
    if ((next & 0xC0) != 0x80) return 0;
    value = (value << 6) | (next & 0x3F);
  }
  static constexpr uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  bool valid = value >= kSmallest[length] && value <= 0x10FFFF &&
               !(value >= 0xD800 && value <= 0xDFFF);
  if (!valid) return 0;
  if (codePoint) *codePoint = value;
  return length;
}

// The shortest text that reads back as the same double where a double is expected: 2.0 prints
// as "2" (bridge32 call prints `y = {2, 4, 6}` for doubles, as C would write them), but -0.0
// keeps its point, since "-0" would read back as 0.
inline std::string printFloating(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  if (value == 0 && std::signbit(value)) return "-0.0";
  char buffer[64];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

}  // namespace detail

inline std::string_view toString(Architecture architecture) {
  switch (architecture) {
    case Architecture::x86: return "x86";
    case Architecture::x64: return "x64";
    case Architecture::unknown: break;
  }
  return "unknown";
}

inline std::string_view toString(PluginFormat format) {
  switch (format) {
    case PluginFormat::sdk: return "bridge32 SDK";
    case PluginFormat::vst2: return "VST2";
  }
  return "unknown";
}

inline std::string ParamInfo::rule() const {
  if (isReadOnly()) return "none (read-only)";
  std::string range =
      "[" + detail::printFloating(minValue) + ", " + detail::printFloating(maxValue) + "]";
  return isStepped() ? "whole numbers in " + range + " (stepped)" : "numbers in " + range;
}

inline std::string validUtf8(std::string_view bytes) {
  constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  std::string text;
  text.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    if (size_t length = detail::utf8SequenceLength(bytes, i)) {
      text.append(bytes.substr(i, length));
      i += length;
    } else {
      text.append(kReplacement);
      ++i;
    }
  }
  return text;
}

}  // namespace bridge32
