#include "bridged-plugin.h"

#include <atomic>

#include "bridge32/ext/gui.h"
#include "bridge32/limits.h"
#include "bridge32/window-handle.h"
#include "editor.h"
#include "wire.h"

namespace bridge32 {

namespace {

// Where a bridged instance's callbacks go. The surrogate may still send one after the instance
// is gone, so the instance detaches its target first (on the loop thread, where callbacks run).
struct CallbackTarget {
  HostCallbacks* callbacks;
  EditorHost* editor = nullptr;
};

class HostCallbacksServer final : public wire::HostCallbacks::Server {
 public:
  explicit HostCallbacksServer(std::shared_ptr<CallbackTarget> target) : target_(std::move(target)) {}

 protected:
  kj::Promise<void> log(LogContext context) override {
    auto params = context.getParams();
    if (target_->callbacks) target_->callbacks->log(fromWire(params.getLevel()), text(params.getMessage()));
    return kj::READY_NOW;
  }

  kj::Promise<void> paramChanged(ParamChangedContext context) override {
    auto params = context.getParams();
    if (target_->callbacks) target_->callbacks->paramChanged(params.getId(), params.getValue());
    return kj::READY_NOW;
  }

  kj::Promise<void> requestEditorResize(RequestEditorResizeContext context) override {
    auto params = context.getParams();
    EditorSize size{params.getWidth(), params.getHeight()};
    // A size from the other process: the same bounds the plugin's own side checked.
    if (target_->editor && size.isValid()) target_->editor->requestResize(size);
    return kj::READY_NOW;
  }

 private:
  std::shared_ptr<CallbackTarget> target_;
};

// An editor size the surrogate answered, checked like anything else from the other process.
EditorSize editorSizeFromWire(uint32_t width, uint32_t height) {
  EditorSize size{width, height};
  if (!size.isValid()) {
    throw Error(Error::Kind::failed, "the surrogate answered an editor size of " +
                                         size.toString() + ", outside " + EditorSize::validRange());
  }
  return size;
}

// What a module's calls share: the surrogate, the module's path and the deadline rules.
struct CallContext {
  std::shared_ptr<SurrogateClient> client;
  std::filesystem::path modulePath;
  std::chrono::milliseconds timeout;
  HangPolicy onHang;

  // Runs a call with the deadline in force on this thread (see CallDeadline). A surrogate that
  // died or hung is reported with the plugin and the module it was running.
  template <typename Start, typename Finish>
  auto operator()(std::string_view plugin, Start&& start, Finish&& finish) const {
    try {
      return client->call(start, finish, CallDeadline::current(timeout), onHang);
    } catch (const Error& error) {
      if (error.kind() != Error::Kind::disconnected && error.kind() != Error::Kind::timeout) throw;
      std::string what = plugin.empty() ? "module '" + utf8(modulePath) + "'"
                                        : "plugin '" + std::string(plugin) + "' of '" +
                                              utf8(modulePath) + "'";
      throw Error(error.kind(), what + ": " + error.message());
    }
  }
};

class BridgedInstance final : public PluginInstance, private EditorPeer {
  // Runs a call on this instance's capability; see CallContext.
  template <typename Start, typename Finish>
  auto call(Start&& start, Finish&& finish) {
    return calls_(
        descriptor_.name, [&](wire::Session::Client&) { return start(instance_.get()); }, finish);
  }

 public:
  BridgedInstance(const CallContext& calls, PluginDescriptor descriptor,
                  std::unique_ptr<wire::Instance::Client> instance,
                  std::shared_ptr<CallbackTarget> target, wire::Extensions::Reader extensions,
                  std::vector<ParamInfo> params)
      : calls_(calls),
        descriptor_(std::move(descriptor)),
        instance_(calls_.client->loop(), std::move(instance)),
        target_(std::move(target)),
        hasParams_(extensions.getParams()),
        hasState_(extensions.getState()),
        hasProcess_(extensions.getProcess()),
        hasGui_(extensions.getGui()),
        params_(std::move(params)),
        editor_(*this, *target_->callbacks, descriptor_.name) {
    // Constructed on the loop thread, where the callbacks that use these run.
    target_->editor = &editor_;
    lostListener_ = calls_.client->addLostListener([this](const std::string& why) {
      editor_.pluginStopped(why);
      if (target_->callbacks) target_->callbacks->pluginStopped(why);
    });
  }

