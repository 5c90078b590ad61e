// bridge32: inspect and run plugin modules, and call library functions, of either bitness from a
// 64-bit process.
//
//   bridge32 info PLUGIN [--isolate]
//   bridge32 run PLUGIN [--plugin ID] [--set NAME=VALUE]... [--channels N] [--frames N]
//                [--blocks N] [--rate HZ] [--output FILE.csv] [--isolate]
//   bridge32 exports LIB
//   bridge32 call LIB 'DECLARATIONS' [ARG...] [--isolate]
//   bridge32 doctor FILE [--json]
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "bridge32/error.h"
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

const Command kCommands[] = {
    {"info", {}, {"--isolate"}, 1, 1, "no plugin module given", info},
    {"run",
     {"--plugin", "--set", "--channels", "--frames", "--blocks", "--rate", "--output"},
     {"--isolate"},
     1, 1, "no plugin module given", run},
    {"exports", {}, {}, 1, 1, "no library given", exports},
    // Arguments are C literals, which never begin with "--": those are options.
    {"call", {}, {"--isolate"}, 2, std::numeric_limits<size_t>::max(), "no library given", call},
    {"doctor", {}, {"--json"}, 1, 1, "no module given", doctor},
};

CommandLine parse(const Command& command, int argc, char** argv) {
  CommandLine line;
  for (int i = 2; i < argc; ++i) {
    std::string word = argv[i];
    if (word.rfind("--", 0) != 0) {
      if (line.positional.size() == command.maxPositional) {
        usageError("unexpected argument '" + word + "'");
      }
      line.positional.push_back(word);
    } else if (command.flags.count(word)) {
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

 private:
  std::shared_ptr<spdlog::sinks::stderr_color_sink_st> terminal_;
};

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

  if (argc < 2) usageError("no command given");
  const Command* command = nullptr;
  for (const Command& candidate : kCommands) {
    if (candidate.name == argv[1]) command = &candidate;
  }
  if (!command) usageError("unknown command '" + std::string(argv[1]) + "'");
  CommandLine line = parse(*command, argc, argv);
  int status = 1;
  try {
    status = command->run(line);
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
