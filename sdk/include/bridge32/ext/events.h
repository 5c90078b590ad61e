/* bridge32 "events" extension: what a block of audio comes with besides its samples — the MIDI
 * events within it and where the music is at its start. For instruments and for effects that
 * follow the host's tempo. */
#ifndef BRIDGE32_EXT_EVENTS_H
#define BRIDGE32_EXT_EVENTS_H

#include "../sdk.h"

#ifdef __cplusplus
extern "C" {
#endif

#define B32_EXT_EVENTS "bridge32.events/1"

/* A short MIDI message at a frame of the block. */
typedef struct b32_midi_event {
  uint32_t frame;   /* from the block's first frame, below its frame_count */
  uint8_t data[3];  /* status, data 1, data 2 */
  uint8_t reserved;
} b32_midi_event;

#define B32_TRANSPORT_PLAYING (1u << 0)

typedef struct b32_transport {
  uint32_t flags;          /* B32_TRANSPORT_* */
  uint32_t numerator;      /* the time signature, both at least 1 */
  uint32_t denominator;
  uint32_t reserved;
  double tempo;            /* quarter notes per minute, above 0 */
  double beats;            /* the position at the block's first frame, in quarter notes */
  double bar_start_beats;  /* where the bar holding `beats` starts */
} b32_transport;

typedef struct b32_plugin_events {
  /* [audio-thread & active] The MIDI events of the next block, in frame order, called just before
   * its process() (not at all for a block without any). The array lives for the call. */
  void(B32_ABI *midi)(const b32_plugin *plugin, const b32_midi_event *events, uint32_t count);

  /* [audio-thread & active] Where the music is at the next block's start, called just before its
   * process() when the host says (it may not for every block: keep the last). */
  void(B32_ABI *transport)(const b32_plugin *plugin, const b32_transport *transport);
} b32_plugin_events;

B32_STATIC_ASSERT(sizeof(b32_midi_event) == 8, "b32_midi_event layout");
B32_STATIC_ASSERT(sizeof(b32_transport) == 40, "b32_transport layout");
B32_STATIC_ASSERT(offsetof(b32_transport, tempo) == 16, "b32_transport layout");
B32_STATIC_ASSERT(sizeof(b32_plugin_events) == 2 * B32_PTR, "b32_plugin_events layout");

#ifdef __cplusplus
}
#endif

#endif /* BRIDGE32_EXT_EVENTS_H */
