// LoadedPluginModule and LoadedPlugin for a module served by a surrogate process.
#pragma once

#include <memory>

#include "plugin/loaded-plugin.h"
#include "core/shared-surrogate.h"
#include "core/surrogate-client.h"

namespace bridge32 {

// Loads `path`, a plugin module of `format`, in `surrogate`; `options` gives the call deadline, what to do about a hang, and
// the restart policy.
std::unique_ptr<LoadedPluginModule> loadBridgedModule(std::shared_ptr<LiveSurrogate> surrogate,
                                                const std::filesystem::path& path,
                                                PluginFormat format, Architecture architecture,
                                                const LoadOptions& options);

}  // namespace bridge32
