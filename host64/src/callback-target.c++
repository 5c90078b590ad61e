#include "callback-target.h"

#include "wire.h"

namespace bridge32 {

namespace {

class HostCallbacksServer final : public wire::HostCallbacks::Server {
 public:
  explicit HostCallbacksServer(std::shared_ptr<CallbackTarget> target) : target_(std::move(target)) {}

 protected:
  kj::Promise<void> log(LogContext context) override {
    auto params = context.getParams();
    target_->with([&](HostCallbacks& callbacks, EditorHost*) {
      callbacks.log(fromWire(params.getLevel()), text(params.getMessage()));
    });
    return kj::READY_NOW;
  }

  kj::Promise<void> paramChanged(ParamChangedContext context) override {
    auto params = context.getParams();
    target_->memory.paramSet(params.getId(), params.getValue());
    target_->with([&](HostCallbacks& callbacks, EditorHost*) {
      callbacks.paramChanged(params.getId(), params.getValue());
    });
    return kj::READY_NOW;
  }

  kj::Promise<void> requestEditorResize(RequestEditorResizeContext context) override {
    auto params = context.getParams();
    EditorSize size{params.getWidth(), params.getHeight()};
    // A size from the other process: the same bounds the plugin's own side checked.
    if (!size.isValid()) return kj::READY_NOW;
    target_->with([&](HostCallbacks&, EditorHost* editor) {
      if (editor) editor->requestResize(size);
    });
    return kj::READY_NOW;
  }

 private:
  std::shared_ptr<CallbackTarget> target_;
};

}  // namespace

kj::Own<wire::HostCallbacks::Server> makeHostCallbacksServer(std::shared_ptr<CallbackTarget> target) {
  return kj::heap<HostCallbacksServer>(std::move(target));
}

}  // namespace bridge32
