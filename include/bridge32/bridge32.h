/* bridge32's C API: 32-bit code from 64-bit programs, for any language and any compiler.
 *
 * Plain C99 (and C++): opaque handles, fixed-width types, UTF-8 strings with explicit lengths,
 * one calling convention (BRIDGE32_CALL). bridge32.dll / libbridge32.so export this API and
 * nothing else; the C++ API (bridge32/host.h) is the richer way from C++.
 *
 *   bridge32_library* zlib = NULL;
 *   bridge32_error* error = NULL;
 *   if (bridge32_library_load("libz.so.1", BRIDGE32_NUL_TERMINATED, NULL, &zlib, &error)) {
 *     size_t length;
 *     fprintf(stderr, "%s\n", bridge32_error_message(error, &length));
 *     bridge32_error_free(error);
 *   }
 *
 * Conventions
 * - Every function that can fail returns a bridge32_status: BRIDGE32_OK (0), or the kind of the
 *   failure. Given a non-NULL `error`, it sets *error to NULL on success and to an error object
 *   on failure, which the caller frees with bridge32_error_free. There is no "last error".
 * - Strings given to bridge32 are UTF-8 with a length in bytes, or BRIDGE32_NUL_TERMINATED.
 *   Strings bridge32 gives back are UTF-8 with their length, NUL-terminated as well, and owned
 *   by the object they came from: valid while it lives.
 * - Every object a function hands out is the caller's, freed by its type's _free function
 *   (which takes NULL). Objects keep what they need alive: a function outlives its library
 *   handle, a result its function.
 * - Options structs start with `struct_size`: fill them with their _init function, which sets
 *   it and the defaults, then change what you need. A library built later reads only the fields
 *   your struct_size covers.
 * - Threading is said on each function: [any thread] means concurrent calls are safe;
 *   "one thread at a time" means per object, not per process.
 * - Functions that cannot fail take NULL for their object and answer nothing (0, "", NULL).
 */
#ifndef BRIDGE32_BRIDGE32_H
#define BRIDGE32_BRIDGE32_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define BRIDGE32_CALL __cdecl
/* bridge32.dll's exports are listed by its link (bridge32.def), not marked in the source. */
#if defined(BRIDGE32_C_API_BUILDING) || defined(BRIDGE32_STATIC)
#define BRIDGE32_API
#else
#define BRIDGE32_API __declspec(dllimport)
#endif
#else
#define BRIDGE32_CALL
#define BRIDGE32_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this header; bridge32_api_version() gives the library's. A library serves
 * callers built with its own version or an earlier one. */
#define BRIDGE32_API_VERSION 1
/* [any thread] */
BRIDGE32_API uint32_t BRIDGE32_CALL bridge32_api_version(void);
/* [any thread] The version of the protocol this library speaks with its surrogates: a surrogate
 * of another version is refused, naming both. */
BRIDGE32_API uint32_t BRIDGE32_CALL bridge32_protocol_version(void);

/* A length that says "up to the NUL". */
#define BRIDGE32_NUL_TERMINATED ((size_t)-1)

/* ---- Errors ------------------------------------------------------------------------------ */

/* What went wrong, and so what the caller should do (bridge32::Error::Kind, in order). */
typedef enum bridge32_status {
  BRIDGE32_OK = 0,
  BRIDGE32_FAILED = 1,               /* the module or the bridge failed; the same call will too */
  BRIDGE32_INVALID_ARGUMENT = 2,     /* a value, size or name refused */
  BRIDGE32_NOT_FOUND = 3,            /* a file, function, plugin or parameter that is not there */
  BRIDGE32_BAD_MODULE = 4,           /* not a module this host can load (format, dependency) */
  BRIDGE32_UNSUPPORTED_VERSION = 5,  /* an SDK or protocol version not supported */
  BRIDGE32_UNSUPPORTED = 6,          /* the module does not offer what the call needs */
  BRIDGE32_BAD_STATE = 7,            /* not allowed now */
  BRIDGE32_SURROGATE_START = 8,      /* the surrogate process did not start */
  BRIDGE32_DISCONNECTED = 9,         /* the surrogate died (a crash in the module, say) */
  BRIDGE32_TIMEOUT = 10              /* the surrogate did not answer in time */
} bridge32_status;

typedef struct bridge32_error bridge32_error;

/* [any thread] The kind; the message (without a "[kind]" prefix); whether the surrogate raised
 * it. */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_error_kind(const bridge32_error* error);
BRIDGE32_API const char* BRIDGE32_CALL bridge32_error_message(const bridge32_error* error,
                                                              size_t* length);
BRIDGE32_API int32_t BRIDGE32_CALL bridge32_error_is_remote(const bridge32_error* error);

/* What COM said of a COM call that failed: its HRESULT and the EXCEPINFO's code, source and
 * description (empty when the object raised none). */
typedef struct bridge32_com_failure {
  int32_t hresult;
  int32_t code;
  const char* source;
  size_t source_length;
  const char* description;
  size_t description_length;
} bridge32_com_failure;
/* 1 and *failure set for an error of a COM call, else 0. [any thread] */
BRIDGE32_API int32_t BRIDGE32_CALL bridge32_error_com(const bridge32_error* error,
                                                     bridge32_com_failure* failure);

BRIDGE32_API void BRIDGE32_CALL bridge32_error_free(bridge32_error* error);

/* An error of the caller's, for a callback or handler of its own to fail with (it hands it to
 * bridge32, which frees it): `status` (not BRIDGE32_OK) and a message. NULL when there is no
 * memory for it. [any thread] */
BRIDGE32_API bridge32_error* BRIDGE32_CALL bridge32_error_new(bridge32_status status,
                                                             const char* message, size_t length);

/* "invalid argument", "timeout", ... for a status. [any thread] */
BRIDGE32_API const char* BRIDGE32_CALL bridge32_status_name(bridge32_status status);

/* ---- Log --------------------------------------------------------------------------------- */

typedef enum bridge32_log_level {
  BRIDGE32_LOG_TRACE = 0,
  BRIDGE32_LOG_DEBUG = 1,
  BRIDGE32_LOG_INFO = 2,
  BRIDGE32_LOG_WARNING = 3,
  BRIDGE32_LOG_ERROR = 4,
  BRIDGE32_LOG_CRITICAL = 5
} bridge32_log_level;

/* One log record: `source` is "bridge32", "surrogate" or "plugin" (see bridge32/log.h). Called
 * on the thread that logs, maybe several at once: quick, thread-safe, and never into bridge32. */
typedef void(BRIDGE32_CALL* bridge32_log_fn)(void* context, bridge32_log_level level,
                                             const char* source, size_t source_length,
                                             const char* message, size_t message_length);

/* Called once with a context the caller gave, when bridge32 no longer uses it. */
typedef void(BRIDGE32_CALL* bridge32_release_fn)(void* context);

/* [any thread] Records at `minimum` and above go to `handler` from now on; NULL: nowhere (the
 * default). `release` (may be NULL) is called with `context` once bridge32 no longer calls
 * `handler`: after a later call replaced it and the records in flight are done. */
BRIDGE32_API void BRIDGE32_CALL bridge32_set_log_handler(bridge32_log_fn handler, void* context,
                                                        bridge32_release_fn release,
                                                        bridge32_log_level minimum);

/* [any thread] Writes a line a plugin logged to bridge32's log as a record of source "plugin"
 * (to the handler above, if any): what bridge32 does with a plugin's lines when the plugin's
 * bridge32_host_callbacks leave `log` NULL, for a host whose own `log` passes some of them on.
 * Bytes that are not UTF-8 become U+FFFD. */
BRIDGE32_API void BRIDGE32_CALL bridge32_log_plugin_line(bridge32_log_level level,
                                                        const char* message, size_t length);

/* ---- Where modules run ------------------------------------------------------------------- */

