#include "plugin/local-plugin.h"

#include <algorithm>

#include "bridge32/error.h"
#include "bridge32/limits.h"
#include "logging.h"
#include "module-exports.h"
#include "module-file.h"
#include "sdk/sdk-module.h"
#include "vst2/vst2-plugin.h"

namespace bridge32 {

PluginFormat pluginFormatOf(const std::filesystem::path& path) {
  std::vector<Export> exports = listExports(path);
  auto exported = [&](std::string_view name) {
    return std::any_of(exports.begin(), exports.end(),
                       [&](const Export& e) { return e.name == name; });
  };
  if (exported(B32_ENTRY_SYMBOL)) return PluginFormat::sdk;
  for (const char* entry : vst2::kEntryPoints) {
    if (exported(entry)) return PluginFormat::vst2;
  }
  throw Error(Error::Kind::badModule,
              "'" + utf8(path) + "' is not a plugin module: it exports none of " +
                  B32_ENTRY_SYMBOL + " (bridge32 SDK), " + vst2::kEntryPoints[0] + " or " +
                  vst2::kEntryPoints[1] +
                  " (VST2). Its exports can be called by declaration instead: "
                  "bridge32::Library, `bridge32 exports`, `bridge32 call`");
}

namespace {

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

}  // namespace

void ParamReports::report(PluginHost& host, std::string_view kind, std::string_view pluginId,
                          std::string_view early, uint32_t id, double value) {
  const std::vector<ParamInfo>* params = params_.load(std::memory_order_acquire);
  std::string refused = params ? refusedParamChange(*params, id, value) : std::string(early);
  if (!refused.empty()) {
    if (!refusedOne_.exchange(true)) {
      logging::warn("{} '{}' {}; ignored (further refusals are not logged)", kind, pluginId,
                    refused);
    }
    return;
  }
  try {
    host.paramChanged(id, value);
  } catch (...) {
  }
}

void checkLoadableHere(const std::filesystem::path& path) {
  ModuleFile file = readModuleFile(path, "plugin module");
  if (file.format != nativeModuleFormat() || !file.isLibrary) {
    throw Error(Error::Kind::badModule,
                "'" + utf8(path) + "' is a " + file.describe() + "; expected a " +
                    (nativeModuleFormat() == ModuleFormat::pe ? "PE DLL" : "ELF shared object"));
  }
  if (file.architecture != thisArchitecture()) {
    throw Error(Error::Kind::badModule,
                "'" + utf8(path) + "' is a " + file.describe() + " and cannot load into this " +
                    std::string(toString(thisArchitecture())) + " process");
  }
}

void checkActivation(double sampleRate, uint32_t maxFrames) {
  if (!(sampleRate >= 1 && sampleRate <= 1e7)) {
    throw Error(Error::Kind::invalidArgument,
                "sample rate " + number(sampleRate) + " is outside [1, 1e7]");
  }
  if (maxFrames == 0 || maxFrames > limits::kMaxFramesPerBlock) {
    throw Error(Error::Kind::invalidArgument,
                "maximum block size " + std::to_string(maxFrames) + " is outside [1, " +
                    std::to_string(limits::kMaxFramesPerBlock) + "] frames");
  }
}

void checkParamValue(const ParamInfo& info, double value, std::string_view pluginId) {
  if (info.isReadOnly()) {
    throw Error(Error::Kind::invalidArgument, "parameter '" + info.name + "' of plugin '" +
                                                  std::string(pluginId) + "' is read-only");
  }
  if (!info.accepts(value)) {
    throw Error(Error::Kind::invalidArgument,
                "value " + number(value) + " for parameter '" + info.name + "' (id " +
                    std::to_string(info.id) + ") of plugin '" + std::string(pluginId) +
                    "' is outside [" + number(info.minValue) + ", " + number(info.maxValue) + "]");
  }
}

void checkProcessBlock(std::string_view pluginId, bool active, uint32_t maxFrames,
                       uint32_t channels, uint32_t frames, size_t inputSamples,
                       size_t outputSamples) {
  if (!active) {
    throw Error(Error::Kind::badState,
                "plugin '" + std::string(pluginId) + "' must be activated before it can process");
  }
  checkAudioBlock(channels, frames, inputSamples, outputSamples);
  if (frames > maxFrames) {
    throw Error(Error::Kind::invalidArgument,
                "a block of " + std::to_string(frames) + " frames exceeds the " +
                    std::to_string(maxFrames) + " given to activate()");
  }
}

void checkBlockEvents(const BlockEvents& events) {
  if (events.midi.size() > limits::kMaxMidiEventsPerBlock) {
    throw Error(Error::Kind::invalidArgument,
                std::to_string(events.midi.size()) + " MIDI events in one block; bridge32 takes at most " +
                    std::to_string(limits::kMaxMidiEventsPerBlock));
  }
  for (size_t i = 1; i < events.midi.size(); ++i) {
    if (events.midi[i].frame < events.midi[i - 1].frame) {
      throw Error(Error::Kind::invalidArgument,
                  "MIDI event " + std::to_string(i) + " (frame " +
                      std::to_string(events.midi[i].frame) + ") comes before the one ahead of it (frame " +
                      std::to_string(events.midi[i - 1].frame) + "): events go in frame order");
    }
  }
  if (events.transport) checkTransport(*events.transport);
}

std::shared_ptr<LocalModule> loadLocalModule(const std::filesystem::path& path,
                                             PluginFormat format) {
  switch (format) {
    case PluginFormat::sdk: return std::make_shared<SdkModule>(path);
    case PluginFormat::vst2: return std::make_shared<Vst2Module>(path);
  }
  throw Error(Error::Kind::invalidArgument, "an unknown plugin format");
}

}  // namespace bridge32
