// Real VST2 plugins nobody here wrote: Debian's lsp-plugins-vst, its i386 build (genuine ELF32
// files) through the 32-bit surrogate, compared with its x86_64 build loaded in-process: the same
// parameters, the same audio to 1e-4 (x87 and SSE differ in the last bits), and state saved by the
// 32-bit one loading into the 64-bit one. scripts/setup.sh unpacks both builds (Linux only: the
// packages are Linux plugins).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "bridge32/host.h"
#include "bridge32/module-file.h"
#include "harness.h"
#include "support.h"
#include "x11-display.h"

namespace bridge32 {
namespace {

std::filesystem::path lspPlugin(const char* debianArch, const std::string& name) {
  return std::filesystem::path(BRIDGE32_LSP_VST_DIR) / debianArch / "usr/lib/vst/lsp-plugins" /
         (name + ".so");
}

// LSP's plugins find their core library (lsp-plugins-vst2-*.so beside them) by their own code's
// mapping in /proc/self/maps, which user-mode QEMU lists without the x flag: on a machine that
// runs i386 code under QEMU, the i386 builds find none and make no effect ("[ERR] Could not find
// VST core library"). Nothing a bridge can change; there these tests say so and skip.
#define SKIP_IF_LSP_I386_CANNOT_START()                                                          \
  if (test::i386UnderQemu())                                                                     \
  GTEST_SKIP() << "i386 code runs under user-mode QEMU here, where LSP's i386 plugins cannot "   \
                  "find their core library"

// A test signal with some life in it: two tones and a burst, loud enough to make dynamics act.
std::vector<float> signal(uint32_t channels, uint32_t frames, uint32_t block) {
  std::vector<float> samples(size_t(channels) * frames);
  for (uint32_t c = 0; c < channels; ++c) {
    for (uint32_t i = 0; i < frames; ++i) {
      double t = double(block * frames + i) / 48000.0;
      double burst = (block % 4 == 1) ? 0.9 : 0.2;
      samples[c * frames + i] = float(burst * std::sin(2 * M_PI * (220 + 110 * c) * t) +
                                      0.05 * std::sin(2 * M_PI * 5000 * t));
    }
  }
  return samples;
}

struct Lsp {
  std::unique_ptr<PluginModule> module;
  std::unique_ptr<PluginInstance> instance;
};

class LspPlugins : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    SKIP_IF_LSP_I386_CANNOT_START();
    ASSERT_TRUE(std::filesystem::is_directory(BRIDGE32_LSP_VST_DIR))
        << "lsp-plugins-vst is not unpacked at '" << BRIDGE32_LSP_VST_DIR
        << "': scripts/setup.sh linux does it";
  }

  // The i386 build in the shared 32-bit surrogate, or the x86_64 build in this process.
  Lsp load(Architecture architecture) {
    auto path = lspPlugin(architecture == Architecture::x86 ? "i386" : "amd64", GetParam());
    ModuleFile file = inspectModuleFile(path);
    EXPECT_EQ(file.architecture, architecture) << utf8(path);
    EXPECT_EQ(file.format, ModuleFormat::elf) << utf8(path);
    Lsp lsp;
    lsp.module = PluginModule::load(
        path, test::optionsFor(architecture == Architecture::x86 ? test::kSurrogate32
                                                                 : test::kInProcess64));
    EXPECT_EQ(lsp.module->format(), PluginFormat::vst2);
    EXPECT_EQ(lsp.module->isBridged(), architecture == Architecture::x86);
    lsp.instance = lsp.module->createInstance(lsp.module->plugins().at(0).id, quiet_);
    return lsp;
  }

