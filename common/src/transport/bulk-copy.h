// Copies of a call's bulk data (its arrays in, its arrays out) at the machine's memory speed.
// One thread copying megabytes that another core has just written (a surrogate's output), or
// will read next (its input), moves a fraction of what the memory system can: each cache line
// comes alone from the other core's cache or from memory. Two threads copying halves move
// about twice as much (measured here: 8 MB in and out of a surrogate's call, 1.9 ms on one
// thread, 0.8-0.9 ms on two). So a large copy is shared with the helper threads of the process
// that are free at that moment, one per spare hardware thread (at most three), started at the
// first large copy and kept, parked, for the process's life.
#pragma once

#include <cstddef>

namespace bridge32 {

// Copies smaller than this are one memcpy on the calling thread: waking a helper costs more.
inline constexpr size_t kBulkCopyBytes = size_t(1) << 20;

// [any-thread] memcpy(to, from, bytes) for memory that does not overlap; from kBulkCopyBytes up
// shared with the helpers that are free (none free, or a machine of one hardware thread: all of
// it on the calling thread).
void copyBulk(void* to, const void* from, size_t bytes);

}  // namespace bridge32
