// Plugin editors embedded in application windows, the same for in-process and bridged plugins.
//
// An instance owns an EditorSlot. Opening an editor creates a container window (a child of the
// application's window) and asks the plugin, through an EditorPeer, to create its editor inside
// it. The plugin's resize requests and the news that its surrogate died arrive on other threads
// (the bridge's I/O thread); they are posted to the container and handled on its own thread.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "bridge32/host.h"

namespace bridge32 {

// The plugin's end of an editor: direct calls in-process, calls over the pipe when bridged.
class EditorPeer {
 public:
  virtual ~EditorPeer() = default;
  virtual EditorInfo createEditor(NativeWindow parent) = 0;
  virtual void destroyEditor() = 0;
  virtual EditorSize resizeEditor(EditorSize size) = 0;  // returns the size the plugin took
  virtual void setEditorVisible(bool visible) = 0;
};

class EditorSlot final : public EditorHost {
 public:
  // `pluginName` names the plugin in what the container shows once it stopped.
  EditorSlot(EditorPeer& peer, HostCallbacks& callbacks, std::string pluginName);
  ~EditorSlot() override;  // closes the editor
  EditorSlot(const EditorSlot&) = delete;
  EditorSlot& operator=(const EditorSlot&) = delete;

  // [main-thread] See PluginInstance::openEditor, editor, closeEditor.
  PluginEditor& open(NativeWindow parent);
  PluginEditor* get();
  void close();

  // [any-thread] The plugin asked for a new size: posted to the container's thread.
  bool requestResize(EditorSize size) override;
  // [any-thread] The plugin's process is gone: the container says so from now on.
  void pluginStopped(const std::string& why);
  // [any-thread] The plugin is about to run again: the container stops saying it stopped.
  void pluginRestarting();
  // [any-thread] The plugin runs again: an open editor is created again in its container, by the
  // container's thread (at once when that is the calling thread, else posted to it).
  void pluginRestarted();
  // [any-thread] Empty until pluginStopped, and again after pluginRestarted.
  std::string stoppedReason() const;

 private:
  EditorPeer& peer_;
  HostCallbacks& callbacks_;
  std::string pluginName_;
  std::unique_ptr<PluginEditor> window_;
  mutable std::mutex mutex_;  // guards what other threads touch: these two
  NativeWindow container_ = nullptr;
  std::string stoppedReason_;
};

}  // namespace bridge32
