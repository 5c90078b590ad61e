// A call lane: a mailbox in shared memory through which one host thread and one surrogate thread
// exchange one call at a time, beside the pipe and without it.
//
// The pipe costs two kernel wake-ups per message (the writer's send, the reader's wake-up), and
// an RPC call over it four (the caller hands the call to the bridge's I/O thread and back). A lane
// costs none while both sides are busy: the host writes a request and flips `state`, the surrogate
// thread that serves the lane (spinning briefly after its last call) sees it, runs it, writes the
// answer and flips `state` back, and the host (spinning briefly) sees that. Only a side that finds
// nothing within its spin budget sleeps in the kernel, after saying so in the mapping, and only
// then does the other side pay a system call to wake it. An idle lane uses no CPU.
//
// The mapping holds nothing pointer-sized and is laid out the same in 32- and 64-bit builds
// (static assertions below, compiled into both). The host creates it and writes its header; the
// surrogate checks the header before it uses anything in it. Every value the host reads back is
// the surrogate's to corrupt: the host copies each once and checks it before use.
//
// Who sleeps on what:
//   surrogate thread waiting for a request: the lane's Doorbell (an eventfd on Linux, an event on
//     Windows), which the host rings; the surrogate's module thread watches it from its event loop
//   host thread waiting for the answer: `clientBell` (a futex on Linux) or an event (Windows)
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#if defined(__i386__) || defined(__x86_64__) || defined(_M_IX86) || defined(_M_X64)
#include <immintrin.h>  // _mm_pause
#endif

#include "bridge32/types.h"

namespace bridge32::lane {

inline constexpr uint32_t kMagic = 0x6c323362;  // "b32l"
inline constexpr uint32_t kVersion = 2;  // 2: process blocks carry MIDI and the transport
inline constexpr uint32_t kMessageBytes = 1024;
inline constexpr uint32_t kDataAlignment = 64;

// Who may write next: the host in idle and answer, the surrogate in request.
enum class State : uint32_t { idle = 0, request = 1, answer = 2 };

// What a request asks. Numbers are the protocol's: new ones are added, none reused.
enum class Op : uint32_t {
  none = 0,
  getParam = 1,  // id -> answerValue
  setParam = 2,  // id, value
  process = 3,   // channels x frames of input at data[0], output written after it, then the
                 // block's events (processBlock)
  callFunction = 4,  // a library function: a LaneCall message (library.capnp) of requestBytes at
                     // data[0]; the LaneAnswer of answerBytes written over it
};

// The start of a lane's mapping. Offsets are fixed and every field sits at a multiple of its own
// size, so Linux i386 (which aligns 8-byte members to 4) lays it out as everyone else does.
struct Layout {
  // Written by the host before the lane is handed over; read-only afterwards.
  uint32_t magic;
  uint32_t version;
  uint32_t layoutBytes;   // sizeof(Layout) of the host that made it
  uint32_t dataOffset;    // where the data area starts, a multiple of kDataAlignment
  uint64_t mappingBytes;  // the whole mapping
  uint64_t dataBytes;     // the data area's size
  uint32_t reserved0[8];

  // The exchange, on a cache line of its own.
  std::atomic<uint32_t> state;           // State
  std::atomic<uint32_t> clientSleeping;  // 1 while the host's caller sleeps on clientBell
  std::atomic<uint32_t> serverSleeping;  // 1 while the surrogate's server sleeps on its doorbell
  std::atomic<uint32_t> clientBell;      // bumped by every answer: the futex the host sleeps on
  uint32_t reserved1[12];

  // The request: written by the host while the state is not `request`.
  uint32_t sequence;       // numbers the host's calls; the answer repeats it
  uint32_t op;             // Op
  uint32_t id;             // a parameter id
  uint32_t channels;       // process: channels x frames planar samples
  double value;            // setParam's value
  uint32_t frames;
  int32_t schedulingPolicy;    // the calling thread's (Linux: SCHED_*; Windows: 0)
  int32_t schedulingPriority;  // its priority (Linux: sched_priority; Windows: GetThreadPriority)
  uint32_t requestBytes;       // callFunction: the request message's size
  uint32_t midiEvents;         // process: how many MIDI events go with the block
  uint32_t hasTransport;       // process: 1 when the block's transport is there
  uint32_t reserved2[6];