/* A string in a struct: UTF-8 of `length` bytes (given to bridge32, the length may be
 * BRIDGE32_NUL_TERMINATED; given by it, NUL-terminated as well). */
typedef struct bridge32_string {
  const char* data;
  size_t length;  /* or BRIDGE32_NUL_TERMINATED */
} bridge32_string;

typedef enum bridge32_isolation {
  BRIDGE32_ISOLATION_AUTOMATIC = 0,   /* in-process when the architecture matches, else bridged */
  BRIDGE32_ISOLATION_IN_PROCESS = 1,  /* in this process; another architecture is refused */
  BRIDGE32_ISOLATION_SURROGATE = 2    /* always in a surrogate */
} bridge32_isolation;

typedef enum bridge32_hang_policy {
  BRIDGE32_HANG_KILL = 0,         /* a surrogate whose call passed its deadline is killed */
  BRIDGE32_HANG_KEEP_RUNNING = 1  /* left be: later calls wait behind the late one */
} bridge32_hang_policy;

typedef enum bridge32_architecture {
  BRIDGE32_ARCH_UNKNOWN = 0,
  BRIDGE32_ARCH_X86 = 1,
  BRIDGE32_ARCH_X64 = 2
} bridge32_architecture;

/* How a module whose surrogate stopped comes back (bridge32::RestartPolicy). */
typedef struct bridge32_restart_policy {
  int32_t automatic;  /* restart by itself after first_delay_ms; else on demand */
  uint32_t max_attempts;
  uint32_t first_delay_ms;
  uint32_t max_delay_ms;
  uint32_t stable_after_ms;
} bridge32_restart_policy;

/* What the application hears of a bridged module whose surrogate stopped (bridge32::ModuleEvents),
 * each if set: `stopped` once per stop, on the bridge's I/O thread for the lost surrogate, where
 * the module may be freed; `restarted` once the module is loaded again, on the thread that did it
 * (a plugin's restart, a call that needed it, or the restart policy's thread once what the module
 * made is back too); `restart_failed` when an automatic restart failed, on that thread. Those two
 * may not free the module.
 * Each call given them takes them: its `release` (may be NULL) is called with `context` once that
 * call's module no longer calls these (after the module is freed), or before the call returns
 * when it failed or made no module (bridge32_plan_load, bridge32_surrogate_start); a
 * struct_size too small to be read fails the call, and nothing of them is read. */
typedef struct bridge32_module_events {
  uint32_t struct_size;
  void* context;
  void(BRIDGE32_CALL* stopped)(void* context, const char* why, size_t length);
  void(BRIDGE32_CALL* restarted)(void* context);
  void(BRIDGE32_CALL* restart_failed)(void* context, const char* why, size_t length,
                                      int32_t will_retry);
  bridge32_release_fn release;
} bridge32_module_events;

BRIDGE32_API void BRIDGE32_CALL bridge32_module_events_init(bridge32_module_events* events);

/* A surrogate process that several modules share (bridge32::SharedSurrogate): one start for
 * all of them. Modules loaded into it keep it alive. */
typedef struct bridge32_surrogate bridge32_surrogate;

typedef struct bridge32_load_options {
  uint32_t struct_size;
  bridge32_isolation isolation;
  /* Where bridge32-surrogate-x86/-x64 are; NULL: found as bridge32/surrogate.h says. */
  const char* surrogate_directory;
  size_t surrogate_directory_length;
  uint32_t start_timeout_ms;
  uint32_t call_timeout_ms;  /* each bridged call's deadline */
  bridge32_hang_policy on_hang;
  uint32_t heartbeat_interval_ms;
  uint32_t heartbeat_timeout_ms;
  bridge32_restart_policy restart;
  int32_t sandbox;  /* a sandboxed surrogate, for code that is not trusted */
  /* Load into this running surrogate (of the module's architecture) rather than a new one. */
  bridge32_surrogate* surrogate;
  /* A new surrogate's environment: NULL, the application's own, whole; else exactly these
   * `environment_count` "NAME=VALUE" strings. */
  const bridge32_string* environment;
  size_t environment_count;
  /* Copied; NULL: none. A function given load options takes them: see `release`. */
  const bridge32_module_events* events;
} bridge32_load_options;

/* The defaults, and struct_size. [any thread] */
BRIDGE32_API void BRIDGE32_CALL bridge32_load_options_init(bridge32_load_options* options);

/* Starts a surrogate of `architecture` for modules loaded with options.surrogate set to it;
 * `options` (NULL: defaults) as for a module's own. [any thread] */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_surrogate_start(
    bridge32_architecture architecture, const bridge32_load_options* options,
    bridge32_surrogate** surrogate, bridge32_error** error);
/* [any thread] Its process id (a new one after a revival); 0 once it is gone, until revived. */
BRIDGE32_API uint32_t BRIDGE32_CALL bridge32_surrogate_pid(const bridge32_surrogate* surrogate);
BRIDGE32_API int32_t BRIDGE32_CALL bridge32_surrogate_is_running(const bridge32_surrogate* surrogate);
BRIDGE32_API bridge32_architecture BRIDGE32_CALL bridge32_surrogate_architecture(
    const bridge32_surrogate* surrogate);
BRIDGE32_API int32_t BRIDGE32_CALL bridge32_surrogate_is_sandboxed(
    const bridge32_surrogate* surrogate);
BRIDGE32_API void BRIDGE32_CALL bridge32_surrogate_free(bridge32_surrogate* surrogate);

/* ---- Values ------------------------------------------------------------------------------ */

/* One argument or result of a function called by its declaration (bridge32::Value). Arguments
 * are the caller's memory, read during the call only; results are the result's, valid while it
 * lives. */
typedef enum bridge32_value_kind {
  BRIDGE32_VALUE_NULL = 0,     /* NULL, or nothing (a void result) */
  BRIDGE32_VALUE_BOOL = 1,     /* as.boolean: 0 or 1 */
  BRIDGE32_VALUE_INT = 2,      /* as.i64 */
  BRIDGE32_VALUE_UINT = 3,     /* as.u64 */
  BRIDGE32_VALUE_DOUBLE = 4,   /* as.f64 */
  BRIDGE32_VALUE_STRING = 5,   /* as.string */
  BRIDGE32_VALUE_ARRAY = 6,    /* as.array: values */
  BRIDGE32_VALUE_STRUCT = 7,   /* as.structure: fields, by name or (unnamed) by position */
  BRIDGE32_VALUE_HANDLE = 8,   /* as.handle: a pointer or handle the library handed out */
  BRIDGE32_VALUE_NUMBERS = 9   /* as.numbers: an array of one number type, as its bytes */
} bridge32_value_kind;

/* The number types of BRIDGE32_VALUE_NUMBERS (bridge32::ElementType, in order). */
typedef enum bridge32_element_type {
  BRIDGE32_INT8 = 0,
  BRIDGE32_UINT8 = 1,
  BRIDGE32_INT16 = 2,
  BRIDGE32_UINT16 = 3,
  BRIDGE32_INT32 = 4,
  BRIDGE32_UINT32 = 5,
  BRIDGE32_INT64 = 6,
  BRIDGE32_UINT64 = 7,
  BRIDGE32_FLOAT32 = 8,
  BRIDGE32_FLOAT64 = 9
} bridge32_element_type;

/* What a handle stands for (bridge32::Value::HandleKind, in order). */
typedef enum bridge32_handle_kind {
  BRIDGE32_HANDLE_POINTER = 0,
  BRIDGE32_HANDLE_KERNEL = 1,
  BRIDGE32_HANDLE_MODULE = 2,
  BRIDGE32_HANDLE_WINDOW = 3,
  BRIDGE32_HANDLE_HOST_KERNEL = 4  /* this process's own, lent to the library for a call */
} bridge32_handle_kind;

typedef struct bridge32_field bridge32_field;

