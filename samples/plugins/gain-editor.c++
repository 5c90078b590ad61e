// The Gain plugin's editor in plain Win32 + GDI (Windows builds only; see gain-editor.h).
//
// Windows, all created on the plugin's main thread. The editor is an ordinary child window, as
// legacy plugins make them: creating and destroying it sends WM_PARENTNOTIFY to the host's
// container, which in a surrogate belongs to another process, and waits for it to be handled
// (the host keeps its window thread dispatching for this). Its own controls set
// WS_EX_NOPARENTNOTIFY; their parent is the editor:
//   editor  class "bridge32.samples.GainEditor" (CS_DBLCLKS), WS_CHILD | WS_CLIPCHILDREN, a child
//           of the host's parent window at (0, 0); hidden until show(). 320 x 120 at first.
//   label   a standard "Static" at (8, 8), W - 16 wide, 20 high (W x H: the editor's size). Its
//           text is the gain formatted as "Gain: %.2f x", e.g. "Gain: 1.00 x".
//   slider  class "bridge32.samples.GainSlider" at (8, 36), W - 16 wide, 32 high.
//
// Slider geometry, in the slider's client area of width S (= W - 16): the track runs from
// x = 8 to x = S - 8. A click or drag at client x sets
//   gain = round2(clamp((x - 8) / (S - 16), 0, 1) * 4)
// where round2 rounds to 2 decimal places. WM_LBUTTONDOWN sets the gain and captures the mouse,
// WM_MOUSEMOVE with MK_LBUTTON updates it until WM_LBUTTONUP (or the capture is lost). Left and
// Right (WM_KEYDOWN on the slider) step by 0.05 within [0, 4], again rounded to 2 decimals. Each
// distinct change reaches the plugin once, through GainEditorListener::gainEdited().
//
// A double click on the editor's own background (the label lets clicks through) asks for the
// other of 320 x 120 and 480 x 180, alternately, starting with 480 x 180; the host resizes.
//
// The plugin module depends on the SDK only, so it includes <windows.h> itself, with the same
// lean defines as bridge32's own win32.h.
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN 1
#endif
#ifndef NOMINMAX
#define NOMINMAX 1
#endif
#include <windows.h>
#include <windowsx.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <new>

#include "bridge32/ext/gui.h"
#include "gain-editor.h"

namespace samples {
namespace {

constexpr wchar_t kEditorClass[] = L"bridge32.samples.GainEditor";
constexpr wchar_t kSliderClass[] = L"bridge32.samples.GainSlider";

constexpr uint32_t kMinWidth = 200, kMinHeight = 80;
constexpr uint32_t kLargeWidth = 480, kLargeHeight = 180;

constexpr int kMargin = 8;        // around and between the children
constexpr int kLabelHeight = 20;
constexpr int kSliderTop = kMargin + kLabelHeight + kMargin;
constexpr int kSliderHeight = 32;
constexpr int kTrackInset = 8;    // the track runs from x = 8 to x = S - 8 in the slider
constexpr int kThumbHalfWidth = 5;

constexpr double kMaxGain = 4.0;  // the gain parameter's range is [0, 4]
constexpr double kKeyStep = 0.05;

double round2(double value) { return std::round(value * 100.0) / 100.0; }

double clampGain(double value) { return std::clamp(value, 0.0, kMaxGain); }

// The gain a click at slider client x means, for a slider `sliderWidth` wide.
double gainAt(int x, int sliderWidth) {
  const int track = std::max(sliderWidth - 2 * kTrackInset, 1);
  const double position = std::clamp(double(x - kTrackInset) / track, 0.0, 1.0);
  return round2(position * kMaxGain);
}

// The slider client x at which the thumb shows `gain`.
int thumbAt(double gain, int sliderWidth) {
  const int track = std::max(sliderWidth - 2 * kTrackInset, 0);
  return kTrackInset + int(std::lround(clampGain(gain) / kMaxGain * track));
}

// This DLL, not the host executable: window classes belong to the module whose code runs them.
HINSTANCE thisModule() {
  static const char anchor = 0;
  HMODULE module = nullptr;
  GetModuleHandleExW(
      GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
      reinterpret_cast<LPCWSTR>(&anchor), &module);
  return module;
}

bool registerClass(HINSTANCE module, const wchar_t* name, UINT style, WNDPROC procedure,
                   HBRUSH background) {
  WNDCLASSEXW windowClass{};
  windowClass.cbSize = sizeof windowClass;
  windowClass.style = style;
  windowClass.lpfnWndProc = procedure;
  windowClass.hInstance = module;
  windowClass.hCursor = LoadCursorW(nullptr, MAKEINTRESOURCEW(32512));  // IDC_ARROW
  windowClass.hbrBackground = background;
  windowClass.lpszClassName = name;
  if (RegisterClassExW(&windowClass)) return true;
  if (GetLastError() != ERROR_CLASS_ALREADY_EXISTS) return false;
  // Left by an earlier load of this DLL: Windows keeps a DLL's classes after it unloads, with a
  // window procedure that may point nowhere now. No window of it can be left, so replace it.
  return UnregisterClassW(name, module) && RegisterClassExW(&windowClass);
}

class GainEditorWindow final : public GainEditor {
 public:
  GainEditorWindow(double gain, GainEditorListener& listener)
      : listener_(listener), gain_(gain) {}
  ~GainEditorWindow() override {
    if (editor_) DestroyWindow(editor_);  // its WM_NCDESTROY clears the handles
  }
  GainEditorWindow(const GainEditorWindow&) = delete;
  GainEditorWindow& operator=(const GainEditorWindow&) = delete;

