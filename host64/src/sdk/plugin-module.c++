// PluginModule::load: in this process or in a surrogate, as the module's header and the options
// say.
#include "bridge32/plugin.h"
#include "core/shared-surrogate.h"
#include "sdk/bridged-plugin.h"
#include "sdk/in-process-plugin.h"

namespace bridge32 {

std::unique_ptr<PluginModule> PluginModule::load(const std::filesystem::path& path,
                                                 const LoadOptions& options) {
  LoadPlan plan = planLoad(path, options);
  if (!plan.bridged) return loadInProcessModule(path);
  return loadBridgedModule(surrogateFor(plan, path, options), pathForSurrogate(path),
                           plan.file.architecture, options);
}

}  // namespace bridge32