typedef struct bridge32_value {
  bridge32_value_kind kind;
  /* NUMBERS: a bridge32_element_type; HANDLE: a bridge32_handle_kind. */
  uint32_t type;
  union {
    int32_t boolean;
    int64_t i64;
    uint64_t u64;
    double f64;
    bridge32_string string;
    struct {
      const struct bridge32_value* items;
      size_t count;
    } array;
    struct {
      const bridge32_field* fields;
      size_t count;
    } structure;
    struct {
      const void* data;  /* aligned for the type; a bridge32_buffer's, to be read in place */
      size_t count;      /* elements, not bytes */
    } numbers;
    struct {
      uint64_t value;
      const char* text;  /* what it points to, for pointers to strings (_Outptr_result_z_) */
      size_t text_length;
    } handle;
  } as;
} bridge32_value;

struct bridge32_field {
  const char* name;  /* NULL or empty: by position */
  size_t name_length;
  bridge32_value value;
};

/* ---- Libraries: any DLL or shared object, called by the C declarations of its header ------ */

typedef struct bridge32_library bridge32_library;
typedef struct bridge32_function bridge32_function;
typedef struct bridge32_result bridge32_result;
typedef struct bridge32_buffer bridge32_buffer;
typedef struct bridge32_registration bridge32_registration;

/* Loads `path` (any bitness) in this process or a surrogate as `options` say (NULL: defaults).
 * [any thread] */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_library_load(
    const char* path, size_t path_length, const bridge32_load_options* options,
    bridge32_library** library, bridge32_error** error);

/* Another handle to the same library, freed on its own. [any thread] */
BRIDGE32_API bridge32_library* BRIDGE32_CALL bridge32_library_duplicate(bridge32_library* library);
BRIDGE32_API void BRIDGE32_CALL bridge32_library_free(bridge32_library* library);

/* [any thread] */
BRIDGE32_API bridge32_architecture BRIDGE32_CALL bridge32_library_architecture(
    const bridge32_library* library);
BRIDGE32_API int32_t BRIDGE32_CALL bridge32_library_is_bridged(const bridge32_library* library);
BRIDGE32_API uint32_t BRIDGE32_CALL bridge32_library_surrogate_pid(const bridge32_library* library);
/* [any thread] The library's path as it was loaded (absolute when bridged), UTF-8. */
BRIDGE32_API const char* BRIDGE32_CALL bridge32_library_path(const bridge32_library* library,
                                                            size_t* length);

/* How a vendor's header is read (bridge32::HeaderOptions). */
typedef struct bridge32_header_options {
  uint32_t struct_size;
  const bridge32_string* include_directories;  /* -I, searched in order */
  size_t include_directory_count;
  const bridge32_string* defines;  /* -D: "NAME" or "NAME=VALUE" */
  size_t define_count;
  const bridge32_string* undefines;  /* -U */
  size_t undefine_count;
  bridge32_string system_headers;  /* real system headers instead of bridge32's built-in ones */
} bridge32_header_options;

/* [any thread] */
BRIDGE32_API void BRIDGE32_CALL bridge32_header_options_init(bridge32_header_options* options);

/* Reads a C header of the library as its compiler would (Library::include): its functions can
 * then be bound by name. `options` may be NULL. One thread at a time. */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_library_include(
    bridge32_library* library, const char* header, size_t header_length,
    const bridge32_header_options* options, bridge32_error** error);

/* What a vendor's headers declare for a library file, and how much of it can be called
 * (bridge32::HeaderReport; `bridge32 header` prints it), without loading the library. */
typedef struct bridge32_header_report bridge32_header_report;

typedef enum bridge32_callability {
  BRIDGE32_CALLABLE = 0,     /* as declared */
  BRIDGE32_NEEDS_SIZES = 1,  /* a pointer parameter has no size (taken as one value) */
  BRIDGE32_CANNOT_CALL = 2,  /* a type cannot cross (the detail says which and why) */
  BRIDGE32_PASSED_OVER = 3   /* the reader passed over its declaration (the detail says why) */
} bridge32_callability;

typedef struct bridge32_reported_function {
  const char* name;
  size_t name_length;
  int32_t exported;  /* by the library file, under its name or (PE32) decorated: _f@8 */
  bridge32_callability status;
  const char* detail;  /* "" when callable */
  size_t detail_length;
} bridge32_reported_function;

/* [any thread] Reads `headers` (then `declarations`, texts that may declare functions again with
 * annotations) as the compiler of the library file `path`'s ABI would, and reports each function
 * once, as its last declaration says. `options` may be NULL. Fails as reading the headers or the
 * file fails (NOT_FOUND, BAD_MODULE, INVALID_ARGUMENT naming the file and line). */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_header_report_make(
    const char* path, size_t path_length, const bridge32_string* headers, size_t header_count,
    const bridge32_header_options* options, const bridge32_string* declarations,
    size_t declaration_count, bridge32_header_report** report, bridge32_error** error);
BRIDGE32_API void BRIDGE32_CALL bridge32_header_report_free(bridge32_header_report* report);
/* The ABI the headers were read for: "win32", "win64", "sysvI386", "sysvX64". */
BRIDGE32_API const char* BRIDGE32_CALL bridge32_header_report_abi(
    const bridge32_header_report* report, size_t* length);
/* The functions (strings are the report's); BRIDGE32_NOT_FOUND past the last. */
BRIDGE32_API size_t BRIDGE32_CALL bridge32_header_report_function_count(
    const bridge32_header_report* report);
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_header_report_function(
    const bridge32_header_report* report, size_t index, bridge32_reported_function* function);
/* What the preprocessor passed over (#warning, a missing system header); NULL past the last. */
BRIDGE32_API size_t BRIDGE32_CALL bridge32_header_report_note_count(
    const bridge32_header_report* report);
BRIDGE32_API const char* BRIDGE32_CALL bridge32_header_report_note(
    const bridge32_header_report* report, size_t index, size_t* length);

/* Declarations after the headers: structs, typedefs, functions (Library::declare). One thread
 * at a time. */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_library_declare(
    bridge32_library* library, const char* declarations, size_t length, bridge32_error** error);

/* Binds a function by its name (declared by a header or bridge32_library_declare) or by its
 * declaration given here (Library::function). One thread at a time. */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_library_function(
    bridge32_library* library, const char* name_or_declarations, size_t length,
    bridge32_function** function, bridge32_error** error);

/* Memory for `count` numbers of `type` that calls read where it is (Library::buffer): give it
 * as a NUMBERS value whose data is bridge32_buffer_data's. [any thread] */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_library_buffer(
    bridge32_library* library, bridge32_element_type type, size_t count,
    bridge32_buffer** buffer, bridge32_error** error);
BRIDGE32_API void* BRIDGE32_CALL bridge32_buffer_data(const bridge32_buffer* buffer);
BRIDGE32_API size_t BRIDGE32_CALL bridge32_buffer_count(const bridge32_buffer* buffer);
BRIDGE32_API void BRIDGE32_CALL bridge32_buffer_free(bridge32_buffer* buffer);

/* Windows: a duplicate in this process of a kernel handle the library handed out (a HANDLE
 * value of kind BRIDGE32_HANDLE_KERNEL), which the caller closes with CloseHandle
 * (Library::duplicateHandle). BRIDGE32_UNSUPPORTED elsewhere. [any thread] */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_library_duplicate_handle(
    bridge32_library* library, const bridge32_value* handle, void** duplicate,
    bridge32_error** error);

/* ---- Functions --------------------------------------------------------------------------- */

/* [any thread] The export's name and the declaration as given; 1 for a void function. */
BRIDGE32_API const char* BRIDGE32_CALL bridge32_function_name(const bridge32_function* function,
                                                             size_t* length);
BRIDGE32_API const char* BRIDGE32_CALL bridge32_function_declaration(
    const bridge32_function* function, size_t* length);
BRIDGE32_API int32_t BRIDGE32_CALL bridge32_function_returns_void(const bridge32_function* function);

