#include "plugin/callback-target.h"

#include "bridge32/limits.h"
#include "logging.h"
#include "wire.h"

namespace bridge32 {

namespace {

class HostCallbacksServer final : public wire::HostCallbacks::Server {
 public:
  explicit HostCallbacksServer(std::shared_ptr<CallbackTarget> target) : target_(std::move(target)) {}

 protected:
  kj::Promise<void> events(EventsContext context) override {
    for (auto event : context.getParams().getEvents()) {
      switch (event.which()) {
        case wire::HostEvent::LOG: {
          auto line = event.getLog();
          deliverLog(fromWire(line.getLevel()), text(line.getMessage()));
          break;
        }
        case wire::HostEvent::PARAM_CHANGED: {
          auto change = event.getParamChanged();
          deliverParamChange(change.getId(), change.getValue());
          break;
        }
        case wire::HostEvent::EDITOR_RESIZE: {
          auto size = event.getEditorResize();
          deliverResize({size.getWidth(), size.getHeight()});
          break;
        }
        case wire::HostEvent::LOG_LINES_DROPPED:
          deliverLog(LogLevel::warn, "bridge32: " + std::to_string(event.getLogLinesDropped()) +
                                  " log lines from the plugin were dropped: it logged faster "
                                  "than the host took them");
          break;
        default: break;  // from a newer surrogate: nothing this host knows to do
      }
    }
    return kj::READY_NOW;
  }

  kj::Promise<void> log(LogContext context) override {
    auto params = context.getParams();
    deliverLog(fromWire(params.getLevel()), text(params.getMessage()));
    return kj::READY_NOW;
  }

  kj::Promise<void> paramChanged(ParamChangedContext context) override {
    auto params = context.getParams();
    deliverParamChange(params.getId(), params.getValue());
    return kj::READY_NOW;
  }

  kj::Promise<void> requestEditorResize(RequestEditorResizeContext context) override {
    auto params = context.getParams();
    deliverResize({params.getWidth(), params.getHeight()});
    return kj::READY_NOW;
  }

 private:
  void deliverLog(LogLevel level, const std::string& message) {
    target_->with([&](PluginHost& callbacks, EditorHost*) { callbacks.log(level, message); });
  }

  void deliverParamChange(uint32_t id, double value) { target_->paramReported(id, value); }

  void deliverResize(EditorSize size) {
    // A size from the other process: the same bounds the plugin's own side checked.
    if (!size.isValid()) return;
    target_->with([&](PluginHost&, EditorHost* editor) {
      if (editor) editor->requestResize(size);
    });
  }

  std::shared_ptr<CallbackTarget> target_;
};

}  // namespace

void CallbackTarget::paramReported(uint32_t id, double value) {
  if (!params_) {
    if (early_.size() < limits::kMaxParams) early_.emplace_back(id, value);
    return;
  }
  // Checked like anything else from the other process: the same rule the plugin's own side
  // applies.
  std::string refused = refusedParamChange(*params_, id, value);
  if (!refused.empty()) {
    if (!std::exchange(refusedAChange_, true)) {
      logging::warn("a surrogate's plugin {}; ignored (further refusals are not logged)", refused);
    }
    return;
  }
  memory.paramSet(id, value);
  with([&](PluginHost& callbacks, EditorHost*) { callbacks.paramChanged(id, value); });
}

void CallbackTarget::setParams(std::vector<ParamInfo> params) {
  params_ = std::move(params);
  for (auto [id, value] : std::exchange(early_, {})) paramReported(id, value);
}

kj::Own<wire::HostCallbacks::Server> makeHostCallbacksServer(std::shared_ptr<CallbackTarget> target) {
  return kj::heap<HostCallbacksServer>(std::move(target));
}

}  // namespace bridge32
