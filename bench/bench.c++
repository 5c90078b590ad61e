// bridge32_bench: what a bridged call costs, against a baseline measured in the same run.
//
// For each surrogate architecture:
//   raw ping-pong   the host writes N bytes to the surrogate executable in --echo mode over the
//                   same kind of channel (socketpair / private named pipe) and reads them back
//   raw shared mem  an empty request through a call lane (Session.openLane): the floor of the
//                   shared-memory path, both sides spinning briefly before they sleep
//   bridged call    PluginInstance::param() on the sample gain plugin in that surrogate: the
//                   host API, the bridge's I/O thread, Cap'n Proto RPC and the plugin
//   process()       the gain plugin's process() of 2x512 and 8x4096 floats, bridged (with the
//                   span API's copies, and in place) and in this process
//   idle CPU        host and surrogate with an activated instance and no calls, for 10 s
//   generic call    Function::call on the fixture library's `int add(int, int)` in that
//                   surrogate, and on `reverse_inplace` with a 64 KiB in/out array, given as
//                   Values and as a TypedArray; and (x86) `add` called as a 64-bit program calls
//                   it, through the wrapper `bridge32 wrap` writes for the library
//   bulk data       the fixture library's `scale` (n doubles in, n out) for n = 1e3 .. 1e7 through
//                   the typed API, against the same C function called raw in this process and a
//                   memcpy of the same bytes, cache-hot and as a bridged call copies them (into
//                   memory another thread reads, out of memory it wrote): the goal of issue 26
//   COM get         (Windows) Scripting.Dictionary's Count through a ComObject in a surrogate of
//                   that architecture, alternating with param(); and paramDisplay(), which
//                   takes the same path (the pipe, the module thread) without COM
//   start + load    starting a surrogate, the handshake and loading the sample module
// Prints means, medians and 99th percentiles and the ratios issue 12 sets targets for, each
// against baselines of the same run; --json writes the figures for scripts, an array of {"arch",
// "measure", "median_us", "p99_us", "mean_us"}, plus {"arch", "measure": "idle_cpu_percent",
// "process": "host"|"surrogate", "percent"}.
//
// This file is a client of bridge32's public API alone; what the API is measured against beneath
// it (the raw ping-pong, the raw call lane, the raw in-process call, LoadedLibrary beneath the C
// API) is baselines.c++'s, the one file that includes private headers.
//
//   bridge32_bench [--iterations N] [--starts N] [--idle-seconds N] [--arch x86|x64]... [--json FILE]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#if _WIN32
#define NOMINMAX 1
#define WIN32_LEAN_AND_MEAN 1
#include <windows.h>
#else
#include <dlfcn.h>
#endif

#include "bridge32/com.h"
#include "bridge32/host.h"
#include "bridge32/library.h"
#include "bridge32/surrogate.h"
#include "baselines.h"
#include "json-writer.h"
#include "shim-target.h"
#include "stats.h"
#include "support.h"

