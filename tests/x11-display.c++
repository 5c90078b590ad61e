#include "x11-display.h"
#if !_WIN32

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xcb/res.h>

#include <cstdlib>
#include <memory>
#include <set>
#include <stdexcept>

#include "png.h"

namespace bridge32::test {
namespace {

template <typename T>
std::unique_ptr<T, decltype(&std::free)> owned(T* reply) {
  return {reply, &std::free};
}

}  // namespace

XvfbDisplay::XvfbDisplay() {
  int ready[2];
  if (pipe(ready) != 0) throw std::runtime_error("pipe() for Xvfb's display number failed");
  pid_ = fork();
  if (pid_ == 0) {
    close(ready[0]);
    std::string fd = std::to_string(ready[1]);
    execlp("Xvfb", "Xvfb", "-displayfd", fd.c_str(), "-screen", "0", "1024x768x24", "-nolisten",
           "tcp", "-noreset", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(ready[1]);
  // Xvfb writes the display number it took once it accepts connections.
  std::string number;
  pollfd readable{ready[0], POLLIN, 0};
  char c = 0;
  while (poll(&readable, 1, 20000) == 1 && read(ready[0], &c, 1) == 1 && c != '\n') number += c;
  close(ready[0]);
  if (number.empty()) {
    ADD_FAILURE() << "Xvfb did not start (Debian: xvfb)";
    throw std::runtime_error("no Xvfb display");
  }
  if (const char* display = std::getenv("DISPLAY")) {
    hadDisplay_ = true;
    previousDisplay_ = display;
  }
  setenv("DISPLAY", (":" + number).c_str(), 1);
  connection_ = xcb_connect(nullptr, nullptr);
  if (xcb_connection_has_error(connection_)) {
    ADD_FAILURE() << "cannot connect to Xvfb on :" << number;
    throw std::runtime_error("no connection to Xvfb");
  }
  root_ = xcb_setup_roots_iterator(xcb_get_setup(connection_)).data->root;
}

XvfbDisplay::~XvfbDisplay() {
  if (connection_) xcb_disconnect(connection_);
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  if (hadDisplay_) {
    setenv("DISPLAY", previousDisplay_.c_str(), 1);
  } else {
    unsetenv("DISPLAY");
  }
}

xcb_window_t XvfbDisplay::createWindow(uint32_t width, uint32_t height) {
  xcb_window_t window = xcb_generate_id(connection_);
  uint32_t background[] = {0xf0f0f0};
  xcb_create_window(connection_, XCB_COPY_FROM_PARENT, window, root_, 20, 20, uint16_t(width),
                    uint16_t(height), 0, XCB_WINDOW_CLASS_INPUT_OUTPUT, XCB_COPY_FROM_PARENT,
                    XCB_CW_BACK_PIXEL, background);
  xcb_map_window(connection_, window);
  // A round trip: the window exists and is mapped on the server when this returns.
  free(xcb_get_input_focus_reply(connection_, xcb_get_input_focus(connection_), nullptr));
  return window;
}

void XvfbDisplay::destroyWindow(xcb_window_t window) {
  xcb_destroy_window(connection_, window);
  free(xcb_get_input_focus_reply(connection_, xcb_get_input_focus(connection_), nullptr));
}

xcb_window_t XvfbDisplay::parentOf(xcb_window_t window) const {
  auto tree = owned(xcb_query_tree_reply(connection_, xcb_query_tree(connection_, window), nullptr));
  return tree ? tree->parent : 0;
}

std::vector<xcb_window_t> XvfbDisplay::childrenOf(xcb_window_t window) const {
  auto tree = owned(xcb_query_tree_reply(connection_, xcb_query_tree(connection_, window), nullptr));
  if (!tree) return {};
  xcb_window_t* children = xcb_query_tree_children(tree.get());
  return {children, children + xcb_query_tree_children_length(tree.get())};
}

bool XvfbDisplay::exists(xcb_window_t window) const {
  return owned(xcb_get_geometry_reply(connection_, xcb_get_geometry(connection_, window),
                                      nullptr)) != nullptr;
}

EditorSize XvfbDisplay::sizeOf(xcb_window_t window) const {
  auto geometry =
      owned(xcb_get_geometry_reply(connection_, xcb_get_geometry(connection_, window), nullptr));
  return geometry ? EditorSize{geometry->width, geometry->height} : EditorSize{};
}

bool XvfbDisplay::isMapped(xcb_window_t window) const {
  auto attributes = owned(xcb_get_window_attributes_reply(
      connection_, xcb_get_window_attributes(connection_, window), nullptr));
  return attributes && attributes->map_state != XCB_MAP_STATE_UNMAPPED;
}

uint32_t XvfbDisplay::ownerPid(xcb_window_t window) const {
  xcb_res_client_id_spec_t spec{window, XCB_RES_CLIENT_ID_MASK_LOCAL_CLIENT_PID};
  auto ids = owned(xcb_res_query_client_ids_reply(
      connection_, xcb_res_query_client_ids(connection_, 1, &spec), nullptr));
  if (!ids) return 0;
  for (auto it = xcb_res_query_client_ids_ids_iterator(ids.get()); it.rem;
       xcb_res_client_id_value_next(&it)) {
    if (it.data->spec.mask & XCB_RES_CLIENT_ID_MASK_LOCAL_CLIENT_PID &&
        xcb_res_client_id_value_value_length(it.data) >= 1) {
      return xcb_res_client_id_value_value(it.data)[0];
    }
  }
  return 0;
}

void XvfbDisplay::resize(xcb_window_t window, EditorSize size) {
  uint32_t values[] = {size.width, size.height};
  xcb_configure_window(connection_, window, XCB_CONFIG_WINDOW_WIDTH | XCB_CONFIG_WINDOW_HEIGHT,
                       values);
  xcb_flush(connection_);
}

std::string XvfbDisplay::nameOf(xcb_window_t window) const {
  auto name = owned(xcb_get_property_reply(
      connection_,
      xcb_get_property(connection_, 0, window, XCB_ATOM_WM_NAME, XCB_ATOM_STRING, 0, 256),
      nullptr));
  if (!name) return {};
  return {static_cast<const char*>(xcb_get_property_value(name.get())),
          size_t(xcb_get_property_value_length(name.get()))};
}

void XvfbDisplay::click(xcb_window_t window, int16_t x, int16_t y, uint8_t button) {
  xcb_button_press_event_t press{};
  press.response_type = XCB_BUTTON_PRESS;
  press.detail = button;
  press.root = root_;
  press.event = window;
  press.event_x = x;
  press.event_y = y;
  press.same_screen = 1;
  xcb_send_event(connection_, 0, window, XCB_EVENT_MASK_BUTTON_PRESS,
                 reinterpret_cast<const char*>(&press));
  xcb_flush(connection_);
}

size_t XvfbDisplay::saveScreenshot(xcb_window_t window, const std::filesystem::path& path) const {
  EditorSize size = sizeOf(window);
  auto image = owned(xcb_get_image_reply(
      connection_,
      xcb_get_image(connection_, XCB_IMAGE_FORMAT_Z_PIXMAP, window, 0, 0, uint16_t(size.width),
                    uint16_t(size.height), ~0u),
      nullptr));
  if (!image) throw std::runtime_error("GetImage failed for the screenshot");
  const uint8_t* pixels = xcb_get_image_data(image.get());
  size_t count = size_t(size.width) * size.height;
  if (size_t(xcb_get_image_data_length(image.get())) < count * 4) {
    throw std::runtime_error("the screenshot is not 32 bits per pixel");
  }
  std::vector<uint8_t> rgb(count * 3);
  std::set<uint32_t> colors;
  for (size_t i = 0; i < count; ++i) {  // BGRX, as a 24-bit TrueColor display stores it
    rgb[i * 3] = pixels[i * 4 + 2];
    rgb[i * 3 + 1] = pixels[i * 4 + 1];
    rgb[i * 3 + 2] = pixels[i * 4];
    colors.insert(uint32_t(rgb[i * 3]) << 16 | rgb[i * 3 + 1] << 8 | rgb[i * 3 + 2]);
  }
  std::filesystem::create_directories(path.parent_path());
  writePng(path, size.width, size.height, rgb);
  return colors.size();
}

}  // namespace bridge32::test

#endif
