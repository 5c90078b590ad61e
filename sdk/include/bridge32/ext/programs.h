/* bridge32 "programs" extension: a plugin's presets, chosen by index ("programs" as VST2 has them),
 * and its latency. */
#ifndef BRIDGE32_EXT_PROGRAMS_H
#define BRIDGE32_EXT_PROGRAMS_H

#include "../sdk.h"

#ifdef __cplusplus
extern "C" {
#endif

#define B32_EXT_PROGRAMS "bridge32.programs/1"
#define B32_PROGRAM_NAME_SIZE 64

typedef struct b32_plugin_programs {
  /* [main-thread] How many programs there are; fixed for the instance's life. */
  uint32_t(B32_ABI *count)(const b32_plugin *plugin);
  /* [main-thread] Writes program `index`'s name, terminated, into `name`. */
  b32_status(B32_ABI *get_name)(const b32_plugin *plugin, uint32_t index,
                                char name[B32_PROGRAM_NAME_SIZE]);
  /* [main-thread] The program chosen last (0 before any). */
  uint32_t(B32_ABI *current)(const b32_plugin *plugin);
  /* [main-thread] Chooses program `index`: its parameter values replace the current ones. */
  b32_status(B32_ABI *select)(const b32_plugin *plugin, uint32_t index);
} b32_plugin_programs;

#define B32_EXT_LATENCY "bridge32.latency/1"

typedef struct b32_plugin_latency {
  /* [main-thread] How many frames the output lags the input by, as of now. */
  uint32_t(B32_ABI *get)(const b32_plugin *plugin);
} b32_plugin_latency;

B32_STATIC_ASSERT(sizeof(b32_plugin_programs) == 4 * B32_PTR, "b32_plugin_programs layout");
B32_STATIC_ASSERT(sizeof(b32_plugin_latency) == B32_PTR, "b32_plugin_latency layout");

#ifdef __cplusplus
}
#endif

#endif /* BRIDGE32_EXT_PROGRAMS_H */
