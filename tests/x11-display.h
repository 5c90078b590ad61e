// X11 for the Linux editor tests: a private Xvfb display, and the display's own view of windows
// (parents, children, sizes, the process that owns each, pixels), from a connection of the test's.
#pragma once
#if !_WIN32

#include <xcb/xcb.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "bridge32/types.h"

namespace bridge32::test {

// An Xvfb server of its own (a free display number, no TCP), DISPLAY set to it for this process
// and the surrogates it starts, and a connection to it. Stops the server and restores DISPLAY
// when destroyed. Fails the test (and throws) when Xvfb cannot start.
class XvfbDisplay {
 public:
  XvfbDisplay();
  ~XvfbDisplay();
  XvfbDisplay(const XvfbDisplay&) = delete;
  XvfbDisplay& operator=(const XvfbDisplay&) = delete;

  xcb_connection_t* connection() const { return connection_; }
  xcb_window_t root() const { return root_; }

  // A top-level window of the test's, mapped: the application's window.
  xcb_window_t createWindow(uint32_t width, uint32_t height);
  void destroyWindow(xcb_window_t window);

  xcb_window_t parentOf(xcb_window_t window) const;  // 0 when it is gone
  std::vector<xcb_window_t> childrenOf(xcb_window_t window) const;  // bottom to top
  bool exists(xcb_window_t window) const;
  EditorSize sizeOf(xcb_window_t window) const;
  bool isMapped(xcb_window_t window) const;
  // The process of the client that created `window` (the X-Resource extension); 0 if unknown.
  uint32_t ownerPid(xcb_window_t window) const;

  // `window` resized, as the application would.
  void resize(xcb_window_t window, EditorSize size);
  // A click of `button` (1: left, 3: right) at (x, y) in `window`, sent to it.
  void click(xcb_window_t window, int16_t x, int16_t y, uint8_t button = 1);
  // `window`'s WM_NAME.
  std::string nameOf(xcb_window_t window) const;

  // What `window` shows, as 8-bit RGB rows, saved as a PNG at `path`; how many colours it has.
  size_t saveScreenshot(xcb_window_t window, const std::filesystem::path& path) const;

 private:
  int pid_ = -1;
  std::string previousDisplay_;
  bool hadDisplay_ = false;
  xcb_connection_t* connection_ = nullptr;
  xcb_window_t root_ = 0;
};

// Polls `done()` every 10 ms until it is true or `timeout` passes; true if it came true.
template <typename Done>
bool waitUntil(Done&& done, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace bridge32::test

#endif
