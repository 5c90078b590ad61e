#include "plugin/bridged-plugin.h"

#include <memory>
#include <string>
#include <vector>

#include "core/module-link.h"
#include "plugin/bridged-instance.h"
#include "plugin/callback-target.h"
#include "wire.h"

namespace bridge32 {

namespace {

// What an SDK module says of itself when it loads; the same in every surrogate it loads into.
struct PluginModuleInfo {
  SdkVersion sdkVersion;
  std::vector<PluginDescriptor> plugins;
};

class BridgedModule final : public LoadedPluginModule {
 public:
  BridgedModule(std::shared_ptr<LiveSurrogate> surrogate, const std::filesystem::path& path,
                PluginFormat format, Architecture architecture, const LoadOptions& options)
      : link_(ModuleLink::make(
            std::move(surrogate),
            format == PluginFormat::vst2 ? wire::ModuleKind::VST2 : wire::ModuleKind::SDK, path,
            options,
            [info = info_, format](wire::LoadedModule::Reader answer, bool first) {
              bool vst2 = format == PluginFormat::vst2;
              if (vst2 ? !answer.hasVst2() : !answer.hasSdk()) {
                throw Error(Error::Kind::failed, "the surrogate answered a load of a " +
                                                     std::string(toString(format)) +
                                                     " module with a module of another kind");
              }
              auto loaded = vst2 ? answer.getVst2() : answer.getSdk();
              if (first) {  // a reload is the same file
                auto version = loaded.getSdkVersion();
                info->sdkVersion = {version.getMajor(), version.getMinor(), version.getRevision()};
                for (auto plugin : loaded.getPlugins()) info->plugins.push_back(fromWire(plugin));
              }
              return loaded.getModule();
            })),
        format_(format),
        architecture_(architecture) {}

  const std::filesystem::path& path() const override { return link_->rules().modulePath; }
  Architecture architecture() const override { return architecture_; }
  bool isBridged() const override { return true; }
  uint32_t surrogatePid() const override { return link_->current().client->pid(); }
  PluginFormat format() const override { return format_; }
  SdkVersion sdkVersion() const override { return info_->sdkVersion; }
  const std::vector<PluginDescriptor>& plugins() const override { return info_->plugins; }

  // In a surrogate that stopped, this starts the one that replaces it.
  std::unique_ptr<LoadedPlugin> createInstance(std::string_view pluginId,
                                                 PluginHost& callbacks) override {
    PluginDescriptor descriptor;
    for (const auto& plugin : plugins()) {
      if (plugin.id == pluginId) descriptor = plugin;
    }
    if (descriptor.id.empty()) {
      throw Error(Error::Kind::notFound, "'" + utf8(path()) + "' has no plugin with id '" +
                                             std::string(pluginId) + "'");
    }
    auto target = std::make_shared<CallbackTarget>(callbacks);
    auto loaded = link_->running();
    auto remote = createRemoteInstance(*link_, loaded, descriptor, target);
    return makeBridgedInstance(link_, std::move(descriptor), callbacks, loaded, std::move(remote),
                               std::move(target));
  }

 private:
  // Filled by the link's first load, in the constructor: declared before it.
  std::shared_ptr<PluginModuleInfo> info_ = std::make_shared<PluginModuleInfo>();
  std::shared_ptr<ModuleLink> link_;
  PluginFormat format_;
  Architecture architecture_;
};

}  // namespace

std::unique_ptr<LoadedPluginModule> loadBridgedModule(std::shared_ptr<LiveSurrogate> surrogate,
                                                const std::filesystem::path& path,
                                                PluginFormat format, Architecture architecture,
                                                const LoadOptions& options) {
  return std::make_unique<BridgedModule>(std::move(surrogate), path, format, architecture,
                                         options);
}

}  // namespace bridge32
