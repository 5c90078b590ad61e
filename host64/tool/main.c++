// bridge32: inspect and run plugin modules, and call library functions, of either bitness from a
// 64-bit process.
//
//   bridge32 info PLUGIN [--isolate]
//   bridge32 run PLUGIN [--plugin ID] [--set NAME=VALUE]... [--channels N] [--frames N]
//                [--blocks N] [--rate HZ] [--output FILE.csv] [--isolate]
//   bridge32 exports LIB
//   bridge32 call LIB 'DECLARATIONS' [ARG...] [--isolate]
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <numbers>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bridge32/host.h"
#include "bridge32/library.h"
#include "bridge32/module-exports.h"
#include "library/c-literals.h"

namespace {

using namespace bridge32;

constexpr const char* kUsage =
    "usage:\n"
    "  bridge32 info PLUGIN [--isolate]\n"
    "  bridge32 run PLUGIN [--plugin ID] [--set NAME=VALUE]... [--channels N] [--frames N]\n"
    "               [--blocks N] [--rate HZ] [--output FILE.csv] [--isolate]\n"
    "  bridge32 exports LIB\n"
    "  bridge32 call LIB 'DECLARATIONS' [ARG...] [--isolate]\n"
    "\n"
    "PLUGIN is a bridge32 plugin module (.dll / .so) of either bitness; a module that cannot\n"
    "load in this 64-bit process runs in a surrogate. --isolate runs any module in one.\n"
    "LIB is any DLL or shared object. DECLARATIONS is C text: struct and typedef definitions,\n"
    "then the function to call (its name is the export), with SAL annotations for pointers.\n"
    "ARGs are the in and in/out parameters in C literal syntax: 42, -1.5, true, \"text\",\n"
    "{1, 2, 3}. It prints the return value, then NAME = VALUE for each out parameter.\n";

struct Arguments {
  std::string command;
  std::filesystem::path plugin;
  std::string pluginId;
  std::vector<std::pair<std::string, double>> settings;
  uint32_t channels = 2, frames = 256, blocks = 4;
  double rate = 48000;
  std::string output;
  bool isolate = false;
  std::string declarations;         // call
  std::vector<std::string> values;  // call: the arguments, as C literals
};

[[noreturn]] void usageError(const std::string& problem) {
  std::fprintf(stderr, "bridge32: %s\n\n%s", problem.c_str(), kUsage);
  std::exit(2);
}

double parseNumber(const std::string& option, const std::string& text) {
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(value)) {
    usageError(option + " expects a number, got '" + text + "'");
  }
  return value;
}

uint32_t parseCount(const std::string& option, const std::string& text, uint32_t max) {
  double value = parseNumber(option, text);
  if (value < 1 || value > max || value != std::floor(value)) {
    usageError(option + " expects a whole number from 1 to " + std::to_string(max) + ", got '" +
               text + "'");
  }
  return uint32_t(value);
}

Arguments parse(int argc, char** argv) {
  if (argc < 3) usageError(argc < 2 ? "no command given" : "no plugin module given");
  Arguments args;
  args.command = argv[1];
  if (args.command != "info" && args.command != "run" && args.command != "exports" &&
      args.command != "call") {
    usageError("unknown command '" + args.command + "'");
  }
  args.plugin = pathFromUtf8(argv[2]);
  if (args.command == "exports") {
    if (argc > 3) usageError("unexpected argument '" + std::string(argv[3]) + "'");
    return args;
  }
  if (args.command == "call") {
    if (argc < 4) usageError("no declaration given");
    args.declarations = argv[3];
    // Arguments are C literals, which never begin with "--": those are options.
    for (int i = 4; i < argc; ++i) {
      std::string argument = argv[i];
      if (argument == "--isolate") {
        args.isolate = true;
      } else if (argument.rfind("--", 0) == 0) {
        usageError("unknown option '" + argument + "'");
      } else {
        args.values.push_back(argument);
      }
    }
    return args;
  }
  const std::set<std::string> withValue = {"--plugin", "--set",  "--channels", "--frames",
                                           "--blocks", "--rate", "--output"};
  for (int i = 3; i < argc; ++i) {
    std::string option = argv[i];
    if (option == "--isolate") {
      args.isolate = true;
      continue;
    }
    if (option.rfind("--", 0) != 0) usageError("unexpected argument '" + option + "'");
    if (!withValue.count(option)) usageError("unknown option '" + option + "'");
    if (i + 1 >= argc) usageError(option + " needs a value");
    std::string value = argv[++i];
    if (option == "--plugin") {
      args.pluginId = value;
    } else if (option == "--set") {
      auto equals = value.find('=');
      if (equals == std::string::npos || equals == 0) usageError("--set expects NAME=VALUE, got '" + value + "'");
      args.settings.emplace_back(value.substr(0, equals), parseNumber("--set", value.substr(equals + 1)));
    } else if (option == "--channels") {
      args.channels = parseCount(option, value, 64);
    } else if (option == "--frames") {
      args.frames = parseCount(option, value, 65536);
    } else if (option == "--blocks") {
      args.blocks = parseCount(option, value, 1'000'000);
    } else if (option == "--rate") {
      args.rate = parseNumber(option, value);
    } else {
      args.output = value;
    }
  }
  return args;
}