/* What a parameter is, as the declaration says. */
typedef enum bridge32_parameter_kind {
  BRIDGE32_PARAMETER_NONE = 0,  /* void */
  BRIDGE32_PARAMETER_BOOL = 1,
  BRIDGE32_PARAMETER_INTEGER = 2,
  BRIDGE32_PARAMETER_FLOATING = 3,
  BRIDGE32_PARAMETER_STRING = 4,
  BRIDGE32_PARAMETER_ARRAY = 5,
  BRIDGE32_PARAMETER_STRUCT = 6,
  BRIDGE32_PARAMETER_HANDLE = 7,
  BRIDGE32_PARAMETER_CALLBACK = 8
} bridge32_parameter_kind;

/* A parameter, a result, or a struct's field or an array's element in one. Its strings and
 * the infos it points to are the function's. */
typedef struct bridge32_parameter_info {
  const char* name;
  size_t name_length;
  bridge32_parameter_kind kind;
  int32_t is_signed;  /* INTEGER */
  int32_t is_input;   /* given among a call's arguments */
  int32_t is_output;  /* among a result's outputs */
  const struct bridge32_parameter_info* fields;  /* STRUCT: its fields, in order */
  size_t field_count;
  const struct bridge32_parameter_info* element;  /* ARRAY: its element; else NULL */
  uint32_t size;     /* BOOL, INTEGER, FLOATING: its bytes in the library's ABI; else 0 */
  const char* type;  /* as C spells it: "unsigned int", "const double *", "struct Point" */
  size_t type_length;
} bridge32_parameter_info;

/* [any thread] The parameters in declaration order: 0 and *info set, or BRIDGE32_NOT_FOUND past
 * the last; the result (kind NONE for void); 1 for a function of variable arguments. */
BRIDGE32_API size_t BRIDGE32_CALL bridge32_function_parameter_count(const bridge32_function* function);
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_function_parameter(
    const bridge32_function* function, size_t index, bridge32_parameter_info* info);
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_function_result(
    const bridge32_function* function, bridge32_parameter_info* info);
BRIDGE32_API int32_t BRIDGE32_CALL bridge32_function_is_variadic(const bridge32_function* function);

BRIDGE32_API void BRIDGE32_CALL bridge32_function_free(bridge32_function* function);

/* A C function the library calls back, as a function-pointer parameter: `arguments` are the
 * library's, valid during the callback; it sets *result (a number, bool, handle or null; it is
 * null unless set) and returns BRIDGE32_OK, or another status to fail the call that gave it
 * (the library itself gets zero), and may say why in *error (bridge32_error_new; bridge32 frees
 * it). Called on whichever thread the library calls it on. */
typedef bridge32_status(BRIDGE32_CALL* bridge32_callback_fn)(void* context,
                                                             const bridge32_value* arguments,
                                                             size_t count, bridge32_value* result,
                                                             bridge32_error** error);
typedef struct bridge32_callback {
  bridge32_callback_fn function;  /* NULL passes a NULL function pointer */
  void* context;
} bridge32_callback;

/* Calls `function` with the values of its in and in/out parameters, in order, and `callbacks`
 * for its function-pointer parameters, in order; *result is the caller's. Callbacks given to
 * _Kept_ parameters, and their contexts, live while the result or a registration taken from it
 * (bridge32_result_keep) does. [any thread]: calls of one library run one at a time. */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_function_call(
    bridge32_function* function, const bridge32_value* arguments, size_t argument_count,
    const bridge32_callback* callbacks, size_t callback_count, bridge32_result** result,
    bridge32_error** error);

/* Sets this thread's deadline for bridged calls to `timeout_ms` until bridge32_deadline_end,
 * which restores the one before (scopes nest, as CallDeadline's do): both on the same thread,
 * the last begun ended first. NULL when there is no memory for it. */
typedef struct bridge32_deadline bridge32_deadline;
BRIDGE32_API bridge32_deadline* BRIDGE32_CALL bridge32_deadline_begin(uint32_t timeout_ms);
BRIDGE32_API void BRIDGE32_CALL bridge32_deadline_end(bridge32_deadline* deadline);
/* This thread's deadline for bridged calls: the innermost begun and not ended, else
 * `fallback_ms` (a module's call_timeout_ms, say). */
BRIDGE32_API uint32_t BRIDGE32_CALL bridge32_deadline_current(uint32_t fallback_ms);

/* ---- Results ----------------------------------------------------------------------------- */

/* [any thread] The return value (NULL kind for void). */
BRIDGE32_API const bridge32_value* BRIDGE32_CALL bridge32_result_value(const bridge32_result* result);
/* [any thread] The out and in/out parameters after the call, in declaration order. */
BRIDGE32_API size_t BRIDGE32_CALL bridge32_result_output_count(const bridge32_result* result);
BRIDGE32_API const bridge32_value* BRIDGE32_CALL bridge32_result_output(
    const bridge32_result* result, size_t index, const char** name, size_t* name_length);
/* [any thread] The output named `name`, or NULL. */
BRIDGE32_API const bridge32_value* BRIDGE32_CALL bridge32_result_output_named(
    const bridge32_result* result, const char* name, size_t length);
/* [any thread] GetLastError() (Windows) or errno right after the call, in its thread. */
BRIDGE32_API uint32_t BRIDGE32_CALL bridge32_result_last_error(const bridge32_result* result);
/* The callbacks the call gave _Kept_ parameters, kept until the registration is freed (NULL
 * when it gave none): free it once the library has been told to forget them. [any thread] */
BRIDGE32_API bridge32_registration* BRIDGE32_CALL bridge32_result_keep(const bridge32_result* result);
BRIDGE32_API void BRIDGE32_CALL bridge32_registration_free(bridge32_registration* registration);

BRIDGE32_API void BRIDGE32_CALL bridge32_result_free(bridge32_result* result);

/* A value written as a C literal, as `bridge32 call` reads its arguments. */
typedef struct bridge32_literal bridge32_literal;
/* [any thread] Reads one C literal: integers (decimal, 0x, 0, 0b; sign; u/l/ll: a u suffix or a
 * value above INT64_MAX is unsigned), floating (1.5, 1e-3, 0x1p-3, inf, nan), true, false, NULL,
 * 'c', "strings" with C escapes (\u00e9 gives UTF-8; adjacent ones joined), {a, b} arrays and
 * {.x = 1} structs. INVALID_ARGUMENT naming the column, what was expected and what was found. */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_literal_parse(const char* text, size_t length,
                                                                 bridge32_literal** literal,
                                                                 bridge32_error** error);
/* [any thread] Its value, the literal's own. */
BRIDGE32_API const bridge32_value* BRIDGE32_CALL bridge32_literal_value(
    const bridge32_literal* literal);
BRIDGE32_API void BRIDGE32_CALL bridge32_literal_free(bridge32_literal* literal);

/* [any thread] memcpy(to, from, bytes) for memory that does not overlap, at the machine's
 * memory speed: a large copy (1 MiB and more) is shared with helper threads bridge32 keeps
 * parked for it, one per spare hardware thread. What the C++ layer copies a call's arrays out of
 * its results with; the same for other languages' bindings. */
BRIDGE32_API void BRIDGE32_CALL bridge32_copy_memory(void* to, const void* from, size_t bytes);

/* ---- Bytes and lists of strings that bridge32 hands out -------------------------------- */

typedef struct bridge32_bytes bridge32_bytes;
/* [any thread] The bytes (NUL-terminated as well, for text) and their size. */
BRIDGE32_API const uint8_t* BRIDGE32_CALL bridge32_bytes_data(const bridge32_bytes* bytes,
                                                             size_t* size);
BRIDGE32_API void BRIDGE32_CALL bridge32_bytes_free(bridge32_bytes* bytes);

