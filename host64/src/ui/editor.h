// Plugin editors embedded in application windows, the same for in-process and bridged plugins.
//
// An instance owns an EditorSlot. Opening an editor creates a container window (a child of the
// application's window) and asks the plugin, through an EditorPeer, to create its editor inside
// it. The plugin's resize requests and the news that its surrogate died arrive on other threads
// (the bridge's I/O thread); they are handed to the container's thread. Each window system has its
// container (win32-editor-window.c++: the application's window thread; x11-editor-window.c++: a
// thread of its own with its own display connection); what they share is EditorWindow.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "plugin/loaded-plugin.h"

namespace bridge32 {

// The plugin's end of an editor: direct calls in-process, calls over the pipe when bridged.
class EditorPeer {
 public:
  virtual ~EditorPeer() = default;
  virtual bool hasEditor() const = 0;  // the plugin's gui extension, or VST2's effFlagsHasEditor
  virtual EditorInfo createEditor(NativeWindow parent) = 0;
  virtual void destroyEditor() = 0;
  virtual EditorSize resizeEditor(EditorSize size) = 0;  // returns the size the plugin took
  virtual void setEditorVisible(bool visible) = 0;
};

class EditorSlot;

// A container and the plugin's editor in it: what every window system's container does alike.
class EditorWindow : public LoadedEditor {
 public:
  EditorWindow(EditorPeer& peer, PluginHost& callbacks, const EditorSlot& slot,
               std::string pluginName)
      : peer_(peer), callbacks_(callbacks), slot_(slot), pluginName_(std::move(pluginName)) {}

  // [any-thread] Handed to the container's thread, which then: resizes the container and the
  // editor to what the plugin asked for; shows why the plugin stopped; creates the editor again
  // in the restarted plugin.
  virtual void postResizeRequest(EditorSize size) = 0;
  virtual void postStopped() = 0;
  virtual void postRestarted() = 0;

  EditorSize size() const override;
  bool canResize() const override { return canResize_; }
  EditorSize setSize(EditorSize size) override;
  std::string stoppedReason() const override;

 protected:
  // The window system's part: the container takes `size`; whether it is shown.
  virtual void resizeContainer(EditorSize size) = 0;
  virtual bool containerShown() const = 0;

  // Has the plugin create its editor in `container`, which takes the editor's size.
  void createPeerEditor(NativeWindow container);
  // Resizes the editor to `wanted` and the container to what the plugin took; false (logged, as
  // nobody could catch it on the container's thread) when the plugin could not. `what` says what
  // the plugin was asked to do, for the log.
  bool askPlugin(EditorSize wanted, const char* what);
  // [container thread] The plugin asked for `size` (postResizeRequest): the editor and the
  // container take what the plugin then takes, and the application hears of it.
  void grantResize(EditorSize size);
  // [container thread] Someone else (the application) gave the container `size`: the plugin is
  // asked for it too, unless it is the size they have or an empty one.
  void followContainer(EditorSize size);
  // The plugin runs again in a new process: creates its editor in `container` again, at the size
  // it had if the plugin can take it, and as visible as it was.
  void reattach(NativeWindow container);
  // Destroys the plugin's editor, unless its process is gone.
  void closePeer();
  // What the container shows once the plugin stopped; empty while it runs.
  std::string stoppedText() const;
  // Our size is `size`, and so is the container's.
  void adopt(EditorSize size);

  EditorPeer& peer_;
  PluginHost& callbacks_;
  const EditorSlot& slot_;
  const std::string pluginName_;

 private:
  mutable std::mutex sizeMutex_;  // the container's thread may adopt a size: guards size_
  EditorSize size_;
  bool canResize_ = false;
};

// [main-thread] A new container in `parent` with the plugin's editor in it, shown. Throws Error.
std::unique_ptr<EditorWindow> openEditorWindow(NativeWindow parent, EditorPeer& peer,
                                               PluginHost& callbacks, const EditorSlot& slot,
                                               const std::string& pluginName);

class EditorSlot final : public EditorHost {
 public:
  // `pluginName` names the plugin in what the container shows once it stopped.
  EditorSlot(EditorPeer& peer, PluginHost& callbacks, std::string pluginName);
  ~EditorSlot() override;  // closes the editor
  EditorSlot(const EditorSlot&) = delete;
  EditorSlot& operator=(const EditorSlot&) = delete;

  // [main-thread] See LoadedPlugin::openEditor, editor, closeEditor.
  LoadedEditor& open(NativeWindow parent);
  LoadedEditor* get();
  void close();

  // [any-thread] The plugin asked for a new size: handed to the container's thread.
  bool requestResize(EditorSize size) override;
  // [any-thread] The plugin's process is gone: the container says so from now on.
  void pluginStopped(const std::string& why);
  // [any-thread] The plugin is about to run again: the container stops saying it stopped.
  void pluginRestarting();
  // [any-thread] The plugin runs again: an open editor is created again in its container, by the
  // container's thread.
  void pluginRestarted();
  // [any-thread] Empty until pluginStopped, and again after pluginRestarted.
  std::string stoppedReason() const;

 private:
  EditorPeer& peer_;
  PluginHost& callbacks_;
  std::string pluginName_;
  std::unique_ptr<EditorWindow> window_;
  mutable std::mutex mutex_;  // guards what other threads touch: these two
  EditorWindow* open_ = nullptr;
  std::string stoppedReason_;
};

}  // namespace bridge32