namespace {

using namespace bridge32;
using namespace bridge32::bench;

// One line of the table, and its object in --json.
struct Figure {
  const char* label;
  const char* measure;  // the name scripts know it by
  Stats stats;
};

// process() of channels x frames planar samples, through `instance`'s span API (copies in and
// out of the bridge's buffers included).
Stats processCalls(PluginInstance& instance, uint32_t channels, uint32_t frames, int iterations) {
  std::vector<float> input(size_t(channels) * frames, 0.25f), output(input.size());
  return timed([&] { instance.process(channels, frames, input, output); }, iterations);
}

// The same in place: the application writes into and reads from the bridge's buffers.
Stats processInPlace(PluginInstance& instance, uint32_t channels, uint32_t frames, int iterations) {
  auto buffers = instance.audioBuffers(channels, frames);
  std::fill(buffers.input.begin(), buffers.input.end(), 0.25f);
  return timed([&] { instance.processAudioBuffers(channels, frames); }, iterations);
}

Stats bridgedCall(PluginInstance& gain, int iterations) {
  volatile double sink = 0;
  return timed([&] { sink = sink + gain.param(1); }, iterations);
}

// param() and another call, alternating call by call so that the machine's drift (these
// machines are noisy) weighs on both alike: their ratio is the figure that matters.
template <typename Call>
std::pair<Stats, Stats> alternating(PluginInstance& gain, Call&& call, int iterations) {
  volatile double sink = 0;
  return alternatingPair([&] { sink = sink + gain.param(1); }, call, iterations);
}

Stats genericCall(Function& function, const std::vector<Value>& arguments, int iterations) {
  return timed([&] { CallResult result = function.call(arguments); }, iterations);
}

// Bulk data: the fixture's `scale` (n doubles in, n out) bridged through the typed API, the same
// C function called raw in this process (its x64 build), and one memcpy of the n doubles, each at
// its median over a number of calls that keeps the row to a second or so.
struct BulkRow {
  size_t n;
  Stats bridged, inPlace, raw, copy, twoCopies;
};

// The two copies a typed call makes, timed alone, with another thread in the surrogate's part:
// this thread copies n doubles into a buffer, the other reads them and writes n into a second
// one (scale), and this thread copies those out. Unlike a cache-hot memcpy, the first copy
// writes lines the other core holds (it read them last time), which costs their invalidation
// there; the second reads lines the other core wrote. The floor of a design that copies.
Stats twoCopiesBesideAnotherThread(size_t n, int iterations) {
  std::vector<double> x(n, 1.5), y(n), in(n), out(n);
  std::atomic<int> turn{0};  // 0: this thread's, 1: the other's, 2: done
  std::thread other([&] {
    for (;;) {
      int now;
      while ((now = turn.load(std::memory_order_acquire)) == 0) std::this_thread::yield();
      if (now == 2) return;
      for (size_t i = 0; i < n; ++i) out[i] = 2 * in[i];
      turn.store(0, std::memory_order_release);
    }
  });
  std::vector<double> samples;
  for (int i = -warmUpCalls(iterations); i < iterations; ++i) {
    auto start = Clock::now();
    std::memcpy(in.data(), x.data(), n * sizeof(double));
    auto copiedIn = Clock::now();
    turn.store(1, std::memory_order_release);
    while (turn.load(std::memory_order_acquire) != 0) std::this_thread::yield();
    auto scaled = Clock::now();
    std::memcpy(y.data(), out.data(), n * sizeof(double));
    if (i >= 0) samples.push_back(microseconds(copiedIn - start) + microseconds(Clock::now() - scaled));
  }
  turn.store(2, std::memory_order_release);
  other.join();
  if (y[n - 1] != 3.0) throw Error(Error::Kind::failed, "the copies' baseline computed wrong");
  return stats(samples);
}

std::vector<BulkRow> bulkRows(Library& library, ScaleFunction raw, int iterations) {
  auto scale = library.bind<void(double, std::span<const double>, int, std::vector<double>&)>(
      "void scale(double a, _In_reads_(n) const double* x, int n, _Out_writes_(n) double* y);");
  std::vector<BulkRow> rows;
  for (size_t n : {size_t(1'000), size_t(100'000), size_t(1'000'000), size_t(10'000'000)}) {
    std::vector<double> x(n), y, rawY(n), copied(n);
    for (size_t i = 0; i < n; ++i) x[i] = double(i);
    int calls = int(std::clamp<size_t>(size_t(iterations) * 20000 / n, 10, size_t(iterations)));
    BulkRow row{};
    row.n = n;
    row.bridged = timed([&] { scale(2.0, x, int(n), y); }, calls);
    // In place: x written once into a CallBuffer, y read where the DLL wrote it.
    CallBuffer<double> buffer = library.buffer<double>(n);
    std::copy(x.begin(), x.end(), buffer.data().begin());
    const Value given = buffer.value();
    double last = 0;
    row.inPlace = timed(
        [&] {
          CallResult result = scale.function().call({2.0, given, int(n)});
          last = result.output("y").asTypedArray()->as<double>()[n - 1];
        },
        calls);
    if (last != 2.0 * x[n - 1]) throw Error(Error::Kind::failed, "scale() in place answered wrong");
    row.raw = timed([&] { raw(2.0, x.data(), int(n), rawY.data()); }, calls);
    row.copy = timed([&] { std::memcpy(copied.data(), x.data(), n * sizeof(double)); }, calls);
    row.twoCopies = twoCopiesBesideAnotherThread(n, calls);
    if (y != rawY || copied != x) {
      throw Error(Error::Kind::failed, "the bridged scale() answered other numbers");
    }
    rows.push_back(row);
  }
  return rows;
}

// The VST2 fixture of `architecture` wrapped as `bridge32 wrap` does: the shim copied beside a
// target file naming it. Returns the shim's path.
std::filesystem::path wrapForBench(Architecture architecture) {
  LoadOptions options;
  std::filesystem::path fixture = test::pluginPath(architecture, "b32-vst2-fixture");
  std::filesystem::path surrogates = bridge32::surrogatePath(architecture, options).parent_path();
  std::filesystem::path directory =
      test::outputDir() / ("bench-wrapped-" + std::string(toString(architecture)));
  std::filesystem::path shim =
      test::outputDir() / "bin" / ("bridge32-vst2-shim" + fixture.extension().string());
  return placeShim(shim, {fixture, surrogates}, directory);
}

// The fixture library of `architecture` (x86) wrapped as `bridge32 wrap LIB --header H` does,
// and the wrapper loaded as a program loads it: its `add`, or null where the tool refuses (x64,
// which a 64-bit program loads itself).
using Add = int(int, int);
Add* wrappedAdd(Architecture architecture) {
  if (architecture != Architecture::x86) return nullptr;
  std::filesystem::path library = test::pluginPath(architecture, "b32-library");
  std::filesystem::path headers = std::filesystem::path(BRIDGE32_SOURCE_DIR) / "tests" /
                                  "fixtures" / "headers" / "b32-library";
  std::filesystem::path directory = test::outputDir() / "bench-wrapped-library";
  test::Ran ran = test::runProgram(
      test::toolPath(), {"wrap", utf8(library), "--header", utf8(headers / "b32-library.h"), "-I",
                         utf8(headers / "include"), "-DB32_API=", "--output", utf8(directory)});
  if (ran.exitCode != 0) {
    throw Error(Error::Kind::failed, "bridge32 wrap failed: " + ran.out + ran.err);
  }
  std::filesystem::path wrapper = directory / library.filename();
#if _WIN32
  HMODULE module = LoadLibraryExW(wrapper.c_str(), nullptr, LOAD_WITH_ALTERED_SEARCH_PATH);
  void* add = module ? reinterpret_cast<void*>(GetProcAddress(module, "add")) : nullptr;
#else
  void* module = dlopen(wrapper.c_str(), RTLD_NOW | RTLD_LOCAL);
  void* add = module ? dlsym(module, "add") : nullptr;
#endif
  if (!add) throw Error(Error::Kind::failed, "the wrapper " + utf8(wrapper) + " has no add");
  return reinterpret_cast<Add*>(add);
}

}  // namespace

