// libFuzzer target: what a surrogate writes in a call lane's shared memory, as the host reads it
// (host64/src/core/call-lane.h, readLaneCallAnswer). The first bytes become the lane's header and
// answer, the rest its data area; meanwhile a second thread keeps rewriting both from the same
// bytes, as a hostile surrogate may while the host reads. The host must come out with an answer
// or an Error, never a crash, hang or undefined behaviour (ASan, UBSan), and never read outside
// the mapping whatever sizes are written.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <thread>

#include "bridge32/error.h"
#include "core/call-lane.h"
#include "library/bridged-library.h"

namespace {

using namespace bridge32;

constexpr size_t kDataBytes = 4096;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A mapping like a lane's: the layout, then the data area, each filled from the input.
  alignas(64) static std::byte memory[lane::kDataOffset + kDataBytes];
  std::memset(memory, 0, sizeof memory);
  std::memcpy(memory, data, std::min(size, sizeof memory));
  auto& layout = *reinterpret_cast<lane::Layout*>(memory);
  std::span<const std::byte> area(memory + lane::kDataOffset, kDataBytes);
  uint32_t sequence = size >= 4 ? uint32_t(data[0]) | uint32_t(data[1]) << 8 : 0;

  std::atomic<bool> reading{true};
  // The surrogate rewriting what the host reads: bytes of the input, byte by byte, at offsets
  // the input chooses (relaxed atomic stores: racing, as another process would, without making
  // the race this program's own undefined behaviour).
  std::thread scribbler([&] {
    for (size_t i = 0; reading.load() && size > 0; ++i) {
      size_t at = (size_t(data[i % size]) * 131 + i * 17) % sizeof memory;
      std::atomic_ref<std::byte>(memory[at]).store(std::byte(data[(i * 7) % size]),
                                                   std::memory_order_relaxed);
      if (i > 100000) break;
    }
  });
  try {
    LaneReading answer = readLaneAnswer(layout, sequence);
    (void)answer;
  } catch (const Error&) {
  }
  try {
    CallResult result = readLaneCallAnswer(area, layout.answerBytes, "fuzzed");
    (void)result;
  } catch (const Error&) {
  }
  reading = false;
  scribbler.join();
  return 0;
}
