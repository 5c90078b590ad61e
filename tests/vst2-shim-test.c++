// The 64-bit VST2 shim, as a host that has never heard of bridge32 meets it: `bridge32 wrap`
// makes one for the genuine 32-bit VST2 fixture, and this 64-bit test loads the shim in-process
// through its VST2 entry point, exactly as a DAW does (with bridge32's own VST2 host code, the
// same a surrogate uses). Through it: the plugin's description, parameters, audio with MIDI and
// the transport, state, and a crash of the real plugin, which the host never sees: the shim goes
// silent and comes back by itself with the plugin's state.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "bridge32/host.h"
#include "bridge32/module-file.h"
#include "harness.h"
#include "dynamic-library.h"
#include "support.h"
#include "vst2/vst2-abi.h"

#if _WIN32
#include "win32.h"
#else
#include <unistd.h>

#include "x11-display.h"
#endif

namespace bridge32 {
namespace {

using Clock = std::chrono::steady_clock;
using test::expectError;

constexpr uint32_t kGain = 0, kCrash = 3, kNotes = 7, kTempo = 8;


// The 32-bit fixture wrapped by `bridge32 wrap` into a directory of its own: the shim's path.
// Wrapped once: Windows keeps a DLL that was loaded from being overwritten while any of it is
// still mapped, and the shim's threads may outlive a test briefly.
std::filesystem::path wrap() {
  auto fixture = test::pluginPath(Architecture::x86, "b32-vst2-fixture");
  EXPECT_EQ(inspectModuleFile(fixture).architecture, Architecture::x86);
  auto directory = test::outputDir() / "wrapped";
  auto ran = test::runProgram(test::toolPath(), {"wrap", utf8(fixture), "--output", utf8(directory)});
  EXPECT_EQ(ran.exitCode, 0) << ran.out << ran.err;
  EXPECT_NE(ran.out.find("VST2 plugin \"bridge32 VST2 fixture\" (b32F), x86"), std::string::npos)
      << ran.out;
  auto shim = directory / fixture.filename();
  ModuleFile file = inspectModuleFile(shim);
  EXPECT_EQ(file.architecture, Architecture::x64) << "the shim is a 64-bit plugin";
  return shim;
}

// `bridge32 wrap` into the plugin's own directory would put the shim over the plugin: refused.
TEST(Vst2Shim, WrapRefusesToReplaceThePluginItself) {
  auto fixture = test::pluginPath(Architecture::x86, "b32-vst2-fixture");
  auto before = std::filesystem::file_size(fixture);
  auto ran = test::runProgram(test::toolPath(), {"wrap", utf8(fixture), "--output",
                                                 utf8(fixture.parent_path())});
  EXPECT_EQ(ran.exitCode, 1) << ran.out << ran.err;
  EXPECT_NE(ran.err.find("the shim would replace '" + utf8(fixture) + "' itself"),
            std::string::npos)
      << ran.err;
  EXPECT_EQ(std::filesystem::file_size(fixture), before);
  EXPECT_EQ(inspectModuleFile(fixture).architecture, Architecture::x86) << "the plugin is intact";
}

std::filesystem::path wrappedFixture() {
  static const std::filesystem::path shim = wrap();
  return shim;
}

std::unique_ptr<PluginModule> loadShim() {
  LoadOptions options = test::baseOptions();
  options.isolation = Isolation::inProcess;  // as a DAW loads any plugin
  return PluginModule::load(wrappedFixture(), options);
}

// The shim as a DAW meets it through the raw ABI: its entry point and its effect, nothing of
// bridge32's API. Open from construction to destruction.
class RawHost {
 public:
  RawHost() : library_(wrappedFixture()) {
    auto entry = reinterpret_cast<b32_vst_entry>(library_.symbol("VSTPluginMain"));
    EXPECT_NE(entry, nullptr);
    effect_ = entry ? entry(&callback) : nullptr;
    EXPECT_NE(effect_, nullptr);
    if (effect_) {
      EXPECT_EQ(effect_->magic, B32_VST_MAGIC);
      dispatch(B32_VST_EFF_OPEN);
    }
  }
  ~RawHost() {
    if (effect_) dispatch(B32_VST_EFF_CLOSE);
  }
  RawHost(const RawHost&) = delete;
  RawHost& operator=(const RawHost&) = delete;

  b32_vst_effect* effect() const { return effect_; }
  b32_vst_intptr dispatch(int32_t opcode, b32_vst_intptr value = 0, void* ptr = nullptr,
                          float opt = 0.0f) {
    return effect_->dispatcher(effect_, opcode, 0, value, ptr, opt);
  }

 private:
  static b32_vst_intptr B32_VST_CALL callback(b32_vst_effect*, int32_t opcode, int32_t,
                                              b32_vst_intptr, void*, float) {
    return opcode == B32_VST_MASTER_VERSION ? 2400 : 0;
  }

