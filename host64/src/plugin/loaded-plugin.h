// A plugin module loaded in this process or in a surrogate, its plugins' instances and their
// editors: what the C API's bridge32_plugin_module and bridge32_plugin are
// (host64/src/plugin/c-api.c++), and so what the C++ API's PluginModule, PluginInstance and
// PluginEditor are made of. Each placement is a kind of these (in-process-plugin.c++,
// bridged-plugin.c++); every member does what bridge32/plugin.h says of its namesake there, with
// the same threading.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bridge32/plugin.h"
#include "plugin/plugin-calls.h"
#include "plugin/plugin-host.h"

namespace bridge32 {

class LoadedEditor {
 public:
  virtual ~LoadedEditor() = default;

  virtual NativeWindow container() const = 0;
  virtual EditorSize size() const = 0;
  virtual bool canResize() const = 0;
  virtual EditorSize setSize(EditorSize size) = 0;
  virtual void show() = 0;
  virtual void hide() = 0;
  virtual std::string stoppedReason() const = 0;
};

// A plugin instance as the host sees it (PluginCalls), in this process or in a surrogate: with
// buffers to process in place, an editor embedded in the application's window, and restarts.
class LoadedPlugin : public PluginCalls {
 public:
  struct AudioBuffers {
    std::span<float> input;
    std::span<const float> output;
  };
  virtual AudioBuffers audioBuffers(uint32_t channels, uint32_t frames) = 0;
  virtual void processAudioBuffers(uint32_t channels, uint32_t frames,
                                   const BlockEvents& events = {}) = 0;

  virtual LoadedEditor& openEditor(NativeWindow parent) = 0;
  virtual LoadedEditor* editor() = 0;
  virtual void closeEditor() = 0;

  virtual bool isRunning() const = 0;
  virtual bool restart() = 0;
};

class LoadedPluginModule {
 public:
  static std::unique_ptr<LoadedPluginModule> load(const std::filesystem::path& path,
                                                   const LoadOptions& options = {});

  virtual ~LoadedPluginModule() = default;

  virtual const std::filesystem::path& path() const = 0;
  virtual Architecture architecture() const = 0;
  virtual bool isBridged() const = 0;
  virtual uint32_t surrogatePid() const = 0;
  virtual PluginFormat format() const = 0;
  virtual SdkVersion sdkVersion() const = 0;
  virtual const std::vector<PluginDescriptor>& plugins() const = 0;

  virtual std::unique_ptr<LoadedPlugin> createInstance(std::string_view pluginId,
                                                      PluginHost& callbacks) = 0;
};

}  // namespace bridge32