  // The answer: written by the surrogate while the state is `request`.
  uint32_t answerSequence;
  uint32_t errorKind;      // 0: none; else the protocol's Error.Kind + 1, the message below
  double answerValue;      // getParam's value
  uint64_t saidThrough;    // the surrogate's count of host events queued up to the answer
  uint32_t said;           // 1: the plugin said something to the host during this call
  uint32_t allocations;    // heap allocations the serving thread made for the call (diagnostics)
  uint32_t messageBytes;   // of message
  uint32_t answerBytes;    // callFunction: the answer message's size
  uint32_t reserved3[2];
  char message[kMessageBytes];
};

static_assert(sizeof(std::atomic<uint32_t>) == 4 && std::atomic<uint32_t>::is_always_lock_free,
              "the lane's atomics must be plain lock-free words, the same in both processes");
static_assert(offsetof(Layout, mappingBytes) == 16, "lane layout");
static_assert(offsetof(Layout, state) == 64, "lane layout");
static_assert(offsetof(Layout, sequence) == 128, "lane layout");
static_assert(offsetof(Layout, value) == 144, "lane layout");
static_assert(offsetof(Layout, frames) == 152, "lane layout");
static_assert(offsetof(Layout, answerSequence) == 200, "lane layout");
static_assert(offsetof(Layout, answerValue) == 208, "lane layout");
static_assert(offsetof(Layout, saidThrough) == 216, "lane layout");
static_assert(offsetof(Layout, requestBytes) == 164, "lane layout");
static_assert(offsetof(Layout, answerBytes) == 236, "lane layout");
static_assert(offsetof(Layout, hasTransport) == 172, "lane layout");
static_assert(offsetof(Layout, message) == 248, "lane layout");
static_assert(sizeof(Layout) == 248 + kMessageBytes, "lane layout");

// Where the data area starts, and the size of a mapping with `dataBytes` of data.
inline constexpr uint32_t kDataOffset =
    (sizeof(Layout) + kDataAlignment - 1) / kDataAlignment * kDataAlignment;
inline constexpr uint64_t mappingBytes(uint64_t dataBytes) { return kDataOffset + dataBytes; }

// What goes with a process block besides its samples, laid out the same in every build.
struct LaneTransport {
  uint32_t playing;
  uint32_t numerator, denominator;
  uint32_t reserved;
  double tempo, beats, barStartBeats;
};
struct LaneMidiEvent {
  uint32_t frame;
  uint8_t bytes[3];
  uint8_t reserved;
};
static_assert(sizeof(LaneTransport) == 40 && offsetof(LaneTransport, tempo) == 16, "lane layout");
static_assert(sizeof(LaneMidiEvent) == 8, "lane layout");
inline constexpr uint32_t kMaxLaneMidiEvents = 1024;  // limits::kMaxMidiEventsPerBlock

// Process blocks: the input first, the output after it, each channels x frames floats; then, at
// the next multiple of 8, the transport and room for kMaxLaneMidiEvents events.
inline constexpr uint64_t eventsOffset(uint32_t channels, uint32_t frames) {
  return (2 * uint64_t(channels) * frames * sizeof(float) + 7) / 8 * 8;
}
inline constexpr uint64_t processBytes(uint32_t channels, uint32_t frames) {
  return eventsOffset(channels, frames) + sizeof(LaneTransport) +
         kMaxLaneMidiEvents * sizeof(LaneMidiEvent);
}

// A block's places in a lane's data area, which must hold processBytes() of it.
struct ProcessBlock {
  std::span<float> input, output;
  LaneTransport* transport;
  std::span<LaneMidiEvent> midi;  // room for kMaxLaneMidiEvents; Layout::midiEvents are used
};
inline ProcessBlock processBlock(std::span<std::byte> data, uint32_t channels, uint32_t frames) {
  size_t samples = size_t(channels) * frames;
  auto* floats = reinterpret_cast<float*>(data.data());
  std::byte* events = data.data() + eventsOffset(channels, frames);
  return {{floats, samples},
          {floats + samples, samples},
          reinterpret_cast<LaneTransport*>(events),
          {reinterpret_cast<LaneMidiEvent*>(events + sizeof(LaneTransport)), kMaxLaneMidiEvents}};
}

// [audio-thread] A process request's events into `block` and `layout` (the host's side), and back
// out (the surrogate's): the MIDI events copied into `room` (at least kMaxLaneMidiEvents), the
// transport into `transport`, once each, as the surrogate may not trust the memory to stay put.
// Neither allocates; reading throws Error(invalidArgument) for a count past the lane's room.
// `events` must hold at most kMaxLaneMidiEvents (checkBlockEvents).
void writeBlockEvents(Layout& layout, const ProcessBlock& block, const BlockEvents& events);
BlockEvents readBlockEvents(const Layout& layout, const ProcessBlock& block,
                            std::span<MidiEvent> room, Transport& transport);

// How long a waiting side spins before it sleeps: learnt from how long its waits took, spun or
// slept, so back-to-back calls never reach the kernel, a long wait (the host's next audio block,
// an idle bridge) stops burning a core, and a machine with one core never spins at all. Learning
// from slept waits too matters: under Wine a wake-up costs ~100 us, and a budget that only grew
// when spinning had paid would shrink once and never recover.
class SpinBudget {
 public:
  SpinBudget();

