// Sample plugin "Peak meter": passes audio through and reports each block's peak to the host
// through its callbacks (a read-only parameter change and, at activation, a log line): calls
// that travel from the surrogate back to the host while the host's call is still in flight.
#include <cstdio>
#include <cstring>
#include <new>

#include "samples.h"

namespace {

constexpr uint32_t kPeak = 1;

struct Meter {
  b32_plugin plugin;
  const b32_host* host;
  double peak = 0.0;
  bool active = false;
};

Meter& self(const b32_plugin* plugin) { return *static_cast<Meter*>(plugin->plugin_data); }

const b32_param_info kPeakInfo = {kPeak, B32_PARAM_IS_READ_ONLY, 0.0, 1e9, 0.0, "peak", ""};

uint32_t B32_ABI paramCount(const b32_plugin*) { return 1; }

b32_status B32_ABI paramInfo(const b32_plugin*, uint32_t index, b32_param_info* info) {
  if (index != 0) return B32_ERROR_INVALID_ARGUMENT;
  *info = kPeakInfo;
  return B32_OK;
}

b32_status B32_ABI getParam(const b32_plugin* plugin, uint32_t id, double* value) {
  if (id != kPeak) return B32_ERROR_INVALID_ARGUMENT;
  *value = self(plugin).peak;
  return B32_OK;
}

b32_status B32_ABI setParam(const b32_plugin*, uint32_t, double) {
  return B32_ERROR_INVALID_ARGUMENT;  // read-only
}

const b32_plugin_params kParamsExtension = {paramCount, paramInfo, getParam, setParam};

b32_status B32_ABI activate(const b32_plugin* plugin, double sampleRate, uint32_t maxFrames) {
  Meter& meter = self(plugin);
  meter.active = true;
  char line[128];
  std::snprintf(line, sizeof line, "meter active at %.0f Hz, blocks of up to %u frames",
                sampleRate, static_cast<unsigned>(maxFrames));
  meter.host->log(meter.host, B32_LOG_INFO, line);
  return B32_OK;
}

void B32_ABI deactivate(const b32_plugin* plugin) { self(plugin).active = false; }

b32_status B32_ABI process(const b32_plugin* plugin, const b32_process_block* block) {
  Meter& meter = self(plugin);
  if (!meter.active) return B32_ERROR_BAD_STATE;
  size_t samples = size_t(block->channel_count) * block->frame_count;
  float peak = 0.0f;
  for (size_t i = 0; i < samples; ++i) {
    float magnitude = block->input[i] < 0 ? -block->input[i] : block->input[i];
    if (magnitude > peak) peak = magnitude;
    block->output[i] = block->input[i];
  }
  meter.peak = peak;
  meter.host->param_changed(meter.host, kPeak, meter.peak);
  return B32_OK;
}

const b32_plugin_process kProcessExtension = {activate, deactivate, process};

b32_status B32_ABI init(const b32_plugin*) { return B32_OK; }

void B32_ABI destroy(const b32_plugin* plugin) { delete &self(plugin); }

const void* B32_ABI getExtension(const b32_plugin*, const char* id) {
  if (std::strcmp(id, B32_EXT_PARAMS) == 0) return &kParamsExtension;
  if (std::strcmp(id, B32_EXT_PROCESS) == 0) return &kProcessExtension;
  return nullptr;  // no state: a meter has nothing to keep
}

}  // namespace

namespace samples {

const b32_plugin_descriptor meterDescriptor = {
    B32_SDK_VERSION, "com.bridge32.samples.meter", "Peak meter", "bridge32 samples", "1.0.0"};

const b32_plugin* createMeter(const b32_host* host) {
  auto* meter = new (std::nothrow) Meter{};
  if (!meter) return nullptr;
  meter->host = host;
  meter->plugin = {&meterDescriptor, meter, init, destroy, getExtension};
  return &meter->plugin;
}

}  // namespace samples
