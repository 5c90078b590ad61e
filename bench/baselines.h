// The baselines bridge32_bench measures the API against: what is beneath the public API, which
// only baselines.c++ reaches (with bridge32's private headers). Declared here with standard and
// public types alone, so that bench.c++ includes public headers only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>

#include "bridge32/types.h"
#include "stats.h"

namespace bridge32::bench {

// The host writes `bytes` bytes to the surrogate executable of `architecture` in --echo mode over
// the same kind of channel a bridge uses (socketpair / private named pipe) and reads them back.
Stats pingPong(Architecture architecture, size_t bytes, int iterations);

// The floor under every lane call: a request with nothing to do, answered by the surrogate's lane
// thread (Session.openLane), host and surrogate spinning and sleeping as for any call.
Stats shmPingPong(Architecture architecture, int iterations);

// The fixture library's `scale` (n doubles in, n out), loaded raw into this process by the
// system's loader (no bridge32 between caller and callee): `call` stays valid while `library`
// lives. Throws Error(notFound) when the library has no scale().
using ScaleFunction = void (*)(double, const double*, int, double*);
struct RawScale {
  ScaleFunction call = nullptr;
  std::shared_ptr<void> library;
};
RawScale loadRawScale(const std::filesystem::path& library);

// What the C++ API's layer over the C API costs a call: the fixture library at `library` (of this
// process's architecture) loaded in this process, where nothing else is between caller and
// callee, through the C++ API and through what bridge32 makes it of (LoadedLibrary, beneath the
// C API), alternating call by call, `iterations` times: add(2, 40), and scale() of 1000 doubles.
struct LayeredAndBeneath {
  Stats addLayered, addBeneath, scaleLayered, scaleBeneath;
};
LayeredAndBeneath inProcessLayers(const std::filesystem::path& library, int iterations);

// CPU time (user + system) a process has used, in seconds: this one (pid 0), or another by pid;
// -1 when it cannot be read.
double cpuSeconds(uint32_t pid);

}  // namespace bridge32::bench
