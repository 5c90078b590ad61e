#include "ui/editor.h"

#include "logging.h"

#if _WIN32
#include "win32.h"
#endif

namespace bridge32 {

#if _WIN32

namespace {

// Posted to the container by other threads.
constexpr UINT kResizeRequested = WM_APP + 0x132;  // wParam: width, lParam: height
constexpr UINT kPluginStopped = WM_APP + 0x133;
constexpr UINT kPluginRestarted = WM_APP + 0x134;

constexpr wchar_t kContainerClass[] = L"bridge32.EditorContainer";

// The container window: a plain child window the plugin's editor fills. Its size is the
// editor's; once the plugin stopped it paints why instead.
class EditorWindow final : public PluginEditor {
 public:
  EditorWindow(HWND parent, EditorPeer& peer, HostCallbacks& callbacks, const EditorSlot& slot,
               std::string pluginName)
      : peer_(peer), callbacks_(callbacks), slot_(slot), pluginName_(std::move(pluginName)) {
    hwnd_ = CreateWindowExW(0, windowClass(), L"", WS_CHILD | WS_CLIPCHILDREN | WS_CLIPSIBLINGS,
                            0, 0, 1, 1, parent, nullptr, moduleInstance(), this);
    if (!hwnd_) win32::throwLastError("CreateWindowExW for the editor container");
    bool opened = false;
    try {
      createPeerEditor();
      opened = true;
      peer_.setEditorVisible(true);
    } catch (...) {
      if (opened) closePeer();
      DestroyWindow(hwnd_);
      throw;
    }
    ShowWindow(hwnd_, SW_SHOWNA);
  }

  ~EditorWindow() override {
    // The plugin destroys its windows first: destroying ours with another process's children
    // still in it would wait on that process.
    if (slot_.stoppedReason().empty()) closePeer();
    if (hwnd_) DestroyWindow(hwnd_);
  }

  NativeWindow container() const override { return hwnd_; }
  EditorSize size() const override { return size_; }
  bool canResize() const override { return canResize_; }

  EditorSize setSize(EditorSize size) override {
    adopt(peer_.resizeEditor(size));
    return size_;
  }

  void show() override {
    peer_.setEditorVisible(true);
    ShowWindow(hwnd_, SW_SHOWNA);
  }

  void hide() override {
    ShowWindow(hwnd_, SW_HIDE);
    peer_.setEditorVisible(false);
  }

  std::string stoppedReason() const override { return slot_.stoppedReason(); }

 private:
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
    auto* self = reinterpret_cast<EditorWindow*>(GetWindowLongPtrW(hwnd, GWLP_USERDATA));
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
        if (!fitting_ && hwnd_) {
          EditorSize wanted{LOWORD(lParam), HIWORD(lParam)};
          if (wanted.width > 0 && wanted.height > 0 && !(wanted == size_)) {
            askPlugin(wanted, "follow the container's new size");
          }
        }
        InvalidateRect(hwnd, nullptr, TRUE);
        return 0;
      case kResizeRequested:
        if (askPlugin({uint32_t(wParam), uint32_t(lParam)}, "take the size it asked for")) {
          callbacks_.editorResized(size_);
        }
        return 0;
      case kPluginStopped:
        InvalidateRect(hwnd, nullptr, TRUE);
        return 0;
      case kPluginRestarted:
        reattach();
        InvalidateRect(hwnd, nullptr, TRUE);
        return 0;
      case WM_PAINT:
        paint(hwnd);
        return 0;
    }
    return DefWindowProcW(hwnd, message, wParam, lParam);
  }

  // Resizes the editor to `wanted` and the container to what the plugin took. Errors are logged:
  // this runs from the window's message handling, where nobody could catch them.
  bool askPlugin(EditorSize wanted, const char* what) {
    if (!slot_.stoppedReason().empty()) return false;
    try {
      adopt(peer_.resizeEditor(wanted));
      return true;
    } catch (const std::exception& error) {
      logging::warn("the editor of '{}' could not {} ({} x {}): {}", pluginName_, what,
                   wanted.width, wanted.height, error.what());
      adopt(size_);
      return false;
    }
  }

  // Has the plugin create its editor in this container, which takes the editor's size.
  void createPeerEditor() {
    EditorInfo info = peer_.createEditor(hwnd_);
    canResize_ = info.canResize;
    adopt(info.size);
  }

  // The plugin runs again in a new process: create its editor in this container again, at the
  // size it had if the plugin can take it, and as visible as it was.
  void reattach() {
    if (!slot_.stoppedReason().empty()) return;  // it stopped again before this came
    EditorSize before = size_;
    try {
      createPeerEditor();
      if (canResize_ && !(size_ == before)) askPlugin(before, "take back its earlier size");
      if (GetWindowLongPtrW(hwnd_, GWL_STYLE) & WS_VISIBLE) peer_.setEditorVisible(true);
    } catch (const std::exception& error) {
      logging::warn("the editor of '{}' could not be created again after its restart: {}",
                   pluginName_, error.what());
    }
  }