// Text from a plugin or a surrogate, safe to print on a terminal: control characters (escape
// sequences, BEL, line breaks, and the C1 controls some terminals obey) become visible escapes.
// The library has already made it valid UTF-8.
std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    bool c1 = c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
              static_cast<unsigned char>(text[i + 1]) <= 0x9F;
    if (c < 0x20 || c == 0x7F || c1) {
      unsigned code = c1 ? static_cast<unsigned char>(text[++i]) : c;
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\x%02x", code);
      out += escape;
    } else {
      out += char(c);
    }
  }
  return out;
}

// The terminal's log sink, escaping what plugins and surrogates say (see printable).
class EscapingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  EscapingSink() : terminal_(std::make_shared<spdlog::sinks::stderr_color_sink_st>()) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& record) override {
    std::string text = printable(std::string_view(record.payload.data(), record.payload.size()));
    spdlog::details::log_msg escaped(record.time, record.source, record.logger_name, record.level,
                                     text);
    terminal_->log(escaped);
  }
  void flush_() override { terminal_->flush(); }

 private:
  std::shared_ptr<spdlog::sinks::stderr_color_sink_st> terminal_;
};

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

std::string describeLoad(const PluginModule& module) {
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

int info(const Arguments& args, const LoadOptions& options) {
  LoadPlan plan = planLoad(args.plugin, options);
  std::printf("module:       %s\n", printable(utf8(args.plugin)).c_str());
  std::printf("file:         %s\n", plan.file.describe().c_str());
  std::printf("host:         %s process\n", std::string(toString(thisArchitecture())).c_str());
  std::printf("loads:        %s\n", plan.bridged ? ("through surrogate " + printable(utf8(plan.surrogate))).c_str()
                                                  : "in-process");
  auto module = PluginModule::load(args.plugin, options);
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

int run(const Arguments& args, const LoadOptions& options) {
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
              printable(utf8(module->path())).c_str(), describeLoad(*module).c_str());

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
          char line[96];
          int length = std::snprintf(line, sizeof line, "%u,%u,%g,%g\n", block * args.frames + f, c,
                                     double(input[c * args.frames + f]),
                                     double(output[c * args.frames + f]));
          csv->write(std::string_view(line, size_t(length)));
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

int exports(const Arguments& args) {
  auto list = listExports(args.plugin);
  for (const Export& entry : list) {
    std::string line = entry.ordinal ? "@" + std::to_string(*entry.ordinal) + " " : "";
    line += entry.name.empty() ? "(by ordinal only)" : printable(entry.name);
    if (!entry.demangled.empty() && entry.demangled != entry.name) {
      line += "  [" + printable(entry.demangled) + "]";
    }
    if (!entry.forwarder.empty()) line += " -> " + printable(entry.forwarder);
    if (!entry.isFunction) line += "  (data)";
    std::printf("%s\n", line.c_str());
  }
  return 0;
}

int call(const Arguments& args, const LoadOptions& options) {
  std::vector<Value> values;
  for (const std::string& text : args.values) {
    try {
      values.push_back(library::parseLiteral(text));
    } catch (const Error& error) {
      throw Error(Error::Kind::invalidArgument,
                  "argument " + std::to_string(values.size() + 1) + " ('" + text +
                      "'): " + error.message());
    }
  }
  auto library = Library::load(args.plugin, options);
  auto function = library->function(args.declarations);
  CallResult result = function->call(values);
  if (!function->returnsVoid()) {
    std::printf("%s\n", printable(library::printLiteral(result.value)).c_str());
  }
  for (const auto& [name, value] : result.outputs) {
    std::printf("%s = %s\n", printable(name).c_str(),
                printable(library::printLiteral(value)).c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // One terminal sink for every logger, escaping what plugins and surrogates say.
  auto terminal = std::make_shared<EscapingSink>();
  for (const char* name : {"bridge32", "surrogate", "plugin"}) {
    auto logger = std::make_shared<spdlog::logger>(name, terminal);
    spdlog::register_logger(logger);
    if (std::strcmp(name, "bridge32") == 0) spdlog::set_default_logger(logger);
  }
  spdlog::set_level(std::getenv("BRIDGE32_DEBUG") ? spdlog::level::debug : spdlog::level::info);

  Arguments args = parse(argc, argv);
  LoadOptions options;
  if (args.isolate) options.isolation = Isolation::surrogate;
  int status = 1;
  try {
    if (args.command == "info") {
      status = info(args, options);
    } else if (args.command == "run") {
      status = run(args, options);
    } else if (args.command == "exports") {
      status = exports(args);
    } else {
      status = call(args, options);
    }
  } catch (const Error& error) {
    std::fprintf(stderr, "bridge32: %s\n", printable(error.what()).c_str());
    return 1;
  }
  // What was printed must have arrived (a full disk, a closed pipe): else it is an error too.
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::fprintf(stderr, "bridge32: cannot write the output: %s\n", std::strerror(errno));
    return 1;
  }
  return status;
}
