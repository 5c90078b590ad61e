// The C API of plugins (include/bridge32/bridge32.h): bridge32::LoadedPluginModule and LoadedPlugin
// behind opaque handles, and a C struct of function pointers as their host.
#include <algorithm>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "plugin/loaded-plugin.h"
#include "core/c-api.h"

using namespace bridge32;
using namespace bridge32::c_api;

namespace {

// The C caller's callbacks as a PluginHost; what it leaves NULL does what PluginHost does.
class CHostCallbacks final : public PluginHost {
 public:
  explicit CHostCallbacks(const bridge32_host_callbacks* given) {
    if (given) c_ = covered(*given, "host callbacks", "bridge32_host_callbacks_init");
  }

  void log(LogLevel level, std::string_view message) override {
    if (!c_.log) return PluginHost::log(level, message);
    c_.log(c_.context, bridge32_log_level(level), message.data(), message.size());
  }
  void paramChanged(uint32_t id, double value) override {
    if (c_.param_changed) c_.param_changed(c_.context, id, value);
  }
  void editorResized(EditorSize size) override {
    if (c_.editor_resized) c_.editor_resized(c_.context, size.width, size.height);
  }
  void pluginStopped(std::string_view why) override {
    if (!c_.stopped) return;
    std::string text(why);  // NUL-terminated for the caller
    c_.stopped(c_.context, text.c_str(), text.size());
  }
  void pluginRestarted() override {
    if (c_.restarted) c_.restarted(c_.context);
  }
  void pluginRestartFailed(std::string_view why, bool willRetry) override {
    if (!c_.restart_failed) return;
    std::string text(why);
    c_.restart_failed(c_.context, text.c_str(), text.size(), willRetry);
  }

 private:
  bridge32_host_callbacks c_{};
};

void describe(const PluginDescriptor& plugin, bridge32_plugin_descriptor& out) {
  out.id = plugin.id.c_str();
  out.id_length = plugin.id.size();
  out.name = plugin.name.c_str();
  out.name_length = plugin.name.size();
  out.vendor = plugin.vendor.c_str();
  out.vendor_length = plugin.vendor.size();
  out.version = plugin.version.c_str();
  out.version_length = plugin.version.size();
  out.inputs = plugin.inputs;
  out.outputs = plugin.outputs;
  out.is_instrument = plugin.isInstrument;
}

// A block's events as the C caller gave them, and the storage they point to.
struct Events {
  std::vector<MidiEvent> midi;
  Transport transport;
  BlockEvents block;

  explicit Events(const bridge32_block_events* given) {
    if (!given) return;
    if (!given->midi && given->midi_count != 0) {
      throw Error(Error::Kind::invalidArgument, "events' midi is NULL");
    }
    midi.reserve(given->midi_count);
    for (size_t i = 0; i < given->midi_count; ++i) {
      MidiEvent event;
      event.frame = given->midi[i].frame;
      std::copy(std::begin(given->midi[i].bytes), std::end(given->midi[i].bytes), event.bytes);
      midi.push_back(event);
    }
    block.midi = midi;
    if (const bridge32_transport* t = given->transport) {
      transport = Transport{t->playing != 0, t->tempo, t->beats, t->bar_start_beats,
                            t->numerator, t->denominator};
      block.transport = &transport;
    }
  }
};

}  // namespace

struct bridge32_plugin_module {
  std::shared_ptr<LoadedPluginModule> module;
  std::string path;  // UTF-8
};

struct bridge32_plugin {
  std::unique_ptr<CHostCallbacks> callbacks;  // declared first: outlives the instance
  std::unique_ptr<LoadedPlugin> instance;
};

