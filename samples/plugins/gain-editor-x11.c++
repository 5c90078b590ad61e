// The Gain plugin's editor on X11, with XCB (Linux builds; see gain-editor.h).
//
// The editor opens its own connection to the display and makes one window, a child of the host's
// container at (0, 0), hidden until show(), 320 x 120 at first. It draws, in the display's core
// font "fixed":
//   label   at (8, 8): the gain as "Gain: %.2f x", e.g. "Gain: 1.00 x". The window's WM_NAME is
//           the same text, for tools (and tests) that read windows rather than pixels.
//   slider  a track at (8, 36), W - 16 wide, 32 high (W: the editor's width), filled up to the
//           gain. A left click at x within the track's height sets
//             gain = round2(clamp((x - 16) / (W - 32), 0, 1) * 4)
//           (the Windows slider's geometry, seen from the editor).
// A right click anywhere asks the host for the other of 320 x 120 and 480 x 180, alternately,
// starting with 480 x 180.
//
// X11 gives a plugin's connection no turn by itself: the plugin calls handleEvents() from a timer
// of the host's timer extension.
#include <xcb/xcb.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "bridge32/ext/gui.h"
#include "gain-editor.h"

namespace samples {
namespace {

constexpr uint32_t kMinWidth = 200, kMinHeight = 80;
constexpr int kMargin = 8, kSliderTop = 36, kSliderHeight = 32;

class X11GainEditor final : public GainEditor {
 public:
  X11GainEditor(xcb_connection_t* connection, double gain, GainEditorListener& listener)
      : connection_(connection), gain_(gain), listener_(listener) {}

  ~X11GainEditor() override { xcb_disconnect(connection_); }  // its window goes with it

  bool create(xcb_window_t parent) {
    window_ = xcb_generate_id(connection_);
    uint32_t values[] = {0xe8e8e8, XCB_EVENT_MASK_EXPOSURE | XCB_EVENT_MASK_BUTTON_PRESS |
                                       XCB_EVENT_MASK_STRUCTURE_NOTIFY};
    auto created = xcb_create_window_checked(
        connection_, XCB_COPY_FROM_PARENT, window_, parent, 0, 0, width_, height_, 0,
        XCB_WINDOW_CLASS_INPUT_OUTPUT, XCB_COPY_FROM_PARENT, XCB_CW_BACK_PIXEL | XCB_CW_EVENT_MASK,
        values);
    if (xcb_generic_error_t* error = xcb_request_check(connection_, created)) {
      std::free(error);
      return false;
    }
    xcb_font_t font = xcb_generate_id(connection_);
    xcb_open_font(connection_, font, 5, "fixed");
    text_ = xcb_generate_id(connection_);
    uint32_t textValues[] = {0x202020, 0xe8e8e8, font};
    xcb_create_gc(connection_, text_, window_,
                  XCB_GC_FOREGROUND | XCB_GC_BACKGROUND | XCB_GC_FONT, textValues);
    xcb_close_font(connection_, font);
    track_ = xcb_generate_id(connection_);
    uint32_t trackValue[] = {0xa0a0a0};
    xcb_create_gc(connection_, track_, window_, XCB_GC_FOREGROUND, trackValue);
    fill_ = xcb_generate_id(connection_);
    uint32_t fillValue[] = {0x3070c0};
    xcb_create_gc(connection_, fill_, window_, XCB_GC_FOREGROUND, fillValue);
    nameLabel();
    xcb_flush(connection_);
    return true;
  }

  bool isOpen() const override { return open_; }

  // Shown or hidden once these return: a round trip, so that the server has done it before the
  // host (another connection, whose requests it may take first) looks.
  void show() override {
    xcb_map_window(connection_, window_);
    sync();
  }

  void hide() override {
    xcb_unmap_window(connection_, window_);
    sync();
  }

  void getSize(uint32_t& width, uint32_t& height) const override {
    width = width_;
    height = height_;
  }

  bool setSize(uint32_t& width, uint32_t& height) override {
    width_ = std::clamp<uint32_t>(width, kMinWidth, B32_GUI_MAX_SIDE);
    height_ = std::clamp<uint32_t>(height, kMinHeight, B32_GUI_MAX_SIDE);
    uint32_t values[] = {width_, height_};
    xcb_configure_window(connection_, window_, XCB_CONFIG_WINDOW_WIDTH | XCB_CONFIG_WINDOW_HEIGHT,
                         values);
    paint();
    width = width_;
    height = height_;
    return true;
  }

