// Call lanes (transport/call-lane.h), what both platforms share: a block's events in the lane,
// the spin budget, the moves of mappings and doorbells. Each platform's system calls are in
// call-lane-posix.c++ and call-lane-win32.c++.
#include "transport/call-lane.h"

#include <algorithm>
#include <thread>
#include <utility>

#include "bridge32/error.h"
#include "bridge32/limits.h"

namespace bridge32::lane {

static_assert(kMaxLaneMidiEvents == limits::kMaxMidiEventsPerBlock);

void writeBlockEvents(Layout& layout, const ProcessBlock& block, const BlockEvents& events) {
  for (size_t i = 0; i < events.midi.size(); ++i) {
    const MidiEvent& event = events.midi[i];
    block.midi[i] = {event.frame, {event.bytes[0], event.bytes[1], event.bytes[2]}, 0};
  }
  layout.midiEvents = uint32_t(events.midi.size());
  layout.hasTransport = events.transport != nullptr;
  if (const Transport* transport = events.transport) {
    *block.transport = {transport->playing,    transport->numerator, transport->denominator, 0,
                        transport->tempo,      transport->beats,     transport->barStartBeats};
  }
}

BlockEvents readBlockEvents(const Layout& layout, const ProcessBlock& block,
                            std::span<MidiEvent> room, Transport& transport) {
  uint32_t count = layout.midiEvents;
  if (count > block.midi.size() || count > room.size()) {
    throw Error(Error::Kind::invalidArgument,
                std::to_string(count) + " MIDI events in one block; a lane holds at most " +
                    std::to_string(block.midi.size()));
  }
  for (uint32_t i = 0; i < count; ++i) {
    const LaneMidiEvent& event = block.midi[i];
    room[i] = {event.frame, {event.bytes[0], event.bytes[1], event.bytes[2]}};
  }
  const LaneTransport& given = *block.transport;
  transport = {given.playing != 0,  given.tempo,     given.beats,
               given.barStartBeats, given.numerator, given.denominator};
  return {room.first(count), layout.hasTransport ? &transport : nullptr};
}

SpinBudget::SpinBudget()
    : budget_(kStart), enabled_(std::thread::hardware_concurrency() > 1) {
  if (!enabled_) budget_ = std::chrono::nanoseconds(0);
}

void SpinBudget::waited(std::chrono::nanoseconds total) {
  if (!enabled_) return;
  if (total <= kMax) {
    // Spinning twice as long as this wait would have caught it.
    budget_ = std::clamp(total * 2, kMin, kMax);
  } else {
    budget_ = std::max(kMin, budget_ / 2);
  }
}

}  // namespace bridge32::lane

namespace bridge32 {

SharedMapping::~SharedMapping() { reset(); }

SharedMapping::SharedMapping(SharedMapping&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      handle_(std::exchange(other.handle_, -1)) {}

SharedMapping& SharedMapping::operator=(SharedMapping&& other) noexcept {
  if (this != &other) {
    reset();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    handle_ = std::exchange(other.handle_, -1);
  }
  return *this;
}

Doorbell Doorbell::adopt(intptr_t handle) {
  Doorbell bell;
  bell.handle_ = handle;
  return bell;
}

Doorbell::Doorbell(Doorbell&& other) noexcept : handle_(std::exchange(other.handle_, -1)) {}

Doorbell& Doorbell::operator=(Doorbell&& other) noexcept {
  if (this != &other) {
    Doorbell gone(std::move(*this));
    handle_ = std::exchange(other.handle_, -1);
  }
  return *this;
}

}  // namespace bridge32