  // Moves up to four continuous parameters (those with a unit: dB, ms, Hz) a tenth of their range
  // from their defaults (switches would round what they are given; far moves may silence the
  // plugin); returns them with the values taken.
  static std::vector<std::pair<uint32_t, double>> moveSome(PluginInstance& instance) {
    const auto& params = instance.params();
    std::vector<std::pair<uint32_t, double>> moved;
    for (size_t i = 1; i < params.size() && moved.size() < 4; ++i) {
      if (params[i].unit.empty()) continue;
      double value = params[i].defaultValue + (params[i].defaultValue > 0.5 ? -0.1 : 0.1);
      instance.setParam(params[i].id, value);
      moved.emplace_back(params[i].id, instance.param(params[i].id));
    }
    return moved;
  }

  HostCallbacks quiet_;
};

TEST_P(LspPlugins, The32BitBuildDescribesItselfAsThe64BitOneDoes) {
  Lsp x86 = load(Architecture::x86), x64 = load(Architecture::x64);
  const PluginDescriptor &a = x86.module->plugins().at(0), &b = x64.module->plugins().at(0);
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.vendor, b.vendor);
  EXPECT_EQ(a.inputs, b.inputs);
  EXPECT_EQ(a.outputs, b.outputs);
  const auto &params32 = x86.instance->params(), &params64 = x64.instance->params();
  ASSERT_EQ(params32.size(), params64.size());
  EXPECT_GT(params32.size(), 5u);
  for (size_t i = 0; i < params32.size(); ++i) {
    EXPECT_FALSE(params32[i].name.empty()) << i;
    EXPECT_EQ(params32[i].name, params64[i].name) << i;
    EXPECT_EQ(params32[i].unit, params64[i].unit) << i;
    EXPECT_NEAR(params32[i].defaultValue, params64[i].defaultValue, 1e-6) << params32[i].name;
  }
  std::printf("[ figures  ] %s: '%s' (%s), %zu parameters, %u in / %u out\n", GetParam(),
              a.name.c_str(), a.id.c_str(), params32.size(), a.inputs, a.outputs);
}

TEST_P(LspPlugins, The32BitBuildProcessesAudioAsThe64BitOneDoesInProcess) {
  Lsp x86 = load(Architecture::x86), x64 = load(Architecture::x64);
  constexpr uint32_t kFrames = 512, kBlocks = 40;
  uint32_t channels = std::max(1u, x64.module->plugins().at(0).outputs);
  for (Lsp* lsp : {&x86, &x64}) lsp->instance->activate(48000, kFrames);
  double largest = 0, changed = 0, loudest = 0;
  for (uint32_t block = 0; block < kBlocks; ++block) {
    auto input = signal(channels, kFrames, block);
    std::vector<float> out32(input.size()), out64(input.size());
    x86.instance->process(channels, kFrames, input, out32);
    x64.instance->process(channels, kFrames, input, out64);
    for (size_t i = 0; i < input.size(); ++i) {
      largest = std::max(largest, double(std::fabs(out32[i] - out64[i])));
      changed = std::max(changed, double(std::fabs(out64[i] - input[i])));
      loudest = std::max(loudest, double(std::fabs(out64[i])));
    }
  }
  std::printf("[ figures  ] %s: %u x %u blocks of %u frames, largest difference %.3g, largest "
              "change by the plugin %.3g, peak out %.3g\n",
              GetParam(), kBlocks, channels, kFrames, largest, changed, loudest);
  EXPECT_LE(largest, 1e-4);
  EXPECT_GT(loudest, 0.05) << "the plugin did not just silence the audio";
  // Dynamics act on this signal as they are; an equalizer is flat until its bands are set.
  if (std::string(GetParam()).find("equalizer") == std::string::npos) {
    EXPECT_GT(changed, 1e-3) << "the plugin did something to the audio";
  }
}

