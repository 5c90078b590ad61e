// The bridge32 tool: its commands, and what they share (their command lines, and printing what
// plugins and libraries say).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "bridge32/surrogate.h"

namespace bridge32::tool {

// The words after a command's name: its positional arguments, and its options by name.
struct CommandLine {
  std::vector<std::string> positional;
  std::map<std::string, std::vector<std::string>> options;  // "--set" -> every value given

  bool has(const std::string& option) const { return options.count(option) != 0; }
  // The last value of `option`, or `otherwise`.
  std::string value(const std::string& option, std::string otherwise = {}) const;
  // --isolate and the other options every loading command takes.
  LoadOptions loadOptions() const;
};

// Prints the synopsis of every command to stdout (`command` empty), or `command`'s help; false
// for a command there is none of.
bool printHelp(std::string_view command);
// The command being run, whose synopsis usage errors print.
void setCommand(std::string_view command);
// Prints `problem` and the synopsis of the command being run to stderr, and exits with status 2.
[[noreturn]] void usageError(const std::string& problem);
// A number (or a whole number from 1 to `max`) given for `option`, or a usage error.
double parseNumber(const std::string& option, const std::string& text);
uint32_t parseCount(const std::string& option, const std::string& text, uint32_t max);

// Text from a plugin or a surrogate, safe to print on a terminal: control characters (escape
// sequences, BEL, line breaks, and the C1 controls some terminals obey) become visible escapes.
std::string printable(std::string_view text);

// The commands. Each takes its command line and returns the exit status; errors are thrown.
int info(const CommandLine& line);     // PLUGIN
int run(const CommandLine& line);      // PLUGIN
std::string runHelp();                 // what run does, and its test signal
int exports(const CommandLine& line);  // LIB
int call(const CommandLine& line);     // LIB 'DECLARATIONS' [ARG...], or LIB --header H FUNCTION
int header(const CommandLine& line);   // LIB --header H: what of the headers can be called
int doctor(const CommandLine& line);   // FILE: 0 if it loads, 1 if not
int wrap(const CommandLine& line);     // PLUGIN [--output DIR]: a VST2 shim for it; or
int wrapLibrary(const CommandLine& line);  // LIB --header H [--output DIR]: a 64-bit drop-in
int com(const CommandLine& line);      // info|call PROGID [MEMBER ARG...] [--x64]

}  // namespace bridge32::tool
