// bridge32 info and run: a plugin module's plugins and parameters, and audio through one.
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <numbers>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bridge32/host.h"
#include "tool.h"

namespace bridge32::tool {

namespace {

// A file written line by line whose every failure (a full disk, a directory, no permission) is
// an Error naming it.
class OutputFile {
 public:
  explicit OutputFile(const std::string& path) : path_(path) {
    errno = 0;
#if _WIN32
    file_ = _wfopen(win32Path(path).c_str(), L"wb");
#else
    file_ = std::fopen(path.c_str(), "wb");
#endif
    if (!file_) fail();
  }
  ~OutputFile() {
    if (file_) std::fclose(file_);
  }
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write(std::string_view text) {
    if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) fail();
  }
  // Everything is on the disk, or this throws.
  void close() {
    std::FILE* file = std::exchange(file_, nullptr);
    bool flushed = std::fflush(file) == 0 && !std::ferror(file);
    int cause = errno;
    if (std::fclose(file) != 0 || !flushed) {
      errno = flushed ? errno : cause;
      fail();
    }
  }

 private:
#if _WIN32
  static std::wstring win32Path(const std::string& utf8Path) { return pathFromUtf8(utf8Path).wstring(); }
#endif
  [[noreturn]] void fail() {
    int cause = errno;
    throw Error(Error::Kind::failed, "cannot write '" + path_ + "': " +
                                         (cause ? std::strerror(cause) : "the write failed"));
  }

  std::string path_;
  std::FILE* file_ = nullptr;
};


std::string howLoaded(const PluginModule& module) {
  if (!module.isBridged()) return "in-process";
  return "bridged through the " + std::string(toString(module.architecture())) +
         " surrogate (pid " + std::to_string(module.surrogatePid()) + ")";
}

// Prints callbacks as they arrive, so a run shows the plugin talking back.
class PrintingCallbacks final : public HostCallbacks {
 public:
  void paramChanged(uint32_t id, double value) override {
    ++changes;
    last = {id, value};
  }
  int changes = 0;
  std::pair<uint32_t, double> last{};
};

// What `run` is asked to do.
struct RunSettings {
  std::filesystem::path plugin;
  std::string pluginId;
  std::vector<std::pair<std::string, double>> settings;
  uint32_t channels = 2, frames = 256, blocks = 4;
  double rate = 48000;
  std::string output;
};

RunSettings runSettings(const CommandLine& line) {
  RunSettings run;
  run.plugin = pathFromUtf8(line.positional.at(0));
  run.pluginId = line.value("--plugin");
  if (line.has("--set")) {
    for (const std::string& value : line.options.at("--set")) {
      auto equals = value.find('=');
      if (equals == std::string::npos || equals == 0) {
        usageError("--set expects NAME=VALUE, got '" + value + "'");
      }
      run.settings.emplace_back(value.substr(0, equals),
                                parseNumber("--set", value.substr(equals + 1)));
    }
  }
  if (line.has("--channels")) run.channels = parseCount("--channels", line.value("--channels"), 64);
  if (line.has("--frames")) run.frames = parseCount("--frames", line.value("--frames"), 65536);
  if (line.has("--blocks")) run.blocks = parseCount("--blocks", line.value("--blocks"), 1'000'000);
  if (line.has("--rate")) run.rate = parseNumber("--rate", line.value("--rate"));
  run.output = line.value("--output");
  return run;
}

}  // namespace

int info(const CommandLine& line) {
  LoadOptions options = line.loadOptions();
  std::filesystem::path file = pathFromUtf8(line.positional.at(0));
  LoadPlan plan = planLoad(file, options);
  std::printf("module:       %s\n", printable(utf8(file)).c_str());
  std::printf("file:         %s\n", plan.file.describe().c_str());
  std::printf("host:         %s process\n", std::string(toString(thisArchitecture())).c_str());
  std::printf("loads:        %s\n", plan.bridged ? ("through surrogate " + printable(utf8(plan.surrogate))).c_str()
                                                  : "in-process");
  auto module = PluginModule::load(file, options);
  std::printf("sdk version:  %s\n", module->sdkVersion().toString().c_str());
  std::printf("plugins:      %zu\n", module->plugins().size());
  HostCallbacks quiet;
  for (const auto& plugin : module->plugins()) {
    std::printf("\n  %s  \"%s\" by %s, version %s\n", printable(plugin.id).c_str(),
                printable(plugin.name).c_str(), printable(plugin.vendor).c_str(),
                printable(plugin.version).c_str());
    auto instance = module->createInstance(plugin.id, quiet);
    std::printf("    extensions: %s%s%s\n", instance->hasParams() ? "params " : "",
                instance->hasState() ? "state " : "", instance->hasProcess() ? "process" : "");
    for (const auto& param : instance->params()) {
      std::printf("    param %u %-12s [%g .. %g] default %g%s%s%s\n", param.id,
                  printable(param.name).c_str(), param.minValue, param.maxValue,
                  param.defaultValue, param.unit.empty() ? "" : " ", printable(param.unit).c_str(),
                  param.isReadOnly() ? " (read-only)" : "");
    }
  }
  return 0;
}

