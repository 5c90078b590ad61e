// Plugin editors embedded in the host's window: the sample Gain plugin's editor in-process, in a
// 64-bit surrogate and in the genuine 32-bit surrogate, checked from this 64-bit process with
// the window system's own view of the windows (parents, owning process, sizes, text).
//
// Windows runs these under Wine and Xvfb here; Linux's X11 editors are x11-editor-test.c++'s.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "bridge32/host.h"
#include "harness.h"
#include "window-handle.h"

#if _WIN32
#include <condition_variable>

#include <set>

#include "png.h"
#include "screenshot.h"
#include "win32.h"
#endif

namespace bridge32 {
namespace {

using test::expectError;
using test::loadSamples;
using test::Placement;
using test::RecordingCallbacks;

constexpr const char* kGain = "com.bridge32.samples.gain";
constexpr uint32_t kGainParam = 1;

// ----- the window handle rule, both directions ----------------------------------------------

TEST(WindowHandle, TruncatesToTheLow32Bits) {
  EXPECT_EQ(windowHandleToWire(0x0000000000010042ull), 0x00010042u);
  EXPECT_EQ(windowHandleToWire(0x000000007fffffffull), 0x7fffffffu);
  EXPECT_EQ(windowHandleToWire(0xffffffff80001234ull), 0x80001234u);
  EXPECT_EQ(windowHandleToWire(0xffffffffffffffffull), 0xffffffffu);
}

TEST(WindowHandle, SignExtendsBit31) {
  static_assert(sizeof(uintptr_t) == 8, "the tests are a 64-bit process");
  EXPECT_EQ(windowHandleFromWire(0x00010042u), 0x0000000000010042ull);
  EXPECT_EQ(windowHandleFromWire(0x7fffffffu), 0x000000007fffffffull);
  EXPECT_EQ(windowHandleFromWire(0x80001234u), 0xffffffff80001234ull);
  EXPECT_EQ(windowHandleFromWire(0xffffffffu), 0xffffffffffffffffull);
  for (uint64_t handle : {0x10042ull, 0xffffffff80000000ull, 0xfffffffffffffffeull}) {
    EXPECT_EQ(windowHandleFromWire(windowHandleToWire(handle)), handle) << std::hex << handle;
  }
}

TEST(WindowHandle, RefusesValuesThatAreNotSignExtended) {
  // Bit 31 set without the high half set, and bits above 31 without bit 31: no HWND looks so.
  for (uint64_t bad : {0x0000000080001234ull, 0x0000000100000042ull, 0xffffffff00001234ull}) {
    Error error = expectError([&] { windowHandleToWire(bad); });
    EXPECT_EQ(error.kind(), Error::Kind::invalidArgument);
    EXPECT_NE(error.message().find("is not a window handle"), std::string::npos) << error.message();
  }
}

#if !_WIN32

// The sample Meter has no editor (X11 editors: x11-editor-test.c++).
TEST(EditorOnLinux, APluginWithoutAnEditorSaysSo) {
  for (const Placement& setup : {test::kInProcess64, test::kSurrogate64}) {
    RecordingCallbacks callbacks;
    auto module = loadSamples(setup);
    auto meter = module->createInstance("com.bridge32.samples.meter", callbacks);
    EXPECT_FALSE(meter->hasGui());
    Error error = expectError([&] { meter->openEditor(reinterpret_cast<NativeWindow>(0x200001)); });
    EXPECT_EQ(error.kind(), Error::Kind::unsupported);
    EXPECT_NE(error.message().find("has no editor"), std::string::npos) << error.message();
    EXPECT_EQ(meter->editor(), nullptr);
  }
}

#else  // _WIN32

// ----- helpers ----------------------------------------------------------------------------------

// Dispatches this thread's messages until `done()` or `timeout`; true if done.
template <typename Done>
bool pumpUntil(Done&& done, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    MSG message;
    while (PeekMessageW(&message, nullptr, 0, 0, PM_REMOVE)) {
      TranslateMessage(&message);
      DispatchMessageW(&message);
    }
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    MsgWaitForMultipleObjects(0, nullptr, FALSE, 10, QS_ALLINPUT);
  }
}

EditorSize clientSize(HWND window) {
  RECT rect{};
  GetClientRect(window, &rect);
  return {uint32_t(rect.right - rect.left), uint32_t(rect.bottom - rect.top)};
}

std::string windowText(HWND window) {
  wchar_t text[256] = {};
  GetWindowTextW(window, text, 256);
  return win32::narrow(text);
}

HWND childOfClass(HWND parent, const wchar_t* className) {
  return FindWindowExW(parent, nullptr, className, nullptr);
}

// The sample Gain plugin's editor window inside `editor`'s container.
HWND editorWindow(PluginEditor& editor) {
  return childOfClass(static_cast<HWND>(editor.container()), L"bridge32.samples.GainEditor");
}

int countChildren(HWND parent) {
  int count = 0;
  EnumChildWindows(
      parent, [](HWND, LPARAM counter) { return ++*reinterpret_cast<int*>(counter), TRUE; },
      reinterpret_cast<LPARAM>(&count));
  return count;
}

// The application's window: a plain top-level window on the test's thread, visible on the
// (virtual) screen.
class HostWindow {
 public:
  HostWindow() {
    static const bool registered = [] {
      WNDCLASSEXW windowClass{};
      windowClass.cbSize = sizeof windowClass;
      windowClass.lpfnWndProc = DefWindowProcW;
      windowClass.hInstance = GetModuleHandleW(nullptr);
      windowClass.hbrBackground = reinterpret_cast<HBRUSH>(COLOR_WINDOW + 1);
      windowClass.lpszClassName = L"bridge32.TestHost";
      return RegisterClassExW(&windowClass) != 0;
    }();
    EXPECT_TRUE(registered);
    hwnd_ = CreateWindowExW(0, L"bridge32.TestHost", L"bridge32 editor test",
                            WS_OVERLAPPEDWINDOW | WS_CLIPCHILDREN, 40, 40, 640, 360, nullptr,
                            nullptr, GetModuleHandleW(nullptr), nullptr);
    EXPECT_NE(hwnd_, nullptr) << win32::errorText(GetLastError());
    ShowWindow(hwnd_, SW_SHOWNORMAL);
    UpdateWindow(hwnd_);
  }
  ~HostWindow() { DestroyWindow(hwnd_); }
  HWND get() const { return hwnd_; }

