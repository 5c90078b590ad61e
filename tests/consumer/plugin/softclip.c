/* A soft clipper with a drive parameter, written against bridge32's SDK in plain C: the plugin
 * author's example, which the consumer test builds out of tree and loads in both bitnesses.
 * Each instance keeps its state in its own allocation (plugin_data). Read-only parameter 2
 * reports the pointer width the plugin was compiled for, so the host can tell which build it
 * talks to. */
#include <stdlib.h>
#include <string.h>

#include <bridge32/ext/params.h>
#include <bridge32/ext/process.h>
#include <bridge32/sdk.h>

#define DRIVE 1
#define POINTER_BITS 2

/* One instance: the b32_plugin the host holds, and what it computes with. */
typedef struct softclip {
  b32_plugin plugin;
  double drive;
  int active;
} softclip;

static softclip *self(const b32_plugin *plugin) { return (softclip *)plugin->plugin_data; }

/* y = d*x / (1 + |d*x|), in double: the same in both bitnesses with SSE2 arithmetic. */
static float clip(double drive, float x) {
  double driven = drive * x;
  return (float)(driven / (1.0 + (driven < 0 ? -driven : driven)));
}

static uint32_t B32_ABI param_count(const b32_plugin *plugin) { (void)plugin; return 2; }

static b32_status B32_ABI param_info(const b32_plugin *plugin, uint32_t index, b32_param_info *info) {
  (void)plugin;
  memset(info, 0, sizeof *info);
  if (index == 0) {
    info->id = DRIVE;
    info->min_value = 0.0, info->max_value = 16.0, info->default_value = 1.0;
    strcpy(info->name, "Drive");
  } else if (index == 1) {
    info->id = POINTER_BITS;
    info->flags = B32_PARAM_IS_READ_ONLY | B32_PARAM_IS_STEPPED;
    info->min_value = 32.0, info->max_value = 64.0, info->default_value = 8.0 * sizeof(void *);
    strcpy(info->name, "Pointer bits");
  } else {
    return B32_ERROR_INVALID_ARGUMENT;
  }
  return B32_OK;
}

static b32_status B32_ABI param_get(const b32_plugin *plugin, uint32_t id, double *value) {
  if (id == DRIVE) *value = self(plugin)->drive;
  else if (id == POINTER_BITS) *value = 8.0 * sizeof(void *);
  else return B32_ERROR_INVALID_ARGUMENT;
  return B32_OK;
}

static b32_status B32_ABI param_set(const b32_plugin *plugin, uint32_t id, double value) {
  if (id != DRIVE || !(value >= 0.0 && value <= 16.0)) return B32_ERROR_INVALID_ARGUMENT;
  self(plugin)->drive = value;
  return B32_OK;
}

static b32_status B32_ABI activate(const b32_plugin *plugin, double rate, uint32_t max_frames) {
  (void)rate, (void)max_frames;
  self(plugin)->active = 1;
  return B32_OK;
}

static void B32_ABI deactivate(const b32_plugin *plugin) { self(plugin)->active = 0; }

static b32_status B32_ABI process(const b32_plugin *plugin, const b32_process_block *block) {
  const softclip *clipper = self(plugin);
  if (!clipper->active) return B32_ERROR_BAD_STATE;
  for (uint32_t i = 0; i < block->channel_count * block->frame_count; ++i) {
    block->output[i] = clip(clipper->drive, block->input[i]);
  }
  return B32_OK;
}

static const b32_plugin_params params = {param_count, param_info, param_get, param_set};
static const b32_plugin_process processing = {activate, deactivate, process};

static const void *B32_ABI get_extension(const b32_plugin *plugin, const char *id) {
  (void)plugin;
  if (strcmp(id, B32_EXT_PARAMS) == 0) return &params;
  if (strcmp(id, B32_EXT_PROCESS) == 0) return &processing;
  return NULL;
}

static b32_status B32_ABI plugin_init(const b32_plugin *plugin) { (void)plugin; return B32_OK; }
static void B32_ABI plugin_destroy(const b32_plugin *plugin) { free(self(plugin)); }

static const b32_plugin_descriptor descriptor = {
    B32_SDK_VERSION, "org.example.softclip", "Soft clip", "Example", "1.0.0"};

static b32_status B32_ABI entry_init(const char *path) { (void)path; return B32_OK; }
static void B32_ABI entry_deinit(void) {}
static uint32_t B32_ABI plugin_count(void) { return 1; }
static const b32_plugin_descriptor *B32_ABI plugin_descriptor(uint32_t index) {
  return index == 0 ? &descriptor : NULL;
}
static const b32_plugin *B32_ABI create_plugin(const b32_host *host, const char *id) {
  (void)host;
  if (strcmp(id, descriptor.id) != 0) return NULL;
  softclip *clipper = (softclip *)calloc(1, sizeof *clipper);
  if (!clipper) return NULL;
  b32_plugin plugin = {&descriptor, clipper, plugin_init, plugin_destroy, get_extension};
  clipper->plugin = plugin;
  clipper->drive = 1.0;
  return &clipper->plugin;
}

static const b32_plugin_entry entry = {B32_SDK_VERSION, entry_init, entry_deinit, plugin_count,
                                       plugin_descriptor, create_plugin};

B32_DECLARE_ENTRY { return &entry; }
