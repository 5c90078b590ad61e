/* bridge32 "gui" extension: the plugin's editor, embedded as a child window of a host window.
 *
 * The host creates a container window and hands it to create() as the parent. The editor is a
 * child window of it, created on the plugin's main thread, which dispatches its messages from
 * then on (a surrogate's serving loop does, and so does a host application's). When the plugin
 * runs in a surrogate, the parent belongs to another process: that is allowed, and the plugin
 * needs no code for it.
 *
 * Sizes are in pixels. Either side may start a resize:
 *   - the host calls set_size() with the size it wants; the plugin takes it, or the nearest size
 *     it can show, and writes back what it took;
 *   - the plugin calls the host's request_resize() (b32_host_gui); the host resizes its
 *     container, later, and then calls set_size() with the size it granted. The plugin does not
 *     resize its window itself in that case.
 *
 * The host always calls destroy() before it destroys the parent window.
 */
#ifndef BRIDGE32_EXT_GUI_H
#define BRIDGE32_EXT_GUI_H

#include "../sdk.h"

#ifdef __cplusplus
extern "C" {
#endif

#define B32_EXT_GUI "bridge32.gui/1"

/* Window systems a parent window can belong to. */
#define B32_WINDOW_API_WIN32 1 /* the parent is an HWND */
/* The parent is an X11 window id (an XID, 32 bits like an HWND's significant part), passed as
 * (void *)(uintptr_t)xid. The editor opens its own connection to the display named by $DISPLAY
 * and creates its top window as a child of the parent. The host does not dispatch the editor's X
 * events (nothing is shared between connections): the plugin reads its connection itself, on
 * its main thread, from a timer of the timer extension (ext/timer.h), which a host that offers
 * B32_WINDOW_API_X11 offers too. */
#define B32_WINDOW_API_X11 2

/* The largest editor side either party may ask for. */
#define B32_GUI_MAX_SIDE 16384

typedef struct b32_plugin_gui {
  /* [main-thread] 1 if the plugin can create its editor inside a window of `api`, else 0. */
  uint32_t(B32_ABI *is_api_supported)(const b32_plugin *plugin, uint32_t api);

  /* [main-thread] Creates the editor, hidden, at its preferred size, as a child of `parent` (for
   * B32_WINDOW_API_WIN32 an HWND, for B32_WINDOW_API_X11 an XID). One editor per instance at a
   * time: B32_ERROR_BAD_STATE if one exists. */
  b32_status(B32_ABI *create)(const b32_plugin *plugin, uint32_t api, void *parent);

  /* [main-thread] Destroys the editor's windows; a no-op when there is no editor. */
  void(B32_ABI *destroy)(const b32_plugin *plugin);

  /* [main-thread] The editor's current size. */
  b32_status(B32_ABI *get_size)(const b32_plugin *plugin, uint32_t *width, uint32_t *height);

  /* [main-thread] 1 if the editor can take sizes other than its own, else 0. */
  uint32_t(B32_ABI *can_resize)(const b32_plugin *plugin);

  /* [main-thread] Resizes the editor to *width x *height, or to the nearest size it can show,
   * and writes back the size it took. A plugin that cannot resize writes back its own size. */
  b32_status(B32_ABI *set_size)(const b32_plugin *plugin, uint32_t *width, uint32_t *height);

  /* [main-thread] Shows or hides the editor window. */
  b32_status(B32_ABI *show)(const b32_plugin *plugin);
  b32_status(B32_ABI *hide)(const b32_plugin *plugin);
} b32_plugin_gui;

/* What the host offers an editor, from b32_host.get_extension(host, B32_EXT_GUI). */
typedef struct b32_host_gui {
  /* [main-thread] Asks the host to resize the editor to width x height. B32_OK: the host will
   * resize its container and then call set_size() with the size it granted (which may differ).
   * B32_ERROR_BAD_STATE when no editor is open, B32_ERROR_INVALID_ARGUMENT for a size of 0 or
   * above B32_GUI_MAX_SIDE. */
  b32_status(B32_ABI *request_resize)(const b32_host *host, uint32_t width, uint32_t height);
} b32_host_gui;

B32_STATIC_ASSERT(sizeof(b32_plugin_gui) == 8 * B32_PTR, "b32_plugin_gui layout");
B32_STATIC_ASSERT(offsetof(b32_plugin_gui, set_size) == 5 * B32_PTR, "b32_plugin_gui layout");
B32_STATIC_ASSERT(sizeof(b32_host_gui) == B32_PTR, "b32_host_gui layout");

#ifdef __cplusplus
}
#endif

#endif /* BRIDGE32_EXT_GUI_H */
