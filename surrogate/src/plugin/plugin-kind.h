// The plugin module kinds in the surrogate: plugin modules of any format (bridge32's SDK, VST2),
// served as protocol/plugin.capnp's Module and Instance over a LocalModule and its LocalInstances
// (common/src/plugin/local-plugin.h). This file knows no format: the format's own code does.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/module-kind.h"

namespace bridge32 {

class LocalModule;

class PluginKind final : public ModuleKind {
 public:
  PluginKind(ModuleThread& thread, HostOutbox& outbox, PluginFormat format)
      : thread_(thread), outbox_(outbox), format_(format) {}

  kj::Promise<void> load(LoadContext context, std::string path) override;

 private:
  ModuleThread& thread_;
  HostOutbox& outbox_;
  PluginFormat format_;
  // [module thread] The modules loaded, by path.
  std::map<std::string, std::weak_ptr<LocalModule>> modules_;
};

}  // namespace bridge32
