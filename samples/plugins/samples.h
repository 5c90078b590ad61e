// What the sample plugins of the b32-samples module share.
#pragma once

#include <cstring>

#include "bridge32/ext/params.h"
#include "bridge32/ext/process.h"
#include "bridge32/ext/state.h"
#include "bridge32/sdk.h"

namespace samples {

constexpr uint32_t kMaxChannels = 64;

extern const b32_plugin_descriptor gainDescriptor;
extern const b32_plugin_descriptor meterDescriptor;
extern const b32_plugin_descriptor toneDescriptor;
const b32_plugin* createGain(const b32_host* host);
const b32_plugin* createMeter(const b32_host* host);
const b32_plugin* createTone(const b32_host* host);

// Little-endian encoding for state bytes that read the same on any build.
template <typename T>
void putLe(unsigned char* out, T value) {
  unsigned char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));  // x86 and x64 are little-endian already
  std::memcpy(out, bytes, sizeof(T));
}

template <typename T>
T getLe(const unsigned char* in) {
  T value;
  std::memcpy(&value, in, sizeof(T));
  return value;
}

inline bool writeAll(const b32_ostream* stream, const unsigned char* bytes, size_t size) {
  while (size > 0) {
    int64_t written = stream->write(stream, bytes, size);
    if (written <= 0) return false;
    bytes += written;
    size -= size_t(written);
  }
  return true;
}

// Reads until the end of the stream or `capacity`; returns how many bytes were read.
inline size_t readAll(const b32_istream* stream, unsigned char* bytes, size_t capacity) {
  size_t total = 0;
  while (total < capacity) {
    int64_t n = stream->read(stream, bytes + total, capacity - total);
    if (n <= 0) break;
    total += size_t(n);
  }
  return total;
}

}  // namespace samples
