/* The VST2 plugin ABI, declared here from its published facts (struct layouts, opcode numbers,
 * constants), as every VST2 host and plugin of the last twenty years has it compiled in. Only
 * what bridge32 uses or refuses by name is declared. C, so that the test fixture plugins, written
 * against the raw ABI, include it too.
 *
 * The layouts are the platform's natural ones: every struct below has the same size and offsets
 * under the Windows packing of 8 and the natural alignment of i386 and x86-64 System V (the
 * static assertions at the end check it for the build they are compiled into). Calls are cdecl
 * on 32-bit Windows, the platform's C convention elsewhere.
 *
 * Pointers and pointer-sized integers (`b32_vst_intptr`) are 4 bytes in a 32-bit plugin and 8 in
 * a 64-bit one: nothing of this header crosses the pipe as it is (protocol/plugin.capnp carries
 * what the opcodes mean). */
#ifndef BRIDGE32_VST2_ABI_H
#define BRIDGE32_VST2_ABI_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(_WIN32) && !defined(_WIN64)
#define B32_VST_CALL __cdecl
#else
#define B32_VST_CALL
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef intptr_t b32_vst_intptr;

typedef struct b32_vst_effect b32_vst_effect;

/* The host's callback ("audioMaster"): the plugin calls it with an opcode (b32_vst_master_*). */
typedef b32_vst_intptr(B32_VST_CALL* b32_vst_host_callback)(b32_vst_effect* effect, int32_t opcode,
                                                             int32_t index, b32_vst_intptr value,
                                                             void* ptr, float opt);
/* The module's entry point, exported as "VSTPluginMain" (or, by older plugins, "main"). */
typedef b32_vst_effect*(B32_VST_CALL* b32_vst_entry)(b32_vst_host_callback host);

typedef b32_vst_intptr(B32_VST_CALL* b32_vst_dispatcher)(b32_vst_effect* effect, int32_t opcode,
                                                          int32_t index, b32_vst_intptr value,
                                                          void* ptr, float opt);
typedef void(B32_VST_CALL* b32_vst_process)(b32_vst_effect* effect, float** inputs,
                                            float** outputs, int32_t frames);
typedef void(B32_VST_CALL* b32_vst_process_double)(b32_vst_effect* effect, double** inputs,
                                                   double** outputs, int32_t frames);
typedef void(B32_VST_CALL* b32_vst_set_parameter)(b32_vst_effect* effect, int32_t index,
                                                  float value);
typedef float(B32_VST_CALL* b32_vst_get_parameter)(b32_vst_effect* effect, int32_t index);

/* "VstP", the first field of every effect. */
#define B32_VST_MAGIC 0x56737450

/* The plugin's description of itself and its entry points ("AEffect"). */
struct b32_vst_effect {
  int32_t magic; /* B32_VST_MAGIC */
  b32_vst_dispatcher dispatcher;
  b32_vst_process process_accumulating; /* deprecated: adds to the outputs */
  b32_vst_set_parameter set_parameter;
  b32_vst_get_parameter get_parameter;
  int32_t num_programs;
  int32_t num_params;
  int32_t num_inputs;
  int32_t num_outputs;
  int32_t flags; /* B32_VST_FLAG_* */
  b32_vst_intptr host_reserved; /* "resvd1": the host's to use (bridge32 keeps its instance here) */
  b32_vst_intptr reserved2;
  int32_t initial_delay; /* latency, in frames */
  int32_t real_qualities; /* deprecated */
  int32_t off_qualities;  /* deprecated */
  float io_ratio;         /* deprecated */
  void* object;           /* the plugin's own */
  void* user;             /* the plugin's own */
  int32_t unique_id;
  int32_t version;
  b32_vst_process process_replacing;
  b32_vst_process_double process_double_replacing;
  char future[56];
};

