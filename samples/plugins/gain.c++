// Sample plugin "Gain": a gain followed by a one-pole smoothing filter, with parameters and
// state. Plain float arithmetic, no libm, so the 32-bit and 64-bit builds compute the same bits
// (both compile with SSE2 arithmetic; see cmake/toolchains). It has an editor (the gui
// extension): Win32 on Windows (gain-editor.c++), X11 on Linux (gain-editor-x11.c++), which reads
// its events from a timer of the host's timer extension.
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include "bridge32/ext/gui.h"
#include "bridge32/ext/timer.h"
#include "gain-editor.h"
#include "samples.h"

namespace {

constexpr uint32_t kGain = 1;
constexpr uint32_t kSmoothing = 2;
constexpr char kStateMagic[4] = {'B', '3', '2', 'G'};
constexpr uint32_t kStateVersion = 1;

struct Gain final : samples::GainEditorListener {
  b32_plugin plugin;
  const b32_host* host;
  double gain = 1.0;
  double smoothing = 0.0;
  bool active = false;
  std::vector<float> memory;  // the filter's last output, per channel
  std::unique_ptr<samples::GainEditor> editor;  // between gui create() and destroy()
  uint32_t editorTimer = 0;  // the host's timer that gives an X11 editor its turns, while open

  // [main-thread] The gain changed by the host's hand (set_value, a loaded state).
  void showGain() {
    if (editor) editor->showGain(gain);
  }

