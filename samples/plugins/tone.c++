// Sample plugin "Tone": a one-voice instrument for the events and programs extensions. A MIDI
// note-on starts a sine at the note's pitch on every output channel, `delay` frames after the
// event (a delay the host compensates: it is the plugin's latency); the note-off, or the next note,
// ends it. Programs choose its level. It reports what the host told it: how many notes it heard,
// and the tempo and position of the last transport.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <new>

#include "bridge32/ext/events.h"
#include "bridge32/ext/programs.h"
#include "samples.h"

namespace {

constexpr uint32_t kLevel = 1, kDelay = 2, kNotes = 3, kTempo = 4, kBeats = 5;
constexpr uint32_t kMaxDelay = 1024;
constexpr double kTwoPi = 6.283185307179586;

struct Program {
  const char* name;
  double level;
};
constexpr Program kPrograms[] = {{"Soft", 0.25}, {"Loud", 1.0}};
constexpr uint32_t kProgramCount = sizeof kPrograms / sizeof kPrograms[0];

struct Tone {
  b32_plugin plugin;
  const b32_host* host;
  double level = 0.25, delay = 0, notes = 0, tempo = 0, beats = 0;
  uint32_t program = 0;
  double sampleRate = 48000;
  bool active = false;
  // The voice: the note sounding (-1: none), its phase, and a change waiting to happen in
  // `countdown` frames (a note to start, or -1 to stop).
  int note = -1;
  double phase = 0;
  int pendingNote = -2;  // -2: nothing pending
  uint64_t countdown = 0;
};

Tone& self(const b32_plugin* plugin) { return *static_cast<Tone*>(plugin->plugin_data); }

const b32_param_info kInfos[] = {
    {kLevel, 0, 0.0, 1.0, 0.25, "level", ""},
    {kDelay, B32_PARAM_IS_STEPPED, 0.0, double(kMaxDelay), 0.0, "delay", "frames"},
    {kNotes, B32_PARAM_IS_READ_ONLY, 0.0, 1e9, 0.0, "notes heard", ""},
    {kTempo, B32_PARAM_IS_READ_ONLY, 0.0, 1e4, 0.0, "tempo", "bpm"},
    {kBeats, B32_PARAM_IS_READ_ONLY, -1e12, 1e12, 0.0, "position", "beats"},
};
constexpr uint32_t kParamCount = sizeof kInfos / sizeof kInfos[0];

double* field(Tone& tone, uint32_t id) {
  switch (id) {
    case kLevel: return &tone.level;
    case kDelay: return &tone.delay;
    case kNotes: return &tone.notes;
    case kTempo: return &tone.tempo;
    case kBeats: return &tone.beats;
  }
  return nullptr;
}

uint32_t B32_ABI paramCount(const b32_plugin*) { return kParamCount; }

b32_status B32_ABI paramInfo(const b32_plugin*, uint32_t index, b32_param_info* info) {
  if (index >= kParamCount) return B32_ERROR_INVALID_ARGUMENT;
  *info = kInfos[index];
  return B32_OK;
}

b32_status B32_ABI getParam(const b32_plugin* plugin, uint32_t id, double* value) {
  double* slot = field(self(plugin), id);
  if (!slot) return B32_ERROR_INVALID_ARGUMENT;
  *value = *slot;
  return B32_OK;
}

b32_status B32_ABI setParam(const b32_plugin* plugin, uint32_t id, double value) {
  Tone& tone = self(plugin);
  if (id == kLevel && value >= 0 && value <= 1) {
    tone.level = value;
    return B32_OK;
  }
  if (id == kDelay && value >= 0 && value <= kMaxDelay && value == std::floor(value)) {
    tone.delay = value;
    return B32_OK;
  }
  return B32_ERROR_INVALID_ARGUMENT;
}

const b32_plugin_params kParamsExtension = {paramCount, paramInfo, getParam, setParam};

b32_status B32_ABI activate(const b32_plugin* plugin, double sampleRate, uint32_t) {
  Tone& tone = self(plugin);
  tone.sampleRate = sampleRate;
  tone.note = -1;
  tone.pendingNote = -2;
  tone.active = true;
  return B32_OK;
}

void B32_ABI deactivate(const b32_plugin* plugin) { self(plugin).active = false; }

b32_status B32_ABI process(const b32_plugin* plugin, const b32_process_block* block) {
  Tone& tone = self(plugin);
  if (!tone.active) return B32_ERROR_BAD_STATE;
  uint32_t frames = block->frame_count;
  for (uint32_t f = 0; f < frames; ++f) {
    if (tone.pendingNote != -2 && tone.countdown-- == 0) {
      tone.note = tone.pendingNote;
      tone.pendingNote = -2;
      tone.phase = 0;
    }
    float sample = 0.0f;
    if (tone.note >= 0) {
      double hertz = 440.0 * std::pow(2.0, (tone.note - 69) / 12.0);
      sample = float(tone.level * std::sin(tone.phase));
      tone.phase += kTwoPi * hertz / tone.sampleRate;
    }
    for (uint32_t c = 0; c < block->channel_count; ++c) block->output[c * frames + f] = sample;
  }
  return B32_OK;
}

const b32_plugin_process kProcessExtension = {activate, deactivate, process};

// Events come before the block they belong to: a change is due `frame + delay` frames from the
// block's start. One voice, so only the last change of a block is kept.
void B32_ABI midi(const b32_plugin* plugin, const b32_midi_event* events, uint32_t count) {
  Tone& tone = self(plugin);
  for (uint32_t i = 0; i < count; ++i) {
    uint8_t kind = events[i].data[0] & 0xf0;
    bool on = kind == 0x90 && events[i].data[2] > 0;
    bool off = kind == 0x80 || (kind == 0x90 && events[i].data[2] == 0);
    if (!on && !off) continue;
    if (on) tone.notes += 1;
    tone.pendingNote = on ? events[i].data[1] : -1;
    tone.countdown = events[i].frame + uint64_t(tone.delay);
  }
}

void B32_ABI transport(const b32_plugin* plugin, const b32_transport* transport) {
  Tone& tone = self(plugin);
  tone.tempo = transport->tempo;
  tone.beats = transport->beats;
}

const b32_plugin_events kEventsExtension = {midi, transport};

uint32_t B32_ABI programCount(const b32_plugin*) { return kProgramCount; }

b32_status B32_ABI programName(const b32_plugin*, uint32_t index,
                               char name[B32_PROGRAM_NAME_SIZE]) {
  if (index >= kProgramCount) return B32_ERROR_INVALID_ARGUMENT;
  std::snprintf(name, B32_PROGRAM_NAME_SIZE, "%s", kPrograms[index].name);
  return B32_OK;
}

uint32_t B32_ABI currentProgram(const b32_plugin* plugin) { return self(plugin).program; }

b32_status B32_ABI selectProgram(const b32_plugin* plugin, uint32_t index) {
  if (index >= kProgramCount) return B32_ERROR_INVALID_ARGUMENT;
  Tone& tone = self(plugin);
  tone.program = index;
  tone.level = kPrograms[index].level;
  return B32_OK;
}

const b32_plugin_programs kProgramsExtension = {programCount, programName, currentProgram,
                                                selectProgram};

uint32_t B32_ABI latency(const b32_plugin* plugin) { return uint32_t(self(plugin).delay); }

const b32_plugin_latency kLatencyExtension = {latency};

b32_status B32_ABI init(const b32_plugin*) { return B32_OK; }

void B32_ABI destroy(const b32_plugin* plugin) { delete &self(plugin); }

const void* B32_ABI getExtension(const b32_plugin*, const char* id) {
  if (std::strcmp(id, B32_EXT_PARAMS) == 0) return &kParamsExtension;
  if (std::strcmp(id, B32_EXT_PROCESS) == 0) return &kProcessExtension;
  if (std::strcmp(id, B32_EXT_EVENTS) == 0) return &kEventsExtension;
  if (std::strcmp(id, B32_EXT_PROGRAMS) == 0) return &kProgramsExtension;
  if (std::strcmp(id, B32_EXT_LATENCY) == 0) return &kLatencyExtension;
  return nullptr;
}

}  // namespace

namespace samples {

const b32_plugin_descriptor toneDescriptor = {B32_SDK_VERSION, "com.bridge32.samples.tone", "Tone",
                                              "bridge32 samples", "1.0.0"};

const b32_plugin* createTone(const b32_host* host) {
  auto* tone = new (std::nothrow) Tone{};
  if (!tone) return nullptr;
  tone->host = host;
  tone->plugin = {&toneDescriptor, tone, init, destroy, getExtension};
  return &tone->plugin;
}

}  // namespace samples
