// The command line every command shares, and the usage it prints when it is wrong.
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "tool.h"

namespace bridge32::tool {

namespace {

constexpr const char* kUsage =
    "usage:\n"
    "  bridge32 info PLUGIN [--isolate] [--sandbox] [--json]\n"
    "  bridge32 run PLUGIN [--plugin ID] [--set NAME=VALUE]... [--note N]... [--tempo BPM]\n"
    "               [--channels N] [--frames N]\n"
    "               [--blocks N] [--rate HZ] [--input FILE.wav] [--output FILE.csv|FILE.wav]\n"
    "               [--isolate] [--sandbox]\n"
    "  bridge32 exports LIB\n"
    "  bridge32 call LIB 'DECLARATIONS' [ARG...] [--isolate] [--sandbox]\n"
    "  bridge32 doctor FILE [--json]\n"
    "  bridge32 wrap PLUGIN [--output DIR]\n"
    "  bridge32 com info PROGID|CLSID [--x64]\n"
    "  bridge32 com call PROGID|CLSID MEMBER [ARG...] [--x64]\n"
    "  bridge32 help [COMMAND]\n"
    "  bridge32 --version\n"
    "\n"
    "PLUGIN is a bridge32 plugin module (.dll / .so) of either bitness; a module that cannot\n"
    "load in this 64-bit process runs in a surrogate. --isolate runs any module in one;\n"
    "--sandbox in a sandboxed one, for a module that is not trusted (see README.md).\n"
    "LIB is any DLL or shared object. DECLARATIONS is C text: struct and typedef definitions,\n"
    "then the function to call (its name is the export), with SAL annotations for pointers.\n"
    "ARGs are the in and in/out parameters in C literal syntax: 42, -1.5, true, \"text\",\n"
    "{1, 2, 3}. It prints the return value, then NAME = VALUE for each out parameter.\n"
    "doctor says whether FILE can load and why not: its format and bitness, the kinds of module\n"
    "it is, and the modules it needs, found as the surrogate's loader finds them (exit status 1\n"
    "if it cannot load).\n"
    "wrap makes a 64-bit VST2 plugin in DIR (default: the current directory) that any 64-bit\n"
    "VST2 host loads, and that runs PLUGIN in a bridge32 surrogate: the shim, and beside it a\n"
    "file naming PLUGIN.\n"
    "com info says where a COM class is registered (CLSID, ProgID, server DLL, threading model),\n"
    "as a 32-bit surrogate sees the registry (--x64: a 64-bit one). com call creates an object\n"
    "of the class there and calls MEMBER (a method, or a property to read) with ARGs in the\n"
    "literal syntax of call; it prints the result alone on one line the same way.\n"
    "Every command takes --verbose (timestamped debug logging on stderr) and --help.\n";

}  // namespace

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

void printHelp(std::string_view command) {
  if (command == "run") {
    std::fputs(runHelp().c_str(), stdout);
  } else {
    std::fputs(kUsage, stdout);
  }
}

void usageError(const std::string& problem) {
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