 private:
  HWND hwnd_ = nullptr;
};

// Fails the test and ends the program if the test is still running after `limit`: a deadlock
// would otherwise hold the run until CTest's timeout and say nothing.
class Watchdog {
 public:
  explicit Watchdog(std::chrono::seconds limit, std::string what)
      : thread_([this, limit, what = std::move(what)] {
          std::unique_lock lock(mutex_);
          if (!changed_.wait_for(lock, limit, [&] { return done_; })) {
            std::fprintf(stderr, "DEADLOCK: %s did not finish within %lld s\n", what.c_str(),
                         static_cast<long long>(limit.count()));
            std::fflush(stderr);
            std::_Exit(3);
          }
        }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool done_ = false;
  std::thread thread_;
};

// ----- the editor, in each placement ---------------------------------------------------------

class Editor : public ::testing::TestWithParam<Placement> {
 protected:
  // One application window for the suite: showing and destroying a top-level window takes
  // about a second each under Wine without a window manager.
  static void SetUpTestSuite() { hostWindow_ = std::make_unique<HostWindow>(); }
  static void TearDownTestSuite() { hostWindow_.reset(); }

  void SetUp() override {
    module_ = loadSamples(GetParam());
    gain_ = module_->createInstance(kGain, callbacks_);
    ASSERT_TRUE(gain_->hasGui());
  }

  // The process the plugin's windows should belong to.
  DWORD pluginPid() const {
    return module_->isBridged() ? DWORD(module_->surrogatePid()) : GetCurrentProcessId();
  }

