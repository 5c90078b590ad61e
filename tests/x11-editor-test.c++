// Plugin editors embedded in X11 windows on Linux, under a private Xvfb: the VST2 fixture's and
// the sample Gain plugin's X11 editors in a 64-bit surrogate and in the genuine i386 one, checked
// from this process through the display's own view (XQueryTree parents, X-Resource owners,
// geometry, names, pixels).
#if !_WIN32

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "bridge32/host.h"
#include "bridge32/module-file.h"
#include "harness.h"
#include "support.h"
#include "x11-display.h"

namespace bridge32 {
namespace {

using test::expectError;
using test::Placement;
using test::RecordingCallbacks;

constexpr uint32_t kPan = 1;

// A plugin's editor in an application window on a display of the suite's, in each placement.
class InX11Window : public ::testing::TestWithParam<Placement> {
 protected:
  // One display for the suite: Xvfb starts in a fraction of a second, but once is enough.
  static void SetUpTestSuite() { display_ = std::make_unique<test::XvfbDisplay>(); }
  static void TearDownTestSuite() { display_.reset(); }

  // Plugin `pluginId` of the module `name` (a sample or fixture module) of the placement's
  // architecture, which must be what the file is.
  void load(const char* name, const char* pluginId) {
    host_ = display_->createWindow(640, 400);
    auto path = test::pluginPath(GetParam().architecture, name);
    ASSERT_EQ(inspectModuleFile(path).architecture, GetParam().architecture);
    module_ = PluginModule::load(path, test::optionsFor(GetParam()));
    fixture_ = module_->createInstance(pluginId, callbacks_);
    ASSERT_TRUE(fixture_->hasGui());
  }

  void TearDown() override {
    fixture_.reset();
    module_.reset();
    if (host_) display_->destroyWindow(host_);
  }

  PluginEditor& openEditor() {
    return fixture_->openEditor(reinterpret_cast<NativeWindow>(uintptr_t(host_)));
  }

  static xcb_window_t containerOf(PluginEditor& editor) {
    return xcb_window_t(reinterpret_cast<uintptr_t>(editor.container()));
  }

  // The plugin's editor window: the container's only child, once there is one.
  xcb_window_t editorWindow(PluginEditor& editor) {
    std::vector<xcb_window_t> children;
    test::waitUntil([&] { return !(children = display_->childrenOf(containerOf(editor))).empty(); });
    return children.size() == 1 ? children[0] : 0;
  }

