// The command line every command shares, and the usage it prints when it is wrong.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "tool.h"

namespace bridge32::tool {

namespace {

// Each command's synopsis and what it does; `bridge32 help` prints every synopsis and
// `bridge32 help COMMAND` (or COMMAND --help) one command's whole entry.
struct CommandHelp {
  std::string_view name;
  const char* synopsis;
  const char* description;
};

const CommandHelp kHelp[] = {
    {"info", "bridge32 info PLUGIN [--isolate] [--sandbox] [--json]\n",
     "Says how PLUGIN (a bridge32 SDK or VST2 plugin module, .dll or .so, of either bitness)\n"
     "loads, and lists its plugins with their audio ports, extensions and parameters.\n"
     "  --isolate   loads it in a surrogate even where it could load in this process\n"
     "  --sandbox   in a sandboxed surrogate, for a module that is not trusted (README.md)\n"
     "  --json      the same as JSON, for scripts\n"},
    {"run",
     "bridge32 run PLUGIN [--plugin ID] [--set NAME=VALUE]... [--note N]... [--tempo BPM]\n"
     "             [--channels N] [--frames N] [--blocks N] [--rate HZ] [--input FILE.wav]\n"
     "             [--output FILE.csv|FILE.wav] [--isolate] [--sandbox]\n",
     nullptr},  // runHelp()
    {"exports", "bridge32 exports LIB\n",
     "Lists the functions LIB (any DLL or shared object, of either bitness) exports, without\n"
     "loading it: names, and for a DLL ordinals and forwarders.\n"},
    {"call",
     "bridge32 call LIB 'DECLARATIONS' [ARG...] [--isolate] [--sandbox] [--json]\n"
     "bridge32 call LIB --header FILE [-I DIR]... [-D NAME[=VALUE]]... [-U NAME]...\n"
     "              [--declare TEXT]... [--system-headers DIR] FUNCTION [ARG...]\n",
     "Calls a function of LIB, any DLL or shared object of either bitness, by its C declaration.\n"
     "DECLARATIONS is C text: struct, enum and typedef definitions, then the function to call\n"
     "(its name is the export), with SAL annotations for what pointers point to:\n"
     "  bridge32 call lib.so 'void scale(double a, _In_reads_(n) const double* x, int n,\n"
     "                                  _Out_writes_(n) double* y)' 2 '{1, 2, 3}' 3\n"
     "With --header, the declaration comes from the library's own header, preprocessed as\n"
     "LIB's compiler saw it, and FUNCTION is a name it declares:\n"
     "  bridge32 call libz.so.1 --header /usr/include/zlib.h zlibVersion\n"
     "ARGs are the in and in/out parameters in C literal syntax: 42, -1.5, true, \"text\",\n"
     "{1, 2, 3}, {.x = 1, .y = 2}. It prints the return value, then NAME = VALUE for each out and\n"
     "in/out parameter.\n"
     "  --header FILE          a header of LIB (more than one: read in order)\n"
     "  -I DIR                 where its includes are, after the header's own directory\n"
     "  -D NAME[=VALUE]        a macro, as the compiler's -D; -U NAME removes one\n"
     "  --declare TEXT         declarations after the headers: a function declared again with\n"
     "                         the annotations its header lacks is called as declared here\n"
     "  --system-headers DIR   real system headers (MinGW-w64's) instead of bridge32's own\n"
     "  --isolate              runs a library of this process's bitness in a surrogate too\n"
     "  --sandbox              in a sandboxed surrogate, for a library that is not trusted\n"
     "  --json                 {\"result\": ..., \"outputs\": {NAME: ...}, \"lastError\": N}\n"},
    {"header",
     "bridge32 header LIB --header FILE [-I DIR]... [-D NAME[=VALUE]]... [-U NAME]...\n"
     "                [--declare TEXT]... [--system-headers DIR] [--json]\n",
     "Reads LIB's headers as call --header does, without loading LIB, and says of every function\n"
     "they declare whether LIB exports it and whether it can be called as declared, or what it\n"
     "needs (a size for a pointer parameter, say: give it with --declare), then totals. Exit\n"
     "status 0 when the headers can be read.\n"},
    {"doctor", "bridge32 doctor FILE [--json]\n",
     "Says whether FILE can load and why not, without loading it: its format and bitness, the\n"
     "kinds of module it is, and the modules it needs, found as the surrogate's loader finds\n"
     "them, with the first one missing and the chain that needs it. Exit status 1 if it cannot\n"
     "load.\n"},
    {"wrap",
     "bridge32 wrap PLUGIN [--output DIR]\n"
     "bridge32 wrap LIB --header FILE [-I DIR]... [-D NAME[=VALUE]]... [-U NAME]...\n"
     "              [--declare TEXT]... [--system-headers DIR] [--timeout MS] [--output DIR]\n",
     "Makes a 64-bit VST2 plugin in DIR (default: the current directory) that any 64-bit VST2\n"
     "host loads, and that runs PLUGIN in a bridge32 surrogate: the shim, and beside it a file\n"
     "naming PLUGIN. With --header: a 64-bit library of LIB's file name that exports each\n"
     "function the headers declare and LIB exports, with the header's signature, and runs it in\n"
     "a bridge32 surrogate, for 64-bit programs that load LIB by name; beside it the wrap\n"
     "runtime, the file that says what it wraps, LIB.refused.txt, the functions it cannot carry\n"
     "and why, and for a DLL its import library (NAME.lib, libNAME.dll.a) and NAME.def.\n"
     "--timeout MS: each wrapped call's deadline (default 30000); one that passes it returns 0,\n"
     "sets errno to ETIMEDOUT (Windows: the last error to ERROR_TIMEOUT) and restarts the\n"
     "surrogate.\n"},
    {"com",
     "bridge32 com info PROGID|CLSID [--x64]\n"
     "bridge32 com call PROGID|CLSID MEMBER [ARG...] [--x64]\n",
     "com info says where a COM class is registered (CLSID, ProgID, server DLL, threading model)\n"
     "as a 32-bit surrogate sees the registry (--x64: a 64-bit one), and its members. com call\n"
     "creates an object of the class there and calls MEMBER (a method, or a property to read)\n"
     "with ARGs in the literal syntax of call; it prints the result alone on one line.\n"},
};

const CommandHelp* helpFor(std::string_view command) {
  for (const CommandHelp& help : kHelp) {
    if (help.name == command) return &help;
  }
  return nullptr;
}

std::string usage() {
  std::string text = "usage:\n";
  for (const CommandHelp& help : kHelp) {
    std::string synopsis = help.synopsis;
    for (size_t at = 0; at < synopsis.size();) {
      size_t end = synopsis.find('\n', at);
      text += "  " + synopsis.substr(at, end - at + 1);
      at = end + 1;
    }
  }
  text +=
      "  bridge32 help [COMMAND]\n"
      "  bridge32 --version\n"
      "\n"
      "PLUGIN is a bridge32 plugin module (.dll / .so) of either bitness; a module that cannot\n"
      "load in this 64-bit process runs in a surrogate. --isolate runs any module in one;\n"
      "--sandbox in a sandboxed one, for a module that is not trusted (see README.md).\n"
      "LIB is any DLL or shared object. `bridge32 help COMMAND` says what COMMAND does.\n"
      "Every command takes --verbose (timestamped debug logging on stderr) and --help.\n";
  return text;
}

std::string_view gCommand;  // the command being run, for its usage errors

}  // namespace

void setCommand(std::string_view command) { gCommand = command; }

std::string CommandLine::value(const std::string& option, std::string otherwise) const {
  auto found = options.find(option);
  return found == options.end() ? otherwise : found->second.back();
}

LoadOptions CommandLine::loadOptions() const {
  LoadOptions load;
  if (has("--isolate")) load.isolation = Isolation::surrogate;
  load.sandbox = has("--sandbox");
  return load;
}

bool printHelp(std::string_view command) {
  if (command.empty()) {
    std::fputs(usage().c_str(), stdout);
    return true;
  }
  const CommandHelp* help = helpFor(command);
  if (!help) return false;
  if (command == "run") {
    std::fputs(runHelp().c_str(), stdout);
  } else {
    std::printf("usage: %s\n%s", help->synopsis, help->description);
  }
  return true;
}

void usageError(const std::string& problem) {
  // The problem, the one synopsis it concerns, and where the rest is: not every command's usage.
  const CommandHelp* help = helpFor(gCommand);
  if (help) {
    std::fprintf(stderr, "bridge32: %s\nusage: %s(bridge32 help %s says more)\n", problem.c_str(),
                 help->synopsis, std::string(gCommand).c_str());
  } else {
    std::fprintf(stderr, "bridge32: %s\n(bridge32 help lists the commands)\n", problem.c_str());
  }
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

// The library has already made the text valid UTF-8.
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

}  // namespace bridge32::tool
