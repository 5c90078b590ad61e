// bridge32: inspect and run plugin modules, and call library functions, of either bitness from a
// 64-bit process.
//
//   bridge32 info PLUGIN [--isolate] [--sandbox] [--json]
//   bridge32 run PLUGIN [--plugin ID] [--set NAME=VALUE]... [--note N]... [--tempo BPM]
//                [--channels N] [--frames N]
//                [--blocks N] [--rate HZ] [--input FILE.wav] [--output FILE.csv|FILE.wav]
//                [--isolate] [--sandbox]
//   bridge32 help [COMMAND]
//   bridge32 exports LIB
//   bridge32 call LIB 'DECLARATIONS' [ARG...] [--isolate] [--sandbox] [--json]
//   bridge32 call LIB --header FILE [-I DIR]... [-D NAME[=VALUE]]... [-U NAME]...
//                 [--declare TEXT]... [--system-headers DIR] FUNCTION [ARG...]
//   bridge32 header LIB --header FILE [same options] [--json]
//   bridge32 doctor FILE [--json]
//   bridge32 wrap PLUGIN [--output DIR]
//   bridge32 wrap LIB --header FILE [-I DIR]... [-D NAME[=V]]... [--declare TEXT]... [--timeout MS]
//                 [--output DIR]
//   bridge32 com info PROGID|CLSID [--x64]
//   bridge32 com call PROGID|CLSID MEMBER [ARG...] [--x64]
//   bridge32 --version
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#if _WIN32
#include <fcntl.h>
#include <io.h>
#endif

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "bridge32/error.h"
#include "bridge32/sdk.h"
#include "bridge32/version.h"
#include "bridge32/log.h"
#include "bridge32/surrogate.h"
#include "tool.h"

namespace {

using namespace bridge32;
using namespace bridge32::tool;

// A command: its name, the options it takes (with a value, or alone), how many positional
// arguments, and what runs it.
struct Command {
  std::string_view name;
  std::set<std::string> valued, flags;
  size_t minPositional, maxPositional;
  const char* missing;  // what the first missing positional argument is
  int (*run)(const CommandLine&);
};

// How commands that read a library's headers take them.
const std::set<std::string> kHeaderOptions = {"--header", "-I", "-D", "-U", "--declare",
                                              "--system-headers"};

std::set<std::string> withHeaderOptions(std::set<std::string> options) {
  options.insert(kHeaderOptions.begin(), kHeaderOptions.end());
  return options;
}

const Command kCommands[] = {
    {"info", {}, {"--isolate", "--sandbox", "--json"}, 1, 1, "no plugin module given", info},
    {"run",
     {"--plugin", "--set", "--note", "--tempo", "--channels", "--frames", "--blocks", "--rate",
      "--input", "--output"},
     {"--isolate", "--sandbox"},
     1, 1, "no plugin module given", run},
    {"exports", {}, {}, 1, 1, "no library given", exports},
    // Arguments are C literals, which never begin with "--": those are options.
    {"call", kHeaderOptions, {"--isolate", "--sandbox", "--json"}, 2,
     std::numeric_limits<size_t>::max(), "no library given", call},
    {"header", kHeaderOptions, {"--json"}, 1, 1, "no library given", header},
    {"doctor", {}, {"--json"}, 1, 1, "no module given", doctor},
    {"wrap", withHeaderOptions({"--output", "--timeout"}), {}, 1, 1,
     "no plugin module or library given", wrap},
    {"com", {}, {"--x64"}, 1, std::numeric_limits<size_t>::max(), "com takes info or call", com},
};

CommandLine parse(const Command& command, int argc, char** argv) {
  CommandLine line;
  for (int i = 2; i < argc; ++i) {
    std::string word = argv[i];
    // -I DIR, -D NAME and -U NAME as a compiler takes them, also joined (-Iinclude); no C
    // literal begins so.
    if (word.size() > 2 && command.valued.count(word.substr(0, 2))) {
      line.options[word.substr(0, 2)].push_back(word.substr(2));
      continue;
    }
    if (word.rfind("--", 0) != 0 && !command.valued.count(word)) {
      if (line.positional.size() == command.maxPositional) {
        usageError("unexpected argument '" + word + "'");
      }
      line.positional.push_back(word);
    } else if (word == "--help") {
      printHelp(command.name);
      std::exit(0);
    } else if (command.flags.count(word) || word == "--verbose") {  // every command takes it
      line.options[word].push_back("");
    } else if (command.valued.count(word)) {
      if (i + 1 >= argc) usageError(word + " needs a value");
      line.options[word].push_back(argv[++i]);
    } else {
      usageError("unknown option '" + word + "'");
    }
  }
  if (line.positional.size() < command.minPositional) {
    usageError(line.positional.empty() ? command.missing : "no declaration given");
  }
  return line;
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
  void set_pattern_(const std::string& pattern) override { terminal_->set_pattern(pattern); }
  void set_formatter_(std::unique_ptr<spdlog::formatter> formatter) override {
    terminal_->set_formatter(std::move(formatter));
  }

 private:
  std::shared_ptr<spdlog::sinks::stderr_color_sink_st> terminal_;
};

}  // namespace

