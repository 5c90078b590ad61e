/* bridge32 "params" extension: a plugin's parameters, by stable id. */
#ifndef BRIDGE32_EXT_PARAMS_H
#define BRIDGE32_EXT_PARAMS_H

#include "../sdk.h"

#ifdef __cplusplus
extern "C" {
#endif

#define B32_EXT_PARAMS "bridge32.params/1"

#define B32_PARAM_NAME_SIZE 64
#define B32_PARAM_UNIT_SIZE 16

#define B32_PARAM_IS_READ_ONLY (1u << 0) /* an output such as a meter; set_value refuses it */
#define B32_PARAM_IS_STEPPED (1u << 1)   /* only whole numbers are meaningful */

typedef struct b32_param_info {
  uint32_t id;    /* stable across plugin versions; not the index */
  uint32_t flags; /* B32_PARAM_IS_* */
  double min_value;
  double max_value;
  double default_value;
  char name[B32_PARAM_NAME_SIZE];
  char unit[B32_PARAM_UNIT_SIZE];
} b32_param_info;

typedef struct b32_plugin_params {
  /* [main-thread] How many parameters there are; fixed for the instance's life. */
  uint32_t(B32_ABI *count)(const b32_plugin *plugin);

  /* [main-thread] Fills `info` for the parameter at `index` (0 .. count-1). */
  b32_status(B32_ABI *get_info)(const b32_plugin *plugin, uint32_t index, b32_param_info *info);

  /* [main-thread] The current value of parameter `param_id`. */
  b32_status(B32_ABI *get_value)(const b32_plugin *plugin, uint32_t param_id, double *value);

  /* [main-thread] Sets parameter `param_id`; B32_ERROR_INVALID_ARGUMENT for an unknown id, a
   * read-only parameter or a value outside [min_value, max_value]. */
  b32_status(B32_ABI *set_value)(const b32_plugin *plugin, uint32_t param_id, double value);
} b32_plugin_params;

B32_STATIC_ASSERT(sizeof(b32_param_info) == 8 + 3 * 8 + 64 + 16, "b32_param_info layout");
B32_STATIC_ASSERT(offsetof(b32_param_info, min_value) == 8, "b32_param_info layout");
B32_STATIC_ASSERT(offsetof(b32_param_info, name) == 32, "b32_param_info layout");
B32_STATIC_ASSERT(sizeof(b32_plugin_params) == 4 * B32_PTR, "b32_plugin_params layout");

#ifdef __cplusplus
}
#endif

#endif /* BRIDGE32_EXT_PARAMS_H */