int run(const CommandLine& line) {
  LoadOptions options = line.loadOptions();
  RunSettings args = runSettings(line);
  // Before anything starts: a file that cannot be written fails the run at once.
  std::unique_ptr<OutputFile> csv;
  if (!args.output.empty()) {
    csv = std::make_unique<OutputFile>(args.output);
    csv->write("frame,channel,input,output\n");
  }
  auto module = PluginModule::load(args.plugin, options);
  if (module->plugins().empty()) throw Error(Error::Kind::notFound, "the module has no plugins");
  std::string id = args.pluginId.empty() ? module->plugins().front().id : args.pluginId;
  PrintingCallbacks callbacks;
  auto instance = module->createInstance(id, callbacks);
  std::printf("plugin %s from %s, %s\n", printable(id).c_str(),
              printable(utf8(module->path())).c_str(), howLoaded(*module).c_str());

  for (const auto& [name, value] : args.settings) {
    const ParamInfo* found = nullptr;
    for (const auto& param : instance->params()) {
      if (param.name == name || std::to_string(param.id) == name) found = &param;
    }
    if (!found) throw Error(Error::Kind::notFound, "plugin '" + id + "' has no parameter '" + name + "'");
    instance->setParam(found->id, value);
    std::printf("set %s = %g (reads back %g)\n", printable(found->name).c_str(), value,
                instance->param(found->id));
  }

  // A 441 Hz sine, one phase offset per channel, through the plugin block by block.
  instance->activate(args.rate, args.frames);
  size_t samples = size_t(args.channels) * args.frames;
  std::vector<float> input(samples), output(samples);

  double inPeak = 0, outPeak = 0;
  for (uint32_t block = 0; block < args.blocks; ++block) {
    for (uint32_t c = 0; c < args.channels; ++c) {
      for (uint32_t f = 0; f < args.frames; ++f) {
        double t = double(block * args.frames + f) / args.rate;
        input[c * args.frames + f] = float(0.5 * std::sin(2 * std::numbers::pi * 441.0 * t + c * 0.5));
      }
    }
    instance->process(args.channels, args.frames, input, output);
    for (size_t i = 0; i < samples; ++i) {
      inPeak = std::max(inPeak, double(std::fabs(input[i])));
      outPeak = std::max(outPeak, double(std::fabs(output[i])));
    }
    if (csv) {
      for (uint32_t c = 0; c < args.channels; ++c) {
        for (uint32_t f = 0; f < args.frames; ++f) {
          char text[96];
          int length = std::snprintf(text, sizeof text, "%u,%u,%g,%g\n", block * args.frames + f, c,
                                     double(input[c * args.frames + f]),
                                     double(output[c * args.frames + f]));
          csv->write(std::string_view(text, size_t(length)));
        }
      }
    }
  }
  instance->deactivate();
  std::printf("processed %u blocks of %u frames x %u channels at %g Hz\n", args.blocks, args.frames,
              args.channels, args.rate);
  std::printf("input peak %.6f, output peak %.6f (ratio %.4f)\n", inPeak, outPeak,
              inPeak > 0 ? outPeak / inPeak : 0.0);
  std::printf("first output samples:");
  for (size_t i = 0; i < std::min<size_t>(6, samples); ++i) std::printf(" %.6f", output[i]);
  std::printf("\n");
  if (callbacks.changes > 0) {
    std::printf("the plugin reported %d parameter changes; last: param %u = %g\n",
                callbacks.changes, callbacks.last.first, callbacks.last.second);
  }
  if (instance->hasState()) {
    std::printf("saved state: %zu bytes\n", instance->saveState().size());
  }
  if (csv) {
    csv->close();
    std::printf("wrote %s\n", printable(args.output).c_str());
  }
  return 0;
}

}  // namespace bridge32::tool
