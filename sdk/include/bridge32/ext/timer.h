/* bridge32 "timer" extension: periodic calls on the plugin's main thread.
 *
 * For work the host's event loop would otherwise never give the plugin a turn for: an X11
 * editor reading the events of its own display connection, say (ext/gui.h). A timer fires about
 * every `period_ms`, never faster, later when the main thread is busy; ticks missed meanwhile
 * are not made up.
 */
#ifndef BRIDGE32_EXT_TIMER_H
#define BRIDGE32_EXT_TIMER_H

#include "../sdk.h"

#ifdef __cplusplus
extern "C" {
#endif

#define B32_EXT_TIMER "bridge32.timer/1"

/* The shortest and the longest period a timer may have. */
#define B32_TIMER_MIN_PERIOD_MS 10
#define B32_TIMER_MAX_PERIOD_MS 10000

/* What the host offers, from b32_host.get_extension(host, B32_EXT_TIMER). */
typedef struct b32_host_timer {
  /* [main-thread] Starts calling the plugin's on_timer(id) every `period_ms` (clamped to the
   * bounds above) and writes the timer's id, never 0, to *id. B32_ERROR_UNSUPPORTED when the
   * plugin has no timer extension. An instance's timers stop when it is destroyed. */
  b32_status(B32_ABI *start)(const b32_host *host, uint32_t period_ms, uint32_t *id);
  /* [main-thread] Stops timer `id`: on_timer is not called for it again, even from a tick that
   * was due. B32_ERROR_INVALID_ARGUMENT for an id that is not running. */
  b32_status(B32_ABI *stop)(const b32_host *host, uint32_t id);
} b32_host_timer;

typedef struct b32_plugin_timer {
  /* [main-thread] Timer `id` fired. */
  void(B32_ABI *on_timer)(const b32_plugin *plugin, uint32_t id);
} b32_plugin_timer;

B32_STATIC_ASSERT(sizeof(b32_host_timer) == 2 * B32_PTR, "b32_host_timer layout");
B32_STATIC_ASSERT(sizeof(b32_plugin_timer) == B32_PTR, "b32_plugin_timer layout");

#ifdef __cplusplus
}
#endif

#endif /* BRIDGE32_EXT_TIMER_H */
