// The editor's container on X11: a child window of the application's window, made on a display
// connection of its own (XCB: thread-safe, and errors come back with their requests instead of
// going to a process-wide handler the application may own) and served by a thread of its own,
// since bridge32 cannot rely on the application's event loop. Other threads hand it work as
// ClientMessage events sent to the container, which arrive in order with the window's own.
#include "ui/editor.h"

#include <poll.h>
#include <xcb/xcb.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "logging.h"

namespace bridge32 {
namespace {

// What the ClientMessages sent to the container say (data32[0]).
enum class Post : uint32_t { resize = 1, stopped, restarted, quit };

// A reply XCB allocated, freed with free().
template <typename T>
using Reply = std::unique_ptr<T, decltype(&std::free)>;
template <typename T>
Reply<T> reply(T* value) {
  return Reply<T>(value, &std::free);
}

class X11EditorWindow final : public EditorWindow {
 public:
  X11EditorWindow(xcb_window_t parent, EditorPeer& peer, PluginHost& callbacks,
                  const EditorSlot& slot, std::string pluginName)
      : EditorWindow(peer, callbacks, slot, std::move(pluginName)) {
    connection_ = xcb_connect(nullptr, nullptr);
    if (xcb_connection_has_error(connection_)) {
      xcb_disconnect(connection_);
      const char* display = std::getenv("DISPLAY");
      throw Error(Error::Kind::unsupported,
                  "cannot open the editor of '" + pluginName_ + "': no X display (DISPLAY is " +
                      (display ? "'" + std::string(display) + "'" : std::string("not set")) + ")");
    }
    // Disconnecting destroys whatever this connection made, on the server.
    bool opened = false;
    try {
      create(parent);
      createPeerEditor(container());
      opened = true;
      peer_.setEditorVisible(true);
    } catch (...) {
      if (opened) closePeer();
      xcb_disconnect(connection_);
      throw;
    }
    xcb_map_window(connection_, window_);
    xcb_flush(connection_);
    shown_ = true;
    thread_ = std::thread([this] { serve(); });
  }

  ~X11EditorWindow() override {
    // The plugin destroys its windows first, then the container goes. What was posted and not
    // yet handled no longer asks the plugin anything.
    closing_ = true;
    closePeer();
    post(Post::quit);
    thread_.join();
    xcb_destroy_window(connection_, window_);
    xcb_disconnect(connection_);  // flushes
  }

  NativeWindow container() const override {
    return reinterpret_cast<NativeWindow>(uintptr_t(window_));
  }

  void show() override {
    peer_.setEditorVisible(true);
    xcb_map_window(connection_, window_);
    xcb_flush(connection_);
    shown_ = true;
  }

  void hide() override {
    shown_ = false;
    xcb_unmap_window(connection_, window_);
    xcb_flush(connection_);
    peer_.setEditorVisible(false);
  }

  void postResizeRequest(EditorSize size) override { post(Post::resize, size.width, size.height); }
  void postStopped() override { post(Post::stopped); }
  void postRestarted() override { post(Post::restarted); }