TEST_P(LspPlugins, StateSavedByThe32BitBuildLoadsIntoThe64BitOne) {
  Lsp x86 = load(Architecture::x86), x64 = load(Architecture::x64);
  const auto& params = x86.instance->params();
  auto moved = moveSome(*x86.instance);
  auto state = x86.instance->saveState();
  ASSERT_FALSE(state.empty());
  x64.instance->loadState(state);
  for (auto [id, value] : moved) {
    EXPECT_NEAR(x64.instance->param(id), value, 1e-4) << params[id].name;
  }
  for (const auto& param : params) {
    EXPECT_NEAR(x64.instance->param(param.id), x86.instance->param(param.id), 1e-4) << param.name;
  }
  std::printf("[ figures  ] %s: a state of %zu bytes\n", GetParam(), state.size());
}

INSTANTIATE_TEST_SUITE_P(Debian, LspPlugins,
                         ::testing::Values("compressor-stereo", "para-equalizer-x16-stereo", "expander-stereo",
                                           "limiter-stereo", "gate-mono"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name + "32";
                         });

// A VST2 host bridge32 did not write, Debian's Qtractor (its plugin scanner: a 64-bit process
// that loads a plugin through VSTPluginMain and lists what the effect says), meets the 64-bit shim
// of a 32-bit LSP plugin; then the shim, loaded as a DAW does, processes as the x86_64 build.
TEST(LspThroughTheShim, AVst2HostScansItAndItSoundsAsThe64BitBuild) {
  SKIP_IF_LSP_I386_CANNOT_START();
  ASSERT_TRUE(std::filesystem::exists(BRIDGE32_VST2_SCANNER))
      << "Qtractor's scanner is not at '" << BRIDGE32_VST2_SCANNER << "': scripts/setup.sh linux";
  auto plugin = lspPlugin("i386", "compressor-stereo");
  auto directory = test::outputDir() / "wrapped-lsp";
  auto wrapped = test::runProgram(test::toolPath(),
                                  {"wrap", utf8(plugin), "--output", utf8(directory)});
  ASSERT_EQ(wrapped.exitCode, 0) << wrapped.out << wrapped.err;
  auto shim = directory / "compressor-stereo.so";
  EXPECT_EQ(inspectModuleFile(shim).architecture, Architecture::x64);

  auto scanned = test::runProgram(
      "/bin/sh", {"-c", "echo 'VST2:" + utf8(shim) + "' | '" BRIDGE32_VST2_SCANNER "'"});
  EXPECT_EQ(scanned.exitCode, 0) << scanned.err;
  // type|name|audio in:out|midi in:out|params in:out|features|file|index|unique id
  EXPECT_NE(scanned.out.find("VST|Compressor Stereo|2:2|"), std::string::npos) << scanned.out;
  EXPECT_NE(scanned.out.find("|35:0|"), std::string::npos) << scanned.out;
  EXPECT_NE(scanned.out.find("|0x756e7363"), std::string::npos) << "'unsc'" << scanned.out;
  EXPECT_EQ(scanned.out.rfind("VST|", 0), 0u) << "the shim's log stays out of the host's output: "
                                               << scanned.out;
  std::printf("[ figures  ] Qtractor's scanner on the shim: %s", scanned.out.c_str());

  LoadOptions local = test::optionsFor(test::kInProcess64);
  auto throughShim = PluginModule::load(shim, local);
  auto native = PluginModule::load(lspPlugin("amd64", "compressor-stereo"), local);
  HostCallbacks quiet;
  auto a = throughShim->createInstance("unsc", quiet), b = native->createInstance("unsc", quiet);
  a->activate(48000, 512);
  b->activate(48000, 512);
  double largest = 0;
  for (uint32_t block = 0; block < 20; ++block) {
    auto input = signal(2, 512, block);
    std::vector<float> outA(input.size()), outB(input.size());
    a->process(2, 512, input, outA);
    b->process(2, 512, input, outB);
    for (size_t i = 0; i < input.size(); ++i) {
      largest = std::max(largest, double(std::fabs(outA[i] - outB[i])));
    }
  }
  std::printf("[ figures  ] i386 compressor through the shim against the x86_64 build: largest "
              "difference %.3g\n", largest);
  EXPECT_LE(largest, 1e-4);
}

