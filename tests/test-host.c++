// bridge32_test_host: a host process for tests that need a whole one, to kill or to watch end.
// Loads MODULE (the Faulty sample) in a surrogate and prints "surrogate PID", then:
//   sleep-in-a-call      (the default) makes the plugin sleep inside a call with an hour's
//                        deadline, so that only the host's death can end the surrogate
//   exit-with-a-static   keeps the instance in a static, leaves the plugin asleep in a call that
//                        passed its deadline (HangPolicy::keepRunning) and calls exit(0): the
//                        instance is destroyed after spdlog's registry, its surrogate not answering
//   hang-killed          a call passes its deadline and its surrogate is killed (which bridge32
//                        logs), then prints "done"
//   hang-killed-logged   the same, with a log handler that prints each record as "log: ..."
//
//   bridge32_test_host MODULE [MODE]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "bridge32/host.h"

namespace {

// Constant-initialized, so destroyed after everything made at run time, spdlog's registry too.
std::unique_ptr<bridge32::PluginModule> gModule;
std::unique_ptr<bridge32::PluginInstance> gFaulty;

constexpr uint32_t kFault = 1, kSleep = 8;

}  // namespace

int main(int argc, char** argv) {
  const char* mode = argc > 2 ? argv[2] : "sleep-in-a-call";
  bool exitWithAStatic = std::strcmp(mode, "exit-with-a-static") == 0;
  bool hangKilled = std::strncmp(mode, "hang-killed", 11) == 0;
  if (argc < 2 || argc > 3 ||
      (!exitWithAStatic && !hangKilled && std::strcmp(mode, "sleep-in-a-call") != 0)) {
    std::fprintf(stderr, "usage: bridge32_test_host MODULE [sleep-in-a-call|exit-with-a-static|"
                         "hang-killed|hang-killed-logged]\n");
    return 2;
  }
  if (std::strcmp(mode, "hang-killed-logged") == 0) {
    bridge32::setLogHandler([](const bridge32::LogRecord& record) {
      std::printf("log: [%.*s] %.*s\n", int(record.source.size()), record.source.data(),
                  int(record.message.size()), record.message.data());
    });
  }
  try {
    bridge32::LoadOptions options;
    options.isolation = bridge32::Isolation::surrogate;
    options.startTimeout = std::chrono::minutes(3);
    if (exitWithAStatic) {
      options.onHang = bridge32::HangPolicy::keepRunning;
      options.callTimeout = std::chrono::seconds(1);
    }
    gModule = bridge32::PluginModule::load(bridge32::pathFromUtf8(argv[1]), options);
    static auto* callbacks = new bridge32::HostCallbacks;  // outlives gFaulty: never destroyed
    gFaulty = gModule->createInstance("com.bridge32.samples.faulty", *callbacks);
    std::printf("surrogate %u\n", gModule->surrogatePid());
    std::fflush(stdout);
    if (hangKilled) {
      try {
        bridge32::CallDeadline deadline(std::chrono::milliseconds(300));
        gFaulty->setParam(kFault, kSleep);
      } catch (const bridge32::Error& error) {
        if (error.kind() != bridge32::Error::Kind::timeout) throw;
      }
      gFaulty.reset();
      gModule.reset();
      std::printf("done\n");
      return 0;
    }
    if (!exitWithAStatic) {
      bridge32::CallDeadline deadline(std::chrono::hours(1));
      gFaulty->setParam(kFault, kSleep);
      return 0;
    }
    try {
      bridge32::CallDeadline deadline(std::chrono::milliseconds(200));
      gFaulty->setParam(kFault, kSleep);
    } catch (const bridge32::Error& error) {
      if (error.kind() != bridge32::Error::Kind::timeout) throw;
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bridge32_test_host: %s\n", error.what());
    return 1;
  }
  std::exit(0);
}
