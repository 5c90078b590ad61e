// bridge32_bench: what a bridged call costs, against a baseline measured in the same run.
//
// For each surrogate architecture:
//   raw ping-pong   the host writes N bytes to the surrogate executable in --echo mode over the
//                   same kind of channel (socketpair / private named pipe) and reads them back
//   bridged call    PluginInstance::param() on the sample gain plugin in that surrogate: the
//                   host API, the bridge's I/O thread, Cap'n Proto RPC and the plugin
//   generic call    Function::call on the fixture library's `int add(int, int)` in that
//                   surrogate, and on `reverse_inplace` with a 64 KiB in/out array
//   start + load    starting a surrogate, the handshake and loading the sample module
// Prints means, medians and 99th percentiles, the ratio of bridged call to ping-pong, and that
// of a generic call to the bridged param() of the same run (issue 10: at most 1.10); --json
// writes the figures for scripts, an array of {"arch", "measure", "median_us", "p99_us",
// "mean_us"}.
//
//   bridge32_bench [--iterations N] [--starts N] [--arch x86|x64]... [--json FILE]
#include <kj/async-io.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bridge32/host.h"
#include "bridge32/library.h"
#include "core/surrogate-process.h"
#include "json-writer.h"
#include "support.h"

namespace {

using namespace bridge32;
using Clock = std::chrono::steady_clock;

struct Stats {
  double meanUs, medianUs, p99Us;
};

Stats stats(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  double sum = 0;
  for (double s : samples) sum += s;
  // The nearest-rank percentile: the smallest sample that 99% of them do not exceed.
  size_t p99 = size_t(std::ceil(0.99 * double(samples.size()))) - 1;
  return {sum / samples.size(), samples[samples.size() / 2], samples[p99]};
}

// One line of the table, and its object in --json.
struct Figure {
  const char* label;
  const char* measure;  // the name scripts know it by
  Stats stats;
};

double microseconds(Clock::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

Stats pingPong(Architecture architecture, size_t bytes, int iterations) {
  auto io = kj::setupAsyncIo();
  SurrogateProcess process(test::surrogatePath(architecture), std::chrono::minutes(3),
                           {"--echo", std::to_string(bytes)});
  auto stream = process.takeChannel(io);
  std::vector<kj::byte> out(bytes, 0x5a), in(bytes);
  std::vector<double> samples;
  for (int i = -iterations / 10; i < iterations; ++i) {  // the first tenth warms up
    auto start = Clock::now();
    stream->write(out.data(), out.size()).wait(io.waitScope);
    stream->read(in.data(), in.size()).wait(io.waitScope);
    if (i >= 0) samples.push_back(microseconds(Clock::now() - start));
  }
  if (std::memcmp(in.data(), out.data(), bytes) != 0) std::fprintf(stderr, "echo mismatch\n");
  stream = nullptr;  // hang up: the echo loop ends at end of file
  process.waitForExit(std::chrono::seconds(10));
  return stats(samples);
}

Stats bridgedCall(PluginInstance& gain, int iterations) {
  std::vector<double> samples;
  volatile double sink = 0;
  for (int i = -iterations / 10; i < iterations; ++i) {
    auto start = Clock::now();
    sink = sink + gain.param(1);
    if (i >= 0) samples.push_back(microseconds(Clock::now() - start));
  }
  return stats(samples);
}

// param() and a generic call, alternating call by call so that the machine's drift (these
// machines are noisy) weighs on both alike: their ratio is the figure that matters.
std::pair<Stats, Stats> alternating(PluginInstance& gain, Function& function,
                                    const std::vector<Value>& arguments, int iterations) {
  std::vector<double> params, generics;
  volatile double sink = 0;
  for (int i = -iterations / 10; i < iterations; ++i) {
    auto start = Clock::now();
    sink = sink + gain.param(1);
    auto middle = Clock::now();
    CallResult result = function.call(arguments);
    auto end = Clock::now();
    if (i >= 0) {
      params.push_back(microseconds(middle - start));
      generics.push_back(microseconds(end - middle));
    }
  }
  return {stats(params), stats(generics)};
}

Stats genericCall(Function& function, const std::vector<Value>& arguments, int iterations) {
  std::vector<double> samples;
  for (int i = -iterations / 10; i < iterations; ++i) {
    auto start = Clock::now();
    CallResult result = function.call(arguments);
    if (i >= 0) samples.push_back(microseconds(Clock::now() - start));
  }
  return stats(samples);
}

}  // namespace

int main(int argc, char** argv) {
  int iterations = 2000, starts = 3;
  std::vector<Architecture> architectures;
  std::string jsonPath;
  auto usage = [](const std::string& problem) {
    std::fprintf(stderr, "bridge32_bench: %s\nusage: bridge32_bench [--iterations N (>= 10)] "
                         "[--starts N (>= 1)] [--arch x86|x64]... [--json FILE]\n", problem.c_str());
    return 2;
  };
  for (int i = 1; i < argc; i += 2) {
    std::string option = argv[i];
    if (i + 1 >= argc) return usage(option + " needs a value");
    std::string value = argv[i + 1];
    int number = std::atoi(value.c_str());
    if (option == "--iterations" && number >= 10) iterations = number;
    else if (option == "--starts" && number >= 1) starts = number;
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
    auto [paramBeside, added] = alternating(*gain, *add, {Value(2), Value(40)}, iterations);
    auto reverse = library->function("void reverse_inplace(_Inout_updates_(n) int32_t* v, int n);");
    constexpr int kElements = 64 * 1024 / 4;
    std::vector<Value> array(kElements);
    for (int i = 0; i < kElements; ++i) array[i] = Value(i);
    Stats reversed = genericCall(*reverse, {Value(array), Value(kElements)},
                                 std::max(10, iterations / 20));

    const Figure figures[] = {
        {"raw ping-pong, 8 bytes", "raw_pipe_pingpong_8", raw8},
        {"raw ping-pong, 128 bytes", "raw_pipe_pingpong", raw128},
        {"bridged param() call", "param", call},
        {"generic call add(int, int)", "generic_add", added},
        {"generic call, 64 KiB in/out", "generic_64k_inout", reversed},
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
    std::printf("%-10s ratio bridged call / 128-byte ping-pong: %.2fx (median %.2fx)\n", arch,
                call.meanUs / raw128.meanUs, call.medianUs / raw128.medianUs);
    std::printf("%-10s ratio generic add / bridged param(), alternating call by call "
                "(param %.1f us, add %.1f us): %.2fx (median %.2fx)\n\n",
                arch, paramBeside.medianUs, added.medianUs, added.meanUs / paramBeside.meanUs,
                added.medianUs / paramBeside.medianUs);
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