  DynamicLibrary library_;
  b32_vst_effect* effect_ = nullptr;
};

// A host that processes in double precision gets the plugin's (single-precision) output.
TEST(Vst2Shim, AHostProcessingDoublesGetsThePluginsOutput) {
  RawHost host;
  b32_vst_effect* effect = host.effect();
  ASSERT_NE(effect, nullptr);
  ASSERT_NE(effect->flags & B32_VST_FLAG_CAN_DOUBLE_REPLACING, 0);
  host.dispatch(B32_VST_EFF_SET_SAMPLE_RATE, 0, nullptr, 48000.0f);
  host.dispatch(B32_VST_EFF_SET_BLOCK_SIZE, 256);
  host.dispatch(B32_VST_EFF_MAINS_CHANGED, 1);
  effect->set_parameter(effect, int32_t(kGain), 0.25f);  // the fixture: output = input * 0.5
  std::vector<double> left(256), right(256), outLeft(256, 9.0), outRight(256, 9.0);
  for (size_t i = 0; i < 256; ++i) {
    left[i] = double(i) / 256.0 - 0.5;
    right[i] = 0.25 - double(i) / 512.0;
  }
  double* inputs[] = {left.data(), right.data()};
  double* outputs[] = {outLeft.data(), outRight.data()};
  effect->process_double_replacing(effect, inputs, outputs, 256);
  for (size_t i = 0; i < 256; ++i) {
    ASSERT_EQ(outLeft[i], double(float(left[i]) * 0.5f)) << i;
    ASSERT_EQ(outRight[i], double(float(right[i]) * 0.5f)) << i;
  }
  host.dispatch(B32_VST_EFF_MAINS_CHANGED, 0);
}

TEST(Vst2Shim, AHostLoadsItAsAny64BitVst2PluginAndGetsThe32BitPlugin) {
  auto module = loadShim();
  EXPECT_FALSE(module->isBridged());
  EXPECT_EQ(module->format(), PluginFormat::vst2);
  ASSERT_EQ(module->plugins().size(), 1u);
  EXPECT_EQ(module->plugins()[0].id, "b32F");
  EXPECT_EQ(module->plugins()[0].name, "bridge32 VST2 fixture");
  EXPECT_EQ(module->plugins()[0].inputs, 2u);

  HostCallbacks quiet;
  auto instance = module->createInstance("b32F", quiet);
  ASSERT_EQ(instance->params().size(), 9u);
  EXPECT_EQ(instance->params()[kGain].name, "Gain");
  EXPECT_EQ(instance->params()[kGain].unit, "dB");
  EXPECT_EQ(instance->programNames(), (std::vector<std::string>{"Unity", "Quiet", "Loud"}));
  EXPECT_EQ(instance->latency(), 32u);

  instance->setParam(kGain, 0.25);
  EXPECT_EQ(instance->param(kGain), 0.25);
  instance->activate(48000, 256);
  std::vector<float> input(512), output(512);
  for (size_t i = 0; i < input.size(); ++i) input[i] = 0.001f * float(i % 100);
  MidiEvent note[] = {{64, {0x90, 60, 100}}};
  Transport transport;
  transport.playing = true;
  transport.tempo = 111;
  instance->process(2, 256, input, output, {note, &transport});
  EXPECT_EQ(output[1], input[1] * 0.5f);
  EXPECT_EQ(output[64], input[64] * 0.5f + 1.0f) << "the note's click, at its frame";
  EXPECT_EQ(output[256 + 64], input[256 + 64] * 0.5f);
  EXPECT_NEAR(instance->param(kNotes), 0.01, 1e-6);
  EXPECT_NEAR(instance->param(kTempo), 0.111, 1e-6) << "the host's tempo reached the plugin";

  auto state = instance->saveState();
  EXPECT_EQ(std::string(state.begin(), state.end()), "b32fix gain=0.250000 pan=0.500000 program=0");
  auto other = module->createInstance("b32F", quiet);
  other->loadState(state);
  EXPECT_EQ(other->param(kGain), 0.25);
}

TEST(Vst2Shim, WhenThe32BitPluginCrashesTheHostHearsSilenceThenThePluginAgain) {
  auto module = loadShim();
  test::RecordingCallbacks callbacks;
  auto instance = module->createInstance("b32F", callbacks);
  instance->setParam(kGain, 0.375);
  instance->saveState();  // a host saves its project; the shim's restart restores the same
  instance->activate(48000, 128);
  std::vector<float> input(256, 0.5f), output(256, 9.0f);
  instance->process(2, 128, input, output);
  EXPECT_EQ(output[10], 0.375f);

  instance->setParam(kCrash, 1);
  auto crashed = Clock::now();
  instance->process(2, 128, input, output);  // the plugin dies in this block: no exception here
  for (float sample : output) ASSERT_EQ(sample, 0.0f) << "silence while the plugin is gone";
  EXPECT_TRUE(instance->isRunning()) << "the shim itself is fine: it is in this process";

  // The shim restarts the plugin by itself; its blocks are silent until then.
  bool back = false;
  while (!back && Clock::now() - crashed < std::chrono::seconds(60)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    instance->process(2, 128, input, output);
    back = output[10] != 0.0f;
  }
  ASSERT_TRUE(back) << "the plugin did not come back";
  double seconds = std::chrono::duration<double>(Clock::now() - crashed).count();
  std::printf("[ figures  ] the shim's plugin back %.0f ms after its crash\n", seconds * 1000);
  EXPECT_EQ(output[10], 0.375f) << "with its state";
  EXPECT_EQ(instance->param(kGain), 0.375);
}

#if _WIN32
// The editor through two bridges: the host's window holds the shim's container (bridge32's, in
// this process, as the host's VST2 code made it), which holds the shim's own container, which
// holds the 32-bit fixture's editor window, owned by the surrogate.
TEST(Vst2Shim, ItsEditorOpensInTheHostsWindow) {
  WNDCLASSW windowClass{};
  windowClass.lpfnWndProc = DefWindowProcW;
  windowClass.hInstance = GetModuleHandleW(nullptr);
  windowClass.lpszClassName = L"bridge32.ShimTestHost";
  RegisterClassW(&windowClass);
  HWND host = CreateWindowExW(0, L"bridge32.ShimTestHost", L"shim editor test",
                              WS_OVERLAPPEDWINDOW | WS_CLIPCHILDREN, 40, 40, 640, 400, nullptr,
                              nullptr, GetModuleHandleW(nullptr), nullptr);
  ASSERT_NE(host, nullptr);
  ShowWindow(host, SW_SHOWNORMAL);
  {
    auto module = loadShim();
    HostCallbacks quiet;
    auto instance = module->createInstance("b32F", quiet);
    ASSERT_TRUE(instance->hasGui());
    PluginEditor& editor = instance->openEditor(host);
    EXPECT_EQ(editor.size(), (EditorSize{320, 200}));

    struct Search {
      HWND found = nullptr;
    } search;
    EnumChildWindows(
        host,
        [](HWND window, LPARAM data) {
          wchar_t name[64] = {};
          GetClassNameW(window, name, 64);
          if (std::wstring(name) != L"b32-vst2-fixture-editor") return TRUE;
          reinterpret_cast<Search*>(data)->found = window;
          return FALSE;
        },
        reinterpret_cast<LPARAM>(&search));
    ASSERT_NE(search.found, nullptr) << "no fixture editor window under the host's window";
    EXPECT_EQ(GetAncestor(search.found, GA_ROOT), host);
    DWORD owner = 0;
    GetWindowThreadProcessId(search.found, &owner);
    EXPECT_NE(owner, GetCurrentProcessId()) << "the editor is the 32-bit surrogate's";
    instance->closeEditor();
    EXPECT_FALSE(IsWindow(search.found));
  }
  DestroyWindow(host);
}
#else
// The editor on Linux, driven as a DAW drives any VST2 plugin, through the raw ABI: effEditOpen
// with the host's X11 window, effEditIdle now and then (the shim's container has a thread of its
// own and needs none), effEditClose. The host's window holds the shim's container (bridge32's,
// in this process), which holds the i386 fixture's editor, made by the 32-bit surrogate.
TEST(Vst2Shim, ItsEditorOpensInTheHostsX11Window) {
  test::XvfbDisplay x;
  xcb_window_t host = x.createWindow(640, 400);
  RawHost raw;
  b32_vst_effect* effect = raw.effect();
  ASSERT_NE(effect, nullptr);
  auto dispatch = [&raw](int32_t opcode, void* ptr = nullptr) { return raw.dispatch(opcode, 0, ptr); };
  ASSERT_NE(effect->flags & B32_VST_FLAG_HAS_EDITOR, 0);

  ASSERT_EQ(dispatch(B32_VST_EFF_EDIT_OPEN, reinterpret_cast<void*>(uintptr_t(host))), 1);
  b32_vst_rect* rect = nullptr;
  dispatch(B32_VST_EFF_EDIT_GET_RECT, &rect);
  ASSERT_NE(rect, nullptr);
  EXPECT_EQ(rect->right - rect->left, 320);
  EXPECT_EQ(rect->bottom - rect->top, 200);

  std::vector<xcb_window_t> containers = x.childrenOf(host), editors;
  ASSERT_EQ(containers.size(), 1u);
  EXPECT_EQ(x.ownerPid(containers[0]), uint32_t(getpid())) << "the shim's container";
  ASSERT_TRUE(test::waitUntil([&] {
    dispatch(B32_VST_EFF_EDIT_IDLE);
    return (editors = x.childrenOf(containers[0])).size() == 1;
  }));
  uint32_t owner = x.ownerPid(editors[0]);
  EXPECT_NE(owner, uint32_t(getpid()));
  std::filesystem::path program = test::programOf(owner);
  EXPECT_EQ(inspectModuleFile(program).architecture, Architecture::x86)
      << utf8(program) << ": the editor is the 32-bit surrogate's";
  EXPECT_EQ(x.sizeOf(editors[0]), (EditorSize{320, 200}));

  dispatch(B32_VST_EFF_EDIT_CLOSE);
  EXPECT_TRUE(test::waitUntil([&] { return x.childrenOf(host).empty(); }));
}
#endif

}  // namespace
}  // namespace bridge32
