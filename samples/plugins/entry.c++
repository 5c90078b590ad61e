// The b32-samples module's entry point: three plugins, built alike for 32-bit and 64-bit.
#include <cstring>

#include "samples.h"

namespace {

const b32_plugin_descriptor* const kPlugins[] = {&samples::gainDescriptor,
                                                 &samples::meterDescriptor,
                                                 &samples::toneDescriptor};
constexpr uint32_t kCount = sizeof kPlugins / sizeof kPlugins[0];

b32_status B32_ABI init(const char*) { return B32_OK; }
void B32_ABI deinit() {}
uint32_t B32_ABI pluginCount() { return kCount; }

const b32_plugin_descriptor* B32_ABI pluginDescriptor(uint32_t index) {
  return index < kCount ? kPlugins[index] : nullptr;
}

const b32_plugin* B32_ABI createPlugin(const b32_host* host, const char* id) {
  if (std::strcmp(id, samples::gainDescriptor.id) == 0) return samples::createGain(host);
  if (std::strcmp(id, samples::meterDescriptor.id) == 0) return samples::createMeter(host);
  if (std::strcmp(id, samples::toneDescriptor.id) == 0) return samples::createTone(host);
  return nullptr;
}

const b32_plugin_entry kEntry = {B32_SDK_VERSION, init, deinit, pluginCount, pluginDescriptor,
                                 createPlugin};

}  // namespace

B32_DECLARE_ENTRY { return &kEntry; }