  // samples::GainEditorListener, [main-thread]
  void gainEdited(double value) override {
    gain = value;
    host->param_changed(host, kGain, value);
  }
  void resizeWanted(uint32_t width, uint32_t height) override {
    auto* gui = static_cast<const b32_host_gui*>(host->get_extension(host, B32_EXT_GUI));
    if (gui) gui->request_resize(host, width, height);
  }
};

Gain& self(const b32_plugin* plugin) { return *static_cast<Gain*>(plugin->plugin_data); }

const b32_param_info kParams[] = {
    {kGain, 0, 0.0, 4.0, 1.0, "gain", "x"},
    {kSmoothing, 0, 0.0, 0.99, 0.0, "smoothing", ""},
};

uint32_t B32_ABI paramCount(const b32_plugin*) { return 2; }

b32_status B32_ABI paramInfo(const b32_plugin*, uint32_t index, b32_param_info* info) {
  if (index >= 2) return B32_ERROR_INVALID_ARGUMENT;
  *info = kParams[index];
  return B32_OK;
}

b32_status B32_ABI getParam(const b32_plugin* plugin, uint32_t id, double* value) {
  if (id == kGain) *value = self(plugin).gain;
  else if (id == kSmoothing) *value = self(plugin).smoothing;
  else return B32_ERROR_INVALID_ARGUMENT;
  return B32_OK;
}

b32_status B32_ABI setParam(const b32_plugin* plugin, uint32_t id, double value) {
  for (const auto& info : kParams) {
    if (info.id != id) continue;
    if (!(value >= info.min_value && value <= info.max_value)) return B32_ERROR_INVALID_ARGUMENT;
    (id == kGain ? self(plugin).gain : self(plugin).smoothing) = value;
    if (id == kGain) self(plugin).showGain();
    return B32_OK;
  }
  return B32_ERROR_INVALID_ARGUMENT;
}

const b32_plugin_params kParamsExtension = {paramCount, paramInfo, getParam, setParam};

// State: "B32G", version, gain, smoothing; little-endian, the same for either bitness.
b32_status B32_ABI saveState(const b32_plugin* plugin, const b32_ostream* stream) {
  unsigned char bytes[4 + 4 + 8 + 8];
  std::memcpy(bytes, kStateMagic, 4);
  samples::putLe(bytes + 4, kStateVersion);
  samples::putLe(bytes + 8, self(plugin).gain);
  samples::putLe(bytes + 16, self(plugin).smoothing);
  return samples::writeAll(stream, bytes, sizeof bytes) ? B32_OK : B32_ERROR_FAILED;
}

b32_status B32_ABI loadState(const b32_plugin* plugin, const b32_istream* stream) {
  unsigned char bytes[4 + 4 + 8 + 8 + 1];
  size_t size = samples::readAll(stream, bytes, sizeof bytes);
  if (size != 24 || std::memcmp(bytes, kStateMagic, 4) != 0 ||
      samples::getLe<uint32_t>(bytes + 4) != kStateVersion) {
    return B32_ERROR_INVALID_ARGUMENT;
  }
  double gain = samples::getLe<double>(bytes + 8), smoothing = samples::getLe<double>(bytes + 16);
  if (!(gain >= 0 && gain <= 4 && smoothing >= 0 && smoothing <= 0.99)) {
    return B32_ERROR_INVALID_ARGUMENT;
  }
  self(plugin).gain = gain;
  self(plugin).smoothing = smoothing;
  self(plugin).showGain();
  return B32_OK;
}

const b32_plugin_state kStateExtension = {saveState, loadState};

b32_status B32_ABI activate(const b32_plugin* plugin, double, uint32_t) {
  self(plugin).active = true;
  self(plugin).memory.assign(samples::kMaxChannels, 0.0f);
  return B32_OK;
}

void B32_ABI deactivate(const b32_plugin* plugin) { self(plugin).active = false; }

b32_status B32_ABI process(const b32_plugin* plugin, const b32_process_block* block) {
  Gain& gain = self(plugin);
  if (!gain.active) return B32_ERROR_BAD_STATE;
  if (block->channel_count > samples::kMaxChannels) return B32_ERROR_INVALID_ARGUMENT;
  const float g = float(gain.gain), a = float(gain.smoothing), b = 1.0f - a;
  for (uint32_t c = 0; c < block->channel_count; ++c) {
    const float* in = block->input + size_t(c) * block->frame_count;
    float* out = block->output + size_t(c) * block->frame_count;
    float y = gain.memory[c];
    for (uint32_t f = 0; f < block->frame_count; ++f) {
      y = b * (g * in[f]) + a * y;
      out[f] = y;
    }
    gain.memory[c] = y;
  }
  return B32_OK;
}

const b32_plugin_process kProcessExtension = {activate, deactivate, process};

// The editor: see gain-editor.h. Without an open editor, get_size() reports the size create()
// would make and the other calls but destroy() are B32_ERROR_BAD_STATE.
#if defined(_WIN32)
constexpr uint32_t kWindowApi = B32_WINDOW_API_WIN32;
#else
constexpr uint32_t kWindowApi = B32_WINDOW_API_X11;
#endif

uint32_t B32_ABI guiIsApiSupported(const b32_plugin*, uint32_t api) {
  return api == kWindowApi ? 1 : 0;
}

const b32_host_timer* hostTimer(const Gain& gain) {
  return static_cast<const b32_host_timer*>(gain.host->get_extension(gain.host, B32_EXT_TIMER));
}

void B32_ABI guiDestroy(const b32_plugin* plugin) {
  Gain& gain = self(plugin);
  if (gain.editorTimer != 0) hostTimer(gain)->stop(gain.host, gain.editorTimer);
  gain.editorTimer = 0;
  gain.editor.reset();
}

b32_status B32_ABI guiCreate(const b32_plugin* plugin, uint32_t api, void* parent) {
  Gain& gain = self(plugin);
  if (api != kWindowApi) return B32_ERROR_UNSUPPORTED;
  if (gain.editor && gain.editor->isOpen()) return B32_ERROR_BAD_STATE;
  if (!parent) return B32_ERROR_INVALID_ARGUMENT;
  guiDestroy(plugin);  // one whose window went with a parent the host destroyed first
  gain.editor = samples::createGainEditor(parent, gain.gain, gain);
  if (!gain.editor) return B32_ERROR_FAILED;
  if (api == B32_WINDOW_API_X11) {
    // Its connection is read from a timer, 50 times a second: an X11 editor without one would
    // never see a click.
    const b32_host_timer* timer = hostTimer(gain);
    if (!timer || timer->start(gain.host, 20, &gain.editorTimer) != B32_OK) {
      gain.editor.reset();
      return B32_ERROR_UNSUPPORTED;
    }
  }
  return B32_OK;
}

void B32_ABI onTimer(const b32_plugin* plugin, uint32_t id) {
  Gain& gain = self(plugin);
  if (id == gain.editorTimer && gain.editor) gain.editor->handleEvents();
}

const b32_plugin_timer kTimerExtension = {onTimer};

samples::GainEditor* openEditor(const b32_plugin* plugin) {
  samples::GainEditor* editor = self(plugin).editor.get();
  return editor && editor->isOpen() ? editor : nullptr;
}

b32_status B32_ABI guiGetSize(const b32_plugin* plugin, uint32_t* width, uint32_t* height) {
  if (!width || !height) return B32_ERROR_INVALID_ARGUMENT;
  if (samples::GainEditor* editor = openEditor(plugin)) {
    editor->getSize(*width, *height);
  } else {
    *width = samples::GainEditor::kPreferredWidth;
    *height = samples::GainEditor::kPreferredHeight;
  }
  return B32_OK;
}

uint32_t B32_ABI guiCanResize(const b32_plugin*) { return 1; }

b32_status B32_ABI guiSetSize(const b32_plugin* plugin, uint32_t* width, uint32_t* height) {
  if (!width || !height) return B32_ERROR_INVALID_ARGUMENT;
  samples::GainEditor* editor = openEditor(plugin);
  if (!editor) return B32_ERROR_BAD_STATE;
  return editor->setSize(*width, *height) ? B32_OK : B32_ERROR_FAILED;
}

b32_status B32_ABI guiShow(const b32_plugin* plugin) {
  samples::GainEditor* editor = openEditor(plugin);
  if (!editor) return B32_ERROR_BAD_STATE;
  editor->show();
  return B32_OK;
}

b32_status B32_ABI guiHide(const b32_plugin* plugin) {
  samples::GainEditor* editor = openEditor(plugin);
  if (!editor) return B32_ERROR_BAD_STATE;
  editor->hide();
  return B32_OK;
}

const b32_plugin_gui kGuiExtension = {guiIsApiSupported, guiCreate, guiDestroy, guiGetSize,
                                      guiCanResize,      guiSetSize, guiShow,   guiHide};

b32_status B32_ABI init(const b32_plugin*) { return B32_OK; }

// Deleting the instance also destroys an open editor.
void B32_ABI destroy(const b32_plugin* plugin) { delete &self(plugin); }

const void* B32_ABI getExtension(const b32_plugin*, const char* id) {
  if (std::strcmp(id, B32_EXT_PARAMS) == 0) return &kParamsExtension;
  if (std::strcmp(id, B32_EXT_STATE) == 0) return &kStateExtension;
  if (std::strcmp(id, B32_EXT_PROCESS) == 0) return &kProcessExtension;
  if (std::strcmp(id, B32_EXT_GUI) == 0) return &kGuiExtension;
  if (std::strcmp(id, B32_EXT_TIMER) == 0) return &kTimerExtension;
  return nullptr;
}

}  // namespace

namespace samples {

const b32_plugin_descriptor gainDescriptor = {
    B32_SDK_VERSION, "com.bridge32.samples.gain", "Gain", "bridge32 samples", "1.0.0"};

const b32_plugin* createGain(const b32_host* host) {
  auto* gain = new (std::nothrow) Gain{};
  if (!gain) return nullptr;
  gain->host = host;
  gain->plugin = {&gainDescriptor, gain, init, destroy, getExtension};
  return &gain->plugin;
}

}  // namespace samples