typedef struct bridge32_strings bridge32_strings;
/* [any thread] How many; string `index` (NULL past the last) and its length. */
BRIDGE32_API size_t BRIDGE32_CALL bridge32_strings_count(const bridge32_strings* strings);
BRIDGE32_API const char* BRIDGE32_CALL bridge32_strings_at(const bridge32_strings* strings,
                                                          size_t index, size_t* length);
BRIDGE32_API void BRIDGE32_CALL bridge32_strings_free(bridge32_strings* strings);

/* ---- Module files ------------------------------------------------------------------------ */

typedef enum bridge32_module_format {
  BRIDGE32_MODULE_ELF = 0,
  BRIDGE32_MODULE_PE = 1
} bridge32_module_format;

/* What a module file is, from its PE or ELF header (bridge32::ModuleFile). */
typedef struct bridge32_module_file {
  bridge32_module_format format;
  bridge32_architecture architecture;  /* UNKNOWN: another machine than x86 and x64 */
  uint32_t machine;                    /* e_machine (ELF), IMAGE_FILE_HEADER.Machine (PE) */
  int32_t is_library;                  /* ET_DYN, or a PE with IMAGE_FILE_DLL */
  int32_t is_64_bit;                   /* ELFCLASS64, or PE32+ */
} bridge32_module_file;

/* [any thread] Reads `path`'s header without loading it, and checks that its tables, segments
 * and sections lie within the file. `role` ("plugin module", "library"; NULL: "module") names
 * the file in errors: NOT_FOUND, FAILED when it cannot be read, BAD_MODULE when it is neither
 * PE nor ELF, or is truncated or damaged. */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_module_inspect(
    const char* path, size_t path_length, const char* role, size_t role_length,
    bridge32_module_file* file, bridge32_error** error);

/* What a module file exports (bridge32::ModuleExport), read without loading it. */
typedef struct bridge32_module_export {
  /* As the loader matches it (GetProcAddress, dlsym): "_f@8" for a PE32 stdcall function; ""
   * for a PE export by ordinal only. */
  const char* name;
  size_t name_length;
  int32_t has_ordinal;  /* PE: the export directory's base + index in `ordinal`; ELF: 0 */
  uint32_t ordinal;
  const char* forwarder;  /* PE: "OTHER.Func" the loader resolves it to, or "" */
  size_t forwarder_length;
  int32_t is_function;  /* code rather than data */
  const char* demangled;  /* an Itanium C++ name demangled ("add(int, int)"), or "" */
  size_t demangled_length;
  const char* version;  /* ELF symbol version ("GLIBC_2.14"), or "" */
  size_t version_length;
} bridge32_module_export;

typedef struct bridge32_module_exports bridge32_module_exports;

/* [any thread] The exports of the PE or ELF file `path`: a PE's named exports in its name
 * table's order, then those by ordinal only; an ELF file's defined symbols in .dynsym's order.
 * Every offset and count is checked against the file, which may be hostile: NOT_FOUND, FAILED,
 * BAD_MODULE naming the file and the damage, UNSUPPORTED for an ELF file without sections. */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_module_exports_read(
    const char* path, size_t path_length, bridge32_module_exports** exports,
    bridge32_error** error);
BRIDGE32_API void BRIDGE32_CALL bridge32_module_exports_free(bridge32_module_exports* exports);
/* The exports (strings are the list's); BRIDGE32_NOT_FOUND past the last. */
BRIDGE32_API size_t BRIDGE32_CALL bridge32_module_exports_count(
    const bridge32_module_exports* exports);
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_module_exports_at(
    const bridge32_module_exports* exports, size_t index, bridge32_module_export* out);

/* [any thread] Where the surrogate for `architecture` is looked for with `options` (NULL:
 * defaults; see bridge32/surrogate.h), whether it is there or not, in `path` (free it with
 * bridge32_bytes_free). INVALID_ARGUMENT for an architecture bridge32 has no surrogate for. */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_surrogate_executable(
    bridge32_architecture architecture, const bridge32_load_options* options,
    bridge32_bytes** path, bridge32_error** error);

/* Where the loader of the process that would load a module finds each of its dependencies. */
typedef enum bridge32_dependency_source {
  BRIDGE32_DEPENDENCY_LOADED = 0,         /* the process has it loaded already */
  BRIDGE32_DEPENDENCY_BESIDE_MODULE = 1,  /* PE: the directory of the module being loaded */
  BRIDGE32_DEPENDENCY_RPATH = 2,          /* ELF: DT_RPATH of the module that needs it (or above) */
  BRIDGE32_DEPENDENCY_LIBRARY_PATH = 3,   /* ELF: LD_LIBRARY_PATH */
  BRIDGE32_DEPENDENCY_RUNPATH = 4,        /* ELF: DT_RUNPATH of the module that needs it */
  BRIDGE32_DEPENDENCY_SYSTEM = 5,         /* the system's directories (then PATH, on Windows) */
  BRIDGE32_DEPENDENCY_API_SET = 6,        /* PE: an API set the system maps to its DLLs */
  BRIDGE32_DEPENDENCY_MISSING = 7,        /* nowhere the loader looks */
  BRIDGE32_DEPENDENCY_UNUSABLE = 8        /* found first, but unusable (`problem` says why) */
} bridge32_dependency_source;

/* [any thread] "loaded", "besideModule", ..., "unusable"; "" for another value. */
BRIDGE32_API const char* BRIDGE32_CALL bridge32_dependency_source_name(
    bridge32_dependency_source source);

typedef struct bridge32_dependency {
  const char* name;  /* as the module that needs it names it */
  size_t name_length;
  const char* path;  /* where it was found; "" when missing, and for an API set */
  size_t path_length;
  bridge32_dependency_source source;
  uint32_t depth;        /* 0: the module's own; n + 1: needed by the one before at depth n */
  int32_t delay_loaded;  /* PE: through the delay-load table (loaded at the first call into it) */
  int32_t listed_above;  /* its own dependencies are listed where it appears first */
  const char* problem;   /* why it cannot be used, or why its own are unknown; or "" */
  size_t problem_length;
} bridge32_dependency;

/* A module the loader cannot find or use, and so a module that does not load. */
typedef struct bridge32_load_failure {
  const bridge32_string* chain;  /* the module's file name, ..., the name of the one that fails */
  size_t chain_count;
  const char* why;  /* "is missing", "is for x64", ... */
  size_t why_length;
  const bridge32_string* searched;  /* the paths the loader tried, in order */
  size_t searched_count;
  int32_t delayed;  /* below a delay-loaded module: the module loads, a call into it fails */
} bridge32_load_failure;

typedef struct bridge32_dependency_report bridge32_dependency_report;

/* [any thread] The dependencies of the module file `path`, recursively, found as the loader of
 * the surrogate for its architecture (bridge32_surrogate_executable with `options`, NULL:
 * defaults) finds them, without loading anything: what the surrogate itself loads counts as
 * loaded (when it is not there, nothing does). NOT_FOUND, FAILED, BAD_MODULE as for
 * bridge32_module_inspect; UNSUPPORTED for a file of another format or machine. */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_module_dependencies(
    const char* path, size_t path_length, const bridge32_load_options* options,
    bridge32_dependency_report** report, bridge32_error** error);
BRIDGE32_API void BRIDGE32_CALL bridge32_dependency_report_free(bridge32_dependency_report* report);
/* The tree, depth first: each dependency, then its own at depth + 1 (strings are the report's);
 * NOT_FOUND past the last. */
BRIDGE32_API size_t BRIDGE32_CALL bridge32_dependency_report_count(
    const bridge32_dependency_report* report);
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_dependency_report_at(
    const bridge32_dependency_report* report, size_t index, bridge32_dependency* dependency);
/* What will not load: failures that stop the module first, then delayed ones; NOT_FOUND past
 * the last. */
BRIDGE32_API size_t BRIDGE32_CALL bridge32_dependency_report_failure_count(
    const bridge32_dependency_report* report);
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_dependency_report_failure(
    const bridge32_dependency_report* report, size_t index, bridge32_load_failure* failure);

