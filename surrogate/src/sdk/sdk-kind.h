// The SDK module kind in the surrogate: plugin modules written against bridge32's C SDK, served
// as protocol/sdk.capnp's Module and Instance over SdkModule and SdkInstance.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/module-kind.h"

namespace bridge32 {

class SdkModule;

class SdkKind final : public ModuleKind {
 public:
  SdkKind(PluginThread& plugins, HostOutbox& outbox) : plugins_(plugins), outbox_(outbox) {}

  kj::Promise<void> load(LoadContext context, std::string path) override;

 private:
  PluginThread& plugins_;
  HostOutbox& outbox_;
  // [plugin thread] The modules loaded, by path.
  std::map<std::string, std::weak_ptr<SdkModule>> modules_;
};

}  // namespace bridge32