 private:
  void create(xcb_window_t parent) {
    // The parent must be a window; a round trip also makes sure the container exists on the
    // server before another process is told to create its editor in it.
    xcb_generic_error_t* error = nullptr;
    auto geometry = reply(xcb_get_geometry_reply(
        connection_, xcb_get_geometry(connection_, parent), &error));
    if (!geometry) {
      std::free(error);
      throw Error(Error::Kind::invalidArgument, "cannot open the editor of '" + pluginName_ +
                                                    "': the parent is not an X11 window");
    }
    const xcb_setup_t* setup = xcb_get_setup(connection_);
    xcb_screen_t* screen = xcb_setup_roots_iterator(setup).data;
    for (auto roots = xcb_setup_roots_iterator(setup); roots.rem; xcb_screen_next(&roots)) {
      if (roots.data->root == geometry->root) screen = roots.data;
    }
    window_ = xcb_generate_id(connection_);
    uint32_t values[] = {kBackground, XCB_EVENT_MASK_STRUCTURE_NOTIFY | XCB_EVENT_MASK_EXPOSURE};
    auto created = xcb_create_window_checked(
        connection_, XCB_COPY_FROM_PARENT, window_, parent, 0, 0, 1, 1, 0,
        XCB_WINDOW_CLASS_INPUT_OUTPUT, XCB_COPY_FROM_PARENT, XCB_CW_BACK_PIXEL | XCB_CW_EVENT_MASK,
        values);
    if (xcb_generic_error_t* failed = xcb_request_check(connection_, created)) {
      uint8_t code = failed->error_code;
      std::free(failed);
      throw Error(Error::Kind::failed, "cannot create the container for the editor of '" +
                                           pluginName_ + "' (X error " + std::to_string(code) +
                                           ")");
    }
    font_ = xcb_generate_id(connection_);
    xcb_open_font(connection_, font_, 5, "fixed");
    gc_ = xcb_generate_id(connection_);
    uint32_t gcValues[] = {screen->black_pixel, kBackground, font_};
    xcb_create_gc(connection_, gc_, window_, XCB_GC_FOREGROUND | XCB_GC_BACKGROUND | XCB_GC_FONT,
                  gcValues);
    xcb_flush(connection_);
  }

  // The container's thread: the container's events and what other threads posted, until quit.
  void serve() {
    for (;;) {
      while (xcb_generic_event_t* event = xcb_poll_for_event(connection_)) {
        bool quit = handle(*event);
        std::free(event);
        if (quit) return;
      }
      if (xcb_connection_has_error(connection_)) {
        logging::warn("the editor of '{}' lost its X display connection", pluginName_);
        return;
      }
      // Another thread's request may have read events off the socket into XCB's queue: look
      // again now and then rather than trust the socket alone.
      pollfd socket{xcb_get_file_descriptor(connection_), POLLIN, 0};
      poll(&socket, 1, 100);
    }
  }

  // True when it was the last event to handle.
  bool handle(const xcb_generic_event_t& event) {
    switch (event.response_type & 0x7f) {
      case XCB_CONFIGURE_NOTIFY: {
        const auto& configured = reinterpret_cast<const xcb_configure_notify_event_t&>(event);
        if (configured.window == window_) containerConfigured({configured.width, configured.height});
        return false;
      }
      case XCB_EXPOSE:
        if (reinterpret_cast<const xcb_expose_event_t&>(event).count == 0) paint();
        return false;
      case XCB_CLIENT_MESSAGE: {
        const auto& message = reinterpret_cast<const xcb_client_message_event_t&>(event);
        if (closing_ && Post(message.data.data32[0]) != Post::quit) return false;
        switch (Post(message.data.data32[0])) {
          case Post::resize:
            grantResize({message.data.data32[1], message.data.data32[2]});
            return false;
          case Post::stopped:
            xcb_clear_area(connection_, 1, window_, 0, 0, 0, 0);  // exposes it: paint() says why
            xcb_flush(connection_);
            return false;
          case Post::restarted:
            reattach(container());
            xcb_clear_area(connection_, 1, window_, 0, 0, 0, 0);
            xcb_flush(connection_);
            return false;
          case Post::quit: return true;
        }
        return false;
      }
    }
    return false;
  }

  // The container has a new size: ours, or someone else's (the application's), which the plugin
  // is then asked for.
  void containerConfigured(EditorSize now) {
    {
      std::lock_guard lock(resizesMutex_);
      for (auto sent = ourResizes_.begin(); sent != ourResizes_.end(); ++sent) {
        if (*sent == now) {
          ourResizes_.erase(ourResizes_.begin(), sent + 1);
          return;
        }
      }
    }
    if (!closing_) followContainer(now);
  }

