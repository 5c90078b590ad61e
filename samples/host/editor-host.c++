// bridge32-editor-host: a 64-bit Windows application that shows a plugin's editor inside its
// own window. Point it at the 32-bit sample module and the editor you see runs in a 32-bit
// surrogate process; point it at the 64-bit one and it runs in this process. Nothing here
// depends on which.
//
//   bridge32-editor-host [MODULE] [--exit-after SECONDS]
//
// MODULE defaults to ..\plugins\x86\b32-samples.dll beside this executable. The window shows
// what the host knows: the gain as the plugin reported it, and buttons that set it from the
// host's side; the editor below follows both ways.
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bridge32/host.h"
#include "win32.h"

namespace {

constexpr uint32_t kGainParam = 1;
constexpr UINT kGainReported = WM_APP + 1;  // the plugin changed the gain (value in Host::gain)
constexpr int kMargin = 12, kBarHeight = 36;
enum Control { kLabel = 100, kLower, kRaise };

// The plugin's callbacks arrive on bridge32's I/O thread for a bridged plugin: keep the value
// and tell the window thread.
class Callbacks final : public bridge32::HostCallbacks {
 public:
  HWND window = nullptr;
  std::atomic<double> gain{1.0};

  void paramChanged(uint32_t id, double value) override {
    if (id != kGainParam) return;
    gain = value;
    PostMessageW(window, kGainReported, 0, 0);
  }
  void editorResized(bridge32::EditorSize) override { PostMessageW(window, WM_SIZE, 0, 0); }
};

struct App {
  Callbacks callbacks;
  std::unique_ptr<bridge32::PluginModule> module;
  std::unique_ptr<bridge32::PluginInstance> gain;
  HWND label = nullptr;
};

void showGain(App& app) {
  char gain[32];
  std::snprintf(gain, sizeof gain, "%.2f", app.callbacks.gain.load());
  std::string where = app.module->isBridged()
                          ? "surrogate pid " + std::to_string(app.module->surrogatePid())
                          : "this process";
  std::string text = "Host sees gain " + std::string(gain) + "  (plugin in " + where + ")";
  SetWindowTextW(app.label, bridge32::win32::wide(text).c_str());
}

// Fits the window around the bar and the editor.
void layOut(HWND window, App& app) {
  bridge32::PluginEditor* editor = app.gain->editor();
  if (!editor) return;
  bridge32::EditorSize size = editor->size();
  RECT frame{0, 0, LONG(size.width + 2 * kMargin), LONG(size.height + kBarHeight + 2 * kMargin)};
  AdjustWindowRect(&frame, GetWindowLongW(window, GWL_STYLE), FALSE);
  SetWindowPos(window, nullptr, 0, 0, frame.right - frame.left, frame.bottom - frame.top,
               SWP_NOMOVE | SWP_NOZORDER);
}

LRESULT CALLBACK windowProc(HWND window, UINT message, WPARAM wParam, LPARAM lParam) {
  auto* app = reinterpret_cast<App*>(GetWindowLongPtrW(window, GWLP_USERDATA));
  switch (message) {
    case WM_COMMAND:
      if (app && (LOWORD(wParam) == kLower || LOWORD(wParam) == kRaise)) {
        double step = LOWORD(wParam) == kRaise ? 0.25 : -0.25;
        double value = std::min(4.0, std::max(0.0, app->gain->param(kGainParam) + step));
        app->gain->setParam(kGainParam, value);  // the editor shows it too
        app->callbacks.gain = value;
        showGain(*app);
      }
      return 0;
    case kGainReported:
      if (app) showGain(*app);
      return 0;
    case WM_SIZE:
      if (app && lParam == 0) layOut(window, *app);
      return 0;
    case WM_DESTROY:
      PostQuitMessage(0);
      return 0;
  }
  return DefWindowProcW(window, message, wParam, lParam);
}

std::filesystem::path defaultModule() {
  std::wstring buffer(32768, L'\0');
  buffer.resize(GetModuleFileNameW(nullptr, buffer.data(), DWORD(buffer.size())));
  return std::filesystem::path(buffer).parent_path().parent_path() / "plugins" / "x86" /
         "b32-samples.dll";
}

int run(const std::filesystem::path& modulePath, int exitAfterSeconds) {
  App app;
  bridge32::LoadOptions options;
  options.startTimeout = std::chrono::minutes(3);
  app.module = bridge32::PluginModule::load(modulePath, options);
  app.gain = app.module->createInstance("com.bridge32.samples.gain", app.callbacks);
  app.callbacks.gain = app.gain->param(kGainParam);

  HINSTANCE instance = GetModuleHandleW(nullptr);
  WNDCLASSEXW windowClass{};
  windowClass.cbSize = sizeof windowClass;
  windowClass.lpfnWndProc = windowProc;
  windowClass.hInstance = instance;
  windowClass.hCursor = LoadCursorW(nullptr, reinterpret_cast<LPCWSTR>(IDC_ARROW));
  windowClass.hbrBackground = reinterpret_cast<HBRUSH>(COLOR_WINDOW + 1);
  windowClass.lpszClassName = L"bridge32.EditorHost";
  B32_WIN32_CHECK(RegisterClassExW(&windowClass));

  HWND window = CreateWindowExW(0, windowClass.lpszClassName, L"bridge32 editor host (64-bit)",
                                WS_OVERLAPPEDWINDOW | WS_CLIPCHILDREN, CW_USEDEFAULT,
                                CW_USEDEFAULT, 480, 240, nullptr, nullptr, instance, nullptr);
  B32_WIN32_CHECK(window);
  app.callbacks.window = window;
  SetWindowLongPtrW(window, GWLP_USERDATA, reinterpret_cast<LONG_PTR>(&app));
  auto child = [&](const wchar_t* className, const wchar_t* text, int id, int x, int width) {
    return CreateWindowExW(0, className, text, WS_CHILD | WS_VISIBLE, x, kMargin, width, 24,
                           window, reinterpret_cast<HMENU>(INT_PTR(id)), instance, nullptr);
  };
  child(L"Button", L"-", kLower, kMargin, 28);
  child(L"Button", L"+", kRaise, kMargin + 32, 28);
  app.label = child(L"Static", L"", kLabel, kMargin + 72, 360);

  bridge32::PluginEditor& editor = app.gain->openEditor(window);
  SetWindowPos(static_cast<HWND>(editor.container()), nullptr, kMargin, kMargin + kBarHeight, 0, 0,
               SWP_NOSIZE | SWP_NOZORDER);
  layOut(window, app);
  showGain(app);
  spdlog::info("'{}' ({}, {}) has its editor open in this window: {} x {}, in {}",
               app.gain->descriptor().name, bridge32::utf8(modulePath.filename()),
               bridge32::toString(app.module->architecture()), editor.size().width,
               editor.size().height,
               app.module->isBridged()
                   ? "surrogate process " + std::to_string(app.module->surrogatePid())
                   : std::string("this process"));
  ShowWindow(window, SW_SHOWNORMAL);
  if (exitAfterSeconds > 0) SetTimer(window, 1, UINT(exitAfterSeconds * 1000), nullptr);

  MSG message;
  while (GetMessageW(&message, nullptr, 0, 0) > 0) {
    if (message.message == WM_TIMER && message.hwnd == window) {
      spdlog::info("gain {:.2f} after {} s; closing", app.gain->param(kGainParam), exitAfterSeconds);
      DestroyWindow(window);
      continue;
    }
    TranslateMessage(&message);
    DispatchMessageW(&message);
  }
  app.gain->closeEditor();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path modulePath;
  int exitAfter = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--exit-after" && i + 1 < argc) {
      exitAfter = std::atoi(argv[++i]);
    } else if (!arg.empty() && arg[0] != '-' && modulePath.empty()) {
      modulePath = bridge32::pathFromUtf8(arg);
    } else {
      std::fprintf(stderr, "usage: bridge32-editor-host [MODULE] [--exit-after SECONDS]\n");
      return 2;
    }
  }
  if (modulePath.empty()) modulePath = defaultModule();
  try {
    return run(modulePath, exitAfter);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bridge32-editor-host: %s\n", error.what());
    return 1;
  }
}