  // Registers the classes (once per module load) and creates the windows; false on failure.
  bool open(HWND parent);

  bool isOpen() const override { return editor_ != nullptr; }
  void show() override { ShowWindow(editor_, SW_SHOWNA); }  // no activation to send anywhere
  void hide() override { ShowWindow(editor_, SW_HIDE); }

  void getSize(uint32_t& width, uint32_t& height) const override {
    width = width_;
    height = height_;
  }

  bool setSize(uint32_t& width, uint32_t& height) override {
    width = std::clamp<uint32_t>(width, kMinWidth, B32_GUI_MAX_SIDE);
    height = std::clamp<uint32_t>(height, kMinHeight, B32_GUI_MAX_SIDE);
    if (!SetWindowPos(editor_, nullptr, 0, 0, int(width), int(height),
                      SWP_NOMOVE | SWP_NOZORDER | SWP_NOACTIVATE)) {
      return false;
    }
    width_ = width;  // WM_SIZE did this already unless the size did not change
    height_ = height;
    layOut();
    return true;
  }

  void showGain(double gain) override {
    gain_ = gain;
    updateLabel();
    if (slider_) InvalidateRect(slider_, nullptr, FALSE);
  }

 private:
  static LRESULT CALLBACK editorProcedure(HWND window, UINT message, WPARAM wParam,
                                          LPARAM lParam);
  static LRESULT CALLBACK sliderProcedure(HWND window, UINT message, WPARAM wParam,
                                          LPARAM lParam);
  LRESULT onEditorMessage(HWND window, UINT message, WPARAM wParam, LPARAM lParam);
  LRESULT onSliderMessage(HWND window, UINT message, WPARAM wParam, LPARAM lParam);

  void layOut();
  void updateLabel();
  void paintSlider(HWND window);
  void drawSlider(HDC dc, int width, int height, bool focused) const;

  // Shows `gain` and hands it to the plugin if it differs from the gain shown. Must be the last
  // thing a message handler does: the plugin may destroy this editor meanwhile.
  void edit(double gain);
  int sliderWidth() const;

