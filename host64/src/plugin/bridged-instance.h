// A plugin instance served by a surrogate process (bridged-instance.c++): what the module
// (bridged-plugin.c++) needs to create one there and wrap it as a LoadedPlugin.
#pragma once

#include <memory>
#include <vector>

#include "core/module-link.h"
#include "plugin/callback-target.h"
#include "plugin/loaded-plugin.h"

namespace bridge32 {

// What an instance offers, as the surrogate describes it when creating it.
struct InstanceTraits {
  bool hasParams = false, hasState = false, hasProcess = false, hasGui = false;
  std::vector<ParamInfo> params;
};

// An instance created in a surrogate.
struct RemoteInstance {
  std::unique_ptr<wire::Instance::Client> instance;
  InstanceTraits traits;
};

// Creates an instance of `descriptor` in `loaded`, its callbacks going to `target` (which is
// given its parameters).
RemoteInstance createRemoteInstance(const ModuleLink& link, const ModuleLink::Loaded& loaded,
                                    const PluginDescriptor& descriptor,
                                    const std::shared_ptr<CallbackTarget>& target);

// The LoadedPlugin of `remote`, created in `loaded` by createRemoteInstance for `descriptor`
// with `target`; `callbacks` is the application's and outlives it.
std::unique_ptr<LoadedPlugin> makeBridgedInstance(std::shared_ptr<ModuleLink> link,
                                                  PluginDescriptor descriptor,
                                                  PluginHost& callbacks,
                                                  const ModuleLink::Loaded& loaded,
                                                  RemoteInstance remote,
                                                  std::shared_ptr<CallbackTarget> target);

}  // namespace bridge32