/* b32_vst_effect.flags */
#define B32_VST_FLAG_HAS_EDITOR (1 << 0)
#define B32_VST_FLAG_CAN_REPLACING (1 << 4)
#define B32_VST_FLAG_PROGRAM_CHUNKS (1 << 5)
#define B32_VST_FLAG_IS_SYNTH (1 << 8)
#define B32_VST_FLAG_NO_SOUND_IN_STOP (1 << 9)
#define B32_VST_FLAG_CAN_DOUBLE_REPLACING (1 << 12)

/* Host -> plugin: the dispatcher's opcodes ("effXxx"). What `index`, `value`, `ptr` and `opt`
 * mean depends on the opcode; the comment says it where a pointer is involved. */
enum {
  B32_VST_EFF_OPEN = 0,
  B32_VST_EFF_CLOSE = 1,
  B32_VST_EFF_SET_PROGRAM = 2,            /* value: program */
  B32_VST_EFF_GET_PROGRAM = 3,            /* returns the program */
  B32_VST_EFF_SET_PROGRAM_NAME = 4,       /* ptr: char[B32_VST_PROGRAM_NAME_SIZE] in */
  B32_VST_EFF_GET_PROGRAM_NAME = 5,       /* ptr: char[B32_VST_PROGRAM_NAME_SIZE] out */
  B32_VST_EFF_GET_PARAM_LABEL = 6,        /* index: param; ptr: char[B32_VST_PARAM_TEXT_SIZE] */
  B32_VST_EFF_GET_PARAM_DISPLAY = 7,      /* index: param; ptr: char[B32_VST_PARAM_TEXT_SIZE] */
  B32_VST_EFF_GET_PARAM_NAME = 8,         /* index: param; ptr: char[B32_VST_PARAM_TEXT_SIZE] */
  B32_VST_EFF_SET_SAMPLE_RATE = 10,       /* opt: rate */
  B32_VST_EFF_SET_BLOCK_SIZE = 11,        /* value: the largest block */
  B32_VST_EFF_MAINS_CHANGED = 12,         /* value: 1 resume, 0 suspend */
  B32_VST_EFF_EDIT_GET_RECT = 13,         /* ptr: b32_vst_rect** out */
  B32_VST_EFF_EDIT_OPEN = 14,             /* ptr: the parent window (HWND; X11 Window) */
  B32_VST_EFF_EDIT_CLOSE = 15,
  B32_VST_EFF_EDIT_IDLE = 19,
  B32_VST_EFF_GET_CHUNK = 23,             /* index: 0 bank, 1 program; ptr: void** out; returns size */
  B32_VST_EFF_SET_CHUNK = 24,             /* index: as above; value: size; ptr: the bytes */
  B32_VST_EFF_PROCESS_EVENTS = 25,        /* ptr: b32_vst_events* */
  B32_VST_EFF_CAN_BE_AUTOMATED = 26,      /* index: param */
  B32_VST_EFF_STRING_TO_PARAMETER = 27,   /* index: param; ptr: text in */
  B32_VST_EFF_GET_PROGRAM_NAME_INDEXED = 29, /* index: program; ptr: char[...] out */
  B32_VST_EFF_GET_INPUT_PROPERTIES = 33,  /* index: pin; ptr: b32_vst_pin_properties* out */
  B32_VST_EFF_GET_OUTPUT_PROPERTIES = 34, /* index: pin; ptr: b32_vst_pin_properties* out */
  B32_VST_EFF_GET_PLUG_CATEGORY = 35,
  B32_VST_EFF_SET_SPEAKER_ARRANGEMENT = 42, /* value: input b32_vst_speaker_arrangement*; ptr: output */
  B32_VST_EFF_SET_BYPASS = 44,            /* value: 1 bypass */
  B32_VST_EFF_GET_EFFECT_NAME = 45,       /* ptr: char[B32_VST_NAME_SIZE] out */
  B32_VST_EFF_GET_VENDOR_STRING = 47,     /* ptr: char[B32_VST_VENDOR_SIZE] out */
  B32_VST_EFF_GET_PRODUCT_STRING = 48,    /* ptr: char[B32_VST_PRODUCT_SIZE] out */
  B32_VST_EFF_GET_VENDOR_VERSION = 49,
  B32_VST_EFF_VENDOR_SPECIFIC = 50,       /* meaning private to each plugin: refused */
  B32_VST_EFF_CAN_DO = 51,                /* ptr: text in; returns 1 yes, -1 no, 0 unknown */
  B32_VST_EFF_GET_TAIL_SIZE = 52,
  B32_VST_EFF_GET_PARAMETER_PROPERTIES = 56, /* index: param; ptr: b32_vst_parameter_properties* */
  B32_VST_EFF_GET_VST_VERSION = 58,
  B32_VST_EFF_EDIT_KEY_DOWN = 59,
  B32_VST_EFF_EDIT_KEY_UP = 60,
  B32_VST_EFF_BEGIN_SET_PROGRAM = 67,
  B32_VST_EFF_END_SET_PROGRAM = 68,
  B32_VST_EFF_GET_SPEAKER_ARRANGEMENT = 69, /* value: b32_vst_speaker_arrangement** in; ptr: out */
  B32_VST_EFF_SHELL_GET_NEXT_PLUGIN = 70, /* ptr: char[B32_VST_NAME_SIZE] out; returns the id */
  B32_VST_EFF_START_PROCESS = 71,
  B32_VST_EFF_STOP_PROCESS = 72,
  B32_VST_EFF_SET_PROCESS_PRECISION = 77, /* value: 0 single, 1 double */
  B32_VST_EFF_GET_NUM_MIDI_INPUT_CHANNELS = 78,
  B32_VST_EFF_GET_NUM_MIDI_OUTPUT_CHANNELS = 79
};

