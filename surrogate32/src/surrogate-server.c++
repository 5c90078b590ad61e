#include "surrogate-server.h"

#include <kj/async.h>
#include <spdlog/spdlog.h>

#include <map>
#include <memory>
#include <set>
#include <thread>

#include "bridge32/error.h"
#include "bridge32/limits.h"
#include "bridge32/window-handle.h"
#include "native-plugin.h"
#include "wire.h"

#if _WIN32
#include <process.h>
#define getpid _getpid
#else
#include <unistd.h>
#endif

namespace bridge32 {

namespace {

// Runs `body`, turning a bridge32::Error into the result's `error` field. Anything else
// escaping a plugin call (std::bad_alloc, say) is reported as `failed` too: the surrogate keeps
// serving and the host decides.
template <typename Context, typename Body>
void answer(Context& context, Body&& body) {
  try {
    body();
  } catch (const Error& error) {
    setError(context.getResults().initError(), error);
  } catch (const std::exception& exception) {
    setError(context.getResults().initError(), Error(Error::Kind::failed, exception.what()));
  }
}

// HostCallbacks and EditorHost for one instance, forwarded to the host. Plugins may call them
// from any thread; sends happen on the serving thread, which owns the connection.
class RemoteHostCallbacks final : public HostCallbacks, public EditorHost {
 public:
  explicit RemoteHostCallbacks(wire::HostCallbacks::Client client)
      : client_(kj::mv(client)),
        executor_(kj::getCurrentThreadExecutor()),
        servingThread_(std::this_thread::get_id()) {}
  // A capability's destructor may throw in kj; the base class's may not.
  ~RemoteHostCallbacks() noexcept override {}

  void log(LogLevel level, std::string_view message) override {
    onServingThread([&] {
      auto request = client_.logRequest();
      request.setLevel(toWire(level));
      request.setMessage(kj::StringPtr(std::string(message).c_str()));
      request.send().detach([](kj::Exception&&) {});
    });
  }

  void paramChanged(uint32_t paramId, double value) override {
    onServingThread([&] {
      auto request = client_.paramChangedRequest();
      request.setId(paramId);
      request.setValue(value);
      request.send().detach([](kj::Exception&&) {});
    });
  }

  bool requestResize(EditorSize size) override {
    onServingThread([&] {
      auto request = client_.requestEditorResizeRequest();
      request.setWidth(size.width);
      request.setHeight(size.height);
      request.send().detach([](kj::Exception&&) {});
    });
    return true;
  }

 private:
  template <typename Send>
  void onServingThread(Send&& send) {
    if (std::this_thread::get_id() == servingThread_) {
      send();
    } else {
      executor_.executeSync(kj::fwd<Send>(send));
    }
  }

  wire::HostCallbacks::Client client_;
  const kj::Executor& executor_;
  std::thread::id servingThread_;
};

class SessionServer;

class InstanceServer final : public wire::Instance::Server {
 public:
  InstanceServer(std::shared_ptr<NativeModule> module, std::string_view pluginId,
                 wire::HostCallbacks::Client host)
      : host_(kj::mv(host)),
        instance_(std::make_unique<NativeInstance>(module, pluginId, host_, &host_)) {}

  const NativeInstance& instance() const { return *instance_; }

 protected:
  kj::Promise<void> getParam(GetParamContext context) override {
    answer(context, [&] {
      context.getResults().setValue(live().param(context.getParams().getId()));
    });
    return kj::READY_NOW;
  }

  kj::Promise<void> setParam(SetParamContext context) override {
    answer(context, [&] {
      auto params = context.getParams();
      live().setParam(params.getId(), params.getValue());
    });
    return kj::READY_NOW;
  }

  kj::Promise<void> saveState(SaveStateContext context) override {
    answer(context, [&] {
      auto state = live().saveState();
      context.getResults().setState(kj::arrayPtr(state.data(), state.size()));
    });
    return kj::READY_NOW;
  }

  kj::Promise<void> loadState(LoadStateContext context) override {
    answer(context, [&] {
      auto state = context.getParams().getState();
      live().loadState(std::span<const uint8_t>(state.begin(), state.size()));
    });
    return kj::READY_NOW;
  }

  kj::Promise<void> activate(ActivateContext context) override {
    answer(context, [&] {
      auto params = context.getParams();
      live().activate(params.getSampleRate(), params.getMaxFrames());
    });
    return kj::READY_NOW;
  }

  kj::Promise<void> deactivate(DeactivateContext context) override {
    answer(context, [&] { live().deactivate(); });
    return kj::READY_NOW;
  }

  kj::Promise<void> process(ProcessContext context) override {
    answer(context, [&] {
      auto params = context.getParams();
      uint32_t channels = params.getChannels(), frames = params.getFrames();
      auto input = params.getInput();
      // Checked here too, before sizing anything by numbers the host sent.
      if (channels > limits::kMaxChannels || frames > limits::kMaxFramesPerBlock ||
          input.size() != size_t(channels) * frames) {
        throw Error(Error::Kind::invalidArgument,
                    "a process call with " + std::to_string(channels) + " channels of " +
                        std::to_string(frames) + " frames carried " +
                        std::to_string(input.size()) + " samples");
      }
      inputScratch_.resize(input.size());
      for (size_t i = 0; i < input.size(); ++i) inputScratch_[i] = input[i];
      outputScratch_.assign(input.size(), 0.0f);
      live().process(channels, frames, inputScratch_, outputScratch_);
      auto output = context.getResults().initOutput(uint32_t(outputScratch_.size()));
      for (size_t i = 0; i < outputScratch_.size(); ++i) output.set(uint32_t(i), outputScratch_[i]);
    });
    return kj::READY_NOW;
  }