  void showGain(double gain) override {
    gain_ = gain;
    nameLabel();
    paint();
  }

  void handleEvents() override {
    while (xcb_generic_event_t* event = xcb_poll_for_event(connection_)) {
      uint8_t type = event->response_type & 0x7f;
      if (type == XCB_EXPOSE) {
        std::free(event);
        paint();
      } else if (type == XCB_DESTROY_NOTIFY) {
        std::free(event);
        open_ = false;  // with a parent the host destroyed first
        return;
      } else if (type == XCB_BUTTON_PRESS) {
        auto press = *reinterpret_cast<xcb_button_press_event_t*>(event);
        std::free(event);
        if (press.detail == 3) {
          bool small = width_ != 480 || height_ != 180;
          listener_.resizeWanted(small ? 480 : 320, small ? 180 : 120);
          return;  // the listener's call comes last
        }
        if (press.detail == 1 && press.event_y >= kSliderTop &&
            press.event_y < kSliderTop + kSliderHeight && clicked(press.event_x)) {
          return;
        }
      } else {
        std::free(event);
      }
    }
  }

 private:
  void sync() {
    std::free(xcb_get_input_focus_reply(connection_, xcb_get_input_focus(connection_), nullptr));
  }

  // A click at x on the slider: true if it changed the gain and told the listener.
  bool clicked(int x) {
    double span = std::max<double>(double(width_) - 4 * kMargin, 1);
    double value = std::round(std::clamp((x - 2 * kMargin) / span, 0.0, 1.0) * 4 * 100) / 100;
    if (value == gain_) return false;
    showGain(value);
    listener_.gainEdited(value);
    return true;
  }

  std::string label() const {
    char text[32];
    std::snprintf(text, sizeof text, "Gain: %.2f x", gain_);
    return text;
  }

  void nameLabel() {
    std::string text = label();
    xcb_change_property(connection_, XCB_PROP_MODE_REPLACE, window_, XCB_ATOM_WM_NAME,
                        XCB_ATOM_STRING, 8, uint32_t(text.size()), text.data());
    xcb_flush(connection_);
  }

  void paint() {
    xcb_clear_area(connection_, 0, window_, 0, 0, 0, 0);
    std::string text = label();
    xcb_image_text_8(connection_, uint8_t(text.size()), window_, text_, kMargin, kMargin + 12,
                     text.data());
    int16_t trackWidth = int16_t(std::max<int>(int(width_) - 2 * kMargin, 1));
    xcb_rectangle_t track{kMargin, kSliderTop, uint16_t(trackWidth), kSliderHeight};
    xcb_poly_fill_rectangle(connection_, window_, track_, 1, &track);
    xcb_rectangle_t fill{kMargin, kSliderTop, uint16_t(trackWidth * std::clamp(gain_ / 4, 0.0, 1.0)),
                         kSliderHeight};
    xcb_poly_fill_rectangle(connection_, window_, fill_, 1, &fill);
    xcb_flush(connection_);
  }

  xcb_connection_t* connection_;
  xcb_window_t window_ = 0;
  xcb_gcontext_t text_ = 0, track_ = 0, fill_ = 0;
  uint32_t width_ = GainEditor::kPreferredWidth, height_ = GainEditor::kPreferredHeight;
  double gain_;
  GainEditorListener& listener_;
  bool open_ = true;
};

}  // namespace

std::unique_ptr<GainEditor> createGainEditor(void* parent, double gain,
                                             GainEditorListener& listener) {
  xcb_connection_t* connection = xcb_connect(nullptr, nullptr);
  if (xcb_connection_has_error(connection)) {
    xcb_disconnect(connection);
    return nullptr;
  }
  auto editor = std::unique_ptr<X11GainEditor>(new (std::nothrow)
                                                   X11GainEditor(connection, gain, listener));
  if (!editor) {
    xcb_disconnect(connection);
    return nullptr;
  }
  if (!editor->create(xcb_window_t(reinterpret_cast<uintptr_t>(parent)))) return nullptr;
  return editor;
}

}  // namespace samples