  GainEditorListener& listener_;
  double gain_;
  uint32_t width_ = kPreferredWidth, height_ = kPreferredHeight;
  bool largeWanted_ = false;  // which size the last double click asked for
  bool dragging_ = false;     // between WM_LBUTTONDOWN and WM_LBUTTONUP on the slider
  HWND editor_ = nullptr, label_ = nullptr, slider_ = nullptr;
};

bool GainEditorWindow::open(HWND parent) {
  const HINSTANCE module = thisModule();
  static bool registered = false;  // until this DLL unloads; a failure is tried again
  if (!registered) {
    registered = module &&
                 registerClass(module, kEditorClass, CS_DBLCLKS, editorProcedure,
                               GetSysColorBrush(COLOR_BTNFACE)) &&
                 registerClass(module, kSliderClass, 0, sliderProcedure, nullptr);
    if (!registered) return false;
  }

  editor_ = CreateWindowExW(0, kEditorClass, L"Gain",
                            WS_CHILD | WS_CLIPCHILDREN, 0, 0, int(width_), int(height_), parent,
                            nullptr, module, this);
  if (!editor_) return false;
  label_ = CreateWindowExW(WS_EX_NOPARENTNOTIFY, L"Static", L"",
                           WS_CHILD | WS_VISIBLE | SS_LEFT | SS_NOPREFIX, 0, 0, 0, 0, editor_,
                           nullptr, module, nullptr);
  slider_ = CreateWindowExW(WS_EX_NOPARENTNOTIFY, kSliderClass, L"Gain",
                            WS_CHILD | WS_VISIBLE | WS_TABSTOP, 0, 0, 0, 0, editor_, nullptr,
                            module, this);
  if (!label_ || !slider_) return false;  // the destructor destroys what was made
  SendMessageW(label_, WM_SETFONT, WPARAM(GetStockObject(DEFAULT_GUI_FONT)), FALSE);
  layOut();
  updateLabel();
  return true;
}

LRESULT CALLBACK GainEditorWindow::editorProcedure(HWND window, UINT message, WPARAM wParam,
                                                   LPARAM lParam) {
  if (message == WM_NCCREATE) {
    auto* create = reinterpret_cast<CREATESTRUCTW*>(lParam);
    SetWindowLongPtrW(window, GWLP_USERDATA, LONG_PTR(create->lpCreateParams));
  }
  auto* editor = reinterpret_cast<GainEditorWindow*>(GetWindowLongPtrW(window, GWLP_USERDATA));
  if (!editor) return DefWindowProcW(window, message, wParam, lParam);
  return editor->onEditorMessage(window, message, wParam, lParam);
}

LRESULT CALLBACK GainEditorWindow::sliderProcedure(HWND window, UINT message, WPARAM wParam,
                                                   LPARAM lParam) {
  if (message == WM_NCCREATE) {
    auto* create = reinterpret_cast<CREATESTRUCTW*>(lParam);
    SetWindowLongPtrW(window, GWLP_USERDATA, LONG_PTR(create->lpCreateParams));
  }
  auto* editor = reinterpret_cast<GainEditorWindow*>(GetWindowLongPtrW(window, GWLP_USERDATA));
  if (!editor) return DefWindowProcW(window, message, wParam, lParam);
  return editor->onSliderMessage(window, message, wParam, lParam);
}

LRESULT GainEditorWindow::onEditorMessage(HWND window, UINT message, WPARAM wParam,
                                          LPARAM lParam) {
  switch (message) {
    case WM_SIZE:
      width_ = LOWORD(lParam);
      height_ = HIWORD(lParam);
      layOut();
      return 0;
    case WM_LBUTTONDBLCLK:
      largeWanted_ = !largeWanted_;
      if (largeWanted_) listener_.resizeWanted(kLargeWidth, kLargeHeight);
      else listener_.resizeWanted(kPreferredWidth, kPreferredHeight);
      return 0;  // the editor may be gone: touch nothing
    case WM_NCDESTROY:
      // The children went first. Also reached when the host destroys the parent before
      // destroy(): the object stays, inert, until the plugin deletes it.
      SetWindowLongPtrW(window, GWLP_USERDATA, 0);
      editor_ = label_ = slider_ = nullptr;
      break;
  }
  return DefWindowProcW(window, message, wParam, lParam);
}

LRESULT GainEditorWindow::onSliderMessage(HWND window, UINT message, WPARAM wParam,
                                          LPARAM lParam) {
  switch (message) {
    case WM_ERASEBKGND:
      return 1;  // WM_PAINT covers every pixel
    case WM_PAINT:
      paintSlider(window);
      return 0;
    case WM_SIZE:
    case WM_SETFOCUS:
    case WM_KILLFOCUS:
      InvalidateRect(window, nullptr, FALSE);
      return 0;
    case WM_GETDLGCODE:
      return DLGC_WANTARROWS;
    case WM_LBUTTONDOWN:
      if (GetFocus() != window) SetFocus(window);
      SetCapture(window);
      dragging_ = true;
      edit(gainAt(GET_X_LPARAM(lParam), sliderWidth()));
      return 0;
    case WM_MOUSEMOVE:
      if (dragging_ && (wParam & MK_LBUTTON)) edit(gainAt(GET_X_LPARAM(lParam), sliderWidth()));
      return 0;
    case WM_LBUTTONUP:
      dragging_ = false;
      if (GetCapture() == window) ReleaseCapture();
      return 0;
    case WM_CAPTURECHANGED:
      dragging_ = false;
      return 0;
    case WM_KEYDOWN:
      if (wParam == VK_LEFT) edit(round2(clampGain(gain_ - kKeyStep)));
      else if (wParam == VK_RIGHT) edit(round2(clampGain(gain_ + kKeyStep)));
      else break;
      return 0;
    case WM_NCDESTROY:
      SetWindowLongPtrW(window, GWLP_USERDATA, 0);
      slider_ = nullptr;
      break;
  }
  return DefWindowProcW(window, message, wParam, lParam);
}

void GainEditorWindow::edit(double gain) {
  if (gain == gain_) return;
  showGain(gain);
  listener_.gainEdited(gain);
}

int GainEditorWindow::sliderWidth() const {
  RECT client{};
  if (slider_) GetClientRect(slider_, &client);
  return client.right;
}

void GainEditorWindow::layOut() {
  const int inner = std::max(int(width_) - 2 * kMargin, 0);
  const UINT flags = SWP_NOZORDER | SWP_NOACTIVATE;
  if (label_) SetWindowPos(label_, nullptr, kMargin, kMargin, inner, kLabelHeight, flags);
  if (slider_) SetWindowPos(slider_, nullptr, kMargin, kSliderTop, inner, kSliderHeight, flags);
}

void GainEditorWindow::updateLabel() {
  if (!label_) return;
  char text[32];
  std::snprintf(text, sizeof text, "Gain: %.2f x", gain_);
  wchar_t wide[sizeof text];
  for (size_t i = 0; i < sizeof text; ++i) wide[i] = wchar_t(text[i]);  // ASCII only
  SetWindowTextW(label_, wide);
}

void GainEditorWindow::paintSlider(HWND window) {
  PAINTSTRUCT paint;
  const HDC dc = BeginPaint(window, &paint);
  if (!dc) return;
  RECT client;
  GetClientRect(window, &client);
  const int width = client.right, height = client.bottom;
  const bool focused = GetFocus() == window;
  // Drawn off screen and copied in one go, so the thumb does not flicker while dragged.
  const HDC buffer = width > 0 && height > 0 ? CreateCompatibleDC(dc) : nullptr;
  const HBITMAP bitmap = buffer ? CreateCompatibleBitmap(dc, width, height) : nullptr;
  if (bitmap) {
    const HGDIOBJ previous = SelectObject(buffer, bitmap);
    drawSlider(buffer, width, height, focused);
    BitBlt(dc, 0, 0, width, height, buffer, 0, 0, SRCCOPY);
    SelectObject(buffer, previous);
  } else {
    drawSlider(dc, width, height, focused);
  }
  if (bitmap) DeleteObject(bitmap);
  if (buffer) DeleteDC(buffer);
  EndPaint(window, &paint);
}

void GainEditorWindow::drawSlider(HDC dc, int width, int height, bool focused) const {
  const RECT all = {0, 0, width, height};
  FillRect(dc, &all, GetSysColorBrush(COLOR_BTNFACE));

  const int middle = height / 2, thumb = thumbAt(gain_, width);
  const RECT track = {kTrackInset, middle - 2, std::max(width - kTrackInset, kTrackInset),
                      middle + 2};
  FillRect(dc, &track, GetSysColorBrush(COLOR_BTNSHADOW));
  const RECT filled = {kTrackInset, middle - 2, thumb, middle + 2};
  FillRect(dc, &filled, GetSysColorBrush(COLOR_HIGHLIGHT));

  const HGDIOBJ previousPen = SelectObject(dc, GetStockObject(DC_PEN));
  const HGDIOBJ previousBrush = SelectObject(dc, GetSysColorBrush(COLOR_WINDOW));
  SetDCPenColor(dc, GetSysColor(COLOR_BTNTEXT));
  Rectangle(dc, thumb - kThumbHalfWidth, 4, thumb + kThumbHalfWidth + 1, height - 4);
  SelectObject(dc, previousBrush);
  SelectObject(dc, previousPen);

  if (focused) {
    RECT focus = all;
    InflateRect(&focus, -1, -1);
    DrawFocusRect(dc, &focus);
  }
}

}  // namespace

std::unique_ptr<GainEditor> createGainEditor(void* parent, double gain,
                                             GainEditorListener& listener) {
  std::unique_ptr<GainEditorWindow> editor(new (std::nothrow) GainEditorWindow(gain, listener));
  if (!editor || !editor->open(static_cast<HWND>(parent))) return nullptr;
  return editor;
}

}  // namespace samples
