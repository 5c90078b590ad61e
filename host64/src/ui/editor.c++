#include "ui/editor.h"

#include "logging.h"

namespace bridge32 {

// ----- EditorWindow ----------------------------------------------------------------------------

EditorSize EditorWindow::size() const {
  std::lock_guard lock(sizeMutex_);
  return size_;
}

EditorSize EditorWindow::setSize(EditorSize size) {
  adopt(peer_.resizeEditor(size));
  return this->size();
}

std::string EditorWindow::stoppedReason() const { return slot_.stoppedReason(); }

void EditorWindow::createPeerEditor(NativeWindow container) {
  EditorInfo info = peer_.createEditor(container);
  canResize_ = info.canResize;
  adopt(info.size);
}

bool EditorWindow::askPlugin(EditorSize wanted, const char* what) {
  if (!slot_.stoppedReason().empty()) return false;
  try {
    adopt(peer_.resizeEditor(wanted));
    return true;
  } catch (const std::exception& error) {
    logging::warn("the editor of '{}' could not {} ({} x {}): {}", pluginName_, what,
                 wanted.width, wanted.height, error.what());
    adopt(size());
    return false;
  }
}

void EditorWindow::grantResize(EditorSize size) {
  if (askPlugin(size, "take the size it asked for")) callbacks_.editorResized(this->size());
}

void EditorWindow::followContainer(EditorSize size) {
  if (size.width == 0 || size.height == 0 || size == this->size()) return;
  askPlugin(size, "follow the container's new size");
}

void EditorWindow::reattach(NativeWindow container) {
  if (!slot_.stoppedReason().empty()) return;  // it stopped again before this came
  EditorSize before = size();
  try {
    createPeerEditor(container);
    if (canResize_ && !(size() == before)) askPlugin(before, "take back its earlier size");
    if (containerShown()) peer_.setEditorVisible(true);
  } catch (const std::exception& error) {
    logging::warn("the editor of '{}' could not be created again after its restart: {}",
                 pluginName_, error.what());
  }
}

void EditorWindow::closePeer() {
  if (!slot_.stoppedReason().empty()) return;
  try {
    peer_.destroyEditor();
  } catch (const std::exception& error) {
    logging::debug("closing the editor of '{}': {}", pluginName_, error.what());
  }
}

std::string EditorWindow::stoppedText() const {
  std::string reason = slot_.stoppedReason();
  return reason.empty() ? reason : "The plugin '" + pluginName_ + "' stopped.\n\n" + reason;
}

void EditorWindow::adopt(EditorSize size) {
  {
    std::lock_guard lock(sizeMutex_);
    size_ = size;
  }
  resizeContainer(size);
}

// ----- EditorSlot ------------------------------------------------------------------------------

EditorSlot::EditorSlot(EditorPeer& peer, PluginHost& callbacks, std::string pluginName)
    : peer_(peer), callbacks_(callbacks), pluginName_(std::move(pluginName)) {}

EditorSlot::~EditorSlot() { close(); }

LoadedEditor& EditorSlot::open(NativeWindow parent) {
  if (!peer_.hasEditor()) {
    throw Error(Error::Kind::unsupported, "plugin '" + pluginName_ + "' has no editor");
  }
  if (window_) {
    throw Error(Error::Kind::badState, "the editor of '" + pluginName_ + "' is open already");
  }
  auto window = openEditorWindow(parent, peer_, callbacks_, *this, pluginName_);
  {
    std::lock_guard lock(mutex_);
    open_ = window.get();
  }
  window_ = std::move(window);
  return *window_;
}

LoadedEditor* EditorSlot::get() { return window_.get(); }

void EditorSlot::close() {
  {
    std::lock_guard lock(mutex_);
    open_ = nullptr;
  }
  window_.reset();
}

bool EditorSlot::requestResize(EditorSize size) {
  std::lock_guard lock(mutex_);
  if (!open_) return false;
  open_->postResizeRequest(size);
  return true;
}

void EditorSlot::pluginStopped(const std::string& why) {
  std::lock_guard lock(mutex_);
  stoppedReason_ = why;
  if (open_) open_->postStopped();
}

void EditorSlot::pluginRestarting() {
  std::lock_guard lock(mutex_);
  stoppedReason_.clear();
}

void EditorSlot::pluginRestarted() {
  std::lock_guard lock(mutex_);
  if (open_) open_->postRestarted();
}

std::string EditorSlot::stoppedReason() const {
  std::lock_guard lock(mutex_);
  return stoppedReason_;
}

}  // namespace bridge32