  ~BridgedInstance() override {
    calls_.client->removeLostListener(lostListener_);
    try {
      // Resize requests come in on the loop thread: detach them there before the slot goes.
      calls_.client->loop().run(
          [target = target_](kj::AsyncIoContext&) {
            target->editor = nullptr;
            return kj::Promise<void>(kj::READY_NOW);
          },
          [] {});
    } catch (const std::exception&) {
    }
    editor_.close();
    try {
      call([](auto& instance) { return instance.destroyRequest().send(); },
           [](auto& response) { throwIfError(response); });
    } catch (const std::exception&) {
      // The surrogate is gone or the plugin failed in destroy(): nothing left to release.
    }
    calls_.client->loop().post(
        [target = target_](kj::AsyncIoContext&) { target->callbacks = nullptr; });
  }

  const PluginDescriptor& descriptor() const override { return descriptor_; }
  bool hasParams() const override { return hasParams_; }
  bool hasState() const override { return hasState_; }
  bool hasProcess() const override { return hasProcess_; }
  const std::vector<ParamInfo>& params() const override { return params_; }

  double param(uint32_t id) override {
    return call(
        [id](auto& instance) {
          auto request = instance.getParamRequest();
          request.setId(id);
          return request.send();
        },
        [](auto& response) {
          throwIfError(response);
          return response.getValue();
        });
  }

  void setParam(uint32_t id, double value) override {
    call(
        [id, value](auto& instance) {
          auto request = instance.setParamRequest();
          request.setId(id);
          request.setValue(value);
          return request.send();
        },
        [](auto& response) { throwIfError(response); });
  }

  std::vector<uint8_t> saveState() override {
    return call([](auto& instance) { return instance.saveStateRequest().send(); },
                [](auto& response) {
                  throwIfError(response);
                  auto state = response.getState();
                  return std::vector<uint8_t>(state.begin(), state.end());
                });
  }

  void loadState(std::span<const uint8_t> state) override {
    call(
        [state](auto& instance) {
          auto request = instance.loadStateRequest();
          request.setState(kj::arrayPtr(state.data(), state.size()));
          return request.send();
        },
        [](auto& response) { throwIfError(response); });
  }

  void activate(double sampleRate, uint32_t maxFrames) override {
    call(
        [sampleRate, maxFrames](auto& instance) {
          auto request = instance.activateRequest();
          request.setSampleRate(sampleRate);
          request.setMaxFrames(maxFrames);
          return request.send();
        },
        [](auto& response) { throwIfError(response); });
  }

  void deactivate() override {
    call([](auto& instance) { return instance.deactivateRequest().send(); },
         [](auto& response) { throwIfError(response); });
  }

  void process(uint32_t channels, uint32_t frames, std::span<const float> input,
               std::span<float> output) override {
    size_t samples = size_t(channels) * frames;
    if (input.size() != samples || output.size() != samples) {
      throw Error(Error::Kind::invalidArgument,
                  std::to_string(channels) + " channels of " + std::to_string(frames) +
                      " frames need " + std::to_string(samples) + " samples in and out, got " +
                      std::to_string(input.size()) + " and " + std::to_string(output.size()));
    }
    if (channels > limits::kMaxChannels || frames > limits::kMaxFramesPerBlock) {
      throw Error(Error::Kind::invalidArgument,
                  "a block of " + std::to_string(channels) + " channels of " +
                      std::to_string(frames) + " frames exceeds the limits of " +
                      std::to_string(limits::kMaxChannels) + " channels and " +
                      std::to_string(limits::kMaxFramesPerBlock) + " frames");
    }
    call(
        [&](auto& instance) {
          auto request = instance.processRequest();
          request.setChannels(channels);
          request.setFrames(frames);
          auto list = request.initInput(uint32_t(samples));
          for (size_t i = 0; i < samples; ++i) list.set(uint32_t(i), input[i]);
          return request.send();
        },
        [&](auto& response) {
          throwIfError(response);
          auto list = response.getOutput();
          if (list.size() != samples) {
            throw Error(Error::Kind::failed, "the surrogate returned " +
                                                 std::to_string(list.size()) + " samples for " +
                                                 std::to_string(samples));
          }
          for (size_t i = 0; i < samples; ++i) output[i] = list[uint32_t(i)];
        });
  }

  bool hasGui() const override { return hasGui_; }
  PluginEditor& openEditor(NativeWindow parent) override { return editor_.open(parent); }
  PluginEditor* editor() override { return editor_.get(); }
  void closeEditor() override { editor_.close(); }

 private:
  EditorInfo createEditor(NativeWindow parent) override {
    uint32_t handle = windowHandleToWire(reinterpret_cast<uintptr_t>(parent));
    return call(
        [handle](auto& instance) {
          auto request = instance.openEditorRequest();
          request.setApi(wire::WindowApi::WIN32_HWND);
          request.setParent(handle);
          return request.send();
        },
        [](auto& response) {
          throwIfError(response);
          return EditorInfo{editorSizeFromWire(response.getWidth(), response.getHeight()),
                            response.getCanResize()};
        });
  }