  static inline std::unique_ptr<test::XvfbDisplay> display_;
  xcb_window_t host_ = 0;
  RecordingCallbacks callbacks_;
  std::unique_ptr<PluginModule> module_;
  std::unique_ptr<PluginInstance> fixture_;
};

// The VST2 fixture's X11 editor (vst2-fixture.c).
class X11Editor : public InX11Window {
 protected:
  void SetUp() override { load("b32-vst2-fixture", "b32F"); }
};

TEST_P(X11Editor, LivesInTheHostsWindowAndBelongsToTheSurrogate) {
  test::XvfbDisplay& x = *display_;
  PluginEditor& editor = openEditor();
  xcb_window_t container = containerOf(editor);
  xcb_window_t window = editorWindow(editor);
  ASSERT_NE(window, 0u) << "no editor window (alone) in the container";

  // The application's window > bridge32's container (this process's) > the plugin's editor,
  // made by the surrogate's own connection to the display.
  EXPECT_EQ(x.parentOf(container), host_);
  EXPECT_EQ(x.parentOf(window), container);
  EXPECT_EQ(x.ownerPid(host_), uint32_t(getpid()));
  EXPECT_EQ(x.ownerPid(container), uint32_t(getpid())) << "the container is the host's";
  EXPECT_EQ(x.ownerPid(window), module_->surrogatePid()) << "the editor is the surrogate's";
  EXPECT_NE(module_->surrogatePid(), uint32_t(getpid()));

  // effEditGetRect's size, on the container and the editor alike, shown.
  EXPECT_EQ(editor.size(), (EditorSize{320, 200}));
  EXPECT_EQ(x.sizeOf(container), (EditorSize{320, 200}));
  EXPECT_EQ(x.sizeOf(window), (EditorSize{320, 200}));
  EXPECT_FALSE(editor.canResize());
  EXPECT_TRUE(x.isMapped(container));
  EXPECT_TRUE(x.isMapped(window));

  // The editor moves Pan as it opens: audioMasterAutomate from the surrogate's module thread.
  EXPECT_TRUE(test::waitUntil([&] {
    for (auto [id, value] : callbacks_.changes()) {
      if (id == kPan && value == 0.75) return true;
    }
    return false;
  }));

  Error error = expectError([&] { openEditor(); });
  EXPECT_EQ(error.kind(), Error::Kind::badState);

  fixture_->closeEditor();
  EXPECT_EQ(fixture_->editor(), nullptr);
  EXPECT_TRUE(test::waitUntil([&] { return !x.exists(window) && !x.exists(container); }));
  EXPECT_TRUE(x.childrenOf(host_).empty());
}

// The plugin asks for a size (audioMasterSizeWindow, from its editor's own event handling, which
// runs when the surrogate calls effEditIdle): the container follows and the application hears it.
// The application resizes the container: the plugin is asked, and a VST2 editor keeps its size.
TEST_P(X11Editor, SizesStayInStepBothWays) {
  test::XvfbDisplay& x = *display_;
  PluginEditor& editor = openEditor();
  xcb_window_t container = containerOf(editor);
  xcb_window_t window = editorWindow(editor);
  ASSERT_NE(window, 0u);

  x.click(window, 100, 100);  // the fixture grows to 480 x 240 on a click
  ASSERT_TRUE(test::waitUntil([&] { return x.sizeOf(container) == EditorSize{480, 240}; }))
      << "the container stayed " << x.sizeOf(container).toString();
  EXPECT_EQ(x.sizeOf(window), (EditorSize{480, 240}));
  EXPECT_EQ(editor.size(), (EditorSize{480, 240}));
  ASSERT_TRUE(test::waitUntil([&] { return !callbacks_.resizes().empty(); }));
  EXPECT_EQ(callbacks_.resizes().front(), (EditorSize{480, 240}));

  // A VST2 editor has no way to be told a size: asked, it keeps its own, and so does the
  // container, whether the application asks through bridge32 or resizes the container itself.
  EXPECT_EQ(editor.setSize({600, 300}), (EditorSize{480, 240}));
  x.resize(container, {500, 350});
  EXPECT_TRUE(test::waitUntil([&] { return x.sizeOf(container) == EditorSize{480, 240}; }))
      << "the container stayed " << x.sizeOf(container).toString();
  EXPECT_EQ(editor.size(), (EditorSize{480, 240}));
}

// The surrogate dies under the open editor: its window goes with its connection, the container
// stays and says why; restart() brings the editor back into the same container.
TEST_P(X11Editor, ContainerOutlivesTheSurrogateAndTakesTheRestartedEditor) {
  test::XvfbDisplay& x = *display_;
  PluginEditor& editor = openEditor();
  xcb_window_t container = containerOf(editor);
  xcb_window_t before = editorWindow(editor);
  ASSERT_NE(before, 0u);
  uint32_t firstPid = module_->surrogatePid();

  ASSERT_TRUE(test::killProcess(firstPid));
  ASSERT_TRUE(test::waitUntil([&] { return !editor.stoppedReason().empty() && !x.exists(before); }));
  EXPECT_TRUE(x.exists(container));
  EXPECT_TRUE(x.childrenOf(container).empty());
  // The container draws why on its next expose, which the host's X thread handles after the
  // stop is known: a screenshot may come first.
  auto screenshot = test::outputDir() / "artifacts" /
                    ("x11-editor-stopped-" + std::string(GetParam().name) + ".png");
  size_t colors = 0;
  EXPECT_TRUE(test::waitUntil([&] { return (colors = x.saveScreenshot(host_, screenshot)) > 2; }))
      << "the container shows why the plugin stopped (" << colors << " colours)";

  ASSERT_TRUE(fixture_->restart());
  EXPECT_EQ(fixture_->editor(), &editor);
  EXPECT_EQ(containerOf(editor), container);
  xcb_window_t after = editorWindow(editor);
  ASSERT_NE(after, 0u) << "the editor did not come back into its container";
  // (Its id may be the old one's: the server gives a new client the slot of one gone.)
  EXPECT_EQ(x.ownerPid(after), module_->surrogatePid()) << "made by the new surrogate";
  EXPECT_NE(module_->surrogatePid(), firstPid);
  EXPECT_EQ(x.sizeOf(after), (EditorSize{320, 200}));
}

// Sandboxed32: an editor works from a sandbox too (its own network namespace: the display's
// socket in /tmp/.X11-unix, not the abstract one).
INSTANTIATE_TEST_SUITE_P(Setups, X11Editor,
                         ::testing::Values(test::kSurrogate64, test::kSurrogate32,
                                           test::kSandboxed32),
                         [](const auto& info) { return std::string(info.param.name); });

// The sample Gain plugin's X11 editor (gain-editor-x11.c++): the SDK's gui extension, and its
// timer extension, from which the editor reads its clicks.
class X11SdkEditor : public InX11Window {
 protected:
  void SetUp() override { load("b32-samples", "com.bridge32.samples.gain"); }
};

TEST_P(X11SdkEditor, LivesInTheContainerAndWhatItsSliderDoesReachesTheHost) {
  test::XvfbDisplay& x = *display_;
  PluginEditor& editor = openEditor();
  xcb_window_t container = containerOf(editor);
  xcb_window_t window = editorWindow(editor);
  ASSERT_NE(window, 0u);
  EXPECT_EQ(x.parentOf(container), host_);
  EXPECT_EQ(x.parentOf(window), container);
  EXPECT_EQ(x.ownerPid(window), module_->surrogatePid());
  EXPECT_EQ(editor.size(), (EditorSize{320, 120}));
  EXPECT_EQ(x.sizeOf(window), (EditorSize{320, 120}));
  EXPECT_TRUE(editor.canResize());
  EXPECT_TRUE(x.isMapped(window));
  EXPECT_EQ(x.nameOf(window), "Gain: 1.00 x");

  // Gain 3.0 is at x = 16 + 3/4 of (320 - 32) on the slider.
  x.click(window, 16 + 216, 50);
  ASSERT_TRUE(test::waitUntil([&] { return !callbacks_.changes().empty(); }))
      << "the click was not read: the editor's timer did not run";
  EXPECT_EQ(callbacks_.changes().front(), std::make_pair(uint32_t(1), 3.0));
  EXPECT_EQ(fixture_->param(1), 3.0);
  EXPECT_EQ(x.nameOf(window), "Gain: 3.00 x");

  fixture_->setParam(1, 2.5);
  EXPECT_TRUE(test::waitUntil([&] { return x.nameOf(window) == "Gain: 2.50 x"; }))
      << x.nameOf(window);
  EXPECT_EQ(callbacks_.changes().size(), 1u) << "a change the host made is not echoed back";
}

TEST_P(X11SdkEditor, SizesStayInStepBothWays) {
  test::XvfbDisplay& x = *display_;
  PluginEditor& editor = openEditor();
  xcb_window_t container = containerOf(editor);
  xcb_window_t window = editorWindow(editor);
  ASSERT_NE(window, 0u);

  // The application asks through bridge32: the plugin takes what it can.
  EXPECT_EQ(editor.setSize({400, 150}), (EditorSize{400, 150}));
  EXPECT_TRUE(test::waitUntil([&] { return x.sizeOf(window) == EditorSize{400, 150}; }));
  EXPECT_EQ(x.sizeOf(container), (EditorSize{400, 150}));
  EXPECT_EQ(editor.setSize({50, 20}), (EditorSize{200, 80})) << "its smallest";
  EXPECT_TRUE(test::waitUntil([&] { return x.sizeOf(container) == EditorSize{200, 80}; }));

  // The application resizes the container itself: the plugin is asked for that size too.
  x.resize(container, {500, 200});
  EXPECT_TRUE(test::waitUntil([&] { return x.sizeOf(window) == EditorSize{500, 200}; }))
      << "the editor stayed " << x.sizeOf(window).toString();
  // The surrogate sizes the plugin's window, then answers: the X server may show the new size
  // before the answer reaches the host.
  EXPECT_TRUE(test::waitUntil([&] { return editor.size() == EditorSize{500, 200}; }))
      << "bridge32 says " << editor.size().toString();

  // The plugin asks (a right click): the container grows and the application hears it.
  x.click(window, 100, 100, 3);
  EXPECT_TRUE(test::waitUntil([&] { return x.sizeOf(container) == EditorSize{480, 180}; }))
      << "the container stayed " << x.sizeOf(container).toString();
  EXPECT_TRUE(test::waitUntil([&] { return x.sizeOf(window) == EditorSize{480, 180}; }));
  ASSERT_TRUE(test::waitUntil([&] { return !callbacks_.resizes().empty(); }));
  EXPECT_EQ(callbacks_.resizes().back(), (EditorSize{480, 180}));
}

INSTANTIATE_TEST_SUITE_P(Setups, X11SdkEditor,
                         ::testing::Values(test::kSurrogate64, test::kSurrogate32),
                         [](const auto& info) { return std::string(info.param.name); });

// In-process, nothing would give a VST2 X11 editor its effEditIdle calls on the application's
// thread: opening one says so, and where it can be opened.
TEST(X11EditorInProcess, AVst2EditorIsRefusedWithWhereItWorks) {
  test::XvfbDisplay x;
  xcb_window_t host = x.createWindow(320, 200);
  RecordingCallbacks callbacks;
  auto module = PluginModule::load(test::pluginPath(Architecture::x64, "b32-vst2-fixture"),
                                   test::optionsFor(test::kInProcess64));
  auto fixture = module->createInstance("b32F", callbacks);
  Error error = expectError([&] { fixture->openEditor(reinterpret_cast<NativeWindow>(uintptr_t(host))); });
  EXPECT_EQ(error.kind(), Error::Kind::unsupported);
  EXPECT_NE(error.message().find("effEditIdle"), std::string::npos) << error.message();
  EXPECT_EQ(fixture->editor(), nullptr);
  EXPECT_TRUE(test::waitUntil([&] { return x.childrenOf(host).empty(); }))
      << "no container left behind";
}

TEST(X11EditorParent, AParentThatIsNoWindowIsRefused) {
  test::XvfbDisplay x;
  RecordingCallbacks callbacks;
  auto module = PluginModule::load(test::pluginPath(Architecture::x86, "b32-vst2-fixture"),
                                   test::optionsFor(test::kSurrogate32));
  auto fixture = module->createInstance("b32F", callbacks);
  double pan = fixture->param(kPan);
  for (uintptr_t bogus : {uintptr_t(0), uintptr_t(0x1fffff0), uintptr_t(1) << 40}) {
    Error error = expectError([&] { fixture->openEditor(reinterpret_cast<NativeWindow>(bogus)); });
    EXPECT_EQ(error.kind(), Error::Kind::invalidArgument) << error.message();
    EXPECT_NE(error.message().find("not an X11 window"), std::string::npos) << error.message();
  }
  EXPECT_EQ(fixture->param(kPan), pan) << "the plugin carries on";
}

}  // namespace
}  // namespace bridge32

#endif
