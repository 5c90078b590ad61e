// Window handles across the pipe between processes of different bitness.
//
// 64-bit Windows keeps window handles 32 bits wide so that 32-bit and 64-bit processes can
// share windows: only the low 32 bits of an HWND are significant, and a 64-bit HWND is the sign
// extension of its low 32 bits. So the wire carries the low 32 bits, and the receiver
// sign-extends them to its pointer width. Both sides use these two functions and nothing else.
#pragma once

#include <cstdint>

namespace bridge32 {

// The wire form of `handle`: its low 32 bits. Throws Error(invalidArgument) for a value whose
// high 32 bits are not the sign extension of the low 32, which no window handle has.
uint32_t windowHandleToWire(uint64_t handle);

// The handle for this process: `wire` sign-extended to the width of a pointer.
constexpr uintptr_t windowHandleFromWire(uint32_t wire) {
  return uintptr_t(intptr_t(int32_t(wire)));
}

}  // namespace bridge32
