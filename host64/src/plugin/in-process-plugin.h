// PluginModule and PluginInstance for a module loaded into the host's own process.
#pragma once

#include <memory>

#include "bridge32/host.h"

namespace bridge32 {

std::unique_ptr<PluginModule> loadInProcessModule(const std::filesystem::path& path,
                                                  PluginFormat format);

}  // namespace bridge32