  kj::Promise<void> openEditor(OpenEditorContext context) override {
    answer(context, [&] {
      auto params = context.getParams();
      if (params.getApi() != wire::WindowApi::WIN32_HWND) {
        throw Error(Error::Kind::unsupported, "the host asked for an editor in an unknown window API");
      }
      auto parent = reinterpret_cast<void*>(windowHandleFromWire(params.getParent()));
      auto editor = live().openEditor(B32_WINDOW_API_WIN32, parent);
      auto results = context.getResults();
      results.setWidth(editor.size.width);
      results.setHeight(editor.size.height);
      results.setCanResize(editor.canResize);
    });
    return kj::READY_NOW;
  }

  kj::Promise<void> closeEditor(CloseEditorContext context) override {
    answer(context, [&] { live().closeEditor(); });
    return kj::READY_NOW;
  }

  kj::Promise<void> setEditorSize(SetEditorSizeContext context) override {
    answer(context, [&] {
      auto params = context.getParams();
      EditorSize size = live().setEditorSize({params.getWidth(), params.getHeight()});
      context.getResults().setWidth(size.width);
      context.getResults().setHeight(size.height);
    });
    return kj::READY_NOW;
  }

  kj::Promise<void> showEditor(ShowEditorContext context) override {
    answer(context, [&] { live().showEditor(context.getParams().getVisible()); });
    return kj::READY_NOW;
  }

  kj::Promise<void> destroy(DestroyContext context) override {
    answer(context, [&] {
      live();
      instance_.reset();
    });
    return kj::READY_NOW;
  }

 private:
  NativeInstance& live() {
    if (!instance_) throw Error(Error::Kind::badState, "the plugin instance was destroyed");
    return *instance_;
  }

  RemoteHostCallbacks host_;
  std::unique_ptr<NativeInstance> instance_;
  std::vector<float> inputScratch_, outputScratch_;
};

class ModuleServer final : public wire::Module::Server {
 public:
  explicit ModuleServer(std::shared_ptr<NativeModule> module) : module_(std::move(module)) {}

 protected:
  kj::Promise<void> createInstance(CreateInstanceContext context) override {
    answer(context, [&] {
      auto params = context.getParams();
      auto server = kj::heap<InstanceServer>(module_, text(params.getPluginId()),
                                             params.getHost());
      const NativeInstance& instance = server->instance();
      auto results = context.getResults();
      auto extensions = results.initExtensions();
      extensions.setParams(instance.hasParams());
      extensions.setState(instance.hasState());
      extensions.setProcess(instance.hasProcess());
      extensions.setGui(instance.hasGui());
      auto params_ = results.initParams(uint32_t(instance.params().size()));
      for (size_t i = 0; i < instance.params().size(); ++i) {
        toWire(instance.params()[i], params_[uint32_t(i)]);
      }
      results.setInstance(kj::mv(server));
    });
    return kj::READY_NOW;
  }

 private:
  std::shared_ptr<NativeModule> module_;
};

class SessionServer final : public wire::Session::Server {
 protected:
  kj::Promise<void> loadModule(LoadModuleContext context) override {
    answer(context, [&] {
      std::string path = text(context.getParams().getPath());
      spdlog::debug("loading plugin module '{}'", path);
      // The loader returns the same handle for a module loaded twice; init() must still run
      // only once, so a loaded module is shared while anyone holds it.
      std::shared_ptr<NativeModule> module = modules_[path].lock();
      if (!module) {
        module = std::make_shared<NativeModule>(pathFromUtf8(path));
        modules_[path] = module;
      }
      auto results = context.getResults();
      auto version = results.initSdkVersion();
      version.setMajor(module->sdkVersion().major);
      version.setMinor(module->sdkVersion().minor);
      version.setRevision(module->sdkVersion().revision);
      auto plugins = results.initPlugins(uint32_t(module->plugins().size()));
      for (size_t i = 0; i < module->plugins().size(); ++i) {
        toWire(module->plugins()[i], plugins[uint32_t(i)]);
      }
      results.setModule(kj::heap<ModuleServer>(module));
    });
    return kj::READY_NOW;
  }

  kj::Promise<void> ping(PingContext) override { return kj::READY_NOW; }

  kj::Promise<void> shutdown(ShutdownContext) override {
    // The host releases its capabilities and hangs up after this answer; the surrogate exits
    // when the connection closes (see main).
    spdlog::debug("shutdown requested");
    return kj::READY_NOW;
  }

 private:
  std::map<std::string, std::weak_ptr<NativeModule>> modules_;
};

}  // namespace

SurrogateServer::SurrogateServer(LogSinkHandler onLogSink, uint32_t protocolVersion)
    : onLogSink_(std::move(onLogSink)), protocolVersion_(protocolVersion) {}

kj::Promise<void> SurrogateServer::handshake(HandshakeContext context) {
  auto params = context.getParams();
  auto results = context.getResults();
  results.setProtocolVersion(protocolVersion_);
  results.setArchitecture(toWire(thisArchitecture()));
  results.setPid(uint32_t(getpid()));
  if (params.getProtocolVersion() != protocolVersion_) {
    setError(results.initError(),
             Error(Error::Kind::unsupportedVersion,
                   "the host speaks bridge32 protocol " +
                       std::to_string(params.getProtocolVersion()) + " but this surrogate speaks " +
                       std::to_string(protocolVersion_)));
  } else if (handshakeDone_) {
    setError(results.initError(),
             Error(Error::Kind::badState, "the handshake was already done on this connection"));
  } else {
    handshakeDone_ = true;
    if (onLogSink_) onLogSink_(params.getLog());
    results.setSession(kj::heap<SessionServer>());
  }
  return kj::READY_NOW;
}

}  // namespace bridge32
