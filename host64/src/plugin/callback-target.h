// Where a bridged instance's callbacks from its surrogate go, and what the host remembers of the
// instance to restore it after a restart. The fuzz target drives HostCallbacksServer too.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <utility>
#include <string>
#include <vector>

#include "bridge32.capnp.h"
#include "plugin/plugin-host.h"

namespace bridge32 {

// What the host knows of an instance, to give a restarted one back: the state last saved or
// loaded, the program chosen since, the parameter values set since (by the host, or reported by
// the plugin), and whether it was active. They are given back in that order.
class Recollection {
 public:
  struct Activation {
    double sampleRate;
    uint32_t maxFrames;
  };
  struct Snapshot {
    std::optional<std::vector<uint8_t>> state;
    std::optional<uint32_t> program;
    std::map<uint32_t, double> params;
    std::optional<Activation> activation;
  };

  void stateSaved(const std::vector<uint8_t>& state) {
    std::lock_guard lock(mutex_);
    memory_.state = state;  // the values in `params` are what it holds
  }
  void stateLoaded(std::span<const uint8_t> state) {
    std::lock_guard lock(mutex_);
    memory_.state.emplace(state.begin(), state.end());
    memory_.program.reset();
    memory_.params.clear();  // the state has them now
  }
  void programChosen(uint32_t index) {
    std::lock_guard lock(mutex_);
    memory_.program = index;
    memory_.params.clear();  // the program set them all
  }
  void paramSet(uint32_t id, double value) {
    std::lock_guard lock(mutex_);
    memory_.params[id] = value;
  }
  void activated(double sampleRate, uint32_t maxFrames) {
    std::lock_guard lock(mutex_);
    memory_.activation = Activation{sampleRate, maxFrames};
  }
  void deactivated() {
    std::lock_guard lock(mutex_);
    memory_.activation.reset();
  }
  Snapshot snapshot() const {
    std::lock_guard lock(mutex_);
    return memory_;
  }

 private:
  mutable std::mutex mutex_;
  Snapshot memory_;
};

// Where a bridged instance's callbacks go. The surrogate calls back on its I/O thread whenever it
// likes, so the instance detaches itself before it goes; callbacks run under the lock.
class CallbackTarget {
 public:
  explicit CallbackTarget(PluginHost& callbacks) : callbacks_(&callbacks) {}

  // Calls `action(callbacks, editor)` unless the instance detached; `editor` may be null.
  template <typename Action>
  void with(Action&& action) {
    std::lock_guard lock(mutex_);
    if (callbacks_) action(*callbacks_, editor_);
  }
  void attachEditor(EditorHost* editor) {
    std::lock_guard lock(mutex_);
    editor_ = editor;
  }
  void detach() {
    std::lock_guard lock(mutex_);
    callbacks_ = nullptr;
    editor_ = nullptr;
  }
  // [loop thread] A parameter change the plugin reported, from the other process: checked
  // (refusedParamChange), remembered for a restart and passed on. Changes that arrive before the
  // surrogate described the instance's parameters (they come ahead of its answer) wait for them.
  void paramReported(uint32_t id, double value);
  // [loop thread] The instance's parameters, as the surrogate described them; what waited for
  // them is checked and passed on now.
  void setParams(std::vector<ParamInfo> params);

  Recollection memory;

 private:
  std::mutex mutex_;
  PluginHost* callbacks_;
  EditorHost* editor_ = nullptr;
  // Loop thread only:
  std::optional<std::vector<ParamInfo>> params_;
  std::vector<std::pair<uint32_t, double>> early_;  // bounded by limits::kMaxParams
  bool refusedAChange_ = false;
};

// The host's HostCallbacks capability for one instance: forwards the surrogate's calls to the
// instance's CallbackTarget, checking them like anything else from the other process.
kj::Own<wire::HostCallbacks::Server> makeHostCallbacksServer(std::shared_ptr<CallbackTarget> target);

}  // namespace bridge32
