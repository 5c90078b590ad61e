// PluginModule and PluginInstance for a module served by a surrogate process.
#pragma once

#include <memory>

#include "bridge32/host.h"
#include "surrogate-client.h"

namespace bridge32 {

// Loads `path` in the surrogate `client` is connected to; `options` gives the call deadline and
// what to do about a hang.
std::unique_ptr<PluginModule> loadBridgedModule(std::shared_ptr<SurrogateClient> client,
                                                const std::filesystem::path& path,
                                                Architecture architecture,
                                                const LoadOptions& options);

}  // namespace bridge32