// The i386 compressor's own editor (LSP's X11 toolkit, drawn with cairo) inside a 64-bit host's
// window under Xvfb: a descendant of the container, made by the surrogate's connection, with
// something drawn. The picture goes to <build>/artifacts/x11-lsp-compressor.png (the README's).
TEST(LspEditor, TheI386CompressorsEditorOpensInsideTheHostsWindow) {
  SKIP_IF_LSP_I386_CANNOT_START();
  test::XvfbDisplay x;
  auto path = lspPlugin("i386", "compressor-stereo");
  ASSERT_EQ(inspectModuleFile(path).architecture, Architecture::x86);
  auto module = PluginModule::load(path, test::optionsFor(test::kSurrogate32));
  HostCallbacks quiet;
  auto compressor = module->createInstance("unsc", quiet);
  ASSERT_TRUE(compressor->hasGui());
  xcb_window_t host = x.createWindow(1000, 640);
  PluginEditor& editor = compressor->openEditor(reinterpret_cast<NativeWindow>(uintptr_t(host)));
  auto container = xcb_window_t(reinterpret_cast<uintptr_t>(editor.container()));
  EXPECT_EQ(x.parentOf(container), host);
  std::printf("[ figures  ] the LSP compressor's editor: %s\n", editor.size().toString().c_str());
  EXPECT_GE(editor.size().width, 200u);
  EXPECT_GE(editor.size().height, 100u);
  EXPECT_EQ(x.sizeOf(container), editor.size());

  std::vector<xcb_window_t> windows;
  ASSERT_TRUE(test::waitUntil([&] { return !(windows = x.childrenOf(container)).empty(); }))
      << "no editor window in the container";
  for (xcb_window_t window : windows) {
    EXPECT_EQ(x.ownerPid(window), module->surrogatePid()) << "window " << window;
  }
  // LSP draws when its effEditIdle comes: wait for more than a background.
  auto picture = test::outputDir() / "artifacts" / "x11-lsp-compressor.png";
  size_t colors = 0;
  EXPECT_TRUE(test::waitUntil([&] { return (colors = x.saveScreenshot(host, picture)) > 50; }))
      << colors << " colours in " << utf8(picture);
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the rest of its first drawing
  x.saveScreenshot(host, picture);
  compressor->closeEditor();
  EXPECT_TRUE(test::waitUntil([&] { return x.childrenOf(host).empty(); }));
}

// `bridge32 run --set` in the unit the plugin shows: -6 dB of input gain on LSP's i386 mono
// compressor, found by asking the plugin, halves what comes out; and run says that the second
// channel of a stereo signal goes unheard.
TEST(LspTool, RunSetsAGainInDecibelsAndSaysWhatAMonoPluginDoesNotTake) {
  SKIP_IF_LSP_I386_CANNOT_START();
  auto plugin = utf8(lspPlugin("i386", "compressor-mono"));
  auto ran = test::runProgram(test::toolPath(), {"run", plugin, "--set", "g_in=-6 dB", "--blocks", "4"});
  ASSERT_EQ(ran.exitCode, 0) << ran.err;
  EXPECT_NE(ran.out.find("shows \"-6.00\""), std::string::npos) << ran.out;
  EXPECT_NE(ran.out.find("input channel 2 is not heard"), std::string::npos) << ran.out;
  EXPECT_NE(ran.out.find("output channel 2 is silent"), std::string::npos) << ran.out;
  size_t at = ran.out.find("(ratio ");
  ASSERT_NE(at, std::string::npos) << ran.out;
  double ratio = std::stod(ran.out.substr(at + 7));
  EXPECT_NEAR(ratio, 0.501, 0.01) << ran.out;  // -6 dB
}

}  // namespace
}  // namespace bridge32
