#include "bridge32/types.h"

#include <spdlog/spdlog.h>

#include "bridge32/ext/gui.h"
#include "bridge32/ext/params.h"

namespace bridge32 {

std::string_view toString(Architecture architecture) {
  switch (architecture) {
    case Architecture::x86: return "x86";
    case Architecture::x64: return "x64";
    case Architecture::unknown: break;
  }
  return "unknown";
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

void HostCallbacks::log(LogLevel level, std::string_view message) {
  auto logger = spdlog::get("plugin");
  if (!logger) logger = spdlog::default_logger();
  logger->log(static_cast<spdlog::level::level_enum>(level), "{}", message);
}

void HostCallbacks::paramChanged(uint32_t, double) {}

void HostCallbacks::editorResized(EditorSize) {}

void HostCallbacks::pluginStopped(std::string_view) {}

void HostCallbacks::pluginRestarted() {}

void HostCallbacks::pluginRestartFailed(std::string_view, bool) {}

std::filesystem::path pathFromUtf8(std::string_view utf8) {
  return std::filesystem::path(std::u8string(utf8.begin(), utf8.end()));
}

std::string utf8(const std::filesystem::path& path) {
  auto text = path.u8string();
  return std::string(text.begin(), text.end());
}

}  // namespace bridge32
