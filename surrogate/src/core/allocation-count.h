// Heap allocations made by the calling thread, counted by the replacement operator new of the
// programs that link this (the surrogate, and the tests that check the real-time path with it).
// A lane's answer reports those its serving thread made for the call: the process path must make
// none.
#pragma once

#include <cstdint>

namespace bridge32 {

// [any-thread] This thread's count so far.
uint64_t allocationsOnThisThread();

}  // namespace bridge32