/* Plugin -> host: the host callback's opcodes ("audioMasterXxx"). */
enum {
  B32_VST_MASTER_AUTOMATE = 0,            /* index: param; opt: value */
  B32_VST_MASTER_VERSION = 1,             /* returns 2400 for VST 2.4 */
  B32_VST_MASTER_CURRENT_ID = 2,
  B32_VST_MASTER_IDLE = 3,
  B32_VST_MASTER_WANT_MIDI = 6,           /* deprecated, still sent */
  B32_VST_MASTER_GET_TIME = 7,            /* value: wanted fields; returns b32_vst_time_info* */
  B32_VST_MASTER_PROCESS_EVENTS = 8,      /* ptr: b32_vst_events* from the plugin */
  B32_VST_MASTER_IO_CHANGED = 13,
  B32_VST_MASTER_SIZE_WINDOW = 15,        /* index: width; value: height */
  B32_VST_MASTER_GET_SAMPLE_RATE = 16,
  B32_VST_MASTER_GET_BLOCK_SIZE = 17,
  B32_VST_MASTER_GET_INPUT_LATENCY = 18,
  B32_VST_MASTER_GET_OUTPUT_LATENCY = 19,
  B32_VST_MASTER_GET_CURRENT_PROCESS_LEVEL = 23, /* returns B32_VST_PROCESS_LEVEL_* */
  B32_VST_MASTER_GET_AUTOMATION_STATE = 24,
  B32_VST_MASTER_GET_VENDOR_STRING = 32,  /* ptr: char[B32_VST_VENDOR_SIZE] out */
  B32_VST_MASTER_GET_PRODUCT_STRING = 33, /* ptr: char[B32_VST_PRODUCT_SIZE] out */
  B32_VST_MASTER_GET_VENDOR_VERSION = 34,
  B32_VST_MASTER_VENDOR_SPECIFIC = 35,
  B32_VST_MASTER_CAN_DO = 37,             /* ptr: text in; returns 1 yes, -1 no, 0 unknown */
  B32_VST_MASTER_GET_LANGUAGE = 38,       /* returns 1: English */
  B32_VST_MASTER_GET_DIRECTORY = 41,      /* returns a char* to the plugin's directory */
  B32_VST_MASTER_UPDATE_DISPLAY = 42,
  B32_VST_MASTER_BEGIN_EDIT = 43,         /* index: param */
  B32_VST_MASTER_END_EDIT = 44            /* index: param */
};

