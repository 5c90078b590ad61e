// Loads the soft clipper's 32-bit and 64-bit builds, sets its drive, processes a buffer with
// each and checks the results against its own computation, bit for bit.
//   softclip-host PLUGIN_X86 PLUGIN_X64
#include <bridge32/host.h>
#include <bridge32/module-file.h>
#include <bridge32/version.h>

#include <cstdio>
#include <cstring>
#include <vector>

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what);
  if (!ok) ++failures;
}

// What the plugin computes: y = d*x / (1 + |d*x|) in double, rounded to float.
float expected(double drive, float x) {
  double driven = drive * x;
  return float(driven / (1.0 + (driven < 0 ? -driven : driven)));
}

std::vector<float> run(const char* path, bridge32::Architecture architecture) {
  auto file = bridge32::inspectModuleFile(path);
  std::printf("%s: %s\n", path, file.describe().c_str());
  check(file.architecture == architecture, "the module is of the expected architecture");

  auto module = bridge32::PluginModule::load(path);
  bool bridged = architecture == bridge32::Architecture::x86;
  check(module->isBridged() == bridged, bridged ? "loaded in a surrogate" : "loaded in-process");
  check((module->surrogatePid() != 0) == bridged, "a surrogate process exactly when bridged");

  bridge32::HostCallbacks callbacks;
  auto plugin = module->createInstance("org.example.softclip", callbacks);
  check(plugin->param(2) == (bridged ? 32 : 64), "the plugin reports the expected pointer width");
  plugin->setParam(1, 2.5);
  check(plugin->param(1) == 2.5, "the drive reads back as set");

  constexpr uint32_t channels = 2, frames = 256;
  std::vector<float> input(channels * frames), output(input.size());
  for (size_t i = 0; i < input.size(); ++i) input[i] = float(i % 97) / 24.0f - 2.0f;
  plugin->activate(48000, frames);
  plugin->process(channels, frames, input, output);
  bool same = true;
  for (size_t i = 0; i < input.size(); ++i) {
    float want = expected(2.5, input[i]);
    same = same && std::memcmp(&output[i], &want, sizeof want) == 0;
  }
  check(same, "the processed buffer is the expected one, bit for bit");
  return output;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: softclip-host PLUGIN_X86 PLUGIN_X64\n");
    return 2;
  }
  std::printf("bridge32 %s\n", BRIDGE32_VERSION_STRING);
  try {
    auto x86 = run(argv[1], bridge32::Architecture::x86);
    auto x64 = run(argv[2], bridge32::Architecture::x64);
    check(x86 == x64, "both builds give the same output");
  } catch (const bridge32::Error& error) {
    std::printf("FAILED: %s\n", error.what());
    return 1;
  }
  return failures == 0 ? 0 : 1;
}
