/* bridge32 "state" extension: save an instance's state to bytes and load it back. */
#ifndef BRIDGE32_EXT_STATE_H
#define BRIDGE32_EXT_STATE_H

#include "../sdk.h"

#ifdef __cplusplus
extern "C" {
#endif

#define B32_EXT_STATE "bridge32.state/1"

typedef struct b32_ostream b32_ostream;
struct b32_ostream {
  void *context; /* the host's */
  /* [main-thread] Appends `size` bytes; returns how many were taken (may be fewer: call again),
   * or -1 on an error, after which the plugin gives up and returns B32_ERROR_FAILED. */
  int64_t(B32_ABI *write)(const b32_ostream *stream, const void *buffer, uint64_t size);
};

typedef struct b32_istream b32_istream;
struct b32_istream {
  void *context; /* the host's */
  /* [main-thread] Reads up to `size` bytes into `buffer`; returns how many were read, 0 at the
   * end of the state, or -1 on an error. */
  int64_t(B32_ABI *read)(const b32_istream *stream, void *buffer, uint64_t size);
};

typedef struct b32_plugin_state {
  /* [main-thread] Writes the whole state; the bytes are the plugin's own format. */
  b32_status(B32_ABI *save)(const b32_plugin *plugin, const b32_ostream *stream);

  /* [main-thread] Replaces the state with one that save() wrote, possibly by another build of
   * the plugin (32-bit or 64-bit): keep the format free of sizes that depend on bitness.
   * B32_ERROR_INVALID_ARGUMENT when the bytes are not a state the plugin understands. */
  b32_status(B32_ABI *load)(const b32_plugin *plugin, const b32_istream *stream);
} b32_plugin_state;

B32_STATIC_ASSERT(sizeof(b32_ostream) == 2 * B32_PTR, "b32_ostream layout");
B32_STATIC_ASSERT(sizeof(b32_istream) == 2 * B32_PTR, "b32_istream layout");
B32_STATIC_ASSERT(sizeof(b32_plugin_state) == 2 * B32_PTR, "b32_plugin_state layout");

#ifdef __cplusplus
}
#endif

#endif /* BRIDGE32_EXT_STATE_H */
