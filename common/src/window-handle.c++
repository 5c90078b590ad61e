#include "window-handle.h"

#include <cstdio>
#include <string>

#include "bridge32/error.h"

namespace bridge32 {

uint32_t windowHandleToWire(uint64_t handle) {
  uint32_t wire = uint32_t(handle);
  if (uint64_t(int64_t(int32_t(wire))) != handle) {
    char text[24];
    std::snprintf(text, sizeof text, "0x%016llx", static_cast<unsigned long long>(handle));
    throw Error(Error::Kind::invalidArgument,
                std::string("window handle ") + text +
                    " is not a window handle: its high 32 bits must repeat bit 31");
  }
  return wire;
}

}  // namespace bridge32
