#include "library/library-kind.h"

#include <spdlog/spdlog.h>

#include <memory>
#include <vector>

#include "core/answer.h"
#include "library/foreign-library.h"
#include "library/value-wire.h"

namespace bridge32 {

namespace {

using library::ForeignFunction;
using library::ForeignLibrary;

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
    return answer(
        plugins_, outbox_, context,
        [this, arguments = std::move(arguments)] { return function_.get()->call(arguments); },
        [](auto& results, CallResult& outcome) {
          toWire(outcome.value, results.initResult());
          auto outputs = results.initOutputs(uint32_t(outcome.outputs.size()));
          for (uint32_t i = 0; i < outputs.size(); ++i) toWire(outcome.outputs[i].second, outputs[i]);
          results.setLastError(outcome.lastError);
        });
  }

 private:
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
