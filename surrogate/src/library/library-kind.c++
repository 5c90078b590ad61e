#include "library/library-kind.h"

#include <spdlog/spdlog.h>

#include <deque>
#include <memory>
#include <vector>

#include "core/answer.h"
#include "library/foreign-library.h"
#include "library/value-wire.h"

#if _WIN32
#include "win32.h"
#endif

namespace bridge32 {

namespace {

using library::ForeignFunction;
using library::ForeignLibrary;

// The host's callbacks for one call, as the engine calls them: from the plugin thread or a
// thread of the DLL's, each invocation goes to the serving thread, which owns the connection,
// and waits there for the host's answer.
class HostCallbacksOfACall {
 public:
  explicit HostCallbacksOfACall(capnp::List<wire::Callback>::Reader callbacks)
      : serving_(kj::getCurrentThreadExecutor()) {
    for (uint32_t i = 0; i < callbacks.size(); ++i) clients_.push_back(callbacks[i]);
    for (size_t i = 0; i < clients_.size(); ++i) {
      if (isNull(clients_[i])) {
        functions_.emplace_back();
        continue;
      }
      functions_.emplace_back([this, i](std::span<const Value> arguments) {
        std::vector<Value> copy(arguments.begin(), arguments.end());
        return serving_.executeSync([this, i, &copy] {
          auto request = clients_[i].invokeRequest();
          auto list = request.initArguments(uint32_t(copy.size()));
          for (uint32_t k = 0; k < list.size(); ++k) toWire(copy[k], list[k]);
          return request.send().then([](auto&& response) { return fromWire(response.getResult()); });
        });
      });
    }
  }

  std::span<const Callback> functions() const { return functions_; }

 private:
  static bool isNull(wire::Callback::Client& client) {
    wire::Callback::Client copy = client;
    return capnp::ClientHook::from(kj::mv(copy))->isNull();
  }

  const kj::Executor& serving_;
  // [serving thread] A deque: it never moves its elements, which capability clients (that
  // copy from non-const only) would need.
  std::deque<wire::Callback::Client> clients_;
  std::vector<Callback> functions_;
};

class FunctionServer final : public wire::Function::Server {
 public:
  FunctionServer(PluginThread& plugins, HostOutbox& outbox,
                 PluginOwned<std::shared_ptr<const ForeignFunction>> function)
      : plugins_(plugins), outbox_(outbox), function_(kj::mv(function)) {}

 protected:
  kj::Promise<void> call(CallContext context) override {
    std::vector<Value> arguments;
    try {
      arguments = fromWire(context.getParams().getArguments());
    } catch (const Error& error) {
      setError(context.getResults().initError(), error);
      return kj::READY_NOW;
    }
    // Released on the serving thread once the call is answered.
    auto callbacks = std::make_shared<HostCallbacksOfACall>(context.getParams().getCallbacks());
    return answer(
        plugins_, outbox_, context,
        [this, arguments = std::move(arguments), callbacks] {
          auto closing = kj::defer([&] { closeGivenHandles(arguments); });
          return function_.get()->call(arguments, callbacks->functions());
        },
        [](auto& results, CallResult& outcome) {
          toWire(outcome.value, results.initResult());
          auto outputs = results.initOutputs(uint32_t(outcome.outputs.size()));
          for (uint32_t i = 0; i < outputs.size(); ++i) toWire(outcome.outputs[i].second, outputs[i]);
          results.setLastError(outcome.lastError);
        })
        .attach(kj::mv(callbacks));
  }

 private:
  // [plugin thread] The kernel handles the host duplicated into this process for the call
  // (see the host's BridgedFunction), closed after it unless the library keeps them.
  void closeGivenHandles(const std::vector<Value>& arguments) {
#if _WIN32
    size_t next = 0;
    for (const auto& parameter : function_.get()->signature().parameters) {
      if (!parameter.isInput()) continue;
      const Value& value = arguments.at(next++);
      const auto& shape = *parameter.shape;
      if (shape.kind == library::Shape::Kind::opaque &&
          shape.handleKind == Value::HandleKind::kernel && !shape.kept && value.isHandle()) {
        CloseHandle(reinterpret_cast<HANDLE>(uintptr_t(value.asHandle().value)));
      }
    }
#else
    (void)arguments;
#endif
  }

  PluginThread& plugins_;
  HostOutbox& outbox_;
  PluginOwned<std::shared_ptr<const ForeignFunction>> function_;
};

class LibraryServer final : public wire::Library::Server {
 public:
  LibraryServer(PluginThread& plugins, HostOutbox& outbox,
                PluginOwned<std::shared_ptr<ForeignLibrary>> library)
      : plugins_(plugins), outbox_(outbox), library_(kj::mv(library)) {}

 protected:
  kj::Promise<void> bind(BindContext context) override {
    std::string declarations = text(context.getParams().getDeclarations());
    return answer(
        plugins_, outbox_, context,
        [this, declarations] {
          return PluginOwned(plugins_, std::make_unique<std::shared_ptr<const ForeignFunction>>(
                                           library_.get()->bind(declarations)));
        },
        [this](auto& results, PluginOwned<std::shared_ptr<const ForeignFunction>>& function) {
          results.setFunction(kj::heap<FunctionServer>(plugins_, outbox_, kj::mv(function)));
        });
  }

 private:
  PluginThread& plugins_;
  HostOutbox& outbox_;
  PluginOwned<std::shared_ptr<ForeignLibrary>> library_;
};

}  // namespace

kj::Promise<void> LibraryKind::load(LoadContext context, std::string path) {
  return answer(
      plugins_, outbox_, context,
      [this, path] {
        spdlog::debug("loading library '{}'", path);
        return PluginOwned(plugins_, std::make_unique<std::shared_ptr<ForeignLibrary>>(
                                         std::make_shared<ForeignLibrary>(pathFromUtf8(path))));
      },
      [this](auto& results, PluginOwned<std::shared_ptr<ForeignLibrary>>& library) {
        results.initModule().initLibrary().setLibrary(
            kj::heap<LibraryServer>(plugins_, outbox_, kj::mv(library)));
      });
}

}  // namespace bridge32
