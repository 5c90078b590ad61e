#include "sdk/sdk-module.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "bridge32/error.h"
#include "bridge32/limits.h"
#include "dynamic-library.h"
#include "logging.h"


namespace bridge32 {

namespace {

// A fixed-size C string field, read without trusting it to be terminated or to be UTF-8.
std::string fixedString(const char* field, size_t size) {
  return validUtf8(std::string_view(field, strnlen(field, size)));
}

SdkVersion toSdkVersion(const b32_version& version) {
  return {version.major, version.minor, version.revision};
}

std::string sdkMismatch(const std::filesystem::path& path, const b32_version& version) {
  return "'" + utf8(path) + "' was built with bridge32 SDK " + toSdkVersion(version).toString() +
         "; this build supports SDK " + std::to_string(B32_SDK_VERSION_MAJOR) + ".x";
}

std::string_view statusName(b32_status status) {
  switch (status) {
    case B32_ERROR_FAILED: return "B32_ERROR_FAILED";
    case B32_ERROR_INVALID_ARGUMENT: return "B32_ERROR_INVALID_ARGUMENT";
    case B32_ERROR_BAD_STATE: return "B32_ERROR_BAD_STATE";
    case B32_ERROR_UNSUPPORTED: return "B32_ERROR_UNSUPPORTED";
  }
  return "an unknown status";
}

Error::Kind kindOf(b32_status status) {
  switch (status) {
    case B32_ERROR_INVALID_ARGUMENT: return Error::Kind::invalidArgument;
    case B32_ERROR_BAD_STATE: return Error::Kind::badState;
    case B32_ERROR_UNSUPPORTED: return Error::Kind::unsupported;
  }
  return Error::Kind::failed;
}

// Text a plugin handed over, read without trusting it to be terminated, short or UTF-8.
std::string pluginText(const char* text) {
  return text ? validUtf8(std::string_view(text, strnlen(text, limits::kMaxTextBytes)))
              : std::string();
}

}  // namespace

SdkModule::SdkModule(const std::filesystem::path& path) : path_(path) {
  checkLoadableHere(path);

  library_ = std::make_unique<DynamicLibrary>(path);
  auto entryFunction = reinterpret_cast<b32_entry_function>(library_->symbol(B32_ENTRY_SYMBOL));
  if (!entryFunction) {
    throw Error(Error::Kind::badModule, "'" + utf8(path) + "' does not export '" +
                                            B32_ENTRY_SYMBOL +
                                            "': it is not a bridge32 plugin (its exports can "
                                            "be called by declaration: bridge32::Library, "
                                            "`bridge32 exports`, `bridge32 call`)");
  }
  entry_ = entryFunction();
  if (!entry_) {
    throw Error(Error::Kind::badModule, "'" + utf8(path) + "': " + B32_ENTRY_SYMBOL +
                                            "() returned no entry");
  }
  sdkVersion_ = toSdkVersion(entry_->sdk_version);
  if (entry_->sdk_version.major != B32_SDK_VERSION_MAJOR) {
    throw Error(Error::Kind::unsupportedVersion, sdkMismatch(path, entry_->sdk_version));
  }

  std::string pathText = utf8(path);
  b32_status status = B32_ERROR_FAILED;
  auto threw = [&](const std::string& what) {
    return Error(Error::Kind::badModule, "'" + pathText + "' failed to initialize: init() threw" +
                                             what + " (an exception must not leave a bridge32 " +
                                             "entry point)");
  };
  try {
    status = entry_->init(pathText.c_str());
  } catch (const std::exception& exception) {
    throw threw(" \"" + std::string(exception.what()) + "\"");
  } catch (...) {
    throw threw("");
  }
  if (status != B32_OK) {
    throw Error(kindOf(status), "'" + pathText + "' failed to initialize: init() returned " +
                                    std::string(statusName(status)));
  }
  initialized_ = true;

  uint32_t count = entry_->get_plugin_count();
  if (count > limits::kMaxPluginsPerModule) {
    throw Error(Error::Kind::badModule, "'" + pathText + "' lists " + std::to_string(count) +
                                            " plugins; bridge32 takes at most " +
                                            std::to_string(limits::kMaxPluginsPerModule));
  }
  for (uint32_t i = 0; i < count; ++i) {
    const b32_plugin_descriptor* descriptor = entry_->get_plugin_descriptor(i);
    if (!descriptor) {
      throw Error(Error::Kind::badModule, "'" + pathText + "' lists " + std::to_string(count) +
                                              " plugins but has no descriptor at index " +
                                              std::to_string(i));
    }
    if (descriptor->sdk_version.major != B32_SDK_VERSION_MAJOR) {
      throw Error(Error::Kind::unsupportedVersion, sdkMismatch(path, descriptor->sdk_version));
    }
    plugins_.push_back({fixedString(descriptor->id, B32_ID_SIZE),
                        fixedString(descriptor->name, B32_NAME_SIZE),
                        fixedString(descriptor->vendor, B32_VENDOR_SIZE),
                        fixedString(descriptor->version, B32_VERSION_STRING_SIZE)});
  }
}

SdkModule::~SdkModule() {
  if (initialized_) entry_->deinit();
}

std::unique_ptr<LocalInstance> SdkModule::createInstance(std::string_view pluginId,
                                                         PluginHost& host,
                                                         EditorHost* editorHost) {
  return std::make_unique<SdkInstance>(shared_from_this(), pluginId, host, editorHost);
}

// b32_host's functions, forwarding to the instance's PluginHost and EditorHost. A throwing
// callback must not unwind through the plugin's C frames.
const b32_host_gui SdkInstance::kHostGui = {
    [](const b32_host* host, uint32_t width, uint32_t height) -> b32_status {
      SdkInstance& self = of(host);
      if (!EditorSize{width, height}.isValid()) return B32_ERROR_INVALID_ARGUMENT;
      if (!self.editorOpen_ || !self.editorHost_) return B32_ERROR_BAD_STATE;
      try {
        return self.editorHost_->requestResize({width, height}) ? B32_OK : B32_ERROR_BAD_STATE;
      } catch (...) {
        return B32_ERROR_FAILED;
      }
    }};

const b32_host_timer SdkInstance::kHostTimer = {
    [](const b32_host* host, uint32_t periodMs, uint32_t* id) -> b32_status {
      SdkInstance& self = of(host);
      if (!id) return B32_ERROR_INVALID_ARGUMENT;
      if (!self.timer_ || !self.editorHost_) return B32_ERROR_UNSUPPORTED;
      periodMs = std::clamp<uint32_t>(periodMs, B32_TIMER_MIN_PERIOD_MS, B32_TIMER_MAX_PERIOD_MS);
      try {
        uint32_t started = self.editorHost_->startTimer(
            std::chrono::milliseconds(periodMs),
            [&self](uint32_t timer) { self.timer_->on_timer(self.plugin_, timer); });
        if (started == 0) return B32_ERROR_UNSUPPORTED;
        self.timers_.push_back(started);
        *id = started;
        return B32_OK;
      } catch (...) {
        return B32_ERROR_FAILED;
      }
    },
    [](const b32_host* host, uint32_t id) -> b32_status {
      SdkInstance& self = of(host);
      auto running = std::find(self.timers_.begin(), self.timers_.end(), id);
      if (running == self.timers_.end()) return B32_ERROR_INVALID_ARGUMENT;
      self.timers_.erase(running);
      self.editorHost_->stopTimer(id);
      return B32_OK;
    }};

SdkInstance& SdkInstance::of(const b32_host* host) {
  return *static_cast<SdkInstance*>(host->host_data);
}

SdkInstance::SdkInstance(std::shared_ptr<SdkModule> module, std::string_view pluginId,
                               PluginHost& host, EditorHost* editorHost)
    : module_(std::move(module)), callbacks_(host), editorHost_(editorHost) {
  for (const auto& plugin : module_->plugins()) {
    if (plugin.id == pluginId) descriptor_ = plugin;
  }
  if (descriptor_.id.empty()) {
    throw Error(Error::Kind::notFound, "'" + utf8(module_->path()) + "' has no plugin with id '" +
                                           std::string(pluginId) + "'");
  }

  host_ = {
      B32_SDK_VERSION, this,
      [](const b32_host* host, int32_t severity, const char* message) {
        LogLevel level = severity <= B32_LOG_DEBUG     ? LogLevel::debug
                         : severity == B32_LOG_INFO    ? LogLevel::info
                         : severity == B32_LOG_WARNING ? LogLevel::warn
                                                       : LogLevel::error;
        try {
          of(host).callbacks_.log(level, pluginText(message));
        } catch (...) {
        }
      },
      [](const b32_host* host, uint32_t paramId, double value) {
        SdkInstance& self = of(host);
        self.paramReports_.report(self.callbacks_, "plugin", self.descriptor_.id,
                                  "reported a parameter change before it described its parameters",
                                  paramId, value);
      },
      [](const b32_host*, const char* id) -> const void* {
        if (!id) return nullptr;
        if (std::strcmp(id, B32_EXT_GUI) == 0) return &kHostGui;
        if (std::strcmp(id, B32_EXT_TIMER) == 0) return &kHostTimer;
        return nullptr;
      }};
  plugin_ = module_->entry().create_plugin(&host_, descriptor_.id.c_str());
  if (!plugin_) {
    throw Error(Error::Kind::failed, "plugin '" + descriptor_.id + "' could not be created");
  }
  if (b32_status status = plugin_->init(plugin_); status != B32_OK) {
    plugin_->destroy(plugin_);
    plugin_ = nullptr;
    throw Error(kindOf(status), "plugin '" + descriptor_.id + "' failed to initialize: init() returned " +
                                    std::string(statusName(status)));
  }

  try {
    params_ =
        static_cast<const b32_plugin_params*>(plugin_->get_extension(plugin_, B32_EXT_PARAMS));
    state_ = static_cast<const b32_plugin_state*>(plugin_->get_extension(plugin_, B32_EXT_STATE));
    process_ =
        static_cast<const b32_plugin_process*>(plugin_->get_extension(plugin_, B32_EXT_PROCESS));
    gui_ = static_cast<const b32_plugin_gui*>(plugin_->get_extension(plugin_, B32_EXT_GUI));
    events_ =
        static_cast<const b32_plugin_events*>(plugin_->get_extension(plugin_, B32_EXT_EVENTS));
    programs_ =
        static_cast<const b32_plugin_programs*>(plugin_->get_extension(plugin_, B32_EXT_PROGRAMS));
    latency_ =
        static_cast<const b32_plugin_latency*>(plugin_->get_extension(plugin_, B32_EXT_LATENCY));
    timer_ = static_cast<const b32_plugin_timer*>(plugin_->get_extension(plugin_, B32_EXT_TIMER));
    if (events_) midi_.resize(limits::kMaxMidiEventsPerBlock);

    if (params_) {
      uint32_t count = params_->count(plugin_);
      if (count > limits::kMaxParams) {
        throw Error(Error::Kind::badModule,
                    "plugin '" + descriptor_.id + "' has " + std::to_string(count) +
                        " parameters; bridge32 takes at most " +
                        std::to_string(limits::kMaxParams));
      }
      for (uint32_t i = 0; i < count; ++i) {
        b32_param_info info{};
        check(params_->get_info(plugin_, i, &info), "describe parameter #" + std::to_string(i));
        paramInfos_.push_back({info.id, info.flags, info.min_value, info.max_value,
                               info.default_value, fixedString(info.name, B32_PARAM_NAME_SIZE),
                               fixedString(info.unit, B32_PARAM_UNIT_SIZE)});
      }
    }
    paramReports_.known(paramInfos_);
  } catch (...) {
    plugin_->destroy(plugin_);
    plugin_ = nullptr;
    throw;
  }
}

SdkInstance::~SdkInstance() {
  for (uint32_t timer : timers_) editorHost_->stopTimer(timer);
  if (editorOpen_) gui_->destroy(plugin_);
  if (active_) process_->deactivate(plugin_);
  if (plugin_) plugin_->destroy(plugin_);
}

void SdkInstance::check(b32_status status, std::string_view what) const {
  if (status == B32_OK) return;
  throw Error(kindOf(status), "plugin '" + descriptor_.id + "' failed to " + std::string(what) +
                                  ": " + std::string(statusName(status)));
}

void SdkInstance::requireExtension(const void* extension, const char* id) const {
  if (!extension) {
    throw Error(Error::Kind::unsupported,
                "plugin '" + descriptor_.id + "' does not offer the " + id + " extension");
  }
}

const ParamInfo& SdkInstance::paramById(uint32_t id) const {
  requireExtension(params_, B32_EXT_PARAMS);
  for (const auto& info : paramInfos_) {
    if (info.id == id) return info;
  }
  throw Error(Error::Kind::notFound,
              "plugin '" + descriptor_.id + "' has no parameter with id " + std::to_string(id));
}

double SdkInstance::param(uint32_t id) {
  const ParamInfo& info = paramById(id);
  double value = 0;
  check(params_->get_value(plugin_, id, &value), "get parameter '" + info.name + "'");
  return value;
}

void SdkInstance::setParam(uint32_t id, double value) {
  const ParamInfo& info = paramById(id);
  checkParamValue(info, value, descriptor_.id);
  b32_status status = params_->set_value(plugin_, id, value);
  if (status == B32_ERROR_INVALID_ARGUMENT) {
    // In range, yet refused: a fraction for a stepped parameter, or a rule of the plugin's own.
    throw Error(Error::Kind::invalidArgument,
                "plugin '" + descriptor_.id + "' refused value " + fmt::format("{}", value) +
                    " for parameter '" + info.name + "' (id " + std::to_string(id) +
                    "), which takes " + info.rule());
  }
  check(status, "set parameter '" + info.name + "'");
}

std::string SdkInstance::paramDisplay(uint32_t id) { return fmt::format("{}", param(id)); }

std::vector<uint8_t> SdkInstance::saveState() {
  requireExtension(state_, B32_EXT_STATE);
  struct Sink {
    std::vector<uint8_t> bytes;
    bool overflow = false;
  } sink;
  b32_ostream stream{&sink, [](const b32_ostream* stream, const void* buffer,
                               uint64_t size) -> int64_t {
                       auto& sink = *static_cast<Sink*>(stream->context);
                       if (size > limits::kMaxStateBytes - sink.bytes.size()) {
                         sink.overflow = true;
                         return -1;
                       }
                       auto bytes = static_cast<const uint8_t*>(buffer);
                       sink.bytes.insert(sink.bytes.end(), bytes, bytes + size);
                       return int64_t(size);
                     }};
  b32_status status = state_->save(plugin_, &stream);
  if (sink.overflow) {
    throw Error(Error::Kind::failed, "plugin '" + descriptor_.id + "' saved more than the " +
                                         std::to_string(limits::kMaxStateBytes) +
                                         "-byte state limit");
  }
  check(status, "save its state");
  return std::move(sink.bytes);
}

void SdkInstance::loadState(std::span<const uint8_t> state) {
  requireExtension(state_, B32_EXT_STATE);
  if (state.size() > limits::kMaxStateBytes) {
    throw Error(Error::Kind::invalidArgument,
                "a state of " + std::to_string(state.size()) + " bytes exceeds the limit of " +
                    std::to_string(limits::kMaxStateBytes));
  }
  struct Source {
    std::span<const uint8_t> rest;
  } source{state};
  b32_istream stream{&source, [](const b32_istream* stream, void* buffer,
                                 uint64_t size) -> int64_t {
                       auto& source = *static_cast<Source*>(stream->context);
                       size_t n = size_t(std::min<uint64_t>(size, source.rest.size()));
                       std::memcpy(buffer, source.rest.data(), n);
                       source.rest = source.rest.subspan(n);
                       return int64_t(n);
                     }};
  check(state_->load(plugin_, &stream), "load a state of " + std::to_string(state.size()) +
                                            " bytes");
}

void SdkInstance::activate(double sampleRate, uint32_t maxFrames) {
  requireExtension(process_, B32_EXT_PROCESS);
  checkActivation(sampleRate, maxFrames);
  if (active_) deactivate();
  check(process_->activate(plugin_, sampleRate, maxFrames), "activate");
  active_ = true;
  maxFrames_ = maxFrames;
}

void SdkInstance::deactivate() {
  requireExtension(process_, B32_EXT_PROCESS);
  if (!active_) return;
  process_->deactivate(plugin_);
  active_ = false;
}

void SdkInstance::process(uint32_t channels, uint32_t frames, std::span<const float> input,
                          std::span<float> output, const BlockEvents& events) {
  requireExtension(process_, B32_EXT_PROCESS);
  checkProcessBlock(descriptor_.id, active_, maxFrames_, channels, frames, input.size(),
                    output.size());
  checkBlockEvents(events);
  if (events_ && !events.midi.empty()) {
    for (size_t i = 0; i < events.midi.size(); ++i) {
      const MidiEvent& event = events.midi[i];
      midi_[i] = {clampedFrame(event, frames), {event.bytes[0], event.bytes[1], event.bytes[2]}, 0};
    }
    events_->midi(plugin_, midi_.data(), uint32_t(events.midi.size()));
  }
  if (events_ && events.transport) {
    const Transport& transport = *events.transport;
    b32_transport given{transport.playing ? B32_TRANSPORT_PLAYING : 0u,
                        transport.numerator,
                        transport.denominator,
                        0,
                        transport.tempo,
                        transport.beats,
                        transport.barStartBeats};
    events_->transport(plugin_, &given);
  }
  b32_process_block block{channels, frames, input.data(), output.data()};
  check(process_->process(plugin_, &block), "process a block");
}

std::vector<std::string> SdkInstance::programNames() {
  std::vector<std::string> names;
  if (!programs_) return names;
  uint32_t count = programs_->count(plugin_);
  if (count > limits::kMaxParams) {
    throw Error(Error::Kind::failed, "plugin '" + descriptor_.id + "' says it has " +
                                         std::to_string(count) + " programs; bridge32 takes at most " +
                                         std::to_string(limits::kMaxParams));
  }
  for (uint32_t i = 0; i < count; ++i) {
    char name[B32_PROGRAM_NAME_SIZE] = {};
    check(programs_->get_name(plugin_, i, name), "name program " + std::to_string(i));
    names.push_back(fixedString(name, sizeof name));
  }
  return names;
}

uint32_t SdkInstance::program() { return programs_ ? programs_->current(plugin_) : 0; }

void SdkInstance::setProgram(uint32_t index) {
  requireExtension(programs_, B32_EXT_PROGRAMS);
  uint32_t count = programs_->count(plugin_);
  if (index >= count) {
    throw Error(Error::Kind::invalidArgument, "plugin '" + descriptor_.id + "' has " +
                                                  std::to_string(count) + " programs; it has no program " +
                                                  std::to_string(index));
  }
  check(programs_->select(plugin_, index), "choose program " + std::to_string(index));
}

uint32_t SdkInstance::latency() { return latency_ ? latency_->get(plugin_) : 0; }

void SdkInstance::requireEditor() const {
  requireExtension(gui_, B32_EXT_GUI);
  if (!editorOpen_) {
    throw Error(Error::Kind::badState, "plugin '" + descriptor_.id + "' has no editor open");
  }
}

EditorSize SdkInstance::checkedEditorSize(uint32_t width, uint32_t height,
                                             std::string_view what) const {
  EditorSize size{width, height};
  if (!size.isValid()) {
    throw Error(Error::Kind::failed, "plugin '" + descriptor_.id + "' " + std::string(what) +
                                         " an editor size of " + size.toString() + ", outside " +
                                         EditorSize::validRange());
  }
  return size;
}

EditorInfo SdkInstance::openEditor(uint32_t api, void* parent) {
  requireExtension(gui_, B32_EXT_GUI);
  if (editorOpen_) {
    throw Error(Error::Kind::badState, "plugin '" + descriptor_.id + "' already has an editor open");
  }
  if (api != kNativeWindowApi || !gui_->is_api_supported(plugin_, api)) {
    throw Error(Error::Kind::unsupported, "plugin '" + descriptor_.id +
                                              "' cannot embed its editor in a window of API " +
                                              std::to_string(api) + " in this process");
  }
  check(gui_->create(plugin_, api, parent), "create its editor");
  editorOpen_ = true;
  EditorInfo info;
  try {
    uint32_t width = 0, height = 0;
    check(gui_->get_size(plugin_, &width, &height), "report its editor size");
    info.size = checkedEditorSize(width, height, "reported");
    info.canResize = gui_->can_resize(plugin_) != 0;
  } catch (...) {
    closeEditor();
    throw;
  }
  return info;
}

void SdkInstance::closeEditor() {
  if (!editorOpen_) return;
  editorOpen_ = false;
  gui_->destroy(plugin_);
}

EditorSize SdkInstance::setEditorSize(EditorSize size) {
  requireEditor();
  if (!size.isValid()) {
    throw Error(Error::Kind::invalidArgument, "editor size " + size.toString() + " is outside " +
                                                  EditorSize::validRange());
  }
  uint32_t width = size.width, height = size.height;
  check(gui_->set_size(plugin_, &width, &height), "resize its editor");
  return checkedEditorSize(width, height, "took");
}

void SdkInstance::showEditor(bool visible) {
  requireEditor();
  check(visible ? gui_->show(plugin_) : gui_->hide(plugin_),
        visible ? "show its editor" : "hide its editor");
}

}  // namespace bridge32