/* B32_VST_MASTER_GET_CURRENT_PROCESS_LEVEL's answers. */
enum {
  B32_VST_PROCESS_LEVEL_UNKNOWN = 0,
  B32_VST_PROCESS_LEVEL_USER = 1,     /* a user interface thread */
  B32_VST_PROCESS_LEVEL_REALTIME = 2, /* the audio thread */
  B32_VST_PROCESS_LEVEL_PREFETCH = 3,
  B32_VST_PROCESS_LEVEL_OFFLINE = 4
};

/* String sizes, terminator included, as VST2 defines them; plugins often write longer names,
 * hence the larger buffers bridge32 gives (vst2-plugin.c++) and the cuts it makes. */
#define B32_VST_PARAM_TEXT_SIZE 8  /* kVstMaxParamStrLen: name, label, display */
#define B32_VST_PROGRAM_NAME_SIZE 24
#define B32_VST_NAME_SIZE 64       /* effect name, shell plugin name */
#define B32_VST_VENDOR_SIZE 64
#define B32_VST_PRODUCT_SIZE 64
#define B32_VST_LABEL_SIZE 64

/* Puts `length` bytes of `text` into a VST2 string buffer of `size` bytes (a plugin's or a
 * host's), cut to fit and terminated. */
static inline void b32_vst_copy_text(void* buffer, const char* text, size_t length, size_t size) {
  if (!buffer || size == 0) return;
  if (length > size - 1) length = size - 1;
  memcpy(buffer, text, length);
  ((char*)buffer)[length] = '\0';
}

typedef struct b32_vst_rect {
  int16_t top, left, bottom, right;
} b32_vst_rect;

/* Events: a count and that many pointers ("VstEvents"; declared with 2, allocated longer). */
typedef struct b32_vst_event {
  int32_t type; /* B32_VST_EVENT_MIDI, ... */
  int32_t byte_size; /* of the event after these two fields */
  int32_t delta_frames; /* from the start of the block */
  int32_t flags;
  char data[16];
} b32_vst_event;

#define B32_VST_EVENT_MIDI 1
#define B32_VST_EVENT_SYSEX 6

typedef struct b32_vst_midi_event {
  int32_t type; /* B32_VST_EVENT_MIDI */
  int32_t byte_size; /* sizeof(b32_vst_midi_event) */
  int32_t delta_frames;
  int32_t flags; /* 1: played live */
  int32_t note_length;
  int32_t note_offset;
  char midi_data[4]; /* status, data 1, data 2, 0 */
  char detune;
  char note_off_velocity;
  char reserved1, reserved2;
} b32_vst_midi_event;

typedef struct b32_vst_events {
  int32_t count;
  b32_vst_intptr reserved;
  b32_vst_event* events[2];
} b32_vst_events;

/* What B32_VST_MASTER_GET_TIME answers ("VstTimeInfo"). */
typedef struct b32_vst_time_info {
  double sample_pos;
  double sample_rate;
  double nano_seconds;
  double ppq_pos;
  double tempo;
  double bar_start_pos;
  double cycle_start_pos;
  double cycle_end_pos;
  int32_t time_sig_numerator;
  int32_t time_sig_denominator;
  int32_t smpte_offset;
  int32_t smpte_frame_rate;
  int32_t samples_to_next_clock;
  int32_t flags; /* B32_VST_TIME_* */
} b32_vst_time_info;

