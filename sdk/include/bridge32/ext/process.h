/* bridge32 "process" extension: process blocks of float samples. */
#ifndef BRIDGE32_EXT_PROCESS_H
#define BRIDGE32_EXT_PROCESS_H

#include "../sdk.h"

#ifdef __cplusplus
extern "C" {
#endif

#define B32_EXT_PROCESS "bridge32.process/1"

/* Samples are planar: channel c's frame f is at [c * frame_count + f]. */
typedef struct b32_process_block {
  uint32_t channel_count;
  uint32_t frame_count; /* at most the max_frame_count given to activate() */
  const float *input;   /* channel_count * frame_count samples */
  float *output;        /* channel_count * frame_count samples; never aliases input */
} b32_process_block;

typedef struct b32_plugin_process {
  /* [main-thread] Prepares for processing at `sample_rate` with blocks of at most
   * `max_frame_count` frames. Allocate here, not in process(). */
  b32_status(B32_ABI *activate)(const b32_plugin *plugin, double sample_rate,
                                uint32_t max_frame_count);

  /* [main-thread] Stops processing; activate() may follow again. */
  void(B32_ABI *deactivate)(const b32_plugin *plugin);

  /* [audio-thread & active] Processes one block. B32_ERROR_BAD_STATE when not active,
   * B32_ERROR_INVALID_ARGUMENT for a channel count the plugin does not take or too many frames. */
  b32_status(B32_ABI *process)(const b32_plugin *plugin, const b32_process_block *block);
} b32_plugin_process;

B32_STATIC_ASSERT(sizeof(b32_process_block) == 8 + 2 * B32_PTR, "b32_process_block layout");
B32_STATIC_ASSERT(offsetof(b32_process_block, input) == 8, "b32_process_block layout");
B32_STATIC_ASSERT(sizeof(b32_plugin_process) == 3 * B32_PTR, "b32_plugin_process layout");

#ifdef __cplusplus
}
#endif

#endif /* BRIDGE32_EXT_PROCESS_H */
