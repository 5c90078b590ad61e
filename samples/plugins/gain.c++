// Sample plugin "Gain": a gain followed by a one-pole smoothing filter, with parameters and
// state. Plain float arithmetic, no libm, so the 32-bit and 64-bit builds compute the same bits
// (both compile with SSE2 arithmetic; see cmake/toolchains).
#include <cstring>
#include <new>
#include <vector>

#include "samples.h"

namespace {

constexpr uint32_t kGain = 1;
constexpr uint32_t kSmoothing = 2;
constexpr char kStateMagic[4] = {'B', '3', '2', 'G'};
constexpr uint32_t kStateVersion = 1;

struct Gain {
  b32_plugin plugin;
  const b32_host* host;
  double gain = 1.0;
  double smoothing = 0.0;
  bool active = false;
  std::vector<float> memory;  // the filter's last output, per channel
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

b32_status B32_ABI init(const b32_plugin*) { return B32_OK; }

void B32_ABI destroy(const b32_plugin* plugin) { delete &self(plugin); }

const void* B32_ABI getExtension(const b32_plugin*, const char* id) {
  if (std::strcmp(id, B32_EXT_PARAMS) == 0) return &kParamsExtension;
  if (std::strcmp(id, B32_EXT_STATE) == 0) return &kStateExtension;
  if (std::strcmp(id, B32_EXT_PROCESS) == 0) return &kProcessExtension;
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