  void adopt(EditorSize size) {
    size_ = size;
    fitting_ = true;
    SetWindowPos(hwnd_, nullptr, 0, 0, int(size.width), int(size.height),
                 SWP_NOMOVE | SWP_NOZORDER | SWP_NOACTIVATE);
    fitting_ = false;
  }

  void paint(HWND hwnd) {
    PAINTSTRUCT paint;
    HDC dc = BeginPaint(hwnd, &paint);
    std::string reason = slot_.stoppedReason();
    if (!reason.empty()) {
      RECT area;
      GetClientRect(hwnd, &area);
      FillRect(dc, &area, GetSysColorBrush(COLOR_BTNFACE));
      InflateRect(&area, -8, -8);
      std::wstring text = win32::wide("The plugin '" + pluginName_ + "' stopped.\n\n" + reason);
      SetBkMode(dc, TRANSPARENT);
      DrawTextW(dc, text.c_str(), int(text.size()), &area, DT_WORDBREAK | DT_NOPREFIX);
    }
    EndPaint(hwnd, &paint);
  }

  void closePeer() {
    try {
      peer_.destroyEditor();
    } catch (const std::exception& error) {
      logging::debug("closing the editor of '{}': {}", pluginName_, error.what());
    }
  }

  EditorPeer& peer_;
  HostCallbacks& callbacks_;
  const EditorSlot& slot_;
  std::string pluginName_;
  HWND hwnd_ = nullptr;
  EditorSize size_;
  bool canResize_ = false;
  bool fitting_ = false;  // inside our own SetWindowPos
};

}  // namespace

#endif  // _WIN32

EditorSlot::EditorSlot(EditorPeer& peer, HostCallbacks& callbacks, std::string pluginName)
    : peer_(peer), callbacks_(callbacks), pluginName_(std::move(pluginName)) {}

EditorSlot::~EditorSlot() { close(); }

PluginEditor& EditorSlot::open(NativeWindow parent) {
#if _WIN32
  if (window_) {
    throw Error(Error::Kind::badState, "the editor of '" + pluginName_ + "' is open already");
  }
  if (!IsWindow(static_cast<HWND>(parent))) {
    throw Error(Error::Kind::invalidArgument,
                "cannot open the editor of '" + pluginName_ + "': the parent is not a window");
  }
  auto window = std::make_unique<EditorWindow>(static_cast<HWND>(parent), peer_, callbacks_,
                                               *this, pluginName_);
  {
    std::lock_guard lock(mutex_);
    container_ = window->container();
  }
  window_ = std::move(window);
  return *window_;
#else
  (void)parent;
  throw Error(Error::Kind::unsupported,
              "cannot open the editor of '" + pluginName_ +
                  "': embedding plugin editors is not supported on Linux; bridge32 embeds "
                  "editors in Win32 windows only (X11 embedding is not implemented)");
#endif
}

PluginEditor* EditorSlot::get() { return window_.get(); }

void EditorSlot::close() {
  {
    std::lock_guard lock(mutex_);
    container_ = nullptr;
  }
  window_.reset();
}

bool EditorSlot::requestResize(EditorSize size) {
  std::lock_guard lock(mutex_);
  if (!container_) return false;
#if _WIN32
  return PostMessageW(static_cast<HWND>(container_), kResizeRequested, size.width, size.height);
#else
  (void)size;
  return false;
#endif
}

void EditorSlot::pluginStopped(const std::string& why) {
  std::lock_guard lock(mutex_);
  stoppedReason_ = why;
#if _WIN32
  if (container_) PostMessageW(static_cast<HWND>(container_), kPluginStopped, 0, 0);
#endif
}

void EditorSlot::pluginRestarting() {
  std::lock_guard lock(mutex_);
  stoppedReason_.clear();
}

void EditorSlot::pluginRestarted() {
  NativeWindow container;
  {
    std::lock_guard lock(mutex_);
    container = container_;
  }
#if _WIN32
  // The container's thread makes the editor again: now if that is this thread, else soon.
  auto window = static_cast<HWND>(container);
  if (!window) return;
  if (GetWindowThreadProcessId(window, nullptr) == GetCurrentThreadId()) {
    SendMessageW(window, kPluginRestarted, 0, 0);
  } else {
    PostMessageW(window, kPluginRestarted, 0, 0);
  }
#else
  (void)container;
#endif
}

std::string EditorSlot::stoppedReason() const {
  std::lock_guard lock(mutex_);
  return stoppedReason_;
}

}  // namespace bridge32
