// Sizes bridge32 accepts from plugins, applications and the wire. Anything larger is refused
// with an Error that names the limit, on both sides of the pipe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace bridge32::limits {

constexpr uint32_t kMaxChannels = 64;
constexpr uint32_t kMaxFramesPerBlock = 65536;
constexpr uint32_t kMaxMidiEventsPerBlock = 1024;
constexpr size_t kMaxStateBytes = 16u << 20;
constexpr size_t kMaxTextBytes = 64u << 10;  // a path, a log line, an id
// What one module or instance may describe: far beyond any real plugin, and small enough that
// the description fits in one message.
constexpr uint32_t kMaxPluginsPerModule = 4096;
constexpr uint32_t kMaxParams = 65536;
// A process call carries at most 64 * 65536 floats (16 MiB) each way; a message may be a
// little larger than its payload. Cap'n Proto's reader refuses anything beyond this.
constexpr uint64_t kMaxMessageWords = (24u << 20) / 8;
// The string bytes one bridged call by declaration carries in its messages each way (its
// arguments under 4 KiB, which larger ones pass through shared memory; its result and outputs):
// within one message, whole. Longer text is refused naming the value.
constexpr uint64_t kMaxCallTextBytes = 16u << 20;

}  // namespace bridge32::limits
