// bridge32_test_host: a host process for tests that need one to kill. Loads MODULE (the Faulty
// sample) in a surrogate, prints "surrogate PID", then makes the plugin sleep inside a call with
// an hour's deadline, so that only the host's death can end the surrogate.
//   bridge32_test_host MODULE
#include <chrono>
#include <cstdio>

#include "bridge32/host.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: bridge32_test_host MODULE\n");
    return 2;
  }
  try {
    bridge32::LoadOptions options;
    options.isolation = bridge32::Isolation::surrogate;
    options.startTimeout = std::chrono::minutes(3);
    auto module = bridge32::PluginModule::load(bridge32::pathFromUtf8(argv[1]), options);
    bridge32::HostCallbacks callbacks;
    auto faulty = module->createInstance("com.bridge32.samples.faulty", callbacks);
    std::printf("surrogate %u\n", module->surrogatePid());
    std::fflush(stdout);
    bridge32::CallDeadline deadline(std::chrono::hours(1));
    faulty->setParam(1, 8);  // Fault::sleep
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bridge32_test_host: %s\n", error.what());
    return 1;
  }
  return 0;
}
