// LoadedPluginModule::load: in this process or in a surrogate, as the module's header and the options
// say.
#include "plugin/loaded-plugin.h"
#include "core/shared-surrogate.h"
#include "plugin/local-plugin.h"
#include "plugin/bridged-plugin.h"
#include "plugin/in-process-plugin.h"

namespace bridge32 {

std::unique_ptr<LoadedPluginModule> LoadedPluginModule::load(const std::filesystem::path& path,
                                                 const LoadOptions& options) {
  LoadPlan plan = planLoad(path, options, "plugin module");
  PluginFormat format = pluginFormatOf(path);
  if (!plan.bridged) return loadInProcessModule(path, format);
  return loadBridgedModule(surrogateFor(plan, path, options), pathForSurrogate(path), format,
                           plan.file.architecture, options);
}

}  // namespace bridge32
