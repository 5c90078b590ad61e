// The editor's container on Windows: a plain child window of the application's window, on the
// application's thread, which dispatches its messages; other threads post to it.
#include "ui/editor.h"

#include "win32.h"

namespace bridge32 {
namespace {

// Posted to the container by other threads.
constexpr UINT kResizeRequested = WM_APP + 0x132;  // wParam: width, lParam: height
constexpr UINT kPluginStopped = WM_APP + 0x133;
constexpr UINT kPluginRestarted = WM_APP + 0x134;

constexpr wchar_t kContainerClass[] = L"bridge32.EditorContainer";

// The container's size is the editor's; once the plugin stopped it paints why instead.
class Win32EditorWindow final : public EditorWindow {
 public:
  Win32EditorWindow(HWND parent, EditorPeer& peer, PluginHost& callbacks,
                    const EditorSlot& slot, std::string pluginName)
      : EditorWindow(peer, callbacks, slot, std::move(pluginName)) {
    hwnd_ = CreateWindowExW(0, windowClass(), L"", WS_CHILD | WS_CLIPCHILDREN | WS_CLIPSIBLINGS,
                            0, 0, 1, 1, parent, nullptr, moduleInstance(), this);
    if (!hwnd_) win32::throwLastError("CreateWindowExW for the editor container");
    bool opened = false;
    try {
      createPeerEditor(hwnd_);
      opened = true;
      peer_.setEditorVisible(true);
    } catch (...) {
      if (opened) closePeer();
      DestroyWindow(hwnd_);
      throw;
    }
    ShowWindow(hwnd_, SW_SHOWNA);
  }

  ~Win32EditorWindow() override {
    // The plugin destroys its windows first: destroying ours with another process's children
    // still in it would wait on that process.
    closePeer();
    if (hwnd_) DestroyWindow(hwnd_);
  }

  NativeWindow container() const override { return hwnd_; }

  void show() override {
    peer_.setEditorVisible(true);
    ShowWindow(hwnd_, SW_SHOWNA);
  }

  void hide() override {
    ShowWindow(hwnd_, SW_HIDE);
    peer_.setEditorVisible(false);
  }

  void postResizeRequest(EditorSize size) override {
    PostMessageW(hwnd_, kResizeRequested, size.width, size.height);
  }
  void postStopped() override { PostMessageW(hwnd_, kPluginStopped, 0, 0); }
  void postRestarted() override { PostMessageW(hwnd_, kPluginRestarted, 0, 0); }

 private:
  void resizeContainer(EditorSize size) override {
    fitting_ = true;
    SetWindowPos(hwnd_, nullptr, 0, 0, int(size.width), int(size.height),
                 SWP_NOMOVE | SWP_NOZORDER | SWP_NOACTIVATE);
    fitting_ = false;
  }

  bool containerShown() const override {
    return (GetWindowLongPtrW(hwnd_, GWL_STYLE) & WS_VISIBLE) != 0;
  }

  static HINSTANCE moduleInstance() {
    HMODULE module = nullptr;
    GetModuleHandleExW(
        GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
        reinterpret_cast<LPCWSTR>(&windowProc), &module);
    return module;
  }

  static const wchar_t* windowClass() {
    static const bool registered = [] {
      WNDCLASSEXW windowClass{};
      windowClass.cbSize = sizeof windowClass;
      windowClass.lpfnWndProc = windowProc;
      windowClass.hInstance = moduleInstance();
      windowClass.hCursor = LoadCursorW(nullptr, reinterpret_cast<LPCWSTR>(IDC_ARROW));
      windowClass.hbrBackground = reinterpret_cast<HBRUSH>(COLOR_BTNFACE + 1);
      windowClass.lpszClassName = kContainerClass;
      return RegisterClassExW(&windowClass) != 0 || GetLastError() == ERROR_CLASS_ALREADY_EXISTS;
    }();
    if (!registered) win32::throwLastError("RegisterClassExW for the editor container");
    return kContainerClass;
  }

  static LRESULT CALLBACK windowProc(HWND hwnd, UINT message, WPARAM wParam, LPARAM lParam) {
    if (message == WM_NCCREATE) {
      auto* create = reinterpret_cast<CREATESTRUCTW*>(lParam);
      SetWindowLongPtrW(hwnd, GWLP_USERDATA, reinterpret_cast<LONG_PTR>(create->lpCreateParams));
    }
    auto* self = reinterpret_cast<Win32EditorWindow*>(GetWindowLongPtrW(hwnd, GWLP_USERDATA));
    if (!self) return DefWindowProcW(hwnd, message, wParam, lParam);
    if (message == WM_NCDESTROY) {
      SetWindowLongPtrW(hwnd, GWLP_USERDATA, 0);
      self->hwnd_ = nullptr;
    }
    return self->handle(hwnd, message, wParam, lParam);
  }

  LRESULT handle(HWND hwnd, UINT message, WPARAM wParam, LPARAM lParam) {
    switch (message) {
      case WM_SIZE:
        // Someone resized the container directly: ask the plugin for that size too.
        if (!fitting_ && hwnd_) followContainer({LOWORD(lParam), HIWORD(lParam)});
        InvalidateRect(hwnd, nullptr, TRUE);
        return 0;
      case kResizeRequested:
        grantResize({uint32_t(wParam), uint32_t(lParam)});
        return 0;
      case kPluginStopped:
        InvalidateRect(hwnd, nullptr, TRUE);
        return 0;
      case kPluginRestarted:
        reattach(hwnd_);
        InvalidateRect(hwnd, nullptr, TRUE);
        return 0;
      case WM_PAINT:
        paint(hwnd);
        return 0;
    }
    return DefWindowProcW(hwnd, message, wParam, lParam);
  }

  void paint(HWND hwnd) {
    PAINTSTRUCT paint;
    HDC dc = BeginPaint(hwnd, &paint);
    std::string text = stoppedText();
    if (!text.empty()) {
      RECT area;
      GetClientRect(hwnd, &area);
      FillRect(dc, &area, GetSysColorBrush(COLOR_BTNFACE));
      InflateRect(&area, -8, -8);
      std::wstring wide = win32::wide(text);
      SetBkMode(dc, TRANSPARENT);
      DrawTextW(dc, wide.c_str(), int(wide.size()), &area, DT_WORDBREAK | DT_NOPREFIX);
    }
    EndPaint(hwnd, &paint);
  }

  HWND hwnd_ = nullptr;
  bool fitting_ = false;  // inside our own SetWindowPos
};

}  // namespace

std::unique_ptr<EditorWindow> openEditorWindow(NativeWindow parent, EditorPeer& peer,
                                               PluginHost& callbacks, const EditorSlot& slot,
                                               const std::string& pluginName) {
  if (!IsWindow(static_cast<HWND>(parent))) {
    throw Error(Error::Kind::invalidArgument,
                "cannot open the editor of '" + pluginName + "': the parent is not a window");
  }
  return std::make_unique<Win32EditorWindow>(static_cast<HWND>(parent), peer, callbacks, slot,
                                             pluginName);
}

}  // namespace bridge32
