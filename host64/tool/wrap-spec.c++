// The file that says what a wrapper wraps (wrap-spec.h).
#include "wrap-spec.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "bridge32/error.h"

namespace bridge32 {

namespace {

constexpr const char* kMagic = "bridge32-wrap 1";

void line(std::ostream& out, const char* key, const std::string& value) {
  if (value.find('\n') != std::string::npos) {
    throw Error(Error::Kind::invalidArgument, std::string(key) + " '" + value +
                                                  "' holds a line break, which a wrapper's "
                                                  "file cannot say");
  }
  out << key << ' ' << value << '\n';
}

}  // namespace

std::filesystem::path wrapSpecFile(const std::filesystem::path& wrapper) {
  std::filesystem::path file = wrapper;
  file += ".bridge32";
  return file;
}

std::optional<std::chrono::milliseconds> callTimeoutFrom(const std::string& text) {
  char* end = nullptr;
  unsigned long long milliseconds = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || text[0] == '-' || *end || milliseconds == 0 || milliseconds > 86'400'000) {
    return std::nullopt;
  }
  return std::chrono::milliseconds(milliseconds);
}

void writeWrapSpec(const WrapSpec& spec, const std::filesystem::path& file) {
  std::ostringstream out;
  out << kMagic << '\n';
  line(out, "library", utf8(spec.library));
  if (!spec.loadOptions.surrogateDirectory.empty()) {
    line(out, "surrogates", utf8(spec.loadOptions.surrogateDirectory));
  }
  if (spec.loadOptions.callTimeout != LoadOptions{}.callTimeout) {
    line(out, "call-timeout", std::to_string(spec.loadOptions.callTimeout.count()));
  }
  for (const auto& header : spec.headers) line(out, "header", utf8(header));
  for (const auto& directory : spec.headerOptions.includeDirectories) {
    line(out, "include", utf8(directory));
  }
  for (const auto& define : spec.headerOptions.defines) line(out, "define", define);
  for (const auto& undefine : spec.headerOptions.undefines) line(out, "undefine", undefine);
  if (!spec.headerOptions.systemHeaders.empty()) {
    line(out, "system-headers", utf8(spec.headerOptions.systemHeaders));
  }
  for (const auto& declarations : spec.declarations) {
    out << "declare " << declarations.size() << '\n' << declarations << '\n';
  }
  for (const auto& function : spec.functions) line(out, "function", function);
  std::ofstream written(file, std::ios::binary | std::ios::trunc);
  written << out.str();
  written.close();
  if (!written) {
    throw Error(Error::Kind::failed, "cannot write '" + utf8(file) + "'");
  }
}

WrapSpec readWrapSpec(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw Error(std::filesystem::exists(file) ? Error::Kind::failed : Error::Kind::notFound,
                "the wrapper's file '" + utf8(file) + "' " +
                    (std::filesystem::exists(file) ? "cannot be read" : "is missing"));
  }
  std::filesystem::path base = file.parent_path();
  auto path = [&](const std::string& text) {
    std::filesystem::path given = pathFromUtf8(text);
    return given.is_absolute() ? given : base / given;
  };
  WrapSpec spec;
  std::string text;
  size_t number = 0;
  auto refuse = [&](const std::string& why) {
    throw Error(Error::Kind::invalidArgument,
                utf8(file) + ":" + std::to_string(number) + ": " + why);
  };
  while (std::getline(in, text)) {
    ++number;
    if (number == 1) {
      if (text != kMagic) refuse("not a bridge32 wrapper's file (expected '" + std::string(kMagic) + "')");
      continue;
    }
    size_t space = text.find(' ');
    std::string key = text.substr(0, space);
    std::string value = space == std::string::npos ? "" : text.substr(space + 1);
    if (key == "library") {
      spec.library = path(value);
    } else if (key == "surrogates") {
      spec.loadOptions.surrogateDirectory = path(value);
    } else if (key == "call-timeout") {
      auto timeout = callTimeoutFrom(value);
      if (!timeout) {
        refuse("'call-timeout' takes " + std::string(kCallTimeoutRange) + ", given '" + value + "'");
      }
      spec.loadOptions.callTimeout = *timeout;
    } else if (key == "header") {
      spec.headers.push_back(path(value));
    } else if (key == "include") {
      spec.headerOptions.includeDirectories.push_back(path(value));
    } else if (key == "define") {
      spec.headerOptions.defines.push_back(value);
    } else if (key == "undefine") {
      spec.headerOptions.undefines.push_back(value);
    } else if (key == "system-headers") {
      spec.headerOptions.systemHeaders = path(value);
    } else if (key == "declare") {
      size_t length = 0;
      try {
        length = std::stoul(value);
      } catch (const std::exception&) {
        refuse("'declare' takes a length, given '" + value + "'");
      }
      if (length > (size_t(64) << 20)) refuse("declarations of " + value + " bytes");
      std::string declarations(length, '\0');
      if (!in.read(declarations.data(), std::streamsize(length))) refuse("declarations cut short");
      number += size_t(std::count(declarations.begin(), declarations.end(), '\n')) + 1;
      spec.declarations.push_back(std::move(declarations));
      std::getline(in, text);  // the newline after them
    } else if (key == "function") {
      spec.functions.push_back(value);
    } else if (!key.empty()) {
      refuse("unknown entry '" + key + "'");
    }
  }
  if (number == 0) refuse("empty");
  if (spec.library.empty()) refuse("no 'library' entry");
  return spec;
}

}  // namespace bridge32
