// bridge32_bench: what a bridged call costs, against a baseline measured in the same run.
//
// For each surrogate architecture:
//   raw ping-pong   the host writes N bytes to the surrogate executable in --echo mode over the
//                   same kind of channel (socketpair / private named pipe) and reads them back
//   bridged call    PluginInstance::param() on the sample gain plugin in that surrogate: the
//                   host API, the bridge's I/O thread, Cap'n Proto RPC and the plugin
//   start + load    starting a surrogate, the handshake and loading the sample module
// Prints means and medians, and the ratio of bridged call to ping-pong.
//
//   bridge32_bench [--iterations N] [--starts N] [--arch x86|x64]...
#include <kj/async-io.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bridge32/host.h"
#include "support.h"
#include "core/surrogate-process.h"

namespace {

using namespace bridge32;
using Clock = std::chrono::steady_clock;

struct Stats {
  double meanUs, medianUs;
};

Stats stats(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  double sum = 0;
  for (double s : samples) sum += s;
  return {sum / samples.size(), samples[samples.size() / 2]};
}

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

}  // namespace

int main(int argc, char** argv) {
  int iterations = 2000, starts = 3;
  std::vector<Architecture> architectures;
  auto usage = [](const std::string& problem) {
    std::fprintf(stderr, "bridge32_bench: %s\nusage: bridge32_bench [--iterations N (>= 10)] "
                         "[--starts N (>= 1)] [--arch x86|x64]...\n", problem.c_str());
    return 2;
  };
  for (int i = 1; i < argc; i += 2) {
    std::string option = argv[i];
    if (i + 1 >= argc) return usage(option + " needs a value");
    std::string value = argv[i + 1];
    int number = std::atoi(value.c_str());
    if (option == "--iterations" && number >= 10) iterations = number;
    else if (option == "--starts" && number >= 1) starts = number;
    else if (option == "--arch" && (value == "x86" || value == "x64"))
      architectures.push_back(value == "x86" ? Architecture::x86 : Architecture::x64);
    else return usage("bad " + option + " '" + value + "'");
  }
  if (architectures.empty()) architectures = {Architecture::x64, Architecture::x86};

  std::printf("bridge32_bench: %d round trips per figure, %d surrogate starts\n\n", iterations, starts);
  std::printf("%-10s %-28s %12s %12s\n", "surrogate", "measure", "mean us", "median us");
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

    std::printf("%-10s %-28s %12.1f %12.1f\n", arch, "raw ping-pong, 8 bytes", raw8.meanUs, raw8.medianUs);
    std::printf("%-10s %-28s %12.1f %12.1f\n", arch, "raw ping-pong, 128 bytes", raw128.meanUs, raw128.medianUs);
    std::printf("%-10s %-28s %12.1f %12.1f\n", arch, "bridged param() call", call.meanUs, call.medianUs);
    std::printf("%-10s %-28s %12.1f %12.1f\n", arch, "start surrogate + load", startup.meanUs, startup.medianUs);
    std::printf("%-10s ratio bridged call / 128-byte ping-pong: %.2fx (median %.2fx)\n\n", arch,
                call.meanUs / raw128.meanUs, call.medianUs / raw128.medianUs);
  }
  return 0;
}