extern "C" {

bridge32_status BRIDGE32_CALL bridge32_plugin_module_load(const char* path, size_t path_length,
                                                          const bridge32_load_options* options,
                                                          bridge32_plugin_module** module,
                                                          bridge32_error** error) {
  return guarded(error, [&] {
    LoadOptions given = loadOptions(options);  // first: its events are released however it ends
    auto& out = required(module, "module");
    out = nullptr;
    auto file = pathFromUtf8(text(path, path_length, "path"));
    std::shared_ptr<LoadedPluginModule> loaded = LoadedPluginModule::load(file, given);
    std::string loadedPath = utf8(loaded->path());
    out = new bridge32_plugin_module{std::move(loaded), std::move(loadedPath)};
  });
}

void BRIDGE32_CALL bridge32_plugin_module_free(bridge32_plugin_module* module) { delete module; }

bridge32_plugin_format BRIDGE32_CALL bridge32_plugin_module_format(const bridge32_plugin_module* module) {
  return module && module->module->format() == PluginFormat::vst2 ? BRIDGE32_FORMAT_VST2
                                                                  : BRIDGE32_FORMAT_SDK;
}

bridge32_architecture BRIDGE32_CALL bridge32_plugin_module_architecture(
    const bridge32_plugin_module* module) {
  return module ? toC(module->module->architecture()) : BRIDGE32_ARCH_UNKNOWN;
}

int32_t BRIDGE32_CALL bridge32_plugin_module_is_bridged(const bridge32_plugin_module* module) {
  return module && module->module->isBridged();
}

uint32_t BRIDGE32_CALL bridge32_plugin_module_surrogate_pid(const bridge32_plugin_module* module) {
  return module ? module->module->surrogatePid() : 0;
}

const char* BRIDGE32_CALL bridge32_plugin_module_path(const bridge32_plugin_module* module,
                                                      size_t* length) {
  return stringOf(module ? &module->path : nullptr, length);
}

void BRIDGE32_CALL bridge32_plugin_module_sdk_version(const bridge32_plugin_module* module,
                                                      uint32_t* major, uint32_t* minor,
                                                      uint32_t* revision) {
  SdkVersion version = module ? module->module->sdkVersion() : SdkVersion{};
  if (major) *major = version.major;
  if (minor) *minor = version.minor;
  if (revision) *revision = version.revision;
}

size_t BRIDGE32_CALL bridge32_plugin_module_plugin_count(const bridge32_plugin_module* module) {
  return module ? module->module->plugins().size() : 0;
}

bridge32_status BRIDGE32_CALL bridge32_plugin_module_plugin(const bridge32_plugin_module* module,
                                                            size_t index,
                                                            bridge32_plugin_descriptor* descriptor) {
  if (!module || !descriptor) return BRIDGE32_INVALID_ARGUMENT;
  const auto& plugins = module->module->plugins();
  if (index >= plugins.size()) return BRIDGE32_NOT_FOUND;
  describe(plugins[index], *descriptor);
  return BRIDGE32_OK;
}

void BRIDGE32_CALL bridge32_host_callbacks_init(bridge32_host_callbacks* callbacks) {
  if (!callbacks) return;
  *callbacks = bridge32_host_callbacks{};
  callbacks->struct_size = sizeof *callbacks;
}

bridge32_status BRIDGE32_CALL bridge32_plugin_create(bridge32_plugin_module* module, const char* id,
                                                     size_t id_length,
                                                     const bridge32_host_callbacks* callbacks,
                                                     bridge32_plugin** plugin,
                                                     bridge32_error** error) {
  return guarded(error, [&] {
    auto& out = required(plugin, "plugin");
    out = nullptr;
    auto made = std::make_unique<bridge32_plugin>();
    made->callbacks = std::make_unique<CHostCallbacks>(callbacks);
    made->instance = required(module, "module").module->createInstance(
        text(id, id_length, "the plugin's id"), *made->callbacks);
    out = made.release();
  });
}

void BRIDGE32_CALL bridge32_plugin_free(bridge32_plugin* plugin) { delete plugin; }

void BRIDGE32_CALL bridge32_plugin_descriptor_of(const bridge32_plugin* plugin,
                                                 bridge32_plugin_descriptor* descriptor) {
  if (plugin && descriptor) describe(plugin->instance->descriptor(), *descriptor);
}

int32_t BRIDGE32_CALL bridge32_plugin_has_params(const bridge32_plugin* plugin) {
  return plugin && plugin->instance->hasParams();
}
int32_t BRIDGE32_CALL bridge32_plugin_has_state(const bridge32_plugin* plugin) {
  return plugin && plugin->instance->hasState();
}
int32_t BRIDGE32_CALL bridge32_plugin_has_process(const bridge32_plugin* plugin) {
  return plugin && plugin->instance->hasProcess();
}
int32_t BRIDGE32_CALL bridge32_plugin_has_gui(const bridge32_plugin* plugin) {
  return plugin && plugin->instance->hasGui();
}
int32_t BRIDGE32_CALL bridge32_plugin_is_running(const bridge32_plugin* plugin) {
  return plugin && plugin->instance->isRunning();
}

size_t BRIDGE32_CALL bridge32_plugin_param_count(const bridge32_plugin* plugin) {
  return plugin ? plugin->instance->params().size() : 0;
}

bridge32_status BRIDGE32_CALL bridge32_plugin_param_info(const bridge32_plugin* plugin, size_t index,
                                                         bridge32_param_info* info) {
  if (!plugin || !info) return BRIDGE32_INVALID_ARGUMENT;
  const auto& params = plugin->instance->params();
  if (index >= params.size()) return BRIDGE32_NOT_FOUND;
  const ParamInfo& param = params[index];
  *info = bridge32_param_info{param.id,          param.flags,        param.minValue,
                              param.maxValue,    param.defaultValue, param.name.c_str(),
                              param.name.size(), param.unit.c_str(), param.unit.size()};
  return BRIDGE32_OK;
}

bridge32_status BRIDGE32_CALL bridge32_plugin_param(bridge32_plugin* plugin, uint32_t id,
                                                    double* value, bridge32_error** error) {
  return guarded(error, [&] {
    auto& out = required(value, "value");
    out = required(plugin, "plugin").instance->param(id);
  });
}

bridge32_status BRIDGE32_CALL bridge32_plugin_set_param(bridge32_plugin* plugin, uint32_t id,
                                                        double value, bridge32_error** error) {
  return guarded(error, [&] { required(plugin, "plugin").instance->setParam(id, value); });
}

bridge32_status BRIDGE32_CALL bridge32_plugin_param_display(bridge32_plugin* plugin, uint32_t id,
                                                            bridge32_bytes** text,
                                                            bridge32_error** error) {
  return guarded(error, [&] {
    auto& out = required(text, "text");
    out = nullptr;
    out = new bridge32_bytes{required(plugin, "plugin").instance->paramDisplay(id)};
  });
}

bridge32_status BRIDGE32_CALL bridge32_plugin_save_state(bridge32_plugin* plugin,
                                                         bridge32_bytes** state,
                                                         bridge32_error** error) {
  return guarded(error, [&] {
    auto& out = required(state, "state");
    out = nullptr;
    std::vector<uint8_t> saved = required(plugin, "plugin").instance->saveState();
    out = new bridge32_bytes{std::string(saved.begin(), saved.end())};
  });
}

bridge32_status BRIDGE32_CALL bridge32_plugin_load_state(bridge32_plugin* plugin,
                                                         const uint8_t* state, size_t size,
                                                         bridge32_error** error) {
  return guarded(error, [&] {
    if (!state && size != 0) throw Error(Error::Kind::invalidArgument, "state is NULL");
    required(plugin, "plugin").instance->loadState(std::span<const uint8_t>(state, size));
  });
}

bridge32_status BRIDGE32_CALL bridge32_plugin_activate(bridge32_plugin* plugin, double sample_rate,
                                                       uint32_t max_frames, bridge32_error** error) {
  return guarded(error, [&] { required(plugin, "plugin").instance->activate(sample_rate, max_frames); });
}

bridge32_status BRIDGE32_CALL bridge32_plugin_deactivate(bridge32_plugin* plugin,
                                                         bridge32_error** error) {
  return guarded(error, [&] { required(plugin, "plugin").instance->deactivate(); });
}

bridge32_status BRIDGE32_CALL bridge32_plugin_process(bridge32_plugin* plugin, uint32_t channels,
                                                      uint32_t frames, const float* input,
                                                      size_t input_count, float* output,
                                                      size_t output_count,
                                                      const bridge32_block_events* events,
                                                      bridge32_error** error) {
  return guarded(error, [&] {
    if ((!input && input_count != 0) || (!output && output_count != 0)) {
      throw Error(Error::Kind::invalidArgument, "a NULL input or output with samples");
    }
    Events given(events);
    required(plugin, "plugin").instance->process(channels, frames, {input, input_count},
                                                 {output, output_count}, given.block);
  });
}

bridge32_status BRIDGE32_CALL bridge32_plugin_audio_buffers(bridge32_plugin* plugin,
                                                            uint32_t channels, uint32_t frames,
                                                            float** input, const float** output,
                                                            bridge32_error** error) {
  return guarded(error, [&] {
    auto& in = required(input, "input");
    auto& out = required(output, "output");
    auto buffers = required(plugin, "plugin").instance->audioBuffers(channels, frames);
    in = buffers.input.data();
    out = buffers.output.data();
  });
}

bridge32_status BRIDGE32_CALL bridge32_plugin_process_audio_buffers(
    bridge32_plugin* plugin, uint32_t channels, uint32_t frames,
    const bridge32_block_events* events, bridge32_error** error) {
  return guarded(error, [&] {
    Events given(events);
    required(plugin, "plugin").instance->processAudioBuffers(channels, frames, given.block);
  });
}

bridge32_status BRIDGE32_CALL bridge32_plugin_program_names(bridge32_plugin* plugin,
                                                            bridge32_strings** names,
                                                            bridge32_error** error) {
  return guarded(error, [&] {
    auto& out = required(names, "names");
    out = nullptr;
    out = new bridge32_strings{required(plugin, "plugin").instance->programNames()};
  });
}

bridge32_status BRIDGE32_CALL bridge32_plugin_program(bridge32_plugin* plugin, uint32_t* index,
                                                      bridge32_error** error) {
  return guarded(error, [&] {
    auto& out = required(index, "index");
    out = required(plugin, "plugin").instance->program();
  });
}

bridge32_status BRIDGE32_CALL bridge32_plugin_set_program(bridge32_plugin* plugin, uint32_t index,
                                                          bridge32_error** error) {
  return guarded(error, [&] { required(plugin, "plugin").instance->setProgram(index); });
}

bridge32_status BRIDGE32_CALL bridge32_plugin_latency(bridge32_plugin* plugin, uint32_t* frames,
                                                      bridge32_error** error) {
  return guarded(error, [&] {
    auto& out = required(frames, "frames");
    out = required(plugin, "plugin").instance->latency();
  });
}

bridge32_status BRIDGE32_CALL bridge32_plugin_open_editor(bridge32_plugin* plugin, void* parent,
                                                          void** container,
                                                          bridge32_error** error) {
  return guarded(error, [&] {
    auto& out = required(container, "container");
    out = nullptr;
    out = required(plugin, "plugin").instance->openEditor(parent).container();
  });
}

namespace {
LoadedEditor& openEditor(bridge32_plugin* plugin) {
  LoadedEditor* editor = required(plugin, "plugin").instance->editor();
  if (!editor) throw Error(Error::Kind::badState, "the plugin's editor is not open");
  return *editor;
}
}  // namespace

void* BRIDGE32_CALL bridge32_plugin_editor_container(bridge32_plugin* plugin) {
  LoadedEditor* editor = plugin ? plugin->instance->editor() : nullptr;
  return editor ? editor->container() : nullptr;
}

bridge32_status BRIDGE32_CALL bridge32_plugin_editor_stopped_reason(bridge32_plugin* plugin,
                                                                    bridge32_bytes** why,
                                                                    bridge32_error** error) {
  return guarded(error, [&] {
    auto& out = required(why, "why");
    out = nullptr;
    out = new bridge32_bytes{openEditor(plugin).stoppedReason()};
  });
}

bridge32_status BRIDGE32_CALL bridge32_plugin_editor_size(bridge32_plugin* plugin, uint32_t* width,
                                                          uint32_t* height, int32_t* can_resize,
                                                          bridge32_error** error) {
  return guarded(error, [&] {
    LoadedEditor& editor = openEditor(plugin);
    EditorSize size = editor.size();
    if (width) *width = size.width;
    if (height) *height = size.height;
    if (can_resize) *can_resize = editor.canResize();
  });
}

bridge32_status BRIDGE32_CALL bridge32_plugin_editor_set_size(bridge32_plugin* plugin,
                                                              uint32_t* width, uint32_t* height,
                                                              bridge32_error** error) {
  return guarded(error, [&] {
    auto& w = required(width, "width");
    auto& h = required(height, "height");
    EditorSize chosen = openEditor(plugin).setSize(EditorSize{w, h});
    w = chosen.width;
    h = chosen.height;
  });
}

bridge32_status BRIDGE32_CALL bridge32_plugin_editor_show(bridge32_plugin* plugin, int32_t visible,
                                                          bridge32_error** error) {
  return guarded(error, [&] {
    LoadedEditor& editor = openEditor(plugin);
    visible ? editor.show() : editor.hide();
  });
}

void BRIDGE32_CALL bridge32_plugin_close_editor(bridge32_plugin* plugin) {
  if (!plugin) return;
  try {
    plugin->instance->closeEditor();
  } catch (...) {
    // Closing has nothing to report: the container is gone either way.
  }
}

bridge32_status BRIDGE32_CALL bridge32_plugin_restart(bridge32_plugin* plugin, int32_t* restarted,
                                                      bridge32_error** error) {
  return guarded(error, [&] {
    bool done = required(plugin, "plugin").instance->restart();
    if (restarted) *restarted = done;
  });
}

}  // extern "C"