int main(int argc, char** argv) {
#if _WIN32
  // What a script reads is the same bytes on every platform: LF, not the C runtime's CRLF.
  _setmode(_fileno(stdout), _O_BINARY);
  _setmode(_fileno(stderr), _O_BINARY);
#endif
  // One terminal sink for every logger, escaping what plugins and surrogates say.
  auto terminal = std::make_shared<EscapingSink>();
  for (const char* name : {"bridge32", "surrogate", "plugin"}) {
    auto logger = std::make_shared<spdlog::logger>(name, terminal);
    spdlog::register_logger(logger);
    if (std::strcmp(name, "bridge32") == 0) spdlog::set_default_logger(logger);
  }

  if (argc < 2) usageError("no command given");
  if (std::strcmp(argv[1], "--version") == 0) {
    // The three versions that decide what works together: this build, the wire protocol that
    // host and surrogate must share, and the newest plugin SDK it loads.
    std::printf("bridge32 %s\nprotocol %u\nsdk %d.%d.%d\n", BRIDGE32_VERSION_STRING,
                unsigned(protocolVersion()), B32_SDK_VERSION_MAJOR,
                B32_SDK_VERSION_MINOR, B32_SDK_VERSION_REVISION);
    return 0;
  }
  if (std::strcmp(argv[1], "help") == 0 || std::strcmp(argv[1], "--help") == 0) {
    if (argc > 3) usageError("help takes one command, given " + std::to_string(argc - 2));
    if (!printHelp(argc > 2 ? argv[2] : "")) {
      usageError("there is no command '" + std::string(argv[2]) + "'");
    }
    return 0;
  }
  const Command* command = nullptr;
  for (const Command& candidate : kCommands) {
    if (candidate.name == argv[1]) command = &candidate;
  }
  if (!command) usageError("unknown command '" + std::string(argv[1]) + "'");
  setCommand(command->name);
  CommandLine line = parse(*command, argc, argv);
  // Log records go to stderr, stdout being the command's output. Timestamps help someone timing
  // a plugin's calls, and clutter everyone else's terminal. Lines end in LF everywhere.
  bool verbose = line.has("--verbose");
  terminal->set_formatter(std::make_unique<spdlog::pattern_formatter>(
      verbose ? "[%Y-%m-%d %H:%M:%S.%e] [%n] [%^%l%$] %v" : "[%n] [%^%l%$] %v",
      spdlog::pattern_time_type::local, "\n"));
  bool debug = verbose || std::getenv("BRIDGE32_DEBUG");
  spdlog::set_level(debug ? spdlog::level::debug : spdlog::level::info);
  // The library's records, and its surrogates', on the terminal with the tool's own.
  setLogHandler(
      [](const LogRecord& record) {
        if (auto logger = spdlog::get(std::string(record.source))) {
          logger->log(static_cast<spdlog::level::level_enum>(record.level), "{}", record.message);
        }
      },
      debug ? LogLevel::debug : LogLevel::info);
  int status = 1;
  try {
    status = command->run(line);
  } catch (const Error& error) {
    std::fprintf(stderr, "bridge32: %s\n", printable(error.what()).c_str());
    return 1;
  } catch (const std::filesystem::filesystem_error& error) {
    // What the commands make on disk (wrap's --output directory and files): the operation, the
    // reason and the path, as the standard library says them.
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