/* [any thread] The file the code or data at `address` was loaded from (an executable, a DLL, a
 * shared object: a plugin that needs the files beside itself, say), in `path` (free it with
 * bridge32_bytes_free); NOT_FOUND when no module holds `address`. */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_module_containing(const void* address,
                                                                      bridge32_bytes** path,
                                                                      bridge32_error** error);

/* [any thread] How `path` would load with `options` (NULL: defaults): its file, whether
 * `bridged` through a surrogate, and which (`surrogate`: the executable's path, free it with
 * bridge32_bytes_free; NULL when in-process). Fails as loading it would for a file that cannot
 * load at all (another format, not a library, another machine, an architecture that
 * options.isolation keeps out, no surrogate for it). */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_plan_load(
    const char* path, size_t path_length, const bridge32_load_options* options,
    bridge32_module_file* file, int32_t* bridged, bridge32_bytes** surrogate,
    bridge32_error** error);

/* ---- Plugins: written against bridge32's SDK, or VST2 plugins as they are ---------------- */
/* Threading (as bridge32/plugin.h): a module and its plugins from one thread at a time, always
 * the same for plugins in this process; process calls from the audio thread. A bridged call
 * blocks its thread until the surrogate answers; on Windows it goes on dispatching the
 * thread's window messages meanwhile. */

typedef struct bridge32_plugin_module bridge32_plugin_module;
typedef struct bridge32_plugin bridge32_plugin;

typedef enum bridge32_plugin_format {
  BRIDGE32_FORMAT_SDK = 0,  /* bridge32's SDK */
  BRIDGE32_FORMAT_VST2 = 1
} bridge32_plugin_format;

typedef struct bridge32_plugin_descriptor {
  const char* id;  /* a VST2 plugin's is its four-character unique id, or its number */
  size_t id_length;
  const char* name;
  size_t name_length;
  const char* vendor;
  size_t vendor_length;
  const char* version;
  size_t version_length;
  uint32_t inputs;   /* audio channels as declared; 0 when it does not say */
  uint32_t outputs;
  int32_t is_instrument;
} bridge32_plugin_descriptor;

/* Loads a plugin module in this process or a surrogate as `options` say (NULL: defaults). */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_plugin_module_load(
    const char* path, size_t path_length, const bridge32_load_options* options,
    bridge32_plugin_module** module, bridge32_error** error);
BRIDGE32_API void BRIDGE32_CALL bridge32_plugin_module_free(bridge32_plugin_module* module);
BRIDGE32_API bridge32_plugin_format BRIDGE32_CALL bridge32_plugin_module_format(
    const bridge32_plugin_module* module);
BRIDGE32_API bridge32_architecture BRIDGE32_CALL bridge32_plugin_module_architecture(
    const bridge32_plugin_module* module);
BRIDGE32_API int32_t BRIDGE32_CALL bridge32_plugin_module_is_bridged(
    const bridge32_plugin_module* module);
BRIDGE32_API uint32_t BRIDGE32_CALL bridge32_plugin_module_surrogate_pid(
    const bridge32_plugin_module* module);
/* The module's path as it was loaded, UTF-8. */
BRIDGE32_API const char* BRIDGE32_CALL bridge32_plugin_module_path(
    const bridge32_plugin_module* module, size_t* length);
/* The SDK version an SDK module was built with; zeros for VST2. */
BRIDGE32_API void BRIDGE32_CALL bridge32_plugin_module_sdk_version(
    const bridge32_plugin_module* module, uint32_t* major, uint32_t* minor, uint32_t* revision);
/* The module's plugins: strings are the module's. BRIDGE32_NOT_FOUND past the last. */
BRIDGE32_API size_t BRIDGE32_CALL bridge32_plugin_module_plugin_count(
    const bridge32_plugin_module* module);
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_plugin_module_plugin(
    const bridge32_plugin_module* module, size_t index, bridge32_plugin_descriptor* descriptor);

/* What a plugin tells its host (bridge32::HostCallbacks); each may be NULL. Called on the
 * threads HostCallbacks says; `stopped` on the bridge's I/O thread, where the plugin may be
 * freed but not called. */
typedef struct bridge32_host_callbacks {
  uint32_t struct_size;
  void* context;
  void(BRIDGE32_CALL* log)(void* context, bridge32_log_level level, const char* message,
                           size_t length);
  void(BRIDGE32_CALL* param_changed)(void* context, uint32_t id, double value);
  void(BRIDGE32_CALL* editor_resized)(void* context, uint32_t width, uint32_t height);
  void(BRIDGE32_CALL* stopped)(void* context, const char* why, size_t length);
  void(BRIDGE32_CALL* restarted)(void* context);
  void(BRIDGE32_CALL* restart_failed)(void* context, const char* why, size_t length,
                                      int32_t will_retry);
} bridge32_host_callbacks;

BRIDGE32_API void BRIDGE32_CALL bridge32_host_callbacks_init(bridge32_host_callbacks* callbacks);

/* A new instance of plugin `id` of `module`; `callbacks` (copied; may be NULL) and its context
 * must serve it until it is freed. It keeps what it needs of the module. */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_plugin_create(
    bridge32_plugin_module* module, const char* id, size_t id_length,
    const bridge32_host_callbacks* callbacks, bridge32_plugin** plugin, bridge32_error** error);
BRIDGE32_API void BRIDGE32_CALL bridge32_plugin_free(bridge32_plugin* plugin);

/* Its descriptor (strings are the plugin's); what it offers. */
BRIDGE32_API void BRIDGE32_CALL bridge32_plugin_descriptor_of(const bridge32_plugin* plugin,
                                                             bridge32_plugin_descriptor* descriptor);
BRIDGE32_API int32_t BRIDGE32_CALL bridge32_plugin_has_params(const bridge32_plugin* plugin);
BRIDGE32_API int32_t BRIDGE32_CALL bridge32_plugin_has_state(const bridge32_plugin* plugin);
BRIDGE32_API int32_t BRIDGE32_CALL bridge32_plugin_has_process(const bridge32_plugin* plugin);
BRIDGE32_API int32_t BRIDGE32_CALL bridge32_plugin_has_gui(const bridge32_plugin* plugin);
/* 0 once its surrogate stopped, until restarted. */
BRIDGE32_API int32_t BRIDGE32_CALL bridge32_plugin_is_running(const bridge32_plugin* plugin);

typedef struct bridge32_param_info {
  uint32_t id;
  uint32_t flags;  /* B32_PARAM_IS_* of the SDK */
  double min_value;
  double max_value;
  double default_value;
  const char* name;
  size_t name_length;
  const char* unit;
  size_t unit_length;
} bridge32_param_info;

/* Its parameters, fixed for its life (strings are the plugin's); BRIDGE32_NOT_FOUND past the
 * last. */
BRIDGE32_API size_t BRIDGE32_CALL bridge32_plugin_param_count(const bridge32_plugin* plugin);
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_plugin_param_info(
    const bridge32_plugin* plugin, size_t index, bridge32_param_info* info);
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_plugin_param(
    bridge32_plugin* plugin, uint32_t id, double* value, bridge32_error** error);
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_plugin_set_param(
    bridge32_plugin* plugin, uint32_t id, double value, bridge32_error** error);
/* The value as the plugin shows it ("-6.0", "On"), without its unit. */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_plugin_param_display(
    bridge32_plugin* plugin, uint32_t id, bridge32_bytes** text, bridge32_error** error);

BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_plugin_save_state(
    bridge32_plugin* plugin, bridge32_bytes** state, bridge32_error** error);
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_plugin_load_state(
    bridge32_plugin* plugin, const uint8_t* state, size_t size, bridge32_error** error);

BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_plugin_activate(
    bridge32_plugin* plugin, double sample_rate, uint32_t max_frames, bridge32_error** error);
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_plugin_deactivate(bridge32_plugin* plugin,
                                                                     bridge32_error** error);

