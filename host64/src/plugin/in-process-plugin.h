// LoadedPluginModule and LoadedPlugin for a module loaded into the host's own process.
#pragma once

#include <memory>

#include "plugin/loaded-plugin.h"

namespace bridge32 {

std::unique_ptr<LoadedPluginModule> loadInProcessModule(const std::filesystem::path& path,
                                                  PluginFormat format);

}  // namespace bridge32