  std::chrono::nanoseconds budget() const { return budget_; }
  // A wait ended after `total`, spinning and sleeping included.
  void waited(std::chrono::nanoseconds total);

  // kMin covers the time a caller takes between back-to-back calls even under Wine, where a
  // clock read is a system call and a missed call costs a ~100 us wake-up.
  static constexpr std::chrono::nanoseconds kMin{20'000}, kStart{50'000}, kMax{400'000};

 private:
  std::chrono::nanoseconds budget_;
  bool enabled_;
};

// Spins until `ready()` or `budget` has passed; true if ready.
template <typename Ready>
bool spinUntil(Ready&& ready, std::chrono::nanoseconds budget) {
  if (ready()) return true;
  if (budget.count() <= 0) return false;
  auto end = std::chrono::steady_clock::now() + budget;
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (ready()) return true;
#if defined(__i386__) || defined(__x86_64__) || defined(_M_IX86) || defined(_M_X64)
      _mm_pause();  // GCC, Clang and MSVC alike
#endif
    }
    if (std::chrono::steady_clock::now() >= end) return ready();
  }
}

// A thread sleeping on a word of the mapping (Linux: a futex; it may be in another process) until
// its value differs from `seen` or `timeout` passes. False on timeout. Spurious returns happen.
bool sleepOnWord(std::atomic<uint32_t>& word, uint32_t seen, std::chrono::nanoseconds timeout);
// Wakes the threads sleeping on `word`, in any process.
void wakeWord(std::atomic<uint32_t>& word);

}  // namespace bridge32::lane

namespace bridge32 {

// A shared memory mapping that either process can hand to the other: a memfd on Linux, a
// paging-file-backed file mapping on Windows. Move-only; unmapped and closed on destruction.
class SharedMapping {
 public:
  SharedMapping() = default;
  // A new zero-filled mapping of `bytes`; `name` says what for in errors. Throws Error(failed).
  static SharedMapping create(uint64_t bytes, const char* name);
  // Maps what another process created, taking ownership of `handle` (a file descriptor on Linux,
  // a HANDLE on Windows, as an integer). Throws Error(failed) when it cannot be mapped at `bytes`.
  static SharedMapping adopt(intptr_t handle, uint64_t bytes);
  ~SharedMapping();
  SharedMapping(SharedMapping&& other) noexcept;
  SharedMapping& operator=(SharedMapping&& other) noexcept;
  SharedMapping(const SharedMapping&) = delete;
  SharedMapping& operator=(const SharedMapping&) = delete;

  std::byte* data() const { return data_; }
  uint64_t size() const { return size_; }
  // The fd or HANDLE, still owned by this mapping.
  intptr_t handle() const { return handle_; }
  explicit operator bool() const { return data_ != nullptr; }

 private:
  void reset();
  std::byte* data_ = nullptr;
  uint64_t size_ = 0;
  intptr_t handle_ = -1;
};

// What a lane's server sleeps on and its client rings: an eventfd (Linux) or an auto-reset event
// (Windows), either of which another process can hold. Move-only.
class Doorbell {
 public:
  Doorbell() = default;
  static Doorbell create();  // throws Error(failed)
  static Doorbell adopt(intptr_t handle);
  ~Doorbell();
  Doorbell(Doorbell&& other) noexcept;
  Doorbell& operator=(Doorbell&& other) noexcept;
  Doorbell(const Doorbell&) = delete;
  Doorbell& operator=(const Doorbell&) = delete;

  void ring() const;
  // Waits until rung or `timeout` passes; true if rung. Clears the ring.
  bool wait(std::chrono::milliseconds timeout) const;
  // Clears a ring without waiting (Linux: reads the eventfd; Windows: auto-reset does it).
  void clear() const;
  intptr_t handle() const { return handle_; }
  explicit operator bool() const { return handle_ != -1; }

 private:
  intptr_t handle_ = -1;
};

}  // namespace bridge32