/* A MIDI message at a frame of the block (bridge32::MidiEvent). */
typedef struct bridge32_midi_event {
  uint32_t frame;
  uint8_t bytes[3];
} bridge32_midi_event;

/* Where the music is at a block's first frame (bridge32::Transport). */
typedef struct bridge32_transport {
  int32_t playing;
  double tempo;            /* quarter notes per minute */
  double beats;            /* from the start, in quarter notes */
  double bar_start_beats;
  uint32_t numerator;
  uint32_t denominator;
} bridge32_transport;

/* What goes with a block besides its samples; NULL for none. */
typedef struct bridge32_block_events {
  const bridge32_midi_event* midi;  /* in frame order */
  size_t midi_count;
  const bridge32_transport* transport;  /* NULL: the plugin keeps the last one */
} bridge32_block_events;

/* Planar samples, channel c's frame f at [c * frames + f]: `input_count` and `output_count`
 * must each be channels * frames. [audio thread] */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_plugin_process(
    bridge32_plugin* plugin, uint32_t channels, uint32_t frames, const float* input,
    size_t input_count, float* output, size_t output_count, const bridge32_block_events* events,
    bridge32_error** error);

/* Processing without a copy: write the block into *input, call
 * bridge32_plugin_process_audio_buffers, read *output. Bridged, they are the memory the
 * plugin reads and writes; valid, and the same for the same shape, until the next activation.
 * [audio thread] */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_plugin_audio_buffers(
    bridge32_plugin* plugin, uint32_t channels, uint32_t frames, float** input,
    const float** output, bridge32_error** error);
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_plugin_process_audio_buffers(
    bridge32_plugin* plugin, uint32_t channels, uint32_t frames,
    const bridge32_block_events* events, bridge32_error** error);

/* Programs (presets) by name, none when it has none; the current one; choosing one. */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_plugin_program_names(
    bridge32_plugin* plugin, bridge32_strings** names, bridge32_error** error);
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_plugin_program(
    bridge32_plugin* plugin, uint32_t* index, bridge32_error** error);
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_plugin_set_program(
    bridge32_plugin* plugin, uint32_t index, bridge32_error** error);
/* How many frames its output lags its input by, as of now. */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_plugin_latency(
    bridge32_plugin* plugin, uint32_t* frames, bridge32_error** error);

/* Its editor in a new container, a child of `parent` (an HWND; on Linux an X11 window id cast
 * to a pointer), at the size the plugin asks for; *container is that window. One at a time.
 * [the window's thread], which must dispatch its messages. */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_plugin_open_editor(
    bridge32_plugin* plugin, void* parent, void** container, bridge32_error** error);
/* The open editor's container (the window bridge32_plugin_open_editor gave), NULL when none is
 * open. [any thread] */
BRIDGE32_API void* BRIDGE32_CALL bridge32_plugin_editor_container(bridge32_plugin* plugin);
/* Why the open editor shows no plugin (its surrogate stopped), "" while it does; the text is
 * the caller's. [any thread] */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_plugin_editor_stopped_reason(
    bridge32_plugin* plugin, bridge32_bytes** why, bridge32_error** error);
/* The open editor's size; BRIDGE32_BAD_STATE when none is open. */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_plugin_editor_size(
    bridge32_plugin* plugin, uint32_t* width, uint32_t* height, int32_t* can_resize,
    bridge32_error** error);
/* Asks for a size; *width and *height become the size the plugin chose. */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_plugin_editor_set_size(
    bridge32_plugin* plugin, uint32_t* width, uint32_t* height, bridge32_error** error);
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_plugin_editor_show(
    bridge32_plugin* plugin, int32_t visible, bridge32_error** error);
/* Closes the editor and destroys its container; nothing when none is open. */
BRIDGE32_API void BRIDGE32_CALL bridge32_plugin_close_editor(bridge32_plugin* plugin);

/* Brings a stopped plugin back in a new surrogate with its state (RestartPolicy); *restarted
 * is 0 when it was running. */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_plugin_restart(
    bridge32_plugin* plugin, int32_t* restarted, bridge32_error** error);

/* ---- COM automation objects of 32-bit in-process servers (Windows) ---------------------- */
/* As bridge32/com.h: objects live in a surrogate's single-threaded apartment; calls come from
 * any thread, one at a time per object. Elsewhere bridge32_com_class_load is
 * BRIDGE32_UNSUPPORTED. */

typedef struct bridge32_com_class bridge32_com_class;
/* A bridged object, or an object of this process made by bridge32_com_make_object. */
typedef struct bridge32_com_object bridge32_com_object;
typedef struct bridge32_com_result bridge32_com_result;
typedef struct bridge32_com_connection bridge32_com_connection;
typedef struct bridge32_com_type_info bridge32_com_type_info;

/* What a VARIANT holds (bridge32::ComValue::Kind, in order). */
typedef enum bridge32_com_value_kind {
  BRIDGE32_COM_EMPTY = 0,
  BRIDGE32_COM_NULL = 1,
  BRIDGE32_COM_BOOL = 2,      /* as.boolean */
  BRIDGE32_COM_INT = 3,       /* as.i64: VT_I1 .. VT_I8, VT_INT */
  BRIDGE32_COM_UINT = 4,      /* as.u64: VT_UI1 .. VT_UI8, VT_UINT */
  BRIDGE32_COM_REAL = 5,      /* as.f64: VT_R4, VT_R8 */
  BRIDGE32_COM_CURRENCY = 6,  /* as.i64: ten-thousandths */
  BRIDGE32_COM_DATE = 7,      /* as.f64: days since 1899-12-30 */
  BRIDGE32_COM_STRING = 8,    /* as.string: UTF-8 */
  BRIDGE32_COM_ERROR = 9,     /* as.i64: an SCODE */
  BRIDGE32_COM_OBJECT = 10,   /* as.object: NULL for a null VT_DISPATCH */
  BRIDGE32_COM_ARRAY = 11     /* as.array: a SAFEARRAY */
} bridge32_com_value_kind;

typedef struct bridge32_com_value bridge32_com_value;
struct bridge32_com_value {
  bridge32_com_value_kind kind;
  /* Its VARTYPE (VT_I2, VT_BSTR, ...; VT_ARRAY | the element type for arrays); 0 given for a
   * kind: the kind's usual one (VT_I4, VT_R8, ...). */
  uint16_t vartype;
  union {
    int32_t boolean;
    int64_t i64;
    uint64_t u64;
    double f64;
    bridge32_string string;
    bridge32_com_object* object;
    struct {
      uint32_t dimensions;
      const int32_t* lower_bounds;  /* per dimension, the first first */
      const uint32_t* counts;
      /* The elements in COM's order (the first dimension varying fastest): as values, or, for
       * numbers, as their bytes (`numbers`, of the element VARTYPE's C type) with `elements`
       * NULL. */
      const bridge32_com_value* elements;
      const void* numbers;
      size_t count;
    } array;
  } as;
};

/* A named argument of a call ("scale" := 2). */
typedef struct bridge32_com_named_argument {
  const char* name;
  size_t name_length;
  bridge32_com_value value;
} bridge32_com_named_argument;

/* The class registered as `name` (a ProgID, or a CLSID in braces), in a surrogate of
 * `architecture` (BRIDGE32_ARCH_X86 for 32-bit servers). [any thread] */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_com_class_load(
    const char* name, size_t name_length, bridge32_architecture architecture,
    const bridge32_load_options* options, bridge32_com_class** com_class, bridge32_error** error);
BRIDGE32_API void BRIDGE32_CALL bridge32_com_class_free(bridge32_com_class* com_class);
/* What the registry says: the CLSID ("{...}"), the ProgID, the server DLL, its threading model.
 * [any thread] */
BRIDGE32_API const char* BRIDGE32_CALL bridge32_com_class_clsid(const bridge32_com_class* com_class,
                                                               size_t* length);