  void resizeContainer(EditorSize size) override {
    {
      std::lock_guard lock(resizesMutex_);
      ourResizes_.push_back(size);
      if (ourResizes_.size() > 16) ourResizes_.pop_front();  // events lost with a connection
    }
    uint32_t values[] = {size.width, size.height};
    xcb_configure_window(connection_, window_,
                         XCB_CONFIG_WINDOW_WIDTH | XCB_CONFIG_WINDOW_HEIGHT, values);
    xcb_flush(connection_);
  }

  bool containerShown() const override { return shown_; }

  // What the container shows once the plugin stopped, in lines that fit it.
  void paint() {
    std::string text = stoppedText();
    if (text.empty()) return;
    xcb_clear_area(connection_, 0, window_, 0, 0, 0, 0);
    constexpr int kCharWidth = 6, kLineHeight = 13, kMargin = 8;  // "fixed" is 6 x 13
    size_t perLine = size_t(std::max(int(size().width) - 2 * kMargin, kCharWidth) / kCharWidth);
    int baseline = kMargin + 10;
    for (const std::string& line : wrapped(text, std::min<size_t>(perLine, 255))) {
      xcb_image_text_8(connection_, uint8_t(line.size()), window_, gc_, kMargin,
                       int16_t(baseline), line.data());
      baseline += kLineHeight;
    }
    xcb_flush(connection_);
  }

  // `text`'s paragraphs in lines of at most `width` characters, broken between words.
  static std::vector<std::string> wrapped(const std::string& text, size_t width) {
    std::vector<std::string> lines;
    std::istringstream paragraphs(text);
    for (std::string paragraph; std::getline(paragraphs, paragraph);) {
      std::istringstream words(paragraph);
      std::string line;
      for (std::string word; words >> word;) {
        while (word.size() > width) {  // a word wider than a line: cut
          if (!line.empty()) lines.push_back(std::exchange(line, {}));
          lines.push_back(word.substr(0, width));
          word.erase(0, width);
        }
        if (!line.empty() && line.size() + 1 + word.size() > width) {
          lines.push_back(std::exchange(line, {}));
        }
        line += (line.empty() ? "" : " ") + word;
      }
      lines.push_back(line);
    }
    return lines;
  }

  // [any-thread] Sends `what` to the container, for its thread.
  void post(Post what, uint32_t first = 0, uint32_t second = 0) {
    xcb_client_message_event_t message{};
    message.response_type = XCB_CLIENT_MESSAGE;
    message.format = 32;
    message.window = window_;
    message.type = XCB_ATOM_INTEGER;
    message.data.data32[0] = uint32_t(what);
    message.data.data32[1] = first;
    message.data.data32[2] = second;
    xcb_send_event(connection_, 0, window_, XCB_EVENT_MASK_NO_EVENT,
                   reinterpret_cast<const char*>(&message));
    xcb_flush(connection_);
  }

  static constexpr uint32_t kBackground = 0xd4d0c8;  // a neutral grey, on TrueColor displays

  xcb_connection_t* connection_ = nullptr;
  xcb_window_t window_ = 0;
  xcb_font_t font_ = 0;
  xcb_gcontext_t gc_ = 0;
  std::atomic<bool> shown_{false};
  std::atomic<bool> closing_{false};  // from the start of the destructor
  std::mutex resizesMutex_;
  std::deque<EditorSize> ourResizes_;  // sizes we gave the container, until the server says so
  std::thread thread_;
};

}  // namespace

std::unique_ptr<EditorWindow> openEditorWindow(NativeWindow parent, EditorPeer& peer,
                                               PluginHost& callbacks, const EditorSlot& slot,
                                               const std::string& pluginName) {
  auto id = reinterpret_cast<uintptr_t>(parent);
  if (id == 0 || id > UINT32_MAX) {
    throw Error(Error::Kind::invalidArgument,
                "cannot open the editor of '" + pluginName + "': the parent is not an X11 window");
  }
  return std::make_unique<X11EditorWindow>(xcb_window_t(id), peer, callbacks, slot, pluginName);
}

}  // namespace bridge32
