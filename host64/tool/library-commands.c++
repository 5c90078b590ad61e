// bridge32 exports and call: any library's exports, and one of them called by its declaration.
#include <cstdio>
#include <string>
#include <vector>

#include "bridge32/library.h"
#include "bridge32/module-exports.h"
#include "library/c-literals.h"
#include "tool.h"

namespace bridge32::tool {

int exports(const CommandLine& line) {
  auto list = listExports(pathFromUtf8(line.positional.at(0)));
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

int call(const CommandLine& line) {
  std::vector<Value> values;
  for (size_t i = 2; i < line.positional.size(); ++i) {
    const std::string& text = line.positional[i];
    try {
      values.push_back(library::parseLiteral(text));
    } catch (const Error& error) {
      throw Error(Error::Kind::invalidArgument,
                  "argument " + std::to_string(values.size() + 1) + " ('" + text +
                      "'): " + error.message());
    }
  }
  auto library = Library::load(pathFromUtf8(line.positional.at(0)), line.loadOptions());
  auto function = library->function(line.positional.at(1));
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

}  // namespace bridge32::tool