#define B32_VST_TIME_TRANSPORT_CHANGED (1 << 0)
#define B32_VST_TIME_TRANSPORT_PLAYING (1 << 1)
#define B32_VST_TIME_TRANSPORT_CYCLE_ACTIVE (1 << 2)
#define B32_VST_TIME_TRANSPORT_RECORDING (1 << 3)
#define B32_VST_TIME_NANOS_VALID (1 << 8)
#define B32_VST_TIME_PPQ_POS_VALID (1 << 9)
#define B32_VST_TIME_TEMPO_VALID (1 << 10)
#define B32_VST_TIME_BARS_VALID (1 << 11)
#define B32_VST_TIME_CYCLE_POS_VALID (1 << 12)
#define B32_VST_TIME_SIG_VALID (1 << 13)

typedef struct b32_vst_pin_properties {
  char label[B32_VST_LABEL_SIZE];
  int32_t flags;
  int32_t arrangement_type;
  char short_label[8];
  char future[48];
} b32_vst_pin_properties;

typedef struct b32_vst_parameter_properties {
  float step, small_step, large_step;
  char label[B32_VST_LABEL_SIZE];
  int32_t flags;
  int32_t min_integer, max_integer, step_integer, large_step_integer;
  char short_label[8];
  int16_t display_index, category, parameters_in_category, reserved;
  char category_label[24];
  char future[16];
} b32_vst_parameter_properties;

typedef struct b32_vst_speaker_properties {
  float azimuth, elevation, radius, reserved;
  char name[64];
  int32_t type;
  char future[28];
} b32_vst_speaker_properties;

typedef struct b32_vst_speaker_arrangement {
  int32_t type;
  int32_t channels;
  b32_vst_speaker_properties speakers[8]; /* declared with 8, allocated for `channels` */
} b32_vst_speaker_arrangement;

#ifdef __cplusplus
}  // extern "C"
#define B32_VST_STATIC_ASSERT(condition, message) static_assert(condition, message)
#else
#define B32_VST_STATIC_ASSERT(condition, message) _Static_assert(condition, message)
#endif

/* The sizes and offsets every VST2 binary of this architecture has. */
B32_VST_STATIC_ASSERT(sizeof(b32_vst_effect) == (sizeof(void*) == 8 ? 192 : 144),
                      "b32_vst_effect's size");
B32_VST_STATIC_ASSERT(offsetof(b32_vst_effect, num_programs) == (sizeof(void*) == 8 ? 40 : 20),
                      "b32_vst_effect.num_programs");
B32_VST_STATIC_ASSERT(offsetof(b32_vst_effect, unique_id) == (sizeof(void*) == 8 ? 112 : 72),
                      "b32_vst_effect.unique_id");
B32_VST_STATIC_ASSERT(offsetof(b32_vst_effect, process_replacing) ==
                          (sizeof(void*) == 8 ? 120 : 80),
                      "b32_vst_effect.process_replacing");
B32_VST_STATIC_ASSERT(sizeof(b32_vst_midi_event) == 32, "b32_vst_midi_event's size");
B32_VST_STATIC_ASSERT(offsetof(b32_vst_events, events) == 2 * sizeof(void*),
                      "b32_vst_events.events");
B32_VST_STATIC_ASSERT(sizeof(b32_vst_time_info) == 88, "b32_vst_time_info's size");
B32_VST_STATIC_ASSERT(sizeof(b32_vst_rect) == 8, "b32_vst_rect's size");
B32_VST_STATIC_ASSERT(sizeof(b32_vst_pin_properties) == 128, "b32_vst_pin_properties's size");
B32_VST_STATIC_ASSERT(sizeof(b32_vst_parameter_properties) == 152,
                      "b32_vst_parameter_properties's size");
B32_VST_STATIC_ASSERT(sizeof(b32_vst_speaker_properties) == 112,
                      "b32_vst_speaker_properties's size");

#endif /* BRIDGE32_VST2_ABI_H */
