// The Gain plugin's editor: a label that shows the gain and a slider that sets it, in plain
// Win32 + GDI on Windows (gain-editor.c++) and in XCB on Linux (gain-editor-x11.c++). The layout
// and the slider's geometry, which tests rely on, are described at the top of each.
#pragma once

#include <cstdint>
#include <memory>

namespace samples {

// What the editor needs from its plugin. [main-thread], like everything the editor does.
class GainEditorListener {
 public:
  // The user set the gain to `value`: within [0, 4], rounded to 2 decimals, and different from
  // the gain the editor showed. The plugin takes it and tells the host. The plugin may destroy
  // the editor meanwhile (a host that closes it from its param_changed callback): the editor
  // calls this last and touches nothing afterwards.
  virtual void gainEdited(double value) = 0;

  // The user asked for the editor at width x height. The plugin asks the host, which resizes
  // through set_size() if it agrees; the editor does not resize itself. Called last, like
  // gainEdited().
  virtual void resizeWanted(uint32_t width, uint32_t height) = 0;

 protected:
  ~GainEditorListener() = default;
};

// An open editor. [main-thread] throughout.
class GainEditor {
 public:
  static constexpr uint32_t kPreferredWidth = 320;
  static constexpr uint32_t kPreferredHeight = 120;

  // Destroys the editor's windows, if Windows has not already (with their parent).
  virtual ~GainEditor() = default;

  // False once the editor's window is gone, e.g. destroyed with a parent the host destroyed
  // first; the object is then inert and only waits to be deleted.
  virtual bool isOpen() const = 0;

  virtual void show() = 0;
  virtual void hide() = 0;

  // The editor's current size.
  virtual void getSize(uint32_t& width, uint32_t& height) const = 0;

  // Resizes to width x height clamped to [200, B32_GUI_MAX_SIDE] x [80, B32_GUI_MAX_SIDE],
  // lays the children out again and writes back the size taken. False if Windows refused.
  virtual bool setSize(uint32_t& width, uint32_t& height) = 0;

  // The gain changed outside the editor (the host's set_value, a loaded state): show `gain`.
  virtual void showGain(double gain) = 0;

  // Handles what happened to the editor's windows since the last call. Windows dispatches an
  // editor's messages by itself; an X11 editor's connection is read only here, which the plugin
  // calls from a timer (the host's timer extension). Calls the listener last, like the above.
  virtual void handleEvents() {}
};

// Creates the editor, hidden, at the preferred size, as a child of `parent` (an HWND; on Linux
// an X11 window id), showing `gain`. Null if the window system refused. `listener` outlives the
// editor.
std::unique_ptr<GainEditor> createGainEditor(void* parent, double gain,
                                             GainEditorListener& listener);

}  // namespace samples
