/* bridge32 plugin SDK: the C ABI a plugin module implements.
 *
 * One header set for 32-bit and 64-bit builds. A 64-bit host loads a 64-bit module in its own
 * process and a 32-bit module inside a bridge32 surrogate; the module cannot tell the difference
 * and needs no code for it.
 *
 * A module exports one function, `bridge32_entry` (see B32_DECLARE_ENTRY), returning a
 * `b32_plugin_entry`. The entry lists the module's plugins by descriptor and creates instances.
 * An instance offers optional extensions, looked up by a versioned string id with
 * `get_extension`, which returns NULL when the plugin does not offer it. Extensions live in
 * bridge32/ext/.
 *
 * Layout rules, checked by the static assertions at the end of each header in both bitnesses:
 * fixed-width integers only (no bool, no enums, no long), no implicit padding, no #pragma pack,
 * doubles at 8-byte offsets so that Linux i386 (4-byte double alignment) and Windows i686 (8)
 * lay structs out alike, a version first in every struct that crosses the module boundary by
 * value. Strings are UTF-8 and NUL-terminated.
 *
 * Threading: every function states its contract.
 *   [main-thread]  the thread that loaded the module and created the instance
 *   [any-thread]   any thread, concurrently; the implementation synchronizes
 *   [audio-thread] the thread that calls process(); the host never calls process() twice at
 *                  once nor while the main thread reconfigures the instance
 * In a surrogate the main thread is the surrogate's serving thread; in-process it is the host
 * application's thread that loaded the module.
 */
#ifndef BRIDGE32_SDK_H
#define BRIDGE32_SDK_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define B32_ABI __cdecl
#define B32_EXPORT __declspec(dllexport)
#else
#define B32_ABI
#define B32_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
#define B32_EXTERN_C extern "C"
#define B32_STATIC_ASSERT(condition, message) static_assert(condition, message)
#else
#define B32_EXTERN_C
#define B32_STATIC_ASSERT(condition, message) _Static_assert(condition, message)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ----- versions ---------------------------------------------------------------------------- */

#define B32_SDK_VERSION_MAJOR 1
#define B32_SDK_VERSION_MINOR 0
#define B32_SDK_VERSION_REVISION 0

typedef struct b32_version {
  uint32_t major; /* a host loads modules whose major equals its own */
  uint32_t minor; /* additions only */
  uint32_t revision;
  uint32_t reserved; /* 0 */
} b32_version;

#define B32_SDK_VERSION                                                                        \
  { B32_SDK_VERSION_MAJOR, B32_SDK_VERSION_MINOR, B32_SDK_VERSION_REVISION, 0 }

/* ----- status codes ------------------------------------------------------------------------ */

typedef int32_t b32_status;
#define B32_OK 0
#define B32_ERROR_FAILED 1           /* the operation failed; nothing more specific applies */
#define B32_ERROR_INVALID_ARGUMENT 2 /* an id, index, value or size the plugin does not accept */
#define B32_ERROR_BAD_STATE 3        /* not allowed now, e.g. process() before activate() */
#define B32_ERROR_UNSUPPORTED 4      /* the plugin does not implement this */

/* ----- log severities ---------------------------------------------------------------------- */

#define B32_LOG_DEBUG 0
#define B32_LOG_INFO 1
#define B32_LOG_WARNING 2
#define B32_LOG_ERROR 3

/* ----- descriptor -------------------------------------------------------------------------- */

#define B32_ID_SIZE 128
#define B32_NAME_SIZE 128
#define B32_VENDOR_SIZE 64
#define B32_VERSION_STRING_SIZE 32

typedef struct b32_plugin_descriptor {
  b32_version sdk_version;                /* B32_SDK_VERSION the plugin was built with */
  char id[B32_ID_SIZE];                   /* unique and stable, e.g. "com.example.gain" */
  char name[B32_NAME_SIZE];               /* for people */
  char vendor[B32_VENDOR_SIZE];
  char version[B32_VERSION_STRING_SIZE];  /* the plugin's own version, e.g. "1.2.0" */
} b32_plugin_descriptor;

/* ----- the host, as a plugin sees it ------------------------------------------------------- */

typedef struct b32_host b32_host;
struct b32_host {
  b32_version sdk_version;
  void *host_data; /* the host's; plugins leave it alone */

  /* [any-thread] Writes a line to the host's log. `severity` is a B32_LOG_* value. */
  void(B32_ABI *log)(const b32_host *host, int32_t severity, const char *message);

