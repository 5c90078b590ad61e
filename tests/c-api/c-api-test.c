/* bridge32's C API from C99: a program that drives the fixture library (b32-library), the
 * sample SDK plugins (b32-samples), the VST2 fixture and (Windows) COM objects, Wine's
 * Scripting.Dictionary and the probe server (b32-com-fixture), all i386 / PE32, in 32-bit surrogates
 * through include/bridge32/bridge32.h alone, as a C, C#, Python or MSVC user would. Built with gcc on Linux, MinGW-w64 for Windows (run under Wine) and clang-cl
 * against the DLL's import library (scripts/c-consumer-test.sh). Prints each check; exits 1 if
 * one failed.
 *
 *   bridge32_c_api_test [PLUGINS_DIR]   (default: ../plugins beside the executable's directory) */
#if !defined(_WIN32)
#define _POSIX_C_SOURCE 200809L /* readlink */
#endif
#include <bridge32/bridge32.h>

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(_WIN32)
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#define LIBRARY_FILE "b32-library.dll"
#else
#include <signal.h>
#include <time.h>
#include <unistd.h>
#define LIBRARY_FILE "b32-library.so"
#endif

static int failures = 0;
static int checks = 0;

#define CHECK(condition, ...)                          \
  do {                                                 \
    ++checks;                                          \
    if (!(condition)) {                                \
      ++failures;                                      \
      printf("FAILED %s:%d: %s: ", __FILE__, __LINE__, #condition); \
      printf(__VA_ARGS__);                             \
      printf("\n");                                    \
    }                                                  \
  } while (0)

/* The status, printing the error's message when there is one; frees it. */
static bridge32_status report(bridge32_status status, bridge32_error* error, const char* what) {
  if (error) {
    size_t length = 0;
    const char* message = bridge32_error_message(error, &length);
    printf("  %s: %s: %.*s\n", what, bridge32_status_name(status), (int)length, message);
    bridge32_error_free(error);
  }
  return status;
}

static int contains(const char* text, size_t length, const char* part) {
  size_t n = strlen(part);
  for (size_t i = 0; i + n <= length; ++i) {
    if (memcmp(text + i, part, n) == 0) return 1;
  }
  return 0;
}

static bridge32_value integer(int64_t x) {
  bridge32_value value;
  memset(&value, 0, sizeof value);
  value.kind = BRIDGE32_VALUE_INT;
  value.as.i64 = x;
  return value;
}

static bridge32_value floating(double x) {
  bridge32_value value;
  memset(&value, 0, sizeof value);
  value.kind = BRIDGE32_VALUE_DOUBLE;
  value.as.f64 = x;
  return value;
}

static bridge32_value string(const char* text) {
  bridge32_value value;
  memset(&value, 0, sizeof value);
  value.kind = BRIDGE32_VALUE_STRING;
  value.as.string.data = text;
  value.as.string.length = strlen(text);
  return value;
}

static bridge32_value doubles(const double* data, size_t count) {
  bridge32_value value;
  memset(&value, 0, sizeof value);
  value.kind = BRIDGE32_VALUE_NUMBERS;
  value.type = BRIDGE32_FLOAT64;
  value.as.numbers.data = data;
  value.as.numbers.count = count;
  return value;
}

static bridge32_function* bind(bridge32_library* library, const char* declaration) {
  bridge32_function* function = NULL;
  bridge32_error* error = NULL;
  bridge32_status status =
      bridge32_library_function(library, declaration, BRIDGE32_NUL_TERMINATED, &function, &error);
  CHECK(report(status, error, declaration) == BRIDGE32_OK && function, "binding %s", declaration);
  return function;
}

/* Calls `function`; the result, or NULL with the status in *status. */
static bridge32_result* call(bridge32_function* function, const bridge32_value* arguments,
                             size_t count, const bridge32_callback* callbacks,
                             size_t callback_count, bridge32_status* status, const char* what) {
  bridge32_result* result = NULL;
  bridge32_error* error = NULL;
  bridge32_status got = bridge32_function_call(function, arguments, count, callbacks,
                                               callback_count, &result, &error);
  if (status) *status = got;
  report(got, error, what);
  return result;
}

static int64_t int_result(bridge32_function* function, const bridge32_value* arguments,
                          size_t count, const char* what) {
  bridge32_status status;
  bridge32_result* result = call(function, arguments, count, NULL, 0, &status, what);
  int64_t answer = -999999;
  if (result) {
    const bridge32_value* value = bridge32_result_value(result);
    CHECK(value->kind == BRIDGE32_VALUE_INT, "%s: kind %d", what, (int)value->kind);
    answer = value->as.i64;
  }
  bridge32_result_free(result);
  return answer;
}

/* ---- Callbacks ---- */

typedef struct Tally {
  int calls;
  int64_t last;
} Tally;

/* int f(void* ctx, int i): i * 10 + 1, counting its calls in the context. */
static bridge32_status BRIDGE32_CALL tens(void* context, const bridge32_value* arguments,
                                          size_t count, bridge32_value* result,
                                          bridge32_error** error) {
  Tally* tally = (Tally*)context;
  (void)error;
  ++tally->calls;
  if (count != 2 || arguments[1].kind != BRIDGE32_VALUE_INT) return BRIDGE32_INVALID_ARGUMENT;
  result->kind = BRIDGE32_VALUE_INT;
  result->as.i64 = arguments[1].as.i64 * 10 + 1;
  return BRIDGE32_OK;
}

/* Fails, saying why when its context asks it to. */
static bridge32_status BRIDGE32_CALL refuses(void* context, const bridge32_value* arguments,
                                             size_t count, bridge32_value* result,
                                             bridge32_error** error) {
  static const char why[] = "the application said no";
  (void)arguments;
  (void)count;
  (void)result;
  if (context) *error = bridge32_error_new(BRIDGE32_UNSUPPORTED, why, sizeof why - 1);
  return BRIDGE32_BAD_STATE;
}

/* void listener(int): remembers what it was given. */
static bridge32_status BRIDGE32_CALL listen(void* context, const bridge32_value* arguments,
                                            size_t count, bridge32_value* result,
                                            bridge32_error** error) {
  Tally* tally = (Tally*)context;
  (void)result;
  (void)error;
  ++tally->calls;
  if (count == 1 && arguments[0].kind == BRIDGE32_VALUE_INT) tally->last = arguments[0].as.i64;
  return BRIDGE32_OK;
}

static int log_records = 0;
static void BRIDGE32_CALL on_log(void* context, bridge32_log_level level, const char* source,
                                 size_t source_length, const char* message,
                                 size_t message_length) {
  (void)level;
  (void)message;
  (void)message_length;
  if (source_length == 8 && memcmp(source, "bridge32", 8) == 0) ++*(int*)context;
}

/* The last record of source "plugin", for bridge32_log_plugin_line. */
static char plugin_line[64];
static bridge32_log_level plugin_line_level;
static void BRIDGE32_CALL on_plugin_line(void* context, bridge32_log_level level,
                                         const char* source, size_t source_length,
                                         const char* message, size_t message_length) {
  (void)context;
  if (source_length != 6 || memcmp(source, "plugin", 6) != 0) return;
  if (message_length >= sizeof plugin_line) message_length = sizeof plugin_line - 1;
  memcpy(plugin_line, message, message_length);
  plugin_line[message_length] = 0;
  plugin_line_level = level;
}

/* Set once bridge32 lets go of on_log's context. */
static volatile int log_released = 0;
static void BRIDGE32_CALL on_log_released(void* context) {
  (void)context;
  log_released = 1;
}

/* ---- Plugins ---- */

typedef struct Heard {
  volatile int stopped; /* set on the bridge's I/O thread */
  volatile int restarted;
  volatile int logs;
  char why[512];
} Heard;

/* Whether *flag became nonzero within `ms` milliseconds (polled: C99 has no condition). */
static int became_set(volatile int* flag, int ms) {
  for (int waited = 0; !*flag && waited < ms; ++waited) {
#if defined(_WIN32)
    Sleep(1);
#else
    struct timespec pause = {0, 1000000};
    nanosleep(&pause, NULL);
#endif
  }
  return *flag != 0;
}

static void BRIDGE32_CALL plugin_stopped(void* context, const char* why, size_t length) {
  Heard* heard = (Heard*)context;
  ++heard->stopped;
  snprintf(heard->why, sizeof heard->why, "%.*s", (int)length, why);
}

static void BRIDGE32_CALL plugin_restarted(void* context) { ++((Heard*)context)->restarted; }

static void BRIDGE32_CALL plugin_log(void* context, bridge32_log_level level, const char* message,
                                     size_t length) {
  (void)level;
  (void)message;
  (void)length;
  ++((Heard*)context)->logs;
}

static bridge32_plugin_module* load_plugins(const char* path) {
  bridge32_plugin_module* module = NULL;
  bridge32_error* error = NULL;
  bridge32_status status = bridge32_plugin_module_load(path, BRIDGE32_NUL_TERMINATED, NULL,
                                                       &module, &error);
  CHECK(report(status, error, path) == BRIDGE32_OK && module, "loading %s", path);
  return module;
}

static bridge32_plugin* create_plugin(bridge32_plugin_module* module, const char* id,
                                      Heard* heard) {
  bridge32_host_callbacks callbacks;
  bridge32_host_callbacks_init(&callbacks);
  callbacks.context = heard;
  callbacks.stopped = plugin_stopped;
  callbacks.restarted = plugin_restarted;
  callbacks.log = plugin_log;
  bridge32_plugin* plugin = NULL;
  bridge32_error* error = NULL;
  bridge32_status status =
      bridge32_plugin_create(module, id, BRIDGE32_NUL_TERMINATED, &callbacks, &plugin, &error);
  CHECK(report(status, error, id) == BRIDGE32_OK && plugin, "creating %s", id);
  return plugin;
}

/* `call` succeeded; `error` (its error object) is reported, freed and reset. */
#define OK(call)                                                 \
  do {                                                           \
    bridge32_status ok_status = (call);                          \
    CHECK(report(ok_status, error, #call) == BRIDGE32_OK, "%s", #call); \
    error = NULL;                                                \
  } while (0)

/* The sample gain plugin (bridge32's SDK) of the x86 samples module: parameters, text, state,
 * processing both ways. */
static void gain_plugin(const char* plugins) {
  char path[4200];
#if defined(_WIN32)
  snprintf(path, sizeof path, "%s/x86/b32-samples.dll", plugins);
#else
  snprintf(path, sizeof path, "%s/x86/b32-samples.so", plugins);
#endif
  bridge32_plugin_module* module = load_plugins(path);
  if (!module) return;
  CHECK(bridge32_plugin_module_is_bridged(module), "bridged");
  CHECK(bridge32_plugin_module_format(module) == BRIDGE32_FORMAT_SDK, "an SDK module");
  uint32_t major = 9;
  bridge32_plugin_module_sdk_version(module, &major, NULL, NULL);
  CHECK(major == 1, "SDK %u", major);
  size_t count = bridge32_plugin_module_plugin_count(module);
  int found = 0;
  for (size_t i = 0; i < count; ++i) {
    bridge32_plugin_descriptor descriptor;
    CHECK(bridge32_plugin_module_plugin(module, i, &descriptor) == BRIDGE32_OK, "plugin %zu", i);
    found += strcmp(descriptor.id, "com.bridge32.samples.gain") == 0;
  }
  CHECK(found == 1, "the gain plugin among %zu", count);

  Heard heard;
  memset(&heard, 0, sizeof heard);
  bridge32_plugin* gain = create_plugin(module, "com.bridge32.samples.gain", &heard);
  bridge32_plugin_module_free(module); /* the plugin keeps what it needs */
  if (!gain) return;
  bridge32_error* error = NULL;
  CHECK(bridge32_plugin_has_params(gain) && bridge32_plugin_has_state(gain) &&
            bridge32_plugin_has_process(gain),
        "what it offers");
  CHECK(bridge32_plugin_param_count(gain) == 2, "2 parameters");
  bridge32_param_info info;
  CHECK(bridge32_plugin_param_info(gain, 0, &info) == BRIDGE32_OK && info.id == 1 &&
            strcmp(info.name, "gain") == 0 && info.max_value == 4.0 && strcmp(info.unit, "x") == 0,
        "the gain parameter");
  OK(bridge32_plugin_set_param(gain, 1, 2.0, &error));
  double value = 0;
  OK(bridge32_plugin_param(gain, 1, &value, &error));
  CHECK(value == 2.0, "gain %g", value);
  bridge32_status status = bridge32_plugin_set_param(gain, 1, 9.0, &error);
  CHECK(report(status, error, "gain 9") == BRIDGE32_INVALID_ARGUMENT, "out of range");
  error = NULL;
  bridge32_bytes* text = NULL;
  OK(bridge32_plugin_param_display(gain, 1, &text, &error));
  size_t size = 0;
  const uint8_t* shown = bridge32_bytes_data(text, &size);
  CHECK(shown && size > 0 && shown[size] == 0, "a display text");
  bridge32_bytes_free(text);

  bridge32_bytes* state = NULL;
  OK(bridge32_plugin_save_state(gain, &state, &error));
  const uint8_t* saved = bridge32_bytes_data(state, &size);
  CHECK(size == 24 && memcmp(saved, "B32G", 4) == 0, "a state of %zu bytes", size);
  OK(bridge32_plugin_set_param(gain, 1, 3.0, &error));
  OK(bridge32_plugin_load_state(gain, saved, size, &error));
  OK(bridge32_plugin_param(gain, 1, &value, &error));
  CHECK(value == 2.0, "the state brought gain back to 2: %g", value);
  bridge32_bytes_free(state);

  enum { channels = 2, frames = 512 };
  static float input[channels * frames], output[channels * frames];
  for (int i = 0; i < channels * frames; ++i) input[i] = (float)(i % 100) / 100.0f;
  OK(bridge32_plugin_activate(gain, 48000, frames, &error));
  OK(bridge32_plugin_process(gain, channels, frames, input, channels * frames, output,
                             channels * frames, NULL, &error));
  int wrong = 0;
  for (int i = 0; i < channels * frames; ++i) wrong += output[i] != 2.0f * input[i];
  CHECK(wrong == 0, "%d samples not doubled", wrong);
  status = bridge32_plugin_process(gain, channels, frames, input, 3, output, channels * frames,
                                   NULL, &error);
  CHECK(report(status, error, "a short block") == BRIDGE32_INVALID_ARGUMENT, "a short block");
  error = NULL;
  float* in = NULL;
  const float* out = NULL;
  OK(bridge32_plugin_audio_buffers(gain, channels, frames, &in, &out, &error));
  if (in && out) {
    for (int i = 0; i < channels * frames; ++i) in[i] = 0.25f;
    OK(bridge32_plugin_process_audio_buffers(gain, channels, frames, NULL, &error));
    CHECK(out[0] == 0.5f && out[channels * frames - 1] == 0.5f, "in place: %g", out[0]);
  }
  OK(bridge32_plugin_deactivate(gain, &error));
  /* No editor without a parent window. */
  void* container = NULL;
  status = bridge32_plugin_open_editor(gain, NULL, &container, &error);
  CHECK(report(status, error, "an editor without a parent") != BRIDGE32_OK && !container,
        "an editor without a parent");
  error = NULL;
  status = bridge32_plugin_editor_size(gain, NULL, NULL, NULL, &error);
  CHECK(report(status, error, "no editor") == BRIDGE32_BAD_STATE, "no editor open");
  error = NULL;
#if defined(_WIN32)
  /* Its editor in a window of this program's: the container is a child of it. (X11 editors
   * are bridge32_tests' part: they need a display.) */
  CHECK(bridge32_plugin_has_gui(gain), "a GUI");
  HWND window = CreateWindowExA(0, "STATIC", "c-api-test", WS_OVERLAPPEDWINDOW, 0, 0, 640, 480,
                                NULL, NULL, GetModuleHandleA(NULL), NULL);
  CHECK(window != NULL, "a window");
  OK(bridge32_plugin_open_editor(gain, window, &container, &error));
  CHECK(container && IsChild(window, (HWND)container), "the container is the window's child");
  uint32_t width = 0, height = 0;
  int32_t can_resize = 0;
  OK(bridge32_plugin_editor_size(gain, &width, &height, &can_resize, &error));
  CHECK(width > 0 && height > 0, "editor size %u x %u", width, height);
  if (can_resize) {
    width += 40;
    OK(bridge32_plugin_editor_set_size(gain, &width, &height, &error));
    CHECK(width > 0 && height > 0, "the size it chose: %u x %u", width, height);
  }
  OK(bridge32_plugin_editor_show(gain, 0, &error));
  OK(bridge32_plugin_editor_show(gain, 1, &error));
  bridge32_plugin_close_editor(gain);
  CHECK(!IsWindow((HWND)container), "the container is gone");
  DestroyWindow(window);
#endif
  bridge32_plugin_free(gain);
}

/* The VST2 fixture, x86: programs, latency, MIDI and transport, and a crash it comes back from. */
static void vst2_plugin(const char* plugins) {
  char path[4200];
#if defined(_WIN32)
  snprintf(path, sizeof path, "%s/x86/b32-vst2-fixture.dll", plugins);
#else
  snprintf(path, sizeof path, "%s/x86/b32-vst2-fixture.so", plugins);
#endif
  bridge32_plugin_module* module = load_plugins(path);
  if (!module) return;
  CHECK(bridge32_plugin_module_format(module) == BRIDGE32_FORMAT_VST2, "a VST2 module");
  Heard heard;
  memset(&heard, 0, sizeof heard);
  bridge32_plugin* vst = create_plugin(module, "b32F", &heard);
  bridge32_plugin_module_free(module);
  if (!vst) return;
  bridge32_error* error = NULL;
  bridge32_plugin_descriptor descriptor;
  bridge32_plugin_descriptor_of(vst, &descriptor);
  CHECK(descriptor.inputs == 2 && descriptor.outputs == 2, "2 in, 2 out");

  bridge32_strings* names = NULL;
  OK(bridge32_plugin_program_names(vst, &names, &error));
  size_t length = 0;
  CHECK(bridge32_strings_count(names) == 3 &&
            strcmp(bridge32_strings_at(names, 2, &length), "Loud") == 0 && length == 4,
        "programs");
  CHECK(bridge32_strings_at(names, 3, NULL) == NULL, "no fourth program");
  bridge32_strings_free(names);
  OK(bridge32_plugin_set_program(vst, 1, &error));
  uint32_t program = 9, latency = 0;
  OK(bridge32_plugin_program(vst, &program, &error));
  CHECK(program == 1, "program %u", program);
  OK(bridge32_plugin_latency(vst, &latency, &error));
  CHECK(latency == 32, "latency %u", latency);

  enum { channels = 2, frames = 256 };
  static float input[channels * frames], output[channels * frames];
  bridge32_midi_event notes[2] = {{10, {0x90, 60, 100}}, {20, {0x90, 64, 100}}};
  bridge32_transport transport = {1, 90.0, 4.0, 4.0, 3, 4};
  bridge32_block_events events = {notes, 2, &transport};
  OK(bridge32_plugin_activate(vst, 48000, frames, &error));
  OK(bridge32_plugin_process(vst, channels, frames, input, channels * frames, output,
                             channels * frames, &events, &error));
  double notes_heard = 0, tempo = 0;
  OK(bridge32_plugin_param(vst, 7, &notes_heard, &error));
  OK(bridge32_plugin_param(vst, 8, &tempo, &error));
  CHECK(fabs(notes_heard - 0.02) < 1e-6, "2 note-ons heard: %g", notes_heard);
  CHECK(fabs(tempo - 0.09) < 1e-6, "tempo 90 heard: %g", tempo);

  /* Armed to crash in its next process(): a status, the stopped callback, a restart. */
  OK(bridge32_plugin_set_param(vst, 3, 1.0, &error));
  bridge32_status status = bridge32_plugin_process(vst, channels, frames, input,
                                                   channels * frames, output, channels * frames,
                                                   NULL, &error);
  CHECK(report(status, error, "process after arming a crash") == BRIDGE32_DISCONNECTED,
        "the crash: %s", bridge32_status_name(status));
  error = NULL;
  CHECK(!bridge32_plugin_is_running(vst), "stopped");
  CHECK(became_set(&heard.stopped, 10000) && heard.why[0], "the stopped callback: %s", heard.why);
  int32_t restarted = 0;
  OK(bridge32_plugin_restart(vst, &restarted, &error));
  CHECK(restarted && bridge32_plugin_is_running(vst) && became_set(&heard.restarted, 10000),
        "restarted");
  OK(bridge32_plugin_program(vst, &program, &error));
  CHECK(program == 1, "the program it had: %u", program);
  OK(bridge32_plugin_process(vst, channels, frames, input, channels * frames, output,
                             channels * frames, NULL, &error));
  bridge32_plugin_free(vst);
}

/* ---- COM ---- */

static int is_32_bit_process(uint32_t pid);

#if defined(_WIN32)
static bridge32_com_value com_int(int64_t x) {
  bridge32_com_value value;
  memset(&value, 0, sizeof value);
  value.kind = BRIDGE32_COM_INT;
  value.as.i64 = x;
  return value;
}

static bridge32_com_value com_string(const char* text) {
  bridge32_com_value value;
  memset(&value, 0, sizeof value);
  value.kind = BRIDGE32_COM_STRING;
  value.as.string.data = text;
  value.as.string.length = strlen(text);
  return value;
}

static bridge32_com_value com_object(bridge32_com_object* object) {
  bridge32_com_value value;
  memset(&value, 0, sizeof value);
  value.kind = BRIDGE32_COM_OBJECT;
  value.as.object = object;
  return value;
}

/* Calls `name` with positional `arguments`; the result, or NULL (reported). */
static bridge32_com_result* com_call(bridge32_com_object* object, const char* name,
                                     const bridge32_com_value* arguments, size_t count) {
  bridge32_com_result* result = NULL;
  bridge32_error* error = NULL;
  bridge32_status status = bridge32_com_object_call(object, name, BRIDGE32_NUL_TERMINATED,
                                                    arguments, count, NULL, 0, &result, &error);
  CHECK(report(status, error, name) == BRIDGE32_OK && result, "calling %s", name);
  return result;
}

typedef struct Events {
  int count;
  char text[64];
  int64_t sinks;
} Events;

static void BRIDGE32_CALL on_event(void* context, const char* event, size_t length,
                                   const bridge32_com_value* arguments, size_t count) {
  Events* events = (Events*)context;
  if (length != 7 || memcmp(event, "Changed", 7) != 0 || count != 2) return;
  ++events->count;
  if (arguments[0].kind == BRIDGE32_COM_STRING) {
    snprintf(events->text, sizeof events->text, "%s", arguments[0].as.string.data);
  }
  events->sinks = arguments[1].as.i64;
}

/* An object of this program's: "Twice"(x) answers 2x. */
static bridge32_status BRIDGE32_CALL twice(void* context, const char* member, size_t length,
                                           bridge32_com_call_kind kind,
                                           const bridge32_com_value* arguments, size_t count,
                                           bridge32_com_answer* answer, bridge32_error** error) {
  static const char why[] = "this object only doubles";
  ++*(int*)context;
  if (kind != BRIDGE32_COM_METHOD || length != 5 || memcmp(member, "Twice", 5) != 0 ||
      count != 1 || arguments[0].kind != BRIDGE32_COM_INT) {
    *error = bridge32_error_new(BRIDGE32_NOT_FOUND, why, sizeof why - 1);
    return BRIDGE32_NOT_FOUND;
  }
  bridge32_com_value doubled = com_int(2 * arguments[0].as.i64);
  return bridge32_com_answer_set(answer, &doubled, NULL);
}

/* HKLM\Software\Classes of the 32-bit view, where Wine's COM finds a 32-bit class. */
static HKEY classes32(void) {
  HKEY key = NULL;
  RegCreateKeyExW(HKEY_LOCAL_MACHINE, L"Software\\Classes", 0, NULL, 0,
                  KEY_ALL_ACCESS | KEY_WOW64_32KEY, NULL, &key, NULL);
  return key;
}

static void set_text(HKEY root, const wchar_t* path, const wchar_t* name, const wchar_t* value) {
  HKEY key = NULL;
  if (RegCreateKeyExW(root, path, 0, NULL, 0, KEY_ALL_ACCESS, NULL, &key, NULL) != ERROR_SUCCESS) {
    return;
  }
  RegSetValueExW(key, name, 0, REG_SZ, (const BYTE*)value,
                 (DWORD)((wcslen(value) + 1) * sizeof(wchar_t)));
  RegCloseKey(key);
}

#define PROBE_CLSID L"{7D1C3B52-8A43-4C9F-9F2E-3B3200000001}"

/* Scripting.Dictionary (Wine's scrrun) and bridge32's probe server, both 32-bit, in a 32-bit
 * surrogate. */
static void com_objects(const char* plugins) {
  bridge32_error* error = NULL;
  bridge32_com_class* dictionaries = NULL;
  OK(bridge32_com_class_load("Scripting.Dictionary", BRIDGE32_NUL_TERMINATED, BRIDGE32_ARCH_X86,
                             NULL, &dictionaries, &error));
  if (!dictionaries) return;
  size_t length = 0;
  CHECK(strcmp(bridge32_com_class_prog_id(dictionaries, &length), "Scripting.Dictionary") == 0,
        "the ProgID");
  CHECK(is_32_bit_process(bridge32_com_class_surrogate_pid(dictionaries)), "a 32-bit surrogate");
  bridge32_bytes* loaded = NULL;
  CHECK(!bridge32_com_class_loaded_server(dictionaries, &loaded, NULL) && !loaded,
        "no server loaded before an object is made");
  bridge32_com_object* dictionary = NULL;
  OK(bridge32_com_class_create(dictionaries, &dictionary, &error));
  bridge32_architecture machine = BRIDGE32_ARCH_UNKNOWN;
  CHECK(bridge32_com_class_loaded_server(dictionaries, &loaded, &machine) && loaded &&
            machine == BRIDGE32_ARCH_X86,
        "the server the surrogate loaded, of x86");
  size_t size = 0;
  const char* file = (const char*)bridge32_bytes_data(loaded, &size);
  char lower[1024] = {0};
  for (size_t i = 0; i < size && i + 1 < sizeof lower; ++i) lower[i] = (char)tolower(file[i]);
  CHECK(strstr(lower, "scrrun.dll") != NULL, "the server: %.*s", (int)size, file);
  bridge32_bytes_free(loaded);
  bridge32_com_value pair[2] = {com_string("a"), com_int(1)};
  /* A value that is not one is refused before it leaves, naming where it is. */
  {
    bridge32_com_value scode;
    memset(&scode, 0, sizeof scode);
    scode.kind = BRIDGE32_COM_ERROR;
    scode.as.i64 = (int64_t)1 << 40;
    bridge32_com_value array;
    memset(&array, 0, sizeof array);
    array.kind = BRIDGE32_COM_ARRAY;
    array.vartype = 0x200C; /* VT_ARRAY | VT_VARIANT */
    array.as.array.dimensions = 1;
    uint32_t count = 1;
    int32_t lower = 0;
    array.as.array.counts = &count;
    array.as.array.lower_bounds = &lower;
    array.as.array.count = 1;
    array.as.array.elements = &scode;
    bridge32_com_value wrong[2] = {com_string("b"), array};
    bridge32_com_result* none = NULL;
    size_t length = 0;
    CHECK(bridge32_com_object_call(dictionary, "Add", BRIDGE32_NUL_TERMINATED, wrong, 2, NULL, 0,
                                   &none, &error) == BRIDGE32_INVALID_ARGUMENT && !none,
          "an SCODE of 41 bits is refused");
    const char* message = bridge32_error_message(error, &length);
    CHECK(contains(message, length, "argument 2[0] is an SCODE of 1099511627776"),
          "message: %.*s", (int)length, message);
    bridge32_error_free(error);
    error = NULL;
  }
  bridge32_com_result_free(com_call(dictionary, "Add", pair, 2));
  bridge32_com_value text = com_string("forty-two");
  OK(bridge32_com_object_put(dictionary, "Item", BRIDGE32_NUL_TERMINATED, &text, pair, 1, &error));
  bridge32_com_result* item = NULL;
  OK(bridge32_com_object_get(dictionary, "Item", BRIDGE32_NUL_TERMINATED, pair, 1, &item, &error));
  const bridge32_com_value* got = bridge32_com_result_value(item);
  CHECK(got && got->kind == BRIDGE32_COM_STRING && strcmp(got->as.string.data, "forty-two") == 0 &&
            got->vartype == 8,
        "Item(\"a\")");
  bridge32_com_result_free(item);
  bridge32_com_result* keys = NULL;
  OK(bridge32_com_object_items(dictionary, &keys, &error));
  got = bridge32_com_result_value(keys);
  CHECK(got && got->kind == BRIDGE32_COM_ARRAY && got->as.array.count == 1 &&
            got->as.array.elements[0].kind == BRIDGE32_COM_STRING,
        "its items");
  bridge32_com_result_free(keys);
  bridge32_com_type_info* info = NULL;
  OK(bridge32_com_object_type_info(dictionary, &info, &error));
  CHECK(info && strcmp(bridge32_com_type_info_name(info, NULL), "IDictionary") == 0 &&
            bridge32_com_type_info_member_count(info) > 5,
        "IDictionary's type information");
  bridge32_com_type_info_free(info);
  bridge32_com_object_free(dictionary);
  bridge32_com_class_free(dictionaries);

  /* The probe, registered for this program and removed after. */
  char fixture[4200];
  wchar_t server[4200], full[4200];
  snprintf(fixture, sizeof fixture, "%s/x86/b32-com-fixture.dll", plugins);
  MultiByteToWideChar(CP_UTF8, 0, fixture, -1, server, 4200);
  GetFullPathNameW(server, 4200, full, NULL);
  HKEY classes = classes32();
  set_text(classes, L"CLSID\\" PROBE_CLSID, NULL, L"bridge32 test COM server");
  set_text(classes, L"CLSID\\" PROBE_CLSID L"\\InprocServer32", NULL, full);
  set_text(classes, L"CLSID\\" PROBE_CLSID L"\\InprocServer32", L"ThreadingModel", L"Apartment");
  set_text(classes, L"Bridge32Fixture.Probe\\CLSID", NULL, PROBE_CLSID);

  bridge32_com_class* probes = NULL;
  OK(bridge32_com_class_load("Bridge32Fixture.Probe", BRIDGE32_NUL_TERMINATED, BRIDGE32_ARCH_X86,
                             NULL, &probes, &error));
  bridge32_com_object* probe = NULL;
  if (probes) OK(bridge32_com_class_create(probes, &probe, &error));
  if (probe) {
    bridge32_com_result* bits = NULL;
    OK(bridge32_com_object_get(probe, "Bitness", BRIDGE32_NUL_TERMINATED, NULL, 0, &bits, &error));
    got = bridge32_com_result_value(bits);
    CHECK(got && got->kind == BRIDGE32_COM_INT && got->as.i64 == 32, "a 32-bit object");
    bridge32_com_result_free(bits);

    /* Named arguments. */
    bridge32_com_value terms[2] = {com_int(2), com_int(3)};
    bridge32_com_named_argument scale = {"scale", 5, com_int(10)};
    bridge32_com_result* sum = NULL;
    OK(bridge32_com_object_call(probe, "Add", 3, terms, 2, &scale, 1, &sum, &error));
    got = bridge32_com_result_value(sum);
    CHECK(got && got->kind == BRIDGE32_COM_REAL && got->as.f64 == 50.0, "Add(2, 3, scale:=10)");
    bridge32_com_result_free(sum);

    /* An exception: its EXCEPINFO in the error. */
    bridge32_com_result* failed = NULL;
    bridge32_status status =
        bridge32_com_object_call(probe, "Fail", 4, NULL, 0, NULL, 0, &failed, &error);
    bridge32_com_failure com;
    CHECK(status == BRIDGE32_FAILED && bridge32_error_com(error, &com) &&
              strcmp(com.source, "Bridge32Fixture.Probe") == 0 && com.description_length > 0,
          "Fail(): %s", bridge32_status_name(status));
    bridge32_error_free(error);
    error = NULL;

    /* Events. */
    Events events;
    memset(&events, 0, sizeof events);
    bridge32_com_connection* connection = NULL;
    OK(bridge32_com_object_connect(probe, on_event, &events, &connection, &error));
    bridge32_com_value hello = com_string("hello");
    bridge32_com_result* fired = com_call(probe, "Fire", &hello, 1);
    CHECK(events.count == 1 && strcmp(events.text, "hello") == 0 && events.sinks == 1,
          "Changed(\"hello\", 1) heard: %d", events.count);
    bridge32_com_result_free(fired);
    bridge32_com_connection_free(connection);

    /* An object of this program's, called back from the surrogate. */
    int calls = 0;
    bridge32_com_object* mine = NULL;
    OK(bridge32_com_make_object(twice, &calls, NULL, &mine, &error));
    bridge32_com_value call_back[3] = {com_object(mine), com_string("Twice"), com_int(21)};
    bridge32_com_result* answered = com_call(probe, "CallBack", call_back, 3);
    got = answered ? bridge32_com_result_value(answered) : NULL;
    CHECK(got && got->kind == BRIDGE32_COM_INT && got->as.i64 == 42 && calls == 1,
          "CallBack(mine, \"Twice\", 21)");
    bridge32_com_result_free(answered);
    /* Failing with its own words: the COM object's exception says them. */
    call_back[1] = com_string("Thrice");
    answered = NULL;
    error = NULL;
    bridge32_status refused = bridge32_com_object_call(probe, "CallBack", BRIDGE32_NUL_TERMINATED,
                                                       call_back, 3, NULL, 0, &answered, &error);
    bridge32_com_failure failure;
    memset(&failure, 0, sizeof failure);
    CHECK(refused != BRIDGE32_OK && !answered && bridge32_error_com(error, &failure) &&
              contains(failure.description, failure.description_length,
                       "this object only doubles"),
          "CallBack(mine, \"Thrice\", 1) fails with the handler's words: %.*s",
          (int)failure.description_length, failure.description ? failure.description : "");
    bridge32_error_free(error);
    bridge32_com_object_free(mine);

    /* Objects given by objects, and an object going back to its own surrogate. */
    bridge32_com_result* child = com_call(probe, "Child", NULL, 0);
    got = child ? bridge32_com_result_value(child) : NULL;
    CHECK(got && got->kind == BRIDGE32_COM_OBJECT && got->as.object, "a child object");
    if (got && got->kind == BRIDGE32_COM_OBJECT && got->as.object) {
      bridge32_com_object* kept = bridge32_com_object_duplicate(got->as.object);
      bridge32_com_result_free(child);
      child = NULL;
      bridge32_com_value self = com_object(kept);
      bridge32_com_result* same = com_call(kept, "IsSame", &self, 1);
      got = same ? bridge32_com_result_value(same) : NULL;
      CHECK(got && got->kind == BRIDGE32_COM_BOOL && got->as.boolean, "IsSame(itself)");
      bridge32_com_result_free(same);
      self = com_object(probe);
      same = com_call(kept, "IsSame", &self, 1);
      got = same ? bridge32_com_result_value(same) : NULL;
      CHECK(got && got->kind == BRIDGE32_COM_BOOL && !got->as.boolean, "not IsSame(its parent)");
      bridge32_com_result_free(same);
      bridge32_com_object_free(kept);
    }
    bridge32_com_result_free(child);
    bridge32_com_object_free(probe);
  }
  bridge32_com_class_free(probes);
  RegDeleteTreeW(classes, L"CLSID\\" PROBE_CLSID);
  RegDeleteTreeW(classes, L"Bridge32Fixture.Probe");
  RegCloseKey(classes);
}
#else
static void com_objects(const char* plugins) {
  (void)plugins;
  bridge32_com_class* dictionaries = NULL;
  bridge32_error* error = NULL;
  bridge32_status status = bridge32_com_class_load(
      "Scripting.Dictionary", BRIDGE32_NUL_TERMINATED, BRIDGE32_ARCH_X86, NULL, &dictionaries,
      &error);
  CHECK(report(status, error, "COM") == BRIDGE32_UNSUPPORTED && !dictionaries,
        "COM is a Windows facility");
}
#endif

/* ---- Where things are ---- */

static void executable_directory(char* out, size_t size) {
#if defined(_WIN32)
  DWORD length = GetModuleFileNameA(NULL, out, (DWORD)size);
  if (length == 0 || length >= size) out[0] = 0;
#else
  ssize_t length = readlink("/proc/self/exe", out, size - 1);
  out[length > 0 ? length : 0] = 0;
#endif
  char* slash = strrchr(out, '/');
  char* backslash = strrchr(out, '\\');
  if (backslash > slash) slash = backslash;
  if (slash) *slash = 0;
}


/* ---- What a header declares for a library file, without loading it ---- */

static const bridge32_reported_function* reported(const bridge32_header_report* made,
                                                  const char* name,
                                                  bridge32_reported_function* function) {
  for (size_t i = 0; i < bridge32_header_report_function_count(made); ++i) {
    bridge32_header_report_function(made, i, function);
    if (function->name_length == strlen(name) && memcmp(function->name, name, strlen(name)) == 0) {
      return function;
    }
  }
  return NULL;
}

/* What a module file needs and where the surrogate that would load it is, without loading it;
 * and a literal as `bridge32 call` reads one. */
static void module_files(const char* path) {
  bridge32_error* error = NULL;
  CHECK(bridge32_protocol_version() > 0, "protocol %u", bridge32_protocol_version());

  bridge32_load_options options;
  bridge32_load_options_init(&options);
  options.surrogate_directory = "surrogates-here";
  options.surrogate_directory_length = BRIDGE32_NUL_TERMINATED;
  bridge32_bytes* surrogate = NULL;
  OK(bridge32_surrogate_executable(BRIDGE32_ARCH_X86, &options, &surrogate, &error));
  size_t length = 0;
  const char* where = (const char*)bridge32_bytes_data(surrogate, &length);
#if defined(_WIN32)
  const char* expected_name = "bridge32-surrogate-x86.exe";
#else
  const char* expected_name = "bridge32-surrogate-x86";
#endif
  CHECK(where && length > 20 && memcmp(where, "surrogates-here", 15) == 0 &&
            strcmp(where + length - strlen(expected_name), expected_name) == 0,
        "the x86 surrogate in the directory given: %s", where ? where : "(none)");
  bridge32_bytes_free(surrogate);
  surrogate = NULL;
  bridge32_status status =
      bridge32_surrogate_executable(BRIDGE32_ARCH_UNKNOWN, NULL, &surrogate, &error);
  CHECK(report(status, error, "no surrogate for an unknown architecture") ==
                BRIDGE32_INVALID_ARGUMENT && !surrogate,
        "no surrogate for an unknown architecture");
  error = NULL;

  /* The i386 library's dependencies, as its surrogate's loader finds them: the C library, from
   * the system. */
  bridge32_dependency_report* dependencies = NULL;
  OK(bridge32_module_dependencies(path, BRIDGE32_NUL_TERMINATED, NULL, &dependencies, &error));
  size_t count = bridge32_dependency_report_count(dependencies);
  int found_c_library = 0, depths_follow = 1;
  uint32_t previous_depth = 0;
  bridge32_dependency dependency;
  for (size_t i = 0; i < count; ++i) {
    bridge32_dependency_report_at(dependencies, i, &dependency);
    if (i == 0 ? dependency.depth != 0 : dependency.depth > previous_depth + 1) depths_follow = 0;
    previous_depth = dependency.depth;
#if defined(_WIN32)
    int c_library = contains(dependency.name, dependency.name_length, "msvcrt.dll") ||
                    contains(dependency.name, dependency.name_length, "KERNEL32.dll");
#else
    int c_library = contains(dependency.name, dependency.name_length, "libc.so.6");
#endif
    if (c_library && dependency.depth == 0 && dependency.source != BRIDGE32_DEPENDENCY_MISSING &&
        dependency.source != BRIDGE32_DEPENDENCY_UNUSABLE) {
      found_c_library = 1;
    }
  }
  CHECK(count > 0 && found_c_library && depths_follow,
        "%zu dependencies, the C library's found, depth first", count);
  CHECK(bridge32_dependency_report_failure_count(dependencies) == 0, "nothing it needs is missing");
  CHECK(bridge32_dependency_report_at(dependencies, count, &dependency) == BRIDGE32_NOT_FOUND,
        "past the last dependency");
  bridge32_dependency_report_free(dependencies);
  dependencies = NULL;
  status = bridge32_module_dependencies("no-such-library.dll", BRIDGE32_NUL_TERMINATED, NULL,
                                        &dependencies, &error);
  CHECK(report(status, error, "dependencies of a missing file") == BRIDGE32_NOT_FOUND &&
            !dependencies,
        "dependencies of a missing file");
  error = NULL;
  CHECK(strcmp(bridge32_dependency_source_name(BRIDGE32_DEPENDENCY_MISSING), "missing") == 0 &&
            strcmp(bridge32_dependency_source_name((bridge32_dependency_source)99), "") == 0,
        "source names");

  /* A literal: an array of an integer, a double, a string with an escape and a struct. */
  const char* text = "{1, -2.5, \"caf\\u00e9\", {.x = 0x10}}";
  bridge32_literal* literal = NULL;
  OK(bridge32_literal_parse(text, BRIDGE32_NUL_TERMINATED, &literal, &error));
  const bridge32_value* value = bridge32_literal_value(literal);
  int as_written = value && value->kind == BRIDGE32_VALUE_ARRAY && value->as.array.count == 4;
  if (as_written) {
    const bridge32_value* items = value->as.array.items;
    as_written = items[0].kind == BRIDGE32_VALUE_INT && items[0].as.i64 == 1 &&
                 items[1].kind == BRIDGE32_VALUE_DOUBLE && items[1].as.f64 == -2.5 &&
                 items[2].kind == BRIDGE32_VALUE_STRING && items[2].as.string.length == 5 &&
                 memcmp(items[2].as.string.data, "caf\xc3\xa9", 5) == 0 &&
                 items[3].kind == BRIDGE32_VALUE_STRUCT && items[3].as.structure.count == 1 &&
                 items[3].as.structure.fields[0].name_length == 1 &&
                 items[3].as.structure.fields[0].name[0] == 'x' &&
                 items[3].as.structure.fields[0].value.as.i64 == 16;
  }
  CHECK(as_written, "the literal %s as written", text);
  bridge32_literal_free(literal);
  literal = NULL;
  status = bridge32_literal_parse("{1, ", BRIDGE32_NUL_TERMINATED, &literal, &error);
  size_t message_length = 0;
  const char* message = error ? bridge32_error_message(error, &message_length) : "";
  int names_column = contains(message, message_length, "column");
  CHECK(report(status, error, "a literal cut short") == BRIDGE32_INVALID_ARGUMENT &&
            names_column && !literal,
        "a literal cut short names the column");
}

static void header_report(const char* path) {
  const char* vendor = "c-api-test-vendor.h";
  FILE* out = fopen(vendor, "w");
  CHECK(out != NULL, "writing %s", vendor);
  if (!out) return;
  fputs("int add(int a, int b);\n"
        "void scale(double a, const double* x, int n, double* y);\n"
        "int not_in_the_library(void);\n",
        out);
  fclose(out);
  bridge32_string headers[1] = {{vendor, BRIDGE32_NUL_TERMINATED}};
  bridge32_header_report* made = NULL;
  bridge32_error* error = NULL;
  OK(bridge32_header_report_make(path, BRIDGE32_NUL_TERMINATED, headers, 1, NULL, NULL, 0,
                                 &made, &error));
  if (!made) return;
  size_t length = 0;
  const char* abi = bridge32_header_report_abi(made, &length);
#if defined(_WIN32)
  CHECK(length == 5 && memcmp(abi, "win32", 5) == 0, "read for win32: %.*s", (int)length, abi);
#else
  CHECK(length == 8 && memcmp(abi, "sysvI386", 8) == 0, "read for sysvI386: %.*s", (int)length,
        abi);
#endif
  bridge32_reported_function function;
  CHECK(bridge32_header_report_function_count(made) == 3, "three functions");
  CHECK(reported(made, "add", &function) && function.exported &&
            function.status == BRIDGE32_CALLABLE,
        "add: exported, callable");
  CHECK(reported(made, "scale", &function) && function.exported &&
            function.status == BRIDGE32_NEEDS_SIZES &&
            contains(function.detail, function.detail_length, "'x'"),
        "scale: needs sizes: %.*s", (int)function.detail_length, function.detail);
  CHECK(reported(made, "not_in_the_library", &function) && !function.exported,
        "not_in_the_library: not exported");
  CHECK(bridge32_header_report_function(made, 3, &function) == BRIDGE32_NOT_FOUND,
        "past the last");
  bridge32_header_report_free(made);

  /* Annotated by a declaration of the caller's, scale can be called. */
  bridge32_string declarations[1] = {
      {"void scale(double a, _In_reads_(n) const double* x, int n, _Out_writes_(n) double* y);",
       BRIDGE32_NUL_TERMINATED}};
  made = NULL;
  OK(bridge32_header_report_make(path, BRIDGE32_NUL_TERMINATED, headers, 1, NULL, declarations, 1,
                                 &made, &error));
  CHECK(made && reported(made, "scale", &function) && function.status == BRIDGE32_CALLABLE,
        "scale annotated: callable");
  bridge32_header_report_free(made);

  bridge32_string missing[1] = {{"no-such-vendor-header.h", BRIDGE32_NUL_TERMINATED}};
  made = NULL;
  bridge32_status status = bridge32_header_report_make(path, BRIDGE32_NUL_TERMINATED, missing, 1,
                                                       NULL, NULL, 0, &made, &error);
  const char* message = bridge32_error_message(error, &length);
  CHECK(status == BRIDGE32_NOT_FOUND && !made &&
            contains(message, length, "no-such-vendor-header.h"),
        "a missing header, named: %.*s", (int)length, message);
  bridge32_error_free(error);
  error = NULL;
  remove(vendor);
}

/* ---- A library's surrogate stops, and the module comes back by itself ---- */

typedef struct ModuleHeard {
  volatile int stopped; /* set on the bridge's I/O thread */
  volatile int restarted;
  volatile int released;
  char why[512];
} ModuleHeard;

static void BRIDGE32_CALL module_stopped(void* context, const char* why, size_t length) {
  ModuleHeard* heard = (ModuleHeard*)context;
  snprintf(heard->why, sizeof heard->why, "%.*s", (int)length, why);
  ++heard->stopped;
}
static void BRIDGE32_CALL module_restarted(void* context) { ++((ModuleHeard*)context)->restarted; }
static void BRIDGE32_CALL module_released(void* context) { ++((ModuleHeard*)context)->released; }

static int kill_process(uint32_t pid) {
#if defined(_WIN32)
  HANDLE process = OpenProcess(PROCESS_TERMINATE, FALSE, pid);
  int killed = process && TerminateProcess(process, 3);
  if (process) CloseHandle(process);
  return killed;
#else
  return kill((pid_t)pid, SIGKILL) == 0;
#endif
}

static void library_restarts(const char* path) {
  ModuleHeard heard;
  memset(&heard, 0, sizeof heard);
  bridge32_module_events events;
  bridge32_module_events_init(&events);
  events.context = &heard;
  events.stopped = module_stopped;
  events.restarted = module_restarted;
  events.release = module_released;
  bridge32_load_options options;
  bridge32_load_options_init(&options);
  options.isolation = BRIDGE32_ISOLATION_SURROGATE;
  options.restart.automatic = 1;
  options.restart.first_delay_ms = 50;
  options.events = &events;
  bridge32_library* library = NULL;
  bridge32_error* error = NULL;
  OK(bridge32_library_load(path, BRIDGE32_NUL_TERMINATED, &options, &library, &error));
  if (!library) return;
  bridge32_function* add = bind(library, "int add(int a, int b);");
  uint32_t first = bridge32_library_surrogate_pid(library);
  CHECK(kill_process(first), "killing surrogate %u", first);
  CHECK(became_set(&heard.restarted, 120000), "restarted by itself");
  char pid[16];
  snprintf(pid, sizeof pid, "%u", first);
  CHECK(heard.stopped == 1 && contains(heard.why, strlen(heard.why), pid),
        "the stop, once, naming surrogate %s: %s", pid, heard.why);
  uint32_t second = bridge32_library_surrogate_pid(library);
  CHECK(second != first && is_32_bit_process(second), "a new 32-bit surrogate, %u", second);
  bridge32_value arguments[2];
  arguments[0] = integer(20);
  arguments[1] = integer(22);
  CHECK(int_result(add, arguments, 2, "add after the restart") == 42, "add after the restart");
  CHECK(bridge32_library_surrogate_pid(library) == second && heard.restarted == 1,
        "the call found it running");
  bridge32_function_free(add);
  CHECK(!heard.released, "the events are kept while the library lives");
  bridge32_library_free(library);
  CHECK(heard.released == 1, "released once the library is freed");

  /* Load options whose load fails release their events all the same. */
  memset(&heard, 0, sizeof heard);
  bridge32_library* missing = NULL;
  bridge32_status status = bridge32_library_load("no-such-library.dll", BRIDGE32_NUL_TERMINATED,
                                                 &options, &missing, &error);
  CHECK(report(status, error, "a missing library") == BRIDGE32_NOT_FOUND && !missing,
        "a missing library");
  error = NULL;
  CHECK(heard.released == 1, "released by a load that failed");
}

/* 1 when the process `pid` runs a 32-bit executable (Linux: its ELF class). */
static int is_32_bit_process(uint32_t pid) {
#if defined(_WIN32)
  HANDLE process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
  BOOL wow64 = FALSE;
  if (!process) return 0;
  if (!IsWow64Process(process, &wow64)) wow64 = FALSE;
  CloseHandle(process);
  return wow64 != 0;
#else
  char path[4096];
  snprintf(path, sizeof path, "/proc/%u/exe", (unsigned)pid);
  char target[4096];
  ssize_t length = readlink(path, target, sizeof target - 1);
  if (length <= 0) return 0;
  target[length] = 0;
  const char* name = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
  if (strncmp(name, "qemu-", 5) == 0) {
    /* i386 code under user-mode QEMU (a machine without 32-bit support): the program is
     * QEMU's first argument, "qemu-i386 PROGRAM ARGS...". */
    snprintf(path, sizeof path, "/proc/%u/cmdline", (unsigned)pid);
    FILE* cmdline = fopen(path, "rb");
    if (!cmdline) return 0;
    size_t read = fread(target, 1, sizeof target - 1, cmdline);
    fclose(cmdline);
    target[read] = 0;
    size_t first = strlen(target);
    if (first + 1 >= read) return 0;
    snprintf(path, sizeof path, "%s", target + first + 1);
  }
  unsigned char header[5] = {0};
  FILE* file = fopen(path, "rb");
  if (!file) return 0;
  size_t read = fread(header, 1, sizeof header, file);
  fclose(file);
  return read == sizeof header && memcmp(header, "\177ELF", 4) == 0 && header[4] == 1;
#endif
}

/* 1 under Wine where i386 code runs under QEMU (its binfmt_misc entry, read through Wine's Z:
 * drive): 32-bit Windows processes there take minutes to start and lose wake-ups at random, and
 * this program is mostly 32-bit modules in surrogates. */
static int windows_i386_is_emulated(void) {
#if defined(_WIN32)
  if (!GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "wine_get_version")) return 0;
  FILE* entry = fopen("Z:\\proc\\sys\\fs\\binfmt_misc\\qemu-i386", "r");
  char state[16] = {0};
  int enabled = entry && fgets(state, sizeof state, entry) && strncmp(state, "enabled", 7) == 0;
  if (entry) fclose(entry);
  return enabled;
#else
  return 0;
#endif
}

int main(int argc, char** argv) {
  if (windows_i386_is_emulated()) {
    printf("skipped: i386 code runs under QEMU here, where 32-bit Windows processes take minutes "
           "to start and lose wake-ups; this program runs where 32-bit code is native\n");
    return 77; /* CTest's SKIP_RETURN_CODE */
  }
  char plugins[4096];
  if (argc > 1) {
    snprintf(plugins, sizeof plugins, "%s", argv[1]);
  } else {
    char directory[4000];
    executable_directory(directory, sizeof directory);
    snprintf(plugins, sizeof plugins, "%s/../plugins", directory);
  }
  char path[4200];
  snprintf(path, sizeof path, "%s/x86/%s", plugins, LIBRARY_FILE);

  printf("bridge32 C API %u (header %u), library %s\n", bridge32_api_version(),
         BRIDGE32_API_VERSION, path);
  CHECK(bridge32_api_version() == BRIDGE32_API_VERSION, "the library's version");
  /* A plugin's line as bridge32 logs it when the host's callbacks leave `log` NULL: a record of
   * source "plugin", its bytes made UTF-8. */
  bridge32_set_log_handler(on_plugin_line, NULL, NULL, BRIDGE32_LOG_TRACE);
  bridge32_log_plugin_line(BRIDGE32_LOG_WARNING, "tick \xFF", 6);
  CHECK(strcmp(plugin_line, "tick \xEF\xBF\xBD") == 0 && plugin_line_level == BRIDGE32_LOG_WARNING,
        "the plugin's line: '%s'", plugin_line);
  bridge32_log_plugin_line(BRIDGE32_LOG_INFO, NULL, 3); /* no line: nothing, and no crash */
  CHECK(plugin_line_level == BRIDGE32_LOG_WARNING, "a NULL line is not logged");
  bridge32_set_log_handler(on_log, &log_records, on_log_released, BRIDGE32_LOG_INFO);

  /* Errors: a status, and an object with the kind and a message naming the file. */
  {
    bridge32_library* missing = NULL;
    bridge32_error* error = NULL;
    bridge32_status status = bridge32_library_load("no-such-library.dll", BRIDGE32_NUL_TERMINATED,
                                                   NULL, &missing, &error);
    size_t length = 0;
    const char* message = bridge32_error_message(error, &length);
    CHECK(status == BRIDGE32_NOT_FOUND && error && !missing, "status %d", (int)status);
    CHECK(bridge32_error_kind(error) == BRIDGE32_NOT_FOUND, "kind");
    CHECK(contains(message, length, "no-such-library.dll"), "message: %.*s", (int)length, message);
    CHECK(message[length] == 0, "NUL-terminated");
    CHECK(!bridge32_error_is_remote(error), "raised here");
    CHECK(!bridge32_error_com(error, NULL), "not COM");
    bridge32_error_free(error);
    /* No error object wanted: the status alone. */
    CHECK(bridge32_library_load("no-such-library.dll", BRIDGE32_NUL_TERMINATED, NULL, &missing,
                                NULL) == BRIDGE32_NOT_FOUND, "status alone");
    bridge32_load_options bad;
    memset(&bad, 0, sizeof bad);
    error = NULL;
    status = bridge32_library_load(path, BRIDGE32_NUL_TERMINATED, &bad, &missing, &error);
    message = bridge32_error_message(error, &length);
    CHECK(status == BRIDGE32_INVALID_ARGUMENT && contains(message, length, "struct_size"),
          "options without struct_size: %.*s", (int)length, message);
    bridge32_error_free(error);
  }

  /* Module files: what the library is, and how it would load. */
  {
    bridge32_module_file file;
    memset(&file, 0, sizeof file);
    CHECK(bridge32_module_inspect(path, BRIDGE32_NUL_TERMINATED, "library",
                                  BRIDGE32_NUL_TERMINATED, &file, NULL) == BRIDGE32_OK,
          "inspect the library");
#ifdef _WIN32
    CHECK(file.format == BRIDGE32_MODULE_PE && file.machine == 0x14c, "a PE32 file for i386");
#else
    CHECK(file.format == BRIDGE32_MODULE_ELF && file.machine == 3, "an ELF file for i386");
#endif
    CHECK(file.architecture == BRIDGE32_ARCH_X86 && !file.is_64_bit && file.is_library,
          "a 32-bit x86 library: architecture %d", (int)file.architecture);
    int32_t bridged = 0;
    bridge32_bytes* surrogate = NULL;
    CHECK(bridge32_plan_load(path, BRIDGE32_NUL_TERMINATED, NULL, &file, &bridged, &surrogate,
                             NULL) == BRIDGE32_OK && bridged && surrogate,
          "it loads through a surrogate");
    size_t size = 0;
    const char* executable = (const char*)bridge32_bytes_data(surrogate, &size);
    CHECK(contains(executable, size, "bridge32-surrogate-x86"), "the surrogate: %.*s", (int)size,
          executable);
    bridge32_bytes_free(surrogate);
    bridge32_load_options here;
    bridge32_load_options_init(&here);
    here.isolation = BRIDGE32_ISOLATION_IN_PROCESS;
    bridge32_error* error = NULL;
    size_t length = 0;
    CHECK(bridge32_plan_load(path, BRIDGE32_NUL_TERMINATED, &here, &file, &bridged, &surrogate,
                             &error) == BRIDGE32_BAD_MODULE && !surrogate,
          "not into this 64-bit process");
    const char* message = bridge32_error_message(error, &length);
    CHECK(contains(message, length, "cannot load into this x64 process"), "message: %.*s",
          (int)length, message);
    bridge32_error_free(error);
    CHECK(bridge32_module_inspect("no-such-vendor.dll", BRIDGE32_NUL_TERMINATED, "vendor library",
                                  BRIDGE32_NUL_TERMINATED, &file, &error) == BRIDGE32_NOT_FOUND,
          "a missing file");
    message = bridge32_error_message(error, &length);
    CHECK(contains(message, length, "vendor library 'no-such-vendor.dll' does not exist"),
          "message: %.*s", (int)length, message);
    bridge32_error_free(error);
  }

  bridge32_load_options options;
  bridge32_load_options_init(&options);
  options.isolation = BRIDGE32_ISOLATION_SURROGATE;
  options.call_timeout_ms = 20000;
  bridge32_library* library = NULL;
  bridge32_error* error = NULL;
  bridge32_status status =
      bridge32_library_load(path, BRIDGE32_NUL_TERMINATED, &options, &library, &error);
  if (report(status, error, "load") != BRIDGE32_OK) {
    printf("FAILED: cannot load %s\n", path);
    return 1;
  }
  CHECK(bridge32_library_is_bridged(library), "bridged");
  CHECK(bridge32_library_architecture(library) == BRIDGE32_ARCH_X86, "an x86 library");
  CHECK(is_32_bit_process(bridge32_library_surrogate_pid(library)),
        "surrogate %u is a 32-bit process", bridge32_library_surrogate_pid(library));
  CHECK(sizeof(void*) == 8, "this program is 64-bit");

  /* Calls by declaration. */
  bridge32_function* add = bind(library, "int add(int a, int b);");
  {
    bridge32_value arguments[2];
    arguments[0] = integer(2);
    arguments[1] = integer(40);
    CHECK(int_result(add, arguments, 2, "add") == 42, "add(2, 40)");
    size_t length;
    const char* name = bridge32_function_name(add, &length);
    CHECK(length == 3 && strcmp(name, "add") == 0, "name %s", name);
    CHECK(!bridge32_function_returns_void(add), "returns int");
    /* The wrong number of arguments: refused, naming the function. */
    bridge32_result* result = NULL;
    error = NULL;
    status = bridge32_function_call(add, arguments, 1, NULL, 0, &result, &error);
    const char* message = bridge32_error_message(error, &length);
    CHECK(status == BRIDGE32_INVALID_ARGUMENT && !result && contains(message, length, "'add'"),
          "one argument: %.*s", (int)length, message);
    bridge32_error_free(error);
    /* A declaration that does not parse. */
    bridge32_function* broken = NULL;
    error = NULL;
    status = bridge32_library_function(library, "int add(int a,", BRIDGE32_NUL_TERMINATED,
                                       &broken, &error);
    CHECK(status == BRIDGE32_INVALID_ARGUMENT && !broken, "a broken declaration");
    bridge32_error_free(error);
  }

  /* Declared, then bound by name; arrays of numbers in and out; parameter information. */
  error = NULL;
  status = bridge32_library_declare(
      library,
      "void scale(double a, _In_reads_(n) const double* x, int n, _Out_writes_(n) double* y);",
      BRIDGE32_NUL_TERMINATED, &error);
  CHECK(report(status, error, "declare") == BRIDGE32_OK, "declare scale");
  bridge32_function* scale = bind(library, "scale");
  {
    CHECK(bridge32_function_parameter_count(scale) == 4, "4 parameters");
    bridge32_parameter_info info;
    CHECK(bridge32_function_parameter(scale, 3, &info) == BRIDGE32_OK && info.is_output &&
              !info.is_input && info.kind == BRIDGE32_PARAMETER_ARRAY &&
              strcmp(info.name, "y") == 0,
          "y is an out array");
    CHECK(info.element && info.element->kind == BRIDGE32_PARAMETER_FLOATING && !info.fields,
          "y's elements are floating");
    CHECK(bridge32_function_parameter(scale, 2, &info) == BRIDGE32_OK &&
              info.kind == BRIDGE32_PARAMETER_INTEGER && info.is_signed && !info.element,
          "n is a signed integer");
    CHECK(bridge32_function_parameter(scale, 4, &info) == BRIDGE32_NOT_FOUND, "no fifth");
    CHECK(bridge32_function_result(scale, &info) == BRIDGE32_OK &&
              info.kind == BRIDGE32_PARAMETER_NONE && !bridge32_function_is_variadic(scale),
          "returns void, no variable arguments");
    CHECK(bridge32_function_returns_void(scale), "void");

    enum { n = 100000 };
    double* x = (double*)malloc(n * sizeof(double));
    for (int i = 0; i < n; ++i) x[i] = i * 0.5;
    bridge32_value arguments[3];
    arguments[0] = floating(3.0);
    arguments[1] = doubles(x, n);
    arguments[2] = integer(n);
    bridge32_result* result = call(scale, arguments, 3, NULL, 0, &status, "scale");
    CHECK(status == BRIDGE32_OK && result, "scale");
    if (result) {
      CHECK(bridge32_result_value(result)->kind == BRIDGE32_VALUE_NULL, "void result");
      CHECK(bridge32_result_output_count(result) == 1, "one output");
      const char* name = NULL;
      size_t length = 0;
      const bridge32_value* y = bridge32_result_output(result, 0, &name, &length);
      CHECK(y && length == 1 && name[0] == 'y', "output y");
      CHECK(y == bridge32_result_output_named(result, "y", BRIDGE32_NUL_TERMINATED), "by name");
      CHECK(y->kind == BRIDGE32_VALUE_NUMBERS && y->type == BRIDGE32_FLOAT64 &&
                y->as.numbers.count == n,
            "y: kind %d type %u count %zu", (int)y->kind, y->type, (size_t)y->as.numbers.count);
      if (y->kind == BRIDGE32_VALUE_NUMBERS) {
        const double* values = (const double*)y->as.numbers.data;
        int wrong = 0;
        for (int i = 0; i < n; ++i) wrong += values[i] != 3.0 * x[i];
        CHECK(wrong == 0, "%d wrong products", wrong);
      }
    }
    bridge32_result_free(result);

    /* The same from a buffer the call reads where it is. */
    bridge32_buffer* buffer = NULL;
    error = NULL;
    status = bridge32_library_buffer(library, BRIDGE32_FLOAT64, n, &buffer, &error);
    CHECK(report(status, error, "buffer") == BRIDGE32_OK && buffer, "a buffer");
    if (buffer) {
      double* data = (double*)bridge32_buffer_data(buffer);
      CHECK(bridge32_buffer_count(buffer) == n, "its count");
      for (int i = 0; i < n; ++i) data[i] = i;
      arguments[1] = doubles(data, n);
      result = call(scale, arguments, 3, NULL, 0, &status, "scale from a buffer");
      const bridge32_value* y = result ? bridge32_result_output(result, 0, NULL, NULL) : NULL;
      CHECK(y && y->kind == BRIDGE32_VALUE_NUMBERS &&
                ((const double*)y->as.numbers.data)[n - 1] == 3.0 * (n - 1),
            "scale from a buffer");
      bridge32_result_free(result);
      bridge32_buffer_free(buffer);
    }
    free(x);
  }

#if defined(BRIDGE32_TEST_HEADERS_DIR)
  /* A vendor's header, read with a define; then its functions by name. (The build passes where
   * the fixtures' headers are; the MSVC-ABI build of this program does without.) */
  {
    bridge32_header_options read;
    bridge32_header_options_init(&read);
    bridge32_string define = {"__cplusplus=201703L", BRIDGE32_NUL_TERMINATED};
    read.defines = &define;
    read.define_count = 1;
    error = NULL;
    status = bridge32_library_include(library, BRIDGE32_TEST_HEADERS_DIR "/cpp-style.h",
                                      BRIDGE32_NUL_TERMINATED, &read, &error);
    CHECK(report(status, error, "include cpp-style.h") == BRIDGE32_OK, "include cpp-style.h");
    bridge32_function* make_point = bind(library, "make_point");
    bridge32_value corner[2];
    corner[0] = integer(3);
    corner[1] = integer(-4);
    bridge32_result* result = call(make_point, corner, 2, NULL, 0, &status, "make_point");
    const bridge32_value* point = result ? bridge32_result_value(result) : NULL;
    CHECK(point && point->kind == BRIDGE32_VALUE_STRUCT && point->as.structure.count == 2 &&
              point->as.structure.fields[1].value.as.i64 == -4,
          "make_point(3, -4) by the header's declaration");
    bridge32_result_free(result);
    bridge32_function_free(make_point);
    read.struct_size = 0;
    error = NULL;
    status = bridge32_library_include(library, BRIDGE32_TEST_HEADERS_DIR "/cpp-style.h",
                                      BRIDGE32_NUL_TERMINATED, &read, &error);
    CHECK(report(status, error, "header options without struct_size") ==
              BRIDGE32_INVALID_ARGUMENT,
          "header options without struct_size");
    error = NULL;
  }
#endif

  /* Strings in and out. */
  {
    bridge32_function* greet =
        bind(library, "int greet(_In_z_ const char* name, _Out_writes_z_(size) char* out, int size);");
    bridge32_value arguments[2];
    arguments[0] = string("bridge");
    arguments[1] = integer(64);
    bridge32_result* result = call(greet, arguments, 2, NULL, 0, &status, "greet");
    const bridge32_value* out =
        result ? bridge32_result_output_named(result, "out", BRIDGE32_NUL_TERMINATED) : NULL;
    CHECK(out && out->kind == BRIDGE32_VALUE_STRING && out->as.string.length == 13 &&
              strcmp(out->as.string.data, "hello, bridge") == 0,
          "greet");
    bridge32_result_free(result);
    bridge32_function_free(greet);
    bridge32_function* version = bind(library, "_Ret_z_ const char* version_string(void);");
    result = call(version, NULL, 0, NULL, 0, &status, "version_string");
    const bridge32_value* text = result ? bridge32_result_value(result) : NULL;
    CHECK(text && text->kind == BRIDGE32_VALUE_STRING &&
              strcmp(text->as.string.data, "b32-library 1.0") == 0,
          "version_string");
    bridge32_result_free(result);
    bridge32_function_free(version);
  }

  /* Structs: by value in and out, and an array of them out, as fields by name. */
  {
    error = NULL;
    status = bridge32_library_declare(
        library, "struct Mixed { char c; int64_t i; short s; double d; };",
        BRIDGE32_NUL_TERMINATED, &error);
    CHECK(report(status, error, "declare Mixed") == BRIDGE32_OK, "declare Mixed");
    bridge32_function* total = bind(library, "double mixed_total(struct Mixed m);");
    {
      bridge32_parameter_info m;
      CHECK(bridge32_function_parameter(total, 0, &m) == BRIDGE32_OK &&
                m.kind == BRIDGE32_PARAMETER_STRUCT && m.field_count == 4 &&
                strcmp(m.fields[1].name, "i") == 0 &&
                m.fields[1].kind == BRIDGE32_PARAMETER_INTEGER &&
                m.fields[3].kind == BRIDGE32_PARAMETER_FLOATING,
            "struct Mixed's fields as declared");
      /* Sizes in the library's ABI and the C types as spelt: what a binding picks an array's
       * element type by. */
      CHECK(m.fields[1].size == 8 && m.fields[2].size == 2 && m.fields[3].size == 8 &&
                strcmp(m.fields[1].type, "int64_t") == 0 &&
                m.fields[1].type_length == strlen("int64_t") &&
                strcmp(m.type, "struct Mixed") == 0,
            "struct Mixed's field sizes and types: %u %s", (unsigned)m.fields[1].size,
            m.fields[1].type);
    }
    bridge32_field fields[4];
    const char* names[4] = {"c", "i", "s", "d"};
    for (int i = 0; i < 4; ++i) {
      fields[i].name = names[i];
      fields[i].name_length = 1;
    }
    fields[0].value = integer(1);
    fields[1].value = integer((int64_t)1 << 40);
    fields[2].value = integer(-3);
    fields[3].value = floating(0.25);
    bridge32_value mixed;
    memset(&mixed, 0, sizeof mixed);
    mixed.kind = BRIDGE32_VALUE_STRUCT;
    mixed.as.structure.fields = fields;
    mixed.as.structure.count = 4;
    bridge32_result* result = call(total, &mixed, 1, NULL, 0, &status, "mixed_total");
    const bridge32_value* sum = result ? bridge32_result_value(result) : NULL;
    CHECK(sum && sum->kind == BRIDGE32_VALUE_DOUBLE &&
              sum->as.f64 == 1.0 + 1099511627776.0 - 3.0 + 0.25,
          "mixed_total");
    bridge32_result_free(result);
    /* Unnamed fields by position, as C's {1, .s = -3, 0.25}: the one after the last given. */
    fields[0].name = NULL;
    fields[0].name_length = 0;
    fields[3].name = "";
    fields[3].name_length = 0;
    fields[1].value = integer(0);
    result = call(total, &mixed, 1, NULL, 0, &status, "mixed_total by position");
    sum = result ? bridge32_result_value(result) : NULL;
    CHECK(sum && sum->kind == BRIDGE32_VALUE_DOUBLE && sum->as.f64 == 1.0 + 0.0 - 3.0 + 0.25,
          "mixed_total of fields by position and by name");
    bridge32_result_free(result);
    fields[3].name = NULL;
    fields[2].name = NULL;
    fields[2].name_length = 0;
    bridge32_field too_many[5];
    memcpy(too_many, fields, sizeof fields);
    too_many[4] = too_many[3];
    mixed.as.structure.fields = too_many;
    mixed.as.structure.count = 5;
    error = NULL;
    result = NULL;
    status = bridge32_function_call(total, &mixed, 1, NULL, 0, &result, &error);
    {
      size_t length = 0;
      const char* message = bridge32_error_message(error, &length);
      CHECK(status == BRIDGE32_INVALID_ARGUMENT && !result &&
                contains(message, length, "has 4 fields, given a value by position after the last"),
            "a fifth value by position is refused: %.*s", (int)length, message);
      bridge32_error_free(error);
    }
    bridge32_function_free(total);

    bridge32_function* fill =
        bind(library, "void mixed_fill(_Out_writes_(n) struct Mixed* m, int n, int64_t base);");
    bridge32_value arguments[2];
    arguments[0] = integer(1000);
    arguments[1] = integer(7);
    result = call(fill, arguments, 2, NULL, 0, &status, "mixed_fill");
    const bridge32_value* records = result ? bridge32_result_output(result, 0, NULL, NULL) : NULL;
    CHECK(records && records->kind == BRIDGE32_VALUE_ARRAY && records->as.array.count == 1000,
          "1000 records");
    if (records && records->kind == BRIDGE32_VALUE_ARRAY && records->as.array.count == 1000) {
      const bridge32_value* record = &records->as.array.items[999];
      CHECK(record->kind == BRIDGE32_VALUE_STRUCT && record->as.structure.count == 4, "a struct");
      const bridge32_field* i = &record->as.structure.fields[1];
      const bridge32_field* d = &record->as.structure.fields[3];
      CHECK(strcmp(i->name, "i") == 0 && i->value.kind == BRIDGE32_VALUE_INT &&
                i->value.as.i64 == 7 + 999,
            "m[999].i");
      CHECK(strcmp(d->name, "d") == 0 && d->value.as.f64 == 999 / 4.0, "m[999].d");
    }
    bridge32_result_free(result);
    bridge32_function_free(fill);
  }

  /* Callbacks with a context, one that fails the call, and one the library keeps. */
  {
    bridge32_function* sum_with =
        bind(library, "int sum_with(int (*f)(void* ctx, int i), void* ctx, int n);");
    Tally tally = {0, 0};
    bridge32_callback callback = {tens, &tally};
    bridge32_value arguments[2];
    memset(&arguments[0], 0, sizeof arguments[0]);
    arguments[0].kind = BRIDGE32_VALUE_NULL;
    arguments[1] = integer(5);
    bridge32_result* result = call(sum_with, arguments, 2, &callback, 1, &status, "sum_with");
    const bridge32_value* sum = result ? bridge32_result_value(result) : NULL;
    CHECK(sum && sum->as.i64 == 10 * (0 + 1 + 2 + 3 + 4) + 5, "sum_with: %lld",
          sum ? (long long)sum->as.i64 : -1LL);
    CHECK(tally.calls == 5, "5 callbacks, %d", tally.calls);
    bridge32_result_free(result);

    bridge32_callback refusing = {refuses, NULL};
    result = NULL;
    error = NULL;
    status = bridge32_function_call(sum_with, arguments, 2, &refusing, 1, &result, &error);
    size_t length = 0;
    const char* message = bridge32_error_message(error, &length);
    CHECK(status != BRIDGE32_OK && !result && contains(message, length, "callback 1"),
          "a callback's failure fails the call: %d %.*s", (int)status, (int)length, message);
    bridge32_error_free(error);
    /* With its own error: its words. */
    int says_why = 1;
    refusing.context = &says_why;
    error = NULL;
    status = bridge32_function_call(sum_with, arguments, 2, &refusing, 1, &result, &error);
    message = bridge32_error_message(error, &length);
    CHECK(status != BRIDGE32_OK && !result && contains(message, length, "the application said no"),
          "a callback's own error fails the call: %d %.*s", (int)status, (int)length, message);
    bridge32_error_free(error);
    bridge32_function_free(sum_with);

    bridge32_function* set_listener =
        bind(library, "void set_listener(_Kept_ void (*f)(int));");
    bridge32_function* fire = bind(library, "void fire(int times);");
    Tally heard = {0, -1};
    bridge32_callback listener = {listen, &heard};
    result = call(set_listener, NULL, 0, &listener, 1, &status, "set_listener");
    bridge32_registration* kept = result ? bridge32_result_keep(result) : NULL;
    CHECK(kept != NULL, "a registration for the kept callback");
    bridge32_result_free(result);
    bridge32_value times = integer(3);
    result = call(fire, &times, 1, NULL, 0, &status, "fire");
    CHECK(status == BRIDGE32_OK && heard.calls == 3 && heard.last == 2,
          "the kept listener heard %d, last %lld", heard.calls, (long long)heard.last);
    bridge32_result_free(result);
    bridge32_callback none = {NULL, NULL};
    result = call(set_listener, NULL, 0, &none, 1, &status, "set_listener(NULL)");
    bridge32_result_free(result);
    bridge32_registration_free(kept);
    bridge32_function_free(fire);
    bridge32_function_free(set_listener);
  }

  /* Handles the library hands out go back as they are. */
  {
    bridge32_function* ctx_new = bind(library, "void* ctx_new(int start);");
    bridge32_function* ctx_next = bind(library, "int ctx_next(void* ctx);");
    bridge32_function* ctx_free = bind(library, "void ctx_free(void* ctx);");
    bridge32_value start = integer(5);
    bridge32_result* made = call(ctx_new, &start, 1, NULL, 0, &status, "ctx_new");
    const bridge32_value* handle = made ? bridge32_result_value(made) : NULL;
    CHECK(handle && handle->kind == BRIDGE32_VALUE_HANDLE && handle->as.handle.value != 0 &&
              handle->type == BRIDGE32_HANDLE_POINTER,
          "a pointer handle");
    if (handle && handle->kind == BRIDGE32_VALUE_HANDLE) {
      CHECK(int_result(ctx_next, handle, 1, "ctx_next") == 5, "5");
      CHECK(int_result(ctx_next, handle, 1, "ctx_next") == 6, "6");
      bridge32_result_free(call(ctx_free, handle, 1, NULL, 0, &status, "ctx_free"));
    }
    bridge32_result_free(made);
    bridge32_function_free(ctx_new);
    bridge32_function_free(ctx_next);
    bridge32_function_free(ctx_free);
  }

  /* A crash is a status; the next call runs in a new surrogate. A hang passes its deadline. */
  {
    uint32_t first = bridge32_library_surrogate_pid(library);
    bridge32_function* crash = bind(library, "void crash(void);");
    bridge32_result_free(call(crash, NULL, 0, NULL, 0, &status, "crash"));
    CHECK(status == BRIDGE32_DISCONNECTED, "crash: %s", bridge32_status_name(status));
    bridge32_value arguments[2];
    arguments[0] = integer(1);
    arguments[1] = integer(2);
    CHECK(int_result(add, arguments, 2, "add after the crash") == 3, "add after the crash");
    CHECK(bridge32_library_surrogate_pid(library) != first, "a new surrogate");
    CHECK(log_records > 0, "the log handler heard of it");
    bridge32_function_free(crash);

    bridge32_function* hang = bind(library, "void hang(void);");
    bridge32_deadline* deadline = bridge32_deadline_begin(300);
    bridge32_result_free(call(hang, NULL, 0, NULL, 0, &status, "hang"));
    bridge32_deadline_end(deadline);
    CHECK(status == BRIDGE32_TIMEOUT, "hang: %s", bridge32_status_name(status));
    CHECK(int_result(add, arguments, 2, "add after the hang") == 3, "add after the hang");
    bridge32_function_free(hang);
  }

  /* A duplicate handle is the same library; functions outlive the handles. */
  {
    bridge32_library* again = bridge32_library_duplicate(library);
    CHECK(again && bridge32_library_surrogate_pid(again) == bridge32_library_surrogate_pid(library),
          "the same library");
    bridge32_library_free(library);
    bridge32_value arguments[2];
    arguments[0] = integer(20);
    arguments[1] = integer(22);
    CHECK(int_result(add, arguments, 2, "add") == 42, "add with the first handle freed");
    bridge32_library_free(again);
    CHECK(int_result(add, arguments, 2, "add") == 42, "add with both handles freed");
  }
  bridge32_function_free(add);
  bridge32_function_free(scale);

  /* One surrogate shared by two loads of libraries; one of the wrong bitness refused. */
  {
    bridge32_surrogate* shared = NULL;
    error = NULL;
    OK(bridge32_surrogate_start(BRIDGE32_ARCH_X86, NULL, &shared, &error));
    uint32_t pid = bridge32_surrogate_pid(shared);
    CHECK(pid != 0 && bridge32_surrogate_is_running(shared) && is_32_bit_process(pid),
          "a shared 32-bit surrogate");
    bridge32_load_options into;
    bridge32_load_options_init(&into);
    into.surrogate = shared;
    bridge32_library* first = NULL;
    bridge32_library* second = NULL;
    OK(bridge32_library_load(path, BRIDGE32_NUL_TERMINATED, &into, &first, &error));
    OK(bridge32_library_load(path, BRIDGE32_NUL_TERMINATED, &into, &second, &error));
    CHECK(first && second && bridge32_library_surrogate_pid(first) == pid &&
              bridge32_library_surrogate_pid(second) == pid,
          "both in surrogate %u", pid);
    bridge32_surrogate* other = NULL;
    OK(bridge32_surrogate_start(BRIDGE32_ARCH_X64, NULL, &other, &error));
    into.surrogate = other;
    bridge32_library* wrong = NULL;
    status = bridge32_library_load(path, BRIDGE32_NUL_TERMINATED, &into, &wrong, &error);
    CHECK(report(status, error, "an x86 library into an x64 surrogate") != BRIDGE32_OK && !wrong,
          "an x86 library into an x64 surrogate");
    error = NULL;
    bridge32_library_free(first);
    bridge32_library_free(second);
    bridge32_surrogate_free(other);
    bridge32_surrogate_free(shared);

    /* A surrogate of its own environment: exactly what the options list, as the library sees
     * it (the tests' hostile library's getenv_length: -1 for a variable that is not set). As
     * bridge32_tests do, x64 under Wine, whose 32-bit start takes longer. */
    bridge32_string environment[1] = {{"B32_C_API_TEST=yes", BRIDGE32_NUL_TERMINATED}};
    bridge32_load_options_init(&into);
    into.isolation = BRIDGE32_ISOLATION_SURROGATE;
    into.environment = environment;
    into.environment_count = 1;
    char hostile[4200];
#if defined(_WIN32)
    snprintf(hostile, sizeof hostile, "%s/x64/b32-hostile-library.dll", plugins);
#else
    snprintf(hostile, sizeof hostile, "%s/x86/b32-hostile-library.so", plugins);
#endif
    bridge32_library* alone = NULL;
    OK(bridge32_library_load(hostile, BRIDGE32_NUL_TERMINATED, &into, &alone, &error));
    bridge32_function* length =
        alone ? bind(alone, "int getenv_length(_In_z_ const char* name);") : NULL;
    if (length) {
      bridge32_value name = string("B32_C_API_TEST");
      CHECK(int_result(length, &name, 1, "getenv_length") == 3, "the variable given");
      name = string("PATH");
      CHECK(int_result(length, &name, 1, "getenv_length") == -1, "no PATH: only what was given");
    }
    bridge32_function_free(length);
    bridge32_library_free(alone);
    alone = NULL;
    bridge32_string bad = {"NOEQUALS", BRIDGE32_NUL_TERMINATED};
    into.environment = &bad;
    into.environment_count = 1;
    status = bridge32_library_load(path, BRIDGE32_NUL_TERMINATED, &into, &alone, &error);
    CHECK(report(status, error, "an environment entry without '='") == BRIDGE32_INVALID_ARGUMENT,
          "an environment entry without '='");
    error = NULL;
  }

  {
    /* The module holding an address: this program for its own code. */
    bridge32_bytes* self = NULL;
    bridge32_error* error = NULL;
    OK(bridge32_module_containing((const void*)&library_restarts, &self, &error));
    size_t length = 0;
    const char* file = (const char*)bridge32_bytes_data(self, &length);
    char directory[4000];
    executable_directory(directory, sizeof directory);
    CHECK(self && directory[0] && length > strlen(directory) &&
              memcmp(file, directory, strlen(directory)) == 0,
          "this program, in %s: %.*s", directory, (int)length, file);
    bridge32_bytes_free(self);
    self = NULL;
    bridge32_status status = bridge32_module_containing((const void*)16, &self, &error);
    CHECK(report(status, error, "an address no module holds") == BRIDGE32_NOT_FOUND && !self,
          "an address no module holds");
  }
  {
    /* What the library file exports, read without loading it. */
    bridge32_module_exports* exports = NULL;
    bridge32_error* error = NULL;
    OK(bridge32_module_exports_read(path, BRIDGE32_NUL_TERMINATED, &exports, &error));
    size_t count = bridge32_module_exports_count(exports);
    int has_add = 0;
    bridge32_module_export entry;
    for (size_t i = 0; i < count; ++i) {
      bridge32_module_exports_at(exports, i, &entry);
      if (entry.name_length == 3 && memcmp(entry.name, "add", 3) == 0 && entry.is_function) {
        has_add = 1;
      }
    }
    CHECK(count > 10 && has_add, "%zu exports, add a function among them", count);
    CHECK(bridge32_module_exports_at(exports, count, &entry) == BRIDGE32_NOT_FOUND,
          "past the last");
    bridge32_module_exports_free(exports);
    exports = NULL;
    bridge32_status status =
        bridge32_module_exports_read("no-such-library.dll", BRIDGE32_NUL_TERMINATED, &exports, &error);
    CHECK(report(status, error, "exports of a missing file") == BRIDGE32_NOT_FOUND && !exports,
          "exports of a missing file");
  }
  module_files(path);
  header_report(path);
  library_restarts(path);
  gain_plugin(plugins);
  vst2_plugin(plugins);
  com_objects(plugins);
  CHECK(!log_released, "the log handler's context is held while it is the handler");
  bridge32_set_log_handler(NULL, NULL, NULL, BRIDGE32_LOG_INFO);
  CHECK(became_set(&log_released, 5000), "the log handler's context released once replaced");

  printf("%d of %d checks passed\n", checks - failures, checks);
  return failures == 0 ? 0 : 1;
}
