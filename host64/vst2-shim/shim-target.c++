#include "shim-target.h"

#include <fstream>
#include <string>

#include "bridge32/error.h"
#include "bridge32/types.h"

namespace bridge32 {

std::filesystem::path shimTargetFile(const std::filesystem::path& shim) {
  return std::filesystem::path(shim).replace_extension(".bridge32");
}

ShimTarget readShimTarget(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw Error(Error::Kind::notFound, "the shim's target file '" + utf8(file) +
                                           "' cannot be read: `bridge32 wrap` writes it beside "
                                           "the shim");
  }
  ShimTarget target;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    auto equals = line.find('=');
    std::string key = line.substr(0, equals);
    auto where = [&] { return "'" + utf8(file) + "', line " + std::to_string(number); };
    if (equals == std::string::npos || line.size() > 32768) {
      throw Error(Error::Kind::invalidArgument, where() + ": expected KEY=VALUE");
    }
    std::filesystem::path value = pathFromUtf8(line.substr(equals + 1));
    if (value.is_relative()) value = file.parent_path() / value;
    if (key == "plugin") {
      target.plugin = value;
    } else if (key == "surrogates") {
      target.surrogates = value;
    } else {
      throw Error(Error::Kind::invalidArgument,
                  where() + ": unknown key '" + validUtf8(key) + "' (plugin, surrogates)");
    }
  }
  if (target.plugin.empty()) {
    throw Error(Error::Kind::invalidArgument, "'" + utf8(file) + "' names no plugin (plugin=PATH)");
  }
  return target;
}

void writeShimTarget(const std::filesystem::path& file, const ShimTarget& target) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << "# bridge32 VST2 shim: the plugin this shim runs in a surrogate\n";
  out << "plugin=" << utf8(target.plugin) << "\n";
  if (!target.surrogates.empty()) out << "surrogates=" << utf8(target.surrogates) << "\n";
  out.close();
  if (!out) throw Error(Error::Kind::failed, "cannot write '" + utf8(file) + "'");
}

std::filesystem::path placeShim(const std::filesystem::path& shim, const ShimTarget& target,
                                const std::filesystem::path& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    throw Error(Error::Kind::failed,
                "cannot make the directory '" + utf8(directory) + "': " + error.message());
  }
  std::filesystem::path placed = directory / target.plugin.filename();
  if (std::filesystem::equivalent(placed, target.plugin, error)) {
    throw Error(Error::Kind::invalidArgument, "the shim would replace '" + utf8(target.plugin) +
                                                  "' itself; give another --output");
  }
  // Removed, then copied: MinGW's copy_file refuses to overwrite on Windows.
  std::filesystem::remove(placed, error);
  if (!error) std::filesystem::copy_file(shim, placed, error);
  if (error) {
    throw Error(Error::Kind::failed, "cannot write the shim '" + utf8(placed) + "': " +
                                         error.message() + " (is a host using it?)");
  }
  writeShimTarget(shimTargetFile(placed), target);
  return placed;
}

}  // namespace bridge32