  /* [any-thread] Tells the host that the plugin changed a parameter by itself (its editor, a
   * meter it computes), so the host can follow. Not called for changes the host made. */
  void(B32_ABI *param_changed)(const b32_host *host, uint32_t param_id, double value);

  /* [any-thread] A host extension by id, or NULL when the host does not offer it. */
  const void *(B32_ABI *get_extension)(const b32_host *host, const char *extension_id);
};

/* ----- a plugin instance ------------------------------------------------------------------- */

typedef struct b32_plugin b32_plugin;
struct b32_plugin {
  const b32_plugin_descriptor *desc;
  void *plugin_data; /* the plugin's; hosts leave it alone */

  /* [main-thread] Called once, right after creation and before any other call. On an error the
   * host calls only destroy() afterwards. */
  b32_status(B32_ABI *init)(const b32_plugin *plugin);

  /* [main-thread] Frees the instance; `plugin` is invalid afterwards. */
  void(B32_ABI *destroy)(const b32_plugin *plugin);

  /* [any-thread] The extension's function table, or NULL when not offered. The pointer stays
   * valid until destroy(). Hosts may ask once, after init(), and keep the answer. */
  const void *(B32_ABI *get_extension)(const b32_plugin *plugin, const char *extension_id);
};

/* ----- the module entry point -------------------------------------------------------------- */

typedef struct b32_plugin_entry {
  b32_version sdk_version; /* B32_SDK_VERSION the module was built with; checked first */

  /* [main-thread] Called once after the module is loaded; `module_path` is UTF-8. */
  b32_status(B32_ABI *init)(const char *module_path);

  /* [main-thread] Called once before the module is unloaded, after every instance is gone. */
  void(B32_ABI *deinit)(void);

  /* [main-thread] How many plugins the module offers. */
  uint32_t(B32_ABI *get_plugin_count)(void);

  /* [main-thread] The descriptor at `index`, or NULL if out of range. Valid until deinit(). */
  const b32_plugin_descriptor *(B32_ABI *get_plugin_descriptor)(uint32_t index);

  /* [main-thread] A new instance of the plugin with id `plugin_id`, or NULL if there is no such
   * plugin or creation failed. `host` outlives the instance. */
  const b32_plugin *(B32_ABI *create_plugin)(const b32_host *host, const char *plugin_id);
} b32_plugin_entry;

/* The one symbol a module exports. */
#define B32_ENTRY_SYMBOL "bridge32_entry"
typedef const b32_plugin_entry *(B32_ABI *b32_entry_function)(void);
#define B32_DECLARE_ENTRY B32_EXTERN_C B32_EXPORT const b32_plugin_entry *B32_ABI bridge32_entry(void)

/* ----- layout, checked for the bitness being compiled ------------------------------------- */

#define B32_PTR ((size_t)sizeof(void *))
B32_STATIC_ASSERT(sizeof(b32_version) == 16, "b32_version layout");
B32_STATIC_ASSERT(sizeof(b32_plugin_descriptor) == 16 + 128 + 128 + 64 + 32, "descriptor layout");
B32_STATIC_ASSERT(offsetof(b32_plugin_descriptor, id) == 16, "descriptor layout");
B32_STATIC_ASSERT(offsetof(b32_plugin_descriptor, version) == 336, "descriptor layout");
B32_STATIC_ASSERT(sizeof(b32_host) == 16 + 4 * B32_PTR, "b32_host layout");
B32_STATIC_ASSERT(offsetof(b32_host, log) == 16 + B32_PTR, "b32_host layout");
B32_STATIC_ASSERT(offsetof(b32_host, get_extension) == 16 + 3 * B32_PTR, "b32_host layout");
B32_STATIC_ASSERT(sizeof(b32_plugin) == 5 * B32_PTR, "b32_plugin layout");
B32_STATIC_ASSERT(offsetof(b32_plugin, get_extension) == 4 * B32_PTR, "b32_plugin layout");
B32_STATIC_ASSERT(sizeof(b32_plugin_entry) == 16 + 5 * B32_PTR, "b32_plugin_entry layout");
B32_STATIC_ASSERT(offsetof(b32_plugin_entry, create_plugin) == 16 + 4 * B32_PTR,
                  "b32_plugin_entry layout");

#ifdef __cplusplus
}
#endif

#endif /* BRIDGE32_SDK_H */