int main(int argc, char** argv) {
  int iterations = 2000, starts = 3, idleSeconds = 10;
  std::vector<Architecture> architectures;
  std::string jsonPath;
  auto usage = [](const std::string& problem) {
    std::fprintf(stderr, "bridge32_bench: %s\nusage: bridge32_bench [--iterations N (>= 10)] "
                         "[--starts N (>= 1)] [--idle-seconds N] [--arch x86|x64]... [--json FILE]\n", problem.c_str());
    return 2;
  };
  for (int i = 1; i < argc; i += 2) {
    std::string option = argv[i];
    if (i + 1 >= argc) return usage(option + " needs a value");
    std::string value = argv[i + 1];
    int number = std::atoi(value.c_str());
    if (option == "--iterations" && number >= 10) iterations = number;
    else if (option == "--starts" && number >= 1) starts = number;
    else if (option == "--idle-seconds" && number >= 1) idleSeconds = number;
    else if (option == "--json" && !value.empty()) jsonPath = value;
    else if (option == "--arch" && (value == "x86" || value == "x64"))
      architectures.push_back(value == "x86" ? Architecture::x86 : Architecture::x64);
    else return usage("bad " + option + " '" + value + "'");
  }
  if (architectures.empty()) architectures = {Architecture::x64, Architecture::x86};

  std::printf("bridge32_bench: %d round trips per figure, %d surrogate starts\n\n", iterations, starts);
  std::printf("%-10s %-28s %10s %10s %10s\n", "surrogate", "measure", "mean us", "median us",
              "p99 us");
  tool::JsonWriter json;
  json.beginArray();
  for (Architecture architecture : architectures) {
    std::string name(toString(architecture));
    const char* arch = name.c_str();
    Stats raw8 = pingPong(architecture, 8, iterations);
    Stats raw128 = pingPong(architecture, 128, iterations);
    Stats rawShm = shmPingPong(architecture, iterations);

    LoadOptions options;
    options.isolation = Isolation::surrogate;
    options.startTimeout = std::chrono::minutes(3);
    std::vector<double> startSamples;
    std::unique_ptr<PluginModule> module;
    for (int i = 0; i < starts; ++i) {
      module.reset();
      auto start = Clock::now();
      module = PluginModule::load(test::pluginPath(architecture, "b32-samples"), options);
      startSamples.push_back(microseconds(Clock::now() - start));
    }
    HostCallbacks callbacks;
    auto gain = module->createInstance("com.bridge32.samples.gain", callbacks);
    Stats call = bridgedCall(*gain, iterations);
    Stats startup = stats(startSamples);

    auto library = Library::load(test::pluginPath(architecture, "b32-library"), options);
    auto add = library->function("int add(int a, int b);");
    const std::vector<Value> addArguments{Value(2), Value(40)};
    auto [paramBeside, added] =
        alternating(*gain, [&] { add->call(addArguments); }, iterations);
#if _WIN32
    // COM: a property get of Wine's Scripting.Dictionary (late binding, checked against its type
    // information) in a surrogate of this architecture, alternating with param().
    auto dictionaries = ComClass::load("Scripting.Dictionary", architecture, options);
    auto dictionary = dictionaries->create();
    auto [paramBesideCom, comGet] =
        alternating(*gain, [&] { dictionary->get("Count"); }, iterations);
    // The same path without COM: a call that takes the pipe and the module thread (no lane).
    auto [paramBesideDisplay, displayCall] =
        alternating(*gain, [&] { gain->paramDisplay(1); }, iterations);
#endif
    // The same add through the wrapper a 64-bit program would load (x86 only).
    Stats wrapped{};
    if (Add* add = wrappedAdd(architecture)) {
      volatile int sink = 0;
      wrapped = alternating(*gain, [&] { sink = sink + add(2, 40); }, iterations).second;
    }
    auto reverse = library->function("void reverse_inplace(_Inout_updates_(n) int32_t* v, int n);");
    constexpr int kElements = 64 * 1024 / 4;
    std::vector<Value> array(kElements);
    for (int i = 0; i < kElements; ++i) array[i] = Value(i);
    Stats reversed = genericCall(*reverse, {Value(array), Value(kElements)},
                                 std::max(10, iterations / 20));
    // The same numbers as one block of bytes (Value::TypedArray), as the typed API gives them.
    std::vector<int32_t> numbers(kElements);
    for (int i = 0; i < kElements; ++i) numbers[i] = i;
    Stats reversedTyped = genericCall(*reverse, {Value(numbers), Value(kElements)},
                                      std::max(10, iterations / 20));

    RawScale rawScale = loadRawScale(test::pluginPath(Architecture::x64, "b32-library"));
    std::vector<BulkRow> bulk = bulkRows(*library, rawScale.call, iterations);

    // What the C++ API's layer over the C API costs a call: the x64 fixture in this process,
    // through the C++ API and beneath the C API (LoadedLibrary), alternating.
    auto [addLayered, addBeneath, scaleLayered, scaleBeneath] =
        inProcessLayers(test::pluginPath(Architecture::x64, "b32-library"), iterations * 10);

    // process(): the same plugin bridged and in this process.
    gain->activate(48000, 4096);
    Stats small = processCalls(*gain, 2, 512, iterations);
    Stats large = processCalls(*gain, 8, 4096, std::max(10, iterations / 4));
    Stats largeInPlace = processInPlace(*gain, 8, 4096, std::max(10, iterations / 4));
    LoadOptions local;
    local.isolation = Isolation::inProcess;
    auto localModule = PluginModule::load(test::pluginPath(Architecture::x64, "b32-samples"), local);
    auto localGain = localModule->createInstance("com.bridge32.samples.gain", callbacks);
    localGain->activate(48000, 4096);
    Stats largeLocal = processCalls(*localGain, 8, 4096, std::max(10, iterations / 4));

    // VST2: the fixture (raw ABI, processReplacing) of this architecture in a surrogate, through a
    // 64-bit shim loaded in this process as a DAW loads it, and its x64 build in this process.
    auto vst2Module =
        PluginModule::load(test::pluginPath(architecture, "b32-vst2-fixture"), options);
    auto vst2 = vst2Module->createInstance("b32F", callbacks);
    vst2->activate(48000, 512);
    Stats vst2Bridged = processCalls(*vst2, 2, 512, iterations);
    auto shimModule = PluginModule::load(wrapForBench(architecture), local);
    auto shim = shimModule->createInstance("b32F", callbacks);
    shim->activate(48000, 512);
    Stats vst2Shim = processCalls(*shim, 2, 512, iterations);
    auto vst2LocalModule =
        PluginModule::load(test::pluginPath(Architecture::x64, "b32-vst2-fixture"), local);
    auto vst2Local = vst2LocalModule->createInstance("b32F", callbacks);
    vst2Local->activate(48000, 512);
    Stats vst2InProcess = processCalls(*vst2Local, 2, 512, iterations);

    // Idle: an activated instance, nothing called, for idleSeconds.
    uint32_t surrogatePid = module->surrogatePid();
    double hostBefore = cpuSeconds(0), surrogateBefore = cpuSeconds(surrogatePid);
    auto idleStart = Clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(idleSeconds));
    double idleWall = std::chrono::duration<double>(Clock::now() - idleStart).count();
    double hostIdle = 100 * (cpuSeconds(0) - hostBefore) / idleWall;
    double surrogateIdle = 100 * (cpuSeconds(surrogatePid) - surrogateBefore) / idleWall;

    const Figure figures[] = {
        {"raw ping-pong, 8 bytes", "raw_pipe_pingpong_8", raw8},
        {"raw ping-pong, 128 bytes", "raw_pipe_pingpong", raw128},
        {"raw shared-memory ping-pong", "raw_shm_pingpong", rawShm},
        {"bridged param() call", "param", call},
        {"bridged process() 2x512", "process_2x512", small},
        {"bridged process() 8x4096", "process_8x4096", large},
        {"  the same, in place", "process_8x4096_in_place", largeInPlace},
        {"in-process process() 8x4096", "inprocess_process_8x4096", largeLocal},
        {"VST2 process 2x512, bridged", "vst2_process_2x512", vst2Bridged},
        {"  the same, through the shim", "vst2_shim_process_2x512", vst2Shim},
        {"  the same, x64 in-process", "inprocess_vst2_process_2x512", vst2InProcess},
        {"generic call add(int, int)", "generic_add", added},
        {"  the same, through a wrapper", "wrapped_add", wrapped},
        {"generic call, 64 KiB in/out", "generic_64k_inout", reversed},
        {"  the same, as typed numbers", "typed_64k_inout", reversedTyped},
        {"in-process add(), C++ API", "inprocess_add", addLayered},
        {"  the same, beneath the C API", "inprocess_add_beneath", addBeneath},
        {"in-process scale() of 1000", "inprocess_scale_1000", scaleLayered},
        {"  the same, beneath the C API", "inprocess_scale_1000_beneath", scaleBeneath},
#if _WIN32
        {"COM Dictionary.Count get", "com_property_get", comGet},
        {"  paramDisplay() (the pipe)", "param_display", displayCall},
#endif
        {"start surrogate + load", "start_and_load", startup},
    };
    for (const Figure& figure : figures) {
      std::printf("%-10s %-28s %10.1f %10.1f %10.1f\n", arch, figure.label, figure.stats.meanUs,
                  figure.stats.medianUs, figure.stats.p99Us);
      json.beginObject()
          .key("arch").value(arch)
          .key("measure").value(figure.measure)
          .key("median_us").value(figure.stats.medianUs)
          .key("p99_us").value(figure.stats.p99Us)
          .key("mean_us").value(figure.stats.meanUs)
          .endObject();
    }
    for (auto [side, percent] : {std::pair{"host", hostIdle}, std::pair{"surrogate", surrogateIdle}}) {
      std::printf("%-10s idle CPU of the %s over %d s: %.3f%% of a core\n", arch, side,
                  idleSeconds, percent);
      json.beginObject()
          .key("arch").value(arch)
          .key("measure").value("idle_cpu_percent")
          .key("process").value(side)
          .key("percent").value(percent)
          .endObject();
    }
    std::printf("%-10s ratio bridged param() / raw pipe ping-pong: %.2fx median (target <= 1.0x), "
                "%.3fx mean\n", arch, call.medianUs / raw128.medianUs, call.meanUs / raw128.meanUs);
    std::printf("%-10s param() p99 / median: %.1fx (target <= 3x)\n", arch,
                call.p99Us / call.medianUs);
    double budget = (largeLocal.medianUs + raw128.medianUs) * 1.2;
    std::printf("%-10s process() 8x4096 median %.1f us against in-process %.1f + ping-pong %.1f, "
                "+20%% = %.1f us: %.2fx of that (target <= 1.0x); in place %.2fx\n",
                arch, large.medianUs, largeLocal.medianUs, raw128.medianUs, budget,
                large.medianUs / budget, largeInPlace.medianUs / budget);
    std::printf("%-10s VST2 2x512 median: bridged %.1f us, through the 64-bit shim %.1f us, "
                "in-process %.1f us (bridged - in-process: %.1f us; shim - in-process: %.1f us)\n",
                arch, vst2Bridged.medianUs, vst2Shim.medianUs, vst2InProcess.medianUs,
                vst2Bridged.medianUs - vst2InProcess.medianUs,
                vst2Shim.medianUs - vst2InProcess.medianUs);
    std::printf("%-10s ratio raw shared memory / raw pipe ping-pong: %.3fx median\n", arch,
                rawShm.medianUs / raw128.medianUs);
    std::printf("%-10s ratio generic add / bridged param(), alternating call by call "
                "(param %.1f us, add %.1f us): %.2fx (median %.2fx)\n",
                arch, paramBeside.medianUs, added.medianUs, added.meanUs / paramBeside.meanUs,
                added.medianUs / paramBeside.medianUs);
#if _WIN32
    std::printf("%-10s ratio COM property get / bridged param(), alternating call by call "
                "(param %.1f us, COM %.1f us): %.2fx (median %.2fx)\n",
                arch, paramBesideCom.medianUs, comGet.medianUs,
                comGet.meanUs / paramBesideCom.meanUs, comGet.medianUs / paramBesideCom.medianUs);
    std::printf("%-10s ratio COM property get / paramDisplay() (both the pipe and the plugin "
                "thread): %.2fx median\n",
                arch, comGet.medianUs / displayCall.medianUs);
#endif
    for (const BulkRow& row : bulk) {
      std::string n = std::to_string(row.n);
      for (auto [what, figure] : {std::pair{"bulk_scale_bridged", row.bridged},
                                  std::pair{"bulk_scale_in_place", row.inPlace},
                                  std::pair{"bulk_scale_raw", row.raw},
                                  std::pair{"bulk_memcpy", row.copy},
                                  std::pair{"bulk_two_copies_beside_another_thread", row.twoCopies}}) {
        json.beginObject()
            .key("arch").value(arch)
            .key("measure").value(what + ("_" + n))
            .key("median_us").value(figure.medianUs)
            .key("p99_us").value(figure.p99Us)
            .key("mean_us").value(figure.meanUs)
            .endObject();
      }
      // The goal: at most 4x the raw call from 1e5 up, and at most the raw call plus two copies
      // of the data and one lane round trip, +20%: with cache-hot copies, and with the copies
      // as a bridged call must make them (twoCopiesBesideAnotherThread).
      double copies[] = {2 * row.copy.medianUs, row.twoCopies.medianUs};
      auto budget = [&](double copy) { return (row.raw.medianUs + copy + rawShm.medianUs) * 1.2; };
      double gigabytes = 2.0 * double(row.n) * sizeof(double) / 1e9;
      std::printf("%-10s scale() of %9zu doubles in and out: bridged %10.1f us (p99 %.1f, "
                  "%.2f GB/s), raw in-process %9.1f us, memcpy %8.1f us (two copies beside "
                  "another thread: %.1f us): %.2fx raw (target <= 4x from 1e5), %.2fx of raw + 2 "
                  "memcpy + lane round trip +20%% (%.2fx with the copies beside another thread; "
                  "target <= 1.0x); in place %.1f us, %.2fx raw\n",
                  arch, row.n, row.bridged.medianUs, row.bridged.p99Us,
                  gigabytes / (row.bridged.medianUs / 1e6), row.raw.medianUs, row.copy.medianUs,
                  row.twoCopies.medianUs, row.bridged.medianUs / row.raw.medianUs,
                  row.bridged.medianUs / budget(copies[0]), row.bridged.medianUs / budget(copies[1]),
                  row.inPlace.medianUs, row.inPlace.medianUs / row.raw.medianUs);
    }
    std::printf("\n");
  }
  json.endArray();
  if (!jsonPath.empty()) {
    std::FILE* file = std::fopen(jsonPath.c_str(), "wb");
    bool written = file && std::fputs((json.text() + "\n").c_str(), file) >= 0;
    if (file && std::fclose(file) != 0) written = false;
    if (!written) {
      std::fprintf(stderr, "bridge32_bench: cannot write '%s': %s\n", jsonPath.c_str(),
                   std::strerror(errno));
      return 1;
    }
  }
  return 0;
}