  // The editor window's two controls.
  static HWND slider(HWND editor) {
    return childOfClass(editor, L"bridge32.samples.GainSlider");
  }
  static HWND label(HWND editor) { return childOfClass(editor, L"Static"); }

  // Clicks the slider where the gain is `value`: its track runs from x = 8 to width - 8.
  static void clickSlider(HWND slider, double value) {
    int width = int(clientSize(slider).width);
    int x = 8 + int(value / 4.0 * (width - 16) + 0.5);
    LPARAM at = MAKELPARAM(x, 10);
    PostMessageW(slider, WM_LBUTTONDOWN, MK_LBUTTON, at);
    PostMessageW(slider, WM_LBUTTONUP, 0, at);
  }

  static inline std::unique_ptr<HostWindow> hostWindow_;
  HostWindow& host_ = *hostWindow_;
  RecordingCallbacks callbacks_;
  std::unique_ptr<PluginModule> module_;
  std::unique_ptr<PluginInstance> gain_;
};

TEST_P(Editor, LivesInTheContainerAndBelongsToThePluginsProcess) {
  Watchdog watchdog(std::chrono::seconds(120), "opening the editor");
  PluginEditor& editor = gain_->openEditor(host_.get());
  EXPECT_EQ(gain_->editor(), &editor);
  auto container = static_cast<HWND>(editor.container());
  HWND window = editorWindow(editor);
  ASSERT_NE(window, nullptr) << "no GainEditor window inside the container";

  EXPECT_TRUE(IsChild(host_.get(), container));
  EXPECT_EQ(GetAncestor(container, GA_PARENT), host_.get());
  EXPECT_TRUE(IsChild(container, window));
  EXPECT_EQ(GetAncestor(window, GA_PARENT), container);
  EXPECT_EQ(GetAncestor(window, GA_ROOT), host_.get());

  DWORD owner = 0;
  GetWindowThreadProcessId(window, &owner);
  EXPECT_EQ(owner, pluginPid());
  GetWindowThreadProcessId(container, &owner);
  EXPECT_EQ(owner, GetCurrentProcessId()) << "the container is the host's";

  // The size the plugin asked for, on the editor and the container alike, shown.
  EXPECT_EQ(editor.size(), (EditorSize{320, 120}));
  EXPECT_EQ(clientSize(window), (EditorSize{320, 120}));
  EXPECT_EQ(clientSize(container), (EditorSize{320, 120}));
  EXPECT_TRUE(editor.canResize());
  EXPECT_TRUE(IsWindowVisible(window));
  EXPECT_EQ(windowText(label(window)), "Gain: 1.00 x");

  Error error = expectError([&] { gain_->openEditor(host_.get()); });
  EXPECT_EQ(error.kind(), Error::Kind::badState);
}

TEST_P(Editor, FollowsResizesFromTheHost) {
  PluginEditor& editor = gain_->openEditor(host_.get());
  HWND window = editorWindow(editor);
  auto container = static_cast<HWND>(editor.container());

  EXPECT_EQ(editor.setSize({400, 150}), (EditorSize{400, 150}));
  EXPECT_EQ(clientSize(window), (EditorSize{400, 150}));
  EXPECT_EQ(clientSize(container), (EditorSize{400, 150}));
  EXPECT_EQ(clientSize(slider(window)).width, 400u - 16) << "the plugin laid itself out again";

  // Smaller than the plugin can show: it takes its minimum, and the container follows.
  EXPECT_EQ(editor.setSize({50, 20}), (EditorSize{200, 80}));
  EXPECT_EQ(clientSize(container), (EditorSize{200, 80}));

  // The application resizing the container by itself asks the plugin the same way.
  SetWindowPos(container, nullptr, 0, 0, 500, 200, SWP_NOMOVE | SWP_NOZORDER);
  EXPECT_EQ(clientSize(window), (EditorSize{500, 200}));
  EXPECT_EQ(editor.size(), (EditorSize{500, 200}));
}

TEST_P(Editor, PluginAsksTheHostForANewSize) {
  PluginEditor& editor = gain_->openEditor(host_.get());
  HWND window = editorWindow(editor);
  auto container = static_cast<HWND>(editor.container());

  // The sample asks for 480 x 180 on a double click on its background.
  PostMessageW(window, WM_LBUTTONDBLCLK, MK_LBUTTON, MAKELPARAM(160, 100));
  ASSERT_TRUE(pumpUntil([&] { return clientSize(container) == EditorSize{480, 180}; }))
      << "the container stayed " << clientSize(container).width << " x "
      << clientSize(container).height;
  EXPECT_EQ(clientSize(window), (EditorSize{480, 180}));
  EXPECT_EQ(editor.size(), (EditorSize{480, 180}));
  ASSERT_EQ(callbacks_.resizes().size(), 1u);
  EXPECT_EQ(callbacks_.resizes()[0], (EditorSize{480, 180}));
}

TEST_P(Editor, EditorInputReachesTheHostAndHostChangesReachTheEditor) {
  PluginEditor& editor = gain_->openEditor(host_.get());
  HWND window = editorWindow(editor);

  clickSlider(slider(window), 3.0);
  ASSERT_TRUE(pumpUntil([&] { return !callbacks_.changes().empty(); }))
      << "no parameter change reached the host";
  EXPECT_EQ(callbacks_.changes().front(), std::make_pair(kGainParam, 3.0));
  EXPECT_EQ(gain_->param(kGainParam), 3.0);
  EXPECT_EQ(windowText(label(window)), "Gain: 3.00 x");

  gain_->setParam(kGainParam, 2.5);
  EXPECT_EQ(windowText(label(window)), "Gain: 2.50 x");
  EXPECT_EQ(callbacks_.changes().size(), 1u) << "a change the host made is not echoed back";
}

TEST_P(Editor, ClosingOrDestroyingLeavesNoWindows) {
  PluginEditor& editor = gain_->openEditor(host_.get());
  auto container = static_cast<HWND>(editor.container());
  HWND window = editorWindow(editor);
  gain_->closeEditor();
  EXPECT_EQ(gain_->editor(), nullptr);
  EXPECT_FALSE(IsWindow(container));
  EXPECT_FALSE(IsWindow(window));
  EXPECT_EQ(countChildren(host_.get()), 0);

  // Again, and this time the instance goes with its editor open.
  PluginEditor& again = gain_->openEditor(host_.get());
  container = static_cast<HWND>(again.container());
  window = editorWindow(again);
  EXPECT_TRUE(IsWindow(window));
  gain_.reset();
  EXPECT_FALSE(IsWindow(container));
  EXPECT_FALSE(IsWindow(window));
  EXPECT_EQ(countChildren(host_.get()), 0);
}

// Creating a child window under another process's window sends messages to that window's
// thread and waits for them: a host thread that blocked on the surrogate without dispatching
// them would deadlock right here. The watchdog turns a deadlock into a failure.
TEST_P(Editor, OpeningResizingAndClosingRepeatedlyCannotDeadlock) {
  int cycles = GetParam().architecture == Architecture::x86 ? 3 : 20;
  Watchdog watchdog(std::chrono::seconds(240), std::to_string(cycles) + " editor cycles");
  for (int cycle = 0; cycle < cycles; ++cycle) {
    PluginEditor& editor = gain_->openEditor(host_.get());
    HWND window = editorWindow(editor);
    EditorSize size{uint32_t(300 + 10 * cycle), uint32_t(100 + 5 * cycle)};
    EXPECT_EQ(editor.setSize(size), size);
    PostMessageW(window, WM_LBUTTONDBLCLK, MK_LBUTTON, MAKELPARAM(160, 90));
    editor.hide();
    EXPECT_FALSE(IsWindowVisible(window));
    editor.show();
    EXPECT_TRUE(IsWindowVisible(window));
    gain_->closeEditor();
  }
  EXPECT_EQ(countChildren(host_.get()), 0);
}

INSTANTIATE_TEST_SUITE_P(Setups, Editor,
                         ::testing::Values(test::kInProcess64, test::kSurrogate64,
                                           test::kSurrogate32),
                         [](const auto& info) { return std::string(info.param.name); });

// ----- a VST2 plugin's editor: the fixture written against the raw ABI ------------------------

class Vst2Editor : public ::testing::TestWithParam<Placement> {
 protected:
  static void SetUpTestSuite() { hostWindow_ = std::make_unique<HostWindow>(); }
  static void TearDownTestSuite() { hostWindow_.reset(); }
  static inline std::unique_ptr<HostWindow> hostWindow_;
};

TEST_P(Vst2Editor, OpensInTheContainerAndWhatItsKnobsDoReachesTheHost) {
  Watchdog watchdog(std::chrono::seconds(120), "opening a VST2 editor");
  HWND host = hostWindow_->get();
  auto module = PluginModule::load(test::pluginPath(GetParam().architecture, "b32-vst2-fixture"),
                                   test::optionsFor(GetParam()));
  RecordingCallbacks callbacks;
  auto fixture = module->createInstance("b32F", callbacks);
  ASSERT_TRUE(fixture->hasGui());

  PluginEditor& editor = fixture->openEditor(host);
  auto container = static_cast<HWND>(editor.container());
  HWND window = childOfClass(container, L"b32-vst2-fixture-editor");
  ASSERT_NE(window, nullptr) << "no editor window inside the container";
  EXPECT_EQ(GetAncestor(window, GA_PARENT), container);
  EXPECT_EQ(GetAncestor(window, GA_ROOT), host);
  DWORD owner = 0;
  GetWindowThreadProcessId(window, &owner);
  EXPECT_EQ(owner, module->isBridged() ? DWORD(module->surrogatePid()) : GetCurrentProcessId());
  // The size from effEditGetRect, which VST2 editors choose for themselves.
  EXPECT_EQ(editor.size(), (EditorSize{320, 200}));
  EXPECT_EQ(clientSize(container), (EditorSize{320, 200}));
  EXPECT_FALSE(editor.canResize());

  // The fixture's editor turns Pan to 0.75 as it opens (audioMasterAutomate from its thread).
  EXPECT_TRUE(pumpUntil([&] {
    for (auto [id, value] : callbacks.changes()) {
      if (id == 1 && value == 0.75) return true;
    }
    return false;
  }));
  EXPECT_EQ(fixture->param(1), 0.75);

  fixture->closeEditor();
  EXPECT_TRUE(pumpUntil([&] { return !IsWindow(window) && !IsWindow(container); }));
}

INSTANTIATE_TEST_SUITE_P(Setups, Vst2Editor,
                         ::testing::Values(test::kInProcess64, test::kSurrogate64,
                                           test::kSurrogate32),
                         [](const auto& info) { return std::string(info.param.name); });

// ----- the surrogate dying under an open editor -----------------------------------------------

TEST(EditorSurrogateDeath, ContainerStaysAndSaysThePluginStopped) {
  HostWindow host;
  RecordingCallbacks callbacks;
  auto module = loadSamples(test::kSurrogate64);
  auto gain = module->createInstance(kGain, callbacks);
  PluginEditor& editor = gain->openEditor(host.get());
  auto container = static_cast<HWND>(editor.container());
  HWND window = editorWindow(editor);
  ASSERT_TRUE(IsWindow(window));

  win32::Handle surrogate(OpenProcess(PROCESS_TERMINATE, FALSE, module->surrogatePid()));
  ASSERT_TRUE(surrogate);
  TerminateProcess(surrogate.get(), 0xC0000005);

  ASSERT_TRUE(pumpUntil([&] { return !editor.stoppedReason().empty() && !IsWindow(window); }));
  EXPECT_NE(editor.stoppedReason().find("0xC0000005"), std::string::npos) << editor.stoppedReason();
  EXPECT_TRUE(IsWindow(container)) << "the container stays, saying what happened";
  EXPECT_EQ(countChildren(host.get()), 1) << "only the container is left";
  std::filesystem::create_directories(test::outputDir() / "artifacts");
  test::saveWindowScreenshot(host.get(), test::outputDir() / "artifacts" / "editor-stopped.png");

  Error error = expectError([&] { editor.setSize({400, 200}); });
  EXPECT_EQ(error.kind(), Error::Kind::disconnected);
  gain.reset();
  EXPECT_FALSE(IsWindow(container));
  EXPECT_EQ(countChildren(host.get()), 0);
}

// A WM_QUIT that comes while bridge32 waits (for a surrogate to start, for an answer) belongs to
// the application's loop: the wait goes on, and the message is still there for the application.
TEST(MessagePumping, AQuitMessageIsLeftForTheApplicationsLoop) {
  PostQuitMessage(17);
  RecordingCallbacks callbacks;
  auto module = loadSamples(test::kSurrogate64);  // the start and the handshake wait
  auto gain = module->createInstance(kGain, callbacks);
  EXPECT_EQ(gain->param(kGainParam), 1.0);
  MSG message{};
  ASSERT_TRUE(PeekMessageW(&message, nullptr, WM_QUIT, WM_QUIT, PM_REMOVE));
  EXPECT_EQ(message.wParam, 17u);
}

// A restarted plugin's editor comes back in the container it had, at the size it had, showing the
// restored parameter; the application's window never changes.
TEST(EditorRestart, TheEditorComesBackInItsContainer) {
  HostWindow host;
  RecordingCallbacks callbacks;
  auto module = loadSamples(test::kSurrogate64);
  auto gain = module->createInstance(kGain, callbacks);
  gain->setParam(kGainParam, 2.5);
  PluginEditor& editor = gain->openEditor(host.get());
  editor.setSize({400, 150});
  auto container = static_cast<HWND>(editor.container());
  HWND before = editorWindow(editor);
  uint32_t firstPid = module->surrogatePid();

  win32::Handle surrogate(OpenProcess(PROCESS_TERMINATE, FALSE, firstPid));
  ASSERT_TRUE(surrogate);
  TerminateProcess(surrogate.get(), 0xC0000005);
  ASSERT_TRUE(pumpUntil([&] { return !editor.stoppedReason().empty() && !IsWindow(before); }));
  EXPECT_FALSE(gain->isRunning());

  ASSERT_TRUE(gain->restart());
  EXPECT_TRUE(gain->isRunning());
  EXPECT_EQ(callbacks.restarts(), 1);
  EXPECT_EQ(gain->editor(), &editor) << "the same editor object";
  EXPECT_EQ(editor.container(), container) << "the same container";
  EXPECT_TRUE(editor.stoppedReason().empty()) << editor.stoppedReason();
  HWND after = nullptr;
  ASSERT_TRUE(pumpUntil([&] { return (after = editorWindow(editor)) && IsWindow(after); }));
  EXPECT_NE(after, before);
  EXPECT_EQ(GetAncestor(after, GA_PARENT), container);
  EXPECT_EQ(GetAncestor(after, GA_ROOT), host.get());
  DWORD owner = 0;
  GetWindowThreadProcessId(after, &owner);
  EXPECT_NE(owner, firstPid);
  EXPECT_EQ(owner, module->surrogatePid()) << "made by the new surrogate";
  EXPECT_EQ(editor.size(), (EditorSize{400, 150})) << "the size it had";
  EXPECT_EQ(clientSize(after), (EditorSize{400, 150}));
  EXPECT_TRUE(IsWindowVisible(after));
  EXPECT_EQ(gain->param(kGainParam), 2.5);
  EXPECT_EQ(windowText(childOfClass(after, L"Static")), "Gain: 2.50 x") << "the restored value";
  EXPECT_EQ(countChildren(host.get()), 4)
      << "the container, the editor, its label and its slider: nothing left of the old editor";

  gain.reset();
  EXPECT_FALSE(IsWindow(container));
}

// ----- the picture -----------------------------------------------------------------------------

// How many colours the screenshot `rgb` (of `window`) has inside `area` (screen coordinates).
size_t colorsIn(const std::vector<uint8_t>& rgb, uint32_t width, HWND window, HWND area) {
  RECT windowRect{}, areaRect{};
  GetWindowRect(window, &windowRect);
  GetWindowRect(area, &areaRect);
  std::set<uint32_t> colors;
  for (LONG y = areaRect.top; y < areaRect.bottom; ++y) {
    for (LONG x = areaRect.left; x < areaRect.right; ++x) {
      size_t at = (size_t(y - windowRect.top) * width + size_t(x - windowRect.left)) * 3;
      if (at + 2 < rgb.size()) colors.insert(rgb[at] << 16 | rgb[at + 1] << 8 | rgb[at + 2]);
    }
  }
  return colors.size();
}

// One 64-bit host window with two Gain editors side by side: the 64-bit module in-process on
// the left, the genuine 32-bit module in its surrogate on the right. What the screen shows is
// saved to <build>/artifacts/embedded-editors.png.
//
// Both editors must be drawn on Windows. Wine 8 does not draw a child window whose top-level
// window belongs to another process: its DCs get X drawable 0 (win32u/dce.c takes the window
// surface only for windows of the calling process; winex11 X11DRV_GetDC then finds no X window
// on the child's ancestors), so the 32-bit editor's pixels cannot be checked here; its window,
// parent, process, size and input are, by the Editor suite.
TEST(EditorScreenshot, Embedded32BitAndInProcessEditorsOnScreen) {
  HostWindow host;
  SetWindowPos(host.get(), nullptr, 0, 0, 760, 220, SWP_NOMOVE | SWP_NOZORDER);
  RecordingCallbacks callbacks;
  auto module64 = loadSamples(test::kInProcess64);
  auto module32 = loadSamples(test::kSurrogate32);
  auto gain64 = module64->createInstance(kGain, callbacks);
  auto gain32 = module32->createInstance(kGain, callbacks);
  PluginEditor& editor64 = gain64->openEditor(host.get());
  PluginEditor& editor32 = gain32->openEditor(host.get());
  SetWindowPos(static_cast<HWND>(editor64.container()), nullptr, 16, 16, 0, 0,
               SWP_NOSIZE | SWP_NOZORDER);
  SetWindowPos(static_cast<HWND>(editor32.container()), nullptr, 352, 16, 0, 0,
               SWP_NOSIZE | SWP_NOZORDER);
  gain64->setParam(kGainParam, 1.5);
  gain32->setParam(kGainParam, 2.75);
  pumpUntil([] { return false; }, std::chrono::seconds(2));  // let both processes paint

  auto path = test::outputDir() / "artifacts" / "embedded-editors.png";
  std::filesystem::create_directories(path.parent_path());
  test::saveWindowScreenshot(host.get(), path);
  std::printf("screenshot: %s\n", utf8(path).c_str());

  uint32_t width = 0, height = 0;
  auto rgb = test::readPngRgb(path, width, height);
  EXPECT_GE(colorsIn(rgb, width, host.get(), editorWindow(editor64)), 3u)
      << "the in-process editor's area is blank: the capture or the editor's drawing is broken";
  size_t colors32 = colorsIn(rgb, width, host.get(), editorWindow(editor32));
  if (test::runningUnderWine()) {
    std::printf("32-bit editor area: %zu colour(s); Wine draws no cross-process child window, "
                "so it is not checked here\n", colors32);
  } else {
    EXPECT_GE(colors32, 3u) << "the 32-bit editor's area is blank";
  }
}

#endif  // _WIN32

}  // namespace
}  // namespace bridge32