BRIDGE32_API const char* BRIDGE32_CALL bridge32_com_class_prog_id(
    const bridge32_com_class* com_class, size_t* length);
BRIDGE32_API const char* BRIDGE32_CALL bridge32_com_class_server(
    const bridge32_com_class* com_class, size_t* length);
BRIDGE32_API const char* BRIDGE32_CALL bridge32_com_class_threading_model(
    const bridge32_com_class* com_class, size_t* length);
BRIDGE32_API uint32_t BRIDGE32_CALL bridge32_com_class_surrogate_pid(
    const bridge32_com_class* com_class);
/* The file the objects' code is in as the surrogate loaded it (`path`, the caller's to free
 * with bridge32_bytes_free; may be NULL), and its machine: 1 once bridge32_com_class_create made
 * an object, else 0 (and *path NULL; so too with no memory for it). [any thread] */
BRIDGE32_API int32_t BRIDGE32_CALL bridge32_com_class_loaded_server(
    const bridge32_com_class* com_class, bridge32_bytes** path,
    bridge32_architecture* architecture);
/* A new object of the class (CoCreateInstance in the surrogate). */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_com_class_create(
    bridge32_com_class* com_class, bridge32_com_object** object, bridge32_error** error);

/* Another handle to the same object, freed on its own. [any thread] */
BRIDGE32_API bridge32_com_object* BRIDGE32_CALL bridge32_com_object_duplicate(
    const bridge32_com_object* object);
BRIDGE32_API void BRIDGE32_CALL bridge32_com_object_free(bridge32_com_object* object);

/* Property `name`, after `arguments` for a property that takes them (Item("key")). */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_com_object_get(
    bridge32_com_object* object, const char* name, size_t name_length,
    const bridge32_com_value* arguments, size_t argument_count, bridge32_com_result** result,
    bridge32_error** error);
/* Sets property `name` to `value`, after `arguments` for a property that takes them. */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_com_object_put(
    bridge32_com_object* object, const char* name, size_t name_length,
    const bridge32_com_value* value, const bridge32_com_value* arguments, size_t argument_count,
    bridge32_error** error);
/* Calls method `name` (or a property get; "" the default member) with positional and named
 * arguments. */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_com_object_call(
    bridge32_com_object* object, const char* name, size_t name_length,
    const bridge32_com_value* arguments, size_t argument_count,
    const bridge32_com_named_argument* named, size_t named_count, bridge32_com_result** result,
    bridge32_error** error);
/* Every item of its enumeration (_NewEnum), in order, as the result's array. */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_com_object_items(
    bridge32_com_object* object, bridge32_com_result** items, bridge32_error** error);

/* A result's value, valid while it lives (its objects too: duplicate one to keep it). */
BRIDGE32_API const bridge32_com_value* BRIDGE32_CALL bridge32_com_result_value(
    const bridge32_com_result* result);
BRIDGE32_API void BRIDGE32_CALL bridge32_com_result_free(bridge32_com_result* result);

/* An event of a bridged object: its name ("#<DISPID>" without type information) and
 * arguments, valid during the call. On bridge32's thread; it must not call bridged objects. */
typedef void(BRIDGE32_CALL* bridge32_com_event_fn)(void* context, const char* event,
                                                   size_t event_length,
                                                   const bridge32_com_value* arguments,
                                                   size_t count);
/* Connects `handler` to the object's default source of events until the connection is freed. */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_com_object_connect(
    bridge32_com_object* object, bridge32_com_event_fn handler, void* context,
    bridge32_com_connection** connection, bridge32_error** error);
/* The events' interface ("DProbeEvents"); the connection's. [any thread] */
BRIDGE32_API const char* BRIDGE32_CALL bridge32_com_connection_events(
    const bridge32_com_connection* connection, size_t* length);
BRIDGE32_API void BRIDGE32_CALL bridge32_com_connection_free(bridge32_com_connection* connection);

/* What a call to an object of this process is. */
typedef enum bridge32_com_call_kind {
  BRIDGE32_COM_METHOD = 0,
  BRIDGE32_COM_PROPERTY_GET = 1,
  BRIDGE32_COM_PROPERTY_PUT = 2  /* the value is the last argument */
} bridge32_com_call_kind;
typedef struct bridge32_com_answer bridge32_com_answer;
/* Answers a call to an object of this process: sets the answer (bridge32_com_answer_set, which
 * copies it) and returns BRIDGE32_OK, or fails it (the COM object gets DISP_E_EXCEPTION, whose
 * description is *error's message when it sets one with bridge32_error_new; bridge32 frees it).
 * On bridge32's thread, one call at a time; it must not call bridged objects. */
typedef bridge32_status(BRIDGE32_CALL* bridge32_com_handler_fn)(
    void* context, const char* member, size_t member_length, bridge32_com_call_kind kind,
    const bridge32_com_value* arguments, size_t count, bridge32_com_answer* answer,
    bridge32_error** error);

BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_com_answer_set(bridge32_com_answer* answer,
                                                                  const bridge32_com_value* value,
                                                                  bridge32_error** error);
/* An object of this process that bridged objects can be given and call back; `context` serves
 * it while it lives, in this process or a surrogate's hands: `release` (may be NULL) is called
 * with it once the object is gone from both (never when this fails). [any thread] */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_com_make_object(
    bridge32_com_handler_fn handler, void* context, bridge32_release_fn release,
    bridge32_com_object** object, bridge32_error** error);

/* What the object's type information says (NULL in *info when it gives none). */
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_com_object_type_info(
    bridge32_com_object* object, bridge32_com_type_info** info, bridge32_error** error);
typedef enum bridge32_com_member_kind {
  BRIDGE32_COM_MEMBER_METHOD = 0,
  BRIDGE32_COM_MEMBER_PROPERTY_GET = 1,
  BRIDGE32_COM_MEMBER_PROPERTY_PUT = 2,
  BRIDGE32_COM_MEMBER_PROPERTY_PUT_REF = 3
} bridge32_com_member_kind;
typedef struct bridge32_com_member_info {
  const char* name;
  size_t name_length;
  int32_t id;  /* DISPID */
  bridge32_com_member_kind kind;
  const char* type;  /* the result's, as IDL writes it ("void" for none) */
  size_t type_length;
  size_t parameter_count;
  int32_t varargs;
  const char* description;  /* its helpstring */
  size_t description_length;
} bridge32_com_member_info;
typedef struct bridge32_com_parameter_info {
  const char* name;
  size_t name_length;
  const char* type;
  size_t type_length;
  int32_t optional;
  int32_t output;
} bridge32_com_parameter_info;
/* [any thread] Its name ("IDictionary"), members, and each member's parameters; strings are
 * the info's. BRIDGE32_NOT_FOUND past the last. */
BRIDGE32_API const char* BRIDGE32_CALL bridge32_com_type_info_name(
    const bridge32_com_type_info* info, size_t* length);
/* Its GUID ("{...}") and helpstring. */
BRIDGE32_API const char* BRIDGE32_CALL bridge32_com_type_info_guid(
    const bridge32_com_type_info* info, size_t* length);
BRIDGE32_API const char* BRIDGE32_CALL bridge32_com_type_info_description(
    const bridge32_com_type_info* info, size_t* length);
BRIDGE32_API size_t BRIDGE32_CALL bridge32_com_type_info_member_count(
    const bridge32_com_type_info* info);
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_com_type_info_member(
    const bridge32_com_type_info* info, size_t index, bridge32_com_member_info* member);
BRIDGE32_API bridge32_status BRIDGE32_CALL bridge32_com_type_info_parameter(
    const bridge32_com_type_info* info, size_t member, size_t index,
    bridge32_com_parameter_info* parameter);
BRIDGE32_API void BRIDGE32_CALL bridge32_com_type_info_free(bridge32_com_type_info* info);

#ifdef __cplusplus
}
#endif

#endif /* BRIDGE32_BRIDGE32_H */