  void destroyEditor() override {
    call([](auto& instance) { return instance.closeEditorRequest().send(); },
         [](auto& response) { throwIfError(response); });
  }

  EditorSize resizeEditor(EditorSize size) override {
    return call(
        [size](auto& instance) {
          auto request = instance.setEditorSizeRequest();
          request.setWidth(size.width);
          request.setHeight(size.height);
          return request.send();
        },
        [](auto& response) {
          throwIfError(response);
          return editorSizeFromWire(response.getWidth(), response.getHeight());
        });
  }

  void setEditorVisible(bool visible) override {
    call(
        [visible](auto& instance) {
          auto request = instance.showEditorRequest();
          request.setVisible(visible);
          return request.send();
        },
        [](auto& response) { throwIfError(response); });
  }

  CallContext calls_;
  PluginDescriptor descriptor_;
  LoopOwned<wire::Instance::Client> instance_;
  std::shared_ptr<CallbackTarget> target_;
  bool hasParams_, hasState_, hasProcess_, hasGui_;
  std::vector<ParamInfo> params_;
  EditorSlot editor_;
  uint64_t lostListener_ = 0;
};

class BridgedModule final : public PluginModule {
 public:
  BridgedModule(std::shared_ptr<SurrogateClient> client, const std::filesystem::path& path,
                Architecture architecture, const LoadOptions& options)
      : calls_{std::move(client), path, options.callTimeout, options.onHang},
        architecture_(architecture) {
    std::string pathText = utf8(path);
    // Loading runs the module's initialization, which may take as long as a start.
    CallDeadline loading(std::max(CallDeadline::current(options.callTimeout), options.startTimeout));
    auto module = calls_(
        "",
        [&](wire::Session::Client& session) {
          auto request = session.loadModuleRequest();
          request.setPath(pathText);
          return request.send();
        },
        [&](auto& response) {
          throwIfError(response);
          auto version = response.getSdkVersion();
          sdkVersion_ = {version.getMajor(), version.getMinor(), version.getRevision()};
          for (auto plugin : response.getPlugins()) plugins_.push_back(fromWire(plugin));
          return std::make_unique<wire::Module::Client>(response.getModule());
        });
    module_ =
        std::make_unique<LoopOwned<wire::Module::Client>>(calls_.client->loop(), std::move(module));
  }

  const std::filesystem::path& path() const override { return calls_.modulePath; }
  Architecture architecture() const override { return architecture_; }
  bool isBridged() const override { return true; }
  uint32_t surrogatePid() const override { return calls_.client->pid(); }
  SdkVersion sdkVersion() const override { return sdkVersion_; }
  const std::vector<PluginDescriptor>& plugins() const override { return plugins_; }

  std::unique_ptr<PluginInstance> createInstance(std::string_view pluginId,
                                                 HostCallbacks& callbacks) override {
    PluginDescriptor descriptor;
    for (const auto& plugin : plugins_) {
      if (plugin.id == pluginId) descriptor = plugin;
    }
    if (descriptor.id.empty()) {
      throw Error(Error::Kind::notFound, "'" + utf8(calls_.modulePath) + "' has no plugin with id '" +
                                             std::string(pluginId) + "'");
    }
    auto target = std::make_shared<CallbackTarget>(CallbackTarget{&callbacks});
    return calls_(
        descriptor.name,
        [&](wire::Session::Client&) {
          auto request = module_->get().createInstanceRequest();
          request.setPluginId(descriptor.id);
          request.setHost(kj::heap<HostCallbacksServer>(target));
          return request.send();
        },
        [&](auto& response) -> std::unique_ptr<PluginInstance> {
          throwIfError(response);
          std::vector<ParamInfo> params;
          for (auto param : response.getParams()) params.push_back(fromWire(param));
          return std::make_unique<BridgedInstance>(
              calls_, descriptor, std::make_unique<wire::Instance::Client>(response.getInstance()),
              target, response.getExtensions(), std::move(params));
        });
  }

 private:
  CallContext calls_;  // the surrogate and this module's path, with the deadline rules
  Architecture architecture_;
  SdkVersion sdkVersion_;
  std::vector<PluginDescriptor> plugins_;
  std::unique_ptr<LoopOwned<wire::Module::Client>> module_;
};

}  // namespace

std::unique_ptr<PluginModule> loadBridgedModule(std::shared_ptr<SurrogateClient> client,
                                                const std::filesystem::path& path,
                                                Architecture architecture,
                                                const LoadOptions& options) {
  return std::make_unique<BridgedModule>(std::move(client), path, architecture, options);
}

}  // namespace bridge32
